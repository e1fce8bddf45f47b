/* database (docs/topology.md "database").
 *
 * Oracles:
 *   - Failover scenarios: the consistency oracle (checkers/consistency.h) judges every read and counts
 *     lost writes. `sync` acknowledges a write only once every live replica applied it, and the
 *     most up-to-date replica is promoted, so no acknowledged write can be lost and no replica
 *     can serve a version older than an acknowledged one: both counts are exactly 0 (for any
 *     seed). `async` ships a commit `replication_delay` after it; a primary crash loses the
 *     writes of the last delay: with 100 writes/s and a constant 100 ms, Poisson with mean ~10
 *     per crash, so P(no loss) ~ e^-10: "> 0" holds for every seed.
 *   - Replica staleness with async replication and constant times: a write committed at c is
 *     acknowledged at c + L (L the network latency) and applied on a replica at c + D + L (D the
 *     replication delay); a read issued at t reaches the replica at t + L and reads after the
 *     service S. It is stale iff t + L + S < c + D + L, and its staleness is t - (c + L), so the
 *     staleness lies in [0, D - L - S] (exact bound) and, reads being Poisson (uniform over the
 *     window), its mean is (D - L - S) / 2. Tolerance for the mean: 99% t-interval over 5 seeds.
 *   - Replication lag (commit to apply) = D + L per entry: with constant times exactly D + L;
 *     with D exponential, the mean lag over seeds is checked against E[D] + L with a 99%
 *     t-interval over 10 seeds, and the time-average number of writes behind against
 *     Little's law: lambda_w (E[D] + L).
 *   - A single instance is an M/M/1 queue for Poisson reads with exponential service: mean
 *     sojourn 1 / (mu - lambda) (99% t-interval over 5 seeds).
 *   - A primary that crashes for good with async replication: with a key space so large that
 *     writes almost never repeat a key, the lost writes are mostly of keys the new primary
 *     never heard of, and still every one is counted: each acknowledged write the old primary
 *     did not ship is lost, so lost_writes = the old primary's writes - the entries the
 *     promoted replica applied (exactly, warm-up 0).
 *   - Crash and restart of a durable database: every acknowledged write is still there (0
 *     lost); with durable: false the writes before the crash are lost (> 0); with a WAL
 *     flushed every second, exactly the commits since the last flush are lost (Poisson).
 * Every run also checks the client's accounting identity
 *   issued = completed + rejected + timed_out + failed + in_flight. */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Three instances, reads from the replicas, the primary crashes at 8 s and restarts at 14 s. */
static const char failover_yaml[] = "name: failover\n"
                                    "duration: 20s\n"
                                    "network: {latency: 1ms}\n"
                                    "nodes:\n"
                                    "  users:\n"
                                    "    kind: client\n"
                                    "    target: db\n"
                                    "    rate: 500/s\n"
                                    "    timeout: 3s\n"
                                    "    ops: {read: 0.8, write: 0.2}\n"
                                    "    keys: {dist: uniform, n: 300}\n"
                                    "  db:\n"
                                    "    kind: database\n"
                                    "    replicas: 3\n"
                                    "    service: {dist: exponential, mean: 2ms}\n"
                                    "    replication: sync\n"
                                    "    replication_delay: {dist: exponential, mean: 10ms}\n"
                                    "    read_from: replicas\n"
                                    "faults:\n"
                                    "  - {at: 8s, crash: db.0, duration: 6s}\n";

/* Copies yaml into buf (of size n) with its "replication_delay: ..." line's value replaced. */
static void with_delay(char *buf, size_t n, const char *yaml, const char *delay) {
    const char *key = "replication_delay: ";
    const char *at = strstr(yaml, key);
    cr_assert(at);
    const char *eol = strchr(at, '\n');
    int len = snprintf(buf, n, "%.*s%s%s%s", (int)(at - yaml), yaml, key, delay, eol);
    cr_assert(len > 0 && (size_t)len < n);
}

