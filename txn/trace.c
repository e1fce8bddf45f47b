/* The ground-truth trace (trace.h): growing arrays of transactions and events, and the map
 * from an attempt's request id to its transaction. */
#include "trace.h"
#include "array.h"

#include <stdlib.h>

void txn_trace_init(txn_trace *t, uint64_t rows, int64_t initial_value) {
    *t = (txn_trace){.rows = rows, .initial_value = initial_value};
    sim_idmap_init(&t->by_id);
}

void txn_trace_free(txn_trace *t) {
    free(t->txns);
    free(t->events);
    sim_idmap_free(&t->by_id);
    *t = (txn_trace){0};
}

uint32_t txn_trace_begin(txn_trace *t, uint64_t id, uint32_t client, txn_isolation iso,
                         sim_time at) {
    if (t->ntxns >= UINT32_MAX - 1 ||
        sim_array_grow((void **)&t->txns, &t->captxns, t->ntxns + 1, sizeof *t->txns)) {
        t->out_of_memory = true;
        return UINT32_MAX;
    }
    uint32_t i = (uint32_t)t->ntxns;
    /* id 0 is idmap's reserved id: such a transaction is in the trace but not found by id. */
    if (id != 0 && sim_idmap_put(&t->by_id, id, i) != 0) {
        t->out_of_memory = true;
        return UINT32_MAX;
    }
    t->txns[t->ntxns++] = (txn_record){.id = id,
                                       .client = client,
                                       .status = TXN_OPEN,
                                       .isolation = (uint8_t)iso,
                                       .read_only = true,
                                       .begin = at,
                                       .end = -1};
    return i;
}

void txn_trace_event(txn_trace *t, uint32_t tx, txn_event e) {
    if (tx >= t->ntxns)
        return;
    if (sim_array_grow((void **)&t->events, &t->capevents, t->nevents + 1, sizeof *t->events)) {
        t->out_of_memory = true;
        return;
    }
    e.txn = tx;
    if (e.kind == TXN_EV_WRITE)
        t->txns[tx].read_only = false;
    t->events[t->nevents++] = e;
}

void txn_trace_commit(txn_trace *t, uint32_t tx, sim_time at) {
    if (tx >= t->ntxns)
        return;
    t->txns[tx].status = TXN_COMMITTED;
    t->txns[tx].end = at;
    t->txns[tx].commit_seq = ++t->commits;
}

void txn_trace_abort(txn_trace *t, uint32_t tx, txn_abort_reason why, sim_time at) {
    if (tx >= t->ntxns)
        return;
    t->txns[tx].status = TXN_ABORTED;
    t->txns[tx].reason = (uint8_t)why;
    t->txns[tx].end = at;
}

void txn_trace_lost(txn_trace *t, uint32_t tx) {
    if (tx >= t->ntxns)
        return;
    t->txns[tx].status = TXN_LOST;
    t->txns[tx].reason = TXN_ABORT_CRASH;
}

uint32_t txn_trace_writer(const txn_trace *t, uint64_t wid) {
    if (wid == 0)
        return UINT32_MAX;
    uint64_t attempt = (wid - 1) / TXN_MAX_STMTS, ix;
    if (attempt == 0 || !sim_idmap_get(&t->by_id, attempt, &ix))
        return UINT32_MAX;
    return (uint32_t)ix;
}
