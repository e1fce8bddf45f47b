/* `expect:` (contract §8.1): the verdicts in the summary and the document, exit 3 when one
 * fails with the document still written; a path no run of the topology can have refused at
 * its line:col before anything runs (exit 2, no document); a path that can exist but has no
 * value in a run failing with "value": null; the entries' form checked by the loader; and
 * the registry's "can this path exist" answer checked against every figure of the examples'
 * documents. The dsim runs go through the built binary ($DSIM) in a sandbox. */
#include "sandbox.h"
#include "support.h"

#include "engine.h"
#include "expect.h"
#include "json_report.h"
#include "loader.h"
#include "metrics.h"
#include "models.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "expect"); }

static void teardown(void) { t_sandbox_close(&sb); }

/* One timeout for all (the examples' test needs the most): each dsim the tests start is
 * bounded apart, by the sandbox's alarm. */
TestSuite(expect, .init = setup, .fini = teardown, .timeout = 600);

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

/* A deterministic run: a fixed-rate client (one request every 10 ms) to two instances of a
 * service with a constant service time, so every count is the same whatever the seed. */
static const char base[] = "duration: 2s\n"
                           "nodes:\n"
                           "  users: {kind: client, target: web, arrival: 10ms}\n"
                           "  web: {kind: service, replicas: 2, service: 4ms}\n";

/* Writes t.yaml: base followed by the expect block given. */
static void write_topology(const char *expect_block) {
    char *text = malloc(strlen(base) + strlen(expect_block) + 1);
    cr_assert(text);
    strcpy(text, base);
    strcat(text, expect_block);
    t_write_work(&sb, "t.yaml", text);
    free(text);
}

static cJSON *parse_work(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON:\n%s", name, text);
    free(text);
    return doc;
}

/* The document's verdict i, checked for its shape: metric, value, then min and max only when
 * given, then ok. */
static const cJSON *verdict(const cJSON *doc, int i, const char *metric) {
    const cJSON *list = t_get(doc, "expect");
    cr_assert(cJSON_IsArray(list));
    const cJSON *v = cJSON_GetArrayItem(list, i);
    cr_assert(cJSON_IsObject(v), "no verdict %d", i);
    cr_expect_str_eq(t_str(v, "metric"), metric);
    return v;
}

/* The keys of obj in order, "a,b,c". */
static void keys_of(const cJSON *obj, char *buf, size_t size) {
    buf[0] = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, obj) {
        strncat(buf, c->string, size - strlen(buf) - 1);
        if (c->next)
            strncat(buf, ",", size - strlen(buf) - 1);
    }
}

/* requests.issued of the deterministic run, from a run without expectations. */
static long long issued_of_base(void) {
    cJSON *doc = t_run(base, 1);
    long long issued = t_int(doc, "requests.issued");
    cJSON_Delete(doc);
    cr_assert_gt(issued, 100, "a request every 10 ms for 2 s");
    return issued;
}

