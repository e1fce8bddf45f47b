/* The shard router: how many keys a membership change moves, per-shard load, skew, relaying
 * and determinism. Oracles and tolerances (none tuned):
 * - a key moves when its owner differs before and after; the router counts that exactly over
 *   keys 0 .. key_space-1. Key hashes are SplitMix64 outputs, independent of the shards, so
 *   for hash partitions the count is binomial over key_space keys with the probability the
 *   partition implies; bounds are mean +- 3.29 sd (99.9%);
 * - hash mod N -> mod N+1 (new shard last): by the Chinese remainder theorem a key stays iff
 *   h mod N(N+1) is one of N residues, so P(move) = N/(N+1);
 * - consistent hashing: a key moves iff it falls in an arc the new shard takes, so the count
 *   is Binomial(K, p) with p = the new shard's arc share on the ring (ring_share, exact); p
 *   itself is the sum of V of the (N+1)V spacings of uniform points on a circle, which is
 *   Beta(V, N V): mean 1/(N+1), variance N / ((N+1)^2 ((N+1)V + 1)) (spacings are Dirichlet,
 *   David & Nagaraja, Order Statistics, 6.4); bound 3.29 of those sd;
 * - range partition: the moved keys are what the boundary shift implies, computed here from
 *   the ranges [ceil(iK/N), ceil((i+1)K/N)) (exact);
 * - per-shard load: with R requests and key law q, shard i's count is Binomial(R, p_i) with
 *   p_i = sum of q(k) over the keys it owns (computed here from the key -> shard map); zipf
 *   q(k) = (k+1)^-s / H(n, s) (the sampler is exact rejection-inversion). */
#include "ring.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Z999 3.2905
#define MAX_SHARDS 16

/* A router over shards s0 .. s{nshards-1} fed by one client; `extra` goes into the router's
 * mapping (partition, changes, ...). Caller frees. */
static char *topology(int nshards, const char *extra, const char *keys, const char *rate,
                      const char *duration) {
    size_t cap = 8192;
    char *y = malloc(cap);
    cr_assert(y);
    int len = snprintf(y, cap,
                       "duration: %s\n"
                       "nodes:\n"
                       "  users: {kind: client, rate: %s, target: router, keys: %s}\n"
                       "  router: {kind: shard_router, shards: [",
                       duration, rate, keys);
    for (int i = 0; i < nshards; i++)
        len += snprintf(y + len, cap - (size_t)len, "%ss%d", i ? ", " : "", i);
    len += snprintf(y + len, cap - (size_t)len, "]%s%s}\n", *extra ? ", " : "", extra);
    for (int i = 0; i < nshards; i++)
        len += snprintf(y + len, cap - (size_t)len,
                        "  s%d: {kind: service, workers: 1000, service: 1ms}\n", i);
    cr_assert_lt((size_t)len, cap);
    return y;
}

/* The router's change i. */
static const cJSON *change(const cJSON *doc, int i) {
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc, "nodes");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(nodes, "router");
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "changes"), i);
    cr_assert(ch, "no change %d in the report", i);
    return ch;
}

static double change_num(const cJSON *doc, int i, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(change(doc, i), key);
    cr_assert(cJSON_IsNumber(v), "change %d has no %s", i, key);
    return v->valuedouble;
}

/* Runs nshards shards (the last added at 0.5 s) with `partition` and returns the moved keys. */
static double moved_on_add(int nshards, const char *partition, const char *more, int64_t keys) {
    char extra[512];
    snprintf(extra, sizeof extra,
             "partition: %s, key_space: %lld%s, changes: [{at: 500ms, add: s%d}]", partition,
             (long long)keys, more, nshards - 1);
    char *y = topology(nshards, extra, "{dist: uniform, n: 1000}", "100/s", "1s");
    cJSON *doc = t_run(y, 1);
    double moved = change_num(doc, 0, "moved_keys");
    cr_expect_float_eq(change_num(doc, 0, "moved_fraction"), moved / (double)keys, 1e-12);
    cr_expect_float_eq(change_num(doc, 0, "at_ms"), 500, 1e-9);
    cJSON_Delete(doc);
    free(y);
    return moved;
}

Test(sharding, hash_mod_n_moves_n_over_n_plus_1) {
    static const int ns[] = {2, 4, 8};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++) {
        int n = ns[i];
        double moved = moved_on_add(n + 1, "hash", "", 100000);
        char what[64];
        snprintf(what, sizeof what, "hash %d -> %d: moved keys", n, n + 1);
        t_expect_binomial(what, moved, 100000, (double)n / (n + 1));
    }
}

