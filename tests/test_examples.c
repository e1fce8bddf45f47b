/* The data-tier examples in topologies/ tell the stories their comments tell: each claim below
 * follows from the mechanism, not from a recorded run.
 *
 * db_replicas (async replicas serving reads, no fault):
 *   - read_from: primary, or replication: sync, serves no stale read at all (exactly 0): the
 *     primary holds every acknowledged write, and a sync write is acknowledged only once every
 *     replica applied it.
 *   - With async replicas some reads are stale, and never by more than the replication delay:
 *     a write acknowledged at c + L is applied on a replica at c + D + L, so a stale read was
 *     issued less than D_max = 80 ms after the acknowledgement.
 * db_failover (a primary crash, three instances):
 *   - sync and semi_sync lose no acknowledged write (exactly 0: the promoted replica is the
 *     most up to date, and it holds every acknowledged write); async loses the writes of the
 *     last 100 ms of shipping delay (~9 at 100 writes/s: "> 0" fails with probability e^-10).
 * ecommerce_catalog (front end -> lb -> app -> cache -> proxy -> primary + replica, the
 *   primary crashing for good):
 *   - The replica is promoted once and serves as primary; the proxy marks db.0 down.
 *   - Lost writes are acknowledged writes the old primary never shipped: with no warm-up,
 *     0 < lost <= db.0's writes - db.1's applied entries (an unshipped write whose key was
 *     shipped again later is not lost). Each crash loses ~lambda_w E[D] = 2.5 writes on
 *     average, so "> 0" is checked on the sum over three seeds (fails with p ~ e^-7.5).
 *   - sync replication loses nothing (exactly 0).
 *   - The cache-aside + read-replica trap: a miss just after a write's invalidation reads the
 *     lagging replica and puts the old version back in the cache, where it stays until the
 *     key is written again. Reading misses from the primary, or write-through population
 *     (which a lagging fill cannot overwrite), removes that mechanism: such runs must have at
 *     least ten times fewer stale reads (what remains: lost writes and the cache-aside race).
 *     The cache, not the replica, serves most of the trap's stale reads; and the per-node
 *     verdicts (nodes.NAME.consistency) add up exactly to the run's.
 * backup_restore (daily backups to a store 40 ms and 100 Mbps away, the disk lost at 158.4 h):
 *   - It restores day 1's full backup and the incrementals of days 2 to 6 (6 parts), to the
 *     backup point of day 6 (518,400 s): RPO span 51,840 s exactly, and the writes lost are the
 *     ones acknowledged since, Poisson with mean 0.05/s x 51,840 s (99.9% bound on the sum over
 *     three seeds); the oracle counts the same.
 *   - RTO = the ask (64 B) + the parts back to back (each 64 B + its data) at 100 Mbps + two
 *     latencies of 40 ms + the 60 s apply, from the bytes the document says it restored
 *     (exact to the rounding of each transmission to whole ns).
 *   - The comments' variant with a sync replica: db.1 is promoted, nothing acknowledged is
 *     lost, db.0 ends a replica caught up. */
#include "support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

static cJSON *run_example(const char *file, uint64_t seed, const char *const *sets,
                          size_t nsets) {
    char *yaml = t_example(file);
    cJSON *doc = t_run_with(yaml, seed, sets, nsets);
    free(yaml);
    t_expect_accounting(doc);
    return doc;
}

Test(examples, db_replicas_stale_reads_come_from_async_replicas_only) {
    cJSON *doc = run_example("db_replicas.yaml", 1, NULL, 0);
    cr_expect_gt(t_int(doc, "consistency.stale_reads"), 0);
    cr_expect_leq(t_num(doc, "consistency.staleness_ms.max"), 80.0);
    cJSON_Delete(doc);
    static const char *const fixes[] = {"nodes.db.read_from=primary", "nodes.db.replication=sync"};
    for (size_t i = 0; i < 2; i++) {
        doc = run_example("db_replicas.yaml", 1, &fixes[i], 1);
        cr_expect_gt(t_int(doc, "consistency.reads_checked"), 10000, "%s", fixes[i]);
        cr_expect_eq(t_int(doc, "consistency.stale_reads"), 0, "%s", fixes[i]);
        cJSON_Delete(doc);
    }
}

Test(examples, db_failover_only_async_loses_writes) {
    static const char *const modes[] = {"nodes.db.replication=async",
                                        "nodes.db.replication=sync",
                                        "nodes.db.replication=semi_sync"};
    for (size_t i = 0; i < 3; i++) {
        cJSON *doc = run_example("db_failover.yaml", 1, &modes[i], 1);
        cr_expect_eq(t_int(doc, "nodes.db.1.promotions") + t_int(doc, "nodes.db.2.promotions"),
                     1, "%s", modes[i]);
        if (i == 0)
            cr_expect_gt(t_int(doc, "consistency.lost_writes"), 0, "%s", modes[i]);
        else
            cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0, "%s", modes[i]);
        cJSON_Delete(doc);
    }
}

