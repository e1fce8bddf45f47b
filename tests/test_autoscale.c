/* The orchestrator's autoscaler (models/control/orchestrator/autoscale.c). Web servers of 4
 * workers with a constant 40 ms service (mu = 100/s a server) behind a load balancer, Poisson
 * arrivals at a rate schedule; the leader probes every 50 ms and takes the mean utilization
 * over scale_after = 20 s (400 rounds), cooldown 10 s, boot 5 s. The oracle is the closed form
 * of a station's utilization, rho = lambda / (c mu): the autoscaler must settle at the
 * smallest c with rho < scale_out_above (and rho > scale_in_below). The window's mean is noisy
 * mostly through the arrivals: a Poisson count over W = 20 s has sd sqrt(lambda W), so the mean
 * utilization sd is sqrt(lambda W) / (c mu W) (0.008 at lambda 250, c 4), and the sampling of
 * 16c workers at 400 instants adds less (sqrt(rho(1 - rho) / (4c 400)) = 0.006). Every load
 * below is at least 5 of these sd from either threshold (0.7 and 0.2), so that a sliding window
 * crosses one by chance less than once in 10^4 runs: every seed must agree exactly. (With
 * 0.6 and lambda 220 at c = 4, 3.6 sd, one seed in 12 scaled out to 5.)
 * Timings are read from the series of the target (1 s intervals, the leader's rounds having
 * one phase: differences of whole seconds are exact). */
#include "engine.h"
#include "json_report.h"
#include "metrics.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define SEEDS 12
#define MU 100.0 /* per server */
#define ABOVE 0.7
#define BELOW 0.2
#define SCALE_AFTER 20
#define COOLDOWN 10

static char *yaml_of(const char *rate, int replicas, int active, int min, int max, int dur_s,
                     const char *faults) {
    char *y = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&y, &len);
    fprintf(f,
            "duration: %ds\n"
            "network: {latency: 1ms}\n"
            "nodes:\n"
            "  users: {kind: client, target: lb, rate: %s}\n"
            "  lb: {kind: load_balancer, backends: web}\n"
            "  web: {kind: service, replicas: 10, active: %d, workers: 4, queue: 20,\n"
            "        service: {dist: constant, value: 40ms}}\n"
            "  orch: {kind: orchestrator, replicas: %d, watch: lb, boot: 5s,\n"
            "         probe_interval: 50ms, probe_timeout: 1s, autoscale: utilization,\n"
            "         scale_out_above: %g, scale_in_below: %g, scale_after: %ds,\n"
            "         cooldown: %ds, min_servers: %d, max_servers: %d}\n"
            "%s",
            dur_s, rate, active, replicas, ABOVE, BELOW, SCALE_AFTER, COOLDOWN, min, max,
            faults ? faults : "");
    fclose(f);
    return y;
}

/* The oracle: the smallest c with lambda / (c mu) < ABOVE. */
static int settle_count(double lambda) {
    int c = 1;
    while (lambda / (c * MU) >= ABOVE)
        c++;
    return c;
}

/* A run: its document and the target of each orchestrator instance at the end of each second
 * (tg[i][k]: instance i, second k + 1). */
typedef struct run {
    cJSON *doc;
    int tg[3][1100];
    int n;
} run;

static run run_of(const char *yaml, uint64_t seed, int replicas) {
    run r = {0};
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "the topology loads");
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    char p[3][64];
    const char *paths[3];
    for (int i = 0; i < replicas; i++) {
        snprintf(p[i], sizeof p[i], "nodes.orch.%d.autoscale.target", i);
        paths[i] = p[i];
    }
    char err[256] = "";
    cr_assert_eq(sim_engine_sample_intervals(e, 1000000000LL, paths, (size_t)replicas, NULL, err,
                                             sizeof err),
                 0, "%s", err);
    cr_assert_eq(sim_engine_run(e), 0, "the run ends");
    const sim_series *s = sim_engine_series(e);
    cr_assert(s && s->nrows <= 1100);
    r.n = (int)s->nrows;
    for (size_t k = 0; k < s->nrows; k++)
        for (int i = 0; i < replicas; i++)
            r.tg[i][k] = (int)s->values[k * s->ncols + (size_t)i];
    r.doc = dsim_json_report(e);
    cr_assert(r.doc);
    sim_engine_free(e);
    sim_topology_free(t);
    return r;
}

/* Under a step up from 90/s (2 servers: rho 0.45, between the thresholds) to lambda at 60 s,
 * the autoscaler adds servers one at a time until rho < ABOVE and stays there: the count it
 * settles at is the oracle's, for every seed, and it never went beyond it. */
