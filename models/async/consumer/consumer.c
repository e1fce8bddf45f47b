/* consumer: the workers that take a broker's messages (a `queue`, a `stream`, a `pubsub`:
 * `source`) and process them, speaking the delivery protocol (protocols/delivery.h). An
 * instance subscribes with `prefetch` credits, keeps what it is delivered in a FIFO buffer,
 * processes up to `workers` messages at once for a time drawn from `service`, and acks each
 * one, which returns its credit. An attempt that ends after its visibility lease (a queue's)
 * is discarded, not processed: the queue has delivered the message again meanwhile. For a
 * stream it commits offsets: after each message (`commit: processed`) or every
 * `commit_interval` (`auto`), each partition up to its frontier (frontier.h), and at once when
 * a rebalance revokes its partitions. It heartbeats every `heartbeat`; when its broker kicks
 * it, or its messages come back refused (the broker is down), it subscribes again after
 * `retry`. A crash loses everything it holds; the restart subscribes afresh. Every processing
 * is told to the delivery checker (checkers/deliveries.h): what it judges is what consumers
 * really did, not what brokers believe.
 *
 * Instance i of a consumer group attaches to instance i mod count of its source (a
 * replicated broker is that many independent brokers). */
#include "frontier.h"

#include "deliveries.h" /* checkers/: the delivery checker */
#include "delivery.h"   /* protocols/: what it speaks with its broker */
#include "metrics.h"
#include "protocols.h"
#include "tavg.h"

#include <stdlib.h>

enum { T_DONE, T_HEARTBEAT, T_COMMIT, T_RETRY };

typedef enum { COMMIT_AUTO, COMMIT_PROCESSED } commit_policy;
static const char *const commit_names[] = {"auto", "processed", NULL};

typedef struct consumer_config {
    sim_ref source;
    sim_dist service;
    int64_t workers;
    int64_t prefetch; /* -1: as many as workers */
    int commit;       /* commit_policy */
    sim_time commit_interval, heartbeat, retry;
} consumer_config;

/* The buffered deliveries: a ring, grown when a broker delivers beyond the credit. */
typedef struct ring {
    dl_deliver *v;
    size_t head, n, cap;
} ring;

typedef struct consumer_state {
    uint32_t broker;
    uint32_t prefetch;
    uint32_t flags, generation; /* from the welcome (the generation also from a revoke) */
    ring buffer;
    dl_deliver *serving; /* per worker slot: what it processes */
    uint32_t *idle;      /* a stack of the idle workers: a worker is found in O(1) */
    uint32_t nidle, nbusy;
    /* Vertical scaling (consumer_resize): the count asked for now, the slots allocated, the
     * busy workers over the count (they retire when done), the slots without a worker. */
    uint32_t workers, cap, retiring;
    uint32_t *spare;
    uint32_t nspare;
    bool resized;   /* the count changed once: utilization divides by avail's integral */
    sim_tavg avail; /* workers in existence */
    consumer_frontier frontier; /* streams: what may be committed */
    sim_timer commit_timer, retry_timer;
    bool subscribed_once;
    sim_tavg busy_workers;
    /* measured: messages published in the measured window; commits and resubscribes made
     * in it */
    uint64_t received, processed, late, commits, resubscribes;
} consumer_state;

