/* Time series of intervals (contract §8.2; sim_engine_sample_intervals in sim/metrics.h, the
 * `series` keys and the --series options): counters count within each interval and add up to
 * the document's figures, throughput per interval follows the Poisson law of its client,
 * time averages over intervals average to the run's, latency is null where nothing
 * completed, the last interval ends at the run's end; and through the dsim command: the
 * document's "series", the CSV, series_metrics, errors at their line and column, identical
 * bytes for a seed, and a document without series exactly as before. */
#include "engine.h"
#include "json_report.h"
#include "metrics.h"
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- in process ---- */

typedef struct run {
    sim_topology *topo;
    sim_engine *eng;
    cJSON *doc;
} run;

/* Loads yaml, samples every figure every interval, runs it with seed 1. */
static run run_sampled(const char *yaml, sim_time interval) {
    run r = {.topo = t_load(yaml, NULL, 0, NULL)};
    cr_assert(r.topo, "the topology does not load");
    r.eng = sim_engine_new(r.topo, 1);
    cr_assert(r.eng);
    char err[256] = "";
    cr_assert_eq(sim_engine_sample_intervals(r.eng, interval, NULL, 0, NULL, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(sim_engine_run(r.eng), 0, "the run failed");
    r.doc = dsim_json_report(r.eng);
    cr_assert(r.doc);
    return r;
}

static void run_free(run *r) {
    cJSON_Delete(r->doc);
    sim_engine_free(r->eng);
    sim_topology_free(r->topo);
}

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

/* An M/M/1 at rho = 0.8 with a queue limit and a client time-out, so that every outcome
 * happens; warm-up 20 s, a multiple of the 5 s interval. */
static const char mm1_yaml[] = "name: mm1\n"
                               "duration: 200s\n"
                               "warmup: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 8/s, timeout: 600ms}\n"
                               "  web: {kind: service, queue: 4,\n"
                               "        service: {dist: exponential, mean: 100ms}}\n";

Test(series, counts_within_intervals_add_up_to_the_run_counts) {
    run r = run_sampled(mm1_yaml, 5 * SIM_S);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert(s);
    static const char *const counters[] = {
        "requests.issued",    "requests.completed",    "requests.rejected",   "requests.timed_out",
        "requests.failed",    "nodes.web.arrivals",    "nodes.web.completed", "nodes.web.rejected",
        "nodes.users.issued", "nodes.users.timed_out",
    };
    for (size_t k = 0; k < sizeof counters / sizeof *counters; k++) {
        size_t c = column_of(s, counters[k]);
        double after = 0;
        for (size_t i = 0; i < s->nrows; i++)
            if (s->t[i] > r.topo->warmup)
                after += cell(s, i, c);
        /* Exact: the document counts what was issued after the warm-up, and so do the
         * intervals after it. */
        cr_expect_eq(after, t_num(r.doc, counters[k]), "%s: %g within the intervals, %g in all",
                     counters[k], after, t_num(r.doc, counters[k]));
    }
    /* Every outcome happened, so the sums above were not all 0 = 0. */
    cr_expect_gt(t_num(r.doc, "requests.rejected"), 0);
    cr_expect_gt(t_num(r.doc, "requests.timed_out"), 0);
    /* The warm-up is in the series too: about 8/s x 5 s issued in its first interval. */
    cr_expect_gt(cell(s, 0, column_of(s, "requests.issued")), 10);
    run_free(&r);
}

Test(series, throughput_per_interval_of_a_poisson_client_is_poisson) {
    /* Every request is served for exactly 1 ms by one of many workers (no queueing, no
     * network delay), so the completions in (a, b] are the arrivals in (a - 1ms, b - 1ms]:
     * for every interval but the first, a Poisson count of mean lambda T = 100, independent
     * across intervals. */
    static const char yaml[] = "duration: 400s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s}\n"
                               "  web: {kind: service, workers: 64, service: 1ms}\n";
    run r = run_sampled(yaml, 1 * SIM_S);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert(s);
    cr_assert_eq(s->nrows, 400);
    size_t c = column_of(s, "requests.throughput_rps");
    /* The 99.9% central interval of Poisson(100): lo = the largest k with P(X < k) <= 0.0005,
     * hi = the smallest k with P(X > k) <= 0.0005; p_out = P(X < lo) + P(X > hi) <= 0.001,
     * computed exactly. The number of the 399 intervals outside is Binomial(399, p_out); the
     * test fails when it exceeds the binomial's 99.9% quantile, so a correct series fails it
     * less than once in a thousand runs, while a series off by a few percent in mean or
     * variance puts far more intervals outside. */
    const double mean = 100;
    unsigned lo = 0, hi = 0;
    while (gsl_cdf_poisson_P(lo, mean) <= 0.0005)
        lo++; /* P(X <= lo - 1) <= 0.0005 < P(X <= lo) */
    while (gsl_cdf_poisson_Q(hi, mean) > 0.0005)
        hi++;
    double p_out = (lo ? gsl_cdf_poisson_P(lo - 1, mean) : 0) + gsl_cdf_poisson_Q(hi, mean);
    size_t n = s->nrows - 1;
    unsigned kmax = 0;
    while (gsl_cdf_binomial_Q(kmax, p_out, (unsigned)n) > 0.001)
        kmax++;
    unsigned outside = 0;
    double total = 0;
    for (size_t i = 1; i < s->nrows; i++) {
        double k = cell(s, i, c) * 1.0; /* 1 s intervals: per second = count */
        cr_assert_eq(k, floor(k), "a count per second of 1 s intervals is whole: %g", k);
        outside += k < lo || k > hi;
        total += k;
    }
    cr_log_info("Poisson(100) 99.9%% interval [%u, %u], p_out %.5f: %u of %zu outside (max %u)", lo,
                hi, p_out, outside, n, kmax);
    cr_expect_leq(outside, kmax);
    /* And the mean over the intervals is the document's throughput (the same completions). */
    cr_expect_float_eq(total + cell(s, 0, c), t_num(r.doc, "requests.throughput_rps") * 400, 1e-6);
    run_free(&r);
}

Test(series, utilization_and_queue_over_intervals_average_to_the_run_figures) {
    run r = run_sampled(mm1_yaml, 5 * SIM_S);
    const sim_series *s = sim_engine_series(r.eng);
    static const char *const gauges[] = {"nodes.web.utilization", "nodes.web.queue_mean"};
    for (size_t k = 0; k < 2; k++) {
        size_t c = column_of(s, gauges[k]);
        double sum = 0;
        size_t n = 0;
        for (size_t i = 0; i < s->nrows; i++)
            if (s->t[i] > r.topo->warmup) {
                sum += cell(s, i, c);
                n++;
            }
        /* The 36 intervals of 5 s tile the measured window [20 s, 200 s]: the mean of their
         * time averages is the window's, up to the rounding of sums of doubles. */
        double whole = t_num(r.doc, gauges[k]);
        cr_expect_gt(whole, 0.1, "%s", gauges[k]);
        cr_expect(fabs(sum / (double)n - whole) <= 1e-9 * whole, "%s: %.17g over intervals, %.17g",
                  gauges[k], sum / (double)n, whole);
    }
    /* The warm-up's own time averages are there as well (the station was busy then). */
    cr_expect_gt(cell(s, 0, column_of(s, "nodes.web.utilization")), 0.2);
    /* In flight = in service + waiting, so never below utilization (1 worker). */
    size_t f = column_of(s, "nodes.web.in_flight"), u = column_of(s, "nodes.web.utilization");
    for (size_t i = 0; i < s->nrows; i++)
        cr_expect_geq(cell(s, i, f), cell(s, i, u), "row %zu", i);
    run_free(&r);
}

Test(series, latency_is_null_in_an_interval_without_completions) {
    /* The only server is down from 10 s to 20 s: requests are refused fast, none completes. */
    static const char yaml[] = "duration: 30s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 50/s}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 10s, crash: web, duration: 10s}\n";
    run r = run_sampled(yaml, 2 * SIM_S);
    const sim_series *s = sim_engine_series(r.eng);
    size_t done = column_of(s, "requests.completed"), p99 = column_of(s, "requests.latency_ms.p99");
    size_t mean = column_of(s, "requests.latency_ms.mean");
    size_t failed = column_of(s, "requests.failed");
    for (size_t i = 0; i < s->nrows; i++) {
        bool down = s->t[i] > 10 * SIM_S && s->t[i] <= 20 * SIM_S;
        if (down) {
            cr_expect_eq(cell(s, i, done), 0, "row %zu", i);
            cr_expect(isnan(cell(s, i, p99)) && isnan(cell(s, i, mean)), "row %zu: %g", i,
                      cell(s, i, p99));
            cr_expect_gt(cell(s, i, failed) + cell(s, i, column_of(s, "requests.rejected")), 0);
        } else {
            cr_expect_gt(cell(s, i, done), 0, "row %zu", i);
            cr_expect(isfinite(cell(s, i, p99)), "row %zu", i);
        }
    }
    run_free(&r);
}

Test(series, the_last_interval_ends_at_the_run_end) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s}\n"
                               "  web: {kind: service, workers: 8, service: 1ms}\n";
    run r = run_sampled(yaml, 3 * SIM_S);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert_eq(s->nrows, 4);
    static const sim_time want[] = {3 * SIM_S, 6 * SIM_S, 9 * SIM_S, 10 * SIM_S};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(s->t[i], want[i]);
    /* The last interval is 1 s long: its throughput is its count per that second. */
    size_t c = column_of(s, "requests.completed"), x = column_of(s, "requests.throughput_rps");
    cr_expect_float_eq(cell(s, 3, x), cell(s, 3, c) / 1.0, 1e-9);
    cr_expect_float_eq(cell(s, 0, x), cell(s, 0, c) / 3.0, 1e-9);
    run_free(&r);
}

