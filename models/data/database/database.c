/* database: a replicated database cluster of keyed data. A node with `replicas: N` is one
 * cluster of N instances: instance 0 starts as the primary, the others as its replicas. Every
 * instance holds its own key -> version map and serves requests from a connection pool of
 * `workers` with a FIFO waiting room of `queue` places (blocks/station.h, as `service`).
 *
 * Writes run on the primary: a write arriving at a replica is forwarded to the primary that
 * replica knows (no worker is used for forwarding; the reply goes straight to the caller).
 * After its service time plus `fsync` the write commits: the key's version goes up by one and
 * the write is appended to the primary's replication log at the next position. Each replica is
 * sent the entry after a `replication_delay` drawn per replica (the binlog shipping delay; a
 * primary that crashes before shipping loses the entry), plus the network. Replicas apply
 * entries as they arrive (per key the newest version wins) and keep the contiguous prefix of
 * the log they applied (their position), which they report back to the primary. `async`
 * acknowledges at commit; `sync` when every replica the primary considers live has reached the
 * write's position; `semi_sync` when one replica has. The transaction keeps its connection
 * while it waits. A replica is live for the primary while it heard from it (heartbeat or
 * position report) within `failover_after`; with no live replica, sync and semi_sync
 * acknowledge at commit (they degrade to async, like MySQL's semi-sync timeout).
 *
 * Reads are served by the copy `read_from` allows: `primary` (replicas forward reads),
 * `replicas` (the primary forwards reads to a live replica picked at random; replicas serve
 * them), or `any` (served where they arrive). A replica that is still resynchronising forwards
 * reads to the primary, when they arrive and when they finish (a read that waited or ran while
 * the replica began to follow a new primary would otherwise read the emptied store).
 *
 * Failover: replicas send a heartbeat to the primary every `heartbeat` (and the primary to
 * every replica; answers carry the responder's view) and, after
 * `failover_after` without an answer, poll every other instance for its position (in the same
 * epoch). After one heartbeat interval the poller picks the most up-to-date instance that
 * answered, itself included (highest position, ties to the lowest instance index); if that is
 * itself it promotes itself: a new epoch begins, it announces itself to every instance, and
 * tells the consistency oracle which version of each key it holds (acknowledged writes it
 * lacks are lost). Instances that learn of a newer epoch (announce, heartbeat answer, poll
 * answer) discard their data and resynchronise from the new primary with a snapshot; a primary
 * that learns of a newer epoch steps down the same way, failing the writes waiting for acks.
 * Since every poller applies the same rule to the positions it saw and positions only grow,
 * the poller that is the most up to date promotes itself; if two promote in the same epoch,
 * the lower index wins when they hear of each other.
 *
 * Crash and restart: a crash drops requests in service, waiting and waiting for acks, and the
 * log entries not yet shipped. With `durable: true` committed data survives, otherwise the
 * instance restarts with no data. With `flush_interval` commits do not wait for their WAL
 * flush: the WAL is flushed every interval, and a crash rolls back the commits since the last
 * flush (each key returns to its version before its first unflushed commit). A restarted
 * instance asks every other instance for its view during one heartbeat interval (requests it
 * receives meanwhile fail), then follows the newest view; a former primary that nobody
 * replaced resumes as primary in a new epoch (replicas resynchronise from it).
 *
 * Lost writes: every commit lists its key with the oracle under the cluster's name, and the
 * primary tells the oracle what survives of every listed key at each promotion and at the end
 * of the run (only an instance that is up and primary does): a key it lacks survives at
 * version 0, so writes that never left a deposed primary count as lost even if it never comes
 * back. One limit: while a partition separates two primaries (split brain), both number their
 * writes of a key from their own copies, so a write the deposed one acknowledges after the
 * promotion can share its version with one of the new primary's and go uncounted; if the
 * partition lasts to the end, both report.
 *
 * Backups and a lost disk: with `backup_to` the primary ships full and incremental backups to a
 * backup_store on a schedule (backup.c); the `lose_data` fault wipes an instance's durable
 * state, and at its restart it restores the newest full backup and the incrementals since,
 * then resumes as after a restart (restore.c). docs/backup.md.
 *
 * A request is forwarded at most MAX_FORWARDS times (views can disagree during a failover);
 * then it fails. The instances talk to each other over a private protocol (replication.h);
 * database_int.h says which file of this folder does what. */
#include "database_int.h"

#include "anomalies.h"
#include "consistency.h"

#include "protocols.h"

#include <stddef.h>
#include <string.h>

static const char *const replication_words[] = {"async", "sync", "semi_sync", NULL};
static const char *const read_from_words[] = {"primary", "replicas", "any", NULL};
/* value_bytes is a size (a per-class size with one class: the loader's size type). */
static const char *const value_words[] = {"value", NULL};

