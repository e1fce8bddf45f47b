/* The clients' transactions: a checker (sim/checker.h), one per engine, that counts what the
 * clients' transactions came to (document key "transactions": attempts, commits, aborts by
 * reason, transactions failed after their retries by reason, retries, indeterminate
 * outcomes, and each scripted transaction's end by name), and, when asked
 * (transactions_keep_history), keeps the history the clients observed for an Elle export
 * (reports/elle_history.h; docs/history.md). Reported only when a client issued a
 * transaction. Attempts of transactions issued before the warm-up end are counted in the
 * history but not in the figures. */
#ifndef DSIM_TRANSACTIONS_H
#define DSIM_TRANSACTIONS_H

#include "checker.h"
#include "txn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct transactions transactions;

extern const sim_checker_kind dsim_transactions_checker;

static inline transactions *transactions_of(sim_node *n) {
    return sim_checker(n, &dsim_transactions_checker);
}

/* How an attempt ended, as the client saw it. */
typedef enum {
    TXNS_COMMITTED,     /* the reply said committed */
    TXNS_ABORTED,       /* the reply said aborted (reason given): nothing of it happened */
    TXNS_INDETERMINATE, /* a timeout, a refusal, a crash: it may or may not have committed */
} txns_outcome;

/* Keep the history from now on (before the run starts: `dsim run --history`). */
void transactions_keep_history(transactions *t);

/* A process id for Elle, new in the run: one per concurrent transaction slot of a client,
 * and a new one after an indeterminate outcome (an Elle process runs one op at a time). */
uint64_t transactions_new_process(transactions *t);

/* Key `key` is written `name` (borrowed: lives as long as the topology) in a script. Returns
 * 0, or -1 when out of memory. */
int transactions_name_key(transactions *t, uint64_t key, const char *name);

/* An attempt (request id `attempt`) of the n statements stmts was sent at `at` by Elle
 * process `process`; measured: issued after the warm-up. *handle identifies it for
 * transactions_end (0 when no history is kept). Returns 0, or -1 when out of memory. */
int transactions_begin(transactions *t, bool measured, uint64_t process, sim_time at,
                       uint64_t attempt, const txn_stmt *stmts, unsigned n, uint64_t *handle);

/* The attempt of `handle` ended at `at` with out (reason: a txn_abort_reason when aborted);
 * results: what its n statements stmts (as sent by attempt `attempt`) returned when it
 * committed, else NULL. Returns 0, or -1 when out of memory. */
int transactions_end(transactions *t, bool measured, uint64_t handle, sim_time at,
                     txns_outcome out, unsigned reason, const txn_result *results,
                     const txn_stmt *stmts, unsigned n, uint64_t attempt);

/* A retry of a measured transaction was sent. */
void transactions_retried(transactions *t);
/* A measured transaction ended failed (its retries spent) after an abort for reason. */
void transactions_failed(transactions *t, unsigned reason);

/* Scripted transaction `name` (copied, up to 63 bytes) ended: committed, or with its last attempt aborted
 * for reason (failed), or indeterminate. Returns 0, or -1 when out of memory. */
int transactions_script_end(transactions *t, const char *name, txns_outcome out,
                            unsigned reason);

/* The kept history, for the export: ops in the order they happened (an invoke per attempt,
 * then its completion; an attempt still awaited at the end of the run ends `info` then, once
 * the checker is settled). */
typedef enum { TXNS_OP_INVOKE, TXNS_OP_OK, TXNS_OP_FAIL, TXNS_OP_INFO } txns_op_type;

typedef struct txns_mop {
    uint64_t key;
    uint64_t value; /* a write id; 0 with known: a read of the initial state (nil) */
    char f;         /* 'r' or 'w' */
    bool known;     /* a read's value is known (completions of committed attempts) */
} txns_mop;

typedef struct txns_op {
    txns_op_type type;
    uint64_t process;
    sim_time time;
    size_t nmops;
    const txns_mop *mops;
} txns_op;

/* Ops in the kept history. */
size_t transactions_history_size(const transactions *t);
/* Op i (0 .. size-1) of the kept history; its mops live as long as the checker. */
txns_op transactions_history_op(const transactions *t, size_t i);
/* The name a script gave key, or NULL. */
const char *transactions_key_name(const transactions *t, uint64_t key);

/* The micro-ops Elle sees of the n statements stmts of attempt `attempt` (results: what
 * they returned, NULL when unknown) into out (room for 2 * n): reads ["r", k, v], writes
 * ["w", k, id], an increment as a read then a write, range reads left out, and what a
 * rollback_to undid dropped. Returns how many. */
size_t transactions_mops(const txn_stmt *stmts, unsigned n, uint64_t attempt,
                         const txn_result *results, txns_mop *out);

#endif