static void check_settles(double lambda) {
    int want = settle_count(lambda);
    cr_assert(lambda / (want * MU) > BELOW + 0.2, "the settled load is clear of scale_in_below");
    char rate[128];
    snprintf(rate, sizeof rate, "[{at: 0s, rate: 90/s}, {at: 60s, rate: %g/s}]", lambda);
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char *y = yaml_of(rate, 1, 2, 1, 10, 60 + 30 * (want - 2) + 90, NULL);
        run r = run_of(y, seed, 1);
        cJSON *doc = r.doc;
        int peak = 0;
        for (int k = 0; k < r.n; k++) {
            int v = r.tg[0][k];
            peak = v > peak ? v : peak;
            if (k < 60)
                cr_expect_eq(v, 2, "seed %llu: nothing moves before the step (at %d s)",
                             (unsigned long long)seed, k + 1);
        }
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.target"), want,
                     "seed %llu: lambda %g settles at c = %d", (unsigned long long)seed, lambda,
                     want);
        cr_expect_eq(peak, want, "seed %llu: never more than %d", (unsigned long long)seed, want);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_outs"), want - 2);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_ins"), 0);
        cr_expect_eq(t_int(doc, "nodes.orch.0.members_up"), want, "the tier has grown");
        cr_expect_eq(t_int(doc, "leadership.replacements"), 0, "a scale-out replaces nothing");
        cJSON_Delete(doc);
        free(y);
    }
}

Test(autoscale, settles_at_smallest_count_below_threshold) {
    check_settles(250); /* c = 4: rho 0.625; 3 would be 0.833 */
    check_settles(380); /* c = 6: rho 0.633; 5 would be 0.76 */
}

/* Bounds: under a load that would need 6 servers it stops at max_servers = 3 and says how long
 * it was there; with no load it scales in to min_servers = 2 and no further. */
Test(autoscale, within_min_and_max) {
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char *y = yaml_of("330/s", 1, 1, 1, 3, 120, NULL);
        run r = run_of(y, seed, 1);
        cJSON *doc = r.doc;
        int first_max = -1;
        for (int k = 0; k < r.n; k++) {
            int v = r.tg[0][k];
            cr_expect_leq(v, 3, "seed %llu: at most max_servers", (unsigned long long)seed);
            if (v == 3 && first_max < 0)
                first_max = k;
        }
        cr_assert_geq(first_max, 0, "it reaches max_servers");
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_outs"), 2);
        /* at max from the action (within the series interval it falls in) to the end */
        double at_max = t_num(doc, "nodes.orch.0.autoscale.at_max_ms");
        cr_expect(at_max > (120.0 - first_max - 1) * 1000 && at_max <= (120.0 - first_max) * 1000,
                  "seed %llu: at max %g ms, reached in second %d", (unsigned long long)seed, at_max,
                  first_max + 1);
        cJSON_Delete(doc);
        free(y);

        y = yaml_of("[{at: 0s, rate: 0/s}]", 1, 6, 2, 10, 120, NULL);
        r = run_of(y, seed, 1);
        doc = r.doc;
        for (int k = 0; k < r.n; k++)
            cr_expect_geq(r.tg[0][k], 2, "at least min_servers");
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.target"), 2);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_ins"), 4);
        cr_expect_eq(t_int(doc, "nodes.orch.0.members_up"), 2, "the others were stopped");
        cJSON_Delete(doc);
        free(y);
    }
}

/* After the load drops (330/s to 50/s at 150 s, from c = 6: rho 0.083 < BELOW), it scales in
 * within one window of the drop, then one server every cooldown + scale_after exactly, and
 * settles at the largest c with lambda / (c mu) > BELOW (c = 2: 0.25; at 3, 0.167). */
Test(autoscale, scales_in_after_cooldown_and_window) {
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char *y =
            yaml_of("[{at: 0s, rate: 330/s}, {at: 150s, rate: 50/s}]", 1, 6, 1, 10, 300, NULL);
        run r = run_of(y, seed, 1);
        cJSON *doc = r.doc;
        int prev = r.tg[0][0];
        int changes[16], nch = 0;
        for (int k = 1; k < r.n; k++) {
            int v = r.tg[0][k];
            if (v != prev && nch < 16)
                changes[nch++] = k;
            cr_expect_leq(v, prev, "seed %llu: only scale-ins (second %d)",
                          (unsigned long long)seed, k + 1);
            prev = v;
        }
        cr_assert_eq(nch, 4, "seed %llu: 6 -> 2 in four steps", (unsigned long long)seed);
        cr_expect(changes[0] >= 150 && changes[0] <= 150 + SCALE_AFTER,
                  "seed %llu: the first within scale_after of the drop (second %d)",
                  (unsigned long long)seed, changes[0] + 1);
        for (int i = 1; i < nch; i++)
            cr_expect_eq(changes[i] - changes[i - 1], COOLDOWN + SCALE_AFTER,
                         "seed %llu: scale-ins %d s apart", (unsigned long long)seed,
                         changes[i] - changes[i - 1]);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.target"), 2);
        cJSON_Delete(doc);
        free(y);
    }
}

