/* The terminal summary (reports/summary.c) and what it is made of: the number formats of
 * reports/human.c, the tables of reports/table.c, and the fault log, which says what each
 * action did and where (also in the result document). Every example's summary fits in 120
 * columns and shows no exponent. */
#include "sandbox.h"
#include "support.h"

#include "human.h"
#include "json_report.h"
#include "summary.h"
#include "table.h"

#include <criterion/criterion.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- number formats ---- */

typedef const char *(*format_fn)(char *, double);

static void expect_format(format_fn f, const char *name, double v, const char *want) {
    char buf[DSIM_HUMAN_MAX];
    cr_expect_str_eq(f(buf, v), want, "%s(%.17g) = '%s', expected '%s'", name, v, buf, want);
}
#define EXPECT(f, v, want) expect_format(f, #f, v, want)

Test(summary, counts_are_exact_integers_with_thousands_separators) {
    EXPECT(dsim_human_number, 0, "0");
    EXPECT(dsim_human_number, 7, "7");
    EXPECT(dsim_human_number, 999, "999");
    EXPECT(dsim_human_number, 1000, "1,000");
    EXPECT(dsim_human_number, 22470, "22,470");
    EXPECT(dsim_human_number, 1234567, "1,234,567");
    EXPECT(dsim_human_number, -1234567, "-1,234,567");
    EXPECT(dsim_human_number, 9007199254740992.0, "9,007,199,254,740,992");
    EXPECT(dsim_human_number, 1e20, "100,000,000,000,000,000,000");
}

Test(summary, other_numbers_have_three_significant_digits_and_no_exponent) {
    EXPECT(dsim_human_number, 44.67, "44.7");
    EXPECT(dsim_human_number, 2.784, "2.78");
    EXPECT(dsim_human_number, 0.112, "0.112");
    EXPECT(dsim_human_number, 0.004574, "0.00457");
    EXPECT(dsim_human_number, 0.001, "0.001");
    EXPECT(dsim_human_number, 0.0004, "<0.001");
    EXPECT(dsim_human_number, -0.0004, ">-0.001");
    EXPECT(dsim_human_number, 1.5, "1.5");     /* trailing zeros dropped */
    EXPECT(dsim_human_number, 99.96, "100");   /* rounding carries */
    EXPECT(dsim_human_number, 999.7, "1,000"); /* from 1000 on: an integer */
    EXPECT(dsim_human_number, 122100.4, "122,100");
    EXPECT(dsim_human_number, NAN, "-");
    EXPECT(dsim_human_number, INFINITY, "infinite");
}

Test(summary, durations_read_in_ms_then_s) {
    EXPECT(dsim_human_ms, 0, "0 ms");
    EXPECT(dsim_human_ms, 0.0432, "0.0432 ms");
    EXPECT(dsim_human_ms, 44.67, "44.7 ms");
    EXPECT(dsim_human_ms, 193.5, "194 ms");
    EXPECT(dsim_human_ms, 999.4, "999 ms");
    EXPECT(dsim_human_ms, 999.7, "1 s");
    EXPECT(dsim_human_ms, 1912, "1.91 s");
    EXPECT(dsim_human_ms, 23690, "23.7 s");
    EXPECT(dsim_human_ms, 60000, "60 s");
    EXPECT(dsim_human_ms, 1234567, "1,235 s");
}

Test(summary, ratios_read_as_percentages_rates_per_second_sizes_in_bytes) {
    EXPECT(dsim_human_percent, 0.787, "78.7%");
    EXPECT(dsim_human_percent, 1, "100%");
    EXPECT(dsim_human_percent, 0, "0%");
    EXPECT(dsim_human_percent, 0.0007432, "0.0743%");
    EXPECT(dsim_human_rate, 79.92, "79.9/s");
    EXPECT(dsim_human_rate, 1999.3, "1,999/s");
    EXPECT(dsim_human_bytes, 48, "48 B");
    EXPECT(dsim_human_bytes, 1536, "1.5 KiB");
    EXPECT(dsim_human_bytes, 893952, "873 KiB");
    EXPECT(dsim_human_bytes, 3.5 * 1024 * 1024 * 1024, "3.5 GiB");
}

