/* The load balancer: each policy against its oracle, health checks against their timeline,
 * and the consistent-hash ring as a unit. Oracles and tolerances:
 * - round robin over c exponential servers with Poisson arrivals makes each an E_c/M/1 queue:
 *   GI/M/1 theory (Kleinrock, Queueing Systems vol. 1, 6.4), 99.9% t-intervals over 20 seeds;
 * - deterministic policies (weighted round robin, hashing, health-check timelines on constant
 *   latencies and probe rounds at multiples of the interval) are checked exactly;
 * - random splits against binomial bounds (mean +- 3.29 sd, 99.9%);
 * - the ring's balance against the Beta law of the arcs of N*V uniform points.
 * Every threshold below is derived in the comment above it, not tuned. */
#include "ring.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z999 3.2905

/* ---- round robin: E_c/M/1 ---- */

/* GI/M/1 with Erlang-c interarrivals of phase rate lambda: sigma is the root in (0, 1) of
 * sigma = A*(mu (1 - sigma)), A*(s) = (lambda / (lambda + s))^c; the mean wait is
 * sigma / (mu (1 - sigma)) (Kleinrock vol. 1, eq. 6.31 and 6.35). Bisection: the function
 * A*(mu(1-s)) - s is positive at 0 and negative just below 1 when rho < 1. */
static double ecm1_wait(double lambda, double mu, int c) {
    double lo = 0, hi = 1 - 1e-12;
    for (int i = 0; i < 200; i++) {
        double m = (lo + hi) / 2;
        if (pow(lambda / (lambda + mu * (1 - m)), c) - m > 0)
            lo = m;
        else
            hi = m;
    }
    return lo / (mu * (1 - lo));
}

/* Poisson arrivals at 240/s dealt round robin to 3 exponential servers of rate 100/s: each
 * sees every third arrival, Erlang-3 gaps of mean 12.5 ms (rho = 0.8). Theory: W = 24.59 ms,
 * against 40 ms for M/M/1 at the same load. 20 seeded replications of 200 s after a 20 s
 * warm-up; the theory must lie in each backend's 99.9% t-interval, and M/M/1's above it. */
Test(load_balancer, round_robin_backends_are_erlang_queues) {
    static const char yaml[] = "duration: 220s\n"
                               "warmup: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 240/s}\n"
                               "  lb: {kind: load_balancer, backends: web}\n"
                               "  web: {kind: service, replicas: 3,\n"
                               "        service: {dist: exponential, mean: 10ms}}\n";
    enum { REPS = 20 };
    static const char *const paths[] = {"nodes.web.0.wait_ms.mean", "nodes.web.1.wait_ms.mean",
                                        "nodes.web.2.wait_ms.mean"};
    double out[3 * REPS];
    t_replicate(yaml, REPS, paths, 3, out);
    double theory = ecm1_wait(240, 100, 3) * 1e3, mm1 = 0.8 / (100 - 80) * 1e3;
    for (int b = 0; b < 3; b++) {
        t_ci ci = t_ci_of(out + b * REPS, REPS, 0.999);
        t_expect_in_ci(paths[b], ci, theory);
        cr_expect_lt(ci.mean + ci.half, mm1, "%s: not below M/M/1's %.1f ms", paths[b], mm1);
    }
}

/* ---- least connections vs round robin ---- */

/* Four servers whose requests mostly take 1 ms but one in ten takes 100 ms (mean 10.9 ms,
 * squared coefficient of variation 7.4), at rho = 0.7: round robin queues short requests
 * behind long ones, least connections (join the shortest queue, exact here since the network
 * has no latency) sends them elsewhere. The p99 of the response time over 10 seeds: the
 * 99.9% intervals must not overlap, least connections below. */
Test(load_balancer, least_connections_cuts_the_tail) {
    static const char base[] = "duration: 110s\n"
                               "warmup: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 256/s}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: %s}\n"
                               "  web: {kind: service, replicas: 4,\n"
                               "        service: {dist: empirical, values: [1ms, 1ms, 1ms, 1ms,\n"
                               "                  1ms, 1ms, 1ms, 1ms, 1ms, 100ms]}}\n";
    enum { REPS = 10 };
    static const char *const paths[] = {"requests.latency_ms.p99"};
    double rr[REPS], lc[REPS];
    char yaml[512];
    snprintf(yaml, sizeof yaml, base, "round_robin");
    t_replicate(yaml, REPS, paths, 1, rr);
    snprintf(yaml, sizeof yaml, base, "least_connections");
    t_replicate(yaml, REPS, paths, 1, lc);
    t_ci a = t_ci_of(rr, REPS, 0.999), b = t_ci_of(lc, REPS, 0.999);
    cr_log_info("p99: round robin %.1f +- %.1f ms, least connections %.1f +- %.1f ms", a.mean,
                a.half, b.mean, b.half);
    cr_expect_lt(b.mean + b.half, a.mean - a.half);
}

