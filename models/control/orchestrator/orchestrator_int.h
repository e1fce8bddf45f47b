/* The orchestrator's private header: its config, its state, and the functions its files
 * share. orchestrator.c holds the kind's table, parameters and hooks and dispatches messages
 * and timers; election.c elects a leader among the group's instances (Raft's terms, votes and
 * heartbeats, with CheckQuorum); watch.c is what the leader does: probe the watched servers,
 * replace a dead one, keep the group at `servers` members; autoscale.c changes that count from
 * the load the servers report; report.c its figures. */
#ifndef DSIM_ORCHESTRATOR_INT_H
#define DSIM_ORCHESTRATOR_INT_H

#include "dist.h"
#include "leadership.h"
#include "node.h"
#include "ping.h"

#include <stdbool.h>
#include <stdint.h>

#define ORCH_NONE UINT32_MAX

enum { T_ELECTION, T_HEARTBEAT, T_QUORUM, T_PROBE, T_BOOT, T_DRAIN };

typedef enum { AUTOSCALE_NONE, AUTOSCALE_UTILIZATION, AUTOSCALE_QUEUE } orch_autoscale;

typedef enum { ROLE_FOLLOWER, ROLE_CANDIDATE, ROLE_LEADER } orch_role;

typedef struct orch_config {
    sim_ref watch;
    int64_t servers; /* 0: the watched group's members at time 0 */
    sim_dist election_timeout;
    sim_time heartbeat;
    bool check_quorum;
    sim_time probe_interval, probe_timeout;
    sim_dist boot;
    bool fencing;
    /* the autoscaler (autoscale.c) */
    int autoscale; /* orch_autoscale */
    double scale_out_above, scale_in_below;
    sim_time scale_after, cooldown, drain;
    int64_t min_servers, max_servers; /* max 0: the watched group's instances */
} orch_config;

/* What the leader knows of one instance of the watched group. */
typedef struct orch_server {
    sim_time last_heard; /* the last pong (or when the leader began watching it) */
    bool booting;        /* a replacement boot of this instance is under way */
    sim_timer boot;
    uint32_t incident; /* the checker's incident the boot is for (LEADERSHIP_NONE: none) */
    bool has_load;     /* a pong with its load came since the last probe round */
    bool draining;     /* scaled in: out of the group, stopped when the drain timer fires */
    sim_load load;
} orch_server;

/* The autoscaler's state (autoscale.c): a sliding window of the last probe rounds' mean load
 * over the watched servers. */
typedef struct orch_scaler {
    double *window; /* ring of rounds' means, len entries */
    uint32_t len, n, pos;
    sim_time quiet_until; /* the cooldown after the last action ends */
    uint32_t max;         /* max_servers, resolved */
    uint32_t owed;        /* scale-outs whose boot has not started yet */
    uint64_t scale_outs, scale_ins;
    sim_time at_max_ns, at_max_since; /* led with target == max (since: SIM_TIME_NONE) */
} orch_scaler;

typedef struct orch_state {
    /* Raft's persistent state (kept across a crash, as Raft writes it to disk before
     * answering): without it a restarted instance could vote twice in one term. */
    uint64_t term;
    uint32_t voted_for; /* in term; ORCH_NONE: no vote yet */
    /* volatile */
    orch_role role;
    uint32_t votes;  /* a candidate's votes in its term, its own included */
    uint32_t leader; /* the leader it follows in term (ORCH_NONE: none known) */
    sim_timer election, heartbeat, quorum, probe;
    bool *active; /* CheckQuorum: by instance of the group, heard since the last check */
    sim_ref group;
    uint32_t majority;
    /* the watched servers */
    sim_ref servers;
    orch_server *sv; /* by instance of servers */
    uint32_t target; /* members to keep */
    orch_scaler sc;
    /* figures, over the whole run */
    uint64_t elections, became_leader, votes_granted, stepped_down;
    uint64_t detections, boots_started, boots_joined, refused;
    uint32_t is_leader; /* a gauge for time series: 1 while it leads */
} orch_state;

/* election.c */
void orch_election_start(sim_node *n); /* create and restart: a follower with a timer */
void orch_election_receive(sim_node *n, sim_msg *m);
void orch_election_timer(sim_node *n, uint16_t tag);
void orch_election_crash(sim_node *n);

/* watch.c */
void orch_watch_init(sim_node *n);  /* create: find the servers, size the table */
void orch_watch_begin(sim_node *n); /* just became leader */
void orch_watch_end(sim_node *n);   /* stepped down or crashed: boots under way are abandoned */
void orch_watch_pong(sim_node *n, const sim_ping *pong);
void orch_watch_timer(sim_node *n, uint16_t tag, uint64_t arg);
void orch_watch_finish(sim_node *n);
uint32_t orch_booting(const orch_state *s);

/* autoscale.c */
int orch_autoscale_init(sim_node *n);   /* create: -1 when out of memory */
void orch_autoscale_begin(sim_node *n); /* just became leader: adopt the API's count */
void orch_autoscale_round(sim_node *n); /* a probe round, before reconciling */
void orch_autoscale_drained(sim_node *n, uint32_t i);
void orch_autoscale_target(sim_node *n, uint32_t target); /* the count to keep changes */
void orch_autoscale_end(sim_node *n);                     /* no longer leads */
void orch_autoscale_free(sim_node *n);

/* report.c */
extern const struct sim_metric orch_metrics[];

#endif
