/* Ledgers: where the time of one client request went. A client opens a ledger when it issues a
 * request that counts (after the warm-up); every copy of the request (the original, a
 * forward, a call made for it, a retry) carries a sim_ledger_ref to it, and each transition
 * of a copy (delivered to a node, taken up by a worker, sent on, answered, made to wait)
 * closes the segment [last transition, now] into one (place, category) and opens the next.
 * The segments partition the request's life from issue to outcome, so they add up to its
 * latency exactly. The client then reads the ledger into the run's aggregates and closes it.
 *
 * The rule: a segment goes to the state the previous transition opened (network after a
 * send, the node's queue after a queued arrival, its service after a delivery or a worker's
 * start, or what a kind marks it now waits for: replication acks, a backoff). With several
 * copies of one attempt in flight at once (a network duplicate, a request a load balancer timed
 * out while its backend still holds it), the segment between two transitions goes to the
 * state the earlier one opened, whichever copy made it: an approximation. A retry starts
 * a new attempt: transitions of copies of an earlier attempt (a late reply, the original
 * still queued after its time-out) are ignored, so they cannot take the backoff's time.
 *
 * The table is the engine's own (no state is shared between engines), made on first use and
 * sized by the ledgers open at once: a ledger's slot is reused once it is closed, so a long
 * run's memory follows the requests in flight, never their history. */
#ifndef SIM_LEDGER_H
#define SIM_LEDGER_H

#include "engine.h"
#include "node.h"
#include "simtime.h"

#include <stddef.h>
#include <stdint.h>

/* Where a segment was spent. A kind that marks a new kind of wait adds its category here, with
 * its name in sim_ledger_category_names (docs/adding-a-kind.md). */
typedef enum {
    SIM_LEDGER_NETWORK,          /* on the wire (no place: the network) */
    SIM_LEDGER_QUEUE,            /* waiting for a worker at a node */
    SIM_LEDGER_SERVICE,          /* at a node, being worked on (or passed through) */
    SIM_LEDGER_BACKOFF,          /* a client or a caller waiting before a retry */
    SIM_LEDGER_REPLICATION_WAIT, /* a primary holding a write for its replicas' acks */
    SIM_LEDGER_CATEGORIES,
} sim_ledger_category;

/* "network", "queue", ...: indexed by sim_ledger_category. */
extern const char *const sim_ledger_category_names[SIM_LEDGER_CATEGORIES];

/* What a request carries: which ledger, and which attempt of it. All zero: none (a request
 * issued during the warm-up, or by no client). */
typedef struct sim_ledger_ref {
    uint64_t root;    /* the ledger's serial number (never 0), telling a reused slot apart */
    uint32_t slot;    /* 1 + its index in the engine's table; 0: no ledger */
    uint32_t attempt; /* the attempt it belongs to */
} sim_ledger_ref;

/* One segment of a ledger, in (place, category): place is an engine node index of the
 * group's first instance (instances fold into their group), SIM_NO_NODE for the network. A
 * (place, category) may have several segments. */
typedef struct sim_ledger_part {
    uint32_t place;
    uint32_t category;
    sim_time spent;
} sim_ledger_part;

/* Opens a ledger for a request client n issues now, into *ref (its root a serial number of
 * the engine's). The run is marked failed when out of memory (ref then stays empty). */
void sim_ledger_open(sim_node *n, sim_ledger_ref *ref);

/* A transition of a copy carrying ref at node n now: closes the open segment, and opens the
 * next one at n in category next (SIM_LEDGER_NETWORK: on the wire). A no-op for an empty or
 * stale ref. */
void sim__ledger_step(sim_node *n, const sim_ledger_ref *ref, sim_ledger_category next);
static inline void sim_ledger_step(sim_node *n, const sim_ledger_ref *ref,
                                   sim_ledger_category next) {
    if (ref->slot)
        sim__ledger_step(n, ref, next);
}

/* A retry of the request (by the client, or by a caller of a call made for it): later
 * transitions of copies carrying an earlier attempt are ignored. Updates ref to the new
 * attempt (copy it into the retry's messages). Like sim_ledger_parts and sim_ledger_close,
 * it takes a ref of any attempt of the ledger (the client's, kept since the first). */
void sim_ledger_new_attempt(sim_node *n, sim_ledger_ref *ref);

/* The segments of an open ledger (closing the open segment first, at n now), NULL with
 * *count 0 for an empty or stale ref. Borrowed until the ledger is closed. */
const sim_ledger_part *sim_ledger_parts(sim_node *n, const sim_ledger_ref *ref, size_t *count);

/* Closes the ledger (its slot is free for another); a no-op for an empty or stale ref. */
void sim_ledger_close(sim_node *n, sim_ledger_ref *ref);

/* Ledgers open in engine e now (for tests of the bound on memory). */
size_t sim_ledger_open_count(const sim_engine *e);
/* Slots the table holds (open or free): the most ledgers ever open at once. */
size_t sim_ledger_slot_count(const sim_engine *e);

/* Frees engine e's table (engine.c, at the engine's end). */
typedef struct sim_ledger_book sim_ledger_book;
void sim__ledger_book_free(sim_ledger_book *b);

#endif
