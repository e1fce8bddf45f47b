/* The wiring check, run by the loader once every reference is resolved: it looks at the graph
 * that the references in the nodes' keys draw between node groups (network links and faults
 * name any node and are left out). Each error is reported at the reference as written.
 *
 * 1. Kinds: the target's kind serves every protocol bit the reference's param needs
 *    (sim_kind.serves against sim_param.needs). The bits mean something to the models only.
 * 2. Self: a node does not name itself, or its own group, in a reference along which it
 *    passes requests on (sim_param.flow). The one exception is an entry of a route with
 *    probability < 1: feedback that requests leave with the rest of the probability (an M/M/1
 *    queue with Bernoulli feedback).
 * 3. Cycles: no cycle of references keeps every request that enters it. A group *holds* a
 *    request forever when it has
 *      - a SIM_FLOW_EACH param with a holding target (every request, or the call made for it,
 *        goes there), or
 *      - a SIM_FLOW_ONE param whose targets all hold, if that param always passes requests
 *        on: a list of references does; a route only when its probabilities sum to 1 (its
 *        entries of probability 0 are never taken). A route summing to less lets requests out
 *        with the rest: the feedback of an open Jackson network (topologies/jackson.yaml).
 *    A node that refuses some requests (a rate limiter, an open breaker, a cache hit) still
 *    counts as passing every request on: refusing is how it fails, not a way out of a loop
 *    that makes no sense to write. The holding set is the largest one that satisfies the
 *    rule: start from every group and drop, through a work list, each group that no longer
 *    satisfies it (linear in the references). Every holding group has a holding successor, so
 *    following successors leads into a cycle; each cycle is reported once, at the reference
 *    that leaves its first-declared group. Rule 3 runs only when nothing was refused before:
 *    a refused key leaves the graph incomplete. */
#include "wiring.h"

#include "loader_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ROUTE_SLACK 1e-9 /* a route summing to 1 but for rounding always passes requests on */
#define NO_EDGE SIZE_MAX

/* A growable string, for messages of any length. */
typedef struct strbuf {
    char *s;
    size_t n, cap;
    bool oom;
} strbuf;

static void sb_add(strbuf *b, const char *s) {
    size_t k = strlen(s);
    if (b->oom)
        return;
    if (b->n + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + k + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, k + 1);
    b->n += k;
}

static const char *article(const char *word) {
    return word[0] && strchr("aeiou", word[0]) ? "an" : "a";
}

static bool serves(const sim_kind *k, unsigned needs) { return (k->serves & needs) == needs; }

char *sim_wiring_kinds_serving(const sim_kind *const *kinds, unsigned needs) {
    strbuf b = {0};
    size_t total = 0, n = 0;
    for (size_t i = 0; kinds[i]; i++)
        total += serves(kinds[i], needs);
    for (size_t i = 0; kinds[i]; i++) {
        if (!serves(kinds[i], needs))
            continue;
        if (n == 0) {
            sb_add(&b, article(kinds[i]->name));
            sb_add(&b, " ");
        } else {
            sb_add(&b, n + 1 == total ? " or " : ", ");
        }
        sb_add(&b, kinds[i]->name);
        n++;
    }
    if (total == 0)
        sb_add(&b, "no kind");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* The instance a resolved reference starts at, or NULL when it was not resolved. */
static const sim_topo_node *target_of(const sim_topology *t, const sim_ref *r) {
    return r->count && r->first < t->nnodes ? &t->nodes[r->first] : NULL;
}

/* The probability of a route's entry (1 for any other reference). */
static double entry_probability(const sim_pending_ref *pr) {
    if (pr->param->type != SIM_P_ROUTE)
        return 1;
    const sim_route *route = pr->field;
    size_t i = (size_t)(pr->ref - route->to);
    assert(i < route->n);
    return route->p[i];
}

/* Rules 1 and 2 for one reference. Returns 0 or -1. */
static int check_ref(sim_loader *ld, const sim_topology *t, const sim_kind *const *kinds,
                     const sim_pending_ref *pr) {
    const sim_param *p = pr->param;
    const sim_topo_node *to = target_of(t, pr->ref);
    if (!p || !p->needs || !to || !to->kind) /* not wiring, or reported already */
        return 0;
    if (!serves(to->kind, p->needs)) {
        char *want = sim_wiring_kinds_serving(kinds, p->needs);
        if (!want) {
            ld->oom = true;
            return -1;
        }
        sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                       "%s: '%s' is %s %s, which cannot answer this (expected %s)", pr->where,
                       pr->ref->name, article(to->kind->name), to->kind->name, want);
        free(want);
        return -1;
    }
    /* Self applies where requests are passed on: the kinds themselves check that a key
     * without flow (a balancer's weights, a router's changes) names their own targets. */
    if (p->flow == SIM_FLOW_NONE || to->group_first != pr->owner || entry_probability(pr) < 1)
        return 0;
    if (to->group_count == 1)
        sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                       "%s: '%s' is this node itself; name another node", pr->where, pr->ref->name);
    else if (strcmp(pr->ref->name, to->group) == 0)
        sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                       "%s: '%s' is this node's own group; name another node", pr->where,
                       pr->ref->name);
    else
        sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                       "%s: '%s' is one of this node's own replicas; name another node", pr->where,
                       pr->ref->name);
    return -1;
}

