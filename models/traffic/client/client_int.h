/* The client kind's own declarations, shared by its files: client.c (the loops, the
 * requests and their outcomes) and client_txn_run.c (transactions in flight: their history
 * and their replies). */
#ifndef DSIM_CLIENT_INT_H
#define DSIM_CLIENT_INT_H

#include "client_txn.h"
#include "index_dist.h"
#include "ledger.h"
#include "idmap.h"
#include "kind.h"
#include "param.h"
#include "request.h"
#include "requests.h"
#include "retry.h"
#include "transactions.h"

enum { T_ARRIVAL, T_USER, T_TIMEOUT, T_RETRY, T_START, T_SCRIPT };

typedef struct client_config {
    sim_ref target;
    sim_rate_schedule rate;
    sim_dist arrival;
    int64_t users;
    sim_dist think;
    int64_t requests;
    sim_time timeout;
    sim_mix ops;
    sim_index_dist keys;
    sim_bytes_by request_bytes;
    retry_policy retry;
    sim_time start, stop; /* -1: unset */
    sim_list transaction; /* of ctxn_workload: at most one */
    sim_list script;      /* of ctxn_script */
} client_config;

/* A request issued and not yet settled: awaiting the reply to an attempt, or backing off
 * before the next one. */
typedef struct pending {
    sim_time issued;     /* the first attempt: latency runs from here */
    uint64_t user;       /* closed loop: the user waiting for it */
    uint64_t key;
    uint64_t attempt_id; /* the request id of the attempt awaited; 0 while backing off */
    int64_t retries;     /* retries made so far */
    sim_timer timeout;   /* the attempt's time-out, cancelled when its reply comes */
    sim_ledger_ref ledger; /* where its time went (measured requests only; sim/ledger.h) */
    /* A transaction: its statements (owned when drawn from the workload, else a script's
     * copy in the client's state), the Elle history's handle of the attempt awaited, and why
     * the last attempt aborted. */
    txn_stmt *stmts;
    uint64_t hist;
    uint32_t script; /* index + 1 of its scripted transaction, 0: none */
    uint8_t nstmts, reason, outcome; /* outcome: txns_outcome of the last attempt */
    uint8_t op;
    bool live;
} pending;

typedef struct client_state {
    sim_dist gap;   /* time between open-loop arrivals, unless scheduled */
    bool scheduled; /* open loop: arrivals by the rate schedule (a rate that changes) */
    sim_index_sampler keys;
    pending *slots; /* grown on demand; free ones chained through `user` */
    size_t nslots, capslots, live;
    uint64_t free_slot; /* index + 1 of the first free slot, 0: none */
    sim_idmap waiting;  /* attempt id -> slot index */
    retry_budget budget;
    uint64_t sent; /* requests issued, all of the run (for the `requests` cap) */
    /* measured (issued after the warm-up) */
    requests_tally own; /* this client's outcomes (the run's sum is the requests checker's) */
    uint64_t attempts, retries, denied;
    /* Transactions: the Elle process of each slot (+1; 0: none yet), and the scripted
     * transactions' statements. */
    uint64_t *procs;
    txn_stmt *script_stmts; /* TXN_MAX_STMTS per scripted transaction */
    uint8_t *script_n;
} client_state;

/* Records the outcome of the request in slot i and frees the slot. */
void client_settle(sim_node *n, size_t i, requests_outcome out);
/* The attempt of slot i failed or timed out: back off and retry if the policy and the budget
 * allow it, else settle with that outcome. */
void client_attempt_failed(sim_node *n, size_t i, requests_outcome out);

/* The Elle process of slot i: one per slot, a new one after an indeterminate outcome. */
uint64_t client_slot_process(sim_node *n, size_t i);
/* Attempt r of the transaction in slot i is about to go: its plain writes get their write
 * ids as values (workload transactions: unique values, as Elle needs), and the checker its
 * invoke. Returns 0, or -1 when out of memory. */
int client_txn_begin(sim_node *n, size_t i, rr_req *r);
/* The statements of each scripted transaction, and the names of its keys. Returns 0, or -1
 * when out of memory. */
int client_script_prepare(sim_node *n);
/* The transaction p ended with out: the checker's failures by reason and its script's end;
 * its statements freed. */
void client_txn_settled(sim_node *n, pending *p, requests_outcome out);
/* The end of the awaited attempt of the transaction in slot i (r: the reply, NULL for a
 * timeout or a crash), to the checker's history; an indeterminate end gives the slot a new
 * Elle process. */
void client_txn_attempt_end(sim_node *n, size_t i, txns_outcome out, unsigned reason,
                            rr_req *r);
/* The database answered the transaction of slot i. */
void client_txn_reply(sim_node *n, size_t i, rr_req *r);

#endif
