/* The node-kind interface: one constant table of operations per kind (like ROSS's tw_lptype
 * or Redis's module types). The engine allocates and zeroes each instance's state
 * (state_size bytes) and calls the hooks; a NULL hook does nothing. Later kinds plug in here
 * without touching the engine. */
#ifndef SIM_KIND_H
#define SIM_KIND_H

#include "param.h"
#include "report.h"
#include "message.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_KIND_VERSION 2

typedef struct sim_node sim_node;
typedef struct sim_check sim_check;
typedef struct sim_checker_kind sim_checker_kind;
typedef struct sim_metric sim_metric;
typedef struct sim_load sim_load;

/* What one instance needs from its config, for the estimate made before an engine is built
 * (footprint.h): the bytes its create hook allocates beyond state_size; the events and the
 * messages it keeps in flight from the start (closed-loop users, PHOLD messages; the engine
 * knows what each costs); the bytes of its entry in the result document (0: a default of a
 * few kB); and the key that drives these most, with its value (NULL: none). */
typedef struct sim_memory_need {
    double bytes;
    double events, messages;
    double report_bytes;
    const char *key;
    double value;
} sim_memory_need;

typedef struct sim_kind {
    int version;         /* SIM_KIND_VERSION */
    const char *name;    /* the YAML `kind:` word */
    const char *summary; /* one line for docs */
    size_t config_size;  /* bytes of the config struct the params fill */
    size_t state_size;   /* bytes of per-instance state, zeroed by the engine */
    const sim_param *params; /* ends with an entry whose name is NULL */
    /* The protocols the kind answers, as bits the protocols define (protocols/protocols.h): a
     * reference whose param needs bits the target's kind does not serve is refused. */
    unsigned serves;
    /* Cross-key checks after every key was parsed; report with sim_check_error. */
    void (*check)(const void *config, sim_check *ck);
    /* Sets up an instance at time 0 (may send and set timers). Allocation failure: call
     * sim_out_of_memory and return. */
    void (*create)(sim_node *node);
    /* Handles a message; the node owns msg from here on (message.h): it keeps it, sends it
     * on, or frees it. */
    void (*receive)(sim_node *node, sim_msg *msg);
    /* Handles a timer the node set; timers set before a crash never fire. */
    void (*timer)(sim_node *node, uint16_t tag, uint64_t arg);
    /* The node just crashed: drop volatile state and free every message it holds (its timers
     * are dropped by the engine). */
    void (*crash)(sim_node *node);
    /* The node comes back after a crash. */
    void (*restart)(sim_node *node);
    /* The node's registered figures (metrics.h), a table ending with a NULL name: the engine
     * writes them into its entry under "nodes", looks them up by path and samples them. NULL:
     * none. */
    const sim_metric *metrics;
    /* Writes what the table cannot hold into the open object of its entry, after the table's
     * entries. */
    void (*report)(const sim_node *node, sim_report *out);
    /* Frees what create allocated (messages held are freed by the engine with its pools). */
    void (*destroy)(sim_node *node);
    /* The run reached its end: settle what must be settled before the report (e.g. tell the
     * consistency oracle which versions survive). Called once per instance, crashed or not. */
    void (*finish)(sim_node *node);
    /* Node `changed` just joined (joined true) or left its group (sim/membership.h); `node`
     * is the instance told. NULL: the kind keeps no table of any group's instances. */
    void (*membership)(sim_node *node, uint32_t changed, bool joined);
    /* The checkers the kind feeds (sim/checker.h), NULL-terminated; NULL: none. The engine
     * creates each once per run, and the kind reaches it with sim_checker. */
    const sim_checker_kind *const *checkers;
    /* Estimates what an instance needs from its config, group_count being the instances of
     * its group; memory that grows during the run (queues, caches, logs) is not counted.
     * NULL: state_size only. */
    sim_memory_need (*memory_need)(const void *config, uint32_t group_count);
    /* The instances of a group talk among themselves (a database's replication, PHOLD's
     * messages): the role of the edge the topology graph (graph.h) draws from each group of
     * more than one instance to itself. NULL: none. */
    const char *group_edge;
    /* Vertical scaling (the `scale` fault, and kinds that manage others): the node has
     * `workers` workers from now on, 0 meaning its configured count again. Work in service
     * goes on; with fewer workers, the ones over the count stop as they finish. Called while
     * the node is up, or while it is down between a crash and its restart (a reboot: the
     * restart then begins with the new count). NULL: the kind has no workers to scale (the
     * loader refuses a `scale` on it). */
    void (*resize)(sim_node *node, uint32_t workers);
    /* The node's disk is lost (the `lose_data` fault): called while the node is down, after
     * its crash hook and before its restart hook. The kind forgets its durable state (what a
     * crash keeps), so that its restart begins from nothing, or from what it can restore (a
     * backup, a replica). NULL: the kind keeps nothing on disk (the loader refuses a
     * `lose_data` on it). */
    void (*lose_data)(sim_node *node);
    /* The node's load now (sim/ping.h), which the engine puts in the PONG when it answers a
     * PING for the node: what a monitoring agent on the host reports. Returns false when there
     * is nothing to report. Must not change anything. NULL: no load reported. */
    bool (*load)(const sim_node *node, sim_load *out);
} sim_kind;

/* Reports a cross-key problem at key's position in the node (or at the node when key is NULL
 * or absent from the file). */
void sim_check_error(sim_check *ck, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when key was written in the node's YAML (not defaulted). */
bool sim_check_given(const sim_check *ck, const char *key);

#endif