/* For every example (shortened as the other suites do): sampling every figure in intervals
 * of a fifth of the run leaves the document's bytes and the event count as they are without
 * sampling, and gives a row per interval with the last at the run's end. */
Test(series, sampling_any_example_changes_neither_its_document_nor_its_events, .timeout = 600) {
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        size_t nsets = t_shortened(*name, sets);
        char *text[2];
        uint64_t events[2];
        for (int on = 0; on < 2; on++) {
            sim_topology *t = t_load(yaml, sets, nsets, NULL);
            cr_assert(t, "%s", *name);
            sim_engine *e = sim_engine_new(t, 1);
            cr_assert(e);
            char err[256] = "";
            sim_time interval = t->duration / 5;
            if (on)
                cr_assert_eq(
                    sim_engine_sample_intervals(e, interval, NULL, 0, NULL, err, sizeof err), 0,
                    "%s: %s", *name, err);
            cr_assert_eq(sim_engine_run(e), 0, "%s", *name);
            cJSON *doc = dsim_json_report(e);
            cr_assert(doc);
            text[on] = dsim_json_render(doc);
            events[on] = sim_engine_events(e);
            if (on) {
                const sim_series *s = sim_engine_series(e);
                cr_expect_eq(s->nrows, (size_t)((t->duration + interval - 1) / interval), "%s",
                             *name);
                cr_expect_eq(s->t[s->nrows - 1], t->duration, "%s", *name);
            }
            cJSON_Delete(doc);
            sim_engine_free(e);
            sim_topology_free(t);
        }
        cr_expect_str_eq(text[1], text[0], "%s: sampling changed the document", *name);
        cr_expect_eq(events[1], events[0], "%s", *name);
        free(text[0]);
        free(text[1]);
        free(yaml);
    }
    t_names_free(names);
}

