/* Random streams: one GSL generator per node (and one small stream per sending node for the
 * network), each seeded by mixing the master seed with the stream's name, so adding a node
 * leaves the draws of every other stream unchanged. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the 64-bit seed of the stream called name under master seed (FNV-1a of the
 * name, then SplitMix64 finalisation with the master seed mixed in). Pure function. */
uint64_t sim_rng_stream_seed(uint64_t master, const char *name);

/* Returns a new generator (Tausworthe taus2, 24 bytes of state, fast) seeded for the named
 * stream; the caller owns it and frees it with gsl_rng_free. NULL when out of memory. */
gsl_rng *sim_rng_new(uint64_t master, const char *name);

/* The whole state of a small stream (16 bytes): SplitMix64 with a gamma of its own, so that
 * two streams are different sequences, not one sequence at two offsets. gamma 0 marks a
 * stream not seeded yet. Many of them (one per node) cost no allocation each. */
typedef struct sim_rng_cell {
    uint64_t seed, gamma;
} sim_rng_cell;

/* The GSL generator type whose state is a sim_rng_cell: 32-bit outputs, doubles with 53
 * bits. To draw from a cell with GSL's distributions, point a gsl_rng's state at it:
 * `gsl_rng view = {sim_rng_cell_type, &cell};` (no gsl_rng_alloc, nothing to free). */
extern const gsl_rng_type *const sim_rng_cell_type;

/* Seeds cell from a 64-bit stream seed (e.g. sim_rng_stream_seed's). Pure. */
void sim_rng_cell_seed(sim_rng_cell *cell, uint64_t seed);
/* The same generator, seeded the same way, in memory the caller provides: r's header, and
 * its state in the cap bytes at state when they suffice (else in a new block, which
 * sim_rng_release frees). Returns 0, or -1 when out of memory. Draws are those of
 * sim_rng_new's generator. */
int sim_rng_init(gsl_rng *r, void *state, size_t cap, uint64_t master, const char *name);
/* Frees what sim_rng_init allocated for r (its state, unless it was the caller's). */
void sim_rng_release(gsl_rng *r, const void *state);

#endif
