/* The dsim command against the contract (§6 command line, §7 result document, §1 errors): the
 * built executable ($DSIM) runs in a fresh temporary directory with its stdout and stderr
 * captured to files beside (not inside) that directory, so a listing of the directory shows
 * exactly what dsim left there. Exit status: 0 success, 2 bad input, 1 internal failure. */
#include "sandbox.h"
#include "support.h"

#include "engine.h"
#include "human.h"
#include "json_report.h"
#include "loader.h"
#include "models.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a scratch directory per test ---- */

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "cli"); }

static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

/* ---- files ---- */

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Asserts that the working directory holds exactly the files named (NULL-terminated), so
 * nothing was left behind: no result file, no temporary file. */
static void expect_listing(const char *first, ...) {
    const char *want[16];
    size_t nwant = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        cr_assert_lt(nwant, 16);
        want[nwant++] = s;
    }
    va_end(ap);
    size_t nhave;
    char **have = t_work_names(&sb, &nhave);
    qsort(want, nwant, sizeof *want, cmp_names);
    size_t len = 1;
    for (size_t i = 0; i < nhave; i++)
        len += 1 + strlen(have[i]);
    char *got = malloc(len);
    cr_assert(got);
    got[0] = '\0';
    for (size_t i = 0; i < nhave; i++)
        strcat(strcat(got, " "), have[i]);
    bool same = nhave == nwant;
    for (size_t i = 0; same && i < nwant; i++)
        same = strcmp(want[i], have[i]) == 0;
    t_names_free(have);
    cr_assert(same, "the directory holds:%s", got);
    free(got);
}

#define EXPECT_LISTING(...) expect_listing(__VA_ARGS__, (const char *)NULL)

/* ---- running dsim ---- */

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)

/* Asserts the exit status, showing the output when it differs. */
static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

/* Asserts that every line of text is a diagnostic "FILE:LINE:COL: error: ..." or a hint after
 * one, "FILE:LINE:COL: note: ...", and that there are n errors. */
static void expect_diagnostics(const char *text, const char *file, size_t n) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "^%s:[1-9][0-9]*:[1-9][0-9]*: (error|note): [^ ].*$", file);
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    char *copy = strdup(text);
    cr_assert(copy);
    size_t lines = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cr_expect_eq(regexec(&re, line, 0, NULL, 0), 0, "not FILE:LINE:COL: error: ...: %s", line);
        lines += strstr(line, ": note: ") == NULL;
    }
    free(copy);
    regfree(&re);
    cr_expect_eq(lines, n, "%zu diagnostic lines, expected %zu:\n%s", lines, n, text);
}

/* ---- the result document ---- */

