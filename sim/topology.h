/* The checked configuration: what the loader produces from YAML and the engine consumes. All
 * memory belongs to the topology's arena and lives until sim_topology_free. Instances are laid
 * out in declaration order; a group with replicas N occupies N consecutive indices. */
#ifndef SIM_TOPOLOGY_H
#define SIM_TOPOLOGY_H

#include "arena.h"
#include "dist.h"
#include "graph.h"
#include "kind.h"
#include "param.h"
#include "simtime.h"

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Most node instances in one topology (events keep a node index in 24 bits). */
#define SIM_MAX_NODES 16777215

typedef struct sim_topo_node {
    const char *name;    /* instance name: "web", or "web.3" for replicas */
    const char *group;   /* group name: "web" */
    const sim_kind *kind;
    const void *config;  /* kind->config_size bytes, shared by the group's instances */
    uint32_t group_first, group_count;
    uint32_t replica;    /* index within the group */
    bool spare;          /* beyond the group's `active:` count: down and out of the group
                            until an `add` action (or a kind) makes it join */
} sim_topo_node;

/* A node as written in the file: a group of count instances from index first (1 without
 * replicas), with the position of its name, for messages that point at the file. */
typedef struct sim_topo_group {
    const char *name;
    uint32_t first, count;
    int line, col; /* 1-based; 0 when not known */
} sim_topo_group;

/* Holding messages back so that later ones overtake them: with probability p, a copy is
 * delayed by one more draw of delay. */
typedef struct sim_reorder {
    double p;       /* < 0 in a link: the network's */
    sim_dist delay; /* SIM_DIST_NONE when p is 0 */
} sim_reorder;

/* Bandwidths are in bits per second; 0 is unlimited (no serialization delay). */
typedef struct sim_link {
    sim_ref from, to;
    sim_dist latency; /* SIM_DIST_NONE: the network's */
    double loss;      /* < 0: the network's */
    double duplicate; /* < 0: the network's */
    sim_reorder reorder;
    double bandwidth; /* < 0: the network's */
} sim_link;

/* The network interface of every instance of node: its messages out, and its messages in,
 * each go through it one at a time at bandwidth (full duplex). */
typedef struct sim_interface {
    sim_ref node;
    double bandwidth;
} sim_interface;

typedef struct sim_network {
    sim_dist latency; /* SIM_DIST_NONE: zero */
    double loss;
    double duplicate;
    sim_reorder reorder;
    double bandwidth; /* of every link without its own */
    size_t nlinks;
    sim_link *links;
    size_t ninterfaces; /* later entries override earlier ones for the instances they name */
    sim_interface *interfaces;
} sim_network;

typedef enum {
    SIM_FAULT_CRASH,
    SIM_FAULT_RESTART,
    SIM_FAULT_PARTITION,
    SIM_FAULT_LOSS,
    SIM_FAULT_SLOW,
    SIM_FAULT_ADD,    /* a spare of the group joins it (started if down) */
    SIM_FAULT_REMOVE, /* an instance (or a group's last member) leaves its group */
    SIM_FAULT_LATENCY,
    SIM_FAULT_SCALE,     /* vertical scaling: the node's workers become `workers`, after a
                            reboot of `downtime` when one is given (kind.h: resize) */
    SIM_FAULT_LOSE_DATA, /* the node's disk is lost: it crashes, forgets its durable state
                            and comes back (at once, or after `duration`) to restore what it
                            can (kind.h: lose_data) */
} sim_fault_kind;