/* A figure a report hook writes is sampled from the document: an integer count by its
 * increase (the backends' requests add up to the document's), a level (sim_report_level: a
 * backend's in-flight count) by its value at the interval's end. */
Test(series, hook_figures_counts_by_increase_and_levels_by_value) {
    static const char yaml[] = "duration: 9s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 200/s}\n"
                               "  lb: {kind: load_balancer, backends: [web]}\n"
                               "  web: {kind: service, replicas: 2, workers: 4,\n"
                               "        service: {dist: exponential, mean: 10ms}}\n";
    static const char *const paths[] = {"nodes.lb.backends.web.0.requests",
                                        "nodes.lb.backends.web.0.in_flight"};
    run r = {.topo = t_load(yaml, NULL, 0, NULL)};
    cr_assert(r.topo);
    r.eng = sim_engine_new(r.topo, 1);
    cr_assert(r.eng);
    char err[256] = "";
    cr_assert_eq(sim_engine_sample_intervals(r.eng, 3 * SIM_S, paths, 2, NULL, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(sim_engine_run(r.eng), 0);
    r.doc = dsim_json_report(r.eng);
    const sim_series *s = sim_engine_series(r.eng);
    cr_assert_eq(s->nrows, 3);
    double sum = 0;
    for (size_t i = 0; i < 3; i++) {
        /* Half of about 600 requests per 3 s interval: an increase, not a running total. */
        cr_expect(cell(s, i, 0) > 200 && cell(s, i, 0) < 400, "row %zu: %g", i, cell(s, i, 0));
        cr_expect(cell(s, i, 1) >= 0 && cell(s, i, 1) < 50, "row %zu: %g", i, cell(s, i, 1));
        sum += cell(s, i, 0);
    }
    cr_expect_eq(sum, t_num(r.doc, paths[0]));
    cr_expect_eq(cell(s, 2, 1), t_num(r.doc, paths[1]), "the level at the end is the document's");
    run_free(&r);
}

/* ---- the request figures every document has ---- */

Test(series, requests_latency_by_op_until_failure_and_rejection_and_the_histogram) {
    /* Reads take 2 ms and writes 8 ms of service; the network 1 ms each way; a small waiting
     * room rejects some, the client's 20 ms time-out gives up on others. */
    static const char yaml[] =
        "duration: 100s\n"
        "warmup: 5s\n"
        "network: {latency: 1ms}\n"
        "nodes:\n"
        "  users: {kind: client, target: web, rate: 150/s, timeout: 20ms,\n"
        "          ops: {read: 0.7, write: 0.3}}\n"
        "  web: {kind: service, queue: 3, service: {read: 2ms, write: 8ms}}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert_gt(t_num(doc, "requests.rejected"), 100);
    cr_assert_gt(t_num(doc, "requests.timed_out"), 10);
    /* A request with no wait takes its service + 2 ms of network: the fastest read 4 ms,
     * the fastest write 10 ms; the mix's mean lies between the two ops' means. */
    double r = t_num(doc, "requests.latency_ms_by_op.read.mean");
    double w = t_num(doc, "requests.latency_ms_by_op.write.mean");
    double all = t_num(doc, "requests.latency_ms.mean");
    cr_expect(r < all && all < w, "read %g, all %g, write %g", r, all, w);
    cr_expect_geq(t_num(doc, "requests.latency_ms_by_op.write.p50"), 10);
    cr_expect_leq(t_num(doc, "requests.latency_ms_by_op.read.p50"),
                  t_num(doc, "requests.latency_ms_by_op.write.p50"));
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"),
                       fmax(t_num(doc, "requests.latency_ms_by_op.read.max"),
                            t_num(doc, "requests.latency_ms_by_op.write.max")),
                       1e-12);
    /* Time-outs are the only failures: each reached the client at its 20 ms (the histogram's
     * 1% error); a rejection comes back at once: 2 ms of network. */
    cr_expect_eq(t_num(doc, "requests.failed"), 0);
    cr_expect_float_eq(t_num(doc, "requests.failed_latency_ms.p50"), 20, 0.2);
    cr_expect_float_eq(t_num(doc, "requests.failed_latency_ms.max"), 20, 1e-9);
    cr_expect_float_eq(t_num(doc, "requests.rejected_latency_ms.mean"), 2, 0.02);
    /* The histogram: n + 1 increasing bounds, counts adding up to the completed requests,
     * and the median within its range. */
    const cJSON *b = t_at(doc, "requests.latency_hist.bounds_ms");
    const cJSON *c = t_at(doc, "requests.latency_hist.counts");
    cr_assert_eq(cJSON_GetArraySize(b), cJSON_GetArraySize(c) + 1);
    double sum = 0, prev = -1;
    for (const cJSON *x = b->child; x; x = x->next) {
        cr_expect_gt(x->valuedouble, prev);
        prev = x->valuedouble;
    }
    for (const cJSON *x = c->child; x; x = x->next)
        sum += x->valuedouble;
    cr_expect_eq(sum, t_num(doc, "requests.completed"));
    cr_expect_leq(cJSON_GetArrayItem(b, 0)->valuedouble, t_num(doc, "requests.latency_ms.p50"));
    cr_expect_geq(prev, t_num(doc, "requests.latency_ms.max"));
    cr_expect_lt(cJSON_GetArraySize(c), 400, "compact: %d buckets", cJSON_GetArraySize(c));
    cJSON_Delete(doc);
}

/* ---- through the dsim command ---- */

static t_sandbox sb;
static void setup(void) { t_sandbox_open(&sb, "series"); }
static void teardown(void) { t_sandbox_close(&sb); }
/* Each of these tests in its own sandbox (per-test fixtures: one suite for the file, since
 * with two or more criterion 2.4's parallel runner leaked 48 bytes under LeakSanitizer). */

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit %d, not %d\nstdout:\n%s\nstderr:\n%s", r->status, status,
                 r->out, r->err);
}

