/* The pubsub kind (models/async/pubsub/) with `consumer` subscribers, judged by the delivery
 * checker (the document's `delivery`) and by the broker's own figures:
 *   - one subscriber with prefetch 1 and one worker behind a buffer of K messages (the one
 *     being processed included) is M/M/1/K: its drop fraction is the blocking probability and
 *     the mean delay of the messages it accepts is Little's L / lambda_eff, against 99.9%
 *     Student-t confidence intervals over independent seeded replications;
 *   - fan-out: every connected subscriber gets every message; one that is down misses what is
 *     published meanwhile (a Poisson count; exactly with constant gaps), and nothing else; a
 *     slow one is kicked by on_full: disconnect and misses until it subscribes again; a crash of
 *     the broker loses its buffers, and the subscribers come back after its restart;
 *   - the checker's identity holds exactly for every subscriber, and a run is deterministic. */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPS 20
#define LEVEL 0.999

/* A figure of subscriber s at pubsub node ps (its report hook's `subscribers`). */
static long long sub_int(const cJSON *doc, const char *ps, const char *s, const char *key) {
    char path[256];
    snprintf(path, sizeof path, "nodes.%s.subscribers.%s.%s", ps, s, key);
    return t_int(doc, path);
}

/* The checker's identity for subscriber g, exactly, and what a pubsub cannot do. */
static void expect_identity(const cJSON *doc, const char *g) {
    t_expect_delivery_identity(doc, g);
    long long more = t_delivery_int(doc, g, "processed_more");
    long long dead = t_delivery_int(doc, g, "dead_lettered");
    cr_expect_eq(more, 0, "%s: a pubsub delivers each message once", g);
    cr_expect_eq(dead, 0, "%s: a pubsub has no dead letters", g);
    char path[256];
    snprintf(path, sizeof path, "delivery.groups.%s.kind", g);
    cr_expect_str_eq(t_str(doc, path), "pubsub");
}

/* ---- M/M/1/K ---- */

/* M/M/1/K with load rho: the stationary p_k = (1 - rho) rho^k / (1 - rho^(K+1)), k = 0..K
 * (Kleinrock, Queueing Systems I, 3.6). By PASTA a Poisson arrival finds K with probability
 * p_K: the drop fraction. The accepted messages' mean sojourn is Little's law on the truncated
 * chain: W = L / (lambda (1 - p_K)), L = sum k p_k. */

static double mm1k_sojourn(double lambda, double mu, int cap) {
    double rho = lambda / mu, l = 0;
    for (int k = 0; k <= cap; k++)
        l += k * t_mm1k_p(rho, k, cap);
    return l / (lambda * (1 - t_mm1k_p(rho, cap, cap)));
}

/* Publishing at lambda, one subscriber draining at mu = 10/s (exponential, mean 100 ms) with
 * prefetch 1: the buffer of K is the whole system. Zero network latency (the default). */
