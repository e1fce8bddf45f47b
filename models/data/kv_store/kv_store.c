/* kv_store: a simple key-value store, the smallest authoritative data store: one node holding
 * the current version of every key written. Each request is served for a time drawn from
 * `service` (per operation; requests do not queue: an infinite-server station), and at the end
 * of its service a write commits (the key's version goes up by one, 1 for the first write) and
 * a read returns the key's current version (0: never written). Replies say which version they
 * carry (kv_serve, protocols/keyed.h), so that clients hand them to the consistency checker.
 * Its data is durable: a crash drops only the requests in service. At the end it tells the
 * checker which version of each key it holds (none is ever lost: it has no replicas).
 *
 * The example of docs/adding-a-kind.md. For replication, failover, connection pools and WAL
 * costs use `database`. */
#include "consistency.h"
#include "idmap.h"
#include "metrics.h"
#include "protocols.h"
#include "request.h"
#include "slot_table.h"

enum { T_DONE }; /* the one timer: a request's service is over */

typedef struct kv_config {
    sim_dist_by service;
    sim_bytes_by reply_bytes;
} kv_config;

typedef struct kv_state {
    sim_idmap versions;  /* key + 1 -> current version */
    slot_table serving;  /* the requests in service, an rr_req * each */
    uint64_t reads, writes; /* measured */
} kv_state;

static const sim_param kv_params[] = {
    {.name = "service", .type = SIM_P_DIST_BY, RR_PER_OP, .offset = offsetof(kv_config, service),
     .def = "0s", .help = "time to serve one request, or per operation {read: DIST, write: DIST}"},
    RR_BYTES_PARAM("reply_bytes", kv_config, reply_bytes, "the size of its reply"),
    {0},
};

static rr_req **serving(kv_state *s, uint32_t slot) { return slot_table_at(&s->serving, slot); }

/* A request arrives: it is served at once, for its operation's service time. The timer names
 * its slot; a slot is given back only when its timer fires or at a crash, which drops every
 * pending timer, so a timer never finds its slot reused. */
static void kv_receive(sim_node *n, sim_msg *m) {
    kv_state *s = sim_state(n);
    const kv_config *c = sim_config(n);
    if (m->type != &rr_request_msg) { /* a stray reply: nothing awaits it here */
        sim_msg_free(n, m);
        return;
    }
    rr_req *r = rr_of(m);
    uint32_t slot = slot_table_take(&s->serving);
    if (slot == SLOT_NONE) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    *serving(s, slot) = r;
    double ns = sim_dist_sample(&c->service.by[r->op], sim_rng(n));
    sim_set_timer(n, sim_slowed(n, ns), T_DONE, slot);
}

/* The service is over: a write commits, a read reads, and the reply carries the version. */
static void kv_timer(sim_node *n, uint16_t tag, uint64_t slot) {
    kv_state *s = sim_state(n);
    const kv_config *c = sim_config(n);
    (void)tag; /* T_DONE is the only timer */
    rr_req *r = *serving(s, (uint32_t)slot);
    slot_table_put(&s->serving, (uint32_t)slot);
    uint64_t v = 0;
    sim_idmap_get(&s->versions, r->kv.key + 1, &v);
    if (r->op == RR_WRITE && sim_idmap_put(&s->versions, r->kv.key + 1, ++v)) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    if (sim_is_measured(n, r->issued) && r->op == RR_WRITE)
        s->writes++;
    else if (sim_is_measured(n, r->issued))
        s->reads++;
    kv_serve(&r->kv, sim_node_id(n), sim_node_id(n), v);
    r->status = RR_OK;
    rr_reply_sized(n, r, c->reply_bytes.by[r->op]);
}

/* For the consistency checker: the data is durable and versions only grow, so this copy never
 * again holds a version older than its current one. */
static uint64_t floor_of(uint64_t key, void *state) {
    uint64_t v = 0;
    sim_idmap_get(&((kv_state *)state)->versions, key + 1, &v);
    return v;
}

static void kv_create(sim_node *n) {
    kv_state *s = sim_state(n);
    sim_idmap_init(&s->versions);
    slot_table_init(&s->serving, sizeof(rr_req *));
    if (consistency_copy(consistency_of(n), sim_node_id(n), sim_node_id(n), floor_of, s))
        sim_out_of_memory(n);
}

/* Crash: the requests in service are dropped (their callers see a time-out); the data stays. */
static void kv_crash(sim_node *n) {
    kv_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->serving.n; i++)
        rr_free(n, *serving(s, i)); /* NULL in a free slot */
    slot_table_clear(&s->serving);
}

/* Every key's surviving version goes to the checker (in the map's slot order: its figures do
 * not depend on the order). */
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

static void kv_destroy(sim_node *n) {
    kv_state *s = sim_state(n);
    sim_idmap_free(&s->versions);
    slot_table_free(&s->serving);
}

static const sim_metric kv_metrics[] = {
    {"reads", SIM_METRIC_COUNTER, SIM_FIELD(kv_state, reads)},
    {"writes", SIM_METRIC_COUNTER, SIM_FIELD(kv_state, writes)},
    {"keys", SIM_METRIC_GAUGE, SIM_FIELD(kv_state, versions.n)},
    SIM_METRICS_END,
};

static const sim_checker_kind *const feeds[] = {&dsim_consistency_checker, NULL};

static sim_memory_need kv_memory_need(const void *config, uint32_t group_count) {
    (void)config, (void)group_count;
    return (sim_memory_need){.report_bytes = 650}; /* measured */
}

const sim_kind dsim_kv_store_kind = {
    .version = SIM_KIND_VERSION,
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
    .finish = kv_finish,
    .destroy = kv_destroy,
    .metrics = kv_metrics,
    .checkers = feeds,
    .memory_need = kv_memory_need,
};