/* delay: a replication_delay instead of the file's, or NULL. */
static cJSON *run_failover(const char *replication, const char *delay, uint64_t seed) {
    char set[64], yaml[sizeof failover_yaml + 64];
    snprintf(set, sizeof set, "nodes.db.replication=%s", replication);
    const char *sets[] = {set};
    if (delay)
        with_delay(yaml, sizeof yaml, failover_yaml, delay);
    cJSON *doc = t_run_with(delay ? yaml : failover_yaml, seed, sets, 1);
    t_expect_accounting(doc);
    /* The lowest-index most up-to-date replica took over, the old primary rejoined. */
    cr_expect_str_eq(t_str(doc, "nodes.db.0.role"), "replica");
    cr_expect_eq(t_int(doc, "nodes.db.0.epoch"), 1);
    cr_expect_eq(t_int(doc, "nodes.db.1.promotions") + t_int(doc, "nodes.db.2.promotions"), 1);
    cr_expect_gt(t_int(doc, "consistency.writes_acked"), 1000);
    return doc;
}

/* A read that waited or ran on a replica when it began following the new primary used to be
 * answered from the emptied store: 3 of seeds 1-20 had one stale read (a rate of about 1 in
 * 7 runs). With n seeds a per-run rate of 1/7 escapes the test with probability (6/7)^n:
 * 64 seeds give 5.2e-5 (< 1e-4). The 64 runs take ~0.9 s (~1.9 s under the sanitizers). */
#define SYNC_FAILOVER_SEEDS 64

Test(database, sync_failover_loses_nothing_and_reads_nothing_stale) {
    for (uint64_t seed = 1; seed <= SYNC_FAILOVER_SEEDS; seed++) {
        cJSON *doc = run_failover("sync", NULL, seed);
        cr_expect_gt(t_int(doc, "consistency.reads_checked"), 5000);
        cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0, "seed %llu",
                     (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0, "seed %llu",
                     (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "consistency.read_your_writes_violations"), 0);
        cJSON_Delete(doc);
    }
}

Test(database, semi_sync_failover_loses_nothing) {
    /* semi_sync: one replica has every acknowledged write and is the most up to date. */
    for (uint64_t seed = 1; seed <= 2; seed++) {
        cJSON *doc = run_failover("semi_sync", NULL, seed);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
        cJSON_Delete(doc);
    }
}

Test(database, async_failover_loses_writes) {
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = run_failover("async", "100ms", seed);
        cr_expect_gt(t_int(doc, "consistency.lost_writes"), 0, "seed %llu",
                     (unsigned long long)seed);
        cr_expect_gt(t_int(doc, "consistency.stale_reads"), 0);
        cJSON_Delete(doc);
    }
}

Test(database, primary_gone_for_good_loses_exactly_its_unshipped_writes) {
    /* The failover scenario cut at 12 s, before db.0 restarts; async, a constant 100 ms
     * shipping delay, and keys that (almost) never repeat. */
    char yaml[sizeof failover_yaml + 64];
    with_delay(yaml, sizeof yaml, failover_yaml, "100ms");
    const char *sets[] = {"duration=12s", "nodes.db.replication=async",
                          "nodes.users.keys.n=1000000000"};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = t_run_with(yaml, seed, sets, 3);
        t_expect_accounting(doc);
        cr_assert_eq(t_int(doc, "nodes.db.1.promotions"), 1, "seed %llu",
                     (unsigned long long)seed);
        long long unshipped =
            t_int(doc, "nodes.db.0.writes") - t_int(doc, "nodes.db.1.applied");
        cr_expect_gt(unshipped, 0);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), unshipped, "seed %llu",
                     (unsigned long long)seed);
        cJSON_Delete(doc);
    }
}

/* Async replicas, constant times: D = 100 ms, L = 1 ms, S = 2 ms. */
static const char stale_yaml[] = "name: stale\n"
                                 "duration: 60s\n"
                                 "network: {latency: 1ms}\n"
                                 "nodes:\n"
                                 "  users:\n"
                                 "    kind: client\n"
                                 "    target: db\n"
                                 "    rate: 500/s\n"
                                 "    ops: {read: 0.8, write: 0.2}\n"
                                 "    keys: {dist: uniform, n: 200}\n"
                                 "  db:\n"
                                 "    kind: database\n"
                                 "    replicas: 3\n"
                                 "    workers: 1000\n"
                                 "    service: 2ms\n"
                                 "    replication_delay: 100ms\n"
                                 "    read_from: replicas\n";

