/* A run's transactions as an Elle history (Kingsbury & Alvaro, "Elle: Inferring Isolation
 * Anomalies from Experimental Observations", VLDB 2020): the JSON that elle-cli reads
 * (github.com/ligurio/elle-cli, histories/elle/rw-register.json), a list of op maps, one per
 * line, each {"index", "type": invoke|ok|fail|info, "process", "f": "txn", "value": [micro-op,
 * ...], "time": ns} with micro-ops ["r", KEY, VALUE-or-null] and ["w", KEY, VALUE]. The ops
 * come from a callback, so this layer needs no checker's types; docs/history.md has the
 * format and what is left out. */
#ifndef DSIM_ELLE_HISTORY_H
#define DSIM_ELLE_HISTORY_H

#include "simtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most micro-ops one op has. */
#define ELLE_MAX_MOPS 64

typedef enum { ELLE_INVOKE, ELLE_OK, ELLE_FAIL, ELLE_INFO } elle_type;

typedef struct elle_mop {
    char f;               /* 'r' or 'w' */
    uint64_t key;         /* written as a number, unless named */
    const char *key_name; /* non-NULL: the key is written as this string */
    bool nil;             /* the value is null (a read not yet known, or of the initial state) */
    uint64_t value;
} elle_mop;

typedef struct elle_op {
    elle_type type;
    uint64_t process;
    sim_time time;
    size_t nmops; /* at most ELLE_MAX_MOPS */
    const elle_mop *mops;
} elle_op;

/* Fills *op with op i (0 .. n-1), its micro-ops in room (ELLE_MAX_MOPS of them) or pointed
 * elsewhere. */
typedef void (*elle_op_fn)(void *ud, size_t i, elle_op *op, elle_mop *room);

/* The history of the n ops `get` gives, as JSON text (allocated; NULL when out of memory):
 * index is the op's position in the list. */
char *elle_history_json(size_t n, elle_op_fn get, void *ud);

#endif
