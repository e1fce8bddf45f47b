/* Backups and restores of a database after a lost disk (docs/backup.md).
 *
 * Oracles:
 *   - RPO with no replica: backups are taken every I from I on (a full one first and every F
 *     after, incrementals between); the backup point is the backup's start and a backup that
 *     has left the node completes. A disk lost at T (drawn per seed in the test, uniform in
 *     [I, 9 I)) is restored to the newest backup point floor(T / I) I, so the realized RPO span
 *     is T - floor(T / I) I, exactly, per seed; over T uniform its mean is I / 2 (the backup
 *     point being the start of a backup that counts once it has left, nothing is added; a
 *     backup that counted only once its transfer of d completed would add d). The mean is checked
 * against I / 2 with a 99% t-interval over the seeds. The writes lost are those acknowledged after
 * the backup point (every one has a version above the restored one): with Poisson writes of rate
 * lambda_w their total over the seeds is Poisson with mean lambda_w times the summed spans (99.9%
 * bound).
 *   - RTO with deterministic sizes, latency and bandwidth: every backup holds all K keys (with
 *     2000 writes over 50 keys between backups a key is missed with probability ~ e^-40), so
 *     each carries K * value_bytes after a 64-byte header. The ask (64 bytes) takes 8 * 64 / B
 *     + L to the store, which sends the full backup and the k incrementals since back to back:
 *     the last arrives (1 + k) 8 (64 + K V) / B + L later, then restore_apply A. So
 *     RTO = 2 L + 8 * 64 / B + (1 + k) 8 (64 + K V) / B + A, exact to the nanosecond rounding
 *     of each transmission; k follows from T and the schedule (fulls at I, I + F, ...).
 *   - A primary with two replicas under sync replication that loses its disk: it fails over
 *     (a replica is promoted), restores, and rejoins as a replica caught up from the new
 *     primary: no acknowledged write is lost and no read stale (exactly 0, any seed).
 *   - With no backups a lone database's disk loss loses every write acknowledged before it,
 *     which the oracle and the incident agree on, and the span is the whole run so far.
 *   - A backup is one message of its size: it holds the sender's interface for 8 bytes / B,
 *     so a reply sent meanwhile waits up to that long (FIFO).
 *   - The series: nodes.db.restoring is 1 at the sampling instants within [T, T + RTO).
 *   - Bad input: refused at its line. */
#include "engine.h"
#include "json_report.h"
#include "metrics.h"
#include "strfmt.h"
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The test's own stream for the loss instants (SplitMix64, Steele et al. 2014), apart from
 * the simulator's. */
