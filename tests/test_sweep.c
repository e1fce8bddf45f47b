/* dsim sweep (contract §8.3) through the built executable ($DSIM) in a scratch directory: the
 * summary against queueing theory (M/M/c, Erlang C), resuming a stopped sweep, refusing a
 * folder made otherwise, atomic run files, argument errors, independence from --jobs; and
 * the summary module (experiments/sweep_summary.h) on documents made up for it. */
#include "sandbox.h"
#include "support.h"

#include "file_read.h"
#include "sweep_summary.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "sweep"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(sweep, .init = setup, .fini = teardown, .timeout = 240);

#define DSIM(...) t_dsim(&sb, (t_limits){.alarm_s = 110}, __VA_ARGS__, (const char *)NULL)

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

/* A small M/M/1 station: short runs for the tests of the folder and the arguments. */
static const char small[] = "name: small\n"
                            "duration: 20s\n"
                            "warmup: 1s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web, rate: 100/s}\n"
                            "  web:\n"
                            "    kind: service\n"
                            "    workers: 2\n"
                            "    service: {dist: exponential, mean: 15ms}\n";

/* ---- queueing theory ---- */

/* Erlang B by the stable recursion, and Erlang C from it: the probability that an arrival
 * at an M/M/c station with a erlangs offered waits (Kleinrock, Queueing Systems I, §3.5). */
static double erlang_c(int c, double a) {
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b / (1 - a / c * (1 - b));
}

static const char mmc[] = "name: mmc_grid\n"
                          "duration: 100s\n"
                          "warmup: 10s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 200/s}\n"
                          "  web:\n"
                          "    kind: service\n"
                          "    workers: 4\n"
                          "    service: {dist: exponential, mean: 10ms}\n";

/* A grid of 5 rates x 4 worker counts (20 configs, utilization 0.29 to 0.8), 10 seeds each
 * (the default). Each config's 95% interval of the mean wait covers Erlang C with probability
 * about 0.95 when the runs are independent and their means near normal, so the number of
 * configs covered is Binomial(20, 0.95) or close; requiring at least its 0.1% lower quantile
 * fails a correct simulator less than once in a thousand runs. Why these lengths suffice: a
 * run measures 90 s, at least 18,000 customers, while the relaxation time of these stations
 * is about 1 s at most (Morse: 1 / (c mu (1 - sqrt(rho))^2) at rho = 0.8, c mu = 400/s), so a
 * run's mean is an average of about 90 nearly independent stretches (near normal) and the 10 s
 * warm-up (10 relaxation times) leaves a bias far below the interval's width. (Runs of 200 s
 * gave intervals sqrt(190 / 90) = 1.45 times narrower for twice the events; the coverage
 * argument holds at either length.) About 15 M events in all: 2.4 s of CPU. */
Test(sweep, mmc_grid_intervals_cover_erlang_c) {
    t_write_work(&sb, "mmc.yaml", mmc);
    static const int rates[] = {200, 230, 260, 290, 320}, workers[] = {4, 5, 6, 7};
    t_result r =
        DSIM("sweep", "mmc.yaml", "--vary", "nodes.users.rate=200/s,230/s,260/s,290/s,320/s",
             "--vary", "nodes.web.workers=4,5,6,7", "--jobs", "2", "--quiet", "--out", "grid");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *s = parse_work("grid/summary.json");
    const cJSON *configs = cJSON_GetObjectItemCaseSensitive(s, "configs");
    const int n = cJSON_GetArraySize(configs);
    cr_assert_eq(n, 20);
    int covered = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(configs, i);
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        cr_assert_str_eq(t_str(c, "id"), id);
        /* Cartesian order, the first axis (rate) slowest. */
        int lambda = rates[i / 4], k = workers[i % 4];
        char want[16];
        snprintf(want, sizeof want, "%d/s", lambda);
        cr_assert_str_eq(t_str(c, "set.nodes.users.rate"), want);
        snprintf(want, sizeof want, "%d", k);
        cr_assert_str_eq(t_str(c, "set.nodes.web.workers"), want);
        const cJSON *m = t_get(t_get(c, "metrics"), "nodes.web.wait_ms.mean");
        cr_assert_eq(t_int(m, "n"), 10);
        const cJSON *ci = t_get(m, "ci95");
        double lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
        double hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
        const double mu = 100;
        double theory = 1000 * erlang_c(k, lambda / mu) / (k * mu - lambda);
        bool in = lo <= theory && theory <= hi;
        covered += in;
        cr_log_info("%s rate %d/s workers %d: mean wait %.4f ms, 95%% [%.4f, %.4f], Erlang C "
                    "%.4f%s",
                    id, lambda, k, t_num(m, "mean"), lo, hi, theory, in ? "" : "  NOT COVERED");
    }
    /* The smallest k with P(X <= k) >= 0.001 for X ~ Binomial(20, 0.95): fewer than k
     * covered happens with probability below 0.001. */
    unsigned q = 0;
    while (gsl_cdf_binomial_P(q, 0.95, (unsigned)n) < 0.001)
        q++;
    cr_log_info("%d of %d configs covered; at least %u required", covered, n, q);
    cr_expect_geq(covered, (int)q, "%d of %d intervals cover Erlang C, fewer than %u", covered, n,
                  q);
    cJSON_Delete(s);
}

