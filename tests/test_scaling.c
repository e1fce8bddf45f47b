/* Vertical scaling (the `scale` fault: blocks/station.c's station_resize and the kinds'
 * resize hooks) against closed forms, with 99.9% Student-t intervals over seeded
 * replications:
 *   an M/M/c node (lambda = 80/s, mean service 40 ms: a = 3.2 erlangs) scaled live from 4 to
 *   5 workers at 500 s: the mean number waiting and the mean wait of each phase, measured by
 *   the time series after letting the phase settle, are Erlang C's for c = 4 and for c = 5;
 *   its utilization over the run is busy worker-time over the integral of the workers (exactly,
 *   from the series; and a / 4.5 in mean, 4.5 being the time average of the count);
 *   with a downtime the node is down exactly for it, and what arrives meanwhile is refused
 *   (a Poisson count of mean lambda x downtime); `duration` brings back the configured count;
 *   fewer workers than are busy never drop a request in service (a count of completions that
 *   follows from constant service times);
 *   a database pool resized under sync replication, a consumer and a counter store resized
 *   live: nothing lost, utilization against rho per phase and over the mean count;
 * horizontal scaling: an instance added behind a random load balancer takes its share at
 * once; and topologies/scaling.yaml's story. */
#include "engine.h"
#include "json_report.h"
#include "metrics.h"
#include "series_out.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL 0.999

/* t_run, with the time series the topology asks for in the document (as `dsim run` writes
 * them). */
static cJSON *run(const char *yaml, uint64_t seed) {
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "the topology does not load");
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    char err[256];
    if (t->series > 0)
        cr_assert_eq(sim_engine_sample_intervals(e, t->series, t->series_metrics,
                                                 t->nseries_metrics, NULL, err, sizeof err),
                     0, "%s", err);
    cr_assert_eq(sim_engine_run(e), 0, "the run failed");
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    const sim_series *s = sim_engine_series(e);
    cr_assert(!s || dsim_series_add_json(doc, s) == 0);
    sim_engine_free(e);
    sim_topology_free(t);
    return doc;
}

/* The column of series path in doc (an array of numbers, one per interval). */
static const cJSON *column(const cJSON *doc, const char *path) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(t_at(doc, "series"), path);
    cr_assert(cJSON_IsArray(c), "no series %s", path);
    return c;
}

static double cell(const cJSON *col, int i) {
    const cJSON *v = cJSON_GetArrayItem(col, i);
    cr_assert(cJSON_IsNumber(v), "series cell %d is no number", i);
    return v->valuedouble;
}

/* Mean of cells [from, to) of a column. */
static double mean_of(const cJSON *col, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++)
        sum += cell(col, i);
    return sum / (to - from);
}

/* The run's utilization of node (a path "nodes.NAME") from its series of equal intervals:
 * the busy worker-time of each, utilization x workers, summed over the worker-time
 * available. Sets *mean_workers to the count's time average. */
static double utilization_of_series(const cJSON *doc, const char *node, double *mean_workers) {
    char u[128], w[128];
    snprintf(u, sizeof u, "%s.utilization", node);
    snprintf(w, sizeof w, "%s.workers", node);
    const cJSON *uc = column(doc, u), *wc = column(doc, w);
    double busy = 0, avail = 0;
    int rows = cJSON_GetArraySize(uc);
    for (int i = 0; i < rows; i++) {
        busy += cell(uc, i) * cell(wc, i);
        avail += cell(wc, i);
    }
    *mean_workers = avail / rows;
    return busy / avail;
}

/* The run's utilization of node, after checking it against the one its series give (exact:
 * utilization_of_series) and the time average of its count against mean_workers. */
static double utilization_checked(const cJSON *doc, const char *node, double mean_workers) {
    char path[128];
    snprintf(path, sizeof path, "%s.utilization", node);
    double u = t_num(doc, path), workers, from_series = utilization_of_series(doc, node, &workers);
    cr_expect_float_eq(u, from_series, 1e-9 * u, "%s: %.12g vs %.12g from the series", path, u,
                       from_series);
    cr_expect_float_eq(workers, mean_workers, 1e-12, "%s: the mean count of workers: %g", node,
                       workers);
    return u;
}

