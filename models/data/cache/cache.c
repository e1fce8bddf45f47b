/* cache: an in-memory cache of keyed data in front of a `backend` (a data store, or any node),
 * holding at most `capacity` entries (key, version) with LRU eviction (blocks/lru.h) and an
 * optional time to live. Reads are answered from the cache on a hit; on a miss the cache calls
 * the backend, fills the entry from the reply and relays it. Writes always go to the backend;
 * on its acknowledgement the entry is dropped (`population: lazy`, cache-aside, with
 * `invalidate`) or set to the version written (`population: eager`, write-through). The reply
 * the client gets carries the version served and the kv.served mark (protocols/keyed.h) when the data came
 * from a data-serving backend, so the run's consistency oracle judges stale values served from
 * the cache like any other read.
 *
 * Model of time: every request is first served for a time drawn from `service` (the lookup;
 * requests do not queue: a cache is rarely the bottleneck, and an infinite-server station keeps
 * the model simple), then the lookup happens, so what a hit returns is the entry as it is at
 * the end of its service. TTL expiry is lazy (as Redis's passive expiry): an entry past its
 * expiry is dropped when a lookup finds it or when it reaches the LRU end; a hit does not
 * extend the TTL. A fill never replaces an entry holding a newer version (a write-through
 * update that overtook a read miss's fetch).
 *
 * It does not retry, time out or coalesce concurrent misses of one key (each miss calls the
 * backend). Volatile: a crash drops every entry and every request held. */
#include "consistency.h"
#include "hist.h"
#include "lru.h"
#include "metrics.h"
#include "request.h"
#include "protocols.h"
#include "slot_table.h"

#include <stdlib.h>

enum { T_LOOKUP };

enum { POP_LAZY, POP_EAGER };
static const char *const population_names[] = {"lazy", "eager", NULL};
static const char *const eviction_names[] = {"lru", NULL};

typedef struct cache_config {
    sim_ref backend;
    int64_t capacity;
    int eviction;
    sim_time ttl; /* -1: none */
    int population;
    bool invalidate;
    sim_dist service;
    sim_bytes_by reply_bytes;
} cache_config;

typedef enum { H_FREE, H_SERVICE, H_READ_MISS, H_WRITE } held_phase;

/* A request held by the cache: in its lookup service, or awaiting the backend. */
typedef struct held {
    rr_req *req;
    uint32_t stamp; /* matches timers and backend replies to this use of the slot */
    uint8_t phase;  /* held_phase */
} held;

typedef struct cache_state {
    lru table;
    slot_table slots; /* of held */
    uint32_t stamp_seq;
    /* counting requests issued after the warm-up */
    uint64_t requests, reads, writes, hits, misses, evictions, expirations, invalidations, updates,
        backend_calls, failed;
    sim_hist hit_time, miss_time, write_time;
} cache_state;

static const sim_param cache_params[] = {
    {.name = "backend", .type = SIM_P_REF, .offset = offsetof(cache_config, backend),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_EACH, .edge = "backend",
     .flags = SIM_PARAM_REQUIRED,
     .help = "node or group behind the cache: misses and writes go there (a group: a random "
             "instance per call)"},
    {.name = "capacity", .type = SIM_P_INT, .offset = offsetof(cache_config, capacity),
     .flags = SIM_PARAM_REQUIRED, .min = 1, .max = 1e9, .help = "entries held at most"},
    {.name = "eviction", .type = SIM_P_ENUM, .offset = offsetof(cache_config, eviction),
     .def = "lru", .choices = eviction_names,
     .help = "which entry makes room when full: lru (least recently used)"},
    {.name = "ttl", .type = SIM_P_DURATION, .offset = offsetof(cache_config, ttl), .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "an entry expires this long after it was filled (default: never)"},
    {.name = "population", .type = SIM_P_ENUM, .offset = offsetof(cache_config, population),
     .def = "lazy", .choices = population_names,
     .help = "lazy: cache-aside (a read miss fills); eager: write-through (a write's ack also "
             "sets the entry)"},
    {.name = "invalidate", .type = SIM_P_BOOL, .offset = offsetof(cache_config, invalidate),
     .def = "true", .help = "lazy: a write's ack drops the key's entry"},
    {.name = "service", .type = SIM_P_DIST, .offset = offsetof(cache_config, service),
     .def = "0s", .help = "lookup time of every request (no queueing)"},
    RR_BYTES_PARAM("reply_bytes", cache_config, reply_bytes, "the size of a hit's reply (a miss passes on the backend's)"),
    {0},
};