/* ---- the overrides record of every run document ---- */

Test(overrides, a_run_document_records_what_each_set_changed) {
    const char *sets[] = {"duration=20s",          "nodes.web.workers=3",
                          "nodes.users.rate=90/s", "nodes.web.service.mean=12ms",
                          "nodes.web.queue=7",     "nodes.web.workers=4"};
    cJSON *doc = t_run_with(small, 1, sets, 6);
    const cJSON *ov = t_get(doc, "overrides");
    /* Keyed by path in the order given; the last --set of a path holds. */
    cr_assert_eq(cJSON_GetArraySize(ov), 5);
    cr_expect_str_eq(ov->child->string, "duration");
    const cJSON *d = t_get(ov, "duration");
    cr_expect_str_eq(t_str(d, "value"), "20s");
    cr_expect_str_eq(t_str(d, "file"), "20s");
    cr_expect_eq(t_num(d, "resolved"), 20000);
    cr_expect_str_eq(t_str(d, "unit"), "ms");
    const cJSON *w = t_get(ov, "nodes.web.workers");
    cr_expect_str_eq(t_str(w, "value"), "4");
    cr_expect_str_eq(t_str(w, "file"), "2", "the file's value, not the first --set's");
    cr_expect_eq(t_num(w, "resolved"), 4);
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(w, "unit"));
    const cJSON *r = t_get(ov, "nodes.users.rate");
    cr_expect_eq(t_num(r, "resolved"), 90);
    cr_expect_str_eq(t_str(r, "unit"), "1/s");
    cr_expect_eq(t_num(t_get(ov, "nodes.web.service.mean"), "resolved"), 12);
    /* A key the file does not have: no file value. */
    const cJSON *q = t_get(ov, "nodes.web.queue");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(q, "file"));
    cr_expect_eq(t_num(q, "resolved"), 7);
    /* The overrides took effect: the record is of what ran. */
    cr_expect_eq(t_num(doc, "duration_s"), 20);
    cJSON_Delete(doc);
    /* No --set, no record: documents without overrides are as they were. */
    doc = t_run(small, 1);
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(doc, "overrides"));
    cJSON_Delete(doc);
}

/* ---- the folder ---- */

/* Sorted names of the files in the working directory's folder dir. */
static char **names_in(const char *dir, size_t *n) {
    char path[4096];
    t_path_in(path, sizeof path, sb.work, dir);
    DIR *d = opendir(path);
    cr_assert(d, "no folder %s", dir);
    size_t cap = 16, k = 0;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (k + 1 >= cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = strdup(e->d_name);
    }
    closedir(d);
    v[k] = NULL;
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
            char *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *n = k;
    return v;
}

static ino_t inode_of(const char *name) {
    char path[4096];
    t_path_in(path, sizeof path, sb.work, name);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "no file %s", name);
    return st.st_ino;
}

static void remove_work(const char *name) {
    char path[4096];
    t_path_in(path, sizeof path, sb.work, name);
    cr_assert_eq(unlink(path), 0, "cannot remove %s", name);
}

#define SMALL_SWEEP(dir, jobs)                                                                     \
    DSIM("sweep", "small.yaml", "--set", "duration=10s", "--vary", "nodes.web.workers=2,3",        \
         "--vary", "nodes.users.rate=80/s,120/s", "--seeds", "3", "--jobs", jobs, "--out", dir)

