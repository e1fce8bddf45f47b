/* client: the source of requests and the judge of their outcome. Open loop (`rate` or
 * `arrival`: arrivals independent of replies) or closed loop (`users` that each issue a
 * request, wait for its reply or timeout, think, and issue again). Each request carries an
 * operation from the `ops` mix and a key from the `keys` chooser; its outcome (completed,
 * rejected, failed, timed out) and end-to-end latency go to the run's "requests" figures.
 *
 * Load over time. `rate` may be a schedule (sim/rate_schedule.h): the arrivals are then a
 * non-homogeneous Poisson process of intensity λ(t), sampled exactly by inverting its
 * cumulative rate Λ (Çinlar 1975; Law & Kelton, Simulation Modeling and Analysis, §8.6.2):
 * from the current arrival at t, the next is at Λ⁻¹(Λ(t) + E) with E a unit exponential.
 * Λ of a piecewise-linear rate is piecewise quadratic, so the inverse is closed-form: no
 * rejection as in thinning (Lewis & Shedler 1979), one uniform per arrival. A rate that is
 * constant from time 0 keeps the exponential gaps of a plain rate, draw for draw. A schedule
 * is a Poisson rate only: `arrival` (any gap distribution) and `users` (closed loop, paced by
 * replies and think times) take no schedule, but every loop obeys `start` and `stop`: the
 * client issues nothing before `start` nor at or after `stop` (requests in flight at `stop`
 * still settle). Open loop, the first arrival follows `start` by one gap (a Poisson process
 * restricted to [start, stop)); closed loop, the users begin thinking at `start`.
 *
 * Transactions (client_txn.h). With `transaction`, each request is a transaction drawn from
 * the workload; with `script`, each scripted transaction is issued at its `at`. A committed
 * one completes; an aborted one is retried by the retry settings as a fresh attempt (a new
 * request id, so new write ids) and counts as failed once they are spent; a timeout, a
 * refusal or a crash is an indeterminate outcome. The `transactions` checker counts them and
 * keeps the history Elle checks (checkers/transactions.h). */
#include "client_txn.h"
#include "anomalies.h"
#include "consistency.h"
#include "hist.h"
#include "idmap.h"
#include "index_dist.h"
#include "metrics.h"
#include "protocols.h"
#include "request.h"
#include "requests.h"
#include "retry.h"
#include "transactions.h"
#include "txn_wire.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

