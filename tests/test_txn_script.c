/* A client's scripted transactions (models/traffic/client/client_txn.h): each bad statement
 * is an error at its own FILE:LINE:COL (the loader's SIM_P_TEXT, sim/param.h), the
 * script-wide checks are errors, good statements parse into the txn_stmt they say, and the
 * workload's keys are checked. */
#include "traffic/client/client_txn.h"
#include "loader.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <string.h>

/* A topology whose client scripts one transaction of the statements `list` (a YAML flow
 * list, on line 8, beginning at column 19). */
static char *script_yaml(const char *list) {
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "name: s\n"
             "duration: 1s\n"
             "nodes:\n"
             "  app:\n"
             "    kind: client\n"
             "    target: db\n"
             "    script:\n"
             "      - at: 0ms\n"
             "        statements: %s\n"
             "  db:\n"
             "    kind: database\n"
             "    service: {dist: constant, value: 1ms}\n",
             list);
    return buf;
}

/* Expects the statement list to be refused at line 9, column col, with `words`. */
static void refused_at(const char *list, int col, const char *words) {
    char where[32];
    snprintf(where, sizeof where, "test.yaml:9:%d:", col);
    const char *want[] = {where, words};
    t_expect_refused(script_yaml(list), want, 2);
}

Test(txn_script, bad_statements_point_at_themselves) {
    /* "        statements: [" is 21 characters: the first item's quote is at column 22. */
    refused_at("[\"reed x\"]", 22, "unknown statement 'reed'");
    refused_at("[\"read x\", \"write x\"]", 32, "expected a value");
    refused_at("[\"read x\", \"write x eleven\"]", 32, "got 'eleven'");
    refused_at("[\"write x +1 from nowhere\"]", 22, "expected 'from read'");
    refused_at("[\"read 1x\"]", 22, "expected a key");
    refused_at("[\"read x y\"]", 22, "unexpected 'y'");
    refused_at("[\"range 10 5\"]", 22, "must be above its start");
    refused_at("[\"range lo 5\"]", 22, "expected a key");
    refused_at("[\"wait soon\", \"read x\"]", 22, "expected a duration after 'wait'");
    refused_at("[\"savepoint\"]", 22, "expected a savepoint's name");
    refused_at("[\"read x\", \"\"]", 32, "an empty statement");
    refused_at("[\"read x\", [1]]", 32, "expected a string");
}

Test(txn_script, script_wide_checks) {
    const char *rollback[] = {"statement 2 rolls back to a savepoint not set before it"};
    t_expect_refused(script_yaml("[\"write x 1\", \"rollback_to a\"]"), rollback, 1);
    const char *after_abort[] = {"'abort' ends the transaction"};
    t_expect_refused(script_yaml("[\"abort\", \"read x\"]"), after_abort, 1);
    const char *trailing_wait[] = {"a 'wait' comes before a statement"};
    t_expect_refused(script_yaml("[\"read x\", \"wait 1ms\"]"), trailing_wait, 1);
    const char *only_waits[] = {"expected 1 to 32 statements"};
    t_expect_refused(script_yaml("\"wait 1ms\""), only_waits, 1);
}

Test(txn_script, a_script_is_its_own_loop) {
    const char *yaml = "name: s\nduration: 1s\nnodes:\n  app:\n    kind: client\n"
                       "    target: db\n    rate: 10/s\n"
                       "    script: [{at: 0s, statements: [\"read x\"]}]\n"
                       "  db:\n    kind: database\n    service: 1ms\n";
    const char *want[] = {"a script issues its own transactions"};
    t_expect_refused(yaml, want, 1);
}

Test(txn_script, the_workload_is_checked) {
    const char *yaml = "name: s\nduration: 1s\nnodes:\n  app:\n    kind: client\n"
                       "    target: db\n    users: 1\n"
                       "    transaction: {statements: 4, statements_max: 2, writs: write}\n"
                       "  db:\n    kind: database\n    service: 1ms\n";
    const char *unknown[] = {"test.yaml:8:", "unknown key 'writs'"};
    t_expect_refused(yaml, unknown, 2);
    const char *list = "name: s\nduration: 1s\nnodes:\n  app:\n    kind: client\n"
                       "    target: db\n    users: 1\n"
                       "    transaction: [{statements: 4}]\n"
                       "  db:\n    kind: database\n    service: 1ms\n";
    const char *mapping[] = {"test.yaml:8:18:", "expected a mapping"};
    t_expect_refused(list, mapping, 2);
}