Test(sweep, writes_every_run_and_a_summary_with_its_figures) {
    t_write_work(&sb, "small.yaml", small);
    t_result r = SMALL_SWEEP("out", "2");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "12 runs (4 configs x 3 seeds): 12 to do"), "%s", r.err);
    t_result_free(&r);
    size_t n;
    char **names = names_in("out/runs", &n);
    cr_assert_eq(n, 12, "%zu run files", n);
    cr_expect_str_eq(names[0], "c0-s1.json");
    cr_expect_str_eq(names[11], "c3-s3.json");
    t_names_free(names);
    /* A run document is the run's own (§7), with its seed and the overrides that made it. */
    cJSON *run = parse_work("out/runs/c2-s3.json");
    cr_expect_eq(t_int(run, "seed"), 3);
    cr_expect_eq(t_num(run, "duration_s"), 10);
    const cJSON *ov = t_get(run, "overrides");
    cr_expect_str_eq(t_str(t_get(ov, "nodes.web.workers"), "value"), "3");
    cr_expect_str_eq(t_str(t_get(ov, "nodes.users.rate"), "value"), "80/s");
    cr_expect_str_eq(t_str(t_get(ov, "duration"), "value"), "10s");
    cJSON *s = parse_work("out/summary.json");
    cr_expect_str_eq(t_str(s, "contract"), "1.1");
    cr_expect_str_eq(t_str(s, "document"), "sweep");
    cr_expect_str_eq(t_str(s, "topology"), "small");
    cr_expect_str_eq(t_str(s, "set.duration"), "10s");
    cr_expect_eq(cJSON_GetArraySize(t_get(s, "seeds")), 3);
    const cJSON *c2 = cJSON_GetArrayItem(t_get(s, "configs"), 2);
    cr_expect_eq(t_int(c2, "runs"), 3);
    const cJSON *metrics = t_get(c2, "metrics");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(metrics, "seed"), "seed is no figure");
    /* Every numeric figure of the run documents is summarised, with the documents' paths;
     * check one against the three documents themselves. */
    double x[3];
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "out/runs/c2-s%d.json", i + 1);
        cJSON *d = parse_work(name);
        x[i] = t_num(d, "nodes.web.utilization");
        cJSON_Delete(d);
    }
    const cJSON *u = t_get(metrics, "nodes.web.utilization");
    double mean = (x[0] + x[1] + x[2]) / 3;
    double sd = sqrt(((x[0] - mean) * (x[0] - mean) + (x[1] - mean) * (x[1] - mean) +
                      (x[2] - mean) * (x[2] - mean)) /
                     2);
    cr_expect(fabs(t_num(u, "mean") - mean) < 1e-12, "mean %g, want %g", t_num(u, "mean"), mean);
    cr_expect(fabs(t_num(u, "stddev") - sd) < 1e-12);
    /* The t law with 2 degrees of freedom has F(t) = 1/2 + t / (2 sqrt(2 + t^2)), so its
     * 97.5% quantile solves t / sqrt(2 + t^2) = 0.95: t = sqrt(2 * 0.95^2 / (1 - 0.95^2)). */
    const double t2 = sqrt(2 * 0.95 * 0.95 / (1 - 0.95 * 0.95));
    double half = t2 * sd / sqrt(3);
    cr_expect(fabs(cJSON_GetArrayItem(t_get(u, "ci95"), 0)->valuedouble - (mean - half)) < 1e-9);
    cr_expect_eq(t_int(u, "n"), 3);
    /* The CSV: a header with the axes, then one row per config and metric. */
    char *csv = t_slurp_work(&sb, "out/summary.csv");
    const char header[] = "config,nodes.web.workers,nodes.users.rate,metric,n,mean,stddev,"
                          "ci95_lo,ci95_hi\n";
    cr_expect(!strncmp(csv, header, sizeof header - 1), "%.200s", csv);
    cr_expect(strstr(csv, "\nc2,3,80/s,nodes.web.utilization,3,"), "no row for c2's utilization");
    free(csv);
    cJSON_Delete(s);
    cJSON_Delete(run);
}

/* A file's `series` goes into each run's document as `dsim run` writes it (the same bytes),
 * and the summary counts no series figure: its interval is an input, its lists no figures. */
Test(sweep, a_files_series_is_in_each_run_document_and_not_in_the_summary) {
    t_write_work(&sb, "small.yaml", small);
    t_result r = DSIM("sweep", "small.yaml", "--set", "series=2s", "--vary",
                      "nodes.web.workers=2,3", "--seeds", "2", "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "small.yaml", "--set", "series=2s", "--set", "nodes.web.workers=3",
             "--seed", "2", "--json", "one.json", "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *run = parse_work("out/runs/c1-s2.json"), *one = parse_work("one.json");
    const cJSON *series = t_get(run, "series");
    cr_assert(cJSON_IsObject(series), "the run document has its series");
    cr_expect_eq(t_num(series, "interval_ms"), 2000);
    cr_expect_eq(cJSON_GetArraySize(t_get(series, "t_ms")), 10);
    cr_expect(cJSON_Compare(series, t_get(one, "series"), true), "as dsim run writes it");
    char *csv = t_slurp_work(&sb, "out/summary.csv");
    cr_expect_null(strstr(csv, ",series."), "no series figure in the summary");
    free(csv);
    cJSON_Delete(run);
    cJSON_Delete(one);
}

Test(sweep, summary_does_not_depend_on_jobs) {
    t_write_work(&sb, "small.yaml", small);
    t_result r = SMALL_SWEEP("one", "1");
    expect_status(&r, 0);
    t_result_free(&r);
    r = SMALL_SWEEP("two", "2");
    expect_status(&r, 0);
    t_result_free(&r);
    const char *files[] = {"summary.json", "summary.csv", "runs/c3-s2.json"};
    for (int i = 0; i < 3; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "one/%s", files[i]);
        snprintf(b, sizeof b, "two/%s", files[i]);
        char *ta = t_slurp_work(&sb, a), *tb = t_slurp_work(&sb, b);
        cr_expect_str_eq(ta, tb, "%s differs between --jobs 1 and --jobs 2", files[i]);
        free(ta);
        free(tb);
    }
}