/* The item at a dotted path, or NULL. */
static const cJSON *at(const cJSON *doc, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = doc;
    char *save = NULL;
    for (char *part = strtok_r(buf, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        v = cJSON_GetObjectItemCaseSensitive(v, part);
    return v;
}

static double num(const cJSON *doc, const char *path) {
    const cJSON *v = at(doc, path);
    cr_assert(cJSON_IsNumber(v), "no number at %s", path);
    return v->valuedouble;
}

static cJSON *parse(const char *text, const char *what) {
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON:\n%s", what, text);
    return doc;
}

static cJSON *parse_work(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cr_assert(text, "%s was not written", name);
    cJSON *doc = parse(text, name);
    free(text);
    return doc;
}

enum kind { COUNT, NUMBER, STRING, OBJECT };

/* Asserts that every required key of §7 exists with its type (counts: whole numbers >= 0). */
static void expect_section_7(const cJSON *doc) {
    static const struct {
        const char *path;
        enum kind kind;
    } keys[] = {
        {"dsim_version", STRING},
        {"contract", STRING},
        {"document", STRING},
        {"topology", STRING},
        {"seed", COUNT},
        {"duration_s", NUMBER},
        {"warmup_s", NUMBER},
        {"events", COUNT},
        {"requests", OBJECT},
        {"requests.issued", COUNT},
        {"requests.completed", COUNT},
        {"requests.rejected", COUNT},
        {"requests.timed_out", COUNT},
        {"requests.failed", COUNT},
        {"requests.throughput_rps", NUMBER},
        {"requests.latency_ms", OBJECT},
        {"requests.latency_ms.mean", NUMBER},
        {"requests.latency_ms.p50", NUMBER},
        {"requests.latency_ms.p90", NUMBER},
        {"requests.latency_ms.p99", NUMBER},
        {"requests.latency_ms.p999", NUMBER},
        {"requests.latency_ms.max", NUMBER},
        {"nodes", OBJECT},
        {"nodes.web", OBJECT},
        {"nodes.web.kind", STRING},
        {"nodes.web.arrivals", COUNT},
        {"nodes.web.completed", COUNT},
        {"nodes.web.rejected", COUNT},
        {"nodes.web.utilization", NUMBER},
        {"nodes.web.queue_mean", NUMBER},
        {"nodes.web.wait_ms", OBJECT},
        {"nodes.web.wait_ms.mean", NUMBER},
        {"nodes.web.wait_ms.p50", NUMBER},
        {"nodes.web.wait_ms.p99", NUMBER},
        {"nodes.web.sojourn_ms", OBJECT},
        {"nodes.web.sojourn_ms.mean", NUMBER},
        {"nodes.web.sojourn_ms.p50", NUMBER},
        {"nodes.web.sojourn_ms.p99", NUMBER},
    };
    cr_assert(cJSON_IsObject(doc));
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = at(doc, keys[i].path);
        cr_assert(v, "§7 key %s is missing", keys[i].path);
        switch (keys[i].kind) {
        case COUNT:
            cr_expect(cJSON_IsNumber(v) && v->valuedouble >= 0 &&
                          v->valuedouble == floor(v->valuedouble),
                      "%s: expected a whole number >= 0", keys[i].path);
            break;
        case NUMBER:
            cr_expect(cJSON_IsNumber(v) && isfinite(v->valuedouble), "%s: expected a number",
                      keys[i].path);
            break;
        case STRING:
            cr_expect(cJSON_IsString(v) && *v->valuestring, "%s: expected a string", keys[i].path);
            break;
        case OBJECT:
            cr_expect(cJSON_IsObject(v), "%s: expected an object", keys[i].path);
            break;
        }
    }
}

/* ---- topologies ---- */

/* M/M/1 at rho = 0.8 (as topologies/mm1.yaml), 20 simulated seconds. */
static const char mm1[] = "# M/M/1, short\n"
                          "duration: 20s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 80/s}\n"
                          "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";

/* Two problems: a bare number (line 1) and an unknown key (line 5). */
static const char bad[] = "duration: 20\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 80/s}\n"
                          "  web:\n"
                          "    workerz: 2\n"
                          "    kind: service\n"
                          "    service: 10ms\n";

/* ---- --help, --version, kinds ---- */

Test(cli, version_and_help_exit_0) {
    t_result r = DSIM("--version");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, DSIM_VERSION), "--version: %s", r.out);
    cr_expect_str_empty(r.err);
    t_result_free(&r);
    r = DSIM("--help");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "usage"), "%s", r.out);
    cr_expect(strstr(r.out, "run FILE"), "%s", r.out);
    cr_expect(strstr(r.out, "validate FILE"), "%s", r.out);
    cr_expect(strstr(r.out, "--json"), "%s", r.out);
    cr_expect(strstr(r.out, "--set"), "%s", r.out);
    cr_expect(strstr(r.out, "--seed"), "%s", r.out);
    t_result_free(&r);
}

Test(cli, kinds_lists_kinds_and_their_keys) {
    t_result r = DSIM("kinds");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "client"), "%s", r.out);
    cr_expect(strstr(r.out, "service"), "%s", r.out);
    cr_expect(strstr(r.out, "phold"), "%s", r.out);
    t_result_free(&r);
    r = DSIM("kinds", "service");
    expect_status(&r, 0);
    static const char *const keys[] = {"workers", "queue",     "service", "forward",
                                       "calls",   "unbounded", "required"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        cr_expect(strstr(r.out, keys[i]), "dsim kinds service does not show '%s':\n%s", keys[i],
                  r.out);
    t_result_free(&r);
    r = DSIM("kinds", "client");
    expect_status(&r, 0);
    static const char *const ckeys[] = {"target",   "rate",    "arrival", "users", "think",
                                        "requests", "timeout", "ops",     "keys"};
    for (size_t i = 0; i < sizeof ckeys / sizeof *ckeys; i++)
        cr_expect(strstr(r.out, ckeys[i]), "dsim kinds client does not show '%s':\n%s", ckeys[i],
                  r.out);
    t_result_free(&r);
    r = DSIM("kinds", "no_such_kind");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "no_such_kind"), "%s", r.err);
    t_result_free(&r);
}