Test(database, async_replica_staleness_follows_the_replication_delay) {
    enum { REPS = 5 };
    const char *paths[] = {"consistency.staleness_ms.mean", "consistency.staleness_ms.max",
                           "consistency.stale_reads"};
    double x[3 * REPS];
    t_replicate(stale_yaml, REPS, paths, 3, x);
    double bound = 100 - 1 - 2;
    for (size_t i = 0; i < REPS; i++) {
        cr_expect_leq(x[REPS + i], bound + 1e-6, "staleness max %g > D - L - S", x[REPS + i]);
        cr_expect_geq(x[REPS + i], 0.95 * bound, "staleness max %g far below D", x[REPS + i]);
        cr_expect_gt(x[2 * REPS + i], 500);
    }
    t_expect_in_ci("mean staleness (D - L - S) / 2", t_ci_of(x, REPS, 0.99), bound / 2);
}

Test(database, async_lag_is_delay_plus_latency_exactly_with_constant_times) {
    cJSON *doc = t_run(stale_yaml, 1);
    t_expect_accounting(doc);
    for (int i = 1; i <= 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "nodes.db.%d.lag_ms.mean", i);
        cr_expect_float_eq(t_num(doc, path), 101.0, 1e-9);
        snprintf(path, sizeof path, "nodes.db.%d.lag_ms.max", i);
        cr_expect_float_eq(t_num(doc, path), 101.0, 1e-9);
    }
    cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
    cJSON_Delete(doc);
}

Test(database, async_mean_lag_matches_delay_distribution_plus_latency) {
    enum { REPS = 10 };
    const char *sets[] = {"duration=20s"};
    char yaml[sizeof stale_yaml + 64];
    with_delay(yaml, sizeof yaml, stale_yaml, "{dist: exponential, mean: 30ms}");
    double lag[REPS], behind[REPS];
    for (size_t i = 0; i < REPS; i++) {
        cJSON *doc = t_run_with(yaml, i + 1, sets, 1);
        lag[i] = t_num(doc, "nodes.db.2.lag_ms.mean");
        behind[i] = t_num(doc, "nodes.db.2.behind_mean");
        cJSON_Delete(doc);
    }
    t_expect_in_ci("mean lag = E[D] + L", t_ci_of(lag, REPS, 0.99), 31.0);
    /* Little's law: writes arrive at 500/s * 0.2 and each stays behind E[D] + L. */
    t_expect_in_ci("writes behind = lambda_w (E[D] + L)", t_ci_of(behind, REPS, 0.99), 100 * 0.031);
}

static const char single_yaml[] = "name: single\n"
                                  "duration: 10s\n"
                                  "network: {latency: 1ms}\n"
                                  "nodes:\n"
                                  "  users:\n"
                                  "    kind: client\n"
                                  "    target: db\n"
                                  "    rate: 200/s\n"
                                  "    timeout: 1s\n"
                                  "    ops: {read: 0.5, write: 0.5}\n"
                                  "    keys: {dist: zipf, n: 100, s: 1}\n"
                                  "  db:\n"
                                  "    kind: database\n"
                                  "    service: 1ms\n"
                                  "    fsync: 2ms\n"
                                  "faults:\n"
                                  "  - {at: 4s, crash: db, duration: 1s}\n";

Test(database, durable_crash_and_restart_loses_no_acknowledged_write) {
    cJSON *doc = t_run(single_yaml, 1);
    t_expect_accounting(doc);
    cr_expect_gt(t_int(doc, "consistency.writes_acked"), 500);
    cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
    cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0);
    cr_expect_gt(t_int(doc, "nodes.users.failed"), 0); /* refused while down */
    cJSON_Delete(doc);
}

Test(database, volatile_crash_loses_the_writes_before_it) {
    const char *sets[] = {"nodes.db.durable=false"};
    cJSON *doc = t_run_with(single_yaml, 1, sets, 1);
    t_expect_accounting(doc);
    cr_expect_gt(t_int(doc, "consistency.lost_writes"), 100);
    cJSON_Delete(doc);
}

/* Writes only, Poisson at 200/s over keys that (almost) never repeat; the WAL is flushed every
 * second and the instance crashes at 10.5 s: the commits of (10 s, 10.5 s) are rolled back.
 * Each was acknowledged at once (zero latency), so lost_writes = writes_undone exactly, and
 * their number is Poisson with mean 200/s x 0.5 s = 100 (commits lag arrivals by a service
 * time, which does not change the rate). */