Test(sweep, resumes_only_the_missing_runs_to_the_same_summary) {
    t_write_work(&sb, "small.yaml", small);
    t_result r = SMALL_SWEEP("out", "2");
    expect_status(&r, 0);
    t_result_free(&r);
    char *before = t_slurp_work(&sb, "out/summary.json");
    char *before_csv = t_slurp_work(&sb, "out/summary.csv");
    size_t n;
    char **names = names_in("out/runs", &n);
    ino_t inodes[12];
    char paths[12][64];
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "out/runs/%s", names[i]);
        inodes[i] = inode_of(paths[i]);
    }
    t_names_free(names);
    /* Remove 3 of the 12 runs and the summary, as a sweep killed before its end leaves it. */
    const size_t gone[] = {1, 6, 11};
    for (size_t i = 0; i < 3; i++)
        remove_work(paths[gone[i]]);
    remove_work("out/summary.json");
    remove_work("out/summary.csv");
    r = SMALL_SWEEP("out", "2");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "3 to do, 9 already complete"), "%s", r.err);
    t_result_free(&r);
    /* The others are the same files (not rewritten: an atomic rewrite is a new inode), the
     * removed ones are back. */
    for (size_t i = 0; i < n; i++) {
        bool redone = i == gone[0] || i == gone[1] || i == gone[2];
        ino_t now = inode_of(paths[i]);
        if (!redone)
            cr_expect_eq(now, inodes[i], "%s was rewritten", paths[i]);
    }
    char *after = t_slurp_work(&sb, "out/summary.json");
    char *after_csv = t_slurp_work(&sb, "out/summary.csv");
    cr_expect_str_eq(after, before, "the resumed summary differs");
    cr_expect_str_eq(after_csv, before_csv, "the resumed CSV differs");
    free(before);
    free(after);
    free(before_csv);
    free(after_csv);
    /* A rerun on a complete folder runs nothing. */
    r = SMALL_SWEEP("out", "2");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "0 to do, 12 already complete"), "%s", r.err);
    t_result_free(&r);
}

Test(sweep, refuses_a_folder_made_otherwise) {
    t_write_work(&sb, "small.yaml", small);
    t_result r = SMALL_SWEEP("out", "2");
    expect_status(&r, 0);
    t_result_free(&r);
    char *summary = t_slurp_work(&sb, "out/summary.json");
    /* Other --set, other axes, other seeds: exit 2, saying what differs, nothing run. */
    r = DSIM("sweep", "small.yaml", "--set", "duration=11s", "--vary", "nodes.web.workers=2,3",
             "--vary", "nodes.users.rate=80/s,120/s", "--seeds", "3", "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--out out: error: the folder was made with other --set options"), "%s",
              r.err);
    t_result_free(&r);
    r = DSIM("sweep", "small.yaml", "--set", "duration=10s", "--vary", "nodes.web.workers=2,3,4",
             "--vary", "nodes.users.rate=80/s,120/s", "--seeds", "3", "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "other --vary axes"), "%s", r.err);
    t_result_free(&r);
    r = DSIM("sweep", "small.yaml", "--set", "duration=10s", "--vary", "nodes.web.workers=2,3",
             "--vary", "nodes.users.rate=80/s,120/s", "--seeds", "2..3", "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "other seeds"), "%s", r.err);
    t_result_free(&r);
    /* The same file name with other content is another topology; a copy under another
     * name with the same content is the same one. */
    char *edited = strdup(small);
    edited[strlen(edited) - 6] = '6'; /* mean: 16ms */
    t_write_work(&sb, "small.yaml", edited);
    free(edited);
    r = SMALL_SWEEP("out", "2");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "made from another topology"), "%s", r.err);
    t_result_free(&r);
    t_write_work(&sb, "small.yaml", small);
    t_write_work(&sb, "copy.yaml", small);
    r = DSIM("sweep", "copy.yaml", "--set", "duration=10s", "--vary", "nodes.web.workers=2,3",
             "--vary", "nodes.users.rate=80/s,120/s", "--seeds", "3", "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    char *again = t_slurp_work(&sb, "out/summary.json");
    cr_expect_str_eq(again, summary);
    free(again);
    free(summary);
    /* A folder holding other things is no sweep's. */
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "other");
    cr_assert_eq(mkdir(path, 0700), 0);
    t_write_work(&sb, "other/notes.txt", "mine");
    r = SMALL_SWEEP("other", "2");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--out other: error: the folder is not a sweep's"), "%s", r.err);
    t_result_free(&r);
}

/* A sweep killed (SIGKILL, no chance to clean up) once its first runs are done: every file
 * under a final name parses whole, and the rerun completes the folder. */