/* kinds runs nothing and reads no topology: the options of a run are refused as errors of
 * the argument given (exit 2), as validate refuses them, instead of being ignored. */
Test(cli, kinds_refuses_the_options_of_a_run) {
    static const struct {
        const char *option, *value, *error;
    } cases[] = {
        {"--json", "x.json", "--json x.json: error: kinds writes no result document\n"},
        {"--max-events", "3", "--max-events 3: error: kinds runs nothing: budgets are for runs\n"},
        {"--max-memory", "1G",
         "--max-memory 1G: error: kinds runs nothing: budgets are for runs\n"},
        {"--max-wall", "1s", "--max-wall 1s: error: kinds runs nothing: budgets are for runs\n"},
        {"--seed", "3", "--seed 3: error: kinds runs nothing, so it takes no seed\n"},
        {"--set", "a=b", "--set a=b: error: kinds reads no topology to set\n"},
        {"--quiet", NULL, "--quiet: error: kinds prints no summary\n"},
        {"--verbose", NULL, "--verbose: error: kinds prints no summary\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (int with_kind = 0; with_kind < 2; with_kind++) {
            const char *kind = with_kind ? "service" : NULL;
            t_result r = cases[i].value
                             ? (kind ? DSIM("kinds", kind, cases[i].option, cases[i].value)
                                     : DSIM("kinds", cases[i].option, cases[i].value))
                             : (kind ? DSIM("kinds", kind, cases[i].option)
                                     : DSIM("kinds", cases[i].option));
            cr_expect_eq(r.status, 2, "kinds %s %s: status %d", kind ? kind : "", cases[i].option,
                         r.status);
            cr_expect_str_eq(r.err, cases[i].error);
            cr_expect_str_empty(r.out, "kinds %s: printed\n%s", cases[i].option, r.out);
            t_result_free(&r);
        }
    }
    EXPECT_LISTING(NULL);
}

/* The loader's kind lookup is the one dsim kinds uses (one copy). */
Test(cli, sim_find_kind_finds_a_kind_by_its_name) {
    const sim_kind *k = sim_find_kind(dsim_kinds, "service");
    cr_assert(k);
    cr_expect_str_eq(k->name, "service");
    cr_expect_null(sim_find_kind(dsim_kinds, "servce"));
    cr_expect_null(sim_find_kind(dsim_kinds, ""));
}

/* ---- run ---- */

Test(cli, run_prints_a_summary_and_writes_the_result_document) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--json", "out.json");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "mm1"), "summary:\n%s", r.out);
    cr_expect(strstr(r.out, "web"), "summary:\n%s", r.out);
    cr_expect(strstr(r.out, "throughput"), "summary:\n%s", r.out);
    cr_expect_str_empty(r.err);
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml", "out.json");
    /* Written through a temporary file, yet with the mode of any new file. */
    char path[256];
    t_path_in(path, sizeof path, sb.work, "out.json");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    cr_expect_eq(st.st_mode & 0777, 0666 & ~mask, "out.json has mode %o", st.st_mode & 0777);
    cJSON *doc = parse_work("out.json");
    expect_section_7(doc);
    cr_expect_str_eq(at(doc, "dsim_version")->valuestring, DSIM_VERSION);
    cr_expect_str_eq(at(doc, "contract")->valuestring, "1.1");
    cr_expect_str_eq(at(doc, "document")->valuestring, "run");
    cr_expect_str_eq(at(doc, "topology")->valuestring, "mm1", "name defaults to the file stem");
    cr_expect_eq(num(doc, "seed"), 1);
    cr_expect_eq(num(doc, "duration_s"), 20);
    cr_expect_eq(num(doc, "warmup_s"), 0);
    cr_expect_gt(num(doc, "events"), 0);
    cr_expect_str_eq(at(doc, "nodes.web.kind")->valuestring, "service");
    /* Sanity, not statistics: about 1600 requests at rho = 0.8. */
    double issued = num(doc, "requests.issued"), completed = num(doc, "requests.completed");
    cr_expect(issued > 1200 && issued < 2000, "issued %g", issued);
    cr_expect(completed <= issued && completed > issued - 50, "completed %g", completed);
    double u = num(doc, "nodes.web.utilization");
    cr_expect(u > 0.6 && u < 0.95, "utilization %g", u);
    cJSON_Delete(doc);
}

