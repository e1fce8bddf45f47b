/* The messages that carry a view: heartbeats, their acks, and a new primary's announcement.
 * Each tells the receiver who the sender thinks leads; an instance that learns of a newer
 * view follows it (replica.c). */
#include "database_int.h"

/* A heartbeat: a replica's to the primary, or the primary's to a replica. Answered with the
 * receiver's own view (a restarted instance, still joining, keeps quiet). */
void db__on_heartbeat(sim_node *n, uint32_t src, const repl_view *v) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY)
        s->peers[src].last_heard = sim_now(n);
    if (s->role != ROLE_JOINING) {
        db__send_view(n, src, &repl_heartbeat_ack_msg, db__view(s));
        db__maybe_follow(n, *v);
    }
}

/* The answer to a heartbeat (or to a poll from an older view): the responder is alive and
 * leads, or follows, in v. A joining instance only notes the newest view it heard of. */
void db__on_heartbeat_ack(sim_node *n, uint32_t src, const repl_view *v) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_JOINING) {
        repl_view best = {.epoch = s->join_epoch, .primary = s->join_primary};
        if (db__is_newer(*v, best)) {
            s->join_epoch = v->epoch;
            s->join_primary = v->primary;
        }
        return;
    }
    if (src == s->primary)
        s->last_ack = sim_now(n);
    if (s->role == ROLE_PRIMARY)
        s->peers[src].last_heard = sim_now(n);
    db__maybe_follow(n, *v);
}

/* A new primary announces itself. */
void db__on_announce(sim_node *n, uint32_t src, const repl_view *v) {
    (void)src;
    db__maybe_follow(n, *v);
}
