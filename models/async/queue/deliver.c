/* Deliveries (queue_int.h): the consumers that subscribed compete for the messages. Each
 * subscriber holds credits (protocols/delivery.h); visible messages go, the next first, to
 * the subscribers with credit in round robin, each delivery under a lease of
 * visibility_timeout. An ack that says the message was processed (DL_DONE) deletes it whatever
 * attempt it answers, if the queue still holds it (as SQS's DeleteMessage); one that says the
 * attempt came too late (DL_LATE) only returns its credit. A lease that ends first makes the
 * message visible again, at the head of the queue, or dead-letters it once it has been
 * delivered max_deliveries times. A delivery that comes back from a crashed consumer is
 * visible again at once and that attempt does not count; the consumer's subscription ends
 * with it (it subscribes again when it restarts). */
#include "queue_int.h"

#include <stdlib.h>

static q_sub *sub_of(q_state *s, uint32_t node) {
    uint64_t i;
    return sim_idmap_get(&s->sub_of, (uint64_t)node + 1, &i) ? &s->subs[i] : NULL;
}

static uint32_t sub_index(const q_state *s, const q_sub *b) { return (uint32_t)(b - s->subs); }

/* The ready ring: subscribers with credit, the next to be served at its head. */
static void ready_push(q_state *s, q_sub *b) {
    uint32_t i = sub_index(s, b);
    b->prev = s->ready_tail;
    b->next = Q_NONE;
    if (s->ready_tail == Q_NONE)
        s->ready_head = i;
    else
        s->subs[s->ready_tail].next = i;
    s->ready_tail = i;
    b->ready = true;
}

static void ready_unlink(q_state *s, q_sub *b) {
    if (!b->ready)
        return;
    if (b->prev == Q_NONE)
        s->ready_head = b->next;
    else
        s->subs[b->prev].next = b->next;
    if (b->next == Q_NONE)
        s->ready_tail = b->prev;
    else
        s->subs[b->next].prev = b->prev;
    b->ready = false;
}

/* Puts b in the ready ring or out of it as its subscription and credit say. */
static void ready_update(q_state *s, q_sub *b) {
    bool want = b->subscribed && b->credit > 0;
    if (want && !b->ready)
        ready_push(s, b);
    else if (!want)
        ready_unlink(s, b);
}

/* The subscriber record of node, made at its first subscription (NULL when out of memory). */
static q_sub *sub_add(q_state *s, uint32_t node) {
    q_sub *b = sub_of(s, node);
    if (b)
        return b;
    if (s->nsubs == s->capsubs) {
        uint32_t cap = s->capsubs ? 2 * s->capsubs : 8;
        q_sub *subs = realloc(s->subs, cap * sizeof *subs);
        if (!subs)
            return NULL;
        s->subs = subs;
        s->capsubs = cap;
    }
    if (sim_idmap_put(&s->sub_of, (uint64_t)node + 1, s->nsubs))
        return NULL;
    b = &s->subs[s->nsubs++];
    *b = (q_sub){.node = node, .prev = Q_NONE, .next = Q_NONE};
    return b;
}

void q__unsubscribe_all(q_state *s) {
    for (uint32_t i = 0; i < s->nsubs; i++)
        s->subs[i] = (q_sub){.node = s->subs[i].node, .prev = Q_NONE, .next = Q_NONE};
    s->ready_head = s->ready_tail = Q_NONE;
}

void q__subscribe(sim_node *n, sim_msg *m) {
    q_state *s = sim_state(n);
    const dl_subscribe *sub = dl_body(m);
    q_sub *b = sub_add(s, m->src);
    if (!b) {
        sim_out_of_memory(n);
        return;
    }
    b->subscribed = true;
    b->credit = sub->credit;
    ready_update(s, b);
    dl_send(n, b->node, &dl_welcome_msg, &(dl_welcome){0});
    q__dispatch(n);
}

/* A heartbeat from a consumer this queue does not know (it restarted since) gets a kick, so
 * that the consumer subscribes again. */
void q__heartbeat(sim_node *n, sim_msg *m) {
    q_sub *b = sub_of(sim_state(n), m->src);
    if (!b || !b->subscribed)
        dl_send(n, m->src, &dl_kick_msg, &(dl_kick){.reason = DL_KICK_UNKNOWN});
}

static sim_time lease_end(sim_time now, sim_time v) {
    return v > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + v;
}

/* Delivers visible message i to subscriber b. */
static void deliver(sim_node *n, uint32_t i, q_sub *b) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    sim_time now = sim_now(n);
    q__unlink(n, &s->visible, i);
    q_msg *m = q__at(s, i);
    m->deliveries++;
    m->consumer = b->node;
    m->lease_until = lease_end(now, c->visibility_timeout);
    m->where = Q_IN_FLIGHT;
    q__push_back(n, &s->in_flight, i);
    if (m->measured) {
        s->delivered++;
        if (m->deliveries > 1)
            s->redeliveries++;
        else if (sim_hist_record(&s->wait, now - m->accepted))
            sim_out_of_memory(n);
    }
    dl_deliver d = {.msg = m->msg,
                    .group = s->group,
                    .offset = m->seq,
                    .key = m->key,
                    .published = m->accepted,
                    .tag = m->deliveries,
                    .lease_until = m->lease_until};
    uint32_t to = b->node;
    b->credit--;
    ready_unlink(s, b); /* to the ring's tail when it has credit left: round robin */
    ready_update(s, b);
    dl_send(n, to, &dl_deliver_msg, &d);
    q__arm_lease(n);
}

