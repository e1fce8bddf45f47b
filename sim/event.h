/* The engine's event record: what the pending-event set orders and the dispatcher reads.
 * Internal to sim/: models never see events, only messages and timers. 56 bytes. */
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
} sim_event_type;

typedef struct sim_event {
    sim_time time;
    uint64_t seq;           /* scheduling order: breaks ties in time */
    struct sim_event *next; /* calendar bucket link, or free-list link */
    struct sim_req *req;    /* DELIVER: the request carried, owned by the event; may be NULL */
    uint64_t arg;
    uint32_t dst, src;
    uint32_t epoch; /* TIMER: dst's incarnation when set; stale after a crash */
    uint16_t tag;
    uint8_t type;
} sim_event;

/* True when a is to be processed before b. */
static inline int sim_event_before(const sim_event *a, const sim_event *b) {
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

#endif
