/* A trace: the ground truth of one database cluster's transactions, in the order things
 * happened. The concurrency control (txn/cc.h) appends to it as it runs statements: which
 * version (write id) each read returned, which each write installed, and how each transaction
 * ended; the anomaly checker (checkers/anomalies.h) builds the dependency graph from it. It is
 * plain data with no engine in it, so tests can write traces by hand.
 *
 * The version order of a key is the commit order of the committed transactions that wrote
 * it, each installing its last write of the key (its earlier writes are intermediate
 * versions, which only a dirty read can see). Write id 0 is the key's initial state: present,
 * with initial_value, for keys below `rows`; absent for the others.
 *
 * Memory: one txn_record per transaction and one txn_event per statement (and per row a range
 * read matched), kept for the whole run (a million transactions of four statements: ~100 MB). */
#ifndef DSIM_TXN_TRACE_H
#define DSIM_TXN_TRACE_H

#include "idmap.h"
#include "txn.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    TXN_EV_READ,  /* key read: wid the version returned (0: initial), present/value */
    TXN_EV_WRITE, /* key written: wid the version installed, value its value */
    TXN_EV_RANGE, /* a range read of [key, key_end): the rows it matched follow as TXN_EV_READ
                     events with in_range set (absent rows are not listed) */
    TXN_EV_UNDO,  /* a rollback to a savepoint undid the transaction's writes of key made
                     after its write wid (0: every write of key) */
} txn_event_kind;

typedef struct txn_event {
    uint32_t txn; /* index of its transaction in txns */
    uint8_t kind; /* txn_event_kind */
    bool present;
    bool in_range; /* a row of the range read just before */
    uint64_t key;
    union {
        uint64_t wid;     /* READ, WRITE, UNDO */
        uint64_t key_end; /* RANGE */
    };
    int64_t value;
} txn_event;

typedef enum {
    TXN_OPEN,      /* still running at the end of the run */
    TXN_COMMITTED,
    TXN_ABORTED,
    TXN_LOST,      /* committed, then undone by a crash before its commit was durable */
} txn_status;

typedef struct txn_record {
    uint64_t id;       /* the attempt's request id (write ids derive from it: txn.h) */
    uint32_t client;   /* the node that issued it */
    uint8_t status;    /* txn_status */
    uint8_t reason;    /* txn_abort_reason, when aborted */
    uint8_t isolation; /* txn_isolation it ran at */
    bool read_only;    /* ran on a replica's snapshot (or wrote nothing) */
    sim_time begin, end; /* end: commit or abort; -1 while open */
    uint64_t commit_seq; /* order of commits in the trace, from 1; 0: not committed */
} txn_record;

typedef struct txn_trace {
    uint64_t rows;         /* keys 0 .. rows-1 exist initially */
    int64_t initial_value; /* their value */
    txn_record *txns;
    size_t ntxns, captxns;
    txn_event *events;
    size_t nevents, capevents;
    uint64_t commits; /* commit_seq of the last commit */
    sim_idmap by_id;  /* txn_record.id -> index */
    bool out_of_memory; /* an append failed: the trace is incomplete (the run is failed) */
} txn_trace;

/* An empty trace of a store whose keys 0 .. rows-1 start present with initial_value. */
void txn_trace_init(txn_trace *t, uint64_t rows, int64_t initial_value);
void txn_trace_free(txn_trace *t);

/* A transaction begins: returns its index, or UINT32_MAX when out of memory. */
uint32_t txn_trace_begin(txn_trace *t, uint64_t id, uint32_t client, txn_isolation iso,
                         sim_time at);
/* Appends an event of transaction tx (its txn field is set here). */
void txn_trace_event(txn_trace *t, uint32_t tx, txn_event e);
/* Transaction tx committed at `at` (it takes the next commit_seq) / aborted / was lost. */
void txn_trace_commit(txn_trace *t, uint32_t tx, sim_time at);
void txn_trace_abort(txn_trace *t, uint32_t tx, txn_abort_reason why, sim_time at);
void txn_trace_lost(txn_trace *t, uint32_t tx);

/* The transaction that made write id wid (an attempt's request id: txn.h), or UINT32_MAX for
 * the initial state or an unknown one. */
uint32_t txn_trace_writer(const txn_trace *t, uint64_t wid);

#endif