static const sim_param client_params[] = {
    {.name = "target", .type = SIM_P_REF, .offset = offsetof(client_config, target),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_EACH, .edge = "target",
     .flags = SIM_PARAM_REQUIRED, .help = "node or group that receives the requests"},
    {.name = "rate", .type = SIM_P_RATE_SCHEDULE, .offset = offsetof(client_config, rate),
     .help = "open loop: Poisson arrivals at this rate, or at one that changes over time: "
             "[{at: 0s, rate: 100/s}, {at: 60s, ramp_to: 800/s, over: 30s}] (docs/topology.md)"},
    {.name = "arrival", .type = SIM_P_DIST, .offset = offsetof(client_config, arrival),
     .flags = SIM_PARAM_GAP, .help = "open loop: distribution of the time between arrivals"},
    {.name = "users", .type = SIM_P_INT, .offset = offsetof(client_config, users), .min = 1,
     .max = 10000000, .help = "closed loop: users that each wait for a reply, then think"},
    {.name = "think", .type = SIM_P_DIST, .offset = offsetof(client_config, think),
     .help = "closed loop: think time between a reply and the next request (default 0s)"},
    {.name = "requests", .type = SIM_P_INT, .offset = offsetof(client_config, requests),
     .min = 0, .max = 1e15, .help = "cap on requests issued over the run (default: none)"},
    {.name = "timeout", .type = SIM_P_DURATION, .offset = offsetof(client_config, timeout),
     .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a request without reply by then counts as timed_out (default: none)"},
    {.name = "ops", .type = SIM_P_MIX, RR_PER_OP, .offset = offsetof(client_config, ops),
     .def = "{read: 1}", .help = "operation mix, e.g. {read: 0.9, write: 0.1}"},
    {.name = "keys", .type = SIM_P_INDEX, .offset = offsetof(client_config, keys),
     .help = "key chooser {dist: uniform, n: N} or {dist: zipf, n: N, s: X} (default: one key)"},
    RR_BYTES_PARAM("request_bytes", client_config, request_bytes, "the size of a request"),
    RETRY_PARAMS("", offsetof(client_config, retry)),
    {.name = "start", .type = SIM_P_DURATION, .offset = offsetof(client_config, start),
     .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "issue nothing before this time (default: from the start of the run)"},
    {.name = "stop", .type = SIM_P_DURATION, .offset = offsetof(client_config, stop), .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "issue nothing from this time on; requests in flight still settle (default: "
             "never)"},
    {.name = "transaction", .type = SIM_P_LIST, .offset = offsetof(client_config, transaction),
     .flags = SIM_PARAM_SINGLE, .item = ctxn_workload_params, .item_size = sizeof(ctxn_workload),
     .help = "each request is a transaction: {statements: 4, read_fraction: 0.5, writes: "
             "write, ...} (docs/transactions-client.md)"},
    {.name = "script", .type = SIM_P_LIST, .offset = offsetof(client_config, script),
     .item = ctxn_script_params, .item_size = sizeof(ctxn_script),
     .help = "scripted transactions: [{at: 0ms, name: T1, statements: [\"read x\", \"wait "
             "10ms\", \"write x 11\"]}, ...] (docs/transactions-client.md)"},
    {0},
};

static void client_check(const void *config, sim_check *ck) {
    const client_config *c = config;
    int loops = (c->rate.n > 0) + (c->arrival.kind != SIM_DIST_NONE) + (c->users > 0);
    if (c->script.n > 0) {
        /* A script is its own loop: its transactions go out at their times. */
        if (loops || c->transaction.n)
            sim_check_error(ck, "script", "a script issues its own transactions at their "
                                          "times: it takes no 'rate', 'arrival', 'users' or "
                                          "'transaction'");
        ctxn_script_check(&c->script, ck);
        return;
    }
    if (c->transaction.n) {
        const ctxn_workload *w = c->transaction.items;
        if (w->statements_max >= 0 && w->statements_max < w->statements)
            sim_check_error(ck, "transaction", "statements_max (%lld) is below statements "
                                               "(%lld)", (long long)w->statements_max,
                            (long long)w->statements);
        if (w->writes == CTXN_TRANSFER && c->keys.n < 2)
            sim_check_error(ck, "keys", "a transfer moves an amount between two distinct keys: "
                                        "'keys' must choose among 2 keys at least (e.g. "
                                        "{dist: uniform, n: 10})");
    }
    double rate;
    bool schedule = c->rate.n > 0 && !sim_rate_schedule_is_constant(&c->rate, &rate);
    if (loops > 1 && schedule)
        sim_check_error(ck, "rate",
                        "a rate schedule drives open-loop Poisson arrivals: it takes no "
                        "'arrival' and no 'users' (closed-loop users are paced by replies and "
                        "think times; switch any loop on and off with 'start' and 'stop')");
    else if (loops != 1)
        sim_check_error(ck, loops ? "users" : NULL,
                        "give exactly one of 'rate', 'arrival' (open loop) or 'users' "
                        "(closed loop)");
    if (c->think.kind && c->users <= 0)
        sim_check_error(ck, "think", "'think' goes with 'users' (closed loop)");
    if (c->start >= 0 && c->stop >= 0 && c->stop <= c->start)
        sim_check_error(ck, "stop", "'stop' (%gs) must come after 'start' (%gs)",
                        sim_time_s(c->stop), sim_time_s(c->start));
}

static bool cap_reached(const client_state *s, const client_config *c) {
    return c->requests >= 0 && s->sent >= (uint64_t)c->requests;
}

static rr_op draw_op(sim_node *n, const sim_mix *mix) {
    double u = gsl_rng_uniform(sim_rng(n)), acc = 0;
    for (int op = 0; op < RR_OPS - 1; op++) {
        acc += mix->p[op];
        if (u < acc)
            return (rr_op)op;
    }
    return (rr_op)(RR_OPS - 1);
}

/* Returns the index of a fresh slot, or SIZE_MAX when out of memory. */
static size_t new_slot(client_state *s) {
    size_t i;
    if (s->free_slot) {
        i = (size_t)s->free_slot - 1;
        s->free_slot = s->slots[i].user;
    } else {
        if (s->nslots == s->capslots) {
            size_t cap = s->capslots ? 2 * s->capslots : 64;
            pending *p = realloc(s->slots, cap * sizeof *p);
            if (!p)
                return SIZE_MAX;
            s->slots = p;
            uint64_t *procs = realloc(s->procs, cap * sizeof *procs);
            if (!procs)
                return SIZE_MAX;
            memset(procs + s->capslots, 0, (cap - s->capslots) * sizeof *procs);
            s->procs = procs;
            s->capslots = cap;
        }
        i = s->nslots++;
    }
    s->live++;
    return i;
}

static void free_slot(client_state *s, size_t i) {
    s->slots[i] = (pending){.user = s->free_slot};
    s->free_slot = i + 1;
    s->live--;
}

/* Sends one attempt of the request in slot i and arms its timeout. */
static void send_attempt(sim_node *n, size_t i) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    pending *p = &s->slots[i];
    rr_req *r = p->stmts ? txn_request_new(n, p->stmts, p->nstmts) : rr_new(n);
    if (!r) {
        sim_out_of_memory(n);
        return;
    }
    if (p->stmts && client_txn_begin(n, i, r))
        sim_out_of_memory(n);
    r->issued = p->issued; /* downstream figures go by the first attempt's time */
    r->op = p->op;
    r->kv.key = p->key;
    r->kv.keyed = c->keys.dist != SIM_INDEX_ONE; /* `keys` given: only a chooser sets a kind */
    r->root = p->ledger;
    rr_set_size(r, c->request_bytes.by[r->op]);
    p->attempt_id = r->id;
    if (sim_is_measured(n, p->issued))
        s->attempts++;
    if (sim_idmap_put(&s->waiting, r->id, i))
        sim_out_of_memory(n);
    if (c->timeout > 0)
        p->timeout = sim_set_timer(n, c->timeout, T_TIMEOUT, r->id);
    rr_send(n, sim_pick(n, &c->target), r);
}

