/* database: a replicated database cluster of keyed data. A node with `replicas: N` is one
 * cluster of N instances: instance 0 starts as the primary, the others as its replicas. Every
 * instance holds its own key -> version map and serves requests from a connection pool of
 * `workers` with a FIFO waiting room of `queue` places (models/station.h, as `service`).
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
 * A request is forwarded at most MAX_FORWARDS times (views can disagree during a failover);
 * then it fails. */
#include "hist.h"
#include "idmap.h"
#include "node.h"
#include "oracle.h"
#include "protocols.h"
#include "station.h"

#include <stdlib.h>

enum { T_DONE, T_TICK, T_SHIP, T_ELECT, T_JOIN, T_FLUSH };

enum {
    M_HB = SIM_MSG_USER, /* arg: sender's view; answered by M_HB_ACK */
    M_HB_ACK,            /* arg: responder's view */
    M_ANNOUNCE,          /* arg: the new primary's view */
    M_SUBSCRIBE,         /* arg: epoch << 32 | subscription number */
    M_SNAP,              /* req: key, version; arg as M_SUBSCRIBE */
    M_SNAP_END,          /* req: version = keys sent, token = log position; arg as M_SUBSCRIBE */
    M_ENTRY,             /* req: key, version, issued = commit time, token = position; arg: epoch */
    M_APPLIED,           /* arg: epoch << 40 | position */
    M_POLL,              /* arg: poller's view; answered by M_POSITION or M_HB_ACK */
    M_POSITION,          /* arg: epoch << 40 | position */
};

enum { REPL_ASYNC, REPL_SYNC, REPL_SEMI_SYNC };
enum { READ_PRIMARY, READ_REPLICAS, READ_ANY };
typedef enum { ROLE_PRIMARY, ROLE_REPLICA, ROLE_JOINING } role;

static const char *const replication_words[] = {"async", "sync", "semi_sync", NULL};
static const char *const read_from_words[] = {"primary", "replicas", "any", NULL};
static const char *const role_words[] = {"primary", "replica", "joining"};

#define POS_BITS 40
#define IDX_BITS 24
#define MAX_FORWARDS 3

typedef struct db_config {
    int64_t workers;
    int64_t queue; /* -1: unbounded */
    sim_opdist service;
    sim_dist fsync;
    bool durable;
    sim_time flush_interval; /* <= 0: every commit is flushed */
    int replication;
    sim_dist replication_delay;
    int read_from;
    sim_time heartbeat;
    sim_time failover_after;
    bool failover;
} db_config;

typedef struct log_entry {
    uint64_t key, version;
    sim_time at; /* commit time */
} log_entry;

/* The primary's view of another instance. */
typedef struct peer {
    sim_time last_heard;
    uint64_t acked; /* position it reported in the current epoch */
} peer;

typedef struct db_state {
    role role;
    bool down;
    uint32_t me, count; /* own index and the cluster's size */
    uint32_t epoch, primary;
    sim_idmap data;      /* key + 1 -> version */
    sim_idmap unflushed; /* key + 1 -> its version before its first commit since the flush */
    /* primary: the log of the current epoch */
    log_entry *log;
    uint64_t nlog, caplog;
    peer *peers;
    /* replica */
    uint64_t applied; /* contiguous log position applied in the current epoch */
    sim_idmap ahead;  /* positions applied beyond it */
    bool synced;
    uint32_t sub_seq;
    sim_time sub_at;
    uint64_t snap_total, snap_got, snap_pos;
    sim_time last_ack; /* last answer from the primary */
    bool electing;
    uint32_t elect_epoch, best;
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
} db_state;

