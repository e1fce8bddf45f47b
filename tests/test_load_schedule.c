/* Load that changes over time: a client's `rate` as a schedule of steps and ramps, and its
 * `start` and `stop`. The arrivals of a schedule are a non-homogeneous Poisson process: the
 * count in [a, b] is Poisson with mean Λ(b) − Λ(a) = ∫λ(t)dt over it. Counts in a window are
 * read from the client's `issued`, which counts the requests issued in [warmup, duration]:
 * a run with warmup a and duration b counts exactly the window [a, b] (the client's draws do
 * not depend on the run's length, so every window of one seed sees the same arrivals). */
#include "rate_schedule.h"
#include "strfmt.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 50/s for 20 s; a ramp to 250/s over 20 s; 250/s for 10 s; a ramp down to 0 over 10 s; a
 * pause; a step to 120/s at 70 s. The sink is fast and wide so that it never pushes back. */
static const char schedule_yaml[] =
    "name: schedule\n"
    "duration: 80s\n"
    "nodes:\n"
    "  users:\n"
    "    kind: client\n"
    "    target: sink\n"
    "    rate: [{at: 0s, rate: 50/s}, {at: 20s, ramp_to: 250/s, over: 20s},\n"
    "           {at: 50s, ramp_to: 0/s, over: 10s}, {at: 70s, rate: 120/s}]\n"
    "  sink: {kind: service, workers: 64, service: 1ms}\n";

typedef struct window {
    const char *warmup, *duration; /* the window [a, b] as --set values */
    double mean;                   /* ∫λ over it, by hand */
    bool disjoint;                 /* part of the partition of [0, 80 s] */
} window;

/* The means by the trapezoid rule, exact for a piecewise-linear rate. */
static const window windows[] = {
    {"warmup=0s", "duration=20s", 50 * 20, true},                  /* step */
    {"warmup=20s", "duration=40s", (50 + 250) / 2.0 * 20, true},   /* ramp up */
    {"warmup=25s", "duration=35s", (100 + 200) / 2.0 * 10, false}, /* inside the ramp */
    {"warmup=40s", "duration=50s", 250 * 10, true},                /* hold */
    {"warmup=50s", "duration=60s", 250 / 2.0 * 10, true},          /* ramp down to 0 */
    {"warmup=70s", "duration=80s", 120 * 10, true},                /* step after a pause */
};
#define NWINDOWS (sizeof windows / sizeof windows[0])
#define SEEDS 10

static long long issued_in(const char *yaml, uint64_t seed, const char *warmup,
                           const char *duration) {
    const char *sets[] = {warmup, duration};
    cJSON *doc = t_run_with(yaml, seed, sets, 2);
    long long n = t_int(doc, "nodes.users.issued");
    cJSON_Delete(doc);
    return n;
}

/* Whether the count k lies outside the central 99.9% of Poisson(mean): P(X <= k) < 0.0005 or
 * P(X >= k) < 0.0005 (exact tails, GSL), so that a correct sampler falls outside with
 * probability at most 0.001. */
static bool outside_poisson_999(long long k, double mean) {
    double lower = gsl_cdf_poisson_P((unsigned)k, mean);
    double upper = k > 0 ? gsl_cdf_poisson_Q((unsigned)(k - 1), mean) : 1;
    return lower < 0.0005 || upper < 0.0005;
}

/* Each of the 60 counts (6 windows × 10 seeds) against its own 99.9% Poisson interval. The
 * counts of disjoint windows of a Poisson process are independent, and so are the seeds; only
 * [25 s, 35 s] lies inside [20 s, 40 s]. For independent counts, how many fall outside is
 * Binomial(60, 0.001) at most, and P(3 or more) = 3.4e-5; the one dependent pair can only
 * make two of them fall out together, which the bound of 2 still allows. At most 2 may fall
 * outside. Then the pooled count over the disjoint windows and all seeds, Poisson with mean
 * 10 × 8450, must be within its 99.9% normal interval: a bias of 1% in the rate would be
 * 2.9 sd there, where one window alone (sd about 3%) could not see it. */
