/* The seed argument of the experiment commands (contract §8.3, §8.4): `--seeds N` means seeds
 * 1..N, `--seeds A..B` the seeds A to B inclusive. Written once here for every command that
 * takes it (dsim compare, dsim sweep). */
#ifndef DSIM_EXP_SEEDS_H
#define DSIM_EXP_SEEDS_H

#include <stdint.h>

/* Parses s (N >= 1, or A..B with A <= B; whole numbers with nothing around them) into the
 * inclusive range [*first, *last]. Returns 0, or -1 leaving both untouched. */
int exp_parse_seeds(const char *s, uint64_t *first, uint64_t *last);

/* Parses s, a whole number with nothing around it (digits only: no sign, no spaces), into
 * *out: the counts the experiment commands take (--jobs). Returns 0, or -1 leaving *out. */
int exp_parse_count(const char *s, uint64_t *out);

#endif
