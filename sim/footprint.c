/* The memory estimate of footprint.h. The sizes of the engine's own records come from their
 * types; the allocator's overhead and the result document's share come from measurements of
 * peak resident memory (/usr/bin/time -v) of runs of 1e5 instances of each kind and of 1e7
 * closed-loop users or PHOLD messages, rounded up: the estimate is meant to be within a few
 * tens of percent, and high rather than low. */
#include "footprint.h"

#include "engine_int.h"
#include "event.h"

#include <string.h>

/* What malloc adds to each block (glibc: a 16-byte header, sizes rounded to 16). */
#define MALLOC_OVERHEAD 16.0
/* The process, the libraries and the engine's fixed tables, measured with one instance. */
#define BASE_BYTES (4.0 * 1024 * 1024)
/* Per instance, besides the engine's node record (which holds its random stream and a small
 * state), the kind's state and the document: its entry in the topology (record and name). */
#define INSTANCE_BYTES 120.0
/* An instance's entry in the result document when its kind does not say (a cJSON object of
 * a few dozen figures and its text; measured 2.2 kB for a service, 3.4 kB for a cache). */
#define REPORT_BYTES 3000.0
/* A pending event: its record in the pool and its share of the pending-event set (measured:
 * 59 B each with 1e7 pending). */
#define EVENT_BYTES (sizeof(sim_event) + 16.0)
/* A message in flight that a kind keeps (a closed-loop user's request): its block, the size
 * class of a request (an event record and a body of about 80 bytes). */
#define MESSAGE_BYTES 128.0

/* A kind's state: inside the node record when small, else a share of its group's slab. */
static double state_bytes(size_t size) {
    return size <= SIM_NODE_INLINE_STATE ? 0 : (double)size + MALLOC_OVERHEAD / 2;
}

/* Keeps the SIM_FOOTPRINT_TOP costliest groups, costliest first. */
static void keep_top(sim_footprint *f, const sim_footprint_group *g) {
    size_t i = f->ntop < SIM_FOOTPRINT_TOP ? f->ntop++ : SIM_FOOTPRINT_TOP;
    if (i == SIM_FOOTPRINT_TOP) {
        if (g->bytes <= f->top[SIM_FOOTPRINT_TOP - 1].bytes)
            return;
        i = SIM_FOOTPRINT_TOP - 1;
    }
    while (i > 0 && f->top[i - 1].bytes < g->bytes) {
        f->top[i] = f->top[i - 1];
        i--;
    }
    f->top[i] = *g;
}

sim_footprint sim_footprint_estimate(const sim_topology *t) {
    sim_footprint f = {.bytes = BASE_BYTES, .fixed = BASE_BYTES};
    size_t gi = 0; /* t->groups lists the same groups in the same order */
    for (size_t i = 0; i < t->nnodes; gi++) {
        const sim_topo_node *n = &t->nodes[i];
        const sim_topo_group *tg = gi < t->ngroups ? &t->groups[gi] : NULL;
        const sim_kind *k = n->kind;
        sim_memory_need need = {0};
        if (k->memory_need)
            need = k->memory_need(n->config, n->group_count);
        double each = INSTANCE_BYTES + (double)sizeof(sim_node) + state_bytes(k->state_size) +
                      need.bytes + need.events * EVENT_BYTES + need.messages * MESSAGE_BYTES +
                      (need.report_bytes > 0 ? need.report_bytes : REPORT_BYTES);
        sim_footprint_group g = {
            .group = n->group,
            .line = tg ? tg->line : 0,
            .col = tg ? tg->col : 0,
            .replicas = n->group_count,
            .key = need.key,
            .value = need.value,
            .bytes = each * n->group_count,
        };
        f.bytes += g.bytes;
        keep_top(&f, &g);
        i += n->group_count ? n->group_count : 1;
    }
    return f;
}
