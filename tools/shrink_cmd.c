/* dsim shrink (shrink_cmd.h). */
#include "shrink_cmd.h"

#include "arg_error.h"
#include "budget.h"
#include "faults_yaml.h"
#include "loader.h"
#include "models.h"
#include "nemesis.h"
#include "run_options.h"
#include "shrink.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_INPUT = 2, EXIT_EXPECT = 3, EXIT_BUDGET = 4 };

typedef struct shrink_args {
    const char *file, *max_runs_arg, *max_events_arg, *max_wall_arg;
    dsim_run_options run; /* --seed, --set */
    bool quiet;
    uint64_t max_runs, max_events;
    double max_wall; /* seconds; 0: none */
} shrink_args;

static int parse(int argc, char **argv, shrink_args *a) {
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        bool has_value = i + 1 < argc;
        int taken = dsim_run_option(argc, argv, &i, &a->run);
        if (taken >= 0) {
            if (taken)
                return taken;
        } else if (strcmp(s, "--max-runs") == 0 || strcmp(s, "--max-events") == 0) {
            if (!has_value)
                return dsim_bad_arg(s, NULL, "expected a whole number >= 1 after it");
            bool runs = s[6] == 'r';
            const char *v = argv[++i];
            if (dsim_parse_count(v, runs ? &a->max_runs : &a->max_events))
                return dsim_bad_option_value(s, v, "expected a whole number >= 1");
            *(runs ? &a->max_runs_arg : &a->max_events_arg) = v;
        } else if (strcmp(s, "--max-wall") == 0) {
            if (!has_value)
                return dsim_bad_arg(s, NULL, "expected a duration > 0 such as 90s or 5m after it");
            a->max_wall_arg = argv[++i];
            if (dsim_parse_wall(a->max_wall_arg, &a->max_wall))
                return dsim_bad_option_value(s, a->max_wall_arg,
                                             "expected a duration > 0 such as 90s or 5m");
        } else if (strcmp(s, "--quiet") == 0) {
            a->quiet = true;
        } else if (s[0] == '-' && s[1] != '\0') {
            static const char *const known[] = {"--seed",       "--set",      "--max-runs",
                                                "--max-events", "--max-wall", "--quiet",
                                                NULL};
            return dsim_unknown_word(s, "option of dsim shrink", known);
        } else if (!a->file) {
            a->file = s;
        } else {
            return dsim_bad_arg(s, dsim_see_help, "unexpected argument: the topology FILE is '%s'",
                                a->file);
        }
    }
    if (!a->file)
        return dsim_bad_arg("shrink", dsim_see_help, "expected a topology FILE");
    return EXIT_OK;
}

/* What each test needs: the topology, the seed, the drawn faults, the budget. */
typedef struct shrink_ctx {
    const shrink_args *args;
    const sim_topology *topo;
    uint64_t seed;
    const exp_run_options *ro;
    const sim_fault *drawn;
    size_t ndrawn, runs;
    struct timespec began; /* for --max-wall */
    exp_run_status stopped; /* why a test said stop */
    char why[512];
} shrink_ctx;

/* Seconds of wall-clock time since t. */
static double wall_since(const struct timespec *t) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) * 1e-9;
}

/* A test of ddmin: 1 when the run with written + drawn[subset] fails an expect as the
 * original did, 0 when it meets them all (or stops another way: not the same failure). */
static int test_subset(void *ud, const size_t *subset, size_t n) {
    shrink_ctx *c = ud;
    if (c->args->max_runs && c->runs >= c->args->max_runs) {
        c->stopped = EXP_RUN_BUDGET;
        snprintf(c->why, sizeof c->why, "--max-runs %s", c->args->max_runs_arg);
        return -1;
    }
    /* --max-wall is checked between runs: a run under way finishes (--max-events bounds it). */
    if (c->args->max_wall > 0 && wall_since(&c->began) >= c->args->max_wall) {
        c->stopped = EXP_RUN_BUDGET;
        snprintf(c->why, sizeof c->why, "--max-wall %s", c->args->max_wall_arg);
        return -1;
    }
    c->runs++;
    exp_run_status s =
        exp_shrink_run(c->topo, c->seed, c->ro, c->drawn, subset, n, c->why, sizeof c->why);
    if (s != EXP_RUN_OK && s != EXP_RUN_EXPECT_FAILED && s != EXP_RUN_STALLED) {
        c->stopped = s;
        return -1;
    }
    if (!c->args->quiet)
        fprintf(stderr, "dsim shrink: run %zu: %zu of %zu drawn faults: %s\n", c->runs, n,
                c->ndrawn,
                s == EXP_RUN_EXPECT_FAILED ? "an expect fails"
                : s == EXP_RUN_OK          ? "every expect holds"
                                           : "the run stalls (not the same failure)");
    return s == EXP_RUN_EXPECT_FAILED;
}