/* 1000 s in 20 intervals of 50 s; the scale at 500 s starts interval 10. */
#define REPS 20
static const char live[] = "duration: 1000s\n"
                           "series: 50s\n"
                           "series_metrics: [nodes.web.queue_mean, nodes.web.wait_ms.mean, "
                           "nodes.web.utilization, nodes.web.workers]\n"
                           "nodes:\n"
                           "  users: {kind: client, target: web, rate: 80/s}\n"
                           "  web:\n"
                           "    kind: service\n"
                           "    workers: 4\n"
                           "    service: {dist: exponential, mean: 40ms}\n"
                           "faults:\n"
                           "  - {at: 500s, scale: web, workers: 5}\n";

Test(scaling, each_phase_of_a_live_scale_up_waits_as_erlang_c_says) {
    const double lambda = 80, mu = 25, a = lambda / mu;
    double lq[2][REPS], wq[2][REPS];
    for (int r = 0; r < REPS; r++) {
        cJSON *doc = run(live, (uint64_t)r + 1);
        const cJSON *q = column(doc, "nodes.web.queue_mean");
        const cJSON *w = column(doc, "nodes.web.wait_ms.mean");
        cr_assert_eq(cJSON_GetArraySize(q), 20);
        /* Each phase after one interval (50 s, hundreds of relaxation times) to settle. */
        lq[0][r] = mean_of(q, 1, 10), wq[0][r] = mean_of(w, 1, 10);
        lq[1][r] = mean_of(q, 11, 20), wq[1][r] = mean_of(w, 11, 20);
        cr_expect_eq(cell(column(doc, "nodes.web.workers"), 9), 4);
        cr_expect_eq(cell(column(doc, "nodes.web.workers"), 10), 5);
        cJSON_Delete(doc);
    }
    for (int p = 0; p < 2; p++) {
        int c = 4 + p;
        double w = t_erlang_c(c, a) / (c * mu - lambda); /* mean wait, s */
        char what[64];
        snprintf(what, sizeof what, "mean number waiting with %d workers", c);
        t_expect_in_ci(what, t_ci_of(lq[p], REPS, LEVEL), lambda * w);
        snprintf(what, sizeof what, "mean wait ms with %d workers", c);
        t_expect_in_ci(what, t_ci_of(wq[p], REPS, LEVEL), 1000 * w);
    }
}

Test(scaling, utilization_divides_by_the_integral_of_the_workers) {
    double u[REPS];
    for (int r = 0; r < REPS; r++) {
        cJSON *doc = run(live, (uint64_t)r + 1);
        /* Exact: intervals of equal length, each with its busy worker-time util x workers x
         * 50 s; summed over the available worker-time they give the run's figure. */
        u[r] = utilization_checked(doc, "nodes.web", 4.5);
        cJSON_Delete(doc);
    }
    /* Offered load over the time average of the count: 3.2 / 4.5 (not 3.2 / 5, the count at
     * the end, nor 3.2 / 4, the configured one). */
    t_expect_in_ci("utilization", t_ci_of(u, REPS, LEVEL), 3.2 / 4.5);
}

/* A reboot of 10 s at 200 s to 5 workers: 1-s intervals. */
static const char reboot[] = "duration: 300s\n"
                             "series: 1s\n"
                             "series_metrics: [requests.failed, nodes.web.workers]\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, rate: 80/s}\n"
                             "  web:\n"
                             "    kind: service\n"
                             "    workers: 4\n"
                             "    service: {dist: exponential, mean: 40ms}\n"
                             "faults:\n"
                             "  - {at: 200s, scale: web, workers: 5, downtime: 10s}\n";

