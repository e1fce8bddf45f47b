/* What the orchestrator's leader does: it watches a group of servers (a `service` group, or
 * the backends' group of a `load_balancer`) and keeps it at `servers` members.
 *
 * Watching: every `probe_interval` the leader pings each member (sim/ping.h: any node that is
 * up answers; a crashed one drops it) and declares dead a member it has not heard from for
 * more than `probe_timeout`. A server that goes down at t0 answered its last ping before t0,
 * at the latest sent in the round before, so it is declared dead by t0 + probe_timeout +
 * probe_interval + a round trip, and not before t0 + probe_timeout - probe_interval.
 *
 * Replacing, as one action on the "cloud API": the dead server leaves the group
 * (sim_group_leave) and is stopped (sim_node_stop), and a replacement boots: after a draw of
 * `boot`, the group's first instance that is not a member, looking from the one after the
 * dead instance round the group (a declared spare, or else the dead instance itself, which
 * comes back as a fresh machine under the same name, as a StatefulSet pod does) joins
 * (sim_group_join starts it; a load balancer hears of it through its membership hook). The API is
 * the engine: it is not on the network, so a partition cuts the leader from the servers and the
 * other instances, never from the API.
 *
 * Reconciling: when it becomes leader and at every round, the leader boots replacements while
 * members + boots under way < servers. Boots belong to the leader that started them: when it
 * crashes (its timers never fire) or steps down, they are abandoned, and the next leader's
 * reconciliation starts its own.
 *
 * Scaling (autoscale.c): the autoscaler changes `target` from the load the pongs carry.
 *
 * Fencing (leadership.h): every action carries the leader's term; with `fencing` the API
 * refuses a term below the highest it has seen, so a deposed leader that still believes it
 * leads (cut off by a partition, check_quorum off) cannot act; without, its actions go ahead
 * and the checker counts them as stale. */
#include "membership.h"
#include "orchestrator_int.h"
#include "ping.h"

#include <stdlib.h>

void orch_watch_init(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    /* A load balancer: its (first) backends' group; a service: the group named. */
    sim_ref backends;
    if (sim_group_refs(n, c->watch.first, "backend", &backends, 1) > 0)
        s->servers = backends;
    else
        s->servers = c->watch;
    s->sv = calloc(s->servers.count, sizeof *s->sv);
    if (!s->sv) {
        sim_out_of_memory(n);
        s->servers.count = 0;
        return;
    }
    uint32_t members = 0;
    for (uint32_t i = 0; i < s->servers.count; i++)
        members += sim_is_member(n, s->servers.first + i);
    s->target = c->servers > 0 ? (uint32_t)c->servers : members;
    if (orch_autoscale_init(n))
        sim_out_of_memory(n);
}

/* Boots under way. */
uint32_t orch_booting(const orch_state *s) {
    uint32_t b = 0;
    for (uint32_t i = 0; i < s->servers.count; i++)
        b += s->sv[i].booting;
    return b;
}

/* The first instance that is neither a member nor booting already (nor draining after a
 * scale-in), looking from the one
 * after `after` round the group (ORCH_NONE: from the first), so that a spare comes before the
 * dead instance itself; ORCH_NONE when none is free. */
static uint32_t free_instance(sim_node *n, uint32_t after) {
    orch_state *s = sim_state(n);
    uint32_t from = after == ORCH_NONE ? 0 : after + 1;
    for (uint32_t k = 0; k < s->servers.count; k++) {
        uint32_t i = (from + k) % s->servers.count;
        if (!s->sv[i].booting && !s->sv[i].draining && !sim_is_member(n, s->servers.first + i))
            return i;
    }
    return ORCH_NONE;
}

/* Instance r begins booting, for incident. */
static void launch(sim_node *n, uint32_t r, uint32_t incident) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    s->sv[r].booting = true;
    s->sv[r].incident = incident;
    s->sv[r].boot = sim_set_timer(n, (sim_time)sim_dist_sample(&c->boot, sim_rng(n)), T_BOOT, r);
    s->boots_started++;
    leadership_boot_started(leadership_of(n), incident, s->servers.first + r);
}

/* Boots a free instance for incident, an action of its own; false when none is free or the
 * API refused (a stale term). */
static bool start_boot(sim_node *n, uint32_t incident) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    uint32_t r = free_instance(n, ORCH_NONE);
    if (r == ORCH_NONE)
        return false;
    if (!leadership_action(leadership_of(n), sim_node_id(n), s->term, c->fencing)) {
        s->refused++;
        return false;
    }
    launch(n, r, incident);
    return true;
}

