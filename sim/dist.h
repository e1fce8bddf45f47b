/* Distributions of §2 of the topology contract: a small value type that the loader fills
 * and nodes sample from their own stream. Parameters are stored in the quantity's base unit
 * (nanoseconds for durations), so sampling needs no unit knowledge. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include "simtime.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef enum {
    SIM_DIST_NONE = 0, /* not given */
    SIM_DIST_CONSTANT,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_UNIFORM,
    SIM_DIST_NORMAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_ERLANG,
    SIM_DIST_GAMMA,
    SIM_DIST_PARETO,
    SIM_DIST_WEIBULL,
    SIM_DIST_EMPIRICAL,
} sim_dist_kind;

/* A distribution. Meaning of a and b by kind: constant (value), exponential (mean),
 * uniform (min, max), normal (mean, stddev), lognormal (mu, sigma of the underlying normal,
 * derived from the mean and stddev given), erlang (mean; k), gamma (shape, scale),
 * pareto (shape, scale), weibull (shape, scale), empirical (values[0..n-1]). */
typedef struct sim_dist {
    sim_dist_kind kind;
    unsigned k;
    double a, b;
    size_t n;
    const double *values; /* empirical only; owned by the topology's arena */
} sim_dist;

/* Returns one draw from d using r; d must not be SIM_DIST_NONE. */
double sim_dist_sample(const sim_dist *d, gsl_rng *r);
/* Returns one draw rounded to whole nanoseconds and clamped to [0, SIM_TIME_MAX]. */
sim_time sim_dist_sample_time(const sim_dist *d, gsl_rng *r);
/* Returns the distribution's mean (for normal: of the truncated-at-zero law). */
double sim_dist_mean(const sim_dist *d);
/* Returns the name used in YAML for kind ("exponential", ...). */
const char *sim_dist_kind_name(sim_dist_kind kind);

#endif
