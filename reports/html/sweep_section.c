/* The sweep section (sweep_section.h). */
#include "sweep_section.h"

#include "format.h"
#include "latency.h"
#include "plot.h"
#include "sweep_data.h"
#include "topology.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this many series on one plot (one per combination of the other axes' values) and
 * configs on the CDF plot: beyond 8 the palette repeats dashed and a plot stops being read. */
enum { MAX_SERIES = 8 };

static const char *const DEFAULT_METRICS[] = {
    "requests.latency_ms.p99", "requests.latency_ms.mean",    "requests.throughput_rps",
    "requests.failed",         "consistency.stale_read_rate",
};

/* A figure of the summary: the mean and the interval of one metric of one config. */
typedef struct figure {
    bool present;
    double mean, lo, hi; /* lo, hi NaN when the interval is null (one run) */
    double n;
} figure;

static figure figure_of(const rh_sweep_config *c, const char *metric) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(c->metrics, metric);
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(m, "mean");
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "ci95");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "n");
    figure f = {.present = cJSON_IsNumber(mean), .lo = NAN, .hi = NAN};
    if (!f.present)
        return f;
    f.mean = mean->valuedouble;
    f.n = cJSON_IsNumber(n) ? n->valuedouble : NAN;
    if (cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
        cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
        f.lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
        f.hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
    }
    return f;
}

/* "mean ± half-width" with 4 significant digits (the mean alone at one run). */
static void format_figure(char *buf, size_t size, figure f) {
    if (!f.present)
        snprintf(buf, size, "-");
    else if (isfinite(f.lo) && isfinite(f.hi))
        snprintf(buf, size, "%.4g \xC2\xB1 %.3g", f.mean, (f.hi - f.lo) / 2);
    else
        snprintf(buf, size, "%.4g", f.mean);
}

/* The metrics to plot, chosen (borrowed) into *out (caller frees the array). */
static int choose_metrics(const rh_sweep *s, const rh_sweep_options *o, const char ***out,
                          size_t *n) {
    size_t cap = sizeof DEFAULT_METRICS / sizeof *DEFAULT_METRICS;
    cJSON *doc = NULL;
    const cJSON *expect = NULL;
    if (o && o->nmetrics)
        cap = o->nmetrics;
    else if (s->nconfigs) {
        doc = rh_sweep_run_doc(s, 0);
        expect = cJSON_GetObjectItemCaseSensitive(doc, "expect");
        cap += (size_t)cJSON_GetArraySize(expect);
    }
    const char **m = calloc(cap ? cap : 1, sizeof *m);
    if (!m) {
        cJSON_Delete(doc);
        return -1;
    }
    size_t k = 0;
    if (o && o->nmetrics) {
        for (size_t i = 0; i < o->nmetrics; i++)
            m[k++] = o->metrics[i];
    } else {
        for (size_t i = 0; i < sizeof DEFAULT_METRICS / sizeof *DEFAULT_METRICS; i++)
            if (rh_sweep_has_metric(s, DEFAULT_METRICS[i]))
                m[k++] = DEFAULT_METRICS[i];
        const cJSON *v;
        cJSON_ArrayForEach(v, expect) {
            const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "metric"));
            if (!path || !rh_sweep_has_metric(s, path))
                continue;
            /* the summary's own copy of the path: doc is freed below */
            const char *own = NULL;
            for (size_t c = 0; c < s->nconfigs && !own; c++) {
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(s->configs[c].metrics, path);
                own = e ? e->string : NULL;
            }
            bool dup = false;
            for (size_t i = 0; i < k && !dup; i++)
                dup = strcmp(m[i], own) == 0;
            if (!dup)
                m[k++] = own;
        }
    }
    cJSON_Delete(doc);
    *out = m;
    *n = k;
    return 0;
}

