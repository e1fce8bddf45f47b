/* orchestrator: the course's leader/worker orchestrators. `replicas: N` instances elect a
 * leader among themselves as Raft does (election.c), and the leader watches a tier of servers
 * and replaces the dead ones (watch.c). This file: the parameters, the cross-key checks, and
 * the hooks, which pass messages and timers to the file whose business they are. It feeds the
 * leadership checker (checkers/leadership.h) with the ground truth of every election and
 * action. Design and figures: docs/control.md. */
#include "election.h"
#include "membership.h"
#include "metrics.h"
#include "orchestrator_int.h"
#include "ping.h"
#include "protocols.h"

#include <stdlib.h>

static const char *const autoscale_names[] = {"none", "utilization", "queue", NULL};

static const sim_param orch_params[] = {
    {.name = "watch",
     .type = SIM_P_REF,
     .offset = offsetof(orch_config, watch),
     .needs = DSIM_PROTO_MANAGED,
     .flow = SIM_FLOW_NONE,
     .edge = "watch",
     .flags = SIM_PARAM_REQUIRED,
     .help = "the servers it keeps alive: a service group, or a load_balancer (its backends' "
             "group)"},
    {.name = "servers",
     .type = SIM_P_INT,
     .offset = offsetof(orch_config, servers),
     .def = "0",
     .min = 0,
     .max = 1e6,
     .help = "members the leader keeps in the watched group (0: its members at time 0)"},
    {.name = "election_timeout",
     .type = SIM_P_DIST,
     .offset = offsetof(orch_config, election_timeout),
     .def = "{dist: uniform, min: 150ms, max: 300ms}",
     .help = "a follower that hears no leader for a draw of this stands for election "
             "(redrawn at every reset)"},
    {.name = "heartbeat",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, heartbeat),
     .def = "50ms",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "the leader's heartbeat interval"},
    {.name = "check_quorum",
     .type = SIM_P_BOOL,
     .offset = offsetof(orch_config, check_quorum),
     .def = "true",
     .help = "a leader that has not heard from a majority within an election timeout steps down"},
    {.name = "probe_interval",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, probe_interval),
     .def = "1s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "the leader pings each watched server this often"},
    {.name = "probe_timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, probe_timeout),
     .def = "3s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a server not heard from for longer is declared dead and replaced"},
    {.name = "boot",
     .type = SIM_P_DIST,
     .offset = offsetof(orch_config, boot),
     .def = "30s",
     .help = "time for a replacement to boot before it joins the group"},
    {.name = "autoscale",
     .type = SIM_P_ENUM,
     .offset = offsetof(orch_config, autoscale),
     .def = "none",
     .choices = autoscale_names,
     .help = "none; utilization: scale on the servers' mean busy/workers; queue: on their mean "
             "requests waiting"},
    {.name = "scale_out_above",
     .type = SIM_P_NUMBER,
     .offset = offsetof(orch_config, scale_out_above),
     .def = "0",
     .min = 0,
     .max = 1e12,
     .help = "add a server when the mean over scale_after is above this (a utilization in "
             "(0, 1], or requests waiting per server)"},
    {.name = "scale_in_below",
     .type = SIM_P_NUMBER,
     .offset = offsetof(orch_config, scale_in_below),
     .def = "0",
     .min = 0,
     .max = 1e12,
     .help = "remove a server when the mean over scale_after is below this"},
    {.name = "scale_after",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, scale_after),
     .def = "30s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "the window the mean load is taken over (at least one probe_interval)"},
    {.name = "cooldown",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, cooldown),
     .def = "60s",
     .min = 0,
     .max = (double)SIM_TIME_MAX,
     .help = "after a scaling action, the load is not measured for this long"},
    {.name = "drain",
     .type = SIM_P_DURATION,
     .offset = offsetof(orch_config, drain),
     .def = "10s",
     .min = 0,
     .max = (double)SIM_TIME_MAX,
     .help = "a server scaled in leaves the group at once and is stopped this much later"},
    {.name = "min_servers",
     .type = SIM_P_INT,
     .offset = offsetof(orch_config, min_servers),
     .def = "1",
     .min = 1,
     .max = 1e6,
     .help = "the autoscaler keeps at least this many"},
    {.name = "max_servers",
     .type = SIM_P_INT,
     .offset = offsetof(orch_config, max_servers),
     .def = "0",
     .min = 0,
     .max = 1e6,
     .help = "the autoscaler keeps at most this many (0: the watched group's instances)"},
    {.name = "fencing",
     .type = SIM_P_BOOL,
     .offset = offsetof(orch_config, fencing),
     .def = "true",
     .help = "actions carry the leader's term and the API refuses a term below the highest seen"},
    {0},
};

