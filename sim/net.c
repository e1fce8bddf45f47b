/* Network decisions. Links are symmetric: {from: A, to: B} also covers B -> A. The first
 * matching link wins. Loss probabilities combine as independent events:
 * P(kept) = (1 - base) * prod(1 - fault_i).
 *
 * Lookups are by reference: a reference is a group or one instance, so a message from src to
 * dst can match a link or fault only through the keys of src's instance and group and dst's
 * (at most 4 pairs), each found in a hash map; the cost does not grow with the number of
 * links or faults. Faults in force hang in chains from their keys.
 *
 * Bandwidth (a fluid cut-through pipeline, each stage FIFO in the order messages are sent):
 * a message of b bytes passes the sender's interface, then the link, then (after the
 * latency) the receiver's interface; each stage of bandwidth B holds it for 8 b / B and
 * starts it when the stage has finished the previous message and the message has started
 * the stage before; it cannot finish a stage before it finished the one before. Alone on an
 * empty path, a message thus takes 8 b / min(B) plus its latency; behind a big one, it
 * waits. Lost and cut messages take no bandwidth (the decision comes first). */
#include "net.h"

#include "dist.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
/* Keeps the network streams apart from the nodes' own (same name, other purpose). */
#define NET_SALT 0x6e6574776f726b21ULL /* "network!" */

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- the pair map ---- */

static size_t slot_of(const sim_net_map *m, uint64_t a, uint64_t b) {
    return (size_t)mix64(a * 0x9e3779b97f4a7c15ULL ^ b) & (m->cap - 1);
}

static sim_net_slot *map_find(const sim_net_map *m, uint64_t a, uint64_t b) {
    if (!m->count)
        return NULL;
    for (size_t i = slot_of(m, a, b);; i = (i + 1) & (m->cap - 1)) {
        sim_net_slot *s = &m->slots[i];
        if (!s->a)
            return NULL;
        if (s->a == a && s->b == b)
            return s;
    }
}

/* The slot of (a, b), inserted with value NONE when new; NULL when out of memory. */
static sim_net_slot *map_put(sim_net_map *m, uint64_t a, uint64_t b) {
    sim_net_slot *s = map_find(m, a, b);
    if (s)
        return s;
    if (2 * (m->count + 1) > m->cap) {
        sim_net_map g = {calloc(m->cap ? 2 * m->cap : 16, sizeof *g.slots),
                         m->cap ? 2 * m->cap : 16, 0};
        if (!g.slots)
            return NULL;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].a) {
                size_t j = slot_of(&g, m->slots[i].a, m->slots[i].b);
                while (g.slots[j].a)
                    j = (j + 1) & (g.cap - 1);
                g.slots[j] = m->slots[i];
            }
        g.count = m->count;
        free(m->slots);
        *m = g;
    }
    size_t i = slot_of(m, a, b);
    while (m->slots[i].a)
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = (sim_net_slot){a, b, NONE};
    m->count++;
    return &m->slots[i];
}

/* The key of a reference: a group, or one instance (never 0). */
static uint64_t ref_key(uint32_t first, uint32_t count) {
    return ((uint64_t)first << 24 | count) + 1;
}

/* The keys a node is matched by: its instance's and its group's (one when they coincide). */
static int node_keys(const sim_net *n, uint32_t i, uint64_t k[2]) {
    const sim_topo_node *t = &n->topo->nodes[i];
    k[0] = ref_key(i, 1);
    k[1] = ref_key(t->group_first, t->group_count);
    return k[1] == k[0] ? 1 : 2;
}

/* ---- transmitters busy ---- */

static size_t busy_slot(const sim_net_busy *b, uint64_t key) {
    return (size_t)mix64(key) & (b->cap - 1);
}

static sim_time busy_get(const sim_net_busy *b, uint64_t key) {
    if (!b->count)
        return 0;
    for (size_t i = busy_slot(b, key); b->keys[i] != UINT64_MAX; i = (i + 1) & (b->cap - 1))
        if (b->keys[i] == key)
            return b->free_at[i];
    return 0;
}

