/* The `queue` kind (models/async/queue/, docs/async.md#queue): a message broker with
 * competing consumers, visibility leases, dead letters, retention, capacity and crashes,
 * checked against closed forms and hand-worked timelines, with the delivery checker's
 * account (checkers/deliveries.h) of every message. (The suite is `message_queue`: test_queue.c
 * is the pending-event set's.)
 *
 * Oracles:
 *   - Competing consumers, Poisson publishing, exponential processing, prefetch 1, no network
 *     delay: the queue with its c consumers is an M/M/c station (a consumer's ack returns its
 *     credit at the instant it finishes, and the next message is delivered at once), so the
 *     mean time from acceptance to first delivery is Erlang C's Wq, the time to the first
 *     processing Wq + 1/mu and the consumers' utilization rho. With a capacity K (prefetch 1,
 *     one consumer) the messages held are M/M/1/K: the fraction refused (reject) and the
 *     fraction dropped (drop_oldest: a push-out changes nothing in the number held) are both
 *     the blocking probability (1 - rho) rho^K / (1 - rho^(K+1)) (PASTA).
 *   - Leases: each attempt is late independently with q = P(S > V) (below).
 *   - Deterministic timelines (constant interarrival and processing times, zero network
 *     latency), worked out by hand above each test: these counts match exactly.
 * Means over independent seeded replications are checked with 99.9% Student-t intervals;
 * binomial counts and means of many independent messages within 3.29 sd (99.9%, normal
 * approximation: every count here has mean >= 500). Every test checks the checker's identity
 *   acknowledged = processed_once + processed_more + lost + dead_lettered + missed + pending
 * exactly, with lost = dropped + expired + crash_lost + vanished and vanished = 0 (a queue
 * never lets a message go without saying why). */
#include "engine.h"
#include "json_report.h"
#include "metrics.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPS 20
#define LEVEL 0.999
#define Z999 3.2905 /* two-sided 99.9% quantile of the standard normal */

/* ---- helpers ---- */

/* The checker's identity for group, exactly; a queue misses nothing; and the group's
 * acknowledged messages are the queue's published ones (both count publishes issued after the
 * warm-up). */
static void expect_identity(const cJSON *doc, const char *group) {
    t_expect_delivery_identity(doc, group);
    cr_expect_eq(t_delivery_int(doc, group, "missed"), 0, "%s: a queue misses nothing", group);
    char path[160];
    snprintf(path, sizeof path, "nodes.%s.published", group);
    cr_expect_eq(t_delivery_int(doc, group, "acknowledged"), t_int(doc, path),
                 "%s: acknowledged != published", group);
}

/* Expects |x - mean| <= 3.29 sd, printing the figures in full (t_expect_near rounds them). */
static void expect_mean(const char *what, double x, double mean, double sd) {
    cr_log_info("%s: %.5f, theory %.5f +- %.5f", what, x, mean, Z999 * sd);
    cr_expect(fabs(x - mean) <= Z999 * sd, "%s: %.5f outside %.5f +- %.5f (99.9%%)", what, x, mean,
              Z999 * sd);
}

/* ---- competing consumers: M/M/c ---- */

/* One (lambda, mu = 10/s, c) point: c consumer instances of one worker and prefetch 1 under
 * Poisson publishing. Checks the queue's mean wait (accepted -> first delivery) against
 * Erlang C's Wq, the checker's mean delay (accepted -> first processing) against Wq + 1/mu,
 * and the consumers' mean utilization against rho = lambda / (c mu), each with a 99.9%
 * Student-t interval over 20 replications of 2000 s. */