static const sim_param db_params[] = {
    {.name = "workers", .type = SIM_P_INT, .offset = offsetof(db_config, workers), .def = "8",
     .min = 1, .max = 1e6, .help = "connection pool: requests served at once per instance"},
    {.name = "queue", .type = SIM_P_LIMIT, .offset = offsetof(db_config, queue),
     .def = "unbounded", .min = 0, .max = 1e12,
     .help = "requests waiting for a connection; arrivals to a full room are rejected"},
    {.name = "service", .type = SIM_P_OPDIST, .offset = offsetof(db_config, service),
     .flags = SIM_PARAM_REQUIRED,
     .help = "service time, or per operation {read: DIST, write: DIST}"},
    {.name = "fsync", .type = SIM_P_DIST, .offset = offsetof(db_config, fsync), .def = "0s",
     .help = "WAL flush added to every commit on the primary (holding the connection)"},
    {.name = "durable", .type = SIM_P_BOOL, .offset = offsetof(db_config, durable),
     .def = "true", .help = "committed data survives a crash (false: an instance restarts empty)"},
    {.name = "flush_interval", .type = SIM_P_DURATION,
     .offset = offsetof(db_config, flush_interval), .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "flush the WAL every interval instead of at each commit: a crash loses the "
             "commits since the last flush (default: every commit flushed)"},
    {.name = "replication", .type = SIM_P_ENUM, .offset = offsetof(db_config, replication),
     .def = "async", .choices = replication_words,
     .help = "acknowledge writes at commit (async), when every live replica applied them "
             "(sync), or when one did (semi_sync)"},
    {.name = "replication_delay", .type = SIM_P_DIST,
     .offset = offsetof(db_config, replication_delay), .def = "0s",
     .help = "time from commit to shipping the entry to each replica (then the network)"},
    {.name = "read_from", .type = SIM_P_ENUM, .offset = offsetof(db_config, read_from),
     .def = "primary", .choices = read_from_words,
     .help = "which copies serve reads: primary, replicas, or any (where they arrive)"},
    {.name = "heartbeat", .type = SIM_P_DURATION, .offset = offsetof(db_config, heartbeat),
     .def = "100ms", .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "interval of the replicas' heartbeats to the primary"},
    {.name = "failover_after", .type = SIM_P_DURATION,
     .offset = offsetof(db_config, failover_after), .def = "1s", .min = 1,
     .max = (double)SIM_TIME_MAX,
     .help = "a primary (or, for the primary, a replica) unheard of this long is taken as dead"},
    {.name = "failover", .type = SIM_P_BOOL, .offset = offsetof(db_config, failover),
     .def = "true", .help = "promote a replica when the primary is taken as dead"},
    {0},
};

static void db_check(const void *config, sim_check *ck) {
    const db_config *c = config;
    if (c->flush_interval > 0 && sim_dist_mean(&c->fsync) > 0)
        sim_check_error(ck, "fsync",
                        "'fsync' is paid by every commit, and with 'flush_interval' commits do "
                        "not flush: drop one of them");
    if (c->flush_interval > 0 && !c->durable)
        sim_check_error(ck, "flush_interval",
                        "'flush_interval' goes with durable: true (a volatile instance loses "
                        "everything anyway)");
}

/* ---- small helpers ---- */

static uint64_t view_of(uint32_t epoch, uint32_t primary) {
    return (uint64_t)epoch << IDX_BITS | primary;
}
static uint32_t view_epoch(uint64_t v) { return (uint32_t)(v >> IDX_BITS); }
static uint32_t view_primary(uint64_t v) { return (uint32_t)(v & ((1u << IDX_BITS) - 1)); }
/* A view is newer with a higher epoch, or the same epoch and a lower primary index. */
static bool is_newer(uint64_t a, uint64_t b) {
    return view_epoch(a) != view_epoch(b) ? view_epoch(a) > view_epoch(b)
                                          : view_primary(a) < view_primary(b);
}
static uint64_t pos_of(uint32_t epoch, uint64_t pos) {
    return (uint64_t)epoch << POS_BITS | (pos & ((UINT64_C(1) << POS_BITS) - 1));
}
static uint32_t pos_epoch(uint64_t a) { return (uint32_t)(a >> POS_BITS); }
static uint64_t pos_value(uint64_t a) { return a & ((UINT64_C(1) << POS_BITS) - 1); }

static uint32_t node_of(const sim_node *n, uint32_t idx) {
    return sim_node_id(n) - sim_node_replica(n) + idx;
}

static sim_time draw(sim_node *n, const sim_dist *d) {
    double t = sim_dist_sample(d, sim_rng(n));
    return t < (double)SIM_TIME_MAX ? (sim_time)(t + 0.5) : SIM_TIME_MAX;
}

static uint64_t version_of(const db_state *s, uint64_t key) {
    uint64_t v = 0;
    sim_idmap_get(&s->data, key + 1, &v);
    return v;
}

/* Sets key's version to version unless it holds a newer one (entries may arrive out of
 * order). */
