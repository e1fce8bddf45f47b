/* pubsub: realtime publish/subscribe, like Redis's PUBLISH/SUBSCRIBE. A request that reaches
 * it is a publish: after `publish_time` (drawn per publish, in parallel: no queueing) the
 * broker accepts the message, acknowledges the publish (RR_OK: the producer waits for nothing
 * more) and pushes it to every subscriber connected now. Nothing is kept for anyone else: a
 * subscriber that is down, partitioned away or kicked misses what is published meanwhile, and
 * a broker crash loses every buffer (no persistence).
 *
 * Subscribers are `consumer` instances (protocols/delivery.h); each is a group of its own at
 * the delivery checker. Each has a buffer of `buffer` messages at the broker, counting those
 * delivered and not yet acked (the one being processed included); its prefetch is its credit.
 * A message that finds the buffer full is dropped, and with `on_full: disconnect` the
 * subscriber is kicked too (Redis's client-output-buffer-limit): what was held for it is
 * lost and it misses everything until it subscribes again, after its `retry`.
 *
 * A subscriber's end is found when a delivery to it comes back refused (it crashed), when it
 * subscribes again while connected (it restarted unnoticed), when it stays silent for
 * `session_timeout` (its heartbeats stopped: crashed with no delivery to tell it, or cut off by
 * a partition), or at an overflow kick. A heartbeat from a subscriber the broker does not count
 * as connected (after a kick, a time-out, or the broker's own restart) is answered with a kick,
 * so that it subscribes again. Docs: docs/async.md#pubsub. */
#include "protocols.h"
#include "pubsub_int.h"
#include "request.h"

static const char *const on_full_words[] = {"drop", "disconnect", NULL};

static const sim_param ps_params[] = {
    {.name = "buffer",
     .type = SIM_P_LIMIT,
     .offset = offsetof(ps_config, buffer),
     .def = "1000",
     .min = 1,
     .max = 1e9,
     .help = "messages held per subscriber, counting those delivered and not yet acked (the one "
             "being processed included: with prefetch 1 it is M/M/1/K's K); a message that "
             "finds it full is dropped"},
    {.name = "on_full",
     .type = SIM_P_ENUM,
     .offset = offsetof(ps_config, on_full),
     .def = "drop",
     .choices = on_full_words,
     .help = "when a subscriber's buffer is full: drop the new message, or disconnect the "
             "subscriber as well (Redis's output-buffer limit: its buffer is lost and it misses "
             "everything until it subscribes again)"},
    {.name = "publish_time",
     .type = SIM_P_DIST,
     .offset = offsetof(ps_config, publish_time),
     .def = "0s",
     .help = "time to accept one publish before it is acknowledged and pushed (publishes do not "
             "queue)"},
    {.name = "session_timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(ps_config, session_timeout),
     .def = "3s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a subscriber not heard from (subscribe, heartbeat, ack) for this long is taken "
             "for gone: disconnected, what was held for it missed (keep it above the "
             "consumers' heartbeat)"},
    {0},
};

/* The publish is accepted: acknowledged to its producer and pushed to the subscribers. */
static void accept(sim_node *n, rr_req *r) {
    ps_state *s = sim_state(n);
    bool measured = sim_is_measured(n, r->issued);
    ps_item it = {.seq = ++s->seq, .key = r->kv.key, .published = sim_now(n), .measured = measured};
    if (delivery_accepted(delivery_of(n), sim_node_id(n), 0, it.seq, it.published, measured,
                          &it.msg)) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    if (measured)
        s->published++;
    r->status = RR_OK;
    rr_reply(n, r);
    ps__fan_out(n, &it);
}

static void publish(sim_node *n, rr_req *r) {
    ps_state *s = sim_state(n);
    const ps_config *c = sim_config(n);
    r->arrived = sim_now(n);
    sim_time t = sim_slowed(n, sim_dist_sample(&c->publish_time, sim_rng(n)));
    if (delay_line_hold(&s->publishing, n, r, t, T_PUBLISHED))
        accept(n, r);
}

static void ps_timer(sim_node *n, uint16_t tag, uint64_t slot) {
    ps_state *s = sim_state(n);
    if (tag == T_SESSION) {
        ps__session_check(n, (uint32_t)slot);
        return;
    }
    accept(n, delay_line_take(&s->publishing, slot));
}

static void ps_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg) {
        publish(n, rr_of(m));
        return;
    }
    const void *b = dl_body(m);
    if (m->type == &dl_subscribe_msg)
        ps__subscribe(n, m->src, ((const dl_subscribe *)b)->credit);
    else if (m->type == &dl_ack_msg)
        ps__ack(n, m->src, ((const dl_ack *)b)->msg);
    else if (m->type == &dl_heartbeat_msg)
        ps__heartbeat(n, m->src);
    else if (m->type == &dl_deliver_msg && (m->flags & SIM_MSG_REFUSED))
        ps__bounced(n, m->src, ((const dl_deliver *)b)->msg);
    /* Commits (a pubsub keeps no offsets), stray replies and anything else: nothing to do. */
    sim_msg_free(n, m);
}

static void ps_create(sim_node *n) {
    ps_state *s = sim_state(n);
    sim_idmap_init(&s->by_node);
    delay_line_init(&s->publishing);
    sim_hist_init(&s->delay);
}

/* Crash: nothing persists. The publishes not yet accepted are dropped (their producers see a
 * time-out), every subscriber is disconnected and what was held for it is missed. The
 * subscriber records stay: they are the checker's groups, and a subscriber that has not
 * subscribed again misses what is published after the restart. */
static void ps_crash(sim_node *n) {
    ps_state *s = sim_state(n);
    delay_line_drop(&s->publishing, n);
    ps__crash_subs(n);
}

static void ps_finish(sim_node *n) { ps__pending_all(n); }

static void ps_destroy(sim_node *n) {
    ps_state *s = sim_state(n);
    ps__subs_free(s);
    delay_line_free(&s->publishing);
    sim_hist_free(&s->delay);
}

static const sim_checker_kind *const feeds[] = {&dsim_delivery_checker, NULL};

static sim_memory_need ps_memory_need(const void *config, uint32_t group_count) {
    (void)config, (void)group_count;
    /* An estimate: the entry of pubsub_fanout.yaml's broker, three subscribers, is 815 bytes
     * of compact JSON; each subscriber adds ~180. */
    return (sim_memory_need){.report_bytes = 1500};
}

const sim_kind dsim_pubsub_kind = {
    .version = SIM_KIND_VERSION,
    .name = "pubsub",
    .summary = "realtime publish/subscribe (Redis-like): pushes to the subscribers connected "
               "now, bounded buffers that drop or disconnect, no persistence",
    .config_size = sizeof(ps_config),
    .state_size = sizeof(ps_state),
    .params = ps_params,
    .serves = DSIM_PROTO_REQUEST | DSIM_PROTO_DELIVERY,
    .create = ps_create,
    .receive = ps_receive,
    .timer = ps_timer,
    .crash = ps_crash,
    .finish = ps_finish,
    .destroy = ps_destroy,
    .metrics = ps__metrics,
    .checkers = feeds,
    .memory_need = ps_memory_need,
};
