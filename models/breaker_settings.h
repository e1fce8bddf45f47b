/* The message a settings_store sends to the circuit breakers that read it: the breaker settings
 * in force at the store, packed into the fields of the reply to a read (a sim_req and the
 * message's arg), so that they travel over the network like any reply. Shared by
 * models/settings_store.c (which packs) and models/circuit_breaker.c (which unpacks).
 *
 * Layout of a settings reply (tag SIM_MSG_REPLY, status SIM_REQ_OK):
 *   req->version  the settings version: how many changes are in force at the store (0: none)
 *   req->key      when the newest of them came into force (ns of simulated time)
 *   req->token    bits 0-1 force, bits 2-32 failure_rate, bits 33-63 slow_rate; each rate as
 *                 round(rate * 1e9), or 0x7fffffff when the store leaves it to the breaker
 *   arg           open_for in ns, or UINT64_MAX when left to the breaker
 * A rate written with at most 9 decimals comes back as the same double. */
#ifndef DSIM_BREAKER_SETTINGS_H
#define DSIM_BREAKER_SETTINGS_H

#include "request.h"
#include "simtime.h"

#include <math.h>
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

#define BREAKER_RATE_UNSET 0x7fffffffull

static inline uint64_t breaker_rate_code(double rate) {
    return rate < 0 ? BREAKER_RATE_UNSET : (uint64_t)llround(rate * 1e9);
}

static inline double breaker_rate_value(uint64_t code) {
    return code == BREAKER_RATE_UNSET ? -1.0 : (double)code / 1e9;
}

/* Writes s into the reply r and *arg. */
static inline void breaker_settings_pack(const breaker_settings *s, sim_req *r, uint64_t *arg) {
    r->version = s->version;
    r->key = (uint64_t)s->changed_at;
    r->token = ((uint64_t)s->force & 3u) | breaker_rate_code(s->failure_rate) << 2 |
               breaker_rate_code(s->slow_rate) << 33;
    *arg = s->open_for < 0 ? UINT64_MAX : (uint64_t)s->open_for;
}

/* Reads the settings of reply r with message argument arg into *s. */
static inline void breaker_settings_unpack(const sim_req *r, uint64_t arg, breaker_settings *s) {
    s->version = r->version;
    s->changed_at = (sim_time)r->key;
    s->force = (int)(r->token & 3u);
    s->failure_rate = breaker_rate_value(r->token >> 2 & BREAKER_RATE_UNSET);
    s->slow_rate = breaker_rate_value(r->token >> 33 & BREAKER_RATE_UNSET);
    s->open_for = arg == UINT64_MAX ? -1 : (sim_time)arg;
}

#endif
