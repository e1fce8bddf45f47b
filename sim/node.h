/* What a node-kind hook may do with its node: read the clock and its configuration, draw from
 * its own random stream, send messages over the network, set timers, and take requests from
 * the engine's pool. A sim_node pointer is valid during the hook that receives it. */
#ifndef SIM_NODE_H
#define SIM_NODE_H

#include "kind.h"
#include "request.h"
#include "simtime.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* Current simulated time. */
sim_time sim_now(const sim_node *n);
/* End of the warm-up: requests issued before it are left out of every figure. One rule at
 * every hop: a request (or a call made for it, a retry of it) counts by the time its client
 * issued the original request, req->issued, so the figures of adjacent nodes add up. */
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
/* The node's own random stream. */
gsl_rng *sim_rng(sim_node *n);
/* Service-time multiplier from `slow` faults (1 when none). */
double sim_slow_factor(const sim_node *n);
/* A service time of ns nanoseconds (drawn by the caller) as the node takes it now: scaled by
 * the slow factor, rounded to whole ns and capped at SIM_TIME_MAX. */
sim_time sim_slowed(const sim_node *n, double ns);

/* Sends a message to node dst through the network (latency, loss, partitions, crashes);
 * ownership of req (may be NULL) passes to the network. */
void sim_send(sim_node *n, uint32_t dst, uint16_t tag, sim_req *req, uint64_t arg);
/* Sends req back to req->reply_to with tag SIM_MSG_REPLY (req->status says how it went). */
void sim_reply(sim_node *n, sim_req *req);
/* Sets a timer that calls the kind's timer hook with tag and arg after delay (>= 0). */
void sim_set_timer(sim_node *n, sim_time delay, uint16_t tag, uint64_t arg);
/* Returns the index of one instance of ref, uniformly at random from n's stream. */
uint32_t sim_pick(sim_node *n, const sim_ref *ref);

/* Returns a zeroed request with a fresh id, owned by the caller. Never NULL: on allocation
 * failure the run is marked failed and a spare request is returned. */
sim_req *sim_req_new(sim_node *n);
/* Returns req to the pool. NULL is a no-op. */
void sim_req_free(sim_node *n, sim_req *req);

/* Returns a new call on behalf of parent (a request n holds), for parent's client, operation,
 * key and version, its reply coming to n. Its `issued` is parent's (the original request's
 * issue time), by which every node decides whether it counts. Never NULL (see sim_req_new). */
sim_req *sim_call_new(sim_node *n, const sim_req *parent);

/* Node n (a database instance, a cache, a kv_store) answers req with version of a key of
 * data store `store` (the node naming the store: for a cache, the store its entry came from),
 * written or read: sets version, store, served_by = n and SIM_REQ_HAS_DATA, so that the
 * client's consistency checker judges it. */
void sim_req_serve_data(const sim_node *n, sim_req *req, uint32_t store, uint64_t version);

/* Marks the run as failed (exit status 1) for lack of memory and stops it at the next event. */
void sim_out_of_memory(sim_node *n);

#endif