Test(summary, a_figure_takes_its_format_and_label_from_its_key) {
    static const struct {
        const char *key;
        dsim_human_unit unit;
        const char *label;
    } cases[] = {
        {"arrivals", DSIM_HUMAN_PLAIN, "arrivals"},
        {"timed_out", DSIM_HUMAN_PLAIN, "timed out"},
        {"wait_ms", DSIM_HUMAN_MS, "wait"},
        {"duration_s", DSIM_HUMAN_S, "duration"},
        {"throughput_rps", DSIM_HUMAN_RATE, "throughput"},
        {"utilization", DSIM_HUMAN_RATIO, "utilization"},
        {"share", DSIM_HUMAN_RATIO, "share"},
        {"hit_ratio", DSIM_HUMAN_RATIO, "hit ratio"},
        {"stale_read_rate", DSIM_HUMAN_RATIO, "stale read rate"},
        {"moved_fraction", DSIM_HUMAN_RATIO, "moved fraction"},
        {"p999", DSIM_HUMAN_PLAIN, "p99.9"},
    };
    char buf[DSIM_HUMAN_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_expect_eq(dsim_human_unit_of(cases[i].key), cases[i].unit, "unit of %s", cases[i].key);
        char *label = dsim_human_label(cases[i].key);
        cr_assert(label);
        cr_expect_str_eq(label, cases[i].label);
        free(label);
    }
    cr_expect_str_eq(dsim_human_value(buf, 0.5, DSIM_HUMAN_S), "500 ms");
    cr_expect_str_eq(dsim_human_value(buf, 0.25, DSIM_HUMAN_RATIO), "25%");
}

/* Every magnitude a document can hold prints in plain decimals and fits the buffer. */
Test(summary, no_format_ever_writes_an_exponent) {
    static const format_fn fns[] = {dsim_human_number, dsim_human_ms, dsim_human_percent,
                                    dsim_human_rate, dsim_human_bytes};
    char buf[DSIM_HUMAN_MAX];
    for (size_t f = 0; f < sizeof fns / sizeof *fns; f++)
        for (int k = -15; k <= 45; k++)
            for (double m = 1; m < 10; m += 0.7) {
                double v = m * pow(10, k);
                for (int sign = -1; sign <= 1; sign += 2) {
                    fns[f](buf, sign * v);
                    cr_expect_lt(strlen(buf), DSIM_HUMAN_MAX);
                    cr_expect_null(strpbrk(buf, "eE"), "%g printed as '%s'", sign * v, buf);
                }
            }
}

/* ---- tables ---- */

/* What print writes, as a string (caller frees). */
static char *printed(const dsim_table *t, int indent, int width) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cr_assert(f);
    cr_expect_eq(dsim_table_print(t, f, indent, width), 0);
    fclose(f);
    return text;
}

Test(summary, a_table_aligns_its_columns_and_groups) {
    dsim_table *t = dsim_table_new("kind");
    cr_assert(t);
    int n = dsim_table_add_column(t, 0, "", "count", false);
    int r = dsim_table_add_column(t, 1, "", "role", true);
    int m = dsim_table_add_column(t, 2, "wait", "mean", false);
    cr_assert(n == 0 && r == 1 && m == 2);
    cr_assert_eq(dsim_table_add_row(t, "a"), 0);
    dsim_table_set(t, n, "1,234");
    dsim_table_set(t, r, "primary");
    dsim_table_set(t, m, "4.5 ms");
    cr_assert_eq(dsim_table_add_row(t, "bb.10"), 0);
    dsim_table_set(t, n, "7");
    /* A column inserted late, in the middle, leaves the cells already set in place. */
    int p = dsim_table_add_column(t, 1, "", "p", false);
    cr_assert_eq(p, 1);
    dsim_table_set(t, p, "x");
    dsim_table_add_note(t, "... 3 more");
    char *text = printed(t, 2, 120);
    cr_expect_str_eq(text, "                            wait -\n"
                           "  kind   count  p  role       mean\n"
                           "  a      1,234  -  primary  4.5 ms\n"
                           "  bb.10      7  x  -             -\n"
                           "  ... 3 more\n");
    free(text);
    dsim_table_free(t);
}