static void check_mm1k(double lambda, int cap) {
    const double mu = 10;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 1000s\n"
             "warmup: 50s\n"
             "nodes:\n"
             "  pub: {kind: client, target: ps, rate: %g/s}\n"
             "  ps: {kind: pubsub, buffer: %d}\n"
             "  sub:\n"
             "    kind: consumer\n"
             "    source: ps\n"
             "    prefetch: 1\n"
             "    service: {dist: exponential, mean: 100ms}\n",
             lambda, cap);
    enum { PUB, DROP, CK_ACK, CK_DROP, CK_DELAY, NODE_DELAY, NFIG };
    static const char *const paths[NFIG] = {"nodes.ps.published",
                                            "nodes.ps.dropped",
                                            "delivery.groups.sub.acknowledged",
                                            "delivery.groups.sub.dropped",
                                            "delivery.groups.sub.delay_ms.mean",
                                            "nodes.ps.delay_ms.mean"};
    double x[NFIG * REPS];
    t_replicate(yaml, REPS, paths, NFIG, x);
    double frac[REPS], ck_frac[REPS];
    for (int i = 0; i < REPS; i++) {
        frac[i] = x[DROP * REPS + i] / x[PUB * REPS + i];
        ck_frac[i] = x[CK_DROP * REPS + i] / x[CK_ACK * REPS + i];
        /* The checker and the broker count the same messages. */
        cr_expect_eq(x[CK_ACK * REPS + i], x[PUB * REPS + i]);
        cr_expect_eq(x[CK_DROP * REPS + i], x[DROP * REPS + i]);
    }
    double rho = lambda / mu;
    char what[128];
    snprintf(what, sizeof what, "drop fraction, rho %.2f K %d", rho, cap);
    t_expect_in_ci(what, t_ci_of(frac, REPS, LEVEL), t_mm1k_p(rho, cap, cap));
    t_expect_in_ci(what, t_ci_of(ck_frac, REPS, LEVEL), t_mm1k_p(rho, cap, cap));
    snprintf(what, sizeof what, "mean delay ms, rho %.2f K %d", rho, cap);
    double w = 1000 * mm1k_sojourn(lambda, mu, cap);
    t_expect_in_ci(what, t_ci_of(x + CK_DELAY * REPS, REPS, LEVEL), w);
    t_expect_in_ci(what, t_ci_of(x + NODE_DELAY * REPS, REPS, LEVEL), w);
}

Test(pubsub, mm1k_light_load_drops_and_delay, .timeout = 120) { check_mm1k(5, 2); }
Test(pubsub, mm1k_near_saturation_drops_and_delay, .timeout = 120) { check_mm1k(9, 5); }
Test(pubsub, mm1k_overload_drops_and_delay, .timeout = 120) { check_mm1k(15, 3); }

/* ---- fan-out ---- */

#define THREE_SUBSCRIBERS                                                                          \
    "duration: 100s\n"                                                                             \
    "warmup: 5s\n"                                                                                 \
    "nodes:\n"                                                                                     \
    "  pub: {kind: client, target: ps, rate: 200/s}\n"                                             \
    "  ps: {kind: pubsub}\n"                                                                       \
    "  a: {kind: consumer, source: ps, service: {dist: exponential, mean: 1ms}}\n"                 \
    "  b: {kind: consumer, source: ps, service: {dist: exponential, mean: 2ms}}\n"                 \
    "  c: {kind: consumer, source: ps, workers: 4, service: {dist: exponential, mean: 5ms}}\n"

/* Buffers of 1000 never fill at these loads (rho at most 0.4): every subscriber gets every
 * message published, exactly once; the last few may still be in flight at the end. */
Test(pubsub, every_connected_subscriber_gets_every_message) {
    cJSON *doc = t_run(THREE_SUBSCRIBERS, 7);
    long long published = t_int(doc, "nodes.ps.published");
    cr_expect_gt(published, 15000);
    static const char *const subs[] = {"a", "b", "c"};
    long long delivered = 0;
    for (int i = 0; i < 3; i++) {
        const char *g = subs[i];
        expect_identity(doc, g);
        cr_expect_eq(t_delivery_int(doc, g, "acknowledged"), published, "%s", g);
        cr_expect_eq(t_delivery_int(doc, g, "dropped"), 0, "%s", g);
        cr_expect_eq(t_delivery_int(doc, g, "missed"), 0, "%s", g);
        cr_expect_leq(t_delivery_int(doc, g, "pending"), 4, "%s: at most its workers in flight", g);
        cr_expect_eq(t_delivery_int(doc, g, "processed_once") + t_delivery_int(doc, g, "pending"), published,
                     "%s", g);
        delivered += sub_int(doc, "ps", g, "delivered");
    }
    cr_expect_eq(t_int(doc, "nodes.ps.fanout"), delivered);
    cr_expect_eq(t_int(doc, "nodes.ps.dropped"), 0);
    cr_expect_eq(t_int(doc, "nodes.ps.missed"), 0);
    cr_expect_eq(t_int(doc, "nodes.ps.connected"), 3);
    cJSON_Delete(doc);
}

