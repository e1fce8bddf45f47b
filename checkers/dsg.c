/* The direct serialization graph's arrays, components and searches (dsg.h). */
#include "dsg.h"

#include <stdlib.h>
#include <string.h>

int dsg_init(dsg *g, uint32_t n) {
    memset(g, 0, sizeof *g);
    g->n = n;
    size_t m = n ? n : 1;
    g->stamp = calloc(m, sizeof *g->stamp);
    g->parent = malloc(m * sizeof *g->parent);
    g->queue = malloc(m * sizeof *g->queue);
    if (!g->stamp || !g->parent || !g->queue) {
        dsg_free(g);
        return -1;
    }
    return 0;
}

void dsg_free(dsg *g) {
    free(g->e);
    free(g->beg);
    free(g->stamp);
    free(g->parent);
    free(g->queue);
    memset(g, 0, sizeof *g);
}

int dsg_add(dsg *g, dsg_edge e) {
    if (g->ne == g->cap) {
        size_t c = g->cap ? 2 * g->cap : 64;
        if (c > UINT32_MAX) /* parents keep edge indices in 32 bits */
            return -1;
        dsg_edge *a = realloc(g->e, c * sizeof *a);
        if (!a)
            return -1;
        g->e = a;
        g->cap = c;
    }
    g->e[g->ne++] = e;
    return 0;
}

/* Edges by source, then kind, target and what made them: a total order, so the sort is
 * deterministic although qsort is not stable. */
static int edge_cmp(const void *a, const void *b) {
    const dsg_edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    if (x->ev != y->ev)
        return x->ev < y->ev ? -1 : 1;
    return x->aux < y->aux ? -1 : x->aux > y->aux;
}

int dsg_seal(dsg *g) {
    /* sorted in place: no second copy of the edges (they are most of the graph's memory) */
    g->beg = calloc((size_t)g->n + 1, sizeof *g->beg);
    if (!g->beg)
        return -1;
    if (g->ne > 1)
        qsort(g->e, g->ne, sizeof *g->e, edge_cmp);
    for (size_t i = 0; i < g->ne; i++)
        g->beg[g->e[i].from + 1]++;
    for (uint32_t u = 0; u < g->n; u++)
        g->beg[u + 1] += g->beg[u];
    return 0;
}

int64_t dsg_scc(const dsg *g, unsigned mask, uint32_t *comp) {
    /* Tarjan's algorithm with an explicit call stack: frame u resumes at edge it[u]. */
    uint32_t n = g->n;
    size_t m = n ? n : 1;
    uint32_t *index = malloc(m * sizeof *index), *low = malloc(m * sizeof *low);
    uint32_t *stack = malloc(m * sizeof *stack), *calls = malloc(m * sizeof *calls);
    size_t *it = malloc(m * sizeof *it);
    bool *on = calloc(m, sizeof *on);
    int64_t ncomp = -1;
    if (!index || !low || !stack || !calls || !it || !on)
        goto out;
    for (uint32_t u = 0; u < n; u++)
        index[u] = DSG_NONE;
    ncomp = 0;
    uint32_t counter = 0;
    size_t sp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != DSG_NONE)
            continue;
        size_t cp = 0;
        calls[cp++] = root;
        index[root] = low[root] = counter++;
        it[root] = g->beg[root];
        stack[sp++] = root;
        on[root] = true;
        while (cp) {
            uint32_t u = calls[cp - 1];
            if (it[u] < g->beg[u + 1]) {
                const dsg_edge *e = &g->e[it[u]++];
                if (!(mask & (1u << e->kind)))
                    continue;
                uint32_t v = e->to;
                if (index[v] == DSG_NONE) {
                    index[v] = low[v] = counter++;
                    it[v] = g->beg[v];
                    stack[sp++] = v;
                    on[v] = true;
                    calls[cp++] = v;
                } else if (on[v] && index[v] < low[u]) {
                    low[u] = index[v];
                }
                continue;
            }
            /* u is done */
            if (low[u] == index[u]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = false;
                    comp[w] = (uint32_t)ncomp;
                } while (w != u);
                ncomp++;
            }
            cp--;
            if (cp) {
                uint32_t p = calls[cp - 1];
                if (low[u] < low[p])
                    low[p] = low[u];
            }
        }
    }
out:
    free(index);
    free(low);
    free(stack);
    free(calls);
    free(it);
    free(on);
    return ncomp;
}

static bool allowed(const dsg_limit *lim, uint32_t w) {
    if (!lim)
        return true;
    if (lim->comp && lim->comp[w] != lim->c)
        return false;
    if (lim->rank && lim->rank[w] > lim->max_rank)
        return false;
    return true;
}

uint32_t dsg_bfs(dsg *g, uint32_t src, uint32_t dst, unsigned mask, const dsg_limit *lim) {
    if (++g->cur == 0) { /* the stamps wrapped: start them afresh */
        memset(g->stamp, 0, (g->n ? g->n : 1) * sizeof *g->stamp);
        g->cur = 1;
    }
    size_t head = 0, tail = 0;
    g->stamp[src] = g->cur;
    g->parent[src] = DSG_NONE;
    g->queue[tail++] = src;
    while (head < tail) {
        uint32_t u = g->queue[head++];
        if (u == dst || (lim && lim->stop_comp && lim->stop_comp[u] == lim->stop_c))
            return u;
        for (size_t i = g->beg[u]; i < g->beg[u + 1]; i++) {
            const dsg_edge *e = &g->e[i];
            if (!(mask & (1u << e->kind)) || g->stamp[e->to] == g->cur || !allowed(lim, e->to))
                continue;
            g->stamp[e->to] = g->cur;
            g->parent[e->to] = (uint32_t)i;
            g->queue[tail++] = e->to;
        }
    }
    return DSG_NONE;
}

size_t dsg_path(const dsg *g, uint32_t src, uint32_t reached, size_t *out, size_t max) {
    size_t len = 0;
    for (uint32_t w = reached; w != src; w = g->e[g->parent[w]].from)
        len++;
    size_t k = len;
    for (uint32_t w = reached; w != src; w = g->e[g->parent[w]].from) {
        k--;
        if (k < max)
            out[k] = g->parent[w];
    }
    return len;
}