/* The x of config c on axis a: its resolved number, or its value's position (categorical). */
static double x_of(const rh_sweep *s, size_t a, size_t c) {
    const rh_sweep_axis *x = &s->axes[a];
    size_t v = s->configs[c].value[a];
    return x->numeric ? x->resolved[v] : (double)v;
}

/* The combination of the other axes' values of config c (mixed radix over them). */
static size_t others_key(const rh_sweep *s, size_t a, size_t c) {
    size_t key = 0;
    for (size_t b = 0; b < s->naxes; b++)
        if (b != a)
            key = key * s->axes[b].nvalues + s->configs[c].value[b];
    return key;
}

/* The name of a series: the other axes' values of config c ("workers=2, warmup=5s"). */
static void series_name(const rh_sweep *s, size_t a, size_t c, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (size_t b = 0; b < s->naxes && n < size; b++) {
        if (b == a)
            continue;
        int w = snprintf(buf + n, size - n, "%s%s=%s", n ? ", " : "", s->axes[b].path,
                         s->axes[b].values[s->configs[c].value[b]]);
        n = w < 0 ? size : n + (size_t)w;
    }
    if (!buf[0])
        snprintf(buf, size, "mean, 95%% interval");
}

/* The x label of axis a: its path, with the unit of its numbers. */
static void axis_label(const rh_sweep_axis *x, char *buf, size_t size) {
    if (x->numeric && x->unit[0])
        snprintf(buf, size, "%s (%s)", x->path, x->unit);
    else
        snprintf(buf, size, "%s", x->path);
}

/* One plot: metric against axis a. Returns 0 or -1 when out of memory. */
static int axis_plot(rh_page *p, const rh_sweep *s, size_t a, const char *metric) {
    const rh_sweep_axis *ax = &s->axes[a];
    char title[600], xl[300];
    snprintf(title, sizeof title, "%s vs %s", metric, ax->path);
    axis_label(ax, xl, sizeof xl);
    rh_plot *pl = rh_plot_new(title, xl, metric);
    size_t *keys = calloc(s->nconfigs ? s->nconfigs : 1, sizeof *keys);
    size_t *idx = calloc(s->nconfigs ? s->nconfigs : 1, sizeof *idx);
    double *x = calloc(s->nconfigs ? s->nconfigs : 1, 4 * sizeof *x);
    int rc = -1;
    if (!pl || !keys || !idx || !x)
        goto out;
    double *y = x + s->nconfigs, *lo = y + s->nconfigs, *hi = lo + s->nconfigs;
    /* the combinations of the other axes, in the order of the configs */
    size_t nkeys = 0;
    for (size_t c = 0; c < s->nconfigs; c++) {
        size_t k = others_key(s, a, c), j = 0;
        while (j < nkeys && keys[j] != k)
            j++;
        if (j == nkeys)
            keys[nkeys++] = k;
    }
    size_t drawn = nkeys < MAX_SERIES ? nkeys : MAX_SERIES;
    for (size_t j = 0; j < drawn; j++) {
        size_t n = 0, first = 0;
        for (size_t c = 0; c < s->nconfigs; c++) {
            if (others_key(s, a, c) != keys[j])
                continue;
            if (n == 0)
                first = c;
            if (figure_of(&s->configs[c], metric).present)
                idx[n++] = c;
        }
        /* in order of x (insertion sort, stable: configs of one x keep their order) */
        for (size_t i = 1; i < n; i++)
            for (size_t k = i; k > 0 && x_of(s, a, idx[k - 1]) > x_of(s, a, idx[k]); k--) {
                size_t t = idx[k];
                idx[k] = idx[k - 1];
                idx[k - 1] = t;
            }
        for (size_t i = 0; i < n; i++) {
            figure f = figure_of(&s->configs[idx[i]], metric);
            x[i] = x_of(s, a, idx[i]);
            y[i] = f.mean;
            lo[i] = f.lo;
            hi[i] = f.hi;
        }
        char name[400];
        series_name(s, a, first, name, sizeof name);
        rh_plot_series(pl, name, ax->numeric ? RH_LINE : RH_POINTS, x, y, n);
        rh_plot_error_bars(pl, lo, hi, n);
    }
    if (ax->numeric) {
        /* room beside the first and last value, so their bars are not on the frame */
        double lo_x = INFINITY, hi_x = -INFINITY;
        for (size_t v = 0; v < ax->nvalues; v++) {
            lo_x = fmin(lo_x, ax->resolved[v]);
            hi_x = fmax(hi_x, ax->resolved[v]);
        }
        double pad = hi_x > lo_x ? (hi_x - lo_x) * 0.05 : fabs(lo_x) > 0 ? fabs(lo_x) * 0.1 : 1;
        rh_plot_x_range(pl, lo_x - pad, hi_x + pad);
        rh_plot_render(pl, p);
    } else
        rh_plot_render_categories(pl, p, (const char *const *)ax->values, ax->nvalues);
    if (nkeys > drawn)
        rh_raw(p,
               "<p class=\"note\">%zu of the %zu combinations of the other axes' values are "
               "drawn (the first in the configs' order); the table below has every config.</p>\n",
               drawn, nkeys);
    rc = 0;
out:
    rh_plot_free(pl);
    free(keys);
    free(idx);
    free(x);
    return rc;
}

