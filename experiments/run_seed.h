/* One run of a loaded topology with one seed, as every command runs it (dsim run, and each
 * run of compare and sweep): the `expect:` paths checked before anything runs, the pilot of
 * `warmup: auto` (warmup_auto.h) unless the caller fixes the warm-up, the time series when
 * asked for, the run, its result document with its "warmup_auto" object and "series", and
 * the `expect:` verdicts judged into it. Nothing is printed: the outcome says what happened,
 * and the caller words it for its own command. */
#ifndef EXP_RUN_SEED_H
#define EXP_RUN_SEED_H

#include "diag.h"
#include "engine.h"
#include "topology.h"
#include "warmup_auto.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum exp_run_status {
    EXP_RUN_OK,            /* the run finished and every expectation held */
    EXP_RUN_EXPECT_FAILED, /* the run finished, an expectation failed (the document has it) */
    EXP_RUN_BAD_PATH,      /* an expect: or series_metrics path no run can have: errors in
                              the caller's diag */
    EXP_RUN_REFUSED,       /* warmup: auto found the run too short: see choice */
    EXP_RUN_STALLED,       /* the run stopped: the topology's fault (why says how) */
    EXP_RUN_BUDGET,        /* --max-events stopped the run (or its pilot) */
    EXP_RUN_FAILED,        /* the run failed or memory ran out (why says how) */
} exp_run_status;

typedef struct exp_run_options {
    /* non-NULL with a `warmup: auto` topology: use fixed->warmup and report *fixed as the
     * choice, with no pilot (compare shares one choice between two designs). */
    const exp_warmup_choice *fixed;
    uint64_t max_events; /* per run, the pilot's counted apart; 0: none */
    /* Called with each engine (the pilot's, then the run's) before it runs: dsim run sets its
     * progress line and --max-wall there. NULL: nothing. */
    void (*prepare)(void *ud, sim_engine *e);
    void *ud;
    /* Samples time series every `series` (0: none) of the paths series_metrics lists (NULL:
     * every default one), into the document's "series". */
    sim_time series;
    const char *const *series_metrics;
    size_t nseries_metrics;
    bool summary_only; /* the document holds the summary's figures only (json_report.h) */
    bool keep_engine;  /* hand the engine that ran last to out->engine (its figures, series) */
} exp_run_options;

typedef struct exp_run_outcome {
    exp_run_status status;
    cJSON *doc;               /* EXP_RUN_OK / EXP_RUN_EXPECT_FAILED only; the caller frees it */
    exp_warmup_choice choice; /* with warmup: auto: the warm-up used */
    /* with keep_engine: the engine that ran last (the run's, or the pilot's when the pilot
     * stopped), whatever the status; NULL when none was made. The caller frees it. */
    sim_engine *engine;
    /* The topology the engine that ran last was made from: a shallow copy of the caller's
     * with the warm-up chosen (or the pilot's). out->engine borrows it, so the outcome must
     * stay where it is until the engine is freed. */
    sim_topology topology;
    char why[512]; /* for STALLED / FAILED / BUDGET */
} exp_run_outcome;

/* Checks that a run of topo can have each `expect:` metric and sample each `series_metrics`
 * path (whether or not series are on: a typo is refused either way); e is built from topo or
 * from its pilot (same nodes), and has not run. Errors go to diag, at the entries' lines.
 * Returns 0, -1, or -2 when out of memory. */
int exp_run_check_paths(sim_engine *e, const sim_topology *topo, sim_diag *diag);

/* Builds an engine of topo just to check those paths (validate, sweep). Returns as
 * exp_run_check_paths. */
int exp_run_check_topology_paths(const sim_topology *topo, sim_diag *diag);

/* Judges topo's expectations on the finished e into doc's "expect" list. Returns
 * EXP_RUN_OK, EXP_RUN_EXPECT_FAILED, or EXP_RUN_FAILED when out of memory. */
exp_run_status exp_run_judge(const sim_engine *e, const sim_topology *topo, cJSON *doc);

/* Chooses the warm-up of a `warmup: auto` topo for seed: checks the expect: paths on the
 * pilot's engine (errors to diag) before running it. Returns EXP_RUN_OK with out->choice set,
 * or the failing status (REFUSED leaves the refused choice in out->choice). */
exp_run_status exp_run_choose_warmup(const sim_topology *topo, uint64_t seed,
                                     const exp_run_options *o, sim_diag *diag,
                                     exp_run_outcome *out);

/* Runs topo (never changed: safe for threads sharing it) with seed into *out, the full result
 * document (json_report.h). diag (named after the file) receives the expect: path errors.
 * Returns out->status. */
exp_run_status exp_run_seed(const sim_topology *topo, uint64_t seed, const exp_run_options *o,
                            sim_diag *diag, exp_run_outcome *out);

#endif
