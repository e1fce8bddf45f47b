/* Whole-number distributions (sim/index_dist.h) against their exact laws. Uniform: Pearson's chi-square goodness
 * of fit over the n keys. Zipf: P(key k-1) = k^-s / H(n,s), H(n,s) = sum_{j=1..n} j^-s (the
 * generalized harmonic number, summed here directly), checked by a z-test on each of the top
 * keys (normal approximation to the binomial count) and by a chi-square over the whole range
 * in geometric bins. Each fit (one sampler, one seed) has false-alarm probability at most
 * ALPHA, split over its checks by Bonferroni; seeds are fixed. */
#include "index_dist.h"

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ALPHA 1e-6

static gsl_rng *new_rng(unsigned long seed) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static void init_sampler(sim_index_sampler *k, sim_index_kind dist, uint64_t n, double s) {
    sim_index_dist cfg = {.dist = dist, .n = n, .s = s};
    sim_index_sampler_init(k, &cfg);
}

/* Pearson's statistic for observed counts against expected ones, asserted below the
 * upper-alpha point of chi-square with nbins - 1 degrees of freedom. */
static void expect_chi_square(const double *obs, const double *expct, size_t nbins, double alpha,
                              const char *what) {
    double x2 = 0;
    for (size_t i = 0; i < nbins; i++) {
        cr_assert_geq(expct[i], 5, "%s: bin %zu expects %.3g (too few for chi-square)", what, i,
                      expct[i]);
        x2 += (obs[i] - expct[i]) * (obs[i] - expct[i]) / expct[i];
    }
    double crit = gsl_cdf_chisq_Qinv(alpha, (double)(nbins - 1));
    cr_assert_lt(x2, crit, "%s: chi-square %.1f >= %.1f (df %zu, alpha %g)", what, x2, crit,
                 nbins - 1, alpha);
}

Test(keys, one_key_is_always_zero) {
    gsl_rng *r = new_rng(1);
    sim_index_sampler k;
    init_sampler(&k, SIM_INDEX_ONE, 1000, 0);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(sim_index_sample(&k, r), 0);
    init_sampler(&k, SIM_INDEX_UNIFORM, 1, 0);
    for (int i = 0; i < 10000; i++)
        cr_assert_eq(sim_index_sample(&k, r), 0);
    gsl_rng_free(r);
}

/* N draws over n keys; the chi-square over every key. */
static void uniform_fit(uint64_t n, size_t draws, unsigned long seed) {
    gsl_rng *r = new_rng(seed);
    sim_index_sampler k;
    init_sampler(&k, SIM_INDEX_UNIFORM, n, 0);
    double *obs = calloc(n, sizeof *obs), *expct = malloc(n * sizeof *expct);
    cr_assert(obs && expct);
    for (size_t i = 0; i < draws; i++) {
        uint64_t key = sim_index_sample(&k, r);
        cr_assert_lt(key, n);
        obs[key]++;
    }
    for (uint64_t i = 0; i < n; i++)
        expct[i] = (double)draws / (double)n;
    char what[64];
    snprintf(what, sizeof what, "uniform n=%llu", (unsigned long long)n);
    expect_chi_square(obs, expct, n, ALPHA / 3, what);
    free(obs);
    free(expct);
    gsl_rng_free(r);
}

Test(keys, uniform_fits_chi_square) {
    uniform_fit(2, 200000, 2);
    uniform_fit(7, 200000, 3);
    uniform_fit(1000, 1000000, 4);
}

/* With n far above any count of draws, check range and the mean key (n-1)/2 by a z-test:
 * the variance of a uniform key is (n^2-1)/12. */
Test(keys, uniform_huge_n_in_range_and_centred) {
    const uint64_t n = 1000000000000ULL;
    enum { N = 1000000 };
    gsl_rng *r = new_rng(5);
    sim_index_sampler k;
    init_sampler(&k, SIM_INDEX_UNIFORM, n, 0);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        uint64_t key = sim_index_sample(&k, r);
        cr_assert_lt(key, n);
        sum += (double)key;
    }
    double mean = sum / N, sd = (double)n / sqrt(12.0) / sqrt((double)N);
    double z = gsl_cdf_ugaussian_Qinv(ALPHA / 2);
    cr_assert_leq(fabs(mean - ((double)n - 1) / 2), z * sd, "mean key %.6g", mean);
    gsl_rng_free(r);
}

/* The generalized harmonic number H(n, s), smallest terms first. */
static double harmonic(uint64_t n, double s) {
    double h = 0;
    for (uint64_t k = n; k >= 1; k--)
        h += pow((double)k, -s);
    return h;
}

/* Draws from Zipf(n, s) and compares with the exact pmf: z-tests on the top keys and a
 * chi-square over geometric bins [1], [2], ..., doubling once the single keys get rare, with
 * bins merged until each expects at least 5 draws. */
