/* An election's poll and its answers (failover.c). An instance of the poller's view answers
 * with its position (a replica still resynchronising with 0); one that knows a newer view
 * answers with that view, which the poller then follows; a joining instance keeps quiet. */
#include "database_int.h"

void db__on_poll(sim_node *n, uint32_t src, const repl_view *v) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_JOINING)
        return;
    if (v->epoch == s->epoch && v->primary == s->primary) {
        uint64_t pos = s->role == ROLE_PRIMARY ? s->nlog : s->synced ? s->applied : 0;
        db__send_position(n, db__node_of(n, src), &repl_position_msg, s->epoch, pos);
    } else if (db__is_newer(db__view(s), *v)) {
        db__send_view(n, src, &repl_heartbeat_ack_msg, db__view(s));
    }
}

/* An answer to this instance's poll: the most up-to-date instance so far (highest position,
 * ties to the lowest index) is kept. */
void db__on_position(sim_node *n, uint32_t src, const repl_position *p) {
    db_state *s = sim_state(n);
    if (!sim_timer_pending(n, &s->election) || p->epoch != s->epoch)
        return;
    if (p->position > s->best_pos || (p->position == s->best_pos && src < s->best)) {
        s->best_pos = p->position;
        s->best = src;
    }
}
