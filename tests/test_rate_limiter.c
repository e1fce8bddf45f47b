/* Rate limiting: the algorithms driven directly on synthetic timelines (blocks/ratelimit_algo.h),
 * then the rate_limiter and counter_store kinds in whole runs. Every bound checked here is the
 * algorithm's own guarantee on integer nanosecond times (the bucket interval is whole ns), so
 * the comparisons are exact; the only statistical claims are "an overloaded key fills its
 * quota in every window", whose failure probability is given where it is used. */
#include "ratelimit_algo.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS ((sim_time)1000000)
#define S ((sim_time)1000000000)

/* ---- the algorithms on synthetic timelines ---- */

/* Admitted (released) times of a run of arrivals through one counter. */
typedef struct timeline {
    sim_time *t;
    size_t n;
} timeline;

static timeline run_counter(const rl_limit *l, const sim_time *arrivals, size_t n) {
    timeline out = {calloc(n ? n : 1, sizeof(sim_time)), 0};
    cr_assert(out.t);
    rl_counter c = {0};
    for (size_t i = 0; i < n; i++) {
        sim_time release = -1;
        int v = rl_check(&c, l, arrivals[i], &release);
        cr_assert_geq(v, 0);
        if (v) {
            cr_assert_geq(release, arrivals[i]);
            out.t[out.n++] = release;
        }
    }
    rl_counter_reset(&c);
    return out;
}

/* Poisson arrivals at rate_per_s over [0, span), integer ns, from a fixed GSL stream. When
 * bursty, the rate alternates between 4x and 0.25x every 700 ms (not a divisor of the windows
 * used, so bursts fall across window boundaries at every phase). */
static sim_time *poisson(double rate_per_s, sim_time span, bool bursty, unsigned long seed,
                         size_t *n) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, seed);
    size_t cap = 1024;
    sim_time *a = malloc(cap * sizeof *a), t = 0;
    cr_assert(a);
    *n = 0;
    for (;;) {
        double rate = rate_per_s;
        if (bursty)
            rate *= (t / (700 * MS)) % 2 ? 0.25 : 4;
        t += (sim_time)(gsl_ran_exponential(r, 1e9 / rate) + 0.5);
        if (t >= span)
            break;
        if (*n == cap) {
            a = realloc(a, (cap *= 2) * sizeof *a);
            cr_assert(a);
        }
        a[(*n)++] = t;
    }
    gsl_rng_free(r);
    return a;
}

/* The most times of tl within any half-open window [a, a + w). */
static size_t max_in_window(const timeline *tl, sim_time w) {
    size_t best = 0;
    for (size_t i = 0, j = 0; i < tl->n; i++) { /* window starting at t[i] */
        while (j < tl->n && tl->t[j] < tl->t[i] + w)
            j++;
        if (j - i > best)
            best = j - i;
    }
    return best;
}

Test(rate_limiter, token_bucket_admits_at_most_rT_plus_b_in_every_window) {
    /* GCRA bound: n admissions within a closed span T need T >= (n - b) I, i.e. for every
     * pair i <= j of admissions, (j - i + 1 - b) I <= t_j - t_i. With g_k = k I - t_k that is
     * g_j - min_{i<=j} g_i <= (b - 1) I: one pass checks every window of every length. */
    rl_limit l = {.algo = RL_TOKEN_BUCKET, .interval = rl_interval_of(100), .burst = 20};
    for (int bursty = 0; bursty < 2; bursty++) {
        size_t n;
        sim_time *a = poisson(300, 1000 * S, bursty, 7, &n); /* 3x overload on average */
        timeline tl = run_counter(&l, a, n);
        int64_t min_g = INT64_MAX, worst = INT64_MIN;
        for (size_t k = 0; k < tl.n; k++) {
            int64_t g = (int64_t)k * l.interval - tl.t[k];
            if (g < min_g)
                min_g = g;
            if (g - min_g > worst)
                worst = g - min_g;
        }
        cr_expect_leq(worst, (l.burst - 1) * l.interval,
                      "bursty=%d: some window holds more than rT + b admissions", bursty);
        /* Over the whole run: at most r T + b (a sanity check on the totals). */
        cr_expect_leq((int64_t)tl.n, 1000 * S / l.interval + l.burst);
        cr_log_info("token bucket, bursty=%d: %zu of %zu admitted; closest window %.2f "
                    "requests under r T + b", bursty, tl.n, n,
                    (double)((l.burst - 1) * l.interval - worst) / (double)l.interval);
        free(tl.t);
        free(a);
    }
}

