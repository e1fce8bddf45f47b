/* A relay: the book-keeping of a proxy that passes each request on to a node of its choice and
 * routes the reply back (load_balancer, shard_router). The request itself travels on: its
 * reply_to is pointed at the proxy, and a slot remembers the original reply_to and the
 * proxy's choice until the reply comes back. The same request can pass through twice (a
 * proxy in a loop, or called again by a retrying caller), so slots are found by request id
 * with the newest first and the earlier ones chained below it. An optional delay of the
 * proxy's own (its `service`) holds the request in its slot until a timer fires.
 *
 * A kind that keeps more per request declares its own slot type whose first member is a
 * relay_slot and gives its size to relay_init; relay_at returns that slot. */
#ifndef DSIM_RELAY_H
#define DSIM_RELAY_H

#include "dist.h"
#include "hist.h"
#include "idmap.h"
#include "node.h"
#include "slot_table.h"

#include <stddef.h>
#include <stdint.h>

#define RELAY_NONE UINT32_MAX

typedef struct relay_slot {
    sim_req *held;     /* the request during the proxy's delay, NULL once sent on */
    uint64_t below;    /* index + 1 of the slot this one shadows for the same request id (0:
                          none) */
    uint32_t reply_to; /* the original reply_to */
    uint32_t src;      /* the node the request came from */
    uint32_t target;   /* the kind's choice once sent on (a backend, a shard); RELAY_NONE before */
    bool live;
} relay_slot;

typedef struct relay {
    slot_table slots;   /* the kind's slot type, a relay_slot first */
    sim_idmap pending;  /* request id -> index of its newest slot */
    uint64_t requests;  /* requests issued after the warm-up that arrived */
    sim_hist overhead;  /* the delays added to them */
} relay;

/* Sets up an empty relay whose slots are slot_size bytes (>= sizeof(relay_slot)). */
void relay_init(relay *rl, size_t slot_size);
void relay_free(relay *rl);

/* Slot i (a pointer into the relay: valid until the next relay_arrive). */
static inline relay_slot *relay_at(const relay *rl, size_t i) {
    return slot_table_at(&rl->slots, (uint32_t)i);
}

/* What relay_arrive did with a request it keeps for the delay. */
#define RELAY_HELD (SIZE_MAX - 1)

/* Request r arrives from src: it gets a slot (the kind's part zeroed) and its replies will come
 * to n. With a delay distribution (kind not SIM_DIST_NONE) it is held for a draw of it (slowed
 * like a service time) and timer tag fires with the slot index as arg: returns RELAY_HELD.
 * Otherwise returns the slot index: the caller sends r on now. Returns SIZE_MAX when out of
 * memory (r is freed). */
size_t relay_arrive(relay *rl, sim_node *n, sim_req *r, uint32_t src, const sim_dist *delay,
                    uint16_t tag);

/* The delay timer of slot i fired: returns the request held there (the caller sends it on),
 * or NULL when the slot is stale (the proxy crashed meanwhile). */
sim_req *relay_release(relay *rl, uint64_t i);

/* The slot of reply r, or SIZE_MAX when the relay does not know it (sent on before a crash of
 * the proxy: the sender is forgotten). */
size_t relay_slot_of(const relay *rl, const sim_req *r);

/* Sends r (whose newest slot is i) back to its original sender and frees the slot. */
void relay_answer(relay *rl, sim_node *n, size_t i, sim_req *r);

/* A crash: the held requests are dropped and every slot forgotten. */
void relay_clear(relay *rl, sim_node *n);

#endif
