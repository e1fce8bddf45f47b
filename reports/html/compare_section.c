/* The compare section (compare_section.h). */
#include "compare_section.h"

#include "compare.h"
#include "format.h"
#include "latency.h"
#include "plot.h"
#include "topology.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The collapsed table stops here: a compare of 100,000 instances has millions of figures, and
 * the document itself holds them all. */
enum { MAX_DETAIL_ROWS = 2000 };

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* "%.4g", or "-" for a null or absent figure. */
static void fmt(char *buf, size_t size, double v) {
    if (isfinite(v))
        snprintf(buf, size, "%.4g", v == 0 ? 0.0 : v); /* never "-0" */
    else
        snprintf(buf, size, "-");
}

static const char *const HEADERS[] = {
    "metric",   "A mean",      "B mean",    "difference (B - A)", "95% interval",
    "relative", "significant", "paired sd", "unpaired sd"};
enum { NCOLS = sizeof HEADERS / sizeof *HEADERS };

static void table_row(rh_page *p, const cJSON *m) {
    char c[NCOLS][80], lo[32], hi[32];
    const char *cells[NCOLS];
    snprintf(c[0], sizeof c[0], "%s", "");
    fmt(c[1], sizeof c[1], num(m, "a_mean"));
    fmt(c[2], sizeof c[2], num(m, "b_mean"));
    fmt(c[3], sizeof c[3], num(m, "diff_mean"));
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "diff_ci95");
    if (cJSON_GetArraySize(ci) == 2) {
        fmt(lo, sizeof lo, cJSON_GetArrayItem(ci, 0)->valuedouble);
        fmt(hi, sizeof hi, cJSON_GetArrayItem(ci, 1)->valuedouble);
        snprintf(c[4], sizeof c[4], "[%s, %s]", lo, hi);
    } else
        snprintf(c[4], sizeof c[4], "-");
    double rel = num(m, "rel_change");
    if (!isfinite(rel))
        snprintf(c[5], sizeof c[5], "-");
    else if (rel == 0)
        snprintf(c[5], sizeof c[5], "0%%");
    else
        snprintf(c[5], sizeof c[5], "%+.1f%%", 100 * rel);
    snprintf(c[6], sizeof c[6], "%s",
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "significant")) ? "yes" : "no");
    fmt(c[7], sizeof c[7], num(m, "paired_sd"));
    fmt(c[8], sizeof c[8], num(m, "unpaired_sd"));
    cells[0] = m->string;
    for (int i = 1; i < NCOLS; i++)
        cells[i] = c[i];
    rh_table_row(p, cells, NCOLS);
}

static int difference_table(rh_page *p, const cJSON *doc) {
    size_t n, ndiffer, nsig;
    const cJSON **rows = exp_compare_ranked(doc, &n, &ndiffer, &nsig);
    if (!rows)
        return -1;
    rh_raw(p,
           "<p class=\"note\">%zu metrics compared on the same seeds (common random numbers), "
           "%zu differ, %zu of them significantly (the 95%% interval of the paired difference "
           "excludes 0). Ranked as dsim compare ranks them: significant differences first, the "
           "clients' figures before the nodes', each by how many half-widths of its interval "
           "the difference is from 0. Paired sd &lt; unpaired sd is the variance the pairing "
           "saved.</p>\n",
           n, ndiffer, nsig);
    size_t shown = n < RH_COMPARE_ROWS ? n : RH_COMPARE_ROWS;
    rh_table_begin(p, HEADERS, NCOLS);
    for (size_t i = 0; i < shown; i++)
        table_row(p, rows[i]);
    rh_table_end(p);
    if (n > shown) {
        size_t more = n - shown, drawn = more < MAX_DETAIL_ROWS ? more : MAX_DETAIL_ROWS;
        rh_raw(p, "<details><summary>%zu more metrics</summary>\n", more);
        rh_table_begin(p, HEADERS, NCOLS);
        for (size_t i = shown; i < shown + drawn; i++)
            table_row(p, rows[i]);
        rh_table_end(p);
        if (drawn < more)
            rh_raw(p, "<p class=\"note\">%zu more are in the compare document.</p>\n",
                   more - drawn);
        rh_raw(p, "</details>\n");
    }
    const cJSON *only[2] = {cJSON_GetObjectItemCaseSensitive(doc, "only_a"),
                            cJSON_GetObjectItemCaseSensitive(doc, "only_b")};
    for (int s = 0; s < 2; s++) {
        int k = cJSON_GetArraySize(only[s]);
        if (k == 0)
            continue;
        rh_raw(p, "<details><summary>%d metrics only in %s</summary><p class=\"note\">", k,
               s ? "B" : "A");
        const cJSON *v;
        int i = 0;
        cJSON_ArrayForEach(v, only[s]) {
            if (i++ >= MAX_DETAIL_ROWS)
                break;
            if (i > 1)
                rh_raw(p, ", ");
            rh_text(p, cJSON_GetStringValue(v) ? v->valuestring : "?");
        }
        rh_raw(p, "</p></details>\n");
    }
    free(rows);
    return 0;
}

