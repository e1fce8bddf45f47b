/* The report's sweep and compare sections (reports/html/sweep_section.h, compare_section.h,
 * sweep_data.h) on real folders and documents made by the built dsim in a sandbox: the plots
 * are checked through their markup (one per axis and metric, their points and confidence
 * bars, where the points sit on the x axis), the tables through their cells, and the errors
 * by their text. What a browser draws from the markup is the report_browser suite's. */
#include "sandbox.h"
#include "support.h"

#include "html/compare_section.h"
#include "html/page.h"
#include "html/sweep_section.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "report_sections"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(report_sections, .init = setup, .fini = teardown, .timeout = 300);

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(hay, needle); at; at = strstr(at + 1, needle))
        n++;
    return n;
}

/* A sweep of the example mmc.yaml (60 s runs) in the sandbox's folder out, with the
 * arguments given after the example's. */
static void sweep(const char *out, const char *a1, const char *a2, const char *a3, const char *a4,
                  const char *a5, const char *a6) {
    char *text = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", text);
    free(text);
    t_result r = DSIM("sweep", "mmc.yaml", "--set", "duration=60s", "--quiet", "--out", out, a1, a2,
                      a3, a4, a5, a6);
    expect_status(&r, 0);
    t_result_free(&r);
}

/* The page of one sweep section (caller frees), the folder relative to the sandbox. */
static char *sweep_page(const char *folder, const rh_sweep_options *o) {
    char path[4096], err[2048] = "";
    t_path_in(path, sizeof path, sb.work, folder);
    rh_page *p = rh_page_new("t");
    cr_assert(p);
    int rc = rh_sweep_section_with(p, path, o, NULL, err, sizeof err);
    cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
    cr_assert(!rh_page_failed(p));
    char *html = strdup(rh_page_html(p));
    rh_page_free(p);
    return html;
}

/* The markup of the plot titled title (caller frees), or NULL when the page has none. */
static char *plot_titled(const char *html, const char *title) {
    char label[512];
    snprintf(label, sizeof label, "aria-label=\"%s\"", title);
    for (const char *at = strstr(html, "<svg class=\"plot\""); at;
         at = strstr(at + 1, "<svg class=\"plot\"")) {
        const char *end = strstr(at, "</svg>");
        cr_assert(end);
        const char *l = strstr(at, label);
        if (l && l < end)
            return strndup(at, (size_t)(end - at) + 6);
    }
    return NULL;
}

/* The x pixel coordinates of the points of a plot's series number k (0-based) in *x, n
 * of them: a polyline's points, or the circles of a points series. Returns n. */
static size_t series_x(const char *svg, size_t k, double *x, size_t max) {
    const char *at = svg;
    for (size_t i = 0; i <= k; i++) {
        const char *line = strstr(at, "<polyline class=\"data\"");
        at = line ? line + 1 : NULL;
        cr_assert(at, "no polyline %zu in\n%s", k, svg);
    }
    const char *pts = strstr(at, "points=\"");
    cr_assert(pts);
    pts += 8;
    size_t n = 0;
    while (*pts != '"' && n < max) {
        char *end;
        x[n++] = strtod(pts, &end);
        end = strchr(end, ' ');
        const char *quote = strchr(pts, '"');
        if (!end || end > quote)
            break;
        pts = end + 1;
    }
    return n;
}

static size_t circles_x(const char *svg, double *x, size_t max) {
    size_t n = 0;
    for (const char *at = strstr(svg, "<circle class=\"data\" cx=\""); at && n < max;
         at = strstr(at + 1, "<circle class=\"data\" cx=\""))
        x[n++] = strtod(at + strlen("<circle class=\"data\" cx=\""), NULL);
    return n;
}

static const char *const DEFAULTS[] = {"requests.latency_ms.p99", "requests.latency_ms.mean",
                                       "requests.throughput_rps", "requests.failed"};

