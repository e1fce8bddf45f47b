/* Counter checks: how a rate_limiter asks a shared counter_store to count one hit on a key's
 * limit. A check is a request (protocols/request.h) carrying a ctr_check payload; the store
 * answers status RR_OK (admitted, with the release time for a leaky bucket) or RR_REJECTED
 * (denied), or RR_FAILED when the check is malformed. */
#ifndef DSIM_COUNTER_H
#define DSIM_COUNTER_H

#include "ratelimit_algo.h"
#include "request.h"

typedef struct ctr_check {
    uint32_t ns;      /* the limiter's counter namespace (its group's first instance) */
    uint64_t key;     /* the limiter key: a key, a client, or 0 for one global limit */
    rl_limit limit;   /* the limit to count against */
    sim_time release; /* in the reply: when an admitted request leaves a leaky bucket */
} ctr_check;

/* A new check of (ns, key) under limit from limiter n. */
static inline rr_req *ctr_check_new(sim_node *n, uint32_t ns, uint64_t key, const rl_limit *l) {
    rr_req *r = rr_new_with(n, sizeof(ctr_check));
    ctr_check *c = rr_payload(r, sizeof *c);
    c->ns = ns;
    c->key = key;
    c->limit = *l;
    return r;
}

/* The check r carries, or NULL when r carries none. */
static inline ctr_check *ctr_of(rr_req *r) { return rr_payload(r, sizeof(ctr_check)); }

#endif
