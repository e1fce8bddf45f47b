/* The nemesis's draws (nemesis.h): each rule an alternating renewal process, quiet for a
 * draw of `every`, then one fault lasting a draw of `duration` (Jepsen's nemesis in the
 * spirit, drawn ahead of the run rather than during it, so that the draws are ordinary
 * faults and the run can be replayed with `faults:` alone). Each rule, and each instance of
 * a per-instance rule (crash, slow), draws from a stream of its own, so that adding a rule
 * or an instance leaves the other draws alone. */
#include "nemesis.h"

#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_nemesis_stream_name(char *buf, size_t cap, size_t r, const char *instance) {
    if (instance)
        snprintf(buf, cap, "nemesis#%zu:%s", r, instance);
    else
        snprintf(buf, cap, "nemesis#%zu", r);
}

/* The faults drawn so far (growing array, malloc; copied to the arena at the end). */
typedef struct drawn {
    sim_fault *f;
    size_t n, cap;
    bool failed;
} drawn;

static sim_fault *push(drawn *d) {
    if (d->failed)
        return NULL;
    if (d->n == SIM_NEMESIS_MAX_FAULTS) {
        d->failed = true;
        return NULL;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 64;
        sim_fault *f = realloc(d->f, cap * sizeof *f);
        if (!f) {
            d->failed = true;
            return NULL;
        }
        d->f = f;
        d->cap = cap;
    }
    sim_fault *f = &d->f[d->n++];
    memset(f, 0, sizeof *f);
    return f;
}

static bool is_per_instance(const sim_nemesis_rule *r) {
    return r->kind == SIM_NEMESIS_CRASH || r->kind == SIM_NEMESIS_SLOW;
}

/* The instances of the partition rule's nodes, in the order written, each once. Returns the
 * count (malloc'd *out), or 0 with *out NULL when out of memory. */
static size_t partition_instances(const sim_topology *t, const sim_nemesis_rule *r,
                                  uint32_t **out) {
    size_t n = 0;
    for (size_t i = 0; i < r->nodes.n; i++)
        n += r->nodes.refs[i].count;
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    bool *seen = calloc(t->nnodes ? t->nnodes : 1, sizeof *seen);
    size_t k = 0;
    if (v && seen)
        for (size_t i = 0; i < r->nodes.n; i++)
            for (uint32_t j = 0; j < r->nodes.refs[i].count; j++) {
                uint32_t id = r->nodes.refs[i].first + j;
                if (!seen[id])
                    seen[id] = true, v[k++] = id;
            }
    free(seen);
    if (!v) {
        *out = NULL;
        return 0;
    }
    *out = v;
    return k;
}

/* A ref to instance id (its name is the topology's). */
static sim_ref instance_ref(const sim_topology *t, uint32_t id) {
    return (sim_ref){t->nodes[id].name, id, 1};
}

/* Fills the partition fault f: the sides cut from the rule's instances (ids, n of them) by
 * its mode, each side in the order of the instances. Returns 0, or -1 when out of memory. */
static int draw_sides(const sim_topology *t, const sim_nemesis_rule *r, const uint32_t *ids,
                      size_t n, gsl_rng *g, sim_arena *arena, sim_fault *f) {
    if (n < 2) /* the loader refuses a cut of fewer than two instances */
        return -1;
    bool *in_a = calloc(n, sizeof *in_a);
    size_t *pick = malloc(n * sizeof *pick);
    if (!in_a || !pick) {
        free(in_a), free(pick);
        return -1;
    }
    size_t na = r->mode == SIM_NEMESIS_ISOLATE ? 1 : n / 2;
    /* a uniformly random na-subset: the first na of a Fisher-Yates shuffle */
    for (size_t i = 0; i < n; i++)
        pick[i] = i;
    for (size_t i = 0; i < na; i++) {
        size_t j = i + (size_t)gsl_rng_uniform_int(g, (unsigned long)(n - i));
        size_t tmp = pick[i];
        pick[i] = pick[j], pick[j] = tmp;
        in_a[pick[i]] = true;
    }
    free(pick);
    f->ngroups = 2;
    f->groups = sim_arena_alloc(arena, 2 * sizeof *f->groups);
    sim_ref *a = f->groups ? sim_arena_alloc(arena, na * sizeof *a) : NULL;
    sim_ref *b = a ? sim_arena_alloc(arena, (n - na) * sizeof *b) : NULL;
    if (!b) {
        free(in_a);
        return -1;
    }
    f->groups[0] = (sim_reflist){0, a};
    f->groups[1] = (sim_reflist){0, b};
    for (size_t i = 0; i < n; i++) {
        sim_reflist *side = &f->groups[in_a[i] ? 0 : 1];
        side->refs[side->n++] = instance_ref(t, ids[i]);
    }
    free(in_a);
    return 0;
}

/* The fault of rule r (index ri) at instant at, lasting len (SIM_TIME_NONE: not undone), on
 * instance id for the per-instance rules. */
