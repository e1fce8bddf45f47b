/* The database kind's internals, shared by the files of models/data/database/ and by nothing else:
 * its configuration, the state of one instance, and the helpers the roles, the handlers and
 * the request path call on each other. What the kind does is told in database.c; which file
 * does what:
 *   database.c      the kind's table, its keys, the message and timer dispatch
 *   lifecycle.c     create, crash, restart, finish, destroy
 *   data.c          the key -> version store and its WAL flush
 *   checker_feed.c  what the consistency checker is told (commits and what survives)
 *   pool.c          the connection pool: service, commit hand-over, replies
 *   requests.c      the request path: serve here or forward, and the forward count
 *   primary.c       the primary: commit, shipping the log, acks, promotion
 *   replica.c       replicas: following a primary, subscribing, positions
 *   failover.c      heartbeats, elections, rejoining after a restart
 *   recv_*.c        one handler per replication message (or per small family)
 *   backup.c        the backup schedule: full and incremental backups to a backup_store
 *   restore.c       a lost disk: the restore from the backups, the incident's figures
 *   report.c        the node's figures
 *   txn_session.c   a transaction's connection: its statements (think, service, the cc),
 *                   lock waits and lock timeouts, the abort reply
 *   txn_commit.c    a transaction's commit: the WAL, the cc, the store, the log, the reply;
 *                   durability of the cc at flushes, crashes and lost disks
 *   txn_replication.c  whole transactions on replicas: held until every entry arrived,
 *                   then applied together; the cc's rows in a snapshot
 *   txn_feed.c      what the anomaly checker is told (the cc's trace, the invariants)
 *   replication.h   the private protocol between the instances
 * Internal functions are prefixed db__; each is defined in the file its group names. */
#ifndef DSIM_DATABASE_INT_H
#define DSIM_DATABASE_INT_H

#include "backup.h"
#include "hist.h"
#include "idmap.h"
#include "node.h"
#include "replication.h"
#include "request.h"
#include "slot_table.h"
#include "station.h"

#include "cc.h"

#include <stdbool.h>
#include <stdint.h>

/* Timer tags. A worker's service timer carries the station's job stamp and the worker; a
 * shipment's its slot in db_state.ships; the others carry nothing (their handle, where one
 * must be cancelled, is kept in the state). */
enum {
    T_DONE,
    T_TICK,
    T_SHIP,
    T_ELECT,
    T_JOIN,
    T_FLUSH,
    T_BACKUP,
    T_RESTORED,
    T_TXN,          /* a transaction's connection's next step: job token (txn_session.c) */
    T_LOCK_TIMEOUT, /* its lock wait ran out: job token */
};

enum { REPL_ASYNC, REPL_SYNC, REPL_SEMI_SYNC };
enum { READ_PRIMARY, READ_REPLICAS, READ_ANY };
typedef enum { ROLE_PRIMARY, ROLE_REPLICA, ROLE_JOINING } db_role;

/* A request is forwarded at most this often (views can disagree during a failover); then it
 * fails. */
#define MAX_FORWARDS 3

typedef struct db_config {
    int64_t workers;
    int64_t queue; /* -1: unbounded */
    sim_dist_by service;
    sim_bytes_by reply_bytes;
    sim_dist fsync;
    bool durable;
    sim_time flush_interval; /* <= 0: every commit is flushed */
    int replication;
    sim_dist replication_delay;
    int read_from;
    sim_time heartbeat;
    sim_time failover_after;
    bool failover;
    /* backups (backup.c): to backup_to every backup_incremental (a full one when backup_full
     * has passed since the last full one's point); none when backup_to is unset */
    sim_ref backup_to;
    sim_time backup_full, backup_incremental; /* -1: unset */
    sim_bytes_by value_bytes;
    sim_dist restore_apply;
    /* transactions (txn_*.c; docs/transactions.md) */
    int isolation, concurrency, flavor; /* txn_isolation, txn_concurrency, txn_flavor */
    sim_time lock_timeout;              /* -1: none (deadlocks are detected) */
    int64_t rows, initial_value;
    int64_t min_value;   /* DB_NO_MIN: no constraint */
    sim_list invariants; /* of db_invariant (txn_feed.c) */
} db_config;