static void mmc_point(double lambda, int c) {
    const double mu = 10;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 2000s\n"
             "warmup: 100s\n"
             "nodes:\n"
             "  producers: {kind: client, target: q, rate: %g/s}\n"
             "  q: {kind: queue}\n"
             "  w:\n"
             "    kind: consumer\n"
             "    source: q\n"
             "    replicas: %d\n"
             "    prefetch: 1\n"
             "    workers: 1\n"
             "    service: {dist: exponential, mean: 100ms}\n",
             lambda, c);
    enum { WAIT, DELAY, NFIX };
    size_t npaths = NFIX + (size_t)c;
    char **paths = calloc(npaths, sizeof *paths);
    cr_assert_not_null(paths);
    paths[WAIT] = strdup("nodes.q.wait_ms.mean");
    paths[DELAY] = strdup("delivery.groups.q.delay_ms.mean");
    for (int i = 0; i < c; i++) {
        char p[64]; /* replicas given: the instances are w.0, w.1, ... even for one */
        snprintf(p, sizeof p, "nodes.w.%d.utilization", i);
        paths[NFIX + i] = strdup(p);
    }
    double *x = calloc(npaths * REPS, sizeof *x);
    cr_assert_not_null(x);
    t_replicate(yaml, REPS, (const char *const *)paths, npaths, x);
    double util[REPS];
    for (int r = 0; r < REPS; r++) {
        util[r] = 0;
        for (int i = 0; i < c; i++)
            util[r] += x[(NFIX + i) * REPS + r] / c;
    }
    double a = lambda / mu, wq = t_erlang_c(c, a) / (c * mu - lambda);
    char what[96];
    snprintf(what, sizeof what, "c=%d lambda=%g: mean wait ms (Erlang C)", c, lambda);
    t_expect_in_ci(what, t_ci_of(x + WAIT * REPS, REPS, LEVEL), 1000 * wq);
    snprintf(what, sizeof what, "c=%d lambda=%g: mean delay to processing ms", c, lambda);
    t_expect_in_ci(what, t_ci_of(x + DELAY * REPS, REPS, LEVEL), 1000 * (wq + 1 / mu));
    snprintf(what, sizeof what, "c=%d lambda=%g: consumer utilization", c, lambda);
    t_expect_in_ci(what, t_ci_of(util, REPS, LEVEL), a / c);
    for (size_t j = 0; j < npaths; j++)
        free(paths[j]);
    free(paths);
    free(x);
}

Test(message_queue, competing_consumers_are_erlang_c) {
    mmc_point(5, 1);  /* rho 0.5: Wq = 100 ms */
    mmc_point(14, 2); /* rho 0.7 */
    mmc_point(32, 4); /* rho 0.8 */
}

/* The identity on one run of the busiest point, with nothing lost or dead-lettered. */
Test(message_queue, competing_consumers_lose_nothing) {
    static const char yaml[] = "duration: 300s\n"
                               "warmup: 10s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: q, rate: 32/s}\n"
                               "  q: {kind: queue}\n"
                               "  w: {kind: consumer, source: q, replicas: 4,\n"
                               "      service: {dist: exponential, mean: 100ms}}\n";
    cJSON *doc = t_run(yaml, 3);
    expect_identity(doc, "q");
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_more"), 0);
    cr_expect_eq(t_int(doc, "nodes.q.redeliveries"), 0);
    /* Every publish is acknowledged at once: the producers' requests all complete. */
    cr_expect_eq(t_int(doc, "requests.completed"), t_int(doc, "nodes.q.published"));
    cJSON_Delete(doc);
}

/* ---- visibility timeout, redelivery, dead letters ---- */

/* Redelivery semantics (docs/async.md#queue): a delivery's lease is V = visibility_timeout
 * from the moment it is sent; an attempt whose processing S ends after its lease is discarded
 * by the consumer (an ack DL_LATE: its work does not count, the checker is not told), and the
 * lease's end makes the message visible again at once. With idle consumers and no network
 * delay each attempt is late independently with q = P(S > V) = exp(-V / mean) for an
 * exponential S, so the deliveries of a message are K = min(G, D), G geometric on {1, 2, ...}
 * with success 1 - q and D = max_deliveries: E[K] = (1 - q^D) / (1 - q), and the message is
 * dead-lettered (its D-th lease ends too) with probability q^D, independently of the others.
 * Here V = mean = 100 ms (q = 1/e), 20 messages/s for 2000 s (about 40,000 messages settled)
 * and 30 consumers: the attempts in progress average 20 x E[K] x 0.1 s = 3, so a consumer is
 * idle for every redelivery with overwhelming probability (and a wait would not change K: a
 * lease starts at the delivery). The mean of K over n messages is checked within 3.29
 * sd(K) / sqrt(n), the dead letters as a binomial count. */
