/* The metrics registry (sim/metrics.h): every kind's table is well formed; lookup by dotted
 * path returns exactly the document's figure, for every numeric leaf of every example's
 * document; sampling records one row per interval with counters that never decrease and end
 * at the document's figures; and sampling changes neither the document nor the event count.
 * (That the tables write the same documents as the hand-written reports they replaced was
 * checked with tools/doc_compare.sh against the build before them.) */
#include "engine.h"
#include "json_report.h"
#include "kind.h"
#include "metrics.h"
#include "models.h"
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char mm1_yaml[] =
    "name: mm1\n"
    "duration: 200s\n"
    "warmup: 20s\n"
    "nodes:\n"
    "  users: {kind: client, target: web, rate: 8/s}\n"
    "  web: {kind: service, service: {dist: exponential, mean: 100ms}}\n";

/* A run kept alive for lookups: its topology, engine and document. */
typedef struct run {
    sim_topology *topo;
    sim_engine *eng;
    cJSON *doc;
    char *text;
} run;

/* Loads yaml with sets, samples every interval (0: off; paths NULL: everything) and runs. */
static run run_of(const char *yaml, const char *const *sets, size_t nsets, sim_time interval,
                  const char *const *paths, size_t npaths) {
    run r = {.topo = t_load(yaml, sets, nsets, NULL)};
    cr_assert(r.topo, "the topology does not load");
    r.eng = sim_engine_new(r.topo, 1);
    cr_assert(r.eng);
    if (interval) {
        char err[256] = "";
        cr_assert_eq(sim_engine_sample(r.eng, interval, paths, npaths, err, sizeof err), 0, "%s",
                     err);
    }
    cr_assert_eq(sim_engine_run(r.eng), 0, "the run failed");
    r.doc = dsim_json_report(r.eng);
    cr_assert(r.doc);
    r.text = dsim_json_render(r.doc);
    cr_assert(r.text);
    return r;
}

static void run_free(run *r) {
    free(r->text);
    cJSON_Delete(r->doc);
    sim_engine_free(r->eng);
    sim_topology_free(r->topo);
}

static double lookup(const sim_engine *e, const char *path) {
    double v = NAN;
    cr_assert_eq(sim_engine_lookup(e, path, &v), SIM_LOOKUP_OK, "no figure at %s", path);
    return v;
}

/* The column of path in a series; fails the test when absent. */
static size_t column_of(const sim_series *s, const char *path) {
    for (size_t c = 0; c < s->ncols; c++)
        if (strcmp(s->paths[c], path) == 0)
            return c;
    cr_assert_fail("no column %s", path);
    return 0;
}

static double cell(const sim_series *s, size_t row, size_t col) {
    return s->values[row * s->ncols + col];
}

Test(metrics, every_kind_table_is_well_formed) {
    size_t with_tables = 0;
    for (const sim_kind *const *k = dsim_kinds; *k; k++) {
        if (!(*k)->metrics)
            continue;
        with_tables++;
        const char *bad = sim_metrics_check((*k)->metrics);
        cr_expect_null(bad, "kind %s: entry %s", (*k)->name, bad ? bad : "");
    }
    cr_expect_geq(with_tables, 12, "every kind declares its figures");
}

Test(metrics, lookup_of_mm1_figures_matches_the_document) {
    run r = run_of(mm1_yaml, NULL, 0, 0, NULL, 0);
    static const char *const paths[] = {
        "nodes.web.completed",
        "nodes.web.arrivals",
        "nodes.web.utilization",
        "nodes.web.queue_mean",
        "nodes.web.wait_ms.p99",
        "nodes.web.sojourn_ms.mean",
        "nodes.users.issued",
        "nodes.users.latency_ms.p999",
        "requests.completed",
        "requests.latency_ms.p99",
        "requests.throughput_rps",
        "network.messages",
        "events",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        cr_expect_eq(lookup(r.eng, paths[i]), t_num(r.doc, paths[i]), "%s", paths[i]);
    /* About 8/s x 180 s = 1440 completed: the figure is a real count, not a default. */
    cr_expect_gt(lookup(r.eng, "nodes.web.completed"), 1000);
    double v;
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.nosuch.completed", &v), SIM_LOOKUP_NO_NODE);
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.web.nosuch", &v), SIM_LOOKUP_NO_FIGURE);
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.web.wait_ms.p90", &v), SIM_LOOKUP_NO_FIGURE,
                 "wait_ms has mean, p50 and p99 only");
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.web.kind", &v), SIM_LOOKUP_NO_FIGURE,
                 "a string is not a figure");
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.web.calls", &v), SIM_LOOKUP_NO_FIGURE,
                 "calls is shown only with calls set");
    cr_expect_eq(sim_engine_lookup(r.eng, "requests.nosuch", &v), SIM_LOOKUP_NO_FIGURE);
    run_free(&r);
}

