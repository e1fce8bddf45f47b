/* The stream kind (models/async/stream/) with its consumers, against closed forms and exact
 * accounting. Statistical checks use 99.9% Student-t confidence intervals over independent
 * seeded replications (t_ci_of with LEVEL), the theory having to lie inside; the network has
 * no delay, so an ack returns a consumer's credit at the instant its processing ends and the
 * partition's log is the consumer's waiting room. */
#include "engine.h"
#include "metrics.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEVEL 0.999

/* The stream's placement (models/async/stream/log.c): splitmix64's finalizer, mod P. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Mean sojourn of GI/M/1 with Erlang-k interarrival times made of k exponential stages of
 * rate lambda (every k-th message of a Poisson stream of rate lambda): 1 / (mu (1 - s)), s the
 * root in (0, 1) of s = A*(mu (1 - s)) with A*(x) = (lambda / (lambda + x))^k (Kleinrock,
 * Queueing Systems vol. 1, section 6.4). k = 1 is M/M/1: s = rho. */
static double ekm1_sojourn(double lambda, int k, double mu) {
    double s = 0.5;
    for (int i = 0; i < 10000; i++)
        s = pow(lambda / (lambda + mu * (1 - s)), k);
    return 1 / (mu * (1 - s));
}

static void run_reps(const char *yaml, size_t reps, const char *const *paths, size_t npaths,
                     double *x) {
    t_replicate(yaml, reps, paths, npaths, x);
}

/* One consumer per partition (P = 3, three instances, workers 1, prefetch 1), Poisson
 * publishing at 150/s, exponential processing of mean 10 ms (mu = 100/s).
 * Keyed-uniform placement: each message's key is uniform over 1000 keys, so partition p gets
 * a Poisson stream of rate lambda k_p / 1000 (k_p: keys hashing to p) and is M/M/1; consumer
 * p's utilization is lambda_p / mu, and the group's mean delay (publish -> processed: the
 * sojourn) is the mixture sum_p (lambda_p / lambda) / (mu - lambda_p). */
Test(stream, keyed_partitions_are_mm1) {
    static const char yaml[] =
        "duration: 400s\nwarmup: 40s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 150/s, keys: {dist: uniform, n: 1000}}\n"
        "  log: {kind: stream, partitions: 3}\n"
        "  workers: {kind: consumer, source: log, replicas: 3, commit: processed,\n"
        "            service: {dist: exponential, mean: 10ms}}\n";
    enum { REPS = 12 };
    static const char *const paths[] = {
        "delivery.groups.workers.delay_ms.mean", "nodes.workers.0.utilization",
        "nodes.workers.1.utilization", "nodes.workers.2.utilization"};
    static double x[4 * REPS];
    run_reps(yaml, REPS, paths, 4, x);
    const double lambda = 150, mu = 100;
    double k[3] = {0}, mix = 0;
    for (uint64_t key = 0; key < 1000; key++)
        k[mix64(key) % 3]++;
    for (int p = 0; p < 3; p++) {
        double lp = lambda * k[p] / 1000;
        mix += (lp / lambda) * 1000 / (mu - lp);
        char what[64];
        snprintf(what, sizeof what, "consumer %d utilization", p);
        t_expect_in_ci(what, t_ci_of(x + (1 + p) * REPS, REPS, LEVEL), lp / mu);
    }
    t_expect_in_ci("mean delay ms (M/M/1 mixture)", t_ci_of(x, REPS, LEVEL), mix);
}

/* Round robin without keys: partition p gets every third message of the Poisson stream, so
 * its interarrival times are Erlang-3 (not exponential): E3/M/1, whose mean sojourn is below
 * M/M/1's at the same rate (smoother arrivals). Same rates as above, lambda_p = 50/s. */
Test(stream, round_robin_partitions_are_e3m1) {
    static const char yaml[] =
        "duration: 400s\nwarmup: 40s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 150/s}\n"
        "  log: {kind: stream, partitions: 3}\n"
        "  workers: {kind: consumer, source: log, replicas: 3, commit: processed,\n"
        "            service: {dist: exponential, mean: 10ms}}\n";
    enum { REPS = 12 };
    static const char *const paths[] = {"delivery.groups.workers.delay_ms.mean",
                                        "nodes.workers.1.utilization", "nodes.log.skew"};
    static double x[3 * REPS];
    run_reps(yaml, REPS, paths, 3, x);
    t_expect_in_ci("mean delay ms (E3/M/1)", t_ci_of(x, REPS, LEVEL),
                   1000 * ekm1_sojourn(150, 3, 100));
    t_expect_in_ci("consumer 1 utilization", t_ci_of(x + REPS, REPS, LEVEL), 0.5);
    for (int i = 0; i < REPS; i++) /* round robin: appends differ by at most one */
        cr_expect(x[2 * REPS + i] < 1.001, "skew %g", x[2 * REPS + i]);
}