/* The figures a reader asks about first, in this order, those the document has: the ranked
 * table puts them wherever their relative change falls (often below per-node figures). */
static const char *const HEADLINE[] = {
    "requests.latency_ms.p99",     "requests.latency_ms.mean",
    "requests.throughput_rps",     "requests.failed",
    "requests.timed_out",          "requests.rejected",
    "consistency.stale_read_rate", "consistency.lost_writes",
};

static void headline_table(rh_page *p, const cJSON *metrics) {
    size_t n = 0;
    for (size_t i = 0; i < sizeof HEADLINE / sizeof *HEADLINE; i++)
        n += cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(metrics, HEADLINE[i]));
    if (n == 0)
        return;
    rh_raw(p, "<h3>The clients' figures</h3>\n");
    rh_table_begin(p, HEADERS, NCOLS);
    for (size_t i = 0; i < sizeof HEADLINE / sizeof *HEADLINE; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(metrics, HEADLINE[i]);
        if (cJSON_IsObject(m))
            table_row(p, m);
    }
    rh_table_end(p);
}

/* "PATH=VALUE PATH=VALUE", or "(none)". */
static void overrides_text(const cJSON *set, char *buf, size_t size) {
    size_t k = 0;
    buf[0] = '\0';
    const cJSON *v;
    cJSON_ArrayForEach(v, set) {
        if (k >= size)
            break;
        int w = snprintf(buf + k, size - k, "%s%s=%s", k ? " " : "", v->string ? v->string : "?",
                         cJSON_GetStringValue(v) ? v->valuestring : "?");
        k = w < 0 ? size : k + (size_t)w;
    }
    if (!buf[0])
        snprintf(buf, size, "(none)");
}

static void header(rh_page *p, const cJSON *doc, const char *name) {
    char buf[2048];
    rh_raw(p, "<dl class=\"meta\"><dt>document</dt><dd>");
    rh_text(p, name);
    rh_raw(p, "</dd>");
    for (int s = 0; s < 2; s++) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, s ? "b" : "a");
        const char *file = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "file"));
        const char *topo = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "topology"));
        rh_raw(p, "<dt>%s</dt><dd>", s ? "B" : "A");
        rh_text(p, file ? file : "?");
        if (topo) {
            rh_text(p, " (topology ");
            rh_text(p, topo);
            rh_text(p, ")");
        }
        overrides_text(cJSON_GetObjectItemCaseSensitive(d, "set"), buf, sizeof buf);
        rh_text(p, ", overrides: ");
        rh_text(p, buf);
        rh_raw(p, "</dd>");
    }
    rh_seeds_text(cJSON_GetObjectItemCaseSensitive(doc, "seeds"), buf, sizeof buf);
    rh_raw(p, "<dt>seeds</dt><dd>");
    rh_text(p, buf);
    rh_raw(p, "</dd></dl>\n");
}

static void cdf_plot(rh_page *p, const cJSON *doc) {
    rh_plot *pl = rh_plot_new("Client latency, pooled over the seeds", "latency (ms)",
                              "fraction of requests");
    rh_plot_cdf_axes(pl);
    int drawn = 0;
    for (int s = 0; s < 2; s++) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(doc, s ? "b" : "a");
        drawn += rh_plot_latency_cdf(pl, s ? "B" : "A",
                                     cJSON_GetObjectItemCaseSensitive(d, "latency_hist")) == 0;
    }
    if (drawn)
        rh_plot_render(pl, p);
    else
        rh_raw(p, "<p class=\"note\">No latency histogram in the document (made by an older "
                  "dsim, or no request completed).</p>\n");
    rh_plot_free(pl);
}

/* Whether two expect tallies are of the same check (metric and bounds). */
static bool same_check(const cJSON *x, const cJSON *y) {
    const char *mx = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "metric"));
    const char *my = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(y, "metric"));
    double ax = num(x, "min"), ay = num(y, "min"), bx = num(x, "max"), by = num(y, "max");
    return mx && my && strcmp(mx, my) == 0 && (ax == ay || (isnan(ax) && isnan(ay))) &&
           (bx == by || (isnan(bx) && isnan(by)));
}

