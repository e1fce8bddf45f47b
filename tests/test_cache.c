/* cache and kv_store (docs/topology.md "cache", "kv_store").
 *
 * Oracles:
 *   - LRU under the independent reference model (IRM) with Zipf keys: Che's approximation
 *     (Che, Tung & Wang, IEEE JSAC 20(7), 2002; its accuracy explained by Fricker, Robert &
 *     Roberts, ITC 24, 2012). The characteristic time T_C solves
 *     sum_i (1 - exp(-p_i T_C)) = C, and the hit ratio is sum_i p_i (1 - exp(-p_i T_C)).
 *     Che is an approximation, so the tolerance is the 99.9% Student-t half-width over 10
 *     seeded replications PLUS an approximation allowance of 3% of the predicted hit ratio:
 *     the literature reports errors of about 1% or less for Zipf laws with caches of 100
 *     entries and more (Che et al. Table 1; Fricker et al. §4), and 3% leaves room for that
 *     residual without hiding a wrong simulator (a FIFO or random-eviction cache, or an LRU
 *     that forgot to move hits to the front, misses Che by well over 3% at these sizes). The
 *     test also checks that the half-width is below the allowance, so that the comparison
 *     means something.
 *   - TTL-only cache (no eviction) under Poisson requests of rate lambda per key: a miss
 *     fills the entry for T; the requests of the next T are hits (Poisson, mean lambda T); the
 *     first one after is a miss. By the renewal-reward theorem the hit ratio is
 *     lambda T / (1 + lambda T) (e.g. Fofack, Nain, Neglia & Towsley, "Analysis of TTL-based
 *     cache networks", VALUETOOLS 2012). 99.9% t-interval over 10 replications.
 *   - Deterministic: counts that follow from the model's rules (evictions = misses - capacity
 *     when every fill happens in the measured window; expirations = misses once every key
 *     was filled; a crash empties the cache; hit and miss latencies with constant times;
 *     zero stale reads through a single write-through cache, for any timing; zero stale
 *     reads for cache-aside with invalidation when nothing is concurrent).
 * Every run also checks each client's accounting identity
 *   issued = completed + rejected + timed_out + failed + in_flight. */
#include "support.h"

#include "lru.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A figure of node (whose instance name may hold a dot, as "c.2"). */
static double node_num(const cJSON *doc, const char *node, const char *key) {
    return t_get(t_get(t_get(doc, "nodes"), node), key)->valuedouble;
}

static cJSON *run(const char *yaml, uint64_t seed) {
    cJSON *doc = t_run(yaml, seed);
    t_expect_accounting(doc);
    return doc;
}

/* ---- the LRU table itself ---- */

/* Capacity 3: inserting 1, 2, 3, touching 1, then inserting 4 evicts 2 (the least recently
 * used), then 5 evicts 3; removal frees a slot without evicting; clear empties it. */
Test(cache, lru_table_evicts_least_recently_used) {
    lru c;
    lru_entry victim;
    bool evicted;
    lru_init(&c, 3);
    for (uint64_t k = 1; k <= 3; k++) {
        cr_assert(lru_insert(&c, k, &victim, &evicted));
        cr_expect(!evicted);
    }
    lru_touch(&c, lru_find(&c, 1));
    lru_entry *e = lru_insert(&c, 4, &victim, &evicted);
    cr_assert(e);
    e->version = 44;
    cr_expect(evicted);
    cr_expect_eq(victim.key, 2);
    cr_expect_null(lru_find(&c, 2));
    cr_assert(lru_insert(&c, 5, &victim, &evicted));
    cr_expect(evicted && victim.key == 3);
    cr_expect_eq(lru_find(&c, 4)->version, 44);
    lru_remove(&c, lru_find(&c, 1));
    cr_expect_eq(c.n, 2);
    cr_assert(lru_insert(&c, 0, &victim, &evicted)); /* key 0 is a key like any other */
    cr_expect(!evicted);
    cr_expect_null(lru_insert(&c, UINT64_MAX, &victim, &evicted));
    uint64_t order[3], n = 0; /* most recently used first */
    for (uint32_t i = c.head; i != LRU_NONE; i = c.slots[i].next)
        order[n++] = c.slots[i].key;
    cr_expect(n == 3 && order[0] == 0 && order[1] == 5 && order[2] == 4);
    lru_clear(&c);
    cr_expect_eq(c.n, 0);
    cr_expect_null(lru_find(&c, 4));
    for (uint64_t k = 10; k < 13; k++) {
        cr_assert(lru_insert(&c, k, &victim, &evicted));
        cr_expect(!evicted);
    }
    lru_free(&c);
}