static void leases_point(int d) {
    const double q = exp(-1.0);
    char max[24], yaml[1024];
    if (d > 0)
        snprintf(max, sizeof max, "%d", d);
    else
        snprintf(max, sizeof max, "unbounded");
    snprintf(yaml, sizeof yaml,
             "duration: 2000s\n"
             "warmup: 10s\n"
             "nodes:\n"
             "  producers: {kind: client, target: q, rate: 20/s}\n"
             "  q: {kind: queue, visibility_timeout: 100ms, max_deliveries: %s}\n"
             "  w:\n"
             "    kind: consumer\n"
             "    source: q\n"
             "    replicas: 30\n"
             "    service: {dist: exponential, mean: 100ms}\n",
             max);
    cJSON *doc = t_run(yaml, 11);
    double acked = t_num(doc, "nodes.q.acked");
    double dead = d > 0 ? t_num(doc, "nodes.q.dead_lettered") : 0;
    double n = acked + dead;
    double mean_k, var_k;
    if (d > 0) {
        double e1 = 0, e2 = 0;
        for (int k = 1; k <= d; k++) {
            double p = k < d ? pow(q, k - 1) * (1 - q) : pow(q, d - 1);
            e1 += k * p;
            e2 += (double)k * k * p;
        }
        mean_k = e1;
        var_k = e2 - e1 * e1;
        cr_assert_float_eq(mean_k, (1 - pow(q, d)) / (1 - q), 1e-12);
    } else {
        mean_k = 1 / (1 - q);
        var_k = q / ((1 - q) * (1 - q));
    }
    char what[96];
    snprintf(what, sizeof what, "D=%d: deliveries per message", d);
    expect_mean(what, t_num(doc, "nodes.q.deliveries_per_message"), mean_k, sqrt(var_k / n));
    if (d > 0) {
        snprintf(what, sizeof what, "D=%d: dead-lettered", d);
        t_expect_binomial(what, dead, n, pow(q, d));
        /* Every dead letter was never processed: the checker agrees exactly. */
        cr_expect_eq(t_delivery_int(doc, "q", "dead_lettered"), (long long)dead);
    }
    /* A late attempt's work is discarded: nothing is processed twice. */
    cr_expect_eq(t_delivery_int(doc, "q", "processed_more"), 0);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
    cr_expect_gt(t_int(doc, "nodes.q.redeliveries"), 0);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

Test(message_queue, leases_redeliver_and_dead_letter_after_max_deliveries) {
    leases_point(3); /* E[K] = 1 + q + q^2 = 1.503, dead letters q^3 = 4.98% */
    leases_point(0); /* unbounded: E[K] = 1 / (1 - q) = 1.582, none dead */
}

/* ---- capacity ---- */

/* M/M/1/K: one consumer (mu = 10/s, prefetch 1), lambda = 9/s, capacity K = 5. */
#define MM1K(policy)                                                                               \
    "duration: 1000s\n"                                                                            \
    "warmup: 50s\n"                                                                                \
    "nodes:\n"                                                                                     \
    "  producers: {kind: client, target: q, rate: 9/s}\n"                                          \
    "  q: {kind: queue, capacity: 5, when_full: " policy "}\n"                                     \
    "  w: {kind: consumer, source: q, service: {dist: exponential, mean: 100ms}}\n"

/* Refused publishes are counted alike by the producers (rejected requests), the checker
 * (delivery.refused) and the queue, exactly; their fraction is M/M/1/K's blocking. */
Test(message_queue, full_queue_rejects_the_producer) {
    double frac[REPS];
    for (int r = 0; r < REPS; r++) {
        cJSON *doc = t_run(MM1K("reject"), (uint64_t)r + 1);
        long long refused = t_int(doc, "nodes.q.refused");
        cr_expect_eq(t_int(doc, "requests.rejected"), refused);
        cr_expect_eq(t_int(doc, "delivery.refused"), refused);
        cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
        expect_identity(doc, "q");
        frac[r] = (double)refused / (double)(refused + t_int(doc, "nodes.q.published"));
        cr_expect_leq(t_int(doc, "nodes.q.depth") + t_int(doc, "nodes.q.in_flight"), 5);
        cJSON_Delete(doc);
    }
    t_expect_in_ci("fraction refused (M/M/1/K blocking)", t_ci_of(frac, REPS, LEVEL),
                   t_mm1k_p(0.9, 5, 5));
}

/* drop_oldest accepts every publish and drops the head of the queue instead: the number held
 * evolves as with reject, so the fraction dropped is the same blocking probability. A dropped
 * message was visible (with prefetch 1 a full queue holds K - 1 visible ones), so the
 * checker's dropped are the queue's. */
Test(message_queue, full_queue_drops_the_oldest) {
    double frac[REPS];
    for (int r = 0; r < REPS; r++) {
        cJSON *doc = t_run(MM1K("drop_oldest"), (uint64_t)r + 1);
        long long dropped = t_int(doc, "nodes.q.dropped");
        cr_expect_eq(t_int(doc, "requests.rejected"), 0);
        cr_expect_eq(t_int(doc, "delivery.refused"), 0);
        cr_expect_eq(t_delivery_int(doc, "q", "dropped"), dropped);
        cr_expect_eq(t_delivery_int(doc, "q", "lost"), dropped);
        expect_identity(doc, "q");
        frac[r] = (double)dropped / (double)t_int(doc, "nodes.q.published");
        cJSON_Delete(doc);
    }
    t_expect_in_ci("fraction dropped (M/M/1/K blocking)", t_ci_of(frac, REPS, LEVEL),
                   t_mm1k_p(0.9, 5, 5));
}

/* ---- crashes of the queue ---- */

/* A hand-worked timeline (zero network latency). The producers publish every 100 ms from
 * 0.1 s to 4.9 s: m1 .. m49, m_k accepted at k/10 s. Two consumers w.0, w.1 (prefetch 1)
 * take 1 s per message; w.0 subscribed first, so the round robin gives w.0 the odd messages
 * and w.1 the even ones: w.0 processes m1 in [0.1, 1.1], m3 in [1.1, 2.1], ..., w.1 m2 in
 * [0.2, 1.2], m4 in [1.2, 2.2], .... The queue crashes at 10.5 s for 2 s. By then w.0 has
 * finished m1 .. m19 (its 10th ends at 10.1) and is on m21, w.1 has finished m2 .. m20 and is
 * on m22: 20 acked, 29 held (m21, m22 in flight, m23 .. m49 visible). m21 and m22 are
 * processed at 11.1 and 11.2, but their acks reach a crashed queue and come back refused. */
#define CRASH_TIMELINE(durable)                                                                    \
    "duration: 40s\n"                                                                              \
    "nodes:\n"                                                                                     \
    "  producers: {kind: client, target: q, arrival: 100ms, stop: 5s}\n"                           \
    "  q: {kind: queue, durable: " durable "}\n"                                                   \
    "  w: {kind: consumer, source: q, replicas: 2, service: 1s}\n"                                 \
    "faults:\n"                                                                                    \
    "  - {at: 10.5s, crash: q, duration: 2s}\n"

/* In memory: the crash loses the 29 messages held. The checker counts m21 and m22 processed
 * (processing prevails) and the other 27 crash_lost; the queue restarts empty and has nothing
 * left at the end. */
Test(message_queue, in_memory_crash_loses_what_it_held) {
    cJSON *doc = t_run(CRASH_TIMELINE("false"), 1);
    cr_expect_eq(t_int(doc, "nodes.q.published"), 49);
    cr_expect_eq(t_int(doc, "nodes.q.acked"), 20);
    cr_expect_eq(t_int(doc, "nodes.q.crash_lost"), 29);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_once"), 22);
    cr_expect_eq(t_delivery_int(doc, "q", "crash_lost"), 27);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 27);
    cr_expect_eq(t_delivery_int(doc, "q", "pending"), 0);
    cr_expect_eq(t_int(doc, "requests.completed"), 49);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* Durable: nothing is lost. At the restart (12.5 s) m21 and m22, in flight at the crash,
 * are visible again at the head of the queue; the consumers, whose heartbeats and acks came
 * back refused, subscribe again and get them: both are processed a second time (their first
 * acks were lost with the crash: at-least-once), and the other 47 once. Everything is
 * processed by about 28 s. */
Test(message_queue, durable_crash_redelivers_what_was_in_flight) {
    cJSON *doc = t_run(CRASH_TIMELINE("true"), 1);
    cr_expect_eq(t_int(doc, "nodes.q.published"), 49);
    cr_expect_eq(t_int(doc, "nodes.q.crash_lost"), 0);
    cr_expect_eq(t_int(doc, "nodes.q.redeliveries"), 2);
    cr_expect_eq(t_int(doc, "nodes.q.acked"), 49);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_once"), 47);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_more"), 2);
    cr_expect_eq(t_delivery_int(doc, "q", "extra_processings"), 2);
    cr_expect_eq(t_delivery_int(doc, "q", "pending"), 0);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* ---- a consumer's crash, retention ---- */