/* Rebuilds the table with only the links still busy after now, with room for as many again. */
static int busy_rebuild(sim_net_busy *b, sim_time now) {
    size_t live = 0;
    for (size_t i = 0; i < b->cap; i++)
        live += b->keys[i] != UINT64_MAX && b->free_at[i] > now;
    size_t cap = 16;
    while (cap < 4 * (live + 1))
        cap *= 2;
    sim_net_busy g = {malloc(cap * sizeof *g.keys), malloc(cap * sizeof *g.free_at), cap, 0};
    if (!g.keys || !g.free_at) {
        free(g.keys);
        free(g.free_at);
        return -1;
    }
    memset(g.keys, 0xff, cap * sizeof *g.keys);
    for (size_t i = 0; i < b->cap; i++)
        if (b->keys[i] != UINT64_MAX && b->free_at[i] > now) {
            size_t j = busy_slot(&g, b->keys[i]);
            while (g.keys[j] != UINT64_MAX)
                j = (j + 1) & (cap - 1);
            g.keys[j] = b->keys[i];
            g.free_at[j] = b->free_at[i];
            g.count++;
        }
    free(b->keys);
    free(b->free_at);
    *b = g;
    return 0;
}

static int busy_set(sim_net_busy *b, uint64_t key, sim_time t, sim_time now) {
    if (b->cap) {
        size_t i = busy_slot(b, key);
        for (; b->keys[i] != UINT64_MAX; i = (i + 1) & (b->cap - 1))
            if (b->keys[i] == key) {
                b->free_at[i] = t;
                return 0;
            }
    }
    if (2 * (b->count + 1) > b->cap && busy_rebuild(b, now))
        return -1;
    size_t i = busy_slot(b, key);
    while (b->keys[i] != UINT64_MAX)
        i = (i + 1) & (b->cap - 1);
    b->keys[i] = key;
    b->free_at[i] = t;
    b->count++;
    return 0;
}

/* ---- set-up ---- */

static void update_simple(sim_net *n) {
    const sim_network *c = n->cfg;
    n->simple = c->nlinks == 0 && c->loss == 0 && c->duplicate == 0 && c->reorder.p == 0 &&
                c->bandwidth == 0 && !n->ifaces && n->nactive == 0;
}

static bool is_net_fault(const sim_fault *f) {
    return f->kind == SIM_FAULT_LOSS || f->kind == SIM_FAULT_LATENCY;
}

/* Makes the chain heads of fault f's keys, so that starting it later allocates nothing. */
static int add_chain_keys(sim_net *n, const sim_fault *f) {
    if (f->from.count) {
        uint64_t a = ref_key(f->from.first, f->from.count), b = ref_key(f->to.first, f->to.count);
        return map_put(&n->chains, a, b) && map_put(&n->chains, b, a) ? 0 : -1;
    }
    if (f->node.count)
        return map_put(&n->chains, ref_key(f->node.first, f->node.count), 0) ? 0 : -1;
    return 0;
}

/* Gives every instance the bandwidth of the last interface entry naming it. From the last
 * entry back, so that each instance is set once and a group's range is walked at most once
 * (entries naming a group set before are skipped): O(nodes + entries) whatever the file. */
static int set_interfaces(sim_net *n) {
    const sim_network *c = n->cfg;
    if (!(n->ifaces = calloc(n->nnodes ? n->nnodes : 1, sizeof *n->ifaces)))
        return -1;
    sim_net_map seen = {0};
    int rc = 0;
    for (size_t i = c->ninterfaces; i-- > 0;) {
        const sim_ref *r = &c->interfaces[i].node;
        if (r->count > 1) {
            sim_net_slot *s = map_put(&seen, ref_key(r->first, r->count), 0);
            if (!s) {
                rc = -1;
                break;
            }
            if (s->value != NONE)
                continue;
            s->value = 0;
        }
        for (uint32_t j = 0; j < r->count; j++) {
            sim_net_iface *f = &n->ifaces[r->first + j];
            if (!f->out_free) { /* not set yet: marked by -1 until the end */
                f->bps = c->interfaces[i].bandwidth;
                f->out_free = -1;
            }
        }
    }
    free(seen.slots);
    for (size_t i = 0; i < n->nnodes; i++)
        n->ifaces[i].out_free = 0;
    return rc;
}

