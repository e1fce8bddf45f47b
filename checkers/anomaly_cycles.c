/* The cycles of the DSG (Adya 1999, §4.1-4.2), classified edge by edge so that every search
 * is polynomial: Tarjan's strongly connected components (SCCs) of the whole graph, of its ww
 * edges, of its ww and wr edges (the dependencies) and of its ww, wr and item rw edges; then
 *   G0       a ww edge inside a ww SCC (a ww cycle through it exists);
 *   G1c      a wr edge inside a dependency SCC;
 *   G-single an rw edge u -> v with a dependency path v ~> u (a cycle with one rw edge);
 *   G2-item  an item rw edge inside an SCC of ww, wr and item rw edges with no such path
 *            (every cycle through it has two or more rw edges);
 *   G2       an rw edge inside an SCC of the whole graph with no such path, that is a
 *            predicate edge or whose cycles all pass one.
 * Each class counts once per SCC of the whole graph that has an edge of it. The example is a
 * shortest cycle (breadth-first) through the first such edge in node order. Deciding whether
 * a cycle with two rw edges exists through given edges is NP-hard in general (it is the
 * two-disjoint-paths problem; Fortune, Hopcroft & Wyllie 1980), hence G2-item's definition
 * by the edge.
 *
 * The one costly question, "does v reach u over dependencies?", is a breadth-first search
 * limited to nodes ranked between v and u in a topological order of the dependency graph
 * (commit order when every dependency edge points forward in it, as it does without dirty
 * reads; else the order of the dependency SCCs): its cost is the transactions that committed
 * between the edge's ends, which the reader's lifetime bounds in a history of short
 * transactions. */
#include "anomaly_int.h"

#include <stdlib.h>
#include <string.h>

#define M_WW (1u << ANOMALY_EDGE_WW)
#define M_DEP (M_WW | (1u << ANOMALY_EDGE_WR))
#define M_ITEM (M_DEP | (1u << ANOMALY_EDGE_RW))
#define M_ALL (M_ITEM | (1u << ANOMALY_EDGE_RW_PREDICATE))

typedef struct cyc {
    an_ctx *c;
    uint32_t *g, *w, *d, *i; /* components: all, ww, dependencies, item */
    uint64_t *rank;
    uint8_t *found; /* per component of the whole graph: bit 1 << class */
    size_t path[ANOMALY_MAX_CYCLE];
} cyc;

/* The example's step of edge e. */
static anomaly_step step_of(const an_ctx *c, const dsg_edge *e) {
    const txn_trace *t = c->t;
    const txn_event *ev = &t->events[e->ev];
    anomaly_step s = {.from = c->txn_of[e->from], .to = c->txn_of[e->to], .edge = e->kind};
    switch (e->kind) {
    case ANOMALY_EDGE_WW:
        s.key = c->ver[e->aux].key;
        s.from_version = c->ver[e->aux].wid;
        s.to_version = ev->wid;
        break;
    case ANOMALY_EDGE_WR:
        s.key = ev->key;
        s.from_version = s.to_version = c->ver[e->aux].wid;
        break;
    case ANOMALY_EDGE_RW:
        s.key = ev->key;
        s.from_version = an__wid(c, c->res[e->ev]);
        s.to_version = c->ver[e->aux].wid;
        break;
    default: { /* predicate: what the range saw of the row */
        s.key = c->ver[e->aux].key;
        s.to_version = c->ver[e->aux].wid;
        s.lo = ev->key;
        s.hi = ev->key_end;
        uint32_t x = s.from;
        size_t i = c->ebeg[x];
        while (i < c->ebeg[x + 1] && c->evs[i] != e->ev)
            i++;
        for (i++; i < c->ebeg[x + 1]; i++) {
            const txn_event *r = &t->events[c->evs[i]];
            if (r->kind != TXN_EV_READ || !r->in_range)
                break;
            if (r->key == s.key)
                s.from_version = r->wid;
        }
    }
    }
    return s;
}

/* Counts class cl for the SCC of edge k's source; the first one found gives the example, a
 * shortest cycle: edge k, then the path back from its target over mask within lim. */
