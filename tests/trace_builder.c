/* Hand-written traces (trace_builder.h). */
#include "trace_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 16;
    p = realloc(p, *cap * size);
    if (!p) {
        fprintf(stderr, "trace_builder: out of memory\n");
        abort();
    }
    return p;
}

void tb_init(txn_trace *t, uint64_t rows, int64_t initial_value) {
    memset(t, 0, sizeof *t);
    t->rows = rows;
    t->initial_value = initial_value;
    sim_idmap_init(&t->by_id);
}

void tb_free(txn_trace *t) {
    free(t->txns);
    free(t->events);
    sim_idmap_free(&t->by_id);
    memset(t, 0, sizeof *t);
}

uint32_t tb_begin(txn_trace *t, uint64_t id, uint32_t client) {
    t->txns = grow(t->txns, &t->captxns, t->ntxns, sizeof *t->txns);
    t->txns[t->ntxns] = (txn_record){.id = id,
                                     .client = client,
                                     .status = TXN_OPEN,
                                     .isolation = TXN_READ_COMMITTED,
                                     .begin = (sim_time)t->ntxns,
                                     .end = -1};
    return (uint32_t)t->ntxns++;
}

static void event(txn_trace *t, txn_event e) {
    t->events = grow(t->events, &t->capevents, t->nevents, sizeof *t->events);
    t->events[t->nevents++] = e;
}

void tb_read(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid, int64_t value) {
    event(t, (txn_event){.txn = tx,
                         .kind = TXN_EV_READ,
                         .present = wid != 0 || key < t->rows,
                         .key = key,
                         .wid = wid,
                         .value = value});
}

void tb_read_absent(txn_trace *t, uint32_t tx, uint64_t key) {
    event(t, (txn_event){.txn = tx, .kind = TXN_EV_READ, .present = false, .key = key});
}

uint64_t tb_write(txn_trace *t, uint32_t tx, unsigned stmt, uint64_t key, int64_t value) {
    uint64_t wid = txn_write_id(t->txns[tx].id, stmt);
    event(t, (txn_event){.txn = tx,
                         .kind = TXN_EV_WRITE,
                         .present = true,
                         .key = key,
                         .wid = wid,
                         .value = value});
    return wid;
}

void tb_range(txn_trace *t, uint32_t tx, uint64_t lo, uint64_t hi) {
    event(t, (txn_event){.txn = tx, .kind = TXN_EV_RANGE, .key = lo, .key_end = hi});
}

void tb_row(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid, int64_t value) {
    event(t, (txn_event){.txn = tx,
                         .kind = TXN_EV_READ,
                         .present = true,
                         .in_range = true,
                         .key = key,
                         .wid = wid,
                         .value = value});
}

void tb_undo(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid) {
    event(t, (txn_event){.txn = tx, .kind = TXN_EV_UNDO, .key = key, .wid = wid});
}

void tb_commit(txn_trace *t, uint32_t tx) {
    t->txns[tx].status = TXN_COMMITTED;
    t->txns[tx].commit_seq = ++t->commits;
    t->txns[tx].end = (sim_time)t->commits;
}

void tb_abort(txn_trace *t, uint32_t tx) {
    t->txns[tx].status = TXN_ABORTED;
    t->txns[tx].reason = TXN_ABORT_USER;
}

void tb_lost(txn_trace *t, uint32_t tx) {
    if (t->txns[tx].status != TXN_COMMITTED)
        tb_commit(t, tx);
    t->txns[tx].status = TXN_LOST;
}
