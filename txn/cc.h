/* Concurrency control: one database instance's rows and the rules by which concurrent
 * transactions read and write them, for every isolation level under locking (two-phase
 * locking variants) or MVCC (snapshots), as the table in docs/isolation.md defines (each
 * cell, the engine it follows and Hermitage's findings). It knows nothing of the engine: the
 * database (models/data/database/txn_session.c) drives it statement by statement and keeps
 * the time (service, think, lock timeouts, the WAL); tests drive it
 * directly with the Hermitage suite's interleavings (tests/test_isolation.c).
 *
 * The calls, for one transaction:
 *
 *     tx = txn_cc_begin(cc, attempt_id, client, now);
 *     for each statement i:  st = txn_cc_exec(cc, tx, i, &stmt[i], &result[i]);
 *         TXN_CC_DONE     go on with the next statement
 *         TXN_CC_BLOCKED  tx waits (for a row lock, a range lock, or another writer to end);
 *                         the wake hook is called when it may run the same statement again
 *         TXN_CC_ABORTED  tx is over, rolled back (txn_cc_reason says why)
 *     st = txn_cc_commit(cc, tx, now);   DONE or ABORTED (a serialization failure)
 *     or txn_cc_abort(cc, tx, reason, now) at any time it has not ended (a lock timeout, the
 *     client's ROLLBACK, the connection dropped)
 *
 * Locking (long locks are held until the transaction ends, short ones for the statement):
 *   read_uncommitted  long X locks on writes, no read locks: reads see uncommitted writes
 *   read_committed    long X locks, short S locks on reads
 *   repeatable_read   long X and long S locks on rows
 *   serializable      strict 2PL: long X and S locks, and next-key locks on the gaps a
 *                     range read covers, so an insert into the range waits (no phantoms)
 * MVCC (writes take a long row X lock, reads take none):
 *   read_uncommitted  not offered (txn_cc_refuses)
 *   read_committed    a snapshot per statement; a write of a row a concurrent transaction
 *                     changed waits for it, then applies to the newest version
 *                     (PostgreSQL's re-check, InnoDB's semi-consistent read)
 *   repeatable_read   a snapshot per transaction, taken at its first statement;
 *                     flavor postgresql: writing a row changed since the snapshot aborts
 *                     (first updater wins); flavor innodb: the write applies to the newest
 *                     version (reads stay on the snapshot: lost updates possible)
 *   serializable      serializable snapshot isolation (Cahill et al. 2008; PostgreSQL since
 *                     9.1): repeatable_read postgresql plus rw-antidependency tracking; a
 *                     transaction with both an incoming and an outgoing rw edge whose
 *                     partners overlap it aborts (the "dangerous structure")
 *
 * A deadlock is found at once: when a wait would close a cycle in the wait-for graph, the
 * transaction asking (the one that closes it) is the victim and is aborted.
 *
 * Every read, write, commit and abort goes to the trace given (txn/trace.h), if any. */
#ifndef DSIM_TXN_CC_H
#define DSIM_TXN_CC_H

#include "trace.h"
#include "txn.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct txn_cc txn_cc;

typedef struct txn_cc_config {
    txn_isolation isolation;
    txn_concurrency concurrency;
    txn_flavor flavor;     /* repeatable_read under MVCC */
    uint64_t rows;         /* keys 0 .. rows-1 exist from the start ... */
    int64_t initial_value; /* ... with this value */
    bool has_min;          /* a constraint: no row's value may go below min_value (a write that */
    int64_t min_value;     /* would aborts its transaction: TXN_ABORT_CONSTRAINT) */
} txn_cc_config;

/* NULL when the combination is defined; otherwise why not, for an error message
 * ("no MVCC engine offers read_uncommitted: ..."). */
const char *txn_cc_refuses(txn_isolation iso, txn_concurrency cc);

typedef struct txn_cc_hooks {
    /* Transaction tx, blocked, may run its statement again: what it waited for was released.
     * Called from within the txn_cc_* call that released it (another transaction's commit or
     * abort); the caller must not call into cc from the hook (schedule the retry instead). */
    void (*wake)(void *ctx, uint32_t tx);
} txn_cc_hooks;

