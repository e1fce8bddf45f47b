/* The tail-latency breakdown (requests.latency_breakdown, checkers/breakdown.h): its parts
 * add up to each band's latency, and they match closed forms where there are some:
 *   - M/M/1 at rho = 0.9 behind a fixed one-way network delay d: over all requests, mean
 *     queue time rho/(mu - lambda), mean service 1/mu, network exactly 2d; the slowest 1%
 *     queue a larger share of their latency than the fastest half. Means are over seeded
 *     replications, theory inside the 99.9% Student-t interval (support.h).
 *   - a client retrying a target that is down: the request that completes on its third retry
 *     backed off exactly 10 + 20 + 40 ms;
 *   - sync replication with a fixed replication delay and no network delay holds each write
 *     at the primary for that delay; async holds it for nothing.
 * And the ledger table's size follows the requests in flight, never the run's length. */
#include "support.h"

#include "engine.h"
#include "ledger.h"
#include "loader.h"
#include "metrics.h"
#include "models.h"
#include "sandbox.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const bands[] = {"p0_50", "p50_90", "p90_99", "p99_100"};
#define NBANDS 4

/* network_ms + every nodes.*.*_ms of band b. */
static double parts_sum(const cJSON *b) {
    double sum = t_num(b, "network_ms");
    const cJSON *group, *cat;
    cJSON_ArrayForEach(group, t_get(b, "nodes")) cJSON_ArrayForEach(cat, group) {
        cr_expect(cJSON_IsNumber(cat), "%s.%s is a number", group->string, cat->string);
        sum += cat->valuedouble;
    }
    return sum;
}

/* The breakdown's figures of doc, or NULL when it has none. */
static const cJSON *breakdown_of(const cJSON *doc) {
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "requests"),
                                            "latency_breakdown");
}

/* The invariant a renderer relies on, and the bands' counts adding up to the completions. */
static void expect_consistent(const char *what, const cJSON *doc) {
    const cJSON *bd = breakdown_of(doc);
    if (t_num(doc, "requests.completed") == 0) {
        cr_expect_null(bd, "%s: no completed request, no breakdown", what);
        return;
    }
    cr_assert_not_null(bd, "%s: completed requests have a breakdown", what);
    double count = 0;
    for (int i = 0; i < NBANDS; i++) {
        const cJSON *b = t_get(bd, bands[i]);
        double lat = t_num(b, "latency_ms"), sum = parts_sum(b);
        cr_expect(fabs(sum - lat) <= 1e-9 * fabs(lat) + 1e-12, "%s %s: parts %.17g, latency %.17g",
                  what, bands[i], sum, lat);
        count += t_num(b, "requests");
    }
    /* each band's count is rounded to a whole request */
    cr_expect(fabs(count - t_num(doc, "requests.completed")) <= 2, "%s: %g requests in bands", what,
              count);
}

Test(breakdown, parts_add_up_to_latency_in_every_band_of_every_example) {
    char **names = t_examples();
    for (char **p = names; *p; p++) {
        const char *sets[T_SHORTEN_MAX];
        size_t nsets = t_shortened(*p, sets);
        char *yaml = t_example(*p);
        cJSON *doc = t_run_with(yaml, 1, sets, nsets);
        expect_consistent(*p, doc);
        cJSON_Delete(doc);
        free(yaml);
    }
    t_names_free(names);
}

/* lambda = 90/s, mu = 100/s, a fixed network latency of 2 ms each way. */
static const char mm1[] = "duration: 2000s\n"
                          "warmup: 200s\n"
                          "network: {latency: 2ms}\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 90/s}\n"
                          "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";
#define REPS 20
#define LEVEL 0.999

/* The mean of a figure over all the requests (the bands weighted by their counts). */
static double overall(const cJSON *bd, const char *path) {
    double sum = 0, n = 0;
    for (int i = 0; i < NBANDS; i++) {
        const cJSON *b = t_get(bd, bands[i]);
        sum += t_num(b, "requests") * t_num(b, path);
        n += t_num(b, "requests");
    }
    return sum / n;
}

