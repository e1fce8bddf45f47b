/* `warmup: auto` (docs/topology.md): the warm-up chosen for one run by MSER-5 (mser.h) on the
 * clients' response times in completion order.
 *
 * How: a pilot run of the same seed with no warm-up keeps the batch means of 5 responses
 * (checkers/requests.h); MSER-5 picks the batches to cut, d*; the warm-up is the instant the
 * last response of batch d* completed; then the run proper goes with that warm-up. The engine
 * is deterministic and the warm-up only decides what is counted, never what happens, so the
 * run proper follows the pilot's trajectory event for event and every figure is exactly that
 * of a run with an explicit `warmup` of the chosen time. Running twice costs twice the time
 * but nothing in the kinds: recomputing every figure of every kind from a record of the run
 * would need each kind to keep its history. Memory: 16 bytes per 5 responses for the batches
 * (MSER needs all of them: its minimum is over every cut), freed with the pilot. */
#ifndef EXP_WARMUP_AUTO_H
#define EXP_WARMUP_AUTO_H

#include "engine.h"
#include "simtime.h"
#include "topology.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct exp_warmup_choice {
    /* The run is too short to have reached steady state: fewer than 2 batches, or MSER's cut
     * in the second half of them (d* >= n / 2); warmup is then meaningless. */
    bool refused;
    sim_time warmup;    /* the chosen warm-up: when the last cut response completed (0: none) */
    uint64_t responses; /* requests the pilot run completed */
    size_t batches;     /* n: full batches of 5 among them */
    size_t truncated;   /* d*: batches cut */
    double statistic;   /* MSER's value at d*, in ms^2 */
    sim_time duration;  /* the run's, for messages */
} exp_warmup_choice;

/* The pilot run's topology: a shallow copy of topo (it borrows everything topo holds, so topo
 * must outlive it and every engine made from it) with no warm-up, keeping the batch means. */
sim_topology exp_warmup_pilot(const sim_topology *topo);

/* MSER-5's choice from an engine of exp_warmup_pilot's topology that ran to its end. */
exp_warmup_choice exp_warmup_choose(const sim_engine *pilot);

/* Runs the pilot of topo with seed to its end and chooses into *out. Returns 0 (out->refused
 * says whether the run may go on), or -1 when the pilot run failed, with the engine's reason
 * copied into error (size bytes). No budget applies: a runner with budgets makes its own
 * pilot engine from exp_warmup_pilot. */
int exp_warmup_resolve(const sim_topology *topo, uint64_t seed, exp_warmup_choice *out, char *error,
                       size_t size);

/* Why a refused choice refuses the run: "warmup: auto: the run is too short to have
 * reached steady state: ..." (no position: the caller prefixes topo->warmup_where and
 * ": error: ", then prints EXP_WARMUP_HINT as a note). The caller frees it with free(); NULL
 * when out of memory. */
char *exp_warmup_refusal(const exp_warmup_choice *c);
#define EXP_WARMUP_HINT "lengthen duration, or give warmup a duration of its own"

/* Adds the object "warmup_auto" (docs/results.md) just after doc's "warmup_s", or at the end
 * without one. Returns 0, or -1 when out of memory (doc unchanged). */
int exp_warmup_report(cJSON *doc, const exp_warmup_choice *c);

#endif