typedef struct sim_fault {
    sim_fault_kind kind;
    sim_time at;
    sim_time duration; /* SIM_TIME_NONE: not undone */
    sim_ref node;      /* crash, restart, slow, add, remove; latency on a node (count 0: not
                          on a node) */
    double value;      /* loss: probability; slow: factor */
    sim_time add;      /* latency: the delay added */
    sim_ref from, to;  /* loss or latency on a link (count 0: everywhere) */
    size_t ngroups;    /* partition: the sides */
    sim_reflist *groups;
    uint32_t workers;  /* scale: the new count of workers */
    sim_time downtime; /* scale: the reboot before it takes effect (0: none, a live resize) */
    bool drawn;        /* drawn by the nemesis (sim/nemesis.h), not written in `faults:` */
    uint32_t rule;     /* drawn: the index of the `nemesis:` rule that drew it */
    int line;          /* where it was written, for messages (drawn: the nemesis rule's) */
    int action_line, action_col; /* of the action's value (`crash: web`'s web), 1-based */
} sim_fault;

struct sim_nemesis_rule; /* sim/nemesis.h */

/* One entry of `expect:` (contract §8.1), as the file wrote it: a metric path of the result
 * document and its inclusive bounds (at least one). The loader checks only its form; whether
 * a run of the topology can have the figure, and the verdict, are the experiments layer's. */
typedef struct sim_expect {
    const char *metric;
    bool has_min, has_max;
    double min, max;
    int line, col;       /* of the metric's value, 1-based */
    const char *set_arg; /* "--set PATH=VALUE" when an override wrote the metric, else NULL */
} sim_expect;
/* What a --set override changed, for the result document. */
typedef enum {
    SIM_RESOLVED_NONE,   /* no typed key read the value (a name, a list item, a superseded --set) */
    SIM_RESOLVED_NUMBER, /* number, in unit when non-NULL ("ms", "1/s") */
    SIM_RESOLVED_TEXT,   /* text: one of a key's choices */
    SIM_RESOLVED_BOOL,   /* flag */
} sim_resolved;

typedef struct sim_topo_override {
    const char *path, *value; /* as given (arena copies) */
    const char *file_value;   /* the file's text of the value replaced; NULL: a key --set added */
    sim_resolved resolved;    /* how dsim read the value, by the key's type */
    double number;
    const char *unit, *text;
    bool flag;
} sim_topo_override;

typedef struct sim_topology {
    sim_arena *arena;
    const char *name;
    uint64_t seed;
    sim_time duration, warmup;
    /* `warmup: auto`: the warm-up is chosen for each run by MSER-5 (experiments/warmup_auto.h)
     * from a pilot run of the same seed; warmup holds 0 until a runner sets the choice.
     * warmup_where says where it was asked for, for messages: "FILE:LINE:COL" or
     * "--set warmup=auto" (arena). */
    bool warmup_auto;
    const char *warmup_where;
    /* The requests checker keeps MSER-5's batch means (checkers/requests.h): set only in
     * the pilot run's copy of the topology. */
    bool record_batches;
    size_t nnodes;
    sim_topo_node *nodes;
    size_t ngroups;
    sim_topo_group *groups; /* in declaration order */
    sim_network net;
    size_t nfaults;
    sim_fault *faults;
    /* The `nemesis:` rules (sim/nemesis.h): faults drawn at random from the run's seed, which
     * the engine appends to its own copy of the fault list, after the written ones. */
    size_t nnemesis;
    struct sim_nemesis_rule *nemesis;
    /* The checkers the run creates, NULL-terminated (sim/checker.h); NULL: none. */
    const struct sim_checker_kind *const *checkers;
    size_t nexpects; /* the `expect:` entries, in file order */
    sim_expect *expects;
    /* The groups and the references between them (graph.h), built by the loader. */
    sim_graph graph;
    /* Time series (contract §8.2): `series` (0: off) and `series_metrics` (NULL: every
     * figure), each path with its line and column (1-based) for messages; all in the arena. */
    sim_time series;
    const char **series_metrics;
    int *series_lines, *series_cols;
    size_t nseries_metrics;
    /* The --set overrides the topology was loaded with, in the order given (the result
     * document records them: docs/results.md, "overrides"). */
    size_t noverrides;
    struct sim_topo_override *overrides;
} sim_topology;

/* Frees the topology and everything in its arena. NULL is a no-op. */
void sim_topology_free(sim_topology *t);

#endif