static cJSON *parse_work(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON", name);
    free(text);
    return doc;
}

static const char small_yaml[] =
    "name: small\n"
    "duration: 20s\n"
    "warmup: 4s\n"
    "nodes:\n"
    "  users: {kind: client, target: web, rate: 20/s}\n"
    "  web: {kind: service, service: {dist: exponential, mean: 20ms}}\n";

Test(series, cli_series_goes_in_the_document_and_csv_with_a_row_per_interval, .init = setup,
     .fini = teardown, .timeout = 120) {
    t_write_work(&sb, "t.yaml", small_yaml);
    t_result r = DSIM("run", "t.yaml", "--series", "2s", "--json", "out.json", "--series-csv",
                      "out.csv", "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *doc = parse_work("out.json");
    const cJSON *s = t_at(doc, "series");
    cr_expect_eq(t_num(s, "interval_ms"), 2000);
    const cJSON *t = t_get(s, "t_ms");
    cr_assert_eq(cJSON_GetArraySize(t), 10);
    cr_expect_eq(cJSON_GetArrayItem(t, 9)->valuedouble, 20000, "the last ends at the run's end");
    /* Every column as long as t_ms; warm-up intervals' node latency is null (the node counts
     * from the warm-up end), the client requests' is not. */
    for (const cJSON *c = s->child; c; c = c->next)
        if (cJSON_IsArray(c))
            cr_expect_eq(cJSON_GetArraySize(c), 10, "%s", c->string);
    cr_expect(cJSON_IsNull(cJSON_GetArrayItem(t_get(s, "nodes.web.wait_ms.p99"), 0)));
    cr_expect(cJSON_IsNumber(cJSON_GetArrayItem(t_get(s, "requests.latency_ms.p99"), 0)));
    /* The CSV: the header t_ms then the JSON's paths in order, 10 rows, nulls empty. */
    char *csv = t_slurp_work(&sb, "out.csv");
    size_t lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 11, "a header and 10 rows:\n%s", csv);
    char *nl = strchr(csv, '\n');
    cr_assert(nl);
    *nl = 0;
    cr_expect(strncmp(csv, "t_ms,", 5) == 0, "%s", csv);
    char want[8192] = "t_ms";
    for (const cJSON *c = t->next; c; c = c->next)
        strncat(strncat(want, ",", sizeof want - strlen(want) - 1), c->string,
                sizeof want - strlen(want) - 1);
    cr_expect_str_eq(csv, want);
    cr_expect(strstr(nl + 1, "2000,") == nl + 1, "first row at 2000 ms: %.40s", nl + 1);
    cr_expect(strstr(nl + 1, ",,"), "a null is an empty cell");
    free(csv);
    cJSON_Delete(doc);
}