Test(summary, a_wide_table_splits_into_blocks_that_fit_with_the_labels_repeated) {
    dsim_table *t = dsim_table_new("node");
    cr_assert(t);
    char name[32], cell[32];
    for (int c = 0; c < 12; c++) {
        snprintf(name, sizeof name, "figure_%02d", c);
        cr_assert_eq(dsim_table_add_column(t, c, c % 4 ? "group" : "", name, false), c);
    }
    for (int row = 0; row < 3; row++) {
        snprintf(name, sizeof name, "node.%d", row);
        cr_assert_eq(dsim_table_add_row(t, name), 0);
        for (int c = 0; c < 12; c++) {
            snprintf(cell, sizeof cell, "v%d_%d", row, c);
            dsim_table_set(t, c, cell);
        }
    }
    char *text = printed(t, 2, 50);
    size_t lines = 0, headers = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        cr_expect_leq(strlen(line), 50, "line of %zu columns: '%s'", strlen(line), line);
        headers += strncmp(line, "  node ", 7) == 0;
    }
    cr_expect_gt(headers, 1, "the table was not split:\n%s", text);
    free(text);
    /* Every cell is printed once, in some block. */
    text = printed(t, 2, 50);
    for (int row = 0; row < 3; row++)
        for (int c = 0; c < 12; c++) {
            snprintf(cell, sizeof cell, " v%d_%d", row, c);
            int seen = 0;
            for (const char *at = strstr(text, cell); at; at = strstr(at + 1, cell))
                seen += at[strlen(cell)] == ' ' || at[strlen(cell)] == '\n';
            cr_expect_eq(seen, 1, "cell%s printed %d times", cell, seen);
        }
    free(text);
    dsim_table_free(t);
}

/* ---- summaries of whole documents ---- */

static char *summary_of(const cJSON *doc) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    cr_assert(f);
    dsim_summary_print(f, doc);
    fclose(f);
    return text;
}

/* Expects every line of text to be at most 120 columns and to hold no number written with
 * an exponent ("1.221e+05", "6.1e-06"). */
static void expect_readable(const char *text, const char *what) {
    regex_t re;
    cr_assert_eq(regcomp(&re, "[0-9][eE][-+]?[0-9]", REG_EXTENDED | REG_NOSUB), 0);
    char *copy = strdup(text);
    cr_assert(copy);
    size_t no = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        no++;
        cr_expect_leq(strlen(line), 120, "%s: line %zu has %zu columns:\n%s", what, no,
                      strlen(line), line);
        cr_expect_neq(regexec(&re, line, 0, NULL, 0), 0, "%s: line %zu has an exponent:\n%s", what,
                      no, line);
    }
    free(copy);
    regfree(&re);
}

/* Each node of the document shows as a row of its table, or in the note of a folded group. */
static void expect_every_node(const cJSON *doc, const char *text, const char *what) {
    const cJSON *n;
    cJSON_ArrayForEach(n, t_get(doc, "nodes")) {
        char row[512], fold[512];
        snprintf(row, sizeof row, "\n  %s ", n->string);
        const char *dot = strrchr(n->string, '.');
        snprintf(fold, sizeof fold, "more instances of %.*s ",
                 dot ? (int)(dot - n->string) : (int)strlen(n->string), n->string);
        cr_expect(strstr(text, row) || strstr(text, fold), "%s: node %s is not shown", what,
                  n->string);
    }
}

Test(summary, every_example_fits_in_120_columns_without_exponents, .timeout = 300) {
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        cJSON *doc = t_run_with(yaml, 1, sets, t_shortened(*name, sets));
        char *text = summary_of(doc);
        expect_readable(text, *name);
        expect_every_node(doc, text, *name);
        free(text);
        cJSON_Delete(doc);
        free(yaml);
    }
    t_names_free(names);
}

/* ---- the fault log ---- */

static const char faulty[] = "duration: 5s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, rate: 100/s}\n"
                             "  web: {kind: service, replicas: 2, service: 1ms, calls: db}\n"
                             "  db: {kind: service, service: 1ms}\n"
                             "faults:\n"
                             "  - {at: 1s, partition: [[web.0, users], [db]], duration: 1s}\n"
                             "  - {at: 2s, loss: 0.2, from: users, to: web, duration: 1s}\n"
                             "  - {at: 3s, loss: 0.1}\n"
                             "  - {at: 4s, crash: web.1, duration: 9s}\n";

/* The string at index i of a JSON array. */
static const char *item(const cJSON *array, int i) {
    const cJSON *v = cJSON_GetArrayItem(array, i);
    cr_assert(cJSON_IsString(v), "item %d is not a string", i);
    return v->valuestring;
}

