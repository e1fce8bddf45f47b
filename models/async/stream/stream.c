/* stream: a Kafka-like log with consumer groups. A request that reaches it is a publish: after
 * `publish_time` (drawn, in parallel: no queueing) the message is appended to a partition
 * (by the hash of its key when the producer chose keys, else round robin), the checker is told
 * (delivery_accepted) and the producer gets its ack; the producer never waits for the
 * processing. Each consumer node that names the stream as its `source` is a consumer group
 * (group.c) that reads every message of the log from its committed offsets (deliver.c); the
 * log keeps messages, processed or not, until `retention` deletes them from the front
 * (log.c). Durable: a crash of the stream drops the publishes in progress and the groups'
 * membership (consumers are kicked when they heartbeat, and subscribe again), never the log
 * or the committed offsets. At the end every message still held and not yet processed by a
 * group is pending for it. The figures are in report.c. */
#include "stream_int.h"

#include "protocols.h"
#include "request.h"

#include <stdlib.h>

static const char *const placement_words[] = {"hash", "round_robin", NULL};

static const sim_param st_params[] = {
    {.name = "partitions",
     .type = SIM_P_INT,
     .offset = offsetof(st_config, partitions),
     .def = "1",
     .min = 1,
     .max = 4096,
     .help = "partitions of the log (at most 4096): the most consumers of one group that can "
             "work at once, each partition keeping its own order"},
    {.name = "placement",
     .type = SIM_P_ENUM,
     .offset = offsetof(st_config, placement),
     .def = "hash",
     .choices = placement_words,
     .help = "hash: a keyed message (its producer has `keys`) goes to partition hash(key) mod "
             "partitions, so one key keeps its order; round_robin: every message to the next "
             "partition (unkeyed messages always do)"},
    {.name = "retention",
     .type = SIM_P_DURATION,
     .offset = offsetof(st_config, retention),
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a message is deleted from the log this long after it was appended, processed or "
             "not: a group that had not processed it loses it, `expired` (default: kept "
             "forever)"},
    {.name = "session_timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(st_config, session_timeout),
     .def = "10s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a consumer silent this long (no heartbeat) leaves its group, which rebalances"},
    {.name = "rebalance_pause",
     .type = SIM_P_DURATION,
     .offset = offsetof(st_config, rebalance_pause),
     .def = "1s",
     .min = 0,
     .max = (double)SIM_TIME_MAX,
     .help = "after a consumer joins, rejoins or leaves, its group gets no deliveries for this "
             "long, then the partitions are assigned again (a change meanwhile restarts it)"},
    {.name = "publish_time",
     .type = SIM_P_DIST,
     .offset = offsetof(st_config, publish_time),
     .def = "0s",
     .help = "time to append a published message before the producer's ack (in parallel: "
             "publishes do not queue)"},
    {0},
};

static void publish_end(sim_node *n, rr_req *r);

/* A publish arrives: held for its publish_time (none by default: appended at once). */
static void publish_begin(sim_node *n, rr_req *r) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    double ns = sim_dist_sample(&c->publish_time, sim_rng(n));
    if (delay_line_hold(&s->publishing, n, r, sim_slowed(n, ns), T_PUBLISH))
        publish_end(n, r);
}

/* The publish is done: the message is appended, acknowledged, and delivered to every group
 * whose owner of its partition has credit. */
static void publish_end(sim_node *n, rr_req *r) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    uint32_t p = st_place(s, c, r->kv.key, r->kv.keyed);
    st_log *l = &s->logs[p];
    bool measured = sim_is_measured(n, r->issued);
    st_record rec = {.appended = sim_now(n), .key = r->kv.key};
    if (delivery_accepted(delivery_of(n), sim_node_id(n), p, st_log_end(l), sim_now(n), measured,
                          &rec.msg) ||
        st_log_append(l, &rec) || (c->retention >= 0 && st_order_push(s, p))) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    if (measured)
        s->published++;
    if (sim_is_measured(n, rec.appended))
        l->appended++;
    r->status = RR_OK;
    rr_reply(n, r);
    for (uint32_t g = 0; g < s->ngroups; g++)
        st_lag_add(n, &s->groups[g], 1);
    if (c->retention >= 0 && !sim_timer_pending(n, &s->retention))
        st_retention_arm(n);
    st_deliver_partition(n, p);
}

