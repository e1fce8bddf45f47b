/* Traces written by hand for tests (txn/trace.h's plain data, filled without txn/trace.c):
 * begin a transaction, append its reads, writes, range reads with their rows, and undos,
 * then commit, abort or lose it. Write ids are txn_write_id(id, stmt), as the concurrency
 * control makes them. Aborts the test process when out of memory. */
#ifndef DSIM_TEST_TRACE_BUILDER_H
#define DSIM_TEST_TRACE_BUILDER_H

#include "trace.h"

/* An empty trace whose keys 0 .. rows-1 start present with initial_value. */
void tb_init(txn_trace *t, uint64_t rows, int64_t initial_value);
void tb_free(txn_trace *t);
/* A transaction of attempt id by client node `client`; returns its index. */
uint32_t tb_begin(txn_trace *t, uint64_t id, uint32_t client);
/* Its read of key returning version wid (0: the initial state) with value; present when the
 * row exists (wid != 0 or key < rows, unless told otherwise by tb_read_absent). */
void tb_read(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid, int64_t value);
void tb_read_absent(txn_trace *t, uint32_t tx, uint64_t key);
/* Its write of key as statement stmt (write id txn_write_id(id, stmt)) with value; returns
 * the write id. */
uint64_t tb_write(txn_trace *t, uint32_t tx, unsigned stmt, uint64_t key, int64_t value);
/* Its range read of [lo, hi), then each matched row with tb_row. */
void tb_range(txn_trace *t, uint32_t tx, uint64_t lo, uint64_t hi);
void tb_row(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid, int64_t value);
/* A rollback to a savepoint undoing its writes of key after write wid (0: all). */
void tb_undo(txn_trace *t, uint32_t tx, uint64_t key, uint64_t wid);
void tb_commit(txn_trace *t, uint32_t tx);
void tb_abort(txn_trace *t, uint32_t tx);
void tb_lost(txn_trace *t, uint32_t tx);

#endif
