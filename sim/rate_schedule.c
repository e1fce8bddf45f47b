/* The piecewise-linear rate of rate_schedule.h. Times are handled as doubles of nanoseconds
 * and rates per nanosecond inside, so that a piece's expected count is its trapezoid's area
 * (exact for a linear rate); the pieces are: before the first knot (rate 0), between
 * consecutive knots (linear; empty at a step), and after the last knot (constant). */
#include "rate_schedule.h"

#include <math.h>

#define PER_NS 1e-9 /* a rate per second, per nanosecond */

/* One piece: from t0 to t1 (INFINITY for the last), the rate going linearly from r0 to r1
 * (per nanosecond). */
typedef struct piece {
    double t0, t1, r0, r1;
} piece;

/* Piece i of s: i = 0 before the first knot, i = 1 .. n−1 between knots i−1 and i, i = n
 * after the last. */
static piece piece_of(const sim_rate_schedule *s, size_t i) {
    if (i == 0)
        return (piece){-INFINITY, (double)s->t[0], 0, 0};
    if (i == s->n)
        return (piece){(double)s->t[i - 1], INFINITY, s->r[i - 1] * PER_NS, s->r[i - 1] * PER_NS};
    return (piece){(double)s->t[i - 1], (double)s->t[i], s->r[i - 1] * PER_NS, s->r[i] * PER_NS};
}

/* The rate of p at x (t0 <= x <= t1), per nanosecond. */
static double rate_in(const piece *p, double x) {
    if (!isfinite(p->t0) || !isfinite(p->t1) || p->t1 <= p->t0)
        return p->r0 == p->r1 ? p->r0 : p->r1;
    double f = (x - p->t0) / (p->t1 - p->t0);
    return p->r0 + (p->r1 - p->r0) * f;
}

/* The expected events of p over [u, v] within it (u <= v): the trapezoid's area. */
static double area(const piece *p, double u, double v) {
    if (v <= u)
        return 0;
    if (p->r0 == p->r1)
        return p->r0 * (v - u);
    return (v - u) * (rate_in(p, u) + rate_in(p, v)) / 2;
}

/* The piece whose span holds t: the number of knots at or before t, by bisection (a
 * schedule may have many phases, and every arrival asks). */
static size_t piece_index(const sim_rate_schedule *s, double t) {
    size_t lo = 0, hi = s->n; /* knots [0, lo) are <= t, knots [hi, n) are > t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)s->t[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool sim_rate_schedule_is_constant(const sim_rate_schedule *s, double *rate) {
    for (size_t i = 0; i < s->n; i++)
        if (s->t[i] != 0)
            return false;
    if (s->n == 0)
        return false;
    *rate = s->r[s->n - 1];
    return true;
}

double sim_rate_schedule_at(const sim_rate_schedule *s, sim_time t) {
    if (s->n == 0)
        return 0;
    piece p = piece_of(s, piece_index(s, (double)t));
    return rate_in(&p, (double)t) / PER_NS;
}

double sim_rate_schedule_expected(const sim_rate_schedule *s, sim_time a, sim_time b) {
    double u = (double)a, v = (double)b, sum = 0;
    if (s->n == 0)
        return 0;
    for (size_t i = piece_index(s, u); i <= s->n; i++) {
        piece p = piece_of(s, i);
        if (p.t0 >= v)
            break;
        sum += area(&p, fmax(u, p.t0), fmin(v, p.t1));
    }
    return sum;
}

/* Within p, from u on, the distance d at which the area reaches x (0 < x <= the area left in
 * p): r d + k d² / 2 = x with r the rate at u and k the slope, solved as
 * d = 2x / (r + sqrt(r² + 2kx)), the form without cancellation for either sign of k. */
static double solve_in(const piece *p, double u, double x) {
    double r = rate_in(p, u);
    if (p->r0 == p->r1 || !isfinite(p->t1))
        return x / r;
    double k = (p->r1 - p->r0) / (p->t1 - p->t0);
    double disc = r * r + 2 * k * x;
    double d = 2 * x / (r + sqrt(disc > 0 ? disc : 0));
    return fmin(d, p->t1 - u);
}

sim_time sim_rate_schedule_after(const sim_rate_schedule *s, sim_time from, double x) {
    double u = (double)from, left = x;
    if (s->n == 0)
        return SIM_TIME_MAX;
    if (!(left > 0))
        return from;
    for (size_t i = piece_index(s, u); i <= s->n; i++) {
        piece p = piece_of(s, i);
        double start = fmax(u, p.t0);
        double mass = isfinite(p.t1) ? area(&p, start, p.t1) : (p.r0 > 0 ? INFINITY : 0);
        if (mass < left) {
            left -= mass;
            continue;
        }
        double tau = start + solve_in(&p, start, left);
        if (!(tau < (double)SIM_TIME_MAX))
            return SIM_TIME_MAX;
        sim_time t = (sim_time)llround(tau);
        return t < from ? from : t;
    }
    return SIM_TIME_MAX;
}
