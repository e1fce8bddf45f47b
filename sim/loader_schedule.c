/* Parses a rate that may change over time (SIM_P_RATE_SCHEDULE, param.h) into the knots of a
 * sim_rate_schedule (rate_schedule.h): a plain rate, or a list of phases. Each malformed phase
 * is reported at its own key with file:line:col: a phase that is not a mapping, an unknown
 * key, a missing `at`, neither or both of `rate` and `ramp_to`, a ramp without `over` (or
 * `over` without a ramp), a rate that is negative or too fast for the clock, and phases out
 * of order of `at` or starting before the previous ramp has ended. */
#include "loader_int.h"

#include "units.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RATE_PER_S 1e9 /* as the plain rate's: 1 ns between events */

#define FOR_ITEMS(it, seq)                                                                         \
    for (yaml_node_item_t *it = (seq)->data.sequence.items.start;                                  \
         it < (seq)->data.sequence.items.top; it++)
#define FOR_PAIRS(p, map)                                                                          \
    for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start; p < (map)->data.mapping.pairs.top; \
         p++)

static const char *show(const yaml_node_t *y) {
    const char *s = sim__ld_scalar(y);
    return s ? s : y->type == YAML_MAPPING_NODE ? "a mapping" : "a list";
}

/* A rate, > 0 unless zero_ok (a phase may pause the load). */
static int parse_rate(sim_loader *ld, yaml_node_t *y, const char *w, bool zero_ok, double *out) {
    const char *s = sim__ld_scalar(y);
    double r;
    const char *err = s ? sim_parse_rate(s, &r) : "a rate (e.g. 100/s)";
    if (!err && r > MAX_RATE_PER_S) {
        sim__ld_error(ld, y,
                      "%s: %s leaves %.3g ns between events, below the clock's "
                      "resolution (1 ns): at most 1e9/s",
                      w, s, 1e9 / r);
        return -1;
    }
    if (err || r < 0 || (!zero_ok && r <= 0)) {
        sim__ld_error(ld, y, "%s: expected %s, got '%s'", w,
                      err       ? err
                      : zero_ok ? "a rate >= 0 (e.g. 0/s, 100/s)"
                                : "a rate > 0 (e.g. 100/s)",
                      show(y));
        return -1;
    }
    *out = r;
    return 0;
}

/* One phase as written. */
typedef struct phase {
    sim_time at, over; /* over: 0 for a step */
    double rate;       /* the rate held (step) or reached (ramp), per second */
    yaml_node_t *at_node;
} phase;

/* Parses item i (a mapping) into *ph; wi names it in messages ("client: rate[2]"). */
static int parse_phase(sim_loader *ld, yaml_node_t *e, const char *wi, phase *ph) {
    static const char *const keys[] = {"at", "rate", "ramp_to", "over", NULL};
    yaml_node_t *at = NULL, *rate = NULL, *ramp = NULL, *over = NULL;
    int bad = 0;
    char *wk = sim__ld_format(ld, "%s: unknown key", wi);
    if (!wk)
        return -1;
    FOR_PAIRS(q, e) {
        yaml_node_t *k = sim__ld_node(ld, q->key), *v = sim__ld_node(ld, q->value);
        const char *ks = sim__ld_scalar(k);
        yaml_node_t **slot = !ks                          ? NULL
                             : strcmp(ks, "at") == 0      ? &at
                             : strcmp(ks, "rate") == 0    ? &rate
                             : strcmp(ks, "ramp_to") == 0 ? &ramp
                             : strcmp(ks, "over") == 0    ? &over
                                                          : NULL;
        if (slot) {
            *slot = v;
        } else {
            sim__ld_unknown_key(ld, k, ks ? ks : "?", keys, wk);
            bad = -1;
        }
    }
    free(wk);
    *ph = (phase){.at_node = at};
    if (!at) {
        sim__ld_error(ld, e, "%s: missing 'at' (the time the phase begins, e.g. at: 60s)", wi);
        bad = -1;
    } else if (sim__ld_duration(ld, at, wi, &ph->at)) {
        bad = -1;
    }
    if (rate && ramp) {
        sim__ld_error(ld, ramp,
                      "%s: give 'rate' (a step) or 'ramp_to' with 'over' (a ramp), "
                      "not both",
                      wi);
        return -1;
    }
    if (!rate && !ramp) {
        sim__ld_error(ld, e,
                      "%s: needs 'rate' (a step, e.g. rate: 100/s) or 'ramp_to' and "
                      "'over' (a ramp, e.g. ramp_to: 800/s, over: 30s)",
                      wi);
        return -1;
    }
    if (rate && over) {
        sim__ld_error(ld, over, "%s: 'over' goes with 'ramp_to' (a step has no duration)", wi);
        bad = -1;
    }
    if (ramp && !over) {
        sim__ld_error(ld, ramp, "%s: a ramp needs 'over' (how long it takes, e.g. over: 30s)", wi);
        bad = -1;
    }
    if (parse_rate(ld, rate ? rate : ramp, wi, true, &ph->rate))
        bad = -1;
    if (ramp && over) {
        if (sim__ld_duration(ld, over, wi, &ph->over)) {
            bad = -1;
        } else if (ph->over <= 0) {
            sim__ld_error(ld, over, "%s: expected a duration > 0, got %s", wi,
                          sim__ld_scalar(over));
            bad = -1;
        } else if (ph->at > SIM_TIME_MAX - ph->over) {
            sim__ld_error(ld, over, "%s: the ramp would end past the end of simulated time", wi);
            bad = -1;
        }
    }
    return bad;
}

