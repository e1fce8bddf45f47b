/* Queueing networks against product-form theory, with 99.9% Student-t confidence intervals
 * over independent seeded replications (zero network latency, so the network adds nothing).
 *   Tandem (Burke): Poisson 50/s through two exponential stations (10 ms, 12.5 ms); each
 *     behaves as an M/M/1 and the response is the sum of the two sojourns.
 *   Jackson with feedback: Poisson 40/s into a (10 ms), then b (12 ms), then back to a with
 *     probability 0.3; visit rates lambda = 40/0.7 at both; each station is M/M/1 at its
 *     visit rate and the response follows from Little's law.
 *   Closed loop: 10 users thinking 100 ms (exponential) in front of cpu (10 ms) then disk
 *     (15 ms), both exponential FCFS: exact mean value analysis. */
#include "support.h"

#include <criterion/criterion.h>

#define REPS 20
#define LEVEL 0.999

static void expect(const double *x, int fig, const char *what, double theory) {
    t_expect_in_ci(what, t_ci_of(x + fig * REPS, REPS, LEVEL), theory);
}

static const char tandem[] = "duration: 1000s\n"
                             "warmup: 50s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: a, rate: 50/s}\n"
                             "  a: {kind: service, service: {dist: exponential, mean: 10ms},"
                             " forward: b}\n"
                             "  b: {kind: service, service: {dist: exponential, mean: 12.5ms}}\n";

Test(networks, tandem_line) {
    enum { UA, UB, SA, SB, WB, LAT, NFIG };
    static const char *const paths[NFIG] = {
        "nodes.a.utilization",     "nodes.b.utilization", "nodes.a.sojourn_ms.mean",
        "nodes.b.sojourn_ms.mean", "nodes.b.wait_ms.mean", "requests.latency_ms.mean"};
    static double x[NFIG * REPS];
    t_replicate(tandem, REPS, paths, NFIG, x);
    const double lambda = 50, mu_a = 100, mu_b = 80;
    expect(x, UA, "utilization a", lambda / mu_a);
    expect(x, UB, "utilization b", lambda / mu_b);
    expect(x, SA, "sojourn a ms", 1000 / (mu_a - lambda));
    expect(x, SB, "sojourn b ms", 1000 / (mu_b - lambda));
    expect(x, WB, "wait b ms", 1000 * (lambda / mu_b) / (mu_b - lambda));
    expect(x, LAT, "response ms", 1000 / (mu_a - lambda) + 1000 / (mu_b - lambda));
}

static const char jackson[] = "duration: 1000s\n"
                              "warmup: 50s\n"
                              "nodes:\n"
                              "  users: {kind: client, target: a, rate: 40/s}\n"
                              "  a: {kind: service, service: {dist: exponential, mean: 10ms},"
                              " forward: b}\n"
                              "  b: {kind: service, service: {dist: exponential, mean: 12ms},"
                              " forward: {a: 0.3}}\n";

Test(networks, jackson_with_feedback) {
    enum { UA, UB, SA, SB, QA, LAT, THR, NFIG };
    static const char *const paths[NFIG] = {
        "nodes.a.utilization",     "nodes.b.utilization",  "nodes.a.sojourn_ms.mean",
        "nodes.b.sojourn_ms.mean", "nodes.a.queue_mean",   "requests.latency_ms.mean",
        "requests.throughput_rps"};
    static double x[NFIG * REPS];
    t_replicate(jackson, REPS, paths, NFIG, x);
    const double gamma = 40, visit = gamma / 0.7, mu_a = 100, mu_b = 1000.0 / 12;
    double rho_a = visit / mu_a, rho_b = visit / mu_b;
    double l_a = rho_a / (1 - rho_a), l_b = rho_b / (1 - rho_b);
    expect(x, UA, "utilization a", rho_a);
    expect(x, UB, "utilization b", rho_b);
    expect(x, SA, "sojourn a ms (per visit)", 1000 / (mu_a - visit));
    expect(x, SB, "sojourn b ms (per visit)", 1000 / (mu_b - visit));
    expect(x, QA, "number waiting at a", rho_a * rho_a / (1 - rho_a));
    expect(x, LAT, "response ms (Little)", 1000 * (l_a + l_b) / gamma);
    expect(x, THR, "throughput /s", gamma);
}

static const char closed[] = "duration: 1000s\n"
                             "warmup: 50s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: cpu, users: 10,"
                             " think: {dist: exponential, mean: 100ms}}\n"
                             "  cpu: {kind: service, service: {dist: exponential, mean: 10ms},"
                             " forward: disk}\n"
                             "  disk: {kind: service, service: {dist: exponential, mean: 15ms}}\n";

Test(networks, closed_loop_mva) {
    enum { THR, LAT, UC, UD, SC, SD, NFIG };
    static const char *const paths[NFIG] = {
        "requests.throughput_rps", "requests.latency_ms.mean", "nodes.cpu.utilization",
        "nodes.disk.utilization",  "nodes.cpu.sojourn_ms.mean", "nodes.disk.sojourn_ms.mean"};
    static double x[NFIG * REPS];
    t_replicate(closed, REPS, paths, NFIG, x);
    /* Exact MVA (times in seconds). */
    const double demand[2] = {0.010, 0.015}, think = 0.100;
    double q[2] = {0, 0}, r[2] = {0, 0}, thr = 0;
    for (int n = 1; n <= 10; n++) {
        for (int k = 0; k < 2; k++)
            r[k] = demand[k] * (1 + q[k]);
        thr = n / (think + r[0] + r[1]);
        for (int k = 0; k < 2; k++)
            q[k] = thr * r[k];
    }
    expect(x, THR, "throughput /s", thr);
    expect(x, LAT, "response ms", 1000 * (r[0] + r[1]));
    expect(x, UC, "utilization cpu", thr * demand[0]);
    expect(x, UD, "utilization disk", thr * demand[1]);
    expect(x, SC, "sojourn cpu ms", 1000 * r[0]);
    expect(x, SD, "sojourn disk ms", 1000 * r[1]);
}