/* A new instance with its initial rows; trace may be NULL (nothing recorded). Returns NULL
 * when out of memory. */
txn_cc *txn_cc_new(const txn_cc_config *c, txn_trace *trace, txn_cc_hooks hooks, void *ctx);
void txn_cc_free(txn_cc *cc);

/* No transaction. */
#define TXN_CC_NONE UINT32_MAX

/* Begins a transaction for the attempt of request id `id` from node `client` (for the trace
 * and the write ids). Returns its handle (small: a slot reused once it ended), or
 * TXN_CC_NONE when out of memory. */
uint32_t txn_cc_begin(txn_cc *cc, uint64_t id, uint32_t client, sim_time now);

typedef enum { TXN_CC_DONE, TXN_CC_BLOCKED, TXN_CC_ABORTED } txn_cc_status;

/* Runs statement `index` of transaction tx; on TXN_CC_DONE its result is in *out. */
txn_cc_status txn_cc_exec(txn_cc *cc, uint32_t tx, unsigned index, const txn_stmt *s,
                          txn_result *out, sim_time now);
/* Commits tx: its writes become the newest committed versions and its locks are released.
 * TXN_CC_ABORTED when it may not (first committer wins, SSI). */
txn_cc_status txn_cc_commit(txn_cc *cc, uint32_t tx, sim_time now);
/* Aborts tx (not yet ended) for `why`: its writes are undone, its locks released, its wait,
 * if any, withdrawn. */
void txn_cc_abort(txn_cc *cc, uint32_t tx, txn_abort_reason why, sim_time now);
/* Why tx's last statement or commit returned TXN_CC_ABORTED (until its slot is reused). */
txn_abort_reason txn_cc_reason(const txn_cc *cc, uint32_t tx);

/* One write of a transaction, as its commit installs it. */
typedef struct txn_write {
    uint64_t key, wid;
    int64_t value;
} txn_write;
/* The writes tx would install if it committed now (its last write of each key), in the
 * order of first write; valid until the next call into cc. */
size_t txn_cc_writes(const txn_cc *cc, uint32_t tx, const txn_write **out);

/* Committed data, outside any transaction (the store's view for replication and reports). */
bool txn_cc_get(const txn_cc *cc, uint64_t key, txn_write *out); /* false: absent */

/* Installs writes committed elsewhere (a replica applying its primary's transaction, or a
 * snapshot): as one transaction of id `id`, at once, whatever is open (a replica runs only
 * read-only transactions). */
int txn_cc_apply(txn_cc *cc, uint64_t id, const txn_write *w, size_t n, sim_time now);

/* Durability. txn_cc_durable marks every commit so far as safe (the WAL was flushed).
 * txn_cc_crash ends every open transaction (TXN_ABORT_CRASH, no wake hook called) and, with
 * keep_committed false, also undoes the commits since the last txn_cc_durable (their trace
 * records become TXN_LOST). txn_cc_reset returns every row to its initial state (volatile
 * storage lost at a crash, a lost disk; a restore then installs its data with txn_cc_apply).
 * txn_cc_apply and txn_cc_reset record nothing in the trace. */
void txn_cc_durable(txn_cc *cc);
void txn_cc_crash(txn_cc *cc, bool keep_committed, sim_time now);
void txn_cc_reset(txn_cc *cc);

/* Figures of this instance since it was made. */
typedef struct txn_cc_stats {
    uint64_t lock_requests, lock_waits, deadlocks; /* row and range lock requests; those that
                                                      waited; deadlock victims */
    uint64_t versions_live, versions_peak;         /* MVCC versions kept (garbage collection
                                                      drops those no snapshot can see) */
    uint64_t ssi_records;                          /* serializable MVCC: transactions tracked
                                                      (open ones, and committed ones that
                                                      overlap an open one) */
} txn_cc_stats;
txn_cc_stats txn_cc_stats_of(const txn_cc *cc);

#endif
