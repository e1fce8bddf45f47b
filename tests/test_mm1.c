/* M/M/1 against closed form. Each figure is averaged over independent seeded replications
 * (each with a warm-up); the theory must lie in the 99.9% Student-t confidence interval of the
 * replication means. lambda = 80/s, mu = 100/s, rho = 0.8:
 *   utilization rho, mean wait rho/(mu - lambda), mean response 1/(mu - lambda),
 *   mean number waiting rho^2/(1 - rho), response p-quantile -ln(1 - p)/(mu - lambda). */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>

#define REPS 20
#define LEVEL 0.999

static const char mm1[] = "duration: 2000s\n"
                          "warmup: 100s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 80/s}\n"
                          "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";

enum { UTIL, WAIT, SOJOURN, LATENCY, QUEUE, P99, P50, THROUGHPUT, NFIG };
static const char *const paths[NFIG] = {
    "nodes.web.utilization",     "nodes.web.wait_ms.mean", "nodes.web.sojourn_ms.mean",
    "requests.latency_ms.mean",  "nodes.web.queue_mean",   "requests.latency_ms.p99",
    "requests.latency_ms.p50",   "requests.throughput_rps",
};

Test(mm1, matches_closed_form) {
    static double x[NFIG * REPS];
    t_replicate(mm1, REPS, paths, NFIG, x);
    const double lambda = 80, mu = 100, rho = lambda / mu, t_ms = 1000 / (mu - lambda);
    t_expect_in_ci("utilization", t_ci_of(x + UTIL * REPS, REPS, LEVEL), rho);
    t_expect_in_ci("mean wait ms", t_ci_of(x + WAIT * REPS, REPS, LEVEL), rho * t_ms);
    t_expect_in_ci("mean sojourn ms", t_ci_of(x + SOJOURN * REPS, REPS, LEVEL), t_ms);
    t_expect_in_ci("mean latency ms", t_ci_of(x + LATENCY * REPS, REPS, LEVEL), t_ms);
    t_expect_in_ci("mean number waiting", t_ci_of(x + QUEUE * REPS, REPS, LEVEL),
                   rho * rho / (1 - rho));
    t_expect_in_ci("latency p99 ms", t_ci_of(x + P99 * REPS, REPS, LEVEL), -log(0.01) * t_ms);
    t_expect_in_ci("latency p50 ms", t_ci_of(x + P50 * REPS, REPS, LEVEL), -log(0.5) * t_ms);
    t_expect_in_ci("throughput /s", t_ci_of(x + THROUGHPUT * REPS, REPS, LEVEL), lambda);
}

/* With zero network latency the client's latency is exactly the service's sojourn. */
Test(mm1, latency_is_sojourn_without_network) {
    cJSON *doc = t_run(mm1, 7);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.mean"),
                       t_num(doc, "nodes.web.sojourn_ms.mean"), 1e-9);
    cr_expect_eq(t_num(doc, "requests.completed"), t_num(doc, "nodes.web.completed"));
    cJSON_Delete(doc);
}
