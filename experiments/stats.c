/* Summary statistics over replications (stats.h). */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

void exp_stats_init(exp_stats *s) { *s = (exp_stats){0, 0.0, 0.0}; }

void exp_stats_add(exp_stats *s, double x) {
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
}

double exp_stats_mean(const exp_stats *s) { return s->n ? s->mean : NAN; }

double exp_stats_stddev(const exp_stats *s) {
    if (s->n < 2)
        return NAN;
    /* m2 >= 0 in exact arithmetic; rounding cannot make it negative in Welford's update
     * (each term is a product of two differences of the same sign), but stay safe. */
    return s->m2 > 0 ? sqrt(s->m2 / (double)(s->n - 1)) : 0.0;
}

int exp_stats_ci(const exp_stats *s, double level, double *lo, double *hi) {
    if (s->n < 2 || !(level > 0 && level < 1))
        return -1;
    double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(s->n - 1));
    double half = t * exp_stats_stddev(s) / sqrt((double)s->n);
    *lo = s->mean - half;
    *hi = s->mean + half;
    return 0;
}

int exp_stats_ci95(const exp_stats *s, double *lo, double *hi) {
    return exp_stats_ci(s, 0.95, lo, hi);
}
