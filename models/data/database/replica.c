/* Replicas: an instance follows the primary of the newest view it knows, resynchronising from
 * it with a snapshot, and reports the contiguous log position it applied. */
#include "database_int.h"

void db__subscribe(sim_node *n) {
    db_state *s = sim_state(n);
    s->sub_seq++;
    s->sub_at = sim_now(n);
    s->synced = false;
    s->resyncs++;
    sim_msg *m = sim_msg_new(n, &repl_subscribe_msg);
    *(repl_subscribe *)sim_msg_body(m) = (repl_subscribe){.epoch = s->epoch, .seq = s->sub_seq};
    sim_send(n, db__node_of(n, s->primary), m);
}

void db__report_position(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->synced)
        db__send_position(n, db__node_of(n, s->primary), &repl_applied_msg, s->epoch, s->applied);
}

void db__advance(sim_node *n) {
    db_state *s = sim_state(n);
    while (sim_idmap_take(&s->ahead, s->applied + 1, NULL))
        s->applied++;
}

void db__follow(sim_node *n, repl_view v) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY) {
        db__fail_pending(n);
        db__drop_shipments(n, true); /* its log is discarded with its data */
    }
    db__clear_data(n);
    db__backup_rebase(n);
    s->role = ROLE_REPLICA;
    s->epoch = v.epoch;
    s->primary = v.primary;
    s->nlog = 0;
    s->applied = 0;
    sim_idmap_clear(&s->ahead);
    s->last_ack = sim_now(n);
    sim_cancel_timer(n, &s->election);
    db__subscribe(n);
    /* Its transactions end (a new one is refused while it resynchronises) and its rows are
     * replaced by the new primary's snapshot. */
    db__txn_abort_all(n, TXN_ABORT_CRASH);
    db__txn_reset(n);
}

void db__maybe_follow(sim_node *n, repl_view v) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_JOINING && v.primary != s->me && db__is_newer(v, db__view(s)))
        db__follow(n, v);
}