static void put_version(sim_node *n, uint64_t key, uint64_t version) {
    db_state *s = sim_state(n);
    uint64_t old = 0;
    if (sim_idmap_get(&s->data, key + 1, &old) && old >= version)
        return;
    if (sim_idmap_put(&s->data, key + 1, version))
        sim_out_of_memory(n);
}

/* The cluster's name for the oracle: its first instance. */
static uint32_t store_of(const sim_node *n) { return node_of(n, 0); }

static void send_all(sim_node *n, uint16_t tag, uint64_t arg) {
    db_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->count; i++)
        if (i != s->me)
            sim_send(n, node_of(n, i), tag, NULL, arg);
}

static uint64_t held_version(uint64_t key, void *state) { return version_of(state, key); }

/* Tells the oracle which version of every key the cluster ever wrote this instance holds. */
static void settle(sim_node *n) {
    if (sim_oracle_settle(sim_oracle_of(n), store_of(n), held_version, sim_state(n)))
        sim_out_of_memory(n);
}

/* ---- the connection pool ---- */

static bool counts(const sim_node *n, const sim_req *r) { return sim_is_measured(n, r->issued); }

static void start(sim_node *n, uint32_t w, sim_req *r) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    uint32_t job = station_begin(&s->st, n, w, r);
    s->lsn[w] = 0;
    double t = sim_dist_sample(&c->service.op[r->op], sim_rng(n));
    if (r->op == SIM_OP_WRITE)
        t += sim_dist_sample(&c->fsync, sim_rng(n));
    sim_set_timer(n, sim_slowed(n, t), T_DONE, (uint64_t)job << 32 | w);
}

/* The worker's request is answered (with its status); the worker takes the next waiting one. */
static void finish_worker(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    s->lsn[w] = 0;
    sim_req *r = station_end(&s->st, n, w);
    r->hops++;
    sim_reply(n, r);
    sim_req *next = station_next(&s->st, n, w);
    if (next)
        start(n, w, next);
}

static void forward(sim_node *n, sim_req *r, uint32_t to, uint64_t forwards);

/* The worker's read cannot be answered here any more (the instance is resynchronising): the
 * worker lets go of it, unanswered and not counted as completed or failed, and the read goes
 * on to the primary as one last forward (a request does not carry how often it was forwarded;
 * the primary, or a synchronised replica, serves a forwarded read itself, anything else fails
 * it, so the hand-off cannot loop). */
static void hand_off(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    s->lsn[w] = 0;
    sim_req *r = station_hand_off(&s->st, n, w);
    forward(n, r, s->primary, MAX_FORWARDS - 1);
    sim_req *next = station_next(&s->st, n, w);
    if (next)
        start(n, w, next);
}

static void enqueue(sim_node *n, sim_req *r) {
    db_state *s = sim_state(n);
    uint32_t w = station_arrive(&s->st, n, r);
    if (w != STATION_QUEUED && w != STATION_REJECTED)
        start(n, w, r);
}

/* Drops every request held (crash). */
static void drop_all(sim_node *n) {
    db_state *s = sim_state(n);
    station_clear(&s->st, n);
    for (uint32_t w = 0; w < s->st.workers; w++)
        s->lsn[w] = 0;
    s->npend = s->pend_head = 0;
}

/* ---- the primary ---- */

static bool is_live(const sim_node *n, const db_state *s, uint32_t i) {
    const db_config *c = sim_config(n);
    return sim_now(n) - s->peers[i].last_heard < c->failover_after;
}

/* Acknowledges the writes waiting for replicas that have now reached their positions. */
static void release_pending(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (!s->npend)
        return;
    uint64_t thr = 0, lo = UINT64_MAX, hi = 0;
    bool any_live = false;
    for (uint32_t i = 0; i < s->count; i++) {
        if (i == s->me)
            continue;
        if (s->peers[i].acked > hi)
            hi = s->peers[i].acked;
        if (is_live(n, s, i)) {
            any_live = true;
            if (s->peers[i].acked < lo)
                lo = s->peers[i].acked;
        }
    }
    if (!any_live)
        thr = UINT64_MAX;
    else
        thr = c->replication == REPL_SYNC ? lo : hi;
    while (s->npend) {
        uint32_t w = s->pend[s->pend_head];
        if (s->lsn[w] > thr)
            break;
        s->pend_head = (s->pend_head + 1) % (uint32_t)c->workers;
        s->npend--;
        finish_worker(n, w);
    }
}