/* Parses one statement's text (a copy: the parser cuts it up). */
static ctxn_line parsed(const char *text) {
    char copy[128], err[256] = "";
    ctxn_line l;
    snprintf(copy, sizeof copy, "%s", text);
    cr_assert_eq(ctxn_parse_line(copy, &l, err, sizeof err), 0, "%s: %s", text, err);
    return l;
}

Test(txn_script, good_statements) {
    ctxn_line l = parsed("read 42");
    cr_expect_eq(l.stmt.kind, TXN_READ);
    cr_expect_eq(l.stmt.key, 42);
    cr_expect_null(l.name);
    l = parsed("write alice 11");
    cr_expect_eq(l.stmt.kind, TXN_WRITE);
    cr_expect_eq(l.stmt.key, txn_key_of_name("alice"));
    cr_expect_eq(l.stmt.value, 11);
    cr_expect_eq(l.stmt.flags, 0);
    l = parsed("write x +5 from read");
    cr_expect_eq(l.stmt.flags, TXN_FROM_READ);
    cr_expect_eq(l.stmt.value, 5);
    l = parsed("write x -3 from read");
    cr_expect_eq(l.stmt.value, -3);
    l = parsed("write x -3");
    cr_expect_eq(l.stmt.flags, 0);
    cr_expect_eq(l.stmt.value, -3);
    l = parsed("increment posts_count");
    cr_expect_eq(l.stmt.kind, TXN_INCREMENT);
    cr_expect_eq(l.stmt.value, 1);
    cr_expect_str_eq(l.name, "posts_count");
    l = parsed("increment 3 10");
    cr_expect_eq(l.stmt.value, 10);
    l = parsed("range 100 200");
    cr_expect_eq(l.stmt.kind, TXN_RANGE);
    cr_expect_eq(l.stmt.key, 100);
    cr_expect_eq(l.stmt.key_end, 200);
    l = parsed("savepoint a");
    cr_expect_eq(l.stmt.kind, TXN_SAVEPOINT);
    cr_expect_eq(l.stmt.number, parsed("rollback_to a").stmt.number);
    cr_expect_neq(l.stmt.number, parsed("savepoint b").stmt.number);
    cr_expect_eq(parsed("abort").stmt.kind, TXN_ABORT);
    l = parsed("wait 10ms");
    cr_expect(l.wait);
    cr_expect_eq(l.stmt.think, 10000000);
}

Test(txn_script, waits_fold_into_the_next_statement) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(script_yaml("[\"read x\", \"wait 10ms\", \"wait 5ms\", "
                                         "\"write x +1 from read\"]"),
                             NULL, 0, &d);
    for (size_t i = 0; d && i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    cr_assert(t, "the script does not load");
    /* The one client's config: its `script` list holds the transaction. */
    const ctxn_script *sc = NULL;
    for (size_t i = 0; i < t->nnodes && !sc; i++)
        if (strcmp(t->nodes[i].name, "app") == 0) {
            const sim_param *p = t->nodes[i].kind->params;
            while (p->name && strcmp(p->name, "script") != 0)
                p++;
            cr_assert(p->name);
            const sim_list *l = (const sim_list *)((const char *)t->nodes[i].config + p->offset);
            cr_assert_eq(l->n, 1);
            sc = l->items;
        }
    cr_assert(sc);
    txn_stmt out[TXN_MAX_STMTS];
    cr_assert_eq(ctxn_script_stmts(sc, out), 2);
    cr_expect_eq(out[0].kind, TXN_READ);
    cr_expect_eq(out[0].think, 0);
    cr_expect_eq(out[1].kind, TXN_WRITE);
    cr_expect_eq(out[1].think, 15000000, "the two waits add up before the write");
    sim_topology_free(t);
    sim_diag_free(d);
}

/* The workload's draw: counts in [statements, statements_max], reads at read_fraction
 * (binomial), range reads of range_size keys, and read_modify_write as a read then a write
 * of read + 1 on the same key. */