Test(scaling, a_reboot_is_down_exactly_for_its_downtime_and_refuses_what_arrives) {
    enum { SEEDS = 10 };
    double refused = 0;
    for (int r = 0; r < SEEDS; r++) {
        cJSON *doc = run(reboot, (uint64_t)r + 1);
        const cJSON *failed = column(doc, "requests.failed");
        const cJSON *t = t_get(t_at(doc, "series"), "t_ms");
        for (int i = 0; i < cJSON_GetArraySize(failed); i++) {
            double end = cell(t, i), f = cell(failed, i);
            /* Interval (end - 1 s, end]: inside the downtime [200 s, 210 s) some are refused
             * (80 in mean: one without is a 1e-35 event); outside none is. */
            if (end > 200000 && end <= 210000)
                cr_expect_gt(f, 0, "nothing refused in the interval ending at %g ms", end);
            else
                cr_expect_eq(f, 0, "%g refused in the interval ending at %g ms", f, end);
        }
        refused += t_num(doc, "requests.failed");
        cr_expect_eq(t_num(doc, "network.refused"), t_num(doc, "requests.failed"));
        cr_expect_eq(cell(column(doc, "nodes.web.workers"), 250), 5);
        cr_expect_str_eq(t_str(doc, "faults.0.action"), "scale");
        cr_expect_eq(t_num(doc, "faults.0.at_ms"), 200000);
        cr_expect_eq(t_num(doc, "faults.0.workers"), 5);
        cr_expect_eq(t_num(doc, "faults.0.downtime_ms"), 10000);
        cr_expect_str_eq(t_str(doc, "faults.1.action"), "scale_ready");
        cr_expect_eq(t_num(doc, "faults.1.at_ms"), 210000);
        cr_expect_eq(cJSON_GetArraySize(t_get(doc, "faults")), 2);
        cJSON_Delete(doc);
    }
    t_expect_poisson("requests refused during the reboots", refused, SEEDS * 80.0 * 10);
}

Test(scaling, a_duration_brings_back_the_configured_workers_after_the_same_downtime) {
    cJSON *doc = run("duration: 300s\n"
                       "series: 50s\n"
                       "series_metrics: [nodes.web.workers]\n"
                       "nodes:\n"
                       "  users: {kind: client, target: web, rate: 10/s}\n"
                       "  web: {kind: service, workers: 4, service: 10ms}\n"
                       "faults:\n"
                       "  - {at: 100s, scale: web, workers: 8, duration: 100s}\n"
                       "  - {at: 250s, scale: web, workers: 2, downtime: 5s, duration: 20s}\n",
                       1);
    const cJSON *w = column(doc, "nodes.web.workers");
    const double want[] = {4, 4, 8, 8, 4}; /* the intervals ending at 50 ... 250 s */
    for (int i = 0; i < 5; i++)
        cr_expect_eq(cell(w, i), want[i], "interval %d: %g workers", i, cell(w, i));
    /* (250, 300]: 2 workers for 20 s (the reboot's 5 s included), then 4 for 30 s. */
    cr_expect_float_eq(cell(w, 5), (2 * 20 + 4 * 30) / 50.0, 1e-12, "%g", cell(w, 5));
    static const char *const actions[] = {"scale",       "scale_end", "scale",
                                          "scale_ready", "scale_end", "scale_ready"};
    static const double at_ms[] = {100000, 200000, 250000, 255000, 270000, 275000};
    const cJSON *log = t_get(doc, "faults");
    cr_assert_eq(cJSON_GetArraySize(log), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *f = cJSON_GetArrayItem(log, i);
        cr_expect_str_eq(t_get(f, "action")->valuestring, actions[i], "entry %d", i);
        cr_expect_eq(t_get(f, "at_ms")->valuedouble, at_ms[i], "entry %d", i);
    }
    /* The end of a scale says no count (it is the configured one) but its downtime. */
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, 4), "workers"));
    cr_expect_eq(t_num(doc, "faults.4.downtime_ms"), 5000);
    cJSON_Delete(doc);
}

/* 8 workers of a constant 1 s, saturated from the first 8 arrivals (all within 0.5 s: a
 * Poisson(50) count below 8 is a 1e-14 event), so that worker i finishes at k + o_i, k = 1,
 * 2, ..., o_i in (0, 0.5). Scaled to 2 at 10.5 s: the 8 rounds that end by 10.5 s (80), the
 * round in service then (8 more: none dropped), and then 2 workers for rounds 12 to 19
 * (16): 104 completed by 20 s, none failed. */
