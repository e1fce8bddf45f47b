/* Distributions (sim/dist.h), with parameters stored as the loader stores them
 * (sim/loader_values.c): durations in ns as doubles; lognormal as mu and sigma of the
 * underlying normal; erlang as k and the mean; gamma as shape and scale (= mean / shape);
 * pareto and weibull as shape and scale.
 *
 * The oracles are the raw moments E[X^j], j = 1..4, from textbook closed forms (below, per
 * law). From them: the mean m, the variance v and the fourth central moment mu4. With N
 * draws the sample mean is within z sqrt(v/N) of m, and the sample variance within
 * z sqrt((mu4 - v^2)/N) of v (central limit theorem for the mean of (X-m)^2), with z the
 * two-sided normal point for a false-alarm probability ALPHA split (Bonferroni) over the
 * checks of a test. Seeds are fixed. */
#include "dist.h"
#include "units.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ALPHA 1e-6
#define N 1000000
#define PI 3.14159265358979323846

static gsl_rng *new_rng(unsigned long seed) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* Raw moments E[X^1..4] (index 1..4; [0] = 1). */
typedef struct moments {
    double m[5];
} moments;

static moments exponential_moments(double mean) { /* E[X^j] = j! mean^j */
    moments r = {{1, mean, 2 * pow(mean, 2), 6 * pow(mean, 3), 24 * pow(mean, 4)}};
    return r;
}

static moments uniform_moments(double a, double b) { /* (b^(j+1) - a^(j+1)) / ((j+1)(b-a)) */
    moments r = {{1}};
    for (int j = 1; j <= 4; j++)
        r.m[j] = (pow(b, j + 1) - pow(a, j + 1)) / ((j + 1) * (b - a));
    return r;
}

static moments gamma_moments(double shape, double scale) { /* scale^j shape(shape+1)... */
    moments r = {{1}};
    double p = 1;
    for (int j = 1; j <= 4; j++) {
        p *= (shape + j - 1) * scale;
        r.m[j] = p;
    }
    return r;
}

static moments lognormal_moments(double mu, double sigma) { /* exp(j mu + j^2 sigma^2 / 2) */
    moments r = {{1}};
    for (int j = 1; j <= 4; j++)
        r.m[j] = exp(j * mu + j * j * sigma * sigma / 2);
    return r;
}

static moments weibull_moments(double shape, double scale) { /* scale^j Gamma(1 + j/shape) */
    moments r = {{1}};
    for (int j = 1; j <= 4; j++)
        r.m[j] = pow(scale, j) * gsl_sf_gamma(1 + j / shape);
    return r;
}

static moments pareto_moments(double shape, double scale) { /* shape scale^j / (shape - j) */
    moments r = {{1}};
    for (int j = 1; j <= 4; j++)
        r.m[j] = shape > j ? shape * pow(scale, j) / (shape - j) : INFINITY;
    return r;
}

/* N(mu, sd^2) conditioned on X >= 0. With a = -mu/sd and lambda = phi(a) / (1 - Phi(a)), the
 * standard normal truncated to [a, inf) has moments M_0 = 1, M_1 = lambda,
 * M_j = a^(j-1) lambda + (j-1) M_(j-2) (integration by parts); X = mu + sd Z, expanded. */
static moments truncated_normal_moments(double mu, double sd) {
    double a = -mu / sd;
    double lambda = exp(-a * a / 2) / sqrt(2 * PI) / gsl_cdf_ugaussian_Q(a);
    double z[5] = {1, lambda, 0, 0, 0};
    for (int j = 2; j <= 4; j++)
        z[j] = pow(a, j - 1) * lambda + (j - 1) * z[j - 2];
    static const double binom[5][5] = {{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}};
    moments r = {{1}};
    for (int j = 1; j <= 4; j++) {
        r.m[j] = 0;
        for (int i = 0; i <= j; i++)
            r.m[j] += binom[j][i] * pow(mu, j - i) * pow(sd, i) * z[i];
    }
    return r;
}

