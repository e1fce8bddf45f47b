/* The network between nodes: per-message latency drawn from the network's own random stream
 * (a link's distribution where one matches, else the default), loss, and the cuts made by
 * partition faults. It decides the fate of a message; the engine schedules its delivery. */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "topology.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* An active network fault: a `loss` (extra loss on every message, or on one link when
 * from/to are set) or a `partition` (side per node, 0 = not in it). Faults overlap freely:
 * each ends on its own. */
typedef struct sim_net_fault {
    const sim_fault *fault;
    uint16_t *side; /* partitions only */
} sim_net_fault;

typedef struct sim_net {
    const sim_network *cfg;
    gsl_rng *rng;
    bool simple; /* no links, loss, faults: the fast path */
    size_t nnodes;
    sim_net_fault *active;
    size_t nactive, capactive;
    uint64_t sent, lost, cut;
} sim_net;

typedef enum { SIM_NET_DELIVER, SIM_NET_LOST, SIM_NET_CUT } sim_net_verdict;

/* Sets up the network of cfg (borrowed) for nnodes nodes under master seed. -1 when out of
 * memory. */
int sim_net_init(sim_net *n, const sim_network *cfg, size_t nnodes, uint64_t seed);
void sim_net_destroy(sim_net *n);
/* Decides a message from src to dst: delivered after *delay, lost, or cut by a partition. */
sim_net_verdict sim_net_route(sim_net *n, uint32_t src, uint32_t dst, sim_time *delay);
/* Starts a `partition` or `loss` fault f (borrowed from the topology). Returns 0, or -1 when
 * out of memory. */
int sim_net_fault_start(sim_net *n, const sim_fault *f);
/* Ends fault f (heals its partition, or removes its loss); other faults stay. */
void sim_net_fault_end(sim_net *n, const sim_fault *f);

#endif
