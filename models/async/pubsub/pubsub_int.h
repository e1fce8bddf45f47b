/* The pubsub kind's internals, shared by the files of models/async/pubsub/ and by nothing else:
 * its configuration, the state of one instance, and what the files call on each other. What
 * the kind does is told in pubsub.c; which file does what:
 *   pubsub.c      the kind's table, its keys, publishing, the message dispatch, crash, finish
 *   subscriber.c  the subscribers: their buffers, deliveries, acks, and the fates of what they
 *                 miss or drop (what the delivery checker is told)
 *   report.c      the node's figures, and each subscriber's under `subscribers`
 * Internal functions are prefixed ps__; each is defined in the file its group names. */
#ifndef DSIM_PUBSUB_INT_H
#define DSIM_PUBSUB_INT_H

#include "deliveries.h" /* checkers/: the delivery checker */
#include "delivery.h"   /* protocols/: what it speaks with its subscribers */
#include "hist.h"
#include "idmap.h"
#include "metrics.h"
#include "node.h"
#include "delay_line.h"
#include "slot_table.h"

#include <stdbool.h>
#include <stdint.h>

enum { ON_FULL_DROP, ON_FULL_DISCONNECT };

/* Timer tags: a publish's publish_time is over (arg: its slot); a subscriber's session is
 * due for a check (arg: its index in ps_state.subs). */
enum { T_PUBLISHED, T_SESSION };

typedef struct ps_config {
    int64_t
        buffer;  /* messages held per subscriber, the one being delivered included; -1: unbounded */
    int on_full; /* ON_FULL_* */
    sim_dist publish_time;
    sim_time session_timeout; /* a subscriber silent that long is taken for gone */
} ps_config;

/* One message held for one subscriber: queued at the broker, or delivered and not yet acked. */
typedef struct ps_item {
    uint64_t msg;       /* the delivery checker's id */
    uint64_t seq;       /* the broker's sequence number (dl_deliver.offset) */
    uint64_t key;       /* the producer's key */
    sim_time published; /* when the broker accepted it */
    bool measured;      /* its publish was issued in the measured window */
} ps_item;

/* A FIFO of items in a ring that grows by doubling. */
typedef struct ps_ring {
    ps_item *items;
    uint32_t head, n, cap;
} ps_ring;

/* A subscriber: one consumer instance that subscribed at least once. The record outlives its
 * connection (and the broker's crashes): it is the delivery checker's group, which must hear
 * of every message published after it opened, connected or not. */
typedef struct ps_sub {
    uint32_t node;      /* the consumer instance */
    uint32_t group;     /* its group at the delivery checker */
    bool connected;     /* subscribed now: it gets what is published */
    sim_time last_seen; /* its last subscribe, heartbeat or ack */
    sim_timer session;  /* checks its session while connected */
    uint32_t credit;    /* deliveries it may still take */
    ps_ring queued;     /* not yet delivered, oldest first */
    ps_item *flight;    /* delivered, not yet acked (in no order) */
    uint32_t nflight, capflight;
    /* measured messages */
    uint64_t delivered, dropped, missed, disconnects;
    sim_hist delay; /* accepted -> acked, ns */
} ps_sub;

typedef struct ps_state {
    ps_sub *subs; /* in the order they first subscribed */
    uint32_t nsubs, capsubs;
    sim_idmap by_node;     /* consumer instance + 1 -> index in subs */
    delay_line publishing; /* the publishes within their publish_time */
    uint64_t seq;          /* messages accepted so far (measured or not) */
    uint64_t connected;    /* subscribers connected now */
    uint64_t buffered;     /* messages held now over every subscriber (queued + in flight) */
    /* measured messages */
    uint64_t published, fanout, dropped, missed, disconnects, timeouts;
    sim_hist delay; /* accepted -> acked, ns */
} ps_state;

/* subscriber.c */
/* The subscriber record of consumer instance node, NULL when it never subscribed. */
ps_sub *ps__sub_of(ps_state *s, uint32_t node);
/* A subscribe from instance node with credit: opens its group at the checker on its first
 * subscribe; a subscribe while connected is a new connection (the consumer restarted), whose
 * old buffer is lost (missed). Connects it and welcomes it. */
void ps__subscribe(sim_node *n, uint32_t node, uint32_t credit);
/* Message it (accepted now) goes to every subscriber: queued for the connected ones (dropped
 * when full, or the subscriber disconnected: on_full), missed by the others. */
void ps__fan_out(sim_node *n, const ps_item *it);
/* An ack from instance node of message msg: frees its place and returns a credit. */
void ps__ack(sim_node *n, uint32_t node, uint64_t msg);
/* A delivery of msg to instance node came back refused: the consumer is down, so it is
 * disconnected and everything held for it is missed. */
void ps__bounced(sim_node *n, uint32_t node, uint64_t msg);
/* The session check of subscriber index i is due: one silent for session_timeout is gone
 * (disconnected, what was held for it missed); the check is set again otherwise. */
void ps__session_check(sim_node *n, uint32_t i);
/* A heartbeat from instance node: one the broker does not count as connected (it never
 * subscribed, was disconnected, or the broker restarted since) gets a kick, so that it
 * subscribes again. */
void ps__heartbeat(sim_node *n, uint32_t node);
/* The broker crashed: every subscriber loses its connection and what was held for it
 * (missed). */
void ps__crash_subs(sim_node *n);
/* The run's end: what is held for every subscriber is pending. */
void ps__pending_all(sim_node *n);
void ps__subs_free(ps_state *s);

/* report.c */
extern const sim_metric ps__metrics[];

#endif
