/* MSER-5, the truncation rule for the initial transient of a simulation output (White 1997,
 * "An effective truncation heuristic for bias reduction in simulation output", Simulation
 * 69(6); Spratt 1998, MSER-5: the rule applied to batch means of 5 observations). Pure
 * arithmetic on arrays the caller owns: no engine, no allocation. warmup_auto.h applies it to
 * a run's response times. */
#ifndef EXP_MSER_H
#define EXP_MSER_H

#include <stddef.h>

/* The observations averaged into one batch mean (the "5" of MSER-5). */
#define EXP_MSER_BATCH 5

/* The truncation MSER chose: delete the first d batches; statistic is the MSER value there,
 * (1 / (n - d)^2) * sum over the kept batches of (x_i - their mean)^2. */
typedef struct exp_mser {
    size_t d;
    double statistic;
} exp_mser;

/* MSER over the n >= 2 batch means x[0..n-1] (1-based in the papers: d deletes X_1..X_d):
 * d* = argmin over 0 <= d <= n - 2 of (1 / (n - d)^2) sum_{i >= d} (x_i - mean(x[d..n-1]))^2,
 * the smallest such d on ties. O(n) time, O(1) extra memory (one backward pass with
 * Welford's update of the kept batches' mean and sum of squares). With n < 2 there is no
 * choice: returns {0, 0}. */
exp_mser exp_mser_truncation(const double *x, size_t n);

/* Whether MSER's choice is one to trust: d* < n / 2. A minimum in the second half means the
 * series has not settled within the run (the run is too short to have reached steady
 * state); the rule's authors reject such truncations. */
int exp_mser_is_settled(exp_mser m, size_t n);

#endif