Test(sharding, consistent_hash_moves_the_new_shards_share) {
    static const int vs[] = {10, 100, 1000};
    const int n = 4, keys = 100000;
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++) {
        int v = vs[i];
        char more[32];
        snprintf(more, sizeof more, ", vnodes: %d", v);
        double moved = moved_on_add(n + 1, "consistent_hash", more, keys);
        /* The new shard's exact share of the ring with every shard active. */
        ring r;
        cr_assert_eq(ring_build(&r, n + 1, (uint32_t)v), 0);
        double p = ring_share(&r, n);
        ring_free(&r);
        char what[64];
        snprintf(what, sizeof what, "consistent_hash V=%d: moved keys", v);
        t_expect_binomial(what, moved, keys, p);
        /* The share itself against the Beta(V, N V) law of the arcs. */
        double sd = sqrt(n / ((n + 1.0) * (n + 1.0) * ((n + 1.0) * v + 1)));
        cr_log_info("V=%d: new shard's share %.4f, theory %.4f +- %.4f; moved %.4f", v, p,
                    1.0 / (n + 1), Z999 * sd, moved / keys);
        cr_expect(fabs(p - 1.0 / (n + 1)) <= Z999 * sd, "V=%d: share %.4f vs %.4f +- %.4f", v,
                  p, 1.0 / (n + 1), Z999 * sd);
        /* And the moved fraction against 1/(N+1) with both spreads. */
        double tol = Z999 * (sd + sqrt(p * (1 - p) / keys));
        cr_expect(fabs(moved / keys - 1.0 / (n + 1)) <= tol, "V=%d: moved %.4f vs %.4f +- %.4f",
                  v, moved / keys, 1.0 / (n + 1), tol);
    }
}

Test(sharding, consistent_hash_remove_moves_exactly_its_keys) {
    /* Removing a shard moves exactly the keys it owned: counted here on the ring. */
    const int n = 5, keys = 50000;
    char *y = topology(n, "partition: consistent_hash, key_space: 50000, "
                          "changes: [{at: 500ms, remove: s2}]",
                       "{dist: uniform, n: 1000}", "100/s", "1s");
    cJSON *doc = t_run(y, 1);
    ring r;
    cr_assert_eq(ring_build(&r, n, 100), 0);
    double owned = 0;
    for (uint64_t k = 0; k < (uint64_t)keys; k++)
        owned += ring_owner(&r, ring_key_hash(k)) == 2;
    ring_free(&r);
    cr_expect_eq(change_num(doc, 0, "moved_keys"), owned);
    cr_expect_eq(t_num(doc, "nodes.router.shards.s2.requests_since_change"), 0);
    cr_expect_eq(t_num(doc, "nodes.router.active_shards"), 4);
    cJSON_Delete(doc);
    free(y);
}

/* First key of range i of n over k keys: ceil(i k / n). */
static int64_t range_start(int64_t i, int64_t n, int64_t k) { return (i * k + n - 1) / n; }

Test(sharding, range_moves_what_the_boundaries_imply) {
    static const struct {
        int n;
        int64_t k;
    } cases[] = {{4, 100000}, {3, 99991}, {7, 12345}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        int n = cases[c].n;
        int64_t k = cases[c].k, stay = 0;
        /* Keys in range i both before (n ranges) and after (n+1 ranges) stay put. */
        for (int i = 0; i < n; i++) {
            int64_t lo = range_start(i, n, k), hi = range_start(i + 1, n, k);
            int64_t lo2 = range_start(i, n + 1, k), hi2 = range_start(i + 1, n + 1, k);
            int64_t a = lo > lo2 ? lo : lo2, b = hi < hi2 ? hi : hi2;
            stay += b > a ? b - a : 0;
        }
        double moved = moved_on_add(n + 1, "range", "", k);
        cr_log_info("range %d -> %d over %lld keys: moved %.0f, theory %lld", n, n + 1,
                    (long long)k, moved, (long long)(k - stay));
        cr_expect_eq(moved, (double)(k - stay), "range %d over %lld: moved %.0f, expected %lld",
                     n, (long long)k, moved, (long long)(k - stay));
    }
    cr_expect_eq(moved_on_add(5, "range", "", 100000), 50000); /* 4 -> 5: half the keys */
}

/* Shard of key k under hash (n shards) or a consistent-hash ring r. */
static int shard_of(uint64_t k, int n, const ring *r) {
    return r ? (int)ring_owner(r, ring_key_hash(k)) : (int)(ring_key_hash(k) % (uint64_t)n);
}

/* Runs `keys` against n shards with partition and checks every shard's count against
 * Binomial(routed, p_i), p_i from the key law q over nkeys keys (zipf exponent s, or uniform
 * when s == 0). Returns the measured skew and stores the expected one. */