Test(sweep, a_killed_sweep_leaves_no_partial_file_and_resumes) {
    t_write_work(&sb, "small.yaml", small);
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (chdir(sb.work) || dup2(pipefd[1], 2) < 0)
            _exit(127);
        close(pipefd[0]);
        alarm(100);
        execl(getenv("DSIM"), "dsim", "sweep", "small.yaml", "--vary", "duration=5s,3000s",
              "--seeds", "4", "--jobs", "2", "--out", "out", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    /* Waits for the progress line of the third finished run, then kills. The runs of c0 are
     * short (5 s simulated), those of c1 long (3000 s: 300,000 requests each, a good part of
     * a second even on a fast machine), so the sweep is still running when the kill comes. */
    FILE *err = fdopen(pipefd[0], "r");
    char line[512];
    int done = 0;
    while (done < 3 && fgets(line, sizeof line, err))
        done += strstr(line, " done (") != NULL;
    cr_assert_eq(done, 3, "the sweep ended before three runs were done");
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    fclose(err);
    cr_assert(WIFSIGNALED(status), "the sweep finished before it was killed");
    size_t n;
    char **names = names_in("out/runs", &n);
    size_t finals = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        if (len < 5 || strcmp(names[i] + len - 5, ".json"))
            continue; /* a temporary file (NAME.json.tmp.XXXXXX) of the write under way */
        finals++;
        char p[600];
        snprintf(p, sizeof p, "out/runs/%s", names[i]);
        cJSON *d = parse_work(p);
        cr_expect(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(d, "events")), "%s", p);
        cJSON_Delete(d);
    }
    t_names_free(names);
    cr_expect_geq(finals, 3, "the three finished runs are there");
    cr_expect_lt(finals, 8, "every run was complete: the kill came too late to test anything");
    cr_expect(!t_work_has(&sb, "out/summary.json"), "a summary before the end");
    t_result r = DSIM("sweep", "small.yaml", "--vary", "duration=5s,3000s", "--seeds", "4",
                      "--jobs", "2", "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    names = names_in("out/runs", &n);
    cr_expect_eq(n, 8, "the rerun left %zu files in runs/ (temporaries removed)", n);
    t_names_free(names);
    cJSON *s = parse_work("out/summary.json");
    cr_expect_eq(cJSON_GetArraySize(t_get(s, "configs")), 2);
    cJSON_Delete(s);
}

Test(sweep, a_run_that_cannot_be_written_fails_the_sweep) {
    t_write_work(&sb, "small.yaml", small);
    char path[4096];
    t_result r = DSIM("sweep", "small.yaml", "--seeds", "2", "--out", "bad");
    expect_status(&r, 0);
    t_result_free(&r);
    /* A folder where the document of seed 2 must go: a write cannot rename over it. */
    remove_work("bad/runs/c0-s2.json");
    t_path_in(path, sizeof path, sb.work, "bad/runs/c0-s2.json");
    cr_assert_eq(mkdir(path, 0700), 0);
    r = DSIM("sweep", "small.yaml", "--seeds", "2", "--out", "bad");
    expect_status(&r, 1);
    cr_expect(strstr(r.err, "dsim: sweep: run c0-s2 failed"), "%s", r.err);
    cr_expect(strstr(r.err, "1 of 2 runs failed"), "%s", r.err);
    t_result_free(&r);
    cJSON *s = parse_work("bad/summary.json");
    cr_expect_eq(t_int(cJSON_GetArrayItem(t_get(s, "configs"), 0), "runs"), 1,
                 "the summary covers the run that completed");
    cJSON_Delete(s);
}

/* ---- arguments ---- */

/* Expects exit 2 with want in stderr and nothing written (no folder "out"). */
static void expect_refused(t_result r, const char *want) {
    expect_status(&r, 2);
    cr_expect(strstr(r.err, want), "stderr lacks '%s':\n%s", want, r.err);
    cr_expect(!t_work_has(&sb, "out"), "the refused sweep made its folder");
    t_result_free(&r);
}

Test(sweep, argument_errors_are_refused_before_any_run) {
    t_write_work(&sb, "small.yaml", small);
    expect_refused(DSIM("sweep", "small.yaml"), "sweep: error: expected --out DIR");
    expect_refused(DSIM("sweep", "--out", "out"), "sweep: error: expected a topology FILE");
    expect_refused(DSIM("sweep", "small.yaml", "--seeds", "0", "--out", "out"),
                   "--seeds 0: error: expected a count N >= 1");
    expect_refused(DSIM("sweep", "small.yaml", "--seeds", "5..3", "--out", "out"),
                   "--seeds 5..3: error:");
    expect_refused(DSIM("sweep", "small.yaml", "--seeds", "x", "--out", "out"),
                   "--seeds x: error:");
    expect_refused(DSIM("sweep", "small.yaml", "--jobs", "0", "--out", "out"), "--jobs 0: error:");
    expect_refused(DSIM("sweep", "small.yaml", "--seed", "3", "--out", "out"),
                   "--seed: note: did you mean '--seeds'?");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers", "--out", "out"),
                   "--vary nodes.web.workers: error: expected PATH=V1,V2,...");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers=1,,2", "--out", "out"),
                   "--vary nodes.web.workers=1,,2: error: an empty value");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers=1,2,1", "--out", "out"),
                   "the value '1' is given twice");
    expect_refused(DSIM("sweep", "small.yaml", "--set", "nodes.web.workers=3", "--vary",
                        "nodes.web.workers=1,2", "--out", "out"),
                   "nodes.web.workers is also given to --set");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers=1", "--vary",
                        "nodes.web.workers=2", "--out", "out"),
                   "is already an axis");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "seed=1,2", "--out", "out"),
                   "--vary seed=1,2: error: a sweep's seeds are given by --seeds");
    expect_refused(DSIM("sweep", "small.yaml", "--set", "seed=4", "--out", "out"),
                   "--set seed=4: error: a sweep runs every seed of --seeds");
    expect_refused(DSIM("sweep", "small.yaml", "--seeds", "1..100000000", "--out", "out"),
                   "more than 10000000 runs");
    /* A value --set would refuse is refused with --set's own message, before any run. */
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers=2,x", "--out", "out"),
                   "--set nodes.web.workers=x: error: web: workers: expected a whole number");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.web.workers=2,x", "--out", "out"),
                   "--vary nodes.web.workers=2,x: note: the value 'x' of this axis is refused");
    expect_refused(DSIM("sweep", "small.yaml", "--vary", "nodes.webb.workers=2,3", "--out", "out"),
                   "--set nodes.webb.workers=2: error: no key 'webb' in 'nodes'");
    expect_refused(DSIM("sweep", "small.yaml", "--set", "nodes.web.workers=0", "--out", "out"),
                   "--set nodes.web.workers=0: error:");
    expect_refused(DSIM("sweep", "missing.yaml", "--out", "out"), "missing.yaml: error:");
}