Test(metrics, instance_names_with_dots_resolve_to_the_longest_name) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: db, rate: 50/s}\n"
                               "  db: {kind: database, replicas: 3, read_from: any,\n"
                               "       service: {dist: exponential, mean: 2ms}}\n";
    run r = run_of(yaml, NULL, 0, 0, NULL, 0);
    cr_expect_eq(lookup(r.eng, "nodes.db.1.completed"), t_num(r.doc, "nodes.db.1.completed"));
    cr_expect_eq(lookup(r.eng, "nodes.db.0.lag_ms.max"), t_num(r.doc, "nodes.db.0.lag_ms.max"));
    cr_expect_eq(lookup(r.eng, "nodes.db.0.replicas.db.2.acked"),
                 t_num(r.doc, "nodes.db.0.replicas.db.2.acked"), "a figure of the report hook");
    double v;
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.db.completed", &v), SIM_LOOKUP_NO_NODE);
    run_free(&r);
}

/* Every numeric leaf below obj (path prefix) is looked up and must equal the document's. */
static size_t expect_leaves(const sim_engine *e, const cJSON *obj, const char *prefix) {
    size_t n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", it->string);
        if (cJSON_IsObject(it)) {
            n += expect_leaves(e, it, path);
        } else if (cJSON_IsNumber(it)) {
            double v = NAN;
            sim_lookup_status st = sim_engine_lookup(e, path, &v);
            cr_expect_eq(st, SIM_LOOKUP_OK, "%s not found", path);
            cr_expect(v == it->valuedouble, "%s: lookup %.17g, document %.17g", path, v,
                      it->valuedouble);
            n++;
        }
    }
    return n;
}

/* For every example (shortened as the other suites do): lookup agrees with every numeric leaf
 * of the document; sampling every figure at a seventh of the run leaves the document's bytes
 * and the event count unchanged. */
Test(metrics, examples_lookup_every_figure_and_sampling_changes_nothing, .timeout = 600) {
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        size_t nsets = t_shortened(*name, sets);
        run off = run_of(yaml, sets, nsets, 0, NULL, 0);
        size_t leaves = expect_leaves(off.eng, off.doc, "");
        cr_expect_gt(leaves, 20, "%s", *name);
        sim_time interval = off.topo->duration / 7;
        run on = run_of(yaml, sets, nsets, interval, NULL, 0);
        cr_expect_str_eq(on.text, off.text, "%s: sampling changed the document", *name);
        cr_expect_eq(sim_engine_events(on.eng), sim_engine_events(off.eng), "%s", *name);
        const sim_series *s = sim_engine_series(on.eng);
        cr_assert(s);
        cr_expect_null(sim_engine_series(off.eng));
        /* Rows at each multiple of the interval within the run and at its end. */
        size_t rows = (size_t)((off.topo->duration + interval - 1) / interval);
        cr_expect_eq(s->nrows, rows, "%s: %zu rows, not %zu", *name, s->nrows, rows);
        cr_expect_eq(s->t[s->nrows - 1], off.topo->duration, "%s", *name);

        cr_expect_gt(s->ncols, 10, "%s", *name);
        run_free(&on);
        run_free(&off);
        free(yaml);
    }
    t_names_free(names);
}