/* An entry that reaches the LRU end expired is counted as an expiration, not an eviction.
 * Capacity 1, TTL 5 ms, a read every 10 ms of one of 2 keys: the one entry has always expired
 * when the next read comes. The same key: the lookup finds it expired; the other key: its fill
 * pushes it out. Either way one expiration per miss but the very first, and no hit. */
Test(cache, expired_victims_count_as_expirations) {
    cJSON *doc = run("name: exp\nduration: 10s\nnodes:\n"
                     "  users: {kind: client, target: c,"
                     " arrival: {dist: constant, value: 10ms}, keys: {dist: uniform, n: 2}}\n"
                     "  c: {kind: cache, backend: db, capacity: 1, ttl: 5ms}\n"
                     "  db: {kind: kv_store}\n",
                     1);
    long long misses = t_int(doc, "nodes.c.misses");
    cr_expect_gt(misses, 900);
    cr_expect_eq(t_int(doc, "nodes.c.hits"), 0);
    cr_expect_eq(t_int(doc, "nodes.c.expirations"), misses - 1);
    cr_expect_eq(t_int(doc, "nodes.c.evictions"), 0);
    cJSON_Delete(doc);
}

/* ---- Che's approximation ---- */

typedef struct che_params {
    const double *p;
    size_t n;
    double capacity;
} che_params;

static double che_occupancy(double t, void *arg) {
    const che_params *c = arg;
    double sum = 0;
    for (size_t i = 0; i < c->n; i++)
        sum += -expm1(-c->p[i] * t);
    return sum - c->capacity;
}

/* Che's hit ratio of an LRU cache of `capacity` entries under IRM with Zipf(s) over n keys
 * (p_i proportional to (i + 1)^-s, key 0 the most popular, as sim/index_dist.h draws them). T_C is
 * found by Brent's method (GSL) on a bracket doubled until it holds the root. */
static double che_hit_ratio(size_t n, double s, double capacity) {
    double *p = malloc(n * sizeof *p), norm = 0;
    cr_assert(p);
    for (size_t i = 0; i < n; i++)
        norm += p[i] = pow((double)(i + 1), -s);
    for (size_t i = 0; i < n; i++)
        p[i] /= norm;
    che_params cp = {p, n, capacity};
    gsl_function f = {che_occupancy, &cp};
    double lo = 0, hi = 1;
    while (che_occupancy(hi, &cp) < 0)
        hi *= 2;
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(solver, &f, lo, hi);
    int status = GSL_CONTINUE;
    for (int it = 0; it < 200 && status == GSL_CONTINUE; it++) {
        gsl_root_fsolver_iterate(solver);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(solver),
                                        gsl_root_fsolver_x_upper(solver), 0, 1e-12);
    }
    cr_assert_eq(status, GSL_SUCCESS);
    double tc = gsl_root_fsolver_root(solver), hit = 0;
    gsl_root_fsolver_free(solver);
    for (size_t i = 0; i < n; i++)
        hit += p[i] * -expm1(-p[i] * tc);
    free(p);
    return hit;
}

/* Reads only, zipf keys, backend answering at once: the IRM. 2 s warm-up fills the cache
 * (20 000 requests for 100 entries); 100 000 measured requests per replication. */