Test(scaling, fewer_workers_than_are_busy_drop_no_request_in_service) {
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cJSON *doc = run("duration: 20s\n"
                           "series: 1s\n"
                           "series_metrics: [nodes.web.workers]\n"
                           "nodes:\n"
                           "  users: {kind: client, target: web, rate: 100/s}\n"
                           "  web: {kind: service, workers: 8, service: 1s}\n"
                           "faults:\n"
                           "  - {at: 10500ms, scale: web, workers: 2}\n",
                           seed);
        cr_expect_eq(t_int(doc, "nodes.web.completed"), 104, "seed %llu: %lld completed",
                     (unsigned long long)seed, t_int(doc, "nodes.web.completed"));
        cr_expect_eq(t_int(doc, "requests.failed"), 0);
        cr_expect_eq(t_int(doc, "requests.timed_out"), 0);
        t_expect_accounting(doc);
        /* The 6 over the count exist until their round ends, in (11 s, 11.5 s). */
        const cJSON *w = column(doc, "nodes.web.workers");
        cr_expect_eq(cell(w, 10), 8, "(10 s, 11 s]: %g", cell(w, 10));
        cr_expect(cell(w, 11) > 2 && cell(w, 11) < 2 + 6 * 0.5, "(11 s, 12 s]: %g",
                  cell(w, 11));
        cr_expect_eq(cell(w, 12), 2, "(12 s, 13 s]: %g", cell(w, 12));
        cJSON_Delete(doc);
    }
}

/* A database's pool scaled while sync replication holds connections for acks (1 ms each
 * way: a write holds its connection about 2 ms more, so some wait for acks whenever the slots
 * grow, and the ring of waiting workers is laid out again): nothing failed, lost or stale. */
Test(scaling, a_database_pool_grows_and_shrinks_under_sync_replication) {
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cJSON *doc = run("duration: 60s\n"
                         "network: {latency: 1ms}\n"
                         "nodes:\n"
                         "  users: {kind: client, target: db, rate: 400/s,\n"
                         "          ops: {read: 0.5, write: 0.5}}\n"
                         "  db:\n"
                         "    kind: database\n"
                         "    replicas: 2\n"
                         "    replication: sync\n"
                         "    workers: 3\n"
                         "    service: {dist: exponential, mean: 2ms}\n"
                         "faults:\n"
                         "  - {at: 10s, scale: db, workers: 16}\n"
                         "  - {at: 30s, scale: db, workers: 3}\n"
                         "  - {at: 40s, scale: db, workers: 40}\n",
                         seed);
        cr_expect_eq(t_int(doc, "requests.failed"), 0);
        cr_expect_eq(t_int(doc, "requests.rejected"), 0);
        t_expect_accounting(doc);
        cr_expect_gt(t_int(doc, "requests.completed"), 20000);
        cr_expect_gt(t_int(doc, "consistency.writes_acked"), 10000);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
        cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0);
        cJSON_Delete(doc);
    }
}

/* A consumer of a queue, 2 workers (mu = 10/s each) under 15/s, prefetch 8: scaled live to
 * 4 at 100 s. Its utilization is rho in each phase (0.75, then 0.375: 10 s to settle), and
 * over the run 1.5 erlangs over the mean count 3 (exact from the series as for a service);
 * the delivery checker's identity holds, nothing lost. */
Test(scaling, a_consumer_scaled_live_keeps_its_figures_right) {
    enum { N = 10 };
    double phase[2][N], whole[N];
    for (int r = 0; r < N; r++) {
        cJSON *doc = run("duration: 200s\n"
                         "series: 10s\n"
                         "series_metrics: [nodes.w.utilization, nodes.w.workers]\n"
                         "nodes:\n"
                         "  producers: {kind: client, target: q, rate: 15/s}\n"
                         "  q: {kind: queue}\n"
                         "  w: {kind: consumer, source: q, workers: 2, prefetch: 8,\n"
                         "      service: {dist: exponential, mean: 100ms}}\n"
                         "faults:\n"
                         "  - {at: 100s, scale: w, workers: 4}\n",
                         (uint64_t)r + 1);
        const cJSON *u = column(doc, "nodes.w.utilization");
        phase[0][r] = mean_of(u, 1, 10);
        phase[1][r] = mean_of(u, 11, 20);
        whole[r] = utilization_checked(doc, "nodes.w", 3);
        t_expect_delivery_identity(doc, "q");
        cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
        cJSON_Delete(doc);
    }
    t_expect_in_ci("consumer utilization with 2 workers", t_ci_of(phase[0], N, LEVEL), 0.75);
    t_expect_in_ci("consumer utilization with 4 workers", t_ci_of(phase[1], N, LEVEL), 0.375);
    t_expect_in_ci("consumer utilization over the run", t_ci_of(whole, N, LEVEL), 0.5);
}

