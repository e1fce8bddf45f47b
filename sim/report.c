/* Shared report helpers. */
#include "report.h"

void sim_report_hist_ms(sim_report *w, const char *key, const sim_hist *h, sim_pct_set set) {
    sim_report_open(w, key);
    sim_report_number(w, "mean", sim_hist_mean(h) / 1e6);
    sim_report_number(w, "p50", sim_hist_quantile(h, 0.50) / 1e6);
    if (set == SIM_PCT_FULL)
        sim_report_number(w, "p90", sim_hist_quantile(h, 0.90) / 1e6);
    sim_report_number(w, "p99", sim_hist_quantile(h, 0.99) / 1e6);
    if (set == SIM_PCT_FULL) {
        sim_report_number(w, "p999", sim_hist_quantile(h, 0.999) / 1e6);
        sim_report_number(w, "max", (h->count ? (double)h->max : 0) / 1e6);
    }
    sim_report_close(w);
}
