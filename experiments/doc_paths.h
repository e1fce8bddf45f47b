/* Metric paths over a result document (contract §8.1): the dotted path of every numeric leaf,
 * and the resolution of one path against a document. Object keys are joined by '.'; list
 * elements are not addressable (a list and everything in it is skipped); booleans, strings
 * and nulls are not figures (and, on request, nor are the 0s of an empty histogram). A key may itself contain dots (an instance `nodes.web.0`): when
 * a path is resolved, at each object the longest key that matches the rest of the path wins.
 * This module reads documents only; it neither runs nor writes them. */
#ifndef DSIM_EXP_DOC_PATHS_H
#define DSIM_EXP_DOC_PATHS_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* One numeric leaf: its metric path and its value. */
typedef struct exp_leaf {
    char *path; /* owned by the list it is in */
    double value;
} exp_leaf;

/* The numeric leaves of a document, in document order. */
typedef struct exp_leaves {
    exp_leaf *items;
    size_t n, cap;
} exp_leaves;

/* Flags of exp_doc_leaves. */
enum {
    /* Every numeric leaf, inputs included. */
    EXP_LEAVES_ALL = 0,
    /* The run's figures only: leaves out the top-level `seed` (§8.3: "not `seed`"), the
     * top-level `overrides` record (the run's inputs as the user gave them, not figures) and
     * the time series' `series` (its interval is an input; its lists are not addressable). */
    EXP_LEAVES_FIGURES = 1,
    /* Leaves out the figures of a histogram with no samples: a latency object (every key a
     * histogram figure, mean/p50/p90/p99/p999/max) whose figures are all exactly 0 is how a
     * run document writes a histogram that recorded nothing, and such a 0 is no latency to
     * average or compare (a latency of exactly 0 ns on every sample is not a case a user
     * compares). Used by compare and the sweep summary, so their n counts real samples. */
    EXP_LEAVES_SAMPLED = 2,
};

/* Appends to out every numeric leaf of doc (an object; anything else has none) in document
 * order, with flags from the enum above. out starts zeroed or as a list already filled.
 * Returns 0, or -1 when out of memory (out keeps what was appended, and is still freed with
 * exp_leaves_free). */
int exp_doc_leaves(const cJSON *doc, unsigned flags, exp_leaves *out);

/* Frees the paths and the list, leaving it empty and reusable. */
void exp_leaves_free(exp_leaves *l);

/* The item the metric path names in doc (of any type: the caller checks it is a number), by
 * the longest-key-wins rule; NULL when no item has that path (an empty path, a step into a
 * list or a scalar, a missing key). The item is borrowed from doc. */
const cJSON *exp_doc_resolve(const cJSON *doc, const char *path);

/* The number the metric path names in doc, in *value. Returns 0, or -1 (leaving *value
 * untouched) when the path names no item or an item that is not a number. */
int exp_doc_number(const cJSON *doc, const char *path, double *value);

#endif
