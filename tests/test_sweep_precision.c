/* dsim sweep --precision R --metric PATH [--max-seeds N] (experiments/sweep_precision.h):
 * Law & Kelton's relative-precision rule on its own (the verdict and the next round's seeds
 * from given figures), and through the built executable ($DSIM): an M/M/1 config converges
 * with its interval within R of its mean, a config that cannot converge stops at the cap with
 * a note, the folder does not depend on --jobs, records the rule and resumes it. */
#include "sandbox.h"
#include "support.h"

#include "stats.h"
#include "sweep_precision.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "sweep_precision"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(sweep_precision, .init = setup, .fini = teardown, .timeout = 240);

#define DSIM(...) t_dsim(&sb, (t_limits){.alarm_s = 110}, __VA_ARGS__, (const char *)NULL)

/* ---- the rule ---- */

/* n values with mean m whose 95% interval has half-width exactly rel * m: the values m ± d
 * alternating (n even), d chosen from the t quantile. */
static exp_stats stats_with(size_t n, double m, double rel) {
    exp_stats st;
    exp_stats_init(&st);
    for (size_t i = 0; i < n; i++)
        exp_stats_add(&st, m + (i % 2 ? 1.0 : -1.0));
    double lo, hi;
    cr_assert_eq(exp_stats_ci95(&st, &lo, &hi), 0);
    double scale = rel * m / ((hi - lo) / 2); /* stretch the spread to the half-width asked */
    exp_stats_init(&st);
    for (size_t i = 0; i < n; i++)
        exp_stats_add(&st, m + (i % 2 ? scale : -scale));
    return st;
}

Test(sweep_precision, the_target_is_law_and_keltons_adjusted_r_over_1_plus_r) {
    cr_expect_float_eq(exp_precision_target(0.05), 0.05 / 1.05, 1e-15);
    exp_precision p = {"m", 0.05, 100};
    /* just inside R' = 0.047619: converged, no more seeds */
    exp_stats st = stats_with(10, 100, 0.0476);
    exp_precision_verdict v = exp_precision_judge(&p, &st, 10);
    cr_expect(v.converged);
    cr_expect_float_eq(v.rel_half_width, 0.0476, 1e-9);
    cr_expect_eq(v.next, 10);
    /* within R = 0.05 but not within R': not converged (the unadjusted rule would stop) */
    st = stats_with(10, 100, 0.049);
    v = exp_precision_judge(&p, &st, 10);
    cr_expect(!v.converged);
    /* n* = ceil(10 (0.049 / 0.047619)^2) = ceil(10.588) = 11 */
    cr_expect_eq(v.next, 11);
}

Test(sweep_precision, the_next_round_follows_n_star_within_twice_the_seeds_and_the_cap) {
    exp_precision p = {"m", 0.05, 100};
    /* n* = ceil(10 (0.06 / 0.047619)^2) = ceil(15.876) = 16 */
    exp_stats st = stats_with(10, 100, 0.06);
    cr_expect_eq(exp_precision_judge(&p, &st, 10).next, 16);
    /* n* = ceil(10 (0.2 / 0.047619)^2) = 177: at most twice the seeds, 20 */
    st = stats_with(10, 100, 0.2);
    cr_expect_eq(exp_precision_judge(&p, &st, 10).next, 20);
    /* ... and never beyond the cap */
    p.max_seeds = 14;
    cr_expect_eq(exp_precision_judge(&p, &st, 10).next, 14);
    /* at the cap: no more, not converged */
    exp_precision_verdict v = exp_precision_judge(&p, &st, 14);
    cr_expect(!v.converged);
    cr_expect_eq(v.next, 14);
}

Test(sweep_precision, a_mean_of_zero_or_one_value_gives_no_estimate_and_doubles) {
    exp_precision p = {"m", 0.05, 100};
    exp_stats st;
    exp_stats_init(&st);
    exp_stats_add(&st, -1);
    exp_stats_add(&st, 1); /* mean 0, spread 1: the relative half-width has no value */
    exp_precision_verdict v = exp_precision_judge(&p, &st, 2);
    cr_expect(isnan(v.rel_half_width));
    cr_expect(!v.converged);
    cr_expect_eq(v.next, 4);
    exp_stats_init(&st);
    exp_stats_add(&st, 5);               /* one value: no interval */
    v = exp_precision_judge(&p, &st, 3); /* (two runs lacked the figure) */
    cr_expect(!v.converged);
    cr_expect_eq(v.next, 6);
    /* equal values: a point interval, converged however small R */
    exp_stats_init(&st);
    for (int i = 0; i < 3; i++)
        exp_stats_add(&st, 7);
    p.relative = 1e-9;
    v = exp_precision_judge(&p, &st, 3);
    cr_expect(v.converged);
    cr_expect_eq(v.rel_half_width, 0);
}

