/* The figures of one database instance, under its entry in "nodes": its role and epoch, the
 * requests it saw, its replication (position, entries applied, lag, writes behind), its
 * failovers, and, on a primary, each replica's acknowledged position. A table (sim/metrics.h),
 * so that every figure can also be looked up and sampled. */
#include "database_int.h"

#include "metrics.h"

#include <string.h>

static const char *const role_words[] = {"primary", "replica", "joining"};

static const char *role_label(const void *state, const sim_node *n) {
    (void)n;
    return role_words[((const db_state *)state)->role];
}

static double failed_figure(const void *state, const sim_node *n, sim_time at) {
    const db_state *s = state;
    (void)n, (void)at;
    return (double)(s->st.failed + s->unroutable);
}

static double position_figure(const void *state, const sim_node *n, sim_time at) {
    const db_state *s = state;
    (void)n, (void)at;
    return (double)(s->role == ROLE_PRIMARY ? s->nlog : s->applied);
}

/* behind_area integrates up to the last change of the backlog, as the document always has. */
static double behind_mean(const void *state, const sim_node *n, sim_time at) {
    const db_state *s = state;
    double window = (double)(at - sim_warmup_end(n));
    return window > 0 ? s->behind_area / window : 0;
}

/* For time series: 1 while the instance is the primary (the leader), else 0. */
static double primary_figure(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return ((const db_state *)state)->role == ROLE_PRIMARY;
}

/* Per replica, keyed by its name: only a primary knows them. */
static void report_replicas(const sim_node *n, sim_report *w) {
    const db_state *s = sim_state_const(n);
    if (s->role == ROLE_PRIMARY && s->count > 1) {
        sim_report_open(w, "replicas");
        for (uint32_t i = 0; i < s->count; i++)
            if (i != s->me) {
                sim_report_open(w, sim_node_name_of(n, db__node_of(n, i)));
                sim_report_level(w, "acked", (int64_t)s->peers[i].acked);
                sim_report_level(w, "behind", (int64_t)(s->nlog - s->peers[i].acked));
                sim_report_close(w);
            }
        sim_report_close(w);
    }
}

/* Any instance of a group of several may be primary (after a failover): then it writes
 * replicas.PEER.acked and .behind for every other instance PEER of its group. */
static bool replicas_can_have(const sim_node *n, const char *rel) {
    sim_ref g = sim_node_group(n);
    if (g.count < 2 || strncmp(rel, "replicas.", 9) != 0)
        return false;
    const char *who = rel + 9, *leaf = strrchr(who, '.');
    if (!leaf || (strcmp(leaf + 1, "acked") != 0 && strcmp(leaf + 1, "behind") != 0))
        return false;
    size_t len = (size_t)(leaf - who);
    for (uint32_t i = 0; i < g.count; i++) {
        const char *name = sim_node_name_of(n, g.first + i);
        if (g.first + i != sim_node_id(n) && strlen(name) == len && strncmp(who, name, len) == 0)
            return true;
    }
    return false;
}

static bool backs_up_shown(const void *config) { return db__backs_up(config); }

/* The age of the newest backup the store confirmed (at minus its point), in seconds: the span
 * of writes a disk lost at `at` would lose; from the run's start when none. */
static double backup_age(const void *state, const sim_node *n, sim_time at) {
    const db_state *s = state;
    (void)n;
    return (double)(at - (s->done_point >= 0 ? s->done_point : 0)) / 1e9;
}

static double restoring_figure(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return ((const db_state *)state)->restoring;
}

static double seconds(sim_time t) { return (double)t / 1e9; }