Test(breakdown, mm1_behind_a_network_matches_closed_form) {
    const double lambda = 90, mu = 100, rho = lambda / mu;
    double queue[REPS], service[REPS];
    for (int r = 0; r < REPS; r++) {
        cJSON *doc = t_run(mm1, (uint64_t)r + 1);
        const cJSON *bd = breakdown_of(doc);
        cr_assert_not_null(bd);
        queue[r] = overall(bd, "nodes.web.queue_ms");
        service[r] = overall(bd, "nodes.web.service_ms");
        for (int i = 0; i < NBANDS; i++) /* every request crosses the wire twice */
            cr_expect_float_eq(t_num(t_get(bd, bands[i]), "network_ms"), 4.0, 1e-9, "%s", bands[i]);
        /* the breakdown's mean latency is the document's (up to the bands' rounded counts) */
        cr_expect_float_eq(overall(bd, "latency_ms"), t_num(doc, "requests.latency_ms.mean"),
                           1e-4 * t_num(doc, "requests.latency_ms.mean"));
        /* queueing makes the tail: the slowest 1% spend a larger share queueing */
        const cJSON *fast = t_get(bd, "p0_50"), *slow = t_get(bd, "p99_100");
        cr_expect_gt(t_num(slow, "nodes.web.queue_ms") / t_num(slow, "latency_ms"),
                     t_num(fast, "nodes.web.queue_ms") / t_num(fast, "latency_ms"));
        cJSON_Delete(doc);
    }
    t_expect_in_ci("mean queue ms", t_ci_of(queue, REPS, LEVEL), 1000 * rho / (mu - lambda));
    t_expect_in_ci("mean service ms", t_ci_of(service, REPS, LEVEL), 1000 / mu);
}

/* The target is down over [0, 5.05 s); requests every 100 ms retry after 10, 20 and 40 ms
 * (no jitter). Only the request of 5.0 s completes after retrying (its third retry at
 * 5.07 s), with 70 ms of backoff and 1 ms of service; every other completion backed off for
 * nothing. It is the slowest of ~49 completions: the p99_100 band is (a share of) it alone. */
Test(breakdown, backoff_is_the_configured_one_where_it_is_deterministic) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 100ms, retries: 3,\n"
                               "          backoff: 10ms, jitter: none}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: web, duration: 5.05s}\n";
    cJSON *doc = t_run(yaml, 1);
    expect_consistent("retries", doc);
    const cJSON *bd = breakdown_of(doc), *slow = t_get(bd, "p99_100");
    cr_expect_float_eq(t_num(slow, "latency_ms"), 71.0, 1e-9);
    cr_expect_float_eq(t_num(slow, "nodes.users.backoff_ms"), 70.0, 1e-9);
    cr_expect_float_eq(t_num(slow, "nodes.web.service_ms"), 1.0, 1e-9);
    cr_expect_eq(t_num(t_get(bd, "p0_50"), "nodes.users.backoff_ms"), 0);
    cJSON_Delete(doc);
}

/* Backoff with random loss and time-outs: the slow bands are those that backed off. */
Test(breakdown, backoff_shows_in_the_slow_bands_of_a_lossy_run) {
    static const char yaml[] = "duration: 60s\n"
                               "network: {latency: 1ms, loss: 0.05}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 200/s, timeout: 50ms,\n"
                               "          retries: 3, backoff: 20ms}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 2ms}}\n";
    cJSON *doc = t_run(yaml, 3);
    expect_consistent("lossy retries", doc);
    const cJSON *bd = breakdown_of(doc);
    /* ~10% of the requests lose a copy and retry: the slowest 1% all did */
    cr_expect_gt(t_num(t_get(bd, "p99_100"), "nodes.users.backoff_ms"), 0);
    cr_expect_eq(t_num(t_get(bd, "p0_50"), "nodes.users.backoff_ms"), 0);
    cJSON_Delete(doc);
}

/* Writes only, to the primary; replication delay fixed at 20 ms, no network delay. */
static const char db[] = "duration: 30s\n"
                         "warmup: 2s\n"
                         "nodes:\n"
                         "  users: {kind: client, target: db.0, rate: 100/s, ops: {write: 1}}\n"
                         "  db: {kind: database, replicas: 3, workers: 16, service: 1ms,\n"
                         "       replication: sync, replication_delay: 20ms}\n";

