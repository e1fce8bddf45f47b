/* The orchestrator's figures (nodes.NAME in the document, and time series): its role and
 * term, what it did as candidate and leader, and the watched group's members that are up
 * now, which a report plots beside the leadership checker's "leaders"; with an autoscaler,
 * the count it keeps, its actions and its time at max_servers. The run's judgement
 * (split votes, dual leaders, stale actions, incidents) is the checker's. */
#include "membership.h"
#include "metrics.h"
#include "orchestrator_int.h"

static double members_up(const void *base, const sim_node *n, sim_time at) {
    const orch_state *s = base;
    (void)at;
    uint32_t up = 0;
    for (uint32_t i = 0; i < s->servers.count; i++)
        up += sim_is_member(n, s->servers.first + i) && sim_node_up(n, s->servers.first + i);
    return up;
}

static bool autoscaling(const void *config) {
    return ((const orch_config *)config)->autoscale != AUTOSCALE_NONE;
}

/* Time this instance led with the target at max_servers, in ms. */
static double at_max_ms(const void *base, const sim_node *n, sim_time at) {
    const orch_scaler *sc = &((const orch_state *)base)->sc;
    (void)n;
    sim_time ns = sc->at_max_ns;
    if (sc->at_max_since != SIM_TIME_NONE && at > sc->at_max_since)
        ns += at - sc->at_max_since;
    return (double)ns / 1e6;
}

static const char *const role_names[] = {"follower", "candidate", "leader"};

static const char *role(const void *base, const sim_node *n) {
    (void)n;
    return role_names[((const orch_state *)base)->role];
}

const sim_metric orch_metrics[] = {
    {"role", SIM_METRIC_LABEL, .label = role},
    {"is_leader", SIM_METRIC_GAUGE, SIM_FIELD(orch_state, is_leader)},
    {"term", SIM_METRIC_GAUGE, SIM_FIELD(orch_state, term)},
    {"elections", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, elections)},
    {"became_leader", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, became_leader)},
    {"stepped_down", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, stepped_down)},
    {"votes_granted", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, votes_granted)},
    {"detections", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, detections)},
    {"boots_started", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, boots_started)},
    {"boots_joined", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, boots_joined)},
    {"actions_refused", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, refused)},
    {"members_up", SIM_METRIC_GAUGE, .value = members_up},
    {"autoscale.target", SIM_METRIC_GAUGE, SIM_FIELD(orch_state, target), .shown = autoscaling},
    {"autoscale.scale_outs", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, sc.scale_outs),
     .shown = autoscaling},
    {"autoscale.scale_ins", SIM_METRIC_COUNTER, SIM_FIELD(orch_state, sc.scale_ins),
     .shown = autoscaling},
    {"autoscale.at_max_ms", SIM_METRIC_NUMBER, .value = at_max_ms, .shown = autoscaling},
    SIM_METRICS_END,
};