Test(rate_limiter, token_bucket_spends_its_burst_then_one_per_interval) {
    rl_limit l = {.algo = RL_TOKEN_BUCKET, .interval = 10 * MS, .burst = 5};
    sim_time a[1000];
    for (int i = 0; i < 1000; i++)
        a[i] = (i + 1) * MS; /* 1000/s against 100/s */
    timeline tl = run_counter(&l, a, 1000);
    /* 5 at 1..5 ms (the full bucket), then one each time the GCRA allows it: 11, 21, ... ms. */
    cr_assert_eq(tl.n, 5 + 99);
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq(tl.t[i], (sim_time)(i + 1) * MS);
    for (size_t i = 5; i < tl.n; i++)
        cr_expect_eq(tl.t[i], (sim_time)(11 + 10 * (i - 5)) * MS);
    /* The bound r T + b is attained: [1 ms, 11 ms] (T = 10 ms) holds 1 + 5 = 6. */
    cr_expect_eq(max_in_window(&tl, 10 * MS + 1), 6);
    free(tl.t);
}

Test(rate_limiter, fixed_window_admits_twice_the_limit_across_a_boundary) {
    /* 15 requests 1 ms before the boundary at 1 s and 15 right at it: limit 10 per window. */
    rl_limit fw = {.algo = RL_FIXED_WINDOW, .limit = 10, .window = S};
    rl_limit log = {.algo = RL_SLIDING_LOG, .limit = 10, .window = S};
    sim_time a[30];
    for (int i = 0; i < 15; i++)
        a[i] = S - MS, a[15 + i] = S;
    timeline f = run_counter(&fw, a, 30), g = run_counter(&log, a, 30);
    cr_expect_eq(f.n, 20, "fixed window: %zu admitted", f.n);
    cr_expect_eq(max_in_window(&f, 2 * MS), 20, "fixed window: not 2 x limit within 2 ms");
    cr_expect_eq(g.n, 10, "sliding log: %zu admitted", g.n);
    cr_expect_eq(max_in_window(&g, S), 10);
    free(f.t);
    free(g.t);
}

Test(rate_limiter, sliding_log_never_exceeds_the_limit_in_any_window) {
    rl_limit l = {.algo = RL_SLIDING_LOG, .limit = 50, .window = S};
    rl_limit fw = {.algo = RL_FIXED_WINDOW, .limit = 50, .window = S};
    size_t n;
    sim_time *a = poisson(150, 500 * S, true, 11, &n);
    timeline tl = run_counter(&l, a, n), f = run_counter(&fw, a, n);
    size_t m = max_in_window(&tl, l.window), mf = max_in_window(&f, fw.window);
    cr_log_info("sliding log: max %zu in a window; fixed window on the same arrivals: %zu", m,
                mf);
    cr_expect_eq(m, 50, "sliding log: max %zu in a window of 1 s, limit 50", m);
    /* The same bursty arrivals push the fixed window past its limit (at most 2x). */
    cr_expect_gt(mf, 50);
    cr_expect_leq(mf, 100);
    free(tl.t);
    free(f.t);
    free(a);
}

/* Checks the sliding-window bound on every window [kW + x, (k+1)W + x) of tl: fewer than
 * limit + 1 + p_k x / W admissions, p_k being the admissions of aligned window k (the
 * derivation is in docs/topology.md). Count minus bound can only peak where the count just rose, at
 * x = t_j - W + 1 ns for an admission t_j, or at x = 0: those are the starts tried. Returns the
 * largest count seen in a window of length W. */
