/* A relay: the book-keeping of a proxy that passes each request on to a node of its choice and
 * routes the reply back (load_balancer, shard_router). The request itself travels on: its
 * reply_to is pointed at the proxy, and a slot remembers the original reply_to and the
 * proxy's choice until the reply comes back. The same request can pass through twice (a
 * proxy in a loop, or called again by a retrying caller), so slots are found by request id
 * with the newest first and the earlier ones chained below it. An optional delay of the
 * proxy's own (its `service`) holds the request in its slot until a timer fires.
 *
 * A kind that keeps more per request declares its own slot type whose first member is a
 * relay_slot and gives its size to relay_init; relay_at returns that slot.
 *
 * Held requests end: with a timeout (relay_set_timeout) a request whose reply has not come
 * back `timeout` after it arrived is answered FAILED to its sender (a gateway timeout, as
 * nginx's proxy_read_timeout or HAProxy's `timeout server` do) and its slot is freed; a reply
 * that comes later is unknown to the relay. Without it a reply lost downstream (a partition
 * between a replica and the primary it forwarded a write to, a `loss` fault on the way back)
 * would hold its slot forever, and a kind counting its requests in flight per target would
 * count it forever. A timeout is the one mechanism that ends every such request, wherever it
 * was lost; routing replies back through the target would end only those lost beyond it.
 * Deadlines are kept in arrival order (one timeout for all), so one timer at a time serves
 * them all. */
#ifndef DSIM_RELAY_H
#define DSIM_RELAY_H

#include "dist.h"
#include "hist.h"
#include "idmap.h"
#include "request.h"
#include "slot_table.h"

#include <stddef.h>
#include <stdint.h>

#define RELAY_NONE UINT32_MAX

typedef struct relay_slot {
    rr_req *held;     /* the request during the proxy's delay, NULL once sent on */
    uint64_t below;    /* index + 1 of the slot this one shadows for the same request id (0:
                          none) */
    uint32_t reply_to; /* the original reply_to */
    uint32_t src;      /* the node the request came from */
    uint32_t target;   /* the kind's choice once sent on (a backend, a shard); RELAY_NONE before */
    uint32_t stamp;    /* tells this use of the slot from earlier ones (deadlines) */
    sim_timer delay;   /* the proxy's delay, while `held`: cancelled when the slot is freed
                          first (a timeout), so that it cannot release the slot's next request */
    bool live;
    rr_req head; /* the request as it arrived, to answer its sender on a timeout */
} relay_slot;

/* A held request's deadline. */
typedef struct relay_deadline {
    sim_time at;
    uint32_t slot, stamp;
} relay_deadline;

typedef struct relay {
    slot_table slots;   /* the kind's slot type, a relay_slot first */
    sim_idmap pending;  /* request id -> index of its newest slot */
    uint64_t requests;  /* requests issued after the warm-up that arrived */
    sim_hist overhead;  /* the delays added to them */
    uint64_t timed_out; /* requests issued after the warm-up answered by the timeout */
    /* timeout: deadlines in arrival order (a ring buffer) and the timer that serves them */
    sim_time timeout; /* <= 0: none */
    uint16_t timeout_tag;
    bool armed;
    uint32_t stamp_seq;
    relay_deadline *dl;
    size_t dl_head, dl_n, dl_cap;
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
size_t relay_arrive(relay *rl, sim_node *n, rr_req *r, uint32_t src, const sim_dist *delay,
                    uint16_t tag);

/* The delay timer of slot i fired: returns the request held there (the caller sends it on),
 * or NULL when the slot is stale (the proxy crashed meanwhile). */
rr_req *relay_release(relay *rl, uint64_t i);

/* The slot of reply r, or SIZE_MAX when the relay does not know it (sent on before a crash of
 * the proxy: the sender is forgotten). */
size_t relay_slot_of(const relay *rl, const rr_req *r);

/* Sends r (whose newest slot is i) back to its original sender and frees the slot. */
void relay_answer(relay *rl, sim_node *n, size_t i, rr_req *r);

/* Held requests are answered FAILED `timeout` after they arrived (timeout <= 0: never); the
 * kind's timer `tag` fires for it (its arg means nothing) and the kind then calls
 * relay_next_expired until it returns SIZE_MAX. */
void relay_set_timeout(relay *rl, sim_time timeout, uint16_t tag);

/* The timeout timer fired: returns a slot whose deadline has passed (the kind does its own
 * book-keeping of it, then calls relay_time_out), or SIZE_MAX when there is none left (the
 * timer is then set for the next deadline). */
size_t relay_next_expired(relay *rl, sim_node *n);

/* Answers the sender of slot i FAILED (a copy of the request as it arrived: the request
 * itself is lost or still downstream; if it comes back, its slot is unknown) and frees the
 * slot. */
void relay_time_out(relay *rl, sim_node *n, size_t i);

/* A crash: the held requests are dropped and every slot forgotten. */
void relay_clear(relay *rl, sim_node *n);

#endif