Test(load_schedule, counts_per_phase_follow_the_poisson_law_of_the_integrated_rate,
     .timeout = 120) {
    int outside = 0;
    double pooled = 0, pooled_mean = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        for (size_t w = 0; w < NWINDOWS; w++) {
            long long k = issued_in(schedule_yaml, seed, windows[w].warmup, windows[w].duration);
            bool out = outside_poisson_999(k, windows[w].mean);
            cr_log_info("seed %llu [%s, %s]: %lld arrivals, mean %g%s", (unsigned long long)seed,
                        windows[w].warmup, windows[w].duration, k, windows[w].mean,
                        out ? " (outside 99.9%)" : "");
            outside += out;
            if (windows[w].disjoint) {
                pooled += (double)k;
                pooled_mean += windows[w].mean;
            }
        }
    }
    cr_expect_leq(outside, 2, "%d of %d counts outside their 99.9%% Poisson interval", outside,
                  (int)(SEEDS * NWINDOWS));
    t_expect_poisson("arrivals pooled over the disjoint phases and seeds", pooled, pooled_mean);
}

Test(load_schedule, a_rate_of_zero_issues_nothing) {
    for (uint64_t seed = 1; seed <= 3; seed++)
        cr_expect_eq(issued_in(schedule_yaml, seed, "warmup=60s", "duration=70s"), 0,
                     "requests issued while the schedule's rate is 0 (seed %llu)",
                     (unsigned long long)seed);
}

/* A schedule held at 0 from the start issues nothing, and the run ends normally. */
Test(load_schedule, a_schedule_of_zero_issues_nothing) {
    cJSON *doc = t_run("name: zero\nduration: 10s\nnodes:\n"
                       "  users: {kind: client, target: web, rate: [{at: 0s, rate: 0/s}]}\n"
                       "  web: {kind: service, service: 1ms}\n",
                       1);
    cr_expect_eq(t_int(doc, "nodes.users.issued"), 0);
    cJSON_Delete(doc);
}

/* The plain rate and its one-step schedule are the same draws: identical documents. */
Test(load_schedule, a_plain_rate_is_a_one_step_schedule_byte_for_byte) {
    static const char plain[] =
        "name: eq\nduration: 50s\nwarmup: 5s\nnodes:\n"
        "  users: {kind: client, target: web, rate: 80/s}\n"
        "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";
    static const char steps[] =
        "name: eq\nduration: 50s\nwarmup: 5s\nnodes:\n"
        "  users: {kind: client, target: web, rate: [{at: 0s, rate: 80/s}]}\n"
        "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        char *a = t_run_text(plain, seed), *b = t_run_text(steps, seed);
        cr_expect_str_eq(a, b, "rate: 80/s and [{at: 0s, rate: 80/s}] differ (seed %llu)",
                         (unsigned long long)seed);
        free(a);
        free(b);
    }
}

/* A client switched on at 10 s and off at 30 s. Windows [0, 10 s] and [30 s, 60 s] must see
 * no request at all (the start and stop are exact), and [10 s, 30 s] then holds every
 * request of the run, a Poisson count of mean 200/s × 20 s; for the closed loop, the users'
 * requests; for constant gaps of 10 ms, exactly the 1,999 arrivals 10.01 s, ..., 29.99 s
 * (the one due at 30 s is at `stop`, and not issued). */
static char *onoff_yaml(const char *loop) {
    char *y = sim_strfmt("name: onoff\nduration: 60s\nnodes:\n"
                         "  users: {kind: client, target: web, %s, start: 10s, stop: 30s}\n"
                         "  web: {kind: service, workers: 16, service: {dist: exponential, "
                         "mean: 5ms}}\n",
                         loop);
    cr_assert(y);
    return y;
}

