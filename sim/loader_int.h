/* Loader internals shared by its files: loader.c (document, nodes, network, faults),
 * loader_values.c (typed values: numbers, durations, distributions, references, parameter
 * tables), loader_net.c (network and faults), loader_set.c (--set), loader_diag.c (messages),
 * loader_yaml.c (composing the YAML document under limits), loader_expect.c (`expect:`) and
 * wiring.c (the graph of references). */
#ifndef SIM_LOADER_INT_H
#define SIM_LOADER_INT_H

#include "loader.h"
#include "suggest.h"

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
    int set_node; /* the --set that wrote it: an index into sim_loader.set_nodes, or -1 */
} sim_pending_ref;

/* A YAML node that a --set made: errors about it name the argument, not a file position. */
typedef struct sim_set_node {
    int id;          /* the node's id in the document */
    size_t set;      /* index of the override */
    int line, col;   /* where the file gave the value it replaces; 0 for a key --set added */
    const char *old; /* the file's text of that value (a document string), or NULL */
} sim_set_node;

/* A kind's default text, parsed once per load (sim_loader.defaults). */
typedef struct sim_ld_default {
    const char *text; /* the sim_param's def: the key (NULL: a free entry) */
    yaml_document_t doc;
    bool bad; /* the text did not parse */
} sim_ld_default;

typedef struct sim_loader {
    sim_diag *diag;
    yaml_document_t *doc;
    sim_arena *arena;
    sim_pending_ref *refs; /* references to resolve once every node is known */
    size_t nrefs, caprefs;
    const sim_override *sets; /* the --set overrides, for messages */
    yaml_document_t *set_doc; /* the document they were applied to */
    sim_set_node *set_nodes;  /* the nodes they made, by increasing id */
    size_t nset_nodes, capset_nodes;
    sim_topo_override *overrides; /* what each override changed, one per override (arena) */
    size_t suggest_work; /* comparisons spent on "did you mean" among the file's names */
    bool suppressed;     /* the error limit was reached: later errors are not recorded */
    bool oom;
    /* What the references parsed now belong to (see sim_pending_ref); param NULL outside a
     * node's keys. */
    const sim_param *param;
    const void *field;
    uint32_t owner;
    size_t errors_before; /* errors in the context when the load began */
    /* Default texts parsed so far, an open-addressing table by the text's address (a power of
     * 2 long): a node's defaults used to be parsed for each node, two libyaml parsers'
     * buffers apiece (most of the loading time of 80,000 nodes). */
    sim_ld_default *defaults;
    size_t ndefaults, capdefaults;
} sim_loader;

/* Frees the default texts parsed during a load. */
void sim__ld_free_defaults(sim_loader *ld);

struct sim_check {
    sim_loader *ld;
    yaml_node_t *map; /* the node's mapping */
    const char *where;
};


/* Builds the document of text (len bytes) into *doc event by event, refusing text over the
 * size limit, nesting deeper than the depth limit, aliases over the alias budget and aliases
 * into their own collection. Returns 0 (the caller deletes *doc) or -1 with the errors in
 * diag (nothing to delete). */
int sim__ld_compose(sim_diag *diag, const char *text, size_t len, yaml_document_t *doc);

/* Whether one more error may be recorded (see SIM_LOADER_MAX_ERRORS). */
bool sim__ld_may_report(sim_loader *ld);

/* Reports an error at node y's position, or, when a --set made y, as an error of that
 * argument ("--set PATH=VALUE: error: ...") with a note on the value it replaced; nothing
 * past the error limit. Returns whether the error was recorded (a note may follow it). */