Test(report_sections, a_sweep_has_one_plot_per_axis_and_metric_with_its_points_and_bars) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--seeds", "3", NULL, NULL);
    char *html = sweep_page("sw", NULL);
    /* mmc has no keyed data: no stale-read plot; the four defaults it has, for its one axis */
    cr_expect_eq(count(html, " vs nodes.pool.workers\""), 4, "one plot per default metric");
    cr_expect_null(strstr(html, "consistency.stale_read_rate vs"));
    for (size_t i = 0; i < 4; i++) {
        char title[128];
        snprintf(title, sizeof title, "%s vs nodes.pool.workers", DEFAULTS[i]);
        char *svg = plot_titled(html, title);
        cr_assert(svg, "no plot '%s'", title);
        double x[8];
        cr_expect_eq(count(svg, "<polyline class=\"data\""), 1, "%s: one series", title);
        cr_expect_eq(series_x(svg, 0, x, 8), 2, "%s: a point per workers value", title);
        cr_expect_eq(count(svg, "class=\"data err\""), 2, "%s: a bar per point", title);
        free(svg);
    }
    /* the table: a row per config with its values and n, mean ± half-width */
    cr_expect(strstr(html, "<td>c0</td><td class=\"num\">4</td><td class=\"num\">3</td>"), "%s",
              html);
    cr_expect(strstr(html, "<td>c1</td><td class=\"num\">5</td><td class=\"num\">3</td>"));
    cr_expect_geq(count(html, " \xC2\xB1 "), 8, "mean ± half-width per config and metric");
    /* the topology of the first run, and both configs' latency CDFs on one plot */
    cr_expect_eq(count(html, "<svg class=\"topology\""), 1);
    char *cdf = plot_titled(html, "Client latency, first seed of each config");
    cr_assert(cdf);
    cr_expect_eq(count(cdf, "<path class=\"data\" "), 2, "one step curve per config");
    free(cdf);
    free(html);
}

/* Two axes: a series per value of the other axis, and the x of a duration axis is its
 * resolved number of ms: 5s, 10000ms and 20s sit at 5000, 10000 and 20000, so the middle
 * point is a third of the way from the first to the last (equal spacing, 1/2, would be a
 * categorical axis; the numbers as written, 5, 10000, 20, would not even be in order). */
Test(report_sections, a_numeric_axis_plots_the_resolved_values_one_series_per_other_value) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--vary", "warmup=5s,10000ms,20s", "--seeds",
          "2");
    char *html = sweep_page("sw", NULL);
    char *by_warmup = plot_titled(html, "requests.latency_ms.p99 vs warmup");
    char *by_workers = plot_titled(html, "requests.latency_ms.p99 vs nodes.pool.workers");
    cr_assert(by_warmup && by_workers);
    cr_expect(strstr(by_warmup, ">warmup (ms)</text>"), "the x label names the unit");
    cr_expect_eq(count(by_warmup, "<polyline class=\"data\""), 2, "a series per workers value");
    cr_expect_eq(count(by_workers, "<polyline class=\"data\""), 3, "a series per warm-up");
    cr_expect_eq(count(by_warmup, "class=\"data err\""), 6);
    cr_expect(strstr(by_warmup, "nodes.pool.workers=5"), "series named by the other axis");
    for (size_t k = 0; k < 2; k++) {
        double x[8];
        cr_assert_eq(series_x(by_warmup, k, x, 8), 3);
        double at = (x[1] - x[0]) / (x[2] - x[0]);
        cr_expect(fabs(at - 1.0 / 3) < 0.01, "series %zu: the middle point at %.3f of the way", k,
                  at);
    }
    free(by_warmup);
    free(by_workers);
    free(html);
}

Test(report_sections, a_policy_sweep_has_a_categorical_axis) {
    char *text = t_example("lb_compare.yaml");
    t_write_work(&sb, "lb.yaml", text);
    free(text);
    t_result r = DSIM("sweep", "lb.yaml", "--set", "duration=30s", "--vary",
                      "nodes.lb.policy=round_robin,least_connections", "--seeds", "2", "--quiet",
                      "--out", "pol");
    expect_status(&r, 0);
    t_result_free(&r);
    char *html = sweep_page("pol", NULL);
    char *svg = plot_titled(html, "requests.latency_ms.p99 vs nodes.lb.policy");
    cr_assert(svg);
    cr_expect(strstr(svg, "<title>round_robin</title>"));
    cr_expect(strstr(svg, "<title>least_connections</title>"));
    cr_expect_eq(count(svg, "<g class=\"category\">"), 2);
    double x[4];
    cr_assert_eq(circles_x(svg, x, 4), 2, "a point per policy");
    cr_expect_eq(count(svg, "class=\"data err\""), 2);
    cr_expect_lt(x[0], x[1], "in the order given");
    cr_expect(strstr(html, "nodes.lb.policy = round_robin, least_connections (categorical)"));
    free(svg);
    free(html);
}

