/* Transactions in the database kind (models/data/database/txn_*.c, docs/transactions.md),
 * driven by a test-only client kind `txc` that sends transaction requests
 * (protocols/txn_wire.h) from `users` closed-loop users.
 *
 * Oracles:
 *   - A scripted lock wait under strict 2PL with constant times and a zero-latency network:
 *     user 0 writes k0 (its service ends and the lock is taken at S), thinks G, writes k1
 *     (lock at 2S + G) and commits at once (fsync 0); user 1 starts at O and writes k0: its
 *     service ends at O + S, it waits for k0 until user 0 commits at 2S + G and then writes.
 *     So one lock wait of exactly 2S + G - (O + S) = S + G - O, and user 1's transaction
 *     ends at 2S + G, the wait's end: its latency is 2S + G - O.
 *   - A deadlock: user 0 writes k0 then k1, user 1 (starting S/2 later) writes k1 then k0:
 *     user 1 asks for k0 last and closes the cycle, so it is the victim (txn/cc.h: the one
 *     asking is aborted); user 0 then gets k1 and commits. Exactly one deadlock, one commit.
 *   - lock_timeout: as the scripted wait, but with a lock_timeout shorter than the wait: user
 *     1 aborts with lock_timeout after exactly lock_timeout; user 0 commits.
 *   - Atomicity under crashes: users increment two keys (k_2u, k_2u+1) of their own in each
 *     transaction, so at every committed state the two keys hold equal values; the primary
 *     crashes and restarts during the run (durable, fsync each commit). At the end the two
 *     keys of every user are equal (no half-visible transaction) and, with fsync, the
 *     counter is at least the number of commits the user saw acknowledged (none lost) and
 *     at most that plus one (the transaction in flight at the crash may have committed
 *     without its reply arriving). Over many seeds.
 *   - Gray et al. 1996 ("The dangers of replication and a solution", §2): T users in a
 *     closed loop, each transaction A exclusive lock requests over D uniform keys, give a
 *     per-request wait probability ≈ T·A/(2D). That form takes each of T others holding A/2
 *     locks on average; here precisely the T - 1 others each hold (A - 1)/2 on average (with
 *     exponential service per statement a transaction is in statement j, 1..A, for a fraction
 *     1/A of its life, holding the j - 1 locks of the statements before: the lock is taken
 *     when a statement's service ends), so the first-order wait probability is
 *     (T - 1)(A - 1)/(2D); waits lengthen the holding times only at second order (O(p²)).
 *     Checked with a 99% t-interval over seeded replications at T = 4, A = 4, D = 1000. The
 *     deadlock rate's scaling (T·A⁴/(4D²)) is in tools/bench_contention.sh (too long here).
 *   - The invariant `total` of a bank (the client's transfers: read a, read b, write a - 1,
 *     write b + 1) is broken only where a transfer's update can be lost: read committed
 *     (Berenson et al. 1995, P4), whose lost updates the checker counts in the same run;
 *     snapshot isolation's first updater wins and SSI keep the total at every committed
 *     state and in every audit (a range read of all the accounts in one statement). */
#include "support.h"

#include "engine.h"
#include "json_report.h"
#include "kind.h"
#include "loader.h"
#include "metrics.h"
#include "node.h"
#include "protocols.h"
#include "txn_wire.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <string.h>

extern const sim_kind dsim_database_kind;
extern const sim_kind dsim_client_kind;

/* ---- the test client ---- */

enum { SCRIPT_PAIR, SCRIPT_CROSS, SCRIPT_GRAY, SCRIPT_PAIRS_INC, SCRIPT_WRITE_AND_READ };
static const char *const script_words[] = {"pair",      "cross",          "gray",
                                           "pairs_inc", "write_and_read", NULL};

typedef struct txc_config {
    sim_ref target;
    int64_t users, keys, actions, count;
    int script;
    sim_time think, offset, timeout;
} txc_config;

#define MAX_USERS 16

typedef struct txc_state {
    uint64_t committed, failed, deadlock, lock_timeout, other;
    uint64_t end0, end1;       /* when user 0's / 1's first transaction ended (ns) */
    uint64_t acked[MAX_USERS]; /* commits acknowledged per user */
    uint64_t sent[MAX_USERS];
    uint64_t unknown[MAX_USERS]; /* transactions given up on (no reply in time) */
    uint32_t seq[MAX_USERS];     /* the attempt a reply must match */
    uint64_t half, lost, excess; /* pairs_inc: unequal pair, commits lost, too many */
    uint64_t statements_sent, gave_up, behind, reads_done;
} txc_state;

