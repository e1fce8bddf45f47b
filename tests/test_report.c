/* The HTML report (dsim report, contract §8.5): its page and SVG plot modules
 * (reports/html/page.h, plot.h), the latency CDF and the topology picture, then the command on
 * real documents. Plots are checked through their markup: what a browser draws from it is
 * checked by the report_browser suite. */
#include "sandbox.h"
#include "support.h"

#include "html/latency.h"
#include "html/page.h"
#include "html/plot.h"
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

Test(report, page_is_written_whole_or_not_at_all) {
    rh_page *p = rh_page_new("w");
    rh_text(p, "body");
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "out.html");
    cr_expect_eq(rh_page_write(p, path), 0);
    char *text = t_slurp_work(&sb, "out.html");
    cr_expect_str_eq(text, rh_page_html(p));
    free(text);
    char **names = t_work_names(&sb, NULL);
    cr_expect(names[0] && !names[1], "no temporary file left: %s", names[1] ? names[1] : "");
    t_names_free(names);
    t_path_in(path, sizeof path, sb.work, "no/such/dir/out.html");
    cr_expect_eq(rh_page_write(p, path), -1);
    rh_page_free(p);
}
