/* Key choosers for client workloads: one key, uniform over n keys, or Zipf over n keys with
 * exponent s (key 0 the most popular). Sampling is O(1) with no table. */
#ifndef SIM_KEYS_H
#define SIM_KEYS_H

#include "param.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct sim_key_sampler {
    sim_keys cfg;
    double h_x1, h_n, threshold; /* rejection-inversion constants (Zipf) */
} sim_key_sampler;

/* Prepares a sampler for cfg. */
void sim_key_sampler_init(sim_key_sampler *k, const sim_keys *cfg);
/* Returns a key in [0, n). */
uint64_t sim_key_sample(const sim_key_sampler *k, gsl_rng *r);

#endif
