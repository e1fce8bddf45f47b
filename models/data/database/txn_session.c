/* A transaction's connection: a transaction request (protocols/txn_wire.h) takes a worker of
 * the pool for its whole life, as a client holds one connection of a real pool from BEGIN to
 * COMMIT. Each statement costs its think time (the client's gap before sending it), then a
 * service time (the per-operation `service`: read for read and range, write for write and
 * increment; savepoints and rollbacks cost nothing), then runs in the instance's concurrency
 * control (txn/cc.h). A statement the cc blocks waits, holding its connection, until the
 * cc's wake hook says it may run again (the hook only schedules a zero-delay timer: it must
 * not call back into the cc) or until `lock_timeout` runs out; an aborted statement ends the
 * transaction: the reply is RR_FAILED with the reason and the results so far. After the last
 * statement the commit follows (txn_commit.c). docs/transactions.md. */
#include "database_int.h"

#include "txn_wire.h"

#include <stdlib.h>

static uint64_t token(uint32_t job, uint32_t w) { return (uint64_t)job << 32 | w; }

/* The stamp of worker w's current job, for its timers. */
static uint64_t current(const db_state *s, uint32_t w) { return token(s->st.job[w], w); }

/* A blocked statement's wait ends now: its time joins the figures. */
static void wait_over(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    db_conn *k = &s->conn[w];
    if (db__counts(n, s->st.held[w]))
        s->txn_wait_total += (double)(sim_now(n) - k->blocked_at);
}

/* The cc's wake hook: ctx is the node. Only a timer is set (txn/cc.h forbids calling back). */
static void on_wake(void *ctx, uint32_t tx) {
    sim_node *n = ctx;
    db_state *s = sim_state(n);
    uint64_t w;
    if (!sim_idmap_get(&s->tx_worker, (uint64_t)tx + 1, &w) || w >= s->nconn)
        return;
    db_conn *k = &s->conn[w];
    if (k->phase != CONN_BLOCKED)
        return;
    k->phase = CONN_WOKEN;
    sim_cancel_timer(n, &k->timeout);
    wait_over(n, (uint32_t)w);
    sim_set_timer(n, 0, T_TXN, current(s, (uint32_t)w));
}

txn_cc *db__cc(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (s->cc)
        return s->cc;
    txn_cc_config cfg = {.isolation = (txn_isolation)c->isolation,
                         .concurrency = (txn_concurrency)c->concurrency,
                         .flavor = (txn_flavor)c->flavor,
                         .rows = (uint64_t)c->rows,
                         .initial_value = c->initial_value,
                         .has_min = c->min_value > DB_NO_MIN,
                         .min_value = c->min_value};
    s->cc = txn_cc_new(&cfg, db__txn_trace(n), (txn_cc_hooks){.wake = on_wake}, n);
    if (!s->cc)
        sim_out_of_memory(n);
    return s->cc;
}

int db__txn_resize(sim_node *n, uint32_t cap) {
    db_state *s = sim_state(n);
    if (!s->cc || cap <= s->nconn)
        return 0; /* connections are laid out at the first transaction */
    db_conn *k = realloc(s->conn, cap * sizeof *k);
    if (!k)
        return -1;
    for (uint32_t w = s->nconn; w < cap; w++)
        k[w] = (db_conn){.tx = TXN_CC_NONE};
    s->conn = k;
    s->nconn = cap;
    return 0;
}

/* Worker w's connection lets go of its transaction (ended in the cc). */
static void release(db_state *s, uint32_t w) {
    db_conn *k = &s->conn[w];
    if (k->tx != TXN_CC_NONE)
        sim_idmap_take(&s->tx_worker, (uint64_t)k->tx + 1, NULL);
    *k = (db_conn){.tx = TXN_CC_NONE};
}

void db__txn_fail(sim_node *n, uint32_t w, txn_abort_reason why) {
    db_state *s = sim_state(n);
    rr_req *r = s->st.held[w];
    txn_body *b = txn_of(r);
    if (s->conn[w].phase == CONN_BLOCKED)
        sim_cancel_timer(n, &s->conn[w].timeout);
    release(s, w);
    b->reason = (uint8_t)why;
    r->status = RR_FAILED;
    if (db__counts(n, r))
        s->txn_aborted[why]++;
    db__finish_worker(n, w);
}

/* Statement i's service time: its timer, or none for a statement that touches no row. */
static void serve(sim_node *n, uint32_t w);
static void exec(sim_node *n, uint32_t w);

/* The next statement's think time, or the commit after the last one. */
static void next_statement(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    db_conn *k = &s->conn[w];
    txn_body *b = txn_of(s->st.held[w]);
    k->stmt = b->done;
    k->waited = false;
    if (k->stmt >= b->n) {
        db__txn_commit_begin(n, w);
        return;
    }
    if (db__counts(n, s->st.held[w]))
        s->txn_statements++;
    sim_time think = txn_stmts(b)[k->stmt].think;
    if (think > 0) {
        k->phase = CONN_THINK;
        sim_set_timer(n, think, T_TXN, current(s, w));
    } else {
        serve(n, w);
    }
}

