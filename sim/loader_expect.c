/* The `expect:` list (contract §8.1): each entry's form only, {metric: PATH, min: X, max: Y}
 * with at least one bound and min <= max, recorded with the position of its metric. Whether a
 * run of the topology can have that figure needs the built nodes, so the experiments layer
 * checks it (experiments/expect.h) and reports it at the position kept here. */
#include "loader_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A metric path: dot-separated non-empty words of printable characters, no spaces. */
static bool is_metric_path(const char *s) {
    if (!s[0] || s[0] == '.')
        return false;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
        if (*p == '.' && (p[1] == '.' || p[1] == 0))
            return false;
    }
    return true;
}

/* Reads a bound: a finite number. */
static int bound(sim_loader *ld, yaml_node_t *v, const char *where, double *out) {
    if (sim__ld_number(ld, v, where, 0, 0, out))
        return -1;
    if (!isfinite(*out)) {
        sim__ld_error(ld, v, "%s: expected a finite number, got '%s'", where, sim__ld_scalar(v));
        return -1;
    }
    return 0;
}

static int load_entry(sim_loader *ld, yaml_node_t *y, size_t i, sim_expect *e) {
    static const char *const keys[] = {"metric", "min", "max", NULL};
    const char *w = sim__ld_arena_format(ld, "expect[%zu]", i);
    if (!w)
        return -1;
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y,
                      "%s: expected a mapping such as {metric: requests.latency_ms.p99, "
                      "max: 200}",
                      w);
        return -1;
    }
    int bad = 0;
    yaml_node_t *metric = NULL, *min = NULL, *max = NULL;
    for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top; p++) {
        yaml_node_t *k = sim__ld_node(ld, p->key), *v = sim__ld_node(ld, p->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue; /* reported by the duplicate-key walk */
        if (strcmp(ks, "metric") == 0) {
            metric = v;
        } else if (strcmp(ks, "min") == 0) {
            min = v;
            char *where = sim__ld_format(ld, "%s.min", w);
            bad |= !where || bound(ld, v, where, &e->min) ? -1 : 0;
            free(where);
            e->has_min = true;
        } else if (strcmp(ks, "max") == 0) {
            max = v;
            char *where = sim__ld_format(ld, "%s.max", w);
            bad |= !where || bound(ld, v, where, &e->max) ? -1 : 0;
            free(where);
            e->has_max = true;
        } else {
            char *what = sim__ld_format(ld, "%s: unknown key", w);
            if (what)
                sim__ld_unknown_key(ld, k, ks, keys, what);
            free(what);
            bad = -1;
        }
    }
    if (!metric) {
        sim__ld_error(ld, y,
                      "%s: missing 'metric' (a path of the result document such as "
                      "requests.latency_ms.p99)",
                      w);
        bad = -1;
    } else if (!sim__ld_scalar(metric) || !is_metric_path(sim__ld_scalar(metric))) {
        sim__ld_error(ld, metric,
                      "%s.metric: expected a dotted metric path such as "
                      "nodes.web.utilization, got '%s'",
                      w,
                      sim__ld_scalar(metric)              ? sim__ld_scalar(metric)
                      : metric->type == YAML_MAPPING_NODE ? "a mapping"
                                                          : "a list");
        bad = -1;
    } else {
        e->metric = sim__ld_strdup(ld, sim__ld_scalar(metric));
        e->line = (int)metric->start_mark.line + 1;
        e->col = (int)metric->start_mark.column + 1;
        int set = sim__ld_set_node(ld, metric);
        if (set >= 0) {
            char *arg = sim__ld_set_arg(&ld->sets[ld->set_nodes[set].set]);
            e->set_arg = arg ? sim__ld_strdup(ld, arg) : NULL;
            if (!e->set_arg)
                ld->oom = true;
            free(arg);
        }
    }
    if (!min && !max) {
        sim__ld_error(ld, y, "%s: expected a bound: 'min', 'max' or both", w);
        bad = -1;
    } else if (!bad && min && max && e->min > e->max) {
        sim__ld_error(ld, max, "%s.max: %g is below min %g", w, e->max, e->min);
        bad = -1;
    }
    return bad;
}

int sim__ld_expect(sim_loader *ld, yaml_node_t *y, sim_topology *t) {
    if (!y)
        return 0;
    if (y->type != YAML_SEQUENCE_NODE ||
        y->data.sequence.items.top == y->data.sequence.items.start) {
        sim__ld_error(ld, y,
                      "expect: expected a non-empty list such as "
                      "[{metric: requests.latency_ms.p99, max: 200}]");
        return -1;
    }
    size_t n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
    if (n > SIM_LOADER_MAX_EXPECTS) {
        sim__ld_error(ld, y, "expect: %zu entries, more than %d", n, SIM_LOADER_MAX_EXPECTS);
        return -1;
    }
    t->expects = sim__ld_alloc(ld, n * sizeof *t->expects);
    if (!t->expects)
        return -1;
    t->nexpects = n;
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= load_entry(ld, sim__ld_node(ld, y->data.sequence.items.start[i]), i, &t->expects[i]);
    return bad ? -1 : 0;
}
