/* What a node-kind hook may do with its node: read the clock and its configuration, draw from
 * its own random stream, make and send messages (message.h), and set and cancel timers. A
 * sim_node pointer is valid during the hook that receives it. */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include "kind.h"
#include "message.h"
#include "simtime.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* Current simulated time. */
sim_time sim_now(const sim_node *n);
/* End of the warm-up: work that began before it is left out of every figure (for requests,
 * the one rule of protocols/request.h: by their client's issue time, at every hop). */
sim_time sim_warmup_end(const sim_node *n);
/* End of the run (the topology's duration). */
sim_time sim_run_end(const sim_node *n);
/* True when t falls in the measured window [warm-up end, run end]. */
bool sim_is_measured(const sim_node *n, sim_time t);

/* The instance's zeroed state of kind->state_size bytes, owned by the engine. */
void *sim_state(sim_node *n);
const void *sim_state_const(const sim_node *n);
/* The parsed configuration shared by the instances of a group (read-only). */
const void *sim_config(const sim_node *n);
/* Instance name ("web" or "web.3"), engine index, and the index within its group. */
const char *sim_node_name(const sim_node *n);
uint32_t sim_node_id(const sim_node *n);
/* Instance name of node id (an index from a resolved sim_ref) in n's simulation, e.g. for a
 * kind that reports figures per peer; borrowed, valid as long as the topology. */
const char *sim_node_name_of(const sim_node *n, uint32_t id);
uint32_t sim_node_replica(const sim_node *n);
/* The node's own group (all instances of its name) as a reference. */
sim_ref sim_node_group(const sim_node *n);
/* True when a fault of the run (written or drawn) loses this instance's disk (`lose_data`): a
 * kind that promises the consistency oracle never to fall below a version (a durable copy)
 * must not promise it then. */
bool sim_node_may_lose_data(const sim_node *n);
/* The node's own random stream. */
gsl_rng *sim_rng(sim_node *n);
/* Service-time multiplier from `slow` faults (1 when none). */
double sim_slow_factor(const sim_node *n);
/* A service time of ns nanoseconds (drawn by the caller) as the node takes it now: scaled by
 * the slow factor, rounded to whole ns and capped at SIM_TIME_MAX. */
sim_time sim_slowed(const sim_node *n, double ns);

/* Returns a new message of type t owned by the caller: zeroed body of t->body_size bytes,
 * size on the wire t->wire_bytes (set m->size to change it). Never NULL for a body of at most
 * 1 KiB (every fixed-size type): when memory runs out the run is marked failed and a spare
 * message is returned, which the engine never sends. */
sim_msg *sim_msg_new(sim_node *n, const sim_msg_type *t);
/* The same with a body of body_bytes (at least t->body_size), for bodies that end in an array
 * (a batch of log entries, a chunk of data); but NULL, the run then marked failed, when
 * body_bytes is beyond the largest block (64 MiB less the event record) or, beyond the
 * spare's SIM_SPARE_BODY bytes (1 KiB), when memory runs out: a kind asking for more than
 * 1 KiB returns at once on NULL. */
sim_msg *sim_msg_new_sized(sim_node *n, const sim_msg_type *t, size_t body_bytes);
/* Returns m to the engine's free lists. NULL is a no-op. */
void sim_msg_free(sim_node *n, sim_msg *m);
/* Sends m to node dst through the network (bandwidth, latency, loss, partitions, crashes);
 * ownership passes to the network. m may be one the node received: a reply or a forward
 * reuses the request's message. */
void sim_send(sim_node *n, uint32_t dst, sim_msg *m);

/* A pending timer, as sim_set_timer returns it: the event it set and that event's scheduling
 * number, which no other event shares, so a handle whose timer fired, was cancelled or was
 * dropped by a crash is recognised as spent. A zeroed handle is no timer. */
typedef struct sim_timer {
    struct sim_event *ev; /* the engine's: kinds only keep, pass and zero handles */
    uint64_t seq;
} sim_timer;
/* Sets a timer that calls the kind's timer hook with tag and arg after delay (>= 0). A timer
 * pending at a crash never fires (its event still counts in the run's events when its time
 * comes; a cancelled one does not). */
sim_timer sim_set_timer(sim_node *n, sim_time delay, uint16_t tag, uint64_t arg);
/* Cancels *t if it is still pending, in O(1), and zeroes *t; a spent or zeroed handle is a
 * no-op. A node may reset a timer a million times: cancelled events do not pile up. */
void sim_cancel_timer(sim_node *n, sim_timer *t);
/* True while *t has neither fired nor been cancelled (nor dropped by a crash). */
bool sim_timer_pending(const sim_node *n, const sim_timer *t);

/* Returns the index of one instance of ref, uniformly at random from n's stream among the
 * members of its group (membership.h; the first instance when none is a member). */
uint32_t sim_pick(sim_node *n, const sim_ref *ref);
/* A number unique within the run (request ids, call ids), counting from 1. */
uint64_t sim_unique_id(sim_node *n);

/* Marks the run as failed (exit status 1) for lack of memory and stops it at the next event. */
void sim_out_of_memory(sim_node *n);

#endif
