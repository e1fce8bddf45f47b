/* The latency histograms of several run documents pooled into one (contract §8.5: a compare
 * document carries each design's client latency pooled over its seeds, for its CDF).
 *
 * A run document's "latency_hist" is {"bounds_ms": [b0..bm], "counts": [c0..cm-1]}: c_i
 * requests took b_i <= latency < b_(i+1), over that run's non-empty range only, so two runs
 * cover different ranges. The pool merges by bound value: its bounds are the union of every
 * run's bounds, and the count of the interval starting at a bound is the sum of the counts
 * that start at that bound in the runs. Every run's bounds are edges of the same fixed grid
 * of histogram buckets (docs/results.md), consecutive in it, so a run's interval is never
 * split by another's bound and the pool is exact; where the runs' ranges leave a gap, the
 * pool has one interval with count 0 across it. The pool holds one entry per distinct bound
 * (a few hundred), whatever the number of runs added. */
#ifndef DSIM_EXP_HIST_POOL_H
#define DSIM_EXP_HIST_POOL_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct exp_hist_pool {
    double *bound; /* strictly increasing */
    double *count; /* count[i]: of the interval bound[i]..bound[i+1]; count[n-1] is 0 */
    size_t n;
} exp_hist_pool;

/* An empty pool (a zeroed struct is one too). */
#define EXP_HIST_POOL_INIT                                                                         \
    { 0 }

/* Adds one "latency_hist" object. An empty one (no bounds) adds nothing. Returns 0; -1 when
 * out of memory; -2 when hist is malformed (not an object of two number lists, counts not
 * one shorter than bounds, bounds not strictly increasing and finite, a count negative or
 * not finite). On failure the pool is unchanged. */
int exp_hist_pool_add(exp_hist_pool *p, const cJSON *hist);

/* The pool as a "latency_hist" object ({"bounds_ms": [], "counts": []} when nothing was
 * added); caller frees. NULL when out of memory. */
cJSON *exp_hist_pool_json(const exp_hist_pool *p);

/* Frees the pool's memory, leaving it empty and reusable. */
void exp_hist_pool_free(exp_hist_pool *p);

#endif