static void check_che(double s) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: che\nduration: 12s\nwarmup: 2s\nnodes:\n"
             "  users: {kind: client, target: c, rate: 10000/s,\n"
             "          keys: {dist: zipf, n: 1000, s: %g}}\n"
             "  c: {kind: cache, backend: db, capacity: 100}\n"
             "  db: {kind: kv_store}\n",
             s);
    enum { REPS = 10 };
    double x[REPS];
    const char *path = "nodes.c.hit_ratio";
    t_replicate(yaml, REPS, &path, 1, x);
    t_ci ci = t_ci_of(x, REPS, 0.999);
    double che = che_hit_ratio(1000, s, 100), allowance = 0.03 * che;
    cr_log_info("zipf s=%g: LRU hit ratio %.5f +- %.5f, Che %.5f (diff %+.5f, allowed %.5f)", s,
                ci.mean, ci.half, che, ci.mean - che, ci.half + allowance);
    cr_expect_lt(ci.half, allowance, "the interval (+- %.5f) is too wide to test Che", ci.half);
    cr_expect_leq(fabs(ci.mean - che), ci.half + allowance,
                  "s=%g: hit ratio %.5f +- %.5f, Che %.5f", s, ci.mean, ci.half, che);
}

Test(cache, lru_zipf_08_matches_che) { check_che(0.8); }
Test(cache, lru_zipf_10_matches_che) { check_che(1.0); }

/* ---- TTL ---- */

/* 10 uniform keys at 100/s each (1000/s in all), TTL T, capacity far above the key count:
 * hit ratio lambda T / (1 + lambda T). Every key is filled in the 1 s warm-up, so each
 * measured miss finds an expired entry: expirations = misses exactly, and nothing is evicted. */
static void check_ttl(const char *ttl, double lambda_t) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: ttl\nduration: 41s\nwarmup: 1s\nnodes:\n"
             "  users: {kind: client, target: c, rate: 1000/s, keys: {dist: uniform, n: 10}}\n"
             "  c: {kind: cache, backend: db, capacity: 1000, ttl: %s}\n"
             "  db: {kind: kv_store}\n",
             ttl);
    enum { REPS = 10 };
    double x[REPS];
    for (int i = 0; i < REPS; i++) {
        cJSON *doc = run(yaml, (uint64_t)i + 1);
        x[i] = t_num(doc, "nodes.c.hit_ratio");
        cr_expect_eq(t_int(doc, "nodes.c.expirations"), t_int(doc, "nodes.c.misses"));
        cr_expect_eq(t_int(doc, "nodes.c.evictions"), 0);
        cr_expect_gt(t_int(doc, "nodes.c.misses"), 0);
        cJSON_Delete(doc);
    }
    char what[64];
    snprintf(what, sizeof what, "TTL hit ratio, lambda T = %g", lambda_t);
    t_expect_in_ci(what, t_ci_of(x, REPS, 0.999), lambda_t / (1 + lambda_t));
}

Test(cache, ttl_hit_ratio_is_lambda_t_over_one_plus_lambda_t) {
    check_ttl("20ms", 2.0);
    check_ttl("5ms", 0.5);
}

/* ---- counts ---- */

/* 500 uniform keys, capacity 50, no warm-up: every miss fills; once the cache is full every
 * fill evicts one entry. */
Test(cache, evictions_are_fills_beyond_capacity) {
    cJSON *doc = run("name: ev\nduration: 10s\nnodes:\n"
                     "  users: {kind: client, target: c, rate: 1000/s,"
                     " keys: {dist: uniform, n: 500}}\n"
                     "  c: {kind: cache, backend: db, capacity: 50}\n"
                     "  db: {kind: kv_store}\n",
                     3);
    long long misses = t_int(doc, "nodes.c.misses");
    cr_expect_gt(misses, 50);
    cr_expect_eq(t_int(doc, "nodes.c.evictions"), misses - 50);
    cr_expect_eq(t_int(doc, "nodes.c.entries"), 50);
    cr_expect_eq(t_int(doc, "nodes.c.backend_calls"), misses);
    cr_expect_eq(t_int(doc, "nodes.c.hits") + misses, t_int(doc, "nodes.c.reads"));
    cr_expect_eq(t_int(doc, "nodes.db.reads"), misses);
    cJSON_Delete(doc);
}

