/* Groups that change during a run. A group (every instance of one node name) starts with all
 * its instances as members, except declared spares (`replicas: 10, active: 6`: instances 6 to
 * 9 start down and out of the group). Instances join and leave during the run through the
 * `add` and `remove` fault actions, or a kind that manages others (an orchestrator, an
 * autoscaler) calling sim_group_join / sim_group_leave.
 *
 * Kinds follow membership in one of two ways. Random picks of a group (sim_pick) choose among
 * its members only, so callers and routers need nothing more. Kinds that keep a table of a
 * group's instances (a load balancer's backends) declare the `membership` hook of sim_kind
 * and hear of every change: the engine calls it, on every node whose kind has it, in node
 * order, right after the change. Membership is not health: a crashed member stays a member
 * (health checks and time-outs find it out), and a node that left keeps running (it drains
 * what it holds). */
#ifndef SIM_MEMBERSHIP_H
#define SIM_MEMBERSHIP_H

#include "node.h"

#include <stdbool.h>
#include <stdint.h>

/* True when node (an engine index) is a member of its group now. */
bool sim_is_member(const sim_node *n, uint32_t node);
/* Members of ref's range now. */
uint32_t sim_members(const sim_node *n, const sim_ref *ref);
/* node joins its group: it is started first if it is down (its kind's restart hook). A member
 * already: nothing happens. */
void sim_group_join(sim_node *n, uint32_t node);
/* node leaves its group (it keeps running). Not a member: nothing happens. */
void sim_group_leave(sim_node *n, uint32_t node);

/* What a kind that manages machines (an orchestrator) does to another node, as the fault
 * actions do. sim_node_stop: node goes down as in a crash (its kind's crash hook: volatile
 * state lost); sim_node_start: it comes back (its restart hook). No-ops when already so. */
void sim_node_stop(sim_node *n, uint32_t node);
void sim_node_start(sim_node *n, uint32_t node);
/* True when node is up (not crashed, not stopped). */
bool sim_node_up(const sim_node *n, uint32_t node);
/* When node went down, if it is down now (SIM_TIME_NONE when up): ground truth, for the
 * figures a kind reports (an orchestrator's detection delay), never for its decisions. */
sim_time sim_node_down_since(const sim_node *n, uint32_t node);
/* node's workers become `workers` (0: its configured count) through its kind's resize hook
 * (kind.h); false when its kind has none. */
bool sim_node_resize(sim_node *n, uint32_t node, uint32_t workers);

/* The groups node's group refers to by keys of role `edge` (a kind's sim_param.edge, graph.h:
 * a load balancer's "backend"), in the graph's order: the first max of them go to out, as
 * references to whole groups; returns how many there are. For a kind that manages the tier
 * behind another node (an orchestrator watching a load balancer's backends). */
size_t sim_group_refs(const sim_node *n, uint32_t node, const char *edge, sim_ref *out,
                      size_t max);

#endif