static double mom_mean(moments x) { return x.m[1]; }
static double mom_var(moments x) { return x.m[2] - x.m[1] * x.m[1]; }
static double mom_mu4(moments x) {
    double m = x.m[1];
    return x.m[4] - 4 * m * x.m[3] + 6 * m * m * x.m[2] - 3 * m * m * m * m;
}

/* Draws N values; checks non-negativity and bounds, the mean (and, if var_too, the variance)
 * against the moments, with z for the test's share of ALPHA; and sim_dist_mean against the
 * closed-form mean to 1e-12 relative. */
static void check_law(const char *what, const sim_dist *d, moments th, double lo, double hi,
                      int var_too, double z, unsigned long seed) {
    gsl_rng *r = new_rng(seed);
    double sum = 0, sum2 = 0;
    const double m = mom_mean(th), v = mom_var(th);
    for (int i = 0; i < N; i++) {
        double x = sim_dist_sample(d, r);
        if (!(x >= lo && x <= hi))
            cr_assert_fail("%s: draw %.17g outside [%g, %g]", what, x, lo, hi);
        sum += x - m; /* centred sums: no cancellation */
        sum2 += (x - m) * (x - m);
    }
    double mean = m + sum / N;
    double sd_mean = sqrt(v / N);
    cr_assert_leq(fabs(mean - m), z * sd_mean, "%s: sample mean %.10g vs %.10g (tolerance %.3g)",
                  what, mean, m, z * sd_mean);
    cr_assert_float_eq(sim_dist_mean(d), m, 1e-12 * m, "%s: sim_dist_mean %.17g vs %.17g", what,
                       sim_dist_mean(d), m);
    if (var_too) {
        /* Unbiased sample variance from the sums about the true mean. */
        double var = (sum2 - sum * sum / N) / (N - 1);
        double sd_var = sqrt((mom_mu4(th) - v * v) / N);
        cr_assert_leq(fabs(var - v), z * sd_var,
                      "%s: sample variance %.10g vs %.10g (tolerance %.3g)", what, var, v,
                      z * sd_var);
    }
    gsl_rng_free(r);
}

/* z for a two-sided test with false-alarm ALPHA split over k checks. */
static double z_for(int k) { return gsl_cdf_ugaussian_Qinv(ALPHA / 2 / k); }

Test(dist, exponential) {
    sim_dist d = {.kind = SIM_DIST_EXPONENTIAL, .a = 2e6}; /* mean 2 ms */
    check_law("exponential 2ms", &d, exponential_moments(2e6), 0, INFINITY, 1, z_for(4), 1);
    sim_dist e = {.kind = SIM_DIST_EXPONENTIAL, .a = 0.3}; /* below a nanosecond */
    check_law("exponential 0.3ns", &e, exponential_moments(0.3), 0, INFINITY, 1, z_for(4), 2);
}

Test(dist, uniform) {
    sim_dist d = {.kind = SIM_DIST_UNIFORM, .a = 1e6, .b = 5e6};
    check_law("uniform 1..5ms", &d, uniform_moments(1e6, 5e6), 1e6, 5e6, 1, z_for(4), 3);
    sim_dist e = {.kind = SIM_DIST_UNIFORM, .a = 0, .b = 10};
    check_law("uniform 0..10ns", &e, uniform_moments(0, 10), 0, 10, 1, z_for(4), 4);
}

/* The normal is redrawn while negative: the law is the normal truncated at 0. Far from 0 it
 * is the plain normal; at mean 0 the half-normal, mean sd sqrt(2/pi). */