/* A consumer whose prefetch defaults to its workers, rebooted to 4 workers: the restart
 * subscribes with the new credit, so all 4 work. 1 worker cannot keep up with 15/s (mu =
 * 10/s: ~250 behind at 50 s, drained at 25/s in ~10 s); from 100 s its utilization is rho =
 * 15 / 40 (with the old credit of 1 it would be at most 1/4, and the backlog would grow). */
Test(scaling, a_consumer_rebooted_to_more_workers_subscribes_with_their_credit) {
    enum { N = 10 };
    double after[N];
    for (int r = 0; r < N; r++) {
        cJSON *doc = run("duration: 200s\n"
                         "series: 10s\n"
                         "series_metrics: [nodes.w.utilization]\n"
                         "nodes:\n"
                         "  producers: {kind: client, target: q, rate: 15/s}\n"
                         "  q: {kind: queue}\n"
                         "  w: {kind: consumer, source: q, workers: 1,\n"
                         "      service: {dist: exponential, mean: 100ms}}\n"
                         "faults:\n"
                         "  - {at: 50s, scale: w, workers: 4, downtime: 1s}\n",
                         (uint64_t)r + 1);
        after[r] = mean_of(column(doc, "nodes.w.utilization"), 10, 20);
        t_expect_delivery_identity(doc, "q");
        cJSON_Delete(doc);
    }
    t_expect_in_ci("consumer utilization after the reboot", t_ci_of(after, N, LEVEL), 0.375);
}

/* The consumer scaled down below its busy workers (60/s keep its 4 workers of 10/s busy):
 * the ones over the count finish what they process (nothing lost, the identity holds) and
 * then stop; the count is 1 once they did. */
Test(scaling, a_consumer_scaled_down_loses_nothing_in_progress) {
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cJSON *doc = run("duration: 100s\n"
                         "series: 10s\n"
                         "series_metrics: [nodes.w.workers]\n"
                         "nodes:\n"
                         "  producers: {kind: client, target: q, rate: 60/s}\n"
                         "  q: {kind: queue}\n"
                         "  w: {kind: consumer, source: q, workers: 4, prefetch: 8,\n"
                         "      service: {dist: exponential, mean: 100ms}}\n"
                         "faults:\n"
                         "  - {at: 50s, scale: w, workers: 1}\n",
                         seed);
        t_expect_delivery_identity(doc, "q");
        cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
        const cJSON *w = column(doc, "nodes.w.workers");
        cr_expect_eq(cell(w, 4), 4);
        /* Busy workers over the count stop within their service times (mean 100 ms). */
        cr_expect(cell(w, 5) > 1 && cell(w, 5) < 1.5, "(50 s, 60 s]: %g", cell(w, 5));
        cr_expect_eq(cell(w, 6), 1);
        cJSON_Delete(doc);
    }
}

/* A counter store (1 worker, mean 200 us, 3000 checks/s: rho 0.6) scaled live to 2 at 5 s:
 * every allowed check reached it, and its utilization is 0.6 / 1.5 over the run. */
Test(scaling, a_counter_store_scaled_live_keeps_its_figures_right) {
    enum { N = 10 };
    double whole[N];
    for (int r = 0; r < N; r++) {
        cJSON *doc = run("duration: 10s\n"
                         "series: 1s\n"
                         "series_metrics: [nodes.redis.utilization, nodes.redis.workers]\n"
                         "nodes:\n"
                         "  users: {kind: client, target: rl, rate: 3000/s}\n"
                         "  rl: {kind: rate_limiter, backend: api, algorithm: token_bucket,\n"
                         "       rate: 100000/s, store: redis}\n"
                         "  redis: {kind: counter_store, service: {dist: exponential, mean: "
                         "200us}}\n"
                         "  api: {kind: service, workers: 8, service: 100us}\n"
                         "faults:\n"
                         "  - {at: 5s, scale: redis, workers: 2}\n",
                         (uint64_t)r + 1);
        whole[r] = utilization_checked(doc, "nodes.redis", 1.5);
        cr_expect_eq(t_num(doc, "nodes.redis.checks"),
                     t_num(doc, "nodes.rl.allowed") + t_num(doc, "nodes.rl.denied"));
        t_expect_accounting(doc);
        cJSON_Delete(doc);
    }
    t_expect_in_ci("counter store utilization over the run", t_ci_of(whole, N, LEVEL), 0.4);
}

