/* The figures of one pubsub instance, under its entry in "nodes": the messages published and
 * pushed, dropped (a full buffer) and missed (a subscriber not connected), the disconnections
 * of slow subscribers, the subscribers connected and the messages held now, the delay from
 * publish to ack; and each subscriber's own figures under `subscribers.NAME`. The delivery
 * checker judges the same messages from the consumers' side (the document's `delivery`). */
#include "pubsub_int.h"

#include <string.h>

/* Per subscriber, by instance name, in the order they first subscribed. */
static void report_subscribers(const sim_node *n, sim_report *w) {
    const ps_state *s = sim_state_const(n);
    if (s->nsubs == 0)
        return;
    sim_report_open(w, "subscribers");
    for (uint32_t i = 0; i < s->nsubs; i++) {
        const ps_sub *sub = &s->subs[i];
        sim_report_open(w, sim_node_name_of(n, sub->node));
        sim_report_int(w, "delivered", (int64_t)sub->delivered);
        sim_report_int(w, "dropped", (int64_t)sub->dropped);
        sim_report_int(w, "missed", (int64_t)sub->missed);
        sim_report_int(w, "disconnects", (int64_t)sub->disconnects);
        sim_report_level(w, "buffered", (int64_t)sub->queued.n + sub->nflight);
        sim_report_bool(w, "connected", sub->connected);
        sim_report_hist_ms(w, "delay_ms", &sub->delay, SIM_PCT_TAIL);
        sim_report_close(w);
    }
    sim_report_close(w);
}

/* Any consumer instance may subscribe, and which ones do follows from their `source`, not
 * from this node's config: every subscribers.NAME.FIGURE with a figure's name can be. */
static bool subscribers_can_have(const sim_node *n, const char *rel) {
    static const char *const leaves[] = {".delivered",    ".dropped",     ".missed",
                                         ".disconnects",  ".buffered",    ".delay_ms.mean",
                                         ".delay_ms.p99", ".delay_ms.max"};
    (void)n;
    if (strncmp(rel, "subscribers.", 12) != 0)
        return false;
    size_t len = strlen(rel + 12);
    for (size_t i = 0; i < sizeof leaves / sizeof *leaves; i++) {
        size_t leaf = strlen(leaves[i]);
        if (len > leaf && strcmp(rel + 12 + len - leaf, leaves[i]) == 0)
            return true; /* with a name of at least one character before it */
    }
    return false;
}

const sim_metric ps__metrics[] = {
    {"published", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, published)},
    {"fanout", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, fanout)},
    {"dropped", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, dropped)},
    {"missed", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, missed)},
    {"disconnects", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, disconnects)},
    {"timeouts", SIM_METRIC_COUNTER, SIM_FIELD(ps_state, timeouts)},
    {"connected", SIM_METRIC_GAUGE, SIM_FIELD(ps_state, connected)},
    {"buffered", SIM_METRIC_GAUGE, SIM_FIELD(ps_state, buffered)},
    {"delay_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(ps_state, delay), .pct = SIM_PCT_SHORT},
    {"subscribers", SIM_METRIC_WRITE, .write = report_subscribers,
     .can_have = subscribers_can_have},
    SIM_METRICS_END,
};