Test(expect, passing_expectations_exit_0_with_verdicts_in_document_and_summary) {
    write_topology("expect:\n"
                   "  - {metric: requests.completed, min: 100}\n"
                   "  - {metric: nodes.web.0.utilization, min: 0.05, max: 0.9}\n");
    t_result r = DSIM("run", "t.yaml", "--json", "out.json");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "\nexpect\n"), "a block of verdicts in the summary:\n%s", r.out);
    const char *line = strstr(r.out, "  requests.completed ");
    cr_assert(line, "%s", r.out);
    cr_expect(strncmp(strchr(line, '\n') - 2, "ok", 2) == 0, "%.*s",
              (int)(strchr(line, '\n') - line), line);
    cr_expect(strstr(r.out, ">= 100"), "the bound is shown:\n%s", r.out);
    cr_expect(strstr(r.out, "0.05 .. 0.9"), "both bounds are shown:\n%s", r.out);
    cr_expect_null(strstr(r.out, "FAILED"), "%s", r.out);
    t_result_free(&r);
    cJSON *doc = parse_work("out.json");
    cr_expect_str_eq(t_str(doc, "contract"), "1.1");
    cr_expect_str_eq(t_str(doc, "document"), "run");
    const cJSON *v = verdict(doc, 0, "requests.completed");
    cr_expect_eq(t_num(v, "value"), t_num(doc, "requests.completed"),
                 "the value is the document's own figure");
    cr_expect(t_bool(v, "ok"));
    v = verdict(doc, 1, "nodes.web.0.utilization");
    cr_expect_eq(t_num(v, "value"), t_num(doc, "nodes.web.0.utilization"));
    cr_expect_eq(t_num(v, "min"), 0.05);
    cr_expect_eq(t_num(v, "max"), 0.9);
    cr_expect(t_bool(v, "ok"));
    cr_expect_eq(cJSON_GetArraySize(t_get(doc, "expect")), 2);
    cJSON_Delete(doc);
}

Test(expect, failing_expectation_exits_3_and_still_writes_the_whole_document) {
    write_topology("expect:\n"
                   "  - {metric: requests.completed, min: 1}\n"
                   "  - {metric: nodes.web.1.utilization, max: 0.01}\n");
    t_result r = DSIM("run", "t.yaml", "--json", "out.json");
    expect_status(&r, 3);
    const char *line = strstr(r.out, "  nodes.web.1.utilization ");
    cr_assert(line, "%s", r.out);
    cr_expect(strncmp(strchr(line, '\n') - 6, "FAILED", 6) == 0, "%.*s",
              (int)(strchr(line, '\n') - line), line);
    t_result_free(&r);
    cJSON *doc = parse_work("out.json");
    /* Complete: the contract's keys, every node, the network, the graph, then the verdicts. */
    char keys[512];
    keys_of(doc, keys, sizeof keys);
    cr_expect_str_eq(keys, "dsim_version,contract,document,topology,seed,duration_s,warmup_s,"
                           "events,requests,nodes,network,graph,expect");
    cr_expect_gt(t_num(doc, "nodes.web.1.completed"), 0);
    const cJSON *v = verdict(doc, 1, "nodes.web.1.utilization");
    double u = t_num(doc, "nodes.web.1.utilization");
    cr_expect_gt(u, 0.01, "the run breaks the promise");
    cr_expect_eq(t_num(v, "value"), u, "the failing value is reported");
    cr_expect_not(t_bool(v, "ok"));
    keys_of(v, keys, sizeof keys);
    cr_expect_str_eq(keys, "metric,value,max,ok", "min left out when not given");
    cr_expect(t_bool(verdict(doc, 0, "requests.completed"), "ok"), "the other one holds");
    cJSON_Delete(doc);
    /* To stdout: the same exit status, the document whole. */
    r = DSIM("run", "t.yaml", "--json", "-");
    expect_status(&r, 3);
    doc = cJSON_Parse(r.out);
    cr_assert(doc, "stdout is the document:\n%s", r.out);
    cr_expect_not(t_bool(verdict(doc, 1, "nodes.web.1.utilization"), "ok"));
    cJSON_Delete(doc);
    cr_expect(strstr(r.err, "FAILED"), "the summary went to stderr:\n%s", r.err);
    t_result_free(&r);
}