/* Horizontal: behind a load balancer that picks at random, an instance added at 10 s takes a
 * third of what arrives from then on (binomial), and nothing before. */
Test(scaling, an_added_instance_takes_its_share_at_once) {
    cJSON *doc = run("duration: 20s\n"
                       "nodes:\n"
                       "  users: {kind: client, target: lb, rate: 500/s}\n"
                       "  lb: {kind: load_balancer, backends: web, policy: random}\n"
                       "  web: {kind: service, replicas: 3, active: 2, workers: 4, service: 1ms}\n"
                       "faults:\n"
                       "  - {at: 10s, add: web}\n",
                       1);
    /* Arrivals after 10 s are Poisson(5000), a third of them picked for the added one: its
     * arrivals are Poisson(500 x 10 / 3). */
    double added = t_num(doc, "nodes.web.2.arrivals");
    t_expect_poisson("arrivals at the added instance", added, 500 * 10 / 3.0);
    cJSON_Delete(doc);
}

/* topologies/scaling.yaml tells its story: requests fail (refused) only while web.0 reboots,
 * [30 s, 40 s), and none fails or times out when the same resize is made live; the count of
 * web.0 goes from 4 to 8 at the scale; the spares take traffic only once added. */
Test(scaling, the_example_fails_only_during_the_reboot) {
    char *yaml = t_example("scaling.yaml");
    cJSON *doc = run(yaml, 1);
    const cJSON *t = t_get(t_at(doc, "series"), "t_ms");
    const cJSON *failed = column(doc, "requests.failed");
    const cJSON *workers = column(doc, "nodes.web.0.workers");
    for (int i = 0; i < cJSON_GetArraySize(t); i++) {
        double end = cell(t, i);
        if (end <= 30000 || end > 45000) /* a refusal just before 40 s returns after it */
            cr_expect_eq(cell(failed, i), 0, "interval ending at %g ms", end);
        cr_expect_eq(cell(workers, i), end <= 30000 ? 4 : 8, "interval ending at %g ms", end);
    }
    cr_expect_gt(t_num(doc, "requests.failed"), 0);
    cr_expect_eq(t_num(doc, "nodes.web.0.failed") + t_num(doc, "nodes.web.1.failed"), 0);
    cr_expect_str_eq(t_str(doc, "faults.1.action"), "scale_ready");
    cr_expect_eq(t_num(doc, "faults.1.at_ms"), 40000);
    cr_expect_gt(t_num(doc, "nodes.web.2.arrivals"), 0);
    cr_expect_gt(t_num(doc, "nodes.web.3.arrivals"), 0);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
    /* Live, the tier never has less than 400/s of capacity for at most 700/s. */
    static const char *const live_resize[] = {"faults.0.downtime=0s"};
    doc = t_run_with(yaml, 1, live_resize, 1);
    cr_expect_eq(t_num(doc, "requests.failed"), 0);
    cr_expect_eq(t_num(doc, "requests.timed_out"), 0);
    cJSON_Delete(doc);
    free(yaml);
}

/* A reboot brings back only what it took down: a spare of the group scaled, and an instance
 * crashed before the scale, stay down at its scale_ready (each is resized for its own
 * restart); the others reboot together. */
Test(scaling, a_reboot_restarts_only_the_instances_it_took_down) {
    cJSON *doc = run("duration: 30s\n"
                     "nodes:\n"
                     "  users: {kind: client, target: lb, rate: 10/s}\n"
                     "  lb: {kind: load_balancer, backends: web}\n"
                     "  web: {kind: service, replicas: 4, active: 3, service: 1ms}\n"
                     "faults:\n"
                     "  - {at: 5s, crash: web.1}\n"
                     "  - {at: 10s, scale: web, workers: 2, downtime: 5s}\n",
                     1);
    /* A node's entry says "crashed": true only when it is down at the end. */
    const cJSON *nodes = t_get(doc, "nodes");
    static const bool down[] = {false, true, false, true};
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "web.%d", i);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(t_get(nodes, name), "crashed");
        cr_expect_eq(cJSON_IsTrue(c), down[i], "%s down at the end: %d", name, cJSON_IsTrue(c));
    }
    cr_expect_str_eq(t_str(doc, "faults.2.action"), "scale_ready");
    cJSON_Delete(doc);
}