/* Appends knot (t, r) unless it repeats the last one. */
static void add_knot(sim_rate_schedule *s, sim_time t, double r) {
    if (s->n && s->t[s->n - 1] == t && s->r[s->n - 1] == r)
        return;
    s->t[s->n] = t;
    s->r[s->n] = r;
    s->n++;
}

int sim__ld_rate_schedule(sim_loader *ld, yaml_node_t *y, const char *w, sim_rate_schedule *out) {
    if (sim__ld_scalar(y)) {
        double r;
        if (parse_rate(ld, y, w, false, &r))
            return -1;
        sim__ld_resolved_number(ld, y, r, "1/s");
        sim_rate_schedule s = {1, sim__ld_alloc(ld, sizeof *s.t), sim__ld_alloc(ld, sizeof *s.r)};
        if (!s.t || !s.r)
            return -1;
        s.t[0] = 0;
        s.r[0] = r;
        *out = s;
        return 0;
    }
    size_t n = y->type == YAML_SEQUENCE_NODE
                   ? (size_t)(y->data.sequence.items.top - y->data.sequence.items.start)
                   : 0;
    if (n == 0) {
        sim__ld_error(ld, y,
                      "%s: expected a rate (e.g. 100/s) or a list of phases, e.g. "
                      "[{at: 0s, rate: 100/s}, {at: 60s, ramp_to: 800/s, over: 30s}], "
                      "got '%s'",
                      w, y->type == YAML_SEQUENCE_NODE ? "[]" : show(y));
        return -1;
    }
    sim_rate_schedule s = {0, sim__ld_alloc(ld, 2 * n * sizeof *s.t),
                           sim__ld_alloc(ld, 2 * n * sizeof *s.r)};
    if (!s.t || !s.r)
        return -1;
    int bad = 0;
    size_t i = 0;
    phase prev = {0};
    bool have_prev = false; /* prev: the last phase that parsed, the one the next must follow */
    FOR_ITEMS(it, y) {
        yaml_node_t *e = sim__ld_node(ld, *it);
        char *wi = sim__ld_format(ld, "%s[%zu]", w, i++);
        if (!wi)
            return -1;
        phase ph;
        if (e->type != YAML_MAPPING_NODE) {
            sim__ld_error(ld, e,
                          "%s: expected a phase {at: T, rate: R} or {at: T, ramp_to: R, "
                          "over: D}, got '%s'",
                          wi, show(e));
            bad = -1;
        } else if (parse_phase(ld, e, wi, &ph)) {
            bad = -1;
        } else if (have_prev && ph.at <= prev.at) {
            sim__ld_error(ld, ph.at_node,
                          "%s: phases go in order of 'at': %s is not after the "
                          "previous phase's %gs",
                          wi, sim__ld_scalar(ph.at_node), sim_time_s(prev.at));
            bad = -1;
        } else if (have_prev && ph.at < prev.at + prev.over) {
            sim__ld_error(ld, ph.at_node,
                          "%s: begins at %s, before the previous phase's ramp "
                          "ends (at %gs)",
                          wi, sim__ld_scalar(ph.at_node), sim_time_s(prev.at + prev.over));
            bad = -1;
            prev = ph;
        } else {
            /* The rate in force at `at` (that of the last knot, 0 before any), then the
             * phase's: a step jumps to it, a ramp reaches it `over` later. */
            if (!bad) {
                add_knot(&s, ph.at, s.n ? s.r[s.n - 1] : 0);
                add_knot(&s, ph.at + ph.over, ph.rate);
            }
            prev = ph;
            have_prev = true;
        }
        free(wi);
    }
    if (bad)
        return -1;
    *out = s;
    return 0;
}
