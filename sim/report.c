/* Shared report helpers. */
#include "report.h"

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