static void found(cyc *y, anomaly_class cl, size_t k, unsigned mask, const dsg_limit *lim) {
    an_ctx *c = y->c;
    const dsg_edge *e = &c->g.e[k];
    uint32_t comp = y->g[e->from];
    if (y->found[comp] & (1u << cl))
        return;
    y->found[comp] |= (uint8_t)(1u << cl);
    if (c->out->count[cl]++)
        return;
    anomaly_example *x = &c->out->example[cl];
    uint32_t reached = dsg_bfs(&c->g, e->to, e->from, mask, lim);
    size_t len = reached == DSG_NONE
                     ? 0
                     : dsg_path(&c->g, e->to, reached, y->path + 1, ANOMALY_MAX_CYCLE - 1);
    y->path[0] = k;
    x->cycle_len = len + 1;
    for (size_t i = 0; i < x->cycle_len && i < ANOMALY_MAX_CYCLE; i++)
        x->cycle[i] = step_of(c, &c->g.e[y->path[i]]);
    x->txn[0] = c->txn_of[e->from];
    x->txn[1] = c->txn_of[e->to];
}

/* True when v reaches u over dependency edges (edge u -> v is in a cycle of the graph). */
static bool closable(cyc *y, uint32_t u, uint32_t v) {
    if (y->d[u] == y->d[v])
        return true;
    if (y->rank[v] > y->rank[u])
        return false;
    dsg_limit lim = {.comp = y->g,
                     .c = y->g[u],
                     .rank = y->rank,
                     .max_rank = y->rank[u],
                     .stop_comp = y->d,
                     .stop_c = y->d[u]};
    return dsg_bfs(&y->c->g, v, u, M_DEP, &lim) != DSG_NONE;
}

int an__cycles(an_ctx *c) {
    dsg *g = &c->g;
    size_t n = g->n ? g->n : 1;
    cyc y = {.c = c};
    int rc = -1;
    y.g = malloc(n * sizeof *y.g);
    y.w = malloc(n * sizeof *y.w);
    y.d = malloc(n * sizeof *y.d);
    y.i = malloc(n * sizeof *y.i);
    y.rank = malloc(n * sizeof *y.rank);
    y.found = calloc(n, sizeof *y.found);
    if (!y.g || !y.w || !y.d || !y.i || !y.rank || !y.found)
        goto out;
    int64_t nd;
    if (dsg_scc(g, M_ALL, y.g) < 0 || dsg_scc(g, M_WW, y.w) < 0 ||
        (nd = dsg_scc(g, M_DEP, y.d)) < 0 || dsg_scc(g, M_ITEM, y.i) < 0)
        goto out;
    /* the rank: commit order if every dependency edge follows it, else the components' */
    bool forward = true;
    for (size_t k = 0; k < g->ne && forward; k++)
        if ((M_DEP >> g->e[k].kind) & 1)
            forward = c->t->txns[c->txn_of[g->e[k].from]].commit_seq <
                      c->t->txns[c->txn_of[g->e[k].to]].commit_seq;
    for (uint32_t u = 0; u < g->n; u++)
        y.rank[u] =
            forward ? c->t->txns[c->txn_of[u]].commit_seq : (uint64_t)(nd - 1 - (int64_t)y.d[u]);
    for (size_t k = 0; k < g->ne; k++) {
        const dsg_edge *e = &g->e[k];
        uint32_t u = e->from, v = e->to;
        if (y.g[u] != y.g[v])
            continue;
        if (e->kind == ANOMALY_EDGE_WW) {
            if (y.w[u] == y.w[v]) {
                dsg_limit lim = {.comp = y.w, .c = y.w[u]};
                found(&y, ANOMALY_G0, k, M_WW, &lim);
            }
        } else if (e->kind == ANOMALY_EDGE_WR) {
            if (y.d[u] == y.d[v]) {
                dsg_limit lim = {.comp = y.d, .c = y.d[u]};
                found(&y, ANOMALY_G1C, k, M_DEP, &lim);
            }
        } else {
            bool item = e->kind == ANOMALY_EDGE_RW && y.i[u] == y.i[v];
            anomaly_class other = item ? ANOMALY_G2_ITEM : ANOMALY_G2;
            uint8_t want = (uint8_t)((1u << ANOMALY_G_SINGLE) | (1u << other));
            if ((y.found[y.g[u]] & want) == want)
                continue;
            if (closable(&y, u, v)) {
                dsg_limit lim = {.comp = y.g, .c = y.g[u]};
                found(&y, ANOMALY_G_SINGLE, k, M_DEP, &lim);
            } else if (item) {
                dsg_limit lim = {.comp = y.i, .c = y.i[u]};
                found(&y, ANOMALY_G2_ITEM, k, M_ITEM, &lim);
            } else {
                dsg_limit lim = {.comp = y.g, .c = y.g[u]};
                found(&y, ANOMALY_G2, k, M_ALL, &lim);
            }
        }
    }
    rc = 0;
out:
    free(y.g);
    free(y.w);
    free(y.d);
    free(y.i);
    free(y.rank);
    free(y.found);
    return rc;
}