/* Fails every write waiting for acks (the primary stepped down: they will be discarded). */
static void fail_pending(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    while (s->npend) {
        uint32_t w = s->pend[s->pend_head];
        s->pend_head = (s->pend_head + 1) % (uint32_t)c->workers;
        s->npend--;
        s->st.held[w]->status = SIM_REQ_FAILED;
        s->st.held[w]->flags &= (uint8_t)~SIM_REQ_HAS_DATA;
        finish_worker(n, w);
    }
}

static void commit(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_req *r = s->st.held[w];
    uint64_t v = version_of(s, r->key) + 1;
    if (c->flush_interval > 0 && !sim_idmap_get(&s->unflushed, r->key + 1, NULL) &&
        sim_idmap_put(&s->unflushed, r->key + 1, v - 1))
        sim_out_of_memory(n);
    put_version(n, r->key, v);
    if (sim_oracle_store_key(sim_oracle_of(n), store_of(n), r->key))
        sim_out_of_memory(n);
    if (s->nlog == s->caplog) {
        uint64_t cap = s->caplog ? 2 * s->caplog : 64;
        log_entry *log = realloc(s->log, cap * sizeof *log);
        if (!log) {
            sim_out_of_memory(n);
            return;
        }
        s->log = log;
        s->caplog = cap;
    }
    s->log[s->nlog++] = (log_entry){r->key, v, sim_now(n)};
    for (uint32_t i = 0; i < s->count; i++)
        if (i != s->me)
            sim_set_timer(n, draw(n, &c->replication_delay), T_SHIP,
                          s->nlog << 32 | (uint64_t)(s->epoch & 0xff) << IDX_BITS | i);
    if (counts(n, r))
        s->writes++;
    sim_req_serve_data(n, r, store_of(n), v);
    r->status = SIM_REQ_OK;
    if (c->replication == REPL_ASYNC || s->count == 1) {
        finish_worker(n, w);
        return;
    }
    s->lsn[w] = s->nlog;
    s->pend[(s->pend_head + s->npend) % (uint32_t)c->workers] = w;
    s->npend++;
    release_pending(n);
}

/* Sends log entry lsn to instance i; the timer's arg is lsn << 32 | (epoch mod 256) << 24 | i,
 * so that a timer set in an earlier epoch (the instance stepped down and was promoted again
 * meanwhile) ships nothing. */
static void ship(sim_node *n, uint64_t arg) {
    db_state *s = sim_state(n);
    uint64_t lsn = arg >> 32;
    uint32_t i = (uint32_t)(arg & ((1u << IDX_BITS) - 1));
    if (s->role != ROLE_PRIMARY || (uint32_t)(arg >> IDX_BITS & 0xff) != (s->epoch & 0xff) ||
        lsn == 0 || lsn > s->nlog)
        return;
    const log_entry *e = &s->log[lsn - 1];
    sim_req *m = sim_req_new(n);
    m->key = e->key;
    m->version = e->version;
    m->issued = e->at;
    m->token = lsn;
    sim_send(n, node_of(n, i), M_ENTRY, m, s->epoch);
}

/* Becomes the primary of a new epoch (a promotion, or a former primary resuming). */
static void promote(sim_node *n) {
    db_state *s = sim_state(n);
    sim_time now = sim_now(n);
    uint32_t old = s->primary;
    s->epoch++;
    s->role = ROLE_PRIMARY;
    s->primary = s->me;
    s->nlog = 0;
    s->applied = 0;
    sim_idmap_clear(&s->ahead);
    s->synced = true;
    s->electing = false;
    /* Every other instance is taken as live until heard of otherwise, except the primary
     * just replaced (sync writes must not wait for it). */
    for (uint32_t i = 0; i < s->count; i++)
        s->peers[i] = (peer){.last_heard = i == old && old != s->me ? INT64_MIN / 2 : now};
    s->promotions++;
    settle(n);
    send_all(n, M_ANNOUNCE, view_of(s->epoch, s->me));
}

/* ---- replicas ---- */

static void subscribe(sim_node *n) {
    db_state *s = sim_state(n);
    s->sub_seq++;
    s->sub_at = sim_now(n);
    s->snap_total = UINT64_MAX;
    s->snap_got = 0;
    s->synced = false;
    s->resyncs++;
    sim_send(n, node_of(n, s->primary), M_SUBSCRIBE, NULL, (uint64_t)s->epoch << 32 | s->sub_seq);
}