/* The graph of rule 3: groups, and the params ("sets") whose references lead out of them. */
typedef struct graph {
    size_t ng, nsets, nedges;
    uint32_t *first;  /* per group: its first instance, increasing */
    size_t *s_owner;  /* per set: its group */
    sim_flow *s_flow; /* per set: EACH or ONE */
    size_t *s_count;  /* per set: EACH, holding targets; ONE, targets that do not hold */
    size_t *e_set;    /* per edge (one reference): its set */
    size_t *e_to;     /* per edge: the target group */
    size_t *e_ref;    /* per edge: index in ld->refs */
    size_t *in_start; /* per group + 1: where its incoming edges start in in_edge */
    size_t *in_edge;
    size_t *sat;  /* per group: its sets that still make it hold */
    bool *holds;  /* per group */
    size_t *succ; /* per holding group: the edge to a holding successor */
    size_t *mark; /* per group: 1 + the group a walk started from, 0 unvisited */
    size_t *work; /* work list of groups that stopped holding */
} graph;

static void graph_free(graph *g) {
    free(g->first);
    free(g->s_owner);
    free(g->s_flow);
    free(g->s_count);
    free(g->e_set);
    free(g->e_to);
    free(g->e_ref);
    free(g->in_start);
    free(g->in_edge);
    free(g->sat);
    free(g->holds);
    free(g->succ);
    free(g->mark);
    free(g->work);
}