static void expect_only_between_start_and_stop(const char *loop, long long *during) {
    char *y = onoff_yaml(loop);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cr_expect_eq(issued_in(y, seed, "warmup=0s", "duration=9.999999999s"), 0,
                     "%s: issued before start (seed %llu)", loop, (unsigned long long)seed);
        cr_expect_eq(issued_in(y, seed, "warmup=30s", "duration=60s"), 0,
                     "%s: issued at or after stop (seed %llu)", loop, (unsigned long long)seed);
        long long all = issued_in(y, seed, "warmup=0s", "duration=60s");
        during[seed - 1] = issued_in(y, seed, "warmup=10s", "duration=29.999999999s");
        cr_expect_eq(all, during[seed - 1], "%s: the run issued %lld, [start, stop) %lld", loop,
                     all, during[seed - 1]);
        cr_expect_gt(all, 0, "%s: issued nothing at all", loop);
    }
    free(y);
}

Test(load_schedule, start_and_stop_bound_every_loop_exactly) {
    long long during[3];
    expect_only_between_start_and_stop("rate: 200/s", during);
    for (int i = 0; i < 3; i++)
        t_expect_poisson("Poisson arrivals in [start, stop)", (double)during[i], 200 * 20);
    expect_only_between_start_and_stop(
        "rate: [{at: 0s, rate: 50/s}, {at: 15s, ramp_to: 400/s, over: 10s}]", during);
    /* From 10 s: 50/s for 5 s, the ramp (50 + 400) / 2 over 10 s, 400/s for 5 s. */
    for (int i = 0; i < 3; i++)
        t_expect_poisson("scheduled arrivals in [start, stop)", (double)during[i],
                         50 * 5 + 225 * 10 + 400 * 5);
    expect_only_between_start_and_stop("users: 4, think: {dist: exponential, mean: 20ms}", during);
    expect_only_between_start_and_stop("arrival: 10ms", during);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(during[i], 1999, "constant gaps of 10 ms in [10 s, 30 s): %lld", during[i]);
}

/* The service sees the same: no arrival before the client starts. */
Test(load_schedule, the_target_sees_nothing_before_start) {
    char *y = onoff_yaml("rate: 200/s");
    const char *sets[] = {"warmup=0s", "duration=9.999999999s"};
    cJSON *doc = t_run_with(y, 1, sets, 2);
    cr_expect_eq(t_int(doc, "nodes.web.arrivals"), 0);
    cJSON_Delete(doc);
    free(y);
}

/* The sampler itself: Λ⁻¹ inverts Λ (to within the nanosecond rounding: rate × 0.5 ns), and
 * the rate and the integral agree with the knots. */
Test(load_schedule, the_inverse_of_the_cumulative_rate_inverts_it) {
    sim_time t[] = {0, 0, 20000000000, 40000000000, 40000000000, 50000000000};
    double r[] = {0, 50, 50, 250, 10, 10};
    sim_rate_schedule s = {6, t, r};
    cr_expect_float_eq(sim_rate_schedule_at(&s, 10000000000), 50, 1e-9);
    cr_expect_float_eq(sim_rate_schedule_at(&s, 30000000000), 150, 1e-9);
    cr_expect_float_eq(sim_rate_schedule_at(&s, 40000000000), 10, 1e-9);
    cr_expect_float_eq(sim_rate_schedule_expected(&s, 0, 40000000000), 1000 + 3000, 1e-6);
    cr_expect_float_eq(sim_rate_schedule_expected(&s, 35000000000, 60000000000),
                       (200 + 250) / 2.0 * 5 + 10 * 20, 1e-6);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    for (int i = 0; i < 10000; i++) {
        sim_time from = (sim_time)(gsl_rng_uniform(g) * 6e10);
        double x = gsl_rng_uniform(g) * 500;
        sim_time to = sim_rate_schedule_after(&s, from, x);
        double got = sim_rate_schedule_expected(&s, from, to);
        cr_assert_lt(fabs(got - x), 250 * 1e-9, "from %lld, x %g: reached %g at %lld",
                     (long long)from, x, got, (long long)to);
    }
    gsl_rng_free(g);
    sim_time z[] = {0, 10000000000};
    double zr[] = {5, 0};
    sim_rate_schedule down = {2, z, zr};
    cr_expect_eq(sim_rate_schedule_after(&down, 0, 26), SIM_TIME_MAX,
                 "a ramp to 0 supplies 25 events, then none");
}