static void report_position(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->synced)
        sim_send(n, node_of(n, s->primary), M_APPLIED, NULL, pos_of(s->epoch, s->applied));
}

static void advance(sim_node *n) {
    db_state *s = sim_state(n);
    while (sim_idmap_take(&s->ahead, s->applied + 1, NULL))
        s->applied++;
}

/* Follows the view (epoch, primary): discards this instance's data and resynchronises from
 * the primary. */
static void follow(sim_node *n, uint64_t view) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY)
        fail_pending(n);
    sim_idmap_clear(&s->unflushed);
    sim_idmap_clear(&s->data);
    s->role = ROLE_REPLICA;
    s->epoch = view_epoch(view);
    s->primary = view_primary(view);
    s->nlog = 0;
    s->applied = 0;
    sim_idmap_clear(&s->ahead);
    s->last_ack = sim_now(n);
    s->electing = false;
    subscribe(n);
}

static void maybe_follow(sim_node *n, uint64_t view) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_JOINING && view_primary(view) != s->me &&
        is_newer(view, view_of(s->epoch, s->primary)))
        follow(n, view);
}

static void snap_check(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->synced || s->snap_got != s->snap_total)
        return;
    s->synced = true;
    if (s->snap_pos > s->applied)
        s->applied = s->snap_pos;
    advance(n);
    report_position(n);
}

static void apply_entry(sim_node *n, sim_req *m, uint32_t epoch) {
    db_state *s = sim_state(n);
    uint64_t lsn = m->token;
    sim_time now = sim_now(n);
    if (s->role != ROLE_REPLICA || epoch != s->epoch || lsn <= s->applied ||
        sim_idmap_get(&s->ahead, lsn, NULL)) {
        sim_req_free(n, m);
        return;
    }
    put_version(n, m->key, m->version);
    if (sim_is_measured(n, m->issued)) {
        s->entries_applied++;
        if (sim_hist_record(&s->lag, now - m->issued))
            sim_out_of_memory(n);
    }
    /* Little's law: the time-average number behind is the summed time each entry spent
     * committed but not applied, over the measured window. */
    sim_time a = m->issued > sim_warmup_end(n) ? m->issued : sim_warmup_end(n);
    if (now > a)
        s->behind_area += (double)(now - a);
    sim_req_free(n, m);
    if (lsn == s->applied + 1) {
        s->applied++;
        advance(n);
        report_position(n);
    } else if (sim_idmap_put(&s->ahead, lsn, 1)) {
        sim_out_of_memory(n);
    }
}

static void start_election(sim_node *n) {
    db_state *s = sim_state(n);
    s->electing = true;
    s->elect_epoch = s->epoch;
    s->best = s->me;
    s->best_pos = s->synced ? s->applied : 0;
    send_all(n, M_POLL, view_of(s->epoch, s->primary));
    sim_set_timer(n, ((const db_config *)sim_config(n))->heartbeat, T_ELECT, 0);
}

static void elect(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (!s->electing)
        return;
    s->electing = false;
    if (s->role != ROLE_REPLICA || s->epoch != s->elect_epoch ||
        sim_now(n) - s->last_ack < c->failover_after)
        return;
    if (s->best == s->me)
        promote(n);
    else if (s->best == s->primary)
        s->last_ack = sim_now(n); /* the primary answered the poll: it is alive */
}

/* ---- messages and timers ---- */

static void tick(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_time now = sim_now(n);
    if (s->role == ROLE_PRIMARY) {
        /* The primary's heartbeats let a deposed primary (cut off by a partition during the
         * failover) hear of the new epoch from the answers once the partition heals. */
        send_all(n, M_HB, view_of(s->epoch, s->primary));
        release_pending(n);
    } else if (s->role == ROLE_REPLICA) {
        sim_send(n, node_of(n, s->primary), M_HB, NULL, view_of(s->epoch, s->primary));
        if (c->failover && !s->electing && now - s->last_ack >= c->failover_after)
            start_election(n);
        if (!s->synced && now - s->sub_at >= c->failover_after)
            subscribe(n);
    }
    sim_set_timer(n, c->heartbeat, T_TICK, 0);
}

static void join_done(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_JOINING)
        return;
    uint64_t best = view_of(s->join_epoch, s->join_primary);
    s->role = ROLE_REPLICA; /* so that follow and promote see a settled role */
    if (view_primary(best) == s->me) {
        s->epoch = view_epoch(best);
        promote(n);
    } else {
        follow(n, best);
    }
}