static int draw_fault(const sim_topology *t, const sim_nemesis_rule *r, size_t ri, sim_time at,
                      sim_time len, uint32_t id, const uint32_t *ids, size_t nids, gsl_rng *g,
                      sim_arena *arena, drawn *d) {
    sim_fault *f = push(d);
    if (!f)
        return -1;
    f->at = at;
    f->duration = len;
    f->drawn = true;
    f->rule = (uint32_t)ri;
    f->line = r->line;
    f->action_line = r->line;
    f->action_col = r->col;
    switch (r->kind) {
    case SIM_NEMESIS_CRASH:
        f->kind = SIM_FAULT_CRASH;
        f->node = instance_ref(t, id);
        break;
    case SIM_NEMESIS_SLOW:
        f->kind = SIM_FAULT_SLOW;
        f->node = instance_ref(t, id);
        f->value = r->value;
        break;
    case SIM_NEMESIS_LOSS:
        f->kind = SIM_FAULT_LOSS;
        f->value = r->value;
        f->from = r->from;
        f->to = r->to;
        break;
    case SIM_NEMESIS_LATENCY:
        f->kind = SIM_FAULT_LATENCY;
        f->add = r->add;
        f->node = r->node;
        f->from = r->from;
        f->to = r->to;
        break;
    case SIM_NEMESIS_PARTITION:
        f->kind = SIM_FAULT_PARTITION;
        return draw_sides(t, r, ids, nids, g, arena, f);
    }
    return 0;
}

/* One alternating process of rule r from its stream g: quiet, fault, quiet, ... */
static int draw_process(const sim_topology *t, const sim_nemesis_rule *r, size_t ri, uint32_t id,
                        const uint32_t *ids, size_t nids, gsl_rng *g, sim_arena *arena, drawn *d) {
    sim_time end = r->end != SIM_TIME_NONE && r->end < t->duration ? r->end : t->duration;
    for (sim_time now = r->start;;) {
        sim_time quiet = sim_dist_sample_time(&r->every, g);
        if (quiet > end - now)
            return 0;
        now += quiet;
        sim_time len = r->duration.kind == SIM_DIST_NONE ? SIM_TIME_NONE
                                                         : sim_dist_sample_time(&r->duration, g);
        if (draw_fault(t, r, ri, now, len, id, ids, nids, g, arena, d))
            return -1;
        if (len != SIM_TIME_NONE) {
            if (len > end - now)
                return 0;
            now += len;
        }
    }
}

/* Orders one rule's faults by time; ties by the order drawn (instance order): qsort is not
 * stable, so the index breaks them. */
typedef struct keyed {
    sim_fault f;
    size_t seq;
} keyed;

static int by_time(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    if (x->f.at != y->f.at)
        return x->f.at < y->f.at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int sort_rule(drawn *d, size_t from) {
    size_t n = d->n - from;
    if (n < 2)
        return 0;
    keyed *k = malloc(n * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < n; i++)
        k[i] = (keyed){d->f[from + i], i};
    qsort(k, n, sizeof *k, by_time);
    for (size_t i = 0; i < n; i++)
        d->f[from + i] = k[i].f;
    free(k);
    return 0;
}

static int draw_rule(const sim_topology *t, size_t ri, uint64_t seed, sim_arena *arena, drawn *d) {
    const sim_nemesis_rule *r = &t->nemesis[ri];
    char name[512];
    size_t from = d->n;
    if (is_per_instance(r)) {
        for (uint32_t j = 0; j < r->node.count; j++) {
            uint32_t id = r->node.first + j;
            sim_nemesis_stream_name(name, sizeof name, ri, t->nodes[id].name);
            gsl_rng *g = sim_rng_new(seed, name);
            int rc = g ? draw_process(t, r, ri, id, NULL, 0, g, arena, d) : -1;
            gsl_rng_free(g);
            if (rc)
                return -1;
        }
        return sort_rule(d, from);
    }
    uint32_t *ids = NULL;
    size_t nids = 0;
    if (r->kind == SIM_NEMESIS_PARTITION && !(nids = partition_instances(t, r, &ids)))
        return -1;
    sim_nemesis_stream_name(name, sizeof name, ri, NULL);
    gsl_rng *g = sim_rng_new(seed, name);
    int rc = g ? draw_process(t, r, ri, 0, ids, nids, g, arena, d) : -1;
    gsl_rng_free(g);
    free(ids);
    return rc;
}

int sim_nemesis_draw(const sim_topology *topo, uint64_t seed, sim_arena *arena, sim_fault **faults,
                     size_t *n) {
    *faults = NULL;
    *n = 0;
    drawn d = {0};
    for (size_t r = 0; r < topo->nnemesis; r++)
        if (draw_rule(topo, r, seed, arena, &d) || d.failed) {
            free(d.f);
            return -1;
        }
    if (d.n) {
        if (!(*faults = sim_arena_alloc(arena, d.n * sizeof **faults))) {
            free(d.f);
            return -1;
        }
        memcpy(*faults, d.f, d.n * sizeof **faults);
        *n = d.n;
    }
    free(d.f);
    return 0;
}

double sim_nemesis_expected(const sim_topology *topo, const sim_nemesis_rule *r) {
    sim_time end = r->end != SIM_TIME_NONE && r->end < topo->duration ? r->end : topo->duration;
    double window = end > r->start ? (double)(end - r->start) : 0;
    double cycle = sim_dist_mean(&r->every);
    if (r->duration.kind != SIM_DIST_NONE)
        cycle += sim_dist_mean(&r->duration);
    double instances = is_per_instance(r) ? r->node.count : 1;
    return cycle > 0 ? instances * (window / cycle + 1) : instances * (window + 1);
}

void sim_nemesis_report(const sim_topology *topo, const sim_fault *faults, size_t nfaults,
                        sim_report *w) {
    sim_report_open(w, "nemesis");
    sim_report_int(w, "rules", (int64_t)topo->nnemesis);
    sim_report_open_array(w, "drawn");
    for (size_t r = 0; r < topo->nnemesis; r++) {
        int64_t k = 0;
        for (size_t i = 0; i < nfaults; i++)
            k += faults[i].drawn && faults[i].rule == r;
        sim_report_int(w, NULL, k);
    }
    sim_report_close(w);
    sim_report_close(w);
}