static const sim_param consumer_params[] = {
    {.name = "source",
     .type = SIM_P_REF,
     .offset = offsetof(consumer_config, source),
     .needs = DSIM_PROTO_DELIVERY,
     .flow = SIM_FLOW_NONE,
     .edge = "consumes",
     .flags = SIM_PARAM_REQUIRED,
     .help = "the broker it takes messages from (a queue, stream or pubsub; instance i of a "
             "group attaches to instance i mod count of a replicated one)"},
    {.name = "service",
     .type = SIM_P_DIST,
     .offset = offsetof(consumer_config, service),
     .flags = SIM_PARAM_REQUIRED,
     .help = "time to process one message"},
    {.name = "workers",
     .type = SIM_P_INT,
     .offset = offsetof(consumer_config, workers),
     .def = "1",
     .min = 1,
     .max = 1e6,
     .help = "messages processed at once"},
    {.name = "prefetch",
     .type = SIM_P_INT,
     .offset = offsetof(consumer_config, prefetch),
     .min = 1,
     .max = 1e6,
     .help = "messages it may hold at once, processing or buffered: the credits it subscribes "
             "with (at least workers; default: workers)"},
    {.name = "commit",
     .type = SIM_P_ENUM,
     .offset = offsetof(consumer_config, commit),
     .def = "auto",
     .choices = commit_names,
     .help = "streams: commit offsets every commit_interval (auto) or after each message "
             "(processed)"},
    {.name = "commit_interval",
     .type = SIM_P_DURATION,
     .offset = offsetof(consumer_config, commit_interval),
     .def = "5s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "streams, commit auto: the period of the commits (Kafka's auto.commit.interval.ms)"},
    {.name = "heartbeat",
     .type = SIM_P_DURATION,
     .offset = offsetof(consumer_config, heartbeat),
     .def = "1s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "period of its heartbeats to the broker"},
    {.name = "retry",
     .type = SIM_P_DURATION,
     .offset = offsetof(consumer_config, retry),
     .def = "1s",
     .min = 0,
     .max = (double)SIM_TIME_MAX,
     .help = "wait before subscribing again after a kick or a refusal (the broker was down)"},
    {0},
};

static void consumer_check(const void *config, sim_check *ck) {
    const consumer_config *c = config;
    if (c->prefetch >= 0 && c->prefetch < c->workers)
        sim_check_error(ck, "prefetch",
                        "'prefetch' (%lld) must be at least 'workers' (%lld): a worker without a "
                        "message to hold would stay idle",
                        (long long)c->prefetch, (long long)c->workers);
}

/* ---- the buffer ---- */

static int ring_push(ring *r, const dl_deliver *d) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        dl_deliver *v = malloc(cap * sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < r->n; i++)
            v[i] = r->v[(r->head + i) % r->cap];
        free(r->v);
        *r = (ring){.v = v, .head = 0, .n = r->n, .cap = cap};
    }
    r->v[(r->head + r->n++) % r->cap] = *d;
    return 0;
}

static dl_deliver ring_pop(ring *r) {
    dl_deliver d = r->v[r->head];
    r->head = (r->head + 1) % r->cap;
    r->n--;
    return d;
}

/* ---- sending ---- */

static bool wants_commits(const consumer_state *s) { return s->flags & DL_WANTS_COMMITS; }

static uint32_t held(const consumer_state *s) { return s->nbusy + (uint32_t)s->buffer.n; }

/* Subscribes with the credits it has room for. The broker's credit for it is then that: the
 * messages it still holds each return one with their ack. */
static void subscribe(sim_node *n) {
    consumer_state *s = sim_state(n);
    uint32_t h = held(s);
    dl_subscribe sub = {.credit = h < s->prefetch ? s->prefetch - h : 0};
    if (s->subscribed_once && sim_is_measured(n, sim_now(n)))
        s->resubscribes++;
    s->subscribed_once = true;
    dl_send(n, s->broker, &dl_subscribe_msg, &sub);
}

static void ack(sim_node *n, const dl_deliver *d, dl_outcome outcome) {
    consumer_state *s = sim_state(n);
    dl_ack a = {.msg = d->msg,
                .partition = d->partition,
                .offset = d->offset,
                .tag = d->tag,
                .generation = d->generation,
                .outcome = (uint8_t)outcome};
    dl_send(n, s->broker, &dl_ack_msg, &a);
}

/* Commits partition p if its frontier moved since its last commit. */
static void commit_one(sim_node *n, uint32_t p) {
    consumer_state *s = sim_state(n);
    dl_commit cm = {.partition = p};
    if (!cf_due(&s->frontier, p, &cm.offset, &cm.generation))
        return;
    cf_committed(&s->frontier, p);
    if (sim_is_measured(n, sim_now(n)))
        s->commits++;
    dl_send(n, s->broker, &dl_commit_msg, &cm);
}

static void commit_all(sim_node *n) {
    consumer_state *s = sim_state(n);
    for (size_t p = 0; p < cf_partitions(&s->frontier); p++)
        commit_one(n, (uint32_t)p);
}

/* Subscribes again after `retry`, once however many messages came back refused meanwhile. */
static void resubscribe_later(sim_node *n) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    if (!sim_timer_pending(n, &s->retry_timer))
        s->retry_timer = sim_set_timer(n, c->retry, T_RETRY, 0);
}

/* ---- processing ---- */

/* Every worker idle in slots 0..workers-1, worker 0 on top of the stack (taken first); the
 * other slots spare. */