static const sim_param txc_params[] = {
    {.name = "target",
     .type = SIM_P_REF,
     .offset = offsetof(txc_config, target),
     .flags = SIM_PARAM_REQUIRED,
     .needs = DSIM_PROTO_REQUEST,
     .flow = SIM_FLOW_EACH,
     .help = "the database"},
    {.name = "users",
     .type = SIM_P_INT,
     .offset = offsetof(txc_config, users),
     .def = "2",
     .min = 1,
     .max = MAX_USERS,
     .help = "closed-loop users"},
    {.name = "keys",
     .type = SIM_P_INT,
     .offset = offsetof(txc_config, keys),
     .def = "1000",
     .min = 1,
     .max = 1e9,
     .help = "D"},
    {.name = "actions",
     .type = SIM_P_INT,
     .offset = offsetof(txc_config, actions),
     .def = "4",
     .min = 1,
     .max = TXN_MAX_STMTS,
     .help = "A"},
    {.name = "count",
     .type = SIM_P_INT,
     .offset = offsetof(txc_config, count),
     .def = "1",
     .min = 0,
     .max = 1e9,
     .help = "transactions per user (0: until the end)"},
    {.name = "script",
     .type = SIM_P_ENUM,
     .offset = offsetof(txc_config, script),
     .def = "pair",
     .choices = script_words,
     .help = "what the users run"},
    {.name = "think",
     .type = SIM_P_DURATION,
     .offset = offsetof(txc_config, think),
     .def = "0s",
     .min = 0,
     .max = 1e12,
     .help = "G"},
    {.name = "timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(txc_config, timeout),
     .def = "0s",
     .min = 0,
     .max = 1e12,
     .help = "a user gives up and sends anew (0: never)"},
    {.name = "offset",
     .type = SIM_P_DURATION,
     .offset = offsetof(txc_config, offset),
     .def = "0s",
     .min = 0,
     .max = 1e12,
     .help = "user u starts at u * offset"},
    {0},
};

/* User u's next transaction. */
static void send_txn(sim_node *n, uint32_t u) {
    const txc_config *c = sim_config(n);
    txc_state *s = sim_state(n);
    txn_stmt st[TXN_MAX_STMTS];
    unsigned k = 0;
    memset(st, 0, sizeof st);
    switch (c->script) {
    case SCRIPT_PAIR:
        st[k++] = (txn_stmt){.kind = TXN_WRITE, .key = 0, .value = 1 + u};
        if (u == 0)
            st[k++] = (txn_stmt){.kind = TXN_WRITE, .key = 1, .value = 1, .think = c->think};
        break;
    case SCRIPT_CROSS:
        st[k++] = (txn_stmt){.kind = TXN_WRITE, .key = u, .value = 1};
        st[k++] = (txn_stmt){.kind = TXN_WRITE, .key = 1 - u, .value = 1};
        break;
    case SCRIPT_WRITE_AND_READ: /* user 0 increments keys 0 and 1 together; the others read both */
        if (u == 0) {
            st[k++] = (txn_stmt){.kind = TXN_INCREMENT, .key = 0, .value = 1};
            st[k++] = (txn_stmt){.kind = TXN_INCREMENT, .key = 1, .value = 1};
        } else {
            st[k++] = (txn_stmt){.kind = TXN_READ, .key = 0};
            st[k++] = (txn_stmt){.kind = TXN_READ, .key = 1, .think = c->think};
        }
        break;
    case SCRIPT_PAIRS_INC:
        st[k++] = (txn_stmt){.kind = TXN_INCREMENT, .key = 2 * u, .value = 1};
        st[k++] = (txn_stmt){.kind = TXN_INCREMENT, .key = 2 * u + 1, .value = 1};
        break;
    default: /* gray: A distinct uniform keys, in random order */
        while (k < (unsigned)c->actions) {
            uint64_t key = gsl_rng_uniform_int(sim_rng(n), (unsigned long)c->keys);
            bool dup = false;
            for (unsigned i = 0; i < k; i++)
                dup |= st[i].key == key;
            if (!dup)
                st[k++] = (txn_stmt){.kind = TXN_WRITE, .key = key, .value = 1};
        }
    }
    rr_req *r = txn_request_new(n, st, k);
    cr_assert(r);
    s->seq[u]++;
    r->token = (uint64_t)s->seq[u] << 8 | u;
    s->sent[u]++;
    s->statements_sent += k;
    rr_send(n, c->target.first, r);
    if (c->timeout > 0)
        sim_set_timer(n, c->timeout, 1, r->token);
}