static size_t check_sliding_bound(const timeline *tl, const rl_limit *l) {
    size_t best = 0;
    sim_time w = l->window;
    sim_time last = tl->n ? tl->t[tl->n - 1] : 0;
    size_t nwin = (size_t)(last / w) + 2;
    int64_t *per = calloc(nwin, sizeof *per);
    cr_assert(per);
    for (size_t i = 0; i < tl->n; i++)
        per[tl->t[i] / w]++;
    for (size_t j = 0; j <= tl->n; j++) {
        sim_time starts[2] = {j < tl->n ? tl->t[j] - w + 1 : 0, j < tl->n ? -1 : 0};
        if (j < tl->n) /* also the aligned start of the window t_j falls in */
            starts[1] = tl->t[j] - tl->t[j] % w;
        for (int s = 0; s < 2; s++) {
            sim_time a = starts[s];
            if (a < 0)
                continue;
            size_t k = (size_t)(a / w);
            sim_time x = a - (sim_time)k * w;
            size_t cnt = 0;
            for (size_t i = 0; i < tl->n; i++) /* the times are sorted: count [a, a + w) */
                if (tl->t[i] >= a && tl->t[i] < a + w)
                    cnt++;
                else if (tl->t[i] >= a + w)
                    break;
            double bound = (double)l->limit + 1 + (double)per[k] * (double)x / (double)w;
            cr_expect_lt((double)cnt, bound, "window at %lld ns: %zu admitted, bound %.3f",
                         (long long)a, cnt, bound);
            if (cnt > best)
                best = cnt;
        }
    }
    free(per);
    return best;
}

Test(rate_limiter, sliding_window_stays_within_its_approximation_bound) {
    rl_limit l = {.algo = RL_SLIDING_WINDOW, .limit = 20, .window = S};
    size_t n;
    sim_time *a = poisson(60, 300 * S, true, 5, &n);
    timeline tl = run_counter(&l, a, n);
    size_t m = check_sliding_bound(&tl, &l);
    cr_log_info("sliding window: %zu admitted of %zu, max %zu in a window (limit 20)", tl.n, n,
                m);
    free(tl.t);
    free(a);
    /* The adversarial case of the bound: 10 at the very end of window 0, then steady
     * arrivals every 10 ms through window 1. The weight of the previous window falls
     * linearly, admitting one request about every 100 ms: 20 = 2 x limit within one window. */
    rl_limit l10 = {.algo = RL_SLIDING_WINDOW, .limit = 10, .window = S};
    sim_time b[110];
    for (int i = 0; i < 10; i++)
        b[i] = S - MS;
    for (int i = 0; i < 100; i++)
        b[10 + i] = S + (sim_time)i * 10 * MS;
    timeline adv = run_counter(&l10, b, 110);
    size_t madv = check_sliding_bound(&adv, &l10);
    cr_expect_eq(madv, 20, "adversarial: %zu in one window", madv);
    free(adv.t);
}

Test(rate_limiter, sliding_window_matches_cloudflares_example) {
    /* Cloudflare (2017): limit 50 per minute, 42 in the previous minute, 18 in the current
     * one 15 s in: 42 x 45/60 + 18 = 49.5 < 50, admitted; the next is at 50.5, denied. */
    rl_limit l = {.algo = RL_SLIDING_WINDOW, .limit = 50, .window = 60 * S};
    rl_counter c = {0};
    sim_time rel;
    for (int i = 0; i < 42; i++)
        cr_assert_eq(rl_check(&c, &l, 30 * S, &rel), 1);
    for (int i = 0; i < 18; i++) /* admitted: 42 x 46/60 + 17 = 49.2 < 50 */
        cr_assert_eq(rl_check(&c, &l, 74 * S, &rel), 1);
    cr_expect_eq(rl_check(&c, &l, 75 * S, &rel), 1);
    cr_expect_eq(rl_check(&c, &l, 75 * S, &rel), 0);
    rl_counter_reset(&c);
}

Test(rate_limiter, leaky_bucket_releases_one_per_interval_and_bounds_its_queue) {
    rl_limit l = {.algo = RL_LEAKY_BUCKET, .interval = 10 * MS, .burst = 8};
    size_t n;
    sim_time *a = poisson(300, 200 * S, true, 3, &n);
    rl_counter c = {0};
    sim_time prev = -1;
    size_t admitted = 0;
    for (size_t i = 0; i < n; i++) {
        sim_time rel = -1;
        int v = rl_check(&c, &l, a[i], &rel);
        cr_assert_geq(v, 0);
        if (!v)
            continue;
        admitted++;
        if (prev >= 0) /* releases one interval apart at least (FIFO) */
            cr_expect_geq(rel - prev, l.interval);
        /* waiting ahead of it: at most burst - 1 others, so it waits < burst intervals */
        cr_expect_lt(rel - a[i], l.burst * l.interval);
        prev = rel;
    }
    cr_expect_leq((sim_time)admitted, (prev - a[0]) / l.interval + 1);
    rl_counter_reset(&c);
    free(a);
}

