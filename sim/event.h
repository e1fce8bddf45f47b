/* The engine's event record: what the pending-event set orders and the dispatcher reads.
 * Internal to sim/: models never see events, only messages and timers. A message travels
 * inside its event: the header (sim_msg) is the record's last member and the body follows it
 * in the same block, so sending, forwarding and replying move one block and copy nothing.
 * Every event has a block of at least 64 bytes, one cache line: a timer or a fault fits, and
 * so does a message with a body of up to 16 bytes; larger ones take the block of their size
 * class (engine.c). The pending-event set keeps its own links (queue.h), not the record. */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include "message.h"
#include "simtime.h"

#include <stdint.h>

/* The fixed set of event types (an enum and a switch, not a table). */
typedef enum {
    SIM_EV_DELIVER,   /* a message arrives at dst */
    SIM_EV_TIMER,     /* a timer set by dst fires */
    SIM_EV_FAULT,     /* a fault action starts (tag 0) or is undone (tag 1); arg = fault index */
    SIM_EV_CANCELLED, /* a cancelled timer, left in the queue and recycled when popped */
    SIM_EV_SAMPLE,    /* the metrics sampler records a row (metrics.h); not counted as an event */
} sim_event_type;

typedef struct sim_event {
    sim_time time;
    /* Scheduling order in the high 48 bits (2.8e14 events per run), which breaks ties in time
     * (it is unique, so the low bits never decide), and the timer's tag in the low 16 bits:
     * see sim_event_seq and sim_event_tag. A timer handle names its event by this number. */
    uint64_t seq;
    uint32_t dst;       /* node index */
    uint8_t type;       /* sim_event_type */
    uint8_t size_class; /* the free list the block returns to */
    union {
        struct {
            uint64_t arg;
            uint32_t epoch; /* dst's incarnation when set: stale after a crash */
        } timer;            /* TIMER, FAULT */
        sim_msg msg;        /* DELIVER: the header; the body follows the record */
    };
} sim_event;

_Static_assert(sizeof(sim_event) == offsetof(sim_event, msg) + sizeof(sim_msg),
               "a message's body must start right after the event record");
_Static_assert(sizeof(sim_event) <= 64, "keep timer events within one cache line");

#define SIM_EVENT_TAG_BITS 16

static inline uint64_t sim_event_seq(uint64_t order, uint16_t tag) {
    return order << SIM_EVENT_TAG_BITS | tag;
}
static inline uint16_t sim_event_tag(const sim_event *e) { return (uint16_t)e->seq; }

/* The event a message travels in. */
static inline sim_event *sim_event_of(sim_msg *m) {
    return (sim_event *)((char *)m - offsetof(sim_event, msg));
}

/* True when a is to be processed before b. */
static inline int sim_event_before(const sim_event *a, const sim_event *b) {
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

#endif
