/* Network decisions. Links are symmetric: {from: A, to: B} also covers B -> A. The first
 * matching link wins. Loss probabilities combine as independent events:
 * P(kept) = (1 - base) * prod(1 - fault_i). */
#include "net.h"

#include "dist.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

static bool in_ref(const sim_ref *r, uint32_t i) { return i - r->first < r->count; }

static bool link_matches(const sim_ref *from, const sim_ref *to, uint32_t src, uint32_t dst) {
    return (in_ref(from, src) && in_ref(to, dst)) || (in_ref(from, dst) && in_ref(to, src));
}

static void update_simple(sim_net *n) {
    n->simple = n->cfg->nlinks == 0 && n->cfg->loss == 0 && n->nactive == 0;
}

int sim_net_init(sim_net *n, const sim_network *cfg, size_t nnodes, uint64_t seed) {
    memset(n, 0, sizeof *n);
    n->cfg = cfg;
    n->nnodes = nnodes;
    n->rng = sim_rng_new(seed, "@network");
    if (!n->rng)
        return -1;
    update_simple(n);
    return 0;
}

void sim_net_destroy(sim_net *n) {
    gsl_rng_free(n->rng);
    for (size_t i = 0; i < n->nactive; i++)
        free(n->active[i].side);
    free(n->active);
    memset(n, 0, sizeof *n);
}

sim_net_verdict sim_net_route(sim_net *n, uint32_t src, uint32_t dst, sim_time *delay) {
    const sim_network *cfg = n->cfg;
    n->sent++;
    if (n->simple) {
        *delay = cfg->latency.kind ? sim_dist_sample_time(&cfg->latency, n->rng) : 0;
        return SIM_NET_DELIVER;
    }
    double kept = 1;
    for (size_t i = 0; i < n->nactive; i++) {
        const sim_net_fault *a = &n->active[i];
        const sim_fault *f = a->fault;
        if (a->side) {
            if (a->side[src] && a->side[dst] && a->side[src] != a->side[dst]) {
                n->cut++;
                return SIM_NET_CUT;
            }
        } else if (f->from.count == 0 || link_matches(&f->from, &f->to, src, dst)) {
            kept *= 1 - f->value;
        }
    }
    const sim_dist *lat = &cfg->latency;
    double loss = cfg->loss;
    for (size_t i = 0; i < cfg->nlinks; i++) {
        const sim_link *l = &cfg->links[i];
        if (link_matches(&l->from, &l->to, src, dst)) {
            if (l->latency.kind)
                lat = &l->latency;
            if (l->loss >= 0)
                loss = l->loss;
            break;
        }
    }
    kept *= 1 - loss;
    double u = gsl_rng_uniform(n->rng);
    *delay = lat->kind ? sim_dist_sample_time(lat, n->rng) : 0;
    if (u >= kept) {
        n->lost++;
        return SIM_NET_LOST;
    }
    return SIM_NET_DELIVER;
}

/* Side of every node in partition f: groups[g] form side g + 1. NULL when out of memory. */
static uint16_t *partition_sides(const sim_fault *f, size_t nnodes) {
    uint16_t *side = calloc(nnodes ? nnodes : 1, sizeof *side);
    if (!side)
        return NULL;
    for (size_t g = 0; g < f->ngroups; g++)
        for (size_t r = 0; r < f->groups[g].n; r++) {
            const sim_ref *ref = &f->groups[g].refs[r];
            for (uint32_t i = 0; i < ref->count; i++)
                side[ref->first + i] = (uint16_t)(g + 1);
        }
    return side;
}

int sim_net_fault_start(sim_net *n, const sim_fault *f) {
    if (n->nactive == n->capactive) {
        size_t cap = n->capactive ? 2 * n->capactive : 4;
        sim_net_fault *a = realloc(n->active, cap * sizeof *a);
        if (!a)
            return -1;
        n->active = a;
        n->capactive = cap;
    }
    sim_net_fault a = {.fault = f};
    if (f->kind == SIM_FAULT_PARTITION && !(a.side = partition_sides(f, n->nnodes)))
        return -1;
    n->active[n->nactive++] = a;
    update_simple(n);
    return 0;
}

void sim_net_fault_end(sim_net *n, const sim_fault *f) {
    for (size_t i = 0; i < n->nactive; i++)
        if (n->active[i].fault == f) {
            free(n->active[i].side);
            memmove(&n->active[i], &n->active[i + 1], (n->nactive - i - 1) * sizeof *n->active);
            n->nactive--;
            break;
        }
    update_simple(n);
}
