/* Sampling with GSL's generators (gsl_ran_*). Lognormal parameters from mean m and
 * standard deviation s: sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2/2. The normal is
 * redrawn while negative, as the contract says; its mean is that of the truncated law. */
#include "dist.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

double sim_dist_sample(const sim_dist *d, gsl_rng *r) {
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return d->a;
    case SIM_DIST_EXPONENTIAL:
        /* -mean ln U with U in (0, 1): what gsl_ran_exponential computes from 1 - U, with a
         * cheaper log than its log1p. */
        return -d->a * log(gsl_rng_uniform_pos(r));
    case SIM_DIST_UNIFORM:
        return gsl_ran_flat(r, d->a, d->b);
    case SIM_DIST_NORMAL: {
        double x;
        do
            x = d->a + gsl_ran_gaussian_ziggurat(r, d->b);
        while (x < 0);
        return x;
    }
    case SIM_DIST_LOGNORMAL:
        return gsl_ran_lognormal(r, d->a, d->b);
    case SIM_DIST_ERLANG:
        return gsl_ran_gamma(r, (double)d->k, d->a / d->k);
    case SIM_DIST_GAMMA:
        return gsl_ran_gamma(r, d->a, d->b);
    case SIM_DIST_PARETO:
        return gsl_ran_pareto(r, d->a, d->b);
    case SIM_DIST_WEIBULL:
        return gsl_ran_weibull(r, d->b, d->a);
    case SIM_DIST_EMPIRICAL:
        return d->values[gsl_rng_uniform_int(r, d->n)];
    case SIM_DIST_NONE:
        break;
    }
    return 0;
}

sim_time sim_dist_sample_time(const sim_dist *d, gsl_rng *r) {
    /* Constants too: a constant of 1.001ms is stored as 1000999.9999999999 ns. */
    double x = sim_dist_sample(d, r);
    if (!(x > 0))
        return 0;
    if (x >= (double)SIM_TIME_MAX)
        return SIM_TIME_MAX;
    /* Round half up (x > 0). Not (sim_time)(x + 0.5): above 2^52, where every double is a
     * whole number, the sum of an odd x and 0.5 rounds to the even x + 1. */
    return (sim_time)llround(x);
}

double sim_dist_mean(const sim_dist *d) {
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
    case SIM_DIST_EXPONENTIAL:
    case SIM_DIST_ERLANG:
        return d->a;
    case SIM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case SIM_DIST_NORMAL: {
        if (d->b == 0)
            return d->a;
        /* Mean of N(m, s^2) truncated to [0, inf): m + s*phi(a)/(1-Phi(a)), a = -m/s. */
        double alpha = -d->a / d->b;
        double phi = exp(-alpha * alpha / 2) / sqrt(2 * 3.14159265358979323846);
        double tail = 0.5 * gsl_sf_erfc(alpha / sqrt(2.0));
        return d->a + d->b * phi / tail;
    }
    case SIM_DIST_LOGNORMAL:
        return exp(d->a + d->b * d->b / 2);
    case SIM_DIST_GAMMA:
        return d->a * d->b;
    case SIM_DIST_PARETO:
        return d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
    case SIM_DIST_WEIBULL:
        return d->b * gsl_sf_gamma(1 + 1 / d->a);
    case SIM_DIST_EMPIRICAL: {
        double s = 0;
        for (size_t i = 0; i < d->n; i++)
            s += d->values[i];
        return d->n ? s / (double)d->n : 0;
    }
    case SIM_DIST_NONE:
        break;
    }
    return 0;
}

const char *sim_dist_kind_name(sim_dist_kind kind) {
    static const char *const names[] = {
        [SIM_DIST_NONE] = "none",           [SIM_DIST_CONSTANT] = "constant",
        [SIM_DIST_EXPONENTIAL] = "exponential", [SIM_DIST_UNIFORM] = "uniform",
        [SIM_DIST_NORMAL] = "normal",       [SIM_DIST_LOGNORMAL] = "lognormal",
        [SIM_DIST_ERLANG] = "erlang",       [SIM_DIST_GAMMA] = "gamma",
        [SIM_DIST_PARETO] = "pareto",       [SIM_DIST_WEIBULL] = "weibull",
        [SIM_DIST_EMPIRICAL] = "empirical",
    };
    return names[kind];
}