static double check_load(const char *partition, const char *keys, int n, int nkeys, double s,
                         double *expected_skew, double *routed_out) {
    char extra[128];
    snprintf(extra, sizeof extra, "partition: %s", partition);
    char *y = topology(n, extra, keys, "2000/s", "10s");
    cJSON *doc = t_run(y, 7);
    ring r, *rp = NULL;
    if (strcmp(partition, "consistent_hash") == 0) {
        cr_assert_eq(ring_build(&r, (uint32_t)n, 100), 0);
        rp = &r;
    }
    double p[MAX_SHARDS] = {0}, h = 0;
    for (int k = 0; k < nkeys; k++)
        h += s > 0 ? pow(k + 1, -s) : 1;
    for (int k = 0; k < nkeys; k++)
        p[shard_of((uint64_t)k, n, rp)] += (s > 0 ? pow(k + 1, -s) : 1) / h;
    if (rp)
        ring_free(rp);
    double routed = t_num(doc, "nodes.router.routed"), pmax = 0;
    cr_expect_eq(routed, t_num(doc, "nodes.router.requests"));
    for (int i = 0; i < n; i++) {
        char path[64], what[96];
        snprintf(path, sizeof path, "nodes.router.shards.s%d.requests", i);
        snprintf(what, sizeof what, "%s %s: s%d requests", partition, keys, i);
        t_expect_binomial(what, t_num(doc, path), routed, p[i]);
        pmax = p[i] > pmax ? p[i] : pmax;
    }
    *expected_skew = pmax * n;
    *routed_out = routed;
    double skew = t_num(doc, "nodes.router.skew");
    cJSON_Delete(doc);
    free(y);
    return skew;
}

Test(sharding, uniform_keys_spread_within_binomial_bounds) {
    double e, r;
    double skew = check_load("hash", "{dist: uniform, n: 1000}", 4, 1000, 0, &e, &r);
    cr_log_info("hash, uniform keys: skew %.4f, expected %.4f", skew, e);
    skew = check_load("consistent_hash", "{dist: uniform, n: 1000}", 4, 1000, 0, &e, &r);
    cr_log_info("consistent_hash, uniform keys: skew %.4f, expected %.4f", skew, e);
}

Test(sharding, zipf_keys_skew_the_load) {
    /* Key 0 alone carries 1/H(1000, 1) = 13.4% of the requests, so the shard holding it gets
     * clearly more than 1/4. The measured skew = max count * N / routed lies within
     * N * 3.29 sd / R of the expected max share * N (each count is within its bound). */
    double e, r;
    double skew = check_load("hash", "{dist: zipf, n: 1000, s: 1}", 4, 1000, 1.0, &e, &r);
    double tol = 4 * Z999 * sqrt(r * 0.25) / r; /* p(1-p) <= 1/4 */
    cr_log_info("hash, zipf keys: skew %.4f, expected %.4f +- %.4f", skew, e, tol);
    cr_expect_gt(e, 1.2, "expected skew %.4f is not clearly above 1", e);
    cr_expect(fabs(skew - e) <= tol, "skew %.4f vs expected %.4f +- %.4f", skew, e, tol);
    cr_expect_gt(skew, 1.1);
}

Test(sharding, relays_every_reply_and_keeps_the_client_identity) {
    /* Small shards with a bounded queue reject some requests; one shard is a group of two
     * replicas, one crashes for a while. Every client outcome is matched by a relayed one. */
    const char *y = "duration: 20s\n"
                    "nodes:\n"
                    "  users: {kind: client, rate: 300/s, target: router, timeout: 1s,\n"
                    "          keys: {dist: uniform, n: 1000}}\n"
                    "  router: {kind: shard_router, shards: [a, b, c], service: 1ms}\n"
                    "  a: {kind: service, workers: 1, queue: 2, service: {dist: exponential, "
                    "mean: 8ms}}\n"
                    "  b: {kind: service, replicas: 2, service: {dist: exponential, mean: 4ms}}\n"
                    "  c: {kind: service, workers: 2, service: 1ms}\n"
                    "faults:\n"
                    "  - {at: 5s, crash: c, duration: 3s}\n";
    cJSON *doc = t_run(y, 3);
    double issued = t_num(doc, "nodes.users.issued");
    double sum = t_num(doc, "nodes.users.completed") + t_num(doc, "nodes.users.rejected") +
                 t_num(doc, "nodes.users.timed_out") + t_num(doc, "nodes.users.failed") +
                 t_num(doc, "nodes.users.in_flight");
    cr_expect_eq(sum, issued);
    double completed = 0, failed = 0, rejected = 0, requests = 0;
    static const char *const shards[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++) {
        char p[96];
        snprintf(p, sizeof p, "nodes.router.shards.%s.completed", shards[i]);
        completed += t_num(doc, p);
        snprintf(p, sizeof p, "nodes.router.shards.%s.failed", shards[i]);
        failed += t_num(doc, p);
        snprintf(p, sizeof p, "nodes.router.shards.%s.rejected", shards[i]);
        rejected += t_num(doc, p);
        snprintf(p, sizeof p, "nodes.router.shards.%s.requests", shards[i]);
        requests += t_num(doc, p);
    }
    cr_expect_eq(t_num(doc, "nodes.router.requests"), issued);
    cr_expect_leq(requests, issued);
    cr_expect_eq(completed, t_num(doc, "nodes.users.completed"));
    cr_expect_eq(rejected, t_num(doc, "nodes.users.rejected"));
    cr_expect_gt(rejected, 0);
    cr_expect_gt(failed, 0, "requests to the crashed shard come back failed");
    cr_expect_eq(failed, t_num(doc, "nodes.users.failed"));
    /* The group shard's requests split evenly over its replicas: Binomial(requests, 1/2). */
    t_expect_binomial("b.0 of shard b", t_num(doc, "nodes.b.0.arrivals"),
                    t_num(doc, "nodes.router.shards.b.requests"), 0.5);
    cJSON_Delete(doc);
}

