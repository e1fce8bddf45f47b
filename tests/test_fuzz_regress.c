/* Replays the fuzz harness's regression corpus (tests/fuzz/regress/: every input that ever
 * crashed, hung or leaked in the fuzzer) and the examples through the same bounded path as the
 * libFuzzer target, in the ordinary build; under the sanitizer build a leak or undefined
 * behaviour fails the suite too. Each saved input sits in the folder of the outcome it must
 * have (refused/, too_big/, ran/, ...: the harness's outcome names), so that a regression
 * letting a refused input load, or a capped one run, fails here and not only a crash. */
#include "footprint.h"
#include "fuzz/harness.h"
#include "loader.h"
#include "models.h"
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads the whole file at path (it may hold NUL bytes) into a new buffer; *len is its size. */
static uint8_t *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size + 1);
    cr_assert(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size, "cannot read %s", path);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Judges the outcome o of file name (data, len bytes); want is what replay was given. */
typedef void (*each_fn)(const char *name, const uint8_t *data, size_t len, dsim_fuzz_outcome o,
                        dsim_fuzz_outcome want);

/* Runs every regular file of $DSIM_SOURCE/dir (in name order) through the harness, calling
 * check with its outcome. Returns how many files it ran. */
static int replay(const char *dir, each_fn check, dsim_fuzz_outcome want) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src, "DSIM_SOURCE is not set (run through meson test)");
    char path[4096];
    t_path_in(path, sizeof path, src, dir);
    struct dirent **list;
    int count = scandir(path, &list, NULL, alphasort);
    cr_assert_geq(count, 0, "cannot list %s", path);
    int ran = 0;
    for (int i = 0; i < count; i++) {
        const char *name = list[i]->d_name;
        if (name[0] != '.') {
            char file[8192];
            t_path_in(file, sizeof file, path, name);
            size_t len;
            uint8_t *data = read_bytes(file, &len);
            /* Said before the run, so that a crash or a timeout names its input in the log. */
            cr_log_info("%s/%s: %zu bytes", dir, name, len);
            dsim_fuzz_outcome o = dsim_fuzz_one(data, len);
            cr_log_info("%s/%s: %s", dir, name, dsim_fuzz_outcome_name(o));
            check(name, data, len, o, want);
            free(data);
            ran++;
        }
        free(list[i]);
    }
    free(list);
    return ran;
}

#define EXPECT_TAG "# expect: "

/* The fragment of a line "# expect: FRAGMENT" (the first such line: the first line of the
 * file, or its last when the first bytes are the point, as in stray_bom.yaml), copied into
 * out; false when there is none. */
static bool expected_fragment(const uint8_t *data, size_t len, char *out, size_t size) {
    size_t tag = strlen(EXPECT_TAG);
    for (size_t i = 0; i + tag <= len; i++) {
        if ((i > 0 && data[i - 1] != '\n') || memcmp(data + i, EXPECT_TAG, tag) != 0)
            continue;
        size_t end = i + tag;
        while (end < len && data[end] != '\n' && data[end] != '\r')
            end++;
        size_t n = end - i - tag;
        cr_assert_lt(n, size, "an expected fragment of %zu bytes", n);
        memcpy(out, data + i + tag, n);
        out[n] = '\0';
        return n > 0;
    }
    return false;
}

