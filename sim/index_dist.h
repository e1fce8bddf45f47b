/* Key choosers for client workloads: one key, uniform over n keys, or Zipf over n keys with
 * exponent s (key 0 the most popular). Sampling is O(1) with no table. */
#ifndef SIM_KEYS_H
#define SIM_KEYS_H

#include "param.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct sim_index_sampler {
    sim_index_dist cfg;
    double h_x1, h_n, threshold; /* rejection-inversion constants (Zipf) */
} sim_index_sampler;

/* Prepares a sampler for cfg. */
void sim_index_sampler_init(sim_index_sampler *k, const sim_index_dist *cfg);
/* Returns a key in [0, n). */
uint64_t sim_index_sample(const sim_index_sampler *k, gsl_rng *r);

#endif
