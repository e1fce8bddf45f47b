/* Summary statistics over replications (contract §8.3, §8.4): the mean, the sample standard
 * deviation (n - 1) and the Student-t confidence interval of the mean. Values are added one at
 * a time with Welford's update (Welford 1962; Knuth, TAOCP vol. 2, 4.2.2), which stays
 * accurate where the sum of squares would cancel (large values that differ little, e.g.
 * 1e9 + 4, 1e9 + 7, ...), and gives exactly 0 spread for equal values. The interval is
 * mean ± t(1 - (1 - level) / 2; n - 1) · s / √n, the quantile from GSL (gsl_cdf_tdist_Pinv);
 * it assumes the replications are independent and their mean roughly normal (Law & Kelton,
 * Simulation Modeling and Analysis, §9.4.1). */
#ifndef DSIM_EXP_STATS_H
#define DSIM_EXP_STATS_H

#include <stddef.h>

/* The running figures of the values added so far; zero-initialise it or use exp_stats_init. */
typedef struct exp_stats {
    size_t n;
    double mean; /* of the values so far; 0 before any */
    double m2;   /* sum of squared differences from the mean */
} exp_stats;

/* Empties s. */
void exp_stats_init(exp_stats *s);
/* Adds value x (finite; a NaN or infinity makes every figure NaN). */
void exp_stats_add(exp_stats *s, double x);
/* The mean of the values added; NaN when there are none. */
double exp_stats_mean(const exp_stats *s);
/* The sample standard deviation (divisor n - 1); NaN when fewer than 2 values were added. */
double exp_stats_stddev(const exp_stats *s);
/* The Student-t interval of the mean at level (0 < level < 1, e.g. 0.95) in *lo, *hi.
 * Returns 0, or -1 leaving them untouched when fewer than 2 values were added (the interval
 * is then null: one replication says nothing about its spread) or level is out of range. */
int exp_stats_ci(const exp_stats *s, double level, double *lo, double *hi);
/* exp_stats_ci at level 0.95. */
int exp_stats_ci95(const exp_stats *s, double *lo, double *hi);

#endif