/* One item of `invariants`: {name, sum: [LO, HI], equals: X} or {name, count: [LO, HI],
 * equals_key: K}; each sim_list holds at most what its key gave (n 0: not given). */
typedef struct db_invariant {
    sim_list name;       /* of const char *: one */
    sim_list sum, count; /* of uint64_t: [LO, HI] */
    sim_list equals;     /* of int64_t: one */
    sim_list equals_key; /* of db_key: one */
} db_invariant;
typedef struct db_key {
    uint64_t key;
    const char *name; /* as written when a name, else NULL */
} db_key;
extern const sim_param db_invariant_params[];
/* `invariants`' item check (sim_param.check_item). */
int db__invariant_check(const void *item, char *err, size_t errsize);

/* min_value's default: no constraint. */
#define DB_NO_MIN (-1000000000000000000LL)

/* Where a transaction's connection is (txn_session.c). */
typedef enum {
    CONN_IDLE,    /* no transaction */
    CONN_THINK,   /* the statement's think time */
    CONN_SERVICE, /* its service time */
    CONN_BLOCKED, /* waiting for the cc's wake hook (a lock, another writer) */
    CONN_WOKEN,   /* woken: it runs its statement again at once */
    CONN_WAL,     /* the commit's WAL flush */
} conn_phase;

typedef struct db_conn {
    uint32_t tx;   /* the cc's handle, TXN_CC_NONE when idle */
    uint8_t phase; /* conn_phase */
    uint8_t stmt;  /* the statement running */
    bool waited;   /* the statement already counted a lock wait */
    sim_time blocked_at;
    sim_timer timeout; /* lock_timeout, while blocked */
} db_conn;

/* A replica's entry of a transaction that waits for the transaction's other entries. */
typedef struct held_entry {
    repl_entry e;
} held_entry;

typedef struct log_entry {
    uint64_t key, version;
    sim_time at; /* commit time */
    /* a transaction's write: its first entry's position and its count of entries (0: a
     * plain write), and the cc's row */
    uint64_t txn_first;
    uint32_t txn_n;
    uint64_t txn_id, wid;
    int64_t value;
} log_entry;

/* The primary's view of another instance. */
typedef struct peer {
    sim_time last_heard;
    uint64_t acked; /* position it reported in the current epoch */
} peer;

/* A log entry waiting for its replication delay before it is shipped to one replica. */
typedef struct shipment {
    sim_timer timer;
    uint64_t position;
    uint32_t to; /* instance index */
    uint32_t n;  /* entries from position on (a transaction's: shipped together) */
} shipment;

/* One lost disk (restore.c): from the loss until the instance serves again. */
typedef struct incident {
    sim_time lost_at, restored_at, served_at; /* restored_at, served_at: -1 until then */
    sim_time point;       /* the backup point of the newest backup restored; -1: none */
    uint32_t parts;       /* backups restored (the full one and the incrementals) */
    uint64_t bytes;       /* their data */
    uint64_t lost_before; /* the store's lost writes (the oracle's count) at the loss */
    uint64_t writes_lost; /* ... counted since (restore.c: until the next loss or the end) */
    bool caught_up;       /* it serves as a replica, caught up from the primary */
} incident;

