/* The queue's held messages (queue_int.h): pooled records, the visible, in-flight and held
 * lists linked through them, and the map from sequence number to record by which acks and
 * bounced deliveries find their message. */
#include "queue_int.h"

uint32_t q__take(q_state *s) {
    uint32_t i = slot_table_take(&s->msgs);
    if (i == SLOT_NONE)
        return Q_NONE;
    q_msg *m = q__at(s, i);
    m->q = m->h = (q_links){Q_NONE, Q_NONE};
    return i;
}

uint32_t q__find(const q_state *s, uint64_t seq) {
    uint64_t i;
    return sim_idmap_get(&s->by_seq, seq + 1, &i) ? (uint32_t)i : Q_NONE;
}

int q__index(q_state *s, uint32_t i) { return sim_idmap_put(&s->by_seq, q__at(s, i)->seq + 1, i); }

/* The visible list's length changed: its time average follows. */
static void visible_changed(sim_node *n, const q_list *l) {
    q_state *s = sim_state(n);
    if (l == &s->visible)
        sim_tavg_set(&s->depth_avg, sim_now(n), (double)l->n);
}

void q__push_back(sim_node *n, q_list *l, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *m = q__at(s, i);
    m->q = (q_links){l->tail, Q_NONE};
    if (l->tail == Q_NONE)
        l->head = i;
    else
        q__at(s, l->tail)->q.next = i;
    l->tail = i;
    l->n++;
    visible_changed(n, l);
}

void q__push_front(sim_node *n, q_list *l, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *m = q__at(s, i);
    m->q = (q_links){Q_NONE, l->head};
    if (l->head == Q_NONE)
        l->tail = i;
    else
        q__at(s, l->head)->q.prev = i;
    l->head = i;
    l->n++;
    visible_changed(n, l);
}

void q__insert_after(sim_node *n, q_list *l, uint32_t after, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *a = q__at(s, after), *m = q__at(s, i);
    m->q = (q_links){after, a->q.next};
    if (a->q.next == Q_NONE)
        l->tail = i;
    else
        q__at(s, a->q.next)->q.prev = i;
    a->q.next = i;
    l->n++;
    visible_changed(n, l);
}

void q__unlink(sim_node *n, q_list *l, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *m = q__at(s, i);
    if (m->q.prev == Q_NONE)
        l->head = m->q.next;
    else
        q__at(s, m->q.prev)->q.next = m->q.next;
    if (m->q.next == Q_NONE)
        l->tail = m->q.prev;
    else
        q__at(s, m->q.next)->q.prev = m->q.prev;
    m->q = (q_links){Q_NONE, Q_NONE};
    l->n--;
    visible_changed(n, l);
}

void q__held_push(q_state *s, uint32_t i) {
    q_msg *m = q__at(s, i);
    m->h = (q_links){s->held.tail, Q_NONE};
    if (s->held.tail == Q_NONE)
        s->held.head = i;
    else
        q__at(s, s->held.tail)->h.next = i;
    s->held.tail = i;
    s->held.n++;
}

void q__held_unlink(q_state *s, uint32_t i) {
    q_msg *m = q__at(s, i);
    if (m->h.prev == Q_NONE)
        s->held.head = m->h.next;
    else
        q__at(s, m->h.prev)->h.next = m->h.next;
    if (m->h.next == Q_NONE)
        s->held.tail = m->h.prev;
    else
        q__at(s, m->h.next)->h.prev = m->h.prev;
    m->h = (q_links){Q_NONE, Q_NONE};
    s->held.n--;
}

void q__forget(sim_node *n, uint32_t i) {
    q_state *s = sim_state(n);
    q_msg *m = q__at(s, i);
    q__unlink(n, m->where == Q_VISIBLE ? &s->visible : &s->in_flight, i);
    q__held_unlink(s, i);
    sim_idmap_take(&s->by_seq, m->seq + 1, NULL);
    slot_table_put(&s->msgs, i);
}

void q__clear(sim_node *n) {
    q_state *s = sim_state(n);
    slot_table_clear(&s->msgs);
    sim_idmap_clear(&s->by_seq);
    s->visible = s->in_flight = s->held = (q_list){Q_NONE, Q_NONE, 0};
    sim_tavg_set(&s->depth_avg, sim_now(n), 0);
}