/* Issues one request for user (0 in open loop), or scripted transaction `script` (index + 1;
 * 0: none). */
static void issue(sim_node *n, uint64_t user, size_t script) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    size_t i = new_slot(s);
    if (i == SIZE_MAX) {
        sim_out_of_memory(n);
        return;
    }
    s->slots[i] = (pending){.issued = sim_now(n), .user = user, .live = true};
    if (script) {
        pending *p = &s->slots[i];
        p->script = (uint32_t)script;
        p->stmts = s->script_stmts + (script - 1) * TXN_MAX_STMTS;
        p->nstmts = s->script_n[script - 1];
    } else if (c->transaction.n) {
        pending *p = &s->slots[i];
        txn_stmt drawn[TXN_MAX_STMTS];
        unsigned k = ctxn_draw(c->transaction.items, &s->keys, sim_rng(n), drawn);
        if (!(p->stmts = malloc(k * sizeof *drawn))) {
            free_slot(s, i);
            sim_out_of_memory(n);
            return;
        }
        memcpy(p->stmts, drawn, k * sizeof *drawn);
        p->nstmts = (uint8_t)k;
    } else {
        s->slots[i].op = (uint8_t)draw_op(n, &c->ops);
        s->slots[i].key = sim_index_sample(&s->keys, sim_rng(n));
    }
    if (s->slots[i].stmts) {
        s->slots[i].op = RR_READ;
        for (unsigned k = 0; k < s->slots[i].nstmts; k++)
            if (s->slots[i].stmts[k].kind == TXN_WRITE || s->slots[i].stmts[k].kind == TXN_INCREMENT)
                s->slots[i].op = RR_WRITE;
    }
    s->sent++;
    if (sim_is_measured(n, s->slots[i].issued)) {
        s->own.issued++;
        sim_ledger_open(n, &s->slots[i].ledger);
    }
    requests_issued(requests_of(n), s->slots[i].issued);
    retry_budget_deposit(&s->budget, &c->retry);
    send_attempt(n, i);
}

static void user_thinks(sim_node *n, uint64_t user) {
    const client_config *c = sim_config(n);
    sim_time t = c->think.kind ? sim_dist_sample_time(&c->think, sim_rng(n)) : 0;
    sim_set_timer(n, t, T_USER, user);
}

static bool stopped(const client_config *c, sim_time t) { return c->stop >= 0 && t >= c->stop; }

/* Sets the timer of the open loop's next arrival, unless it would fall at or after `stop`
 * (or the schedule's rate stays 0 from now on). */