/* Fewer consumers than partitions: P = 4, two consumers, round robin. Consumer 0 owns
 * partitions 0 and 2, i.e. every other message of the Poisson stream (Erlang-2 arrivals at
 * 50/s), and serves them one at a time; its mean sojourn is E2/M/1's whatever the order it
 * takes its partitions in (a work-conserving single server with exponential service: the
 * number present, hence the mean by Little, does not depend on the order). Its load is the
 * sum of its partitions' loads. More consumers than partitions: the extra ones stay idle. */
Test(stream, consumers_beyond_partitions_idle) {
    static const char fewer[] =
        "duration: 400s\nwarmup: 40s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 100/s}\n"
        "  log: {kind: stream, partitions: 4}\n"
        "  workers: {kind: consumer, source: log, replicas: 2, commit: processed,\n"
        "            service: {dist: exponential, mean: 10ms}}\n";
    enum { REPS = 12 };
    static const char *const paths[] = {"delivery.groups.workers.delay_ms.mean",
                                        "nodes.workers.0.utilization",
                                        "nodes.workers.1.utilization"};
    static double x[3 * REPS];
    run_reps(fewer, REPS, paths, 3, x);
    t_expect_in_ci("mean delay ms (E2/M/1)", t_ci_of(x, REPS, LEVEL),
                   1000 * ekm1_sojourn(100, 2, 100));
    t_expect_in_ci("consumer 0 utilization (two partitions of 0.25)",
                   t_ci_of(x + REPS, REPS, LEVEL), 0.5);
    t_expect_in_ci("consumer 1 utilization", t_ci_of(x + 2 * REPS, REPS, LEVEL), 0.5);

    static const char more[] = "duration: 60s\nwarmup: 5s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: log, rate: 100/s}\n"
                               "  log: {kind: stream, partitions: 2}\n"
                               "  workers: {kind: consumer, source: log, replicas: 3,\n"
                               "            service: {dist: exponential, mean: 5ms}}\n";
    cJSON *doc = t_run(more, 3);
    cr_expect_gt(t_num(doc, "nodes.workers.0.processed"), 2000);
    cr_expect_gt(t_num(doc, "nodes.workers.1.processed"), 2000);
    cr_expect_eq(t_num(doc, "nodes.workers.2.processed"), 0, "a consumer beyond the partitions");
    cr_expect_eq(t_num(doc, "nodes.log.groups.workers.members"), 3);
    cJSON_Delete(doc);
}

/* Little's law on the lag: a message counts in its group's lag from its append to the commit
 * that covers it, so lag_mean = lambda x mean commit delay (sample-path, up to the window's
 * edges). Checked as the CI of the per-run difference containing 0. With auto-commit every T
 * the commit delay is the sojourn plus the wait for the next commit, uniform on (0, T) for
 * Poisson traffic against fixed ticks: 1 / (mu - lambda) + T / 2. */
Test(stream, lag_obeys_littles_law) {
    static const char yaml[] =
        "duration: 300s\nwarmup: 20s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 50/s}\n"
        "  log: {kind: stream}\n"
        "  workers: {kind: consumer, source: log, commit: auto, commit_interval: 1s,\n"
        "            service: {dist: exponential, mean: 10ms}}\n";
    enum { REPS = 12 };
    static const char *const paths[] = {"nodes.log.groups.workers.lag_mean",
                                        "nodes.log.groups.workers.commit_delay_ms.mean",
                                        "nodes.log.lag_mean"};
    static double x[3 * REPS];
    run_reps(yaml, REPS, paths, 3, x);
    double diff[REPS];
    for (int i = 0; i < REPS; i++) {
        diff[i] = x[i] - 50 * x[REPS + i] / 1000;
        cr_expect_float_eq(x[i], x[2 * REPS + i], 1e-9, "one group: its lag is the total");
    }
    t_expect_in_ci("lag_mean - lambda x commit delay", t_ci_of(diff, REPS, LEVEL), 0);
    t_expect_in_ci("mean commit delay ms", t_ci_of(x + REPS, REPS, LEVEL), 1000.0 / 50 + 500);
}