/* The expects the original run failed, one note each. */
static void say_failed(const char *file, const cJSON *doc) {
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "expect")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "ok")))
            continue;
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "metric");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, "value");
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(v, "min");
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(v, "max");
        fprintf(stderr, "%s: note: expect %s", file, cJSON_IsString(m) ? m->valuestring : "?");
        if (cJSON_IsNumber(x))
            fprintf(stderr, " = %.6g", x->valuedouble);
        else
            fputs(" has no value", stderr);
        if (cJSON_IsNumber(lo))
            fprintf(stderr, ", min %.6g", lo->valuedouble);
        if (cJSON_IsNumber(hi))
            fprintf(stderr, ", max %.6g", hi->valuedouble);
        fputs(": failed\n", stderr);
    }
}

/* The block to paste: the written faults, then the kept drawn ones, each marked. */
static int print_block(const shrink_args *a, const sim_topology *t, uint64_t seed,
                       const sim_fault *drawn, const size_t *kept, size_t nkept, size_t ndrawn,
                       bool minimal) {
    printf("# dsim shrink %s --seed %llu: %zu of the %zu faults the nemesis drew%s\n", a->file,
           (unsigned long long)seed, nkept, ndrawn,
           minimal ? " (1-minimal: without any one of them every expect holds)"
                   : " (not shrunk to the end)");
    printf("# replace the file's faults: with this list and remove its nemesis:\n");
    fputs("faults:\n", stdout);
    for (size_t i = 0; i < t->nfaults; i++) {
        fputs("  - ", stdout);
        dsim_fault_yaml(stdout, &t->faults[i]);
        fputs("  # written\n", stdout);
    }
    for (size_t i = 0; i < nkept; i++) {
        fputs("  - ", stdout);
        dsim_fault_yaml(stdout, &drawn[kept[i]]);
        printf("  # nemesis[%u]\n", drawn[kept[i]].rule);
    }
    return fflush(stdout) || ferror(stdout) ? -1 : 0;
}

/* Words a run's failure for the exit status. */
static int run_failed(const char *file, exp_run_status s, const char *why, const sim_diag *d) {
    switch (s) {
    case EXP_RUN_BAD_PATH:
        for (size_t i = 0; d && i < sim_diag_count(d); i++)
            fprintf(stderr, "%s\n", sim_diag_message(d, i));
        return EXIT_INPUT;
    case EXP_RUN_REFUSED:
        fprintf(stderr, "%s: error: warmup: auto refused the run (dsim run says why)\n", file);
        return EXIT_INPUT;
    case EXP_RUN_STALLED:
        fprintf(stderr, "%s: error: the run stopped: %s\n", file, why);
        return EXIT_INPUT;
    case EXP_RUN_BUDGET:
        fprintf(stderr, "dsim shrink: a --max-events budget stopped a run: %s\n", why);
        return EXIT_BUDGET;
    default:
        fprintf(stderr, "dsim shrink: the run failed: %s\n", why);
        return EXIT_INTERNAL;
    }
}

