/* Delivery: the protocol between a message broker (a `queue`, a `stream`, a `pubsub`) and the
 * `consumer`s that take its messages. Producers do not speak it: they publish with an ordinary
 * request (protocols/request.h) that the broker answers as soon as it has accepted (or
 * refused) the message, so a producer never waits for the processing.
 *
 * A consumer instance subscribes to its broker with a number of credits (its prefetch: the
 * messages it may hold at once). The broker pushes one delivery per credit it holds and the
 * consumer returns a credit with each ack, so "pull" (prefetch 1: one message at a time) and
 * "push with a prefetch limit" are the same exchange with a different credit. The consumer
 * heartbeats its broker: a stream's coordinator declares a member dead when its heartbeats stop
 * (its session times out), and any broker answers a heartbeat from a consumer it does not know
 * (after the broker's own crash) with a kick, so that the consumer subscribes again.
 *
 *   consumer                      broker
 *      │ subscribe {credit} ───────▶ │   (create, restart, after a kick or a refusal)
 *      │ ◀────────────── welcome {}  │   what the broker expects: commits, heartbeats
 *      │ ◀──── deliver {msg, tag, …} │   one per credit
 *      │ ack {msg, tag, outcome} ──▶ │   after processing (or a late, discarded attempt)
 *      │ commit {partition, offset}▶ │   streams only: auto every interval, or per message
 *      │ heartbeat {} ─────────────▶ │   every `heartbeat`
 *      │ ◀─────────────── revoke {}  │   streams: a rebalance begins
 *      │ ◀───────────────── kick {}  │   unknown consumer, or a pub/sub buffer overflow
 *
 * Crashes: a delivery that reaches a crashed consumer comes back to its broker with
 * SIM_MSG_REFUSED set (as a reset connection would tell it); anything a consumer sends to a
 * crashed broker comes back to the consumer the same way. Every other message of the protocol
 * is dropped with its crashed destination.
 *
 * Groups. A queue's consumers compete: the queue is one group, named after the queue. A
 * stream's consumer group is the consumer node's group (every instance of one node name), named
 * after it; each group reads every message. A pub/sub subscriber is the consumer instance
 * itself. The broker tells the delivery checker (checkers/deliveries.h) of each group and message
 * and puts the checker's ids in every delivery, so that the consumer reports each processing
 * of a message to the checker: ground truth, not the broker's belief. */
#ifndef DSIM_DELIVERY_H
#define DSIM_DELIVERY_H

#include "node.h"

#include <stdbool.h>
#include <stdint.h>

/* What a broker expects of its consumers (dl_welcome.flags). */
#define DL_WANTS_COMMITS 1u /* a stream: offsets are committed by the consumer */

/* consumer -> broker: subscribe with `credit` deliveries it may hold now. A subscribe from an
 * instance already subscribed replaces its subscription (a restart). */
typedef struct dl_subscribe {
    uint32_t credit;
} dl_subscribe;

/* broker -> consumer: the subscription is taken. */
typedef struct dl_welcome {
    uint32_t flags;       /* DL_WANTS_COMMITS, ... */
    uint32_t generation;  /* streams: the group's generation it joins (0 otherwise) */
} dl_welcome;

/* broker -> consumer: one message. */
typedef struct dl_deliver {
    uint64_t msg;           /* the delivery checker's message id (delivery_accepted) */
    uint32_t group;         /* the delivery checker's group id (delivery_group_open) */
    uint32_t partition;     /* streams: the partition; 0 otherwise */
    uint64_t offset;        /* streams: the offset within the partition; queues and pub/sub:
                               the message's sequence number at its broker */
    uint64_t key;           /* the producer's key */
    sim_time published;     /* when the broker accepted it */
    uint32_t tag;           /* the delivery attempt (1 for the first), returned in the ack */
    uint32_t generation;    /* streams: the group generation it was delivered in */
    /* Queues: the end of the visibility lease (the broker redelivers after it); the consumer
     * discards an attempt that ends later (an ack with DL_LATE). 0: no lease. */
    sim_time lease_until;
} dl_deliver;

/* How an attempt ended (dl_ack.outcome). */
typedef enum {
    DL_DONE, /* processed: the checker was told (delivery_processed) */
    DL_LATE, /* the lease ran out before the processing ended: its work was discarded */
} dl_outcome;

/* consumer -> broker: an attempt ended; also returns one credit. */
typedef struct dl_ack {
    uint64_t msg;
    uint32_t partition;
    uint64_t offset;
    uint32_t tag;
    uint32_t generation;
    uint8_t outcome; /* dl_outcome */
} dl_ack;

/* consumer -> broker (streams): the group has processed every message of `partition` before
 * `offset` (the next offset to process). The broker takes it only from the partition's owner
 * in the current generation. */
typedef struct dl_commit {
    uint32_t partition;
    uint64_t offset;
    uint32_t generation;
} dl_commit;

/* consumer -> broker: still alive; `held` is the deliveries it holds now. */
typedef struct dl_heartbeat {
    uint32_t held;
    uint32_t generation;
} dl_heartbeat;

/* broker -> consumer (streams): a rebalance begins; commit what you processed, drop what you
 * hold and have not begun, and wait for deliveries of `generation`. */
typedef struct dl_revoke {
    uint32_t generation;
} dl_revoke;

/* broker -> consumer: you are not (or no longer) subscribed: subscribe again after your retry
 * delay. */
typedef struct dl_kick {
    uint8_t reason; /* dl_kick_reason */
} dl_kick;

typedef enum {
    DL_KICK_UNKNOWN,  /* the broker does not know this consumer (it restarted) */
    DL_KICK_OVERFLOW, /* pub/sub: the subscriber's buffer overflowed (on_full: disconnect) */
} dl_kick_reason;

extern const sim_protocol dl_protocol;
extern const sim_msg_type dl_subscribe_msg, dl_welcome_msg, dl_deliver_msg, dl_ack_msg,
    dl_commit_msg, dl_heartbeat_msg, dl_revoke_msg, dl_kick_msg;

/* Sends a new message of type t from n to dst with body (body_size bytes of t's struct),
 * e.g. dl_send(n, broker, &dl_ack_msg, &ack). */
void dl_send(sim_node *n, uint32_t dst, const sim_msg_type *t, const void *body);

/* The body of a message of this protocol, as its struct (t must be m->type). */
static inline void *dl_body(sim_msg *m) { return sim_msg_body(m); }

#endif
