/* counter_store: a Redis-like node holding rate-limit counters for `rate_limiter` nodes. It
 * serves checks (ratelimit_algo.h's wire format) one per worker (`workers: 1` is Redis's single
 * thread) for a time drawn from `service`, FIFO otherwise; when a check's service ends, the
 * algorithm runs atomically on the store's own counter (as a Lua script or INCR + EXPIRE
 * would) and the verdict goes back to the limiter. Counters are per (limiter group, limiter
 * key), so several limiters may share a store. A group of stores (`replicas: N`) is a sharded
 * store: limiters pick the shard by hash of the limiter key. Counters are volatile: a crash
 * loses them. Anything that is not a check is answered FAILED. */
#include "hist.h"
#include "metrics.h"
#include "request.h"
#include "protocols.h"
#include "counter.h"
#include "ratelimit_algo.h"
#include "tavg.h"

#include <stdlib.h>

enum { T_DONE };

typedef struct store_config {
    int64_t workers;
    sim_dist service;
} store_config;

typedef struct store_state {
    rr_req **busy; /* per worker slot: the check in service, NULL when idle */
    /* Vertical scaling (store_resize): slots 0..workers-1 serve; a busy slot at or above the
     * count (it was lowered) finishes its check and stops. */
    uint32_t workers, cap;
    bool resized;   /* the count changed once: utilization divides by avail's integral */
    sim_tavg avail; /* workers in existence: the count and the busy slots above it */
    rr_req *head, *tail; /* waiting checks, linked through req->next */
    rl_table counters;
    sim_tavg in_service;
    uint64_t checks, allowed, denied; /* measured */
    sim_hist sojourn;
} store_state;

static const sim_param store_params[] = {
    {.name = "workers", .type = SIM_P_INT, .offset = offsetof(store_config, workers),
     .def = "1", .min = 1, .max = 1e6, .help = "checks served at once (Redis: 1)"},
    {.name = "service", .type = SIM_P_DIST, .offset = offsetof(store_config, service),
     .def = "100us", .help = "time to run one check"},
    {0},
};

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

static void start(sim_node *n, uint32_t w, rr_req *r) {
    store_state *s = sim_state(n);
    const store_config *c = sim_config(n);
    s->busy[w] = r;
    sim_tavg_add(&s->in_service, sim_now(n), 1);
    sim_set_timer(n, sim_slowed(n, sim_dist_sample(&c->service, sim_rng(n))), T_DONE, w);
}

/* A limit a counter can count against: a known algorithm with a window or a bucket. */
static bool well_formed(const rl_limit *l) {
    if (l->algo < 0 || l->algo > RL_LEAKY_BUCKET)
        return false;
    return rl_is_bucket(l->algo) ? l->burst >= 1 : l->window > 0;
}

/* Runs the check in r on the store's counter and sends the verdict back. */
static void run_check(sim_node *n, rr_req *r) {
    store_state *s = sim_state(n);
    sim_time now = sim_now(n), release = now;
    ctr_check *chk = ctr_of(r);
    if (!chk || !well_formed(&chk->limit)) {
        r->status = RR_FAILED;
    } else {
        rl_counter *ctr = rl_table_get(&s->counters, chk->ns, chk->key);
        int v = ctr ? rl_check(ctr, &chk->limit, now, &release) : -1;
        if (v < 0) {
            sim_out_of_memory(n);
            r->status = RR_FAILED;
        } else {
            r->status = v ? RR_OK : RR_REJECTED;
            chk->release = release;
            if (counts(n, r)) {
                s->checks++;
                if (v)
                    s->allowed++;
                else
                    s->denied++;
            }
        }
    }
    if (counts(n, r) && sim_hist_record(&s->sojourn, now - r->arrived))
        sim_out_of_memory(n);
    rr_reply(n, r);
}

static void store_receive(sim_node *n, sim_msg *m) {
    store_state *s = sim_state(n);
    if (m->type != &rr_request_msg) {
        sim_msg_free(n, m);
        return;
    }
    rr_req *r = rr_of(m);
    r->arrived = sim_now(n);
    r->next = NULL;
    for (uint32_t w = 0; w < s->workers; w++)
        if (!s->busy[w]) {
            start(n, w, r);
            return;
        }
    if (s->tail)
        s->tail->next = r;
    else
        s->head = r;
    s->tail = r;
}

static void store_timer(sim_node *n, uint16_t tag, uint64_t w) {
    store_state *s = sim_state(n);
    rr_req *r = s->busy[w];
    (void)tag;
    if (!r)
        return;
    s->busy[w] = NULL;
    sim_tavg_add(&s->in_service, sim_now(n), -1);
    run_check(n, r);
    if (w >= s->workers) { /* over a lowered count: it goes */
        sim_tavg_add(&s->avail, sim_now(n), -1);
        return;
    }
    if (s->head) {
        rr_req *next = s->head;
        s->head = next->next;
        if (!s->head)
            s->tail = NULL;
        next->next = NULL;
        start(n, (uint32_t)w, next);
    }
}