static void orch_check(const void *config, sim_check *ck) {
    const orch_config *c = config;
    if (c->probe_timeout < c->probe_interval)
        sim_check_error(ck, "probe_timeout",
                        "'probe_timeout' must be at least 'probe_interval' (a server answers "
                        "once per interval)");
    if (c->election_timeout.kind != SIM_DIST_NONE &&
        sim_dist_mean(&c->election_timeout) <= (double)c->heartbeat)
        sim_check_error(ck, "election_timeout",
                        "'election_timeout' must be longer than 'heartbeat' on average, or "
                        "followers stand while the leader is alive");
    if (c->autoscale == AUTOSCALE_NONE)
        return;
    if (!sim_check_given(ck, "scale_out_above") || !sim_check_given(ck, "scale_in_below"))
        sim_check_error(ck, sim_check_given(ck, "scale_out_above") ? "scale_in_below" : "autoscale",
                        "'autoscale' needs both thresholds, 'scale_out_above' and "
                        "'scale_in_below'");
    else if (c->scale_in_below >= c->scale_out_above)
        sim_check_error(ck, "scale_in_below",
                        "'scale_in_below' must be below 'scale_out_above' (the gap between them "
                        "keeps the autoscaler from flapping)");
    if (c->autoscale == AUTOSCALE_UTILIZATION && sim_check_given(ck, "scale_out_above") &&
        (c->scale_out_above <= 0 || c->scale_out_above > 1))
        sim_check_error(ck, "scale_out_above",
                        "'scale_out_above' is a utilization with 'autoscale: utilization': it "
                        "must be in (0, 1]");
    if (c->max_servers > 0 && c->min_servers > c->max_servers)
        sim_check_error(ck, "min_servers", "'min_servers' must not be above 'max_servers'");
    if (c->scale_after < c->probe_interval)
        sim_check_error(ck, "scale_after",
                        "'scale_after' must be at least 'probe_interval' (the load is measured "
                        "once per probe round)");
    if (c->servers > 0 &&
        (c->servers < c->min_servers || (c->max_servers > 0 && c->servers > c->max_servers)))
        sim_check_error(ck, "servers", "'servers' must be within 'min_servers' .. 'max_servers'");
}

static void orch_create(sim_node *n) {
    orch_state *s = sim_state(n);
    s->group = sim_node_group(n);
    s->majority = s->group.count / 2 + 1;
    s->voted_for = ORCH_NONE;
    s->active = calloc(s->group.count, sizeof *s->active);
    if (!s->active) {
        sim_out_of_memory(n);
        return;
    }
    orch_watch_init(n);
    orch_election_start(n);
}

static void orch_receive(sim_node *n, sim_msg *m) {
    if (m->type == &sim_pong_msg) {
        orch_watch_pong(n, sim_msg_body(m));
        sim_msg_free(n, m);
    } else if (sim_msg_is(m, &el_protocol)) {
        orch_election_receive(n, m);
    } else { /* a stray request: an orchestrator serves none */
        sim_msg_free(n, m);
    }
}

static void orch_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    if (tag == T_PROBE || tag == T_BOOT || tag == T_DRAIN)
        orch_watch_timer(n, tag, arg);
    else
        orch_election_timer(n, tag);
}

/* Its drain timers die with it: the servers it was draining stay up, out of the group, and
 * may be booted again. */
static void orch_crash(sim_node *n) {
    orch_state *s = sim_state(n);
    orch_election_crash(n);
    for (uint32_t i = 0; i < s->servers.count; i++)
        s->sv[i].draining = false;
}

static void orch_restart(sim_node *n) { orch_election_start(n); }

static void orch_finish(sim_node *n) { orch_watch_finish(n); }

static void orch_destroy(sim_node *n) {
    orch_state *s = sim_state(n);
    free(s->active);
    free(s->sv);
    orch_autoscale_free(n);
}

static sim_memory_need orch_memory_need(const void *config, uint32_t group_count) {
    (void)config;
    return (sim_memory_need){.bytes = group_count * (sizeof(bool) + sizeof(orch_server)),
                             .report_bytes = 1200,
                             .key = "replicas",
                             .value = group_count};
}

static const sim_checker_kind *const feeds[] = {&dsim_leadership_checker, NULL};

const sim_kind dsim_orchestrator_kind = {
    .version = SIM_KIND_VERSION,
    .name = "orchestrator",
    .summary = "instances that elect a leader (Raft) who replaces the dead servers of a tier",
    .config_size = sizeof(orch_config),
    .state_size = sizeof(orch_state),
    .params = orch_params,
    .serves = DSIM_PROTO_ELECTION,
    .check = orch_check,
    .create = orch_create,
    .receive = orch_receive,
    .timer = orch_timer,
    .crash = orch_crash,
    .restart = orch_restart,
    .metrics = orch_metrics,
    .destroy = orch_destroy,
    .finish = orch_finish,
    .checkers = feeds,
    .memory_need = orch_memory_need,
    .group_edge = "election",
};
