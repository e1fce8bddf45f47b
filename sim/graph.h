/* The topology's graph, for pictures and reports: its nodes are the groups as written (a
 * group's instances folded into one node with their count), its edges the references the
 * nodes' keys make between groups, each typed by the role the kind's parameter declares
 * (sim_param.edge, param.h: "target", "forward", "call", "backend", ...), and, for a kind
 * whose instances talk among themselves (sim_kind.group_edge: a database's "replication"),
 * an edge from each group of more than one instance to itself. sim/ only collects them: what
 * the types mean is the kinds' business. Built once by the loader, in the topology's arena. */
#ifndef SIM_GRAPH_H
#define SIM_GRAPH_H

#include "arena.h"
#include "report.h"

#include <stddef.h>
#include <stdint.h>

struct sim_topology;

typedef struct sim_graph_edge {
    uint32_t from, to; /* indices into sim_topology.groups */
    const char *type;  /* the role, static text from a kind's table */
} sim_graph_edge;

/* Edges in a fixed order: by the referring group's declaration, then the kind's parameters in
 * table order, then the references as written; each (from, to, type) once. */
typedef struct sim_graph {
    size_t nedges;
    sim_graph_edge *edges;
} sim_graph;

/* Fills t->graph from t's resolved references, allocating in arena. Returns 0, or -1 when out
 * of memory (t->graph is then empty). */
int sim_graph_build(struct sim_topology *t, sim_arena *arena);

/* Writes the "graph" key of the result document: {"nodes": [{"name", "kind", "instances"}],
 * "edges": [{"from", "to", "type"}]}, nodes in declaration order, edges as above. */
void sim_graph_report(const struct sim_topology *t, sim_report *w);

#endif