/* One incident's figures (restore.c). */
static void report_incident(const incident *inc, sim_report *w) {
    sim_report_number(w, "lost_at_s", seconds(inc->lost_at));
    if (inc->point >= 0)
        sim_report_number(w, "backup_point_s", seconds(inc->point));
    sim_report_int(w, "backups_restored", inc->parts);
    sim_report_int(w, "bytes_restored", (int64_t)inc->bytes);
    if (inc->restored_at >= 0)
        sim_report_number(w, "restore_s", seconds(inc->restored_at - inc->lost_at));
    if (inc->served_at >= 0) {
        sim_report_number(w, "rto_s", seconds(inc->served_at - inc->lost_at));
        sim_report_int(w, "writes_lost", (int64_t)inc->writes_lost);
        sim_report_number(
            w, "rpo_s",
            inc->caught_up ? 0 : seconds(inc->lost_at - (inc->point >= 0 ? inc->point : 0)));
        sim_report_bool(w, "caught_up", inc->caught_up);
    }
}

/* "restore": once a disk was lost, the incidents and the last one's figures up front (for
 * the summary and `expect:`). */
static void report_restore(const sim_node *n, sim_report *w) {
    const db_state *s = sim_state_const(n);
    if (!s->nincidents)
        return;
    uint64_t lost = 0;
    for (uint32_t i = 0; i < s->nincidents; i++)
        lost += s->incidents[i].writes_lost;
    sim_report_open(w, "restore");
    sim_report_int(w, "incidents", s->nincidents);
    sim_report_int(w, "writes_lost", (int64_t)lost);
    report_incident(&s->incidents[s->nincidents - 1], w); /* the last one */
    sim_report_open_array(w, "each");
    for (uint32_t i = 0; i < s->nincidents; i++) {
        sim_report_open(w, NULL);
        report_incident(&s->incidents[i], w);
        sim_report_close(w);
    }
    sim_report_close(w);
    sim_report_close(w);
}

/* restore.* exists once a fault lost the disk: a node a `lose_data` names can have it. */
static bool restore_can_have(const sim_node *n, const char *rel) {
    static const char *const leaves[] = {
        "incidents",      "writes_lost", "lost_at_s", "backup_point_s", "backups_restored",
        "bytes_restored", "restore_s",   "rto_s",     "rpo_s",          NULL};
    if (!sim_node_may_lose_data(n) || strncmp(rel, "restore.", 8) != 0)
        return false;
    for (const char *const *l = leaves; *l; l++)
        if (strcmp(rel + 8, *l) == 0)
            return true;
    return false;
}

/* "transactions": once the instance ran or applied one (a topology without transactions has
 * no such key): commits, aborts by reason, lock waits (statements that waited, each counted
 * once) and their mean time, deadlock victims, transactions a replica applied whole, and the
 * cc's own figures (txn/cc.h). */
static void report_txn(const sim_node *n, sim_report *w) {
    const db_state *s = sim_state_const(n);
    if (!s->cc)
        return;
    uint64_t aborted = 0;
    for (int i = 1; i < TXN_ABORT_REASONS; i++)
        aborted += s->txn_aborted[i];
    sim_report_open(w, "transactions");
    sim_report_int(w, "committed", (int64_t)s->txn_committed);
    sim_report_int(w, "aborted", (int64_t)aborted);
    sim_report_open(w, "aborts");
    for (int i = 1; i < TXN_ABORT_REASONS; i++)
        sim_report_int(w, txn_abort_names[i], (int64_t)s->txn_aborted[i]);
    sim_report_close(w);
    sim_report_int(w, "statements", (int64_t)s->txn_statements);
    sim_report_int(w, "lock_waits", (int64_t)s->txn_lock_waits);
    sim_report_number(w, "lock_wait_mean_ms",
                      s->txn_lock_waits ? s->txn_wait_total / (double)s->txn_lock_waits / 1e6 : 0);
    sim_report_int(w, "deadlocks", (int64_t)s->txn_aborted[TXN_ABORT_DEADLOCK]);
    sim_report_int(w, "applied", (int64_t)s->txn_applied);
    txn_cc_stats cs = txn_cc_stats_of(s->cc);
    sim_report_open(w, "cc");
    sim_report_int(w, "lock_requests", (int64_t)cs.lock_requests);
    sim_report_int(w, "lock_waits", (int64_t)cs.lock_waits);
    sim_report_int(w, "deadlocks", (int64_t)cs.deadlocks);
    sim_report_int(w, "versions_live", (int64_t)cs.versions_live);
    sim_report_int(w, "versions_peak", (int64_t)cs.versions_peak);
    sim_report_int(w, "ssi_records", (int64_t)cs.ssi_records);
    sim_report_close(w);
    sim_report_close(w);
}

