/* The publish path (queue_int.h): a request that reaches the queue is a publish. It is taken
 * for a time drawn from publish_time, publishes in parallel (no queueing at the broker), and
 * then accepted, which is the publish's ack (the producer's reply, RR_OK), or refused when
 * the queue is full and its policy is to reject (RR_REJECTED). With drop_oldest a full queue
 * makes room instead: the next message to be delivered (the head of the visible list) is
 * dropped, or when every held message is in flight the oldest of them. */
#include "queue_int.h"

static void accept(sim_node *n, rr_req *r);

void q__publish(sim_node *n, rr_req *r) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    r->arrived = sim_now(n);
    sim_time t = sim_slowed(n, sim_dist_sample(&c->publish_time, sim_rng(n)));
    if (delay_line_hold(&s->publishing, n, r, t, T_PUBLISH))
        accept(n, r);
}

void q__publish_done(sim_node *n, uint64_t slot) {
    q_state *s = sim_state(n);
    accept(n, delay_line_take(&s->publishing, slot));
}

/* Makes room in a full queue (drop_oldest): drops the next message to be delivered, or the
 * oldest in flight when none is visible (its consumer may still process it: the checker then
 * counts it processed, and its ack finds nothing). */
static void drop_one(sim_node *n) {
    q_state *s = sim_state(n);
    uint32_t i = s->visible.head != Q_NONE ? s->visible.head : s->held.head;
    if (i == Q_NONE)
        return;
    q_msg *m = q__at(s, i);
    if (delivery_decided(delivery_of(n), s->group, m->msg, DELIVERY_DROPPED))
        sim_out_of_memory(n);
    if (m->measured)
        s->dropped++;
    q__forget(n, i);
}

static void reply(sim_node *n, rr_req *r, rr_status status) {
    r->status = (uint8_t)status;
    rr_reply(n, r);
}

static void accept(sim_node *n, rr_req *r) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    delivery_checker *dc = delivery_of(n);
    bool measured = sim_is_measured(n, r->issued);
    if (c->capacity >= 0 && s->held.n >= (uint64_t)c->capacity) {
        if (c->when_full == FULL_REJECT) {
            delivery_refused(dc, sim_node_id(n), measured);
            if (measured)
                s->refused++;
            reply(n, r, RR_REJECTED);
            return;
        }
        drop_one(n);
    }
    uint32_t i = q__take(s);
    if (i == Q_NONE) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    q_msg *m = q__at(s, i);
    m->seq = s->next_seq++;
    m->key = r->kv.key;
    m->accepted = sim_now(n);
    m->measured = measured;
    m->where = Q_VISIBLE;
    if (q__index(s, i) ||
        delivery_accepted(dc, sim_node_id(n), 0, m->seq, m->accepted, measured, &m->msg)) {
        sim_idmap_take(&s->by_seq, m->seq + 1, NULL);
        slot_table_put(&s->msgs, i);
        sim_out_of_memory(n);
        rr_free(n, r);
        return;
    }
    q__held_push(s, i);
    q__push_back(n, &s->visible, i);
    if (measured)
        s->published++;
    q__arm_retention(n);
    reply(n, r, RR_OK);
    q__dispatch(n);
}