Test(database, interval_flush_loses_the_commits_since_the_last_flush) {
    static const char yaml[] = "name: flush\n"
                               "duration: 15s\n"
                               "nodes:\n"
                               "  users:\n"
                               "    kind: client\n"
                               "    target: db\n"
                               "    rate: 200/s\n"
                               "    ops: {write: 1}\n"
                               "    keys: {dist: uniform, n: 1000000000}\n"
                               "  db:\n"
                               "    kind: database\n"
                               "    service: {dist: exponential, mean: 1ms}\n"
                               "    flush_interval: 1s\n"
                               "faults:\n"
                               "  - {at: 10.5s, crash: db, duration: 500ms}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = t_run(yaml, seed);
        t_expect_accounting(doc);
        long long lost = t_int(doc, "consistency.lost_writes");
        cr_expect_eq(lost, t_int(doc, "nodes.db.writes_undone"), "seed %llu",
                     (unsigned long long)seed);
        t_expect_poisson("writes lost since the last flush", (double)lost, 100);
        cJSON_Delete(doc);
    }
}

Test(database, flush_interval_conflicts_are_reported_where_they_are) {
    static const char fsync_too[] = "name: bad\n"
                                    "duration: 1s\n"
                                    "nodes:\n"
                                    "  db:\n"
                                    "    kind: database\n"
                                    "    service: 1ms\n"
                                    "    fsync: 1ms\n"
                                    "    flush_interval: 1s\n";
    const char *want_fsync[] = {":7:5:", "'fsync' is paid by every commit"};
    t_expect_refused(fsync_too, want_fsync, 2);
    static const char volatile_db[] = "name: bad\n"
                                      "duration: 1s\n"
                                      "nodes:\n"
                                      "  db: {kind: database, service: 1ms, durable: false,"
                                      " flush_interval: 1s}\n";
    const char *want_durable[] = {"flush_interval", "goes with durable: true"};
    t_expect_refused(volatile_db, want_durable, 2);
}

/* Two designs side by side over the same keys, each with its own cluster: async replicas
 * serving reads (stale reads) and a primary serving them (none, exactly). The oracle keeps
 * each store's histories apart, so the second design's reads are never judged against the
 * first's writes: its copies serve no stale read, and the run's figures are the sum of the
 * per-node ones. */
Test(database, designs_side_by_side_are_judged_apart) {
    static const char yaml[] = "name: side_by_side\n"
                               "duration: 20s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users_a: {kind: client, target: a, rate: 500/s,"
                               " ops: {read: 0.8, write: 0.2}, keys: {dist: uniform, n: 200}}\n"
                               "  users_b: {kind: client, target: b, rate: 500/s,"
                               " ops: {read: 0.8, write: 0.2}, keys: {dist: uniform, n: 200}}\n"
                               "  a: {kind: database, replicas: 2, service: 1ms,"
                               " replication_delay: 50ms, read_from: replicas}\n"
                               "  b: {kind: database, replicas: 2, service: 1ms,"
                               " replication_delay: 50ms, read_from: primary}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    long long stale_a = t_int(doc, "nodes.a.1.consistency.stale_reads");
    cr_expect_gt(stale_a, 100);
    cr_expect_eq(t_int(doc, "nodes.b.0.consistency.stale_reads"), 0);
    cr_expect_gt(t_int(doc, "nodes.b.0.consistency.reads_served"), 5000);
    cr_expect_eq(t_int(doc, "consistency.stale_reads"), stale_a);
    cr_expect_eq(t_int(doc, "nodes.a.0.consistency.writes_acked") +
                     t_int(doc, "nodes.b.0.consistency.writes_acked"),
                 t_int(doc, "consistency.writes_acked"));
    cJSON_Delete(doc);
}

