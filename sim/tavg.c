/* Integrates the level lazily: the area grows only when the level changes or is read. */
#include "tavg.h"

void sim_tavg_init(sim_tavg *a, sim_time from) {
    a->from = from;
    a->since = 0;
    a->level = 0;
    a->area = 0;
    a->pre = 0;
}

static double area_until(const sim_tavg *a, sim_time t) {
    sim_time start = a->since > a->from ? a->since : a->from;
    return t > start ? a->area + a->level * (double)(t - start) : a->area;
}

/* The warm-up part [0, min(t, from)] of the integral. */
static double pre_until(const sim_tavg *a, sim_time t) {
    sim_time end = t < a->from ? t : a->from;
    return end > a->since ? a->pre + a->level * (double)(end - a->since) : a->pre;
}

void sim_tavg_set(sim_tavg *a, sim_time now, double v) {
    if (a->since < a->from)
        a->pre = pre_until(a, now);
    a->area = area_until(a, now);
    a->since = now;
    a->level = v;
}

void sim_tavg_add(sim_tavg *a, sim_time now, double dv) { sim_tavg_set(a, now, a->level + dv); }

double sim_tavg_mean(const sim_tavg *a, sim_time to) {
    return to > a->from ? area_until(a, to) / (double)(to - a->from) : 0;
}

double sim_tavg_integral(const sim_tavg *a, sim_time to) {
    return pre_until(a, to) + area_until(a, to);
}
