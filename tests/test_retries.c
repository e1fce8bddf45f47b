/* Retries with exponential backoff, jitter and a retry budget, on client requests and on
 * service calls. Deterministic timelines are checked exactly; random ones against binomial
 * bounds (99.9%, mean +- 3.29 sd) or 99.9% t-intervals. */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#define Z999 3.2905

/* A target that is down for the whole run refuses every attempt at once: with 3 retries and
 * backoff 10 ms doubling without jitter, each request fails after attempts at 0, 10, 30 and
 * 70 ms: latency is not recorded (failed), but the counts are exact. */
Test(retries, backoff_schedule_against_a_dead_target) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 100ms, retries: 3,\n"
                               "          backoff: 10ms, backoff_multiplier: 2, jitter: none}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: web}\n";
    cJSON *doc = t_run(yaml, 1);
    double issued = t_num(doc, "nodes.users.issued");
    cr_expect_eq(issued, 100); /* 0.1 s ... 10 s */
    /* The request of 10 s is still backing off at the end (its retries end at 10.07 s). */
    cr_expect_eq(t_num(doc, "nodes.users.failed"), issued - 1);
    cr_expect_eq(t_num(doc, "nodes.users.in_flight"), 1);
    /* ... and has made only its first attempt; its first retry is decided (counted) but not
     * yet sent. */
    cr_expect_eq(t_num(doc, "nodes.users.retries"), 3 * (issued - 1) + 1);
    cr_expect_eq(t_num(doc, "nodes.users.attempts"), 4 * (issued - 1) + 1);
    cr_expect_eq(t_num(doc, "network.refused"), 4 * (issued - 1) + 1);
    cJSON_Delete(doc);
}

/* The same with the target coming back: requests whose last retry lands after the restart
 * complete, with a latency equal to the backoff they went through. Target down over
 * [0, 5.05 s); requests every 100 ms; retries at +10, +30, +70 ms. A request issued at t
 * completes when some attempt t + {0, 10, 30, 70} ms >= 5.05 s: t = 4.99 .. 5.0 complete
 * on a retry; earlier ones fail. */
Test(retries, a_retry_after_recovery_completes) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 100ms, retries: 3,\n"
                               "          backoff: 10ms, jitter: none}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: web, duration: 5.05s}\n";
    int failed = 0, retried_ok = 0;
    for (int k = 1; k <= 100; k++) {
        double t = k * 0.1, offsets[] = {0, 0.01, 0.03, 0.07};
        int first_ok = -1;
        for (int a = 0; a < 4 && first_ok < 0; a++)
            if (t + offsets[a] >= 5.05 - 1e-9)
                first_ok = a;
        if (first_ok < 0)
            failed++;
        else if (first_ok > 0)
            retried_ok++;
    }
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.users.failed"), failed);
    cr_expect_eq(t_num(doc, "nodes.users.completed"), 100 - failed - 1 /* 10 s: in flight */);
    cr_expect_gt(retried_ok, 0);
    /* the retried successes waited 70 ms: the max latency is 70 ms + 1 ms of service */
    cr_expect_float_eq(t_num(doc, "nodes.users.latency_ms.max"), 71.0, 1e-6);
    cJSON_Delete(doc);
}

/* Loss p on every message with a per-attempt timeout: an attempt fails with probability
 * q = 1 - (1 - p)^2 independently, so with R retries a request times out with probability
 * q^(R+1), and the retries made are a sum of geometric counts. */
Test(retries, retries_against_random_loss) {
    static const char yaml[] = "duration: 400s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 50/s, timeout: 50ms,\n"
                               "          retries: 2, backoff: 1ms, requests: 20000}\n"
                               "  web: {kind: service, workers: 64, service: 1ms}\n"
                               "network: {loss: 0.2}\n";
    cJSON *doc = t_run(yaml, 3);
    double n = t_num(doc, "nodes.users.issued"), q = 1 - 0.8 * 0.8;
    cr_assert_eq(n, 20000);
    t_expect_binomial("timed out after 3 attempts", t_num(doc, "nodes.users.timed_out"), n,
                      q * q * q);
    /* First retries happen with probability q per request, second ones with q^2. */
    double retries = t_num(doc, "nodes.users.retries"), mean = n * (q + q * q);
    double sd = sqrt(n * (q * (1 - q) + q * q * (1 - q * q) + 2 * (q * q - q * q * q)));
    t_expect_near("retries", retries, mean, sd);
    cr_expect_eq(t_num(doc, "nodes.users.attempts"), n + retries);
    cJSON_Delete(doc);
}

