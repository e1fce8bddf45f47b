/* The election protocol's message types (election.h) and el_send. No refusal hook: a message
 * that reaches a crashed instance is dropped, and the sender's timers find it out. */
#include "election.h"

#include "protocols.h"

#include <string.h>

const sim_protocol el_protocol = {.name = "election", .bit = DSIM_PROTO_ELECTION};

/* A few header fields each: a control message of 64 bytes, as the delivery protocol's. */
#define CONTROL_BYTES 64

#define EL_TYPE(var, what, body)                                                                   \
    const sim_msg_type var = {.name = what,                                                        \
                              .protocol = &el_protocol,                                            \
                              .body_size = sizeof(body),                                           \
                              .wire_bytes = CONTROL_BYTES}
EL_TYPE(el_request_vote_msg, "request_vote", el_request_vote);
EL_TYPE(el_vote_msg, "vote", el_vote);
EL_TYPE(el_heartbeat_msg, "heartbeat", el_heartbeat);
EL_TYPE(el_heartbeat_ack_msg, "heartbeat_ack", el_heartbeat);

void el_send(sim_node *n, uint32_t dst, const sim_msg_type *t, const void *body) {
    sim_msg *m = sim_msg_new(n, t);
    memcpy(sim_msg_body(m), body, t->body_size);
    sim_send(n, dst, m);
}
