/* Serializable snapshot isolation (Cahill, Röhm & Fekete 2008; Ports & Grittner 2012, the
 * design of PostgreSQL's SERIALIZABLE since 9.1): snapshot isolation plus tracking of
 * rw-antidependencies. Reader R -rw-> writer W when R read a version of a key older than the
 * one W wrote, the two overlapping in time: detected when W writes a key R holds an SIREAD
 * lock on (a row, or a range R read: predicate reads, so phantoms count), or when R reads
 * past a version W installed after R's snapshot (or has not committed). Every anomaly of
 * snapshot isolation has a "dangerous structure" Tin -rw-> Tpivot -rw-> Tout (Fekete et al.
 * 2005); like PostgreSQL we abort only when Tout committed first (before Tpivot and Tin,
 * Ports & Grittner §3.2), since otherwise the order Tout, Tpivot, Tin... is not forced.
 *
 * Which transaction aborts (PostgreSQL's choice, PreCommit_CheckForSerializationFailure and
 * OnConflict_CheckForSerializationFailure in predicate.c):
 *   - an edge made during a statement that completes a structure whose Tout has committed
 *     aborts the transaction running the statement (it is part of the structure and has not
 *     committed; nothing of it is visible yet);
 *   - at commit, a transaction Tout that completes Tin -> Tpivot -> Tout with Tpivot still
 *     open dooms Tpivot (it fails at its next statement or commit), so the committer goes on:
 *     "safe retry", the retried pivot will not meet the same conflict (Ports & Grittner §5.4).
 * Left out: PostgreSQL's read-only optimisations (a declared READ ONLY Tin is safe when Tout
 * committed after its snapshot; safe snapshots) since statements do not declare read-only;
 * the summarisation of old committed transactions (we keep them while they overlap an open
 * one, so memory follows the number of overlapping transactions).
 *
 * Records are known by a 64-bit id (generation << 32 | slot), 0 for none. */
#ifndef DSIM_TXN_SSI_H
#define DSIM_TXN_SSI_H

#include "keymap.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct txn_ssi_x {
    uint32_t gen;
    bool used, committed, doomed;
    uint64_t snap, cseq; /* snapshot and commit stamps (the commit clock) */
    uint32_t *in, *out;  /* slots of rw partners: in (readers before us), out */
    uint32_t nin, capin, nout, capout;
    uint64_t *reads; /* keys it holds SIREAD locks on */
    uint32_t nreads, capreads;
    uint32_t next_committed; /* FIFO of committed records, by commit stamp */
    /* The earliest commit stamp of an out partner (a Tout) already forgotten, 0 for none:
     * PostgreSQL's summary of a conflict out to a committed transaction
     * (earliestOutConflictCommit), so a reader that arrives later still completes the
     * structure Tin -rw-> us -rw-> Tout. */
    uint64_t out_gone;
} txn_ssi_x;

typedef struct txn_ssi_siread {
    uint32_t *sx; /* slots reading the key */
    uint32_t n, cap;
} txn_ssi_siread;

typedef struct txn_ssi_range {
    uint32_t sx;
    uint64_t lo, hi;
} txn_ssi_range;

typedef struct txn_ssi {
    txn_ssi_x *x;
    uint32_t nx, capx;
    uint32_t *free_x;
    uint32_t nfree, capfree;
    txn_keymap by_key; /* key -> siread slot */
    txn_ssi_siread *sr;
    uint32_t nsr, capsr;
    uint32_t *free_sr;
    uint32_t nfree_sr, capfree_sr;
    txn_ssi_range *ranges;
    uint32_t nranges, capranges;
    uint32_t committed_head, committed_tail; /* UINT32_MAX: none */
} txn_ssi;

void txn_ssi_init(txn_ssi *s);
void txn_ssi_free(txn_ssi *s);
/* A new record with snapshot snap: its id, or 0 when out of memory. */
uint64_t txn_ssi_begin(txn_ssi *s, uint64_t snap);
/* True when the record id was doomed by another's commit. */
bool txn_ssi_doomed(const txn_ssi *s, uint64_t id);
/* sx read key: an SIREAD lock. -1 when out of memory. */
int txn_ssi_read(txn_ssi *s, uint64_t sx, uint64_t key);
/* sx read the range [lo, hi): a predicate SIREAD lock. */
int txn_ssi_read_range(txn_ssi *s, uint64_t sx, uint64_t lo, uint64_t hi);
/* Records reader -rw-> writer (ids; either may be 0 or stale: ignored). Returns true when it
 * completes a dangerous structure whose Tout has committed: the caller aborts the transaction
 * running the statement. */
bool txn_ssi_edge(txn_ssi *s, uint64_t reader, uint64_t writer);
/* sx writes key: edges from every concurrent SIREAD holder of key (row or range). True: a
 * dangerous structure (abort sx). */
bool txn_ssi_write(txn_ssi *s, uint64_t sx, uint64_t key);
/* sx commits at stamp cseq: false when it must abort instead (doomed, or the pivot of a
 * structure whose Tout committed); true: it is marked committed and the open pivots of
 * structures it completes as Tout are doomed. */
bool txn_ssi_commit(txn_ssi *s, uint64_t sx, uint64_t cseq);
/* sx aborted: its record, edges and SIREAD locks go at once. */
void txn_ssi_abort(txn_ssi *s, uint64_t sx);
/* Frees the committed records no open transaction overlaps: those committed at or before
 * horizon (the oldest open serializable snapshot; UINT64_MAX when none is open). */
void txn_ssi_cleanup(txn_ssi *s, uint64_t horizon);
/* Records in use (for tests: bounded memory). */
uint32_t txn_ssi_live(const txn_ssi *s);

#endif
