/* The subscribers of a pubsub: for each, the messages held for it (queued at the broker, and
 * delivered but not yet acked), its credit, and what the delivery checker is told of what it
 * misses or drops. Everything held for a subscriber counts against its `buffer`, the message
 * being delivered or processed included, which makes one subscriber with prefetch 1 and one
 * worker an M/M/1/K system with K = buffer. */
#include "pubsub_int.h"

#include <stdlib.h>

/* ---- the items held for one subscriber ---- */

static int ring_push(ps_ring *r, const ps_item *it) {
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? 2 * r->cap : 8;
        ps_item *items = malloc((size_t)cap * sizeof *items);
        if (!items)
            return -1;
        for (uint32_t i = 0; i < r->n; i++)
            items[i] = r->items[(r->head + i) % r->cap];
        free(r->items);
        r->items = items, r->head = 0, r->cap = cap;
    }
    r->items[(r->head + r->n) % r->cap] = *it;
    r->n++;
    return 0;
}

static ps_item ring_pop(ps_ring *r) {
    ps_item it = r->items[r->head];
    r->head = (r->head + 1) % r->cap;
    r->n--;
    return it;
}

static int flight_push(ps_sub *sub, const ps_item *it) {
    if (sub->nflight == sub->capflight) {
        uint32_t cap = sub->capflight ? 2 * sub->capflight : 4;
        ps_item *f = realloc(sub->flight, (size_t)cap * sizeof *f);
        if (!f)
            return -1;
        sub->flight = f, sub->capflight = cap;
    }
    sub->flight[sub->nflight++] = *it;
    return 0;
}

/* Finds msg among the deliveries awaiting an ack: a linear search, over at most the
 * subscriber's credit (its prefetch). Returns its index, or UINT32_MAX. */
static uint32_t flight_find(const ps_sub *sub, uint64_t msg) {
    for (uint32_t i = 0; i < sub->nflight; i++)
        if (sub->flight[i].msg == msg)
            return i;
    return UINT32_MAX;
}

static uint64_t held(const ps_sub *sub) { return (uint64_t)sub->queued.n + sub->nflight; }

static bool is_full(const sim_node *n, const ps_sub *sub) {
    const ps_config *c = sim_config(n);
    return c->buffer >= 0 && held(sub) >= (uint64_t)c->buffer;
}

/* ---- fates told to the checker ---- */

static void decide(sim_node *n, const ps_sub *sub, uint64_t msg, delivery_fate fate) {
    if (delivery_decided(delivery_of(n), sub->group, msg, fate))
        sim_out_of_memory(n);
}

static void missed(sim_node *n, ps_sub *sub, const ps_item *it) {
    ps_state *s = sim_state(n);
    decide(n, sub, it->msg, DELIVERY_MISSED);
    if (it->measured)
        sub->missed++, s->missed++;
}

/* Tells the checker fate (missed, or pending at the end) for everything held for sub. */
static void tell_held(sim_node *n, ps_sub *sub, delivery_fate fate) {
    for (uint32_t i = 0; i < held(sub); i++) {
        const ps_item *it =
            i < sub->nflight
                ? &sub->flight[i]
                : &sub->queued.items[(sub->queued.head + i - sub->nflight) % sub->queued.cap];
        if (fate == DELIVERY_MISSED)
            missed(n, sub, it);
        else
            decide(n, sub, it->msg, fate);
    }
}

/* The connection is gone (a crash found, a kick, a broker crash, a new connection replacing
 * it): what was held for it is lost with it. Messages it was processing may still be
 * processed, which the checker counts as processed whatever the broker said. */
static void disconnect(sim_node *n, ps_sub *sub) {
    ps_state *s = sim_state(n);
    tell_held(n, sub, DELIVERY_MISSED);
    s->buffered -= held(sub);
    sub->nflight = sub->queued.n = sub->queued.head = 0;
    if (sub->connected)
        s->connected--;
    sub->connected = false;
    sub->credit = 0;
}

/* ---- deliveries ---- */

/* Delivers the oldest queued messages while the subscriber has credit. */
static void pump(sim_node *n, ps_sub *sub) {
    ps_state *s = sim_state(n);
    while (sub->connected && sub->credit > 0 && sub->queued.n > 0) {
        ps_item it = ring_pop(&sub->queued);
        if (flight_push(sub, &it)) {
            sim_out_of_memory(n);
            return;
        }
        sub->credit--;
        if (it.measured)
            sub->delivered++, s->fanout++;
        dl_deliver d = {.msg = it.msg,
                        .group = sub->group,
                        .offset = it.seq,
                        .key = it.key,
                        .published = it.published,
                        .tag = 1};
        dl_send(n, sub->node, &dl_deliver_msg, &d);
    }
}

ps_sub *ps__sub_of(ps_state *s, uint32_t node) {
    uint64_t i;
    return sim_idmap_get(&s->by_node, (uint64_t)node + 1, &i) ? &s->subs[i] : NULL;
}

/* A new subscriber record, with its group opened at the checker (a subscriber sees only
 * what is published once it has subscribed: whole_log false). */
static ps_sub *add_sub(sim_node *n, uint32_t node) {
    ps_state *s = sim_state(n);
    uint32_t group;
    if (delivery_group_open(delivery_of(n), sim_node_id(n), DELIVERY_PUBSUB,
                            sim_node_name_of(n, node), false, &group))
        return NULL;
    if (s->nsubs == s->capsubs) {
        uint32_t cap = s->capsubs ? 2 * s->capsubs : 4;
        ps_sub *subs = realloc(s->subs, (size_t)cap * sizeof *subs);
        if (!subs)
            return NULL;
        s->subs = subs, s->capsubs = cap;
    }
    if (sim_idmap_put(&s->by_node, (uint64_t)node + 1, s->nsubs))
        return NULL;
    ps_sub *sub = &s->subs[s->nsubs++];
    *sub = (ps_sub){.node = node, .group = group};
    sim_hist_init(&sub->delay);
    return sub;
}