/* ---- weighted round robin and random ---- */

/* Smooth weighted round robin picks each backend exactly `weight` times per cycle of
 * sum(weights) = 7 requests: 700 requests split 500 / 100 / 100. The group entry sets web.1
 * and web.2 to 1, the instance entry overrides it for web.0 whatever the order written. */
Test(load_balancer, weighted_round_robin_splits_exactly) {
    static const char yaml[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 10/s, requests: 700}\n"
                               "  lb: {kind: load_balancer, backends: web,\n"
                               "       policy: weighted_round_robin, weights: {web.0: 5, web: 1}}\n"
                               "  web: {kind: service, replicas: 3, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert_eq(t_num(doc, "nodes.users.issued"), 700);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.0.requests"), 500);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.requests"), 100);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.2.requests"), 100);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.0.weight"), 5);
    cJSON_Delete(doc);
}

/* Non-integer weights 2.5 : 1 over a cycle of 7 requests (2 cycles of weight 3.5): 10 : 4
 * per 14 requests; 1400 requests give exactly 1000 and 400. */
Test(load_balancer, weighted_round_robin_with_fractional_weights) {
    static const char yaml[] = "duration: 200s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 10/s, requests: 1400}\n"
                               "  lb: {kind: load_balancer, backends: [a, b],\n"
                               "       policy: weighted_round_robin, weights: {a: 2.5}}\n"
                               "  a: {kind: service, service: 1ms}\n"
                               "  b: {kind: service, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.a.requests"), 1000);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.b.requests"), 400);
    cJSON_Delete(doc);
}

/* Random: each of 4 backends gets Binomial(n, 1/4) requests. */
Test(load_balancer, random_splits_binomially) {
    static const char yaml[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 200/s}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: random}\n"
                               "  web: {kind: service, replicas: 4, workers: 4, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 5);
    double n = t_num(doc, "nodes.lb.requests"), sum = 0;
    for (int b = 0; b < 4; b++) {
        char p[64];
        snprintf(p, sizeof p, "nodes.lb.backends.web.%d.requests", b);
        t_expect_binomial(p, t_num(doc, p), n, 0.25);
        sum += t_num(doc, p);
    }
    cr_expect_eq(sum, n);
    cJSON_Delete(doc);
}

/* ---- hashing ---- */

/* With one key every request goes to backend ring_key_hash(0) mod 5, and nowhere else. */
Test(load_balancer, hash_on_one_key_is_sticky) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 100/s}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: hash}\n"
                               "  web: {kind: service, replicas: 5, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    double n = t_num(doc, "nodes.lb.requests");
    cr_assert_gt(n, 1000);
    uint32_t home = (uint32_t)(ring_key_hash(0) % 5);
    for (uint32_t b = 0; b < 5; b++) {
        char p[64];
        snprintf(p, sizeof p, "nodes.lb.backends.web.%u.requests", b);
        cr_expect_eq(t_num(doc, p), b == home ? n : 0, "%s", p);
    }
    cJSON_Delete(doc);
}

/* hash_on: client: each client (node index 0 and 1 here) sticks to ring_key_hash(index)
 * mod 7 whatever its keys. */
Test(load_balancer, hash_on_client_is_sticky) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  u0: {kind: client, target: lb, rate: 50/s,\n"
                               "       keys: {dist: uniform, n: 100}}\n"
                               "  u1: {kind: client, target: lb, rate: 80/s,\n"
                               "       keys: {dist: uniform, n: 100}}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: hash,\n"
                               "       hash_on: client}\n"
                               "  web: {kind: service, replicas: 7, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    double expect[7] = {0};
    expect[ring_key_hash(0) % 7] += t_num(doc, "nodes.u0.issued");
    expect[ring_key_hash(1) % 7] += t_num(doc, "nodes.u1.issued");
    for (int b = 0; b < 7; b++) {
        char p[64];
        snprintf(p, sizeof p, "nodes.lb.backends.web.%d.requests", b);
        cr_expect_eq(t_num(doc, p), expect[b], "%s", p);
    }
    cJSON_Delete(doc);
}

/* n = 1000 uniform keys over 4 backends. The keys of backend b are k_b = #{k < n : h(k) mod
 * 4 = b}: for a good hash ~ Binomial(n, 1/4); requests to b ~ Binomial(R, k_b / n). */
