/* Zipf by rejection-inversion: W. Hörmann and G. Derflinger, "Rejection-inversion to generate
 * variates from monotone discrete distributions", ACM TOMACS 6(3), 1996; the formulation
 * follows Apache Commons RNG's RejectionInversionZipfSampler. P(rank k) ~ k^-s, k = 1..n. */
#include "index_dist.h"

#include <math.h>

/* log1p(x)/x, continuous at 0. */
static double helper1(double x) {
    return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

/* expm1(x)/x, continuous at 0. */
static double helper2(double x) {
    return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

static double h(double s, double x) { return exp(-s * log(x)); }

/* The integral of h from 1 to x (up to a constant): (x^(1-s) - 1) / (1 - s), or log x. */
static double h_integral(double s, double x) {
    double lx = log(x);
    return helper2((1 - s) * lx) * lx;
}

static double h_integral_inverse(double s, double x) {
    double t = x * (1 - s);
    if (t < -1)
        t = -1;
    return exp(helper1(t) * x);
}

void sim_index_sampler_init(sim_index_sampler *k, const sim_index_dist *cfg) {
    k->cfg = *cfg;
    if (cfg->dist != SIM_INDEX_ZIPF)
        return;
    double s = cfg->s;
    k->h_x1 = h_integral(s, 1.5) - 1;
    k->h_n = h_integral(s, (double)cfg->n + 0.5);
    k->threshold = 2 - h_integral_inverse(s, h_integral(s, 2.5) - h(s, 2));
}

uint64_t sim_index_sample(const sim_index_sampler *k, gsl_rng *r) {
    switch (k->cfg.dist) {
    case SIM_INDEX_ONE:
        return 0;
    case SIM_INDEX_UNIFORM:
        if (k->cfg.n <= 1)
            return 0;
        if (k->cfg.n <= 0xffffffffu) /* taus2 draws 32 bits: exact, unbiased */
            return gsl_rng_uniform_int(r, (unsigned long)k->cfg.n);
        /* More keys than one draw covers: 64 bits from two draws, rejection for no bias. */
        for (uint64_t limit = UINT64_MAX - UINT64_MAX % k->cfg.n;;) {
            uint64_t hi = gsl_rng_get(r), lo = gsl_rng_get(r), u = hi << 32 | lo;
            if (u < limit)
                return u % k->cfg.n;
        }
    case SIM_INDEX_ZIPF:
        break;
    }
    double s = k->cfg.s, n = (double)k->cfg.n;
    for (;;) {
        double u = k->h_n + gsl_rng_uniform(r) * (k->h_x1 - k->h_n);
        double x = h_integral_inverse(s, u);
        double kk = floor(x + 0.5);
        if (kk < 1)
            kk = 1;
        else if (kk > n)
            kk = n;
        if (kk - x <= k->threshold || u >= h_integral(s, kk + 0.5) - h(s, kk))
            return (uint64_t)kk - 1;
    }
}
