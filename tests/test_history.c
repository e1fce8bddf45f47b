/* The Elle history (reports/elle_history.h, checkers/transactions.h, docs/history.md): the
 * writer's JSON against a hand-written history, field by field; the micro-ops of each kind
 * of statement (an increment as a read and a write, range reads left out, what a rollback_to
 * undid dropped); and a scripted client run in-process, whose ops pair up per process, one
 * at a time, with a new process after an indeterminate outcome. */
#include "elle_history.h"
#include "engine.h"
#include "loader.h"
#include "json_report.h"
#include "models.h"
#include "protocols.h"
#include "txn_wire.h"
#include "sandbox.h"
#include "support.h"
#include "transactions.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* One op, at 2^60 ns, of the micro-op ud points at. */
static void big_op(void *ud, size_t i, elle_op *op, elle_mop *room) {
    (void)i;
    room[0] = *(const elle_mop *)ud;
    *op = (elle_op){ELLE_INVOKE, 3, (sim_time)1 << 60, 1, room};
}

/* A hand-built history: T0 writes x = 34 and commits; T1 reads x (34) and 7 (initial: nil),
 * then fails; T2 is indeterminate. */
static const elle_mop w_x = {'w', 0, "x", false, 34};
static const elle_mop r_x_nil = {'r', 0, "x", true, 0};
static const elle_mop r_x = {'r', 0, "x", false, 34};
static const elle_mop r_7 = {'r', 7, NULL, true, 0};

static void hand_op(void *ud, size_t i, elle_op *op, elle_mop *room) {
    (void)ud;
    switch (i) {
    case 0:
    case 1:
        room[0] = w_x;
        *op = (elle_op){i ? ELLE_OK : ELLE_INVOKE, 0, (sim_time)(i * 1000), 1, room};
        break;
    case 2:
        room[0] = r_x_nil;
        room[1] = r_7;
        *op = (elle_op){ELLE_INVOKE, 1, 2000, 2, room};
        break;
    case 3:
        room[0] = r_x;
        room[1] = r_7;
        *op = (elle_op){ELLE_FAIL, 1, 3000, 2, room};
        break;
    default:
        *op = (elle_op){i == 4 ? ELLE_INVOKE : ELLE_INFO, 2, 4000, 0, room};
        break;
    }
}

/* The micro-op [f, key, value] (value NULL: null) of op, checked item by item. */
static void expect_mop(const cJSON *mop, const char *f, const char *key_name, double key,
                       const double *value) {
    cr_assert(cJSON_IsArray(mop));
    cr_assert_eq(cJSON_GetArraySize(mop), 3);
    cr_expect_str_eq(cJSON_GetArrayItem(mop, 0)->valuestring, f);
    const cJSON *k = cJSON_GetArrayItem(mop, 1), *v = cJSON_GetArrayItem(mop, 2);
    if (key_name)
        cr_expect_str_eq(k->valuestring, key_name);
    else
        cr_expect_eq(k->valuedouble, key);
    if (value)
        cr_expect_eq(v->valuedouble, *value);
    else
        cr_expect(cJSON_IsNull(v));
}

static void expect_op(const cJSON *op, int index, const char *type, int process, int time,
                      int nmops) {
    cr_assert(cJSON_IsObject(op));
    cr_expect_eq(cJSON_GetArraySize(op), 6, "index, type, process, f, value, time");
    cr_expect_eq(t_get(op, "index")->valuedouble, index);
    cr_expect_str_eq(t_get(op, "type")->valuestring, type);
    cr_expect_eq(t_get(op, "process")->valuedouble, process);
    cr_expect_str_eq(t_get(op, "f")->valuestring, "txn");
    cr_expect_eq(t_get(op, "time")->valuedouble, time);
    cr_expect_eq(cJSON_GetArraySize(t_get(op, "value")), nmops);
}

