/* queue: a message broker in the manner of SQS or a RabbitMQ queue. Producers publish with an
 * ordinary request (a `client` targeting it, a `service` calling or forwarding to it): the
 * request completes when the queue has accepted the message (or refused it, full), so the
 * producer never waits for the processing. Consumers (the `consumer` kind, protocols/
 * delivery.h) compete for the messages: each delivery goes to one of them under a lease of
 * visibility_timeout; processed and acknowledged, the message is deleted; a lease that ends
 * first makes it visible again for a redelivery, until max_deliveries sends it to the
 * dead-letter queue. Messages held longer than retention expire; a full queue rejects the
 * producer or drops its oldest message; a crash keeps the messages (durable) or loses them.
 * The queue is one group of the delivery checker (checkers/deliveries.h), named after the
 * node, which it tells of every message it accepts and of every fate it decides, so that the
 * checker can account for each one at the end. A node with replicas is that many independent
 * queues.
 *
 * The files of this folder are listed in queue_int.h; the user's reference is docs/async.md
 * (## queue). */
#include "metrics.h"
#include "protocols.h"
#include "queue_int.h"

static const char *const when_full_words[] = {"reject", "drop_oldest", NULL};

static const sim_param q_params[] = {
    {.name = "capacity",
     .type = SIM_P_LIMIT,
     .offset = offsetof(q_config, capacity),
     .def = "unbounded",
     .min = 1,
     .max = 1e12,
     .help = "messages held at most, visible and in flight together; `when_full` says what a "
             "publish to a full queue does"},
    {.name = "when_full",
     .type = SIM_P_ENUM,
     .offset = offsetof(q_config, when_full),
     .def = "reject",
     .choices = when_full_words,
     .help = "reject: the publish is refused (the producer's request is rejected); "
             "drop_oldest: the next message to be delivered is dropped to make room"},
    {.name = "visibility_timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(q_config, visibility_timeout),
     .def = "30s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "lease of a delivery: a message not acknowledged by then is visible again and "
             "redelivered (a consumer still processing it discards its work)"},
    {.name = "max_deliveries",
     .type = SIM_P_LIMIT,
     .offset = offsetof(q_config, max_deliveries),
     .def = "unbounded",
     .min = 1,
     .max = 1e9,
     .help = "deliveries of a message at most: when the lease of the last one ends, the "
             "message goes to the dead-letter queue"},
    {.name = "retention",
     .type = SIM_P_DURATION,
     .offset = offsetof(q_config, retention),
     .def = "96h",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a message still held this long after it was accepted expires, processed or not "
             "(SQS's default: 4 days)"},
    {.name = "durable",
     .type = SIM_P_BOOL,
     .offset = offsetof(q_config, durable),
     .def = "true",
     .help = "messages survive a crash (those in flight are visible again at the restart); "
             "false: a crash loses every message held"},
    {.name = "publish_time",
     .type = SIM_P_DIST,
     .offset = offsetof(q_config, publish_time),
     .def = "0s",
     .help = "time to take one publish before its ack (publishes are taken in parallel)"},
    {0},
};

static void q_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg) {
        q__publish(n, rr_of(m)); /* the request is now the publish path's */
        return;
    }
    if (m->type == &dl_subscribe_msg)
        q__subscribe(n, m);
    else if (m->type == &dl_ack_msg)
        q__ack(n, m);
    else if (m->type == &dl_heartbeat_msg)
        q__heartbeat(n, m);
    else if (m->type == &dl_deliver_msg && (m->flags & SIM_MSG_REFUSED))
        q__bounced(n, m);
    /* anything else (a commit: a queue has no offsets; a stray reply) is dropped */
    sim_msg_free(n, m);
}

static void q_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    switch (tag) {
    case T_PUBLISH:
        q__publish_done(n, arg);
        break;
    case T_LEASE:
        q__leases_end(n);
        break;
    case T_RETENTION:
        q__retention_end(n);
        break;
    }
}

/* The age of the oldest message held (the head of the held list), in ms; 0 when empty. */
static double oldest_age_ms(const void *state, const sim_node *n, sim_time at) {
    const q_state *s = state;
    (void)n;
    if (s->held.head == Q_NONE)
        return 0;
    const q_msg *m = slot_table_at(&s->msgs, s->held.head);
    return (double)(at - m->accepted) / 1e6;
}