static void tally(char *buf, size_t size, const cJSON *e) {
    if (!e)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.0f of %.0f", num(e, "passed"), num(e, "runs"));
}

/* One row per check of A, then B's checks A does not have. */
static void expect_table(rh_page *p, const cJSON *doc) {
    const cJSON *list[2] = {
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "a"), "expect"),
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "b"), "expect")};
    if (cJSON_GetArraySize(list[0]) + cJSON_GetArraySize(list[1]) == 0)
        return;
    static const char *const h[] = {"expect: metric", "bounds", "A passed", "B passed"};
    rh_raw(p, "<h3>expect: verdicts</h3>\n");
    rh_table_begin(p, h, 4);
    for (int s = 0; s < 2; s++) {
        const cJSON *e;
        cJSON_ArrayForEach(e, list[s]) {
            const cJSON *other = NULL, *o;
            cJSON_ArrayForEach(o, list[!s]) {
                if (!other && same_check(e, o))
                    other = o;
            }
            if (s == 1 && other)
                continue; /* in A's rows already */
            char bounds[96], ta[48], tb[48], lo[32], hi[32];
            fmt(lo, sizeof lo, num(e, "min"));
            fmt(hi, sizeof hi, num(e, "max"));
            if (isfinite(num(e, "min")) && isfinite(num(e, "max")))
                snprintf(bounds, sizeof bounds, "%s .. %s", lo, hi);
            else if (isfinite(num(e, "min")))
                snprintf(bounds, sizeof bounds, "\xE2\x89\xA5 %s", lo);
            else
                snprintf(bounds, sizeof bounds, "\xE2\x89\xA4 %s", hi);
            tally(ta, sizeof ta, s ? other : e);
            tally(tb, sizeof tb, s ? e : other);
            const char *cells[4] = {
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "metric")), bounds, ta,
                tb};
            rh_table_row(p, cells, 4);
        }
    }
    rh_table_end(p);
}

static void topology_pictures(rh_page *p, const cJSON *doc) {
    const cJSON *ga =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "a"), "graph");
    const cJSON *gb =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "b"), "graph");
    if (!ga && !gb)
        return;
    if (ga && gb && cJSON_Compare(ga, gb, true)) {
        rh_raw(p, "<h3>Topology (the same in A and B)</h3>\n");
        rh_topology_render(p, ga);
        return;
    }
    rh_raw(p, "<h3>Topologies</h3>\n<div class=\"side-by-side\" style=\"display:flex;"
              "flex-wrap:wrap;gap:1em;align-items:flex-start\">\n");
    for (int s = 0; s < 2; s++) {
        rh_raw(p, "<div style=\"flex:1 1 400px;min-width:0\"><h4>%s</h4>\n", s ? "B" : "A");
        rh_topology_render(p, s ? gb : ga);
        rh_raw(p, "</div>\n");
    }
    rh_raw(p, "</div>\n");
}

/* A section id from the document's name: letters, digits, - and _ kept. */
static void section_id(const char *name, char *buf, size_t size) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t k = (size_t)snprintf(buf, size, "compare-");
    for (const char *c = base; *c && k + 1 < size; c++) {
        bool keep = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_';
        buf[k++] = keep ? *c : '_';
    }
    buf[k] = '\0';
}

int rh_compare_section(rh_page *p, const cJSON *doc, const char *name, char *err, size_t errlen) {
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "document"));
    if (!kind || strcmp(kind, "compare") != 0 ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "a")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "b")) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "metrics"))) {
        snprintf(err, errlen,
                 "not a compare document (\"document\": \"compare\" with \"a\", \"b\" and "
                 "\"metrics\", as dsim compare --json writes)");
        return 2;
    }
    char id[300], title[600];
    section_id(name, id, sizeof id);
    const char *ta = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "a"), "topology"));
    const char *tb = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "b"), "topology"));
    snprintf(title, sizeof title, "Compare: %s vs %s", ta ? ta : "A", tb ? tb : "B");
    rh_section_begin(p, id, title);
    header(p, doc, name);
    rh_raw(p, "<h3>Latency</h3>\n");
    cdf_plot(p, doc);
    headline_table(p, cJSON_GetObjectItemCaseSensitive(doc, "metrics"));
    rh_raw(p, "<h3>Paired differences B - A</h3>\n");
    int rc = difference_table(p, doc);
    expect_table(p, doc);
    topology_pictures(p, doc);
    rh_section_end(p);
    if (rc) {
        rh_page_fail(p);
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    return 0;
}
