/* `mpirun -np 2 dsim sweep ...` (experiments/sweep_mpi.h) through the built executable: the
 * folder two ranks write is byte for byte the one a local sweep writes, a resumed two-rank
 * sweep redoes only the missing runs, and a refused config stops every rank, said once. Each
 * mpirun is bounded by timeout(1) (TERM after 150 s, KILL 10 s later: mpirun passes TERM to
 * its ranks) under the sandbox's alarm, so a misbehaving MPI cannot hang the suite. Without
 * MPI in dsim or without mpirun the tests say "skipped: ..." and pass. */
#include "sandbox.h"
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static t_sandbox sb;

static void setup(void) {
    t_sandbox_open(&sb, "sweep_mpi");
    /* Containers often forbid the cross-memory attach of Open MPI's shared-memory transport
     * (a warning per rank); copying through the shared segment works everywhere. */
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
    /* Under the sanitizers, Open MPI's own leaks are suppressed (tests/lsan_mpi.supp), which
     * needs whole stacks: its plugins are built without frame pointers. */
    const char *asan = getenv("ASAN_OPTIONS");
    if (asan) {
        char opts[1024], supp[1024];
        snprintf(opts, sizeof opts, "%s:fast_unwind_on_malloc=0", asan);
        snprintf(supp, sizeof supp, "suppressions=%s/tests/lsan_mpi.supp",
                 getenv("DSIM_SOURCE") ? getenv("DSIM_SOURCE") : ".");
        setenv("ASAN_OPTIONS", opts, 1);
        setenv("LSAN_OPTIONS", supp, 1);
    }
}
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(sweep_mpi, .init = setup, .fini = teardown, .timeout = 400);

#define DSIM(...) t_dsim(&sb, (t_limits){.alarm_s = 170}, __VA_ARGS__, (const char *)NULL)
#define MPIRUN(...)                                                                                \
    t_exec(&sb, (t_limits){.alarm_s = 170}, "timeout", "-k", "10", "150", "mpirun",                \
           "--oversubscribe", "--allow-run-as-root", "-np", "2", getenv("DSIM"), __VA_ARGS__,      \
           (const char *)NULL)

/* The small sweep of every test: 2 configs x 3 seeds of 40 s each. */
#define SWEEP_ARGS                                                                                 \
    "sweep", "mmc.yaml", "--set", "duration=40s", "--set", "warmup=5s", "--vary",                  \
        "nodes.pool.workers=4,5", "--seeds", "3"

static const char *const run_files[] = {"c0-s1.json", "c0-s2.json", "c0-s3.json",
                                        "c1-s1.json", "c1-s2.json", "c1-s3.json"};

/* Whether this build has MPI and mpirun is there; when not, says why on stderr. */
static bool mpi_ready(void) {
    t_result r = DSIM("--version");
    bool built = r.status == 0 && strstr(r.out, "MPI: Open MPI");
    t_result_free(&r);
    const char *why = !built ? "dsim is built without MPI (meson option -Dmpi; libopenmpi-dev)"
                      : system("command -v mpirun >/dev/null 2>&1") != 0
                          ? "mpirun is not installed (Debian: openmpi-bin)"
                          : NULL;
    if (why) /* (cr_skip_test makes criterion exit 1 under the sanitizers) */
        fprintf(stderr, "sweep_mpi: skipped: %s\n", why);
    return why == NULL;
}

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

static void expect_same_file(const char *a, const char *b) {
    char *x = t_slurp_work(&sb, a), *y = t_slurp_work(&sb, b);
    cr_expect(strcmp(x, y) == 0, "%s and %s differ", a, b);
    free(x);
    free(y);
}

/* Every file of the folder a against b's: sweep.json, the summary and each run. */
static void expect_same_folder(const char *a, const char *b) {
    static const char *const top[] = {"sweep.json", "summary.json", "summary.csv"};
    char pa[256], pb[256];
    for (size_t i = 0; i < 3; i++) {
        snprintf(pa, sizeof pa, "%s/%s", a, top[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, top[i]);
        expect_same_file(pa, pb);
    }
    for (size_t i = 0; i < 6; i++) {
        snprintf(pa, sizeof pa, "%s/runs/%s", a, run_files[i]);
        snprintf(pb, sizeof pb, "%s/runs/%s", b, run_files[i]);
        expect_same_file(pa, pb);
    }
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

Test(sweep_mpi, two_ranks_write_the_folder_a_local_sweep_writes) {
    if (!mpi_ready())
        return;
    char *mmc = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", mmc);
    free(mmc);
    t_result r = DSIM(SWEEP_ARGS, "--jobs", "2", "--out", "local");
    expect_status(&r, 0);
    t_result_free(&r);
    /* The same cores in all (2): one job on each of two ranks. */
    r = MPIRUN(SWEEP_ARGS, "--jobs", "1", "--out", "ranks");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "6 to do, 0 already complete, on 2 MPI ranks x 1 jobs"), "%s", r.err);
    cr_expect(strstr(r.err, "sweep: wrote ranks/summary.json"), "%s", r.err);
    /* rank 0 alone speaks: the summary line once */
    const char *once = strstr(r.err, "sweep: wrote");
    cr_expect(once && !strstr(once + 1, "sweep: wrote"), "%s", r.err);
    t_result_free(&r);
    expect_same_folder("local", "ranks");
}

