/* Request/reply: the protocol of clients, services, relays and data tiers. A client issues a
 * request (a read or a write of a key); every node it reaches either answers it with one reply
 * to its reply_to, or passes it on to a node that will. A call is a request a node makes on
 * behalf of one it holds, its reply coming back to the caller.
 *
 * A request is one message (sim/message.h) whose body is an rr_req. Kinds hold requests by
 * their body and send them with rr_send / rr_reply, which move the message itself: a reply is
 * the request turned around, a forward the request sent on, neither allocates. A request that
 * reaches a crashed node comes back as a reply with status RR_FAILED and SIM_MSG_REFUSED set,
 * as from a refused connection.
 *
 * The warm-up rule, one at every hop: a request, a call made for it and a retry of it count
 * by the time its client issued the original (`issued`, kept by every copy), so the figures of
 * adjacent nodes add up (sim_is_measured(n, r->issued)). */
#ifndef DSIM_REQUEST_H
#define DSIM_REQUEST_H

#include "keyed.h"
#include "ledger.h"
#include "node.h"

#include <stdint.h>

/* What a request does: the classes of per-operation parameters (a service time per operation,
 * a client's mix of operations). */
typedef enum { RR_READ, RR_WRITE, RR_OPS } rr_op;
/* Their names in YAML, NULL-terminated; RR_PER_OP goes in such a parameter's table entry. */
extern const char *const rr_op_names[];
#define RR_PER_OP .choices = rr_op_names, .class_word = "operation"
/* The parameter entries of a request's and a reply's size on the wire, per operation, for a
 * kind that issues requests (request_bytes) or makes replies (reply_bytes); both default to
 * 256 bytes, which with the network's default unlimited bandwidth cost no time. */
#define RR_BYTES_PARAM(key, config_type, field, what)                                           \
    {.name = key, .type = SIM_P_BYTES_BY, RR_PER_OP, .offset = offsetof(config_type, field),    \
     .def = "256", .min = 0, .max = 1 << 30,                                                    \
     .help = what " on the wire, or per operation {read: SIZE, write: SIZE} (e.g. 4KiB): what " \
             "the network's bandwidth charges"}

/* How a request ended, as carried back in its reply. */
typedef enum {
    RR_OK,       /* served */
    RR_REJECTED, /* refused for lack of room (full queue, no free connection) */
    RR_FAILED,   /* an error: the target or a callee was down, or a callee failed */
} rr_status;

typedef struct rr_req {
    uint64_t id;        /* unique within the run */
    sim_time issued;    /* when the client issued the original request (calls and retries
                           keep it): decides whether a request counts (warm-up, sim/node.h) */
    sim_time arrived;   /* when it arrived at the node now holding it (set by that node) */
    uint64_t token;     /* the caller's own matching value, returned unchanged in the reply */
    uint32_t client;    /* the node that issued the original request */
    uint32_t reply_to;  /* where the reply goes: the client, or the caller of a call */
    uint8_t op;         /* rr_op: read or write */
    uint8_t status;     /* rr_status, in a reply */
    bool txn;           /* the body carries a transaction after the request (protocols/txn_wire.h) */
    kv_data kv;         /* the key, and what the data tier says of it */
    /* The ledger of the client's original request (sim/ledger.h), which every copy, call and
     * retry of it carries; empty for one that does not count (warm-up). */
    sim_ledger_ref root;
    struct rr_req *next; /* free for the holder's own use (a waiting line) */
    /* A protocol built on this one (a counter check, a settings read) puts its own payload
     * after these fields: rr_new_with and rr_payload. */
} rr_req;

extern const sim_protocol rr_protocol;
extern const sim_msg_type rr_request_msg, rr_reply_msg;

/* The request in a message of this protocol. */
static inline rr_req *rr_of(sim_msg *m) { return (rr_req *)sim_msg_body(m); }
/* True when m is a reply the engine made because the request's target had crashed. */
static inline bool rr_refused(const rr_req *r) {
    return (sim_msg_of_const(r)->flags & SIM_MSG_REFUSED) != 0;
}

/* Returns a new request from client n with a fresh id, issued now, its reply coming to n.
 * Never NULL (see sim_msg_new). */
rr_req *rr_new(sim_node *n);
/* The same with `payload` more bytes of body after the rr_req, zeroed (under 512 bytes). */
rr_req *rr_new_with(sim_node *n, size_t payload);
/* The payload of r, when its body has at least `bytes` of it; NULL otherwise. */
void *rr_payload(rr_req *r, size_t bytes);

/* Returns a new call on behalf of parent (a request n holds), for parent's client, operation,
 * key and ledger, its reply coming to n. Its `issued` is parent's, by which every node decides
 * whether it counts, and its size on the wire parent's too (rr_set_size to change it). */
rr_req *rr_call_new(sim_node *n, const rr_req *parent);
/* What the holder of r makes it wait for now (a kind's own wait: SIM_LEDGER_BACKOFF,
 * SIM_LEDGER_REPLICATION_WAIT, ...; SIM_LEDGER_QUEUE, SIM_LEDGER_SERVICE): the time until r's
 * next transition goes there in the breakdown of its latency (sim/ledger.h). Sending and
 * replying mark the wire themselves; a delivery marks the node's service. */
static inline void rr_wait(sim_node *n, const rr_req *r, sim_ledger_category what) {
    sim_ledger_step(n, &r->root, what);
}
/* Sends request r to dst (a first send, a forward, a retry). */
void rr_send(sim_node *n, uint32_t dst, rr_req *r);
/* Turns r into its reply (status as set) and sends it to r->reply_to: a request turned around
 * gets the reply type's default size on the wire, a reply passed on (a relay answering its own
 * caller with the backend's reply) keeps its size; rr_reply_sized sets `bytes`. */
void rr_reply(sim_node *n, rr_req *r);
void rr_reply_sized(sim_node *n, rr_req *r, uint32_t bytes);
/* Sets the bytes on the wire of the message r travels in (a client's request size). */
void rr_set_size(rr_req *r, uint32_t bytes);
/* Frees r's message. NULL is a no-op. */
void rr_free(sim_node *n, rr_req *r);

#endif