static void serve_request(sim_node *n, sim_req *r, uint64_t forwards) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    r->arrived = sim_now(n);
    if (counts(n, r))
        s->arrivals++;
    bool local;
    uint32_t to = s->primary;
    if (s->role == ROLE_JOINING) {
        local = false;
        forwards = MAX_FORWARDS;
    } else if (r->op == SIM_OP_WRITE) {
        local = s->role == ROLE_PRIMARY;
    } else if (s->role == ROLE_PRIMARY) {
        local = true;
        if (c->read_from == READ_REPLICAS && forwards == 0) {
            uint32_t live = 0;
            for (uint32_t i = 0; i < s->count; i++)
                live += i != s->me && is_live(n, s, i);
            if (live) {
                uint32_t k = (uint32_t)gsl_rng_uniform_int(sim_rng(n), live);
                for (uint32_t i = 0; i < s->count; i++)
                    if (i != s->me && is_live(n, s, i) && k-- == 0) {
                        to = i;
                        local = false;
                        break;
                    }
            }
        }
    } else {
        /* A replica still resynchronising sends reads on to the primary, which serves any
         * forwarded read itself. */
        local = s->synced && (forwards > 0 || c->read_from != READ_PRIMARY);
    }
    if (local)
        enqueue(n, r);
    else
        forward(n, r, to, forwards);
}

/* Sends r, forwarded `forwards` times so far, on to instance `to`, or fails it when it has
 * been forwarded MAX_FORWARDS times. */
static void forward(sim_node *n, sim_req *r, uint32_t to, uint64_t forwards) {
    db_state *s = sim_state(n);
    if (forwards >= MAX_FORWARDS) {
        if (counts(n, r))
            s->unroutable++;
        r->status = SIM_REQ_FAILED;
        r->hops++;
        sim_reply(n, r);
    } else {
        if (counts(n, r))
            s->forwarded++;
        sim_send(n, node_of(n, to), SIM_MSG_REQUEST, r, forwards + 1);
    }
}

static void db_receive(sim_node *n, const sim_msg *m) {
    db_state *s = sim_state(n);
    uint32_t src = m->src - node_of(n, 0);
    sim_time now = sim_now(n);
    switch (m->tag) {
    case SIM_MSG_REQUEST:
        if (m->req) {
            serve_request(n, m->req, m->arg);
            return;
        }
        break;
    case M_HB:
        if (src < s->count) {
            if (s->role == ROLE_PRIMARY)
                s->peers[src].last_heard = now;
            if (s->role != ROLE_JOINING) {
                sim_send(n, m->src, M_HB_ACK, NULL, view_of(s->epoch, s->primary));
                maybe_follow(n, m->arg);
            }
        }
        break;
    case M_HB_ACK:
        if (s->role == ROLE_JOINING) {
            if (is_newer(m->arg, view_of(s->join_epoch, s->join_primary))) {
                s->join_epoch = view_epoch(m->arg);
                s->join_primary = view_primary(m->arg);
            }
        } else {
            if (src == s->primary)
                s->last_ack = now;
            if (s->role == ROLE_PRIMARY && src < s->count)
                s->peers[src].last_heard = now;
            maybe_follow(n, m->arg);
        }
        break;
    case M_ANNOUNCE:
        maybe_follow(n, m->arg);
        break;
    case M_SUBSCRIBE:
        if (s->role == ROLE_PRIMARY && (uint32_t)(m->arg >> 32) == s->epoch && src < s->count) {
            uint64_t sent = 0;
            for (size_t i = 0; i < s->data.cap; i++)
                if (s->data.keys[i]) {
                    sim_req *q = sim_req_new(n);
                    q->key = s->data.keys[i] - 1;
                    q->version = s->data.vals[i];
                    sim_send(n, m->src, M_SNAP, q, m->arg);
                    sent++;
                }
            sim_req *q = sim_req_new(n);
            q->version = sent;
            q->token = s->nlog;
            sim_send(n, m->src, M_SNAP_END, q, m->arg);
            s->peers[src].last_heard = now;
        }
        break;
    case M_SNAP:
    case M_SNAP_END:
        if (m->req && s->role == ROLE_REPLICA && !s->synced &&
            m->arg == ((uint64_t)s->epoch << 32 | s->sub_seq)) {
            if (m->tag == M_SNAP) {
                put_version(n, m->req->key, m->req->version);
                s->snap_got++;
            } else {
                s->snap_total = m->req->version;
                s->snap_pos = m->req->token;
            }
            snap_check(n);
        }
        break;
    case M_ENTRY:
        if (m->req) {
            apply_entry(n, m->req, (uint32_t)m->arg);
            return;
        }
        break;
    case M_APPLIED:
        if (s->role == ROLE_PRIMARY && pos_epoch(m->arg) == s->epoch && src < s->count) {
            if (pos_value(m->arg) > s->peers[src].acked)
                s->peers[src].acked = pos_value(m->arg);
            s->peers[src].last_heard = now;
            release_pending(n);
        }
        break;
    case M_POLL:
        if (s->role == ROLE_JOINING)
            break;
        if (view_epoch(m->arg) == s->epoch && view_primary(m->arg) == s->primary) {
            uint64_t pos = s->role == ROLE_PRIMARY ? s->nlog : s->synced ? s->applied : 0;
            sim_send(n, m->src, M_POSITION, NULL, pos_of(s->epoch, pos));
        } else if (is_newer(view_of(s->epoch, s->primary), m->arg)) {
            sim_send(n, m->src, M_HB_ACK, NULL, view_of(s->epoch, s->primary));
        }
        break;
    case M_POSITION:
        if (s->electing && pos_epoch(m->arg) == s->epoch && src < s->count) {
            uint64_t pos = pos_value(m->arg);
            if (pos > s->best_pos || (pos == s->best_pos && src < s->best)) {
                s->best_pos = pos;
                s->best = src;
            }
        }
        break;
    }
    sim_req_free(n, m->req);
}