Test(metrics, sampling_off_schedules_nothing) {
    sim_topology *t = t_load(mm1_yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *off = sim_engine_new(t, 1), *on = sim_engine_new(t, 1);
    cr_assert(off && on);
    char err[128];
    cr_assert_eq(sim_engine_sample(on, (1 * SIM_S), NULL, 0, err, sizeof err), 0);
    cr_expect_eq(sim_engine_memory_use(on).pending, sim_engine_memory_use(off).pending + 1,
                 "on: one sampling event; off: none");
    sim_engine_free(on);
    sim_engine_free(off);
    sim_topology_free(t);
}

Test(metrics, sampling_gives_a_row_per_interval_and_monotone_counters) {
    run r = run_of(mm1_yaml, NULL, 0, (15 * SIM_S), NULL, 0);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert(s);
    /* 200 s in steps of 15 s: 15, 30, ..., 195 and the end, 200. */
    cr_assert_eq(s->nrows, 14);
    for (size_t i = 0; i + 1 < s->nrows; i++)
        cr_expect_eq(s->t[i], (15 * SIM_S) * (sim_time)(i + 1));
    cr_expect_eq(s->t[s->nrows - 1], (200 * SIM_S));
    static const char *const counters[] = {"nodes.web.completed", "nodes.web.arrivals",
                                           "nodes.users.issued", "requests.completed",
                                           "network.messages"};
    for (size_t k = 0; k < sizeof counters / sizeof *counters; k++) {
        size_t c = column_of(s, counters[k]);
        for (size_t i = 0; i + 1 < s->nrows; i++)
            cr_expect_leq(cell(s, i, c), cell(s, i + 1, c), "%s at row %zu", counters[k], i);
        cr_expect_eq(cell(s, 0, c) == 0 || k == 4, true,
                     "%s: nothing counts before the warm-up end (20 s)", counters[k]);
        cr_expect_eq(cell(s, s->nrows - 1, c), t_num(r.doc, counters[k]), "%s", counters[k]);
    }
    /* Time averages at the end are the document's; histograms fill in after the warm-up. */
    size_t u = column_of(s, "nodes.web.utilization");
    cr_expect_eq(cell(s, s->nrows - 1, u), t_num(r.doc, "nodes.web.utilization"));
    cr_expect_eq(cell(s, 0, u), 0, "the measured window has not begun at 15 s");
    size_t p99 = column_of(s, "nodes.web.sojourn_ms.p99");
    cr_expect_eq(cell(s, s->nrows - 1, p99), t_num(r.doc, "nodes.web.sojourn_ms.p99"));
    run_free(&r);
}

Test(metrics, sampling_chosen_paths_reads_hook_figures_too) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 100/s}\n"
                               "  lb: {kind: load_balancer, backends: [web]}\n"
                               "  web: {kind: service, replicas: 2, service: 5ms}\n";
    static const char *const paths[] = {"nodes.lb.requests", "nodes.lb.backends.web.1.requests",
                                        "requests.issued"};
    run r = run_of(yaml, NULL, 0, (3 * SIM_S), paths, 3);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert(s);
    cr_assert_eq(s->ncols, 3);
    cr_assert_eq(s->nrows, 4); /* 3, 6, 9 and 10 s */
    for (size_t c = 0; c < 3; c++) {
        cr_expect_str_eq(s->paths[c], paths[c]);
        for (size_t i = 0; i + 1 < s->nrows; i++)
            cr_expect_leq(cell(s, i, c), cell(s, i + 1, c), "%s", paths[c]);
        cr_expect_eq(cell(s, s->nrows - 1, c), t_num(r.doc, paths[c]), "%s", paths[c]);
    }
    /* Round robin over 2 backends: half of about 300 requests by 3 s. */
    cr_expect_gt(cell(s, 0, 1), 100);
    run_free(&r);
}