typedef struct db_state {
    db_role role;
    bool down;
    uint32_t me, count; /* own index and the cluster's size */
    uint32_t epoch, primary;
    sim_idmap data;      /* key + 1 -> version */
    sim_idmap unflushed; /* key + 1 -> its version before its first commit since the flush */
    /* primary: the log of the current epoch, and the entries waiting to be shipped */
    log_entry *log;
    uint64_t nlog, caplog;
    slot_table ships; /* of shipment */
    peer *peers;
    /* replica */
    uint64_t applied; /* contiguous log position applied in the current epoch */
    sim_idmap ahead;  /* positions applied beyond it */
    bool synced;      /* holds the snapshot of its subscription */
    uint32_t sub_seq;
    sim_time sub_at;
    sim_time last_ack;  /* last answer from the primary */
    sim_timer election; /* pending while a poll of the others' positions is under way */
    uint32_t best;      /* the most up-to-date instance the poll heard of, and its position */
    uint64_t best_pos;
    /* joining */
    uint32_t join_epoch, join_primary;
    /* connection pool */
    station st;
    uint64_t *lsn;  /* per worker: a committed write waiting for replica acks: its position */
    uint32_t *pend; /* FIFO of workers waiting for acks, in log order */
    uint32_t pend_head, npend;
    /* figures (requests issued after the warm-up; entries committed after it) */
    uint64_t arrivals, unroutable, forwarded, reads, writes;
    uint64_t entries_applied, promotions, resyncs;
    uint64_t writes_undone; /* commits rolled back at crashes (unflushed), all */
    double behind_area; /* integral over the measured window of entries committed, not applied */
    sim_hist lag;
    /* backups (backup.c) */
    sim_idmap dirty;     /* key + 1 -> 1: written since the last backup this instance took */
    bool has_base;       /* it took a backup since it became primary: incrementals may follow */
    sim_time full_point; /* the point of its last full backup */
    uint32_t backup_seq;
    uint64_t backups_full, backups_incremental, backup_bytes; /* taken (all, not only measured) */
    uint64_t backups_done;                                    /* receipts from the store */
    sim_time done_point; /* the newest point the store confirmed; -1: none */
    /* restore (restore.c) */
    bool restoring;   /* fetching and applying backups (role ROLE_JOINING meanwhile) */
    bool in_incident; /* the last incident is still open */
    uint32_t ask_seq, parts_got;
    incident *incidents;
    uint32_t nincidents, capincidents;
    /* transactions (txn_*.c): made at the first one (or the first applied) */
    txn_cc *cc;
    db_conn *conn; /* per worker slot (st.cap of them) */
    uint32_t nconn;
    sim_idmap tx_worker; /* cc handle + 1 -> worker */
    held_entry *held;    /* replica: entries of transactions not yet complete */
    uint32_t nheld, capheld;
    /* figures (transactions issued after the warm-up) */
    uint64_t txn_committed, txn_aborted[TXN_ABORT_REASONS];
    uint64_t txn_lock_waits, txn_statements; /* statements that waited; that began */
    double txn_wait_total;                   /* ns waited for locks, summed */
    uint64_t txn_applied;                    /* replica: transactions applied whole */
} db_state;

/* ---- the cluster (database.c) ---- */

/* The engine index of instance idx of n's cluster. */
static inline uint32_t db__node_of(const sim_node *n, uint32_t idx) {
    return sim_node_id(n) - sim_node_replica(n) + idx;
}
/* The instance's own view (its epoch and the primary it follows). */
static inline repl_view db__view(const db_state *s) {
    return (repl_view){.epoch = s->epoch, .primary = s->primary};
}
/* A view is newer with a higher epoch, or the same epoch and a lower primary index. */
static inline bool db__is_newer(repl_view a, repl_view b) {
    return a.epoch != b.epoch ? a.epoch > b.epoch : a.primary < b.primary;
}
/* True when r counts in the figures (issued in the measured window). */
static inline bool db__counts(const sim_node *n, const rr_req *r) {
    return sim_is_measured(n, r->issued);
}
/* Sends a message of type t carrying view v to instance i / to every other instance. */
void db__send_view(sim_node *n, uint32_t i, const sim_msg_type *t, repl_view v);
void db__send_view_all(sim_node *n, const sim_msg_type *t, repl_view v);
/* Sends a message of type t carrying (epoch, position) to the node of engine index dst. */
void db__send_position(sim_node *n, uint32_t dst, const sim_msg_type *t, uint32_t epoch,
                       uint64_t position);