/* The cell of a summary table: in the first row labelled row that follows a header line
 * with the column head (a title between runs of two blanks), the text that ends where the
 * title ends (numbers are right-aligned under their title) back to the previous two blanks.
 * Writes it to cell and returns cell, or NULL when there is no such column or row. */
static char *summary_cell(const char *text, const char *row, const char *head, char *cell,
                          size_t size) {
    size_t hl = strlen(head), rl = strlen(row);
    long end = -1;
    for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            break;
        for (const char *h = line; end < 0 && (h = strstr(h, head)) && h < eol; h++)
            if (h - line >= 2 && strncmp(h - 2, "  ", 2) == 0 &&
                (h + hl == eol || strncmp(h + hl, "  ", 2) == 0))
                end = (long)(h + hl - line);
        if (end >= 0 && strncmp(line, row, rl) == 0 && line[rl] == ' ' && eol - line >= end) {
            long start = end;
            while (start > 0 && !(line[start - 1] == ' ' && line[start - 2] == ' '))
                start--;
            snprintf(cell, size, "%.*s", (int)(end - start), line + start);
            return cell;
        }
    }
    return NULL;
}

/* Expects the cell (row, head) of the summary to be the count n as the summary writes it. */
static void expect_cell(const char *text, const char *row, const char *head, double n) {
    char cell[64], want[DSIM_HUMAN_MAX];
    dsim_human_number(want, n);
    cr_expect(summary_cell(text, row, head, cell, sizeof cell), "no '%s' of '%s' in:\n%s", head,
              row, text);
    cr_expect_str_eq(cell, want, "'%s' of '%s' is '%s', expected '%s' in:\n%s", head, row, cell,
                     want, text);
}

/* A run with keyed data shows the oracle's figures in its summary, right after the latency
 * table, with the same numbers as the document; a run without keyed data shows none. */
Test(cli, summary_shows_the_consistency_figures_of_keyed_runs) {
    static const char keyed[] = "duration: 5s\n"
                                "nodes:\n"
                                "  users: {kind: client, target: db, rate: 200/s,"
                                " ops: {read: 0.5, write: 0.5}, keys: {dist: uniform, n: 10}}\n"
                                "  db: {kind: kv_store, service: 1ms}\n";
    t_write_work(&sb, "keyed.yaml", keyed);
    t_result r = DSIM("run", "keyed.yaml", "--json", "keyed.json");
    expect_status(&r, 0);
    cJSON *doc = parse_work("keyed.json");
    cr_assert_gt(num(doc, "consistency.reads_checked"), 100, "a test that sees few reads");
    expect_cell(r.out, "consistency", "reads checked", num(doc, "consistency.reads_checked"));
    expect_cell(r.out, "consistency", "stale reads", num(doc, "consistency.stale_reads"));
    expect_cell(r.out, "consistency", "writes acked", num(doc, "consistency.writes_acked"));
    expect_cell(r.out, "consistency", "lost writes", 0);
    const char *lat = strstr(r.out, "\nlatency "), *cons = strstr(r.out, "\nconsistency ");
    const char *nodes = strstr(r.out, "\nnodes\n");
    cr_expect(lat && cons && nodes && lat < cons && cons < nodes,
              "consistency is not between latency and nodes:\n%s", r.out);
    cJSON_Delete(doc);
    t_result_free(&r);
    t_write_work(&sb, "mm1.yaml", mm1);
    r = DSIM("run", "mm1.yaml");
    expect_status(&r, 0);
    cr_expect_null(strstr(r.out, "consistency"), "summary:\n%s", r.out);
    t_result_free(&r);
}