static void txc_create(sim_node *n) {
    const txc_config *c = sim_config(n);
    for (uint32_t u = 0; u < (uint32_t)c->users; u++)
        sim_set_timer(n, (sim_time)u * c->offset, 0, u);
}

static void txc_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    txc_state *s = sim_state(n);
    uint32_t u = (uint32_t)(arg & 0xff);
    if (tag == 1) { /* a timeout: still the attempt in flight? */
        if ((uint32_t)(arg >> 8) != s->seq[u])
            return;
        s->unknown[u]++;
        s->gave_up++;
    }
    send_txn(n, u);
}

static void txc_receive(sim_node *n, sim_msg *m) {
    const txc_config *c = sim_config(n);
    txc_state *s = sim_state(n);
    if (m->type == &rr_reply_msg) {
        rr_req *r = rr_of(m);
        uint32_t u = (uint32_t)(r->token & 0xff);
        txn_body *b = txn_of(r);
        if ((uint32_t)(r->token >> 8) != s->seq[u]) { /* given up on already */
            sim_msg_free(n, m);
            return;
        }
        s->seq[u]++; /* its timeout, if any, is void */
        if (r->status == RR_OK) {
            s->committed++;
            if (c->script == SCRIPT_PAIRS_INC) {
                /* the counter counts this user's surviving commits, this one included */
                const txn_result *res = txn_results(b);
                int64_t v = res[0].value;
                s->half += res[1].value != v;
                s->lost += v < (int64_t)s->acked[u] + 1;
                s->excess += v > (int64_t)(s->acked[u] + 1 + s->unknown[u]);
            }
            if (c->script == SCRIPT_WRITE_AND_READ && u > 0) {
                const txn_result *res = txn_results(b);
                s->half += res[0].value != res[1].value;
                s->behind += res[0].value < (int64_t)s->acked[0]; /* older than acknowledged */
                s->reads_done++;
            }
            s->acked[u]++;
        } else {
            s->failed++;
            if (b->reason == TXN_ABORT_DEADLOCK)
                s->deadlock++;
            else if (b->reason == TXN_ABORT_LOCK_TIMEOUT)
                s->lock_timeout++;
            else
                s->other++;
        }
        if (s->sent[u] == 1 && u == 0 && !s->end0)
            s->end0 = (uint64_t)sim_now(n);
        if (s->sent[u] == 1 && u == 1 && !s->end1)
            s->end1 = (uint64_t)sim_now(n);
        if (c->count == 0 || s->sent[u] < (uint64_t)c->count) {
            if (r->status == RR_OK)
                send_txn(n, u);
            else /* a crashed database refuses at once: back off rather than spin */
                sim_set_timer(n, 1000000, 0, u);
        }
    }
    sim_msg_free(n, m);
}

static const sim_metric txc_metrics[] = {
    {"committed", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, committed)},
    {"failed", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, failed)},
    {"deadlock", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, deadlock)},
    {"lock_timeout", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, lock_timeout)},
    {"other", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, other)},
    {"end0", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, end0)},
    {"end1", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, end1)},
    {"behind", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, behind)},
    {"reads_done", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, reads_done)},
    {"gave_up", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, gave_up)},
    {"half", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, half)},
    {"lost", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, lost)},
    {"excess", SIM_METRIC_COUNTER, SIM_FIELD(txc_state, excess)},
    SIM_METRICS_END,
};

static const sim_kind txc_kind = {
    .version = SIM_KIND_VERSION,
    .name = "txc",
    .config_size = sizeof(txc_config),
    .state_size = sizeof(txc_state),
    .params = txc_params,
    .create = txc_create,
    .timer = txc_timer,
    .receive = txc_receive,
    .metrics = txc_metrics,
};

static const sim_kind *const registry[] = {&txc_kind, &dsim_database_kind, &dsim_client_kind, NULL};

/* Runs yaml with seed against the test registry; returns the document, and the engine kept
 * for reading the database's rows when rows is non-NULL. */
