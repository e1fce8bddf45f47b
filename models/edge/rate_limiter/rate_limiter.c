/* rate_limiter: an API rate limiter placed in front of a service (clients target it and it
 * forwards what it admits to `backend`; the backend's reply goes straight to the client) or
 * called by one (no `backend`: an admitted request is answered OK at once). A denied request
 * is answered REJECTED at once (HTTP 429). Counters are kept per limiter key (`per`: one for
 * all, per client node, or per request key) with per-key `overrides`; the algorithms are in
 * ratelimit_algo.h. Without `store` the counters are local to each instance (so N replicas
 * admit up to N times the limit); with `store` every decision is a round trip to a
 * `counter_store` shard picked by hash of the limiter key. The limiter measures what it
 * admitted: the most forwarded in any window of length `window`, per key, against the ideal
 * the algorithm promises. */
#include "hist.h"
#include "idmap.h"
#include "metrics.h"
#include "request.h"
#include "protocols.h"
#include "counter.h"
#include "ratelimit_algo.h"
#include "tavg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { T_RELEASE, T_STORE_TIMEOUT };
enum { PER_GLOBAL, PER_CLIENT, PER_KEY };
enum { ON_FAIL_ALLOW, ON_FAIL_DENY };

static const char *const per_names[] = {"global", "client", "key", NULL};
static const char *const on_fail_names[] = {"allow", "deny", NULL};

typedef struct rl_override {
    int64_t key;
    int64_t limit;
} rl_override;

typedef struct limiter_config {
    sim_ref backend;
    int algorithm;
    int64_t limit;
    sim_time window;
    double rate;
    int64_t burst;
    int per;
    sim_list overrides; /* of rl_override */
    sim_ref store;
    sim_time store_timeout;
    int on_store_failure;
} limiter_config;

/* What the limiter saw of one limiter key (measured requests only). */
typedef struct key_stats {
    rl_log seen; /* forward times within the last window */
    int64_t max_in_window;
    uint64_t allowed, denied;
} key_stats;

typedef struct limiter_state {
    rl_limit deflt;  /* the limit of keys without an override */
    rl_limit *ovl;   /* the limit of override i */
    rl_table local;  /* counters, when there is no store */
    sim_idmap index; /* limiter key + 1 -> index in stats; overrides are stats[0..n-1] */
    key_stats *stats;
    size_t nstats, capstats;
    sim_idmap at_store; /* check id -> the request held for its answer */
    sim_idmap delayed;  /* request id -> the request held until its release (leaky bucket) */
    sim_tavg held;
    uint64_t allowed, denied, store_errors; /* measured */
    sim_hist check, added;
} limiter_state;

static const sim_param override_item[] = {
    {.name = "key", .type = SIM_P_INT, .offset = offsetof(rl_override, key),
     .flags = SIM_PARAM_REQUIRED, .min = 0, .max = 1e18, .help = "the request key"},
    {.name = "limit", .type = SIM_P_INT, .offset = offsetof(rl_override, limit),
     .flags = SIM_PARAM_REQUIRED, .min = 0, .max = 1e12,
     .help = "requests per window for this key (buckets: rate = limit / window); 0 blocks it"},
    {0},
};