static void db_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    db_state *s = sim_state(n);
    switch (tag) {
    case T_DONE: {
        uint32_t w = (uint32_t)arg, job = (uint32_t)(arg >> 32);
        if (!station_is_current(&s->st, w, job) || s->lsn[w])
            return;
        sim_req *r = s->st.held[w];
        if (r->op == SIM_OP_WRITE) {
            if (s->role == ROLE_PRIMARY) {
                commit(n, w);
                return;
            }
            r->status = SIM_REQ_FAILED; /* stepped down during service */
        } else if (s->role == ROLE_REPLICA && !s->synced) {
            /* The instance began following a new primary while the read waited or ran: its
             * store was emptied and is being refilled from a snapshot, so it cannot answer.
             * The rule "a resynchronising replica forwards reads to the primary" holds when
             * the read is served, not only when it arrives. */
            hand_off(n, w);
            return;
        } else {
            sim_req_serve_data(n, r, store_of(n), version_of(s, r->key));
            r->status = SIM_REQ_OK;
            if (counts(n, r))
                s->reads++;
        }
        finish_worker(n, w);
        break;
    }
    case T_TICK:
        tick(n);
        break;
    case T_SHIP:
        ship(n, arg);
        break;
    case T_ELECT:
        elect(n);
        break;
    case T_JOIN:
        join_done(n);
        break;
    case T_FLUSH:
        sim_idmap_clear(&s->unflushed);
        sim_set_timer(n, ((const db_config *)sim_config(n))->flush_interval, T_FLUSH, 0);
        break;
    }
}

/* ---- lifecycle ---- */

static void db_create(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_ref g = sim_node_group(n);
    s->me = sim_node_replica(n);
    s->count = g.count;
    s->role = s->me == 0 ? ROLE_PRIMARY : ROLE_REPLICA;
    s->synced = true;
    sim_idmap_init(&s->data);
    sim_idmap_init(&s->unflushed);
    sim_idmap_init(&s->ahead);
    sim_hist_init(&s->lag);
    s->lsn = calloc((size_t)c->workers, sizeof *s->lsn);
    s->pend = malloc((size_t)c->workers * sizeof *s->pend);
    s->peers = calloc(s->count, sizeof *s->peers);
    if (station_init(&s->st, n, (uint32_t)c->workers, c->queue) || !s->lsn || !s->pend ||
        !s->peers) {
        sim_out_of_memory(n);
        return;
    }
    if (s->count > 1)
        sim_set_timer(n, c->heartbeat, T_TICK, 0);
    if (c->flush_interval > 0)
        sim_set_timer(n, c->flush_interval, T_FLUSH, 0);
}