static const sim_param db_params[] = {
    {.name = "workers",
     .type = SIM_P_INT,
     .offset = offsetof(db_config, workers),
     .def = "8",
     .min = 1,
     .max = 1e6,
     .help = "connection pool: requests served at once per instance"},
    {.name = "queue",
     .type = SIM_P_LIMIT,
     .offset = offsetof(db_config, queue),
     .def = "unbounded",
     .min = 0,
     .max = 1e12,
     .help = "requests waiting for a connection; arrivals to a full room are rejected"},
    {.name = "service",
     .type = SIM_P_DIST_BY,
     RR_PER_OP,
     .offset = offsetof(db_config, service),
     .flags = SIM_PARAM_REQUIRED,
     .help = "service time, or per operation {read: DIST, write: DIST}"},
    RR_BYTES_PARAM("reply_bytes", db_config, reply_bytes, "the size of its reply"),
    {.name = "fsync",
     .type = SIM_P_DIST,
     .offset = offsetof(db_config, fsync),
     .def = "0s",
     .help = "WAL flush added to every commit on the primary (holding the connection)"},
    {.name = "durable",
     .type = SIM_P_BOOL,
     .offset = offsetof(db_config, durable),
     .def = "true",
     .help = "committed data survives a crash (false: an instance restarts empty)"},
    {.name = "flush_interval",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, flush_interval),
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "flush the WAL every interval instead of at each commit: a crash loses the "
             "commits since the last flush (default: every commit flushed)"},
    {.name = "replication",
     .type = SIM_P_ENUM,
     .offset = offsetof(db_config, replication),
     .def = "async",
     .choices = replication_words,
     .help = "acknowledge writes at commit (async), when every live replica applied them "
             "(sync), or when one did (semi_sync)"},
    {.name = "replication_delay",
     .type = SIM_P_DIST,
     .offset = offsetof(db_config, replication_delay),
     .def = "0s",
     .help = "time from commit to shipping the entry to each replica (then the network)"},
    {.name = "read_from",
     .type = SIM_P_ENUM,
     .offset = offsetof(db_config, read_from),
     .def = "primary",
     .choices = read_from_words,
     .help = "which copies serve reads: primary, replicas, or any (where they arrive)"},
    {.name = "heartbeat",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, heartbeat),
     .def = "100ms",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "interval of the replicas' heartbeats to the primary"},
    {.name = "failover_after",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, failover_after),
     .def = "1s",
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a primary (or, for the primary, a replica) unheard of this long is taken as dead"},
    {.name = "failover",
     .type = SIM_P_BOOL,
     .offset = offsetof(db_config, failover),
     .def = "true",
     .help = "promote a replica when the primary is taken as dead"},
    {.name = "backup_to",
     .type = SIM_P_REF,
     .offset = offsetof(db_config, backup_to),
     .needs = DSIM_PROTO_BACKUP,
     .flow = SIM_FLOW_NONE,
     .edge = "backup",
     .help = "the backup_store the primary ships its backups to (default: no backups)"},
    {.name = "backup_full",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, backup_full),
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "with backup_to: a full backup (every key) at least this often"},
    {.name = "backup_incremental",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, backup_incremental),
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "with backup_to: a backup every interval, incremental (the keys written since "
             "the previous one) unless a full one is due (default: full backups only)"},
    {.name = "value_bytes",
     .type = SIM_P_BYTES_BY,
     .offset = offsetof(db_config, value_bytes),
     .choices = value_words,
     .class_word = "value",
     .def = "1KiB",
     .min = 1,
     .max = 1 << 30,
     .help = "the size of one key's value: a backup carries its keys times this"},
    {.name = "restore_apply",
     .type = SIM_P_DIST,
     .offset = offsetof(db_config, restore_apply),
     .def = "0s",
     .help = "after a lost disk, the time to apply the restored backups once the last has "
             "arrived"},
    /* transactions: docs/transactions.md */
    {.name = "isolation",
     .type = SIM_P_ENUM,
     .offset = offsetof(db_config, isolation),
     .def = "read_committed",
     .choices = txn_isolation_names,
     .help = "transactions' isolation level: read_uncommitted, read_committed, "
             "repeatable_read or serializable"},
    {.name = "concurrency",
     .type = SIM_P_ENUM,
     .offset = offsetof(db_config, concurrency),
     .def = "mvcc",
     .choices = txn_concurrency_names,
     .help = "how isolation is provided: locking (two-phase locking variants) or mvcc "
             "(snapshots)"},
    {.name = "repeatable_read",
     .type = SIM_P_ENUM,
     .offset = offsetof(db_config, flavor),
     .def = "postgresql",
     .choices = txn_flavor_names,
     .help = "repeatable_read under mvcc: postgresql (first updater wins) or innodb (writes "
             "apply to the newest version: lost updates possible)"},
    {.name = "lock_timeout",
     .type = SIM_P_DURATION,
     .offset = offsetof(db_config, lock_timeout),
     .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a transaction waiting this long for a lock aborts (default: none; deadlocks "
             "are detected)"},
    {.name = "rows",
     .type = SIM_P_INT,
     .offset = offsetof(db_config, rows),
     .def = "0",
     .min = 0,
     .max = 1e9,
     .help = "keys 0 .. rows-1 exist at the start (with initial_value) for transactions"},
    {.name = "initial_value",
     .type = SIM_P_INT,
     .offset = offsetof(db_config, initial_value),
     .def = "0",
     .min = -1e15,
     .max = 1e15,
     .help = "the value of the rows at the start"},
    {.name = "min_value",
     .type = SIM_P_INT,
     .offset = offsetof(db_config, min_value),
     .def = "-1000000000000000000",
     .min = -1e18,
     .max = 1e15,
     .help = "a constraint: a transaction's write below it aborts the transaction "
             "(default: none)"},
    {.name = "invariants",
     .type = SIM_P_LIST,
     .offset = offsetof(db_config, invariants),
     .item = db_invariant_params,
     .item_size = sizeof(db_invariant),
     .check_item = db__invariant_check,
     .help = "what the anomaly checker must find true of the committed data (and of every "
             "transaction that read all its keys): {name: N, sum: [LO, HI], equals: X} (keys "
             "LO .. HI-1 add up to X) or {name: N, count: [LO, HI], equals_key: K} (the rows "
             "present among LO .. HI-1 number the value of key K, a number or a name)"},
    {0},
};

