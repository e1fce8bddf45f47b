/* The slots of a relaying proxy (relay.h). */
#include "relay.h"

#include <stdlib.h>

void relay_init(relay *rl, size_t slot_size) {
    *rl = (relay){0};
    slot_table_init(&rl->slots, slot_size);
    sim_idmap_init(&rl->pending);
    sim_hist_init(&rl->overhead);
}

void relay_free(relay *rl) {
    slot_table_free(&rl->slots);
    sim_idmap_free(&rl->pending);
    sim_hist_free(&rl->overhead);
    free(rl->dl);
}

void relay_set_timeout(relay *rl, sim_time timeout, uint16_t tag) {
    rl->timeout = timeout;
    rl->timeout_tag = tag;
}

/* Slot i's deadline goes after the others (they arrived earlier, with the same timeout). */
static void add_deadline(relay *rl, sim_node *n, uint32_t i, uint32_t stamp) {
    if (rl->dl_n == rl->dl_cap) {
        size_t cap = rl->dl_cap ? 2 * rl->dl_cap : 64;
        relay_deadline *dl = malloc(cap * sizeof *dl);
        if (!dl) {
            sim_out_of_memory(n);
            return;
        }
        for (size_t k = 0; k < rl->dl_n; k++)
            dl[k] = rl->dl[(rl->dl_head + k) % rl->dl_cap];
        free(rl->dl);
        rl->dl = dl;
        rl->dl_cap = cap;
        rl->dl_head = 0;
    }
    rl->dl[(rl->dl_head + rl->dl_n++) % rl->dl_cap] =
        (relay_deadline){.at = sim_now(n) + rl->timeout, .slot = i, .stamp = stamp};
    if (!rl->armed) {
        rl->armed = true;
        sim_set_timer(n, rl->timeout, rl->timeout_tag, 0);
    }
}

/* Slot i no longer stands for request id: unchains it (it may be shadowed by a newer slot of
 * the same id) and frees it. */
static void drop_slot(relay *rl, sim_node *n, uint64_t id, size_t i) {
    uint64_t below = relay_at(rl, i)->below, head;
    if (sim_idmap_get(&rl->pending, id, &head)) {
        if (head == i) {
            sim_idmap_take(&rl->pending, id, NULL);
            if (below && sim_idmap_put(&rl->pending, id, below - 1))
                sim_out_of_memory(n);
        } else {
            for (relay_slot *j = relay_at(rl, head); j->below; j = relay_at(rl, j->below - 1))
                if (j->below == i + 1) {
                    j->below = below;
                    break;
                }
        }
    }
    sim_cancel_timer(n, &relay_at(rl, i)->delay);
    slot_table_put(&rl->slots, (uint32_t)i);
}

size_t relay_arrive(relay *rl, sim_node *n, rr_req *r, uint32_t src, const sim_dist *delay,
                    uint16_t tag) {
    uint32_t i = slot_table_take(&rl->slots);
    uint64_t below;
    if (i == SLOT_NONE) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return SIZE_MAX;
    }
    relay_slot *sl = relay_at(rl, i);
    *sl = (relay_slot){.reply_to = r->reply_to, .src = src, .target = RELAY_NONE, .live = true};
    if (sim_idmap_get(&rl->pending, r->id, &below))
        sl->below = below + 1;
    if (sim_idmap_put(&rl->pending, r->id, i))
        sim_out_of_memory(n);
    r->reply_to = sim_node_id(n);
    if (rl->timeout > 0) {
        sl->stamp = ++rl->stamp_seq;
        sl->head = *r;
        add_deadline(rl, n, i, sl->stamp);
        sl = relay_at(rl, i);
    }
    bool measured = sim_is_measured(n, r->issued);
    if (measured)
        rl->requests++;
    if (delay->kind == SIM_DIST_NONE)
        return i;
    sim_time d = sim_slowed(n, sim_dist_sample(delay, sim_rng(n)));
    if (measured && sim_hist_record(&rl->overhead, d))
        sim_out_of_memory(n);
    sl->held = r;
    sl->delay = sim_set_timer(n, d, tag, i);
    return RELAY_HELD;
}

rr_req *relay_release(relay *rl, uint64_t i) {
    if (i >= rl->slots.n || !relay_at(rl, i)->live)
        return NULL;
    relay_slot *sl = relay_at(rl, i);
    rr_req *r = sl->held;
    sl->held = NULL;
    return r;
}

size_t relay_slot_of(const relay *rl, const rr_req *r) {
    uint64_t i;
    if (!sim_idmap_get(&rl->pending, r->id, &i) || relay_at(rl, i)->target == RELAY_NONE)
        return SIZE_MAX;
    return i;
}

void relay_answer(relay *rl, sim_node *n, size_t i, rr_req *r) {
    uint32_t reply_to = relay_at(rl, i)->reply_to;
    drop_slot(rl, n, r->id, i);
    r->reply_to = reply_to;
    rr_reply(n, r);
}

size_t relay_next_expired(relay *rl, sim_node *n) {
    sim_time now = sim_now(n);
    /* Deadlines of answered requests are dropped as they come to the front, also before
     * they are due: the timer is set for the first request still held, so that a stream of
     * requests answered in time costs one timer per `timeout`, not one per request. */
    while (rl->dl_n) {
        relay_deadline d = rl->dl[rl->dl_head];
        bool held = d.slot < rl->slots.n && relay_at(rl, d.slot)->live &&
                    relay_at(rl, d.slot)->stamp == d.stamp;
        if (held && d.at > now) {
            sim_set_timer(n, d.at - now, rl->timeout_tag, 0);
            return SIZE_MAX;
        }
        rl->dl_head = (rl->dl_head + 1) % rl->dl_cap;
        rl->dl_n--;
        if (held)
            return d.slot;
    }
    rl->armed = false;
    return SIZE_MAX;
}

void relay_time_out(relay *rl, sim_node *n, size_t i) {
    relay_slot *sl = relay_at(rl, i);
    rr_req *r = rr_new(n);
    *r = sl->head; /* the same id and token: the sender takes it for its request's reply */
    r->next = NULL;
    r->status = RR_FAILED;
    r->kv.served = false;
    if (sim_is_measured(n, r->issued))
        rl->timed_out++;
    rr_free(n, sl->held); /* still in the relay's own delay */
    relay_answer(rl, n, i, r);
}

void relay_clear(relay *rl, sim_node *n) {
    for (uint32_t i = 0; i < rl->slots.n; i++)
        rr_free(n, relay_at(rl, i)->held); /* NULL in a free slot */
    slot_table_clear(&rl->slots);
    sim_idmap_clear(&rl->pending);
    rl->dl_n = rl->dl_head = 0;
    rl->armed = false; /* the crash cancelled the node's timers */
}