static double draw_unit(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* A lone database backing up to a store 40 ms away over a link of `bw` (both ways), its disk lost
 * at loss_s. */
static char *lone_yaml(double loss_s, const char *bw, const char *apply) {
    char *y = sim_strfmt("name: rpo\n"
                         "duration: 10000s\n"
                         "network:\n"
                         "  latency: 1ms\n"
                         "  links:\n"
                         "    - {from: db, to: vault, latency: 40ms, bandwidth: %s}\n"
                         "nodes:\n"
                         "  users:\n"
                         "    kind: client\n"
                         "    target: db\n"
                         "    rate: 2/s\n"
                         "    timeout: 3s\n"
                         "    ops: {read: 0, write: 1}\n"
                         "    keys: {dist: uniform, n: 50}\n"
                         "  db:\n"
                         "    kind: database\n"
                         "    service: 1ms\n"
                         "    backup_to: vault\n"
                         "    backup_full: 4000s\n"
                         "    backup_incremental: 1000s\n"
                         "    value_bytes: 64KiB\n"
                         "    restore_apply: %s\n"
                         "  vault:\n"
                         "    kind: backup_store\n"
                         "faults:\n"
                         "  - {at: %.6fs, lose_data: db}\n",
                         bw, apply, loss_s);
    cr_assert(y);
    return y;
}

#define I_S 1000.0
#define F_S 4000.0
#define RPO_SEEDS 30

Test(backup, rpo_span_is_half_the_interval_and_lost_writes_follow_the_rate) {
    double span[RPO_SEEDS], sum_span = 0, lost = 0;
    uint64_t x = 20261202;
    for (int i = 0; i < RPO_SEEDS; i++) {
        double t = I_S + 8 * I_S * draw_unit(&x);
        char *y = lone_yaml(t, "unlimited", "0s");
        cJSON *doc = t_run(y, (uint64_t)i + 1);
        span[i] = t_num(doc, "nodes.db.restore.rpo_s");
        double want = t - floor(t / I_S) * I_S;
        cr_expect(fabs(span[i] - want) < 1e-6, "seed %d: loss at %.3f s: span %.6f, want %.6f",
                  i + 1, t, span[i], want);
        cr_expect(fabs(t_num(doc, "nodes.db.restore.backup_point_s") - floor(t / I_S) * I_S) <
                  1e-9);
        long long wl = t_int(doc, "nodes.db.restore.writes_lost");
        cr_expect_eq(wl, t_int(doc, "consistency.lost_writes"));
        sum_span += span[i];
        lost += (double)wl;
        cJSON_Delete(doc);
        free(y);
    }
    t_expect_in_ci("mean RPO span = I / 2", t_ci_of(span, RPO_SEEDS, 0.99), I_S / 2);
    t_expect_poisson("writes lost = lambda_w * span", lost, 2.0 * sum_span);
}

/* The incrementals since the newest full one before the backup at j I (fulls at I, I + F, ...). */
static int incrementals_since_full(int j) {
    int per = (int)(F_S / I_S);
    return (j - 1) % per;
}

Test(backup, rto_is_the_full_restore_plus_the_incrementals_since) {
    const double bw = 10e6, lat = 0.040, apply = 30, part = 8.0 * (64 + 50 * 65536.0) / bw;
    uint64_t x = 77;
    for (int i = 0; i < 12; i++) {
        /* At least 10 s after a backup's start: its transfer (2.6 s) is over. */
        int j = 1 + (int)(8 * draw_unit(&x));
        double t = j * I_S + 10 + (I_S - 10) * draw_unit(&x);
        char *y = lone_yaml(t, "10Mbps", "30s");
        cJSON *doc = t_run(y, (uint64_t)i + 1);
        int k = incrementals_since_full(j);
        double want = 2 * lat + 8.0 * 64 / bw + (1 + k) * part + apply;
        cr_expect_eq(t_int(doc, "nodes.db.restore.backups_restored"), 1 + k, "loss at %.1f s", t);
        cr_expect_eq(t_int(doc, "nodes.db.restore.bytes_restored"), (1 + k) * 50 * 65536LL);
        double rto = t_num(doc, "nodes.db.restore.rto_s");
        cr_expect(fabs(rto - want) < 1e-6, "loss at %.1f s (k = %d): RTO %.9f s, want %.9f s", t, k,
                  rto, want);
        cr_expect(fabs(t_num(doc, "nodes.db.restore.restore_s") - rto) < 1e-9);
        cJSON_Delete(doc);
        free(y);
    }
}

static char *cluster_yaml(double loss_s) {
    char *y = sim_strfmt("name: cluster\n"
                         "duration: 400s\n"
                         "network:\n"
                         "  latency: 1ms\n"
                         "  links:\n"
                         "    - {from: db, to: vault, latency: 40ms, bandwidth: 100Mbps}\n"
                         "nodes:\n"
                         "  users:\n"
                         "    kind: client\n"
                         "    target: db\n"
                         "    rate: 50/s\n"
                         "    timeout: 3s\n"
                         "    ops: {read: 0.5, write: 0.5}\n"
                         "    keys: {dist: uniform, n: 200}\n"
                         "  db:\n"
                         "    kind: database\n"
                         "    replicas: 3\n"
                         "    replication: sync\n"
                         "    service: 1ms\n"
                         "    backup_to: vault\n"
                         "    backup_full: 400s\n"
                         "    backup_incremental: 100s\n"
                         "    value_bytes: 16KiB\n"
                         "  vault:\n"
                         "    kind: backup_store\n"
                         "faults:\n"
                         "  - {at: %.6fs, lose_data: db.0}\n",
                         loss_s);
    cr_assert(y);
    return y;
}

Test(backup, primary_with_sync_replicas_fails_over_and_loses_nothing) {
    uint64_t x = 5;
    for (int i = 0; i < 8; i++) {
        double t = 120 + 180 * draw_unit(&x);
        char *y = cluster_yaml(t);
        cJSON *doc = t_run(y, (uint64_t)i + 1);
        cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0, "loss at %.1f s", t);
        cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0);
        cr_expect_eq(t_int(doc, "nodes.db.0.restore.writes_lost"), 0);
        cr_expect(t_bool(doc, "nodes.db.0.restore.caught_up"));
        cr_expect_str_eq(t_str(doc, "nodes.db.0.role"), "replica");
        cr_expect_eq(t_int(doc, "nodes.db.1.promotions") + t_int(doc, "nodes.db.2.promotions"), 1);
        /* It serves after its restore and the resynchronisation that follows. */
        cr_expect(t_num(doc, "nodes.db.0.restore.rto_s") >
                  t_num(doc, "nodes.db.0.restore.restore_s"));
        t_expect_accounting(doc);
        cJSON_Delete(doc);
        free(y);
    }
}

