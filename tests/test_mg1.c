/* M/G/1 against the Pollaczek-Khinchine formula, mean wait = lambda E[S^2] / (2 (1 - rho)),
 * with 99.9% Student-t confidence intervals over independent seeded replications.
 *   M/D/1: constant 10 ms, lambda = 80/s (rho 0.8): wait = rho S / (2 (1 - rho)) = 20 ms.
 *   M/G/1 lognormal: mean 10 ms, sd 20 ms (E[S^2] = 500 ms^2), lambda = 50/s: wait = 25 ms.
 *   M/G/1 uniform on [0, 20 ms] (E[S^2] = 133.3 ms^2), lambda = 70/s. */
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>

#define REPS 20
#define LEVEL 0.999

static void check_pk(const char *service, double lambda, double mean_s_ms, double es2_ms2,
                     const char *duration) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "duration: %s\n"
             "warmup: 50s\n"
             "nodes:\n"
             "  users: {kind: client, target: web, rate: %g/s}\n"
             "  web: {kind: service, service: %s}\n",
             duration, lambda, service);
    enum { UTIL, WAIT, SOJOURN, QUEUE, NFIG };
    static const char *const paths[NFIG] = {"nodes.web.utilization", "nodes.web.wait_ms.mean",
                                            "nodes.web.sojourn_ms.mean", "nodes.web.queue_mean"};
    double x[NFIG * REPS];
    t_replicate(yaml, REPS, paths, NFIG, x);
    double lam_ms = lambda / 1000, rho = lam_ms * mean_s_ms;
    double wq = lam_ms * es2_ms2 / (2 * (1 - rho));
    cr_log_info("service %s, lambda %g/s", service, lambda);
    t_expect_in_ci("utilization", t_ci_of(x + UTIL * REPS, REPS, LEVEL), rho);
    t_expect_in_ci("mean wait ms", t_ci_of(x + WAIT * REPS, REPS, LEVEL), wq);
    t_expect_in_ci("mean sojourn ms", t_ci_of(x + SOJOURN * REPS, REPS, LEVEL), wq + mean_s_ms);
    t_expect_in_ci("mean number waiting", t_ci_of(x + QUEUE * REPS, REPS, LEVEL), lam_ms * wq);
}

Test(mg1, md1_constant_service) { check_pk("10ms", 80, 10, 100, "1000s"); }

Test(mg1, lognormal_service) {
    check_pk("{dist: lognormal, mean: 10ms, stddev: 20ms}", 50, 10, 500, "2000s");
}

Test(mg1, uniform_service) {
    check_pk("{dist: uniform, min: 0ms, max: 20ms}", 70, 10, 400.0 / 3, "1000s");
}

Test(mg1, erlang_service) {
    /* Erlang-3 with mean 10 ms: E[S^2] = (1 + 1/3) * 100 ms^2. */
    check_pk("{dist: erlang, k: 3, mean: 10ms}", 75, 10, 400.0 / 3, "1000s");
}