/* The commits since the last WAL flush are rolled back: each key returns to its version
 * before the first of them. */
static void roll_back_unflushed(sim_node *n) {
    db_state *s = sim_state(n);
    for (size_t i = 0; i < s->unflushed.cap; i++) {
        uint64_t id = s->unflushed.keys[i], prev = s->unflushed.vals[i];
        if (!id)
            continue;
        uint64_t now = 0;
        sim_idmap_get(&s->data, id, &now);
        s->writes_undone += now - prev;
        if (prev)
            sim_idmap_put(&s->data, id, prev); /* replaces: no allocation */
        else
            sim_idmap_take(&s->data, id, NULL);
    }
    sim_idmap_clear(&s->unflushed);
}

/* Crash: every request held is dropped (callers see a timeout), unshipped entries with the
 * timers; the data stays when durable (less the unflushed commits), else it is gone. */
static void db_crash(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    s->down = true;
    if (!s->lsn || !s->pend)
        return;
    drop_all(n);
    s->electing = false;
    if (c->durable) {
        roll_back_unflushed(n);
    } else {
        sim_idmap_clear(&s->data);
        sim_idmap_clear(&s->unflushed);
        s->nlog = 0;
        s->applied = 0;
        sim_idmap_clear(&s->ahead);
    }
}

/* Restart: a lone instance resumes at once; one of a cluster first asks the others who is
 * primary (one heartbeat interval) and then follows the newest view. */
static void db_restart(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    s->down = false;
    if (c->flush_interval > 0)
        sim_set_timer(n, c->flush_interval, T_FLUSH, 0);
    if (s->count == 1) {
        settle(n); /* what the crash rolled back or wiped out is lost */
        s->role = ROLE_PRIMARY;
        return;
    }
    s->join_epoch = s->epoch;
    s->join_primary = s->primary;
    s->role = ROLE_JOINING;
    send_all(n, M_HB, view_of(s->epoch, s->primary));
    sim_set_timer(n, c->heartbeat, T_JOIN, 0);
    sim_set_timer(n, c->heartbeat, T_TICK, 0);
}

static void db_finish(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY && !s->down)
        settle(n);
}

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

/* Per replica, keyed by its name: only a primary knows them. */
static void report_replicas(const sim_node *n, sim_report *w) {
    const db_state *s = sim_state_const(n);
    if (s->role == ROLE_PRIMARY && s->count > 1) {
        sim_report_open(w, "replicas");
        for (uint32_t i = 0; i < s->count; i++)
            if (i != s->me) {
                sim_report_open(w, sim_node_name_of(n, node_of(n, i)));
                sim_report_int(w, "acked", (int64_t)s->peers[i].acked);
                sim_report_int(w, "behind", (int64_t)(s->nlog - s->peers[i].acked));
                sim_report_close(w);
            }
        sim_report_close(w);
    }
}

static const sim_metric db_metrics[] = {
    {"role", SIM_METRIC_LABEL, .label = role_label},
    {"epoch", SIM_METRIC_GAUGE, SIM_FIELD(db_state, epoch)},
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
    {"behind_mean", SIM_METRIC_NUMBER, .value = behind_mean},
    {"promotions", SIM_METRIC_COUNTER, SIM_FIELD(db_state, promotions)},
    {"resyncs", SIM_METRIC_COUNTER, SIM_FIELD(db_state, resyncs)},
    {"writes_undone", SIM_METRIC_COUNTER, SIM_FIELD(db_state, writes_undone)},
    {"replicas", SIM_METRIC_WRITE, .write = report_replicas},
    {"station", SIM_METRIC_INCLUDE, .offset = offsetof(db_state, st), .include = station_metrics},
    SIM_METRICS_END,
};

static void db_destroy(sim_node *n) {
    db_state *s = sim_state(n);
    station_free(&s->st);
    free(s->lsn);
    free(s->pend);
    free(s->peers);
    free(s->log);
    sim_idmap_free(&s->data);
    sim_idmap_free(&s->unflushed);
    sim_idmap_free(&s->ahead);
    sim_hist_free(&s->lag);
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
    .create = db_create,
    .receive = db_receive,
    .timer = db_timer,
    .crash = db_crash,
    .restart = db_restart,
    .metrics = db_metrics,

    .destroy = db_destroy,
    .finish = db_finish,
};
