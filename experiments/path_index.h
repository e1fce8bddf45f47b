/* An index of metric paths: finds the position of a path among those added so far, in O(1)
 * on average, so that merging documents with many figures (100,000 instances) stays linear.
 * The caller keeps its own array of per-path records in the order paths were added; the
 * index holds only the (borrowed) path strings and a hash table over them. */
#ifndef DSIM_EXP_PATH_INDEX_H
#define DSIM_EXP_PATH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct exp_path_index {
    const char **paths; /* borrowed: each must outlive the index */
    size_t n, cap;
    size_t *slot; /* open addressing: position + 1, 0 empty */
    size_t nslot;
} exp_path_index;

/* An empty index (a zeroed struct is one too). */
#define EXP_PATH_INDEX_INIT                                                                        \
    { 0 }

/* The position of path, or SIZE_MAX when it was never added. */
size_t exp_path_index_find(const exp_path_index *x, const char *path);
/* The position of path; when absent it is added at position n (and *added set, if given).
 * SIZE_MAX when out of memory (nothing added). */
size_t exp_path_index_find_or_add(exp_path_index *x, const char *path, bool *added);
/* Frees the index's own memory (not the paths). */
void exp_path_index_free(exp_path_index *x);

#endif