static void store_create(sim_node *n) {
    store_state *s = sim_state(n);
    const store_config *c = sim_config(n);
    rl_table_init(&s->counters);
    sim_hist_init(&s->sojourn);
    sim_tavg_init(&s->in_service, sim_warmup_end(n));
    sim_tavg_init(&s->avail, sim_warmup_end(n));
    sim_tavg_set(&s->avail, 0, (double)c->workers);
    s->workers = s->cap = (uint32_t)c->workers;
    s->busy = calloc((size_t)c->workers, sizeof *s->busy);
    if (!s->busy)
        sim_out_of_memory(n);
}

/* Vertical scaling (kind.h): slots up to the new count serve, and take waiting checks at
 * once; a busy slot over it finishes its check first. */
static void store_resize(sim_node *n, uint32_t workers) {
    store_state *s = sim_state(n);
    const store_config *c = sim_config(n);
    if (!s->busy)
        return; /* create ran out of memory, and the run stopped */
    if (!workers)
        workers = (uint32_t)c->workers;
    if (workers > s->cap) {
        rr_req **busy = realloc(s->busy, workers * sizeof *busy);
        if (!busy) {
            sim_out_of_memory(n);
            return;
        }
        for (uint32_t w = s->cap; w < workers; w++)
            busy[w] = NULL;
        s->busy = busy;
        s->cap = workers;
    }
    s->workers = workers;
    s->resized = true;
    uint32_t over = 0;
    for (uint32_t w = workers; w < s->cap; w++)
        over += s->busy[w] != NULL;
    sim_tavg_set(&s->avail, sim_now(n), (double)(workers + over));
    for (uint32_t w = 0; w < workers && s->head; w++)
        if (!s->busy[w]) {
            rr_req *next = s->head;
            s->head = next->next;
            if (!s->head)
                s->tail = NULL;
            next->next = NULL;
            start(n, w, next);
        }
}

/* Crash: checks in service and waiting are dropped (the limiter times out, if it has a
 * store_timeout) and every counter is lost (no persistence). */
static void store_crash(sim_node *n) {
    store_state *s = sim_state(n);
    for (uint32_t w = 0; s->busy && w < s->cap; w++) {
        rr_free(n, s->busy[w]);
        s->busy[w] = NULL;
    }
    while (s->head) {
        rr_req *r = s->head;
        s->head = r->next;
        rr_free(n, r);
    }
    s->tail = NULL;
    rl_table_clear(&s->counters);
    sim_tavg_set(&s->in_service, sim_now(n), 0);
    sim_tavg_set(&s->avail, sim_now(n), s->workers);
}

/* For time series: busy workers and workers in existence integrated from time 0. */
static double busy_integral(const void *state, const sim_node *n, sim_time at) {
    (void)n;
    return sim_tavg_integral(&((const store_state *)state)->in_service, at);
}
static double avail_integral(const void *state, const sim_node *n, sim_time at) {
    (void)n;
    return sim_tavg_integral(&((const store_state *)state)->avail, at);
}

/* Busy worker-time over the worker-time available (docs/results.md): workers x time while
 * the count never changed (that product then, to the last bit as before), the integral of
 * the workers in existence once it did. */
static double utilization(const void *state, const sim_node *n, sim_time at) {
    const store_state *s = state;
    const store_config *c = sim_config(n);
    if (!s->resized)
        return sim_tavg_mean(&s->in_service, at) / (double)c->workers;
    double avail = sim_tavg_mean(&s->avail, at);
    return avail > 0 ? sim_tavg_mean(&s->in_service, at) / avail : 0;
}

static const sim_metric store_metrics[] = {
    {"checks", SIM_METRIC_COUNTER, SIM_FIELD(store_state, checks)},
    {"allowed", SIM_METRIC_COUNTER, SIM_FIELD(store_state, allowed)},
    {"denied", SIM_METRIC_COUNTER, SIM_FIELD(store_state, denied)},
    {"counters", SIM_METRIC_GAUGE, SIM_FIELD(store_state, counters.n)},
    {"utilization", SIM_METRIC_NUMBER, .value = utilization, .series = SIM_SERIES_RATIO,
     .num = busy_integral, .den = avail_integral},
    {"workers", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = avail_integral,
     .series_only = true},
    {"sojourn_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(store_state, sojourn), .pct = SIM_PCT_SHORT},
    SIM_METRICS_END,
};

static void store_destroy(sim_node *n) {
    store_state *s = sim_state(n);
    free(s->busy);
    rl_table_free(&s->counters);
    sim_hist_free(&s->sojourn);
}

static sim_memory_need store_memory_need(const void *config, uint32_t group_count) {
    const store_config *c = config;
    (void)group_count;
    return (sim_memory_need){.bytes = (double)c->workers * sizeof(rr_req *),
                             .report_bytes = 1500, /* measured */
                             .key = "workers",
                             .value = (double)c->workers};
}

const sim_kind dsim_counter_store_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = store_memory_need,
    .name = "counter_store",
    .summary = "a Redis-like store running rate-limit checks on its counters (shard by replicas)",
    .config_size = sizeof(store_config),
    .state_size = sizeof(store_state),
    .params = store_params,
    .serves = DSIM_PROTO_COUNTER,
    .create = store_create,
    .receive = store_receive,
    .timer = store_timer,
    .crash = store_crash,
    .resize = store_resize,
    .metrics = store_metrics,

    .destroy = store_destroy,
};
