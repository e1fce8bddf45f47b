/* The engine's event record: what the pending-event set orders and the dispatcher reads.
 * Internal to sim/: models never see events, only messages and timers. 48 bytes: with tens
 * of thousands pending, every byte is cache. */
#ifndef SIM_EVENT_H
#define SIM_EVENT_H

#include "simtime.h"

#include <stdint.h>

struct sim_req;

/* The fixed set of event types (an enum and a switch, not a table). */
typedef enum {
    SIM_EV_DELIVER, /* a message arrives at dst */
    SIM_EV_TIMER,   /* a timer set by dst fires */
    SIM_EV_FAULT,   /* a fault action starts (tag 0) or is undone (tag 1); arg = fault index */
    SIM_EV_SAMPLE,  /* the metrics sampler records a row (metrics.h); not counted as an event */
} sim_event_type;

typedef struct sim_event {
    sim_time time;
    /* Scheduling order in the high 48 bits (2.8e14 events per run), which breaks ties in time
     * (it is unique, so the low bits never decide), and the message or timer tag in the low
     * 16 bits: see sim_event_seq and sim_event_tag. */
    uint64_t seq;
    struct sim_event *next; /* calendar bucket link, or free-list link */
    struct sim_req *req;    /* DELIVER: the request carried, owned by the event; may be NULL */
    uint64_t arg;
    unsigned dst : 24; /* node index (SIM_MAX_NODES) */
    unsigned type : 8; /* sim_event_type */
    union {
        uint32_t src;   /* DELIVER: the sender */
        uint32_t epoch; /* TIMER: dst's incarnation when set; stale after a crash */
    };
} sim_event;

#define SIM_EVENT_TAG_BITS 16

static inline uint64_t sim_event_seq(uint64_t order, uint16_t tag) {
    return order << SIM_EVENT_TAG_BITS | tag;
}
static inline uint16_t sim_event_tag(const sim_event *e) { return (uint16_t)e->seq; }

_Static_assert(sizeof(sim_event) <= 48, "keep events within 48 bytes");

/* True when a is to be processed before b. */
static inline int sim_event_before(const sim_event *a, const sim_event *b) {
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

#endif