static void db_check(const void *config, sim_check *ck) {
    const db_config *c = config;
    const char *why = txn_cc_refuses(c->isolation, c->concurrency);
    if (why)
        sim_check_error(ck, sim_check_given(ck, "isolation") ? "isolation" : "concurrency",
                        "isolation %s under %s concurrency: %s", txn_isolation_names[c->isolation],
                        txn_concurrency_names[c->concurrency], why);
    /* Each invariant is a key of the document: two of one name would collide. */
    const db_invariant *inv = c->invariants.items;
    for (size_t i = 0; i < c->invariants.n; i++)
        for (size_t j = 0; j < i; j++)
            if (inv[i].name.n && inv[j].name.n &&
                strcmp(*(const char *const *)inv[i].name.items,
                       *(const char *const *)inv[j].name.items) == 0)
                sim_check_error(ck, "invariants", "two invariants are named '%s' (each is a key "
                                                  "of the document: give them distinct names)",
                                *(const char *const *)inv[i].name.items);
    if (c->flush_interval > 0 && sim_dist_mean(&c->fsync) > 0)
        sim_check_error(ck, "fsync",
                        "'fsync' is paid by every commit, and with 'flush_interval' commits do "
                        "not flush: drop one of them");
    if (c->flush_interval > 0 && !c->durable)
        sim_check_error(ck, "flush_interval",
                        "'flush_interval' goes with durable: true (a volatile instance loses "
                        "everything anyway)");
    if (db__backs_up(c) && c->backup_full <= 0)
        sim_check_error(ck, "backup_to",
                        "'backup_to' needs 'backup_full': how often a full backup is taken");
    static const char *const backup_only[] = {"backup_full", "backup_incremental", "restore_apply",
                                              NULL};
    if (!db__backs_up(c))
        for (const char *const *k = backup_only; *k; k++)
            if (sim_check_given(ck, *k))
                sim_check_error(ck, *k, "'%s' goes with 'backup_to' (where backups go)", *k);
    if (db__backs_up(c) && c->backup_incremental > 0 && c->backup_full > 0 &&
        c->backup_incremental >= c->backup_full)
        sim_check_error(ck, "backup_incremental",
                        "'backup_incremental' must be shorter than 'backup_full' (incrementals "
                        "come between full backups)");
}

/* ---- helpers of the cluster ---- */

void db__send_view(sim_node *n, uint32_t i, const sim_msg_type *t, repl_view v) {
    sim_msg *m = sim_msg_new(n, t);
    *(repl_view *)sim_msg_body(m) = v;
    sim_send(n, db__node_of(n, i), m);
}

void db__send_view_all(sim_node *n, const sim_msg_type *t, repl_view v) {
    const db_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->count; i++)
        if (i != s->me)
            db__send_view(n, i, t, v);
}