static const sim_param limiter_params[] = {
    {.name = "backend", .type = SIM_P_REF, .offset = offsetof(limiter_config, backend),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_EACH, .edge = "backend",
     .help = "node or group admitted requests are forwarded to (default: none, the limiter "
             "answers them itself, for use in a service's calls)"},
    {.name = "algorithm", .type = SIM_P_ENUM, .offset = offsetof(limiter_config, algorithm),
     .def = "token_bucket", .choices = rl_algo_names,
     .help = "fixed_window, sliding_log, sliding_window, token_bucket or leaky_bucket"},
    {.name = "limit", .type = SIM_P_INT, .offset = offsetof(limiter_config, limit), .min = 0,
     .max = 1e12, .help = "window algorithms: requests admitted per window and key"},
    {.name = "window", .type = SIM_P_DURATION, .offset = offsetof(limiter_config, window),
     .def = "1s", .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "window length (also the span of the admitted-count measurement)"},
    {.name = "rate", .type = SIM_P_RATE, .offset = offsetof(limiter_config, rate), .min = 1e-9,
     .max = 1e9, .help = "buckets: refill (token) or drain (leaky) rate per key"},
    {.name = "burst", .type = SIM_P_INT, .offset = offsetof(limiter_config, burst), .def = "1",
     .min = 1, .max = 1e12,
     .help = "buckets: token capacity (token_bucket) or waiting places (leaky_bucket)"},
    {.name = "per", .type = SIM_P_ENUM, .offset = offsetof(limiter_config, per),
     .def = "global", .choices = per_names,
     .help = "limiter key: global (one counter), client (per client node) or key (per "
             "request key)"},
    {.name = "overrides", .type = SIM_P_LIST, .offset = offsetof(limiter_config, overrides),
     .item = override_item, .item_size = sizeof(rl_override),
     .help = "per-key limits with per: key, e.g. [{key: 0, limit: 50}]"},
    {.name = "store", .type = SIM_P_REF, .offset = offsetof(limiter_config, store),
     .needs = DSIM_PROTO_COUNTER, .flow = SIM_FLOW_EACH, .edge = "store",
     .help = "counter_store node or group holding the counters (default: local counters)"},
    {.name = "store_timeout", .type = SIM_P_DURATION,
     .offset = offsetof(limiter_config, store_timeout), .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a store check without answer by then counts as a store error (default: none)"},
    {.name = "on_store_failure", .type = SIM_P_ENUM,
     .offset = offsetof(limiter_config, on_store_failure), .def = "allow",
     .choices = on_fail_names,
     .help = "when the store is down or times out: allow (fail open) or deny (fail closed)"},
    {0},
};

static void limiter_check(const void *config, sim_check *ck) {
    const limiter_config *c = config;
    const char *algo = rl_algo_names[c->algorithm];
    if (rl_is_bucket(c->algorithm)) {
        if (c->rate <= 0)
            sim_check_error(ck, "algorithm", "%s needs 'rate'", algo);
        if (sim_check_given(ck, "limit"))
            sim_check_error(ck, "limit", "'limit' goes with the window algorithms, not %s "
                                         "(give 'rate' and 'burst')", algo);
    } else {
        if (c->limit < 0)
            sim_check_error(ck, "algorithm", "%s needs 'limit'", algo);
        if (sim_check_given(ck, "rate"))
            sim_check_error(ck, "rate", "'rate' goes with token_bucket and leaky_bucket");
        if (sim_check_given(ck, "burst"))
            sim_check_error(ck, "burst", "'burst' goes with token_bucket and leaky_bucket");
    }
    const rl_override *ov = c->overrides.items;
    if (c->overrides.n && c->per != PER_KEY)
        sim_check_error(ck, "overrides", "'overrides' go with 'per: key'");
    for (size_t i = 0; i < c->overrides.n; i++)
        for (size_t j = 0; j < i; j++)
            if (ov[i].key == ov[j].key)
                sim_check_error(ck, "overrides", "key %lld is overridden twice",
                                (long long)ov[i].key);
    if (!sim_check_given(ck, "store")) {
        if (sim_check_given(ck, "store_timeout"))
            sim_check_error(ck, "store_timeout", "'store_timeout' goes with 'store'");
        if (sim_check_given(ck, "on_store_failure"))
            sim_check_error(ck, "on_store_failure", "'on_store_failure' goes with 'store'");
    }
}

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

static uint64_t key_of(const limiter_config *c, const rr_req *r) {
    return c->per == PER_KEY ? r->kv.key : c->per == PER_CLIENT ? r->client : 0;
}

/* Index of the override of key, or -1. */
static ptrdiff_t override_of(const limiter_config *c, uint64_t key) {
    const rl_override *ov = c->overrides.items;
    for (size_t i = 0; i < c->overrides.n; i++)
        if ((uint64_t)ov[i].key == key)
            return (ptrdiff_t)i;
    return -1;
}

static const rl_limit *limit_of(const sim_node *n, uint64_t key) {
    const limiter_state *s = sim_state_const(n);
    ptrdiff_t i = override_of(sim_config(n), key);
    return i < 0 ? &s->deflt : &s->ovl[i];
}

/* The stats of key, created when new; NULL when out of memory. */
static key_stats *stats_of(limiter_state *s, uint64_t key) {
    uint64_t i;
    if (sim_idmap_take(&s->index, key + 1, &i)) {
        if (sim_idmap_put(&s->index, key + 1, i)) /* cannot fail: the slot was just freed */
            return NULL;
        return &s->stats[i];
    }
    if (s->nstats == s->capstats) {
        size_t cap = s->capstats ? 2 * s->capstats : 16;
        key_stats *a = realloc(s->stats, cap * sizeof *a);
        if (!a)
            return NULL;
        s->stats = a;
        s->capstats = cap;
    }
    if (sim_idmap_put(&s->index, key + 1, s->nstats))
        return NULL;
    s->stats[s->nstats] = (key_stats){0};
    return &s->stats[s->nstats++];
}

/* The request leaves the limiter: to the backend, or answered OK. */
static void forward(sim_node *n, rr_req *r) {
    limiter_state *s = sim_state(n);
    const limiter_config *c = sim_config(n);
    sim_time now = sim_now(n);
    if (counts(n, r)) {
        key_stats *k = stats_of(s, key_of(c, r));
        if (!k || sim_hist_record(&s->added, now - r->arrived)) {
            sim_out_of_memory(n);
        } else {
            rl_log_expire(&k->seen, now - c->window);
            if (rl_log_push(&k->seen, now))
                sim_out_of_memory(n);
            if ((int64_t)k->seen.n > k->max_in_window)
                k->max_in_window = (int64_t)k->seen.n;
        }
    }
    if (c->backend.count) {
        rr_send(n, sim_pick(n, &c->backend), r);
    } else {
        r->status = RR_OK;
        rr_reply(n, r);
    }
}

/* Records the verdict on r (admitted or not) and acts on it. */
static void decide(sim_node *n, rr_req *r, bool admitted, sim_time release) {
    limiter_state *s = sim_state(n);
    const limiter_config *c = sim_config(n);
    sim_time now = sim_now(n);
    if (counts(n, r)) {
        key_stats *k = stats_of(s, key_of(c, r));
        if (!k || sim_hist_record(&s->check, now - r->arrived))
            sim_out_of_memory(n);
        else if (admitted)
            s->allowed++, k->allowed++;
        else
            s->denied++, k->denied++;
    }
    if (!admitted) {
        r->status = RR_REJECTED;
        rr_reply(n, r);
    } else if (release > now) {
        /* Held under a number of its own: two copies of one request (a duplicate on the
         * network, a loop through a relay) share an id. */
        uint64_t hold = sim_unique_id(n);
        if (sim_idmap_put(&s->delayed, hold, (uint64_t)(uintptr_t)r)) {
            sim_out_of_memory(n);
            rr_free(n, r);
            return;
        }
        sim_tavg_add(&s->held, now, 1);
        sim_set_timer(n, release - now, T_RELEASE, hold);
    } else {
        forward(n, r);
    }
}

/* splitmix64's finaliser: the shard of a limiter key (the same shard for the same key). */
static uint64_t shard_hash(uint64_t z) {
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void arrive(sim_node *n, rr_req *r) {
    limiter_state *s = sim_state(n);
    const limiter_config *c = sim_config(n);
    sim_time now = sim_now(n);
    uint64_t key = key_of(c, r);
    const rl_limit *l = limit_of(n, key);
    r->arrived = now;
    if (c->store.count == 0) {
        rl_counter *ctr = rl_table_get(&s->local, 0, key);
        sim_time release = now;
        int v = ctr ? rl_check(ctr, l, now, &release) : -1;
        if (v < 0) {
            sim_out_of_memory(n);
            rr_free(n, r);
            return;
        }
        decide(n, r, v == 1, release);
        return;
    }
    rr_req *chk = ctr_check_new(n, sim_node_group(n).first, key, l);
    chk->issued = r->issued; /* counted by the original request's issue time */
    if (sim_idmap_put(&s->at_store, chk->id, (uint64_t)(uintptr_t)r)) {
        sim_out_of_memory(n);
        rr_free(n, chk);
        rr_free(n, r);
        return;
    }
    sim_tavg_add(&s->held, now, 1);
    uint32_t dst = c->store.first + (uint32_t)(shard_hash(key) % c->store.count);
    if (c->store_timeout > 0)
        sim_set_timer(n, c->store_timeout, T_STORE_TIMEOUT, chk->id);
    rr_send(n, dst, chk);
}

/* The store could not answer for r: fail open or closed. */
static void store_failed(sim_node *n, rr_req *r) {
    limiter_state *s = sim_state(n);
    const limiter_config *c = sim_config(n);
    if (counts(n, r))
        s->store_errors++;
    decide(n, r, c->on_store_failure == ON_FAIL_ALLOW, sim_now(n));
}

static void store_answered(sim_node *n, rr_req *chk) {
    limiter_state *s = sim_state(n);
    uint64_t v;
    if (sim_idmap_take(&s->at_store, chk->id, &v)) {
        rr_req *r = (rr_req *)(uintptr_t)v;
        sim_tavg_add(&s->held, sim_now(n), -1);
        if (chk->status == RR_OK && ctr_of(chk))
            decide(n, r, true, ctr_of(chk)->release);
        else if (chk->status == RR_REJECTED)
            decide(n, r, false, 0);
        else
            store_failed(n, r);
    }
    rr_free(n, chk); /* late answers (after a timeout or a crash) end here too */
}

static void limiter_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg)
        arrive(n, rr_of(m));
    else if (m->type == &rr_reply_msg)
        store_answered(n, rr_of(m));
    else
        sim_msg_free(n, m);
}