/* A budget of 0.1 retries per request (and a reserve of 10) keeps the amplification against
 * a dead target at 1.1 (plus the reserve), where 3 unbudgeted retries make it 4. */
Test(retries, budget_caps_amplification) {
    static const char base[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s, retries: 3,\n"
                               "          backoff: 1ms%s}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: web}\n";
    char yaml[512];
    snprintf(yaml, sizeof yaml, base, ", retry_budget: 0.1");
    cJSON *doc = t_run(yaml, 2);
    double issued = t_num(doc, "nodes.users.issued"), retries = t_num(doc, "nodes.users.retries");
    cr_expect_leq(retries, 0.1 * issued + 10);
    cr_expect_geq(retries, 0.1 * issued - 1); /* the budget is spent, not hoarded */
    cr_expect_gt(t_num(doc, "nodes.users.retries_denied"), 0.8 * issued);
    cr_expect_leq(t_num(doc, "nodes.users.amplification"), 1.1 + 10 / issued + 1e-12);
    cJSON_Delete(doc);
    snprintf(yaml, sizeof yaml, base, "");
    doc = t_run(yaml, 2);
    cr_expect_float_eq(t_num(doc, "nodes.users.amplification"), 4.0, 0.01);
    cJSON_Delete(doc);
}

/* Full jitter draws the delay uniformly in [0, d]: against a dead target with one retry, a
 * request's failure comes d * U after its first attempt. The service records nothing, so the
 * delay is read from a closed loop: one user, zero think time, each request taking U * 20 ms
 * over its run of 200 s: requests issued ~ 200 s / E[U * 20 ms] = 20000. */
Test(retries, full_jitter_is_uniform) {
    static const char yaml[] = "duration: 200s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, users: 1, retries: 1,\n"
                               "          backoff: 20ms, jitter: full}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: web}\n";
    cJSON *doc = t_run(yaml, 4);
    /* n requests take a sum of n U(0, 20 ms) delays = 200 s: by the renewal CLT the count is
     * about T / m with variance T s^2 / m^3 (m = 10 ms, s = 20/sqrt(12) ms). */
    double n = t_num(doc, "nodes.users.issued"), m = 0.010, sdev = 0.020 / sqrt(12), T = 200;
    double mean = T / m, sd = sqrt(T * sdev * sdev / (m * m * m));
    cr_log_info("requests: %.0f, theory %.1f +- %.1f", n, mean, Z999 * sd);
    cr_expect(fabs(n - mean) <= Z999 * sd + 1);
    cJSON_Delete(doc);
}

/* Service calls retry too, holding the worker: A calls B, which is down; with 2 call retries
 * each request costs A three calls, then fails. */
Test(retries, service_call_retries) {
    static const char yaml[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: a, arrival: 100ms}\n"
                               "  a: {kind: service, workers: 4, service: 1ms, calls: [b],\n"
                               "      call_retries: 2, call_backoff: 5ms, call_jitter: none}\n"
                               "  b: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0s, crash: b}\n";
    cJSON *doc = t_run(yaml, 1);
    /* The request issued at 10 s, the end, is still in service. */
    double done = t_num(doc, "nodes.users.issued") - 1;
    cr_expect_eq(t_num(doc, "nodes.a.calls"), done);
    cr_expect_eq(t_num(doc, "nodes.a.call_retries"), 2 * done);
    cr_expect_float_eq(t_num(doc, "nodes.a.call_amplification"), 3.0, 1e-12);
    cr_expect_eq(t_num(doc, "nodes.users.failed"), done);
    /* Each request holds its worker 1 ms + 5 ms + 10 ms of backoff. */
    cr_expect_float_eq(t_num(doc, "nodes.a.sojourn_ms.mean"), 16.0, 1e-6);
    cJSON_Delete(doc);
}

/* Retries are rejected where they make no sense. */
Test(retries, call_retries_need_calls) {
    sim_diag *d = NULL;
    sim_topology *t = t_load("duration: 1s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: a, rate: 1/s}\n"
                             "  a: {kind: service, service: 1ms, call_retries: 2}\n",
                             NULL, 0, &d);
    cr_expect_null(t);
    cr_expect_eq(sim_diag_count(d), 1);
    cr_expect(strstr(sim_diag_message(d, 0), "call_retries"));
    sim_diag_free(d);
}