Test(history, the_writer_matches_a_hand_written_history) {
    char *text = elle_history_json(6, hand_op, NULL);
    cr_assert(text);
    cJSON *h = cJSON_Parse(text);
    cr_assert(h, "not JSON: %s", text);
    cr_assert_eq(cJSON_GetArraySize(h), 6);
    const double v34 = 34;
    expect_op(cJSON_GetArrayItem(h, 0), 0, "invoke", 0, 0, 1);
    expect_mop(cJSON_GetArrayItem(t_get(cJSON_GetArrayItem(h, 0), "value"), 0), "w", "x", 0,
               &v34);
    expect_op(cJSON_GetArrayItem(h, 1), 1, "ok", 0, 1000, 1);
    expect_op(cJSON_GetArrayItem(h, 2), 2, "invoke", 1, 2000, 2);
    const cJSON *v2 = t_get(cJSON_GetArrayItem(h, 2), "value");
    expect_mop(cJSON_GetArrayItem(v2, 0), "r", "x", 0, NULL);
    expect_mop(cJSON_GetArrayItem(v2, 1), "r", NULL, 7, NULL);
    expect_op(cJSON_GetArrayItem(h, 3), 3, "fail", 1, 3000, 2);
    expect_mop(cJSON_GetArrayItem(t_get(cJSON_GetArrayItem(h, 3), "value"), 0), "r", "x", 0,
               &v34);
    expect_op(cJSON_GetArrayItem(h, 4), 4, "invoke", 2, 4000, 0);
    expect_op(cJSON_GetArrayItem(h, 5), 5, "info", 2, 4000, 0);
    /* One op map a line, as elle-cli's own examples (histories/elle/rw-register.json). */
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 7, "six ops and the closing bracket");
    cJSON_Delete(h);
    free(text);
    char *empty = elle_history_json(0, hand_op, NULL);
    cr_expect_str_eq(empty, "[]\n");
    free(empty);
}

Test(history, micro_ops_of_each_statement) {
    const txn_stmt s[] = {
        {.kind = TXN_READ, .key = 1},
        {.kind = TXN_INCREMENT, .key = 2, .value = 1},
        {.kind = TXN_RANGE, .key = 10, .key_end = 20},
        {.kind = TXN_SAVEPOINT, .number = 5},
        {.kind = TXN_WRITE, .key = 3, .value = 9},
        {.kind = TXN_READ, .key = 3},
        {.kind = TXN_ROLLBACK_TO, .number = 5},
        {.kind = TXN_WRITE, .key = 4, .flags = TXN_FROM_READ, .value = 1},
    };
    const txn_result r[8] = {
        {.wid = 70, .present = true},  {.wid = 71, .prior = 40, .value = 5}, {.wid = 3},
        {0}, {.wid = 0}, {.wid = 0, .present = true}, {0}, {0},
    };
    txns_mop m[16];
    uint64_t a = 9;
    size_t n = transactions_mops(s, 8, a, r, m);
    cr_assert_eq(n, 4, "read, increment's read and write, the write after the rollback");
    cr_expect(m[0].f == 'r' && m[0].key == 1 && m[0].known && m[0].value == 70);
    cr_expect(m[1].f == 'r' && m[1].key == 2 && m[1].value == 40, "the version it replaced");
    cr_expect(m[2].f == 'w' && m[2].key == 2 && m[2].value == txn_write_id(a, 1));
    cr_expect(m[3].f == 'w' && m[3].key == 4 && m[3].value == txn_write_id(a, 7));
    n = transactions_mops(s, 8, a, NULL, m);
    cr_assert_eq(n, 4);
    cr_expect(!m[0].known, "before the reply, a read's value is unknown");
}

/* Two scripted transactions that overlap and a third after them, against a database; the
 * third's 1 ns timeout makes it indeterminate. */
static const char *const script =
    "name: h\n"
    "duration: 1s\n"
    "network:\n"
    "  latency: 1ms\n"
    "nodes:\n"
    "  app:\n"
    "    kind: client\n"
    "    target: db\n"
    "    script:\n"
    "      - {at: 0ms, name: T1, statements: [\"read x\", \"write x 11\"]}\n"
    "      - {at: 1ms, name: T2, statements: [\"increment 7\"]}\n"
    "      - {at: 100ms, name: T3, statements: [\"write y 5\"]}\n"
    "  slow:\n"
    "    kind: client\n"
    "    target: db\n"
    "    timeout: 1us\n"
    "    script: [{at: 200ms, name: T4, statements: [\"write y 6\"]}]\n"
    "  db:\n"
    "    kind: database\n"
    "    service: {dist: constant, value: 1ms}\n";

