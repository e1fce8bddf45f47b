/* The queue kind's internals, shared by the files of models/async/queue/ and by nothing else:
 * its configuration, the state of one instance, the message store and the helpers the files
 * call on each other. What the kind does is told in queue.c; which file does what:
 *   queue.c      the kind's table, its keys, its figures, the message and timer dispatch
 *   store.c      the held messages: one pooled record each, the three lists, lookup by seq
 *   publish.c    the publish path: publish_time, capacity and its policy, accepting
 *   deliver.c    subscriptions, credits, deliveries, leases, acks, dead letters
 *   lifecycle.c  create, crash, restart, retention, finish, destroy
 * Internal functions are prefixed q__; each is defined in the file its group names.
 *
 * Memory. A held message is one fixed-size record in a pooled table (blocks/slot_table.h,
 * grown by doubling, reused through a free list: no allocation per message) plus one entry of
 * a map from its sequence number to its record (sim/idmap.h): about 110 bytes a message, so a
 * million held messages take some 110 MB. Every operation is O(1): the lists are doubly linked
 * through the records, and the leases and retention each need a single pending timer, because
 * every lease lasts visibility_timeout and every message is kept for retention: the in-flight
 * list in delivery order is also the order in which leases end, and the held list in
 * acceptance order the order in which messages expire. */
#ifndef DSIM_QUEUE_INT_H
#define DSIM_QUEUE_INT_H

#include "deliveries.h" /* checkers/: the delivery checker */
#include "delivery.h"   /* protocols/: what it speaks with its consumers */
#include "hist.h"
#include "idmap.h"
#include "node.h"
#include "request.h"
#include "delay_line.h"
#include "slot_table.h"
#include "tavg.h"

#include <stdbool.h>
#include <stdint.h>

/* Timer tags: a publish being taken carries its slot in q_state.publishing; the lease and
 * retention timers carry nothing (one of each is pending at most, its handle in the state). */
enum { T_PUBLISH, T_LEASE, T_RETENTION };

enum { FULL_REJECT, FULL_DROP_OLDEST };

/* No record (an end of a list). */
#define Q_NONE UINT32_MAX

typedef struct q_config {
    int64_t capacity; /* messages held, visible + in flight; -1: unbounded */
    int when_full;    /* FULL_* */
    sim_time visibility_timeout;
    int64_t max_deliveries; /* -1: unbounded */
    sim_time retention;
    bool durable;
    sim_dist publish_time;
} q_config;

/* Links of a record in one list. */
typedef struct q_links {
    uint32_t prev, next;
} q_links;

/* Where a held message is. */
enum { Q_VISIBLE, Q_IN_FLIGHT };

/* One held message. */
typedef struct q_msg {
    uint64_t msg;         /* the delivery checker's id */
    uint64_t seq;         /* its sequence number here (dl_deliver.offset) */
    uint64_t key;         /* the producer's key */
    sim_time accepted;    /* when it was accepted (dl_deliver.published) */
    sim_time lease_until; /* in flight: when its lease ends */
    q_links q;            /* in the visible list or the in-flight list, as `where` says */
    q_links h;            /* in the held list (every held message, by acceptance) */
    uint32_t deliveries;  /* deliveries made so far (a bounced one is not counted) */
    uint32_t consumer;    /* in flight: the consumer instance holding it */
    uint8_t where;        /* Q_VISIBLE, Q_IN_FLIGHT */
    bool measured;        /* its publish was issued in the measured window */
} q_msg;

/* A list of records, through their q or h links. */
typedef struct q_list {
    uint32_t head, tail;
    uint64_t n;
} q_list;

/* A consumer instance that subscribed. */
typedef struct q_sub {
    uint32_t node;
    uint32_t credit;     /* deliveries it may still be sent */
    bool subscribed;     /* false: it crashed (a bounce) or the queue did */
    bool ready;          /* in the ready ring: subscribed with credit */
    uint32_t prev, next; /* in the ready ring */
} q_sub;