/* Auto-commit every T = 2 s, one consumer (one partition, workers 1), Poisson publishing at
 * 100/s, processing 5 ms: the consumer processes at r = 100/s (measured below as processed
 * per second). It crashes once, at a time drawn uniformly over [60 s, 100 s] (20 commit
 * periods) for each seed, and the fault's `duration: 2s` restarts it; it subscribes again,
 * its group rebalances (it is the only member: nobody else is revoked, so the rebalance
 * itself makes no duplicate), and after the pause it is delivered its partition from the
 * last committed offset. What it had processed since that commit is processed again: a
 * window uniform on (0, T), so extra_processings has mean r T / 2 = 100 (the message in
 * service at the crash was never processed: not a duplicate). Its variance is that of a
 * Poisson count over a uniform window: r T / 2 + (r T)^2 / 12. */
Test(stream, autocommit_crash_reprocesses_half_an_interval) {
    enum { REPS = 40 };
    double extra[REPS], rate[REPS];
    for (int i = 0; i < REPS; i++) {
        /* the crash instant, drawn from the seed by splitmix64 */
        double u = (double)(mix64(0x5eed + (uint64_t)i) >> 11) / 9007199254740992.0;
        char yaml[1024];
        snprintf(yaml, sizeof yaml,
                 "duration: 140s\nwarmup: 10s\n"
                 "nodes:\n"
                 "  producers: {kind: client, target: log, rate: 100/s}\n"
                 "  log: {kind: stream}\n"
                 "  workers: {kind: consumer, source: log, commit: auto, commit_interval: 2s,\n"
                 "            service: {dist: exponential, mean: 5ms}}\n"
                 "faults:\n"
                 "  - {at: %.6fs, crash: workers, duration: 2s}\n",
                 60 + 40 * u);
        cJSON *doc = t_run(yaml, (uint64_t)i + 1);
        extra[i] = t_num(doc, "delivery.groups.workers.extra_processings");
        rate[i] = t_num(doc, "nodes.workers.processed") / 130.0;
        cr_expect_eq(t_num(doc, "delivery.groups.workers.lost"), 0);
        cr_expect_eq(t_num(doc, "nodes.log.groups.workers.rebalances"), 1, "the rejoin");
        cJSON_Delete(doc);
    }
    t_ci r = t_ci_of(rate, REPS, LEVEL);
    t_expect_in_ci("duplicates after a crash (r T / 2)", t_ci_of(extra, REPS, LEVEL),
                   r.mean * 2 / 2);
}

/* Key-hash placement: every message of a key goes to one partition (one key only: a single
 * partition takes all), each group reads every message and processes each partition in order
 * with workers 1 (two groups, two instances each), and the checker's identity holds exactly
 * per group. A consumer with 4 workers on one partition finishes messages out of order: the
 * negative control. */