/* The group holding instance i (binary search in the groups' first instances). */
static size_t group_of(const graph *g, uint32_t i) {
    size_t lo = 0, hi = g->ng; /* first[lo] <= i < first[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->first[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static bool set_holds(const graph *g, size_t s) {
    return g->s_flow[s] == SIM_FLOW_EACH ? g->s_count[s] > 0 : g->s_count[s] == 0;
}

/* Builds groups, sets and edges from the references. Returns 0, or -1 when out of memory. */
static int graph_build(graph *g, const sim_loader *ld, const sim_topology *t) {
    size_t nr = ld->nrefs ? ld->nrefs : 1;
    for (size_t i = 0; i < t->nnodes; i++)
        g->ng += t->nodes[i].replica == 0;
    size_t ng = g->ng ? g->ng : 1;
    g->first = malloc(ng * sizeof *g->first);
    g->s_owner = malloc(nr * sizeof *g->s_owner);
    g->s_flow = malloc(nr * sizeof *g->s_flow);
    g->s_count = calloc(nr, sizeof *g->s_count);
    g->e_set = malloc(nr * sizeof *g->e_set);
    g->e_to = malloc(nr * sizeof *g->e_to);
    g->e_ref = malloc(nr * sizeof *g->e_ref);
    g->in_start = calloc(ng + 1, sizeof *g->in_start);
    g->in_edge = malloc(nr * sizeof *g->in_edge);
    g->sat = calloc(ng, sizeof *g->sat);
    g->holds = calloc(ng, sizeof *g->holds);
    g->succ = malloc(ng * sizeof *g->succ);
    g->mark = calloc(ng, sizeof *g->mark);
    g->work = malloc(ng * sizeof *g->work);
    if (!g->first || !g->s_owner || !g->s_flow || !g->s_count || !g->e_set || !g->e_to ||
        !g->e_ref || !g->in_start || !g->in_edge || !g->sat || !g->holds || !g->succ || !g->mark ||
        !g->work)
        return -1;
    for (size_t i = 0, k = 0; i < t->nnodes; i++)
        if (t->nodes[i].replica == 0)
            g->first[k++] = (uint32_t)i;
    const void *field = NULL; /* the field of the set being filled */
    bool skip = false;        /* a route that lets requests out: not a set */
    bool open = false;        /* the field's set exists (made at its first edge: never empty) */
    for (size_t i = 0; i < ld->nrefs; i++) {
        const sim_pending_ref *pr = &ld->refs[i];
        const sim_param *p = pr->param;
        if (!p || p->flow == SIM_FLOW_NONE || !pr->ref->count)
            continue;
        if (pr->field != field) { /* a param's references are queued one after the other */
            field = pr->field;
            open = skip = false;
            if (p->type == SIM_P_ROUTE) {
                const sim_route *route = field;
                double sum = 0;
                for (size_t j = 0; j < route->n; j++)
                    sum += route->p[j];
                skip = sum < 1 - ROUTE_SLACK;
            }
        }
        if (skip || entry_probability(pr) <= 0)
            continue;
        if (!open) {
            g->s_owner[g->nsets] = group_of(g, pr->owner);
            g->s_flow[g->nsets] = p->flow;
            g->sat[g->s_owner[g->nsets]]++;
            g->nsets++;
            open = true;
        }
        size_t e = g->nedges++, s = g->nsets - 1;
        g->e_set[e] = s;
        g->e_to[e] = group_of(g, pr->ref->first);
        g->e_ref[e] = i;
        if (g->s_flow[s] == SIM_FLOW_EACH) /* every group holds at first */
            g->s_count[s]++;
        g->in_start[g->e_to[e] + 1]++;
    }
    for (size_t k = 0; k < g->ng; k++)
        g->in_start[k + 1] += g->in_start[k];
    size_t *fill = g->succ; /* borrowed as the fill position of each group's incoming edges */
    for (size_t k = 0; k < g->ng; k++)
        fill[k] = g->in_start[k];
    for (size_t e = 0; e < g->nedges; e++)
        g->in_edge[fill[g->e_to[e]]++] = e;
    return 0;
}

/* Shrinks the holding set to the largest one that satisfies rule 3, then picks each holding
 * group's successor: the first holding target of a set that makes it hold, another group
 * rather than itself when it can. */
static void graph_settle(graph *g) {
    size_t nwork = 0;
    for (size_t k = 0; k < g->ng; k++) {
        g->holds[k] = g->sat[k] > 0;
        if (!g->holds[k])
            g->work[nwork++] = k;
    }
    while (nwork) {
        size_t u = g->work[--nwork];
        for (size_t j = g->in_start[u]; j < g->in_start[u + 1]; j++) {
            size_t s = g->e_set[g->in_edge[j]], o = g->s_owner[s];
            bool was = set_holds(g, s);
            if (g->s_flow[s] == SIM_FLOW_EACH)
                g->s_count[s]--;
            else
                g->s_count[s]++;
            if (was && !set_holds(g, s) && g->holds[o] && --g->sat[o] == 0) {
                g->holds[o] = false;
                g->work[nwork++] = o;
            }
        }
    }
    for (size_t k = 0; k < g->ng; k++)
        g->succ[k] = NO_EDGE;
    for (size_t e = 0; e < g->nedges; e++) {
        size_t o = g->s_owner[g->e_set[e]], to = g->e_to[e];
        if (!g->holds[o] || !g->holds[to] || !set_holds(g, g->e_set[e]))
            continue;
        if (g->succ[o] == NO_EDGE || (g->e_to[g->succ[o]] == o && to != o))
            g->succ[o] = e;
    }
}

/* Reports the cycle through group c (following successors), at the reference leaving its
 * first-declared group. Returns 0, or -1 when out of memory. */
static int report_cycle(sim_loader *ld, const sim_topology *t, const graph *g, size_t c) {
    size_t start = c;
    for (size_t k = g->e_to[g->succ[c]]; k != c; k = g->e_to[g->succ[k]])
        if (k < start)
            start = k;
    strbuf b = {0};
    sb_add(&b, t->nodes[g->first[start]].group);
    size_t k = start;
    do {
        sb_add(&b, " -> ");
        sb_add(&b, ld->refs[g->e_ref[g->succ[k]]].ref->name);
        k = g->e_to[g->succ[k]];
    } while (k != start);
    if (b.oom) {
        free(b.s);
        return -1;
    }
    const sim_pending_ref *pr = &ld->refs[g->e_ref[g->succ[start]]];
    sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                   "%s: cycle %s: every request entering it would go round forever", pr->where,
                   b.s);
    free(b.s);
    return 0;
}

/* Rule 3. Returns 0 or -1. */
static int check_cycles(sim_loader *ld, const sim_topology *t) {
    graph g = {0};
    int bad = 0;
    if (graph_build(&g, ld, t)) {
        ld->oom = true;
        graph_free(&g);
        return -1;
    }
    graph_settle(&g);
    for (size_t k = 0; k < g.ng && !ld->oom; k++) {
        if (!g.holds[k] || g.mark[k])
            continue;
        size_t x = k;
        while (!g.mark[x]) {
            g.mark[x] = k + 1;
            x = g.e_to[g.succ[x]];
        }
        if (g.mark[x] != k + 1) /* ran into a cycle found from an earlier group */
            continue;
        bad = -1;
        if (report_cycle(ld, t, &g, x))
            ld->oom = true;
    }
    graph_free(&g);
    return bad;
}

int sim__ld_wiring(sim_loader *ld, const sim_topology *t, const sim_kind *const *kinds) {
    int bad = 0;
    for (size_t i = 0; i < ld->nrefs; i++)
        bad |= check_ref(ld, t, kinds, &ld->refs[i]);
    if (!bad && !ld->oom && sim_diag_count(ld->diag) == ld->errors_before)
        bad = check_cycles(ld, t);
    return bad;
}