/* A section id from the folder's last component: letters, digits, - and _ kept. */
static void section_id(const char *folder, char *buf, size_t size) {
    size_t len = strlen(folder);
    while (len > 1 && folder[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && folder[start - 1] != '/')
        start--;
    size_t k = (size_t)snprintf(buf, size, "sweep-");
    for (size_t i = start; i < len && k + 1 < size; i++) {
        char ch = folder[i];
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        buf[k++] = keep ? ch : '_';
    }
    buf[k] = '\0';
}

static void header(rh_page *p, const rh_sweep *s, const char *folder) {
    char buf[1024];
    rh_raw(p, "<dl class=\"meta\"><dt>folder</dt><dd>");
    rh_text(p, folder);
    rh_raw(p, "</dd><dt>topology</dt><dd>");
    rh_text(p, s->topology ? s->topology : "?");
    rh_seeds_text(s->seeds, buf, sizeof buf);
    rh_raw(p, "</dd><dt>seeds</dt><dd>");
    rh_text(p, buf);
    rh_raw(p, "</dd><dt>configs</dt><dd>%zu</dd>", s->nconfigs);
    if (cJSON_IsObject(s->set) && cJSON_GetArraySize(s->set) > 0) {
        rh_raw(p, "<dt>--set</dt><dd>");
        const cJSON *v;
        const char *sep = "";
        cJSON_ArrayForEach(v, s->set) {
            snprintf(buf, sizeof buf, "%s%s=%s", sep, v->string,
                     cJSON_GetStringValue(v) ? v->valuestring : "");
            rh_text(p, buf);
            sep = " ";
        }
        rh_raw(p, "</dd>");
    }
    for (size_t a = 0; a < s->naxes; a++) {
        const rh_sweep_axis *x = &s->axes[a];
        rh_raw(p, "<dt>--vary</dt><dd>");
        rh_text(p, x->path);
        rh_text(p, " = ");
        for (size_t k = 0; k < x->nvalues; k++) {
            if (x->numeric)
                snprintf(buf, sizeof buf, "%s%s (%.6g%s%s)", k ? ", " : "", x->values[k],
                         x->resolved[k], x->unit[0] ? " " : "", x->unit);
            else
                snprintf(buf, sizeof buf, "%s%s", k ? ", " : "", x->values[k]);
            rh_text(p, buf);
        }
        rh_text(p, x->numeric ? "" : " (categorical)");
        rh_raw(p, "</dd>");
    }
    rh_raw(p, "</dl>\n");
}

/* The table of the configs: id, values, runs, each metric's mean ± half-width, and the
 * fraction of runs whose expect: checks all passed when the sweep has them. */
static int config_table(rh_page *p, const rh_sweep *s, const char *const *metrics, size_t nm) {
    bool expect = false;
    for (size_t c = 0; c < s->nconfigs; c++)
        expect =
            expect ||
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s->summary, "configs"), (int)c),
                "expect_pass_fraction");
    size_t ncol = 2 + s->naxes + nm + expect;
    const char **cells = calloc(ncol, sizeof *cells);
    char *text = calloc(ncol, 128);
    if (!cells || !text) {
        free(cells);
        free(text);
        return -1;
    }
    size_t k = 0;
    cells[k++] = "config";
    for (size_t a = 0; a < s->naxes; a++)
        cells[k++] = s->axes[a].path;
    cells[k++] = "runs";
    for (size_t i = 0; i < nm; i++)
        cells[k++] = metrics[i];
    if (expect)
        cells[k++] = "expect passed";
    rh_table_begin(p, cells, ncol);
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(s->summary, "configs")->child;
    for (size_t c = 0; c < s->nconfigs; c++, jc = jc ? jc->next : NULL) {
        const rh_sweep_config *cf = &s->configs[c];
        k = 0;
        cells[k++] = cf->id;
        for (size_t a = 0; a < s->naxes; a++)
            cells[k++] = s->axes[a].values[cf->value[a]];
        snprintf(text + 128 * k, 128, "%d", cf->runs);
        cells[k] = text + 128 * k;
        k++;
        for (size_t i = 0; i < nm; i++, k++) {
            format_figure(text + 128 * k, 128, figure_of(cf, metrics[i]));
            cells[k] = text + 128 * k;
        }
        if (expect) {
            const cJSON *f = cJSON_GetObjectItemCaseSensitive(jc, "expect_pass_fraction");
            if (cJSON_IsNumber(f))
                snprintf(text + 128 * k, 128, "%.0f%%", 100 * f->valuedouble);
            else
                snprintf(text + 128 * k, 128, "-");
            cells[k] = text + 128 * k;
            k++;
        }
        rh_table_row(p, cells, ncol);
    }
    rh_table_end(p);
    free(cells);
    free(text);
    return 0;
}