/* The engine's internals (speed, pending events, pool) show only with --verbose; the wall
 * clock shows always. Either way every line fits 120 columns with no exponent. */
Test(cli, verbose_adds_the_engine_internals_that_the_default_summary_omits) {
    t_write_work(&sb, "mm1.yaml", mm1);
    static const char *const internals[] = {"events/s", "pending events", "event pool"};
    for (int verbose = 0; verbose < 2; verbose++) {
        t_result r = verbose ? DSIM("run", "mm1.yaml", "--verbose") : DSIM("run", "mm1.yaml");
        expect_status(&r, 0);
        cr_expect(strstr(r.out, "\nwall clock "), "no wall clock:\n%s", r.out);
        for (size_t i = 0; i < sizeof internals / sizeof *internals; i++)
            cr_expect_eq(strstr(r.out, internals[i]) != NULL, verbose,
                         "'%s' %s the summary%s:\n%s", internals[i],
                         verbose ? "missing from" : "in", verbose ? " with --verbose" : "",
                         r.out);
        regex_t re;
        cr_assert_eq(regcomp(&re, "[0-9][eE][-+]?[0-9]", REG_EXTENDED | REG_NOSUB), 0);
        char *copy = strdup(r.out);
        cr_assert(copy);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
            cr_expect_leq(strlen(line), 120, "line too long: %s", line);
            cr_expect_neq(regexec(&re, line, 0, NULL, 0), 0, "an exponent: %s", line);
        }
        free(copy);
        regfree(&re);
        t_result_free(&r);
    }
}

Test(cli, json_dash_writes_the_document_to_stdout_and_the_summary_to_stderr) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--json", "-");
    expect_status(&r, 0);
    cJSON *doc = parse(r.out, "stdout");
    expect_section_7(doc);
    cJSON_Delete(doc);
    cr_expect(strstr(r.err, "mm1"), "summary on stderr:\n%s", r.err);
    cr_expect(strstr(r.err, "throughput"), "summary on stderr:\n%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml");
    /* --quiet: stdout is the document alone, stderr is empty. */
    r = DSIM("run", "mm1.yaml", "--quiet", "--json", "-");
    expect_status(&r, 0);
    doc = parse(r.out, "stdout");
    cJSON_Delete(doc);
    cr_expect_str_empty(r.err);
    t_result_free(&r);
}

Test(cli, same_seed_gives_identical_bytes) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "a.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--quiet", "--json", "b.json");
    expect_status(&r, 0);
    t_result_free(&r);
    char *a = t_slurp_work(&sb, "a.json"), *b = t_slurp_work(&sb, "b.json");
    cr_assert(a && b);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(cli, seed_option_changes_the_figures_and_equals_set_seed) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "one.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--quiet", "--seed", "7", "--json", "seed.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--quiet", "--set", "seed=7", "--json", "set.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *one = parse_work("one.json"), *seven = parse_work("seed.json");
    cr_expect_eq(num(seven, "seed"), 7);
    cr_expect_neq(num(one, "requests.latency_ms.mean"), num(seven, "requests.latency_ms.mean"));
    cr_expect_neq(num(one, "events"), num(seven, "events"));
    cJSON_Delete(one);
    cJSON_Delete(seven);
    /* The same run, but for the record of the override that --set leaves in its document. */
    cJSON *set = parse_work("set.json");
    cr_expect_str_eq(
        cJSON_GetObjectItemCaseSensitive(at(set, "overrides.seed"), "value")->valuestring, "7");
    cJSON_DeleteItemFromObjectCaseSensitive(set, "overrides");
    char *a = t_slurp_work(&sb, "seed.json"), *b = dsim_json_render(set);
    cr_assert(a && b);
    cr_expect_str_eq(a, b, "--seed 7 and --set seed=7 differ");
    free(a);
    free(b);
    cJSON_Delete(set);
}