static void limiter_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    limiter_state *s = sim_state(n);
    uint64_t v;
    if (tag == T_RELEASE && sim_idmap_take(&s->delayed, arg, &v)) {
        sim_tavg_add(&s->held, sim_now(n), -1);
        forward(n, (rr_req *)(uintptr_t)v);
    } else if (tag == T_STORE_TIMEOUT && sim_idmap_take(&s->at_store, arg, &v)) {
        sim_tavg_add(&s->held, sim_now(n), -1);
        store_failed(n, (rr_req *)(uintptr_t)v);
    }
}

static rl_limit make_limit(const limiter_config *c, int64_t per_window) {
    rl_limit l = {.algo = c->algorithm, .window = c->window, .burst = c->burst};
    if (!rl_is_bucket(c->algorithm))
        l.limit = per_window;
    else if (per_window >= 0)
        l.interval = per_window ? rl_interval_of((double)per_window * 1e9 / (double)c->window)
                                : 0;
    else
        l.interval = rl_interval_of(c->rate);
    return l;
}

static void limiter_create(sim_node *n) {
    limiter_state *s = sim_state(n);
    const limiter_config *c = sim_config(n);
    const rl_override *ov = c->overrides.items;
    rl_table_init(&s->local);
    sim_idmap_init(&s->index);
    sim_idmap_init(&s->at_store);
    sim_idmap_init(&s->delayed);
    sim_hist_init(&s->check);
    sim_hist_init(&s->added);
    sim_tavg_init(&s->held, sim_warmup_end(n));
    s->deflt = make_limit(c, rl_is_bucket(c->algorithm) ? -1 : c->limit);
    s->ovl = calloc(c->overrides.n ? c->overrides.n : 1, sizeof *s->ovl);
    if (!s->ovl) {
        sim_out_of_memory(n);
        return;
    }
    for (size_t i = 0; i < c->overrides.n; i++) {
        s->ovl[i] = make_limit(c, ov[i].limit);
        if (!stats_of(s, (uint64_t)ov[i].key)) /* overrides are stats[0..n-1], in order */
            sim_out_of_memory(n);
    }
}