Test(series, cli_a_run_without_series_gives_the_document_without_it, .init = setup,
     .fini = teardown, .timeout = 120) {
    t_write_work(&sb, "t.yaml", small_yaml);
    t_result a = DSIM("run", "t.yaml", "--json", "plain.json", "--quiet");
    expect_status(&a, 0);
    t_result b = DSIM("run", "t.yaml", "--series", "1s", "--json", "sampled.json", "--quiet");
    expect_status(&b, 0);
    t_result c = DSIM("run", "t.yaml", "--series", "1s", "--json", "again.json", "--series-csv",
                      "a.csv", "--quiet");
    expect_status(&c, 0);
    t_result d = DSIM("run", "t.yaml", "--series", "1s", "--json", "again2.json", "--series-csv",
                      "b.csv", "--quiet");
    expect_status(&d, 0);
    t_result_free(&a), t_result_free(&b), t_result_free(&c), t_result_free(&d);
    char *plain = t_slurp_work(&sb, "plain.json");
    cJSON *sampled = parse_work("sampled.json");
    cr_assert(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(sampled, "series")));
    /* "series" is the last key: without it the document is the plain one, byte for byte. */
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(sampled, "series")->next);
    cJSON_DeleteItemFromObjectCaseSensitive(sampled, "series");
    char *rendered = dsim_json_render(sampled);
    cr_expect_str_eq(rendered, plain);
    free(rendered);
    cJSON_Delete(sampled);
    free(plain);
    /* Same seed, same bytes: the document with its series, and the CSV. */
    char *j1 = t_slurp_work(&sb, "again.json"), *j2 = t_slurp_work(&sb, "again2.json");
    char *c1 = t_slurp_work(&sb, "a.csv"), *c2 = t_slurp_work(&sb, "b.csv");
    cr_expect_str_eq(j1, j2);
    cr_expect_str_eq(c1, c2);
    free(j1), free(j2), free(c1), free(c2);
}