Test(expect, bad_path_is_an_error_at_its_line_and_col_and_nothing_is_written) {
    /* The metric values start at column 14 of lines 6 and 7 (base has 4 lines, then
     * "expect:"). */
    write_topology("expect:\n"
                   "  - {metric: requests.completed, min: 1}\n"
                   "  - {metric: nodes.web.0.utilisation, max: 0.5}\n");
    t_write_work(&sb, "out.json", "previous\n");
    t_result r = DSIM("run", "t.yaml", "--json", "out.json");
    expect_status(&r, 2);
    cr_expect_str_eq(r.err, "t.yaml:7:14: error: expect[1].metric: no run of this topology has "
                            "'nodes.web.0.utilisation': no such figure for a node of kind service\n"
                            "t.yaml:7:14: note: did you mean 'nodes.web.0.utilization'?\n");
    cr_expect_str_empty(r.out, "nothing ran: no summary");
    t_result_free(&r);
    char *kept = t_slurp_work(&sb, "out.json");
    cr_expect_str_eq(kept, "previous\n", "out.json is not clobbered");
    free(kept);
    size_t n;
    char **names = t_work_names(&sb, &n);
    cr_expect_eq(n, 2, "only t.yaml and out.json: no temporary file left");
    t_names_free(names);
    /* validate checks the paths too. */
    r = DSIM("validate", "t.yaml");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "t.yaml:7:14: error: expect[1].metric"), "%s", r.err);
    t_result_free(&r);
    /* Fixed by a --set (sweeps vary such files): runs. */
    r = DSIM("validate", "t.yaml", "--set", "expect.1.metric=nodes.web.0.utilization");
    expect_status(&r, 0);
    t_result_free(&r);
}