Test(stream, key_order_per_group) {
    static const char yaml[] =
        "duration: 60s\nwarmup: 5s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 300/s, keys: {dist: uniform, n: 50}}\n"
        "  log: {kind: stream, partitions: 4}\n"
        "  indexer: {kind: consumer, source: log, replicas: 2,\n"
        "            service: {dist: exponential, mean: 2ms}}\n"
        "  counter: {kind: consumer, source: log, replicas: 2, commit: processed,\n"
        "            service: {dist: exponential, mean: 1ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = t_run(yaml, seed);
        double acked = t_num(doc, "delivery.groups.indexer.acknowledged");
        cr_expect_gt(acked, 15000);
        cr_expect_eq(t_num(doc, "delivery.groups.counter.acknowledged"), acked);
        static const char *const groups[] = {"indexer", "counter"};
        for (int g = 0; g < 2; g++) {
            char p[128];
            snprintf(p, sizeof p, "delivery.groups.%s.order_violations", groups[g]);
            cr_expect_eq(t_num(doc, p), 0, "%s", p);
            snprintf(p, sizeof p, "delivery.groups.%s.lost", groups[g]);
            cr_expect_eq(t_num(doc, p), 0, "%s", p);
            snprintf(p, sizeof p, "delivery.groups.%s.processed_once", groups[g]);
            double once = t_num(doc, p);
            snprintf(p, sizeof p, "delivery.groups.%s.pending", groups[g]);
            cr_expect_geq(once + t_num(doc, p), acked, "every message, once");
            t_expect_delivery_identity(doc, groups[g]);
        }
        cJSON_Delete(doc);
    }

    static const char one_key[] =
        "duration: 20s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 100/s, keys: {dist: uniform, n: 1}}\n"
        "  log: {kind: stream, partitions: 4}\n"
        "  sloppy: {kind: consumer, source: log, workers: 4, prefetch: 4,\n"
        "           service: {dist: exponential, mean: 20ms}}\n";
    cJSON *doc = t_run(one_key, 1);
    double published = t_num(doc, "nodes.log.published"), most = 0;
    for (int p = 0; p < 4; p++) {
        char path[64];
        snprintf(path, sizeof path, "nodes.log.partitions.%d.appended", p);
        double a = t_num(doc, path);
        cr_expect(a == 0 || a == published, "one key, one partition: %g of %g", a, published);
        most = a > most ? a : most;
    }
    cr_expect_eq(most, published);
    cr_expect_eq(t_num(doc, "nodes.log.skew"), 4);
    cr_expect_gt(t_num(doc, "delivery.groups.sloppy.order_violations"), 0,
                 "4 workers on one partition finish out of order");
    t_expect_delivery_identity(doc, "sloppy");
    cJSON_Delete(doc);
}

/* Retention deletes what a group has not processed: a consumer that processes 50/s under
 * 100/s falls behind and loses messages to a 5 s retention (expired), a fast group on the
 * same log loses none (a processing prevails), and the identity holds for both. */
Test(stream, retention_expires_unprocessed) {
    static const char yaml[] = "duration: 60s\nwarmup: 5s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: log, rate: 100/s}\n"
                               "  log: {kind: stream, retention: 5s}\n"
                               "  slow: {kind: consumer, source: log, service: 20ms}\n"
                               "  fast: {kind: consumer, source: log, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 2);
    cr_expect_gt(t_num(doc, "delivery.groups.slow.expired"), 1000);
    cr_expect_eq(t_num(doc, "delivery.groups.fast.expired"), 0);
    cr_expect_gt(t_num(doc, "nodes.log.expired"), 1000);
    /* nothing older than the retention stays in the log, so no lag exceeds what 5 s bring */
    cr_expect_leq(t_num(doc, "nodes.log.groups.slow.lag_max"), 5 * 100 * 1.5);
    t_expect_delivery_identity(doc, "slow");
    t_expect_delivery_identity(doc, "fast");
    cJSON_Delete(doc);

    /* A group that joins at 30 s reads the log from its start, which retention has cut: what
     * was deleted before it existed is expired for it too (messages appended before 25 s),
     * what is still held it processes. */
    static const char late[] = "duration: 60s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: log, rate: 100/s}\n"
                               "  log: {kind: stream, retention: 5s}\n"
                               "  late: {kind: consumer, source: log, active: 0, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 30s, add: late}\n";
    doc = t_run(late, 1);
    double expired = t_num(doc, "delivery.groups.late.expired");
    cr_expect(expired > 2000 && expired < 3000, "about 25 s x 100/s expired: %g", expired);
    cr_expect_eq(t_num(doc, "delivery.groups.late.pending") +
                     t_num(doc, "delivery.groups.late.processed_once") + expired,
                 t_num(doc, "delivery.groups.late.acknowledged"));
    t_expect_delivery_identity(doc, "late");
    cJSON_Delete(doc);
}

/* Rebalances count membership changes: with 15 s of warm-up (the initial joins fall in it;
 * the spare, down from the start, does not join), a crash of workers.0 at 20 s (no restart:
 * its session ends within 10 s) and the spare added at 40 s make two; the group ends with two
 * members, and loses nothing. */
Test(stream, rebalances_on_death_and_join) {
    static const char yaml[] =
        "duration: 60s\nwarmup: 15s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 100/s}\n"
        "  log: {kind: stream, partitions: 4}\n"
        "  workers: {kind: consumer, source: log, replicas: 3, active: 2, service: 2ms}\n"
        "faults:\n"
        "  - {at: 20s, crash: workers.0}\n"
        "  - {at: 40s, add: workers}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_num(doc, "nodes.log.groups.workers.rebalances"), 2);
    cr_expect_eq(t_num(doc, "nodes.log.groups.workers.members"), 2);
    cr_expect_eq(t_num(doc, "delivery.groups.workers.lost"), 0);
    cr_expect_gt(t_num(doc, "nodes.workers.2.processed"), 0, "the spare took partitions");
    t_expect_delivery_identity(doc, "workers");
    cJSON_Delete(doc);
}

