/* The client's transactions: the keys that describe them (a random workload, `transaction`,
 * or scripted ones for teaching, `script`), the parser of a script's statements ("read x",
 * "write x 11", ...), and the drawing of one workload transaction. The client (client.c)
 * sends them with txn_request_new and settles their replies; what they read and wrote goes
 * to the `transactions` checker (checkers/transactions.h). docs/transactions-client.md
 * documents the keys and the statements. */
#ifndef DSIM_CLIENT_TXN_H
#define DSIM_CLIENT_TXN_H

#include "index_dist.h"
#include "kind.h"
#include "param.h"
#include "txn.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>

/* What a workload transaction's writing statements are. */
typedef enum {
    CTXN_WRITE,             /* write k v: v is the statement's write id (unique in the run) */
    CTXN_INCREMENT,         /* increment k by 1 (one statement: read and write) */
    CTXN_READ_MODIFY_WRITE, /* read k, then write k = (what was read) + 1: two statements */
    CTXN_TRANSFER,          /* the bank transfer: read a, read b, write a = a - amount,
                               write b = b + amount (a != b); the whole transaction */
} ctxn_writes;
extern const char *const ctxn_writes_names[];

/* `transaction: {...}` (one mapping, SIM_PARAM_SINGLE). */
typedef struct ctxn_workload {
    int64_t statements, statements_max; /* a count drawn uniformly in [statements, max] */
    double read_fraction;               /* of statements: reads; the rest write */
    int writes;                         /* ctxn_writes */
    double range_fraction;              /* of reads: range reads */
    int64_t range_size;                 /* keys of a range read */
    sim_dist think;                     /* before each statement but the first */
    int64_t amount;                     /* CTXN_TRANSFER: what moves from a to b */
} ctxn_workload;
extern const sim_param ctxn_workload_params[];

/* One line of a scripted transaction, parsed from its text. */
typedef struct ctxn_line {
    txn_stmt stmt;
    bool wait;        /* "wait D": stmt.think is D, added before the next statement */
    const char *name; /* the key's name when written as one (points into the text), else NULL */
} ctxn_line;

/* `script: [{at: T, name: N, statements: [...]}, ...]` */
typedef struct ctxn_script {
    sim_time at;
    sim_list name;       /* of const char *: at most one */
    sim_list statements; /* of ctxn_line */
} ctxn_script;
extern const sim_param ctxn_script_params[];

/* Parses one statement of a script (SIM_P_TEXT's parse, param.h). */
int ctxn_parse_line(char *text, void *item, char *err, size_t errsize);

/* Checks the scripted transactions of a client's `script` (statement counts, savepoints,
 * a wait at the end). */
void ctxn_script_check(const sim_list *script, sim_check *ck);

/* The statements of scripted transaction s into out (room for TXN_MAX_STMTS): its waits
 * folded into the next statement's think. Returns how many. */
unsigned ctxn_script_stmts(const ctxn_script *s, txn_stmt *out);

/* Draws one workload transaction into out (room for TXN_MAX_STMTS), keys from keys; write
 * values are left 0 (the client sets them to their write ids once it knows the attempt's
 * request id: ctxn_set_write_ids). Returns how many statements. */
unsigned ctxn_draw(const ctxn_workload *w, sim_index_sampler *keys, gsl_rng *rng,
                   txn_stmt *out);

/* Sets the value of every plain write (not TXN_FROM_READ) of an attempt to its write id, so
 * that every value written in a run is unique (Elle's rw-register needs it). */
void ctxn_set_write_ids(txn_stmt *stmts, unsigned n, uint64_t attempt);

#endif