Test(breakdown, sync_replication_waits_the_replication_delay_async_none) {
    cJSON *doc = t_run(db, 1);
    expect_consistent("sync", doc);
    const cJSON *bd = breakdown_of(doc);
    for (int i = 0; i < NBANDS; i++)
        cr_expect_float_eq(t_num(t_get(bd, bands[i]), "nodes.db.replication_wait_ms"), 20.0, 1e-6,
                           "%s", bands[i]);
    cJSON_Delete(doc);
    static const char *const async[] = {"nodes.db.replication=async"};
    doc = t_run_with(db, 1, async, 1);
    expect_consistent("async", doc);
    bd = breakdown_of(doc);
    for (int i = 0; i < NBANDS; i++) {
        const cJSON *group =
            cJSON_GetObjectItemCaseSensitive(t_get(t_get(bd, bands[i]), "nodes"), "db");
        cr_expect_null(cJSON_GetObjectItemCaseSensitive(group, "replication_wait_ms"),
                       "%s: async writes wait for no replica", bands[i]);
    }
    cJSON_Delete(doc);
}

/* A million requests at rho = 0.5: the table never holds more ledgers than requests were in
 * flight at once (P(more than 60 in an M/M/1 at rho 0.5) = 0.5^60), and at the end exactly
 * those in flight. */
Test(breakdown, the_ledger_table_follows_the_requests_in_flight) {
    static const char yaml[] = "duration: 10000s\n"
                               "warmup: 0s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert_not_null(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert_not_null(e);
    size_t most = 0;
    for (int k = 1; k <= 100; k++) {
        cr_assert_eq(sim_engine_run_until(e, (sim_time)k * 100 * 1000000000LL), 0);
        size_t open = sim_ledger_open_count(e);
        most = open > most ? open : most;
        cr_expect_leq(sim_ledger_slot_count(e), 64, "at %d00 s", k);
    }
    cr_expect_leq(most, 64);
    cr_expect_gt(sim_engine_events(e), 2000000); /* a million requests went through */
    sim_engine_free(e);
    sim_topology_free(t);
}

Test(breakdown, two_runs_are_byte_identical) {
    static const char yaml[] =
        "duration: 20s\n"
        "network: {latency: {dist: exponential, mean: 1ms}, loss: 0.01}\n"
        "nodes:\n"
        "  users: {kind: client, target: web, rate: 300/s, timeout: 30ms,\n"
        "          retries: 2}\n"
        "  web: {kind: service, workers: 2, calls: [db],\n"
        "        service: {dist: exponential, mean: 3ms}}\n"
        "  db: {kind: database, replicas: 2, replication: sync, service: 1ms,\n"
        "       replication_delay: {dist: uniform, min: 1ms, max: 5ms}}\n";
    char *a = t_run_text(yaml, 5), *b = t_run_text(yaml, 5);
    cr_expect_str_eq(a, b);
    cr_expect(strstr(a, "\"latency_breakdown\""), "the document has the breakdown");
    free(a);
    free(b);
}

/* An expect: path into the breakdown is one a run can have (sim_engine_can_have, what
 * `dsim run` checks expect: paths with); a category under a band, outside its nodes, is not. */
Test(breakdown, expect_paths_into_the_breakdown_are_known) {
    static const char yaml[] = "duration: 5s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 10/s}\n"
                               "  web: {kind: service, service: 1ms}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert_not_null(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert_not_null(e);
    static const char *const known[] = {
        "requests.latency_breakdown.p99_100.nodes.web.queue_ms",
        "requests.latency_breakdown.p0_50.network_ms",
        "requests.latency_breakdown.p90_99.latency_ms",
        "requests.latency_breakdown.p50_90.requests",
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        char *near = NULL;
        cr_expect_eq(sim_engine_can_have(e, known[i], &near), SIM_LOOKUP_OK, "%s", known[i]);
        free(near);
    }
    char *near = NULL;
    cr_expect_eq(sim_engine_can_have(e, "requests.latency_breakdown.p99_100.queue_ms", &near),
                 SIM_LOOKUP_NO_FIGURE);
    free(near);
    sim_engine_free(e);
    sim_topology_free(t);
}
