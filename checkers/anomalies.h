/* The anomaly checker: judges every database cluster's transactions from ground truth (the
 * trace its concurrency control writes, txn/trace.h) and counts, each under its own key with
 * one example a learner can follow, the anomalies of Adya's isolation theory (G0 dirty
 * writes, G1a aborted reads, G1b intermediate reads, G1c circular information flow,
 * G-single, G2-item, and G2 with predicate anti-dependencies) and the named phenomena of
 * Berenson et al. 1995 (fuzzy reads, lost updates, read skew, write skew, phantoms), and the
 * invariants a topology states (a constant total, a count that matches a key). One per
 * engine; document key "anomalies".
 *
 * The database kind feeds it: each cluster gets its trace with anomalies_trace and declares
 * its invariants; clients name the keys of their scripts for the examples. */
#ifndef DSIM_ANOMALIES_H
#define DSIM_ANOMALIES_H

#include "checker.h"
#include "trace.h"

#include <stdint.h>

typedef struct anomalies anomalies;

extern const sim_checker_kind dsim_anomalies_checker;

/* The run's checker, for a hook of a kind that lists dsim_anomalies_checker. */
static inline anomalies *anomalies_of(sim_node *n) {
    return sim_checker(n, &dsim_anomalies_checker);
}

/* The trace of the cluster whose name (engine index of its first instance) is `store`, made
 * empty on the first call with its initial rows (txn_trace_init); the same one afterwards.
 * NULL when out of memory. It lives as long as the checker. */
txn_trace *anomalies_trace(anomalies *a, uint32_t store, uint64_t rows, int64_t initial_value);

/* An invariant a store's data must keep, as a database's `invariants` state it. */
typedef enum {
    ANOMALY_SUM,   /* the values of keys lo .. hi-1 add up to `equals` (a bank's total) */
    ANOMALY_COUNT, /* the rows present among lo .. hi-1 number the value of key `of` (posts
                      and posts_count) */
} anomaly_invariant_kind;

typedef struct anomaly_invariant {
    const char *name; /* its key in the document (borrowed: lives as long as the topology) */
    anomaly_invariant_kind kind;
    uint64_t lo, hi;
    int64_t equals; /* ANOMALY_SUM */
    uint64_t of;    /* ANOMALY_COUNT */
} anomaly_invariant;

/* Store `store` must keep inv: checked on every committed state and on every committed
 * transaction that read all of its keys. Returns 0, or -1 when out of memory. */
int anomalies_invariant(anomalies *a, uint32_t store, const anomaly_invariant *inv);

/* Key `key` is written `name` in a script: examples show the name. Returns 0, or -1 when
 * out of memory. */
int anomalies_name_key(anomalies *a, uint64_t key, const char *name);

#endif