/* Hysteresis: a load between the thresholds moves nothing, from either side: 3 servers at
 * 120/s (rho 0.4) and 6 servers at 150/s (rho 0.25). */
Test(autoscale, hysteresis_between_thresholds) {
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char *y = yaml_of("120/s", 1, 3, 1, 10, 150, NULL);
        cJSON *doc = t_run(y, seed);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_outs"), 0);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_ins"), 0);
        cJSON_Delete(doc);
        free(y);
        y = yaml_of("150/s", 1, 6, 1, 10, 150, NULL);
        doc = t_run(y, seed);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_outs"), 0);
        cr_expect_eq(t_int(doc, "nodes.orch.0.autoscale.scale_ins"), 0);
        cJSON_Delete(doc);
        free(y);
    }
}

/* A new leader keeps the scaled count: three orchestrators scale the tier from 2 to 4 under
 * 220/s (rho 1.1, 0.733, then 0.55); the leader crashes at 100 s (after the last action) and stays
 * down; the new leader reads the count from the API and keeps 4 (with the configured count, 2, it
 * would not scale in either, rho 0.55 being above BELOW, but reconciliation would not hold 4 after
 * a crash of a server: the web.0 crash at 150 s is replaced; the 6 s it is missing raise the
 * window's mean to about 0.6, below ABOVE). */
Test(autoscale, new_leader_keeps_scaled_count) {
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        char *y = yaml_of("220/s", 3, 2, 1, 10, 220, NULL);
        cJSON *doc0 = t_run(y, seed);
        /* the first leader, from the run without faults */
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            char p[64];
            snprintf(p, sizeof p, "nodes.orch.%d.is_leader", i);
            if (t_int(doc0, p))
                leader = i;
        }
        cr_assert_geq(leader, 0);
        cJSON_Delete(doc0);
        free(y);
        char faults[160];
        snprintf(faults, sizeof faults,
                 "faults:\n  - {at: 100s, crash: orch.%d}\n  - {at: 150s, crash: web.0}\n", leader);
        y = yaml_of("220/s", 3, 2, 1, 10, 220, faults);
        cJSON *doc = t_run(y, seed);
        int total = 0;
        for (int i = 0; i < 3; i++) {
            char p[64];
            snprintf(p, sizeof p, "nodes.orch.%d.is_leader", i);
            if (t_int(doc, p)) {
                snprintf(p, sizeof p, "nodes.orch.%d.autoscale.target", i);
                cr_expect_eq(t_int(doc, p), 4, "seed %llu: the new leader keeps 4",
                             (unsigned long long)seed);
                snprintf(p, sizeof p, "nodes.orch.%d.members_up", i);
                cr_expect_eq(t_int(doc, p), 4, "seed %llu: 4 serve", (unsigned long long)seed);
            }
            snprintf(p, sizeof p, "nodes.orch.%d.autoscale.scale_outs", i);
            total += (int)t_int(doc, p);
        }
        cr_expect_eq(total, 2, "seed %llu: two scale-outs in all", (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "leadership.replacements"), 1, "web.0 replaced");
        cJSON_Delete(doc);
        free(y);
    }
}