static int shrink(const shrink_args *a, const sim_topology *t) {
    uint64_t seed = a->run.has_seed ? a->run.seed : t->seed;
    if (!t->nnemesis) {
        fprintf(stderr,
                "%s: error: the topology has no nemesis: rules: no drawn faults to "
                "shrink\n",
                a->file);
        fprintf(stderr, "%s: note: docs/faults.md, \"The nemesis\", says how to write them\n",
                a->file);
        return EXIT_INPUT;
    }
    if (!t->nexpects) {
        fprintf(stderr, "%s: error: the topology has no expect: entries: no run can fail\n",
                a->file);
        return EXIT_INPUT;
    }
    sim_arena *arena = sim_arena_new();
    sim_fault *drawn = NULL;
    size_t ndrawn = 0;
    if (!arena || sim_nemesis_draw(t, seed, arena, &drawn, &ndrawn)) {
        sim_arena_free(arena);
        fputs("dsim shrink: out of memory drawing the nemesis's faults\n", stderr);
        return EXIT_INTERNAL;
    }
    exp_run_options ro = {.max_events = a->max_events, .summary_only = true};
    int status = EXIT_INTERNAL;
    size_t *all = malloc((ndrawn ? ndrawn : 1) * sizeof *all);
    size_t *kept = malloc((ndrawn ? ndrawn : 1) * sizeof *kept);
    sim_diag *diag = sim_diag_new(a->file);
    if (!all || !kept || !diag) {
        fputs("dsim shrink: out of memory\n", stderr);
        goto out;
    }
    for (size_t i = 0; i < ndrawn; i++)
        all[i] = i;
    /* The run as dsim run makes it, nemesis and all (--max-wall counts from here). */
    struct timespec began;
    clock_gettime(CLOCK_MONOTONIC, &began);
    exp_run_outcome r;
    exp_run_status s = exp_run_seed(t, seed, &ro, diag, &r);
    if (s == EXP_RUN_EXPECT_FAILED && !a->quiet)
        say_failed(a->file, r.doc);
    cJSON_Delete(r.doc);
    sim_engine_free(r.engine);
    if (s == EXP_RUN_OK) {
        fprintf(stderr,
                "dsim shrink: seed %llu meets every expect with the %zu faults the nemesis "
                "drew: nothing to shrink\n",
                (unsigned long long)seed, ndrawn);
        status = EXIT_OK;
        goto out;
    }
    if (s != EXP_RUN_EXPECT_FAILED) {
        status = run_failed(a->file, s, r.why, diag);
        goto out;
    }
    fprintf(stderr,
            "dsim shrink: seed %llu fails an expect with %zu drawn faults (and %zu "
            "written); shrinking\n",
            (unsigned long long)seed, ndrawn, t->nfaults);
    shrink_ctx c = {.args = a,
                    .topo = t,
                    .seed = seed,
                    .ro = &ro,
                    .drawn = drawn,
                    .ndrawn = ndrawn,
                    .began = began};
    /* The replay of every drawn fault as written must be the same run (docs/faults.md): a
     * shrink of a run that differs would prove nothing. */
    int v = test_subset(&c, all, ndrawn);
    if (v == 0) {
        fprintf(stderr, "dsim shrink: the drawn faults written as faults: do not replay the "
                        "failing run: a bug of dsim\n");
        goto out;
    }
    int empty = v < 0 ? -1 : test_subset(&c, NULL, 0);
    size_t nkept = 0, tests = 0;
    int rc = 0;
    if (empty == 1) {
        fprintf(stderr, "dsim shrink: the written faults alone fail an expect: no drawn fault "
                        "is needed\n");
    } else if (empty == 0) {
        rc = exp_ddmin(ndrawn, test_subset, &c, kept, &nkept, &tests);
    } else {
        rc = -1;
    }
    if (v < 0 || empty < 0) {
        memcpy(kept, all, ndrawn * sizeof *kept);
        nkept = ndrawn;
    }
    if (rc == -2) {
        fputs("dsim shrink: out of memory\n", stderr);
        goto out;
    }
    if (rc == -1 && c.stopped != EXP_RUN_BUDGET) {
        status = run_failed(a->file, c.stopped, c.why, diag);
        goto out;
    }
    fprintf(stderr, "dsim shrink: %zu drawn faults -> %zu kept%s, %zu runs\n", ndrawn, nkept,
            rc ? "" : " (1-minimal)", c.runs + 1);
    if (rc == -1)
        fprintf(stderr, "dsim shrink: %s stopped the shrink: the list is not minimal\n", c.why);
    if (print_block(a, t, seed, drawn, kept, nkept, ndrawn, rc == 0)) {
        fputs("dsim shrink: the list could not be written to stdout\n", stderr);
        goto out;
    }
    status = rc ? EXIT_BUDGET : EXIT_EXPECT;
out:
    sim_diag_free(diag);
    free(all);
    free(kept);
    sim_arena_free(arena);
    return status;
}

int dsim_shrink_command(int argc, char **argv) {
    shrink_args a = {0};
    if (!(a.run.sets = calloc((size_t)argc, sizeof *a.run.sets))) {
        fputs("dsim: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    int status = parse(argc, argv, &a);
    if (status == EXIT_OK) {
        sim_diag *diag = sim_diag_new(a.file);
        sim_topology *t =
            diag ? sim_load_file(a.file, a.run.sets, a.run.nsets, dsim_kinds, diag) : NULL;
        for (size_t i = 0; diag && i < sim_diag_count(diag); i++)
            fprintf(stderr, "%s\n", sim_diag_message(diag, i));
        status = !diag ? EXIT_INTERNAL : t ? shrink(&a, t) : EXIT_INPUT;
        sim_topology_free(t);
        sim_diag_free(diag);
    }
    free(a.run.sets);
    return status;
}