/* Splits a command line of plain words into argv (at most max, NULL-terminated). */
static size_t words(char *line, const char **argv, size_t max) {
    size_t n = 0;
    for (char *save, *w = strtok_r(line, " ", &save); w && n + 1 < max;
         w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
    return n;
}

Test(report_sections, an_unfinished_sweep_is_refused_with_the_command_that_resumes_it) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--seeds", "2", NULL, NULL);
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "sw/summary.json");
    cr_assert_eq(remove(path), 0);
    t_path_in(path, sizeof path, sb.work, "sw/runs/c1-s2.json");
    cr_assert_eq(remove(path), 0);
    t_path_in(path, sizeof path, sb.work, "sw");
    rh_page *p = rh_page_new("t");
    char *before = strdup(rh_page_html(p));
    char err[4096];
    cr_assert_eq(rh_sweep_section(p, path, err, sizeof err), 2);
    cr_expect_str_eq(rh_page_html(p), before, "nothing appended");
    cr_expect(strncmp(err, "the sweep is unfinished", 23) == 0, "%s", err);
    char want[4200];
    snprintf(want, sizeof want, "\n%s: note: resume it", path);
    cr_expect(strstr(err, want), "%s", err);
    /* the note's command, run where the sweep was, finishes it */
    const char *cmd = strstr(err, "skipped): dsim sweep ");
    cr_assert(cmd, "%s", err);
    char line[4096];
    snprintf(line, sizeof line, "%s", cmd + strlen("skipped): dsim "));
    cr_expect(strstr(line, "--vary nodes.pool.workers=4,5 --seeds 1..2 --out "), "%s", line);
    /* run it with the folder named as the sweep was (relative to the sandbox) */
    char *out = strstr(line, " --out ");
    cr_assert(out);
    strcpy(out, " --out sw --quiet");
    const char *argv[16];
    size_t n = words(line, argv, 16);
    cr_assert_geq(n, 8);
    t_result r = DSIM(argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7],
                      argv[8], argv[9], argv[10], argv[11], argv[12], argv[13], argv[14]);
    expect_status(&r, 0);
    t_result_free(&r);
    cr_expect(t_work_has(&sb, "sw/summary.json"));
    cr_expect(t_work_has(&sb, "sw/runs/c1-s2.json"), "the deleted run was redone");
    cr_expect_eq(rh_sweep_section(p, path, err, sizeof err), 0, "%s", err);
    free(before);
    rh_page_free(p);
}

Test(report_sections, a_folder_that_is_no_sweep_is_refused) {
    t_write_work(&sb, "x.txt", "x");
    rh_page *p = rh_page_new("t");
    char err[4096];
    cr_assert_eq(rh_sweep_section(p, sb.work, err, sizeof err), 2);
    cr_expect(strncmp(err, "a directory without summary.json: not a sweep folder", 52) == 0, "%s",
              err);
    t_write_work(&sb, "summary.json", "{\"document\": \"run\"}");
    cr_assert_eq(rh_sweep_section(p, sb.work, err, sizeof err), 2);
    cr_expect(strstr(err, "summary.json: not the summary of a sweep"), "%s", err);
    t_write_work(&sb, "summary.json", "{\"document\": ");
    cr_assert_eq(rh_sweep_section(p, sb.work, err, sizeof err), 2);
    cr_expect(strstr(err, "summary.json: not a JSON document"), "%s", err);
    rh_page_free(p);
}

