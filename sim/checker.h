/* The checker interface: a checker watches a run from outside the models and judges it (the
 * consistency oracle, the clients' request outcomes; later a delivery checker for queues and
 * streams, a transaction-anomaly checker). Like a node kind, a checker kind is one constant
 * table of hooks; unlike a node, a checker has no messages or timers: kinds feed it through the
 * checker's own typed API (its header in checkers/), which they reach with sim_checker.
 *
 * A kind lists the checkers it feeds (sim_kind.checkers). The topology's checker list
 * (sim_topology.checkers, chosen at load time by sim__checkers_pick) holds every checker a
 * kind of the topology feeds, plus those marked `always`; the engine creates each of them once
 * per engine (so two engines in one process never share one), settles them after the kinds'
 * finish hooks, writes each one's figures under its name in the result document (before
 * "nodes", in the list's order) and its per-node figures inside each node's entry, and frees
 * them with the engine. A checker no kind of the topology feeds is never created and writes no
 * key. */
#ifndef SIM_CHECKER_H
#define SIM_CHECKER_H

#include "engine.h"
#include "kind.h"
#include "metrics.h"
#include "report.h"
#include "topology.h"

#include <stdbool.h>
#include <stdint.h>

#define SIM_CHECKER_VERSION 1

typedef struct sim_checker_kind {
    int version;      /* SIM_CHECKER_VERSION */
    const char *name; /* its key in the result document */
    /* Created in every run whose registry has a kind listing it, used or not: its key is part
     * of every document (the contract's "requests"). */
    bool always;
    /* A new empty checker for a run of topo (borrowed: it outlives the checker); NULL when
     * out of memory. */
    void *(*create)(const sim_topology *topo);
    /* The run reached its end and every kind's finish hook ran (e.g. the stores reported what
     * survives). Returns 0, or -1 when out of memory. NULL: nothing to settle. */
    int (*settle)(void *checker);
    /* False when the checker has nothing to say: its key is then left out of the document.
     * NULL: always reported. */
    bool (*is_reported)(const void *checker);
    /* Writes the checker's figures into the object the engine opened under its name. */
    void (*report)(const void *checker, sim_report *w);
    /* Writes the checker's figures about node (an engine index) into the node's open entry
     * under "nodes", if it has any. NULL: none. */
    void (*report_node)(const void *checker, uint32_t node, sim_report *w);
    /* Frees the checker and everything it holds. NULL-safe. */
    void (*free)(void *checker);
    /* Every numeric figure report can write under the checker's key, as paths relative to it
     * ("stale_reads", "staleness_ms.p99"), and every one report_node can write in the entry
     * of a node whose kind feeds the checker, relative to the entry
     * ("consistency.lost_writes"); NULL-terminated, NULL: none. They tell an `expect:` path
     * no run can have from one a run happens to lack (metrics.h: sim_engine_can_have), so
     * they list what the writers may write whatever the run did. A segment "*" stands for
     * one key the checker learns only from the run ("latency_ms_by_op.*.p99": an operation's
     * name). */
    const char *const *figures;
    const char *const *node_figures;
    /* Its figures for time series (sim/metrics.h), read from the checker itself (base: the
     * checker; node: NULL), under its name: "requests.completed". NULL: its figures are
     * sampled from what report writes. */
    const sim_metric *metrics;
    /* Time series of intervals are being sampled: the checker keeps then what its table
     * needs beyond the document's figures. NULL: nothing to keep. */
    void (*sampling)(void *checker);
} sim_checker_kind;

/* The run's instance of checker kind k, for a hook of node n; NULL when the topology does
 * not use k (a kind gets every checker it lists in sim_kind.checkers). The pointer lives as
 * long as the engine. */
void *sim_checker(sim_node *n, const sim_checker_kind *k);

/* The same for a runner outside the models (experiments/): engine e's instance of k, NULL
 * when e's topology does not use k; it lives as long as the engine. */
void *sim_engine_checker(const sim_engine *e, const sim_checker_kind *k);

/* Chooses topo's checkers from the registry (NULL-terminated kinds): walking the registry in
 * order and each kind's list in order, every checker of a kind some node of topo is, and every
 * checker marked `always`, once each. The list (NULL-terminated, in arena) goes to
 * topo->checkers. Returns 0, or -1 when out of memory. */
int sim__checkers_pick(const sim_kind *const *kinds, sim_topology *topo, sim_arena *arena);

#endif