static double settled_deliveries(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return (double)((const q_state *)state)->settled_deliveries;
}
static double settled(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return (double)((const q_state *)state)->settled;
}
static double deliveries_per_message(const void *state, const sim_node *n, sim_time at) {
    const q_state *s = state;
    (void)n, (void)at;
    return s->settled ? (double)s->settled_deliveries / (double)s->settled : 0;
}

static bool bounded(const void *config) { return ((const q_config *)config)->capacity >= 0; }
static bool rejecting(const void *config) {
    return bounded(config) && ((const q_config *)config)->when_full == FULL_REJECT;
}
static bool dropping(const void *config) {
    return bounded(config) && ((const q_config *)config)->when_full == FULL_DROP_OLDEST;
}
static bool dead_letters(const void *config) {
    return ((const q_config *)config)->max_deliveries >= 0;
}

static const sim_metric q_metrics[] = {
    {"published", SIM_METRIC_COUNTER, SIM_FIELD(q_state, published)},
    {"refused", SIM_METRIC_COUNTER, SIM_FIELD(q_state, refused), .shown = rejecting},
    {"delivered", SIM_METRIC_COUNTER, SIM_FIELD(q_state, delivered)},
    {"redeliveries", SIM_METRIC_COUNTER, SIM_FIELD(q_state, redeliveries)},
    {"bounced", SIM_METRIC_COUNTER, SIM_FIELD(q_state, bounced)},
    {"acked", SIM_METRIC_COUNTER, SIM_FIELD(q_state, acked)},
    {"late_acks", SIM_METRIC_COUNTER, SIM_FIELD(q_state, late_acks)},
    {"dead_lettered", SIM_METRIC_COUNTER, SIM_FIELD(q_state, dead_lettered), .shown = dead_letters},
    {"dropped", SIM_METRIC_COUNTER, SIM_FIELD(q_state, dropped), .shown = dropping},
    {"expired", SIM_METRIC_COUNTER, SIM_FIELD(q_state, expired)},
    {"crash_lost", SIM_METRIC_COUNTER, SIM_FIELD(q_state, crash_lost)},
    {"depth", SIM_METRIC_GAUGE, SIM_FIELD(q_state, visible.n)},
    {"in_flight", SIM_METRIC_GAUGE, SIM_FIELD(q_state, in_flight.n)},
    {"depth_mean", SIM_METRIC_TAVG, SIM_FIELD(q_state, depth_avg)},
    {"oldest_age_ms", SIM_METRIC_NUMBER, .value = oldest_age_ms, .series = SIM_SERIES_LEVEL},
    {"deliveries_per_message", SIM_METRIC_NUMBER, .value = deliveries_per_message,
     .series = SIM_SERIES_RATIO, .num = settled_deliveries, .den = settled},
    {"wait_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(q_state, wait), .pct = SIM_PCT_SHORT},
    {"delay_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(q_state, delay), .pct = SIM_PCT_FULL},
    SIM_METRICS_END,
};

static const sim_checker_kind *const feeds[] = {&dsim_delivery_checker, NULL};

static sim_memory_need q_memory_need(const void *config, uint32_t group_count) {
    (void)config, (void)group_count;
    /* Its entry: 29 values in the document, at about 110 bytes each as the service's 20 take
     * 2200 (an estimate, not measured). Held messages grow with the run: not counted. */
    return (sim_memory_need){.report_bytes = 3200};
}

const sim_kind dsim_queue_kind = {
    .version = SIM_KIND_VERSION,
    .name = "queue",
    .summary = "a message broker (SQS/RabbitMQ-like): competing consumers, leases and "
               "redelivery, dead letters, retention, capacity, durability",
    .config_size = sizeof(q_config),
    .state_size = sizeof(q_state),
    .params = q_params,
    .serves = DSIM_PROTO_REQUEST | DSIM_PROTO_DELIVERY,
    .create = q__create,
    .receive = q_receive,
    .timer = q_timer,
    .crash = q__crash,
    .restart = q__restart,
    .finish = q__finish,
    .destroy = q__destroy,
    .metrics = q_metrics,
    .checkers = feeds,
    .memory_need = q_memory_need,
};
