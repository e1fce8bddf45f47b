/* A direct serialization graph (Adya 1999, §3.1.4) as plain arrays: nodes 0 .. n-1 (the
 * committed transactions), typed edges sorted by source (compressed rows), strongly
 * connected components over any subset of the edge kinds (Tarjan 1972, iterative so a
 * million nodes need no deep stack), and breadth-first shortest paths inside a component.
 * It knows nothing of traces: the analysis (anomaly_analyze.c) fills it. */
#ifndef DSIM_DSG_H
#define DSIM_DSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dsg_edge {
    uint32_t from, to;
    uint32_t ev;  /* the trace event behind it (the analysis says which) */
    uint32_t aux; /* a version index (the analysis says which) */
    uint8_t kind; /* anomaly_edge */
} dsg_edge;

typedef struct dsg {
    uint32_t n;
    dsg_edge *e;
    size_t ne, cap;
    size_t *beg; /* after dsg_seal: edges of node u are e[beg[u] .. beg[u+1]) */
    /* scratch for searches, n each */
    uint32_t *stamp, *parent;
    uint32_t *queue;
    uint32_t cur;
} dsg;

#define DSG_NONE UINT32_MAX

/* An empty graph of n nodes. Returns 0, or -1 when out of memory. */
int dsg_init(dsg *g, uint32_t n);
void dsg_free(dsg *g);
/* Adds an edge (from != to). Returns 0, or -1 when out of memory. */
int dsg_add(dsg *g, dsg_edge e);
/* Sorts the edges by source (then kind, target, ev, aux), in place. Returns 0, or -1 when
 * out of memory. */
int dsg_seal(dsg *g);

/* The SCCs of the subgraph of the edge kinds in mask (bit 1 << kind): comp[u] for each node
 * (n entries, the caller's), numbered in reverse topological order of the condensation
 * (a component's successors have smaller numbers). Returns their count, or -1 when out of
 * memory. */
int64_t dsg_scc(const dsg *g, unsigned mask, uint32_t *comp);

/* Restricts a search: a node w may be visited when comp[w] == c (comp NULL: any), and, when
 * rank is given, rank[w] <= max_rank. */
typedef struct dsg_limit {
    const uint32_t *comp;
    uint32_t c;
    const uint64_t *rank;
    uint64_t max_rank;
    /* stop as soon as a node w with stop_comp[w] == stop_c is reached (NULL: only dst) */
    const uint32_t *stop_comp;
    uint32_t stop_c;
} dsg_limit;

/* Breadth-first from src over the edge kinds in mask within lim, until dst (or, with
 * lim->stop_comp, a node of its component) is reached. Returns the node reached, or DSG_NONE.
 * dsg_path then lists the edges of the shortest path found. */
uint32_t dsg_bfs(dsg *g, uint32_t src, uint32_t dst, unsigned mask, const dsg_limit *lim);
/* The edges (indices into g->e) of the path the last dsg_bfs found from src to reached,
 * in order, into out (max entries); returns the path's length (may exceed max). */
size_t dsg_path(const dsg *g, uint32_t src, uint32_t reached, size_t *out, size_t max);

#endif