static void zipf_fit(uint64_t n, double s, size_t draws, unsigned long seed) {
    enum { TOP = 20, MAXBINS = 128 };
    char what[64];
    snprintf(what, sizeof what, "zipf n=%llu s=%g", (unsigned long long)n, s);
    gsl_rng *r = new_rng(seed);
    sim_index_sampler k;
    init_sampler(&k, SIM_INDEX_ZIPF, n, s);
    const double hn = harmonic(n, s);
    /* Bins by rank: lo[b] <= rank < lo[b+1]. */
    uint64_t lo[MAXBINS + 1];
    size_t nb = 0;
    for (uint64_t x = 1; x <= n && nb < MAXBINS;) {
        lo[nb++] = x;
        x = x < 64 ? x + 1 : x + x / 4;
    }
    lo[nb] = n + 1;
    double obs[MAXBINS] = {0}, expct[MAXBINS] = {0}, top[TOP] = {0};
    for (size_t i = 0; i < draws; i++) {
        uint64_t key = sim_index_sample(&k, r);
        cr_assert_lt(key, n, "%s: key %llu", what, (unsigned long long)key);
        uint64_t rank = key + 1;
        if (rank <= TOP)
            top[rank - 1]++;
        size_t a = 0, b = nb; /* the bin with lo[a] <= rank < lo[a+1] */
        while (b - a > 1) {
            size_t mid = (a + b) / 2;
            if (lo[mid] <= rank)
                a = mid;
            else
                b = mid;
        }
        obs[a]++;
    }
    for (size_t b = 0; b < nb; b++) {
        double p = 0;
        for (uint64_t x = lo[b + 1] - 1; x >= lo[b]; x--)
            p += pow((double)x, -s);
        expct[b] = p / hn * (double)draws;
    }
    /* Merge bins from the tail until each expects at least 5 draws. */
    size_t m = 0;
    double mo[MAXBINS], me[MAXBINS];
    for (size_t b = 0; b < nb; b++) {
        if (m > 0 && me[m - 1] < 5) {
            mo[m - 1] += obs[b];
            me[m - 1] += expct[b];
        } else {
            mo[m] = obs[b];
            me[m] = expct[b];
            m++;
        }
    }
    if (m > 1 && me[m - 1] < 5) {
        mo[m - 2] += mo[m - 1];
        me[m - 2] += me[m - 1];
        m--;
    }
    size_t ntop = n < TOP ? (size_t)n : TOP;
    double z = gsl_cdf_ugaussian_Qinv(ALPHA / 2 / (2.0 * (double)ntop));
    for (size_t i = 0; i < ntop; i++) {
        double p = pow((double)(i + 1), -s) / hn, mean = p * (double)draws;
        double sd = sqrt((double)draws * p * (1 - p));
        cr_assert_leq(fabs(top[i] - mean), z * sd + 1e-9,
                      "%s: key %zu drawn %.0f times, expected %.1f (sd %.1f)", what, i, top[i],
                      mean, sd);
    }
    if (m > 1)
        expect_chi_square(mo, me, m, ALPHA / 2, what);
    gsl_rng_free(r);
}

Test(keys, zipf_s1) {
    zipf_fit(100, 1, 1000000, 10);
    zipf_fit(1000000, 1, 1000000, 11);
}
Test(keys, zipf_s08) {
    zipf_fit(1000, 0.8, 1000000, 12);
    zipf_fit(1000000, 0.8, 1000000, 13);
}
Test(keys, zipf_s12) {
    zipf_fit(1000, 1.2, 1000000, 14);
    zipf_fit(1000000, 1.2, 1000000, 15);
}
/* s = 0 is the uniform law; large s puts nearly everything on the first keys; n = 1 and 2. */
Test(keys, zipf_edge_exponents_and_sizes) {
    zipf_fit(50, 0, 500000, 16);
    zipf_fit(1000, 2.5, 500000, 17);
    zipf_fit(10000, 0.99999, 500000, 18);
    zipf_fit(10000, 1.00001, 500000, 19);
    zipf_fit(2, 1, 200000, 20);
    zipf_fit(3, 0.5, 200000, 21);
}

/* Whatever the exponent, keys stay in [0, n), including n = 1 and huge n. */
Test(keys, zipf_always_in_range) {
    static const double exps[] = {0, 0.01, 0.5, 1, 1.5, 3, 10, 100};
    static const uint64_t sizes[] = {1, 2, 3, 10, 1000000, 1ULL << 40, 1ULL << 50};
    gsl_rng *r = new_rng(22);
    for (size_t i = 0; i < sizeof exps / sizeof *exps; i++)
        for (size_t j = 0; j < sizeof sizes / sizeof *sizes; j++) {
            sim_index_sampler k;
            init_sampler(&k, SIM_INDEX_ZIPF, sizes[j], exps[i]);
            for (int d = 0; d < 20000; d++) {
                uint64_t key = sim_index_sample(&k, r);
                cr_assert_lt(key, sizes[j], "s=%g n=%llu: key %llu", exps[i],
                             (unsigned long long)sizes[j], (unsigned long long)key);
            }
        }
    gsl_rng_free(r);
}