/* Frees every request held in map m (ids to request pointers) and empties it. */
static void free_held(sim_node *n, sim_idmap *m) {
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i])
            rr_free(n, (rr_req *)(uintptr_t)m->vals[i]);
    sim_idmap_clear(m);
}

/* Crash: requests awaiting the store or their release are dropped (their clients time out),
 * and local counters are lost (a restarted limiter starts with full buckets). */
static void limiter_crash(sim_node *n) {
    limiter_state *s = sim_state(n);
    free_held(n, &s->at_store);
    free_held(n, &s->delayed);
    rl_table_clear(&s->local);
    sim_tavg_set(&s->held, sim_now(n), 0);
}

static void report_key(sim_report *w, const key_stats *k, const rl_limit *l, sim_time window) {
    sim_report_int(w, "allowed", (int64_t)k->allowed);
    sim_report_int(w, "denied", (int64_t)k->denied);
    sim_report_level(w, "max_in_window", k->max_in_window);
    sim_report_level(w, "ideal_in_window", rl_ideal(l, window));
}

static const char *algorithm_label(const void *state, const sim_node *n) {
    (void)state;
    return rl_algo_names[((const limiter_config *)sim_config(n))->algorithm];
}
static const char *per_label(const void *state, const sim_node *n) {
    (void)state;
    return per_names[((const limiter_config *)sim_config(n))->per];
}

static double allowed_per_window(const void *state, const sim_node *n, sim_time at) {
    const limiter_state *s = state;
    const limiter_config *c = sim_config(n);
    sim_time span = at - sim_warmup_end(n);
    return span > 0 ? (double)s->allowed * (double)c->window / (double)span : 0;
}