Test(dist, normal_truncated_at_zero) {
    const double z = z_for(6);
    sim_dist far = {.kind = SIM_DIST_NORMAL, .a = 10e6, .b = 1e6};
    check_law("normal 10ms sd 1ms", &far, truncated_normal_moments(10e6, 1e6), 0, INFINITY, 1, z,
              5);
    sim_dist near = {.kind = SIM_DIST_NORMAL, .a = 1e6, .b = 1e6};
    check_law("normal 1ms sd 1ms", &near, truncated_normal_moments(1e6, 1e6), 0, INFINITY, 1, z, 6);
    sim_dist half = {.kind = SIM_DIST_NORMAL, .a = 0, .b = 3e6};
    moments h = truncated_normal_moments(0, 3e6);
    cr_assert_float_eq(mom_mean(h), 3e6 * sqrt(2 / PI), 1e-9 * 3e6);
    check_law("normal 0 sd 3ms", &half, h, 0, INFINITY, 1, z, 7);
    sim_dist point = {.kind = SIM_DIST_NORMAL, .a = 4e6, .b = 0};
    cr_assert_eq(sim_dist_mean(&point), 4e6);
    gsl_rng *r = new_rng(8);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_dist_sample(&point, r), 4e6);
    gsl_rng_free(r);
}

/* Built from a mean and stddev as the loader does: sigma^2 = ln(1 + s^2/m^2),
 * mu = ln m - sigma^2 / 2; the law's mean and variance must come back as m and s^2. */
Test(dist, lognormal) {
    const double m = 5e6, s = 2e6;
    double s2 = log(1 + s * s / (m * m));
    sim_dist d = {.kind = SIM_DIST_LOGNORMAL, .a = log(m) - s2 / 2, .b = sqrt(s2)};
    moments th = lognormal_moments(d.a, d.b);
    cr_assert_float_eq(mom_mean(th), m, 1e-9 * m);
    cr_assert_float_eq(mom_var(th), s * s, 1e-9 * s * s);
    check_law("lognormal 5ms sd 2ms", &d, th, 0, INFINITY, 1, z_for(2), 9);
}

/* Erlang k with mean m: gamma with shape k and scale m/k. */
Test(dist, erlang) {
    const double z = z_for(4);
    sim_dist d = {.kind = SIM_DIST_ERLANG, .k = 4, .a = 8e6};
    check_law("erlang k=4 8ms", &d, gamma_moments(4, 2e6), 0, INFINITY, 1, z, 10);
    sim_dist one = {.kind = SIM_DIST_ERLANG, .k = 1, .a = 1e6}; /* exponential */
    check_law("erlang k=1 1ms", &one, exponential_moments(1e6), 0, INFINITY, 1, z, 11);
}

/* Gamma with shape a and scale b, as the loader stores {shape, mean}: b = mean / shape. */
Test(dist, gamma) {
    const double z = z_for(4);
    sim_dist d = {.kind = SIM_DIST_GAMMA, .a = 2.5, .b = 4e6 / 2.5};
    check_law("gamma shape 2.5 mean 4ms", &d, gamma_moments(2.5, 4e6 / 2.5), 0, INFINITY, 1, z, 12);
    sim_dist small = {.kind = SIM_DIST_GAMMA, .a = 0.5, .b = 2e6};
    check_law("gamma shape 0.5 mean 1ms", &small, gamma_moments(0.5, 2e6), 0, INFINITY, 1, z, 13);
}

/* Pareto with shape a and scale b: support [b, inf), mean a b / (a - 1). The normal
 * approximations need finite third moments of what is averaged (Berry-Esseen): X for the
 * mean (a > 3), (X - m)^2 for the variance (a > 6). */
Test(dist, pareto) {
    const double z = z_for(3);
    sim_dist d = {.kind = SIM_DIST_PARETO, .a = 9, .b = 1e6};
    check_law("pareto shape 9 scale 1ms", &d, pareto_moments(9, 1e6), 1e6, INFINITY, 1, z, 14);
    sim_dist heavy = {.kind = SIM_DIST_PARETO, .a = 3.5, .b = 1e6};
    check_law("pareto shape 3.5 scale 1ms", &heavy, pareto_moments(3.5, 1e6), 1e6, INFINITY, 0, z,
              15);
    sim_dist infinite = {.kind = SIM_DIST_PARETO, .a = 1, .b = 1e6};
    cr_assert(isinf(sim_dist_mean(&infinite)));
    infinite.a = 0.5;
    cr_assert(isinf(sim_dist_mean(&infinite)));
}