Test(autoscale, bad_input_at_its_line) {
    static const char nothr[] = "duration: 1s\n"
                                "nodes:\n"
                                "  web: {kind: service, service: 1ms}\n"
                                "  orch: {kind: orchestrator, watch: web,\n"
                                "         autoscale: queue}\n";
    const char *w1[] = {"5:", "thresholds"};
    t_expect_refused(nothr, w1, 2);
    static const char order[] = "duration: 1s\n"
                                "nodes:\n"
                                "  web: {kind: service, service: 1ms}\n"
                                "  orch: {kind: orchestrator, watch: web, autoscale: queue,\n"
                                "         scale_out_above: 2,\n"
                                "         scale_in_below: 3}\n";
    const char *w2[] = {"6:", "scale_in_below"};
    t_expect_refused(order, w2, 2);
    static const char util[] = "duration: 1s\n"
                               "nodes:\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "  orch: {kind: orchestrator, watch: web,\n"
                               "         autoscale: utilization, scale_in_below: 0.5,\n"
                               "         scale_out_above: 1.5}\n";
    const char *w3[] = {"6:", "(0, 1]"};
    t_expect_refused(util, w3, 2);
    static const char minmax[] = "duration: 1s\n"
                                 "nodes:\n"
                                 "  web: {kind: service, service: 1ms}\n"
                                 "  orch: {kind: orchestrator, watch: web, autoscale: queue,\n"
                                 "         scale_out_above: 2, scale_in_below: 1,\n"
                                 "         max_servers: 2,\n"
                                 "         min_servers: 3}\n";
    const char *w4[] = {"7:", "min_servers"};
    t_expect_refused(minmax, w4, 2);
    static const char window[] = "duration: 1s\n"
                                 "nodes:\n"
                                 "  web: {kind: service, service: 1ms}\n"
                                 "  orch: {kind: orchestrator, watch: web, autoscale: queue,\n"
                                 "         scale_out_above: 2, scale_in_below: 1,\n"
                                 "         scale_after: 100ms}\n";
    const char *w5[] = {"6:", "scale_after"};
    t_expect_refused(window, w5, 2);
    static const char word[] = "duration: 1s\n"
                               "nodes:\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "  orch: {kind: orchestrator, watch: web, autoscale: cpu}\n";
    const char *w6[] = {"4:", "autoscale"};
    t_expect_refused(word, w6, 2);
}

/* topologies/autoscale.yaml tells its story for every seed tried: 2 servers until the ramp,
 * 7 at the peak (rho 0.64; 6 would be 0.75), back to min_servers = 2 at 80/s, five scale-outs
 * and five scale-ins, none of them a replacement. */
Test(autoscale, example_tells_its_story) {
    char *yaml = t_example("autoscale.yaml");
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run r = run_of(yaml, seed, 3);
        int leader = -1;
        for (int i = 0; i < 3; i++) {
            char p[64];
            snprintf(p, sizeof p, "nodes.orch.%d.is_leader", i);
            if (t_int(r.doc, p))
                leader = i;
        }
        cr_assert_geq(leader, 0, "one leads at the end");
        cr_expect_eq(r.tg[leader][119], 2, "seed %llu: 2 before the ramp",
                     (unsigned long long)seed);
        cr_expect_eq(r.tg[leader][599], 7, "seed %llu: 7 at the peak", (unsigned long long)seed);
        cr_expect_eq(r.tg[leader][r.n - 1], 2, "seed %llu: 2 at the end", (unsigned long long)seed);
        char p[64];
        snprintf(p, sizeof p, "nodes.orch.%d.autoscale.scale_outs", leader);
        cr_expect_eq(t_int(r.doc, p), 5);
        snprintf(p, sizeof p, "nodes.orch.%d.autoscale.scale_ins", leader);
        cr_expect_eq(t_int(r.doc, p), 5);
        cr_expect_eq(t_int(r.doc, "leadership.replacements"), 0);
        cr_expect_eq(t_int(r.doc, "requests.timed_out"), 0, "the tier kept up");
        cJSON_Delete(r.doc);
    }
    free(yaml);
}

/* autoscale: queue, on requests waiting per server. With a random load balancer each of c
 * servers is an M/M/1 (Poisson thinning) of rho = lambda / (c mu), whose mean number waiting
 * is Lq = rho^2 / (1 - rho) (Kleinrock, Queueing Systems I, 1975, §3.2); the oracle is the
 * smallest c with Lq < 1: at 150/s and mu = 100/s, c = 3 (Lq 0.5; at 2, 2.25). The window's
 * sd there is about 0.1 (a queue's sd of 1.7 over 3 servers and ~80 independent samples in
 * 20 s), so 0.5 is 5 sd from 1. */
Test(autoscale, queue_length_settles_at_smallest_count) {
    double lambda = 150, mu = 100;
    int want = 1;
    for (double rho = lambda / mu; rho >= 1 || rho * rho / (1 - rho) >= 1;
         rho = lambda / (++want * mu))
        ;
    cr_assert_eq(want, 3);
    static const char yaml[] =
        "duration: 150s\n"
        "network: {latency: 1ms}\n"
        "nodes:\n"
        "  users: {kind: client, target: lb, rate: 150/s}\n"
        "  lb: {kind: load_balancer, backends: web, policy: random}\n"
        "  web: {kind: service, replicas: 6, active: 1, queue: 20,\n"
        "        service: {dist: exponential, mean: 10ms}}\n"
        "  orch: {kind: orchestrator, replicas: 1, watch: lb, boot: 5s,\n"
        "         probe_interval: 50ms, probe_timeout: 1s, autoscale: queue,\n"
        "         scale_out_above: 1, scale_in_below: 0.05, scale_after: 20s,\n"
        "         cooldown: 10s}\n";
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        run r = run_of(yaml, seed, 1);
        int peak = 0;
        for (int k = 0; k < r.n; k++)
            peak = r.tg[0][k] > peak ? r.tg[0][k] : peak;
        cr_expect_eq(t_int(r.doc, "nodes.orch.0.autoscale.target"), want, "seed %llu",
                     (unsigned long long)seed);
        cr_expect_eq(peak, want, "seed %llu: never more", (unsigned long long)seed);
        cJSON_Delete(r.doc);
    }
}