Test(history, a_scripted_run_pairs_its_ops_per_process) {
    sim_topology *t = t_load(script, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    transactions *x = sim_engine_checker(e, &dsim_transactions_checker);
    cr_assert(x);
    transactions_keep_history(x);
    cr_assert_eq(sim_engine_run(e), 0);
    cr_assert_eq(transactions_history_size(x), 8, "an invoke and a completion each");
    /* T1 and T2 overlap: two processes; T3 follows them and reuses a free slot's process;
     * T4 times out: info. Every process runs one op at a time. */
    txns_op op[8];
    for (size_t i = 0; i < 8; i++)
        op[i] = transactions_history_op(x, i);
    cr_expect_eq(op[0].type, TXNS_OP_INVOKE);
    cr_expect_eq(op[0].time, 0);
    cr_expect_eq(op[1].type, TXNS_OP_INVOKE);
    cr_expect_eq(op[1].time, 1000000);
    cr_expect_neq(op[0].process, op[1].process, "overlapping transactions: two processes");
    cr_expect_eq(op[2].type, TXNS_OP_OK);
    cr_expect_eq(op[2].process, op[0].process);
    cr_expect_eq(op[3].type, TXNS_OP_OK);
    cr_expect_eq(op[3].process, op[1].process);
    cr_expect_eq(op[4].type, TXNS_OP_INVOKE);
    cr_expect_eq(op[4].time, 100000000);
    cr_expect_eq(op[5].type, TXNS_OP_OK);
    cr_expect_eq(op[6].type, TXNS_OP_INVOKE);
    cr_expect_eq(op[6].time, 200000000);
    cr_expect_eq(op[7].type, TXNS_OP_INFO, "a timeout is indeterminate");
    cr_expect_eq(op[7].time, 200001000);
    cr_expect_neq(op[6].process, op[0].process);
    cr_expect_neq(op[6].process, op[1].process);
    /* T1: a read of x then its write of 11, exported as its write id; x by name. */
    cr_assert_eq(op[0].nmops, 2);
    cr_expect_eq(op[0].mops[0].f, 'r');
    cr_expect_eq(op[0].mops[0].key, txn_key_of_name("x"));
    cr_expect_str_eq(transactions_key_name(x, op[0].mops[0].key), "x");
    cr_expect_eq(op[0].mops[1].f, 'w');
    cr_expect_eq(op[0].mops[1].value % TXN_MAX_STMTS, 2, "statement 1's write id");
    /* T2: the increment as a read and a write. */
    cr_assert_eq(op[1].nmops, 2);
    cr_expect(op[1].mops[0].f == 'r' && op[1].mops[1].f == 'w' && op[1].mops[0].key == 7);
    cr_expect_null(transactions_key_name(x, 7));
    sim_engine_free(e);
    sim_topology_free(t);
}

Test(history, whole_numbers_are_written_exactly) {
    /* 2^62 + 1 is no double: cJSON's number would print it rounded. */
    static const elle_mop big = {'w', 5, NULL, false, (1ull << 62) + 1};
    char *text = elle_history_json(1, big_op, (void *)&big);
    cr_assert(text);
    cr_expect(strstr(text, "[\"w\",5,4611686018427387905]"), "%s", text);
    cr_expect(strstr(text, "\"time\":1152921504606846976"), "%s", text);
    free(text);
}

/* dsim run --history: the file is what the checker kept; argument errors are ARG: error and
 * write nothing; validate refuses the option. */
Test(history, the_command_line) {
    t_sandbox sb;
    t_sandbox_open(&sb, "history");
    t_write_work(&sb, "s.yaml", script);
    t_result r = t_dsim(&sb, (t_limits){0}, "run", "s.yaml", "--quiet", "--history", "h.json",
                        (const char *)NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *h = t_slurp_work(&sb, "h.json");
    cJSON *doc = cJSON_Parse(h);
    cr_assert(doc, "not JSON: %s", h);
    cr_expect_eq(cJSON_GetArraySize(doc), 8);
    cr_expect_str_eq(t_get(cJSON_GetArrayItem(doc, 7), "type")->valuestring, "info");
    cJSON_Delete(doc);
    free(h);
    r = t_dsim(&sb, (t_limits){0}, "run", "s.yaml", "--history", (const char *)NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--history: error: "), "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "validate", "s.yaml", "--history", "v.json",
               (const char *)NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--history v.json: error: validate writes no history"), "%s",
              r.err);
    t_result_free(&r);
    t_write_work(&sb, "bad.yaml", "name: b\nduration: 1s\nnodes:\n  app:\n    kind: client\n"
                                  "    target: db\n    script: [{at: 0s, statements: [\"reed\"]}]\n"
                                  "  db:\n    kind: database\n    service: 1ms\n");
    r = t_dsim(&sb, (t_limits){0}, "run", "bad.yaml", "--history", "b.json",
               (const char *)NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bad.yaml:7:36: error: "), "%s", r.err);
    t_result_free(&r);
    cr_expect_not(t_work_has(&sb, "v.json"));
    cr_expect_not(t_work_has(&sb, "b.json"), "no history written on error");
    t_sandbox_close(&sb);
}

/* ---- a toy database: the first attempt of every transaction aborts (a deadlock victim),
 * a retry runs its statements one after another on a tiny store and commits ---- */

typedef struct toy_state {
    uint64_t key[16], wid[16];
    size_t nkeys;
    sim_time seen[16]; /* first attempts' issue times */
    size_t nseen;
} toy_state;

static uint64_t *toy_row(toy_state *s, uint64_t key) {
    for (size_t i = 0; i < s->nkeys; i++)
        if (s->key[i] == key)
            return &s->wid[i];
    cr_assert_lt(s->nkeys, 16);
    s->key[s->nkeys] = key;
    s->wid[s->nkeys] = 0;
    return &s->wid[s->nkeys++];
}

static void toy_receive(sim_node *n, sim_msg *m) {
    toy_state *s = sim_state(n);
    rr_req *r = rr_of(m);
    txn_body *b = txn_of(r);
    cr_assert(b, "the client sends transactions");
    bool retry = false;
    for (size_t i = 0; i < s->nseen; i++)
        retry |= s->seen[i] == r->issued; /* a retry keeps its first attempt's time */
    if (!retry) {
        cr_assert_lt(s->nseen, 16);
        s->seen[s->nseen++] = r->issued;
        r->status = RR_FAILED;
        b->reason = TXN_ABORT_DEADLOCK;
        rr_reply(n, r);
        return;
    }
    txn_stmt *st = txn_stmts(b);
    txn_result *res = txn_results(b);
    for (unsigned i = 0; i < b->n; i++) {
        uint64_t *row = toy_row(s, st[i].key);
        res[i] = (txn_result){.wid = *row, .present = *row != 0};
        if (st[i].kind == TXN_WRITE || st[i].kind == TXN_INCREMENT) {
            res[i].prior = *row;
            *row = res[i].wid = txn_write_id(r->id, i);
        }
    }
    b->done = b->n;
    r->status = RR_OK;
    rr_reply(n, r);
}

static const sim_param toy_params[] = {{0}};
static const sim_kind toy_db = {
    .version = SIM_KIND_VERSION,
    .name = "toy_db",
    .summary = "test: aborts each transaction's first attempt, commits its retry",
    .config_size = 1,
    .state_size = sizeof(toy_state),
    .params = toy_params,
    .serves = DSIM_PROTO_REQUEST,
    .receive = toy_receive,
};

static const char *const toy_yaml =
    "name: toy\n"
    "duration: 1s\n"
    "network:\n"
    "  latency: 1ms\n"
    "nodes:\n"
    "  app:\n"
    "    kind: client\n"
    "    target: db\n"
    "    retries: %d\n"
    "    backoff: 1ms\n"
    "    jitter: none\n"
    "    script:\n"
    "      - {at: 0ms, name: T1, statements: [\"read x\", \"write x 5\"]}\n"
    "      - {at: 10ms, name: T2, statements: [\"increment x\", \"read 3\"]}\n"
    "  db:\n"
    "    kind: toy_db\n";

/* Runs the toy topology with `retries`; returns the engine (caller frees it and *topo). */
static sim_engine *toy_run(int retries, sim_topology **topo, cJSON **doc) {
    static const sim_kind *registry[64];
    size_t k = 0;
    for (; dsim_kinds[k]; k++)
        registry[k] = dsim_kinds[k];
    registry[k++] = &toy_db;
    registry[k] = NULL;
    char yaml[1024];
    snprintf(yaml, sizeof yaml, toy_yaml, retries);
    sim_diag *d = sim_diag_new("toy.yaml");
    *topo = sim_load_string("toy.yaml", yaml, strlen(yaml), NULL, 0, registry, d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    sim_diag_free(d);
    cr_assert(*topo);
    sim_engine *e = sim_engine_new(*topo, 1);
    cr_assert(e);
    transactions_keep_history(sim_engine_checker(e, &dsim_transactions_checker));
    cr_assert_eq(sim_engine_run(e), 0);
    *doc = dsim_json_report(e);
    cr_assert(*doc);
    return e;
}

/* The expected history, by hand: T1 fails at 2 ms (1 ms each way), is retried 1 ms later and
 * commits at 5 ms having read x's initial state; T2 the same from 10 ms, its increment reading
 * T1's write of x. One process throughout (one transaction at a time). */
Test(history, a_scripted_run_against_a_database_is_the_expected_history) {
    sim_topology *t;
    cJSON *doc;
    sim_engine *e = toy_run(1, &t, &doc);
    const transactions *x = sim_engine_checker(e, &dsim_transactions_checker);
    static const struct {
        txns_op_type type;
        sim_time at;
        size_t nmops;
    } want[] = {
        {TXNS_OP_INVOKE, 0, 2},         {TXNS_OP_FAIL, 2000000, 2},
        {TXNS_OP_INVOKE, 3000000, 2},   {TXNS_OP_OK, 5000000, 2},
        {TXNS_OP_INVOKE, 10000000, 3},  {TXNS_OP_FAIL, 12000000, 3},
        {TXNS_OP_INVOKE, 13000000, 3},  {TXNS_OP_OK, 15000000, 3},
    };
    cr_assert_eq(transactions_history_size(x), 8);
    txns_op op[8];
    for (size_t i = 0; i < 8; i++) {
        op[i] = transactions_history_op(x, i);
        cr_expect_eq(op[i].type, want[i].type, "op %zu", i);
        cr_expect_eq(op[i].time, want[i].at, "op %zu", i);
        cr_expect_eq(op[i].process, op[0].process, "op %zu", i);
        cr_assert_eq(op[i].nmops, want[i].nmops, "op %zu", i);
    }
    uint64_t kx = txn_key_of_name("x");
    /* T1's committed attempt: ["r", "x", nil] (the initial state), ["w", "x", W1]. */
    cr_expect(op[3].mops[0].f == 'r' && op[3].mops[0].key == kx && op[3].mops[0].known &&
              op[3].mops[0].value == 0);
    uint64_t w1 = op[3].mops[1].value;
    cr_expect(op[3].mops[1].f == 'w' && op[3].mops[1].key == kx);
    cr_expect_eq(w1 % TXN_MAX_STMTS, 2, "statement 1's write id");
    cr_expect_neq(op[1].mops[1].value, w1, "a retry is a new attempt: new write ids");
    /* T2's: the increment reads W1 and writes W2; key 3 reads nil. */
    cr_expect(op[7].mops[0].f == 'r' && op[7].mops[0].value == w1);
    cr_expect(op[7].mops[1].f == 'w' && op[7].mops[1].key == kx && op[7].mops[1].value != w1);
    cr_expect(op[7].mops[2].f == 'r' && op[7].mops[2].key == 3 && op[7].mops[2].value == 0);
    cr_expect_eq(t_int(doc, "transactions.attempts"), 4);
    cr_expect_eq(t_int(doc, "transactions.committed"), 2);
    cr_expect_eq(t_int(doc, "transactions.aborted.deadlock"), 2);
    cr_expect_eq(t_int(doc, "transactions.aborted.total"), 2);
    cr_expect_eq(t_int(doc, "transactions.retries"), 2);
    cr_expect_eq(t_int(doc, "transactions.failed.total"), 0);
    cr_expect_str_eq(t_str(doc, "transactions.script.T1"), "committed");
    cr_expect_eq(t_int(doc, "requests.completed"), 2);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* Without retries, each transaction ends failed, by its abort's reason. */
Test(history, an_abort_without_retries_fails) {
    sim_topology *t;
    cJSON *doc;
    sim_engine *e = toy_run(0, &t, &doc);
    cr_expect_eq(t_int(doc, "transactions.attempts"), 2);
    cr_expect_eq(t_int(doc, "transactions.committed"), 0);
    cr_expect_eq(t_int(doc, "transactions.failed.deadlock"), 2);
    cr_expect_eq(t_int(doc, "requests.failed"), 2);
    cr_expect_str_eq(t_str(doc, "transactions.script.T2"), "aborted: deadlock");
    const transactions *x = sim_engine_checker(e, &dsim_transactions_checker);
    cr_expect_eq(transactions_history_size(x), 4);
    cr_expect_eq(transactions_history_op(x, 3).type, TXNS_OP_FAIL);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* An attempt still awaited when the run ends is indeterminate: info, at the run's end. */
Test(history, an_attempt_unanswered_at_the_end_is_info) {
    sim_topology *t = t_load("name: e\nduration: 1s\nnetwork:\n  latency: 10ms\nnodes:\n"
                             "  app:\n    kind: client\n    target: db\n"
                             "    script: [{at: 995ms, statements: [\"read 1\"]}]\n"
                             "  db:\n    kind: database\n    service: 1ms\n",
                             NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    transactions *x = sim_engine_checker(e, &dsim_transactions_checker);
    transactions_keep_history(x);
    cr_assert_eq(sim_engine_run(e), 0);
    cr_assert_eq(transactions_history_size(x), 2);
    txns_op end = transactions_history_op(x, 1);
    cr_expect_eq(end.type, TXNS_OP_INFO);
    cr_expect_eq(end.time, 1000000000);
    cr_expect_eq(end.process, transactions_history_op(x, 0).process);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* The same against the real `database`: T1 writes x and reads key 1 (never written: nil);
 * T2, later, reads x (T1's write), increments it (a read of T1's version, a write) and reads
 * key 1. Completions come after their invokes; invokes at the scripts' times. */
Test(history, a_scripted_run_against_the_database) {
    sim_topology *t = t_load("name: d\nduration: 1s\nnetwork:\n  latency: 1ms\nnodes:\n"
                             "  app:\n    kind: client\n    target: db\n    script:\n"
                             "      - {at: 0ms, statements: [\"write x 5\", \"read 1\"]}\n"
                             "      - {at: 50ms, statements: [\"read x\", \"increment x\", "
                             "\"read 1\"]}\n"
                             "  db:\n    kind: database\n"
                             "    service: {dist: constant, value: 1ms}\n",
                             NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    transactions *x = sim_engine_checker(e, &dsim_transactions_checker);
    transactions_keep_history(x);
    cr_assert_eq(sim_engine_run(e), 0);
    cr_assert_eq(transactions_history_size(x), 4);
    txns_op op[4];
    for (size_t i = 0; i < 4; i++)
        op[i] = transactions_history_op(x, i);
    uint64_t kx = txn_key_of_name("x");
    cr_expect(op[0].type == TXNS_OP_INVOKE && op[0].time == 0);
    cr_expect(op[1].type == TXNS_OP_OK && op[1].time > 0 && op[1].time < 50000000);
    cr_expect(op[2].type == TXNS_OP_INVOKE && op[2].time == 50000000);
    cr_expect(op[3].type == TXNS_OP_OK && op[3].time > op[2].time);
    cr_expect_eq(op[2].process, op[0].process, "one at a time: the same process");
    cr_assert_eq(op[1].nmops, 2);
    uint64_t w1 = op[1].mops[0].value;
    cr_expect(op[1].mops[0].f == 'w' && op[1].mops[0].key == kx && w1 % TXN_MAX_STMTS == 1);
    cr_expect(op[1].mops[1].f == 'r' && op[1].mops[1].key == 1 && op[1].mops[1].known &&
              op[1].mops[1].value == 0, "key 1's initial state");
    cr_assert_eq(op[3].nmops, 4);
    cr_expect(op[3].mops[0].f == 'r' && op[3].mops[0].key == kx && op[3].mops[0].value == w1);
    cr_expect(op[3].mops[1].f == 'r' && op[3].mops[1].value == w1, "the increment's read");
    cr_expect(op[3].mops[2].f == 'w' && op[3].mops[2].key == kx &&
              op[3].mops[2].value % TXN_MAX_STMTS == 2 && op[3].mops[2].value != w1);
    cr_expect(op[3].mops[3].f == 'r' && op[3].mops[3].key == 1 && op[3].mops[3].value == 0);
    sim_engine_free(e);
    sim_topology_free(t);
}