Test(cli, set_workers_changes_utilization) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "one.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--quiet", "--set", "nodes.web.workers=2", "--json", "two.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *one = parse_work("one.json"), *two = parse_work("two.json");
    /* The same arrivals and service draws spread over two workers: the busy time is the same,
     * so utilization (busy time / workers) halves, up to the few requests in flight at the
     * end; the wait drops sharply. */
    double u1 = num(one, "nodes.web.utilization"), u2 = num(two, "nodes.web.utilization");
    cr_expect(fabs(u2 - u1 / 2) < 0.02, "utilization %g with one worker, %g with two", u1, u2);
    cr_expect_lt(num(two, "nodes.web.wait_ms.mean"), num(one, "nodes.web.wait_ms.mean") / 4);
    cJSON_Delete(one);
    cJSON_Delete(two);
    /* Several overrides apply together. */
    r = DSIM("run", "mm1.yaml", "--quiet", "--set", "nodes.web.workers=2", "--set",
             "nodes.web.queue=0", "--set", "duration=5s", "--json", "-");
    expect_status(&r, 0);
    cJSON *doc = parse(r.out, "stdout");
    cr_expect_eq(num(doc, "duration_s"), 5);
    cr_expect_gt(num(doc, "nodes.web.rejected"), 0, "queue 0 with two workers rejects some");
    cJSON_Delete(doc);
    t_result_free(&r);
}

/* ---- bad input ---- */

Test(cli, bad_input_exits_2_with_positions_and_leaves_no_file) {
    t_write_work(&sb, "bad.yaml", bad);
    t_result r = DSIM("run", "bad.yaml", "--json", "out.json");
    expect_status(&r, 2);
    expect_diagnostics(r.err, "bad\\.yaml", 2);
    cr_expect(strstr(r.err, "bad.yaml:1:11: error: duration"), "%s", r.err);
    cr_expect(strstr(r.err, "bad.yaml:5:5: error: web: unknown key 'workerz'"), "%s", r.err);
    cr_expect_str_empty(r.out);
    t_result_free(&r);
    EXPECT_LISTING("bad.yaml");
    /* An older result stays as it was. */
    t_write_work(&sb, "out.json", "{\"old\": true}\n");
    r = DSIM("run", "bad.yaml", "--json", "out.json");
    expect_status(&r, 2);
    t_result_free(&r);
    EXPECT_LISTING("bad.yaml", "out.json");
    char *old = t_slurp_work(&sb, "out.json");
    cr_expect_str_eq(old, "{\"old\": true}\n");
    free(old);
    /* A bad override of a good file is bad input too. */
    t_write_work(&sb, "mm1.yaml", mm1);
    r = DSIM("run", "mm1.yaml", "--set", "nodes.web.workers=0", "--json", "new.json");
    expect_status(&r, 2);
    cr_expect_str_eq(r.err, "--set nodes.web.workers=0: error: web: workers: expected a whole "
                            "number in [1, 1000000], got '0'\n");
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--set", "nodes.cache.workers=2", "--json", "new.json");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "cache"), "%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING("bad.yaml", "out.json", "mm1.yaml");
}

Test(cli, yaml_syntax_error_exits_2) {
    t_write_work(&sb, "broken.yaml", "duration: 20s\nnodes: {web: {kind: service\n");
    t_result r = DSIM("run", "broken.yaml", "--json", "out.json");
    expect_status(&r, 2);
    /* The error, then a hint in the topology's words on a note line. */
    char *note = strstr(r.err, "\nbroken.yaml:3:1: note: the '{' opened at line 2, column 14 ");
    cr_assert(note, "no hint after the error:\n%s", r.err);
    note[1] = 0;
    expect_diagnostics(r.err, "broken\\.yaml", 1);
    t_result_free(&r);
    EXPECT_LISTING("broken.yaml");
}

Test(cli, unwritable_json_path_fails_without_partial_files) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--json", "no/such/dir/out.json");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "no/such/dir/out.json"), "%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml");
    /* A directory in the way: the temporary file is made, the rename fails, it is removed. */
    char taken[256];
    t_path_in(taken, sizeof taken, sb.work, "taken");
    cr_assert_eq(mkdir(taken, 0700), 0);
    r = DSIM("run", "mm1.yaml", "--json", "taken");
    cr_expect_neq(r.status, 0);
    cr_expect(strstr(r.err, "taken"), "%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml", "taken");
}

/* --json through a symbolic link writes the file the link leads to (in another directory,
 * where the temporary file is made too) and leaves the link a link: the rename used to
 * replace the link with a regular file and leave its target stale. A link to a name not yet
 * there (dangling) creates that file. */