Test(load_balancer, hash_spreads_uniform_keys) {
    static const char yaml[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 200/s,\n"
                               "          keys: {dist: uniform, n: 1000}}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: hash}\n"
                               "  web: {kind: service, replicas: 4, workers: 4, service: 1ms}\n";
    double keys[4] = {0};
    for (uint64_t k = 0; k < 1000; k++)
        keys[ring_key_hash(k) % 4]++;
    cJSON *doc = t_run(yaml, 2);
    double n = t_num(doc, "nodes.lb.requests");
    for (int b = 0; b < 4; b++) {
        char p[64];
        snprintf(p, sizeof p, "keys of web.%d", b);
        t_expect_binomial(p, keys[b], 1000, 0.25);
        snprintf(p, sizeof p, "nodes.lb.backends.web.%d.requests", b);
        t_expect_binomial(p, t_num(doc, p), n, keys[b] / 1000);
    }
    cJSON_Delete(doc);
}

/* Two-sided 99.9% bounds (Bonferroni over `tests` checks) on the ring share of one of N
 * backends with V points each among N*V uniform points: the share is the sum of V of the
 * N*V spacings of the circle, Beta(V, (N - 1) V). */
static void expect_ring_share(const char *what, double share, int N, int V, int tests) {
    double a = 0.001 / tests / 2;
    double lo = gsl_cdf_beta_Pinv(a, V, (double)(N - 1) * V);
    double hi = gsl_cdf_beta_Pinv(1 - a, V, (double)(N - 1) * V);
    cr_log_info("%s: %.4f, bounds [%.4f, %.4f]", what, share, lo, hi);
    cr_expect(share >= lo && share <= hi, "%s: %.4f outside [%.4f, %.4f]", what, share, lo, hi);
}

/* consistent_hash with 100 virtual nodes on 5 backends: each backend's ring share within
 * the Beta bounds (about 1/5 +- 30%), and requests over 10,000 uniform keys split as the
 * ring says (the exact key owners from ring.h), within binomial bounds. */
Test(load_balancer, consistent_hash_follows_the_ring) {
    static const char yaml[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 200/s,\n"
                               "          keys: {dist: uniform, n: 10000}}\n"
                               "  lb: {kind: load_balancer, backends: web,\n"
                               "       policy: consistent_hash}\n"
                               "  web: {kind: service, replicas: 5, workers: 4, service: 1ms}\n";
    ring r;
    cr_assert_eq(ring_build(&r, 5, 100), 0);
    double keys[5] = {0};
    for (uint64_t k = 0; k < 10000; k++)
        keys[ring_owner(&r, ring_key_hash(k))]++;
    cJSON *doc = t_run(yaml, 3);
    double n = t_num(doc, "nodes.lb.requests");
    for (uint32_t b = 0; b < 5; b++) {
        char p[64];
        snprintf(p, sizeof p, "ring share of web.%u", b);
        expect_ring_share(p, ring_share(&r, b), 5, 100, 5);
        snprintf(p, sizeof p, "nodes.lb.backends.web.%u.requests", b);
        t_expect_binomial(p, t_num(doc, p), n, keys[b] / 10000);
    }
    ring_free(&r);
    cJSON_Delete(doc);
}

/* The ring's lookup is the first point at or after the hash (binary search against a
 * linear scan), wrapping past the last point; the shares sum to 1. */
Test(load_balancer, ring_lookup_matches_a_linear_scan) {
    ring r;
    cr_assert_eq(ring_build(&r, 7, 13), 0);
    cr_assert_eq(r.n, 91);
    for (size_t i = 1; i < r.n; i++)
        cr_assert_lt(r.e[i - 1].pos, r.e[i].pos);
    for (uint64_t k = 0; k < 20000; k++) {
        uint64_t h = ring_mix(k * 7919);
        size_t want = 0;
        while (want < r.n && r.e[want].pos < h)
            want++;
        if (want == r.n)
            want = 0;
        cr_assert_eq(ring_find(&r, h), want);
    }
    cr_expect_eq(ring_find(&r, r.e[r.n - 1].pos + 1), 0);
    cr_expect_eq(ring_find(&r, r.e[5].pos), 5);
    double sum = 0;
    for (uint32_t b = 0; b < 7; b++)
        sum += ring_share(&r, b);
    cr_expect_float_eq(sum, 1.0, 1e-12);
    ring_free(&r);
}

/* Adding an 11th backend to a ring of 10 moves only the keys the newcomer takes over: every
 * key that changes owner goes to it, and the fraction moved is its share (Beta(V, 10 V)
 * bounds around 1/11), up to binomial noise over the 100,000 keys checked. */
Test(load_balancer, adding_a_backend_moves_one_in_n_plus_one) {
    enum { N = 10, V = 100, K = 100000 };
    ring a, b;
    cr_assert_eq(ring_build(&a, N, V), 0);
    cr_assert_eq(ring_build(&b, N + 1, V), 0);
    double moved = 0;
    for (uint64_t k = 0; k < K; k++) {
        uint64_t h = ring_key_hash(k);
        uint32_t before = ring_owner(&a, h), after = ring_owner(&b, h);
        if (before != after) {
            cr_assert_eq(after, N, "key %llu moved between old backends",
                         (unsigned long long)k);
            moved++;
        }
    }
    double share = ring_share(&b, N);
    expect_ring_share("share of the new backend", share, N + 1, V, 1);
    t_expect_binomial("keys moved", moved, K, share);
    cr_log_info("moved %.4f of the keys, 1/(N+1) = %.4f", moved / K, 1.0 / (N + 1));
    ring_free(&a);
    ring_free(&b);
}

/* ---- health checks ---- */

/* The timeline. Probes at 0, 1 s, 2 s, ... (interval I = 1 s), timeout 500 ms, out after
 * u = 3 failures, back after h = 2 answers; latency 1 ms each way. web.1 crashes at
 * T = 10.3 s: the probes of 11, 12 and 13 s go unanswered and it is marked down at 13.5 s,
 * within the bound T + u I + timeout = 13.8 s. It restarts at R = 20.3 s: the probes of 21
 * and 22 s are answered at 21.002 and 22.002 s, within R + h I + 2 latency = 22.302 s. */
static const char health_yaml[] =
    "duration: %s\n"
    "warmup: %s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  users: {kind: client, target: lb, rate: 100/s}\n"
    "  lb: {kind: load_balancer, backends: web%s}\n"
    "  web: {kind: service, replicas: 3, service: {dist: exponential, mean: 5ms}}\n"
    "faults:\n"
    "  - {at: 10.3s, crash: web.1}\n"
    "  - {at: 20.3s, restart: web.1}\n";
static const char health_on[] =
    ", health_interval: 1s, health_timeout: 500ms, unhealthy_after: 3, healthy_after: 2";

/* After T + bound + latency (13.801 s) not one request reaches web.1 until its restart: run
 * to 20.3 s with the warm-up there, and the requests counted for it are zero. */
Test(load_balancer, crashed_backend_gets_no_traffic_after_the_bound) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, health_yaml, "20.3s", "13.801s", health_on);
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.requests"), 0);
    cr_expect_not(t_bool(doc, "nodes.lb.backends.web.1.healthy"));
    cr_expect_gt(t_num(doc, "nodes.lb.backends.web.0.requests"), 0);
    /* down over the whole measured window */
    cr_expect_float_eq(t_num(doc, "nodes.lb.backends.web.1.down_ms"), 20300.0 - 13801, 1e-6);
    cr_expect_eq(t_num(doc, "nodes.users.failed"), 0);
    cJSON_Delete(doc);
}