Test(rate_limiter, counter_table_keeps_counters_apart) {
    rl_table t;
    rl_table_init(&t);
    rl_limit l = {.algo = RL_FIXED_WINDOW, .limit = 3, .window = S};
    sim_time rel;
    for (uint64_t k = 0; k < 1000; k++) /* namespace 0 and 1 apart; grows past 16 slots */
        for (uint32_t ns = 0; ns < 2; ns++)
            for (int i = 0; i < 4; i++)
                cr_assert_eq(rl_check(rl_table_get(&t, ns, k), &l, 0, &rel), i < 3);
    cr_expect_eq(t.n, 2000);
    rl_table_free(&t);
}

/* ---- whole runs ---- */

/* A burst at the end of window 1 and one at the start of window 2: 12 clients issue once at
 * 1 s over a 900 ms link (reaching the limiter at 1.9 s), 12 others once at 2 s over a 0 s
 * link (at 2.0 s). Limit 10 per 1 s window. */
static const char *boundary_yaml =
    "duration: 5s\n"
    "network:\n"
    "  links: [{from: early, to: rl, latency: 900ms}]\n"
    "nodes:\n"
    "  early: {kind: client, replicas: 12, target: rl, arrival: 1s, requests: 1}\n"
    "  late: {kind: client, replicas: 12, target: rl, arrival: 2s, requests: 1}\n"
    "  rl: {kind: rate_limiter, backend: api, algorithm: fixed_window, limit: 10}\n"
    "  api: {kind: service, service: 1ms, workers: 30}\n";