Test(report_sections, metric_chooses_the_plots_and_an_unknown_one_names_the_nearest) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--seeds", "2", NULL, NULL);
    const char *m[] = {"nodes.pool.utilization"};
    const char *arg[] = {"--metric nodes.pool.utilization"};
    rh_sweep_options o = {m, 1, arg};
    char *html = sweep_page("sw", &o);
    cr_expect_eq(count(html, "<svg class=\"plot\""), 2, "the chosen metric and the CDF");
    cr_expect(strstr(html, "aria-label=\"nodes.pool.utilization vs nodes.pool.workers\""));
    free(html);
    const char *bad[] = {"requests.latency_ms.p98"};
    const char *bad_arg[] = {"--metric requests.latency_ms.p98"};
    o = (rh_sweep_options){bad, 1, bad_arg};
    char path[4096], err[4096];
    t_path_in(path, sizeof path, sb.work, "sw");
    rh_page *p = rh_page_new("t");
    const char *where = NULL;
    cr_assert_eq(rh_sweep_section_with(p, path, &o, &where, err, sizeof err), 2);
    cr_expect_eq(where, bad_arg[0], "the --metric is at fault");
    cr_expect(strncmp(err, "no config of the sweep ", 23) == 0, "%s", err);
    const char *note = strstr(err, "\n--metric requests.latency_ms.p98: note: did you mean ");
    cr_expect(note && strstr(note, "'requests.latency_ms.p99'"), "%s", err);
    rh_page_free(p);
}

Test(report_sections, a_sweep_section_is_the_same_bytes_every_time) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--seeds", "2", NULL, NULL);
    char *a = sweep_page("sw", NULL), *b = sweep_page("sw", NULL);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

/* ---- compare ---- */

static cJSON *read_json(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON", name);
    free(text);
    return doc;
}

static char *compare_page(const cJSON *doc) {
    rh_page *p = rh_page_new("t");
    char err[2048] = "";
    int rc = rh_compare_section(p, doc, "out.json", err, sizeof err);
    cr_assert_eq(rc, 0, "rc %d: %s", rc, err);
    cr_assert(!rh_page_failed(p));
    char *html = strdup(rh_page_html(p));
    rh_page_free(p);
    return html;
}

/* The cells of the table row starting at tr (escaped text, as on the page) into cells, at
 * most max (each a strndup: caller frees). Returns how many. */
static size_t row_cells(const char *tr, char **cells, size_t max) {
    const char *end = strstr(tr, "</tr>");
    size_t n = 0;
    for (const char *td = strstr(tr, "<td"); td && td < end && n < max;
         td = strstr(td + 1, "<td")) {
        const char *open = strchr(td, '>') + 1, *close = strstr(open, "</td>");
        cells[n++] = strndup(open, (size_t)(close - open));
    }
    return n;
}

static void free_cells(char **cells, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(cells[i]);
}

/* The differences table's rows on the page (its first and the collapsed one), in order. */
static size_t difference_rows(const char *html, const char **rows, size_t max) {
    const char *at = strstr(html, "Paired differences");
    cr_assert(at);
    const char *stop = strstr(at, "<h3>");
    size_t n = 0;
    for (const char *tr = strstr(at, "<tr><td"); tr && (!stop || tr < stop) && n < max;
         tr = strstr(tr + 1, "<tr><td"))
        rows[n++] = tr;
    return n;
}

static void write_example(void) {
    char *text = t_example("lb_compare.yaml");
    t_write_work(&sb, "lb.yaml", text);
    free(text);
}

/* The ranking the section promises (dsim compare's, docs/cli.md), recomputed from the
 * document: among the significant figures of the run itself (not under "nodes", not the
 * runs' inputs), the one whose difference is the most half-widths of its interval from 0, the
 * first in the document's order on a tie. */
static const char *largest_significant(const cJSON *doc) {
    const cJSON *m, *best = NULL;
    double best_score = -1;
    cJSON_ArrayForEach(m, t_at(doc, "metrics")) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "significant")) ||
            strncmp(m->string, "nodes.", 6) == 0 || strcmp(m->string, "duration_s") == 0 ||
            strcmp(m->string, "warmup_s") == 0)
            continue;
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "diff_ci95");
        double half = (cJSON_GetArrayItem(ci, 1)->valuedouble -
                       cJSON_GetArrayItem(ci, 0)->valuedouble) / 2;
        double d = fabs(cJSON_GetObjectItemCaseSensitive(m, "diff_mean")->valuedouble);
        double score = half > 0 ? d / half : INFINITY;
        if (score > best_score) {
            best = m;
            best_score = score;
        }
    }
    return best ? best->string : NULL;
}