/* Boots while the group is short; the first `owed` boots are the autoscaler's scale-outs. */
static void reconcile(sim_node *n) {
    orch_state *s = sim_state(n);
    while (sim_members(n, &s->servers) + orch_booting(s) < s->target) {
        bool out = s->sc.owed > 0;
        if (!start_boot(n, out ? LEADERSHIP_SCALING : leadership_unreplaced(leadership_of(n))))
            return;
        if (out)
            s->sc.owed--;
    }
}

/* Member i has not answered for probe_timeout: it leaves, is stopped, and is replaced. */
static void declare_dead(sim_node *n, uint32_t i) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    uint32_t server = s->servers.first + i;
    leadership_checker *lc = leadership_of(n);
    if (!leadership_action(lc, sim_node_id(n), s->term, c->fencing)) {
        s->refused++;
        s->sv[i].last_heard = sim_now(n); /* it tries again after another probe_timeout */
        return;
    }
    uint32_t incident;
    if (leadership_incident(lc, server, sim_node_down_since(n, server), sim_now(n), &incident)) {
        sim_out_of_memory(n);
        return;
    }
    s->detections++;
    sim_group_leave(n, server);
    sim_node_stop(n, server);
    /* The boot is part of the same action: the API already took its term. */
    uint32_t r = free_instance(n, i);
    if (r != ORCH_NONE)
        launch(n, r, incident);
}

static void probe_round(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    sim_time now = sim_now(n);
    for (uint32_t i = 0; i < s->servers.count; i++) {
        uint32_t server = s->servers.first + i;
        if (s->sv[i].booting || !sim_is_member(n, server))
            continue;
        if (now - s->sv[i].last_heard > c->probe_timeout) {
            declare_dead(n, i);
            continue;
        }
        sim_msg *ping = sim_msg_new(n, &sim_ping_msg);
        ((sim_ping *)sim_msg_body(ping))->token = i;
        sim_send(n, server, ping);
    }
    orch_autoscale_round(n);
    reconcile(n);
    s->probe = sim_set_timer(n, c->probe_interval, T_PROBE, 0);
}

void orch_watch_begin(sim_node *n) {
    orch_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->servers.count; i++)
        s->sv[i] = (orch_server){
            .last_heard = sim_now(n), .incident = LEADERSHIP_NONE, .draining = s->sv[i].draining};
    orch_autoscale_begin(n);
    probe_round(n);
}

void orch_watch_end(sim_node *n) {
    orch_state *s = sim_state(n);
    sim_cancel_timer(n, &s->probe);
    for (uint32_t i = 0; i < s->servers.count; i++)
        if (s->sv[i].booting) {
            sim_cancel_timer(n, &s->sv[i].boot);
            s->sv[i].booting = false;
            leadership_boot_abandoned(leadership_of(n), s->sv[i].incident);
        }
    orch_autoscale_end(n);
}

void orch_watch_pong(sim_node *n, const sim_ping *pong) {
    orch_state *s = sim_state(n);
    if (s->role == ROLE_LEADER && pong->token < s->servers.count) {
        orch_server *v = &s->sv[pong->token];
        v->last_heard = sim_now(n);
        if (pong->has_load) {
            v->has_load = true;
            v->load = pong->load;
        }
    }
}

/* A boot is over: the replacement joins, if the API still takes this leader's term. */
static void boot_done(sim_node *n, uint32_t r) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    orch_server *v = &s->sv[r];
    v->booting = false;
    v->boot = (sim_timer){0};
    leadership_checker *lc = leadership_of(n);
    if (!leadership_action(lc, sim_node_id(n), s->term, c->fencing)) {
        s->refused++;
        leadership_boot_abandoned(lc, v->incident);
        return;
    }
    sim_group_join(n, s->servers.first + r);
    v->last_heard = sim_now(n);
    s->boots_joined++;
    leadership_boot_joined(lc, v->incident, sim_now(n));
}

void orch_watch_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    orch_state *s = sim_state(n);
    if (tag == T_PROBE) {
        s->probe = (sim_timer){0};
        probe_round(n);
    } else if (tag == T_BOOT && arg < s->servers.count) {
        boot_done(n, (uint32_t)arg);
    } else if (tag == T_DRAIN) {
        orch_autoscale_drained(n, (uint32_t)arg);
    }
}

/* At the end: a member down that no leader detected still counts in the servers down. */
void orch_watch_finish(sim_node *n) {
    orch_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->servers.count; i++) {
        uint32_t server = s->servers.first + i;
        sim_time since = sim_node_down_since(n, server);
        if (sim_is_member(n, server) && since != SIM_TIME_NONE &&
            leadership_undetected(leadership_of(n), server, since))
            sim_out_of_memory(n);
    }
}
