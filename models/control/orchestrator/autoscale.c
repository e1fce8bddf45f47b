/* The orchestrator's autoscaler: the leader changes the count of servers it keeps (`servers`,
 * the target that watch.c reconciles to) from the load the servers report.
 *
 * Measuring, as a monitoring agent would: every pong of the leader's probes carries the
 * server's load at the instant it answered (sim/ping.h: busy workers, workers, requests
 * waiting; the kind's `load` hook). At each probe round the leader takes the mean over the
 * members that reported since the last round of busy/workers (`autoscale: utilization`) or of
 * the requests waiting (`autoscale: queue`), and keeps the last ceil(scale_after /
 * probe_interval) rounds' means in a sliding window, as a cloud alarm evaluates the mean of a
 * metric over its period (e.g. AWS CloudWatch's alarm "average over N periods").
 *
 * Deciding: when the window is full and its mean is above `scale_out_above` (and the target is
 * below max_servers), the target rises by one: reconciliation (watch.c) boots the group's
 * first non-member, which joins after a `boot` draw as a replacement does. When the mean is
 * below `scale_in_below` (and the target above min_servers), the target falls by one and the
 * group's last member (the highest instance) leaves at once (sim_group_leave: a load balancer
 * stops sending it new requests) and is stopped `drain` later, so that the requests it holds
 * finish (connection draining). After an action the window is emptied and the rounds of the
 * following `cooldown` are not counted, so the next action comes at the earliest cooldown +
 * scale_after later (exactly, when scale_after is a multiple of probe_interval and the load
 * stays beyond the threshold), judged on the load after the change.
 *
 * The count is the API's state (a Deployment's `replicas`): every action is fenced like any
 * other (leadership_action) and records the new count (leadership_set_desired); a new leader
 * reads it and keeps that many servers, or the configured `servers` when no leader ever
 * scaled. Its window starts empty. A scaling action lost with its leader (a boot under way)
 * is thus not lost: the new leader reconciles to the recorded count. Design: docs/control.md,
 * "Autoscaling". */
#include "membership.h"
#include "orchestrator_int.h"

#include <math.h>
#include <stdlib.h>

int orch_autoscale_init(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    orch_scaler *sc = &s->sc;
    sc->at_max_since = SIM_TIME_NONE;
    uint32_t count = s->servers.count;
    sc->max =
        c->max_servers > 0 && (uint64_t)c->max_servers < count ? (uint32_t)c->max_servers : count;
    if (c->autoscale == AUTOSCALE_NONE)
        return 0;
    double rounds = ceil((double)c->scale_after / (double)c->probe_interval);
    sc->len = rounds < 1 ? 1 : rounds > 1e6 ? 1000000 : (uint32_t)rounds;
    sc->window = calloc(sc->len, sizeof *sc->window);
    return sc->window ? 0 : -1;
}

void orch_autoscale_free(sim_node *n) { free(((orch_state *)sim_state(n))->sc.window); }

/* The count to keep becomes target; time at max counts while this instance leads at max. */
void orch_autoscale_target(sim_node *n, uint32_t target) {
    orch_state *s = sim_state(n);
    orch_scaler *sc = &s->sc;
    const orch_config *c = sim_config(n);
    s->target = target;
    if (c->autoscale == AUTOSCALE_NONE)
        return;
    bool at_max = s->role == ROLE_LEADER && target >= sc->max;
    if (at_max && sc->at_max_since == SIM_TIME_NONE) {
        sc->at_max_since = sim_now(n);
    } else if (!at_max && sc->at_max_since != SIM_TIME_NONE) {
        sc->at_max_ns += sim_now(n) - sc->at_max_since;
        sc->at_max_since = SIM_TIME_NONE;
    }
}

void orch_autoscale_begin(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    s->sc.n = s->sc.pos = s->sc.owed = 0;
    s->sc.quiet_until = 0;
    for (uint32_t i = 0; i < s->servers.count; i++)
        s->sv[i].has_load = false;
    uint32_t desired = leadership_desired(leadership_of(n));
    if (c->autoscale != AUTOSCALE_NONE && desired != LEADERSHIP_NONE)
        orch_autoscale_target(n, desired);
    else
        orch_autoscale_target(n, s->target);
}

void orch_autoscale_end(sim_node *n) {
    orch_autoscale_target(n, ((orch_state *)sim_state(n))->target);
}

/* This round's mean over the members that reported; false when none did. */
static bool round_mean(sim_node *n, double *mean) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    double sum = 0;
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->servers.count; i++) {
        orch_server *v = &s->sv[i];
        if (v->has_load && sim_is_member(n, s->servers.first + i)) {
            if (c->autoscale == AUTOSCALE_UTILIZATION)
                sum += v->load.workers ? (double)v->load.busy / v->load.workers : 1.0;
            else
                sum += (double)v->load.waiting;
            k++;
        }
        v->has_load = false;
    }
    if (k == 0)
        return false;
    *mean = sum / k;
    return true;
}

/* The group's last member, or ORCH_NONE. */
static uint32_t last_member(sim_node *n) {
    orch_state *s = sim_state(n);
    for (uint32_t i = s->servers.count; i-- > 0;)
        if (sim_is_member(n, s->servers.first + i))
            return i;
    return ORCH_NONE;
}

/* One scaling action by step (+1 or -1); false when the API refused it. */
static bool scale(sim_node *n, int step) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    leadership_checker *lc = leadership_of(n);
    uint32_t victim = ORCH_NONE;
    if (step < 0) {
        victim = last_member(n);
        /* a boot under way counts as a member: scaling in below it waits for it to join */
        if (victim == ORCH_NONE || orch_booting(s) > 0)
            return false;
    }
    if (!leadership_action(lc, sim_node_id(n), s->term, c->fencing)) {
        s->refused++;
        return false;
    }
    orch_autoscale_target(n, (uint32_t)((int64_t)s->target + step));
    leadership_set_desired(lc, s->target);
    if (step > 0) {
        s->sc.scale_outs++;
        s->sc.owed++;
    } else {
        s->sc.scale_ins++;
        sim_group_leave(n, s->servers.first + victim);
        s->sv[victim].draining = true;
        sim_set_timer(n, c->drain, T_DRAIN, victim);
    }
    return true;
}

void orch_autoscale_round(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    orch_scaler *sc = &s->sc;
    if (c->autoscale == AUTOSCALE_NONE)
        return;
    double mean;
    if (!round_mean(n, &mean) || sim_now(n) <= sc->quiet_until)
        return;
    sc->window[sc->pos] = mean;
    sc->pos = (sc->pos + 1) % sc->len;
    if (sc->n < sc->len)
        sc->n++;
    if (sc->n < sc->len)
        return;
    double sum = 0;
    for (uint32_t i = 0; i < sc->len; i++)
        sum += sc->window[i];
    double avg = sum / sc->len;
    bool acted = false;
    if (avg > c->scale_out_above && s->target < sc->max)
        acted = scale(n, +1);
    else if (avg < c->scale_in_below && s->target > (uint32_t)c->min_servers)
        acted = scale(n, -1);
    if (acted) {
        sc->n = sc->pos = 0;
        sc->quiet_until = sim_now(n) + c->cooldown;
    }
}

/* The drain of instance i is over: stopped, unless a leader has taken it back meanwhile. */
void orch_autoscale_drained(sim_node *n, uint32_t i) {
    orch_state *s = sim_state(n);
    if (i >= s->servers.count || !s->sv[i].draining)
        return;
    s->sv[i].draining = false;
    if (!sim_is_member(n, s->servers.first + i))
        sim_node_stop(n, s->servers.first + i);
}