/* Subscriber b is down from 30 s to 60 s. It misses what is published in that time, plus what
 * it held when it crashed (at most its prefetch, 1: ~10% of the time at rho 0.1); a, never
 * down, misses nothing. */
#define CRASH_B(arrival)                                                                           \
    "duration: 100s\n"                                                                             \
    "warmup: 10s\n"                                                                                \
    "nodes:\n"                                                                                     \
    "  pub: {kind: client, target: ps, " arrival "}\n"                                             \
    "  ps: {kind: pubsub}\n"                                                                       \
    "  a: {kind: consumer, source: ps, service: {dist: exponential, mean: 1ms}}\n"                 \
    "  b: {kind: consumer, source: ps, service: {dist: exponential, mean: 1ms}}\n"                 \
    "faults:\n"                                                                                    \
    "  - {at: 30s, crash: b, duration: 30s}\n"

static void expect_only_b_missed(const cJSON *doc) {
    expect_identity(doc, "a");
    expect_identity(doc, "b");
    cr_expect_eq(t_delivery_int(doc, "a", "missed"), 0);
    cr_expect_eq(t_delivery_int(doc, "a", "dropped"), 0);
    cr_expect_eq(t_delivery_int(doc, "b", "dropped"), 0, "a buffer of 1000 holds 3 s at 100/s");
    cr_expect_eq(t_delivery_int(doc, "b", "lost"), 0);
    /* b missed only what was lost with it: nothing it held reached a worker afterwards. */
    cr_expect_eq(sub_int(doc, "ps", "b", "missed"), t_delivery_int(doc, "b", "missed"));
    cr_expect_eq(t_int(doc, "nodes.ps.connected"), 2, "b subscribed again at its restart");
}

Test(pubsub, a_crashed_subscriber_misses_what_was_published_while_down) {
    cJSON *doc = t_run(CRASH_B("rate: 100/s"), 11);
    expect_only_b_missed(doc);
    /* Poisson arrivals: the count published in 30 s is Poisson(3000); the message b may have
     * held at its crash shifts the mean by at most 1, far inside the bound (sd ~55). */
    t_expect_poisson("b missed", (double)t_delivery_int(doc, "b", "missed"), 100 * 30);
    cJSON_Delete(doc);
}

/* With constant gaps of 10 ms the count is exact: 3000 publishes fall in [30 s, 60 s), give or
 * take the one at an edge, and b held at most one more. */
Test(pubsub, a_crashed_subscriber_misses_exactly_the_gaps_of_its_down_time) {
    cJSON *doc = t_run(CRASH_B("arrival: 10ms"), 3);
    expect_only_b_missed(doc);
    long long missed = t_delivery_int(doc, "b", "missed");
    cr_expect(missed >= 2999 && missed <= 3002, "b missed %lld", missed);
    cJSON_Delete(doc);
}

/* A slow subscriber (rho 2) behind a buffer of 20 with on_full: disconnect is kicked whenever
 * its buffer overflows, misses everything until it subscribes again after its retry of 1 s,
 * and the fast one is not touched. */
Test(pubsub, on_full_disconnect_kicks_the_slow_subscriber) {
    cJSON *doc =
        t_run("duration: 60s\n"
              "warmup: 5s\n"
              "nodes:\n"
              "  pub: {kind: client, target: ps, rate: 100/s}\n"
              "  ps: {kind: pubsub, buffer: 20, on_full: disconnect}\n"
              "  fast: {kind: consumer, source: ps, service: {dist: exponential, mean: 1ms}}\n"
              "  slow: {kind: consumer, source: ps, service: {dist: exponential, mean: 20ms}}\n",
              5);
    expect_identity(doc, "fast");
    expect_identity(doc, "slow");
    long long kicks = sub_int(doc, "ps", "slow", "disconnects");
    /* Each cycle: connect, fill 20 places at a net rate of 50/s (~0.4 s), kick, wait 1 s: about
     * 40 cycles in 55 s; at least 20 is far below any plausible count. */
    cr_expect_geq(kicks, 20, "slow kicked %lld times", kicks);
    cr_expect_eq(sub_int(doc, "ps", "fast", "disconnects"), 0);
    cr_expect_eq(t_delivery_int(doc, "fast", "missed"), 0);
    cr_expect_eq(t_delivery_int(doc, "fast", "dropped"), 0);
    /* One drop per kick (the message that overflowed), and while it is away for its retry it
     * misses ~100 messages a second: most of what it loses is missed. */
    cr_expect_eq(sub_int(doc, "ps", "slow", "dropped"), kicks);
    cr_expect_gt(t_delivery_int(doc, "slow", "missed"), 50 * kicks);
    cr_expect_eq(t_int(doc, "nodes.ps.disconnects"), kicks);
    cJSON_Delete(doc);
}

