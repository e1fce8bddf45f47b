/* Messages: what nodes send each other. A message is a small header (its type, sender, size
 * on the wire, flags) followed directly by a body whose layout the type declares, the way ROSS
 * puts an event's payload right after its header. The engine knows bodies only as bytes; what
 * they mean is defined by the protocols (protocols/), one header per protocol, so a kind
 * includes exactly the protocols it speaks.
 *
 * Ownership: a message has exactly one holder. A kind creates one with sim_msg_new (node.h),
 * fills its body and hands it to sim_send; the receiving kind owns it from its receive hook on
 * and either keeps it (a request waiting in a queue), sends it on (a relay, or a reply made
 * from the request, which costs no allocation), or frees it with sim_msg_free. Messages come
 * from per-engine free lists by size class: no malloc per message in steady state. */
#ifndef SIM_MESSAGE_H
#define SIM_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_msg sim_msg;
struct sim_node;

/* No node: what a refusal hook returns to have a message dropped. */
#define SIM_NO_NODE UINT32_MAX

/* A protocol: a family of message types that one kind sends and another answers. The bit is
 * what kinds and reference parameters name (sim_kind.serves, sim_param.needs) so the loader can
 * refuse a reference to a node that cannot answer. */
typedef struct sim_protocol {
    const char *name;
    unsigned bit;
    /* A message of this protocol reached a crashed node. NULL: it is dropped silently (the
     * sender learns of the crash by a timeout: heartbeats, replication, votes). Otherwise the
     * hook marks m as refused in the protocol's own terms (e.g. a request's status becomes
     * "failed" and its type the reply's) and returns the node that must hear of it, which the
     * engine then sends m to from the crashed node, like a refused connection; SIM_NO_NODE
     * drops it. SIM_MSG_REFUSED is set on the header either way. Bounce only what cannot
     * bounce again (a request, turned into its reply; never a reply), or two crashed nodes
     * would pass a message back and forth at one instant. */
    uint32_t (*refuse)(sim_msg *m);
    /* A message of this protocol is delivered to node n, which is up, just before its kind's
     * receive hook: what the protocol tracks of every hop (a request's ledger, sim/ledger.h).
     * NULL: nothing (PHOLD's messages, heartbeats), at the cost of one branch. */
    void (*arrive)(struct sim_node *n, sim_msg *m);
} sim_protocol;

/* A message type: a constant table, one per kind of message (a request, its reply, a
 * heartbeat, a log entry). Kinds tell messages apart by comparing m->type with the address of
 * the types they know. */
typedef struct sim_msg_type {
    const char *name;              /* for traces and docs, e.g. "request" */
    const sim_protocol *protocol;  /* the family it belongs to (NULL: private to one kind) */
    size_t body_size;              /* bytes of the body struct (0: a header-only message) */
    uint32_t wire_bytes;           /* default size on the wire, before the sender sets one */
} sim_msg_type;

/* Header flags. */
#define SIM_MSG_REFUSED 1u /* bounced by the engine: the destination had crashed */

struct sim_msg {
    const sim_msg_type *type;
    uint32_t src;   /* the sending node (set by sim_send) */
    uint32_t size;  /* bytes on the wire: what the network's bandwidth charges */
    uint32_t flags; /* SIM_MSG_* */
    uint32_t body_bytes; /* bytes of body that follow (type->body_size, or more if sized) */
};

/* The body, right after the header. */
static inline void *sim_msg_body(sim_msg *m) { return m + 1; }
static inline const void *sim_msg_body_const(const sim_msg *m) { return m + 1; }
/* The message a body belongs to (every body lives right after its header). */
static inline sim_msg *sim_msg_of(void *body) { return (sim_msg *)body - 1; }
static inline const sim_msg *sim_msg_of_const(const void *body) {
    return (const sim_msg *)body - 1;
}

/* True when m belongs to protocol p. */
static inline int sim_msg_is(const sim_msg *m, const sim_protocol *p) {
    return m->type->protocol == p;
}

#endif
