/* Loader internals shared by loader.c (document, nodes, network, faults) and loader_values.c
 * (typed values: numbers, durations, distributions, references, parameter tables). */
#ifndef SIM_LOADER_INT_H
#define SIM_LOADER_INT_H

#include "loader.h"

#include <stdbool.h>
#include <yaml.h>

typedef struct sim_pending_ref {
    sim_ref *ref;
    const char *where; /* the key it was written under, for messages (arena copy) */
    int line, col;
    /* Written in a node's keys: the param (NULL elsewhere: network, faults), the field of the
     * config it fills (a sim_ref, sim_reflist, sim_route or sim_weights) and the first
     * instance of the node's group; for the wiring check. */
    const sim_param *param;
    const void *field;
    uint32_t owner;
} sim_pending_ref;

typedef struct sim_loader {
    sim_diag *diag;
    yaml_document_t *doc;
    sim_arena *arena;
    sim_pending_ref *refs; /* references to resolve once every node is known */
    size_t nrefs, caprefs;
    bool oom;
    /* What the references parsed now belong to (see sim_pending_ref); param NULL outside a
     * node's keys. */
    const sim_param *param;
    const void *field;
    uint32_t owner;
    size_t errors_before; /* errors in the context when the load began */
} sim_loader;

struct sim_check {
    sim_loader *ld;
    yaml_node_t *map; /* the node's mapping */
    const char *where;
};

/* Reports an error at node y's position. */
void sim__ld_error(sim_loader *ld, const yaml_node_t *y, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The scalar text of y, or NULL when y is not a scalar. */
const char *sim__ld_scalar(const yaml_node_t *y);
/* The node with the given id in the document. */
yaml_node_t *sim__ld_node(sim_loader *ld, int id);
/* The value of key in mapping map (and the key node in *key_node), or NULL. */
yaml_node_t *sim__ld_get(sim_loader *ld, yaml_node_t *map, const char *key,
                         yaml_node_t **key_node);
/* Copies a string into the arena (marks the loader out of memory on failure). */
char *sim__ld_strdup(sim_loader *ld, const char *s);
/* Allocates zeroed arena memory (marks the loader out of memory on failure). */
void *sim__ld_alloc(sim_loader *ld, size_t size);

/* Parses a duration distribution (§2). where names the key in messages. Returns 0 or -1. */
int sim__ld_dist(sim_loader *ld, yaml_node_t *y, const char *where, sim_dist *out);
/* Parses a node reference into *out and queues it for resolution. Returns 0 or -1. */
int sim__ld_ref(sim_loader *ld, yaml_node_t *y, const char *where, sim_ref *out);
/* Parses a list of references (or a single one). Returns 0 or -1. */
int sim__ld_reflist(sim_loader *ld, yaml_node_t *y, const char *where, sim_reflist *out);
/* Parses a probability in [0, 1]. Returns 0 or -1. */
int sim__ld_prob(sim_loader *ld, yaml_node_t *y, const char *where, double *out);
/* Parses a duration. Returns 0 or -1. */
int sim__ld_duration(sim_loader *ld, yaml_node_t *y, const char *where, sim_time *out);
/* Parses a number in [min, max] (min == max: any). Returns 0 or -1. */
int sim__ld_number(sim_loader *ld, yaml_node_t *y, const char *where, double min, double max,
                   double *out);
/* Fills config from mapping map with the kind's parameter table, skipping the keys in skip
 * (NULL-terminated). where names the node in messages. Returns 0 or -1. */
int sim__ld_params(sim_loader *ld, const sim_param *params, yaml_node_t *map,
                   const char *const *skip, const char *where, void *config);

/* Checks the wiring graph of the resolved references (sim/wiring.c): each reference's target
 * serves what its param needs, no node passes messages on to itself, and no cycle keeps
 * messages forever. Cycles are looked for only when no error was reported since the load
 * began (a refused key leaves the graph incomplete). kinds names, in messages, the kinds
 * that would fit. Returns 0 or -1. */
int sim__ld_wiring(sim_loader *ld, const sim_topology *t, const sim_kind *const *kinds);
#endif