int sim_net_init(sim_net *n, const sim_topology *topo, uint64_t seed) {
    memset(n, 0, sizeof *n);
    n->topo = topo;
    n->cfg = &topo->net;
    n->nnodes = topo->nnodes;
    n->seed = seed;
    n->view.type = sim_rng_cell_type;
    n->kept_everywhere = 1;
    n->everywhere = NONE;
    const sim_network *c = n->cfg;
    size_t nf = topo->nfaults ? topo->nfaults : 1;
    /* calloc: a million nodes' streams cost address space until each first sends. */
    n->streams = calloc(n->nnodes ? n->nnodes : 1, sizeof *n->streams);
    n->faults = calloc(nf, sizeof *n->faults);
    n->partitions = calloc(nf, sizeof *n->partitions);
    if (!n->streams || !n->faults || !n->partitions)
        goto oom;
    for (size_t i = 0; i < c->nlinks; i++) {
        const sim_link *l = &c->links[i];
        uint64_t a = ref_key(l->from.first, l->from.count), b = ref_key(l->to.first, l->to.count);
        for (int o = 0; o < 2; o++) {
            sim_net_slot *s = map_put(&n->links, o ? b : a, o ? a : b);
            if (!s)
                goto oom;
            if (s->value == NONE)
                s->value = (uint32_t)i;
        }
    }
    for (size_t k = 0; k < topo->nfaults; k++) {
        n->faults[k].next[0] = n->faults[k].next[1] = NONE;
        if (is_net_fault(&topo->faults[k]) && add_chain_keys(n, &topo->faults[k]))
            goto oom;
    }
    if (c->ninterfaces && set_interfaces(n))
        goto oom;
    update_simple(n);
    return 0;
oom:
    sim_net_destroy(n);
    return -1;
}

void sim_net_destroy(sim_net *n) {
    for (size_t i = 0; n->faults && i < n->topo->nfaults; i++)
        free(n->faults[i].side);
    free(n->faults);
    free(n->partitions);
    free(n->streams);
    free(n->links.slots);
    free(n->chains.slots);
    free(n->ifaces);
    free(n->busy.keys);
    free(n->busy.free_at);
    memset(n, 0, sizeof *n);
}

/* ---- routing ---- */

/* Seeds src's network stream from the master seed and src's instance name (at its first
 * draw: a million nodes cost nothing until they send). Out of line: the hot path only tests. */
static __attribute__((noinline)) void seed_stream(sim_net *n, uint32_t src) {
    sim_rng_cell_seed(&n->streams[src],
                      sim_rng_stream_seed(n->seed, n->topo->nodes[src].name) ^ NET_SALT);
}

/* src's network stream. */
static inline gsl_rng *stream(sim_net *n, uint32_t src) {
    if (!n->streams[src].gamma)
        seed_stream(n, src);
    n->view.state = &n->streams[src];
    return &n->view;
}

static inline sim_time draw(sim_net *n, const sim_dist *d, uint32_t src) {
    if (d->kind == SIM_DIST_NONE)
        return 0;
    return sim_dist_sample_time(d, d->kind == SIM_DIST_CONSTANT ? &n->view : stream(n, src));
}

static sim_time sat_add(sim_time a, sim_time b) {
    return a > SIM_TIME_MAX - b ? SIM_TIME_MAX : a + b;
}

static sim_time max_time(sim_time a, sim_time b) { return a > b ? a : b; }

/* Serialization time of bytes at bps bits per second (0: unlimited). */
static sim_time serialize(uint32_t bytes, double bps) {
    if (bps <= 0)
        return 0;
    double ns = (double)bytes * 8.0 * 1e9 / bps;
    return ns >= (double)SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time)llround(ns);
}

/* The lowest link matching src -> dst (either direction), or NULL. */
static const sim_link *find_link(const sim_net *n, const uint64_t *sk, int ns, const uint64_t *dk,
                                 int nd) {
    uint32_t best = NONE;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < nd; j++) {
            const sim_net_slot *s = map_find(&n->links, sk[i], dk[j]);
            if (s && s->value < best)
                best = s->value;
        }
    return best == NONE ? NULL : &n->cfg->links[best];
}

/* Which of fault k's chains the key (a, b) is: 0 for (from, to) or a node's, 1 for (to, from). */
static int orientation(const sim_net *n, uint32_t k, uint64_t a, uint64_t b) {
    const sim_fault *f = &n->topo->faults[k];
    if (!f->from.count)
        return 0;
    return ref_key(f->from.first, f->from.count) == a && ref_key(f->to.first, f->to.count) == b ? 0
                                                                                                : 1;
}