Test(summary, the_document_says_what_a_partition_cut_and_where_a_loss_applied) {
    cJSON *doc = t_run(faulty, 1);
    const cJSON *log = t_get(doc, "faults");
    cr_assert_eq(cJSON_GetArraySize(log), 6, "apply and undo of the first two, two applies");
    static const char *const actions[] = {"partition", "heal",  "loss", "loss_end",
                                          "loss",      "crash", NULL};
    for (int i = 0; actions[i]; i++)
        cr_expect_str_eq(t_str(cJSON_GetArrayItem(log, i), "action"), actions[i]);
    /* partition and heal: the sides as written, groups and instances alike. */
    for (int i = 0; i < 2; i++) {
        const cJSON *sides = t_get(cJSON_GetArrayItem(log, i), "sides");
        cr_assert_eq(cJSON_GetArraySize(sides), 2);
        const cJSON *a = cJSON_GetArrayItem(sides, 0), *b = cJSON_GetArrayItem(sides, 1);
        cr_assert_eq(cJSON_GetArraySize(a), 2);
        cr_assert_eq(cJSON_GetArraySize(b), 1);
        cr_expect_str_eq(item(a, 0), "web.0");
        cr_expect_str_eq(item(a, 1), "users");
        cr_expect_str_eq(item(b, 0), "db");
    }
    const cJSON *p = cJSON_GetArrayItem(log, 0);
    cr_expect_eq(t_num(p, "at_ms"), 1000);
    cr_expect_eq(t_num(p, "until_ms"), 2000, "the apply says when it is undone");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, 1), "until_ms"));
    /* A loss on a link names its ends, at its start and its end; a loss everywhere says so. */
    for (int i = 2; i < 4; i++) {
        const cJSON *l = cJSON_GetArrayItem(log, i);
        cr_expect_str_eq(t_str(l, "scope"), "link");
        cr_expect_str_eq(t_str(l, "from"), "users");
        cr_expect_str_eq(t_str(l, "to"), "web");
    }
    cr_expect_eq(t_num(cJSON_GetArrayItem(log, 2), "probability"), 0.2);
    cr_expect_eq(t_num(cJSON_GetArrayItem(log, 2), "until_ms"), 3000);
    const cJSON *g = cJSON_GetArrayItem(log, 4);
    cr_expect_str_eq(t_str(g, "scope"), "everywhere");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(g, "from"));
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(g, "until_ms"), "never undone");
    /* The crash is undone after the run's end: the document still says when it would be. */
    cr_expect_eq(t_num(cJSON_GetArrayItem(log, 5), "until_ms"), 13000);
    cJSON_Delete(doc);
}

Test(summary, the_fault_log_says_what_each_action_did_and_where) {
    cJSON *doc = t_run(faulty, 1);
    char *text = summary_of(doc);
    const char *want = "\nfaults\n"
                       "  1 s  partition  web.0, users | db until 2 s\n"
                       "  2 s  heal       web.0, users | db\n"
                       "  2 s  loss       20% from users to web until 3 s\n"
                       "  3 s  loss_end   from users to web\n"
                       "  3 s  loss       10% everywhere\n"
                       "  4 s  crash      web.1 until 13 s (after the end)\n";
    cr_expect(strstr(text, want), "no fault log\n%sin the summary:\n%s", want, text);
    free(text);
    cJSON_Delete(doc);
}

/* A partition of many long names wraps under its description, within 120 columns. */
Test(summary, a_long_fault_description_wraps_under_itself) {
    char yaml[16384] = "duration: 2s\nnodes:\n", side[2][1024] = {"", ""};
    enum { N = 12 };
    for (int i = 0; i < N; i++) {
        char line[256];
        snprintf(line, sizeof line,
                 "  a_service_with_a_rather_long_name_%02d: {kind: service, service: 1ms}\n", i);
        strcat(yaml, line);
        snprintf(line, sizeof line, "%sa_service_with_a_rather_long_name_%02d",
                 side[i % 2][0] ? ", " : "", i);
        strcat(side[i % 2], line);
    }
    char line[4096];
    snprintf(line, sizeof line, "faults:\n  - {at: 1s, partition: [[%s], [%s]]}\n", side[0],
             side[1]);
    strcat(yaml, line);
    cJSON *doc = t_run(yaml, 1);
    char *text = summary_of(doc);
    expect_readable(text, "long partition");
    const char *log = strstr(text, "\nfaults\n");
    cr_assert(log, "%s", text);
    /* "  1 s  partition  " is 18 columns: continuation lines start there. */
    int lines = 0;
    for (const char *l = strchr(log + 1, '\n') + 1; *l; l = strchr(l, '\n') + 1, lines++) {
        if (lines == 0)
            cr_expect_eq(strncmp(l, "  1 s  partition  a_service", 27), 0, "%s", log);
        else
            cr_expect_eq(strncmp(l, "                  a_service", 27), 0, "%s", log);
    }
    cr_expect_geq(lines, 4, "12 names of 37 columns need at least 4 lines:\n%s", log);
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof name, "a_service_with_a_rather_long_name_%02d", i);
        cr_expect(strstr(log, name), "%s missing from\n%s", name, log);
    }
    free(text);
    cJSON_Delete(doc);
}