static void st_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg) {
        publish_begin(n, rr_of(m));
        return;
    }
    void *b = dl_body(m);
    if (m->type == &dl_subscribe_msg)
        st_subscribe(n, m->src, ((const dl_subscribe *)b)->credit);
    else if (m->type == &dl_heartbeat_msg)
        st_heartbeat(n, m->src);
    else if (m->type == &dl_ack_msg)
        st_ack(n, m->src, b);
    else if (m->type == &dl_commit_msg)
        st_commit(n, m->src, b);
    /* Anything else is freed: a stray reply, or a delivery bounced from a crashed consumer
     * (its partition waits: the consumer's rejoin or its session's end rebalances the group,
     * which delivers again from the committed offset). */
    sim_msg_free(n, m);
}

static void st_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    st_state *s = sim_state(n);
    switch (tag) {
    case T_PUBLISH:
        publish_end(n, delay_line_take(&s->publishing, arg));
        break;
    case T_RETENTION:
        st_retention_run(n);
        break;
    case T_SESSION:
        st_sessions_check(n);
        break;
    case T_PAUSE:
        st_pause_over(n, (uint32_t)arg);
        break;
    }
}

static void st_create(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    delay_line_init(&s->publishing);
    sim_tavg_init(&s->lag_avg, sim_warmup_end(n));
    if (!(s->logs = calloc((size_t)c->partitions, sizeof *s->logs)))
        sim_out_of_memory(n);
}

/* A crash drops the publishes in progress (their producers time out) and every group's
 * membership; the log and the committed offsets stay. Timers are gone with the crash. */
static void st_crash(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    delay_line_drop(&s->publishing, n);
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        st_group *g = &s->groups[gi];
        g->nmembers = 0;
        g->paused = false;
        for (uint32_t p = 0; p < c->partitions; p++)
            g->parts[p].owner = ST_NONE;
    }
}

/* Back: retention resumes (what expired meanwhile goes at once); consumers rejoin when their
 * heartbeats are answered with a kick. */
static void st_restart(sim_node *n) { st_retention_arm(n); }

/* Every message still in the log that a group has not processed is pending for it. */
static void st_finish(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    delivery_checker *dc = delivery_of(n);
    for (uint32_t gi = 0; gi < s->ngroups; gi++)
        for (uint32_t p = 0; p < c->partitions; p++) {
            const st_log *l = &s->logs[p];
            for (uint32_t i = l->head; i < l->n; i++) {
                uint64_t msg = l->records[i].msg;
                if (!delivery_processings(dc, s->groups[gi].id, msg) &&
                    delivery_decided(dc, s->groups[gi].id, msg, DELIVERY_PENDING)) {
                    sim_out_of_memory(n);
                    return;
                }
            }
        }
}

static void st_destroy(sim_node *n) {
    st_state *s = sim_state(n);
    st_logs_free(s, sim_config(n));
    st_groups_free(s);
    delay_line_free(&s->publishing);
}

static const sim_checker_kind *const feeds[] = {&dsim_delivery_checker, NULL};

static sim_memory_need st_memory_need(const void *config, uint32_t group_count) {
    const st_config *c = config;
    (void)group_count;
    /* Its logs grow with the run (24 bytes a message), which the estimate leaves out. */
    return (sim_memory_need){.bytes = (double)c->partitions * sizeof(st_log),
                             .report_bytes = 1500 + 120.0 * (double)c->partitions,
                             .key = "partitions",
                             .value = (double)c->partitions};
}

const sim_kind dsim_stream_kind = {
    .version = SIM_KIND_VERSION,
    .name = "stream",
    .summary = "a Kafka-like log: partitions, consumer groups with committed offsets, "
               "rebalances, retention",
    .config_size = sizeof(st_config),
    .state_size = sizeof(st_state),
    .params = st_params,
    .serves = DSIM_PROTO_REQUEST | DSIM_PROTO_DELIVERY,
    .create = st_create,
    .receive = st_receive,
    .timer = st_timer,
    .crash = st_crash,
    .restart = st_restart,
    .finish = st_finish,
    .destroy = st_destroy,
    .metrics = st_metrics,
    .checkers = feeds,
    .memory_need = st_memory_need,
};