static void next_arrival(sim_node *n) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    sim_time now = sim_now(n), at;
    if (s->scheduled) {
        double e = -log(gsl_rng_uniform_pos(sim_rng(n))); /* a unit exponential */
        at = sim_rate_schedule_after(&c->rate, now, e);
        if (at == SIM_TIME_MAX)
            return;
    } else {
        sim_time gap = sim_dist_sample_time(&s->gap, sim_rng(n));
        at = gap > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + gap;
    }
    if (!stopped(c, at))
        sim_set_timer(n, at - now, T_ARRIVAL, 0);
}

/* Starts the loop at time 0, after a restart, and at `start`: until then, a timer waits. */
static void start_traffic(sim_node *n) {
    const client_config *c = sim_config(n);
    sim_time now = sim_now(n);
    if (c->script.n) {
        /* Each scripted transaction once, at its time (none again after a restart). */
        const ctxn_script *ts = c->script.items;
        for (size_t k = 0; k < c->script.n; k++)
            if (ts[k].at >= now && (now == 0 || ts[k].at > now))
                sim_set_timer(n, ts[k].at - now, T_SCRIPT, k);
        return;
    }
    if (c->start > now) {
        sim_set_timer(n, c->start - now, T_START, 0);
        return;
    }
    if (stopped(c, now))
        return;
    if (c->users > 0) {
        for (int64_t u = 0; u < c->users; u++)
            user_thinks(n, (uint64_t)u);
    } else {
        next_arrival(n);
    }
}

/* For the consistency oracle's horizon: the first attempt of the oldest request awaited. */
static sim_time oldest_awaited(const void *state) {
    const client_state *s = state;
    sim_time t = SIM_TIME_MAX;
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].live && s->slots[i].issued < t)
            t = s->slots[i].issued;
    return t;
}

static void client_create(sim_node *n) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    if (consistency_watch(consistency_of(n), sim_node_id(n), oldest_awaited, s))
        sim_out_of_memory(n);
    sim_idmap_init(&s->waiting);
    requests_tally_init(&s->own);
    /* The ops draw_op can return: the last one also when the others sum below 1. */
    unsigned ops = 0;
    double below = 0;
    for (int op = 0; op < RR_OPS - 1; op++) {
        ops |= (unsigned)(c->ops.p[op] > 0) << op;
        below += c->ops.p[op];
    }
    ops |= (unsigned)(c->ops.p[RR_OPS - 1] > 0 || below < 1) << (RR_OPS - 1);
    if (c->transaction.n || c->script.n)
        ops = 1u << RR_READ | 1u << RR_WRITE; /* read-only transactions and the others */
    if (c->script.n && client_script_prepare(n))
        sim_out_of_memory(n);
    if (requests_name_ops(requests_of(n), rr_op_names, ops))
        sim_out_of_memory(n);
    sim_index_sampler_init(&s->keys, &c->keys);
    retry_budget_init(&s->budget, &c->retry);
    double rate;
    if (sim_rate_schedule_is_constant(&c->rate, &rate) && rate > 0)
        s->gap = (sim_dist){.kind = SIM_DIST_EXPONENTIAL, .a = 1e9 / rate};
    else if (c->rate.n > 0)
        s->scheduled = true;
    else
        s->gap = c->arrival;
    start_traffic(n);
}

/* The outcome of the request issued at `issued`, in this client's figures and the run's. */
static void count_outcome(sim_node *n, sim_time issued, unsigned op, requests_outcome out,
                          sim_time latency) {
    client_state *s = sim_state(n);
    if (requests_outcome_note(requests_of(n), issued, op, out, latency) ||
        (sim_is_measured(n, issued) && requests_tally_note(&s->own, out, latency)))
        sim_out_of_memory(n);
}

/* Records the outcome of the request in slot i and frees the slot. */
void client_settle(sim_node *n, size_t i, requests_outcome out) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    pending p = s->slots[i];
    free_slot(s, i);
    count_outcome(n, p.issued, p.op, out, sim_now(n) - p.issued);
    if (p.stmts)
        client_txn_settled(n, &p, out);
    if (out == REQUESTS_COMPLETED && p.ledger.slot) {
        size_t nparts;
        const sim_ledger_part *parts = sim_ledger_parts(n, &p.ledger, &nparts);
        if (requests_breakdown_note(requests_of(n), sim_now(n) - p.issued, parts, nparts))
            sim_out_of_memory(n);
    }
    sim_ledger_close(n, &p.ledger);
    if (c->users > 0 && !cap_reached(s, c) && !stopped(c, sim_now(n)))
        user_thinks(n, p.user);
}

