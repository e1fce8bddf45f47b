/* The request/reply protocol: its message types, and the engine's refusal of a request that
 * reached a crashed node (a reply with status failed, to the node awaiting the reply). */
#include "request.h"

#include "protocols.h"

#include <stddef.h>

const char *const rr_op_names[] = {"read", "write", NULL};

static uint32_t rr_refuse(sim_msg *m) {
    if (m->type != &rr_request_msg)
        return SIM_NO_NODE; /* a reply to a crashed caller is lost with it */
    rr_req *r = rr_of(m);
    r->status = RR_FAILED;
    m->type = &rr_reply_msg;
    return r->reply_to;
}

/* Every request or reply reaching a node ends its time on the wire. */
static void rr_arrive(sim_node *n, sim_msg *m) {
    sim_ledger_step(n, &rr_of(m)->root, SIM_LEDGER_SERVICE);
}

const sim_protocol rr_protocol = {.name = "request", .bit = DSIM_PROTO_REQUEST, .refuse = rr_refuse,
                                  .arrive = rr_arrive};
/* 256 bytes: an HTTP request line and a few headers; a reply likewise. */
const sim_msg_type rr_request_msg = {.name = "request", .protocol = &rr_protocol,
                                     .body_size = sizeof(rr_req), .wire_bytes = 256};
const sim_msg_type rr_reply_msg = {.name = "reply", .protocol = &rr_protocol,
                                   .body_size = sizeof(rr_req), .wire_bytes = 256};

rr_req *rr_new(sim_node *n) { return rr_new_with(n, 0); }

rr_req *rr_new_with(sim_node *n, size_t payload) {
    /* Payloads are small (never beyond the spare's room): never NULL. */
    rr_req *r = rr_of(sim_msg_new_sized(n, &rr_request_msg, sizeof(rr_req) + payload));
    r->id = sim_unique_id(n);
    r->issued = sim_now(n);
    r->client = sim_node_id(n);
    r->reply_to = sim_node_id(n);
    return r;
}

void *rr_payload(rr_req *r, size_t bytes) {
    return sim_msg_of(r)->body_bytes >= sizeof(rr_req) + bytes ? r + 1 : NULL;
}

rr_req *rr_call_new(sim_node *n, const rr_req *parent) {
    rr_req *call = rr_of(sim_msg_new(n, &rr_request_msg));
    call->id = sim_unique_id(n);
    /* Every figure counts a request by when its client issued the original one (sim/node.h),
     * so a call carries that time, not its own: a callee then counts exactly the calls its
     * caller counted, whatever the warm-up. */
    call->issued = parent->issued;
    call->client = parent->client;
    call->reply_to = sim_node_id(n);
    call->op = parent->op;
    call->kv.key = parent->kv.key;
    call->kv.keyed = parent->kv.keyed;
    call->kv.version = parent->kv.version;
    call->root = parent->root;
    sim_msg_of(call)->size = sim_msg_of_const(parent)->size;
    return call;
}

void rr_send(sim_node *n, uint32_t dst, rr_req *r) {
    sim_msg *m = sim_msg_of(r);
    m->type = &rr_request_msg;
    sim_ledger_step(n, &r->root, SIM_LEDGER_NETWORK);
    sim_send(n, dst, m);
}

void rr_reply_sized(sim_node *n, rr_req *r, uint32_t bytes) {
    sim_msg *m = sim_msg_of(r);
    m->type = &rr_reply_msg;
    m->size = bytes;
    sim_ledger_step(n, &r->root, SIM_LEDGER_NETWORK);
    sim_send(n, r->reply_to, m);
}

void rr_reply(sim_node *n, rr_req *r) {
    sim_msg *m = sim_msg_of(r);
    /* A reply passed on (by a relay) keeps the size its maker gave it. */
    rr_reply_sized(n, r, m->type == &rr_reply_msg ? m->size : rr_reply_msg.wire_bytes);
}

void rr_set_size(rr_req *r, uint32_t bytes) { sim_msg_of(r)->size = bytes; }

void rr_free(sim_node *n, rr_req *r) {
    if (r)
        sim_msg_free(n, sim_msg_of(r));
}
