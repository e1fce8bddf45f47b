/* Run-time group membership (membership.h): the member flag of every node record, the
 * watchers told of each change, and the picks that skip non-members. */
#include "membership.h"

#include "engine_int.h"

#include <stdlib.h>
#include <string.h>

/* Tells every watcher (a node whose kind has the membership hook) of node's change. */
static void notify(sim_engine *e, uint32_t node, bool joined) {
    for (size_t i = 0; i < e->nwatchers; i++) {
        sim_node *w = &e->nodes[e->watchers[i]];
        w->kind->membership(w, node, joined);
    }
}

/* The count of node's group's instances out of it, kept from the first change on (so a
 * topology whose groups are whole pays nothing); NULL when out of memory. */
static uint32_t *group_out(sim_engine *e, uint32_t node) {
    if (!e->group_out && !(e->group_out = calloc(e->nnodes, sizeof *e->group_out))) {
        e->failed = true;
        return NULL;
    }
    return &e->group_out[e->nodes[node].topo->group_first];
}

void sim__join(sim_engine *e, uint32_t node) {
    sim_node *n = &e->nodes[node];
    if (n->member)
        return;
    if (n->crashed)
        sim__restart(e, n);
    uint32_t *out = group_out(e, node);
    if (!out)
        return;
    n->member = true;
    e->nonmembers--;
    --*out;
    notify(e, node, true);
}

void sim__leave(sim_engine *e, uint32_t node) {
    sim_node *n = &e->nodes[node];
    uint32_t *out = n->member ? group_out(e, node) : NULL;
    if (!out)
        return;
    n->member = false;
    e->nonmembers++;
    ++*out;
    notify(e, node, false);
}

/* True when every instance of ref's group is a member: picks need not look. */
static bool whole(const sim_engine *e, const sim_ref *ref) {
    return e->nonmembers == 0 || !e->group_out ||
           e->group_out[e->nodes[ref->first].topo->group_first] == 0;
}

int sim__watchers_init(sim_engine *e) {
    for (size_t i = 0; i < e->nnodes; i++) /* declared spares */
        if (!e->nodes[i].member) {
            uint32_t *out = group_out(e, (uint32_t)i);
            if (!out)
                return -1;
            ++*out;
        }
    size_t k = 0;
    for (size_t i = 0; i < e->nnodes; i++)
        k += e->nodes[i].kind->membership != NULL;
    e->watchers = malloc((k ? k : 1) * sizeof *e->watchers);
    if (!e->watchers)
        return -1;
    for (size_t i = 0; i < e->nnodes; i++)
        if (e->nodes[i].kind->membership)
            e->watchers[e->nwatchers++] = (uint32_t)i;
    return 0;
}

bool sim_is_member(const sim_node *n, uint32_t node) {
    return node < n->eng->nnodes && n->eng->nodes[node].member;
}

uint32_t sim_members(const sim_node *n, const sim_ref *ref) {
    const sim_engine *e = n->eng;
    if (whole(e, ref))
        return ref->count;
    uint32_t k = 0;
    for (uint32_t i = 0; i < ref->count; i++)
        k += e->nodes[ref->first + i].member;
    return k;
}

void sim_group_join(sim_node *n, uint32_t node) {
    if (node < n->eng->nnodes)
        sim__join(n->eng, node);
}

void sim_group_leave(sim_node *n, uint32_t node) {
    if (node < n->eng->nnodes)
        sim__leave(n->eng, node);
}

void sim_node_stop(sim_node *n, uint32_t node) {
    if (node < n->eng->nnodes)
        sim__crash(n->eng, &n->eng->nodes[node]);
}

void sim_node_start(sim_node *n, uint32_t node) {
    if (node < n->eng->nnodes)
        sim__restart(n->eng, &n->eng->nodes[node]);
}

bool sim_node_up(const sim_node *n, uint32_t node) {
    return node < n->eng->nnodes && !n->eng->nodes[node].crashed;
}

sim_time sim_node_down_since(const sim_node *n, uint32_t node) {
    const sim_engine *e = n->eng;
    if (node >= e->nnodes || !e->nodes[node].crashed || !e->down_at)
        return SIM_TIME_NONE;
    return e->down_at[node];
}

bool sim_node_resize(sim_node *n, uint32_t node, uint32_t workers) {
    if (node >= n->eng->nnodes || !n->eng->nodes[node].kind->resize)
        return false;
    sim_node *m = &n->eng->nodes[node];
    m->kind->resize(m, workers);
    return true;
}

uint32_t sim_pick(sim_node *n, const sim_ref *ref) {
    const sim_engine *e = n->eng;
    if (ref->count <= 1)
        return ref->first;
    if (whole(e, ref)) /* its group whole: one draw, as before groups could change */
        return ref->first + (uint32_t)gsl_rng_uniform_int(&n->rng, ref->count);
    uint32_t k = sim_members(n, ref);
    if (k == 0) /* nobody in the group: the first instance answers as it can (down, refused) */
        return ref->first;
    uint64_t j = gsl_rng_uniform_int(&n->rng, k);
    for (uint32_t i = 0;; i++)
        if (e->nodes[ref->first + i].member && j-- == 0)
            return ref->first + i;
}

size_t sim_group_refs(const sim_node *n, uint32_t node, const char *edge, sim_ref *out,
                      size_t max) {
    const sim_topology *t = n->eng->topo;
    const sim_topo_node *tn = n->eng->nodes[node].topo;
    size_t found = 0;
    for (size_t i = 0; i < t->graph.nedges; i++) {
        const sim_graph_edge *g = &t->graph.edges[i];
        const sim_topo_group *from = &t->groups[g->from], *to = &t->groups[g->to];
        if (from->first != tn->group_first || strcmp(g->type, edge) != 0)
            continue;
        if (found < max)
            out[found] = (sim_ref){.name = to->name, .first = to->first, .count = to->count};
        found++;
    }
    return found;
}
