/* What the anomaly checker (checkers/anomalies.h) is told: the trace the cluster's cc writes.
 * Only instance 0's cc (the first primary) records, into the cluster's trace,
 * anomalies_trace(a, db__store_of(n), rows, initial_value).
 *
 * The checker's code (checkers/anomalies.c, branch h/anomalies) had not landed when this was
 * written: until the kind lists dsim_anomalies_checker in its checkers (database.c), nothing
 * is recorded. DB_FEEDS_ANOMALIES turns the feeding on once it has. */
#include "database_int.h"

#ifdef DB_FEEDS_ANOMALIES
#include "anomalies.h"
#endif

txn_trace *db__txn_trace(sim_node *n) {
#ifdef DB_FEEDS_ANOMALIES
    const db_config *c = sim_config(n);
    txn_trace *t =
        anomalies_trace(anomalies_of(n), db__store_of(n), (uint64_t)c->rows, c->initial_value);
    if (!t)
        sim_out_of_memory(n);
    return t;
#else
    (void)n;
    return NULL;
#endif
}
