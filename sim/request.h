/* Requests: the unit of work that clients issue and services serve. A request is owned by
 * exactly one holder at a time: the event carrying it, the node that received it, or the
 * client that got its reply; the holder frees it with sim_req_free (sim/node.h) or passes it on.
 * Requests come from a per-engine free list, so they cost no malloc in steady state. */
#ifndef SIM_REQUEST_H
#define SIM_REQUEST_H

#include "simtime.h"

#include <stdint.h>

/* Operations a request can carry. */
typedef enum { SIM_OP_READ, SIM_OP_WRITE, SIM_OP_COUNT } sim_op;

/* How a request ended, as carried back in its reply. */
typedef enum {
    SIM_REQ_OK,       /* served */
    SIM_REQ_REJECTED, /* refused for lack of room (full queue, no free connection) */
    SIM_REQ_FAILED,   /* an error: the target or a callee was down, or a callee failed */
} sim_req_status;

/* Message tags every kind understands; kinds number their own from SIM_MSG_USER up. */
enum {
    SIM_MSG_REQUEST = 1, /* serve msg->req */
    SIM_MSG_REPLY = 2,   /* msg->req comes back to the node in req->reply_to */
    SIM_MSG_PING = 3,    /* answered by the engine for any node that is up: a PONG with the
                            same arg goes back to the sender (health checks); kinds never see
                            it. A crashed node drops it. */
    SIM_MSG_PONG = 4,    /* the answer to a PING, delivered to the kind like any message */
    SIM_MSG_USER = 16,
};

/* Set by a kind that serves keyed data (a database, a cache) on the reply to a read or write
 * it served (sim_req_serve_data in node.h): `version` then holds the version written or
 * returned, `store` the data store it belongs to and `served_by` the node that supplied it,
 * and the client hands the outcome to the consistency checker (checkers/consistency.h). */
#define SIM_REQ_HAS_DATA 1u

typedef struct sim_req {
    uint64_t id;          /* unique within the engine */
    sim_time issued;      /* when the client issued the original request (calls and retries
                             keep it): decides whether a request counts (warm-up) */
    sim_time arrived;     /* when it arrived at the node now holding it (set by that node) */
    uint64_t key;         /* the key it reads or writes */
    uint64_t version;     /* for writes: the version written; for reads: the version returned */
    uint64_t token;       /* the caller's own matching value, returned unchanged in the reply */
    uint32_t client;      /* the node that issued the original request */
    uint32_t reply_to;    /* where the reply goes: the client, or the caller of a call */
    uint32_t served_by;   /* with SIM_REQ_HAS_DATA: the node that supplied `version` */
    uint32_t store;       /* with SIM_REQ_HAS_DATA: the data store `version` belongs to */
    uint8_t op;           /* sim_op */
    uint8_t status;       /* sim_req_status */
    uint16_t hops;        /* nodes that served it so far */
    uint8_t flags;        /* SIM_REQ_* flags below */
    struct sim_req *next; /* free-list link; free for the holder's own use otherwise */
} sim_req;

/* A kind relaying a data tier's reply to its own caller copies what the reply says of the
 * data (version, store, served_by, SIM_REQ_HAS_DATA) onto the request it answers. */
static inline void sim_req_take_data(sim_req *to, const sim_req *from) {
    if (from->flags & SIM_REQ_HAS_DATA) {
        to->version = from->version;
        to->served_by = from->served_by;
        to->store = from->store;
        to->flags |= SIM_REQ_HAS_DATA;
    }
}

#endif
