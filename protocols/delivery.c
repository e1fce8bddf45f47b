/* The delivery protocol's message types (delivery.h), its refusal of a message that reached a
 * crashed node (a deliver goes back to its broker, a consumer's message back to its consumer,
 * the broker's control messages are dropped), and dl_send. */
#include "delivery.h"

#include "protocols.h"

#include <string.h>

/* A message bounces once at most: the engine sends a bounce from the crashed node, so a
 * bounce reaching a crashed node again would go back where it came from, and two crashed
 * nodes would pass it to and fro at one instant (message.h). */
static uint32_t dl_refuse(sim_msg *m) {
    if (m->flags & SIM_MSG_REFUSED)
        return SIM_NO_NODE;
    /* The broker must learn that its delivery was not taken (the connection was reset) so
     * that it can deliver the message again; a consumer must learn that its broker is down
     * so that it subscribes again. The broker's control messages need no answer: the
     * consumer's restart subscribes afresh. */
    if (m->type == &dl_deliver_msg || m->type == &dl_subscribe_msg || m->type == &dl_ack_msg ||
        m->type == &dl_commit_msg || m->type == &dl_heartbeat_msg)
        return m->src;
    return SIM_NO_NODE;
}

const sim_protocol dl_protocol = {
    .name = "delivery", .bit = DSIM_PROTO_DELIVERY, .refuse = dl_refuse};

/* A delivery carries the message: 1 KiB, a small event or job description; every other
 * message is control, a few header fields: 64 bytes. */
#define DELIVER_BYTES 1024
#define CONTROL_BYTES 64

#define DL_TYPE(var, what, body, bytes)                                                            \
    const sim_msg_type var = {                                                                     \
        .name = what, .protocol = &dl_protocol, .body_size = sizeof(body), .wire_bytes = bytes}
DL_TYPE(dl_subscribe_msg, "subscribe", dl_subscribe, CONTROL_BYTES);
DL_TYPE(dl_welcome_msg, "welcome", dl_welcome, CONTROL_BYTES);
DL_TYPE(dl_deliver_msg, "deliver", dl_deliver, DELIVER_BYTES);
DL_TYPE(dl_ack_msg, "ack", dl_ack, CONTROL_BYTES);
DL_TYPE(dl_commit_msg, "commit", dl_commit, CONTROL_BYTES);
DL_TYPE(dl_heartbeat_msg, "heartbeat", dl_heartbeat, CONTROL_BYTES);
DL_TYPE(dl_revoke_msg, "revoke", dl_revoke, CONTROL_BYTES);
DL_TYPE(dl_kick_msg, "kick", dl_kick, CONTROL_BYTES);

void dl_send(sim_node *n, uint32_t dst, const sim_msg_type *t, const void *body) {
    sim_msg *m = sim_msg_new(n, t);
    memcpy(sim_msg_body(m), body, t->body_size);
    sim_send(n, dst, m);
}