static void all_idle(consumer_state *s) {
    for (uint32_t i = 0; i < s->workers; i++)
        s->idle[i] = s->workers - 1 - i;
    s->nidle = s->workers;
    s->nbusy = 0;
    s->retiring = s->nspare = 0;
    for (uint32_t i = s->cap; i-- > s->workers;)
        s->spare[s->nspare++] = i;
}

/* Starts buffered messages while a worker is idle. */
static void start_work(sim_node *n) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    while (s->nidle && s->buffer.n) {
        uint32_t w = s->idle[--s->nidle];
        s->serving[w] = ring_pop(&s->buffer);
        s->nbusy++;
        sim_tavg_add(&s->busy_workers, sim_now(n), 1);
        double ns = sim_dist_sample(&c->service, sim_rng(n));
        sim_set_timer(n, sim_slowed(n, ns), T_DONE, w);
    }
}

/* Worker w is done: its work counts unless the lease ran out first (the queue has made the
 * message visible again, and another attempt owns it now). */
static void work_done(sim_node *n, uint32_t w) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    dl_deliver d = s->serving[w];
    if (s->retiring) { /* the count was lowered while it worked: it goes */
        s->retiring--;
        s->spare[s->nspare++] = w;
        sim_tavg_add(&s->avail, sim_now(n), -1);
    } else {
        s->idle[s->nidle++] = w;
    }
    s->nbusy--;
    sim_tavg_add(&s->busy_workers, sim_now(n), -1);
    bool measured = sim_is_measured(n, d.published);
    if (d.lease_until != 0 && sim_now(n) > d.lease_until) {
        s->late += measured;
        /* Only a queue leases, and a queue takes no commits: nothing to keep for them. */
        cf_forget(&s->frontier, d.partition, d.offset);
        ack(n, &d, DL_LATE);
    } else {
        if (delivery_processed(delivery_of(n), d.group, d.msg, sim_now(n)) ||
            (wants_commits(s) && cf_done(&s->frontier, d.partition, d.offset, d.generation))) {
            sim_out_of_memory(n);
            return;
        }
        s->processed += measured;
        ack(n, &d, DL_DONE);
        if (wants_commits(s) && c->commit == COMMIT_PROCESSED)
            commit_one(n, d.partition);
    }
    start_work(n);
}

/* Drops the buffered messages not begun (a revoke, a kick): their broker delivers them again,
 * or (pub/sub) they are missed. */
static void drop_buffer(consumer_state *s) {
    while (s->buffer.n) {
        dl_deliver d = ring_pop(&s->buffer);
        cf_forget(&s->frontier, d.partition, d.offset);
    }
}

/* ---- the protocol ---- */

static void on_deliver(sim_node *n, const dl_deliver *d) {
    consumer_state *s = sim_state(n);
    if (ring_push(&s->buffer, d) ||
        (wants_commits(s) && cf_delivered(&s->frontier, d->partition, d->offset))) {
        sim_out_of_memory(n);
        return;
    }
    s->received += sim_is_measured(n, d->published);
    start_work(n);
}

static void on_welcome(sim_node *n, const dl_welcome *wl) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    s->flags = wl->flags;
    s->generation = wl->generation;
    if (wants_commits(s) && c->commit == COMMIT_AUTO && !sim_timer_pending(n, &s->commit_timer))
        s->commit_timer = sim_set_timer(n, c->commit_interval, T_COMMIT, 0);
}

/* A rebalance: what is processed is committed now (whatever the policy: the next owner
 * starts from there), what is buffered goes, and the next deliveries are of the new
 * generation. */
static void on_revoke(sim_node *n, const dl_revoke *rv) {
    consumer_state *s = sim_state(n);
    commit_all(n);
    drop_buffer(s);
    s->generation = rv->generation;
}

static void consumer_receive(sim_node *n, sim_msg *m) {
    consumer_state *s = sim_state(n);
    if (m->flags & SIM_MSG_REFUSED) /* one of ours came back: the broker is down */
        resubscribe_later(n);
    else if (m->type == &dl_deliver_msg)
        on_deliver(n, dl_body(m));
    else if (m->type == &dl_welcome_msg)
        on_welcome(n, dl_body(m));
    else if (m->type == &dl_revoke_msg)
        on_revoke(n, dl_body(m));
    else if (m->type == &dl_kick_msg) {
        drop_buffer(s);
        resubscribe_later(n);
    }
    sim_msg_free(n, m);
}

