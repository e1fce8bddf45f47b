/* Multi-server stations against closed form, with 99.9% Student-t confidence intervals over
 * independent seeded replications:
 *   M/M/c (Erlang C): c = 4 workers, mean service 40 ms (mu = 25/s), lambda = 80/s, a = 3.2.
 *   M/M/c/c (Erlang B): c = 5 workers, no waiting room (queue: 0), a = 3 erlangs. */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>

#define REPS 20
#define LEVEL 0.999

static const char mmc[] = "duration: 1000s\n"
                          "warmup: 50s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 80/s}\n"
                          "  web:\n"
                          "    kind: service\n"
                          "    workers: 4\n"
                          "    service: {dist: exponential, mean: 40ms}\n";

Test(mmc, erlang_c) {
    enum { UTIL, WAIT, SOJOURN, QUEUE, NFIG };
    static const char *const paths[NFIG] = {"nodes.web.utilization", "nodes.web.wait_ms.mean",
                                            "nodes.web.sojourn_ms.mean", "nodes.web.queue_mean"};
    static double x[NFIG * REPS];
    t_replicate(mmc, REPS, paths, NFIG, x);
    const int c = 4;
    const double lambda = 80, mu = 25, a = lambda / mu;
    double pw = t_erlang_c(c, a), wq = pw / (c * mu - lambda);
    t_expect_in_ci("utilization", t_ci_of(x + UTIL * REPS, REPS, LEVEL), a / c);
    t_expect_in_ci("mean wait ms", t_ci_of(x + WAIT * REPS, REPS, LEVEL), 1000 * wq);
    t_expect_in_ci("mean sojourn ms", t_ci_of(x + SOJOURN * REPS, REPS, LEVEL),
                   1000 * (wq + 1 / mu));
    t_expect_in_ci("mean number waiting", t_ci_of(x + QUEUE * REPS, REPS, LEVEL), lambda * wq);
}

#define MMCC(service)                                                                      \
    "duration: 1000s\n"                                                                     \
    "warmup: 10s\n"                                                                         \
    "nodes:\n"                                                                              \
    "  users: {kind: client, target: trunk, rate: 100/s}\n"                                 \
    "  trunk:\n"                                                                            \
    "    kind: service\n"                                                                   \
    "    workers: 5\n"                                                                      \
    "    queue: 0\n"                                                                        \
    "    service: " service "\n"

static const char mmcc[] = MMCC("{dist: exponential, mean: 30ms}");

Test(mmcc, erlang_b_blocking) {
    enum { REJECTED, ARRIVALS, CLIENT_REJECTED, UTIL, WAIT, NFIG };
    static const char *const paths[NFIG] = {"nodes.trunk.rejected", "nodes.trunk.arrivals",
                                            "requests.rejected", "nodes.trunk.utilization",
                                            "nodes.trunk.wait_ms.mean"};
    static double x[NFIG * REPS];
    t_replicate(mmcc, REPS, paths, NFIG, x);
    double blocked[REPS];
    for (int i = 0; i < REPS; i++) {
        blocked[i] = x[REJECTED * REPS + i] / x[ARRIVALS * REPS + i];
        /* The client sees every rejection, and nobody ever waits in a loss system. */
        cr_expect_eq(x[REJECTED * REPS + i], x[CLIENT_REJECTED * REPS + i]);
        cr_expect_eq(x[WAIT * REPS + i], 0);
    }
    const int c = 5;
    const double a = 100 * 0.030, b = t_erlang_b(c, a);
    t_expect_in_ci("blocking probability", t_ci_of(blocked, REPS, LEVEL), b);
    t_expect_in_ci("utilization", t_ci_of(x + UTIL * REPS, REPS, LEVEL), a * (1 - b) / c);
}

/* Erlang B is insensitive to the service distribution: the same blocking with constant
 * service times. */
Test(mmcc, erlang_b_insensitive_to_service_distribution) {
    static const char *const paths[] = {"nodes.trunk.rejected", "nodes.trunk.arrivals"};
    static double x[2 * REPS];
    t_replicate(MMCC("30ms"), REPS, paths, 2, x);
    double blocked[REPS];
    for (int i = 0; i < REPS; i++)
        blocked[i] = x[i] / x[REPS + i];
    t_expect_in_ci("blocking probability, constant service", t_ci_of(blocked, REPS, LEVEL),
                   t_erlang_b(5, 3.0));
}
