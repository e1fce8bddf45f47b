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
} sim_pending_ref;

typedef struct sim_loader {
    sim_diag *diag;
    yaml_document_t *doc;
    sim_arena *arena;
    sim_pending_ref *refs; /* references to resolve once every node is known */
    size_t nrefs, caprefs;
    size_t errors_before; /* errors in diag before this load */
    bool suppressed;      /* the error limit was reached: later errors are not recorded */
    bool oom;
} sim_loader;

struct sim_check {
    sim_loader *ld;
    yaml_node_t *map; /* the node's mapping */
    const char *where;
};

/* Limits on the YAML text, applied before any of it is built (loader_yaml.c says why). */
#define SIM_LOADER_MAX_BYTES (4 << 20)
#define SIM_LOADER_MAX_ALIAS_NODES 100000

/* Builds the document of text (len bytes) into *doc event by event, refusing text over the
 * size limit, nesting deeper than the depth limit, aliases over the alias budget and aliases
 * into their own collection. Returns 0 (the caller deletes *doc) or -1 with the errors in
 * diag (nothing to delete). */
int sim__ld_compose(sim_diag *diag, const char *text, size_t len, yaml_document_t *doc);

/* Whether one more error may be recorded. Past SIM_LOADER_MAX_ERRORS, one last error says so
 * and the others are dropped (the load still fails): a file of a million bad lines would
 * take minutes to report, and no one reads that far. */
#define SIM_LOADER_MAX_ERRORS 1000
bool sim__ld_may_report(sim_loader *ld);

/* Reports an error at node y's position (unless past the error limit). */
void sim__ld_error(sim_loader *ld, const yaml_node_t *y, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The scalar text of y, or NULL when y is not a scalar. */
const char *sim__ld_scalar(const yaml_node_t *y);
/* The node with the given id in the document. */
yaml_node_t *sim__ld_node(sim_loader *ld, int id);
/* The value of key in mapping map (and the key node in *key_node), or NULL. */
yaml_node_t *sim__ld_get(sim_loader *ld, yaml_node_t *map, const char *key,
                         yaml_node_t **key_node);
/* A string formatted from fmt, of exactly the size it needs (caller frees); NULL when out of
 * memory (the loader is then marked out of memory). For names and messages of any length. */
char *sim__ld_format(sim_loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same in the arena (lives as long as the topology). */
char *sim__ld_arena_format(sim_loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
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
#endif