Test(cli, json_through_a_symlink_updates_its_target_and_keeps_the_link) {
    t_write_work(&sb, "mm1.yaml", mm1);
    char sub[256], link[256], dangling[256];
    t_path_in(sub, sizeof sub, sb.work, "sub");
    cr_assert_eq(mkdir(sub, 0700), 0);
    t_write_work(&sb, "sub/target.json", "stale\n");
    t_path_in(link, sizeof link, sb.work, "link.json");
    t_path_in(dangling, sizeof dangling, sb.work, "new.json");
    cr_assert_eq(symlink("sub/target.json", link), 0);
    cr_assert_eq(symlink("sub/created.json", dangling), 0);

    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "link.json");
    expect_status(&r, 0);
    t_result_free(&r);
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "link.json is no longer a symbolic link");
    cJSON *doc = parse_work("sub/target.json");
    expect_section_7(doc);
    cJSON_Delete(doc);

    r = DSIM("run", "mm1.yaml", "--quiet", "--json", "new.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cr_assert_eq(lstat(dangling, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "new.json is no longer a symbolic link");
    doc = parse_work("sub/created.json");
    cJSON_Delete(doc);
    EXPECT_LISTING("mm1.yaml", "sub", "link.json", "new.json");
    /* and no temporary file left beside the targets */
    size_t entries = 0;
    DIR *d = opendir(sub);
    cr_assert(d);
    for (struct dirent *e; (e = readdir(d));)
        entries += e->d_name[0] != '.';
    closedir(d);
    cr_expect_eq(entries, 2, "sub holds %zu entries, not target.json and created.json", entries);
}

/* ---- validate ---- */

Test(cli, validate_checks_only) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_write_work(&sb, "bad.yaml", bad);
    t_result r = DSIM("validate", "mm1.yaml");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "ok"), "%s", r.out);
    t_result_free(&r);
    r = DSIM("validate", "bad.yaml");
    expect_status(&r, 2);
    expect_diagnostics(r.err, "bad\\.yaml", 2);
    t_result_free(&r);
    r = DSIM("validate", "mm1.yaml", "--set", "nodes.web.workers=-1");
    expect_status(&r, 2);
    cr_expect(strncmp(r.err, "--set nodes.web.workers=-1: error: ", 35) == 0, "%s", r.err);
    t_result_free(&r);
    r = DSIM("validate", "mm1.yaml", "--json", "out.json");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--json"), "%s", r.err);
    t_result_free(&r);
    r = DSIM("validate", "mm1.yaml", "--seed", "3");
    expect_status(&r, 2);
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml", "bad.yaml");
}