/* ---- the summary module ---- */

static cJSON *doc_of(const char *text) {
    cJSON *d = cJSON_Parse(text);
    cr_assert(d, "%s", text);
    return d;
}

Test(sweep_summary, counts_a_metric_over_the_runs_that_have_it) {
    const char *axes[] = {"nodes.web.workers"};
    const char *v0[] = {"2"};
    exp_summary *s = exp_summary_new(axes, 1);
    cr_assert(s);
    cr_assert_eq(exp_summary_config(s, "c0", v0), 0);
    const char *docs[] = {"{\"seed\": 1, \"a\": 1, \"b\": {\"x\": 10}}", "{\"seed\": 2, \"a\": 3}",
                          "{\"seed\": 3, \"a\": 5, \"b\": {\"x\": 20}, \"c\": 7}"};
    for (int i = 0; i < 3; i++) {
        cJSON *d = doc_of(docs[i]);
        cr_assert_eq(exp_summary_add(s, d), 0);
        cJSON_Delete(d);
    }
    exp_summary_head h = {"0.1.0", "t", NULL, NULL, 0, 1, 3};
    char *json = exp_summary_json(s, &h);
    cJSON *j = doc_of(json);
    const cJSON *m = t_get(cJSON_GetArrayItem(t_get(j, "configs"), 0), "metrics");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(m, "seed"));
    cr_expect_eq(t_int(t_get(m, "a"), "n"), 3);
    cr_expect_eq(t_num(t_get(m, "a"), "mean"), 3);
    cr_expect_eq(t_num(t_get(m, "a"), "stddev"), 2);
    cr_expect_eq(t_int(t_get(m, "b.x"), "n"), 2);
    cr_expect_eq(t_num(t_get(m, "b.x"), "mean"), 15);
    const cJSON *c = t_get(m, "c");
    cr_expect_eq(t_int(c, "n"), 1);
    cr_expect(cJSON_IsNull(t_get(c, "ci95")), "n = 1: a null interval");
    cr_expect(cJSON_IsNull(t_get(c, "stddev")), "n = 1: no sample standard deviation");
    /* Metrics in the order first met: a, b.x, c. */
    cr_expect_str_eq(m->child->string, "a");
    cr_expect_str_eq(m->child->next->string, "b.x");
    cr_expect(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(t_get(j, "configs"), 0),
                                               "expect_pass_fraction") == NULL,
              "no expect verdicts, no fraction");
    char *csv = exp_summary_csv(s);
    const char head[] = "config,nodes.web.workers,metric,n,mean,stddev,ci95_lo,ci95_hi\n"
                        "c0,2,a,3,3,2,";
    cr_expect(!strncmp(csv, head, sizeof head - 1), "%s", csv);
    cr_expect(strstr(csv, "\nc0,2,b.x,2,15,"), "%s", csv);
    cr_expect(strstr(csv, "\nc0,2,c,1,7,,,\n"), "n = 1: empty stddev and interval:\n%s", csv);
    /* a: 1, 3, 5: mean 3, s = 2, interval 3 -+ t(0.975; 2) 2 / sqrt(3), the quantile from its
     * closed form (see writes_every_run_and_a_summary_with_its_figures). */
    double lo, hi, half = sqrt(2 * 0.95 * 0.95 / (1 - 0.95 * 0.95)) * 2 / sqrt(3);
    cr_assert_eq(sscanf(csv + sizeof head - 1, "%lf,%lf", &lo, &hi), 2, "%s", csv);
    cr_expect(fabs(lo - (3 - half)) < 1e-12 && fabs(hi - (3 + half)) < 1e-12, "[%.17g, %.17g]", lo,
              hi);
    free(csv);
    free(json);
    cJSON_Delete(j);
    exp_summary_free(s);
}