/* With on_full: drop (the default) the same slow subscriber stays connected and drops. */
Test(pubsub, on_full_drop_keeps_the_slow_subscriber_and_drops) {
    cJSON *doc =
        t_run("duration: 60s\n"
              "warmup: 5s\n"
              "nodes:\n"
              "  pub: {kind: client, target: ps, rate: 100/s}\n"
              "  ps: {kind: pubsub, buffer: 20}\n"
              "  slow: {kind: consumer, source: ps, service: {dist: exponential, mean: 20ms}}\n",
              5);
    expect_identity(doc, "slow");
    cr_expect_eq(sub_int(doc, "ps", "slow", "disconnects"), 0);
    cr_expect_eq(t_delivery_int(doc, "slow", "missed"), 0);
    /* rho = 2, K = 20: the blocking probability is (1 - rho) rho^K / (1 - rho^(K+1)) ~ 1/2,
     * the subscriber processing at its full rate of 50/s; at least 40% dropped is far below
     * any plausible count over 5500 publishes. */
    double frac =
        (double)t_delivery_int(doc, "slow", "dropped") / t_delivery_int(doc, "slow", "acknowledged");
    cr_expect(frac > 0.4 && frac < 0.6, "drop fraction %g", frac);
    cJSON_Delete(doc);
}

/* The broker crashes at 30 s for 10 s: what it held is lost (missed), the publishes meanwhile
 * fail at the producer (never acknowledged), and the subscribers subscribe again after its
 * restart: their acks and heartbeats are refused while it is down, and they retry every 1 s.
 * Subscriber c (constant 20 ms against 100/s: rho 2) keeps its buffer of 50 full, so the crash
 * loses the 49 or 50 it held; the fast a and b hold a few at most. */
Test(pubsub, broker_crash_loses_its_buffers_and_subscribers_come_back) {
    cJSON *doc =
        t_run("duration: 60s\n"
              "warmup: 5s\n"
              "nodes:\n"
              "  pub: {kind: client, target: ps, rate: 100/s}\n"
              "  ps: {kind: pubsub, buffer: 50}\n"
              "  a: {kind: consumer, source: ps, service: {dist: exponential, mean: 5ms}}\n"
              "  b: {kind: consumer, source: ps, prefetch: 8, workers: 2,\n"
              "      service: {dist: exponential, mean: 10ms}}\n"
              "  c: {kind: consumer, source: ps, service: 20ms}\n"
              "faults:\n"
              "  - {at: 30s, crash: ps, duration: 10s}\n",
              9);
    static const char *const subs[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        const char *g = subs[i];
        expect_identity(doc, g);
        char path[64];
        snprintf(path, sizeof path, "nodes.%s.resubscribes", g);
        cr_expect_geq(t_int(doc, path), 1, "%s subscribed again", g);
    }
    /* Publishes to the crashed broker fail: ~1000 in 10 s. */
    cr_expect_gt(t_int(doc, "requests.failed"), 800);
    cr_expect_eq(t_int(doc, "nodes.ps.connected"), 3, "all subscribed again");
    /* After the restart the subscribers are back within their retry of 1 s: at most a few
     * seconds of messages (100/s) are missed, and what is published later reaches them. */
    for (int i = 0; i < 2; i++) {
        const char *g = subs[i];
        long long missed = t_delivery_int(doc, g, "missed");
        cr_expect_leq(missed, 500, "%s missed %lld", g, missed);
        cr_expect_gt(t_delivery_int(doc, g, "processed_once"), 4000, "%s", g);
        cr_expect_eq(t_delivery_int(doc, g, "dropped"), 0, "%s", g);
    }
    long long lost_in_crash = sub_int(doc, "ps", "c", "missed");
    cr_expect_geq(lost_in_crash, 49, "c's full buffer was lost: %lld missed", lost_in_crash);
    cr_expect_gt(t_delivery_int(doc, "c", "dropped"), 0, "c is too slow: it drops as well");
    cJSON_Delete(doc);
}