typedef struct q_state {
    uint32_t group;        /* the delivery checker's group */
    uint64_t next_seq;     /* sequence number of the next message accepted */
    slot_table msgs;       /* q_msg records */
    sim_idmap by_seq;      /* seq + 1 -> record */
    q_list visible;        /* waiting for a delivery, the next first (q links) */
    q_list in_flight;      /* delivered, lease running, in delivery order (q links) */
    q_list held;           /* all held, in acceptance order (h links) */
    delay_line publishing; /* publishes being taken (publish_time) */
    q_sub *subs;           /* every consumer instance that subscribed, in order of first
                              subscription */
    uint32_t nsubs, capsubs;
    sim_idmap sub_of;                /* consumer node + 1 -> index in subs */
    uint32_t ready_head, ready_tail; /* subscribers with credit, round robin */
    sim_timer lease, retention;
    /* Figures: counts of messages whose publish was issued in the measured window (late_acks:
     * acks that arrived in it). */
    uint64_t published, refused, delivered, redeliveries, bounced, acked, dead_lettered, dropped,
        expired, crash_lost, late_acks;
    uint64_t settled, settled_deliveries; /* acked + dead-lettered, and their deliveries */
    sim_tavg depth_avg;
    sim_hist wait, delay;
} q_state;

/* store.c */
static inline q_msg *q__at(q_state *s, uint32_t i) { return slot_table_at(&s->msgs, i); }
/* Takes a zeroed record for a new message (Q_NONE when out of memory). */
uint32_t q__take(q_state *s);
/* The record holding sequence number seq, or Q_NONE. */
uint32_t q__find(const q_state *s, uint64_t seq);
/* Registers record i under its seq; returns 0, or -1 when out of memory. */
int q__index(q_state *s, uint32_t i);
/* Forgets message i: out of its list and the held list, its record given back. */
void q__forget(sim_node *n, uint32_t i);
/* List operations through the q links (the visible and in-flight lists; the visible list's
 * time average follows) or the h links (the held list). */
void q__push_back(sim_node *n, q_list *l, uint32_t i);
void q__push_front(sim_node *n, q_list *l, uint32_t i);
void q__insert_after(sim_node *n, q_list *l, uint32_t after, uint32_t i);
void q__unlink(sim_node *n, q_list *l, uint32_t i);
void q__held_push(q_state *s, uint32_t i);
void q__held_unlink(q_state *s, uint32_t i);
/* Forgets every message (an in-memory queue's crash). */
void q__clear(sim_node *n);

/* publish.c */
/* A publish (a request) arrived: takes it after publish_time. */
void q__publish(sim_node *n, rr_req *r);
/* The publish in slot `slot` of q_state.publishing has been taken: accept or refuse it. */
void q__publish_done(sim_node *n, uint64_t slot);

/* deliver.c */
void q__subscribe(sim_node *n, sim_msg *m);
void q__heartbeat(sim_node *n, sim_msg *m);
void q__ack(sim_node *n, sim_msg *m);
void q__bounced(sim_node *n, sim_msg *m);
/* Delivers visible messages while a subscriber has credit. */
void q__dispatch(sim_node *n);
/* The lease timer fired: leases that ended make their messages visible again (or dead). */
void q__leases_end(sim_node *n);
/* Arms the lease timer for the in-flight list's head, when none is pending. */
void q__arm_lease(sim_node *n);
/* The messages in flight whose lease ends by `until` (SIM_TIME_MAX: all, at a durable
 * queue's restart) go back to the head of the queue in delivery order, or are dead-lettered
 * after max_deliveries. */
void q__requeue_in_flight(sim_node *n, sim_time until);
/* Every subscription is forgotten (the queue crashed). */
void q__unsubscribe_all(q_state *s);
/* Message i is settled (acked or dead-lettered) with its figures, then forgotten. */
void q__settle(sim_node *n, uint32_t i);

/* lifecycle.c */
/* Arms the retention timer for the held list's head, when none is pending. */
void q__arm_retention(sim_node *n);
void q__retention_end(sim_node *n);
void q__create(sim_node *n);
void q__crash(sim_node *n);
void q__restart(sim_node *n);
void q__finish(sim_node *n);
void q__destroy(sim_node *n);

#endif