Test(sweep_summary, expect_pass_fraction_and_csv_quoting) {
    const char *axes[] = {"name"};
    const char *v0[] = {"a \"b\", c"};
    exp_summary *s = exp_summary_new(axes, 1);
    cr_assert_eq(exp_summary_config(s, "c0", v0), 0);
    const char *docs[] = {
        "{\"x\": 1, \"expect\": [{\"metric\": \"x\", \"value\": 1, \"max\": 2, \"ok\": true}]}",
        "{\"x\": 3, \"expect\": [{\"metric\": \"x\", \"value\": 3, \"max\": 2, \"ok\": false}]}",
        "{\"x\": 1, \"expect\": [{\"metric\": \"x\", \"value\": 1, \"max\": 2, \"ok\": true},"
        " {\"metric\": \"y\", \"value\": null, \"min\": 0, \"ok\": false}]}",
        "{\"x\": 2, \"expect\": [{\"metric\": \"x\", \"value\": 2, \"max\": 2, \"ok\": true}]}"};
    for (int i = 0; i < 4; i++) {
        cJSON *d = doc_of(docs[i]);
        cr_assert_eq(exp_summary_add(s, d), 0);
        cJSON_Delete(d);
    }
    exp_summary_head h = {"0.1.0", "t", NULL, NULL, 0, 1, 4};
    char *json = exp_summary_json(s, &h);
    cJSON *j = doc_of(json);
    const cJSON *c0 = cJSON_GetArrayItem(t_get(j, "configs"), 0);
    cr_expect_eq(t_num(c0, "expect_pass_fraction"), 0.5, "2 of 4 runs passed every check");
    cr_expect_eq(t_int(t_get(t_get(c0, "metrics"), "x"), "n"), 4,
                 "the expect list's numbers are no figures (lists are not addressable)");
    char *csv = exp_summary_csv(s);
    cr_expect(!strncmp(csv, "config,name,metric", 18), "%s", csv);
    cr_expect(strstr(csv, "\nc0,\"a \"\"b\"\", c\",x,4,"), "RFC 4180 quoting:\n%s", csv);
    free(csv);
    free(json);
    cJSON_Delete(j);
    exp_summary_free(s);
}

/* ---- warmup: auto and expect: (run_seed.h: each run goes as `dsim run` goes) ---- */

static const char mm1_auto[] = "name: mm1_auto\n"
                               "duration: 1000s\n"
                               "warmup: auto\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 90/s}\n"
                               "  web: {kind: service, workers: 1,\n"
                               "        service: {dist: exponential, mean: 10ms}}\n";