Test(metrics, sampling_refuses_unknown_paths) {
    sim_topology *t = t_load(mm1_yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    char err[256] = "";
    const char *bad_node = "nodes.nosuch.completed";
    cr_expect_eq(sim_engine_sample(e, (1 * SIM_S), &bad_node, 1, err, sizeof err), -1);
    cr_expect(strstr(err, "no such node"), "%s", err);
    const char *bad_figure = "nodes.web.nosuch";
    cr_expect_eq(sim_engine_sample(e, (1 * SIM_S), &bad_figure, 1, err, sizeof err), -1);
    cr_expect(strstr(err, "no such figure"), "%s", err);
    cr_expect_eq(sim_engine_sample(e, 0, NULL, 0, err, sizeof err), -1);
    cr_expect_null(sim_engine_series(e), "a refused setup leaves sampling off");
    sim_engine_free(e);
    sim_topology_free(t);
}

/* A sim_report that records what is written as text: "key{" opens, "}" closes, "key=V". */
typedef struct trace {
    char text[512];
} trace;
static void tr_put(trace *t, const char *s) {
    strncat(t->text, s, sizeof t->text - strlen(t->text) - 1);
}
static void tr_open(void *ud, const char *key) {
    tr_put(ud, key ? key : "");
    tr_put(ud, "{");
}
static void tr_close(void *ud) { tr_put(ud, "} "); }
static void tr_number(void *ud, const char *key, double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s=%g ", key, v);
    tr_put(ud, buf);
}
static void tr_integer(void *ud, const char *key, int64_t v) { tr_number(ud, key, (double)v); }
static void tr_string(void *ud, const char *key, const char *v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s='%s' ", key, v);
    tr_put(ud, buf);
}
static void tr_boolean(void *ud, const char *key, bool v) { tr_number(ud, key, v); }
static const sim_report_ops trace_ops = {1,          tr_open,   tr_open,    tr_close, tr_number,
                                         tr_integer, tr_string, tr_boolean, NULL, NULL};

typedef struct fake_state {
    uint64_t a;
    uint32_t small;
    double ratio;
} fake_state;

static const char *fake_label(const void *state, const sim_node *n) {
    (void)state, (void)n;
    return "up";
}

Test(metrics, dotted_names_nest_objects_in_table_order) {
    static const sim_metric table[] = {
        {"a", SIM_METRIC_COUNTER, SIM_FIELD(fake_state, a)},
        {"b.c", SIM_METRIC_GAUGE, SIM_FIELD(fake_state, small)},
        {"b.d.e", SIM_METRIC_NUMBER, SIM_FIELD(fake_state, ratio)},
        {"b.d.f", SIM_METRIC_COUNTER, SIM_FIELD(fake_state, a)},
        {"b.g", SIM_METRIC_LABEL, .label = fake_label},
        {"h.i", SIM_METRIC_COUNTER, SIM_FIELD(fake_state, a)},
        {"j", SIM_METRIC_GAUGE, SIM_FIELD(fake_state, small)},
        SIM_METRICS_END,
    };
    cr_assert_null(sim_metrics_check(table));
    fake_state s = {.a = 7, .small = 3, .ratio = 0.25};
    trace t = {""};
    sim_report w = {&trace_ops, &t};
    sim_metrics_write(table, &s, NULL, 0, &w);
    cr_expect_str_eq(t.text, "a=7 b{c=3 d{e=0.25 f=7 } g='up' } h{i=7 } j=3 ");
    static const sim_metric bad_size[] = {
        {"x", SIM_METRIC_NUMBER, SIM_FIELD(fake_state, small)},
        SIM_METRICS_END,
    };
    cr_expect_str_eq(sim_metrics_check(bad_size), "x", "a double read from a 4-byte field");
    static const sim_metric bad_name[] = {
        {"x..y", SIM_METRIC_COUNTER, SIM_FIELD(fake_state, a)},
        SIM_METRICS_END,
    };
    cr_expect_str_eq(sim_metrics_check(bad_name), "x..y");
}

/* A breaker with a settings store shows the nested settings figures (found by path); one
 * without shows no settings object at all. */
Test(metrics, hidden_entries_leave_their_objects_out) {
    static const char yaml[] = "duration: 20s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: cb, arrival: 100ms}\n"
                               "  cb: {kind: circuit_breaker, backend: db, settings: store,\n"
                               "       refresh: 5s}\n"
                               "  db: {kind: service, workers: 10, service: 5ms}\n"
                               "  store:\n"
                               "    kind: settings_store\n"
                               "    service: 2ms\n"
                               "    changes: [{at: 12s, force: open}]\n";
    run r = run_of(yaml, NULL, 0, 0, NULL, 0);
    static const char *const paths[] = {"nodes.cb.settings.refreshes", "nodes.cb.settings.version",
                                        "nodes.cb.settings.stale_ms.max",
                                        "nodes.cb.state_ms.forced_open", "nodes.store.version"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        cr_expect_eq(lookup(r.eng, paths[i]), t_num(r.doc, paths[i]), "%s", paths[i]);
    /* Forced open from the read after 12 s (at 15 s) to the end: about 5 s. */
    cr_expect_gt(t_num(r.doc, "nodes.cb.state_ms.forced_open"), 4000);
    cr_expect_eq(t_num(r.doc, "nodes.cb.settings.version"), 1);
    run_free(&r);
    static const char plain[] = "duration: 5s\n"
                                "nodes:\n"
                                "  users: {kind: client, target: cb, arrival: 100ms}\n"
                                "  cb: {kind: circuit_breaker, backend: db}\n"
                                "  db: {kind: service, service: 5ms}\n";
    r = run_of(plain, NULL, 0, 0, NULL, 0);
    const cJSON *cb = t_at(r.doc, "nodes.cb");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(cb, "settings"));
    cr_expect_null(
        cJSON_GetObjectItemCaseSensitive(t_at(r.doc, "nodes.cb.state_ms"), "forced_open"));
    cr_expect_not_null(cJSON_GetObjectItemCaseSensitive(cb, "changes_omitted"),
                       "the entries after the hidden ones are still there");
    double v;
    cr_expect_eq(sim_engine_lookup(r.eng, "nodes.cb.settings.version", &v), SIM_LOOKUP_NO_FIGURE);
    run_free(&r);
}
