/* Transactions on the wire: a request (protocols/request.h) whose body carries, after the
 * rr_req, a txn_body: the transaction's statements and, in the reply, what each returned and
 * how the transaction ended. It travels like any request (load balancers and other relays
 * that pass the message on keep it whole) and is answered by a `database`; a kind that makes
 * calls of its own from a request (a service) does not pass transactions on.
 *
 * The request's op is RR_WRITE when a statement writes and RR_READ otherwise, so a read-only
 * transaction may go to a replica (`read_from`). The reply's status is RR_OK when it
 * committed, RR_FAILED when it aborted (reason says why, TXN_ABORT_CRASH also for a refusal
 * at a crashed node) and RR_REJECTED when the database had no room for it. */
#ifndef DSIM_TXN_WIRE_H
#define DSIM_TXN_WIRE_H

#include "request.h"
#include "txn.h"

#include <stddef.h>
#include <stdint.h>

typedef struct txn_body {
    uint8_t n;        /* statements */
    uint8_t done;     /* reply: statements that ran (their results are set) */
    uint8_t reason;   /* reply: txn_abort_reason when it aborted */
    uint8_t forwards; /* times the database's instances forwarded it (database: requests.c) */
    uint32_t pad;
    /* n txn_stmt, then n txn_result (txn_stmts, txn_results) */
} txn_body;

/* Bytes of body after the rr_req for n statements. */
static inline size_t txn_body_bytes(unsigned n) {
    return sizeof(txn_body) + n * (sizeof(txn_stmt) + sizeof(txn_result));
}
static inline txn_stmt *txn_stmts(txn_body *b) { return (txn_stmt *)(b + 1); }
static inline txn_result *txn_results(txn_body *b) {
    return (txn_result *)(txn_stmts(b) + b->n);
}

/* The transaction r carries, or NULL for a plain request. */
txn_body *txn_of(rr_req *r);

/* A new transaction request from client n of the n statements (1 .. TXN_MAX_STMTS) in
 * stmts, copied, its op set from them; the rest as rr_new. NULL when out of memory (the run is
 * then failed). */
rr_req *txn_request_new(sim_node *n, const txn_stmt *stmts, unsigned count);

#endif