/* transactions.* exists once the instance ran a transaction: any database can have it. */
static bool txn_can_have(const sim_node *n, const char *rel) {
    (void)n;
    return strncmp(rel, "transactions.", 13) == 0;
}

const sim_metric db__metrics[] = {
    {"role", SIM_METRIC_LABEL, .label = role_label},
    {"epoch", SIM_METRIC_GAUGE, SIM_FIELD(db_state, epoch)},
    {"primary", SIM_METRIC_GAUGE, .value = primary_figure, .series_only = true},
    {"arrivals", SIM_METRIC_COUNTER, SIM_FIELD(db_state, arrivals)},
    {"forwarded", SIM_METRIC_COUNTER, SIM_FIELD(db_state, forwarded)},
    {"reads", SIM_METRIC_COUNTER, SIM_FIELD(db_state, reads)},
    {"writes", SIM_METRIC_COUNTER, SIM_FIELD(db_state, writes)},
    {"completed", SIM_METRIC_COUNTER, SIM_FIELD(db_state, st.completed)},
    {"rejected", SIM_METRIC_COUNTER, SIM_FIELD(db_state, st.rejected)},
    {"failed", SIM_METRIC_COUNTER, .value = failed_figure},
    {"keys", SIM_METRIC_GAUGE, SIM_FIELD(db_state, data.n)},
    {"position", SIM_METRIC_GAUGE, .value = position_figure},
    {"applied", SIM_METRIC_COUNTER, SIM_FIELD(db_state, entries_applied)},
    {"lag_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(db_state, lag), .pct = SIM_PCT_TAIL},
    {"behind_mean", SIM_METRIC_NUMBER, .value = behind_mean, .series = SIM_SERIES_OFF},
    {"promotions", SIM_METRIC_COUNTER, SIM_FIELD(db_state, promotions)},
    {"resyncs", SIM_METRIC_COUNTER, SIM_FIELD(db_state, resyncs)},
    {"writes_undone", SIM_METRIC_COUNTER, SIM_FIELD(db_state, writes_undone)},
    {"replicas", SIM_METRIC_WRITE, .write = report_replicas, .can_have = replicas_can_have},
    {"backup.full", SIM_METRIC_COUNTER, SIM_FIELD(db_state, backups_full), .shown = backs_up_shown},
    {"backup.incremental", SIM_METRIC_COUNTER, SIM_FIELD(db_state, backups_incremental),
     .shown = backs_up_shown},
    {"backup.bytes", SIM_METRIC_COUNTER, SIM_FIELD(db_state, backup_bytes),
     .shown = backs_up_shown},
    {"backup.confirmed", SIM_METRIC_COUNTER, SIM_FIELD(db_state, backups_done),
     .shown = backs_up_shown},
    {"backup.age_s", SIM_METRIC_NUMBER, .value = backup_age, .shown = backs_up_shown,
     .series = SIM_SERIES_LEVEL},
    {"restoring", SIM_METRIC_GAUGE, .value = restoring_figure, .shown = backs_up_shown,
     .series_only = true},
    {"restore", SIM_METRIC_WRITE, .write = report_restore, .can_have = restore_can_have},
    {"transactions", SIM_METRIC_WRITE, .write = report_txn, .can_have = txn_can_have},
    {"station", SIM_METRIC_INCLUDE, .offset = offsetof(db_state, st), .include = station_metrics},
    SIM_METRICS_END,
};