/* ---- through dsim sweep ---- */

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

static cJSON *parse_work(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON:\n%s", name, text);
    free(text);
    return doc;
}

/* M/M/1 at rho = 0.5 (mean wait 10 ms), short runs: the mean wait of one run swings by about
 * 5% from seed to seed, so a few seeds reach 5% and none reaches 0.1% within 7. */
static const char mm1[] = "name: mm1\n"
                          "duration: 200s\n"
                          "warmup: 20s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 50/s}\n"
                          "  web:\n"
                          "    kind: service\n"
                          "    workers: 1\n"
                          "    service: {dist: exponential, mean: 10ms}\n";

#define METRIC "nodes.web.wait_ms.mean"

static const cJSON *config_of(const cJSON *summary, int i) {
    const cJSON *c = cJSON_GetArrayItem(t_get(summary, "configs"), i);
    cr_assert(c, "no config %d", i);
    return c;
}

Test(sweep_precision, an_mm1_config_converges_within_r_of_its_mean) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("sweep", "mm1.yaml", "--seeds", "4", "--precision", "0.05", "--metric",
                      METRIC, "--max-seeds", "60", "--jobs", "2", "--quiet", "--out", "out");
    expect_status(&r, 0);
    cr_expect(!strstr(r.err, "did not converge"), "%s", r.err);
    t_result_free(&r);
    cJSON *s = parse_work("out/summary.json");
    cr_expect_str_eq(t_str(s, "precision.metric"), METRIC);
    cr_expect_float_eq(t_num(s, "precision.target_rel_half_width"), 0.05 / 1.05, 1e-12);
    const cJSON *c = config_of(s, 0);
    cr_expect(t_bool(c, "precision.converged"));
    long long seeds = t_int(c, "precision.seeds");
    cr_expect(seeds >= 4 && seeds < 60, "%lld seeds", seeds);
    cr_expect_eq(t_int(c, "runs"), seeds);
    /* the summary's own interval is within R' (hence R) of the mean */
    const cJSON *m = t_get(t_get(c, "metrics"), METRIC);
    const cJSON *ci = t_get(m, "ci95");
    double half =
        (cJSON_GetArrayItem(ci, 1)->valuedouble - cJSON_GetArrayItem(ci, 0)->valuedouble) / 2;
    double mean = t_num(m, "mean");
    cr_expect(half <= 0.05 / 1.05 * fabs(mean), "half-width %g, mean %g", half, mean);
    cr_expect_float_eq(t_num(c, "precision.rel_half_width"), half / fabs(mean), 1e-9);
    /* the run files are exactly seeds 1..seeds */
    char name[64];
    snprintf(name, sizeof name, "out/runs/c0-s%lld.json", seeds);
    cr_expect(t_work_has(&sb, name));
    snprintf(name, sizeof name, "out/runs/c0-s%lld.json", seeds + 1);
    cr_expect(!t_work_has(&sb, name));
    cJSON_Delete(s);
}

Test(sweep_precision, a_config_that_cannot_converge_stops_at_the_cap_with_a_note) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("sweep", "mm1.yaml", "--set", "duration=100s", "--vary",
                      "nodes.users.rate=50/s,98/s", "--seeds", "3", "--precision", "0.001",
                      "--metric", METRIC, "--max-seeds", "7", "--jobs", "2", "--out", "out");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "dsim: sweep: note: c0 did not converge: after 7 seeds"), "%s", r.err);
    cr_expect(strstr(r.err, "dsim: sweep: note: c1 did not converge: after 7 seeds"), "%s", r.err);
    cr_expect(strstr(r.err, "sweep: round 2: 12 runs in all, 6 to do"), "%s", r.err);
    t_result_free(&r);
    cJSON *s = parse_work("out/summary.json");
    for (int i = 0; i < 2; i++) {
        const cJSON *c = config_of(s, i);
        cr_expect(!t_bool(c, "precision.converged"));
        cr_expect_eq(t_int(c, "precision.seeds"), 7);
        cr_expect_eq(t_int(c, "runs"), 7);
    }
    cJSON_Delete(s);
    cr_expect(t_work_has(&sb, "out/runs/c1-s7.json"));
    cr_expect(!t_work_has(&sb, "out/runs/c1-s8.json"));
}

