/* Parameter tables: how a node kind declares its YAML keys without touching libyaml. Each entry
 * names a key, its type, where the parsed value goes in the kind's config struct, its default
 * (as YAML text, parsed exactly like user input), its range and a line of help. The loader fills
 * the struct, rejects unknown keys and out-of-range values with file:line:col, and the same
 * table prints the reference documentation (dsim kinds). */
#ifndef SIM_PARAM_H
#define SIM_PARAM_H

#include "dist.h"
#include "rate_schedule.h"
#include "simtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Classes a per-class parameter (SIM_P_DIST_BY, SIM_P_MIX) tells apart at most: their names
 * are the param's `choices` (a request's operations, read and write, for instance). */
#define SIM_CLASSES_MAX 4

typedef enum {
    SIM_P_INT,      /* int64_t; a whole number */
    SIM_P_NUMBER,   /* double */
    SIM_P_PROB,     /* double in [0, 1] */
    SIM_P_DURATION, /* sim_time: "5ms", "2.5s" */
    SIM_P_RATE,     /* double, per second: "100/s", "3/ms", "60/m" */
    SIM_P_DIST,     /* sim_dist of durations (§2 of the contract) */
    SIM_P_DIST_BY,  /* sim_dist_by: one duration distribution, or one per class of `choices`:
                       {read: DIST, write: DIST} */
    SIM_P_REF,      /* sim_ref: a node, a group, or an instance ("web.2") */
    SIM_P_REFLIST,  /* sim_reflist: a list of references, or a single one */
    SIM_P_ROUTE,    /* sim_route: a reference, or {node: probability, ...} summing to <= 1 */
    SIM_P_MIX,      /* sim_mix: a probability per class of `choices` summing to 1:
                       {read: p, write: p} */
    SIM_P_INDEX,    /* sim_index_dist: a whole number drawn from 0 .. n-1,
                       {dist: uniform, n: N} or {dist: zipf, n: N, s: X} */
    SIM_P_LIMIT,    /* int64_t >= 0, or the word "unbounded" (stored as -1) */
    SIM_P_ENUM,     /* int: index into choices */
    SIM_P_BOOL,     /* bool: true or false */
    SIM_P_LIST,     /* sim_list: a list of mappings, each filled from the `item` table */
    SIM_P_WEIGHTS,  /* sim_weights: {node: weight, ...}, each weight a number > 0 */
    SIM_P_BYTES_BY, /* sim_bytes_by: a size (256, 4KiB), or one per class of `choices`:
                       {read: 128, write: 4KiB} */
    SIM_P_RATE_SCHEDULE, /* sim_rate_schedule (rate_schedule.h): a rate (100/s, held from time
                            0), or a list of phases in order of `at` (a time from the start of
                            the run): {at: T, rate: R} holds R from T on (a step);
                            {at: T, ramp_to: R, over: D} goes linearly from the rate in force at
                            T to R by T + D, then holds R; the rate is 0 before the first phase */
    SIM_P_TEXT, /* sim_list: a string, or a list of strings, each one item of item_size bytes
                   that `parse` fills from its text (errors at the string's line and column);
                   without `parse`, each item is the string itself (const char *) */
} sim_param_type;

/* How the messages a node receives travel along a reference parameter, for the loader's check
 * of the wiring graph (cycles that no message leaves). */
typedef enum {
    SIM_FLOW_NONE, /* not on the way of each message: configuration, periodic reads, ... */
    SIM_FLOW_EACH, /* every message the node takes goes on to every target (calls, a backend) */
    SIM_FLOW_ONE,  /* every message goes on to one of the targets (a balancer's backends); for a
                      SIM_P_ROUTE, with its probabilities, the rest ending at the node */
} sim_flow;

/* The key is required (no default applies). */
#define SIM_PARAM_REQUIRED 1u
/* SIM_P_DIST: the time between events that repeat on their own (a client's arrivals); its
 * mean must be at least the clock's resolution, 1 ns, or the clock could not advance. */
#define SIM_PARAM_GAP 2u
/* A reference that draws no edge in the topology graph (graph.h): it repeats references
 * another key draws (weights on a balancer's backends, a shard router's changes). */
#define SIM_PARAM_NO_EDGE 4u
/* SIM_P_LIST: one mapping, not a list of them (n is 1 when the key is given, 0 otherwise):
 * a group of keys such as a client's `transaction: {statements: 4, ...}`. */
#define SIM_PARAM_SINGLE 8u

