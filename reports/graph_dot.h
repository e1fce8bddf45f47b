/* The topology graph (sim/graph.h) as Graphviz DOT, for `dsim graph`: one node per group,
 * labelled with its name, its kind and "×N" for a group of N > 1 instances; one edge per
 * reference between groups, labelled with its type and styled by it (a type no style names
 * is drawn plain). Text only: no Graphviz library is needed to write it. */
#ifndef DSIM_GRAPH_DOT_H
#define DSIM_GRAPH_DOT_H

#include "topology.h"

#include <stdio.h>

/* Writes t's graph to out as a DOT digraph named after the topology. Returns 0, or -1 when
 * writing failed (ferror). */
int dsim_graph_dot(FILE *out, const sim_topology *t);

#endif