static void consumer_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    switch (tag) {
    case T_DONE:
        work_done(n, (uint32_t)arg);
        break;
    case T_HEARTBEAT: {
        dl_heartbeat hb = {.held = held(s), .generation = s->generation};
        dl_send(n, s->broker, &dl_heartbeat_msg, &hb);
        sim_set_timer(n, c->heartbeat, T_HEARTBEAT, 0);
        break;
    }
    case T_COMMIT:
        commit_all(n);
        s->commit_timer = sim_set_timer(n, c->commit_interval, T_COMMIT, 0);
        break;
    case T_RETRY:
        subscribe(n);
        break;
    }
}

/* ---- life cycle ---- */

static void start(sim_node *n) {
    const consumer_config *c = sim_config(n);
    subscribe(n);
    sim_set_timer(n, c->heartbeat, T_HEARTBEAT, 0);
}

static void consumer_create(sim_node *n) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    s->broker = c->source.first + sim_node_replica(n) % c->source.count;
    s->prefetch = (uint32_t)(c->prefetch >= 0 ? c->prefetch : c->workers);
    cf_init(&s->frontier);
    sim_tavg_init(&s->busy_workers, sim_warmup_end(n));
    sim_tavg_init(&s->avail, sim_warmup_end(n));
    sim_tavg_set(&s->avail, 0, (double)c->workers);
    s->serving = calloc((size_t)c->workers, sizeof *s->serving);
    s->idle = calloc((size_t)c->workers, sizeof *s->idle);
    s->spare = calloc((size_t)c->workers, sizeof *s->spare);
    if (!s->serving || !s->idle || !s->spare) {
        sim_out_of_memory(n);
        return;
    }
    s->workers = s->cap = (uint32_t)c->workers;
    all_idle(s);
    /* The first subscribe leaves from a timer, not from here: a declared spare is crashed
     * right after its create, which drops the timer, so a spare does not join its group
     * (and hold partitions it never takes) until an `add` starts it. */
    s->retry_timer = sim_set_timer(n, 0, T_RETRY, 0);
    sim_set_timer(n, c->heartbeat, T_HEARTBEAT, 0);
}

/* Everything held is lost: the buffer, the work in progress (its timers are dropped), the
 * frontier (offsets not committed are processed again by whoever gets the partition). */
static void consumer_crash(sim_node *n) {
    consumer_state *s = sim_state(n);
    s->buffer.n = 0;
    if (s->spare) /* NULL only when create ran out of memory, and the run stopped */
        all_idle(s);
    sim_tavg_set(&s->busy_workers, sim_now(n), 0);
    sim_tavg_set(&s->avail, sim_now(n), s->workers);
    cf_free(&s->frontier);
    s->flags = s->generation = 0;
}

/* Grows the worker slots to cap, the new ones spare. */
static int grow(consumer_state *s, uint32_t cap) {
    dl_deliver *serving = realloc(s->serving, cap * sizeof *serving);
    if (serving)
        s->serving = serving;
    uint32_t *idle = realloc(s->idle, cap * sizeof *idle);
    if (idle)
        s->idle = idle;
    uint32_t *spare = realloc(s->spare, cap * sizeof *spare);
    if (spare)
        s->spare = spare;
    if (!serving || !idle || !spare)
        return -1;
    for (uint32_t w = cap; w-- > s->cap;)
        s->spare[s->nspare++] = w;
    s->cap = cap;
    return 0;
}

/* Vertical scaling (kind.h), as a station does it (blocks/station.h): more workers start on
 * buffered messages at once; fewer retire idle ones first and busy ones as they finish. A
 * prefetch that defaults to the workers follows the count, but the broker holds the credit
 * the consumer subscribed with until it subscribes again (its restart after a downtime, a
 * kick): a live change of the count changes how many it processes at once, not how many it
 * is sent (docs/faults.md). */