Test(report_sections, compare_ranks_the_largest_significant_change_first) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    char *html = compare_page(doc);
    const char *rows[4096];
    size_t n = difference_rows(html, rows, 4096);
    cr_expect_eq(n, (size_t)cJSON_GetArraySize(t_at(doc, "metrics")), "a row per metric");
    char *cells[9];
    cr_assert_eq(row_cells(rows[0], cells, 9), 9);
    const char *want = largest_significant(doc);
    cr_assert(want);
    cr_expect_str_eq(cells[0], want);
    cr_expect_str_eq(cells[6], "yes");
    free_cells(cells, 9);
    /* the report's rows come in the order of dsim compare's own table */
    const char *line = strstr(r.out, "differ most (B - A)");
    cr_assert(line, "%s", r.out);
    size_t listed = 0;
    for (line = strchr(line, '\n'); line && line[1] && line[1] != '.' && listed < n;
         line = strchr(line + 1, '\n'), listed++) {
        size_t len = strcspn(line + 1, " ");
        cr_assert_eq(row_cells(rows[listed], cells, 9), 9);
        cr_expect(strlen(cells[0]) == len && strncmp(cells[0], line + 1, len) == 0,
                  "row %zu: the report has %s, dsim compare %.*s", listed, cells[0], (int)len,
                  line + 1);
        free_cells(cells, 9);
    }
    cr_expect_eq(listed, 20, "dsim compare lists a screenful: %s", r.out);
    t_result_free(&r);
    /* p99 falls with least connections: its row says so */
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        size_t k = row_cells(rows[i], cells, 9);
        if (strcmp(cells[0], "requests.latency_ms.p99") == 0) {
            found = true;
            cr_expect_lt(strtod(cells[3], NULL), 0, "p99 difference %s", cells[3]);
            cr_expect_str_eq(cells[6], "yes");
            cr_expect_eq(cells[5][0], '-', "relative change %s", cells[5]);
        }
        free_cells(cells, k);
    }
    cr_expect(found);
    /* the first 25 in the table, the rest collapsed */
    const char *details = strstr(html, "<details><summary>");
    cr_assert(details);
    cr_expect_gt(rows[RH_COMPARE_ROWS], details);
    cr_expect_lt(rows[RH_COMPARE_ROWS - 1], details);
    /* A's and B's pooled CDFs on one plot; one topology picture (same graph) */
    char *cdf = plot_titled(html, "Client latency, pooled over the seeds");
    cr_assert(cdf);
    cr_expect_eq(count(cdf, "<path class=\"data\" "), 2, "two series");
    free(cdf);
    cr_expect_eq(count(html, "<svg class=\"topology\""), 1);
    cr_expect(strstr(html, "Topology (the same in A and B)"));
    cr_expect(strstr(html, "overrides: nodes.lb.policy=least_connections"));
    /* the clients' figures come first, p99 at their head */
    const char *head = strstr(html, "<h3>The clients' figures</h3>");
    cr_assert(head);
    cr_expect_lt(head, strstr(html, "Paired differences"));
    cr_expect(strncmp(strstr(head, "<tr><td"), "<tr><td>requests.latency_ms.p99</td>", 36) == 0);
    free(html);
    cJSON_Delete(doc);
}

/* dsim compare --report OUT draws the page of the comparison in the same command: the compare
 * section of its document, the same rows in the same order as `dsim report` of --json; an
 * output that cannot be written is refused before anything runs. */