/* Over the whole run: one mark-down, down from 13.5 s to 22.002 s exactly, inside the
 * bounds [R - (T + u I + timeout), R + h I + 2 latency - T]. Traffic after failure runs from
 * the first request refused (or probe unanswered, 11 s) to the mark-down: between
 * (u - 1) I + timeout = 2.5 s and u I + timeout = 3.5 s. Every request sent to web.1 in that
 * window was refused and reached the client as failed, so the counts agree exactly. */
Test(load_balancer, crashed_backend_is_taken_out_and_put_back) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, health_yaml, "30s", "0s", health_on);
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.marked_down"), 1);
    cr_expect(t_bool(doc, "nodes.lb.backends.web.1.healthy"));
    double down = t_num(doc, "nodes.lb.backends.web.1.down_ms");
    cr_expect_float_eq(down, 22002.0 - 13500, 1e-6);
    cr_expect_geq(down, 20300.0 - 13800);
    cr_expect_leq(down, 22302.0 - 10300);
    double after = t_num(doc, "nodes.lb.backends.web.1.traffic_after_failure_ms");
    cr_expect_geq(after, 2500.0);
    cr_expect_leq(after, 3500.0);
    double failed = t_num(doc, "nodes.users.failed");
    cr_expect_gt(failed, 0);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.requests_after_failure"), failed);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.failed"), failed);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.0.marked_down"), 0);
    cr_expect_eq(t_num(doc, "nodes.lb.failed"), 0);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* Back in rotation after R + h I + 2 latency = 22.302 s: round robin over three healthy
 * backends again gives web.1 a third of the requests, to within one. */