/* A duration drawn from d on n's stream, rounded to whole ns. */
sim_time db__draw(sim_node *n, const sim_dist *d);

/* ---- the kind's hooks (lifecycle.c) ---- */

void db__create(sim_node *n);
void db__crash(sim_node *n);
void db__restart(sim_node *n);
void db__finish(sim_node *n);
void db__destroy(sim_node *n);

/* ---- the store (data.c) ---- */

uint64_t db__version_of(const db_state *s, uint64_t key);
/* Sets key's version unless the store holds a newer one (entries may arrive out of order). */
void db__put_version(sim_node *n, uint64_t key, uint64_t version);
/* Commits a write of key on the primary: its version goes up by one (returned), and the
 * version before is kept for a rollback while the WAL is unflushed. */
uint64_t db__commit_version(sim_node *n, uint64_t key);
/* A crash rolls back the commits since the last WAL flush (each key returns to its version
 * before the first of them). */
void db__roll_back_unflushed(sim_node *n);
/* Discards every key (the instance follows a new primary, or lost its volatile data). */
void db__clear_data(sim_node *n);
/* Timer T_FLUSH: the WAL is flushed (commits since the last flush are safe from now on). */
void db__flush(sim_node *n);

/* ---- the consistency checker (checker_feed.c): its only callers ---- */

/* The cluster's name for the oracle: its first instance. */
static inline uint32_t db__store_of(const sim_node *n) { return db__node_of(n, 0); }
/* The primary committed a write of key: key joins the cluster's list. */
void db__oracle_commit(sim_node *n, uint64_t key);
/* Tells the oracle which version of every key the cluster ever wrote this instance holds. */
void db__settle(sim_node *n);
/* Tells the oracle what this copy promises to keep (at creation). */
void db__oracle_copy(sim_node *n);

/* ---- the connection pool (pool.c) ---- */

/* r joins the pool: served at once by an idle worker, queued, or rejected. */
void db__enqueue(sim_node *n, rr_req *r);
/* The worker's request is answered (with its status); the worker takes the next one. */
void db__finish_worker(sim_node *n, uint32_t w);
/* Timer T_DONE: worker w is done with the job stamped job. */
void db__service_done(sim_node *n, uint32_t w, uint32_t job);
/* Drops every request held (crash). */
void db__drop_all(sim_node *n);
void db__resize(sim_node *n, uint32_t workers);

/* ---- the request path (requests.c) ---- */

/* A request arrives (the node owns r). */
void db__serve_request(sim_node *n, rr_req *r);
/* Sends r on to instance `to` as a forward after which it must not be forwarded again (a read a
 * resynchronising replica lets go of: the primary, or a synchronised replica, serves a
 * forwarded read itself, anything else fails it, so the hand-off cannot loop). */
void db__forward_last(sim_node *n, rr_req *r, uint32_t to);

/* ---- the primary (primary.c) ---- */

/* True while the primary heard from instance i within failover_after. */
bool db__is_live(const sim_node *n, const db_state *s, uint32_t i);
/* Acknowledges the writes waiting for replicas that have now reached their positions. */
void db__release_pending(sim_node *n);
/* Fails every write waiting for acks (the primary stepped down: they will be discarded). */
void db__fail_pending(sim_node *n);
/* Worker w's write commits. */
void db__commit(sim_node *n, uint32_t w);
/* Appends *e to the log of the epoch; returns its position, or 0 when out of memory. */
uint64_t db__append(sim_node *n, const log_entry *e);
/* Schedules the shipment of the `count` log entries from position pos on to instance i after
 * one replication delay drawn from the instance's stream. */
void db__schedule_shipment(sim_node *n, uint64_t pos, uint32_t i, uint32_t count);
/* Worker w's committed request waits for the replicas' acks of position pos (sync,
 * semi_sync), keeping its connection. */
