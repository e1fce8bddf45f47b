/* Settings reads: how a circuit_breaker reads the settings in force at a shared
 * settings_store. A read is a request (protocols/request.h); the store's reply carries a
 * breaker_settings payload. */
#ifndef DSIM_SETTINGS_H
#define DSIM_SETTINGS_H

#include "request.h"
#include "simtime.h"

#include <stdint.h>

/* What a change does to the breaker's state. KEEP appears only in a store's changes (the
 * change leaves the forcing as it was); a reply carries NONE, OPEN or CLOSED. */
enum { BREAKER_FORCE_KEEP, BREAKER_FORCE_NONE, BREAKER_FORCE_OPEN, BREAKER_FORCE_CLOSED };

typedef struct breaker_settings {
    uint64_t version;               /* changes in force at the store (0: none yet) */
    sim_time changed_at;            /* when the newest of them came into force */
    int force;                      /* BREAKER_FORCE_NONE, _OPEN or _CLOSED */
    double failure_rate, slow_rate; /* < 0: the breaker's own */
    sim_time open_for;              /* < 0: the breaker's own */
} breaker_settings;

/* A new settings read from breaker n, with room for the reply's settings. */
static inline rr_req *settings_read_new(sim_node *n) {
    return rr_new_with(n, sizeof(breaker_settings));
}

/* The settings r carries (a reply), or NULL when it has no room for them. */
static inline breaker_settings *settings_of(rr_req *r) {
    return rr_payload(r, sizeof(breaker_settings));
}

#endif