/* 10 keys, a request every 1 ms, capacity 10, an instant backend: each key misses once;
 * the crash at 20.0005 s (off the arrival instants) empties the cache, the restart 1 s later
 * brings it back empty, and each key misses exactly once more. A cache left down has no
 * entries at the end. */
Test(cache, crash_empties_the_cache) {
    const char *yaml = "name: crash\nduration: 40s\nnodes:\n"
                       "  users: {kind: client, target: c, timeout: 1s,"
                       " arrival: {dist: constant, value: 1ms}, keys: {dist: uniform, n: 10}}\n"
                       "  c: {kind: cache, backend: db, capacity: 10}\n"
                       "  db: {kind: kv_store}\n"
                       "faults:\n"
                       "  - {at: 20000500us, crash: c, duration: 1s}\n";
    cJSON *doc = run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.c.misses"), 20);
    cr_expect_eq(t_int(doc, "nodes.c.entries"), 10);
    cr_expect_eq(t_int(doc, "nodes.c.evictions"), 0);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 1000); /* refused while down */
    cJSON_Delete(doc);
    const char *down = "name: crash\nduration: 40s\nnodes:\n"
                       "  users: {kind: client, target: c, timeout: 1s, rate: 100/s}\n"
                       "  c: {kind: cache, backend: db, capacity: 10}\n"
                       "  db: {kind: kv_store}\n"
                       "faults:\n"
                       "  - {at: 20s, crash: c}\n";
    doc = run(down, 1);
    cr_expect_eq(t_int(doc, "nodes.c.entries"), 0);
    cJSON_Delete(doc);
}

/* The crash drops the requests the cache holds. A TTL of 1 ns and a backend taking 3.5 ms (so
 * fills fall between the 1 ms arrival instants) make every read a miss: the reads issued at
 * 19.997, 19.998, 19.999 and 20.000 s are awaiting the backend at the crash (20.0002 s); they
 * are lost and their clients time out; the 1000 sent while it is down are refused. */
Test(cache, crash_drops_held_requests) {
    cJSON *doc = run("name: held\nduration: 30s\nnodes:\n"
                     "  users: {kind: client, target: c, timeout: 1s,"
                     " arrival: {dist: constant, value: 1ms}, keys: {dist: uniform, n: 10}}\n"
                     "  c: {kind: cache, backend: db, capacity: 10, ttl: 1ns}\n"
                     "  db: {kind: kv_store, service: 3500us}\n"
                     "faults:\n"
                     "  - {at: 20000200us, crash: c, duration: 1s}\n",
                     1);
    cr_expect_eq(t_int(doc, "nodes.users.timed_out"), 4);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 1000);
    cr_expect_eq(t_int(doc, "nodes.c.hits"), 0);
    cJSON_Delete(doc);
}

/* Constant times, no network latency: a hit takes the lookup (1 ms); a miss the lookup and
 * the backend's 5 ms; a write the same. */