static void consumer_resize(sim_node *n, uint32_t workers) {
    consumer_state *s = sim_state(n);
    const consumer_config *c = sim_config(n);
    if (!s->spare)
        return; /* create ran out of memory, and the run stopped */
    if (!workers)
        workers = (uint32_t)c->workers;
    if (c->prefetch < 0)
        s->prefetch = workers;
    if (workers == s->workers)
        return;
    if (workers < s->workers) {
        uint32_t drop = s->workers - workers;
        for (; drop && s->nidle; drop--)
            s->spare[s->nspare++] = s->idle[--s->nidle];
        s->retiring += drop;
    } else {
        uint32_t add = workers - s->workers;
        uint32_t kept = add < s->retiring ? add : s->retiring;
        s->retiring -= kept;
        add -= kept;
        if (add > s->nspare && grow(s, s->cap + (add - s->nspare))) {
            sim_out_of_memory(n);
            return;
        }
        for (; add; add--)
            s->idle[s->nidle++] = s->spare[--s->nspare];
    }
    s->workers = workers;
    s->resized = true;
    sim_tavg_set(&s->avail, sim_now(n), (double)(s->workers + s->retiring));
    start_work(n);
}

static void consumer_destroy(sim_node *n) {
    consumer_state *s = sim_state(n);
    free(s->buffer.v);
    free(s->serving);
    free(s->idle);
    free(s->spare);
    cf_free(&s->frontier);
}

/* ---- figures ---- */

/* Busy worker-time over the worker-time available (docs/results.md): workers x time while
 * the count never changed (that product then, so that such figures stay as they were to the
 * last bit), the integral of the workers in existence once it did. */
static double utilization(const void *base, const sim_node *n, sim_time at) {
    const consumer_state *s = base;
    const consumer_config *c = sim_config(n);
    if (!s->resized)
        return sim_tavg_mean(&s->busy_workers, at) / (double)c->workers;
    double avail = sim_tavg_mean(&s->avail, at);
    return avail > 0 ? sim_tavg_mean(&s->busy_workers, at) / avail : 0;
}

/* Busy workers and workers in existence integrated from time 0: the increase of the first
 * over an interval divided by the second's is the utilization within it. */
static double busy_integral(const void *base, const sim_node *n, sim_time at) {
    (void)n;
    return sim_tavg_integral(&((const consumer_state *)base)->busy_workers, at);
}
static double avail_integral(const void *base, const sim_node *n, sim_time at) {
    (void)n;
    return sim_tavg_integral(&((const consumer_state *)base)->avail, at);
}

static const sim_metric consumer_metrics[] = {
    {"received", SIM_METRIC_COUNTER, SIM_FIELD(consumer_state, received)},
    {"processed", SIM_METRIC_COUNTER, SIM_FIELD(consumer_state, processed)},
    {"late", SIM_METRIC_COUNTER, SIM_FIELD(consumer_state, late)},
    {"in_service", SIM_METRIC_GAUGE, SIM_FIELD(consumer_state, nbusy)},
    {"buffered", SIM_METRIC_GAUGE, SIM_FIELD(consumer_state, buffer.n)},
    {"utilization", SIM_METRIC_NUMBER, .value = utilization, .series = SIM_SERIES_RATIO,
     .num = busy_integral, .den = avail_integral},
    {"workers", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = avail_integral,
     .series_only = true},
    {"commits", SIM_METRIC_COUNTER, SIM_FIELD(consumer_state, commits)},
    {"resubscribes", SIM_METRIC_COUNTER, SIM_FIELD(consumer_state, resubscribes)},
    SIM_METRICS_END,
};

static sim_memory_need consumer_memory_need(const void *config, uint32_t group_count) {
    const consumer_config *c = config;
    (void)group_count;
    double w = (double)c->workers;
    double prefetch = c->prefetch >= 0 ? (double)c->prefetch : w;
    return (sim_memory_need){.bytes = w * (sizeof(dl_deliver) + sizeof(uint32_t)) +
                                      prefetch * sizeof(dl_deliver),
                             .key = "prefetch",
                             .value = prefetch};
}

static const sim_checker_kind *const feeds[] = {&dsim_delivery_checker, NULL};

const sim_kind dsim_consumer_kind = {
    .version = SIM_KIND_VERSION,
    .name = "consumer",
    .summary = "workers that take a broker's messages, process them, ack and commit",
    .config_size = sizeof(consumer_config),
    .state_size = sizeof(consumer_state),
    .params = consumer_params,
    .serves = 0, /* nothing names it: its broker learns of it by its subscribe */
    .check = consumer_check,
    .create = consumer_create,
    .receive = consumer_receive,
    .timer = consumer_timer,
    .crash = consumer_crash,
    .resize = consumer_resize,
    .restart = start,
    .destroy = consumer_destroy,
    .metrics = consumer_metrics,
    .checkers = feeds,
    .memory_need = consumer_memory_need,
};
