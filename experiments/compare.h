/* dsim compare (contract §8.4): two designs, A and B, run on the same seeds, and the paired
 * difference B - A of every numeric figure present in both, with its Student-t 95% interval,
 * relative change and significance.
 *
 * Common random numbers: every random stream of a run is seeded from the master seed and the
 * name of the node that draws it (sim/rng.h: a node's own stream, and its stream into the
 * network), never from its index or the number of nodes, so a node called `web` in A and in B
 * draws the same numbers, also when B adds or removes other nodes. What differs between A and
 * B then comes from the designs, not from the luck of the draw, and the paired difference has
 * a smaller variance than the difference of independent runs (Law & Kelton, Simulation
 * Modeling and Analysis, §11.2): the document reports both standard deviations.
 *
 * The runs go one after the other on this thread: the sweep's pool of threads is private to
 * experiments/sweep.c, and a second pool is not written here. Every document is held until
 * all runs are done (2 per seed), then flattened into metric paths once. What a report draws
 * of each design (its graph, its latency histogram pooled over the seeds by hist_pool.h, the
 * seeds that passed each `expect:` check) is gathered as the documents arrive. */
#ifndef DSIM_EXP_COMPARE_H
#define DSIM_EXP_COMPARE_H

#include "kind.h"
#include "loader.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One design: a topology file and the overrides applied to it, in order (--set and --set-a
 * or --set-b as they came). arg[i], when arg is non-NULL, is the option that gave sets[i]
 * ("--set-b"), so that the loader's "--set PATH=VALUE: error: ..." names it as given. */
typedef struct exp_design {
    const char *file;
    const sim_override *sets;
    const char *const *arg;
    size_t nsets;
} exp_design;

typedef struct exp_compare_options {
    exp_design a, b;
    uint64_t seed_first, seed_last; /* inclusive, first <= last */
    const sim_kind *const *kinds;   /* NULL-terminated */
    unsigned jobs;                  /* seeds run at a time (A and B of a seed in turn); 0: 1 */
    FILE *err;                      /* messages */
} exp_compare_options;

/* Exit statuses (contract §8): 0, 1 a run failed, 2 bad input (nothing is compared). */
enum { EXP_COMPARE_OK = 0, EXP_COMPARE_FAILED = 1, EXP_COMPARE_BAD_INPUT = 2 };

/* Loads A and B (either refused: bad input, with the loader's messages), runs each on every
 * seed and builds the compare document into *doc (caller frees with cJSON_Delete), with
 * "graph", "latency_hist" and "expect" in "a" and "b" (docs/results.md). Returns an
 * exit status; *doc is set only with EXP_COMPARE_OK. A topology with `warmup: auto` chooses
 * the warm-up of each run by MSER-5 (experiments/warmup_auto.h), and a run it refuses is bad
 * input. */
int exp_compare(const exp_compare_options *o, cJSON **doc);

/* The comparison proper, on documents already made: a[i] and b[i] are the documents of A and
 * B with the same seed, i < n. Adds to doc (an object) "metrics", "only_a" and "only_b" as
 * docs/results.md describes. Returns 0, or -1 when out of memory (doc then holds part). */
int exp_compare_documents(const cJSON *const *a, const cJSON *const *b, size_t n, cJSON *doc);

/* The members of doc's "metrics" (borrowed), in the order both dsim compare's table and the
 * report show them (docs/cli.md): first those that differ (a nonzero difference with an
 * interval: significant before not, the run's own figures before the nodes', each by
 * |diff_mean| over the interval's half-width), then those that do not, then the runs' inputs
 * (duration_s, warmup_s, overrides.*), the last two in document order. *n: how many in all,
 * *ndiffer of them differ, *nsig significantly. The caller frees the array; NULL when out of
 * memory. */
const cJSON **exp_compare_ranked(const cJSON *doc, size_t *n, size_t *ndiffer, size_t *nsig);

/* The rows the summary shows: at most max metrics, those that differ most (docs/cli.md: the
 * significant ones by |diff_mean| over the interval's half-width, else the largest such
 * ratios), and a line saying how many metrics were compared and differ. Returns 0, or -1
 * when out of memory or a write failed. */
int exp_compare_print(FILE *out, const cJSON *doc, size_t max);

#endif