/* The producers as above (m1 .. m49); two consumers of 1 s per message with prefetch 2, so
 * each holds one message in processing and one buffered: w.0 gets m1, m3, m5, ... (m_(2j+1)
 * delivered at j - 0.9 s for j >= 2, processed in [j + 0.1, j + 1.1]), w.1 the even ones
 * 0.1 s later. The visibility timeout is 5 s. w.1 crashes at 10.5 s for 3 s, holding m22
 * (delivered at 9.2 s, in processing since 10.2) and m24 (delivered at 10.2 s, buffered):
 * both are lost with it, and the queue sends it nothing more (its credit is spent). Their
 * leases end at 14.2 and 15.2 s: only then are they visible again, at the head of the queue,
 * and redelivered: m22 at 14.5 s and m24 at 15.5 s, each to w.1 (restarted at 13.5 s, it
 * took m28 and m29 and acks one each second at x.5 s; w.0 asks at 14.1 and 15.1 s, just before
 * each lease ends). No message is lost or processed twice. */
Test(message_queue, consumer_crash_redelivers_after_the_visibility_timeout) {
    static const char yaml[] =
        "duration: 60s\n"
        "nodes:\n"
        "  producers: {kind: client, target: q, arrival: 100ms, stop: 5s}\n"
        "  q: {kind: queue, visibility_timeout: 5s}\n"
        "  w: {kind: consumer, source: q, replicas: 2, prefetch: 2, service: 1s}\n"
        "faults:\n"
        "  - {at: 10.5s, crash: w.1, duration: 3s}\n";
    sim_topology *topo = t_load(yaml, NULL, 0, NULL);
    cr_assert(topo);
    sim_engine *e = sim_engine_new(topo, 1);
    cr_assert(e);
    static const char *const path[] = {"nodes.q.redeliveries"};
    char err[256] = "";
    cr_assert_eq(sim_engine_sample_intervals(e, SIM_S, path, 1, NULL, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    cr_expect_eq(t_int(doc, "nodes.q.redeliveries"), 2);
    cr_expect_eq(t_int(doc, "nodes.q.bounced"), 0);
    cr_expect_eq(t_int(doc, "nodes.q.acked"), 49);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_once"), 49);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_more"), 0);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
    expect_identity(doc, "q");
    /* The redeliveries per 1 s interval: one in (14, 15] and one in (15, 16], none before. */
    const sim_series *s = sim_engine_series(e);
    cr_assert(s && s->ncols == 1 && s->nrows == 60);
    for (size_t i = 0; i < s->nrows; i++) {
        double want = s->t[i] == 15 * SIM_S || s->t[i] == 16 * SIM_S ? 1 : 0;
        cr_expect_eq(s->values[i], want, "redeliveries in the interval ending at %g s",
                     (double)s->t[i] / SIM_S);
    }
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(topo);
}

