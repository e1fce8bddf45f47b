/* Counter checks: how a rate_limiter asks a shared counter_store to count one hit on a key's
 * limit. A check is a request (protocols/request.h) carrying a ctr_check payload; the store
 * answers status RR_OK (admitted, with the release time for a leaky bucket) or RR_REJECTED
 * (denied), or RR_FAILED when the check is malformed. */
#ifndef DSIM_COUNTER_H
#define DSIM_COUNTER_H

#include "request.h"
#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

/* The rate-limiting algorithms a limit names (blocks/ratelimit_algo.h runs them). */
typedef enum {
    RL_FIXED_WINDOW,
    RL_SLIDING_LOG,
    RL_SLIDING_WINDOW,
    RL_TOKEN_BUCKET,
    RL_LEAKY_BUCKET,
} rl_algo;

/* The limit one counter enforces. */
typedef struct rl_limit {
    int algo;           /* rl_algo */
    int64_t limit;      /* window algorithms: admissions per window; 0 denies everything */
    sim_time window;    /* window algorithms: the window length (> 0) */
    sim_time interval;  /* buckets: 1/rate in ns (> 0); 0 denies everything */
    int64_t burst;      /* token bucket: capacity; leaky bucket: queue places (>= 1) */
} rl_limit;

/* True for the two bucket algorithms (which use interval and burst, not limit and window). */
static inline bool rl_is_bucket(int algo) {
    return algo == RL_TOKEN_BUCKET || algo == RL_LEAKY_BUCKET;
}

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
