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
    n->simple = n->cfg->nlinks == 0 && n->cfg->loss == 0 && !n->side && n->nlosses == 0;
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
    free(n->side);
    free(n->losses);
    memset(n, 0, sizeof *n);
}

sim_net_verdict sim_net_route(sim_net *n, uint32_t src, uint32_t dst, sim_time *delay) {
    const sim_network *cfg = n->cfg;
    n->sent++;
    if (n->simple) {
        *delay = cfg->latency.kind ? sim_dist_sample_time(&cfg->latency, n->rng) : 0;
        return SIM_NET_DELIVER;
    }
    if (n->side && n->side[src] && n->side[dst] && n->side[src] != n->side[dst]) {
        n->cut++;
        return SIM_NET_CUT;
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
    double kept = 1 - loss;
    for (size_t i = 0; i < n->nlosses; i++) {
        const sim_fault *f = n->losses[i];
        if (f->from.count == 0 || link_matches(&f->from, &f->to, src, dst))
            kept *= 1 - f->value;
    }
    double u = gsl_rng_uniform(n->rng);
    *delay = lat->kind ? sim_dist_sample_time(lat, n->rng) : 0;
    if (u >= kept) {
        n->lost++;
        return SIM_NET_LOST;
    }
    return SIM_NET_DELIVER;
}

int sim_net_partition(sim_net *n, const sim_reflist *groups, size_t ngroups) {
    if (!n->side) {
        n->side = calloc(n->nnodes ? n->nnodes : 1, sizeof *n->side);
        if (!n->side)
            return -1;
    } else {
        memset(n->side, 0, n->nnodes * sizeof *n->side);
    }
    for (size_t g = 0; g < ngroups; g++)
        for (size_t r = 0; r < groups[g].n; r++) {
            const sim_ref *ref = &groups[g].refs[r];
            for (uint32_t i = 0; i < ref->count; i++)
                n->side[ref->first + i] = (uint16_t)(g + 1);
        }
    update_simple(n);
    return 0;
}

void sim_net_heal(sim_net *n) {
    free(n->side);
    n->side = NULL;
    update_simple(n);
}

int sim_net_add_loss(sim_net *n, const sim_fault *f) {
    if (n->nlosses == n->caplosses) {
        size_t cap = n->caplosses ? 2 * n->caplosses : 4;
        const sim_fault **l = realloc(n->losses, cap * sizeof *l);
        if (!l)
            return -1;
        n->losses = l;
        n->caplosses = cap;
    }
    n->losses[n->nlosses++] = f;
    update_simple(n);
    return 0;
}

void sim_net_remove_loss(sim_net *n, const sim_fault *f) {
    for (size_t i = 0; i < n->nlosses; i++)
        if (n->losses[i] == f) {
            memmove(&n->losses[i], &n->losses[i + 1], (n->nlosses - i - 1) * sizeof *n->losses);
            n->nlosses--;
            break;
        }
    update_simple(n);
}