static void cache_check(const void *config, sim_check *ck) {
    const cache_config *c = config;
    if (c->population == POP_EAGER && sim_check_given(ck, "invalidate"))
        sim_check_error(ck, "invalidate", "'invalidate' goes with 'population: lazy'");
}

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

static uint64_t token_of(uint32_t stamp, uint32_t slot) { return (uint64_t)stamp << 32 | slot; }

static held *slot(const cache_state *s, uint32_t i) { return slot_table_at(&s->slots, i); }

/* Takes a slot with a fresh stamp; SLOT_NONE when out of memory. */
static uint32_t take_slot(cache_state *s) {
    uint32_t i = slot_table_take(&s->slots);
    if (i != SLOT_NONE)
        slot(s, i)->stamp = ++s->stamp_seq;
    return i;
}

static rr_req *release_slot(cache_state *s, uint32_t i) {
    rr_req *r = slot(s, i)->req;
    slot_table_put(&s->slots, i);
    return r;
}

static void record(sim_node *n, sim_hist *h, const rr_req *r) {
    if (counts(n, r) && sim_hist_record(h, sim_now(n) - r->arrived))
        sim_out_of_memory(n);
}

/* Tells the consistency oracle that the cache keeps e's version until `until` (its expiry),
 * or, with until = now, no longer. */
static void tell_oracle(sim_node *n, const lru_entry *e, sim_time until) {
    if (e->has_data && consistency_cached(consistency_of(n), sim_node_id(n), e->store, e->key,
                                          e->version, sim_now(n), until))
        sim_out_of_memory(n);
}

/* The entry of key if it is there and fresh; an expired one is dropped (an expiration). */
static lru_entry *lookup(sim_node *n, const rr_req *r) {
    cache_state *s = sim_state(n);
    lru_entry *e = lru_find(&s->table, r->kv.key);
    if (e && e->expires <= sim_now(n)) {
        lru_remove(&s->table, e);
        if (counts(n, r))
            s->expirations++;
        return NULL;
    }
    return e;
}

/* Sets key's entry to the version the backend's reply carries (inserting it, evicting if
 * full) unless it holds a newer one. r is the request that causes it (for the counts). */
static void fill(sim_node *n, const rr_req *r, const rr_req *reply) {
    cache_state *s = sim_state(n);
    const cache_config *c = sim_config(n);
    uint64_t version = reply->kv.version;
    lru_entry *e = lookup(n, r);
    if (e && e->version > version)
        return;
    if (!e) {
        lru_entry victim;
        bool evicted;
        e = lru_insert(&s->table, r->kv.key, &victim, &evicted);
        if (!e) {
            if (r->kv.key != UINT64_MAX)
                sim_out_of_memory(n);
            return;
        }
        if (evicted)
            tell_oracle(n, &victim, sim_now(n));
        if (evicted && counts(n, r)) {
            if (victim.expires <= sim_now(n))
                s->expirations++;
            else
                s->evictions++;
        }
    } else {
        lru_touch(&s->table, e);
    }
    e->version = version;
    e->has_data = reply->kv.served;
    e->store = reply->kv.store;
    e->expires = c->ttl > 0 && sim_now(n) < SIM_TIME_MAX - c->ttl ? sim_now(n) + c->ttl
                                                                   : SIM_TIME_MAX;
    tell_oracle(n, e, e->expires);
}

static void call_backend(sim_node *n, uint32_t i) {
    cache_state *s = sim_state(n);
    const cache_config *c = sim_config(n);
    rr_req *r = slot(s, i)->req, *call = rr_call_new(n, r);
    call->token = token_of(slot(s, i)->stamp, i);
    if (counts(n, r))
        s->backend_calls++;
    rr_send(n, sim_pick(n, &c->backend), call);
}