static cJSON *run(const char *yaml, uint64_t seed) {
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, registry, d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    sim_diag_free(d);
    cr_assert(t, "the topology does not load");
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0, "the run failed");
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    sim_engine_free(e);
    sim_topology_free(t);
    return doc;
}

/* ---- scripted ---- */

#define S_MS 1
#define G_MS 5
#define O_MS 2

static const char *const PAIR =
    "duration: 1s\n"
    "nodes:\n"
    "  c: {kind: txc, target: db, script: pair, users: 2, think: 5ms, offset: 2ms}\n"
    "  db: {kind: database, service: {dist: constant, value: 1ms}, concurrency: locking,\n"
    "       isolation: serializable, rows: 10}\n";

Test(transactions, a_scripted_lock_wait_lasts_exactly_until_the_holder_commits) {
    cJSON *doc = run(PAIR, 1);
    cr_expect_eq(t_int(doc, "nodes.c.committed"), 2);
    cr_expect_eq(t_int(doc, "nodes.db.transactions.committed"), 2);
    cr_expect_eq(t_int(doc, "nodes.db.transactions.lock_waits"), 1);
    cr_expect_float_eq(t_num(doc, "nodes.db.transactions.lock_wait_mean_ms"), S_MS + G_MS - O_MS,
                       1e-9);
    cr_expect_eq(t_int(doc, "nodes.c.end0"), (2 * S_MS + G_MS) * 1000000LL);
    cr_expect_eq(t_int(doc, "nodes.c.end1"), (2 * S_MS + G_MS) * 1000000LL);
    cJSON_Delete(doc);
}

Test(transactions, lock_timeout_aborts_the_waiter_after_exactly_the_timeout) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 1s\n"
             "nodes:\n"
             "  c: {kind: txc, target: db, script: pair, users: 2, think: 5ms, offset: 2ms}\n"
             "  db: {kind: database, service: {dist: constant, value: 1ms}, concurrency: locking,\n"
             "       isolation: serializable, rows: 10, lock_timeout: 1500us}\n");
    cJSON *doc = run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.c.committed"), 1);
    cr_expect_eq(t_int(doc, "nodes.c.lock_timeout"), 1);
    cr_expect_eq(t_int(doc, "nodes.db.transactions.aborts.lock_timeout"), 1);
    cr_expect_float_eq(t_num(doc, "nodes.db.transactions.lock_wait_mean_ms"), 1.5, 1e-9);
    /* user 1's service ended at O + S; it gave up 1.5 ms later */
    cr_expect_eq(t_int(doc, "nodes.c.end1"), (O_MS + S_MS) * 1000000LL + 1500000LL);
    cJSON_Delete(doc);
}

Test(transactions, a_deadlock_has_one_victim_and_the_other_commits) {
    cJSON *doc = run("duration: 1s\n"
                     "nodes:\n"
                     "  c: {kind: txc, target: db, script: cross, users: 2, offset: 500us}\n"
                     "  db: {kind: database, service: {dist: constant, value: 1ms},\n"
                     "       concurrency: locking, isolation: serializable, rows: 2}\n",
                     1);
    cr_expect_eq(t_int(doc, "nodes.c.committed"), 1);
    cr_expect_eq(t_int(doc, "nodes.c.deadlock"), 1);
    cr_expect_eq(t_int(doc, "nodes.db.transactions.deadlocks"), 1);
    cr_expect_eq(t_int(doc, "nodes.db.transactions.aborted"), 1);
    /* user 1 asked last (at 2.5 ms, user 0 at 2 ms): it is the victim, at once */
    cr_expect_eq(t_int(doc, "nodes.c.end1"), 2500000LL);
    cr_expect_eq(t_int(doc, "nodes.c.end0"), 2500000LL);
    cJSON_Delete(doc);
}

Test(transactions, a_refused_combination_is_an_error_at_its_line) {
    sim_diag *d = sim_diag_new("test.yaml");
    const char *yaml = "duration: 1s\n"
                       "nodes:\n"
                       "  c: {kind: txc, target: db}\n"
                       "  db:\n"
                       "    kind: database\n"
                       "    service: 1ms\n"
                       "    isolation: read_uncommitted\n";
    cr_expect_null(sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, registry, d));
    bool found = false;
    for (size_t i = 0; i < sim_diag_count(d); i++) {
        cr_log_info("%s", sim_diag_message(d, i));
        found |= strstr(sim_diag_message(d, i), "test.yaml:7:") != NULL &&
                 strstr(sim_diag_message(d, i), "read_uncommitted") != NULL;
    }
    cr_expect(found, "the error is at isolation's line");
    sim_diag_free(d);
}