#define ROUNDS(jobs, dir)                                                                          \
    DSIM("sweep", "mm1.yaml", "--vary", "nodes.users.rate=50/s,90/s", "--seeds", "3",              \
         "--precision", "0.05", "--metric", METRIC, "--max-seeds", "30", "--jobs", jobs,           \
         "--quiet", "--out", dir)

Test(sweep_precision, the_rounds_do_not_depend_on_jobs_and_resume) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = ROUNDS("1", "one");
    expect_status(&r, 0);
    t_result_free(&r);
    r = ROUNDS("2", "two");
    expect_status(&r, 0);
    t_result_free(&r);
    char *a = t_slurp_work(&sb, "one/summary.json"), *b = t_slurp_work(&sb, "two/summary.json");
    cr_expect_str_eq(a, b);
    free(b);
    /* more than the first round was run, or this test shows nothing */
    cJSON *s = parse_work("one/summary.json");
    cr_expect_gt(t_int(config_of(s, 1), "precision.seeds"), 3);
    cJSON_Delete(s);
    /* the rule is in sweep.json: another one is refused */
    char *rec = t_slurp_work(&sb, "two/sweep.json");
    cr_expect(strstr(rec, "\"precision\""), "%s", rec);
    free(rec);
    r = DSIM("sweep", "mm1.yaml", "--vary", "nodes.users.rate=50/s,90/s", "--seeds", "3",
             "--precision", "0.1", "--metric", METRIC, "--max-seeds", "30", "--out", "two");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "the folder was made with other --precision"), "%s", r.err);
    t_result_free(&r);
    /* a resumed sweep (a late round's run and the summary gone) ends the same */
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "two/runs/c1-s4.json");
    cr_assert_eq(unlink(path), 0);
    t_path_in(path, sizeof path, sb.work, "two/summary.json");
    cr_assert_eq(unlink(path), 0);
    r = ROUNDS("2", "two");
    expect_status(&r, 0);
    t_result_free(&r);
    b = t_slurp_work(&sb, "two/summary.json");
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

static void expect_refused(t_result r, const char *want) {
    cr_expect_eq(r.status, 2, "status %d: %s", r.status, r.err);
    cr_expect(strstr(r.err, want), "expected '%s' in:\n%s", want, r.err);
    t_result_free(&r);
}

Test(sweep_precision, bad_arguments_are_refused) {
    t_write_work(&sb, "mm1.yaml", mm1);
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0.05", "--out", "o"),
                   "--precision: error: --precision R and --metric PATH go together");
    expect_refused(DSIM("sweep", "mm1.yaml", "--metric", METRIC, "--out", "o"),
                   "--metric: error: --precision R and --metric PATH go together");
    expect_refused(DSIM("sweep", "mm1.yaml", "--max-seeds", "5", "--out", "o"),
                   "--max-seeds: error:");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0", "--metric", METRIC, "--out", "o"),
                   "--precision 0: error: expected a relative precision in (0, 1)");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "5%", "--metric", METRIC, "--out", "o"),
                   "--precision 5%: error:");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0.05", "--metric", METRIC, "--seeds",
                        "1", "--out", "o"),
                   "--seeds: error: with --precision the first round needs at least 2 seeds");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0.05", "--metric", METRIC, "--seeds",
                        "20", "--max-seeds", "10", "--out", "o"),
                   "at most --max-seeds (10)");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0.05", "--metric",
                        "nodes.web.wait_ms.avg", "--out", "o"),
                   "--metric nodes.web.wait_ms.avg: error: no such figure in the result document");
    expect_refused(DSIM("sweep", "mm1.yaml", "--precision", "0.05", "--metric",
                        "nodes.nope.wait_ms.mean", "--out", "o"),
                   "--metric nodes.nope.wait_ms.mean: error: no such node");
    cr_expect(!t_work_has(&sb, "o"), "a folder was made for refused arguments");
}