/* The lookup service of slot i ended: answer a hit, or call the backend. */
static void looked_up(sim_node *n, uint32_t i) {
    cache_state *s = sim_state(n);
    rr_req *r = slot(s, i)->req;
    bool measured = counts(n, r);
    if (r->op == RR_WRITE) {
        slot(s, i)->phase = H_WRITE;
        call_backend(n, i);
        return;
    }
    lru_entry *e = lookup(n, r);
    if (!e) {
        if (measured)
            s->misses++;
        slot(s, i)->phase = H_READ_MISS;
        call_backend(n, i);
        return;
    }
    if (measured)
        s->hits++;
    lru_touch(&s->table, e);
    release_slot(s, i);
    if (e->has_data)
        kv_serve(&r->kv, sim_node_id(n), e->store, e->version);
    else
        r->kv.version = e->version;
    r->status = RR_OK;
    record(n, &s->hit_time, r);
    rr_reply_sized(n, r, ((const cache_config *)sim_config(n))->reply_bytes.by[r->op]);
}

static void arrive(sim_node *n, rr_req *r) {
    cache_state *s = sim_state(n);
    const cache_config *c = sim_config(n);
    r->arrived = sim_now(n);
    if (counts(n, r)) {
        s->requests++;
        if (r->op == RR_WRITE)
            s->writes++;
        else
            s->reads++;
    }
    uint32_t i = take_slot(s);
    if (i == SLOT_NONE) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    slot(s, i)->req = r;
    slot(s, i)->phase = H_SERVICE;
    sim_time t = sim_slowed(n, sim_dist_sample(&c->service, sim_rng(n)));
    if (t <= 0)
        looked_up(n, i);
    else
        sim_set_timer(n, t,
                      T_LOOKUP, token_of(slot(s, i)->stamp, i));
}

/* The backend answered the call of slot i: fill or update, and relay. */
static void backend_replied(sim_node *n, uint32_t i, const rr_req *reply) {
    cache_state *s = sim_state(n);
    const cache_config *c = sim_config(n);
    held_phase phase = slot(s, i)->phase;
    rr_req *r = release_slot(s, i);
    bool measured = counts(n, r), ok = reply->status == RR_OK;
    r->status = reply->status;
    if (ok) {
        r->kv.version = reply->kv.version;
        kv_take(&r->kv, &reply->kv);
        if (phase == H_READ_MISS || c->population == POP_EAGER) {
            if (phase == H_WRITE && measured)
                s->updates++;
            fill(n, r, reply);
        } else if (c->invalidate) {
            lru_entry *e = lru_find(&s->table, r->kv.key);
            if (e) {
                tell_oracle(n, e, sim_now(n));
                lru_remove(&s->table, e);
                if (measured)
                    s->invalidations++;
            }
        }
    } else if (measured) {
        s->failed++;
    }
    record(n, phase == H_WRITE ? &s->write_time : &s->miss_time, r);
    rr_reply_sized(n, r, sim_msg_of_const(reply)->size); /* what the backend sent */
}

static bool slot_matches(const cache_state *s, uint64_t token, held_phase phase) {
    uint32_t i = (uint32_t)token, stamp = (uint32_t)(token >> 32);
    return i < s->slots.n && slot(s, i)->req && slot(s, i)->stamp == stamp &&
           (phase == H_SERVICE ? slot(s, i)->phase == H_SERVICE
                               : slot(s, i)->phase != H_SERVICE);
}

static void cache_receive(sim_node *n, sim_msg *m) {
    cache_state *s = sim_state(n);
    rr_req *r = rr_of(m);
    if (m->type == &rr_request_msg) {
        arrive(n, r);
        return;
    }
    if (m->type == &rr_reply_msg && slot_matches(s, r->token, H_READ_MISS))
        backend_replied(n, (uint32_t)r->token, r);
    sim_msg_free(n, m); /* the backend's reply, or a stale one (from before a crash) */
}

static void cache_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    cache_state *s = sim_state(n);
    if (tag == T_LOOKUP && slot_matches(s, arg, H_SERVICE))
        looked_up(n, (uint32_t)arg);
}

/* For the consistency oracle's horizon: the oldest request held, whose backend call may bring
 * back a version to keep. */
static sim_time oldest_held(const void *state) {
    const cache_state *s = state;
    sim_time t = SIM_TIME_MAX;
    for (uint32_t i = 0; i < s->slots.n; i++) {
        const rr_req *r = slot(s, i)->req; /* NULL in a free slot */
        if (r && r->issued < t)
            t = r->issued;
    }
    return t;
}

static void cache_create(sim_node *n) {
    cache_state *s = sim_state(n);
    const cache_config *c = sim_config(n);
    lru_init(&s->table, (uint32_t)c->capacity);
    slot_table_init(&s->slots, sizeof(held));
    if (consistency_watch(consistency_of(n), sim_node_id(n), oldest_held, s))
        sim_out_of_memory(n);
    sim_hist_init(&s->hit_time);
    sim_hist_init(&s->miss_time);
    sim_hist_init(&s->write_time);
}