/* ---- atomicity under crashes ---- */

Test(transactions, a_crash_during_commits_leaves_no_half_transaction_and_loses_no_ack) {
    const char *yaml =
        "duration: 2s\n"
        "nodes:\n"
        "  c: {kind: txc, target: db, script: pairs_inc, users: 4, count: 0, timeout: 20ms}\n"
        "  db: {kind: database, service: {dist: exponential, mean: 1ms}, concurrency: locking,\n"
        "       isolation: serializable, fsync: {dist: exponential, mean: 1ms}}\n"
        "faults:\n"
        "  - {at: 0.3s, crash: db, duration: 50ms}\n"
        "  - {at: 0.7013s, crash: db, duration: 50ms}\n"
        "  - {at: 1.1027s, crash: db, duration: 50ms}\n"
        "  - {at: 1.5031s, crash: db, duration: 50ms}\n";
    long long gave_up = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        cJSON *doc = run(yaml, seed);
        cr_expect_eq(t_int(doc, "nodes.c.half"), 0, "seed %llu: a half-visible transaction",
                     (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "nodes.c.lost"), 0, "seed %llu: an acknowledged commit lost",
                     (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "nodes.c.excess"), 0, "seed %llu: more commits than sent",
                     (unsigned long long)seed);
        cr_expect_gt(t_int(doc, "nodes.c.committed"), 1000);
        gave_up += t_int(doc, "nodes.c.gave_up");
        cJSON_Delete(doc);
    }
    cr_expect_gt(gave_up, 0, "the crashes fell on transactions in flight");
}

/* ---- read-only transactions on an async replica ---- */

/* User 0 increments keys 0 and 1 in one transaction on the primary; users 1-3 read both in
 * one repeatable_read transaction (a gap between the reads) that read_from: replicas sends to
 * the replica, which applies whole transactions 20 ms after their commit: every read sees the
 * two keys equal (never half a transaction, never a mix of two states), and some reads see a
 * counter older than one already acknowledged to user 0 (the replica's snapshot is old). */
Test(transactions, a_replica_runs_read_only_transactions_on_whole_old_snapshots) {
    cJSON *doc = run("duration: 2s\n"
                     "nodes:\n"
                     "  c: {kind: txc, target: db, script: write_and_read, users: 4, count: 0,\n"
                     "      think: 3ms}\n"
                     "  db: {kind: database, replicas: 2, read_from: replicas,\n"
                     "       replication_delay: {dist: exponential, mean: 20ms},\n"
                     "       service: {dist: exponential, mean: 1ms},\n"
                     "       isolation: repeatable_read, rows: 2}\n",
                     1);
    cr_expect_gt(t_int(doc, "nodes.c.reads_done"), 500);
    cr_expect_eq(t_int(doc, "nodes.c.half"), 0, "a read saw half a transaction");
    cr_expect_gt(t_int(doc, "nodes.c.behind"), 0, "the replica's snapshot is old");
    cr_expect_gt(t_int(doc, "nodes.db.1.transactions.applied"), 100);
    cr_expect_gt(t_int(doc, "nodes.db.1.transactions.committed"), 500);
    /* Every instance's cc writes the cluster's one trace: the replicas' read-only
     * transactions are judged too, and the ones they applied are not recorded again. */
    long long ran = 0;
    for (int i = 0; i < 2; i++) { /* replicas: 2 is the cluster's size */
        char path[64];
        snprintf(path, sizeof path, "nodes.db.%d.transactions.committed", i);
        ran += t_int(doc, path);
    }
    cr_expect_eq(t_int(doc, "anomalies.transactions.committed"), ran);
    cJSON_Delete(doc);
}

/* ---- invariants ---- */

/* The bank at isolation iso: 8 users transferring between 10 accounts of 100, an auditor. */
static cJSON *bank(const char *iso) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 1s\n"
             "nodes:\n"
             "  users: {kind: client, target: db, users: 8, keys: {dist: uniform, n: 10},\n"
             "          transaction: {writes: transfer, think: {dist: exponential, mean: 1ms}}}\n"
             "  audit: {kind: client, target: db, users: 1, think: 5ms,\n"
             "          transaction: {read_fraction: 1, range_fraction: 1, range_size: 10}}\n"
             "  db: {kind: database, workers: 9, service: {dist: exponential, mean: 0.2ms},\n"
             "       isolation: %s, rows: 10, initial_value: 100,\n"
             "       invariants: [{name: total, sum: [0, 10], equals: 1000}]}\n",
             iso);
    return run(yaml, 1);
}