/* The latency CDF of each config's first seed, on one plot. */
static void cdf_plot(rh_page *p, const rh_sweep *s) {
    if (s->nconfigs > MAX_SERIES) {
        rh_raw(p, "<p class=\"note\">%zu configs: the latency CDFs are drawn for at most %d.</p>\n",
               s->nconfigs, MAX_SERIES);
        return;
    }
    rh_plot *pl = rh_plot_new("Client latency, first seed of each config", "latency (ms)",
                              "fraction of requests");
    rh_plot_cdf_axes(pl);
    size_t drawn = 0;
    for (size_t c = 0; c < s->nconfigs; c++) {
        cJSON *doc = rh_sweep_run_doc(s, c);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "requests"), "latency_hist");
        /* the config and its values (the legend is narrow: the table says which axis) */
        char name[400];
        int n = snprintf(name, sizeof name, "%s", s->configs[c].id);
        for (size_t a = 0; a < s->naxes && n > 0 && (size_t)n < sizeof name; a++)
            n += snprintf(name + n, sizeof name - (size_t)n, "%s%s", a ? ", " : ": ",
                          s->axes[a].values[s->configs[c].value[a]]);
        drawn += rh_plot_latency_cdf(pl, name, h) == 0;
        cJSON_Delete(doc);
    }
    if (drawn)
        rh_plot_render(pl, p);
    else
        rh_raw(p, "<p class=\"note\">No run completed a request: no latency CDF.</p>\n");
    rh_plot_free(pl);
}

int rh_sweep_section(rh_page *p, const char *folder, char *err, size_t errlen) {
    return rh_sweep_section_with(p, folder, NULL, NULL, err, errlen);
}