/* The most forwarded in one window by a key without an override. */
static double max_in_window(const void *state, const sim_node *n, sim_time at) {
    const limiter_state *s = state;
    const limiter_config *c = sim_config(n);
    (void)at;
    int64_t max = 0;
    for (size_t i = c->overrides.n; i < s->nstats; i++)
        if (s->stats[i].max_in_window > max)
            max = s->stats[i].max_in_window;
    return (double)max;
}

static double ideal_in_window(const void *state, const sim_node *n, sim_time at) {
    const limiter_state *s = state;
    (void)at;
    return (double)rl_ideal(&s->deflt, ((const limiter_config *)sim_config(n))->window);
}

static bool has_store(const void *config) {
    return ((const limiter_config *)config)->store.count;
}
static bool holds(const void *config) {
    const limiter_config *c = config;
    return c->store.count || c->algorithm == RL_LEAKY_BUCKET;
}

static const sim_metric limiter_metrics[] = {
    {"algorithm", SIM_METRIC_LABEL, .label = algorithm_label},
    {"per", SIM_METRIC_LABEL, .label = per_label},
    {"allowed", SIM_METRIC_COUNTER, SIM_FIELD(limiter_state, allowed)},
    {"denied", SIM_METRIC_COUNTER, SIM_FIELD(limiter_state, denied)},
    {"allowed_per_window", SIM_METRIC_NUMBER, .value = allowed_per_window},
    {"max_in_window", SIM_METRIC_GAUGE, .value = max_in_window},
    {"ideal_in_window", SIM_METRIC_GAUGE, .value = ideal_in_window},
    {"keys", SIM_METRIC_GAUGE, SIM_FIELD(limiter_state, nstats)},
    {"store_errors", SIM_METRIC_COUNTER, SIM_FIELD(limiter_state, store_errors),
     .shown = has_store},
    {"held_mean", SIM_METRIC_TAVG, SIM_FIELD(limiter_state, held), .shown = holds},
    {"check_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(limiter_state, check), .pct = SIM_PCT_SHORT},
    {"added_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(limiter_state, added), .pct = SIM_PCT_SHORT},
    SIM_METRICS_END,
};

/* Per override, keyed by its key (the overrides of the config, no fixed names). */
static void limiter_report(const sim_node *n, sim_report *w) {
    const limiter_state *s = sim_state_const(n);
    const limiter_config *c = sim_config(n);
    size_t nov = c->overrides.n;
    if (nov && s->nstats >= nov) {
        const rl_override *ov = c->overrides.items;
        sim_report_open(w, "overrides");
        for (size_t i = 0; i < nov; i++) {
            char name[32];
            snprintf(name, sizeof name, "%lld", (long long)ov[i].key);
            sim_report_open(w, name);
            report_key(w, &s->stats[i], &s->ovl[i], c->window);
            sim_report_close(w);
        }
        sim_report_close(w);
    }
}

/* Requests still held are freed by the engine with its pool. */
static void limiter_destroy(sim_node *n) {
    limiter_state *s = sim_state(n);
    for (size_t i = 0; i < s->nstats; i++)
        rl_log_free(&s->stats[i].seen);
    free(s->stats);
    free(s->ovl);
    rl_table_free(&s->local);
    sim_idmap_free(&s->index);
    sim_idmap_free(&s->at_store);
    sim_idmap_free(&s->delayed);
    sim_hist_free(&s->check);
    sim_hist_free(&s->added);
}

static sim_memory_need limiter_memory_need(const void *config, uint32_t group_count) {
    const limiter_config *c = config;
    (void)group_count;
    return (sim_memory_need){.bytes = (double)c->overrides.n * sizeof(rl_limit),
                             .report_bytes = 2400}; /* measured */
}

const sim_kind dsim_rate_limiter_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = limiter_memory_need,
    .name = "rate_limiter",
    .summary = "admits requests by a rate limit per key and forwards them; denies with 429",
    .config_size = sizeof(limiter_config),
    .state_size = sizeof(limiter_state),
    .params = limiter_params,
    .serves = DSIM_PROTO_REQUEST,
    .check = limiter_check,
    .create = limiter_create,
    .receive = limiter_receive,
    .timer = limiter_timer,
    .crash = limiter_crash,
    .metrics = limiter_metrics,
    .report = limiter_report,

    .destroy = limiter_destroy,
};
