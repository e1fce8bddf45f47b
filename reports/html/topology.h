/* The picture of a run document's topology (dsim report, contract §8.5), from its "graph"
 * object ({nodes: [{name, kind, instances}], edges: [{from, to, type}]}, docs/results.md):
 * drawn as inline SVG and laid out by dsim itself, no Graphviz needed. Layered left to
 * right: clients (kind "client") and nodes nothing refers to in the first column, every
 * other node one column right of its furthest caller (longest path over the edges, a cycle
 * cut after as many rounds as there are nodes), nodes of a column in declaration order. A
 * group of N > 1 instances is one box marked "×N" with a stacked edge (instances folded).
 * Edges are coloured and labelled by type; a self-reference (a database's replication) is a
 * loop above its node; an edge to the same or an earlier column runs below the boxes. */
#ifndef DSIM_RH_TOPOLOGY_H
#define DSIM_RH_TOPOLOGY_H

#include "page.h"

#include <cjson/cJSON.h>

/* The picture of a document's "graph" object (nodes, edges by type), laid out by dsim,
 * appended to p as one <svg class="topology"> whose node boxes and edges carry class="data";
 * nothing is drawn for NULL or a malformed graph (a node without a name, an edge naming no
 * node of the graph). */
void rh_topology_render(rh_page *p, const cJSON *graph);

#endif
