/* The latency histogram (sim/hist.h). Oracles: the exact statistics of the recorded values,
 * computed here from a sorted copy. The quantile bound is the header's: a quantile is the
 * midpoint of the bucket holding the exact nearest-rank value, and a bucket above 256 spans
 * 2^shift values starting at or above 128 * 2^shift, so the midpoint is within half a width,
 * 1/256 (0.39%) of any value in the bucket; below 256 it is exact. */
#include "hist.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#define REL_BOUND (1.0 / 256)

static gsl_rng *new_rng(unsigned long seed) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The exact nearest-rank q-quantile of sorted[0..n-1]: the ceil(q n)-th smallest value (the
 * same rank rule as the header's). */
static int64_t exact_quantile(const int64_t *sorted, size_t n, double q) {
    if (q <= 0)
        return sorted[0];
    if (q >= 1)
        return sorted[n - 1];
    double r = ceil(q * (double)n);
    size_t rank = r < 1 ? 1 : (size_t)r;
    return sorted[rank - 1];
}

/* Checks quantiles at fixed and random q against the exact ones, within the bucket bound. */
static void check_quantiles(const sim_hist *h, int64_t *v, size_t n, gsl_rng *r, const char *what) {
    qsort(v, n, sizeof *v, cmp_i64);
    static const double fixed[] = {0,    1e-6, 0.001, 0.01,  0.1,    0.25,    0.5,
                                   0.75, 0.9,  0.99,  0.999, 0.9999, 0.99999, 1};
    const size_t nfixed = sizeof fixed / sizeof *fixed;
    for (size_t i = 0; i < nfixed + 2000; i++) {
        double q = i < nfixed ? fixed[i] : gsl_rng_uniform(r);
        double got = sim_hist_quantile(h, q);
        int64_t want = exact_quantile(v, n, q);
        if (want < 256)
            cr_assert_eq(got, (double)want, "%s: q=%.9g: got %.17g, exact %lld", what, q, got,
                         (long long)want);
        else
            cr_assert_leq(fabs(got - (double)want), REL_BOUND * (double)want,
                          "%s: q=%.9g: got %.17g, exact %lld (rel. error %.3g)", what, q, got,
                          (long long)want, fabs(got - (double)want) / (double)want);
    }
}

/* Records v[0..n-1] into h. */
static void record_all(sim_hist *h, const int64_t *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(sim_hist_record(h, v[i]), 0);
}

Test(hist, empty_histogram_reads_zero) {
    sim_hist h;
    sim_hist_init(&h);
    cr_assert_eq(h.count, 0);
    cr_assert_eq(sim_hist_mean(&h), 0);
    cr_assert_eq(sim_hist_quantile(&h, 0), 0);
    cr_assert_eq(sim_hist_quantile(&h, 0.5), 0);
    cr_assert_eq(sim_hist_quantile(&h, 1), 0);
    sim_hist e;
    sim_hist_init(&e);
    cr_assert_eq(sim_hist_merge(&h, &e), 0);
    cr_assert_eq(h.count, 0);
    cr_assert_eq(sim_hist_quantile(&h, 0.5), 0);
    sim_hist_free(&h);
    sim_hist_free(&e);
    sim_hist_free(&e); /* freeing twice is harmless: the array pointer is reset */
}

/* Values below 256 have a bucket each: every quantile is exact. */
Test(hist, values_below_256_are_exact) {
    enum { N = 100000 };
    gsl_rng *r = new_rng(1);
    int64_t *v = malloc(N * sizeof *v);
    sim_hist h;
    sim_hist_init(&h);
    for (size_t i = 0; i < N; i++)
        v[i] = (int64_t)gsl_rng_uniform_int(r, 256);
    record_all(&h, v, N);
    check_quantiles(&h, v, N, r, "0..255");
    for (int64_t x = 0; x < 256; x++) { /* a single value reads back as itself */
        sim_hist one;
        sim_hist_init(&one);
        sim_hist_record(&one, x);
        cr_assert_eq(sim_hist_quantile(&one, 0.5), (double)x);
        sim_hist_free(&one);
    }
    sim_hist_free(&h);
    free(v);
    gsl_rng_free(r);
}

/* Integer values whose sum stays below 2^53, so the double sum, hence the mean, is exact. */
Test(hist, count_min_max_mean_are_exact) {
    enum { N = 200000 };
    gsl_rng *r = new_rng(2);
    sim_hist h;
    sim_hist_init(&h);
    int64_t lo = INT64_MAX, hi = INT64_MIN, sum = 0;
    for (size_t i = 0; i < N; i++) {
        int64_t x = 1000 + (int64_t)gsl_rng_uniform_int(r, 1000000000);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        sum += x;
        cr_assert_eq(sim_hist_record(&h, x), 0);
    }
    cr_assert_eq(h.count, N);
    cr_assert_eq(h.min, lo);
    cr_assert_eq(h.max, hi);
    cr_assert_eq(sim_hist_mean(&h), (double)sum / N);
    cr_assert_eq(sim_hist_quantile(&h, 0), (double)lo);
    cr_assert_eq(sim_hist_quantile(&h, 1), (double)hi);
    sim_hist_free(&h);
    gsl_rng_free(r);
}

/* Log-uniform over 1 ns .. 10 h (13.5 decades) and mixtures of common latency shapes. */
Test(hist, quantiles_within_bucket_error_over_many_magnitudes) {
    enum { N = 1000000 };
    gsl_rng *r = new_rng(3);
    int64_t *v = malloc(N * sizeof *v);
    cr_assert_not_null(v);
    const double top = 10 * 3600e9;
    for (int shape = 0; shape < 3; shape++) {
        sim_hist h;
        sim_hist_init(&h);
        double sum = 0;
        for (size_t i = 0; i < N; i++) {
            double x;
            if (shape == 0)
                x = exp(gsl_rng_uniform(r) * log(top));
            else if (shape == 1)
                x = gsl_ran_exponential(r, 1e6);
            else /* 1% stragglers a million times slower */
                x = gsl_rng_uniform(r) < 0.01 ? gsl_ran_lognormal(r, log(1e12), 1)
                                              : gsl_ran_lognormal(r, log(1e5), 0.5);
            v[i] = (int64_t)x;
            sum += (double)v[i];
        }
        record_all(&h, v, N);
        cr_assert_eq(h.count, N);
        /* The mean from a double sum in the same order is the same double. */
        cr_assert_eq(sim_hist_mean(&h), sum / N);
        static const char *const names[] = {"log-uniform 1ns..10h", "exponential 1ms",
                                            "lognormal with stragglers"};
        check_quantiles(&h, v, N, r, names[shape]);
        cr_assert_eq(h.min, v[0]);
        cr_assert_eq(h.max, v[N - 1]);
        sim_hist_free(&h);
    }
    free(v);
    gsl_rng_free(r);
}

/* Every power of two and its neighbours up to INT64_MAX: the bucket edges. */
Test(hist, bucket_edges_up_to_int64_max) {
    int64_t v[3 * 63 + 1];
    size_t n = 0;
    for (int b = 0; b < 63; b++) {
        int64_t p = (int64_t)1 << b;
        v[n++] = p;
        v[n++] = p - 1;
        v[n++] = p + 1;
    }
    v[n++] = INT64_MAX;
    gsl_rng *r = new_rng(4);
    for (size_t i = 0; i < n; i++) { /* each value alone reads back within the bound */
        sim_hist one;
        sim_hist_init(&one);
        cr_assert_eq(sim_hist_record(&one, v[i]), 0);
        double got = sim_hist_quantile(&one, 0.5);
        cr_assert_eq(got, (double)v[i], "single value %lld read as %.17g (clamped to min/max)",
                     (long long)v[i], got);
        sim_hist_free(&one);
    }
    sim_hist h;
    sim_hist_init(&h);
    record_all(&h, v, n);
    check_quantiles(&h, v, n, r, "powers of two");
    cr_assert_eq(h.max, INT64_MAX);
    sim_hist_free(&h);
    gsl_rng_free(r);
}

Test(hist, negative_values_count_as_zero) {
    sim_hist h;
    sim_hist_init(&h);
    cr_assert_eq(sim_hist_record(&h, -5), 0);
    cr_assert_eq(sim_hist_record(&h, INT64_MIN), 0);
    cr_assert_eq(sim_hist_record(&h, 30), 0);
    cr_assert_eq(h.count, 3);
    cr_assert_eq(h.min, 0);
    cr_assert_eq(h.max, 30);
    cr_assert_eq(sim_hist_mean(&h), 10);
    cr_assert_eq(sim_hist_quantile(&h, 0.5), 0);
    cr_assert_eq(sim_hist_quantile(&h, 0.6), 0);  /* rank ceil(1.8) = 2 */
    cr_assert_eq(sim_hist_quantile(&h, 0.7), 30); /* rank ceil(2.1) = 3 */
    sim_hist_free(&h);
}

/* Recording parts into separate histograms and merging equals recording all into one:
 * counts bucket by bucket, statistics and quantiles. Parts of different ranges make the
 * source's bucket array longer or shorter than the destination's; one part is empty. */
Test(hist, merge_equals_recording_everything_into_one) {
    enum { N = 300000, PARTS = 4 };
    gsl_rng *r = new_rng(5);
    sim_hist all, part[PARTS], merged;
    sim_hist_init(&all);
    sim_hist_init(&merged);
    for (int p = 0; p < PARTS; p++)
        sim_hist_init(&part[p]);
    const double scale[PARTS] = {1e3, 1e9, 0, 1e5}; /* part 2 stays empty */
    for (size_t i = 0; i < N; i++) {
        int p = (int)gsl_rng_uniform_int(r, PARTS);
        if (scale[p] == 0)
            p = 0;
        int64_t x = (int64_t)gsl_ran_exponential(r, scale[p]);
        cr_assert_eq(sim_hist_record(&all, x), 0);
        cr_assert_eq(sim_hist_record(&part[p], x), 0);
    }
    cr_assert_eq(part[2].count, 0);
    /* Merge the small-range part first so the destination must grow for the wide one. */
    static const int order[PARTS] = {0, 2, 1, 3};
    for (int k = 0; k < PARTS; k++)
        cr_assert_eq(sim_hist_merge(&merged, &part[order[k]]), 0);
    cr_assert_eq(merged.count, all.count);
    cr_assert_eq(merged.min, all.min);
    cr_assert_eq(merged.max, all.max);
    /* Integer values below 2^53 in total: both sums are exact. */
    cr_assert_eq(merged.sum, all.sum);
    size_t nb = merged.nbuckets > all.nbuckets ? merged.nbuckets : all.nbuckets;
    for (size_t i = 0; i < nb; i++) {
        uint64_t a = i < all.nbuckets ? all.counts[i] : 0;
        uint64_t m = i < merged.nbuckets ? merged.counts[i] : 0;
        cr_assert_eq(m, a, "bucket %zu: merged %llu, direct %llu", i, (unsigned long long)m,
                     (unsigned long long)a);
    }
    for (int i = 0; i <= 1000; i++)
        cr_assert_eq(sim_hist_quantile(&merged, i / 1000.0), sim_hist_quantile(&all, i / 1000.0));
    /* Merging into a non-empty histogram whose minimum is larger. */
    sim_hist big;
    sim_hist_init(&big);
    cr_assert_eq(sim_hist_record(&big, 1000000000000), 0);
    cr_assert_eq(sim_hist_merge(&big, &part[0]), 0);
    cr_assert_eq(big.count, part[0].count + 1);
    cr_assert_eq(big.min, part[0].min);
    cr_assert_eq(big.max, 1000000000000);
    sim_hist_free(&big);
    sim_hist_free(&all);
    sim_hist_free(&merged);
    for (int p = 0; p < PARTS; p++)
        sim_hist_free(&part[p]);
    gsl_rng_free(r);
}

/* The histogram is reusable after free and init. */
Test(hist, reusable_after_free) {
    sim_hist h;
    sim_hist_init(&h);
    cr_assert_eq(sim_hist_record(&h, 123456789), 0);
    sim_hist_free(&h);
    sim_hist_init(&h);
    cr_assert_eq(sim_hist_record(&h, 7), 0);
    cr_assert_eq(h.count, 1);
    cr_assert_eq(h.min, 7);
    cr_assert_eq(h.max, 7);
    cr_assert_eq(sim_hist_quantile(&h, 0.99), 7);
    sim_hist_free(&h);
}