/* The loader's first message on data (as the harness loads it), copied into out. */
static void first_message(const uint8_t *data, size_t len, char *out, size_t size) {
    sim_diag *d = sim_diag_new("fuzz.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("fuzz.yaml", (const char *)data, len, NULL, 0, dsim_kinds, d);
    sim_topology_free(t);
    snprintf(out, size, "%s", sim_diag_count(d) > 0 ? sim_diag_message(d, 0) : "");
    sim_diag_free(d);
}

/* The outcome a folder of tests/fuzz/regress stands for: its name is the outcome's word with
 * '_' for ' ' (too_big for "too big"). */
static bool outcome_of_folder(const char *folder, dsim_fuzz_outcome *o) {
    for (int i = DSIM_FUZZ_TOO_LONG; i <= DSIM_FUZZ_RAN; i++) {
        const char *word = dsim_fuzz_outcome_name((dsim_fuzz_outcome)i);
        size_t n = strlen(word);
        bool same = strlen(folder) == n;
        for (size_t j = 0; same && j < n; j++)
            same = folder[j] == (word[j] == ' ' ? '_' : word[j]);
        if (same) {
            *o = (dsim_fuzz_outcome)i;
            return true;
        }
    }
    return false;
}

/* Exactly the folder's outcome (expected); a refused input also with its "# expect: " fragment in
 * the loader's first message. */
static void has_the_expected_outcome(const char *name, const uint8_t *data, size_t len,
                                     dsim_fuzz_outcome o, dsim_fuzz_outcome expected) {
    cr_expect_eq(o, expected, "%s: %s, expected %s", name, dsim_fuzz_outcome_name(o),
                 dsim_fuzz_outcome_name(expected));
    if (expected != DSIM_FUZZ_REFUSED)
        return;
    char want[256], got[4096];
    cr_expect(expected_fragment(data, len, want, sizeof want),
              "%s: a refused input needs a line '" EXPECT_TAG "FRAGMENT' (its first error)", name);
    first_message(data, len, got, sizeof got);
    cr_expect(strstr(got, want) != NULL, "%s: the first error is\n  %s\nnot one with '%s'", name,
              got, want);
}

/* The assertion is the outcome, and the run itself: a crash, an assertion, a sanitizer
 * report or a hang (the timeout; the harness bounds each run, so the whole corpus takes
 * seconds) fails the test. A file directly in regress/ or in a folder that is no outcome's
 * fails it too: every input says what it must do. */
Test(fuzz_regress, every_saved_input_has_its_expected_outcome, .timeout = 240) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src, "DSIM_SOURCE is not set (run through meson test)");
    char path[4096];
    t_path_in(path, sizeof path, src, "tests/fuzz/regress");
    struct dirent **list;
    int count = scandir(path, &list, NULL, alphasort);
    cr_assert_geq(count, 0, "cannot list %s", path);
    int ran = 0, refused = 0;
    dsim_fuzz_outcome expected;
    for (int i = 0; i < count; i++) {
        const char *name = list[i]->d_name;
        char sub[8192];
        t_path_in(sub, sizeof sub, path, name);
        struct stat st;
        if (name[0] != '.') {
            cr_assert_eq(stat(sub, &st), 0, "cannot stat %s", sub);
            cr_expect(S_ISDIR(st.st_mode) && outcome_of_folder(name, &expected),
                      "tests/fuzz/regress/%s: not a folder named after an outcome (refused, "
                      "too_big, failed, cut_short, ran)",
                      name);
        }
        if (name[0] != '.' && S_ISDIR(st.st_mode) && outcome_of_folder(name, &expected)) {
            snprintf(sub, sizeof sub, "tests/fuzz/regress/%s", name);
            int n = replay(sub, has_the_expected_outcome, expected);
            ran += n;
            refused += expected == DSIM_FUZZ_REFUSED ? n : 0;
        }
        free(list[i]);
    }
    free(list);
    cr_expect_gt(refused, 0, "tests/fuzz/regress/refused is empty");
    cr_expect_gt(ran, refused, "only refused inputs in tests/fuzz/regress");
}

/* want: unused (any outcome past the caps will do). */
static void reaches_the_engine(const char *name, const uint8_t *data, size_t len,
                               dsim_fuzz_outcome o, dsim_fuzz_outcome want) {
    (void)data, (void)len, (void)want;
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 5, ".yaml") != 0)
        return;
    cr_expect(o == DSIM_FUZZ_RAN || o == DSIM_FUZZ_CUT_SHORT,
              "%s: %s; the fuzzer's seeds must get past the caps to the engine", name,
              dsim_fuzz_outcome_name(o));
}

/* The examples and tests/fuzz/corpus seed the fuzzer: if the caps kept one from running, the
 * fuzzer would explore the engine and the models only from what it finds by itself. */
Test(fuzz_regress, every_seed_gets_past_the_caps, .timeout = 240) {
    int ran = replay("topologies", reaches_the_engine, DSIM_FUZZ_RAN);
    cr_expect_geq(ran, 5, "only %d examples", ran);
    ran = replay("tests/fuzz/corpus", reaches_the_engine, DSIM_FUZZ_RAN);
    cr_expect_gt(ran, 0, "tests/fuzz/corpus is empty");
}

