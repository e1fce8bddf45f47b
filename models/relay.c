/* The slots of a relaying proxy (relay.h). */
#include "relay.h"

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
}

size_t relay_arrive(relay *rl, sim_node *n, sim_req *r, uint32_t src, const sim_dist *delay,
                    uint16_t tag) {
    uint32_t i = slot_table_take(&rl->slots);
    uint64_t below;
    if (i == SLOT_NONE) {
        sim_out_of_memory(n);
        sim_req_free(n, r);
        return SIZE_MAX;
    }
    relay_slot *sl = relay_at(rl, i);
    *sl = (relay_slot){.reply_to = r->reply_to, .src = src, .target = RELAY_NONE, .live = true};
    if (sim_idmap_get(&rl->pending, r->id, &below))
        sl->below = below + 1;
    if (sim_idmap_put(&rl->pending, r->id, i))
        sim_out_of_memory(n);
    r->reply_to = sim_node_id(n);
    bool measured = sim_is_measured(n, r->issued);
    if (measured)
        rl->requests++;
    if (delay->kind == SIM_DIST_NONE)
        return i;
    sim_time d = sim_slowed(n, sim_dist_sample(delay, sim_rng(n)));
    if (measured && sim_hist_record(&rl->overhead, d))
        sim_out_of_memory(n);
    sl->held = r;
    sim_set_timer(n, d, tag, i);
    return RELAY_HELD;
}

sim_req *relay_release(relay *rl, uint64_t i) {
    if (i >= rl->slots.n || !relay_at(rl, i)->live)
        return NULL;
    relay_slot *sl = relay_at(rl, i);
    sim_req *r = sl->held;
    sl->held = NULL;
    return r;
}

size_t relay_slot_of(const relay *rl, const sim_req *r) {
    uint64_t i;
    if (!sim_idmap_get(&rl->pending, r->id, &i) || relay_at(rl, i)->target == RELAY_NONE)
        return SIZE_MAX;
    return i;
}

void relay_answer(relay *rl, sim_node *n, size_t i, sim_req *r) {
    relay_slot sl = *relay_at(rl, i);
    sim_idmap_take(&rl->pending, r->id, NULL);
    if (sl.below && sim_idmap_put(&rl->pending, r->id, sl.below - 1))
        sim_out_of_memory(n);
    slot_table_put(&rl->slots, (uint32_t)i);
    r->reply_to = sl.reply_to;
    r->hops++;
    sim_reply(n, r);
}

void relay_clear(relay *rl, sim_node *n) {
    for (uint32_t i = 0; i < rl->slots.n; i++)
        sim_req_free(n, relay_at(rl, i)->held); /* NULL in a free slot */
    slot_table_clear(&rl->slots);
    sim_idmap_clear(&rl->pending);
}