Test(examples, ecommerce_catalog_fails_over_and_loses_only_unshipped_writes) {
    static const char *const no_warmup[] = {"warmup=0s"};
    long long lost_sum = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = run_example("ecommerce_catalog.yaml", seed, no_warmup, 1);
        cr_expect_str_eq(t_str(doc, "nodes.db.1.role"), "primary");
        cr_expect_eq(t_int(doc, "nodes.db.1.promotions"), 1);
        cr_expect_eq(t_int(doc, "nodes.dbproxy.backends.db.0.marked_down"), 1);
        long long lost = t_int(doc, "consistency.lost_writes");
        long long unshipped = t_int(doc, "nodes.db.0.writes") - t_int(doc, "nodes.db.1.applied");
        cr_expect_leq(lost, unshipped, "seed %llu", (unsigned long long)seed);
        lost_sum += lost;
        cJSON_Delete(doc);
    }
    cr_expect_gt(lost_sum, 0);
    static const char *const sync[] = {"nodes.db.replication=sync"};
    cJSON *doc = run_example("ecommerce_catalog.yaml", 1, sync, 1);
    cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
    cJSON_Delete(doc);
}

/* Every judged read was supplied by exactly one node: the per-node verdicts add up to the
 * run's, exactly. */
static void expect_node_verdicts_add_up(const cJSON *doc) {
    long long reads = 0, stale = 0;
    const cJSON *node;
    cJSON_ArrayForEach(node, t_get(doc, "nodes")) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(node, "consistency");
        if (cJSON_GetObjectItemCaseSensitive(c, "reads_served")) {
            reads += llround(t_get(c, "reads_served")->valuedouble);
            stale += llround(t_get(c, "stale_reads")->valuedouble);
        }
    }
    cr_expect_eq(reads, t_int(doc, "consistency.reads_checked"));
    cr_expect_eq(stale, t_int(doc, "consistency.stale_reads"));
    /* One store here: its own figures are the run's. */
    cr_expect_eq(t_int(doc, "nodes.db.0.consistency.writes_acked"),
                 t_int(doc, "consistency.writes_acked"));
    cr_expect_eq(t_int(doc, "nodes.db.0.consistency.lost_writes"),
                 t_int(doc, "consistency.lost_writes"));
}

Test(examples, ecommerce_catalog_lagging_replica_refills_the_cache_with_old_data) {
    cJSON *doc = run_example("ecommerce_catalog.yaml", 1, NULL, 0);
    long long trap = t_int(doc, "consistency.stale_reads");
    expect_node_verdicts_add_up(doc);
    /* The stale values stay in the cache: it serves most of the stale reads, not the replica
     * they came from. */
    cr_expect_gt(t_int(doc, "nodes.cache.consistency.stale_reads"),
                 t_int(doc, "nodes.db.1.consistency.stale_reads"));
    cJSON_Delete(doc);
    cr_expect_gt(trap, 100);
    static const char *const fixes[] = {"nodes.db.read_from=primary",
                                        "nodes.cache.population=eager"};
    for (size_t i = 0; i < 2; i++) {
        doc = run_example("ecommerce_catalog.yaml", 1, &fixes[i], 1);
        long long stale = t_int(doc, "consistency.stale_reads");
        cr_expect_lt(10 * stale, trap, "%s: %lld stale reads against %lld", fixes[i], stale,
                     trap);
        cJSON_Delete(doc);
    }
}

Test(examples, backup_restore_loses_the_writes_since_the_last_backup) {
    double lost = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *doc = run_example("backup_restore.yaml", seed, NULL, 0);
        cr_expect_eq(t_int(doc, "nodes.db.restore.backups_restored"), 6);
        cr_expect(fabs(t_num(doc, "nodes.db.restore.backup_point_s") - 518400) < 1e-9);
        cr_expect(fabs(t_num(doc, "nodes.db.restore.rpo_s") - 51840) < 1e-9);
        long long wl = t_int(doc, "nodes.db.restore.writes_lost");
        cr_expect_eq(wl, t_int(doc, "consistency.lost_writes"));
        lost += (double)wl;
        double bytes = t_num(doc, "nodes.db.restore.bytes_restored");
        double rto = 2 * 0.040 + 8.0 * 64 / 100e6 + 8.0 * (6 * 64 + bytes) / 100e6 + 60;
        cr_expect(fabs(t_num(doc, "nodes.db.restore.rto_s") - rto) < 1e-6, "rto %.9f, want %.9f",
                  t_num(doc, "nodes.db.restore.rto_s"), rto);
        cJSON_Delete(doc);
    }
    t_expect_poisson("writes lost over 3 seeds", lost, 3 * 0.05 * 51840);
    static const char *const replica[] = {"nodes.db.replicas=2", "nodes.db.replication=sync",
                                          "faults.0.lose_data=db.0"};
    cJSON *doc = run_example("backup_restore.yaml", 1, replica, 3);
    cr_expect_eq(t_int(doc, "nodes.db.1.promotions"), 1);
    cr_expect_eq(t_int(doc, "consistency.lost_writes"), 0);
    cr_expect(t_bool(doc, "nodes.db.0.restore.caught_up"));
    cr_expect_str_eq(t_str(doc, "nodes.db.0.role"), "replica");
    cJSON_Delete(doc);
}
