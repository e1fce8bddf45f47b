/* Shared report helpers. */
#include "report.h"

#include "topology.h"

#include <string.h>

static const char *const figure_names[SIM_HIST_NFIGURES] = {"mean", "p50",  "p90",
                                                            "p99",  "p999", "max"};

const char *sim_hist_figure_name(sim_hist_figure f) { return figure_names[f]; }

bool sim_pct_has(sim_pct_set set, sim_hist_figure f) {
    switch (set) {
    case SIM_PCT_SHORT:
        return f == SIM_HIST_MEAN || f == SIM_HIST_P50 || f == SIM_HIST_P99;
    case SIM_PCT_FULL:
        return true;
    case SIM_PCT_TAIL:
        return f == SIM_HIST_MEAN || f == SIM_HIST_P99 || f == SIM_HIST_MAX;
    }
    return false;
}

double sim_hist_figure_ms(const sim_hist *h, sim_hist_figure f) {
    static const double q[SIM_HIST_NFIGURES] = {0, 0.50, 0.90, 0.99, 0.999, 0};
    switch (f) {
    case SIM_HIST_MEAN:
        return sim_hist_mean(h) / 1e6;
    case SIM_HIST_MAX:
        return (h->count ? (double)h->max : 0) / 1e6;
    default:
        return sim_hist_quantile(h, q[f]) / 1e6;
    }
}

void sim_report_hist_ms(sim_report *w, const char *key, const sim_hist *h, sim_pct_set set) {
    if (!h->count && w->ops->no_samples)
        w->ops->no_samples(w->ud, key);
    sim_report_open(w, key);
    for (int f = 0; f < SIM_HIST_NFIGURES; f++)
        if (sim_pct_has(set, (sim_hist_figure)f))
            sim_report_number(w, figure_names[f], sim_hist_figure_ms(h, (sim_hist_figure)f));
    sim_report_close(w);
}

void sim_report_overrides(const sim_topology *t, sim_report *w) {
    if (!t->noverrides)
        return;
    sim_report_open(w, "overrides");
    for (size_t i = 0; i < t->noverrides; i++) {
        const sim_topo_override *o = &t->overrides[i];
        bool later = false; /* a later --set of the same path holds */
        for (size_t j = i + 1; j < t->noverrides && !later; j++)
            later = strcmp(t->overrides[j].path, o->path) == 0;
        if (later)
            continue;
        sim_report_open(w, o->path);
        sim_report_string(w, "value", o->value);
        if (o->file_value)
            sim_report_string(w, "file", o->file_value);
        switch (o->resolved) {
        case SIM_RESOLVED_NUMBER:
            sim_report_number(w, "resolved", o->number);
            if (o->unit)
                sim_report_string(w, "unit", o->unit);
            break;
        case SIM_RESOLVED_TEXT:
            sim_report_string(w, "resolved", o->text);
            break;
        case SIM_RESOLVED_BOOL:
            sim_report_bool(w, "resolved", o->flag);
            break;
        case SIM_RESOLVED_NONE:
            break;
        }
        sim_report_close(w);
    }
    sim_report_close(w);
}
