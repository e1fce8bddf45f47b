/* The side-by-side figures and latency CDFs (run_figures.h). */
#include "run_figures.h"

#include "format.h"
#include "latency.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A row: its label and the document path of its figure. */
typedef struct row {
    const char *label, *path;
} row;

static const row ROWS[] = {
    {"requests issued", "requests.issued"},
    {"completed", "requests.completed"},
    {"rejected", "requests.rejected"},
    {"timed out", "requests.timed_out"},
    {"failed", "requests.failed"},
    {"throughput (req/s)", "requests.throughput_rps"},
    {"latency mean (ms)", "requests.latency_ms.mean"},
    {"latency p50 (ms)", "requests.latency_ms.p50"},
    {"latency p90 (ms)", "requests.latency_ms.p90"},
    {"latency p99 (ms)", "requests.latency_ms.p99"},
    {"latency p99.9 (ms)", "requests.latency_ms.p999"},
    {"latency max (ms)", "requests.latency_ms.max"},
};

static const row CONSISTENCY[] = {
    {"reads checked", "consistency.reads_checked"},
    {"stale reads", "consistency.stale_reads"},
    {"stale read rate", "consistency.stale_read_rate"},
    {"staleness p99 (ms)", "consistency.staleness_ms.p99"},
    {"staleness max (ms)", "consistency.staleness_ms.max"},
    {"writes acknowledged", "consistency.writes_acked"},
    {"lost writes", "consistency.lost_writes"},
    {"read-your-writes violations", "consistency.read_your_writes_violations"},
    {"monotonic-read violations", "consistency.monotonic_read_violations"},
};

/* One row of the table: the figure at path in every document; nothing when none has it. */
static void figure_row(rh_page *p, const cJSON *const *docs, size_t n, const char *label,
                       const char *path) {
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || isfinite(rh_num_at(docs[i], path));
    if (!any)
        return;
    rh_raw(p, "<tr><th>");
    rh_text(p, label);
    rh_raw(p, "</th>");
    for (size_t i = 0; i < n; i++) {
        char b[64];
        rh_fmt_num(b, sizeof b, rh_num_at(docs[i], path));
        rh_raw(p, "<td class=\"num\">%s</td>", b);
    }
    rh_raw(p, "</tr>\n");
}

/* Whether name is already among the first k entries of names. */
static bool seen_before(const char *const *names, size_t k, const char *name) {
    for (size_t i = 0; i < k; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

/* The rows of the per-op latency (requests.latency_ms_by_op.OP) and of the latency until
 * failure or rejection, ops in order of first appearance over the documents. */
static void op_rows(rh_page *p, const cJSON *const *docs, size_t n) {
    const char *ops[64];
    size_t nops = 0;
    for (size_t i = 0; i < n; i++) {
        const cJSON *by = rh_object(rh_get(rh_get(docs[i], "requests"), "latency_ms_by_op"));
        const cJSON *op;
        cJSON_ArrayForEach(op, by) {
            if (nops < sizeof ops / sizeof ops[0] && !seen_before(ops, nops, op->string))
                ops[nops++] = op->string;
        }
    }
    static const char *const stats[] = {"mean", "p50", "p99", "max"};
    for (size_t o = 0; o < nops; o++)
        for (size_t s = 0; s < 4; s++) {
            char label[160], path[200];
            snprintf(label, sizeof label, "%s latency %s (ms)", ops[o], stats[s]);
            snprintf(path, sizeof path, "requests.latency_ms_by_op.%s.%s", ops[o], stats[s]);
            /* an op name with a dot cannot be reached by rh_num_at: no row, no wrong row */
            if (!strchr(ops[o], '.'))
                figure_row(p, docs, n, label, path);
        }
    static const row UNTIL[] = {
        {"failed after, mean (ms)", "requests.failed_latency_ms.mean"},
        {"failed after, p99 (ms)", "requests.failed_latency_ms.p99"},
        {"rejected after, mean (ms)", "requests.rejected_latency_ms.mean"},
        {"rejected after, p99 (ms)", "requests.rejected_latency_ms.p99"},
    };
    for (size_t r = 0; r < sizeof UNTIL / sizeof UNTIL[0]; r++) {
        /* rows of all-zero figures (no failure, no rejection) say nothing */
        bool nonzero = false;
        for (size_t i = 0; i < n; i++) {
            double v = rh_num_at(docs[i], UNTIL[r].path);
            nonzero = nonzero || (isfinite(v) && v != 0);
        }
        if (nonzero)
            figure_row(p, docs, n, UNTIL[r].label, UNTIL[r].path);
    }
}

static void header_row(rh_page *p, const char *const *names, size_t n, const char *first) {
    rh_raw(p, "<tr><th>");
    rh_text(p, first);
    rh_raw(p, "</th>");
    for (size_t i = 0; i < n; i++) {
        rh_raw(p, "<th>");
        rh_text(p, names[i]);
        rh_raw(p, "</th>");
    }
    rh_raw(p, "</tr>\n");
}

void rh_run_figures(rh_page *p, const cJSON *const *docs, const char *const *names, size_t n) {
    rh_raw(p, "<h3>Figures</h3>\n<table class=\"figures\">\n");
    header_row(p, names, n, "client requests (after the warm-up)");
    for (size_t r = 0; r < sizeof ROWS / sizeof ROWS[0]; r++)
        figure_row(p, docs, n, ROWS[r].label, ROWS[r].path);
    op_rows(p, docs, n);
    bool consistency = false;
    for (size_t i = 0; i < n; i++)
        consistency = consistency || rh_get(docs[i], "consistency");
    if (consistency) {
        header_row(p, names, n, "consistency");
        for (size_t r = 0; r < sizeof CONSISTENCY / sizeof CONSISTENCY[0]; r++)
            figure_row(p, docs, n, CONSISTENCY[r].label, CONSISTENCY[r].path);
    }
    rh_raw(p, "</table>\n");

    rh_raw(p, "<h3>Latency distribution</h3>\n");
    rh_plot *pl = rh_plot_new("Client latency CDF (completed requests)", "latency (ms, log scale)",
                              "fraction of requests");
    if (!pl) {
        rh_page_fail(p);
        return;
    }
    rh_plot_cdf_axes(pl);
    int drawn = 0;
    for (size_t i = 0; i < n; i++)
        drawn += rh_plot_latency_cdf(pl, names[i],
                                     rh_get(rh_get(docs[i], "requests"), "latency_hist")) == 0;
    if (drawn)
        rh_plot_render(pl, p);
    else
        rh_raw(p, "<p class=\"note\">No latency histogram: no request completed, or the "
                  "documents predate requests.latency_hist.</p>\n");
    rh_plot_free(pl);
}
