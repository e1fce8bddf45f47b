/* A design's promises as checks (contract §8.1): the `expect:` entries of a topology, whose
 * form the loader checked, are checked here against what a run of the topology can have (a
 * path no run can produce is bad input, at its line), and judged against a finished run.
 * Nothing here runs an engine: the caller builds and runs it. */
#ifndef EXP_EXPECT_H
#define EXP_EXPECT_H

#include "diag.h"
#include "engine.h"
#include "topology.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* The verdict on one expectation. */
typedef struct exp_verdict {
    const sim_expect *expect; /* borrowed from the topology */
    bool has_value;           /* false: the run has no value there (e.g. no samples) */
    double value;
    bool ok; /* has_value and value within the bounds given (inclusive) */
} exp_verdict;

/* Checks that a run of topo can have every expectation's metric; e is an engine built from
 * topo (sim_engine_new; run or not). Each path that cannot exist is an error in diag at the
 * position of its `metric:` value (or of the --set that wrote it), with the nearest path
 * that can as a "did you mean" note. Returns 0, or -1 when a path was bad (or out of memory:
 * then an error says so). */
int exp_expect_check(const sim_engine *e, const sim_topology *topo, sim_diag *diag);

/* Judges topo's expectations on the finished run of e: verdicts[i] (topo->nexpects of them)
 * for topo->expects[i]. Returns how many failed. */
size_t exp_expect_evaluate(const sim_engine *e, const sim_topology *topo, exp_verdict *verdicts);

/* The verdicts as the document's "expect" list: [{"metric", "value", "min", "max", "ok"}],
 * min or max left out when not given, value null when the run has none. The caller owns the
 * tree (cJSON_Delete); NULL when out of memory. */
cJSON *exp_expect_json(const exp_verdict *verdicts, size_t n);

#endif
