/* The network between nodes: for each message, whether it arrives (loss, partition cuts),
 * how many copies (duplication), and when: queueing and serialization on the sender's
 * interface and the link (bandwidth), the latency drawn from the sending node's own network
 * stream (a link's distribution where one matches, else the default), latency faults, and
 * reordering. It decides the fate of a message; the engine schedules its deliveries. */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "rng.h"
#include "topology.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* An open-addressing map from a pair of 64-bit keys (0 in .a: empty slot) to a 32-bit
 * value: links and faults by the references at their two ends (net.c). */
typedef struct sim_net_slot {
    uint64_t a, b;
    uint32_t value;
} sim_net_slot;

typedef struct sim_net_map {
    sim_net_slot *slots;
    size_t cap, count; /* cap a power of two, or 0 */
} sim_net_map;

/* When each directed link (src, dst) with a bandwidth is next free; only links still busy
 * are worth keeping, so idle ones are dropped when the table fills. */
typedef struct sim_net_busy {
    uint64_t *keys; /* src << 32 | dst; UINT64_MAX: empty */
    sim_time *free_at;
    size_t cap, count;
} sim_net_busy;

/* A node's interface: its bandwidth (0: none) and when each direction is next free. */
typedef struct sim_net_iface {
    double bps;
    sim_time out_free, in_free;
} sim_net_iface;

/* One topology fault's state in the network. */
typedef struct sim_net_fault {
    uint16_t *side;   /* a partition in force: the side of every node (0: none) */
    uint64_t stamp;   /* the last message it was applied to (a link fault matches once) */
    uint32_t next[2]; /* its next fault in the chain of each of its keys (UINT32_MAX: end) */
    bool active;
} sim_net_fault;

typedef struct sim_net {
    const sim_topology *topo;
    const sim_network *cfg;
    uint64_t seed;
    bool simple; /* no links, loss, duplicate, reorder, bandwidth or faults: the fast path */
    size_t nnodes;
    sim_rng_cell *streams; /* per sending node, seeded at its first draw */
    gsl_rng view;          /* draws from the sender's cell (state pointed at it) */
    sim_net_map links;     /* (from, to) and (to, from) -> lowest index of a link */
    sim_net_map chains;    /* (from, to) of link faults, (node, 0) of node faults,
                              (0, 0) none -> first fault in force of the chain */
    sim_net_fault *faults; /* per topology fault */
    uint32_t *partitions;  /* partitions in force, by topology fault index */
    size_t npartitions;
    size_t nactive;          /* faults in force that the network applies */
    size_t nscoped;          /* of them, loss and latency faults on a link or node */
    double kept_everywhere;  /* product of (1 - p) over the loss faults everywhere */
    sim_time add_everywhere; /* sum of the latency faults everywhere */
    uint32_t everywhere;     /* first fault everywhere in force (UINT32_MAX: none) */
    sim_net_iface *ifaces;   /* per node, only when interfaces are declared */
    sim_net_busy busy;
    uint64_t sent, lost, cut, duplicated, reordered, bytes;
} sim_net;

/* Sets up the network of topo (borrowed: cfg, nodes and faults) under master seed. -1 when
 * out of memory (nothing to destroy then). */
int sim_net_init(sim_net *n, const sim_topology *topo, uint64_t seed);
void sim_net_destroy(sim_net *n);
/* Decides a message of bytes from src to dst sent at now: returns how many copies arrive (0:
 * lost or cut by a partition, 1, or 2 when duplicated) and stores their arrival times in
 * at[0..count-1]; -1 when out of memory. Every draw comes from src's network stream. */
int sim_net_route(sim_net *n, uint32_t src, uint32_t dst, uint32_t bytes, sim_time now,
                  sim_time at[2]);
/* Asks the CPU to start loading src's network stream, which its next send draws from. */
static inline void sim_net_prefetch(const sim_net *n, uint32_t src) {
    __builtin_prefetch(&n->streams[src]);
}
/* Starts fault f (one of the topology's: a partition, loss or latency fault; others are
 * ignored). Returns 0, or -1 when out of memory. */
int sim_net_fault_start(sim_net *n, const sim_fault *f);
/* Ends fault f (heals its partition, removes its loss or latency); other faults stay. */
void sim_net_fault_end(sim_net *n, const sim_fault *f);

#endif