Test(backup, without_backups_a_lone_disk_loss_loses_every_acked_write_before_it) {
    static const char yaml[] = "name: nobackup\n"
                               "duration: 200s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: db, rate: 20/s, timeout: 3s,"
                               " ops: {read: 0.5, write: 0.5}, keys: {dist: uniform, n: 100}}\n"
                               "  db: {kind: database, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 100s, lose_data: db}\n";
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cJSON *doc = t_run(yaml, seed);
        long long lost = t_int(doc, "consistency.lost_writes");
        cr_expect_eq(t_int(doc, "nodes.db.restore.writes_lost"), lost);
        cr_expect_eq(t_int(doc, "nodes.db.restore.backups_restored"), 0);
        cr_expect(fabs(t_num(doc, "nodes.db.restore.rpo_s") - 100) < 1e-9);
        t_expect_poisson("writes lost = lambda_w * 100 s", (double)lost, 10.0 * 100);
        cJSON_Delete(doc);
    }
}

/* A lost disk brings back only what it took down: an instance crashed before it stays down,
 * whether the machines come back at once or after the fault's duration (sim/fault.c). */
Test(backup, a_lost_disk_restarts_only_the_instances_it_took_down) {
    static const char *const tails[] = {"  - {at: 10s, lose_data: db}\n",
                                        "  - {at: 10s, lose_data: db, duration: 5s}\n"};
    for (int k = 0; k < 2; k++) {
        char *yaml = sim_strfmt("duration: 30s\n"
                                "nodes:\n"
                                "  users: {kind: client, target: db, rate: 10/s,"
                                " keys: {dist: uniform, n: 10}}\n"
                                "  db: {kind: database, replicas: 3, service: 1ms}\n"
                                "faults:\n"
                                "  - {at: 5s, crash: db.2}\n"
                                "%s",
                                tails[k]);
        cr_assert_not_null(yaml);
        cJSON *doc = t_run(yaml, 1);
        static const bool down[] = {false, false, true};
        for (int i = 0; i < 3; i++) {
            char path[32];
            snprintf(path, sizeof path, "nodes.db.%d", i);
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(t_at(doc, path), "crashed");
            cr_expect_eq(cJSON_IsTrue(c), down[i], "%s%s down at the end: %d", tails[k], path,
                         cJSON_IsTrue(c));
        }
        cJSON_Delete(doc);
        free(yaml);
    }
}

#define BAD_HEAD                                                                                   \
    "name: bad\n"                                                                                  \
    "duration: 1s\n"                                                                               \
    "nodes:\n"                                                                                     \
    "  users: {kind: client, target: db, rate: 1/s}\n"                                             \
    "  vault: {kind: backup_store}\n"

Test(backup, bad_input_is_refused_at_its_line) {
    const char *not_store = BAD_HEAD "  db: {kind: database, service: 1ms, backup_to: users,"
                                     " backup_full: 1h}\n";
    const char *want1[] = {"6:", "backup_to", "users"};
    t_expect_refused(not_store, want1, 3);
    const char *zero = BAD_HEAD "  db: {kind: database, service: 1ms, backup_to: vault,"
                                " backup_full: 0s}\n";
    const char *want2[] = {"6:", "backup_full"};
    t_expect_refused(zero, want2, 2);
    const char *neg = BAD_HEAD "  db: {kind: database, service: 1ms, backup_to: vault,"
                               " backup_full: 1h, backup_incremental: -1s}\n";
    const char *want3[] = {"6:", "backup_incremental"};
    t_expect_refused(neg, want3, 2);
    const char *longer = BAD_HEAD "  db: {kind: database, service: 1ms, backup_to: vault,"
                                  " backup_full: 1h, backup_incremental: 2h}\n";
    const char *want4[] = {"6:", "must be shorter than 'backup_full'"};
    t_expect_refused(longer, want4, 2);
    const char *no_to = BAD_HEAD "  db: {kind: database, service: 1ms, backup_full: 1h}\n";
    const char *want5[] = {"6:", "goes with 'backup_to'"};
    t_expect_refused(no_to, want5, 2);
    const char *no_full = BAD_HEAD "  db: {kind: database, service: 1ms, backup_to: vault}\n";
    const char *want6[] = {"6:", "needs 'backup_full'"};
    t_expect_refused(no_full, want6, 2);
    const char *lose_store = BAD_HEAD "  db: {kind: database, service: 1ms}\n"
                                      "faults:\n"
                                      "  - {at: 0.5s, lose_data: vault}\n";
    const char *want7[] = {"8:", "lose_data", "backup_store"};
    t_expect_refused(lose_store, want7, 3);
}

