/* A transaction's commit and the durability of the instance's rows. After the last statement
 * the WAL is written: with `durable` and no `flush_interval`, its `fsync` is paid holding the
 * connection (a read-only transaction writes no commit record and pays nothing); with
 * `flush_interval` the commit does not wait, and the next flush makes it durable. Then the
 * cc commits (it may still abort: first committer wins, serializable snapshot isolation);
 * then every write goes through the store (db__commit_version, which the consistency oracle
 * and the backups follow) and into the log as consecutive entries that name the whole
 * transaction, so that replicas apply it whole (txn_replication.c); the reply carries each
 * statement's result, after the replicas' acks under sync or semi_sync replication.
 *
 * Atomicity: the cc installs a transaction's writes at once at its commit, and the store's
 * and the log's changes follow in the same event, so no crash falls between them. A crash
 * ends the open transactions (nothing of theirs was installed) and undoes the commits since
 * the last flush in the cc as the store undoes them (db__roll_back_unflushed): under
 * per-commit fsync none, so no acknowledged commit is lost. A volatile instance, or a lost
 * disk, starts again from the initial rows. */
#include "database_int.h"

#include "txn_wire.h"

#include <string.h>

void db__txn_commit_begin(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    const txn_write *wr;
    size_t nw = txn_cc_writes(s->cc, s->conn[w].tx, &wr);
    sim_time t = 0;
    if (nw && c->durable && c->flush_interval <= 0)
        t = sim_slowed(n, sim_dist_sample(&c->fsync, sim_rng(n)));
    s->conn[w].phase = CONN_WAL;
    sim_set_timer(n, t, T_TXN, (uint64_t)s->st.job[w] << 32 | w);
}

void db__txn_commit(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    rr_req *r = s->st.held[w];
    uint32_t tx = s->conn[w].tx;
    const txn_write *wr;
    size_t nw = txn_cc_writes(s->cc, tx, &wr);
    txn_write buf[TXN_MAX_STMTS];
    if (nw > TXN_MAX_STMTS)
        nw = TXN_MAX_STMTS; /* the last write of each key: at most one per statement */
    memcpy(buf, wr, nw * sizeof *buf);
    if (nw && s->role != ROLE_PRIMARY) { /* cannot happen: a step-down aborts them all */
        txn_cc_abort(s->cc, tx, TXN_ABORT_CRASH, sim_now(n));
        db__txn_fail(n, w, TXN_ABORT_CRASH);
        return;
    }
    if (txn_cc_commit(s->cc, tx, sim_now(n)) == TXN_CC_ABORTED) {
        db__txn_fail(n, w, txn_cc_reason(s->cc, tx));
        return;
    }
    if (c->durable && c->flush_interval <= 0)
        txn_cc_durable(s->cc); /* its fsync was paid before the commit */
    uint64_t first = s->nlog + 1, pos = 0;
    for (size_t i = 0; i < nw; i++) {
        uint64_t v = db__commit_version(n, buf[i].key);
        db__oracle_commit(n, buf[i].key);
        pos = db__append(n, &(log_entry){.key = buf[i].key,
                                         .version = v,
                                         .at = sim_now(n),
                                         .txn_first = first,
                                         .txn_n = (uint32_t)nw,
                                         .txn_id = r->id,
                                         .wid = buf[i].wid,
                                         .value = buf[i].value});
        if (!pos)
            return;
    }
    if (nw)
        for (uint32_t i = 0; i < s->count; i++)
            if (i != s->me)
                db__schedule_shipment(n, first, i, (uint32_t)nw);
    sim_idmap_take(&s->tx_worker, (uint64_t)tx + 1, NULL);
    s->conn[w] = (db_conn){.tx = TXN_CC_NONE};
    r->status = RR_OK;
    if (db__counts(n, r))
        s->txn_committed++;
    if (!nw || c->replication == REPL_ASYNC || s->count == 1)
        db__finish_worker(n, w);
    else
        db__await_replicas(n, w, pos);
}

void db__txn_flushed(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->cc)
        txn_cc_durable(s->cc);
}

void db__txn_crash(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (!s->cc)
        return;
    txn_cc_crash(s->cc, false, sim_now(n)); /* the commits since the last flush are undone */
    if (!c->durable)
        txn_cc_reset(s->cc);
    db__drop_held(n);
}

void db__txn_reset(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->cc)
        txn_cc_reset(s->cc);
    db__drop_held(n);
}
