/* The relative-precision rule of a sweep (sweep_precision.h). */
#include "sweep_precision.h"

#include <math.h>

double exp_precision_target(double relative) { return relative / (1.0 + relative); }

exp_precision_verdict exp_precision_judge(const exp_precision *p, const exp_stats *st,
                                          size_t seeds) {
    exp_precision_verdict v = {.rel_half_width = NAN, .converged = false, .next = seeds};
    double lo, hi;
    double target = exp_precision_target(p->relative);
    if (exp_stats_ci95(st, &lo, &hi) == 0) {
        double h = (hi - lo) / 2, mean = fabs(exp_stats_mean(st));
        if (h == 0) /* every seed gave the same value: the interval is a point */
            v.rel_half_width = 0;
        else if (mean > 0)
            v.rel_half_width = h / mean;
        v.converged = v.rel_half_width <= target; /* false for NaN */
    }
    if (v.converged || seeds >= p->max_seeds)
        return v;
    double want = 2.0 * (double)seeds; /* no estimate (n < 2, mean 0): double */
    if (!isnan(v.rel_half_width)) {
        double r = v.rel_half_width / target;
        want = ceil((double)st->n * r * r);
    }
    if (want > 2.0 * (double)seeds)
        want = 2.0 * (double)seeds;
    size_t next = want < (double)seeds + 1 ? seeds + 1 : (size_t)want;
    v.next = next > p->max_seeds ? p->max_seeds : next;
    return v;
}
