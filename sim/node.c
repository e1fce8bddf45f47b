/* The model-facing API of sim/node.h: thin accessors over the engine's node records. */
#include "engine_int.h"

#include <string.h>

sim_time sim_now(const sim_node *n) { return n->eng->now; }
sim_time sim_warmup_end(const sim_node *n) { return n->eng->warmup; }
sim_time sim_run_end(const sim_node *n) { return n->eng->end; }
bool sim_is_measured(const sim_node *n, sim_time t) {
    return t >= n->eng->warmup && t <= n->eng->end;
}

bool sim_node_may_lose_data(const sim_node *n) {
    const sim_topology *t = n->eng->topo;
    uint32_t id = n->id;
    for (size_t i = 0; i < t->nfaults; i++) {
        const sim_fault *f = &t->faults[i];
        if (f->kind == SIM_FAULT_LOSE_DATA && id >= f->node.first &&
            id - f->node.first < f->node.count)
            return true;
    }
    return false;
}

void *sim_state(sim_node *n) { return n->state; }
const void *sim_state_const(const sim_node *n) { return n->state; }
const void *sim_config(const sim_node *n) { return n->config; }
const char *sim_node_name(const sim_node *n) { return n->topo->name; }
uint32_t sim_node_id(const sim_node *n) { return n->id; }
const char *sim_node_name_of(const sim_node *n, uint32_t id) {
    return id < n->eng->nnodes ? n->eng->nodes[id].topo->name : "?";
}
uint32_t sim_node_replica(const sim_node *n) { return n->topo->replica; }
sim_ref sim_node_group(const sim_node *n) {
    return (sim_ref){n->topo->group, n->topo->group_first, n->topo->group_count};
}
gsl_rng *sim_rng(sim_node *n) { return &n->rng; }
double sim_slow_factor(const sim_node *n) { return n->slow; }

sim_time sim_slowed(const sim_node *n, double ns) {
    double t = ns * n->slow;
    return t < (double)SIM_TIME_MAX ? (sim_time)(t + 0.5) : SIM_TIME_MAX;
}

sim_msg *sim_msg_new_sized(sim_node *n, const sim_msg_type *t, size_t body_bytes) {
    sim_engine *e = n->eng;
    if (body_bytes < t->body_size)
        body_bytes = t->body_size;
    sim_event *ev = sim__block_new(e, body_bytes);
    if (!ev) {
        if (body_bytes > SIM_SPARE_BODY)
            return NULL;
        ev = &e->spare.ev; /* the run has failed: the spare is written but never sent */
    }
    ev->type = SIM_EV_DELIVER;
    sim_msg *m = &ev->msg;
    *m = (sim_msg){.type = t, .src = n->id, .size = t->wire_bytes,
                   .body_bytes = (uint32_t)body_bytes};
    memset(sim_msg_body(m), 0, body_bytes);
    return m;
}

sim_msg *sim_msg_new(sim_node *n, const sim_msg_type *t) {
    return sim_msg_new_sized(n, t, t->body_size);
}

void sim_msg_free(sim_node *n, sim_msg *m) { sim__msg_free(n->eng, m); }

void sim_send(sim_node *n, uint32_t dst, sim_msg *m) {
    m->flags &= ~SIM_MSG_REFUSED; /* the engine's flags describe one delivery */
    sim__send(n->eng, n->id, dst, m);
}

sim_timer sim_set_timer(sim_node *n, sim_time delay, uint16_t tag, uint64_t arg) {
    sim_engine *e = n->eng;
    sim_event *ev = sim__schedule(e, e->now + (delay > 0 ? delay : 0), SIM_EV_TIMER, n->id, tag,
                                  arg);
    return ev ? (sim_timer){ev, ev->seq} : (sim_timer){0};
}

/* The handle's event, if it is still this node's pending timer. */
static sim_event *pending(const sim_node *n, const sim_timer *t) {
    sim_event *ev = t->ev;
    if (!ev || ev->seq != t->seq || ev->type != SIM_EV_TIMER || ev->dst != n->id ||
        ev->timer.epoch != n->epoch)
        return NULL;
    return ev;
}

void sim_cancel_timer(sim_node *n, sim_timer *t) {
    sim_event *ev = pending(n, t);
    if (ev)
        sim__cancel(n->eng, ev);
    *t = (sim_timer){0};
}

bool sim_timer_pending(const sim_node *n, const sim_timer *t) { return pending(n, t) != NULL; }

uint64_t sim_unique_id(sim_node *n) { return ++n->eng->next_id; }

void sim_out_of_memory(sim_node *n) { n->eng->failed = true; }