Test(sweep_mpi, a_resumed_two_rank_sweep_redoes_only_the_missing_runs) {
    if (!mpi_ready())
        return;
    char *mmc = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", mmc);
    free(mmc);
    t_result r = MPIRUN(SWEEP_ARGS, "--jobs", "1", "--out", "out");
    expect_status(&r, 0);
    t_result_free(&r);
    char *summary = t_slurp_work(&sb, "out/summary.json");
    char *csv = t_slurp_work(&sb, "out/summary.csv");
    ino_t kept = inode_of("out/runs/c0-s1.json"), kept2 = inode_of("out/runs/c1-s2.json");
    remove_work("out/runs/c0-s2.json");
    remove_work("out/runs/c1-s3.json");
    remove_work("out/summary.json");
    remove_work("out/summary.csv");
    r = MPIRUN(SWEEP_ARGS, "--jobs", "1", "--out", "out");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "6 runs (2 configs x 3 seeds): 2 to do, 4 already complete"), "%s",
              r.err);
    cr_expect(strstr(r.err, "c0-s2 done") && strstr(r.err, "c1-s3 done"), "%s", r.err);
    cr_expect(!strstr(r.err, "c0-s1 done"), "%s", r.err);
    t_result_free(&r);
    /* the complete runs were not rewritten (a rename would give a new inode) */
    cr_expect_eq(inode_of("out/runs/c0-s1.json"), kept);
    cr_expect_eq(inode_of("out/runs/c1-s2.json"), kept2);
    char *again = t_slurp_work(&sb, "out/summary.json");
    char *again_csv = t_slurp_work(&sb, "out/summary.csv");
    cr_expect_str_eq(again, summary);
    cr_expect_str_eq(again_csv, csv);
    free(summary);
    free(csv);
    free(again);
    free(again_csv);
}

Test(sweep_mpi, a_refused_config_stops_every_rank_with_one_message) {
    if (!mpi_ready())
        return;
    char *mmc = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", mmc);
    free(mmc);
    t_result r = MPIRUN("sweep", "mmc.yaml", "--set", "duration=40s", "--set", "warmup=5s",
                        "--vary", "nodes.pool.workers=4,-1", "--seeds", "2", "--out", "out");
    expect_status(&r, 2);
    const char *note = strstr(r.err, "note: the value '-1' of this axis is refused");
    cr_expect(note, "%s", r.err);
    cr_expect(note && !strstr(note + 1, "note: the value '-1' of this axis"), "said twice:\n%s",
              r.err);
    cr_expect(!t_work_has(&sb, "out"), "a folder was made for a refused sweep");
    t_result_free(&r);
}

/* With --precision the rounds are decided on rank 0 from complete runs only: two ranks do the
 * same runs and write the same folder as a local sweep. */
Test(sweep_mpi, a_two_rank_precision_sweep_writes_the_folder_a_local_one_writes) {
    if (!mpi_ready())
        return;
    char *mmc = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", mmc);
    free(mmc);
#define PRECISION_ARGS                                                                             \
    "sweep", "mmc.yaml", "--set", "duration=40s", "--set", "warmup=5s", "--vary",                  \
        "nodes.pool.workers=4,5", "--seeds", "3", "--precision", "0.05", "--metric",               \
        "nodes.pool.wait_ms.mean", "--max-seeds", "12"
    t_result r = DSIM(PRECISION_ARGS, "--jobs", "2", "--out", "local");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "sweep: round 2:"), "no second round: this test shows nothing\n%s",
              r.err);
    t_result_free(&r);
    r = MPIRUN(PRECISION_ARGS, "--jobs", "1", "--out", "ranks");
    expect_status(&r, 0);
    cr_expect(strstr(r.err, "on 2 MPI ranks x 1 jobs"), "%s", r.err);
    t_result_free(&r);
    expect_same_file("local/summary.json", "ranks/summary.json");
    expect_same_file("local/summary.csv", "ranks/summary.csv");
    expect_same_file("local/sweep.json", "ranks/sweep.json");
}

/* A dsim built without MPI under mpirun would run the whole sweep once per rank into the same
 * folder: it refuses instead (checked in a build configured with -Dmpi=disabled). */
Test(sweep_mpi, a_dsim_without_mpi_refuses_to_run_under_mpirun) {
    t_result r = DSIM("--version");
    bool built = strstr(r.out, "MPI: Open MPI") != NULL;
    t_result_free(&r);
    if (built || system("command -v mpirun >/dev/null 2>&1") != 0) {
        fprintf(stderr, "sweep_mpi: skipped: %s\n",
                built ? "the refusal of a dsim without MPI (this one has it)"
                      : "mpirun is not installed (Debian: openmpi-bin)");
        return;
    }
    char *mmc = t_example("mmc.yaml");
    t_write_work(&sb, "mmc.yaml", mmc);
    free(mmc);
    r = MPIRUN(SWEEP_ARGS, "--out", "out");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "started by mpirun with 2 ranks, but this dsim is built without MPI"),
              "%s", r.err);
    cr_expect(!t_work_has(&sb, "out"), "a folder was made");
    t_result_free(&r);
}
