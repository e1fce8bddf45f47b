/* The report in a real browser (dsim report, contract §8.5; issue 11 item 7): a report of
 * db_failover.yaml with a 1 s series is opened in headless Chromium, and every picture must
 * have rendered. The page carries a small self-check script (reports/html/page.c) that
 * records on each svg.plot, svg.topology and svg.bars its rendered size and how many of its
 * .data marks have a non-empty bounding box (data-rendered="WxH K/N"), and on <body> how many
 * pictures there are; `chromium --dump-dom` prints the DOM after the scripts ran, and the
 * test reads those attributes. A control page with the plots hidden must fail the same check,
 * so the check can fail. Without Chromium the suite says "skipped: chromium not installed"
 * and passes only that way. Chromium runs with HOME and its profile in the test's temporary
 * directory, bounded by `timeout`. */
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "report_browser"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(report_browser, .init = setup, .fini = teardown, .timeout = 240);

static size_t count(const char *hay, const char *needle) {
    size_t n = 0;
    for (const char *at = strstr(hay, needle); at; at = strstr(at + 1, needle))
        n++;
    return n;
}

/* Checks the pictures of a dumped DOM: each svg.plot, svg.topology and svg.bars rendered
 * (width and height > 0) with every one of its .data marks drawn (non-empty box, at least
 * one). Returns how many failed, listing them in why. */
static size_t failed_pictures(const char *dom, size_t *pictures, char *why, size_t len) {
    size_t bad = 0, at_why = 0;
    *pictures = 0;
    why[0] = '\0';
    for (const char *at = strstr(dom, "<svg class=\""); at; at = strstr(at + 1, "<svg class=\"")) {
        const char *end = strchr(at, '>');
        if (!end)
            break;
        (*pictures)++;
        const char *r = strstr(at, "data-rendered=\"");
        int w = 0, h = 0, k = -1, n = -1;
        if (r && r < end)
            sscanf(r, "data-rendered=\"%dx%d %d/%d\"", &w, &h, &k, &n);
        if (w > 0 && h > 0 && n > 0 && k == n)
            continue;
        bad++;
        const char *label = strstr(at, "aria-label=\"");
        int l = label && label < end ? (int)strcspn(label + 12, "\"") : 0;
        int wrote = snprintf(why + at_why, len - at_why, "[%.*s: %dx%d %d/%d] ", l,
                             l ? label + 12 : "", w, h, k, n);
        if (wrote > 0 && at_why + (size_t)wrote < len)
            at_why += (size_t)wrote;
    }
    return bad;
}

static void skip_without_chromium(void) {
    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        puts("skipped: chromium not installed (tools/test.sh installs it as root with apt-get)");
        fflush(stdout);
        cr_skip_test("skipped: chromium not installed");
    }
}

Test(report_browser, every_plot_of_a_failover_report_renders_in_chromium) {
    skip_without_chromium();
    char file[4096];
    snprintf(file, sizeof file, "%s/topologies/db_failover.yaml", getenv("DSIM_SOURCE"));
    t_result r = t_dsim(&sb, (t_limits){0}, "run", file, "--quiet", "--series", "1s", "--json",
                        "fo.json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "report", "fo.json", "-o", "fo.html", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    t_result_free(&r);
    char *html = t_slurp_work(&sb, "fo.html");
    size_t in_page = count(html, "<svg class=\"plot\"") + count(html, "<svg class=\"topology\"") +
                     count(html, "<svg class=\"bars\"");
    cr_assert_geq(in_page, 8, "the failover report has its plots and topology");

    char *dom = t_dump_dom(&sb, "fo.html");
    cr_assert(dom, "chromium failed (see chromium.err)");
    char want[64];
    snprintf(want, sizeof want, "data-plots=\"%zu\"", in_page);
    cr_expect(strstr(dom, want), "the self-check ran and saw every picture: want %s", want);
    size_t pictures;
    char why[4096];
    size_t bad = failed_pictures(dom, &pictures, why, sizeof why);
    cr_expect_eq(pictures, in_page);
    cr_expect_eq(bad, 0, "pictures that did not render: %s", why);
    free(dom);

    /* the control: the same page with its plots hidden must fail the check */
    const char *head = strstr(html, "</head>");
    cr_assert(head);
    size_t split = (size_t)(head - html);
    char *hidden = malloc(strlen(html) + 64);
    cr_assert(hidden);
    memcpy(hidden, html, split);
    strcpy(hidden + split, "<style>svg.plot{display:none}</style>");
    strcat(hidden, html + split);
    t_write_work(&sb, "hidden.html", hidden);
    free(hidden);
    dom = t_dump_dom(&sb, "hidden.html");
    cr_assert(dom, "chromium failed on the control page");
    bad = failed_pictures(dom, &pictures, why, sizeof why);
    cr_expect_eq(bad, count(html, "<svg class=\"plot\""), "every hidden plot fails the check: %s",
                 why);
    free(dom);
    free(html);
}
