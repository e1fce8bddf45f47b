/* The delay line: a slot table of held requests, each with its timer. */
#include "delay_line.h"

static rr_req **at(delay_line *d, uint32_t slot) { return slot_table_at(&d->held, slot); }

void delay_line_init(delay_line *d) { slot_table_init(&d->held, sizeof(rr_req *)); }

void delay_line_free(delay_line *d) { slot_table_free(&d->held); }

bool delay_line_hold(delay_line *d, sim_node *n, rr_req *r, sim_time wait, uint16_t tag) {
    if (wait <= 0)
        return true;
    uint32_t slot = slot_table_take(&d->held);
    if (slot == SLOT_NONE) {
        sim_out_of_memory(n);
        rr_free(n, r);
        return false;
    }
    *at(d, slot) = r;
    sim_set_timer(n, wait, tag, slot);
    return false;
}

rr_req *delay_line_take(delay_line *d, uint64_t arg) {
    rr_req *r = *at(d, (uint32_t)arg);
    slot_table_put(&d->held, (uint32_t)arg);
    return r;
}

void delay_line_drop(delay_line *d, sim_node *n) {
    for (uint32_t i = 0; i < d->held.n; i++)
        rr_free(n, *at(d, i)); /* NULL in a free slot */
    slot_table_clear(&d->held);
}