Test(cache, hits_and_misses_take_their_times) {
    cJSON *doc = run("name: lat\nduration: 20s\nnodes:\n"
                     "  users: {kind: client, target: c, rate: 200/s,"
                     " ops: {read: 0.8, write: 0.2}, keys: {dist: zipf, n: 100, s: 1}}\n"
                     "  c: {kind: cache, backend: db, capacity: 20, service: 1ms}\n"
                     "  db: {kind: kv_store, service: 5ms}\n",
                     2);
    cr_expect_gt(t_int(doc, "nodes.c.hits"), 0);
    cr_expect_gt(t_int(doc, "nodes.c.misses"), 0);
    cr_expect_float_eq(t_num(doc, "nodes.c.hit_ms.mean"), 1.0, 1e-9);
    cr_expect_float_eq(t_num(doc, "nodes.c.miss_ms.mean"), 6.0, 1e-9);
    cr_expect_float_eq(t_num(doc, "nodes.c.write_ms.mean"), 6.0, 1e-9);
    cr_expect_eq(t_int(doc, "nodes.c.backend_calls"),
                 t_int(doc, "nodes.c.misses") + t_int(doc, "nodes.c.writes"));
    cJSON_Delete(doc);
}

/* ---- consistency ---- */

/* Write-through behind a single cache: a write's ack passes the cache (which sets the entry)
 * before it reaches its client, and a fill never replaces a newer version, so a read issued
 * after an acknowledged write finds that version or a newer one, in the cache or the store:
 * zero stale reads, whatever the latencies. Two clients, random network latency, a small LRU
 * and a TTL so that evictions, expirations and concurrent misses all happen. */
Test(cache, write_through_serves_no_stale_read) {
    const char *yaml = "name: wt\nduration: 30s\nnetwork: {latency: {dist: exponential, "
                       "mean: 1ms}}\nnodes:\n"
                       "  a: {kind: client, target: c, rate: 500/s, ops: {read: 0.7, write: 0.3},"
                       " keys: {dist: zipf, n: 200, s: 1}}\n"
                       "  b: {kind: client, target: c, rate: 500/s, ops: {read: 0.9, write: 0.1},"
                       " keys: {dist: zipf, n: 200, s: 1}}\n"
                       "  c: {kind: cache, backend: db, capacity: 20, ttl: 50ms,"
                       " population: eager, service: {dist: exponential, mean: 100us}}\n"
                       "  db: {kind: kv_store, service: {dist: exponential, mean: 2ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = run(yaml, seed);
        cr_expect_gt(t_int(doc, "consistency.reads_checked"), 10000);
        cr_expect_gt(t_int(doc, "consistency.writes_acked"), 3000);
        cr_expect_gt(t_int(doc, "nodes.c.hits"), 1000);
        cr_expect_gt(t_int(doc, "nodes.c.updates"), 3000);
        cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0, "seed %llu",
                     (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
        cJSON_Delete(doc);
    }
}

/* Cache-aside with no latency anywhere (nothing is concurrent: every request is served at the
 * instant it is issued). With invalidation, a write's ack drops the entry before anyone can
 * read it: zero stale reads. Without, the old entry stays (no TTL, every key fits) and every
 * read of a key after its first write returns the old version: with 10 writes/s per key,
 * nearly every read of the measured window is stale (rate far above 1/2). */
Test(cache, cache_aside_invalidation_prevents_stale_reads) {
    const char *yaml = "name: ca\nduration: 20s\nwarmup: 2s\nnodes:\n"
                       "  users: {kind: client, target: c, rate: 1000/s,"
                       " ops: {read: 0.9, write: 0.1}, keys: {dist: uniform, n: 10}}\n"
                       "  c: {kind: cache, backend: db, capacity: 10}\n"
                       "  db: {kind: kv_store}\n";
    const char *off[] = {"nodes.c.invalidate=false"};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *on = run(yaml, seed);
        cr_expect_gt(t_int(on, "consistency.reads_checked"), 10000);
        cr_expect_eq(t_int(on, "consistency.stale_reads"), 0);
        cr_expect_gt(t_int(on, "nodes.c.invalidations"), 1000);
        cJSON_Delete(on);
        cJSON *doc = t_run_with(yaml, seed, off, 1);
        t_expect_accounting(doc);
        cr_expect_gt(t_num(doc, "consistency.stale_read_rate"), 0.5);
        cr_expect_eq(t_int(doc, "nodes.c.invalidations"), 0);
        cJSON_Delete(doc);
    }
}

