/* Histogram of non-negative 64-bit values (nanoseconds) with bounded relative error:
 * log-linear buckets, 128 per power of two (as in HdrHistogram), so a percentile read from
 * the bucket midpoint is within 0.4% of a value in that bucket; values below 256 are exact.
 * Count, sum, min and max are exact. The bucket array grows on demand. */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_hist {
    uint64_t *counts; /* owned; grown to the highest bucket recorded so far */
    size_t nbuckets;
    uint64_t count;
    double sum;
    int64_t min, max;
} sim_hist;

/* Initialises an empty histogram (no allocation until the first record). */
void sim_hist_init(sim_hist *h);
/* Frees the bucket array; h may be reused after sim_hist_init. */
void sim_hist_free(sim_hist *h);
/* Records value v (negative values count as 0). Returns 0, or -1 when out of memory. */
int sim_hist_record(sim_hist *h, int64_t v);
/* Adds every value of src into dst. Returns 0, or -1 when out of memory. */
int sim_hist_merge(sim_hist *dst, const sim_hist *src);
/* Returns the nearest-rank q-quantile (q in [0,1]) as the midpoint of its bucket, clamped to
 * [min, max]; 0 when empty. */
double sim_hist_quantile(const sim_hist *h, double q);
/* The edges [*lo, *hi) of bucket i (ns): counts[i] holds the values recorded in it. */
void sim_hist_bucket_bounds(size_t i, double *lo, double *hi);
/* The bucket value v (>= 0) falls in. */
size_t sim_hist_bucket_index(int64_t v);
/* Returns the exact mean, 0 when empty. */
double sim_hist_mean(const sim_hist *h);

#endif
