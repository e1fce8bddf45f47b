/* kv_store: a simple key-value store, the smallest authoritative data store: one node holding
 * the current version of every key written. Each request is served for a time drawn from
 * `service` (per operation; requests do not queue: an infinite-server station), and at the end
 * of its service a write commits (the key's version goes up by one, 1 for the first write) and
 * a read returns the key's current version (0: never written). Replies carry the version and
 * the kv.served mark (protocols/keyed.h), so clients feed the consistency oracle. Its data is durable: a
 * crash drops only the requests in service. At the end it tells the oracle which version of
 * each key it holds (none is ever lost: it has no replicas to fail over to).
 *
 * For replication, failover, connection pools and WAL costs use `database`. */
#include "consistency.h"
#include "idmap.h"
#include "metrics.h"
#include "request.h"
#include "protocols.h"

#include <stdlib.h>

enum { T_DONE };

typedef struct kv_config {
    sim_dist_by service;
    sim_bytes_by reply_bytes;
} kv_config;

typedef struct kv_state {
    sim_idmap versions; /* key + 1 -> current version */
    rr_req **held;     /* requests in service, by slot */
    uint32_t *stamps;
    uint32_t nheld, cap, stamp_seq;
    uint32_t *free_slots;
    uint32_t nfree;
    uint64_t reads, writes; /* measured */
} kv_state;

static const sim_param kv_params[] = {
    {.name = "service", .type = SIM_P_DIST_BY, RR_PER_OP, .offset = offsetof(kv_config, service),
     .def = "0s", .help = "time to serve one request, or per operation {read: DIST, write: DIST}"},
    RR_BYTES_PARAM("reply_bytes", kv_config, reply_bytes, "the size of its reply"),
    {0},
};

static uint32_t take_slot(sim_node *n) {
    kv_state *s = sim_state(n);
    if (!s->nfree) {
        uint32_t cap = s->cap ? 2 * s->cap : 16;
        rr_req **held = realloc(s->held, cap * sizeof *held);
        if (held)
            s->held = held;
        uint32_t *stamps = realloc(s->stamps, cap * sizeof *stamps);
        if (stamps)
            s->stamps = stamps;
        uint32_t *free_slots = realloc(s->free_slots, cap * sizeof *free_slots);
        if (free_slots)
            s->free_slots = free_slots;
        if (!held || !stamps || !free_slots)
            return UINT32_MAX;
        for (uint32_t i = cap; i-- > s->cap;) {
            s->held[i] = NULL;
            s->free_slots[s->nfree++] = i;
        }
        s->cap = cap;
    }
    uint32_t i = s->free_slots[--s->nfree];
    s->stamps[i] = ++s->stamp_seq;
    return i;
}

static void kv_receive(sim_node *n, sim_msg *m) {
    kv_state *s = sim_state(n);
    const kv_config *c = sim_config(n);
    if (m->type != &rr_request_msg) {
        sim_msg_free(n, m);
        return;
    }
    rr_req *r = rr_of(m);
    r->arrived = sim_now(n);
    uint32_t i = take_slot(n);
    if (i == UINT32_MAX) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    s->held[i] = r;
    s->nheld++;
    sim_set_timer(n, sim_slowed(n, sim_dist_sample(&c->service.by[r->op], sim_rng(n))), T_DONE,
                  (uint64_t)s->stamps[i] << 32 | i);
}

static void kv_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    kv_state *s = sim_state(n);
    uint32_t i = (uint32_t)arg;
    if (tag != T_DONE || i >= s->cap || !s->held[i] || s->stamps[i] != (uint32_t)(arg >> 32))
        return;
    rr_req *r = s->held[i];
    s->held[i] = NULL;
    s->nheld--;
    s->free_slots[s->nfree++] = i;
    uint64_t v = 0;
    sim_idmap_get(&s->versions, r->kv.key + 1, &v);
    if (r->op == RR_WRITE) {
        if (sim_idmap_put(&s->versions, r->kv.key + 1, ++v)) {
            sim_out_of_memory(n);
            rr_free(n, r);
            return;
        }
    }
    if (sim_is_measured(n, r->issued)) {
        if (r->op == RR_WRITE)
            s->writes++;
        else
            s->reads++;
    }
    kv_serve(&r->kv, sim_node_id(n), sim_node_id(n), v);
    r->status = RR_OK;
    rr_reply_sized(n, r, ((const kv_config *)sim_config(n))->reply_bytes.by[r->op]);
}

/* For the consistency oracle: the data is durable and versions only grow, so the copy never
 * again holds a version older than its current one. */
static uint64_t floor_of(uint64_t key, void *state) {
    uint64_t v = 0;
    sim_idmap_get(&((kv_state *)state)->versions, key + 1, &v);
    return v;
}

static void kv_create(sim_node *n) {
    kv_state *s = sim_state(n);
    sim_idmap_init(&s->versions);
    if (consistency_copy(consistency_of(n), sim_node_id(n), sim_node_id(n), floor_of, s))
        sim_out_of_memory(n);
}

/* Crash: requests in service are dropped (their callers see a timeout); the data stays. */
static void kv_crash(sim_node *n) {
    kv_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->cap; i++)
        if (s->held[i]) {
            rr_free(n, s->held[i]);
            s->held[i] = NULL;
            s->free_slots[s->nfree++] = i;
        }
    s->nheld = 0;
}

/* Every key's surviving version goes to the oracle (in the map's slot order: the oracle's
 * figures do not depend on the order). */
static void kv_finish(sim_node *n) {
    kv_state *s = sim_state(n);
    consistency_oracle *o = consistency_of(n);
    for (size_t i = 0; i < s->versions.cap; i++)
        if (s->versions.keys[i] &&
            consistency_surviving(o, sim_node_id(n), s->versions.keys[i] - 1,
                                 s->versions.vals[i])) {
            sim_out_of_memory(n);
            return;
        }
}

static const sim_metric kv_metrics[] = {
    {"reads", SIM_METRIC_COUNTER, SIM_FIELD(kv_state, reads)},
    {"writes", SIM_METRIC_COUNTER, SIM_FIELD(kv_state, writes)},
    {"keys", SIM_METRIC_GAUGE, SIM_FIELD(kv_state, versions.n)},
    SIM_METRICS_END,
};

static void kv_destroy(sim_node *n) {
    kv_state *s = sim_state(n);
    sim_idmap_free(&s->versions);
    free(s->held);
    free(s->stamps);
    free(s->free_slots);
}

static sim_memory_need kv_memory_need(const void *config, uint32_t group_count) {
    (void)config, (void)group_count;
    return (sim_memory_need){.report_bytes = 650}; /* measured */
}

static const sim_checker_kind *const feeds[] = {&dsim_consistency_checker, NULL};

const sim_kind dsim_kv_store_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = kv_memory_need,
    .name = "kv_store",
    .summary = "a simple key-value store: versions per key, durable, no queueing",
    .config_size = sizeof(kv_config),
    .state_size = sizeof(kv_state),
    .params = kv_params,
    .serves = DSIM_PROTO_REQUEST,
    .create = kv_create,
    .receive = kv_receive,
    .timer = kv_timer,
    .crash = kv_crash,
    .metrics = kv_metrics,

    .destroy = kv_destroy,
    .finish = kv_finish,
    .checkers = feeds,
};
