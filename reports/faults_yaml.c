/* Faults as YAML (faults_yaml.h). */
#include "faults_yaml.h"

#include "units.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

char *dsim_yaml_time(char buf[DSIM_YAML_TIME_MAX], sim_time t) {
    /* Decimal seconds read most easily; the parse is a double times 1e9, rounded, which is
     * exact for most values but not all: kept only when it reads back to t, else whole ns. */
    static const struct {
        const char *unit;
        sim_time ns;
    } units[] = {{"s", SIM_S}, {"ms", SIM_MS}, {"us", SIM_US}};
    for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
        if (t % units[u].ns == 0) {
            snprintf(buf, DSIM_YAML_TIME_MAX, "%" PRId64 "%s", (int64_t)(t / units[u].ns),
                     units[u].unit);
            return buf;
        }
    }
    snprintf(buf, DSIM_YAML_TIME_MAX, "%" PRId64 ".%09" PRId64, (int64_t)(t / SIM_S),
             (int64_t)(t % SIM_S));
    size_t n = strlen(buf);
    while (buf[n - 1] == '0')
        buf[--n] = '\0';
    buf[n] = 's', buf[n + 1] = '\0';
    sim_time back;
    if (sim_parse_duration(buf, &back) || back != t)
        snprintf(buf, DSIM_YAML_TIME_MAX, "%" PRId64 "ns", (int64_t)t);
    return buf;
}

/* A number with the fewest significant digits that strtod reads back to v. */
static void number(FILE *out, double v) {
    char buf[40];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
}

static void refs(FILE *out, const sim_reflist *l) {
    fputc('[', out);
    for (size_t i = 0; i < l->n; i++)
        fprintf(out, "%s%s", i ? ", " : "", l->refs[i].name);
    fputc(']', out);
}

/* In the order of sim_fault_kind. */
static const char *const action_key[] = {"crash", "restart", "partition", "loss",  "slow",
                                         "add",   "remove",  "latency",   "scale", "lose_data"};

int dsim_fault_yaml(FILE *out, const sim_fault *f) {
    char t[DSIM_YAML_TIME_MAX];
    fprintf(out, "{at: %s, %s: ", dsim_yaml_time(t, f->at), action_key[f->kind]);
    switch (f->kind) {
    case SIM_FAULT_CRASH:
    case SIM_FAULT_RESTART:
    case SIM_FAULT_ADD:
    case SIM_FAULT_REMOVE:
    case SIM_FAULT_LOSE_DATA:
        fputs(f->node.name, out);
        break;
    case SIM_FAULT_SLOW:
        fprintf(out, "%s, factor: ", f->node.name);
        number(out, f->value);
        break;
    case SIM_FAULT_SCALE:
        fprintf(out, "%s, workers: %" PRIu32, f->node.name, f->workers);
        if (f->downtime > 0)
            fprintf(out, ", downtime: %s", dsim_yaml_time(t, f->downtime));
        break;
    case SIM_FAULT_LOSS:
        number(out, f->value);
        break;
    case SIM_FAULT_LATENCY:
        fprintf(out, "{add: %s}", dsim_yaml_time(t, f->add));
        if (f->node.count && !f->from.count)
            fprintf(out, ", node: %s", f->node.name);
        break;
    case SIM_FAULT_PARTITION:
        fputc('[', out);
        for (size_t g = 0; g < f->ngroups; g++) {
            fputs(g ? ", " : "", out);
            refs(out, &f->groups[g]);
        }
        fputc(']', out);
        break;
    }
    if ((f->kind == SIM_FAULT_LOSS || f->kind == SIM_FAULT_LATENCY) && f->from.count)
        fprintf(out, ", from: %s, to: %s", f->from.name, f->to.name);
    if (f->duration != SIM_TIME_NONE)
        fprintf(out, ", duration: %s", dsim_yaml_time(t, f->duration));
    fputc('}', out);
    return ferror(out) ? -1 : 0;
}

int dsim_faults_yaml(FILE *out, const sim_fault *faults, size_t n) {
    fputs("faults:\n", out);
    for (size_t i = 0; i < n; i++) {
        fputs("  - ", out);
        dsim_fault_yaml(out, &faults[i]);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