Test(expect, paths_no_run_can_have_are_told_apart_with_their_nearest) {
    static const struct {
        const char *metric, *why, *near; /* near NULL: no note */
    } cases[] = {
        {"nodes.wbe.0.utilization", "no such node", "nodes.web.0.utilization"},
        /* a group of instances is no node: its first instance is offered */
        {"nodes.web.utilization", "no such node", "nodes.web.0.utilization"},
        /* an index the group lacks: an instance is offered, not "web.0.2" */
        {"nodes.web.2.utilization", "no such node", "nodes.web.0.utilization"},
        {"nodes.web.0.wait_ms.p98", "no such figure for a node of kind service",
         "nodes.web.0.wait_ms.p99"},
        {"nodes.users.latency_ms.p99x", "no such figure for a node of kind client",
         "nodes.users.latency_ms.p99"},
        {"requests.latency_ms.p99x", "no such figure in the result document",
         "requests.latency_ms.p99"},
        {"netwrok.messages", "no such figure in the result document", "network.messages"},
        /* a service feeds no checker: no per-node verdicts of the consistency oracle */
        {"nodes.web.0.consistency.stale_reads", "no such figure for a node of kind service", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char block[256];
        snprintf(block, sizeof block, "expect:\n  - {metric: %s, max: 1}\n", cases[i].metric);
        write_topology(block);
        t_result r = DSIM("validate", "t.yaml");
        expect_status(&r, 2);
        char want[512];
        int k = snprintf(want, sizeof want,
                         "t.yaml:6:14: error: expect[0].metric: no run of this topology has "
                         "'%s': %s\n",
                         cases[i].metric, cases[i].why);
        if (cases[i].near)
            snprintf(want + k, sizeof want - (size_t)k, "t.yaml:6:14: note: did you mean '%s'?\n",
                     cases[i].near);
        cr_expect_str_eq(r.err, want, "%s", cases[i].metric);
        t_result_free(&r);
    }
}

/* Strings and objects are not figures: the message says which, and for an object names its
 * first figure, the likely intent. */
Test(expect, a_path_naming_an_object_or_a_string_says_so) {
    static const struct {
        const char *metric, *what;
    } cases[] = {
        {"topology", "a string, not a number"},
        {"nodes.web.0.kind", "a string, not a number"},
        {"nodes.web.0", "an object, not a number: name one of its figures, e.g. "
                        "'nodes.web.0.arrivals'"},
        {"nodes.users", "an object, not a number: name one of its figures, e.g. "
                        "'nodes.users.issued'"},
        {"requests", "an object, not a number: name one of its figures, e.g. 'requests.issued'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char block[256];
        snprintf(block, sizeof block, "expect:\n  - {metric: %s, max: 1}\n", cases[i].metric);
        write_topology(block);
        t_result r = DSIM("validate", "t.yaml");
        expect_status(&r, 2);
        char want[512];
        snprintf(want, sizeof want, "t.yaml:6:14: error: expect[0].metric: '%s' is %s\n",
                 cases[i].metric, cases[i].what);
        cr_expect_str_eq(r.err, want, "%s", cases[i].metric);
        t_result_free(&r);
    }
}

Test(expect, absent_but_possible_path_fails_with_a_null_value) {
    /* Every request waits 100 s for its service: none completes in 2 s, so the latency
     * histogram has no sample; the path exists for this topology all the same. */
    t_write_work(&sb, "t.yaml",
                 "duration: 2s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, arrival: 10ms}\n"
                 "  web: {kind: service, service: 100s}\n"
                 "expect:\n"
                 "  - {metric: requests.latency_ms.p99, max: 200}\n"
                 "  - {metric: nodes.web.sojourn_ms.mean, min: 0}\n"
                 "  - {metric: requests.issued, min: 1}\n");
    t_result r = DSIM("run", "t.yaml", "--json", "out.json");
    expect_status(&r, 3);
    const char *line = strstr(r.out, "  requests.latency_ms.p99 ");
    cr_assert(line, "%s", r.out);
    cr_expect(strstr(line, "none"), "no value: %s", line);
    t_result_free(&r);
    cJSON *doc = parse_work("out.json");
    cr_assert_eq(t_num(doc, "requests.completed"), 0);
    for (int i = 0; i < 2; i++) {
        const cJSON *v =
            verdict(doc, i, i ? "nodes.web.sojourn_ms.mean" : "requests.latency_ms.p99");
        cr_expect(cJSON_IsNull(t_get(v, "value")), "value null");
        cr_expect_not(t_bool(v, "ok"), "no value fails the expectation");
    }
    cr_expect(t_bool(verdict(doc, 2, "requests.issued"), "ok"));
    cJSON_Delete(doc);
}

Test(expect, bounds_are_inclusive_and_either_may_be_alone) {
    long long n = issued_of_base();
    static const struct {
        const char *fmt;
        int status;
        const char *keys;
    } cases[] = {
        {"{metric: requests.issued, min: %lld, max: %lld}", 0, "metric,value,min,max,ok"},
        {"{metric: requests.issued, min: %lld}", 0, "metric,value,min,ok"},
        {"{metric: requests.issued, max: %lld}", 0, "metric,value,max,ok"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int off = -1; off <= 1; off++) {
            char entry[128], block[192];
            /* min = n + off (passes for off <= 0), max = n - off (passes for off <= 0); with
             * one bound alone, only that bound moves. */
            long long lo = n + off, hi = n - off;
            if (i == 2)
                snprintf(entry, sizeof entry, cases[i].fmt, hi);
            else
                snprintf(entry, sizeof entry, cases[i].fmt, lo, hi);
            snprintf(block, sizeof block, "expect:\n  - %s\n", entry);
            write_topology(block);
            t_result r = DSIM("run", "t.yaml", "--json", "out.json", "--quiet");
            bool min_ok = i == 2 || lo <= n, max_ok = i == 1 || hi >= n;
            if (i == 0 && off > 0) /* min > max is refused by the loader */
                expect_status(&r, 2);
            else
                expect_status(&r, min_ok && max_ok ? 0 : 3);
            t_result_free(&r);
            if (i == 0 && off > 0)
                continue;
            cJSON *doc = parse_work("out.json");
            const cJSON *v = verdict(doc, 0, "requests.issued");
            cr_expect_eq(t_int(v, "value"), n, "deterministic: the same count as before");
            cr_expect_eq(t_bool(v, "ok"), min_ok && max_ok, "%s", entry);
            char keys[128];
            keys_of(v, keys, sizeof keys);
            cr_expect_str_eq(keys, cases[i].keys, "%s", entry);
            cJSON_Delete(doc);
        }
    }
}

Test(expect, instance_paths_with_dots_resolve_by_the_longest_name) {
    /* db.1 and db.10 both start with "db.1": nodes.db.10.lag_ms.p99 must be db.10's, and
     * nodes.db.1.utilization db.1's. */
    t_write_work(&sb, "t.yaml",
                 "duration: 5s\n"
                 "network: {latency: 1ms}\n"
                 "nodes:\n"
                 "  users: {kind: client, target: db, rate: 200/s, ops: {read: 0.8, write: 0.2}}\n"
                 "  db: {kind: database, replicas: 11, service: 1ms, replication_delay: 5ms,\n"
                 "       read_from: any}\n"
                 "expect:\n"
                 "  - {metric: nodes.db.1.utilization, min: 0}\n"
                 "  - {metric: nodes.db.10.utilization, min: 0}\n"
                 "  - {metric: nodes.db.10.lag_ms.max, min: 0}\n"
                 "  - {metric: nodes.db.0.consistency.writes_acked, min: 1}\n"
                 "  - {metric: consistency.lost_writes, max: 0}\n");
    t_result r = DSIM("run", "t.yaml", "--json", "out.json", "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *doc = parse_work("out.json");
    static const char *const paths[] = {
        "nodes.db.1.utilization", "nodes.db.10.utilization", "nodes.db.10.lag_ms.max",
        "nodes.db.0.consistency.writes_acked", "consistency.lost_writes"};
    for (int i = 0; i < 5; i++) {
        const cJSON *v = verdict(doc, i, paths[i]);
        cr_expect_eq(t_num(v, "value"), t_num(doc, paths[i]), "%s", paths[i]);
        cr_expect(t_bool(v, "ok"), "%s", paths[i]);
    }
    cr_expect_neq(t_num(doc, "nodes.db.1.utilization"), t_num(doc, "nodes.db.10.utilization"),
                  "two instances, two figures");
    cJSON_Delete(doc);
}

Test(expect, malformed_entries_are_errors_at_their_line_and_col) {
    /* Line 6 is the first line after "expect:" (base has 4 lines). */
    static const struct {
        const char *block, *at, *msg;
    } cases[] = {
        {"expect: {metric: requests.issued, max: 1}\n", "5:9", "expect: expected a non-empty list"},
        {"expect: []\n", "5:9", "expect: expected a non-empty list"},
        {"expect:\n  - requests.issued\n", "6:5", "expect[0]: expected a mapping"},
        {"expect:\n  - {metric: requests.issued, maxx: 1}\n", "6:31",
         "expect[0]: unknown key 'maxx'"},
        {"expect:\n  - {max: 1}\n", "6:5", "expect[0]: missing 'metric'"},
        {"expect:\n  - {metric: requests.issued}\n", "6:5",
         "expect[0]: expected a bound: 'min', 'max' or both"},
        {"expect:\n  - {metric: 'requests. issued', max: 1}\n", "6:14",
         "expect[0].metric: expected a dotted metric path"},
        {"expect:\n  - {metric: requests..issued, max: 1}\n", "6:14",
         "expect[0].metric: expected a dotted metric path"},
        {"expect:\n  - {metric: [requests], max: 1}\n", "6:14",
         "expect[0].metric: expected a dotted metric path such as nodes.web.utilization, got "
         "'a list'"},
        {"expect:\n  - {metric: requests.issued, max: ten}\n", "6:36",
         "expect[0].max: expected a number, got 'ten'"},
        {"expect:\n  - {metric: requests.issued, min: 1}\n  - {metric: requests.issued, "
         "min: .nan}\n",
         "7:36", "expect[1].min: expected a"},
        {"expect:\n  - {metric: requests.issued, min: 5, max: 4}\n", "6:44",
         "expect[0].max: 4 is below min 5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_topology(cases[i].block);
        t_result r = DSIM("validate", "t.yaml");
        expect_status(&r, 2);
        char want[256];
        snprintf(want, sizeof want, "t.yaml:%s: error: %s", cases[i].at, cases[i].msg);
        cr_expect(strstr(r.err, want), "case %zu: wanted\n%s\ngot\n%s", i, want, r.err);
        t_result_free(&r);
    }
    /* A near-miss key has its note. */
    write_topology("expect:\n  - {metric: requests.issued, maxx: 1}\n");
    t_result r = DSIM("validate", "t.yaml");
    cr_expect(strstr(r.err, "t.yaml:6:31: note: did you mean 'max'?"), "%s", r.err);
    t_result_free(&r);
}

Test(expect, set_overrides_work_and_a_bad_set_path_is_the_arguments_error) {
    write_topology("expect:\n  - {metric: requests.issued, min: 1}\n");
    t_result r = DSIM("run", "t.yaml", "--quiet", "--set", "expect.0.min=1000000");
    expect_status(&r, 3);
    t_result_free(&r);
    r = DSIM("run", "t.yaml", "--quiet", "--set", "nodes.web.replicas=3", "--set",
             "expect.0.metric=nodes.web.2.completed");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("validate", "t.yaml", "--set", "expect.0.metric=requests.isued");
    expect_status(&r, 2);
    cr_expect_str_eq(r.err,
                     "--set expect.0.metric=requests.isued: error: expect[0].metric: no run of "
                     "this topology has 'requests.isued': no such figure in the result "
                     "document\n"
                     "--set expect.0.metric=requests.isued: note: did you mean "
                     "'requests.issued'?\n");
    t_result_free(&r);
}

/* Every numeric leaf under v (path so far in path), lists aside: they are not addressable. */
static void check_leaves(const sim_engine *fresh, const cJSON *v, char *path, size_t len,
                         const char *name, size_t *count) {
    if (cJSON_IsNumber(v)) {
        char *near = NULL;
        sim_lookup_status st = sim_engine_can_have(fresh, path, &near);
        cr_expect_eq(st, SIM_LOOKUP_OK, "%s: %s is in the document, yet said impossible", name,
                     path);
        free(near);
        ++*count;
        return;
    }
    if (!cJSON_IsObject(v))
        return;
    const cJSON *c;
    cJSON_ArrayForEach(c, v) {
        int k = snprintf(path + len, 512 - len, "%s%s", len ? "." : "", c->string);
        if (k > 0 && len + (size_t)k < 512)
            check_leaves(fresh, c, path, len + (size_t)k, name, count);
        path[len] = 0;
    }
}

Test(expect, every_figure_of_the_examples_documents_is_one_a_run_can_have) {
    /* The "can exist" answer is given before anything runs; every figure the finished runs
     * wrote must be among those it allows (the tables, the checkers' lists, the hooks' keys).
     * A kind or checker writing a figure it does not declare fails here. */
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        size_t nsets = t_shortened(*name, sets);
        sim_topology *t = t_load(yaml, sets, nsets, NULL);
        cr_assert(t, "%s does not load", *name);
        sim_engine *fresh = sim_engine_new(t, 1), *run = sim_engine_new(t, 1);
        cr_assert(fresh && run);
        cr_assert_eq(sim_engine_run(run), 0, "%s", *name);
        cJSON *doc = dsim_json_report(run);
        cr_assert(doc);
        char path[512] = "";
        size_t count = 0;
        check_leaves(fresh, doc, path, 0, *name, &count);
        cr_expect_gt(count, 20, "%s: %zu figures checked", *name, count);
        /* and a run's own lookup agrees with its document */
        double x;
        cr_expect_eq(sim_engine_lookup(run, "requests.issued", &x), SIM_LOOKUP_OK);
        cr_expect_eq(x, t_num(doc, "requests.issued"), "%s", *name);
        cJSON_Delete(doc);
        sim_engine_free(fresh);
        sim_engine_free(run);
        sim_topology_free(t);
        free(yaml);
    }
    t_names_free(names);
}

Test(expect, the_example_with_expectations_keeps_its_promises) {
    /* db_replicas.yaml carries an expect: block whose promises follow from its mechanism
     * (a stale read is at most the longest replication delay behind): it passes as shipped,
     * and fails when a bound is tightened past what the run shows. */
    char *yaml = t_example("db_replicas.yaml");
    cr_assert(strstr(yaml, "\nexpect:\n"), "the example has an expect: block");
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    cr_assert_gt(t->nexpects, 0);
    sim_engine *e = sim_engine_new(t, t->seed);
    cr_assert(e);
    sim_diag *d = sim_diag_new("db_replicas.yaml");
    cr_expect_eq(exp_expect_check(e, t, d), 0, "%s",
                 sim_diag_count(d) ? sim_diag_message(d, 0) : "");
    sim_diag_free(d);
    cr_assert_eq(sim_engine_run(e), 0);
    exp_verdict v[16];
    cr_assert_leq(t->nexpects, 16);
    cr_expect_eq(exp_expect_evaluate(e, t, v), 0, "every promise holds");
    for (size_t i = 0; i < t->nexpects; i++)
        cr_expect(v[i].ok && v[i].has_value, "%s = %g", v[i].expect->metric, v[i].value);
    sim_engine_free(e);
    sim_topology_free(t);
    free(yaml);
}

Test(expect, checking_paths_is_bounded_on_big_topologies_and_long_names) {
    /* 200,000 instances of a group with a 120-letter name, and a misspelt path of about that
     * length: the nearest-path search is bounded (a budget of distance cells), so validate
     * answers well within the sandbox's alarm (50 s, 150 s sanitized) instead of comparing
     * every long name in full. */
    char name[121];
    memset(name, 'w', 120);
    name[120] = 0;
    size_t cap = 4096;
    char *text = malloc(cap);
    cr_assert(text);
    snprintf(text, cap,
             "duration: 1s\n"
             "nodes:\n"
             "  users: {kind: client, target: %s, rate: 1/s}\n"
             "  %s: {kind: service, replicas: 200000, service: 1ms}\n"
             "expect:\n"
             "  - {metric: nodes.%sx.7.utilization, max: 1}\n",
             name, name, name);
    t_write_work(&sb, "big.yaml", text);
    t_result r = t_dsim(&sb, (t_limits){.alarm_s = t_sanitized() ? 150 : 50}, "validate",
                        "big.yaml", (const char *)NULL);
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "big.yaml:6:14: error: expect[0].metric: no run of this topology "
                            "has"),
              "%s", r.err);
    cr_expect(strstr(r.err, "no such node"), "%s", r.err);
    t_result_free(&r);
    /* More entries than the loader takes: refused at the list. */
    size_t len = (size_t)snprintf(text, cap, "%sexpect:\n", base);
    for (int i = 0; i <= SIM_LOADER_MAX_EXPECTS; i++) {
        if (len + 64 > cap) {
            cap *= 2;
            text = realloc(text, cap);
            cr_assert(text);
        }
        len += (size_t)snprintf(text + len, cap - len, "  - {metric: requests.issued, min: 1}\n");
    }
    /* base has 4 lines and "expect:" is the fifth; the list starts on the sixth */
    t_write_work(&sb, "many.yaml", text);
    r = DSIM("validate", "many.yaml");
    expect_status(&r, 2);
    char want[128];
    snprintf(want, sizeof want, "many.yaml:6:3: error: expect: %d entries, more than %d\n",
             SIM_LOADER_MAX_EXPECTS + 1, SIM_LOADER_MAX_EXPECTS);
    cr_expect_str_eq(r.err, want);
    t_result_free(&r);
    free(text);
}