/* A delivery to a crashed consumer comes back and is not an attempt. One message a second
 * (m1 .. m10 at 1 .. 10 s) to two consumers of prefetch 2 and 100 ms, idle between
 * messages, so the round robin alternates: m1, m3 to w.0, m2, m4 to w.1. w.0 crashes at 3.5 s
 * for 3 s still holding its credits, so m5 (at 5 s, its turn) is sent to it and bounces: the
 * queue ends its subscription and gives m5 to w.1 at once, as a first delivery (it does not
 * count as a redelivery, nor towards deliveries_per_message). w.1 then takes m6, and after
 * w.0 subscribes again at 6.5 s the turns alternate again: m7 w.1, m8 w.0, m9 w.1, m10 w.0.
 * So w.0 processes 4 messages, w.1 6, and 11 deliveries carry 10 messages. */
Test(message_queue, a_delivery_to_a_crashed_consumer_bounces) {
    static const char yaml[] =
        "duration: 15s\n"
        "nodes:\n"
        "  producers: {kind: client, target: q, arrival: 1s, stop: 10.5s}\n"
        "  q: {kind: queue}\n"
        "  w: {kind: consumer, source: q, replicas: 2, prefetch: 2, service: 100ms}\n"
        "faults:\n"
        "  - {at: 3.5s, crash: w.0, duration: 3s}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.q.bounced"), 1);
    cr_expect_eq(t_int(doc, "nodes.q.delivered"), 11);
    cr_expect_eq(t_int(doc, "nodes.q.redeliveries"), 0);
    cr_expect_eq(t_num(doc, "nodes.q.deliveries_per_message"), 1);
    cr_expect_eq(t_int(doc, "nodes.w.0.processed"), 4);
    cr_expect_eq(t_int(doc, "nodes.w.1.processed"), 6);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_once"), 10);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* Retention 20 s; one consumer of 1 s per message (prefetch 1) processes m1 .. m10 (the
 * k-th in [k - 0.9, k + 0.1]) and crashes for good at 10.5 s while on m11. The other 39
 * messages are never processed: each expires 20 s after it was accepted (m11, still in
 * flight under its 30 s lease, at 21.1 s; m12 .. m49, visible, from 21.2 to 24.9 s), and
 * the checker counts them expired. */