static void expect_phase_error(const char *phases, const char *where, const char *words) {
    char *y = sim_strfmt("name: bad\nduration: 10s\nnodes:\n"
                         "  web: {kind: service, service: 1ms}\n"
                         "  users:\n"
                         "    kind: client\n"
                         "    target: web\n"
                         "    rate: %s\n",
                         phases);
    cr_assert(y);
    const char *want[] = {where, words};
    t_expect_refused(y, want, 2);
    free(y);
}

/* Each malformed phase is reported at its own line and column (the rate is on line 8, its
 * value from column 11). */
Test(load_schedule, each_malformed_phase_is_an_error_at_its_line_and_column) {
    expect_phase_error("[{at: 10s, rate: 1/s}, {at: 5s, rate: 2/s}]",
                       ":8:39:", "rate[1]: phases go in order of 'at'");
    expect_phase_error("[{at: 10s, rate: 1/s}, {at: 10s, rate: 2/s}]",
                       ":8:39:", "phases go in order of 'at'");
    expect_phase_error("[{at: 0s, rate: -5/s}]", ":8:27:", "non-negative rate");
    expect_phase_error("[{at: 0s, ramp_to: 5/s}]", ":8:30:", "a ramp needs 'over'");
    expect_phase_error("[{at: 0s, rate: 5/s, over: 3s}]", ":8:38:", "'over' goes with 'ramp_to'");
    expect_phase_error("[{at: 0s, rate: 5/s, ramp_to: 6/s, over: 1s}]", ":8:41:", "not both");
    expect_phase_error("[{at: 0s}]", ":8:12:", "needs 'rate'");
    expect_phase_error("[{rate: 5/s}]", ":8:12:", "missing 'at'");
    expect_phase_error("[{at: 0s, rate: 5/s, when: 3s}]", ":8:32:", "unknown key 'when'");
    expect_phase_error("[{at: 0s, rate: 5/s}, 7]", ":8:33:", "expected a phase");
    expect_phase_error("[]", ":8:11:", "a list of phases");
    expect_phase_error("[{at: 0s, ramp_to: 5/s, over: 10s}, {at: 5s, rate: 1/s}]",
                       ":8:52:", "before the previous phase's ramp ends (at 10s)");
    expect_phase_error("[{at: 0s, ramp_to: 5/s, over: 0s}]", ":8:41:", "duration > 0");
    expect_phase_error("[{at: soon, rate: 5/s}]", ":8:17:", "rate[0]");
    expect_phase_error("[{at: 0s, rate: 2e9/s}]", ":8:27:", "clock's resolution");
}

Test(load_schedule, a_schedule_with_users_or_arrival_is_refused_clearly) {
    const char *want[] = {"a rate schedule drives open-loop Poisson arrivals", "'start'"};
    t_expect_refused("name: bad\nduration: 10s\nnodes:\n"
                     "  web: {kind: service, service: 1ms}\n"
                     "  users: {kind: client, target: web, users: 3,"
                     " rate: [{at: 0s, rate: 1/s}, {at: 5s, rate: 9/s}]}\n",
                     want, 2);
    const char *order[] = {":5:", "'stop' (5s) must come after 'start' (5s)"};
    t_expect_refused("name: bad\nduration: 10s\nnodes:\n"
                     "  web: {kind: service, service: 1ms}\n"
                     "  users: {kind: client, target: web, rate: 1/s, start: 5s, stop: 5s}\n",
                     order, 2);
}

/* A duration bound reads in a natural unit: the clock's 1 ns, not 1e-06ms. */
Test(load_schedule, a_duration_bound_reads_in_a_natural_unit) {
    const char *stop[] = {":5:", "stop: expected a duration in [1ns, "};
    t_expect_refused("name: bad\nduration: 10s\nnodes:\n"
                     "  web: {kind: service, service: 1ms}\n"
                     "  users: {kind: client, target: web, rate: 1/s, stop: 0s}\n",
                     stop, 2);
}
