/* Expectations (expect.h): whether their paths can exist, their verdicts, and the verdicts
 * as the document's list. The registry answers both questions about a path (sim/metrics.h):
 * sim_engine_can_have whether any run can have it, sim_engine_lookup_value what this run
 * has. */
#include "expect.h"

#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kind of the node the path names (the longest instance name that matches), or NULL. */
static const char *kind_named(const sim_topology *t, const char *path) {
    const char *rest = path + strlen("nodes.");
    const char *kind = NULL;
    size_t best = 0;
    for (size_t i = 0; i < t->nnodes; i++) {
        const char *name = t->nodes[i].name;
        size_t len = strlen(name);
        if (len > best && strncmp(rest, name, len) == 0 && (rest[len] == '.' || !rest[len])) {
            best = len;
            kind = t->nodes[i].kind->name;
        }
    }
    return kind;
}

/* Reports that expectation i's metric cannot exist (why: what is missing), at its position. */
static void report_bad(sim_diag *diag, const sim_expect *x, size_t i, const char *why,
                       const char *near) {
    if (x->set_arg)
        sim_diag_arg_error(diag, x->set_arg,
                           "expect[%zu].metric: no run of this topology has "
                           "'%s': %s",
                           i, x->metric, why);
    else
        sim_diag_error(diag, x->line, x->col,
                       "expect[%zu].metric: no run of this topology has "
                       "'%s': %s",
                       i, x->metric, why);
    if (near)
        sim_diag_note(diag, "did you mean '%s'?", near);
}

/* Reports that expectation i's metric names an object or a string (what: "an object", "a
 * string") and, for an object, its first figure, the likely intent. */
static void report_not_number(sim_diag *diag, const sim_expect *x, size_t i, const char *what,
                              const char *first) {
    const char *lead = first ? ": name one of its figures, e.g. '" : "", *end = first ? "'" : "";
    if (!first)
        first = "";
    if (x->set_arg)
        sim_diag_arg_error(diag, x->set_arg, "expect[%zu].metric: '%s' is %s, not a number%s%s%s",
                           i, x->metric, what, lead, first, end);
    else
        sim_diag_error(diag, x->line, x->col, "expect[%zu].metric: '%s' is %s, not a number%s%s%s",
                       i, x->metric, what, lead, first, end);
}

int exp_expect_check(const sim_engine *e, const sim_topology *topo, sim_diag *diag) {
    int bad = 0;
    for (size_t i = 0; i < topo->nexpects; i++) {
        const sim_expect *x = &topo->expects[i];
        char *near = NULL;
        sim_lookup_status st = sim_engine_can_have(e, x->metric, &near);
        if (st == SIM_LOOKUP_OK)
            continue;
        bad = -1;
        char *first = NULL;
        sim_path_shape shape = st == SIM_LOOKUP_NO_FIGURE
                                   ? sim_engine_path_shape(e, x->metric, &first)
                                   : SIM_PATH_NONE;
        if (shape != SIM_PATH_NONE) {
            report_not_number(diag, x, i, shape == SIM_PATH_OBJECT ? "an object" : "a string",
                              first);
        } else if (st == SIM_LOOKUP_NO_NODE) {
            report_bad(diag, x, i, "no such node", near);
        } else if (strncmp(x->metric, "nodes.", 6) == 0) {
            char why[160];
            snprintf(why, sizeof why, "no such figure for a node of kind %s",
                     kind_named(topo, x->metric));
            report_bad(diag, x, i, why, near);
        } else {
            report_bad(diag, x, i, "no such figure in the result document", near);
        }
        free(first);
        free(near);
    }
    return bad;
}

size_t exp_expect_evaluate(const sim_engine *e, const sim_topology *topo, exp_verdict *verdicts) {
    size_t failed = 0;
    for (size_t i = 0; i < topo->nexpects; i++) {
        const sim_expect *x = &topo->expects[i];
        exp_verdict *v = &verdicts[i];
        double value = NAN;
        /* Absent (no node, no figure) and NaN (a histogram with no samples) are both "no
         * value": exp_expect_check made sure the path could have had one. */
        if (sim_engine_lookup_value(e, x->metric, &value) != SIM_LOOKUP_OK)
            value = NAN;
        *v = (exp_verdict){.expect = x, .has_value = !isnan(value), .value = value};
        v->ok =
            v->has_value && (!x->has_min || value >= x->min) && (!x->has_max || value <= x->max);
        failed += !v->ok;
    }
    return failed;
}

cJSON *exp_expect_json(const exp_verdict *verdicts, size_t n) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; list && i < n; i++) {
        const exp_verdict *v = &verdicts[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(list, o)) {
            cJSON_Delete(o);
            cJSON_Delete(list);
            return NULL;
        }
        if (!cJSON_AddStringToObject(o, "metric", v->expect->metric) ||
            !(v->has_value ? cJSON_AddNumberToObject(o, "value", v->value)
                           : cJSON_AddNullToObject(o, "value")) ||
            (v->expect->has_min && !cJSON_AddNumberToObject(o, "min", v->expect->min)) ||
            (v->expect->has_max && !cJSON_AddNumberToObject(o, "max", v->expect->max)) ||
            !cJSON_AddBoolToObject(o, "ok", v->ok)) {
            cJSON_Delete(list);
            return NULL;
        }
    }
    return list;
}
