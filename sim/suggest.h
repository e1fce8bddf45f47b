/* "Did you mean": the known word nearest to a misspelt one, or none when nothing is close.
 * Nearness is the optimal string alignment distance (Damerau-Levenshtein without edits of a
 * transposed pair: insertions, deletions, substitutions and swaps of two adjacent letters
 * each count 1). A candidate is close when its distance is at most a third of the word's
 * length, rounded up ((len + 2) / 3), as clang's typo correction bounds it
 * (clang/lib/Basic/SimpleTypoCorrection.cpp). Ties go to the candidate offered first, so a
 * table's order decides. Comparison is by byte, case-sensitive. */
#ifndef SIM_SUGGEST_H
#define SIM_SUGGEST_H

#include <stddef.h>

/* A search in progress: offer candidates one by one with sim_suggest_add. The word and the
 * candidates are borrowed and must outlive the search. */
typedef struct sim_suggest {
    const char *word;
    size_t len, limit;
    const char *best; /* nearest candidate so far, or NULL */
    size_t best_dist;
    size_t work; /* cells of the distance table computed so far, for callers with a budget */
} sim_suggest;

/* Starts a search for the candidate nearest to word. */
void sim_suggest_init(sim_suggest *s, const char *word);
/* Offers one candidate (NULL is ignored). */
void sim_suggest_add(sim_suggest *s, const char *candidate);
/* Returns the nearest close candidate offered (borrowed), or NULL when none is close. */
const char *sim_suggest_best(const sim_suggest *s);
/* Returns the nearest close word of the NULL-terminated list words, or NULL. */
const char *sim_suggest_among(const char *word, const char *const *words);
/* Returns the optimal string alignment distance of a and b, or max + 1 when it exceeds max
 * (the computation stops early then). Also max + 1 when out of memory. */
size_t sim_suggest_distance(const char *a, const char *b, size_t max);

#endif