Test(series, cli_series_metrics_restricts_the_columns_and_the_option_wins_over_the_file,
     .init = setup, .fini = teardown, .timeout = 120) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%sseries: 5s\nseries_metrics: [requests.throughput_rps, nodes.web.queue_mean,\n"
             "                 nodes.web.utilization]\n",
             small_yaml);
    t_write_work(&sb, "t.yaml", yaml);
    t_result r = DSIM("run", "t.yaml", "--json", "file.json", "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "t.yaml", "--series", "2s", "--series-csv", "-", "--quiet");
    expect_status(&r, 0);
    static const char head[] =
        "t_ms,requests.throughput_rps,nodes.web.queue_mean,nodes.web.utilization\n2000,";
    cr_expect(strncmp(r.out, head, strlen(head)) == 0, "%s", r.out);
    t_result_free(&r);
    cJSON *doc = parse_work("file.json");
    const cJSON *s = t_at(doc, "series");
    static const char *const keys[] = {"interval_ms", "t_ms", "requests.throughput_rps",
                                       "nodes.web.queue_mean", "nodes.web.utilization"};
    size_t n = 0;
    for (const cJSON *c = s->child; c; c = c->next, n++)
        cr_expect_str_eq(c->string, keys[n < 5 ? n : 4]);
    cr_expect_eq(n, 5);
    cr_expect_eq(t_num(s, "interval_ms"), 5000);
    cr_expect_eq(cJSON_GetArraySize(t_get(s, "t_ms")), 4);
    cJSON_Delete(doc);
}

/* Runs yaml and expects exit 2 with every string of want (NULL-terminated) in stderr. */
static void expect_refused(const char *yaml, const char *const *want) {
    t_write_work(&sb, "bad.yaml", yaml);
    t_result r = DSIM("run", "bad.yaml", "--json", "out.json", "--quiet");
    expect_status(&r, 2);
    for (size_t i = 0; want[i]; i++)
        cr_expect(strstr(r.err, want[i]), "no '%s' in:\n%s", want[i], r.err);
    cr_expect_not(t_work_has(&sb, "out.json"), "no document after bad input");
    t_result_free(&r);
}

