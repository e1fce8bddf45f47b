/* Whole numbers drawn from 0 .. n-1 (a SIM_P_INDEX parameter): always 0, uniform, or Zipf with
 * exponent s (0 the most likely), as a client chooses the keys it reads and writes. Sampling
 * is O(1) with no table. */
#ifndef SIM_INDEX_DIST_H
#define SIM_INDEX_DIST_H

#include "param.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct sim_index_sampler {
    sim_index_dist cfg;
    double h_x1, h_n, threshold; /* rejection-inversion constants (Zipf) */
} sim_index_sampler;

/* Prepares a sampler for cfg. */
void sim_index_sampler_init(sim_index_sampler *k, const sim_index_dist *cfg);
/* Returns a number in [0, n). */
uint64_t sim_index_sample(const sim_index_sampler *k, gsl_rng *r);

#endif
