/* dsim sweep --precision R --metric PATH [--max-seeds N]: seeds are added to a config until
 * the Student-t 95% interval of PATH's mean over its seeds is within R of the mean, by the
 * relative-precision rule of Law & Kelton (Simulation Modeling and Analysis, §9.4.1): a
 * sequential procedure that stops when half-width / |mean| <= R' with R' = R / (1 + R), the
 * adjusted target that makes |mean - mu| / |mu| <= R hold with the interval's confidence (the
 * relative error measured against the unknown mu, not against the estimate). This module
 * decides only: from the figures of a config's completed runs, whether it has converged and
 * how many seeds it should have after the next round. It runs and reads nothing. */
#ifndef DSIM_EXP_SWEEP_PRECISION_H
#define DSIM_EXP_SWEEP_PRECISION_H

#include "stats.h"

#include <stdbool.h>
#include <stddef.h>

/* The rule: off when metric is NULL. */
typedef struct exp_precision {
    const char *metric; /* a metric path (contract §8.1) */
    double relative;    /* R, in (0, 1) */
    size_t max_seeds;   /* the most seeds a config may have */
} exp_precision;

/* What the rule says of one config. */
typedef struct exp_precision_verdict {
    double rel_half_width; /* half-width / |mean|; NaN when it has no value (n < 2, mean 0) */
    bool converged;        /* rel_half_width <= R / (1 + R) */
    size_t next;           /* the seeds it should have after the next round (= seeds: none more) */
} exp_precision_verdict;

/* The adjusted target R / (1 + R). */
double exp_precision_target(double relative);

/* Judges a config that has run `seeds` seeds, st holding the metric of those that have it.
 * Not converged and below the cap, it asks for Law & Kelton's estimate of the seeds needed,
 * n* = n (h / (R' |mean|))^2 (the half-width shrinks as 1/sqrt(n) at a fixed variance), at
 * least one more and at most twice as many as it has (an estimate of the variance from few
 * seeds is itself rough: growing at most 2x per round keeps a bad first estimate from
 * spending the whole cap), never beyond max_seeds. */
exp_precision_verdict exp_precision_judge(const exp_precision *p, const exp_stats *st,
                                          size_t seeds);

#endif