/* Labels that leave under a third of the width stay in one block: splitting would repeat
 * them for every column, multiplying the output of hostile names. */
Test(summary, labels_too_long_to_split_around_keep_one_block) {
    char label[101];
    memset(label, 'n', 100);
    label[100] = '\0';
    dsim_table *t = dsim_table_new("node");
    cr_assert(t);
    for (int c = 0; c < 10; c++) {
        char name[16];
        snprintf(name, sizeof name, "figure_%d", c);
        dsim_table_add_column(t, c, "", name, false);
    }
    cr_assert_eq(dsim_table_add_row(t, label), 0);
    char *text = printed(t, 2, 120);
    int lines = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    cr_expect_eq(lines, 2, "a header and a row, in one block:\n%s", text);
    free(text);
    dsim_table_free(t);
}

/* ---- the folded document (dsim_json_summary_report) ---- */

/* Groups on both sides of the fold (8 instances and fewer are shown whole, 9 and more fold to
 * three), of two kinds, a crashed instance among the folded ones, a load balancer whose
 * backends are a sub-table. */
static const char big_groups[] = "duration: 2s\n"
                                 "network: {latency: {dist: exponential, mean: 1ms}}\n"
                                 "nodes:\n"
                                 "  users: {kind: client, target: lb, rate: 400/s}\n"
                                 "  lb: {kind: load_balancer, backends: web}\n"
                                 "  web: {kind: service, replicas: 9, service: 1ms, calls: db}\n"
                                 "  db: {kind: service, replicas: 8, service: 1ms}\n"
                                 "  p: {kind: phold, replicas: 30, population: 2}\n"
                                 "  q: {kind: phold, replicas: 1}\n"
                                 "faults:\n"
                                 "  - {at: 1s, crash: web.8}\n";

/* The summary of the folded document of a run is the summary of its whole document. */
static void expect_same_summary(const char *yaml, const char *const *sets, size_t nsets,
                                const char *what, bool must_fold) {
    sim_topology *t = t_load(yaml, sets, nsets, NULL);
    cr_assert(t, "%s does not load", what);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0, "%s: the run failed", what);
    cJSON *whole = dsim_json_report(e), *folded = dsim_json_summary_report(e);
    cr_assert(whole && folded);
    char *want = summary_of(whole), *got = summary_of(folded);
    cr_expect_str_eq(got, want, "%s: the folded document's summary differs", what);
    char *whole_text = dsim_json_render(whole), *folded_text = dsim_json_render(folded);
    cr_assert(whole_text && folded_text);
    if (must_fold)
        cr_expect_lt(strlen(folded_text), strlen(whole_text), "%s: nothing was folded", what);
    free(whole_text);
    free(folded_text);
    free(want);
    free(got);
    cJSON_Delete(whole);
    cJSON_Delete(folded);
    sim_engine_free(e);
    sim_topology_free(t);
}

Test(summary, the_folded_document_prints_the_same_summary_as_the_whole, .timeout = 300) {
    expect_same_summary(big_groups, NULL, 0, "big groups", true);
    /* the 9th instance of web is kept by name only; the 8 of db whole */
    sim_topology *t = t_load(big_groups, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *folded = dsim_json_summary_report(e);
    cr_assert(folded);
    const cJSON *nodes = t_get(folded, "nodes");
    cr_expect_eq(cJSON_GetArraySize(t_get(nodes, "web.8")), 0, "web.8 is not emptied");
    cr_expect_gt(cJSON_GetArraySize(t_get(nodes, "web.7")), 0, "web.7 is emptied");
    cr_expect_gt(cJSON_GetArraySize(t_get(nodes, "db.7")), 0, "db.7 is emptied");
    cr_expect_eq(cJSON_GetArraySize(t_get(nodes, "p.29")), 0, "p.29 is not emptied");
    cr_expect_gt(cJSON_GetArraySize(t_get(nodes, "q.0")), 0, "q.0 is emptied");
    cJSON_Delete(folded);
    sim_engine_free(e);
    sim_topology_free(t);
    char **names = t_examples();
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        const char *sets[T_SHORTEN_MAX];
        expect_same_summary(yaml, sets, t_shortened(*name, sets), *name, false);
        free(yaml);
    }
    t_names_free(names);
}
