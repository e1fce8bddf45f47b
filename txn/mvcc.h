/* Rows as version chains (multi-version concurrency control): each key's versions, newest
 * first, each stamped with the commit that installed it (a counter, the instance's commit
 * clock) or marked uncommitted with its writer. A snapshot is a clock value: it sees the
 * newest version stamped at or before it (Bernstein & Goodman 1983; PostgreSQL's xmin/xmax,
 * InnoDB's read views). Under locking the same chains hold one committed version and at most
 * one uncommitted one (the X-lock holder's) on top.
 *
 * Keys never written have no chain: their implicit base version is write id 0, present with
 * the initial value for keys below `rows`, absent for the others; so a store of a million
 * rows costs nothing until they are written. Garbage collection (txn_mvcc_gc_key) drops the
 * versions older than the newest one a horizon (the oldest open snapshot, and the last
 * durable commit) can see, so memory follows the number of keys and open snapshots, not the
 * history. */
#ifndef DSIM_TXN_MVCC_H
#define DSIM_TXN_MVCC_H

#include "keymap.h"

#include <stdbool.h>
#include <stdint.h>

#define TXN_STAMP_UNCOMMITTED UINT64_MAX
#define TXN_VNONE UINT32_MAX

typedef struct txn_version {
    uint64_t wid;
    int64_t value;
    uint64_t stamp;  /* commit clock of the commit that installed it; TXN_STAMP_UNCOMMITTED */
    uint64_t sx;     /* the writer's SSI record (ssi.h), 0: none */
    uint32_t writer; /* the writing transaction's slot while uncommitted */
    uint32_t next;   /* the next older version, TXN_VNONE */
    uint32_t trace;  /* the writer's trace index (for a crash's TXN_LOST) */
    bool present;
} txn_version;

typedef struct txn_mvcc {
    txn_keymap heads; /* key -> newest version */
    txn_version *v;
    uint32_t nv, capv, free_list; /* free versions linked through next */
    uint64_t rows;
    int64_t initial;
    uint64_t clock; /* stamp of the last commit */
    uint64_t live, peak;
} txn_mvcc;

void txn_mvcc_init(txn_mvcc *m, uint64_t rows, int64_t initial);
void txn_mvcc_free(txn_mvcc *m);
/* Drops every version (the rows return to their initial state); the clock goes on. */
void txn_mvcc_reset(txn_mvcc *m);

/* The implicit version of a key never written. */
txn_version txn_mvcc_base(const txn_mvcc *m, uint64_t key);
/* The newest version of key, TXN_VNONE when it has none (the base applies). */
uint32_t txn_mvcc_head(const txn_mvcc *m, uint64_t key);
/* What transaction slot tx sees of key at snapshot snap: its own uncommitted version, else the
 * newest committed one stamped <= snap, else the base. With snap TXN_STAMP_UNCOMMITTED, the
 * newest version whoever wrote it (a dirty read). */
txn_version txn_mvcc_visible(const txn_mvcc *m, uint64_t key, uint32_t tx, uint64_t snap);
/* The newest committed version of key (or the base). */
txn_version txn_mvcc_newest_committed(const txn_mvcc *m, uint64_t key);
/* True when tx has an uncommitted version of key (the head). */
bool txn_mvcc_own(const txn_mvcc *m, uint64_t key, uint32_t tx);

/* Writes tx's uncommitted version of key: replaces it if there is one (the caller keeps the
 * old contents for a savepoint), else pushes a new head. -1 when out of memory. */
int txn_mvcc_write(txn_mvcc *m, uint64_t key, uint32_t tx, uint32_t trace, uint64_t sx,
                   uint64_t wid, int64_t value, bool present);
/* Removes tx's uncommitted version of key, if it has one. */
void txn_mvcc_drop_own(txn_mvcc *m, uint64_t key, uint32_t tx);
/* Stamps tx's uncommitted version of key as committed at stamp. */
void txn_mvcc_commit_own(txn_mvcc *m, uint64_t key, uint32_t tx, uint64_t stamp);
/* Installs a committed version below any uncommitted head (txn_cc_apply). */
int txn_mvcc_install(txn_mvcc *m, uint64_t key, uint64_t wid, int64_t value, bool present,
                     uint64_t stamp);
/* Removes the committed versions of key stamped after `after` (a crash undoing commits that
 * were not durable); calls lost(ctx, trace) for each. */
void txn_mvcc_undo_after(txn_mvcc *m, uint64_t key, uint64_t after,
                         void (*lost)(void *ctx, uint32_t trace), void *ctx);
/* Drops the versions of key no snapshot at or after horizon can see. */
void txn_mvcc_gc_key(txn_mvcc *m, uint64_t key, uint64_t horizon);

#endif