/* Weibull with shape k and scale l: E[X^j] = l^j Gamma(1 + j/k). */
Test(dist, weibull) {
    const double z = z_for(4);
    sim_dist d = {.kind = SIM_DIST_WEIBULL, .a = 1.5, .b = 3e6};
    check_law("weibull shape 1.5 scale 3ms", &d, weibull_moments(1.5, 3e6), 0, INFINITY, 1, z, 16);
    sim_dist e = {.kind = SIM_DIST_WEIBULL, .a = 1, .b = 2e6}; /* exponential, mean 2 ms */
    check_law("weibull shape 1 scale 2ms", &e, exponential_moments(2e6), 0, INFINITY, 1, z, 17);
}

Test(dist, constant_is_exact) {
    sim_dist d = {.kind = SIM_DIST_CONSTANT, .a = 2.5e6};
    gsl_rng *r = new_rng(18);
    for (int i = 0; i < 1000; i++) {
        cr_assert_eq(sim_dist_sample(&d, r), 2.5e6);
        cr_assert_eq(sim_dist_sample_time(&d, r), 2500000);
    }
    cr_assert_eq(sim_dist_mean(&d), 2.5e6);
    sim_dist zero = {.kind = SIM_DIST_CONSTANT, .a = 0};
    cr_assert_eq(sim_dist_sample_time(&zero, r), 0);
    gsl_rng_free(r);
}

/* Empirical: only the listed values, each list entry equally likely (a value listed twice
 * twice as likely): Pearson's chi-square over the distinct values, df = 3. */
Test(dist, empirical_picks_listed_values_uniformly) {
    static const double values[] = {3e6, 0, 1e9, 3e6, 250.5};
    static const double distinct[] = {0, 250.5, 3e6, 1e9};
    static const double weight[] = {1, 1, 2, 1};
    sim_dist d = {.kind = SIM_DIST_EMPIRICAL, .n = 5, .values = values};
    gsl_rng *r = new_rng(19);
    double count[4] = {0};
    for (int i = 0; i < N; i++) {
        double x = sim_dist_sample(&d, r);
        int j = 0;
        while (j < 4 && x != distinct[j])
            j++;
        cr_assert_lt(j, 4, "empirical drew %.17g, not a listed value", x);
        count[j]++;
    }
    double x2 = 0;
    for (int j = 0; j < 4; j++) {
        double e = N * weight[j] / 5;
        x2 += (count[j] - e) * (count[j] - e) / e;
    }
    cr_assert_lt(x2, gsl_cdf_chisq_Qinv(ALPHA, 3), "chi-square %.2f", x2);
    double m = (3e6 + 0 + 1e9 + 3e6 + 250.5) / 5;
    cr_assert_float_eq(sim_dist_mean(&d), m, 1e-12 * m);
    sim_dist one = {.kind = SIM_DIST_EMPIRICAL, .n = 1, .values = values + 2};
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(sim_dist_sample_time(&one, r), 1000000000);
    gsl_rng_free(r);
}

/* sample_time is the draw rounded to the nearest ns (halves up) and clamped to
 * [0, SIM_TIME_MAX]: compared draw by draw with sim_dist_sample on a copy of the generator. */
static void check_rounding(const char *what, const sim_dist *d, unsigned long seed) {
    gsl_rng *r = new_rng(seed), *twin = gsl_rng_clone(r);
    cr_assert_not_null(twin);
    for (int i = 0; i < 100000; i++) {
        double x = sim_dist_sample(d, twin);
        sim_time want;
        if (x >= (double)SIM_TIME_MAX)
            want = SIM_TIME_MAX;
        else if (!(x > 0))
            want = 0;
        else
            want = (sim_time)llround(x);
        sim_time got = sim_dist_sample_time(d, r);
        if (got != want)
            cr_assert_fail("%s: draw %.17g became %lld ns, want %lld", what, x, (long long)got,
                           (long long)want);
    }
    gsl_rng_free(r);
    gsl_rng_free(twin);
}