Test(load_balancer, restarted_backend_is_back_in_rotation) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, health_yaml, "30s", "22.302s", health_on);
    cJSON *doc = t_run(yaml, 1);
    double n = t_num(doc, "nodes.lb.requests"), k = t_num(doc, "nodes.lb.backends.web.1.requests");
    cr_expect_leq(fabs(k - n / 3), 1.0, "web.1 got %.0f of %.0f", k, n);
    cr_expect_eq(t_num(doc, "nodes.users.failed"), 0);
    cJSON_Delete(doc);
}

/* Without health checks round robin keeps sending web.1 a third of the traffic while it is
 * down: every third request of the 10 s outage fails (refused), several times what gets
 * through before the health checks take it out. */
Test(load_balancer, without_health_checks_a_dead_backend_keeps_its_share) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, health_yaml, "30s", "0s", "");
    cJSON *off = t_run(yaml, 1);
    snprintf(yaml, sizeof yaml, health_yaml, "30s", "0s", health_on);
    cJSON *on = t_run(yaml, 1);
    double n = t_num(off, "nodes.lb.requests"), k = t_num(off, "nodes.lb.backends.web.1.requests");
    cr_expect_leq(fabs(k - n / 3), 1.0);
    double f_off = t_num(off, "nodes.users.failed"), f_on = t_num(on, "nodes.users.failed");
    cr_log_info("failed: %.0f without health checks, %.0f with", f_off, f_on);
    cr_expect_eq(t_num(off, "nodes.lb.backends.web.1.failed"), f_off);
    /* 10 s of outage x 100/s / 3, against at most 3.5 s x 100/s / 3: the 99.9% Poisson
     * bounds of the two counts (about 333 +- 60 and at most 117 + 35) do not meet. */
    cr_expect_gt(f_off, 2 * f_on);
    cr_expect_gt(f_off, 333 - Z999 * sqrt(333.0));
    t_expect_accounting(off);
    cJSON_Delete(off);
    cJSON_Delete(on);
}

/* PING/PONG through a partition: probes from lb to web.1 are cut from 10.3 s to 15.3 s.
 * Unanswered probes at 11, 12, 13 s: down at 13.5 s; answered at 16 and 17 s: up at
 * 17.002 s (down 3502 ms). The first evidence is the probe of 11 s (partitioned requests are
 * not refused, just lost), so traffic after failure is exactly (u - 1) I + timeout = 2.5 s.
 * The requests lost in the partition (out to web.1, or their replies) are written off at the
 * mark-down, so the in-flight count does not keep them, and each of them timed out at the
 * client: the two counts are equal. */
Test(load_balancer, partition_cuts_probes_and_marks_down) {
    static const char yaml[] =
        "duration: 30s\n"
        "network: {latency: 1ms}\n"
        "nodes:\n"
        "  users: {kind: client, target: lb, rate: 100/s, timeout: 1s}\n"
        "  lb: {kind: load_balancer, backends: web, policy: least_connections,\n"
        "       health_interval: 1s, health_timeout: 500ms}\n"
        "  web: {kind: service, replicas: 3, service: {dist: exponential, mean: 5ms}}\n"
        "faults:\n"
        "  - {at: 10.3s, partition: [[lb], [web.1]], duration: 5s}\n";
    cJSON *doc = t_run(yaml, 4);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.1.marked_down"), 1);
    cr_expect_float_eq(t_num(doc, "nodes.lb.backends.web.1.down_ms"), 17002.0 - 13500, 1e-6);
    cr_expect_float_eq(t_num(doc, "nodes.lb.backends.web.1.traffic_after_failure_ms"), 2500.0,
                       1e-6);
    double lost = t_num(doc, "nodes.lb.backends.web.1.written_off");
    cr_expect_gt(lost, 0);
    cr_expect_eq(lost, t_num(doc, "nodes.users.timed_out"));
    t_expect_accounting(doc);
    cJSON_Delete(doc);
    /* After it is back (17.002 s): without the write-off, the lost requests would stay in
     * web.1's count and least_connections would shun it for the rest of the run. The three
     * backends are alike, so each should get about a third of the ~1,300 requests
     * (binomial sd about 17): 80% of web.0's count is 5 sd below. */
    static const char *const sets[] = {"warmup=17.002s"};
    doc = t_run_with(yaml, 4, sets, 1);
    cr_expect_gt(t_num(doc, "nodes.lb.backends.web.1.requests"),
                 0.8 * t_num(doc, "nodes.lb.backends.web.0.requests"));
    cJSON_Delete(doc);
}

