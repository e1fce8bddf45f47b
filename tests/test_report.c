/* The HTML report (dsim report, contract §8.5): its page and SVG plot modules
 * (reports/html/page.h, plot.h), the latency CDF and the topology picture, then the command on
 * real documents. Plots are checked through their markup: what a browser draws from it is
 * checked by the report_browser suite. */
#include "sandbox.h"
#include "support.h"

#include "html/latency.h"
#include "html/page.h"
#include "html/plot.h"
#include "html/series_plots.h"
#include "html/topology.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "report"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(report, .init = setup, .fini = teardown, .timeout = 120);

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(hay, needle); at; at = strstr(at + 1, needle))
        n++;
    return n;
}

/* The markup of one plot rendered alone on a page (caller frees). */
static char *render(const rh_plot *pl) {
    rh_page *p = rh_page_new("t");
    cr_assert(p);
    rh_plot_render(pl, p);
    cr_assert(!rh_page_failed(p));
    const char *html = rh_page_html(p);
    const char *svg = strstr(html, "<svg class=\"plot\"");
    cr_assert(svg, "no plot in %s", html);
    const char *end = strstr(svg, "</svg>");
    cr_assert(end);
    char *out = strndup(svg, (size_t)(end - svg) + 6);
    rh_page_free(p);
    return out;
}

Test(report, page_escapes_text_titles_ids_and_cells) {
    rh_page *p = rh_page_new("a<b>&\"c'");
    cr_assert(p);
    rh_section_begin(p, "s\"><x", "t<i>");
    const char *h[] = {"h&"};
    rh_table_begin(p, h, 1);
    const char *c[] = {"<script>"};
    rh_table_row(p, c, 1);
    const char *nums[] = {"1,234.5 ms"};
    rh_table_row(p, nums, 1);
    rh_table_end(p);
    rh_text(p, "x<y");
    rh_section_end(p);
    const char *html = rh_page_html(p);
    cr_assert(html);
    cr_expect(strstr(html, "<title>a&lt;b&gt;&amp;&quot;c&#39;</title>"), "%s", html);
    cr_expect(strstr(html, "<section id=\"s&quot;&gt;&lt;x\">"), "%s", html);
    cr_expect(strstr(html, "<h2>t&lt;i&gt;</h2>"));
    cr_expect(strstr(html, "<th>h&amp;</th>"));
    cr_expect(strstr(html, "<td>&lt;script&gt;</td>"));
    cr_expect(strstr(html, "<td class=\"num\">1,234.5 ms</td>"), "numbers right-aligned");
    cr_expect(strstr(html, "x&lt;y"));
    cr_expect(!strstr(html, "<script>\""), "no raw text");
    cr_expect_eq(count(html, "<script>"), 1, "only the self-check script");
    /* rh_page_html leaves the page open: more can be added after it */
    rh_text(p, "later");
    html = rh_page_html(p);
    cr_expect(strstr(html, "later"));
    cr_expect_eq(count(html, "</html>"), 1);
    const char *tail = strstr(html, "</html>\n");
    cr_expect(tail && tail[8] == '\0', "the page ends with </html>");
    rh_page_free(p);
}

Test(report, plot_escapes_its_title_labels_names_and_fault_labels) {
    rh_plot *pl = rh_plot_new("T<&>\"", "x<&>\"", "y<&>\"");
    double x[] = {1, 2, 3}, y[] = {1, 4, 2};
    rh_plot_series(pl, "s<&>\"", RH_LINE, x, y, 3);
    rh_plot_shade_x(pl, 1.5, 2.5, "crash <&>\"");
    rh_plot_mark_x(pl, 2.7, "restart <&>\"");
    char *svg = render(pl);
    cr_expect(!strstr(svg, "<&>"), "%s", svg);
    cr_expect(!strstr(svg, ">\"<"), "%s", svg);
    cr_expect_geq(count(svg, "&lt;&amp;&gt;&quot;"), 6, "%s", svg);
    free(svg);
    rh_plot_free(pl);
}

/* Heckbert's ticks: a step of 1, 2 or 5 × 10^k, the first tick at or below the data, the
 * last at or above it, a handful of them. */
Test(report, nice_ticks_cover_the_data_with_round_steps) {
    const double ranges[][2] = {{0, 1},     {0, 0.93},     {3.2, 7.9},    {0, 459.37},
                                {-12, 130}, {1e-4, 3e-3},  {0, 12461424}, {5, 5},
                                {0, 0},     {99.5, 100.5}, {-3, -1}};
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        double lo = ranges[i][0], hi = ranges[i][1], f, s, l;
        int n = rh_nice_ticks(lo, hi, 6, &f, &s, &l);
        cr_expect_leq(f, lo, "range %zu", i);
        cr_expect_geq(l, hi, "range %zu", i);
        cr_expect(n >= 2 && n <= 12, "range %zu: %d ticks", i, n);
        double m = s / pow(10, floor(log10(s)));
        cr_expect(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 5) < 1e-9,
                  "range %zu: step %g", i, s);
        cr_expect(fabs(f / s - round(f / s)) < 1e-6, "range %zu: first %g on the step", i, f);
        cr_expect_lt(l - f, (hi - lo) + 2 * s + 1e-9 + (hi == lo ? 4 * s : 0), "range %zu", i);
    }
    double f, s, l;
    rh_nice_ticks(0, 459.37, 6, &f, &s, &l);
    cr_expect(f == 0 && s == 100 && l == 500, "0..459: 0,100..500, got %g %g %g", f, s, l);
}

/* The points attribute of the first polyline of svg (caller frees). */
static char *first_points(const char *svg) {
    const char *at = strstr(svg, "<polyline class=\"data\"");
    cr_assert(at, "no polyline in %s", svg);
    at = strstr(at, "points=\"");
    cr_assert(at);
    at += 8;
    return strndup(at, strcspn(at, "\""));
}