Test(report_sections, compare_report_writes_the_page_of_its_document) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--seeds", "3", "--json", "out.json", "--report", "lb.html");
    expect_status(&r, 0);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "lb.html");
    cJSON *doc = read_json("out.json");
    char *section = compare_page(doc);
    const char *want[4096], *got[4096];
    size_t nw = difference_rows(section, want, 4096), ng = difference_rows(html, got, 4096);
    cr_expect_eq(ng, nw);
    cr_expect_gt(nw, 20);
    for (size_t i = 0; i < nw && i < ng; i++) {
        size_t len = strcspn(want[i], "\n");
        cr_expect(strncmp(want[i], got[i], len) == 0, "row %zu differs", i);
    }
    cr_expect(strstr(html, "<svg class=\"plot\""), "the pooled CDFs are drawn");
    free(section);
    free(html);
    cJSON_Delete(doc);
    r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections", "--json",
             "x.json", "--report", "no/such/dir/lb.html");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "no/such/dir/lb.html"), "%s", r.err);
    cr_expect_not(t_work_has(&sb, "x.json"), "nothing ran, nothing written");
    t_result_free(&r);
}

Test(report_sections, a_self_compare_shows_every_difference_as_zero) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--seeds", "3", "--json", "out.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *doc = read_json("out.json");
    char *html = compare_page(doc);
    const char *rows[4096];
    size_t n = difference_rows(html, rows, 4096);
    cr_expect_gt(n, 50);
    for (size_t i = 0; i < n; i++) {
        char *cells[9];
        cr_assert_eq(row_cells(rows[i], cells, 9), 9);
        cr_expect_str_eq(cells[3], "0", "%s: difference %s", cells[0], cells[3]);
        cr_expect_str_eq(cells[4], "[0, 0]", "%s: interval %s", cells[0], cells[4]);
        cr_expect(strcmp(cells[5], "0%") == 0 || strcmp(cells[5], "-") == 0, "%s: %s", cells[0],
                  cells[5]);
        cr_expect_str_eq(cells[6], "no");
        cr_expect_str_eq(cells[1], cells[2], "%s: A and B", cells[0]);
        free_cells(cells, 9);
    }
    cr_expect(strstr(html, " 0 differ, 0 of them significantly"));
    char *again = compare_page(doc);
    cr_expect_str_eq(html, again, "the same document gives the same bytes");
    free(again);
    free(html);
    cJSON_Delete(doc);
}