Test(database, single_instance_is_an_mm1_queue) {
    enum { REPS = 5 };
    static const char yaml[] = "name: mm1db\n"
                               "duration: 200s\n"
                               "warmup: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: db, rate: 50/s}\n"
                               "  db:\n"
                               "    kind: database\n"
                               "    workers: 1\n"
                               "    service: {dist: exponential, mean: 10ms}\n";
    const char *paths[] = {"nodes.db.sojourn_ms.mean", "nodes.db.utilization"};
    double x[2 * REPS];
    t_replicate(yaml, REPS, paths, 2, x);
    t_expect_in_ci("M/M/1 sojourn 1/(mu - lambda)", t_ci_of(x, REPS, 0.99), 20.0);
    t_expect_in_ci("utilization rho", t_ci_of(x + REPS, REPS, 0.99), 0.5);
}

Test(database, full_queue_rejects) {
    static const char yaml[] = "name: full\n"
                               "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: db, rate: 200/s}\n"
                               "  db: {kind: database, workers: 1, queue: 0, service: 10ms}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_gt(t_int(doc, "nodes.users.rejected"), 0);
    cr_expect_eq(t_int(doc, "nodes.users.rejected"), t_int(doc, "nodes.db.rejected"));
    cJSON_Delete(doc);
}

Test(database, same_seed_gives_the_same_document) {
    char *a = t_run_text(failover_yaml, 7), *b = t_run_text(failover_yaml, 7);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(database, primary_cut_off_by_a_partition_steps_down_after_the_heal) {
    /* db.0 is cut off from its replicas for 3 s: db.1 (or db.2) takes over; once the
     * partition heals, db.0 hears of the newer epoch and follows it: one primary at the end. */
    static const char yaml[] = "name: split\n"
                               "duration: 10s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users:\n"
                               "    kind: client\n"
                               "    target: db\n"
                               "    rate: 200/s\n"
                               "    timeout: 1s\n"
                               "    ops: {read: 0.5, write: 0.5}\n"
                               "    keys: {dist: uniform, n: 50}\n"
                               "  db: {kind: database, replicas: 3, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 3s, partition: [[db.0], [db.1, db.2]], duration: 3s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_str_eq(t_str(doc, "nodes.db.0.role"), "replica");
    cr_expect_str_eq(t_str(doc, "nodes.db.1.role"), "primary");
    cr_expect_str_eq(t_str(doc, "nodes.db.2.role"), "replica");
    cr_expect_eq(t_int(doc, "nodes.db.0.epoch"), 1);
    /* Writes db.0 acknowledged alone during the partition are lost. */
    cr_expect_gt(t_int(doc, "consistency.lost_writes"), 0);
    cJSON_Delete(doc);
}

/* A replica that restarts resynchronises from one snapshot message whatever the number of
 * keys it carries: two runs that differ only in the key space (the client draws one number
 * per key either way, and no figure of the message flow depends on which key a request
 * names) send exactly as many messages, although the second snapshot holds ~50 times as many
 * keys. (One message per key, as before, would add one message per key held.) */
static cJSON *run_resync(int keys) {
    char yaml[1024];
    int len = snprintf(yaml, sizeof yaml,
                       "name: resync\n"
                       "duration: 6s\n"
                       "network: {latency: 1ms}\n"
                       "nodes:\n"
                       "  users:\n"
                       "    kind: client\n"
                       "    target: db\n"
                       "    rate: 200/s\n"
                       "    timeout: 1s\n"
                       "    ops: {read: 0.5, write: 0.5}\n"
                       "    keys: {dist: uniform, n: %d}\n"
                       "  db: {kind: database, replicas: 2, service: 1ms, failover: false}\n"
                       "faults:\n"
                       "  - {at: 3s, crash: db.1, duration: 1s}\n",
                       keys);
    cr_assert(len > 0 && (size_t)len < sizeof yaml);
    cJSON *doc = t_run(yaml, 3);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.db.1.resyncs"), 1);
    cr_expect_str_eq(t_str(doc, "nodes.db.1.role"), "replica");
    return doc;
}

Test(database, a_resync_is_one_snapshot_message_whatever_the_keys) {
    cJSON *few = run_resync(10), *many = run_resync(100000);
    cr_expect_eq(t_int(few, "nodes.db.1.keys"), 10);
    cr_expect_gt(t_int(many, "nodes.db.1.keys"), 500);
    cr_expect_eq(t_int(few, "network.messages"), t_int(many, "network.messages"));
    cJSON_Delete(few);
    cJSON_Delete(many);
}