Test(sweep, warmup_auto_is_chosen_by_each_run_as_dsim_run_chooses_it) {
    t_write_work(&sb, "mm1.yaml", mm1_auto);
    t_result r = DSIM("sweep", "mm1.yaml", "--vary", "nodes.web.workers=1,2", "--seeds", "2",
                      "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    static const char *const workers[] = {"1", "2"};
    double total = 0;
    for (int c = 0; c < 2; c++)
        for (int seed = 1; seed <= 2; seed++) {
            char name[64], set[64], seed_text[8];
            snprintf(name, sizeof name, "out/runs/c%d-s%d.json", c, seed);
            snprintf(set, sizeof set, "nodes.web.workers=%s", workers[c]);
            snprintf(seed_text, sizeof seed_text, "%d", seed);
            r = DSIM("run", "mm1.yaml", "--seed", seed_text, "--set", set, "--json", "one.json",
                     "--quiet");
            expect_status(&r, 0);
            t_result_free(&r);
            cJSON *swept = parse_work(name), *alone = parse_work("one.json");
            cr_expect_eq(t_num(swept, "warmup_s"), t_num(alone, "warmup_s"), "%s", name);
            cr_expect(cJSON_Compare(t_get(swept, "warmup_auto"), t_get(alone, "warmup_auto"), 1),
                      "%s: its warmup_auto is not dsim run's", name);
            cr_expect_eq(t_num(swept, "requests.issued"), t_num(alone, "requests.issued"), "%s",
                         name);
            total += t_num(swept, "warmup_s");
            cJSON_Delete(swept);
            cJSON_Delete(alone);
        }
    cr_expect_gt(total, 0, "some run chose a warm-up (none ran with 0 silently)");
}

/* M/M/1 at half load: the response time is exponential with rate mu - lambda = 50/s, so its
 * p99 is ln(100)/50 = 92 ms, far above 70 ms (with ~4750 responses a run's p99 is within a
 * few percent of it). Two workers (M/M/2, Erlang C 0.1): P(T > 70 ms) = e^-7 + 0.1 *
 * P(S + W > 70 ms) ~ 0.0012, so the p99 is near 50 ms, far below 70 ms. Every run of c0 fails,
 * every run of c1 passes. */
static const char half[] = "name: half\n"
                           "duration: 100s\n"
                           "warmup: 5s\n"
                           "nodes:\n"
                           "  users: {kind: client, target: web, rate: 50/s}\n"
                           "  web: {kind: service, workers: 1,\n"
                           "        service: {dist: exponential, mean: 10ms}}\n"
                           "expect:\n"
                           "  - {metric: requests.latency_ms.p99, max: 70}\n";

Test(sweep, expect_is_judged_per_run_into_the_pass_fraction_of_each_config) {
    t_write_work(&sb, "half.yaml", half);
    t_result r = DSIM("sweep", "half.yaml", "--vary", "nodes.web.workers=1,2", "--seeds", "3",
                      "--out", "out");
    expect_status(&r, 0); /* failing expectations are a figure, not the exit status */
    t_result_free(&r);
    cJSON *s = parse_work("out/summary.json");
    const double want[] = {0, 1};
    for (int c = 0; c < 2; c++) {
        int passed = 0;
        for (int seed = 1; seed <= 3; seed++) {
            char name[64];
            snprintf(name, sizeof name, "out/runs/c%d-s%d.json", c, seed);
            cJSON *run = parse_work(name);
            const cJSON *v = cJSON_GetArrayItem(t_get(run, "expect"), 0);
            cr_assert(v, "%s has no expect verdicts", name);
            passed += cJSON_IsTrue(cJSON_GetObjectItem(v, "ok"));
            cJSON_Delete(run);
        }
        const cJSON *cfg = cJSON_GetArrayItem(t_get(s, "configs"), c);
        double f = t_num(cfg, "expect_pass_fraction");
        cr_expect_eq(f, passed / 3.0, "c%d: fraction %g, documents %d of 3", c, f, passed);
        cr_expect_eq(f, want[c], "c%d: fraction %g", c, f);
    }
    cJSON_Delete(s);
}

Test(sweep, an_impossible_expect_path_is_refused_before_any_run) {
    /* line 9 of the file, the value at column 14 */
    t_write_work(&sb, "half.yaml", half);
    t_result r = DSIM("sweep", "half.yaml", "--vary", "nodes.web.workers=1,2", "--seeds", "2",
                      "--set", "expect.0.metric=nodes.web.utilisation", "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "error: expect[0].metric: no run of this topology has "
                            "'nodes.web.utilisation'"),
              "%s", r.err);
    t_result_free(&r);
    t_write_work(&sb, "bad.yaml",
                 "duration: 10s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, rate: 50/s}\n"
                 "  web: {kind: service, service: {dist: constant, value: 1ms}}\n"
                 "expect:\n"
                 "  - {metric: nodes.web.utilisation, max: 1}\n");
    r = DSIM("sweep", "bad.yaml", "--vary", "nodes.web.workers=1,2", "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "bad.yaml:6:14: error: expect[0].metric"), "%s", r.err);
    cr_expect(!strstr(r.err, "done"), "a run ran:\n%s", r.err);
    t_result_free(&r);
    size_t n;
    char **names = t_work_names(&sb, &n);
    cr_expect_eq(n, 2, "only half.yaml and bad.yaml: no folder made, no run written");
    t_names_free(names);
}

Test(sweep, an_expect_path_that_only_some_axis_values_make_is_judged_per_config) {
    /* nodes.web.1 exists only with 2 replicas: the base file (1 replica) alone would refuse
     * it, yet every config of the sweep has it, so the sweep runs. */
    t_write_work(&sb, "r.yaml",
                 "duration: 5s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, rate: 50/s}\n"
                 "  web: {kind: service, service: {dist: constant, value: 1ms}}\n"
                 "expect:\n"
                 "  - {metric: nodes.web.1.utilization, max: 1}\n");
    t_result r =
        DSIM("sweep", "r.yaml", "--vary", "nodes.web.replicas=2,3", "--seeds", "1", "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *s = parse_work("out/summary.json");
    cr_expect_eq(t_num(cJSON_GetArrayItem(t_get(s, "configs"), 1), "expect_pass_fraction"), 1);
    cJSON_Delete(s);
}

/* A folder whose record (sweep.json) is there but cannot be read (here a directory) is
 * refused for that reason: never taken for a folder without a record, nor for a new one. */
Test(sweep, a_record_that_cannot_be_read_is_refused_as_unreadable) {
    t_write_work(&sb, "small.yaml", small);
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "odd");
    cr_assert_eq(mkdir(path, 0700), 0);
    t_path_in(path, sizeof path, sb.work, "odd/sweep.json");
    cr_assert_eq(mkdir(path, 0700), 0);
    t_result r = SMALL_SWEEP("odd", "1");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--out odd: error: cannot read odd/sweep.json: "), "%s", r.err);
    t_result_free(&r);
}

/* The one whole-file reader (sim/file_read.h): the bytes as written, NUL-terminated; a file
 * over the bound refused with EFBIG after reading one byte past it (so /dev/zero ends); a
 * missing one with fopen's ENOENT. */
Test(sweep, the_file_reader_returns_the_whole_file_or_null_with_errno) {
    t_write_work(&sb, "f.txt", "0123456789");
    char path[4096];
    t_path_in(path, sizeof path, sb.work, "f.txt");
    size_t len = 0;
    char *text = sim_read_file(path, 10, &len);
    cr_assert(text);
    cr_expect_eq(len, 10);
    cr_expect_str_eq(text, "0123456789");
    free(text);
    errno = 0;
    cr_expect_null(sim_read_file(path, 9, &len));
    cr_expect_eq(errno, EFBIG);
    errno = 0;
    cr_expect_null(sim_read_file("/dev/zero", 1 << 20, NULL));
    cr_expect_eq(errno, EFBIG);
    t_path_in(path, sizeof path, sb.work, "none.txt");
    errno = 0;
    cr_expect_null(sim_read_file(path, 10, NULL));
    cr_expect_eq(errno, ENOENT);
}
