/* What the anomaly checker (checkers/anomalies.h) is told: the trace the cluster's cc writes.
 * Only instance 0's cc (the first primary) records, into the cluster's trace,
 * anomalies_trace(a, db__store_of(n), rows, initial_value); a cc made later (on an instance
 * that was a replica) records nothing, so that one trace never gets two writers. */
#include "database_int.h"

#include "anomalies.h"

txn_trace *db__txn_trace(sim_node *n) {
    const db_config *c = sim_config(n);
    txn_trace *t =
        anomalies_trace(anomalies_of(n), db__store_of(n), (uint64_t)c->rows, c->initial_value);
    if (!t)
        sim_out_of_memory(n);
    return t;
}