Test(rate_limiter, run_fixed_window_admits_twice_the_limit_at_a_boundary) {
    cJSON *doc = t_run(boundary_yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.rl.allowed"), 20);
    cr_expect_eq(t_num(doc, "nodes.rl.denied"), 4);
    cr_expect_eq(t_num(doc, "nodes.rl.max_in_window"), 20, "2 x limit within 100 ms");
    cr_expect_eq(t_num(doc, "nodes.rl.ideal_in_window"), 10);
    cr_expect_eq(t_num(doc, "requests.completed"), 20);
    cr_expect_eq(t_num(doc, "requests.rejected"), 4);
    cJSON_Delete(doc);
    /* Sliding log and sliding window on the same timeline admit 10 and no more. */
    static const char *const algos[] = {"nodes.rl.algorithm=sliding_log",
                                        "nodes.rl.algorithm=sliding_window"};
    for (int i = 0; i < 2; i++) {
        doc = t_run_with(boundary_yaml, 1, &algos[i], 1);
        cr_expect_eq(t_num(doc, "nodes.rl.allowed"), 10, "%s", algos[i]);
        cr_expect_eq(t_num(doc, "nodes.rl.max_in_window"), 10, "%s", algos[i]);
        cJSON_Delete(doc);
    }
}

/* 1000 requests per second, one every millisecond from 1 ms on, against 100 per second. */
static const char *overload_yaml =
    "duration: 10500ms\n"
    "nodes:\n"
    "  users: {kind: client, target: rl, arrival: 1ms}\n"
    "  rl: {kind: rate_limiter, backend: api, algorithm: fixed_window, limit: 100}\n"
    "  api: {kind: service, service: 1ms, workers: 4}\n";

Test(rate_limiter, run_overload_admits_the_limit_per_window) {
    /* Windows [k, k+1) s for k = 0..9 and the half window [10, 10.5) s each get at least
     * 500 arrivals: exactly 100 admitted in each, 1100 in all. */
    cJSON *doc = t_run(overload_yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.rl.allowed"), 1100);
    /* Admitted: the first 100 arrivals of every window, 1..100 ms in window 0, then
     * k s .. k s + 99 ms. The span (0, 1 s] holds window 0's 100 and the first of window 1:
     * 101, the fixed window's boundary effect in miniature; every later span holds 100. */
    cr_expect_eq(t_num(doc, "nodes.rl.max_in_window"), 101);
    cr_expect_eq(t_num(doc, "nodes.users.rejected"), t_num(doc, "nodes.rl.denied"));
    cr_expect_eq(t_num(doc, "nodes.users.issued"),
                 t_num(doc, "nodes.rl.allowed") + t_num(doc, "nodes.rl.denied"));
    cr_expect_eq(t_num(doc, "nodes.rl.added_ms.mean"), 0, "local counters add no latency");
    t_expect_accounting(doc);
    cJSON_Delete(doc);
    /* Token bucket, rate 100/s, burst 5: 5 at 1..5 ms, then at 11, 21, ... ms up to 10491 ms
     * (GCRA, see token_bucket_spends_its_burst_then_one_per_interval): 5 + 1049. */
    const char *sets[] = {"nodes.rl.algorithm=token_bucket", "nodes.rl.rate=100/s",
                          "nodes.rl.burst=5", "nodes.rl.limit=0"};
    /* limit is not allowed with the token bucket: the override must be refused. */
    sim_diag *d = NULL;
    sim_topology *t = t_load(overload_yaml, sets, 4, &d);
    cr_expect_null(t, "'limit' with token_bucket was accepted");
    cr_expect_gt(sim_diag_count(d), 0);
    if (sim_diag_count(d))
        cr_expect(strstr(sim_diag_message(d, 0), "'limit' goes with the window algorithms"),
                  "%s", sim_diag_message(d, 0));
    sim_diag_free(d);
    static const char *yaml_tb =
        "duration: 10500ms\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, arrival: 1ms}\n"
        "  rl: {kind: rate_limiter, backend: api, algorithm: token_bucket, rate: 100/s,\n"
        "       burst: 5}\n"
        "  api: {kind: service, service: 1ms, workers: 4}\n";
    doc = t_run(yaml_tb, 1);
    cr_expect_eq(t_num(doc, "nodes.rl.allowed"), 1054);
    cr_expect_eq(t_num(doc, "nodes.rl.ideal_in_window"), 105);
    cr_expect_leq(t_num(doc, "nodes.rl.max_in_window"), 105);
    cJSON_Delete(doc);
}

Test(rate_limiter, overrides_give_keys_their_own_limits) {
    /* Three keys, about 167/s each, fixed windows: key 0 limited to 20, key 1 to 5, key 2 to
     * the default 50. An overloaded key fills its quota in every window unless a window gets
     * fewer arrivals than the limit: P(Poisson(167) < 50) < 1e-20 per window. */
    static const char *yaml =
        "duration: 10s\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, rate: 500/s, keys: {dist: uniform, n: 3}}\n"
        "  rl:\n"
        "    kind: rate_limiter\n"
        "    backend: api\n"
        "    algorithm: fixed_window\n"
        "    limit: 50\n"
        "    per: key\n"
        "    overrides: [{key: 0, limit: 20}, {key: 1, limit: 5}]\n"
        "  api: {kind: service, service: 1ms, workers: 4}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.rl.overrides.0.allowed"), 200);
    cr_expect_eq(t_num(doc, "nodes.rl.overrides.0.ideal_in_window"), 20);
    cr_expect_eq(t_num(doc, "nodes.rl.overrides.1.allowed"), 50);
    cr_expect_eq(t_num(doc, "nodes.rl.overrides.1.ideal_in_window"), 5);
    cr_expect_eq(t_num(doc, "nodes.rl.allowed"), 200 + 50 + 500);
    cr_expect_leq(t_num(doc, "nodes.rl.overrides.1.max_in_window"), 10);
    cr_expect_leq(t_num(doc, "nodes.rl.max_in_window"), 100);
    cr_expect_eq(t_num(doc, "nodes.rl.keys"), 3);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

Test(rate_limiter, store_round_trip_is_the_added_latency) {
    /* Constant 1 ms network, 200 us per check, one request every 10 ms (no queueing): each
     * check takes 1 + 0.2 + 1 ms, and a completed request 1 (to the limiter) + 2.2 + 1 (to
     * the api) + 0.5 (service) + 1 (reply) = 5.7 ms. */
    static const char *yaml =
        "duration: 10s\n"
        "network: {latency: 1ms}\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, arrival: 10ms}\n"
        "  rl: {kind: rate_limiter, backend: api, algorithm: token_bucket, rate: 1000/s,\n"
        "       store: redis}\n"
        "  redis: {kind: counter_store, service: 200us}\n"
        "  api: {kind: service, service: 500us}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_float_eq(t_num(doc, "nodes.rl.check_ms.mean"), 2.2, 1e-9);
    cr_expect_float_eq(t_num(doc, "nodes.rl.added_ms.mean"), 2.2, 1e-9);
    cr_expect_float_eq(t_num(doc, "nodes.users.latency_ms.mean"), 5.7, 1e-9);
    cr_expect_eq(t_num(doc, "nodes.rl.denied"), 0);
    cr_expect_eq(t_num(doc, "nodes.redis.checks"), t_num(doc, "nodes.rl.allowed"));
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* Two limiter replicas share the traffic of 4 keys (~125/s per key); limit 20 per key and
 * 1 s window. With a sharded store the replicas share one counter per key; with local
 * counters each replica has its own. */
static const char *shared_yaml =
    "duration: 10s\n"
    "nodes:\n"
    "  users: {kind: client, target: rl, rate: 500/s, keys: {dist: uniform, n: 4}}\n"
    "  rl: {kind: rate_limiter, replicas: 2, backend: api, algorithm: fixed_window,\n"
    "       limit: 20, per: key, store: redis}\n"
    "  redis: {kind: counter_store, replicas: 3, service: 50us}\n"
    "  api: {kind: service, service: 1ms, workers: 8}\n";

Test(rate_limiter, sharded_store_keeps_per_key_accuracy_and_local_counters_do_not) {
    /* Every key is overloaded in every window (P(Poisson(62.5) < 20) < 1e-9 per replica and
     * window, P(Poisson(125) < 20) far smaller): with shared counters exactly 20 per key and
     * window pass, 4 x 20 x 10 = 800; with local counters each replica admits its own 20,
     * 1600. Checks in service at the end are not decided: the store run may miss a few in
     * the last window only if they were admitted, so 800 is also an upper bound there. */
    cJSON *doc = t_run(shared_yaml, 1);
    double shared = t_num(doc, "nodes.rl.0.allowed") + t_num(doc, "nodes.rl.1.allowed");
    double counters = t_num(doc, "nodes.redis.0.counters") + t_num(doc, "nodes.redis.1.counters") +
                      t_num(doc, "nodes.redis.2.counters");
    cr_expect_eq(shared, 800, "sharded store: %g admitted", shared);
    cr_expect_eq(counters, 4, "each key lives on exactly one shard");
    cr_expect_eq(t_num(doc, "nodes.rl.0.store_errors"), 0);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
    static const char *local_yaml =
        "duration: 10s\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, rate: 500/s, keys: {dist: uniform, n: 4}}\n"
        "  rl: {kind: rate_limiter, replicas: 2, backend: api, algorithm: fixed_window,\n"
        "       limit: 20, per: key}\n"
        "  api: {kind: service, service: 1ms, workers: 8}\n";
    doc = t_run(local_yaml, 1);
    double own = t_num(doc, "nodes.rl.0.allowed") + t_num(doc, "nodes.rl.1.allowed");
    cr_expect_eq(own, 1600, "local counters: %g admitted (2 x 800)", own);
    cr_expect_eq(t_num(doc, "nodes.rl.0.allowed"), 800, "each replica keeps its own limit");
    cr_expect_eq(t_num(doc, "nodes.rl.1.allowed"), 800, "each replica keeps its own limit");
    cJSON_Delete(doc);
}

Test(rate_limiter, store_failure_fails_open_or_closed) {
    /* The store is down from 2 s to 4 s: its checks bounce as failed replies. Fail open
     * admits them (and counts store errors); fail closed denies them. */
    static const char *yaml =
        "duration: 6s\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, arrival: 10ms, timeout: 1s}\n"
        "  rl: {kind: rate_limiter, backend: api, algorithm: token_bucket, rate: 1000/s,\n"
        "       store: redis, store_timeout: 50ms}\n"
        "  redis: {kind: counter_store}\n"
        "  api: {kind: service, service: 1ms}\n"
        "faults:\n"
        "  - {at: 2s, crash: redis, duration: 2s}\n";
    cJSON *doc = t_run(yaml, 1);
    /* 200 arrivals at 2.00 .. 3.99 s. */
    cr_expect_eq(t_num(doc, "nodes.rl.store_errors"), 200);
    cr_expect_eq(t_num(doc, "nodes.rl.denied"), 0);
    cr_expect_eq(t_num(doc, "nodes.users.rejected"), 0);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
    const char *closed[] = {"nodes.rl.on_store_failure=deny"};
    doc = t_run_with(yaml, 1, closed, 1);
    cr_expect_eq(t_num(doc, "nodes.rl.store_errors"), 200);
    cr_expect_eq(t_num(doc, "nodes.rl.denied"), 200);
    cr_expect_eq(t_num(doc, "nodes.users.rejected"), 200);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

Test(rate_limiter, crash_drops_held_requests) {
    /* A leaky bucket holding up to 50 requests (drained at 100/s, fed at 200/s) crashes at
     * 3 s for 1 s: what it held is dropped and those clients time out; nothing is lost. */
    static const char *yaml =
        "duration: 8s\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, rate: 200/s, timeout: 2s}\n"
        "  rl: {kind: rate_limiter, backend: api, algorithm: leaky_bucket, rate: 100/s,\n"
        "       burst: 50}\n"
        "  api: {kind: service, service: 1ms}\n"
        "faults:\n"
        "  - {at: 3s, crash: rl, duration: 1s}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_gt(t_num(doc, "nodes.users.timed_out"), 0);
    cr_expect_gt(t_num(doc, "nodes.users.failed"), 0, "requests to the crashed limiter fail");
    cr_expect_gt(t_num(doc, "nodes.rl.held_mean"), 0);
    /* The queue delays by less than burst intervals: 50 x 10 ms. */
    cr_expect_leq(t_num(doc, "nodes.rl.added_ms.mean"), 500);
    cr_expect_leq(t_num(doc, "nodes.rl.max_in_window"), t_num(doc, "nodes.rl.ideal_in_window"));
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

Test(rate_limiter, same_seed_same_bytes) {
    char *a = t_run_text(shared_yaml, 3), *b = t_run_text(shared_yaml, 3);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(rate_limiter, example_shows_the_fixed_window_boundary_burst) {
    /* topologies/rate_limit.yaml, seed 1: about 80 bursts of 15 requests at random phases of
     * the 1 s windows, so some straddle a boundary and the fixed window passes more than its
     * limit in a 1 s span (at most twice it); the token bucket keeps to r T + b. */
    char *yaml = t_example("rate_limit.yaml");
    cJSON *doc = t_run(yaml, 1);
    free(yaml);
    double fixed = t_num(doc, "nodes.fixed.max_in_window");
    cr_expect_gt(fixed, 10);
    cr_expect_leq(fixed, 20);
    cr_expect_leq(t_num(doc, "nodes.bucket.max_in_window"), 15);
    cr_expect_eq(t_num(doc, "nodes.bucket.ideal_in_window"), 15);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

Test(rate_limiter, bad_keys_are_reported_at_their_line) {
    static const char *yaml =
        "duration: 1s\n"
        "nodes:\n"
        "  users: {kind: client, target: rl, rate: 5/s}\n"
        "  rl: {kind: rate_limiter, backend: users, algorithm: fixed_window, limit: 5,\n"
        "       overrides: [{key: 1, limit: 2}, {key: 1, limit: 3}], store_timeout: 1s}\n";
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, NULL, 0, &d);
    cr_expect_null(t);
    bool per = false, twice = false, store = false;
    for (size_t i = 0; i < sim_diag_count(d); i++) {
        const char *m = sim_diag_message(d, i);
        cr_log_info("%s", m);
        per |= strstr(m, "test.yaml:5:8: error:") && strstr(m, "'overrides' go with 'per: key'");
        twice |= strstr(m, "test.yaml:5:8: error:") && strstr(m, "key 1 is overridden twice");
        store |= strstr(m, "test.yaml:5:61: error:") &&
                 strstr(m, "'store_timeout' goes with 'store'");
    }
    cr_expect(per && twice && store, "missing or misplaced errors");
    sim_diag_free(d);
}

/* Every message duplicated on the network: each copy of a request is admitted or denied on
 * its own, and each admitted copy is released exactly once. The leaky bucket drains 20/s for
 * 20 s, 400 releases, each reaching api twice; what it admitted and did not release is what it
 * still holds, at most its 1000 places. (Two copies share a request id: held by id, the second
 * overwrote the first, which was never released.) */
Test(rate_limiter, duplicated_requests_are_each_released_once) {
    static const char yaml[] = "duration: 20s\n"
                               "network: {latency: {dist: constant, value: 1ms}, duplicate: 1}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lim, rate: 50/s}\n"
                               "  lim: {kind: rate_limiter, backend: api, algorithm: leaky_bucket,\n"
                               "        rate: 20/s, burst: 1000}\n"
                               "  api: {kind: service, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    long long allowed = t_int(doc, "nodes.lim.allowed"), arrivals = t_int(doc, "nodes.api.arrivals");
    cr_expect_eq(arrivals, 800);
    cr_expect_leq(allowed - arrivals / 2, 1000, "admitted %lld, released %lld", allowed,
                  arrivals / 2);
    cJSON_Delete(doc);
}