Test(txn_script, the_workload_draws_what_it_says) {
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert(rng);
    gsl_rng_set(rng, 7);
    sim_index_sampler keys;
    sim_index_sampler_init(&keys, &(sim_index_dist){.dist = SIM_INDEX_UNIFORM, .n = 50});
    ctxn_workload w = {.statements = 2, .statements_max = 6, .read_fraction = 0.3,
                       .writes = CTXN_WRITE, .range_fraction = 0.5, .range_size = 4};
    size_t total = 0, reads = 0, ranges = 0, counts[8] = {0};
    txn_stmt out[TXN_MAX_STMTS];
    for (int t = 0; t < 4000; t++) {
        unsigned n = ctxn_draw(&w, &keys, rng, out);
        cr_assert(n >= 2 && n <= 6, "%u statements", n);
        counts[n]++;
        for (unsigned i = 0; i < n; i++) {
            total++;
            reads += out[i].kind == TXN_READ || out[i].kind == TXN_RANGE;
            if (out[i].kind == TXN_RANGE) {
                ranges++;
                cr_expect_eq(out[i].key_end, out[i].key + 4);
            }
            cr_expect_lt(out[i].key, 50);
        }
    }
    for (unsigned n = 2; n <= 6; n++)
        t_expect_binomial("transactions of each count", (double)counts[n], 4000, 0.2);
    t_expect_binomial("reads", (double)reads, (double)total, 0.3);
    t_expect_binomial("range reads among reads", (double)ranges, (double)reads, 0.5);
    w = (ctxn_workload){.statements = 3, .statements_max = -1, .read_fraction = 0,
                        .writes = CTXN_READ_MODIFY_WRITE, .range_size = 1};
    unsigned n = ctxn_draw(&w, &keys, rng, out);
    cr_assert_eq(n, 6, "each drawn statement is a read and a write");
    for (unsigned i = 0; i < n; i += 2) {
        cr_expect_eq(out[i].kind, TXN_READ);
        cr_expect_eq(out[i + 1].kind, TXN_WRITE);
        cr_expect_eq(out[i + 1].flags, TXN_FROM_READ);
        cr_expect_eq(out[i + 1].value, 1);
        cr_expect_eq(out[i + 1].key, out[i].key);
    }
    /* Plain writes take their write ids: unique values in the run. */
    w.writes = CTXN_WRITE;
    n = ctxn_draw(&w, &keys, rng, out);
    ctxn_set_write_ids(out, n, 77);
    for (unsigned i = 0; i < n; i++)
        cr_expect_eq(out[i].value, (int64_t)txn_write_id(77, i));
    gsl_rng_free(rng);
}

/* A workload run: every request is a transaction, and the document's transactions add up
 * with its requests: each attempt commits, aborts or is indeterminate; each request is one
 * first attempt plus its retries; a committed one completes; one aborted past its retries
 * fails, by reason. */
Test(txn_script, a_workload_run_adds_up) {
    const char *yaml = "name: w\nduration: 2s\nnetwork:\n  latency: 1ms\nnodes:\n"
                       "  app:\n    kind: client\n    target: db\n    users: 8\n"
                       "    keys: {dist: uniform, n: 5}\n    retries: 1\n"
                       "    transaction: {statements: 2, statements_max: 4}\n"
                       "  db:\n    kind: database\n    service: {dist: constant, value: 1ms}\n";
    cJSON *doc = t_run(yaml, 3);
    long long issued = t_int(doc, "requests.issued");
    long long attempts = t_int(doc, "transactions.attempts");
    long long in_flight = t_int(doc, "nodes.app.in_flight");
    cr_expect_gt(issued, 100);
    cr_expect_gt(t_int(doc, "transactions.aborted.total"), 0, "5 keys, 8 users: conflicts");
    cr_expect_eq(attempts, issued + t_int(doc, "transactions.retries"));
    cr_expect_eq(t_int(doc, "transactions.committed"), t_int(doc, "requests.completed"));
    long long ended = t_int(doc, "transactions.committed") +
                      t_int(doc, "transactions.aborted.total") +
                      t_int(doc, "transactions.indeterminate");
    /* The rest are awaited at the end (in_flight also counts those backing off). */
    cr_expect(ended <= attempts && attempts - ended <= in_flight, "%lld of %lld ended, %lld "
              "in flight", ended, attempts, in_flight);
    cr_expect_eq(t_int(doc, "transactions.failed.total"), t_int(doc, "requests.failed"));
    cJSON_Delete(doc);
    /* Without transactions the key is left out. */
    doc = t_run("name: p\nduration: 1s\nnodes:\n  app:\n    kind: client\n    target: db\n"
                "    rate: 10/s\n  db:\n    kind: database\n    service: 1ms\n",
                3);
    cr_expect_null(cJSON_GetObjectItem(doc, "transactions"));
    cJSON_Delete(doc);
}
