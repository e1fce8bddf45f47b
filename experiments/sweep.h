/* dsim sweep (contract §8.3): every combination of the --vary axes (configs c0, c1, ... in
 * cartesian order, the first axis slowest) for every seed, `jobs` runs at a time, each run's
 * document written atomically to DIR/runs/CONFIG-sSEED.json, then DIR/summary.json and
 * DIR/summary.csv (sweep_summary.h) built from the run files alone, so that neither the number
 * of jobs nor a resumed sweep changes them. DIR/sweep.json, written before any run, records
 * what made the folder (sweep_folder.h): a rerun of the same command skips the runs whose file
 * is there, and a different topology or other options are refused.
 *
 * Runs go to threads of this one process, not to child processes: engines share no mutable
 * state (no globals, STYLE.md), a config's topology is loaded once and read by all its runs,
 * and a document passes to the writer without a copy. What threads give up is isolation: a
 * crash in one run ends the sweep, and the runs together share one memory budget; the atomic
 * run files make rerunning the command resume it where it stopped. Under mpirun the runs go
 * to the threads of every rank, rank 0 alone owning the folder (sweep_mpi.h). */
#ifndef DSIM_EXP_SWEEP_H
#define DSIM_EXP_SWEEP_H

#include "kind.h"
#include "loader.h"
#include "sweep_precision.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes text to path whole or not at all (a temporary file in the same folder and a
 * rename). Returns 0, or -1 with a message printed. Called from several threads at once. */
typedef int (*exp_write_fn)(const char *path, const char *text);

/* One --vary axis: a path and its values, in the order given. */
typedef struct exp_axis {
    const char *path;
    const char *const *values;
    size_t nvalues;
    const char *arg; /* the argument as given, "--vary PATH=V1,V2", for messages */
} exp_axis;

typedef struct exp_sweep_options {
    const char *file; /* the topology */
    const sim_override *sets;
    size_t nsets;
    const exp_axis *axes;
    size_t naxes;
    uint64_t seed_first, seed_last; /* inclusive, first <= last */
    unsigned jobs;                  /* >= 1 */
    /* --precision R --metric PATH [--max-seeds N] (sweep_precision.h): when precision.metric
     * is set, seed_first..seed_last is each config's first round, and rounds of further seeds
     * (the next numbers) go to the configs whose interval is still too wide, up to
     * precision.max_seeds (>= the first round's count, >= 2) seeds in all. */
    exp_precision precision;
    const char *dir;
    bool quiet;                   /* no progress lines */
    const sim_kind *const *kinds; /* NULL-terminated */
    exp_write_fn write;
    FILE *err; /* messages and progress */
} exp_sweep_options;

/* Exit statuses of a sweep (contract §8.3). */
enum { EXP_SWEEP_OK = 0, EXP_SWEEP_RUN_FAILED = 1, EXP_SWEEP_BAD_INPUT = 2 };

/* Runs the sweep o describes. Every config is loaded (and so checked) before any run starts:
 * a value the loader refuses is reported with the loader's message. Returns EXP_SWEEP_OK when
 * every run is complete, EXP_SWEEP_RUN_FAILED when one failed or a file could not be written
 * (each said on o->err; the summary still covers the runs that completed), or
 * EXP_SWEEP_BAD_INPUT (nothing run) for a topology or a value refused, or a folder made by
 * another sweep. */
int exp_sweep(const exp_sweep_options *o);

#endif
