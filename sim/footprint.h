/* The memory estimate made before an engine is built, so that a topology too big for the
 * machine is refused at once with the keys that cost most, instead of running out of memory
 * minutes into creating it. It counts what exists from the start of a run to its result
 * document: the checked topology, the engine's record, state and random stream of every
 * instance, what each kind allocates from its config (sim_kind.memory_need), the events and
 * requests kept in flight from the start, and the document's entry of every instance. It does
 * not count what grows with the traffic (waiting rooms, caches filling, logs), which the run
 * reports if it runs out. */
#ifndef SIM_FOOTPRINT_H
#define SIM_FOOTPRINT_H

#include "topology.h"

#include <stddef.h>
#include <stdint.h>

/* One group's share of the estimate. */
typedef struct sim_footprint_group {
    const char *group; /* borrowed from the topology */
    int line, col;     /* where the file names it (0: not known) */
    uint32_t replicas;
    const char *key; /* the key of the kind that costs most per instance, NULL: none */
    double value;    /* its value */
    double bytes;    /* the whole group */
} sim_footprint_group;

#define SIM_FOOTPRINT_TOP 3

typedef struct sim_footprint {
    double bytes; /* the whole run */
    double fixed; /* of which the process itself: code, libraries, the engine's fixed tables */
    size_t ntop;
    sim_footprint_group top[SIM_FOOTPRINT_TOP]; /* the costliest groups, costliest first */
} sim_footprint;

/* Estimates the memory a run of t needs (t borrowed for as long as out is used). */
sim_footprint sim_footprint_estimate(const sim_topology *t);

#endif