Test(report, log_axis_ticks_decades_and_drops_non_positive_x) {
    rh_plot *pl = rh_plot_new("cdf", "ms", NULL);
    rh_plot_log_x(pl);
    double x[] = {0, 0.5, 3, 40, 2000}, y[] = {0, 0.1, 0.5, 0.9, 1};
    rh_plot_series(pl, "a", RH_LINE, x, y, 5);
    char *svg = render(pl);
    /* 0.5 .. 2000 spans the decades 0.1 .. 10000: five, so powers of ten only */
    const char *ticks[] = {">0.1<", ">1<", ">10<", ">100<", ">1000<", ">10000<"};
    for (size_t i = 0; i < 6; i++)
        cr_expect(strstr(svg, ticks[i]), "tick %s in %s", ticks[i], svg);
    cr_expect(!strstr(svg, ">2<"), "no 2 × 10^k ticks over five decades");
    char *pts = first_points(svg);
    cr_expect_eq(count(pts, ","), 4, "x = 0 is no point on a log axis: %s", pts);
    /* 0.5 sits log10(5)/5 of the way along the area's 618 units from x = 72 */
    char want[32];
    snprintf(want, sizeof want, "%.2f,", 72 + (log10(0.5) + 1) / 5 * 618);
    cr_expect(strncmp(pts, want, strlen(want)) == 0, "%s starts with %s", pts, want);
    free(pts);
    free(svg);
    rh_plot_free(pl);

    /* two decades: 1, 2 and 5 of each */
    pl = rh_plot_new("cdf", "ms", NULL);
    rh_plot_log_x(pl);
    double x2[] = {1.5, 80};
    rh_plot_series(pl, "a", RH_LINE, x2, y, 2);
    svg = render(pl);
    cr_expect(strstr(svg, ">2<") && strstr(svg, ">5<") && strstr(svg, ">20<") &&
                  strstr(svg, ">50<") && strstr(svg, ">100<"),
              "%s", svg);
    free(svg);
    rh_plot_free(pl);
}

Test(report, step_series_draw_horizontal_then_vertical_segments) {
    rh_plot *pl = rh_plot_new("s", NULL, NULL);
    rh_plot_y_range(pl, 0, 1);
    double x[] = {0, 10, 20}, y[] = {0, 0.5, 1};
    rh_plot_series(pl, "cdf", RH_STEP, x, y, 3);
    char *svg = render(pl);
    /* x 0..20 over 72..690, y 0..1 over 268..34 */
    cr_expect(strstr(svg, "d=\"M72.00,268.00H381.00V151.00H690.00V34.00\""), "%s", svg);
    free(svg);
    rh_plot_free(pl);
}

Test(report, shades_and_marks_are_drawn_on_the_x_axis_with_their_labels) {
    rh_plot *pl = rh_plot_new("s", "t (s)", NULL);
    double x[] = {0, 10, 20, 30, 40}, y[] = {1, 1, 0, 1, 1};
    rh_plot_series(pl, "ok", RH_LINE, x, y, 5);
    rh_plot_shade_x(pl, 30, 20, "crash db.0"); /* reversed bounds are put in order */
    rh_plot_mark_x(pl, 30, "restart db.0");
    char *svg = render(pl);
    /* 20..30 of 0..40 over 618 units from 72: x = 381, width 154.5; the mark at 535.5 */
    cr_expect(strstr(svg, "<rect class=\"shade\" x=\"381.00\" y=\"34\" width=\"154.50\""), "%s",
              svg);
    cr_expect(strstr(svg, ">crash db.0</text>"));
    cr_expect(strstr(svg, "<line class=\"mark\" x1=\"535.50\""), "%s", svg);
    cr_expect(strstr(svg, ">restart db.0</text>"));
    free(svg);
    /* markers past the axis are not drawn; a label near the right edge is drawn to the left
     * of its line */
    rh_plot_x_range(pl, 0, 40);
    rh_plot_mark_x(pl, 55, "after the end");
    rh_plot_shade_x(pl, -9, -1, "before the start");
    rh_plot_mark_x(pl, 39, "late");
    svg = render(pl);
    cr_expect(!strstr(svg, "after the end") && !strstr(svg, "before the start"), "%s", svg);
    cr_expect(strstr(svg, "text-anchor=\"end\" class=\"marker-label\">late</text>"), "%s", svg);
    free(svg);
    rh_plot_free(pl);
}

/* 10,000 points of 1 with one spike of 1000: at most RH_PLOT_MAX_POINTS are drawn, the spike
 * among them (y = 1000 is the top of the axis, y pixel 34). */
Test(report, thinning_bounds_the_points_and_keeps_the_spike) {
    enum { N = 10000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) {
        x[i] = i;
        y[i] = i == 5003 ? 1000 : i == 7001 ? -1000 : 1;
    }
    rh_plot *pl = rh_plot_new("big", NULL, NULL);
    rh_plot_series(pl, "s", RH_LINE, x, y, N);
    char *svg = render(pl);
    char *pts = first_points(svg);
    size_t n = count(pts, ",");
    cr_expect_leq(n, RH_PLOT_MAX_POINTS, "%zu points drawn", n);
    cr_expect_geq(n, RH_PLOT_MAX_POINTS / 2, "%zu points drawn: thinned, not dropped", n);
    cr_expect(strstr(pts, ",34.00"), "the spike is kept");
    cr_expect(strstr(pts, ",268.00"), "the dip is kept");
    cr_expect_lt(strlen(svg), 40000, "the plot stays small: %zu bytes", strlen(svg));
    free(pts);
    free(svg);
    rh_plot_free(pl);
    free(x);
    free(y);
}

Test(report, gaps_break_lines_and_isolated_points_stay_visible) {
    double x[] = {0, 1, 2, 3, 4, 5}, y[] = {1, 2, NAN, 3, NAN, 2};
    rh_plot *pl = rh_plot_new("g", NULL, NULL);
    rh_plot_series(pl, "s", RH_LINE, x, y, 6);
    char *svg = render(pl);
    cr_expect_eq(count(svg, "<polyline class=\"data\""), 1, "%s", svg);
    cr_expect_eq(count(svg, "<circle class=\"data\""), 2, "the two lone points are dots");
    free(svg);
    rh_plot_free(pl);
}

Test(report, empty_plots_say_no_data) {
    rh_plot *pl = rh_plot_new("nothing", NULL, NULL);
    char *svg = render(pl);
    cr_expect(strstr(svg, ">no data<"));
    cr_expect(!strstr(svg, "class=\"data"));
    free(svg);
    rh_plot_series(pl, "empty", RH_LINE, NULL, NULL, 0);
    double x[] = {1, 2}, y[] = {NAN, NAN};
    rh_plot_series(pl, "nulls", RH_LINE, x, y, 2);
    svg = render(pl);
    cr_expect(strstr(svg, ">no data<"), "%s", svg);
    free(svg);
    rh_plot_free(pl);
    /* a NULL plot is ignored everywhere */
    rh_plot_series(NULL, "x", RH_LINE, x, y, 2);
    rh_plot_render(NULL, NULL);
    rh_plot_free(NULL);
}