bool sim__ld_error(sim_loader *ld, const yaml_node_t *y, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same at a position kept apart from its node: line and col, or the --set entry set_node
 * (an index into ld->set_nodes) when it is >= 0. */
bool sim__ld_error_at(sim_loader *ld, int line, int col, int set_node, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The index into ld->set_nodes of the entry for node y, or -1 when the file wrote y. */
int sim__ld_set_node(const sim_loader *ld, const yaml_node_t *y);
/* The override as the user wrote it, "--set PATH=VALUE" (malloc; NULL when out of memory). */
char *sim__ld_set_arg(const sim_override *o);
/* Reports an error of override ld->sets[set] itself (add notes with sim_diag_note when it
 * returns true: recorded). */
bool sim__ld_set_error(sim_loader *ld, size_t set, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records, when a --set made node y, the value a typed key read from it: a number in unit (a
 * static string, NULL for none), a choice's text (static or arena) or a flag. Nothing for a
 * node of the file. */
void sim__ld_resolved_number(sim_loader *ld, const yaml_node_t *y, double v, const char *unit);
void sim__ld_resolved_text(sim_loader *ld, const yaml_node_t *y, const char *text);
void sim__ld_resolved_flag(sim_loader *ld, const yaml_node_t *y, bool flag);
/* Applies the overrides in order to ld->doc, recording the nodes they make (loader_set.c). */
void sim__ld_apply_overrides(sim_loader *ld, const sim_override *sets, size_t nsets);

/* Offers the file's name candidate to s, unless the loader's budget for suggestions is spent:
 * many misses among many long names must not make the messages quadratic. */
void sim__ld_suggest_add(sim_loader *ld, sim_suggest *s, const char *candidate);

/* The words an unknown word could have been: offered in table order, then reported. */
typedef struct sim_ld_known {
    sim_suggest near;
    char *list; /* "a, b, c" (malloc), NULL when out of memory */
    size_t len, n;
    bool oom;
} sim_ld_known;

/* Starts collecting the known words for the unknown word (borrowed). */
void sim__ld_known_init(sim_ld_known *k, const char *word);
/* Adds one known word (borrowed until the report). */
void sim__ld_known_add(sim_ld_known *k, const char *known);
/* Reports at y the error fmt, then "did you mean" as a note when a known word is close. The
 * list of known words follows as " (label: a, b, c)" when it has at most 8 words, else in a
 * note "label: a, b, ...", and label NULL leaves it out. Frees the list. */
void sim__ld_unknown(sim_loader *ld, const yaml_node_t *y, sim_ld_known *k, const char *label,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Reports "WHAT 'WORD'" at y with the known keys (NULL-terminated) and the nearest of them as
 * "did you mean". */
void sim__ld_unknown_key(sim_loader *ld, const yaml_node_t *y, const char *word,
                         const char *const *known, const char *what);
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
/* Parses a rate or a list of rate phases into knots (loader_schedule.c). Returns 0 or -1. */
int sim__ld_rate_schedule(sim_loader *ld, yaml_node_t *y, const char *where,
                          sim_rate_schedule *out);
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

/* Reads the `network:` mapping y (NULL: not given) into *net (sim/loader_net.c). Returns 0
 * or -1. */
int sim__ld_network(sim_loader *ld, yaml_node_t *y, sim_network *net);
/* Reads the `faults:` list y (NULL: not given) into t's faults; t->duration is the run's
 * duration (0 when not known) and run_node its YAML value (for messages: as written, and
 * whether a --set gave it). Returns 0 or -1. */
int sim__ld_faults(sim_loader *ld, yaml_node_t *y, sim_topology *t, const yaml_node_t *run_node);
/* Checks, once references are resolved, that each `scale` and `lose_data` names a node whose
 * kind can do it (kind.h: resize, lose_data). Returns 0 or -1. */
int sim__ld_fault_targets(sim_loader *ld, const sim_topology *t);

/* What a fault action and a nemesis rule share (sim/loader_action.c): the keys beside the
 * action, as their YAML values (NULL: not given). */
typedef struct sim_ld_action_args {
    yaml_node_t *factor, *from, *to, *node;
} sim_ld_action_args;
/* The index of ks in actions (NULL-terminated: a fault's or a rule's, in the order of its
 * enum), or -1. */
int sim__ld_action_index(const char *const *actions, const char *ks);
/* Takes v into *a when ks is one of factor, from, to, node. Returns whether it was. */
bool sim__ld_action_arg(sim_ld_action_args *a, const char *ks, yaml_node_t *v);
/* A `loss` or `latency` on a link: both ends or neither (y, the fault's or the rule's
 * mapping, is where a missing one is reported; w names it, action is its action's name).
 * Returns 0 or -1. */
int sim__ld_action_link(sim_loader *ld, yaml_node_t *y, const char *w, const char *action,
                        const sim_ld_action_args *a, sim_ref *from, sim_ref *to);
/* `slow: NODE` with its `factor`. Returns 0 or -1. */
int sim__ld_action_slow(sim_loader *ld, yaml_node_t *y, yaml_node_t *action, const char *w,
                        const sim_ld_action_args *a, sim_ref *node, double *factor);
/* `latency: {add: D}`. Returns 0 or -1. */
int sim__ld_action_latency(sim_loader *ld, yaml_node_t *action, const char *w, sim_time *add);

/* Reads the `nemesis:` list y (NULL: not given) into t's rules (sim/loader_nemesis.c);
 * t->duration is the run's (0 when not known). Returns 0 or -1. */
int sim__ld_nemesis(sim_loader *ld, yaml_node_t *y, sim_topology *t);
/* Checks, once references are resolved, what the rules need of the instances: a partition
 * two or more, and no more faults than the nemesis draws. Returns 0 or -1. */
int sim__ld_nemesis_targets(sim_loader *ld, const sim_topology *t);

/* Reads the `expect:` list y (NULL: not given) into t's expectations (sim/loader_expect.c):
 * their form only. Returns 0 or -1. */
int sim__ld_expect(sim_loader *ld, yaml_node_t *y, sim_topology *t);

/* Checks the wiring graph of the resolved references (sim/wiring.c): each reference's target
 * serves what its param needs, no node passes messages on to itself, and no cycle keeps
 * messages forever. Cycles are looked for only when no error was reported since the load
 * began (a refused key leaves the graph incomplete). kinds names, in messages, the kinds
 * that would fit. Returns 0 or -1. */
int sim__ld_wiring(sim_loader *ld, const sim_topology *t, const sim_kind *const *kinds);
#endif