/* A backup leaves as one message the size of its data, so it holds the node's interface for
 * its transfer: 50 keys x 64 KiB at 10 Mbps, 2.62 s. A reply sent meanwhile waits behind it
 * (FIFO), so the slowest request waits up to the transfer's length, never more (with ~5
 * requests in each of the ten windows, one comes within 1.1 s of a start with probability
 * 1 - e^-22). */
Test(backup, a_backup_delays_the_nodes_other_traffic_by_its_transfer) {
    static const char yaml[] = "name: compete\n"
                               "duration: 10000s\n"
                               "network:\n"
                               "  latency: 1ms\n"
                               "  links: [{from: db, to: vault, latency: 40ms}]\n"
                               "  interfaces: [{node: db, bandwidth: 10Mbps}]\n"
                               "nodes:\n"
                               "  users: {kind: client, target: db, rate: 2/s, timeout: 30s,"
                               " ops: {read: 0.5, write: 0.5}, keys: {dist: uniform, n: 50}}\n"
                               "  db: {kind: database, service: 1ms, backup_to: vault,"
                               " backup_full: 4000s, backup_incremental: 1000s,"
                               " value_bytes: 64KiB}\n"
                               "  vault: {kind: backup_store}\n";
    const double transfer_ms = 8.0 * (64 + 50 * 65536.0) / 10e6 * 1e3;
    cJSON *doc = t_run(yaml, 1);
    double max_ms = t_num(doc, "requests.latency_ms.max");
    cr_expect(max_ms > transfer_ms - 1100 && max_ms < transfer_ms + 20,
              "max latency %.1f ms, the transfer %.1f ms", max_ms, transfer_ms);
    /* Ten backups, at 1000 s to 10,000 s (the run's end included): 3 full, 7 incremental. */
    cr_expect_eq(t_int(doc, "nodes.db.backup.full"), 3);
    cr_expect_eq(t_int(doc, "nodes.db.backup.incremental"), 7);
    cJSON_Delete(doc);
}

/* The time series show the restore: nodes.db.restoring, sampled at the end of each 1 s
 * interval, is 1 exactly at the instants within [T, T + RTO), the incident's own figures. */
Test(backup, the_series_show_the_restore) {
    const double loss = 3500.5;
    char *y = lone_yaml(loss, "10Mbps", "30s");
    sim_topology *topo = t_load(y, NULL, 0, NULL);
    cr_assert(topo);
    sim_engine *e = sim_engine_new(topo, 1);
    cr_assert(e);
    static const char *const paths[] = {"nodes.db.restoring"};
    char err[256] = "";
    cr_assert_eq(sim_engine_sample_intervals(e, SIM_S, paths, 1, NULL, err, sizeof err), 0, "%s",
                 err);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *doc = dsim_json_report(e);
    double rto = t_num(doc, "nodes.db.restore.rto_s");
    const sim_series *ser = sim_engine_series(e);
    int ones = 0, want = 0;
    for (size_t i = 0; i < ser->nrows; i++) {
        double at_s = (double)ser->t[i] / 1e9, v = ser->values[i * ser->ncols];
        bool in = at_s >= loss && at_s < loss + rto;
        want += in;
        ones += v == 1;
        cr_expect_eq(v, in ? 1 : 0, "at %.0f s", at_s);
    }
    cr_expect_eq(ones, want);
    cr_expect_gt(want, 30); /* the 30 s apply at least */
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(topo);
    free(y);
}