typedef struct sim_param {
    const char *name;
    sim_param_type type;
    size_t offset;   /* offsetof(config struct, field) */
    const char *def; /* default as YAML text; NULL: none, the field holds its "unset" value */
    unsigned flags;
    double min, max; /* accepted range in base units (ns, per second); min == max: no range */
    /* SIM_P_ENUM: the words; SIM_P_DIST_BY, SIM_P_MIX: the classes' names (at most
     * SIM_CLASSES_MAX). NULL-terminated. */
    const char *const *choices;
    const char *class_word; /* SIM_P_DIST_BY, SIM_P_MIX: a class, in messages ("operation") */
    const char *help;
    const struct sim_param *item; /* SIM_P_LIST: the keys of one item (ends with name NULL) */
    size_t item_size;             /* SIM_P_LIST, SIM_P_TEXT: bytes of one item's struct */
    /* SIM_P_TEXT: fills item from text, a copy it may cut up (it lives as long as the
     * topology, so the item may point into it); returns 0, or -1 with a message (without the
     * FILE:LINE:COL the loader puts before it) in err. NULL: the item is the text. */
    int (*parse)(char *text, void *item, char *err, size_t errsize);
    /* SIM_P_LIST: checks one item once its keys are parsed (keys that go together); returns
     * 0, or -1 with a message in err, which the loader reports at the item's FILE:LINE:COL.
     * NULL: no check. */
    int (*check_item)(const void *item, char *err, size_t errsize);
    /* References (SIM_P_REF, REFLIST, ROUTE, WEIGHTS): the protocol bits (those of
     * sim_kind.serves) the target must serve, 0 for any node; and how messages flow along. */
    unsigned needs;
    sim_flow flow;
    /* References: the role of the edges the key draws in the topology graph (graph.h), a word
     * such as "call" or "backend" that the result document and `dsim graph` show; NULL: the
     * key's name. */
    const char *edge;
} sim_param;

/* "Unset" values for keys that are neither given nor defaulted:
 * INT, LIMIT, DURATION: -1; NUMBER, PROB, RATE: -1.0; DIST: kind SIM_DIST_NONE; REF: count 0;
 * REFLIST, ROUTE, LIST, WEIGHTS, RATE_SCHEDULE: n 0; ENUM: 0; BOOL: false; OPDIST: every op
 * SIM_DIST_NONE. */

/* A reference to nodes by name, resolved by the loader to a range of instance indices. */
typedef struct sim_ref {
    const char *name; /* as written */
    uint32_t first;   /* first instance index */
    uint32_t count;   /* number of instances (1 for a single node or an instance) */
} sim_ref;

typedef struct sim_reflist {
    size_t n;
    sim_ref *refs;
} sim_reflist;

/* Random routing: to[i] is chosen with probability p[i]; the rest (1 - sum) chooses none. */
typedef struct sim_route {
    size_t n;
    sim_ref *to;
    double *p;
} sim_route;

/* A list of items of one struct type (item_size bytes each, filled from the param's `item`
 * table like a node's config), in the order written; the array lives as long as the topology. */
typedef struct sim_list {
    size_t n;
    void *items;
} sim_list;

/* Weights on nodes: w[i] > 0 on every instance of to[i], in the order written (a node may
 * appear as a group and again as an instance; the kind decides which wins). */
typedef struct sim_weights {
    size_t n;
    sim_ref *to;
    double *w;
} sim_weights;

/* By class, in the order of the param's choices. */
typedef struct sim_dist_by {
    sim_dist by[SIM_CLASSES_MAX];
} sim_dist_by;

typedef struct sim_bytes_by {
    uint32_t by[SIM_CLASSES_MAX];
} sim_bytes_by;

typedef struct sim_mix {
    double p[SIM_CLASSES_MAX];
} sim_mix;

typedef enum { SIM_INDEX_ONE, SIM_INDEX_UNIFORM, SIM_INDEX_ZIPF } sim_index_kind;

typedef struct sim_index_dist {
    sim_index_kind dist;
    uint64_t n; /* draws are 0 .. n-1 */
    double s;   /* zipf exponent */
} sim_index_dist;

/* Returns the name used in YAML and docs for a parameter type ("duration", ...). */
const char *sim_param_type_name(sim_param_type t);
/* The type of p as the docs show it, its classes by name for a per-class parameter
 * ("distribution or {read: DIST, write: DIST}"); allocated, NULL when out of memory. */
char *sim_param_type_text(const sim_param *p);

#endif
