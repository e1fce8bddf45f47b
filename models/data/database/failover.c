/* Failure detection and failover. Every `heartbeat` the replicas send a heartbeat to the
 * primary and the primary to every replica; a replica that has had no answer from the
 * primary within `failover_after` polls every other instance for its position, and one
 * heartbeat interval later the most up-to-date instance that answered (itself included;
 * highest position, ties to the lowest index) is the one to take over: if that is itself, it
 * promotes itself. A restarted instance first listens for one interval (joining) and then
 * follows the newest view it heard of. */
#include "database_int.h"

static void start_election(sim_node *n) {
    db_state *s = sim_state(n);
    s->best = s->me;
    s->best_pos = s->synced ? s->applied : 0;
    db__send_view_all(n, &repl_poll_msg, db__view(s));
    s->election = sim_set_timer(n, ((const db_config *)sim_config(n))->heartbeat, T_ELECT, 0);
}

void db__elect(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    /* A new view ends a poll (follow and promote cancel its timer), so this is the poll of
     * the current epoch. */
    if (s->role != ROLE_REPLICA || sim_now(n) - s->last_ack < c->failover_after)
        return;
    if (s->best == s->me)
        db__promote(n);
    else if (s->best == s->primary)
        s->last_ack = sim_now(n); /* the primary answered the poll: it is alive */
}

void db__tick(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_time now = sim_now(n);
    if (s->role == ROLE_PRIMARY) {
        /* The primary's heartbeats let a deposed primary (cut off by a partition during the
         * failover) hear of the new epoch from the answers once the partition heals. */
        db__send_view_all(n, &repl_heartbeat_msg, db__view(s));
        db__release_pending(n);
    } else if (s->role == ROLE_REPLICA) {
        db__send_view(n, s->primary, &repl_heartbeat_msg, db__view(s));
        if (c->failover && !sim_timer_pending(n, &s->election) &&
            now - s->last_ack >= c->failover_after)
            start_election(n);
        if (!s->synced && now - s->sub_at >= c->failover_after)
            db__subscribe(n);
    }
    sim_set_timer(n, c->heartbeat, T_TICK, 0);
}

void db__join_done(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_JOINING || db__wait_for_failover(n))
        return;
    repl_view best = {.epoch = s->join_epoch, .primary = s->join_primary};
    s->role = ROLE_REPLICA; /* so that follow and promote see a settled role */
    if (best.primary == s->me) {
        s->epoch = best.epoch;
        db__promote(n);
    } else {
        db__follow(n, best);
    }
}
