/* Bucket index: values v < 2^(SUB+1) map to themselves; larger ones keep SUB+1 significant
 * bits: with m = floor(log2 v) and shift = m - SUB, index = 2^(SUB+1) + (shift-1)*2^SUB +
 * (v >> shift) - 2^SUB. A bucket then spans 2^shift values starting at >= 2^(SUB+shift), a
 * width of at most 1/2^SUB = 0.78% of its lower edge; the midpoint is within half that. */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#define SUB 7
#define HALF ((int64_t)1 << SUB)
#define LINEAR ((int64_t)1 << (SUB + 1))

static size_t bucket_of(int64_t v) {
    if (v < LINEAR)
        return (size_t)v;
    int m = 63 - __builtin_clzll((unsigned long long)v);
    int shift = m - SUB;
    return (size_t)(LINEAR + (int64_t)(shift - 1) * HALF + (v >> shift) - HALF);
}

size_t sim_hist_bucket_index(int64_t v) { return bucket_of(v < 0 ? 0 : v); }

/* Lower edge and width of bucket i. */
static void bucket_range(size_t i, double *lo, double *width) {
    if ((int64_t)i < LINEAR) {
        *lo = (double)i;
        *width = 1;
        return;
    }
    int64_t j = (int64_t)i - LINEAR;
    int shift = (int)(j / HALF) + 1;
    int64_t mant = HALF + j % HALF;
    *lo = (double)mant * (double)((int64_t)1 << shift);
    *width = (double)((int64_t)1 << shift);
}

void sim_hist_bucket_bounds(size_t i, double *lo, double *hi) {
    double width;
    bucket_range(i, lo, &width);
    *hi = *lo + width;
}

void sim_hist_init(sim_hist *h) { memset(h, 0, sizeof *h); }

void sim_hist_free(sim_hist *h) {
    free(h->counts);
    h->counts = NULL;
    h->nbuckets = 0;
}

static int grow(sim_hist *h, size_t need) {
    if (need <= h->nbuckets)
        return 0;
    size_t n = h->nbuckets ? h->nbuckets : 512;
    while (n < need)
        n *= 2;
    uint64_t *c = realloc(h->counts, n * sizeof *c);
    if (!c)
        return -1;
    memset(c + h->nbuckets, 0, (n - h->nbuckets) * sizeof *c);
    h->counts = c;
    h->nbuckets = n;
    return 0;
}

int sim_hist_record(sim_hist *h, int64_t v) {
    if (v < 0)
        v = 0;
    size_t b = bucket_of(v);
    if (grow(h, b + 1))
        return -1;
    h->counts[b]++;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count++;
    h->sum += (double)v;
    return 0;
}

int sim_hist_merge(sim_hist *dst, const sim_hist *src) {
    if (src->count == 0)
        return 0;
    if (grow(dst, src->nbuckets))
        return -1;
    for (size_t i = 0; i < src->nbuckets; i++)
        dst->counts[i] += src->counts[i];
    if (dst->count == 0 || src->min < dst->min)
        dst->min = src->min;
    if (dst->count == 0 || src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    return 0;
}

double sim_hist_quantile(const sim_hist *h, double q) {
    if (h->count == 0)
        return 0;
    if (q <= 0)
        return (double)h->min;
    if (q >= 1)
        return (double)h->max;
    /* Nearest rank: the smallest value with at least ceil(q*n) values at or below it. */
    double r = q * (double)h->count;
    uint64_t rank = (uint64_t)r;
    if ((double)rank < r)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < h->nbuckets; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            double lo, width;
            bucket_range(i, &lo, &width);
            double mid = width > 1 ? lo + width / 2 : lo;
            if (mid < (double)h->min)
                mid = (double)h->min;
            if (mid > (double)h->max)
                mid = (double)h->max;
            return mid;
        }
    }
    return (double)h->max;
}

double sim_hist_mean(const sim_hist *h) { return h->count ? h->sum / (double)h->count : 0; }