int rh_sweep_section_with(rh_page *p, const char *folder, const rh_sweep_options *o,
                          const char **where, char *err, size_t errlen) {
    rh_sweep s;
    rh_sweep_error e;
    if (where)
        *where = folder;
    int rc = rh_sweep_read(folder, &s, &e);
    if (rc) {
        if (e.note[0])
            snprintf(err, errlen, "%s\n%s: note: %s", e.message, folder, e.note);
        else
            snprintf(err, errlen, "%s", e.message);
        return rc == 2 ? 2 : 1;
    }
    for (size_t i = 0; o && i < o->nmetrics; i++) {
        if (rh_sweep_has_metric(&s, o->metrics[i]))
            continue;
        const char *arg = o->metric_args ? o->metric_args[i] : o->metrics[i];
        if (where)
            *where = arg;
        const char *near[3];
        size_t nn = rh_sweep_near_metrics(&s, o->metrics[i], near, 3);
        int w = snprintf(err, errlen, "no config of the sweep %s has the metric '%s'", folder,
                         o->metrics[i]);
        if (nn && w > 0 && (size_t)w < errlen) {
            w += snprintf(err + w, errlen - (size_t)w, "\n%s: note: did you mean ", arg);
            for (size_t k = 0; k < nn && w > 0 && (size_t)w < errlen; k++)
                w += snprintf(err + w, errlen - (size_t)w, "%s'%s'",
                              k ? (k + 1 == nn ? " or " : ", ") : "", near[k]);
            if (w > 0 && (size_t)w < errlen)
                snprintf(err + w, errlen - (size_t)w, "?");
        } else if (w > 0 && (size_t)w < errlen)
            snprintf(err + w, errlen - (size_t)w,
                     "\n%s: note: %s/summary.json lists the metric paths of each config", arg,
                     folder);
        rh_sweep_free(&s);
        return 2;
    }
    const char **metrics = NULL;
    size_t nm = 0;
    if (choose_metrics(&s, o, &metrics, &nm)) {
        rh_sweep_free(&s);
        snprintf(err, errlen, "out of memory");
        return 1;
    }
    char id[300], title[700];
    section_id(folder, id, sizeof id);
    snprintf(title, sizeof title, "Sweep of %s: %s", s.topology ? s.topology : "?", folder);
    rh_section_begin(p, id, title);
    header(p, &s, folder);
    bool oom = false;
    if (s.naxes == 0)
        rh_raw(p, "<p class=\"note\">The sweep varies nothing (no --vary): one config, no "
                  "metric-vs-parameter plot.</p>\n");
    for (size_t a = 0; a < s.naxes && !oom; a++) {
        rh_raw(p, "<h3>");
        rh_text(p, s.axes[a].path);
        rh_raw(p, "</h3>\n");
        for (size_t i = 0; i < nm && !oom; i++)
            oom = axis_plot(p, &s, a, metrics[i]) != 0;
    }
    rh_raw(p, "<h3>Configs</h3>\n<p class=\"note\">Each metric's mean over the config's runs "
              "\xC2\xB1 the half-width of its Student-t 95%% interval.</p>\n");
    oom = oom || config_table(p, &s, metrics, nm);
    cJSON *first = s.nconfigs ? rh_sweep_run_doc(&s, 0) : NULL;
    const cJSON *graph = cJSON_GetObjectItemCaseSensitive(first, "graph");
    if (graph) {
        rh_raw(p, "<h3>Topology</h3>\n");
        rh_topology_render(p, graph);
    }
    cJSON_Delete(first);
    rh_raw(p, "<h3>Latency</h3>\n");
    cdf_plot(p, &s);
    rh_section_end(p);
    free(metrics);
    rh_sweep_free(&s);
    if (oom)
        rh_page_fail(p);
    return 0;
}
