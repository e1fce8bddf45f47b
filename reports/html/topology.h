/* The picture of a run document's topology (dsim report, contract §8.5), from its "graph"
 * object ({nodes: [{name, kind, instances}], edges: [{from, to, type}]}, docs/results.md):
 * drawn as inline SVG and laid out by dsim itself, no Graphviz needed. Layered: clients
 * (kind "client") and nodes nothing refers to in the first layer, every other node one layer
 * after its furthest caller (longest path over the edges, a cycle cut at its first node in
 * declaration order), nodes of a layer in declaration order. Layers run left to right, or top
 * to bottom when left to right would be wider than about a page and top to bottom narrower
 * (a long chain of calls). A group of N > 1 instances is one box marked "×N" drawn as a stack
 * (instances folded). Edges are coloured and labelled by type; a self-reference (a database's
 * replication) is a loop, above its box or, for a box that refers to nothing else, on its
 * right; an edge back to the same or an earlier layer runs dashed outside the boxes. */
#ifndef DSIM_RH_TOPOLOGY_H
#define DSIM_RH_TOPOLOGY_H

#include "page.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Above this many groups (or edges) no picture is drawn, a note says why: a picture of more
 * is no longer legible on a page, and drawing it would only make the page huge. */
#define RH_TOPOLOGY_MAX_NODES 2000
#define RH_TOPOLOGY_MAX_EDGES 8000

/* The picture of a document's "graph" object (nodes, edges by type), laid out by dsim in
 * O((n + m) log n), appended to p as one <svg class="topology"> whose node boxes and edges
 * carry class="data"; returns true. For NULL, a malformed graph (a node without a name, two
 * nodes of one name, an edge naming no node of the graph, nodes or edges not a list) or one
 * above the limits, appends instead a <p class="note"> saying why and returns false. */
bool rh_topology_render(rh_page *p, const cJSON *graph);

#endif
