/* The network between nodes: per-message latency drawn from the network's own random stream
 * (a link's distribution where one matches, else the default), loss, and the cuts made by
 * partition faults. It decides the fate of a message; the engine schedules its delivery. */
#ifndef SIM_NET_H
#define SIM_NET_H

#include "topology.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>

/* An active `loss` fault: extra loss on every message, or on one link (from/to count > 0). */
typedef struct sim_net_loss {
    const sim_fault *fault;
} sim_net_loss;

typedef struct sim_net {
    const sim_network *cfg;
    gsl_rng *rng;
    bool simple;          /* no links, loss, faults: the fast path */
    uint16_t *side;       /* partition side per node, 0 = not in the partition; NULL: none */
    size_t nnodes;
    const sim_fault **losses; /* active loss faults */
    size_t nlosses, caplosses;
    uint64_t sent, lost, cut;
} sim_net;

typedef enum { SIM_NET_DELIVER, SIM_NET_LOST, SIM_NET_CUT } sim_net_verdict;

/* Sets up the network of cfg (borrowed) for nnodes nodes under master seed. -1 when out of
 * memory. */
int sim_net_init(sim_net *n, const sim_network *cfg, size_t nnodes, uint64_t seed);
void sim_net_destroy(sim_net *n);
/* Decides a message from src to dst: delivered after *delay, lost, or cut by a partition. */
sim_net_verdict sim_net_route(sim_net *n, uint32_t src, uint32_t dst, sim_time *delay);
/* Starts a partition: the nodes of groups[i] form side i+1; replaces any earlier one. -1 when
 * out of memory. */
int sim_net_partition(sim_net *n, const sim_reflist *groups, size_t ngroups);
/* Heals the partition. */
void sim_net_heal(sim_net *n);
/* Starts or ends a loss fault. -1 when out of memory. */
int sim_net_add_loss(sim_net *n, const sim_fault *f);
void sim_net_remove_loss(sim_net *n, const sim_fault *f);

#endif