Test(report, error_bars_are_data_marks_of_the_last_series) {
    double x[] = {1, 2, 3}, y[] = {5, 6, 7}, lo[] = {4, 5, NAN}, hi[] = {6, 8, 9};
    rh_plot *pl = rh_plot_new("ci", NULL, NULL);
    rh_plot_series(pl, "m", RH_POINTS, x, y, 3);
    rh_plot_error_bars(pl, lo, hi, 3);
    char *svg = render(pl);
    cr_expect_eq(count(svg, "<circle class=\"data\""), 3);
    cr_expect_eq(count(svg, "class=\"data err\""), 2, "no bar without both bounds");
    free(svg);
    rh_plot_free(pl);
}

Test(report, series_get_distinct_colours_and_a_legend) {
    rh_plot *pl = rh_plot_new("c", NULL, NULL);
    double x[] = {1, 2}, y[] = {1, 2};
    char name[16];
    for (int i = 0; i < 9; i++) {
        snprintf(name, sizeof name, "s%d", i);
        rh_plot_series(pl, name, RH_LINE, x, y, 2);
    }
    char *svg = render(pl);
    const char *colours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                             "#E69F00", "#56B4E9", "#555555", "#8C564B"};
    for (int i = 0; i < 8; i++)
        cr_expect_eq(count(svg, colours[i]), i == 0 ? 4 : 2, "%s", colours[i]);
    cr_expect_eq(count(svg, "<g class=\"legend\">"), 9);
    cr_expect(strstr(svg, "stroke-dasharray=\"6,3\""), "the ninth is dashed");
    free(svg);
    rh_plot_free(pl);
}