static const char small[] = "duration: 10s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web, rate: 50/s}\n"
                            "  web: {kind: service, workers: %d, replicas: %d,\n"
                            "        service: {dist: exponential, mean: 10ms}}\n";

static dsim_fuzz_outcome run_small(int workers, int replicas) {
    char yaml[512];
    int n = snprintf(yaml, sizeof yaml, small, workers, replicas);
    return dsim_fuzz_one((const uint8_t *)yaml, (size_t)n);
}

static const char closed[] = "duration: 10s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, users: %ld}\n"
                             "  web: {kind: service, service: {dist: exponential, mean: 1ms}}\n";

/* The memory estimate of closed with users users. */
static double closed_estimate(long users) {
    char yaml[512];
    snprintf(yaml, sizeof yaml, closed, users);
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "%ld users do not load", users);
    double bytes = sim_footprint_estimate(t).bytes;
    sim_topology_free(t);
    return bytes;
}

static dsim_fuzz_outcome run_closed(long users) {
    char yaml[512];
    int n = snprintf(yaml, sizeof yaml, closed, users);
    return dsim_fuzz_one((const uint8_t *)yaml, (size_t)n);
}

Test(fuzz_regress, caps_apply_to_instances_and_the_memory_estimate, .timeout = 120) {
    cr_expect_eq(run_small(4, 2), DSIM_FUZZ_RAN);
    cr_expect_eq(run_small(4, DSIM_FUZZ_MAX_INSTANCES), DSIM_FUZZ_TOO_BIG,
                 "1 client and %d replicas", DSIM_FUZZ_MAX_INSTANCES);
    /* A million workers (the most a service has) are about 23 MiB: one replica runs, two are
     * over the cap. */
    cr_expect_eq(run_small(1000 * 1000, 1), DSIM_FUZZ_RAN, "1 million workers");
    cr_expect_eq(run_small(1000 * 1000, 2), DSIM_FUZZ_TOO_BIG, "2 x 1 million workers");
    /* The cap is the estimate itself: the most closed-loop users under it (found by bisection;
     * the estimate grows with them) run, one more is only loaded. */
    long lo = 1, hi = 1;
    while (closed_estimate(hi) <= DSIM_FUZZ_MAX_BYTES)
        hi *= 2;
    while (hi - lo > 1) {
        long mid = lo + (hi - lo) / 2;
        *(closed_estimate(mid) <= DSIM_FUZZ_MAX_BYTES ? &lo : &hi) = mid;
    }
    cr_log_info("at most %ld closed-loop users under the cap", lo);
    cr_expect_gt(lo, 1000, "the cap leaves room for %ld users only", lo);
    dsim_fuzz_outcome o = run_closed(lo);
    cr_expect(o == DSIM_FUZZ_RAN || o == DSIM_FUZZ_CUT_SHORT, "%ld users: %s", lo,
              dsim_fuzz_outcome_name(o));
    cr_expect_eq(run_closed(hi), DSIM_FUZZ_TOO_BIG, "%ld users", hi);
}

Test(fuzz_regress, long_runs_are_cut_at_the_event_budget) {
    /* 10 s at 50/s is about 2,000 events; 10,000 s is about 2 million, over the budget. */
    const char *yaml = "duration: 10000s\n"
                       "nodes:\n"
                       "  users: {kind: client, target: web, rate: 50/s}\n"
                       "  web: {kind: service, service: {dist: exponential, mean: 1ms}}\n";
    cr_expect_eq(dsim_fuzz_one((const uint8_t *)yaml, strlen(yaml)), DSIM_FUZZ_CUT_SHORT);
}

Test(fuzz_regress, overlong_input_is_ignored) {
    size_t len = DSIM_FUZZ_MAX_INPUT + 1;
    uint8_t *data = malloc(len);
    cr_assert(data);
    memset(data, '#', len);
    cr_expect_eq(dsim_fuzz_one(data, len), DSIM_FUZZ_TOO_LONG);
    cr_expect_eq(dsim_fuzz_one(data, len - 1), DSIM_FUZZ_REFUSED, "a file of only a comment");
    free(data);
}