/* Applies the faults in force in the chain of (a, b) once each to this message. */
static void apply_chain(sim_net *n, uint64_t a, uint64_t b, double *kept, sim_time *add) {
    const sim_net_slot *s = map_find(&n->chains, a, b);
    for (uint32_t k = s ? s->value : NONE; k != NONE;
         k = n->faults[k].next[orientation(n, k, a, b)]) {
        sim_net_fault *nf = &n->faults[k];
        if (b && nf->stamp == n->sent)
            continue; /* a link fault already met through the other direction */
        nf->stamp = n->sent;
        const sim_fault *f = &n->topo->faults[k];
        if (f->kind == SIM_FAULT_LOSS)
            *kept *= 1 - f->value;
        else
            *add = sat_add(*add, f->add);
    }
}

static bool is_cut(const sim_net *n, uint32_t src, uint32_t dst) {
    for (size_t i = 0; i < n->npartitions; i++) {
        const uint16_t *side = n->faults[n->partitions[i]].side;
        if (side[src] && side[dst] && side[src] != side[dst])
            return true;
    }
    return false;
}

/* Everything but the fast path (kept apart so that it stays small). */
static __attribute__((noinline)) int route(sim_net *n, uint32_t src, uint32_t dst, uint32_t bytes,
                                           sim_time now, sim_time at[2]) {
    const sim_network *cfg = n->cfg;
    if (n->npartitions && is_cut(n, src, dst)) {
        n->cut++;
        return 0;
    }
    uint64_t sk[2], dk[2];
    int ns = node_keys(n, src, sk), nd = node_keys(n, dst, dk);
    const sim_link *l = cfg->nlinks ? find_link(n, sk, ns, dk, nd) : NULL;
    double kept = (1 - (l && l->loss >= 0 ? l->loss : cfg->loss)) * n->kept_everywhere;
    sim_time add = n->add_everywhere;
    if (n->nscoped) {
        for (int i = 0; i < ns; i++)
            for (int j = 0; j < nd; j++)
                apply_chain(n, sk[i], dk[j], &kept, &add);
        for (int i = 0; i < ns; i++)
            apply_chain(n, sk[i], 0, &kept, &add);
        for (int j = 0; j < nd; j++)
            apply_chain(n, dk[j], 0, &kept, &add);
    }
    if (kept < 1 && gsl_rng_uniform(stream(n, src)) >= kept) {
        n->lost++;
        return 0;
    }
    /* Out through the sender's interface, then the link: [start, end] of the transfer. */
    sim_time start = now, end = now;
    sim_net_iface *out = n->ifaces && n->ifaces[src].bps > 0 ? &n->ifaces[src] : NULL;
    if (out) {
        start = max_time(now, out->out_free);
        end = out->out_free = sat_add(start, serialize(bytes, out->bps));
    }
    double bw = l && l->bandwidth >= 0 ? l->bandwidth : cfg->bandwidth;
    if (bw > 0) {
        uint64_t key = (uint64_t)src << 32 | dst;
        start = max_time(start, busy_get(&n->busy, key));
        end = max_time(sat_add(start, serialize(bytes, bw)), end);
        if (end > now && busy_set(&n->busy, key, end, now))
            return -1;
    }
    /* The copies: their delays after the transfer (latency, faults, holding back). */
    const sim_dist *lat = l && l->latency.kind ? &l->latency : &cfg->latency;
    double dup = l && l->duplicate >= 0 ? l->duplicate : cfg->duplicate;
    const sim_reorder *ro = l && l->reorder.p >= 0 ? &l->reorder : &cfg->reorder;
    sim_time delay[2];
    int copies = 1;
    delay[0] = sat_add(draw(n, lat, src), add);
    if (dup > 0 && gsl_rng_uniform(stream(n, src)) < dup) {
        n->duplicated++;
        delay[copies++] = sat_add(draw(n, lat, src), add);
    }
    for (int c = 0; ro->p > 0 && c < copies; c++)
        if (gsl_rng_uniform(stream(n, src)) < ro->p) {
            n->reordered++;
            delay[c] = sat_add(delay[c], draw(n, &ro->delay, src));
        }
    /* In through the receiver's interface, the copies in the order they reach it. */
    sim_net_iface *in = n->ifaces && n->ifaces[dst].bps > 0 ? &n->ifaces[dst] : NULL;
    int first = copies == 2 && delay[1] < delay[0] ? 1 : 0;
    for (int i = 0; i < copies; i++) {
        int c = i ? 1 - first : first;
        at[c] = sat_add(end, delay[c]);
        if (in) {
            sim_time s = max_time(sat_add(start, delay[c]), in->in_free);
            at[c] = in->in_free = max_time(sat_add(s, serialize(bytes, in->bps)), at[c]);
        }
    }
    return copies;
}