void db__await_replicas(sim_node *n, uint32_t w, uint64_t pos);
/* Timer T_SHIP: the shipment in slot `slot` is due. */
void db__ship(sim_node *n, uint32_t slot);
/* Forgets the shipments not yet made (a step-down, a promotion: their log is gone); after a
 * crash, whose timers the engine dropped, pass cancel = false. */
void db__drop_shipments(sim_node *n, bool cancel);
/* Becomes the primary of a new epoch (a promotion, or a former primary resuming). */
void db__promote(sim_node *n);

/* ---- replicas (replica.c) ---- */

/* Asks the primary for a snapshot (a new subscription). */
void db__subscribe(sim_node *n);
/* A synchronised replica tells the primary its contiguous position. */
void db__report_position(sim_node *n);
/* Moves the contiguous position over the entries applied beyond it. */
void db__advance(sim_node *n);
/* Follows view v if it is newer than the instance's own (and not its own promotion). */
void db__maybe_follow(sim_node *n, repl_view v);
/* Follows view v: discards this instance's data and resynchronises from its primary. */
void db__follow(sim_node *n, repl_view v);

/* ---- failover (failover.c) ---- */

/* Timer T_TICK: heartbeats, failure detection, resubscription. */
void db__tick(sim_node *n);
/* Timer T_ELECT: the poll's answers are in. */
void db__elect(sim_node *n);
/* Timer T_JOIN: a restarted instance follows the newest view it heard of. */
void db__join_done(sim_node *n);

/* ---- replication messages (recv_*.c): src is the sender's instance index ---- */

void db__on_heartbeat(sim_node *n, uint32_t src, const repl_view *v);
void db__on_heartbeat_ack(sim_node *n, uint32_t src, const repl_view *v);
void db__on_announce(sim_node *n, uint32_t src, const repl_view *v);
void db__on_subscribe(sim_node *n, uint32_t src, const repl_subscribe *sub);
void db__on_snapshot(sim_node *n, uint32_t src, const repl_snapshot *snap);
void db__on_entry(sim_node *n, uint32_t src, const repl_entry *e);
void db__on_applied(sim_node *n, uint32_t src, const repl_position *p);
void db__on_poll(sim_node *n, uint32_t src, const repl_view *v);
void db__on_position(sim_node *n, uint32_t src, const repl_position *p);

/* ---- backups (backup.c) ---- */

/* True when the node has a backup schedule. */
static inline bool db__backs_up(const db_config *c) { return c->backup_to.name != NULL; }
/* The interval between backups: the incremental one, else the full one. */
sim_time db__backup_interval(const db_config *c);
/* Arms the backup timer for the next point of the schedule (multiples of the interval). */
void db__arm_backup(sim_node *n);
/* Timer T_BACKUP: the primary takes a backup. */
void db__backup_due(sim_node *n);
/* A commit of key: it joins the next incremental backup. */
void db__mark_dirty(sim_node *n, uint64_t key);
/* The instance's next backup must be full (it became primary, or lost its data). */
void db__backup_rebase(sim_node *n);
/* The store's receipt for a backup. */
void db__on_backup_done(sim_node *n, const bk_done *d);

/* ---- a lost disk and its restore (restore.c) ---- */

/* The lose_data hook: the instance forgets its durable state; an incident opens. */
void db__lose_data(sim_node *n);
/* At the restart after a lost disk: asks the store for the backups, or, with none configured,
 * resumes at once with nothing. Returns false when there is nothing to restore (no incident
 * open): the restart goes on as after a crash. */
bool db__begin_restore(sim_node *n);
/* One backup of the restore arrived. */
void db__on_restore_part(sim_node *n, const bk_part *p);
/* Timer T_RESTORED: the restored data is applied. */
void db__restored(sim_node *n);
/* The instance serves again (resumed as primary, or caught up as a replica): the open
 * incident, if any, closes. */
