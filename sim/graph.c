/* The topology graph of graph.h: the edges are collected by walking every group's parameter
 * table over its config (list items through their own tables), then made unique by sorting a
 * copy and keeping the first of each (from, to, type), so the order stays that of the file
 * and the cost O(E log E) however many references a group writes. */
#include "graph.h"

#include "topology.h"

#include <stdlib.h>
#include <string.h>

typedef struct collect {
    const sim_topology *t;
    uint32_t from;
    sim_graph_edge *edges;
    size_t n, cap;
    bool oom;
} collect;

/* The group holding instance i: the last whose first instance is <= i (groups are laid out
 * in declaration order). */
static uint32_t group_of(const sim_topology *t, uint32_t i) {
    size_t lo = 0, hi = t->ngroups;
    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->groups[mid].first <= i)
            lo = mid;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

static void add_edge(collect *c, uint32_t to, const char *type) {
    if (c->oom)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        sim_graph_edge *e = realloc(c->edges, cap * sizeof *e);
        if (!e) {
            c->oom = true;
            return;
        }
        c->edges = e;
        c->cap = cap;
    }
    c->edges[c->n++] = (sim_graph_edge){c->from, to, type};
}

static void add_ref(collect *c, const sim_ref *r, const char *type) {
    if (r->count && r->first < c->t->nnodes) /* unresolved or unset: no edge */
        add_edge(c, group_of(c->t, r->first), type);
}

static void walk(collect *c, const sim_param *params, const void *config) {
    for (const sim_param *p = params; p->name; p++) {
        const void *f = (const char *)config + p->offset;
        const char *type = p->edge ? p->edge : p->name;
        if (p->flags & SIM_PARAM_NO_EDGE)
            continue;
        switch (p->type) {
        case SIM_P_REF:
            add_ref(c, f, type);
            break;
        case SIM_P_REFLIST: {
            const sim_reflist *l = f;
            for (size_t i = 0; i < l->n; i++)
                add_ref(c, &l->refs[i], type);
            break;
        }
        case SIM_P_ROUTE: {
            const sim_route *r = f;
            for (size_t i = 0; i < r->n; i++)
                add_ref(c, &r->to[i], type);
            break;
        }
        case SIM_P_WEIGHTS: {
            const sim_weights *w = f;
            for (size_t i = 0; i < w->n; i++)
                add_ref(c, &w->to[i], type);
            break;
        }
        case SIM_P_LIST: {
            const sim_list *l = f;
            for (size_t i = 0; p->item && i < l->n; i++)
                walk(c, p->item, (const char *)l->items + i * p->item_size);
            break;
        }
        default:
            break;
        }
    }
}

/* Orders edge indices by (from, to, type), then by index: the first of equal edges first. */
typedef struct keyed {
    const sim_graph_edge *e;
    size_t i;
} keyed;

static int cmp_keyed(const void *pa, const void *pb) {
    const keyed *a = pa, *b = pb;
    if (a->e->from != b->e->from)
        return a->e->from < b->e->from ? -1 : 1;
    if (a->e->to != b->e->to)
        return a->e->to < b->e->to ? -1 : 1;
    int s = strcmp(a->e->type, b->e->type);
    if (s)
        return s;
    return a->i < b->i ? -1 : a->i > b->i;
}

int sim_graph_build(sim_topology *t, sim_arena *arena) {
    collect c = {.t = t};
    t->graph = (sim_graph){0};
    for (uint32_t g = 0; g < t->ngroups; g++) {
        const sim_topo_node *n = &t->nodes[t->groups[g].first];
        c.from = g;
        if (n->kind && n->config && n->kind->params)
            walk(&c, n->kind->params, n->config);
        if (n->kind && n->kind->group_edge && t->groups[g].count > 1)
            add_edge(&c, g, n->kind->group_edge);
    }
    keyed *k = c.n ? malloc(c.n * sizeof *k) : NULL;
    bool *dup = c.n ? calloc(c.n, sizeof *dup) : NULL;
    if (c.oom || (c.n && (!k || !dup))) {
        free(c.edges), free(k), free(dup);
        return -1;
    }
    for (size_t i = 0; i < c.n; i++)
        k[i] = (keyed){&c.edges[i], i};
    if (c.n)
        qsort(k, c.n, sizeof *k, cmp_keyed);
    size_t unique = c.n;
    for (size_t i = 1; i < c.n; i++)
        if (cmp_keyed(&(keyed){k[i - 1].e, 0}, &(keyed){k[i].e, 0}) == 0) {
            dup[k[i].i] = true;
            unique--;
        }
    sim_graph_edge *edges = unique ? sim_arena_alloc(arena, unique * sizeof *edges) : NULL;
    if (unique && !edges) {
        free(c.edges), free(k), free(dup);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < c.n; i++)
        if (!dup[i])
            edges[m++] = c.edges[i];
    t->graph = (sim_graph){m, edges};
    free(c.edges), free(k), free(dup);
    return 0;
}

void sim_graph_report(const sim_topology *t, sim_report *w) {
    sim_report_open(w, "graph");
    sim_report_open_array(w, "nodes");
    for (size_t g = 0; g < t->ngroups; g++) {
        const sim_topo_group *gr = &t->groups[g];
        const sim_kind *k = gr->count ? t->nodes[gr->first].kind : NULL;
        sim_report_open(w, NULL);
        sim_report_string(w, "name", gr->name);
        sim_report_string(w, "kind", k ? k->name : "");
        sim_report_int(w, "instances", gr->count);
        sim_report_close(w);
    }
    sim_report_close(w);
    sim_report_open_array(w, "edges");
    for (size_t i = 0; i < t->graph.nedges; i++) {
        const sim_graph_edge *e = &t->graph.edges[i];
        sim_report_open(w, NULL);
        sim_report_string(w, "from", t->groups[e->from].name);
        sim_report_string(w, "to", t->groups[e->to].name);
        sim_report_string(w, "type", e->type);
        sim_report_close(w);
    }
    sim_report_close(w);
    sim_report_close(w);
}