int sim_net_route(sim_net *n, uint32_t src, uint32_t dst, uint32_t bytes, sim_time now,
                  sim_time at[2]) {
    n->sent++;
    n->bytes += bytes;
    if (!n->simple)
        return route(n, src, dst, bytes, now, at);
    at[0] = sat_add(now, draw(n, &n->cfg->latency, src));
    return 1;
}

/* ---- faults ---- */

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

/* Sums the faults in force everywhere again (after one started or ended). */
static void update_everywhere(sim_net *n) {
    n->kept_everywhere = 1;
    n->add_everywhere = 0;
    for (uint32_t k = n->everywhere; k != NONE; k = n->faults[k].next[0]) {
        const sim_fault *f = &n->topo->faults[k];
        if (f->kind == SIM_FAULT_LOSS)
            n->kept_everywhere *= 1 - f->value;
        else
            n->add_everywhere = sat_add(n->add_everywhere, f->add);
    }
}

/* The chain heads of fault k: one, or two for a link fault between different ends. */
static int chain_heads(sim_net *n, uint32_t k, uint32_t *heads[2]) {
    const sim_fault *f = &n->topo->faults[k];
    if (f->from.count) {
        uint64_t a = ref_key(f->from.first, f->from.count), b = ref_key(f->to.first, f->to.count);
        heads[0] = &map_find(&n->chains, a, b)->value;
        if (a == b)
            return 1;
        heads[1] = &map_find(&n->chains, b, a)->value;
        return 2;
    }
    if (f->node.count) {
        heads[0] = &map_find(&n->chains, ref_key(f->node.first, f->node.count), 0)->value;
        return 1;
    }
    heads[0] = &n->everywhere;
    return 1;
}

static uint32_t fault_index(const sim_net *n, const sim_fault *f) {
    assert(f >= n->topo->faults && f < n->topo->faults + n->topo->nfaults);
    return (uint32_t)(f - n->topo->faults);
}

int sim_net_fault_start(sim_net *n, const sim_fault *f) {
    uint32_t k = fault_index(n, f);
    sim_net_fault *nf = &n->faults[k];
    if (nf->active || (f->kind != SIM_FAULT_PARTITION && !is_net_fault(f)))
        return 0;
    if (f->kind == SIM_FAULT_PARTITION) {
        if (!(nf->side = partition_sides(f, n->nnodes)))
            return -1;
        n->partitions[n->npartitions++] = k;
    } else {
        uint32_t *heads[2];
        int nh = chain_heads(n, k, heads);
        for (int o = 0; o < nh; o++) {
            nf->next[o] = *heads[o];
            *heads[o] = k;
        }
        if (f->from.count || f->node.count)
            n->nscoped++;
        else
            update_everywhere(n);
    }
    nf->active = true;
    n->nactive++;
    update_simple(n);
    return 0;
}

void sim_net_fault_end(sim_net *n, const sim_fault *f) {
    uint32_t k = fault_index(n, f);
    sim_net_fault *nf = &n->faults[k];
    if (!nf->active)
        return;
    if (f->kind == SIM_FAULT_PARTITION) {
        size_t i = 0;
        while (n->partitions[i] != k)
            i++;
        memmove(&n->partitions[i], &n->partitions[i + 1],
                (n->npartitions - i - 1) * sizeof *n->partitions);
        n->npartitions--;
        free(nf->side);
        nf->side = NULL;
    } else {
        uint32_t *heads[2];
        int nh = chain_heads(n, k, heads);
        const sim_fault *fk = &n->topo->faults[k];
        for (int o = 0; o < nh; o++) {
            /* The chain of heads[o] is the one of (from, to) when o is 0, (to, from) else. */
            uint64_t a = fk->from.count ? ref_key(fk->from.first, fk->from.count) : 0,
                     b = fk->from.count ? ref_key(fk->to.first, fk->to.count) : 0;
            uint64_t ka = o ? b : a, kb = o ? a : b;
            uint32_t *p = heads[o];
            while (*p != k)
                p = &n->faults[*p].next[fk->from.count ? orientation(n, *p, ka, kb) : 0];
            *p = nf->next[o];
        }
        if (f->from.count || f->node.count)
            n->nscoped--;
        else
            update_everywhere(n);
    }
    nf->active = false;
    n->nactive--;
    update_simple(n);
}