/* The example of docs/cli.md, word for word. */
Test(cli, bad_set_value_is_an_error_of_the_argument) {
    t_write_work(&sb, "shop.yaml",
                 "duration: 20s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, rate: 80/s}\n"
                 "  web:\n"
                 "    kind: service\n"
                 "    workers: 2\n"
                 "    service: {dist: exponential, mean: 10ms}\n");
    t_result r = DSIM("validate", "shop.yaml", "--set", "nodes.web.workers=two");
    expect_status(&r, 2);
    cr_expect_str_eq(r.err, "--set nodes.web.workers=two: error: web: workers: expected a whole "
                            "number in [1, 1000000], got 'two'\n"
                            "--set nodes.web.workers=two: note: the file sets it to '2' at "
                            "shop.yaml:6:14\n");
    cr_expect_str_empty(r.out);
    t_result_free(&r);
    /* A value with '=' in it is given back whole: only the first '=' splits. */
    r = DSIM("validate", "shop.yaml", "--set", "nodes.users.target=a=b");
    expect_status(&r, 2);
    cr_expect(strncmp(r.err, "--set nodes.users.target=a=b: error: users: target: ", 52) == 0,
              "%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING("shop.yaml");
}

/* ---- usage errors ---- */

Test(cli, usage_errors_exit_2_with_a_message) {
    t_write_work(&sb, "mm1.yaml", mm1);
    static const struct {
        const char *args[5];
        const char *says;
    } cases[] = {
        {{NULL}, "command"},
        {{"frobnicate", "mm1.yaml"}, "frobnicate"},
        {{"run", "mm1.yaml", "--frob"}, "--frob"},
        {{"run"}, "FILE"},
        {{"validate"}, "FILE"},
        {{"run", "mm1.yaml", "other.yaml"}, "other.yaml"},
        {{"run", "mm1.yaml", "--json"}, "--json"},
        {{"run", "mm1.yaml", "--set"}, "--set"},
        {{"run", "mm1.yaml", "--set", "workers"}, "PATH=VALUE"},
        {{"run", "mm1.yaml", "--set", "=3"}, "PATH=VALUE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *const *a = cases[i].args;
        t_result r = DSIM(a[0], a[1], a[2], a[3], a[4]);
        cr_expect_eq(r.status, 2, "case %zu (%s): exit %d", i, cases[i].says, r.status);
        cr_expect(strstr(r.err, cases[i].says), "case %zu: stderr does not say '%s':\n%s", i,
                  cases[i].says, r.err);
        t_result_free(&r);
    }
    /* In the contract's form for arguments (§1): "ARG: error: ...", hints on "ARG: note:". */
    static const struct {
        const char *args[5];
        const char *err;
    } exact[] = {
        {{"run", "mm1.yaml", "--frob"},
         "--frob: error: unknown option\n--frob: note: dsim --help shows the usage\n"},
        {{"run", "mm1.yaml", "--jsno", "x"},
         "--jsno: error: unknown option\n--jsno: note: did you mean '--json'?\n"},
        {{"rnu", "mm1.yaml"}, "rnu: error: unknown command\nrnu: note: did you mean 'run'?\n"},
        {{"run", "mm1.yaml", "--set", "workers"},
         "--set workers: error: expected PATH=VALUE, e.g. nodes.web.workers=4\n"},
        {{"validate", "mm1.yaml", "--seed", "3"},
         "--seed 3: error: validate runs nothing, so it takes no seed\n"},
        {{"kinds", "databse"},
         "databse: error: no node kind called 'databse'\ndatabse: note: did you mean "
         "'database'?\n"},
    };
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        const char *const *a = exact[i].args;
        t_result r = DSIM(a[0], a[1], a[2], a[3], a[4]);
        cr_expect_eq(r.status, 2, "case %zu: exit %d", i, r.status);
        cr_expect_str_eq(r.err, exact[i].err, "case %zu", i);
        t_result_free(&r);
    }
    EXPECT_LISTING("mm1.yaml");
}

Test(cli, missing_file_exits_2) {
    t_result r = DSIM("run", "nope.yaml", "--json", "out.json");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "nope.yaml: error: cannot open"), "%s", r.err);
    t_result_free(&r);
    r = DSIM("validate", "nope.yaml");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "nope.yaml"), "%s", r.err);
    t_result_free(&r);
    /* A directory is not a topology. */
    r = DSIM("validate", ".");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "error"), "%s", r.err);
    t_result_free(&r);
    EXPECT_LISTING(NULL);
}

Test(cli, bad_seed_exits_2) {
    t_write_work(&sb, "mm1.yaml", mm1);
    static const char *const seeds[] = {
        "abc", "-1", "1.5", "", "12x", "+3", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
        t_result r = DSIM("run", "mm1.yaml", "--seed", seeds[i], "--json", "out.json");
        cr_expect_eq(r.status, 2, "--seed '%s': exit %d", seeds[i], r.status);
        char want[128];
        snprintf(want, sizeof want, "--seed %s: error: expected a whole number >= 0\n", seeds[i]);
        cr_expect_str_eq(r.err, want);
        t_result_free(&r);
    }
    t_result r = DSIM("run", "mm1.yaml", "--seed");
    expect_status(&r, 2);
    cr_expect_str_eq(r.err, "--seed: error: expected a whole number >= 0 after it\n");
    t_result_free(&r);
    EXPECT_LISTING("mm1.yaml");
    r = DSIM("run", "mm1.yaml", "--quiet", "--seed", "0", "--json", "-");
    expect_status(&r, 0);
    cJSON *doc = parse(r.out, "stdout");
    cr_expect_eq(num(doc, "seed"), 0, "seed 0 is a seed");
    cJSON_Delete(doc);
    t_result_free(&r);
}