Test(report_sections, a_b_with_other_nodes_gets_its_own_topology_picture) {
    static const char a[] = "duration: 20s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web, rate: 100/s}\n"
                            "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n";
    static const char b[] = "duration: 20s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web, rate: 100/s}\n"
                            "  web: {kind: service, service: {dist: exponential, mean: 5ms},\n"
                            "        calls: [db]}\n"
                            "  db: {kind: service, service: {dist: exponential, mean: 1ms}}\n";
    t_write_work(&sb, "a.yaml", a);
    t_write_work(&sb, "b.yaml", b);
    t_result r = DSIM("compare", "a.yaml", "b.yaml", "--seeds", "2", "--json", "out.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *doc = read_json("out.json");
    char *html = compare_page(doc);
    cr_expect_eq(count(html, "<svg class=\"topology\""), 2, "A and B side by side");
    cr_expect(strstr(html, "class=\"side-by-side\""));
    free(html);
    cJSON_Delete(doc);
}

Test(report_sections, compare_shows_the_expect_tallies_and_refuses_other_documents) {
    cJSON *doc = cJSON_Parse(
        "{\"document\": \"compare\", \"seeds\": [1, 2, 3, 4],"
        " \"a\": {\"file\": \"a.yaml\", \"set\": {}, \"expect\": [{\"metric\": "
        "\"requests.latency_ms.p99\", \"max\": 200, \"passed\": 3, \"runs\": 4}]},"
        " \"b\": {\"file\": \"a.yaml\", \"set\": {\"x\": \"1\"}, \"expect\": [{\"metric\": "
        "\"requests.latency_ms.p99\", \"max\": 200, \"passed\": 1, \"runs\": 4}]},"
        " \"metrics\": {}, \"only_a\": [], \"only_b\": []}");
    cr_assert(doc);
    char *html = compare_page(doc);
    cr_expect(strstr(html, "<td>requests.latency_ms.p99</td><td>\xE2\x89\xA4 200</td><td "
                           "class=\"num\">3 of 4</td><td class=\"num\">1 of 4</td>"),
              "%s", html);
    free(html);
    cJSON_Delete(doc);
    doc = cJSON_Parse("{\"document\": \"run\"}");
    rh_page *p = rh_page_new("t");
    char err[1024];
    cr_expect_eq(rh_compare_section(p, doc, "r.json", err, sizeof err), 2);
    cr_expect(strncmp(err, "not a compare document", 22) == 0, "%s", err);
    rh_page_free(p);
    cJSON_Delete(doc);
}

/* ---- through the command: dsim report DIR|COMPARE.json [--metric PATH]... -o OUT ---- */

Test(report_sections, dsim_report_draws_sweeps_and_compares_and_refuses_their_bad_inputs) {
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--seeds", "2", NULL, NULL);
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--seeds", "3", "--json", "cmp.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("report", "sw", "cmp.json", "--metric", "nodes.pool.utilization", "--metric",
             "requests.latency_ms.p99", "-o", "r.html");
    expect_status(&r, 0);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "r.html");
    cr_expect(strstr(html, "<section id=\"sweep-sw\">"));
    cr_expect(strstr(html, "<section id=\"compare-cmp_json\">"));
    cr_expect(strstr(html, "aria-label=\"nodes.pool.utilization vs nodes.pool.workers\""));
    cr_expect(strstr(html, "aria-label=\"requests.latency_ms.p99 vs nodes.pool.workers\""));
    cr_expect_null(strstr(html, "aria-label=\"requests.throughput_rps vs"), "--metric chose");
    free(html);
    /* bad inputs: exit 2, the argument named, nothing written */
    r = DSIM("report", "sw", "--metric", "requests.latency_ms.p98", "-o", "bad.html");
    expect_status(&r, 2);
    static const char near[] = "--metric requests.latency_ms.p98: error: no config of the sweep "
                               "sw has the metric 'requests.latency_ms.p98'\n"
                               "--metric requests.latency_ms.p98: note: did you mean ";
    cr_expect(strncmp(r.err, near, strlen(near)) == 0, "%s", r.err);
    t_result_free(&r);
    r = DSIM("report", "cmp.json", "--metric", "requests.latency_ms.p99", "-o", "bad.html");
    expect_status(&r, 2);
    static const char no_sweep[] = "--metric requests.latency_ms.p99: error: --metric chooses "
                                   "the plots of a sweep folder, and no INPUT is one\n";
    cr_expect_str_eq(r.err, no_sweep);
    t_result_free(&r);
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "sw/summary.json");
    cr_assert_eq(remove(path), 0);
    r = DSIM("report", "sw", "-o", "bad.html");
    expect_status(&r, 2);
    static const char unfinished[] = "sw: error: the sweep is unfinished: it has no summary.json "
                                     "yet\nsw: note: resume it with the command that made it";
    cr_expect(strncmp(r.err, unfinished, strlen(unfinished)) == 0, "%s", r.err);
    t_result_free(&r);
    cr_expect_not(t_work_has(&sb, "bad.html"), "nothing written on an error");
}

/* ---- in a browser ---- */

/* The sections' pictures in Chromium: every plot (numeric and categorical axes, bars, CDFs)
 * and topology picture has a size and every one of its data marks a non-empty box, by the
 * page's self-check (data-rendered="WxH K/N"). */