void q__dispatch(sim_node *n) {
    q_state *s = sim_state(n);
    while (s->visible.head != Q_NONE && s->ready_head != Q_NONE)
        deliver(n, s->visible.head, &s->subs[s->ready_head]);
}

void q__arm_lease(sim_node *n) {
    q_state *s = sim_state(n);
    if (s->in_flight.head == Q_NONE || sim_timer_pending(n, &s->lease))
        return;
    sim_time until = q__at(s, s->in_flight.head)->lease_until;
    s->lease = sim_set_timer(n, until - sim_now(n), T_LEASE, 0);
}

void q__settle(sim_node *n, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *m = q__at(s, i);
    if (m->measured) {
        s->settled++;
        s->settled_deliveries += m->deliveries;
    }
    q__forget(n, i);
}

/* Message i (in flight) lost its lease without an ack (a time-out, or the queue's restart):
 * dead-lettered after max_deliveries (returns true: i is gone), otherwise left in flight for
 * the caller to make visible. */
static bool lease_lost(sim_node *n, uint32_t i) {
    q_state *s = sim_state(n);
    const q_config *c = sim_config(n);
    q_msg *m = q__at(s, i);
    if (c->max_deliveries < 0 || m->deliveries < (uint64_t)c->max_deliveries)
        return false;
    if (delivery_decided(delivery_of(n), s->group, m->msg, DELIVERY_DEAD_LETTERED))
        sim_out_of_memory(n);
    if (m->measured)
        s->dead_lettered++;
    q__settle(n, i);
    return true;
}

/* Leases end in the in-flight list's order (the order of delivery, so of lease ends). The
 * messages whose leases ended by `until` go back to the head of the queue in that order, ahead
 * of every message not yet delivered; those out of deliveries are dead-lettered instead. */
void q__requeue_in_flight(sim_node *n, sim_time until) {
    q_state *s = sim_state(n);
    uint32_t last = Q_NONE;
    while (s->in_flight.head != Q_NONE && q__at(s, s->in_flight.head)->lease_until <= until) {
        uint32_t i = s->in_flight.head;
        if (lease_lost(n, i))
            continue;
        q__unlink(n, &s->in_flight, i);
        q__at(s, i)->where = Q_VISIBLE;
        if (last == Q_NONE)
            q__push_front(n, &s->visible, i);
        else
            q__insert_after(n, &s->visible, last, i);
        last = i;
    }
}

void q__leases_end(sim_node *n) {
    q_state *s = sim_state(n);
    s->lease = (sim_timer){0};
    q__requeue_in_flight(n, sim_now(n));
    q__arm_lease(n);
    q__dispatch(n);
}

/* The message an ack or a bounced delivery names, if the queue still holds it. */
static uint32_t named(q_state *s, uint64_t seq, uint64_t msg) {
    uint32_t i = q__find(s, seq);
    return i != Q_NONE && q__at(s, i)->msg == msg ? i : Q_NONE;
}

void q__ack(sim_node *n, sim_msg *m) {
    q_state *s = sim_state(n);
    const dl_ack *a = dl_body(m);
    q_sub *b = sub_of(s, m->src);
    if (b && b->subscribed) {
        b->credit++;
        ready_update(s, b);
    }
    uint32_t i = named(s, a->offset, a->msg);
    if (a->outcome == DL_LATE) {
        if (sim_is_measured(n, sim_now(n)))
            s->late_acks++;
    } else if (i != Q_NONE) {
        q_msg *q = q__at(s, i);
        if (q->measured) {
            s->acked++;
            if (sim_hist_record(&s->delay, sim_now(n) - q->accepted))
                sim_out_of_memory(n);
        }
        q__settle(n, i);
    }
    q__dispatch(n);
}

/* A delivery came back: its consumer had crashed. */
void q__bounced(sim_node *n, sim_msg *m) {
    q_state *s = sim_state(n);
    const dl_deliver *d = dl_body(m);
    q_sub *b = sub_of(s, m->src);
    if (b) {
        b->subscribed = false;
        ready_update(s, b);
    }
    uint32_t i = named(s, d->offset, d->msg);
    if (i == Q_NONE)
        return;
    q_msg *q = q__at(s, i);
    if (q->where != Q_IN_FLIGHT || q->consumer != m->src || q->deliveries != d->tag)
        return; /* that attempt is over already */
    q__unlink(n, &s->in_flight, i);
    q = q__at(s, i);
    q->deliveries--;
    q->where = Q_VISIBLE;
    if (q->measured)
        s->bounced++;
    q__push_front(n, &s->visible, i);
    q__dispatch(n);
}