void db__send_position(sim_node *n, uint32_t dst, const sim_msg_type *t, uint32_t epoch,
                       uint64_t position) {
    sim_msg *m = sim_msg_new(n, t);
    *(repl_position *)sim_msg_body(m) = (repl_position){.epoch = epoch, .position = position};
    sim_send(n, dst, m);
}

sim_time db__draw(sim_node *n, const sim_dist *d) {
    double t = sim_dist_sample(d, sim_rng(n));
    return t < (double)SIM_TIME_MAX ? (sim_time)(t + 0.5) : SIM_TIME_MAX;
}

/* ---- dispatch ---- */

/* Hands a replication message from instance src to its handler. */
static void on_replication(sim_node *n, uint32_t src, const sim_msg *m) {
    const void *b = sim_msg_body_const(m);
    const sim_msg_type *t = m->type;
    if (t == &repl_heartbeat_msg)
        db__on_heartbeat(n, src, b);
    else if (t == &repl_heartbeat_ack_msg)
        db__on_heartbeat_ack(n, src, b);
    else if (t == &repl_announce_msg)
        db__on_announce(n, src, b);
    else if (t == &repl_subscribe_msg)
        db__on_subscribe(n, src, b);
    else if (t == &repl_snapshot_msg)
        db__on_snapshot(n, src, b);
    else if (t == &repl_entry_msg)
        db__on_entry(n, src, b);
    else if (t == &repl_applied_msg)
        db__on_applied(n, src, b);
    else if (t == &repl_poll_msg)
        db__on_poll(n, src, b);
    else if (t == &repl_position_msg)
        db__on_position(n, src, b);
}

static void db_receive(sim_node *n, sim_msg *m) {
    const db_state *s = sim_state(n);
    if (m->type == &rr_request_msg) {
        db__serve_request(n, rr_of(m)); /* the request path owns it from here */
        return;
    }
    /* Replication comes only from the instances of this cluster; its handlers read the
     * message, which is freed here. Anything else (a stray reply) is dropped. */
    uint32_t src = m->src - db__node_of(n, 0);
    if (sim_msg_is(m, &repl_protocol) && src < s->count)
        on_replication(n, src, m);
    else if (m->type == &bk_done_msg)
        db__on_backup_done(n, sim_msg_body_const(m));
    else if (m->type == &bk_part_msg)
        db__on_restore_part(n, sim_msg_body_const(m));
    sim_msg_free(n, m);
}

static void db_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    switch (tag) {
    case T_DONE:
        db__service_done(n, (uint32_t)arg, (uint32_t)(arg >> 32));
        break;
    case T_TICK:
        db__tick(n);
        break;
    case T_SHIP:
        db__ship(n, (uint32_t)arg);
        break;
    case T_ELECT:
        db__elect(n);
        break;
    case T_JOIN:
        db__join_done(n);
        break;
    case T_FLUSH:
        db__flush(n);
        break;
    case T_BACKUP:
        db__backup_due(n);
        break;
    case T_RESTORED:
        db__restored(n);
        break;
    case T_TXN:
        db__txn_step(n, (uint32_t)arg, (uint32_t)(arg >> 32));
        break;
    case T_LOCK_TIMEOUT:
        db__txn_timeout(n, (uint32_t)arg, (uint32_t)(arg >> 32));
        break;
    }
}

static sim_memory_need db_memory_need(const void *config, uint32_t group_count) {
    const db_config *c = config;
    double w = (double)c->workers, per_worker = w * (sizeof(uint64_t) + sizeof(uint32_t));
    double peers = (double)group_count * sizeof(peer); /* every instance keeps every other */
    sim_memory_need need = {.bytes = per_worker + station_memory(c->workers) + peers,
                            .report_bytes = 3000}; /* measured */
    if (peers > need.bytes - peers)
        need.key = "replicas", need.value = group_count;
    else
        need.key = "workers", need.value = w;
    return need;
}

static const sim_checker_kind *const feeds[] = {&dsim_consistency_checker, &dsim_anomalies_checker,
                                                NULL};

const sim_kind dsim_database_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = db_memory_need,
    .name = "database",
    .summary = "a replicated database: primary and replicas, sync/async replication, failover",
    .config_size = sizeof(db_config),
    .state_size = sizeof(db_state),
    .params = db_params,
    .serves = DSIM_PROTO_REQUEST,
    .check = db_check,
    .create = db__create,
    .receive = db_receive,
    .timer = db_timer,
    .crash = db__crash,
    .restart = db__restart,
    .resize = db__resize,
    .metrics = db__metrics,
    .destroy = db__destroy,
    .finish = db__finish,
    .checkers = feeds,
    .group_edge = "replication",
    .lose_data = db__lose_data,
};