/* All backends down: the first requests are refused by the backend, then (after the one
 * failed probe it takes with unhealthy_after: 1: the probe of time 0, timed out at 500 ms)
 * the load balancer fails them itself; every request fails, and the two counts are exact. */
Test(load_balancer, no_healthy_backend_fails_at_once) {
    static const char yaml[] =
        "duration: 10s\n"
        "nodes:\n"
        "  users: {kind: client, target: lb, arrival: 10ms}\n"
        "  lb: {kind: load_balancer, backends: web, health_interval: 1s,\n"
        "       health_timeout: 500ms, unhealthy_after: 1}\n"
        "  web: {kind: service, service: 1ms}\n"
        "faults:\n"
        "  - {at: 0s, crash: web}\n";
    cJSON *doc = t_run(yaml, 1);
    double issued = t_num(doc, "nodes.users.issued");
    cr_expect_eq(issued, 1000);
    cr_expect_eq(t_num(doc, "nodes.users.failed"), issued);
    /* Requests at 10, 20, ..., 490 ms reach the backend and are refused. At 500 ms the
     * probe's timeout (a timer set at 0) comes before the request of that instant (its
     * timer was set at 490 ms): ties go by scheduling order. The other 951 fail at the LB. */
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.failed"), 49);
    cr_expect_eq(t_num(doc, "nodes.lb.failed"), issued - 49);
    cr_expect_float_eq(t_num(doc, "nodes.lb.backends.web.traffic_after_failure_ms"), 500.0,
                       1e-9);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.requests_after_failure"), 49);
    cJSON_Delete(doc);
}

/* ---- proxy overhead, crash of the load balancer, determinism, loader ---- */

/* A request can pass the same load balancer twice (a forwards it back to the load
 * balancer, which sends it to b): the reply unwinds both passes and reaches the client.
 * One request at a time, round robin alternates a, b: each request visits both once. */
Test(load_balancer, a_request_through_twice_finds_its_way_back) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, arrival: 100ms, requests: 50}\n"
                               "  lb: {kind: load_balancer, backends: [a, b]}\n"
                               "  a: {kind: service, service: 1ms, forward: lb}\n"
                               "  b: {kind: service, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    double n = t_num(doc, "nodes.users.issued");
    cr_expect_eq(n, 50);
    cr_expect_eq(t_num(doc, "nodes.users.completed"), n);
    cr_expect_eq(t_num(doc, "nodes.a.completed"), n);
    cr_expect_eq(t_num(doc, "nodes.b.completed"), n);
    cr_expect_eq(t_num(doc, "nodes.lb.requests"), 2 * n);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.a.in_flight"), 0);
    cr_expect_eq(t_num(doc, "nodes.lb.backends.b.in_flight"), 0);
    cJSON_Delete(doc);
}

/* A constant 2 ms `service` adds exactly 2 ms to every response on a zero-latency network:
 * the client's mean latency is the backend's mean sojourn plus 2 ms. */
Test(load_balancer, service_adds_its_delay) {
    static const char yaml[] = "duration: 50s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 50/s, requests: 2000}\n"
                               "  lb: {kind: load_balancer, backends: web, service: 2ms}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert_eq(t_num(doc, "nodes.users.completed"), 2000);
    cr_expect_float_eq(t_num(doc, "nodes.users.latency_ms.mean"),
                       t_num(doc, "nodes.web.sojourn_ms.mean") + 2, 1e-6);
    cr_expect_float_eq(t_num(doc, "nodes.lb.overhead_ms.mean"), 2.0, 1e-9);
    cJSON_Delete(doc);
}

/* The load balancer crashes holding requests in its own delay and others out at backends:
 * the held ones are freed (the sanitizer build checks), the clients time out on all of them,
 * and after the restart traffic flows again with a fresh in-flight table. */