void db__incident_close(sim_node *n, bool caught_up);
/* The last incident's lost writes are counted again (at the end of the run, and before a new
 * loss). */
void db__incidents_finish(sim_node *n);
/* A joining instance that lost its disk and still hears itself named primary waits for the
 * others to fail over (true: it goes on listening) rather than resume with restored data
 * newer writes were made after. */
bool db__wait_for_failover(sim_node *n);
/* Resumes after a restart (or the end of a restore): a lone instance at once, one of a
 * cluster by asking the others who leads (lifecycle.c). */
void db__resume(sim_node *n);

/* ---- transactions (txn_session.c) ---- */

/* The instance's cc, made on first use (NULL when out of memory: the run is failed). */
txn_cc *db__cc(sim_node *n);
/* Worker w begins serving the transaction request r (its connection for the whole life). */
void db__txn_start(sim_node *n, uint32_t w, rr_req *r);
/* Timer T_TXN / T_LOCK_TIMEOUT of worker w for the job stamped job. */
void db__txn_step(sim_node *n, uint32_t w, uint32_t job);
void db__txn_timeout(sim_node *n, uint32_t w, uint32_t job);
/* Ends worker w's transaction aborted for `why` and replies RR_FAILED. */
void db__txn_fail(sim_node *n, uint32_t w, txn_abort_reason why);
/* Aborts every open transaction (the instance stops being primary): replies RR_FAILED. */
void db__txn_abort_all(sim_node *n, txn_abort_reason why);
/* The per-worker connections follow a resize of the pool; -1 when out of memory. */
int db__txn_resize(sim_node *n, uint32_t cap);
/* Forgets every connection (a crash dropped the requests). */
void db__txn_clear(sim_node *n);
void db__txn_free(sim_node *n);

/* ---- a transaction's commit, durability (txn_commit.c) ---- */

/* Worker w's transaction ran its last statement: the WAL, then the commit. */
void db__txn_commit_begin(sim_node *n, uint32_t w);
/* The WAL flush is done: the cc commits, the store, the log, replication, the reply. */
void db__txn_commit(sim_node *n, uint32_t w);
/* The WAL was flushed (flush_interval): every commit so far is durable. */
void db__txn_flushed(sim_node *n);
/* A crash: open transactions end; with volatile storage every row is lost. */
void db__txn_crash(sim_node *n);
/* The instance's rows are gone (it follows a new primary, or lost its disk). */
void db__txn_reset(sim_node *n);

/* ---- whole transactions on replicas (txn_replication.c) ---- */

/* Entry e of a transaction arrived: held until the transaction's every entry did, then
 * applied together (db__apply_entry each, and the cc at once). */
void db__on_txn_entry(sim_node *n, const repl_entry *e);
/* Applies one entry to the store, the figures and the position (recv_entry.c). */
void db__apply_entry(sim_node *n, const repl_entry *e);
/* The cc rows the primary's snapshot carries after its keys: count, and the bytes. */
uint64_t db__snapshot_rows(sim_node *n, txn_write *out);
/* A replica installs a snapshot's cc rows. */
void db__install_rows(sim_node *n, const txn_write *w, uint64_t count);
/* Applies the held transactions whose entries all arrived (once synchronised); drops those
 * a snapshot already includes. */
void db__complete_held(sim_node *n);
/* Drops the entries held (the replica follows a new primary, or crashed). */
void db__drop_held(sim_node *n);

/* ---- the anomaly checker (txn_feed.c) ---- */

/* The cluster's one trace, which every instance's cc writes into (txn_feed.c). */
txn_trace *db__txn_trace(sim_node *n);
/* Declares the cluster's `invariants` to the anomaly checker (instance 0, at creation). */
void db__declare_invariants(sim_node *n);

/* ---- figures (report.c) ---- */

extern const sim_metric db__metrics[]; /* report.c */

#endif