void ps__subscribe(sim_node *n, uint32_t node, uint32_t credit) {
    ps_state *s = sim_state(n);
    ps_sub *sub = ps__sub_of(s, node);
    if (!sub && !(sub = add_sub(n, node))) {
        sim_out_of_memory(n);
        return;
    }
    /* Already connected: the consumer restarted without the broker noticing (nothing was
     * delivered to it while it was down). Its old connection's buffer is gone. */
    disconnect(n, sub);
    sub->connected = true;
    sub->credit = credit;
    sub->last_seen = sim_now(n);
    s->connected++;
    if (!sim_timer_pending(n, &sub->session))
        sub->session = sim_set_timer(n, ((const ps_config *)sim_config(n))->session_timeout,
                                     T_SESSION, (uint64_t)(sub - s->subs));
    dl_welcome w = {0};
    dl_send(n, node, &dl_welcome_msg, &w);
    pump(n, sub);
}

/* Subscriber sub's buffer is full when message it comes: drop it, or (on_full: disconnect,
 * Redis's client-output-buffer-limit) kick the subscriber, which misses everything until it
 * subscribes again. The message that overflowed is dropped either way. */
static void overflow(sim_node *n, ps_sub *sub, const ps_item *it) {
    ps_state *s = sim_state(n);
    const ps_config *c = sim_config(n);
    decide(n, sub, it->msg, DELIVERY_DROPPED);
    if (it->measured)
        sub->dropped++, s->dropped++;
    if (c->on_full == ON_FULL_DISCONNECT) {
        if (it->measured)
            sub->disconnects++, s->disconnects++;
        disconnect(n, sub);
        dl_kick k = {.reason = DL_KICK_OVERFLOW};
        dl_send(n, sub->node, &dl_kick_msg, &k);
    }
}

void ps__fan_out(sim_node *n, const ps_item *it) {
    ps_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->nsubs; i++) {
        ps_sub *sub = &s->subs[i];
        if (!sub->connected) {
            missed(n, sub, it);
        } else if (is_full(n, sub)) {
            overflow(n, sub, it);
        } else if (ring_push(&sub->queued, it)) {
            sim_out_of_memory(n);
            return;
        } else {
            s->buffered++;
            pump(n, sub);
        }
    }
}

void ps__ack(sim_node *n, uint32_t node, uint64_t msg) {
    ps_state *s = sim_state(n);
    ps_sub *sub = ps__sub_of(s, node);
    /* An ack of an earlier connection (its message was settled when that one ended) frees
     * nothing of this one. */
    uint32_t i = sub && sub->connected ? flight_find(sub, msg) : UINT32_MAX;
    if (i == UINT32_MAX)
        return;
    sub->last_seen = sim_now(n);
    const ps_item *it = &sub->flight[i];
    if (it->measured && (sim_hist_record(&s->delay, sim_now(n) - it->published) ||
                         sim_hist_record(&sub->delay, sim_now(n) - it->published)))
        sim_out_of_memory(n);
    sub->flight[i] = sub->flight[--sub->nflight];
    s->buffered--;
    sub->credit++;
    pump(n, sub);
}

void ps__bounced(sim_node *n, uint32_t node, uint64_t msg) {
    ps_state *s = sim_state(n);
    ps_sub *sub = ps__sub_of(s, node);
    /* Only a delivery of the current connection tells of its end: a bounce of an earlier
     * one's was settled already. */
    if (sub && sub->connected && flight_find(sub, msg) != UINT32_MAX)
        disconnect(n, sub);
}

void ps__session_check(sim_node *n, uint32_t i) {
    ps_state *s = sim_state(n);
    const ps_config *c = sim_config(n);
    ps_sub *sub = &s->subs[i];
    if (!sub->connected)
        return;
    sim_time due = sub->last_seen + c->session_timeout;
    if (sim_now(n) < due) {
        sub->session = sim_set_timer(n, due - sim_now(n), T_SESSION, i);
        return;
    }
    if (sim_is_measured(n, sim_now(n)))
        s->timeouts++;
    disconnect(n, sub);
}

void ps__heartbeat(sim_node *n, uint32_t node) {
    ps_sub *sub = ps__sub_of(sim_state(n), node);
    if (sub && sub->connected) {
        sub->last_seen = sim_now(n);
    } else {
        dl_kick k = {.reason = DL_KICK_UNKNOWN};
        dl_send(n, node, &dl_kick_msg, &k);
    }
}

void ps__crash_subs(sim_node *n) {
    ps_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->nsubs; i++)
        disconnect(n, &s->subs[i]);
}

void ps__pending_all(sim_node *n) {
    ps_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->nsubs; i++)
        tell_held(n, &s->subs[i], DELIVERY_PENDING);
}

void ps__subs_free(ps_state *s) {
    for (uint32_t i = 0; i < s->nsubs; i++) {
        free(s->subs[i].queued.items);
        free(s->subs[i].flight);
        sim_hist_free(&s->subs[i].delay);
    }
    free(s->subs);
    s->subs = NULL;
    s->nsubs = s->capsubs = 0;
    sim_idmap_free(&s->by_node);
}