Test(load_balancer, crash_and_restart_of_the_load_balancer) {
    static const char yaml[] =
        "duration: 20s\n"
        "network: {latency: 1ms}\n"
        "nodes:\n"
        "  users: {kind: client, target: lb, rate: 200/s, timeout: 500ms}\n"
        "  lb: {kind: load_balancer, backends: web, policy: least_connections,\n"
        "       service: {dist: exponential, mean: 2ms}, health_interval: 1s}\n"
        "  web: {kind: service, replicas: 2, service: {dist: exponential, mean: 5ms}}\n"
        "faults:\n"
        "  - {at: 5s, crash: lb, duration: 2s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_gt(t_num(doc, "nodes.users.timed_out"), 0);
    cr_expect_gt(t_num(doc, "nodes.users.failed"), 300); /* 2 s x 200/s refused */
    cr_expect_eq(t_num(doc, "nodes.lb.backends.web.0.marked_down"), 0);
    cr_expect_leq(t_num(doc, "nodes.lb.backends.web.0.in_flight"), 10);
    cr_expect_gt(t_num(doc, "nodes.users.completed"), 0.8 * t_num(doc, "nodes.users.issued"));
    cJSON_Delete(doc);
}

/* Same seed, same bytes; with every policy and health checks in play. */
Test(load_balancer, same_seed_same_document) {
    static const char yaml[] =
        "duration: 20s\n"
        "network: {latency: {dist: exponential, mean: 1ms}}\n"
        "nodes:\n"
        "  users: {kind: client, target: lb, rate: 300/s, timeout: 1s,\n"
        "          keys: {dist: zipf, n: 100, s: 1}}\n"
        "  lb: {kind: load_balancer, replicas: 2, backends: [web, api], policy: random,\n"
        "       health_interval: 500ms, service: {dist: exponential, mean: 1ms}}\n"
        "  web: {kind: service, replicas: 2, service: {dist: exponential, mean: 5ms}}\n"
        "  api: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
        "faults:\n"
        "  - {at: 5s, crash: web.0, duration: 3s}\n";
    static const char *const policies[] = {"round_robin", "weighted_round_robin",
                                           "least_connections", "random", "hash",
                                           "consistent_hash"};
    for (size_t i = 0; i < 6; i++) {
        char y[2048], *pos;
        snprintf(y, sizeof y, "%s", yaml);
        pos = strstr(y, "random");
        char rest[2048];
        snprintf(rest, sizeof rest, "%s", pos + strlen("random"));
        snprintf(pos, sizeof y - (size_t)(pos - y), "%s%s", policies[i], rest);
        char *a = t_run_text(y, 9), *b = t_run_text(y, 9), *c = t_run_text(y, 10);
        cr_expect_str_eq(a, b, "%s: same seed, different documents", policies[i]);
        cr_expect_str_neq(a, c, "%s: another seed, same document", policies[i]);
        free(a);
        free(b);
        free(c);
    }
}

static void expect_error(const char *yaml, const char *where, const char *what) {
    const char *want[] = {where, what};
    t_expect_refused(yaml, want, 2);
}

Test(load_balancer, bad_keys_report_line_and_column) {
    static const char head[] = "duration: 1s\n"
                               "nodes:\n"
                               "  web: {kind: service, replicas: 2, service: 1ms}\n";
    char y[1024];
    snprintf(y, sizeof y,
             "%s  lb: {kind: load_balancer, backends: web, policy: weighted_round_robin,\n"
             "       weights: {web.0: 0, web.1: x}}\n", head);
    expect_error(y, "test.yaml:5:25:", "expected a weight > 0, got '0'");
    expect_error(y, "test.yaml:5:35:", "expected a weight > 0, got 'x'");
    snprintf(y, sizeof y,
             "%s  lb: {kind: load_balancer, backends: web, policy: weighted_round_robin,\n"
             "       weights: {web.7: 2}}\n", head);
    expect_error(y, "test.yaml:5:18:", "no node named 'web.7'");
    snprintf(y, sizeof y,
             "%s  db: {kind: service, service: 1ms}\n"
             "  lb: {kind: load_balancer, backends: web, policy: weighted_round_robin,\n"
             "       weights: {db: 2}}\n", head);
    expect_error(y, "test.yaml:6:8:", "'db' is not one of the backends");
    snprintf(y, sizeof y,
             "%s  lb: {kind: load_balancer, backends: web, weights: [1, 2]}\n", head);
    expect_error(y, "test.yaml:4:53:", "expected a mapping of nodes to weights");
    snprintf(y, sizeof y, "%s  lb: {kind: load_balancer, backends: web, weights: {web: 2}}\n",
             head);
    expect_error(y, "test.yaml:4:", "'weights' goes with 'policy: weighted_round_robin'");
    snprintf(y, sizeof y, "%s  lb: {kind: load_balancer, backends: web, policy: fastest}\n",
             head);
    expect_error(y, "test.yaml:4:52:", "expected one of round_robin");
    snprintf(y, sizeof y,
             "%s  lb: {kind: load_balancer, backends: web, health_interval: 1s,\n"
             "       health_timeout: 2s}\n", head);
    expect_error(y, "test.yaml:5:8:", "must not exceed health_interval");
    snprintf(y, sizeof y, "%s  lb: {kind: load_balancer, backends: web, healthy_after: 2}\n",
             head);
    expect_error(y, "test.yaml:4:", "'healthy_after' goes with 'health_interval'");
    snprintf(y, sizeof y, "%s  lb: {kind: load_balancer, backends: web, vnodes: 10}\n", head);
    expect_error(y, "test.yaml:4:", "'vnodes' goes with 'policy: consistent_hash'");
    snprintf(y, sizeof y, "%s  lb: {kind: load_balancer, backends: [web, nope]}\n", head);
    expect_error(y, "test.yaml:4:45:", "no node named 'nope'");
}

