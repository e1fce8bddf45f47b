/* The lock manager of one database instance: shared and exclusive row locks per key with FIFO
 * wait queues, range locks (the next-key/gap locks a serializable range read takes under
 * locking, so an insert into the range waits), and the wait-for graph with a cycle check on
 * every wait. Transactions are small slot numbers (txn/cc.h's handles). Pure data: waking a
 * waiter means appending it to `woken`, which the caller drains (cc.c calls the wake hook
 * after its own state is consistent, so the hook never re-enters).
 *
 * Rules (Gray & Reuter 1993, ch. 7; Gray et al. 1976):
 *   - a request is granted when compatible with every holder and no one waits before it
 *     (FIFO: a stream of S requests does not starve an X waiter);
 *   - an upgrade S -> X by the sole holder is granted at once; an upgrade that must wait goes
 *     to the queue's front (after earlier upgraders); two S holders both upgrading deadlock,
 *     and the second is the victim;
 *   - when a wait would close a cycle in the wait-for graph the requester is refused
 *     (TXN_LOCK_DEADLOCK) and enqueued nowhere: it is the victim.
 * Cost: row locks are found through a hash map; a request scans the row's holders and queue
 * only; the cycle check walks only the transactions reachable from the requester; a write
 * under range locks scans the open range locks (one per range read of an open serializable
 * transaction). */
#ifndef DSIM_TXN_LOCKS_H
#define DSIM_TXN_LOCKS_H

#include "keymap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { TXN_LOCK_S = 1, TXN_LOCK_X = 2 } txn_lock_mode;
typedef enum { TXN_LOCK_GRANTED, TXN_LOCK_WAIT, TXN_LOCK_DEADLOCK, TXN_LOCK_NOMEM } txn_lock_status;

typedef struct txn_lk_ent {
    uint32_t tx;
    uint8_t mode;
} txn_lk_ent;

typedef struct txn_lk_row {
    uint64_t key;
    txn_lk_ent *hold, *wait;
    uint32_t nhold, caphold, nwait, capwait;
} txn_lk_row;

typedef struct txn_lk_held {
    uint64_t key;
    bool is_long;
} txn_lk_held;

enum { TXN_LK_NOWAIT, TXN_LK_ROW, TXN_LK_RANGE };

typedef struct txn_lk_tx {
    txn_lk_held *held;
    uint32_t nheld, capheld;
    uint8_t wait_kind; /* TXN_LK_* */
    uint8_t wait_mode;
    uint64_t wait_key;
    uint64_t mark; /* cycle search epoch */
} txn_lk_tx;

typedef struct txn_lk_range {
    uint32_t tx;
    uint64_t lo, hi;
} txn_lk_range;

typedef struct txn_locks {
    txn_keymap by_key; /* key -> row index */
    txn_lk_row *rows;
    uint32_t nrows, caprows;
    uint32_t *free_rows;
    uint32_t nfree, capfree;
    txn_lk_tx *txs; /* by transaction slot */
    uint32_t ntxs;
    txn_lk_range *ranges;
    uint32_t nranges, capranges;
    uint32_t *range_waiters; /* transactions waiting on a range lock, in the order they began */
    uint32_t nrw, caprw;
    uint32_t *woken; /* granted since the caller last drained it, in FIFO order */
    uint32_t nwoken, capwoken;
    uint32_t *stack; /* the cycle search's */
    uint32_t capstack;
    uint64_t epoch;
    uint64_t requests, waits, deadlocks;
} txn_locks;

void txn_locks_init(txn_locks *lm);
void txn_locks_free(txn_locks *lm);
/* Makes room for transaction slots 0 .. n-1; -1 when out of memory. */
int txn_locks_reserve(txn_locks *lm, uint32_t n);

/* Transaction tx asks for key in mode; long locks are kept until txn_locks_release_all,
 * short ones until txn_locks_release_short. WAIT: tx is queued (woken when granted). */
txn_lock_status txn_locks_acquire(txn_locks *lm, uint32_t tx, uint64_t key, txn_lock_mode mode,
                                  bool is_long);
/* Releases the short locks tx holds (those it does not also hold long). */
void txn_locks_release_short(txn_locks *lm, uint32_t tx);
/* Takes a range lock of [lo, hi) for tx (shared: range locks never conflict with each other;
 * they conflict with writes of keys inside). -1 when out of memory. */
int txn_locks_add_range(txn_locks *lm, uint32_t tx, uint64_t lo, uint64_t hi);
/* May tx write key, given the others' range locks? WAIT: tx waits (woken when no other
 * transaction's range covers key any more). */
txn_lock_status txn_locks_check_range(txn_locks *lm, uint32_t tx, uint64_t key);
/* True when tx is waiting. */
bool txn_locks_waiting(const txn_locks *lm, uint32_t tx);
/* Withdraws tx's wait, releases all its locks and ranges (its transaction ended). */
void txn_locks_release_all(txn_locks *lm, uint32_t tx);
/* Forgets every lock and wait (a crash), waking no one. */
void txn_locks_clear(txn_locks *lm);

#endif
