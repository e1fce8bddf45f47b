/* A rate that changes over time: a piecewise-linear function λ(t) of simulated time, in events
 * per second, given as knots. It knows nothing of what the events are (a client's arrivals,
 * for instance); it answers what the rate is at t, how many events it expects in [a, b)
 * (Λ(b) − Λ(a), the integral of λ), and where the next event of a Poisson process with that
 * rate falls, by inverting Λ (Çinlar 1975, §4.7: the times Λ⁻¹(E₁ + … + Eₖ) of unit-rate
 * exponential sums are a non-homogeneous Poisson process with intensity λ).
 *
 * Meaning of the knots (t[i], r[i]), i = 0 .. n−1, t non-decreasing: λ is 0 before t[0];
 * between t[i] and t[i+1] it goes linearly from r[i] to r[i+1] (two knots at the same time
 * are a step: the rate jumps from the first's to the second's); after t[n−1] it holds r[n−1].
 * The loader builds the knots from the YAML phases (SIM_P_RATE_SCHEDULE in param.h). */
#ifndef SIM_RATE_SCHEDULE_H
#define SIM_RATE_SCHEDULE_H

#include "simtime.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sim_rate_schedule {
    size_t n;    /* knots; 0: unset (no rate given) */
    sim_time *t; /* the knots' times, non-decreasing */
    double *r;   /* the rates there, per second, >= 0 */
} sim_rate_schedule;

/* True when s is one rate from time 0 on (a plain `rate: 100/s`); *rate gets it. */
bool sim_rate_schedule_is_constant(const sim_rate_schedule *s, double *rate);

/* λ at time t, per second (the value right after t where a step is at t). */
double sim_rate_schedule_at(const sim_rate_schedule *s, sim_time t);

/* The expected number of events in [a, b): Λ(b) − Λ(a), with a <= b. */
double sim_rate_schedule_expected(const sim_rate_schedule *s, sim_time a, sim_time b);

/* The time τ >= from at which the expected number of events since from reaches x >= 0
 * (Λ(τ) − Λ(from) = x), rounded to the nanosecond; SIM_TIME_MAX when the rate never again
 * supplies that many (it drops to 0 for good first). */
sim_time sim_rate_schedule_after(const sim_rate_schedule *s, sim_time from, double x);

#endif