/* The attempt of slot i failed or timed out: back off and retry if the policy and the budget
 * allow it, else settle with that outcome. */
void client_attempt_failed(sim_node *n, size_t i, requests_outcome out) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    pending *p = &s->slots[i];
    bool measured = sim_is_measured(n, p->issued);
    p->attempt_id = 0;
    if (retry_allowed(&s->budget, &c->retry, p->retries + 1)) {
        p->retries++;
        if (measured)
            s->retries++;
        if (measured && p->stmts)
            transactions_retried(transactions_of(n));
        /* Copies of the attempt given up no longer count; the client backs off. */
        sim_ledger_new_attempt(n, &p->ledger);
        sim_ledger_step(n, &p->ledger, SIM_LEDGER_BACKOFF);
        sim_set_timer(n, retry_delay(&c->retry, p->retries, n), T_RETRY, i);
        return;
    }
    if (measured && p->retries < c->retry.retries)
        s->denied++; /* the budget, not the retry count, said no */
    client_settle(n, i, out);
}

/* A data-serving kind answered: the consistency oracle records the write or judges the read
 * (as issued at the request's first attempt). */
static void feed_oracle(sim_node *n, const rr_req *r, sim_time issued) {
    consistency_oracle *o = consistency_of(n);
    consistency_op op = {.client = sim_node_id(n),
                         .store = r->kv.store,
                         .served_by = r->kv.served_by,
                         .key = r->kv.key,
                         .version = r->kv.version,
                         .issued = issued,
                         .done = sim_now(n),
                         .measured = sim_is_measured(n, issued)};
    if (r->op == RR_WRITE ? consistency_write_acked(o, &op) : consistency_read(o, &op))
        sim_out_of_memory(n);
}

static void client_receive(sim_node *n, sim_msg *m) {
    client_state *s = sim_state(n);
    if (m->type != &rr_reply_msg) {
        sim_msg_free(n, m);
        return;
    }
    rr_req *r = rr_of(m);
    uint64_t i;
    if (sim_idmap_take(&s->waiting, r->id, &i)) {
        sim_cancel_timer(n, &s->slots[i].timeout);
        if (s->slots[i].stmts) {
            client_txn_reply(n, i, r);
        } else {
            if (r->status == RR_OK && r->kv.served)
                feed_oracle(n, r, s->slots[i].issued);
            if (r->status == RR_OK)
                client_settle(n, i, REQUESTS_COMPLETED);
            else if (r->status == RR_REJECTED)
                client_settle(n, i, REQUESTS_REJECTED);
            else
                client_attempt_failed(n, i, REQUESTS_FAILED);
        }
    }
    rr_free(n, r); /* late replies (after a timeout) end here too */
}

static void client_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    uint64_t i;
    switch (tag) {
    case T_ARRIVAL:
        if (cap_reached(s, c))
            return;
        issue(n, 0, 0);
        next_arrival(n);
        break;
    case T_USER:
        if (!cap_reached(s, c) && !stopped(c, sim_now(n)))
            issue(n, arg, 0);
        break;
    case T_SCRIPT:
        issue(n, 0, (size_t)arg + 1);
        break;
    case T_START:
        start_traffic(n);
        break;
    case T_TIMEOUT:
        if (sim_idmap_take(&s->waiting, arg, &i)) {
            if (s->slots[i].stmts)
                client_txn_attempt_end(n, i, TXNS_INDETERMINATE, TXN_ABORT_NONE, NULL);
            client_attempt_failed(n, i, REQUESTS_TIMED_OUT);
        }
        break;
    case T_RETRY:
        if (arg < s->nslots && s->slots[arg].live && s->slots[arg].attempt_id == 0)
            send_attempt(n, arg);
        break;
    }
}

/* Crash: the client forgets the requests it awaited (their replies reach it down, or unknown
 * after the restart). Each measured one counts as failed, so that the outcomes still add up to
 * the requests issued. */