/* The stream is durable: its crash (5 s) drops the publishes in progress (their producers
 * see failures) and the groups' membership, not the log or the committed offsets. Its
 * consumers, refused meanwhile, subscribe again; after the restart they are kicked at their
 * next heartbeat or taken at their retry, rejoin, and resume from the committed offsets:
 * nothing accepted is lost, what was processed but not committed is processed again. */
Test(stream, survives_its_own_crash) {
    static const char yaml[] = "duration: 60s\nwarmup: 2s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: log, rate: 100/s}\n"
                               "  log: {kind: stream, partitions: 2}\n"
                               "  w: {kind: consumer, source: log, replicas: 2, service: 2ms}\n"
                               "faults:\n"
                               "  - {at: 20s, crash: log, duration: 5s}\n";
    cJSON *doc = t_run(yaml, 4);
    cr_expect_gt(t_num(doc, "nodes.producers.failed"), 300, "publishes to the crashed stream");
    cr_expect_eq(t_num(doc, "delivery.groups.w.lost"), 0);
    cr_expect_gt(t_num(doc, "delivery.groups.w.processed_more"), 0);
    cr_expect_eq(t_num(doc, "nodes.log.groups.w.members"), 2, "both rejoined");
    cr_expect_eq(t_num(doc, "delivery.groups.w.pending") +
                     t_num(doc, "delivery.groups.w.processed_once") +
                     t_num(doc, "delivery.groups.w.processed_more"),
                 t_num(doc, "delivery.groups.w.acknowledged"));
    t_expect_delivery_identity(doc, "w");
    cJSON_Delete(doc);
}

/* Same topology and seed: the same document, byte for byte. */
Test(stream, deterministic) {
    static const char yaml[] =
        "duration: 30s\nwarmup: 2s\n"
        "nodes:\n"
        "  producers: {kind: client, target: log, rate: 200/s, keys: {dist: zipf, n: 100, s: 1}}\n"
        "  log: {kind: stream, partitions: 3, retention: 10s}\n"
        "  workers: {kind: consumer, source: log, replicas: 2,\n"
        "            service: {dist: exponential, mean: 4ms}}\n"
        "faults:\n"
        "  - {at: 10s, crash: workers.1, duration: 3s}\n";
    char *a = t_run_text(yaml, 9), *b = t_run_text(yaml, 9);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

/* The stream's total lag is a table figure: a time series shows it over time. With one
 * consumer committing every 2 s the lag climbs between commits and falls at each: the series
 * of 100 ms intervals must reach the level that 2 s of 100/s bring (about 200) and come back
 * near 0. (A group's own figures, nodes.log.groups.G.*, are written by a hook once the group
 * has subscribed, which is after sampling starts: they cannot be sampled.) */
Test(stream, lag_has_a_time_series) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  producers: {kind: client, target: log, rate: 100/s}\n"
                               "  log: {kind: stream}\n"
                               "  workers: {kind: consumer, source: log, commit_interval: 2s,\n"
                               "            service: 1ms}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    /* The group's own lag is written by the report hook only once the group has subscribed:
     * it is sampled all the same, NaN before, and equals the total for the one group. */
    static const char *const paths[] = {"nodes.log.lag", "nodes.log.groups.workers.lag"};
    char err[256];
    cr_assert_eq(sim_engine_sample_intervals(e, 100000000, paths, 2, NULL, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(sim_engine_run(e), 0);
    const sim_series *s = sim_engine_series(e);
    cr_assert(s && s->nrows >= 200 && s->ncols == 2);
    double top = 0, low = 1e9;
    for (size_t r = 50; r < s->nrows; r++) {
        top = fmax(top, s->values[2 * r]);
        low = fmin(low, s->values[2 * r]);
        cr_expect_eq(s->values[2 * r + 1], s->values[2 * r], "row %zu", r);
    }
    cr_expect_gt(top, 150, "the lag before a commit");
    cr_expect_lt(low, 20, "the lag right after one");
    sim_engine_free(e);
    sim_topology_free(t);
}
