/* The model-facing API of sim/node.h: thin accessors over the engine's node records. */
#include "engine_int.h"

#include <string.h>

sim_time sim_now(const sim_node *n) { return n->eng->now; }
sim_time sim_warmup_end(const sim_node *n) { return n->eng->warmup; }
sim_time sim_run_end(const sim_node *n) { return n->eng->end; }
bool sim_is_measured(const sim_node *n, sim_time t) {
    return t >= n->eng->warmup && t <= n->eng->end;
}

void *sim_state(sim_node *n) { return n->state; }
const void *sim_state_const(const sim_node *n) { return n->state; }
const void *sim_config(const sim_node *n) { return n->topo->config; }
const char *sim_node_name(const sim_node *n) { return n->topo->name; }
uint32_t sim_node_id(const sim_node *n) { return n->id; }
const char *sim_node_name_of(const sim_node *n, uint32_t id) {
    return id < n->eng->nnodes ? n->eng->nodes[id].topo->name : "?";
}
uint32_t sim_node_replica(const sim_node *n) { return n->topo->replica; }
sim_ref sim_node_group(const sim_node *n) {
    return (sim_ref){n->topo->group, n->topo->group_first, n->topo->group_count};
}
gsl_rng *sim_rng(sim_node *n) { return n->rng; }
double sim_slow_factor(const sim_node *n) { return n->slow; }

sim_time sim_slowed(const sim_node *n, double ns) {
    double t = ns * n->slow;
    return t < (double)SIM_TIME_MAX ? (sim_time)(t + 0.5) : SIM_TIME_MAX;
}

void sim_send(sim_node *n, uint32_t dst, uint16_t tag, sim_req *req, uint64_t arg) {
    sim__send(n->eng, n->id, dst, tag, req, arg);
}

void sim_reply(sim_node *n, sim_req *req) {
    sim__send(n->eng, n->id, req->reply_to, SIM_MSG_REPLY, req, 0);
}

void sim_set_timer(sim_node *n, sim_time delay, uint16_t tag, uint64_t arg) {
    sim_engine *e = n->eng;
    sim__schedule(e, e->now + (delay > 0 ? delay : 0), SIM_EV_TIMER, n->id, n->id, tag, NULL,
                  arg);
}

uint32_t sim_pick(sim_node *n, const sim_ref *ref) {
    if (ref->count <= 1)
        return ref->first;
    return ref->first + (uint32_t)gsl_rng_uniform_int(n->rng, ref->count);
}

sim_req *sim_req_new(sim_node *n) {
    sim_engine *e = n->eng;
    sim_req *r = sim_pool_get(&e->reqs_pool);
    if (!r) {
        e->failed = true;
        r = &e->spare;
    }
    memset(r, 0, sizeof *r);
    r->id = ++e->next_req_id;
    return r;
}

void sim_req_free(sim_node *n, sim_req *req) { sim__req_free(n->eng, req); }

sim_req *sim_call_new(sim_node *n, const sim_req *parent) {
    sim_req *call = sim_req_new(n);
    /* Every figure counts a request by when its client issued the original one (sim/node.h),
     * so a call carries that time, not its own: a callee then counts exactly the calls its
     * caller counted, whatever the warm-up. */
    call->issued = parent->issued;
    call->client = parent->client;
    call->reply_to = n->id;
    call->op = parent->op;
    call->key = parent->key;
    call->version = parent->version;
    return call;
}

void sim_req_serve_data(const sim_node *n, sim_req *req, uint32_t store, uint64_t version) {
    req->version = version;
    req->store = store;
    req->served_by = n->id;
    req->flags |= SIM_REQ_HAS_DATA;
}

void sim_out_of_memory(sim_node *n) { n->eng->failed = true; }