/* Crash: the cache is volatile: every entry goes, and the requests held are dropped (their
 * clients see a timeout). Replies to calls made before the crash are dropped on arrival. */
static void cache_crash(sim_node *n) {
    cache_state *s = sim_state(n);
    for (size_t i = 0; i < s->table.map.cap; i++)
        if (s->table.map.keys[i])
            tell_oracle(n, &s->table.slots[s->table.map.vals[i]], sim_now(n));
    lru_clear(&s->table);
    for (uint32_t i = 0; i < s->slots.n; i++)
        rr_free(n, slot(s, i)->req); /* NULL in a free slot */
    slot_table_clear(&s->slots);
}

static double hit_ratio(const void *state, const sim_node *n, sim_time at) {
    const cache_state *s = state;
    (void)n, (void)at;
    return s->hits + s->misses ? (double)s->hits / (double)(s->hits + s->misses) : 0;
}

/* For time series: the interval's hit ratio is its hits over its lookups. */
static double hits_figure(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return (double)((const cache_state *)state)->hits;
}
static double lookups_figure(const void *state, const sim_node *n, sim_time at) {
    const cache_state *s = state;
    (void)n, (void)at;
    return (double)(s->hits + s->misses);
}

/* Entries still fresh at `at` (a walk of the table: fine at an interval, not per event). */
static double live_entries(const void *state, const sim_node *n, sim_time at) {
    const cache_state *s = state;
    (void)n;
    uint64_t live = 0;
    for (uint32_t i = s->table.head; i != LRU_NONE; i = s->table.slots[i].next)
        live += s->table.slots[i].expires > at;
    return (double)live;
}

static bool eager(const void *config) {
    return ((const cache_config *)config)->population == POP_EAGER;
}
static bool lazy(const void *config) { return !eager(config); }

static const sim_metric cache_metrics[] = {
    {"requests", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, requests)},
    {"reads", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, reads)},
    {"writes", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, writes)},
    {"hits", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, hits)},
    {"misses", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, misses)},
    {"hit_ratio", SIM_METRIC_NUMBER, .value = hit_ratio, .series = SIM_SERIES_RATIO,
     .num = hits_figure, .den = lookups_figure},
    {"evictions", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, evictions)},
    {"expirations", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, expirations)},
    {"updates", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, updates), .shown = eager},
    {"invalidations", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, invalidations), .shown = lazy},
    {"entries", SIM_METRIC_GAUGE, .value = live_entries},
    {"backend_calls", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, backend_calls)},
    {"failed", SIM_METRIC_COUNTER, SIM_FIELD(cache_state, failed)},
    {"hit_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(cache_state, hit_time), .pct = SIM_PCT_SHORT},
    {"miss_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(cache_state, miss_time), .pct = SIM_PCT_SHORT},
    {"write_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(cache_state, write_time), .pct = SIM_PCT_SHORT},
    SIM_METRICS_END,
};

static void cache_destroy(sim_node *n) {
    cache_state *s = sim_state(n);
    lru_free(&s->table);
    slot_table_free(&s->slots);
    sim_hist_free(&s->hit_time);
    sim_hist_free(&s->miss_time);
    sim_hist_free(&s->write_time);
}

/* The entries are allocated as they fill (lru.h), so `capacity` costs nothing at the start. */
static sim_memory_need cache_memory_need(const void *config, uint32_t group_count) {
    (void)config, (void)group_count;
    return (sim_memory_need){.report_bytes = 3400}; /* measured */
}

static const sim_checker_kind *const feeds[] = {&dsim_consistency_checker, NULL};

const sim_kind dsim_cache_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = cache_memory_need,
    .name = "cache",
    .summary = "an LRU cache with TTL in front of a backend: cache-aside or write-through",
    .config_size = sizeof(cache_config),
    .state_size = sizeof(cache_state),
    .params = cache_params,
    .serves = DSIM_PROTO_REQUEST,
    .check = cache_check,
    .create = cache_create,
    .receive = cache_receive,
    .timer = cache_timer,
    .crash = cache_crash,
    .metrics = cache_metrics,

    .destroy = cache_destroy,
    .checkers = feeds,
};