Test(sharding, an_added_shard_gets_nothing_before_its_time) {
    char *y = topology(3, "partition: consistent_hash, changes: [{at: 2s, add: s2}]",
                       "{dist: uniform, n: 100000}", "500/s", "4s");
    cJSON *doc = t_run(y, 5);
    double total = t_num(doc, "nodes.router.shards.s2.requests");
    cr_expect_gt(total, 0);
    cr_expect_eq(total, t_num(doc, "nodes.router.shards.s2.requests_since_change"));
    cr_expect_lt(t_num(doc, "nodes.router.shards.s0.requests_since_change"),
                 t_num(doc, "nodes.router.shards.s0.requests"));
    cr_expect_eq(t_num(doc, "nodes.router.skew_since_ms"), 2000);
    cr_expect_eq(t_num(doc, "nodes.router.moved_fraction"), change_num(doc, 0, "moved_fraction"));
    cJSON_Delete(doc);
    free(y);
}

Test(sharding, a_crashed_router_applies_its_changes_on_restart) {
    /* The router is down from 1s to 3s; the change at 2s takes effect at the restart. */
    char *y = topology(3, "service: 1ms, changes: [{at: 2s, add: s2}]",
                       "{dist: uniform, n: 1000}", "200/s", "5s");
    const char *faults = "faults:\n  - {at: 1s, crash: router, duration: 2s}\n";
    y = realloc(y, strlen(y) + strlen(faults) + 1);
    cr_assert(y);
    strcat(y, faults);
    cJSON *doc = t_run(y, 2);
    cr_expect_eq(t_num(doc, "nodes.router.active_shards"), 3);
    cr_expect_eq(change_num(doc, 0, "at_ms"), 2000);
    cr_expect_gt(t_num(doc, "nodes.router.shards.s2.requests"), 0);
    double sum = t_num(doc, "nodes.users.completed") + t_num(doc, "nodes.users.rejected") +
                 t_num(doc, "nodes.users.timed_out") + t_num(doc, "nodes.users.failed") +
                 t_num(doc, "nodes.users.in_flight");
    cr_expect_eq(sum, t_num(doc, "nodes.users.issued"));
    cr_expect_gt(t_num(doc, "nodes.users.failed"), 0, "requests to the crashed router fail");
    cJSON_Delete(doc);
    free(y);
}

Test(sharding, same_seed_same_bytes) {
    char *y = topology(4, "partition: consistent_hash, service: {dist: exponential, mean: 1ms}, "
                          "changes: [{at: 1s, add: s3}, {at: 2s, remove: s0}]",
                       "{dist: zipf, n: 5000, s: 0.9}", "500/s", "3s");
    char *a = t_run_text(y, 11), *b = t_run_text(y, 11);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
    free(y);
}

static void expect_load_error(const char *yaml, const char *what) { t_expect_refused(yaml, &what, 1); }

Test(sharding, bad_configurations_are_reported) {
    static const char *const heads[] = {
        "partition: range",
        "vnodes: 10",
        "changes: [{at: 1s, add: nope}]",
        "changes: [{at: 1s, add: s0, remove: s1}]",
        "changes: [{at: 1s, remove: s0}, {at: 2s, remove: s1}]",
        "changes: [{at: 2s, remove: s0}, {at: 1s, add: s1}]",
    };
    static const char *const whats[] = {
        "needs 'key_space'", "'vnodes' goes with", "'nope' is not one of the shards",
        "exactly one of", "leaves no shard", "earlier than",
    };
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
        char *y = topology(2, heads[i], "{dist: uniform, n: 10}", "10/s", "1s");
        expect_load_error(y, whats[i]);
        free(y);
    }
}