/* kv_store alone: versions count the writes of each key; reads return the current one. */
Test(cache, kv_store_assigns_versions) {
    cJSON *doc = run("name: kv\nduration: 10s\nnodes:\n"
                     "  users: {kind: client, target: db, rate: 100/s,"
                     " ops: {read: 0.5, write: 0.5}, keys: {dist: uniform, n: 5}}\n"
                     "  db: {kind: kv_store, service: {read: 1ms, write: 2ms}}\n",
                     1);
    cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0);
    cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
    cr_expect_eq(t_int(doc, "consistency.writes_acked"), t_int(doc, "nodes.db.writes"));
    cr_expect_eq(t_int(doc, "consistency.reads_checked"), t_int(doc, "nodes.db.reads"));
    cr_expect_eq(t_int(doc, "nodes.db.keys"), 5);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 2.0, 1e-9);
    cJSON_Delete(doc);
}

/* ---- shards ---- */

/* Four cache shards behind a load balancer hashing the key onto a ring: each key always
 * reaches the same shard, so with room for every key each of the 100 keys misses exactly
 * once in all (a random spread would miss each key on up to four shards). */
Test(cache, consistent_hash_shards_miss_each_key_once) {
    cJSON *doc = run("name: shards\nduration: 20s\nnodes:\n"
                     "  users: {kind: client, target: lb, rate: 1000/s,"
                     " keys: {dist: uniform, n: 100}}\n"
                     "  lb: {kind: load_balancer, backends: c, policy: consistent_hash}\n"
                     "  c: {kind: cache, replicas: 4, backend: db, capacity: 100}\n"
                     "  db: {kind: kv_store}\n",
                     1);
    double misses = 0, hits = 0;
    const char *names[] = {"c.0", "c.1", "c.2", "c.3"};
    for (int i = 0; i < 4; i++) {
        misses += node_num(doc, names[i], "misses");
        hits += node_num(doc, names[i], "hits");
        cr_expect_gt(node_num(doc, names[i], "entries"), 0);
    }
    cr_expect_eq(llround(misses), 100);
    cr_expect_eq(llround(misses + hits), t_int(doc, "requests.completed"));
    cJSON_Delete(doc);
}

/* ---- loader and determinism ---- */

/* Expects yaml to be refused with a message containing want. */
static void expect_refused(const char *yaml, const char *what) { t_expect_refused(yaml, &what, 1); }

Test(cache, keys_are_checked) {
    expect_refused("name: bad\nduration: 1s\nnodes:\n"
                   "  users: {kind: client, target: c, rate: 1/s}\n"
                   "  c: {kind: cache, backend: db, capacity: 0}\n"
                   "  db: {kind: kv_store}\n",
                   "capacity");
    expect_refused("name: bad\nduration: 1s\nnodes:\n"
                   "  users: {kind: client, target: c, rate: 1/s}\n"
                   "  c: {kind: cache, backend: db, capacity: 10,"
                   " population: eager, invalidate: false}\n"
                   "  db: {kind: kv_store}\n",
                   "'invalidate' goes with 'population: lazy'");
}

Test(cache, same_seed_same_document) {
    const char *yaml = "name: det\nduration: 5s\nnetwork: {latency: {dist: exponential, "
                       "mean: 1ms}}\nnodes:\n"
                       "  users: {kind: client, target: c, rate: 500/s,"
                       " ops: {read: 0.8, write: 0.2}, keys: {dist: zipf, n: 100, s: 0.9}}\n"
                       "  c: {kind: cache, backend: db, capacity: 20, ttl: 100ms}\n"
                       "  db: {kind: kv_store, service: {dist: exponential, mean: 1ms}}\n";
    char *a = t_run_text(yaml, 7), *b = t_run_text(yaml, 7);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}