Test(dist, sample_time_rounds_to_nearest_ns) {
    sim_dist small = {.kind = SIM_DIST_UNIFORM, .a = 0, .b = 3};
    check_rounding("uniform 0..3ns", &small, 20);
    sim_dist exp_ = {.kind = SIM_DIST_EXPONENTIAL, .a = 1e6};
    check_rounding("exponential 1ms", &exp_, 21);
    /* Around 2^52 ns (52 days) every double is a whole number: nothing to round. */
    sim_dist big = {.kind = SIM_DIST_UNIFORM, .a = 4503599627370496.0, .b = 4503599627370596.0};
    check_rounding("uniform near 2^52 ns", &big, 22);
    /* A tail reaching past SIM_TIME_MAX (and to infinity): clamped. */
    sim_dist heavy = {.kind = SIM_DIST_PARETO, .a = 0.05, .b = 1e6};
    check_rounding("pareto shape 0.05", &heavy, 23);
    gsl_rng *r = new_rng(24);
    int clamped = 0;
    for (int i = 0; i < 10000; i++)
        clamped += sim_dist_sample_time(&heavy, r) == SIM_TIME_MAX;
    cr_assert_gt(clamped, 0, "the clamp was never exercised");
    gsl_rng_free(r);
}

/* A constant duration written in YAML becomes the same whole number of ns as the duration
 * parser gives (the loader stores constants from sim_parse_duration_ns). */
Test(dist, constant_time_matches_duration_parser) {
    gsl_rng *r = new_rng(25);
    for (int i = 1; i < 20000; i++) {
        char s[32];
        snprintf(s, sizeof s, "%d.%03dms", i / 1000, i % 1000);
        sim_dist d = {.kind = SIM_DIST_CONSTANT};
        sim_time t;
        cr_assert_null(sim_parse_duration_ns(s, &d.a));
        cr_assert_null(sim_parse_duration(s, &t));
        cr_assert_eq(sim_dist_sample_time(&d, r), t, "constant %s: %lld ns, parser %lld", s,
                     (long long)sim_dist_sample_time(&d, r), (long long)t);
    }
    gsl_rng_free(r);
}

/* Every law with loader-valid parameters, extreme ones included, draws values >= 0 and
 * times in [0, SIM_TIME_MAX]. */
Test(dist, draws_are_never_negative) {
    const double vals[] = {1, 2};
    const sim_dist laws[] = {
        {.kind = SIM_DIST_EXPONENTIAL, .a = 1},
        {.kind = SIM_DIST_UNIFORM, .a = 0, .b = 0},
        {.kind = SIM_DIST_NORMAL, .a = 0, .b = 1e9},
        {.kind = SIM_DIST_LOGNORMAL, .a = 0, .b = 3},
        {.kind = SIM_DIST_ERLANG, .k = 1000, .a = 1},
        {.kind = SIM_DIST_GAMMA, .a = 0.01, .b = 1},
        {.kind = SIM_DIST_PARETO, .a = 1e-3, .b = 1},
        {.kind = SIM_DIST_WEIBULL, .a = 0.2, .b = 1},
        {.kind = SIM_DIST_EMPIRICAL, .n = 2, .values = vals},
    };
    gsl_rng *r = new_rng(26);
    for (size_t l = 0; l < sizeof laws / sizeof *laws; l++)
        for (int i = 0; i < 100000; i++) {
            double x = sim_dist_sample(&laws[l], r);
            if (!(x >= 0))
                cr_assert_fail("%s: draw %.17g", sim_dist_kind_name(laws[l].kind), x);
            sim_time t = sim_dist_sample_time(&laws[l], r);
            if (t < 0 || t > SIM_TIME_MAX)
                cr_assert_fail("%s: time %lld", sim_dist_kind_name(laws[l].kind), (long long)t);
        }
    gsl_rng_free(r);
}

/* The names are the YAML spellings the loader accepts. */
Test(dist, kind_names) {
    static const char *const names[] = {"none",   "constant",  "exponential", "uniform",
                                        "normal", "lognormal", "erlang",      "gamma",
                                        "pareto", "weibull",   "empirical"};
    for (int k = SIM_DIST_NONE; k <= SIM_DIST_EMPIRICAL; k++)
        cr_assert_str_eq(sim_dist_kind_name((sim_dist_kind)k), names[k]);
}