Test(transactions, a_transfer_breaks_the_total_only_where_updates_can_be_lost) {
    static const char *const levels[] = {"read_committed", "repeatable_read", "serializable"};
    for (int i = 0; i < 3; i++) {
        cJSON *doc = bank(levels[i]);
        const char *inv = "anomalies.clusters.db.invariants.total";
        const cJSON *total = t_at(doc, inv);
        long long states = t_int(total, "states"), broken = t_int(total, "state_violations");
        long long views = t_int(total, "views"), lost = t_int(doc, "anomalies.lost_updates");
        cr_log_info("%s: %lld of %lld states broken, %lld lost updates, %lld views", levels[i],
                    broken, states, lost, views);
        cr_expect_gt(states, 500, "%s: the transfers commit", levels[i]);
        cr_expect_gt(views, 50, "%s: the auditor's reads are views of the total", levels[i]);
        if (i == 0) {
            cr_expect_gt(lost, 0, "read committed loses transfers' updates");
            cr_expect_gt(broken, 0, "and the total with them");
        } else {
            cr_expect_eq(lost, 0, "%s: no lost update", levels[i]);
            cr_expect_eq(broken, 0, "%s: the total holds in every committed state", levels[i]);
            cr_expect_eq(t_int(total, "view_violations"), 0, "%s: and in every audit", levels[i]);
        }
        cJSON_Delete(doc);
    }
}

Test(transactions, a_bad_invariant_is_an_error_at_its_item) {
    static const char *const bad[] = {
        "{name: t, sum: [0, 10], count: [0, 10], equals: 1}", "{name: t, sum: [5, 5], equals: 1}",
        "{name: t, sum: [0, 10], equals_key: n}", "{name: t, count: [0, 10], equals: 3}",
        "{name: t, sum: [0, x], equals: 1}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml,
                 "duration: 1s\n"
                 "nodes:\n"
                 "  c: {kind: txc, target: db}\n"
                 "  db:\n"
                 "    kind: database\n"
                 "    service: 1ms\n"
                 "    invariants:\n"
                 "      - {name: ok, sum: [0, 2], equals: 0}\n"
                 "      - %s\n",
                 bad[i]);
        sim_diag *d = sim_diag_new("test.yaml");
        cr_expect_null(sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, registry, d));
        bool found = false;
        for (size_t k = 0; k < sim_diag_count(d); k++) {
            cr_log_info("%s", sim_diag_message(d, k));
            found |= strstr(sim_diag_message(d, k), "test.yaml:9:") != NULL;
        }
        cr_expect(found, "%s: the error is at the item's line", bad[i]);
        sim_diag_free(d);
    }
}

/* ---- Gray et al. 1996 ---- */

Test(transactions, the_per_request_wait_probability_follows_gray) {
    enum { T = 4, A = 4, D = 1000, REPS = 10 };
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 10s\n"
             "warmup: 100ms\n"
             "nodes:\n"
             "  c: {kind: txc, target: db, script: gray, users: %d, actions: %d, keys: %d,\n"
             "      count: 0}\n"
             "  db: {kind: database, workers: %d, service: {dist: exponential, mean: 1ms},\n"
             "       concurrency: locking, isolation: serializable}\n",
             T, A, D, T);
    double p[REPS];
    for (size_t i = 0; i < REPS; i++) {
        cJSON *doc = run(yaml, i + 1);
        double stmts = t_num(doc, "nodes.db.transactions.statements");
        cr_assert_gt(stmts, 10000);
        p[i] = t_num(doc, "nodes.db.transactions.lock_waits") / stmts;
        cJSON_Delete(doc);
    }
    t_ci ci = t_ci_of(p, REPS, 0.99);
    double theory = (double)(T - 1) * (A - 1) / (2.0 * D);
    cr_log_info("wait probability %.5f ± %.5f; (T-1)(A-1)/(2D) = %.5f; Gray's T·A/(2D) = %.5f",
                ci.mean, ci.half, theory, (double)T * A / (2.0 * D));
    t_expect_in_ci("per-request wait probability", ci, theory);
}