Test(message_queue, retention_expires_what_nobody_processed) {
    static const char yaml[] = "duration: 30s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: q, arrival: 100ms, stop: 5s}\n"
                               "  q: {kind: queue, retention: 20s}\n"
                               "  w: {kind: consumer, source: q, service: 1s}\n"
                               "faults:\n"
                               "  - {at: 10.5s, crash: w}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.q.acked"), 10);
    cr_expect_eq(t_int(doc, "nodes.q.expired"), 39);
    cr_expect_eq(t_int(doc, "nodes.q.depth") + t_int(doc, "nodes.q.in_flight"), 0);
    cr_expect_eq(t_delivery_int(doc, "q", "processed_once"), 10);
    cr_expect_eq(t_delivery_int(doc, "q", "expired"), 39);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 39);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* Before the retention, what is held at the end is pending: the same run cut at 15 s. */
Test(message_queue, what_is_held_at_the_end_is_pending) {
    static const char yaml[] = "duration: 15s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: q, arrival: 100ms, stop: 5s}\n"
                               "  q: {kind: queue, retention: 20s}\n"
                               "  w: {kind: consumer, source: q, service: 1s}\n"
                               "faults:\n"
                               "  - {at: 10.5s, crash: w}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.q.depth"), 38);
    cr_expect_eq(t_int(doc, "nodes.q.in_flight"), 1);
    cr_expect_eq(t_delivery_int(doc, "q", "pending"), 39);
    cr_expect_eq(t_delivery_int(doc, "q", "lost"), 0);
    cr_expect(t_num(doc, "nodes.q.oldest_age_ms") == 15000 - 1100, "m11, accepted at 1.1 s");
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* ---- determinism ---- */

Test(message_queue, same_seed_same_document) {
    static const char yaml[] =
        "duration: 60s\n"
        "warmup: 5s\n"
        "nodes:\n"
        "  producers: {kind: client, target: q, rate: 30/s}\n"
        "  q: {kind: queue, capacity: 50, visibility_timeout: 150ms, max_deliveries: 2}\n"
        "  w: {kind: consumer, source: q, replicas: 3, prefetch: 2,\n"
        "      service: {dist: exponential, mean: 90ms}}\n"
        "faults:\n"
        "  - {at: 20s, crash: q, duration: 3s}\n"
        "  - {at: 30s, crash: w.1, duration: 5s}\n";
    char *a = t_run_text(yaml, 9), *b = t_run_text(yaml, 9);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
    cJSON *doc = t_run(yaml, 9);
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}

/* ---- memory ---- */

/* A million messages held at once (a publish every microsecond for 1 s, no consumer): the
 * queue keeps them in pooled records (about 110 bytes each with the map by sequence number,
 * queue_int.h), and at the end every one is pending. The run takes about 2 s and 140 MB. */
Test(message_queue, a_million_messages_held) {
    static const char yaml[] = "duration: 2s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: q, arrival: 1us, stop: 1s}\n"
                               "  q: {kind: queue}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.q.published"), 999999); /* at 1 us, 2 us, ..., 999,999 us */
    cr_expect_eq(t_int(doc, "nodes.q.depth"), 999999);
    cr_expect_eq(t_delivery_int(doc, "q", "pending"), 999999);
    cr_expect(t_num(doc, "nodes.q.oldest_age_ms") == 2000 - 0.001, "the first, accepted at 1 us");
    expect_identity(doc, "q");
    cJSON_Delete(doc);
}