/* A series_metrics typo is found before anything runs: by validate, by a run without series
 * (the entry is wrong whether or not it is sampled), and before the pilot of warmup: auto
 * (--max-events 1 would stop a pilot with exit 4). */
Test(series, cli_series_metrics_paths_are_checked_by_validate_and_before_any_run,
     .init = setup, .fini = teardown, .timeout = 120) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sseries_metrics: [nodes.web.queue_maen]\n", small_yaml);
    t_write_work(&sb, "bad.yaml", yaml);
    const char *want = "bad.yaml:7:18: error: series_metrics: nodes.web.queue_maen";
    const char *note = "bad.yaml:7:18: note: did you mean 'nodes.web.queue_mean'?";
    t_result r = DSIM("validate", "bad.yaml");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, want) && strstr(r.err, note), "%s", r.err);
    t_result_free(&r);
    r = DSIM("run", "bad.yaml", "--quiet");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, want), "%s", r.err);
    t_result_free(&r);
    r = DSIM("run", "bad.yaml", "--set", "warmup=auto", "--series", "1s", "--max-events", "1",
             "--json", "out.json");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, want), "%s", r.err);
    cr_expect_not(t_work_has(&sb, "out.json"));
    t_result_free(&r);
    snprintf(yaml, sizeof yaml, "%sseries_metrics: [nodes.web.queue_mean]\n", small_yaml);
    t_write_work(&sb, "good.yaml", yaml);
    r = DSIM("validate", "good.yaml");
    expect_status(&r, 0);
    t_result_free(&r);
}

Test(series, cli_bad_series_values_and_paths_are_errors_at_their_line_and_column, .init = setup,
     .fini = teardown, .timeout = 120) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sseries: 0s\n", small_yaml);
    expect_refused(yaml, (const char *const[]){"bad.yaml:7:9: error: series", NULL});
    snprintf(yaml, sizeof yaml, "%sseries: often\n", small_yaml);
    expect_refused(yaml, (const char *const[]){"bad.yaml:7:9: error: series", NULL});
    snprintf(yaml, sizeof yaml, "%sseries: 1s\nseries_metrics: [requests.completed, nodes.db.x]\n",
             small_yaml);
    expect_refused(yaml, (const char *const[]){"bad.yaml:8:38: error:", "no such node", NULL});
    snprintf(yaml, sizeof yaml, "%sseries: 1s\nseries_metrics: [nodes.wbe.queue_mean]\n",
             small_yaml);
    expect_refused(yaml, (const char *const[]){"bad.yaml:8:18: error:", "no such node",
                                               "bad.yaml:8:18: note: did you mean "
                                               "'nodes.web.queue_mean'?",
                                               NULL});
    snprintf(yaml, sizeof yaml,
             "%sseries: 1s\nseries_metrics:\n  - requests.completed\n  - nodes.web.queue_maen\n",
             small_yaml);
    expect_refused(yaml,
                   (const char *const[]){"bad.yaml:10:5: error: series_metrics:", "no such figure",
                                         "bad.yaml:10:5: note: did you mean "
                                         "'nodes.web.queue_mean'?",
                                         NULL});
    snprintf(yaml, sizeof yaml, "%sseries_metrics: requests.completed\n", small_yaml);
    expect_refused(yaml, (const char *const[]){"bad.yaml:7:17: error: series_metrics", NULL});
    /* The options: a bad --series, and a CSV with no series to write. */
    t_write_work(&sb, "t.yaml", small_yaml);
    t_result r = DSIM("run", "t.yaml", "--series", "0s");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--series 0s: error:") || strstr(r.err, "--series: error:"), "%s",
              r.err);
    t_result_free(&r);
    r = DSIM("run", "t.yaml", "--series-csv", "x.csv");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "no time series"), "%s", r.err);
    cr_expect_not(t_work_has(&sb, "x.csv"));
    t_result_free(&r);
}
