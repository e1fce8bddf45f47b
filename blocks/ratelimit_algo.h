/* Rate-limiting algorithms as a pure module: counters that decide, for one limiter key at one
 * instant, whether a request is admitted (and, for the leaky bucket, when it may leave). No
 * engine, no random draws, no I/O: the `rate_limiter` kind runs them on local counters, the
 * `counter_store` kind runs them on its own counters for a remote limiter, and the tests drive
 * them directly on synthetic timelines. The limits themselves (rl_limit) are the counter
 * protocol's (protocols/counter.h): a limiter sends them to a store in its checks.
 *
 * Algorithms (only admitted requests are counted; a denied one leaves no trace):
 * - fixed_window: windows [kW, (k+1)W) aligned to time 0; admit while the window's count is
 *   below `limit` (the Redis INCR + EXPIRE counter). Up to 2 x limit in a span shorter than W
 *   straddling a boundary.
 * - sliding_log: the times of the admitted requests of the last W; admit when fewer than
 *   `limit` lie in (t - W, t]. Never more than `limit` in any window [a, a + W).
 * - sliding_window: Cloudflare's weighted counter ("How we built rate limiting capable of
 *   scaling to millions of domains", 2017): with p admitted in the previous aligned window, c
 *   in the current one and e the time elapsed in it, admit when p (W - e) / W + c < limit.
 *   Bound: any window [kW + x, (k+1)W + x) holds fewer than limit + p_k x / W + 1 admissions,
 *   p_k being the count of window k (derivation in docs/topology.md, rate_limiter).
 * - token_bucket: GCRA virtual scheduling (ITU-T I.371), equivalent to a bucket of `burst`
 *   tokens refilled at `rate` that starts full: at most rate T + burst in any window of
 *   length T.
 * - leaky_bucket: a queue of `burst` places drained at `rate` (a shaper): an admitted request
 *   leaves at the returned release time, one every 1/rate; a full queue denies. At most
 *   rate T + 1 releases in any window of length T.
 * The bucket interval 1/rate is kept as whole nanoseconds (rounded), so every decision is
 * exact integer arithmetic. */
#ifndef DSIM_RATELIMIT_ALGO_H
#define DSIM_RATELIMIT_ALGO_H

#include "counter.h"
#include "simtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The YAML words of rl_algo, NULL-terminated. */
extern const char *const rl_algo_names[];

/* Returns the interval in whole ns for a rate per second (at least 1 ns). */
sim_time rl_interval_of(double rate_per_s);
/* The most admissions (releases, for the leaky bucket) l allows in any window of length w:
 * limit for the window algorithms, floor(w / interval) + burst for the token bucket,
 * floor(w / interval) + 1 for the leaky bucket. */
int64_t rl_ideal(const rl_limit *l, sim_time w);

/* A ring of times, oldest first: the sliding log, and the limiter's own measurement of what it
 * admitted. The owner frees it with rl_log_free. */
typedef struct rl_log {
    sim_time *t;
    size_t head, n, cap;
} rl_log;

/* Drops the entries at or before cutoff. */
void rl_log_expire(rl_log *g, sim_time cutoff);
/* Appends t (not earlier than the last entry). Returns 0, or -1 when out of memory. */
int rl_log_push(rl_log *g, sim_time t);
void rl_log_free(rl_log *g);

/* One limiter key's state; zeroed means "never seen" (a bucket starts full). */
typedef struct rl_counter {
    bool used;
    sim_time start;  /* window algorithms: start of the current aligned window */
    int64_t count;   /* window algorithms: admitted in the current window */
    int64_t prev;    /* sliding_window: admitted in the previous window */
    sim_time tat;    /* token bucket: theoretical arrival time; leaky: next release slot */
    rl_log log;      /* sliding_log */
} rl_counter;

/* Decides one request arriving at now (not earlier than the counter's previous call).
 * Returns 1 (admitted; *release = the time it may leave: now, or later for the leaky bucket),
 * 0 (denied; *release untouched) or -1 (out of memory: nothing changed). */
int rl_check(rl_counter *c, const rl_limit *l, sim_time now, sim_time *release);
/* Frees what the counter holds; it is zeroed ("never seen") afterwards. */
void rl_counter_reset(rl_counter *c);

/* Counters by (namespace, key): open addressing with linear probing, no deletion. */
typedef struct rl_table {
    struct rl_slot *slots;
    size_t cap, n; /* cap is 0 or a power of two */
} rl_table;

void rl_table_init(rl_table *t);
/* The counter of (ns, key), created zeroed when new; NULL when out of memory. The pointer is
 * valid until the next rl_table_get or rl_table_clear. */
rl_counter *rl_table_get(rl_table *t, uint32_t ns, uint64_t key);
/* Drops every counter, keeping the slot array. */
void rl_table_clear(rl_table *t);
/* Frees everything; the table is empty and reusable afterwards. */
void rl_table_free(rl_table *t);

#endif
