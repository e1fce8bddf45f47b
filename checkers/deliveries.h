/* The delivery checker: what became of every message a broker acknowledged, judged from what
 * really happened, not from what the broker believes. Brokers (queue, stream, pubsub) tell it
 * of the messages they accept and of the fates they decide (a drop, an expiry, a dead letter,
 * a loss in a crash, a miss); consumers tell it of every processing they finish. At the end,
 * for each group (a queue; a stream's consumer group; a pub/sub subscriber: protocols/
 * delivery.h), every message the broker acknowledged in the measured window is exactly one of
 *
 *   processed once | processed more than once | lost | dead-lettered | missed | pending
 *
 * in that order of precedence: a message processed at least once counts as processed whatever
 * else befell it; otherwise by the fate its broker reported last (lost: dropped when full,
 * expired by retention, lost in a broker crash); otherwise pending when its broker reported at
 * the end that it still holds it; and a message of which none of this is true counts as lost,
 * "vanished": the broker let it go without saying so (a bug this checker exists to catch). So
 *   acknowledged = processed_once + processed_more + lost + dead_lettered + missed + pending
 * holds exactly, per group. Publishes a broker refused (full, reject policy) are counted apart.
 * Per stream partition and group, an order violation is a message processed for the first time
 * after a later message of its partition was.
 *
 * Ids: a message is known by the id delivery_accepted returns (unique within the run), a group
 * by the id delivery_group_open returns; brokers put both in their deliveries (dl_deliver). A
 * call that returns -1 (out of memory) should be followed by sim_out_of_memory. */
#ifndef DSIM_DELIVERIES_H
#define DSIM_DELIVERIES_H

#include "checker.h"
#include "node.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct delivery_checker delivery_checker;

/* The checker kind: the document's "delivery" key, present when any broker accepted or refused
 * a message or opened a group. */
extern const sim_checker_kind dsim_delivery_checker;

/* The run's checker, for a hook of a kind that lists dsim_delivery_checker. */
static inline delivery_checker *delivery_of(sim_node *n) {
    return sim_checker(n, &dsim_delivery_checker);
}

/* What kind of broker a group belongs to (its "kind" in the document). */
typedef enum { DELIVERY_QUEUE, DELIVERY_STREAM, DELIVERY_PUBSUB } delivery_broker;

/* What a broker decided about a message for a group. */
typedef enum {
    DELIVERY_DROPPED,       /* lost: pushed out when full (drop_oldest, a pub/sub buffer) */
    DELIVERY_EXPIRED,       /* lost: deleted by retention before it was processed */
    DELIVERY_CRASH_LOST,    /* lost: held in memory by a broker that crashed */
    DELIVERY_DEAD_LETTERED, /* moved to the dead-letter queue after max_deliveries */
    DELIVERY_MISSED,        /* pub/sub: published while the subscriber was not connected */
    DELIVERY_PENDING,       /* at the end: still held, not yet processed */
    DELIVERY_FATES
} delivery_fate;

/* Returns a new empty checker (NULL when out of memory); the engine makes the run's own. */
delivery_checker *delivery_new(void);
void delivery_free(delivery_checker *dc);

/* Broker node `broker` opens group `name` (borrowed: a node or instance name, which outlives
 * the engine) and sets *group to its id. Idempotent: the same (broker, name) gives the same id,
 * so a broker may open a group whenever a member subscribes. The group covers every message
 * the broker accepts from now on, and with `whole_log` also every one accepted before (a
 * queue's group and a stream's consumer groups read the whole log; a pub/sub subscriber only
 * what is published once it has subscribed). Returns 0, or -1 when out of memory. */
int delivery_group_open(delivery_checker *dc, uint32_t broker, delivery_broker kind,
                        const char *name, bool whole_log, uint32_t *group);

/* Broker node `broker` accepted a message (it acknowledges the publish): sets *msg to the
 * message's id. `partition` and `offset` place it (streams; 0 and the broker's sequence number
 * otherwise), `at` is now, and `measured` says whether it counts (its publish request was
 * issued in the measured window: sim_is_measured(n, r->issued)). Returns 0, or -1. */
int delivery_accepted(delivery_checker *dc, uint32_t broker, uint32_t partition, uint64_t offset,
                      sim_time at, bool measured, uint64_t *msg);

/* Broker node `broker` refused a publish (full, reject policy). */
void delivery_refused(delivery_checker *dc, uint32_t broker, bool measured);

/* A consumer of group `group` finished processing message `msg` at time `at` (its work is
 * done; the ack may still be lost). Returns 0, or -1. */
int delivery_processed(delivery_checker *dc, uint32_t group, uint64_t msg, sim_time at);

/* The broker of `group` decided `fate` for message msg in that group (a later call
 * overrides an earlier one; a processing always prevails). DELIVERY_PENDING is said in the
 * broker's finish hook, for every message it still holds unprocessed. Returns 0, or -1. */
int delivery_decided(delivery_checker *dc, uint32_t group, uint64_t msg, delivery_fate fate);

/* The same for every group of msg's broker (a stream's retention, a crash of a queue). */
int delivery_decided_all(delivery_checker *dc, uint64_t msg, delivery_fate fate);

/* Times message msg of group `group` was processed so far (0 for an unknown one): what a
 * broker's figure of reprocessing may compare with. */
uint32_t delivery_processings(const delivery_checker *dc, uint32_t group, uint64_t msg);

/* Judges every group (the checker kind's settle); then delivery_report writes the figures.
 * Returns 0, or -1. */
int delivery_settle(delivery_checker *dc);

/* Writes the "delivery" object's members (results.md#delivery). */
void delivery_report(const delivery_checker *dc, sim_report *w);

#endif
