/* Time-weighted average of a piecewise-constant level (queue length, busy workers) over the
 * measured window [from, to]: the integral of the level over the window divided by its length.
 * It also keeps the integral over the warm-up [0, from] apart, so that a time series (§8.2)
 * can average the level over any interval, warm-up included, without changing by a bit the
 * measured window's figure. */
#ifndef SIM_TAVG_H
#define SIM_TAVG_H

#include "simtime.h"

typedef struct sim_tavg {
    sim_time from;  /* start of the measured window (warm-up end) */
    sim_time since; /* when the level last changed */
    double level;
    double area; /* integral of the level over [from, since] */
    double pre;  /* integral of the level over [0, min(since, from)] */
} sim_tavg;

/* Starts a level of 0 at time 0 that is measured from time from on. */
void sim_tavg_init(sim_tavg *a, sim_time from);
/* Sets the level to v at time now (now never decreases between calls). */
void sim_tavg_set(sim_tavg *a, sim_time now, double v);
/* Adds dv to the level at time now. */
void sim_tavg_add(sim_tavg *a, sim_time now, double dv);
/* Returns the average level over [from, to]; 0 when the window is empty. */
double sim_tavg_mean(const sim_tavg *a, sim_time to);
/* Returns the integral of the level (level x ns) over [0, to], warm-up included; the time
 * average over [t1, t2] is the difference of two of these divided by t2 - t1. */
double sim_tavg_integral(const sim_tavg *a, sim_time to);

#endif
