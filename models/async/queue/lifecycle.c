/* The queue's life (queue_int.h): create, retention, crash and restart, finish, destroy.
 *
 * A crash drops the publishes being taken (their producers time out) and every subscription
 * (consumers find out by a refusal or a kick and subscribe again). A durable queue keeps its
 * messages: those in flight become visible again at the restart, as if their leases had
 * ended then (so one that has had max_deliveries is dead-lettered). An in-memory queue loses
 * every message it holds (DELIVERY_CRASH_LOST) and restarts empty. */
#include "queue_int.h"

#include <stdlib.h>

static sim_time expires(const q_config *c, sim_time accepted) {
    return c->retention > SIM_TIME_MAX - accepted ? SIM_TIME_MAX : accepted + c->retention;
}

void q__arm_retention(sim_node *n) {
    q_state *s = sim_state(n);
    if (s->held.head == Q_NONE || sim_timer_pending(n, &s->retention))
        return;
    sim_time at = expires(sim_config(n), q__at(s, s->held.head)->accepted), now = sim_now(n);
    s->retention = sim_set_timer(n, at > now ? at - now : 0, T_RETENTION, 0);
}

/* Every message held for `retention` is deleted, unprocessed or not (in flight too: its ack
 * then finds nothing). The held list is in acceptance order, so they are its head. */
void q__retention_end(sim_node *n) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    sim_time now = sim_now(n);
    s->retention = (sim_timer){0};
    while (s->held.head != Q_NONE && expires(c, q__at(s, s->held.head)->accepted) <= now) {
        uint32_t i = s->held.head;
        q_msg *m = q__at(s, i);
        if (delivery_decided(delivery_of(n), s->group, m->msg, DELIVERY_EXPIRED))
            sim_out_of_memory(n);
        if (m->measured)
            s->expired++;
        q__forget(n, i);
    }
    q__arm_retention(n);
}

void q__create(sim_node *n) {
    q_state *s = sim_state(n);
    slot_table_init(&s->msgs, sizeof(q_msg));
    delay_line_init(&s->publishing);
    sim_idmap_init(&s->by_seq);
    sim_idmap_init(&s->sub_of);
    s->visible = s->in_flight = s->held = (q_list){Q_NONE, Q_NONE, 0};
    s->ready_head = s->ready_tail = Q_NONE;
    sim_tavg_init(&s->depth_avg, sim_warmup_end(n));
    sim_hist_init(&s->wait);
    sim_hist_init(&s->delay);
    if (delivery_group_open(delivery_of(n), sim_node_id(n), DELIVERY_QUEUE, sim_node_name(n), true,
                            &s->group))
        sim_out_of_memory(n);
}

void q__crash(sim_node *n) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    delay_line_drop(&s->publishing, n);
    q__unsubscribe_all(s);
    s->lease = s->retention = (sim_timer){0}; /* the engine drops them */
    if (c->durable)
        return;
    delivery_checker *dc = delivery_of(n);
    for (uint32_t i = s->held.head; i != Q_NONE; i = q__at(s, i)->h.next) {
        q_msg *m = q__at(s, i);
        if (delivery_decided(dc, s->group, m->msg, DELIVERY_CRASH_LOST))
            sim_out_of_memory(n);
        if (m->measured)
            s->crash_lost++;
    }
    q__clear(n);
}

/* A durable queue's messages in flight at the crash are visible again, ahead of the others,
 * in the order they were delivered. */
void q__restart(sim_node *n) {
    q__requeue_in_flight(n, SIM_TIME_MAX);
    q__arm_retention(n);
}

/* What the queue still holds at the end is pending, for the checker. */
void q__finish(sim_node *n) {
    q_state *s = sim_state(n);
    delivery_checker *dc = delivery_of(n);
    for (uint32_t i = s->held.head; i != Q_NONE; i = q__at(s, i)->h.next)
        if (delivery_decided(dc, s->group, q__at(s, i)->msg, DELIVERY_PENDING)) {
            sim_out_of_memory(n);
            return;
        }
}

void q__destroy(sim_node *n) {
    q_state *s = sim_state(n);
    slot_table_free(&s->msgs);
    delay_line_free(&s->publishing);
    sim_idmap_free(&s->by_seq);
    sim_idmap_free(&s->sub_of);
    free(s->subs);
    sim_hist_free(&s->wait);
    sim_hist_free(&s->delay);
}