static void serve(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    db_conn *k = &s->conn[w];
    const txn_stmt *st = &txn_stmts(txn_of(s->st.held[w]))[k->stmt];
    int op;
    switch (st->kind) {
    case TXN_READ:
    case TXN_RANGE:
        op = RR_READ;
        break;
    case TXN_WRITE:
    case TXN_INCREMENT:
        op = RR_WRITE;
        break;
    default:
        exec(n, w); /* a savepoint, a rollback: no row is read or written */
        return;
    }
    k->phase = CONN_SERVICE;
    double t = sim_dist_sample(&c->service.by[op], sim_rng(n));
    sim_set_timer(n, sim_slowed(n, t), T_TXN, current(s, w));
}

/* Runs the statement in the cc. */
static void exec(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    db_conn *k = &s->conn[w];
    rr_req *r = s->st.held[w];
    txn_body *b = txn_of(r);
    unsigned i = k->stmt;
    switch (txn_cc_exec(s->cc, k->tx, i, &txn_stmts(b)[i], &txn_results(b)[i], sim_now(n))) {
    case TXN_CC_DONE:
        b->done = (uint8_t)(i + 1);
        next_statement(n, w);
        break;
    case TXN_CC_BLOCKED:
        k->phase = CONN_BLOCKED;
        k->blocked_at = sim_now(n);
        if (!k->waited) { /* a statement counts one wait however often it is woken */
            k->waited = true;
            if (db__counts(n, r))
                s->txn_lock_waits++;
        }
        if (c->lock_timeout > 0)
            k->timeout = sim_set_timer(n, c->lock_timeout, T_LOCK_TIMEOUT, current(s, w));
        break;
    case TXN_CC_ABORTED:
        db__txn_fail(n, w, txn_cc_reason(s->cc, k->tx));
        break;
    }
}

void db__txn_start(sim_node *n, uint32_t w, rr_req *r) {
    db_state *s = sim_state(n);
    station_begin(&s->st, n, w, r);
    s->lsn[w] = 0;
    if (!db__cc(n) || db__txn_resize(n, s->st.cap)) {
        sim_out_of_memory(n);
        return;
    }
    txn_body *b = txn_of(r);
    b->done = 0;
    b->reason = TXN_ABORT_NONE;
    s->conn[w] = (db_conn){.tx = TXN_CC_NONE, .phase = CONN_WOKEN};
    /* The first step always goes through a timer, so that a transaction refused or aborted at
     * once does not start the next one from within this call (a long queue would recurse). */
    bool refused = (r->op == RR_WRITE && s->role != ROLE_PRIMARY) || !s->synced;
    if (!refused) {
        uint32_t tx = txn_cc_begin(s->cc, r->id, r->client, sim_now(n));
        if (tx == TXN_CC_NONE || sim_idmap_put(&s->tx_worker, (uint64_t)tx + 1, w)) {
            sim_out_of_memory(n);
            return;
        }
        s->conn[w].tx = tx;
        s->conn[w].phase = CONN_THINK;
        if (db__counts(n, r) && b->n)
            s->txn_statements++;
    }
    sim_time think = !refused && b->n ? txn_stmts(b)[0].think : 0;
    sim_set_timer(n, think, T_TXN, current(s, w));
}

void db__txn_step(sim_node *n, uint32_t w, uint32_t job) {
    db_state *s = sim_state(n);
    if (!station_is_current(&s->st, w, job) || w >= s->nconn || !s->st.held[w] ||
        !s->st.held[w]->txn)
        return;
    db_conn *k = &s->conn[w];
    switch (k->phase) {
    case CONN_THINK:
        serve(n, w);
        break;
    case CONN_SERVICE:
        exec(n, w);
        break;
    case CONN_WOKEN:
        if (k->tx == TXN_CC_NONE) /* refused at the start: the instance cannot run it */
            db__txn_fail(n, w, TXN_ABORT_CRASH);
        else
            exec(n, w);
        break;
    case CONN_WAL:
        db__txn_commit(n, w);
        break;
    default:
        break;
    }
}

void db__txn_timeout(sim_node *n, uint32_t w, uint32_t job) {
    db_state *s = sim_state(n);
    if (!station_is_current(&s->st, w, job) || w >= s->nconn || s->conn[w].phase != CONN_BLOCKED)
        return;
    s->conn[w].timeout = (sim_timer){0}; /* it fired */
    wait_over(n, w);
    txn_cc_abort(s->cc, s->conn[w].tx, TXN_ABORT_LOCK_TIMEOUT, sim_now(n));
    db__txn_fail(n, w, TXN_ABORT_LOCK_TIMEOUT);
}

void db__txn_abort_all(sim_node *n, txn_abort_reason why) {
    db_state *s = sim_state(n);
    for (uint32_t w = 0; w < s->nconn; w++) {
        db_conn *k = &s->conn[w];
        if (k->tx == TXN_CC_NONE || !s->st.held[w])
            continue;
        if (k->phase == CONN_BLOCKED)
            wait_over(n, w);
        txn_cc_abort(s->cc, k->tx, why, sim_now(n));
        db__txn_fail(n, w, why);
    }
}

void db__txn_clear(sim_node *n) {
    db_state *s = sim_state(n);
    for (uint32_t w = 0; w < s->nconn; w++)
        s->conn[w] = (db_conn){.tx = TXN_CC_NONE};
    sim_idmap_clear(&s->tx_worker);
}

void db__txn_free(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->cc)
        txn_cc_free(s->cc);
    s->cc = NULL;
    free(s->conn);
    free(s->held);
    sim_idmap_free(&s->tx_worker);
}