/* ---- requests whose reply is lost beyond a backend ---- */

/* least_connections in front of a database cluster serving reads anywhere (failover off, so
 * the partition only cuts links): a replica forwards each write to the primary, which replies
 * straight to the load balancer. A partition between db.1 and db.0 over [5 s, 10 s) drops the
 * writes db.1 forwards; without a timeout they stayed in db.1's in-flight count for good
 * (least connections then starved db.1 for the rest of the run: 4% of the traffic instead of
 * a third). With `timeout: 2s` every lost write leaves the count by 12 s. The client stops
 * after 10 500 requests (35 s at 300/s), so at the end (40 s) nothing is in flight anywhere:
 * in_flight is exactly 0. Shares after the heal: the warm-up (13 s) keeps the requests issued
 * once the timeouts have run; least connections splits them no less evenly than independent
 * fair picks, so each backend's count lies within the binomial bound of p = 1/3 (99.9%). */
Test(load_balancer, replies_lost_beyond_a_backend_time_out_and_the_shares_recover) {
    static const char yaml[] = "duration: 40s\n"
                               "warmup: 13s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 300/s, timeout: 2s,\n"
                               "          requests: 10500, ops: {read: 0.8, write: 0.2},\n"
                               "          keys: {dist: uniform, n: 1000}}\n"
                               "  lb: {kind: load_balancer, backends: [db],\n"
                               "       policy: least_connections, timeout: 2s}\n"
                               "  db: {kind: database, replicas: 3, read_from: any,\n"
                               "       failover: false, service: {dist: exponential, mean: 2ms}}\n"
                               "faults:\n"
                               "  - {at: 5s, partition: [[db.0], [db.1]], duration: 5s}\n";
    const char *whole_run[] = {"warmup=0s"};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        /* Over the whole run: writes were lost, and timed out. */
        cJSON *doc = t_run_with(yaml, seed, whole_run, 1);
        t_expect_accounting(doc);
        cr_expect_gt(t_int(doc, "network.partitioned"), 0);
        cr_expect_gt(t_int(doc, "nodes.lb.backends.db.1.timed_out"), 0, "seed %llu",
                     (unsigned long long)seed);
        cJSON_Delete(doc);
        doc = t_run(yaml, seed);
        t_expect_accounting(doc);
        double total = (double)t_int(doc, "nodes.lb.requests");
        cr_expect_gt(total, 5000);
        for (int b = 0; b < 3; b++) {
            char path[64];
            snprintf(path, sizeof path, "nodes.lb.backends.db.%d.in_flight", b);
            cr_expect_eq(t_int(doc, path), 0, "seed %llu: %s", (unsigned long long)seed, path);
            snprintf(path, sizeof path, "nodes.lb.backends.db.%d.requests", b);
            t_expect_binomial(path, (double)t_int(doc, path), total, 1.0 / 3);
        }
        cJSON_Delete(doc);
    }
}

/* A balancer whose own delay (100 ms) outlasts its time-out (50 ms) answers every request
 * failed at 50 ms: none gets through, and the delay's timer of a timed-out request, cancelled
 * with its slot, does not release the next request that takes the slot. */
Test(load_balancer, a_time_out_shorter_than_the_delay_lets_nothing_through_early) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 20/s, timeout: 5s}\n"
                               "  lb: {kind: load_balancer, backends: web, timeout: 50ms,\n"
                               "       service: {dist: constant, value: 100ms}}\n"
                               "  web: {kind: service, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 3);
    cr_assert(doc);
    cr_expect_eq(t_int(doc, "requests.completed"), 0);
    cr_expect_gt(t_int(doc, "requests.failed"), 100);
    cr_expect_eq(t_int(doc, "nodes.web.arrivals"), 0);
    cJSON_Delete(doc);
}