static void client_crash(sim_node *n) {
    client_state *s = sim_state(n);
    for (size_t i = 0; i < s->nslots; i++) {
        if (!s->slots[i].live)
            continue;
        count_outcome(n, s->slots[i].issued, s->slots[i].op, REQUESTS_FAILED,
                      sim_now(n) - s->slots[i].issued);
        sim_ledger_close(n, &s->slots[i].ledger);
        if (s->slots[i].stmts) {
            if (s->slots[i].attempt_id) /* awaited, not backing off */
                client_txn_attempt_end(n, i, TXNS_INDETERMINATE, TXN_ABORT_CRASH, NULL);
            s->slots[i].outcome = TXNS_INDETERMINATE;
            s->slots[i].reason = TXN_ABORT_CRASH;
            client_txn_settled(n, &s->slots[i], REQUESTS_FAILED);
        }
    }
    if (s->procs)
        memset(s->procs, 0, s->capslots * sizeof *s->procs); /* new processes after it */
    s->nslots = s->live = 0;
    s->free_slot = 0;
    sim_idmap_clear(&s->waiting);
}

static bool retries(const void *config) {
    return ((const client_config *)config)->retry.retries > 0;
}

static double amplification(const void *state, const sim_node *n, sim_time at) {
    const client_state *s = state;
    (void)n, (void)at;
    return s->own.issued ? (double)s->attempts / (double)s->own.issued : 0;
}

static const sim_metric client_metrics[] = {
    {"issued", SIM_METRIC_COUNTER, SIM_FIELD(client_state, own.issued)},
    {"completed", SIM_METRIC_COUNTER, SIM_FIELD(client_state, own.completed)},
    {"rejected", SIM_METRIC_COUNTER, SIM_FIELD(client_state, own.rejected)},
    {"timed_out", SIM_METRIC_COUNTER, SIM_FIELD(client_state, own.timed_out)},
    {"failed", SIM_METRIC_COUNTER, SIM_FIELD(client_state, own.failed)},
    {"in_flight", SIM_METRIC_GAUGE, SIM_FIELD(client_state, live)},
    {"attempts", SIM_METRIC_COUNTER, SIM_FIELD(client_state, attempts), .shown = retries},
    {"retries", SIM_METRIC_COUNTER, SIM_FIELD(client_state, retries), .shown = retries},
    {"retries_denied", SIM_METRIC_COUNTER, SIM_FIELD(client_state, denied), .shown = retries},
    {"amplification", SIM_METRIC_NUMBER, .value = amplification, .shown = retries},
    {"latency_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(client_state, own.latency), .pct = SIM_PCT_FULL},
    SIM_METRICS_END,
};

static void client_destroy(sim_node *n) {
    client_state *s = sim_state(n);
    sim_idmap_free(&s->waiting);
    requests_tally_free(&s->own);
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].live && s->slots[i].stmts && !s->slots[i].script)
            free(s->slots[i].stmts);
    free(s->slots);
    free(s->procs);
    free(s->script_stmts);
    free(s->script_n);
}

/* A closed loop keeps every user's request in flight (its slot, its entry in the map of
 * attempts, its delivery or think timer and its timeout); an open loop's depends on the
 * traffic, which the estimate does not count. */
static sim_memory_need client_memory_need(const void *config, uint32_t group_count) {
    const client_config *c = config;
    (void)group_count;
    sim_memory_need need = {.report_bytes = 2100}; /* measured */
    if (c->users > 0) {
        double u = (double)c->users;
        need.bytes = u * (sizeof(pending) + 4 * sizeof(uint64_t));
        need.events = 2 * u;
        need.messages = u;
        need.key = "users", need.value = u;
    }
    return need;
}

/* The anomaly checker: a script names its keys there (client_script_prepare). */
static const sim_checker_kind *const client_checkers[] = {
    &dsim_requests_checker, &dsim_consistency_checker, &dsim_transactions_checker,
    &dsim_anomalies_checker, NULL};

const sim_kind dsim_client_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = client_memory_need,
    .name = "client",
    .summary = "issues requests (open or closed loop) and records their outcome and latency",
    .config_size = sizeof(client_config),
    .state_size = sizeof(client_state),
    .params = client_params,
    .serves = 0, /* a source: it takes only the replies to its own requests */
    .check = client_check,
    .create = client_create,
    .receive = client_receive,
    .timer = client_timer,
    .crash = client_crash,
    .restart = start_traffic,
    .metrics = client_metrics,

    .destroy = client_destroy,
    .checkers = client_checkers,
};