/* A partition cuts subscriber b off for 20 s: its heartbeats stop reaching the broker, which
 * takes it for gone after session_timeout (3 s): what it held is missed, and so is what is
 * published until it is back (its first heartbeat then gets a kick, and it subscribes again). */
Test(pubsub, a_partitioned_subscriber_times_out_and_misses) {
    cJSON *doc =
        t_run("duration: 80s\n"
              "warmup: 5s\n"
              "nodes:\n"
              "  pub: {kind: client, target: ps, rate: 100/s}\n"
              "  ps: {kind: pubsub}\n"
              "  b: {kind: consumer, source: ps, service: {dist: exponential, mean: 1ms}}\n"
              "faults:\n"
              "  - {at: 30s, partition: [[ps, pub], [b]], duration: 20s}\n",
              13);
    expect_identity(doc, "b");
    cr_expect_eq(t_int(doc, "nodes.ps.timeouts"), 1);
    cr_expect_eq(t_int(doc, "nodes.ps.connected"), 1, "b is back");
    /* It misses the 20 s of the partition (Poisson(2000), sd ~45) and up to its retry (1 s)
     * after: between 1800 and 2400 whatever the seed's luck within 3.3 sd. */
    long long missed = t_delivery_int(doc, "b", "missed");
    cr_expect(missed > 1800 && missed < 2400, "b missed %lld", missed);
    cr_expect_eq(t_delivery_int(doc, "b", "dropped"), 0);
    cJSON_Delete(doc);
}

/* Same topology and seed: the same document, byte for byte. */
Test(pubsub, same_seed_same_document) {
    char *a = t_run_text(THREE_SUBSCRIBERS "faults:\n  - {at: 50s, crash: b, duration: 5s}\n", 21);
    char *b = t_run_text(THREE_SUBSCRIBERS "faults:\n  - {at: 50s, crash: b, duration: 5s}\n", 21);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

/* A buffer must hold at least the message being delivered. */
Test(pubsub, a_buffer_of_nothing_is_refused) {
    static const char *const want[] = {"4:", "buffer"};
    t_expect_refused("duration: 10s\n"
                     "nodes:\n"
                     "  pub: {kind: client, target: ps, rate: 1/s}\n"
                     "  ps: {kind: pubsub, buffer: 0}\n",
                     want, 2);
}

/* A publish is acknowledged after its publish_time (constant 5 ms, no network delay): the
 * producer's latency is exactly that, and the subscriber's delay counts from the acceptance,
 * not from the producer's send. Publishes do not queue: 200/s of 5 ms each overlap. */
Test(pubsub, publish_time_delays_the_ack_and_the_push) {
    cJSON *doc = t_run("duration: 20s\n"
                       "nodes:\n"
                       "  pub: {kind: client, target: ps, rate: 200/s}\n"
                       "  ps: {kind: pubsub, publish_time: 5ms}\n"
                       "  sub: {kind: consumer, source: ps, workers: 8, service: 2ms}\n",
                       17);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.mean"), 5.0, 1e-9);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 5.0, 1e-9);
    /* 8 workers of 2 ms each against 200/s: a message waits for a worker only when 8 are
     * busy at once, which at 0.4 erlang never happens in 4000 messages (Erlang C ~ 1e-9). */
    cr_expect_float_eq(t_num(doc, "delivery.groups.sub.delay_ms.max"), 2.0, 1e-9);
    expect_identity(doc, "sub");
    cJSON_Delete(doc);
}