Test(report, rendering_is_deterministic) {
    double x[] = {0.1, 0.2, 0.35}, y[] = {1.0 / 3, 2.0 / 3, 1};
    char *a = NULL, *b = NULL;
    for (int k = 0; k < 2; k++) {
        rh_plot *pl = rh_plot_new("d", "x", "y");
        rh_plot_series(pl, "s", RH_STEP, x, y, 3);
        rh_plot_shade_x(pl, 0.15, 0.2, "f");
        char *svg = render(pl);
        *(k ? &b : &a) = svg;
        rh_plot_free(pl);
    }
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

static cJSON *parse(const char *json) {
    cJSON *j = cJSON_Parse(json);
    cr_assert(j, "bad JSON in the test: %s", json);
    return j;
}

Test(report, latency_cdf_rises_to_one_at_the_upper_bucket_edges) {
    cJSON *h = parse("{\"bounds_ms\": [1, 2, 4, 8], \"counts\": [1, 0, 3]}");
    rh_plot *pl = rh_plot_new("cdf", "ms", NULL);
    rh_plot_y_range(pl, 0, 1);
    cr_expect_eq(rh_plot_latency_cdf(pl, "run", h), 0);
    char *svg = render(pl);
    /* x 1..8 linear over 72..690: 2 at 160.29, 4 at 336.86, 8 at 690; y 0.25 at 209.5 */
    cr_expect(strstr(svg, "d=\"M72.00,268.00H160.29V209.50H336.86V209.50H690.00V34.00\""), "%s",
              svg);
    free(svg);
    rh_plot_free(pl);
    cJSON_Delete(h);

    const char *bad[] = {
        "{}",
        "{\"bounds_ms\": [], \"counts\": []}",
        "{\"bounds_ms\": [1, 2], \"counts\": [0]}",
        "{\"bounds_ms\": [1, 2, 3], \"counts\": [1]}",
        "{\"bounds_ms\": [2, 1], \"counts\": [1]}",
        "{\"bounds_ms\": [1, 2], \"counts\": [-1]}",
        "{\"bounds_ms\": [1, \"2\"], \"counts\": [1]}",
        "[1, 2]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h = parse(bad[i]);
        pl = rh_plot_new("cdf", NULL, NULL);
        cr_expect_eq(rh_plot_latency_cdf(pl, "x", h), -1, "%s", bad[i]);
        svg = render(pl);
        cr_expect(strstr(svg, ">no data<"), "nothing added for %s", bad[i]);
        free(svg);
        rh_plot_free(pl);
        cJSON_Delete(h);
    }
    cr_expect_eq(rh_plot_latency_cdf(NULL, "x", NULL), -1);
}

/* The markup the topology picture appends to an empty page (caller frees); "" for none. */
static char *topology_of(const char *json) {
    cJSON *g = json ? parse(json) : NULL;
    rh_page *p = rh_page_new("t");
    size_t before = strlen(rh_page_html(p));
    rh_topology_render(p, g);
    const char *html = rh_page_html(p);
    char *out = strndup(html + before - strlen("<script>"), strlen(html) - before);
    const char *svg = strstr(html, "<svg class=\"topology\"");
    free(out);
    out = svg ? strndup(svg, (size_t)(strstr(svg, "</svg>") - svg) + 6) : strdup("");
    rh_page_free(p);
    cJSON_Delete(g);
    return out;
}

Test(report, topology_lays_out_callers_left_of_callees_with_typed_edges) {
    char *svg =
        topology_of("{\"nodes\": [{\"name\": \"users\", \"kind\": \"client\", \"instances\": 1},"
                    "{\"name\": \"db\", \"kind\": \"database\", \"instances\": 3},"
                    "{\"name\": \"lb\", \"kind\": \"load_balancer\", \"instances\": 1},"
                    "{\"name\": \"web<1>\", \"kind\": \"service\", \"instances\": 2}],"
                    "\"edges\": [{\"from\": \"users\", \"to\": \"lb\", \"type\": \"target\"},"
                    "{\"from\": \"lb\", \"to\": \"web<1>\", \"type\": \"backend\"},"
                    "{\"from\": \"web<1>\", \"to\": \"db\", \"type\": \"call\"},"
                    "{\"from\": \"db\", \"to\": \"db\", \"type\": \"replication\"}]}");
    /* columns 230 apart from x = 30: users 0, lb 1, web 2, db 3 */
    cr_expect(strstr(svg, "<rect class=\"data\" x=\"30.00\" y=\"56.00\""), "%s", svg);
    cr_expect(strstr(svg, "<rect class=\"data\" x=\"260.00\" y=\"56.00\""));
    cr_expect(strstr(svg, "<rect class=\"data\" x=\"490.00\" y=\"56.00\""));
    cr_expect(strstr(svg, "<rect class=\"data\" x=\"720.00\" y=\"56.00\""));
    cr_expect(strstr(svg, ">web&lt;1&gt;</text>"), "names escaped");
    cr_expect(strstr(svg, ">database \xC3\x97"
                          "3</text>"),
              "instances folded: %s", svg);
    cr_expect(strstr(svg, ">service \xC3\x97"
                          "2</text>"));
    cr_expect_eq(count(svg, "<g class=\"edge\">"), 4);
    const char *types[] = {">target</text>", ">backend</text>", ">call</text>",
                           ">replication</text>"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(count(svg, types[i]), 2, "%s labelled on its edge and in the key", types[i]);
    cr_expect(strstr(svg, "stroke=\"#E69F00\""), "replication in its colour");
    free(svg);
}

/* A chain of eight nodes is too wide left to right (30 + 7 × 230 + 160 > 1100): drawn top to
 * bottom, one layer every 96 units from y = 56, all in the first place of their layer. */
Test(report, a_long_chain_is_drawn_top_to_bottom) {
    char json[4096] = "{\"nodes\": [{\"name\": \"n0\", \"kind\": \"client\"}";
    for (int i = 1; i < 8; i++)
        snprintf(json + strlen(json), sizeof json - strlen(json),
                 ", {\"name\": \"n%d\", \"kind\": \"service\"}", i);
    strcat(json, "], \"edges\": [");
    for (int i = 1; i < 8; i++)
        snprintf(json + strlen(json), sizeof json - strlen(json),
                 "%s{\"from\": \"n%d\", \"to\": \"n%d\", \"type\": \"call\"}", i > 1 ? ", " : "",
                 i - 1, i);
    strcat(json, "]}");
    char *svg = topology_of(json);
    for (int i = 0; i < 8; i++) {
        char want[96];
        snprintf(want, sizeof want, "<rect class=\"data\" x=\"30.00\" y=\"%.2f\"", 56.0 + 96 * i);
        cr_expect(strstr(svg, want), "%s in %s", want, svg);
    }
    cr_expect_eq(count(svg, "<g class=\"edge\">"), 7);
    free(svg);
}

Test(report, topology_draws_nothing_for_a_missing_or_malformed_graph) {
    const char *bad[] = {
        NULL,
        "{}",
        "{\"nodes\": []}",
        "{\"nodes\": {\"a\": 1}}",
        "{\"nodes\": [{\"kind\": \"client\"}]}",
        "{\"nodes\": [{\"name\": \"a\"}], \"edges\": [{\"from\": \"a\", \"to\": \"b\"}]}",
        "{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
        "{\"nodes\": [{\"name\": \"a\"}], \"edges\": 3}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *svg = topology_of(bad[i]);
        cr_expect_str_eq(svg, "", "%s", bad[i] ? bad[i] : "NULL");
        free(svg);
    }
    /* a cycle of calls is laid out in bounded rounds */
    char *svg = topology_of("{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"b\"}],"
                            "\"edges\": [{\"from\": \"a\", \"to\": \"b\", \"type\": \"call\"},"
                            "{\"from\": \"b\", \"to\": \"a\", \"type\": \"call\"}]}");
    cr_expect(strstr(svg, "<g class=\"edge\">"), "%s", svg);
    free(svg);
}

/* ---- the command ---- */

/* Runs `dsim run topologies/NAME.yaml --json OUT` plus extra arguments in the sandbox; fails
 * the test unless it exits with status want. */
static void run_example(const char *name, const char *out, int want, const char *extra1,
                        const char *extra2, const char *extra3, const char *extra4) {
    char file[4096];
    snprintf(file, sizeof file, "%s/topologies/%s.yaml", getenv("DSIM_SOURCE"), name);
    t_result r = t_dsim(&sb, (t_limits){0}, "run", file, "--quiet", "--json", out, extra1, extra2,
                        extra3, extra4, NULL);
    cr_assert_eq(r.status, want, "dsim run %s: %s", name, r.err);
    t_result_free(&r);
}

/* Whether the page fetches nothing: no external resource of any kind (the one URL, the SVG
 * namespace, is a name, never fetched). */
static void expect_self_contained(const char *html) {
    static const char *const fetches[] = {"src=", "href=",   "<link", "@import",
                                          "url(", "<iframe", "<img"};
    for (size_t i = 0; i < sizeof fetches / sizeof fetches[0]; i++)
        cr_expect(!strstr(html, fetches[i]), "the page holds %s", fetches[i]);
    const char *at = html;
    size_t urls = 0;
    while ((at = strstr(at, "http")) != NULL) {
        cr_expect(strncmp(at, "http://www.w3.org/2000/svg\"", 27) == 0, "a URL: %.60s", at);
        at++;
        urls++;
    }
    cr_expect_gt(urls, 0, "the SVG namespace is named");
}

/* The plots of a page titled title (counting <svg class="plot"...aria-label="TITLE"). */
static bool has_plot(const char *html, const char *title) {
    char want[512];
    snprintf(want, sizeof want, "aria-label=\"%s\"", title);
    return strstr(html, want) != NULL;
}

Test(report, a_failover_run_shows_its_cdf_series_with_the_crash_shaded_and_its_topology) {
    run_example("db_failover", "fo.json", 0, "--series", "1s", NULL, NULL);
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "fo.json", "-o", "fo.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "");
    cr_expect_str_eq(r.err, "");
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "fo.html");
    expect_self_contained(html);
    cr_expect(strstr(html, "<title>dsim report: db_failover</title>"));
    cr_expect(has_plot(html, "Client latency CDF (completed requests)"));
    cr_expect(has_plot(html, "Client requests per second, by outcome"));
    cr_expect(has_plot(html, "Client latency of the requests completed in each interval"));
    cr_expect(has_plot(html, "Primary role (one lane per instance; raised while it holds the "
                             "role)"));
    cr_expect(has_plot(html, "Replication lag (mean, ms)"));
    cr_expect(has_plot(html, "Utilization (busy workers / workers)"));
    /* the crash of db.0 from 20 s to 30 s, shaded on the 0..40 s axis of every time series:
     * x = 72 + 20/40 × 618 = 381, width 154.5; its restart at 30 s is the shade's end, no
     * marker of its own */
    size_t shades = count(html, "<rect class=\"shade\" x=\"381.00\" y=\"34\" width=\"154.50\"");
    size_t plots = count(html, "<svg class=\"plot\"");
    cr_expect_geq(plots, 7, "%zu plots", plots);
    cr_expect_eq(shades, plots - 1, "every time series shades the crash (%zu of %zu)", shades,
                 plots - 1);
    cr_expect_eq(count(html, ">crash db.0</text>"), shades);
    cr_expect(!strstr(html, ">restart db.0</text>"), "the restart ends the shade");
    cr_expect_eq(count(html, ">warm-up ends</text>"), shades);
    /* the failure burst: the outcomes plot has a "failed" series */
    const char *outcomes = strstr(html, "aria-label=\"Client requests per second, by outcome\"");
    cr_assert(outcomes);
    const char *end = strstr(outcomes, "</svg>");
    char *plot = strndup(outcomes, (size_t)(end - outcomes));
    cr_expect(strstr(plot, ">failed</text>"), "the failures are drawn");
    free(plot);
    /* the topology: both groups, the replication loop */
    cr_expect(strstr(html, "<svg class=\"topology\""));
    cr_expect(strstr(html, ">database \xC3\x97"
                           "3</text>"));
    cr_expect(strstr(html, "(replication)</title>"));
    /* figures and the consistency a failover costs */
    cr_expect(strstr(html, "<th>lost writes</th>"));
    cr_expect(strstr(html, "<th>write latency p99 (ms)</th>"));
    free(html);
}

Test(report, the_same_documents_give_byte_identical_pages) {
    run_example("db_failover", "fo.json", 0, "--series", "1s", NULL, NULL);
    run_example("db_failover", "sync.json", 0, "--set", "nodes.db.replication=sync", NULL, NULL);
    for (int k = 0; k < 2; k++) {
        t_result r = t_dsim(&sb, (t_limits){0}, "report", "fo.json", "sync.json", "-o",
                            k ? "b.html" : "a.html", NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        t_result_free(&r);
    }
    char *a = t_slurp_work(&sb, "a.html"), *b = t_slurp_work(&sb, "b.html");
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(report, several_runs_share_one_cdf_plot_and_one_figures_table) {
    run_example("db_failover", "async.json", 0, NULL, NULL, NULL, NULL);
    run_example("db_failover", "sync.json", 0, "--set", "nodes.db.replication=sync", NULL, NULL);
    t_result r =
        t_dsim(&sb, (t_limits){0}, "report", "async.json", "sync.json", "-o", "r.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "r.html");
    cr_expect_eq(count(html, "aria-label=\"Client latency CDF (completed requests)\""), 1);
    const char *cdf = strstr(html, "aria-label=\"Client latency CDF (completed requests)\"");
    cr_assert(cdf);
    char *plot = strndup(cdf, (size_t)(strstr(cdf, "</svg>") - cdf));
    cr_expect_eq(count(plot, "<path class=\"data\""), 2, "one CDF per run");
    cr_expect(strstr(plot, ">async.json</text>") && strstr(plot, ">sync.json</text>"));
    free(plot);
    cr_expect(strstr(html, "<section id=\"side-by-side\">"));
    cr_expect(strstr(html, "<th>async.json</th><th>sync.json</th>"), "a column per run");
    cr_expect_eq(count(html, "<table class=\"figures\">"), 1);
    cr_expect(strstr(html, "<section id=\"run-1\">") && strstr(html, "<section id=\"run-2\">"));
    /* the sync run's overrides record */
    cr_expect(strstr(html, "<td>nodes.db.replication</td><td>sync</td><td>async</td>"), "%s",
              strstr(html, "Overrides") ? strstr(html, "Overrides") : html);
    free(html);
}

/* The expect verdicts of db_replicas.yaml (which has expect:), and one turned to a failure. */
Test(report, expect_verdicts_are_listed_and_failures_highlighted) {
    run_example("db_replicas", "rep.json", 0, NULL, NULL, NULL, NULL);
    char *text = t_slurp_work(&sb, "rep.json");
    cJSON *doc = cJSON_Parse(text);
    free(text);
    cr_assert(doc);
    const cJSON *ex = cJSON_GetObjectItem(doc, "expect");
    cr_assert(cJSON_IsArray(ex) && cJSON_GetArraySize(ex) >= 1);
    int n = cJSON_GetArraySize(ex);
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "rep.json", "-o", "pass.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "pass.html");
    char want[128];
    snprintf(want, sizeof want, "<p class=\"verdict-pass\">%d of %d checks pass</p>", n, n);
    cr_expect(strstr(html, want), "%s", want);
    cr_expect_eq(count(html, "<tr class=\"pass\">"), (size_t)n);
    free(html);

    cJSON *first = cJSON_GetArrayItem(ex, 0);
    cJSON_ReplaceItemInObject(first, "ok", cJSON_CreateFalse());
    cJSON_ReplaceItemInObject(first, "value", cJSON_CreateNull());
    char *out = cJSON_Print(doc);
    t_write_work(&sb, "fail.json", out);
    free(out);
    cJSON_Delete(doc);
    r = t_dsim(&sb, (t_limits){0}, "report", "fail.json", "-o", "fail.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    html = t_slurp_work(&sb, "fail.html");
    snprintf(want, sizeof want, "<p class=\"verdict-fail\">%d of %d checks pass: the design fails",
             n - 1, n);
    cr_expect(strstr(html, want), "%s", want);
    cr_expect_eq(count(html, "<tr class=\"fail\">"), 1);
    cr_expect(strstr(html, "null (no value)</td>"));
    cr_expect(strstr(html, "<td>FAIL</td>"));
    free(html);
}

/* A hand-written run document with a latency_breakdown (docs/results.md's format): a bar per
 * band, a segment per positive figure, the same colour for a segment in every band. */
static const char breakdown_doc[] =
    "{\"contract\": \"1.1\", \"document\": \"run\", \"topology\": \"b<&>\", \"seed\": 1,"
    " \"requests\": {\"issued\": 10, \"completed\": 10, \"latency_breakdown\": {"
    "  \"p0_50\": {\"requests\": 5, \"latency_ms\": 3.5, \"network_ms\": 1.0,"
    "   \"nodes\": {\"lb\": {\"queue_ms\": 0.0, \"service_ms\": 0.5},"
    "             \"web\": {\"queue_ms\": 0.0, \"service_ms\": 2.0}}},"
    "  \"p50_99\": {\"requests\": 4, \"latency_ms\": 8.0, \"network_ms\": 1.0,"
    "   \"nodes\": {\"lb\": {\"queue_ms\": 0.0, \"service_ms\": 0.5},"
    "             \"web\": {\"queue_ms\": 4.0, \"service_ms\": 2.5}}},"
    "  \"p99_100\": {\"requests\": 1, \"latency_ms\": 40.0, \"network_ms\": 2.0,"
    "   \"nodes\": {\"lb\": {\"queue_ms\": 0.0, \"service_ms\": 1.0},"
    "             \"web\": {\"queue_ms\": 30.0, \"service_ms\": 3.0},"
    "             \"users\": {\"backoff_ms\": 4.0}}}}}}";

Test(report, the_tail_breakdown_is_a_stacked_bar_per_band_with_its_table) {
    t_write_work(&sb, "b.json", breakdown_doc);
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "b.json", "-o", "b.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "b.html");
    const char *bars = strstr(html, "<svg class=\"bars\"");
    cr_assert(bars, "%s", html);
    char *svg = strndup(bars, (size_t)(strstr(bars, "</svg>") - bars));
    /* positive segments: 3 + 4 + 5 (zero queue_ms segments draw nothing) */
    cr_expect_eq(count(svg, "<rect class=\"data\""), 3 + 4 + 5, "%s", svg);
    cr_expect(strstr(svg, ">p0\xE2\x80\x93p50</text>") &&
              strstr(svg, ">p99\xE2\x80\x93p100</text>"));
    /* the p99_100 band: web queue 30 of 40 ms = 75% of the 620-unit bar */
    cr_expect(strstr(svg, "<title>web queue: 30 ms (75.0%)</title>"), "%s", svg);
    cr_expect(strstr(svg, "width=\"465.00\""), "30/40 × 620");
    /* one colour per segment in every band: web queue is the 3rd segment (network, lb
     * service, web queue: lb queue is 0 in every band and left out), the palette's 3rd */
    cr_expect(strstr(svg, "<title>web queue: 4 ms (50.0%)</title><rect class=\"data\" x=\""), "%s",
              svg);
    cr_expect_eq(count(svg, "fill=\"#009E73\""), 3, "web queue in both bands and the key");
    cr_expect(!strstr(svg, "lb queue"), "a segment 0 everywhere is left out");
    cr_expect(strstr(svg, ">40 ms</text>"), "the band's latency beside its bar");
    free(svg);
    cr_expect(strstr(html, "<th>p0\xE2\x80\x93p50</th><th>p50\xE2\x80\x93p99</th>"
                           "<th>p99\xE2\x80\x93p100</th>"));
    cr_expect(strstr(html, "<tr><th>users backoff</th><td class=\"num\">0</td>"
                           "<td class=\"num\">0</td><td class=\"num\">4</td></tr>"),
              "%s", html);
    cr_expect(strstr(html, "<title>dsim report: b&lt;&amp;&gt;</title>"));
    free(html);
}

/* A document with a series of 10,000 intervals and a histogram of 2,000 buckets: the page
 * stays small (every line thinned to at most RH_PLOT_MAX_POINTS points). */
Test(report, large_series_and_histograms_are_thinned) {
    enum { N = 10000, B = 2000 };
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "contract", "1.1");
    cJSON_AddStringToObject(doc, "document", "run");
    cJSON_AddStringToObject(doc, "topology", "big");
    cJSON_AddNumberToObject(doc, "duration_s", N);
    cJSON *req = cJSON_AddObjectToObject(doc, "requests");
    cJSON *hist = cJSON_AddObjectToObject(req, "latency_hist");
    cJSON *bounds = cJSON_AddArrayToObject(hist, "bounds_ms");
    cJSON *counts = cJSON_AddArrayToObject(hist, "counts");
    for (int i = 0; i <= B; i++) {
        cJSON_AddItemToArray(bounds, cJSON_CreateNumber(0.1 * pow(1.005, i)));
        if (i < B)
            cJSON_AddItemToArray(counts, cJSON_CreateNumber(1 + i % 7));
    }
    cJSON *series = cJSON_AddObjectToObject(doc, "series");
    cJSON_AddNumberToObject(series, "interval_ms", 1000);
    const char *paths[] = {"t_ms", "requests.completed", "requests.failed",
                           "requests.latency_ms.p99", "nodes.web.utilization"};
    cJSON *nodes = cJSON_AddObjectToObject(doc, "nodes");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(nodes, "web"), "kind", "service");
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        cJSON *a = cJSON_AddArrayToObject(series, paths[k]);
        for (int i = 0; i < N; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(k == 0   ? 1000.0 * (i + 1)
                                                       : k == 2 ? (i == 4321 ? 999 : 0)
                                                                : 1 + (i * 7919) % 13));
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    t_write_work(&sb, "big.json", text);
    free(text);
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "big.json", "-o", "big.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "big.html");
    cr_expect_lt(strlen(html), 400000, "%zu bytes", strlen(html));
    size_t lines = 0;
    for (const char *at = strstr(html, "points=\""); at; at = strstr(at + 1, "points=\"")) {
        size_t len = strcspn(at + 8, "\"");
        char *pts = strndup(at + 8, len);
        cr_expect_leq(count(pts, ","), RH_PLOT_MAX_POINTS);
        free(pts);
        lines++;
    }
    cr_expect_geq(lines, 4);
    /* the one interval with 999 failures (per second: 999) stays visible: the outcome plot's
     * y axis reaches 1000 */
    const char *outcomes = strstr(html, "aria-label=\"Client requests per second, by outcome\"");
    cr_assert(outcomes);
    char *plot = strndup(outcomes, (size_t)(strstr(outcomes, "</svg>") - outcomes));
    cr_expect(strstr(plot, ">1000</text>"), "the spike sets the axis");
    free(plot);
    free(html);
}

/* Every bad input is an argument error (exit 2, "ARG: error: ..."), and writes nothing: not
 * the report, not a temporary file, and an existing OUT keeps its content. */
Test(report, bad_inputs_exit_2_and_write_nothing) {
    t_write_work(&sb, "keep.html", "keep");
    t_write_work(&sb, "text.json", "this is not JSON");
    t_write_work(&sb, "nodoc.json", "{\"topology\": \"x\"}");
    t_write_work(&sb, "v2.json", "{\"contract\": \"2.0\", \"document\": \"run\"}");
    t_write_work(&sb, "summary.json", "{\"contract\": \"1.1\", \"document\": \"sweep\"}");
    t_write_work(&sb, "other.json", "{\"contract\": \"1.1\", \"document\": \"plan\"}");
    t_write_work(&sb, "ok.json", "{\"contract\": \"1.1\", \"document\": \"run\"}");
    char dir[4096];
    t_path_in(dir, sizeof dir, sb.work, "folder");
    cr_assert_eq(mkdir(dir, 0777), 0);
    static const struct {
        const char *args[5];
        const char *err;
    } cases[] = {
        {{"report", "ok.json", NULL}, "report: error: expected -o OUT"},
        {{"report", "-o", "keep.html", NULL}, "report: error: expected at least one INPUT"},
        {{"report", "ok.json", "-o", NULL}, "-o: error: expected the output file"},
        {{"report", "ok.json", "-o", "keep.html", "--bogus"}, "--bogus: error: unknown option"},
        {{"report", "missing.json", "-o", "keep.html", NULL},
         "missing.json: error: cannot read it: No such file"},
        {{"report", "text.json", "-o", "keep.html", NULL}, "text.json: error: not JSON"},
        {{"report", "nodoc.json", "-o", "keep.html", NULL},
         "nodoc.json: error: not a dsim result document"},
        {{"report", "v2.json", "-o", "keep.html", NULL},
         "v2.json: error: a document of contract 2.0, which this dsim does not read (it reads "
         "1.x)"},
        {{"report", "summary.json", "-o", "keep.html", NULL},
         "summary.json: error: a sweep summary: give its folder"},
        {{"report", "other.json", "-o", "keep.html", NULL},
         "other.json: error: a \"plan\" document"},
        {{"report", "folder", "-o", "keep.html", NULL},
         "folder: error: a directory without summary.json"},
        /* a good input first does not make a bad one later acceptable */
        {{"report", "ok.json", "text.json", "-o", "keep.html"}, "text.json: error: not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *const *a = cases[i].args;
        t_result r = t_dsim(&sb, (t_limits){0}, a[0], a[1], a[2], a[3], a[4], NULL);
        cr_expect_eq(r.status, 2, "case %zu: %s", i, r.err);
        cr_expect(strncmp(r.err, cases[i].err, strlen(cases[i].err)) == 0, "case %zu: %s", i,
                  r.err);
        cr_expect_str_eq(r.out, "");
        t_result_free(&r);
        char *kept = t_slurp_work(&sb, "keep.html");
        cr_expect_str_eq(kept, "keep", "case %zu clobbered OUT", i);
        free(kept);
        size_t n;
        char **names = t_work_names(&sb, &n);
        cr_expect_eq(n, 8, "case %zu left a file", i);
        t_names_free(names);
    }
    /* and a good one writes over OUT */
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "ok.json", "-o", "keep.html", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "keep.html");
    cr_expect(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    free(html);
}

/* "nodes" of a run document that is a list (or a scalar) names no node: the series of the
 * document are drawn without the per-node figures, no crash (a list's members have no
 * names). */
Test(report, a_run_document_whose_nodes_is_not_an_object_is_drawn_without_node_figures) {
    static const char *const nodes[] = {"[{\"kind\": \"service\"}, 3, \"web\"]", "7"};
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
        char doc[1024];
        snprintf(doc, sizeof doc,
                 "{\"contract\": \"1.1\", \"document\": \"run\", \"topology\": \"t\", "
                 "\"duration_s\": 2, \"nodes\": %s, \"series\": {\"interval_ms\": 1000, "
                 "\"t_ms\": [1000, 2000], \"requests.completed\": [3, 4], "
                 "\"nodes.web.utilization\": [0.5, 0.25]}}",
                 nodes[i]);
        t_write_work(&sb, "n.json", doc);
        t_result r = t_dsim(&sb, (t_limits){0}, "report", "n.json", "-o", "n.html", NULL);
        cr_assert_eq(r.status, 0, "nodes %s: status %d: %s", nodes[i], r.status, r.err);
        t_result_free(&r);
        char *html = t_slurp_work(&sb, "n.html");
        cr_expect(has_plot(html, "Client requests per second, by outcome"), "%s", html);
        cr_expect(!has_plot(html, "Utilization (busy workers / workers)"));
        free(html);
    }
}

/* The page rh_topology_render drew json on (caller frees) and whether it drew. */
static char *topology_page(const char *json, bool *drew) {
    cJSON *g = json ? parse(json) : NULL;
    rh_page *p = rh_page_new("t");
    *drew = rh_topology_render(p, g);
    char *out = strdup(rh_page_html(p));
    rh_page_free(p);
    cJSON_Delete(g);
    return out;
}

Test(report, a_graph_not_drawn_is_a_note_saying_why) {
    static const struct {
        const char *json, *why;
    } bad[] = {
        {NULL, "the document has no graph"},
        {"{\"nodes\": {\"a\": 1}}", "the graph has no list of nodes"},
        {"{\"nodes\": []}", "the graph has no nodes"},
        {"{\"nodes\": [{\"kind\": \"client\"}]}", "node 1 of the graph has no name"},
        {"{\"nodes\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}",
         "two nodes of the graph are named &quot;a&quot;"},
        {"{\"nodes\": [{\"name\": \"a\"}], \"edges\": [{\"from\": \"a\", \"to\": \"b\"}]}",
         "an edge of the graph names &quot;b&quot;, no node of the graph"},
        {"{\"nodes\": [{\"name\": \"a\"}], \"edges\": 3}", "the edges of the graph are not a list"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool drew = true;
        char *html = topology_page(bad[i].json, &drew);
        char want[256];
        snprintf(want, sizeof want, "<p class=\"note\">No topology picture: %s.</p>", bad[i].why);
        cr_expect(!drew, "%s", bad[i].json ? bad[i].json : "NULL");
        cr_expect(strstr(html, want), "%s: %s", want, html);
        cr_expect(!strstr(html, "<svg"));
        free(html);
    }
    bool drew = false;
    char *html = topology_page("{\"nodes\": [{\"name\": \"a\"}]}", &drew);
    cr_expect(drew && strstr(html, "<svg class=\"topology\"") && !strstr(html, "class=\"note\""));
    free(html);
}

/* The command: a run document with a malformed graph has its Topology heading followed by
 * the note, not an empty section. */
Test(report, a_run_whose_graph_is_malformed_notes_why_under_its_topology_heading) {
    t_write_work(&sb, "g.json",
                 "{\"contract\": \"1.1\", \"document\": \"run\", \"topology\": \"t\", "
                 "\"graph\": {\"nodes\": [{\"name\": \"a\"}], "
                 "\"edges\": [{\"from\": \"a\", \"to\": \"nowhere\", \"type\": \"call\"}]}}");
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "g.json", "-o", "g.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "g.html");
    cr_expect(strstr(html, "<h3>Topology</h3>\n<p class=\"note\">No topology picture: an edge of "
                           "the graph names &quot;nowhere&quot;, no node of the graph.</p>"),
              "%s", html);
    free(html);
}

/* A chain graph of n nodes n0 -> n1 -> ... (caller deletes). */
static cJSON *chain_graph(int n) {
    cJSON *g = cJSON_CreateObject();
    cJSON *nodes = cJSON_AddArrayToObject(g, "nodes"), *edges = cJSON_AddArrayToObject(g, "edges");
    for (int i = 0; i < n; i++) {
        char name[32], prev[32];
        snprintf(name, sizeof name, "n%d", i);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "kind", i ? "service" : "client");
        cJSON_AddItemToArray(nodes, o);
        if (i) {
            snprintf(prev, sizeof prev, "n%d", i - 1);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "from", prev);
            cJSON_AddStringToObject(e, "to", name);
            cJSON_AddStringToObject(e, "type", "call");
            cJSON_AddItemToArray(edges, e);
        }
    }
    return g;
}

/* A chain of RH_TOPOLOGY_MAX_NODES groups, edges declared last to first (the order the old
 * relaxation needed a round per node for): every node a layer after its caller, the last at
 * layer n - 1 (top to bottom: y = 56 + 96 (n - 1)). A chain of 100,000 nodes is over the
 * limit: a note, at once (measured: 0.27 s of user CPU for the whole command, most of it
 * parsing; more than 20 s before, the names found by a linear scan; the alarm bounds it). */
Test(report, a_long_chain_is_laid_out_in_one_pass_and_a_huge_graph_is_noted) {
    int n = RH_TOPOLOGY_MAX_NODES;
    cJSON *g = chain_graph(n);
    cJSON *edges = cJSON_GetObjectItemCaseSensitive(g, "edges"), *rev = cJSON_CreateArray();
    while (cJSON_GetArraySize(edges) > 0)
        cJSON_AddItemToArray(rev, cJSON_DetachItemFromArray(edges, cJSON_GetArraySize(edges) - 1));
    cJSON_ReplaceItemInObjectCaseSensitive(g, "edges", rev);
    rh_page *p = rh_page_new("t");
    cr_assert(rh_topology_render(p, g));
    char want[96];
    snprintf(want, sizeof want, "<rect class=\"data\" x=\"30.00\" y=\"%.2f\"", 56.0 + 96 * (n - 1));
    cr_expect(strstr(rh_page_html(p), want), "%s", want);
    rh_page_free(p);
    cJSON_Delete(g);

    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "contract", "1.1");
    cJSON_AddStringToObject(doc, "document", "run");
    cJSON_AddStringToObject(doc, "topology", "chain");
    cJSON_AddItemToObject(doc, "graph", chain_graph(100000));
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    t_write_work(&sb, "chain.json", text);
    free(text);
    t_result r =
        t_dsim(&sb, (t_limits){.alarm_s = 30}, "report", "chain.json", "-o", "c.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "c.html");
    cr_expect(strstr(html, "<p class=\"note\">No topology picture: the graph has 100000 groups "
                           "and 99999 edges, more than the 2000 groups or 8000 edges a picture "
                           "shows legibly.</p>"));
    cr_expect(!strstr(html, "<svg class=\"topology\""));
    free(html);
}

/* 20,000 faults, each crash undone by its restart (the undo of a shade, found by its target
 * and time, draws nothing): 10,000 shades, of which the first RH_SERIES_MAX_SHADES are drawn
 * on each plot with data and a note says so. The shade list is read once per document
 * (measured: 0.03 s of user CPU for the whole command, 11.8 s before; it searched the earlier
 * faults, printing each one's sides, for every fault of every plot). */
Test(report, many_faults_are_read_once_and_drawn_up_to_a_cap) {
    enum { N = 10000 };
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "contract", "1.1");
    cJSON_AddStringToObject(doc, "document", "run");
    cJSON_AddStringToObject(doc, "topology", "faulty");
    cJSON_AddNumberToObject(doc, "duration_s", 2 * N);
    cJSON *series = cJSON_AddObjectToObject(doc, "series");
    cJSON_AddNumberToObject(series, "interval_ms", 1000.0 * N);
    cJSON *t = cJSON_AddArrayToObject(series, "t_ms"),
          *c = cJSON_AddArrayToObject(series, "requests.completed");
    for (int i = 1; i <= 2; i++) {
        cJSON_AddItemToArray(t, cJSON_CreateNumber(1000.0 * N * i));
        cJSON_AddItemToArray(c, cJSON_CreateNumber(5));
    }
    cJSON *faults = cJSON_AddArrayToObject(doc, "faults");
    for (int i = 0; i < N; i++) {
        char node[32];
        snprintf(node, sizeof node, "db.%d", i % 7);
        cJSON *crash = cJSON_CreateObject(), *restart = cJSON_CreateObject();
        cJSON_AddStringToObject(crash, "action", "crash");
        cJSON_AddStringToObject(crash, "node", node);
        cJSON_AddNumberToObject(crash, "at_ms", 2000.0 * i);
        cJSON_AddNumberToObject(crash, "until_ms", 2000.0 * i + 1000);
        cJSON_AddStringToObject(restart, "action", "restart");
        cJSON_AddStringToObject(restart, "node", node);
        cJSON_AddNumberToObject(restart, "at_ms", 2000.0 * i + 1000);
        cJSON_AddItemToArray(faults, crash);
        cJSON_AddItemToArray(faults, restart);
    }
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    t_write_work(&sb, "faults.json", text);
    free(text);
    t_result r =
        t_dsim(&sb, (t_limits){.alarm_s = 30}, "report", "faults.json", "-o", "f.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "f.html");
    cr_expect(strstr(html, "<p class=\"note\">10000 faults; the first 200 drawn on each plot"),
              "%.3000s", html);
    /* the outcomes plot (the latency plot has no data: no shades); no restart drawn as a line
     * of its own */
    cr_expect_eq(count(html, "<rect class=\"shade\""), RH_SERIES_MAX_SHADES);
    cr_expect(!strstr(html, "<title>restart"));
    free(html);
}

/* The page goes out through the command's writer (tools/output.c): written whole, as the
 * page it is, no temporary file left; into a folder that does not exist, exit 1 and nothing
 * written. */
Test(report, the_page_is_written_whole_or_not_at_all) {
    t_write_work(&sb, "ok.json", "{\"contract\": \"1.1\", \"document\": \"run\"}");
    t_result r = t_dsim(&sb, (t_limits){0}, "report", "ok.json", "-o", "out.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "out.html");
    cr_expect(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    cr_expect(strstr(html, "</html>\n") && strstr(html, "</html>\n")[8] == '\0', "whole");
    free(html);
    r = t_dsim(&sb, (t_limits){0}, "report", "ok.json", "-o", "no/such/dir/out.html", NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    t_result_free(&r);
    char **names = t_work_names(&sb, NULL);
    size_t n = 0;
    while (names[n])
        n++;
    cr_expect_eq(n, 2, "ok.json and out.html only");
    t_names_free(names);
}