Test(report_sections, every_picture_of_a_sweep_and_a_compare_renders_in_chromium, .timeout = 300) {
    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        puts("skipped: chromium not installed (tools/test.sh installs it as root with apt-get)");
        fflush(stdout);
        cr_skip_test("skipped: chromium not installed");
    }
    sweep("sw", "--vary", "nodes.pool.workers=4,5", "--vary", "warmup=5s,10s", "--seeds", "2");
    write_example();
    t_result r = DSIM("sweep", "lb.yaml", "--set", "duration=30s", "--vary",
                      "nodes.lb.policy=round_robin,least_connections", "--seeds", "2", "--quiet",
                      "--out", "pol");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections", "--seeds", "3",
             "--json", "cmp.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("report", "sw", "pol", "cmp.json", "-o", "r.html");
    expect_status(&r, 0);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "r.html");
    size_t in_page = count(html, "<svg class=\"");
    /* 2 axes x 4 metrics + a CDF, 4 metrics + a CDF, a CDF; 3 topology pictures */
    cr_expect_eq(count(html, "<svg class=\"plot\""), 15);
    char *dom = t_dump_dom(&sb, "r.html");
    cr_assert(dom, "chromium failed (see chromium.err)");
    char want[64];
    snprintf(want, sizeof want, "data-plots=\"%zu\"", in_page);
    cr_expect(strstr(dom, want), "the self-check saw every picture: want %s", want);
    size_t seen = 0;
    for (const char *at = strstr(dom, "<svg class=\""); at; at = strstr(at + 1, "<svg class=\"")) {
        const char *end = strchr(at, '>'), *rd = strstr(at, "data-rendered=\"");
        int w = 0, h = 0, k = -1, n = -1;
        if (rd && rd < end)
            sscanf(rd, "data-rendered=\"%dx%d %d/%d\"", &w, &h, &k, &n);
        const char *label = strstr(at, "aria-label=\"");
        int l = label && label < end ? (int)strcspn(label + 12, "\"") : 0;
        cr_expect(w > 0 && h > 0 && n > 0 && k == n, "%.*s: %dx%d, %d of %d marks drawn", l,
                  label ? label + 12 : "", w, h, k, n);
        seen++;
    }
    cr_expect_eq(seen, in_page);
    free(dom);
    free(html);
}

/* Documents and summaries that are well-formed JSON but hold the wrong types where the
 * sections look: drawn (or refused) without a crash or a read out of bounds (the sanitizer
 * build checks the latter). */
Test(report_sections, odd_documents_and_summaries_are_drawn_or_refused_safely) {
    static const char *const compares[] = {
        "{\"document\": \"compare\", \"a\": {}, \"b\": {}, \"metrics\": {}}",
        "{\"document\": \"compare\", \"a\": {\"set\": [1], \"latency_hist\": 3, \"graph\": [],"
        " \"expect\": [1, {\"metric\": 2}]}, \"b\": {\"expect\": {}}, \"seeds\": [\"x\", null],"
        " \"metrics\": {\"m\": 1, \"n\": {\"diff_ci95\": [\"a\", {}], \"rel_change\": \"x\"},"
        " \"o\": {\"a_mean\": 1, \"diff_mean\": 1, \"significant\": true}},"
        " \"only_a\": [1, null], \"only_b\": {}}",
    };
    for (size_t i = 0; i < sizeof compares / sizeof *compares; i++) {
        cJSON *doc = cJSON_Parse(compares[i]);
        cr_assert(doc, "%zu", i);
        rh_page *p = rh_page_new("t");
        char err[1024];
        cr_expect_eq(rh_compare_section(p, doc, "x.json", err, sizeof err), 0, "%zu: %s", i, err);
        rh_page_free(p);
        cJSON_Delete(doc);
    }
    static const char *const summaries[] = {
        "{\"document\": \"sweep\", \"vary\": [], \"configs\": []}",
        "{\"document\": \"sweep\", \"vary\": [\"a\"], \"configs\": [{\"id\": \"c0\", \"set\": "
        "{\"a\": \"1\"}, \"metrics\": {\"requests.failed\": {\"mean\": \"x\", \"ci95\": [1]}}}],"
        " \"seeds\": \"1\", \"set\": [\"x\"]}",
        "{\"document\": \"sweep\", \"vary\": [\"a\"], \"configs\": [{\"id\": \"c0\", \"set\": "
        "{\"a\": 1}, \"metrics\": {}}]}",
        "{\"document\": \"sweep\", \"vary\": [3], \"configs\": []}",
        "{\"document\": \"sweep\", \"vary\": [], \"configs\": [3]}",
    };
    static const int want[] = {0, 0, 2, 2, 2};
    for (size_t i = 0; i < sizeof summaries / sizeof *summaries; i++) {
        t_write_work(&sb, "summary.json", summaries[i]);
        rh_page *p = rh_page_new("t");
        char err[1024] = "";
        cr_expect_eq(rh_sweep_section(p, sb.work, err, sizeof err), want[i], "%zu: %s", i, err);
        rh_page_free(p);
    }
}
