/* The concurrency-control façade (cc.h): transaction slots, statements under locking or MVCC
 * at each isolation level, savepoints, the constraint, commit and abort, durability. The
 * parts: locks.h (row and range locks, deadlocks), mvcc.h (version chains, snapshots, garbage
 * collection), ssi.h (serializable snapshot isolation). Every statement's outcome goes to the
 * trace. The table of what each cell does is in cc.h and docs/isolation.md. */
#include "cc.h"
#include "grow.h"

#include "locks.h"
#include "mvcc.h"
#include "ssi.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

enum { SLOT_FREE, SLOT_OPEN, SLOT_ENDED };

/* One write of a transaction, with what it replaced (for a rollback to a savepoint). */
typedef struct cc_wlog {
    uint64_t key, wid, prev_wid;
    int64_t value, prev_value;
    bool present, prev_present;
    bool first; /* the transaction's first write of key: undoing it drops its version */
} cc_wlog;

typedef struct cc_read {
    uint64_t key;
    int64_t value;
} cc_read;

typedef struct cc_savepoint {
    uint64_t number;
    uint32_t nw; /* the write log's length when it was taken */
} cc_savepoint;

typedef struct cc_tx {
    uint64_t id;
    uint32_t client, trace;
    uint8_t state, reason;
    bool has_snap;
    uint64_t snap; /* the transaction's snapshot (repeatable_read, serializable under MVCC) */
    uint64_t sx;   /* its SSI record */
    uint32_t snap_prev, snap_next; /* the list of open snapshots, oldest first */
    cc_wlog *w;
    uint32_t nw, capw;
    cc_read *r;
    uint32_t nr, capr;
    cc_savepoint *sp;
    uint32_t nsp, capsp;
    txn_write *out;
    uint32_t capout;
    txn_event *rows; /* a range read's rows, traced when it completes */
    uint32_t nrows, caprows;
} cc_tx;

struct txn_cc {
    txn_cc_config c;
    txn_trace *trace;
    txn_cc_hooks hooks;
    void *ctx;
    cc_tx *tx;
    uint32_t ntx, captx, free_slot; /* ended slots linked through snap_next */
    uint32_t snap_head, snap_tail;
    txn_locks lm;
    txn_mvcc mv;
    txn_ssi ssi;
    uint64_t durable;  /* commit stamp up to which commits are durable */
    uint64_t *pending; /* keys committed since the last txn_cc_durable */
    uint32_t npending, cappending;
    uint64_t deadlocks;
};

const char *txn_cc_refuses(txn_isolation iso, txn_concurrency cc) {
    if (iso >= TXN_ISOLATIONS || cc >= TXN_CONCURRENCIES)
        return "unknown isolation level or concurrency control";
    if (cc == TXN_MVCC && iso == TXN_READ_UNCOMMITTED)
        return "no MVCC engine offers read_uncommitted: PostgreSQL runs it as read_committed "
               "and InnoDB's reads no snapshot; use concurrency: locking";
    return NULL;
}

txn_cc *txn_cc_new(const txn_cc_config *c, txn_trace *trace, txn_cc_hooks hooks, void *ctx) {
    if (txn_cc_refuses(c->isolation, c->concurrency))
        return NULL;
    txn_cc *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    cc->c = *c;
    cc->trace = trace;
    cc->hooks = hooks;
    cc->ctx = ctx;
    cc->free_slot = cc->snap_head = cc->snap_tail = NONE;
    txn_locks_init(&cc->lm);
    txn_mvcc_init(&cc->mv, c->rows, c->initial_value);
    txn_ssi_init(&cc->ssi);
    return cc;
}

void txn_cc_free(txn_cc *cc) {
    if (!cc)
        return;
    for (uint32_t i = 0; i < cc->ntx; i++) {
        free(cc->tx[i].w);
        free(cc->tx[i].r);
        free(cc->tx[i].sp);
        free(cc->tx[i].out);
        free(cc->tx[i].rows);
    }
    free(cc->tx);
    free(cc->pending);
    txn_locks_free(&cc->lm);
    txn_mvcc_free(&cc->mv);
    txn_ssi_free(&cc->ssi);
    free(cc);
}

static bool is_mvcc(const txn_cc *cc) { return cc->c.concurrency == TXN_MVCC; }
static bool is_ssi(const txn_cc *cc) { return is_mvcc(cc) && cc->c.isolation == TXN_SERIALIZABLE; }
/* Does a write of a row changed since the snapshot abort (first updater wins)? */
static bool first_updater_wins(const txn_cc *cc) {
    return is_mvcc(cc) &&
           (cc->c.isolation == TXN_SERIALIZABLE ||
            (cc->c.isolation == TXN_REPEATABLE_READ && cc->c.flavor == TXN_FLAVOR_POSTGRESQL));
}

uint32_t txn_cc_begin(txn_cc *cc, uint64_t id, uint32_t client, sim_time now) {
    uint32_t i = cc->free_slot;
    if (i != NONE) {
        cc->free_slot = cc->tx[i].snap_next;
    } else {
        if (cc->ntx == cc->captx) { /* doubling: slots are as many as ever ran at once */
            uint32_t c = cc->captx ? cc->captx * 2 : 16;
            if (c <= cc->captx || txn_locks_reserve(&cc->lm, c) != 0)
                return TXN_CC_NONE;
            cc_tx *q = realloc(cc->tx, (size_t)c * sizeof *q);
            if (!q)
                return TXN_CC_NONE;
            cc->tx = q;
            cc->captx = c;
        }
        i = cc->ntx++;
        memset(&cc->tx[i], 0, sizeof cc->tx[i]);
    }
    cc_tx *t = &cc->tx[i];
    t->id = id;
    t->client = client;
    t->state = SLOT_OPEN;
    t->reason = TXN_ABORT_NONE;
    t->has_snap = false;
    t->sx = 0;
    t->nw = t->nr = t->nsp = t->nrows = 0;
    t->snap_prev = t->snap_next = NONE;
    t->trace = cc->trace ? txn_trace_begin(cc->trace, id, client, cc->c.isolation, now) : NONE;
    return i;
}

static void trace_ev(txn_cc *cc, cc_tx *t, txn_event e) {
    if (cc->trace && t->trace != NONE)
        txn_trace_event(cc->trace, t->trace, e);
}

/* The oldest snapshot an open transaction holds, and the oldest state a crash may return
 * to: versions older than what it sees can go. */
static uint64_t horizon(const txn_cc *cc) {
    uint64_t h = cc->mv.clock;
    if (cc->snap_head != NONE && cc->tx[cc->snap_head].snap < h)
        h = cc->tx[cc->snap_head].snap;
    if (cc->durable < h)
        h = cc->durable;
    return h;
}

static uint64_t ssi_horizon(const txn_cc *cc) {
    return cc->snap_head != NONE ? cc->tx[cc->snap_head].snap : UINT64_MAX;
}

static void snap_unlink(txn_cc *cc, cc_tx *t) {
    if (!t->has_snap)
        return;
    uint32_t self = (uint32_t)(t - cc->tx);
    if (t->snap_prev != NONE)
        cc->tx[t->snap_prev].snap_next = t->snap_next;
    else if (cc->snap_head == self)
        cc->snap_head = t->snap_next;
    if (t->snap_next != NONE)
        cc->tx[t->snap_next].snap_prev = t->snap_prev;
    else if (cc->snap_tail == self)
        cc->snap_tail = t->snap_prev;
    t->snap_prev = t->snap_next = NONE;
    t->has_snap = false;
}

/* Calls the wake hook for each transaction the lock manager granted, in FIFO order, after
 * cc's state is consistent (the hook must not call back). */
static void flush_wakes(txn_cc *cc) {
    for (uint32_t i = 0; i < cc->lm.nwoken; i++)
        if (cc->hooks.wake && cc->tx[cc->lm.woken[i]].state == SLOT_OPEN)
            cc->hooks.wake(cc->ctx, cc->lm.woken[i]);
    cc->lm.nwoken = 0;
}

/* Ends t: its locks, SSI record and snapshot go; the slot is free for reuse. */
static void finish(txn_cc *cc, cc_tx *t, bool wake) {
    uint32_t self = (uint32_t)(t - cc->tx);
    txn_locks_release_all(&cc->lm, self);
    snap_unlink(cc, t);
    t->state = SLOT_ENDED;
    t->snap_next = cc->free_slot;
    cc->free_slot = self;
    txn_ssi_cleanup(&cc->ssi, ssi_horizon(cc));
    if (wake)
        flush_wakes(cc);
    else
        cc->lm.nwoken = 0;
}

static void undo_writes(txn_cc *cc, cc_tx *t) {
    uint32_t self = (uint32_t)(t - cc->tx);
    for (uint32_t i = t->nw; i-- > 0;)
        if (t->w[i].first)
            txn_mvcc_drop_own(&cc->mv, t->w[i].key, self);
    t->nw = 0;
}

static void end_aborted(txn_cc *cc, cc_tx *t, txn_abort_reason why, sim_time now, bool wake) {
    undo_writes(cc, t);
    if (t->sx)
        txn_ssi_abort(&cc->ssi, t->sx);
    t->sx = 0;
    t->reason = (uint8_t)why;
    if (cc->trace && t->trace != NONE)
        txn_trace_abort(cc->trace, t->trace, why, now);
    finish(cc, t, wake);
}

void txn_cc_abort(txn_cc *cc, uint32_t tx, txn_abort_reason why, sim_time now) {
    if (tx >= cc->ntx || cc->tx[tx].state != SLOT_OPEN)
        return;
    end_aborted(cc, &cc->tx[tx], why, now, true);
}

txn_abort_reason txn_cc_reason(const txn_cc *cc, uint32_t tx) {
    return tx < cc->ntx ? (txn_abort_reason)cc->tx[tx].reason : TXN_ABORT_NONE;
}

static txn_cc_status aborted(txn_cc *cc, cc_tx *t, txn_abort_reason why, sim_time now) {
    end_aborted(cc, t, why, now, true);
    return TXN_CC_ABORTED;
}

/* Maps a lock manager answer to a statement's: DONE means go on. */
static txn_cc_status lock_answer(txn_cc *cc, cc_tx *t, txn_lock_status st, sim_time now) {
    switch (st) {
    case TXN_LOCK_GRANTED:
        return TXN_CC_DONE;
    case TXN_LOCK_WAIT:
        return TXN_CC_BLOCKED;
    case TXN_LOCK_DEADLOCK:
        cc->deadlocks++;
        return aborted(cc, t, TXN_ABORT_DEADLOCK, now);
    default:
        return aborted(cc, t, TXN_ABORT_CRASH, now); /* out of memory */
    }
}

/* The snapshot a read of t's statement uses; TXN_STAMP_UNCOMMITTED: the newest version. */
static uint64_t read_snap(const txn_cc *cc, const cc_tx *t) {
    if (!is_mvcc(cc))
        return TXN_STAMP_UNCOMMITTED; /* locks decide what may be read: read the head */
    if (cc->c.isolation == TXN_READ_COMMITTED)
        return cc->mv.clock; /* a snapshot per statement */
    return t->snap;
}

/* SSI: t read key at snap past the versions newer than what it saw: edges t -rw-> writer. */
static bool ssi_read_edges(txn_cc *cc, cc_tx *t, uint64_t key, uint64_t snap) {
    uint32_t self = (uint32_t)(t - cc->tx);
    bool bad = false;
    for (uint32_t i = txn_mvcc_head(&cc->mv, key); i != TXN_VNONE; i = cc->mv.v[i].next) {
        const txn_version *v = &cc->mv.v[i];
        if (v->stamp == TXN_STAMP_UNCOMMITTED ? v->writer == self : v->stamp <= snap)
            break;
        bad |= txn_ssi_edge(&cc->ssi, t->sx, v->sx);
    }
    return bad;
}

static void note_read(cc_tx *t, uint64_t key, int64_t value) {
    for (uint32_t i = 0; i < t->nr; i++)
        if (t->r[i].key == key) {
            t->r[i].value = value;
            return;
        }
    if (txn_grow((void **)&t->r, &t->capr, t->nr, sizeof *t->r))
        t->r[t->nr++] = (cc_read){key, value};
}

static txn_cc_status do_read(txn_cc *cc, cc_tx *t, const txn_stmt *s, txn_result *out,
                             sim_time now) {
    uint32_t self = (uint32_t)(t - cc->tx);
    txn_isolation iso = cc->c.isolation;
    if (!is_mvcc(cc) && iso != TXN_READ_UNCOMMITTED) {
        txn_cc_status st = lock_answer(
            cc, t, txn_locks_acquire(&cc->lm, self, s->key, TXN_LOCK_S, iso >= TXN_REPEATABLE_READ),
            now);
        if (st != TXN_CC_DONE)
            return st;
    }
    uint64_t snap = read_snap(cc, t);
    txn_version v = txn_mvcc_visible(&cc->mv, s->key, self, snap);
    if (is_ssi(cc)) {
        if (txn_ssi_read(&cc->ssi, t->sx, s->key) != 0 || ssi_read_edges(cc, t, s->key, snap))
            return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    }
    txn_locks_release_short(&cc->lm, self);
    flush_wakes(cc);
    note_read(t, s->key, v.value);
    trace_ev(cc, t,
             (txn_event){.kind = TXN_EV_READ,
                         .present = v.present,
                         .key = s->key,
                         .wid = v.wid,
                         .value = v.value});
    *out = (txn_result){.wid = v.wid, .value = v.value, .present = v.present};
    return TXN_CC_DONE;
}

static txn_cc_status do_write(txn_cc *cc, cc_tx *t, unsigned index, const txn_stmt *s,
                              txn_result *out, sim_time now) {
    uint32_t self = (uint32_t)(t - cc->tx);
    txn_cc_status st;
    if (!is_mvcc(cc) && cc->c.isolation == TXN_SERIALIZABLE) {
        st = lock_answer(cc, t, txn_locks_check_range(&cc->lm, self, s->key), now);
        if (st != TXN_CC_DONE)
            return st;
    }
    st = lock_answer(cc, t, txn_locks_acquire(&cc->lm, self, s->key, TXN_LOCK_X, true), now);
    if (st != TXN_CC_DONE)
        return st;
    bool own = txn_mvcc_own(&cc->mv, s->key, self);
    txn_version base;
    if (own) {
        base = txn_mvcc_visible(&cc->mv, s->key, self, 0);
    } else {
        /* We hold the X lock: the newest committed version is the newest there is.
         * PostgreSQL's repeatable read and serializable abort when it is newer than the
         * snapshot (first updater wins); read committed and InnoDB write on it. */
        base = txn_mvcc_newest_committed(&cc->mv, s->key);
        if (first_updater_wins(cc) && base.stamp > t->snap)
            return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    }
    int64_t value = s->value;
    if (s->kind == TXN_INCREMENT) {
        value = base.value + s->value;
        trace_ev(cc, t,
                 (txn_event){.kind = TXN_EV_READ,
                             .present = base.present,
                             .key = s->key,
                             .wid = base.wid,
                             .value = base.value});
    } else if (s->flags & TXN_FROM_READ) {
        /* The client-side read-modify-write: what this transaction last read of key (the
         * value it would read now, if it did not read it). */
        int64_t seen = txn_mvcc_visible(&cc->mv, s->key, self, read_snap(cc, t)).value;
        for (uint32_t i = 0; i < t->nr; i++)
            if (t->r[i].key == s->key)
                seen = t->r[i].value;
        value = seen + s->value;
    }
    if (cc->c.has_min && value < cc->c.min_value)
        return aborted(cc, t, TXN_ABORT_CONSTRAINT, now);
    if (is_ssi(cc) && txn_ssi_write(&cc->ssi, t->sx, s->key))
        return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    if (!txn_grow((void **)&t->w, &t->capw, t->nw, sizeof *t->w))
        return aborted(cc, t, TXN_ABORT_CRASH, now);
    uint64_t wid = txn_write_id(t->id, index);
    txn_version prev = own ? base : (txn_version){0};
    t->w[t->nw++] = (cc_wlog){.key = s->key,
                              .wid = wid,
                              .prev_wid = prev.wid,
                              .value = value,
                              .prev_value = prev.value,
                              .present = true,
                              .prev_present = prev.present,
                              .first = !own};
    if (txn_mvcc_write(&cc->mv, s->key, self, t->trace, t->sx, wid, value, true) != 0) {
        t->nw--;
        return aborted(cc, t, TXN_ABORT_CRASH, now);
    }
    trace_ev(cc, t,
             (txn_event){
                 .kind = TXN_EV_WRITE, .present = true, .key = s->key, .wid = wid, .value = value});
    /* An increment's read, for the client's history (txn.h: txn_result.prior). */
    *out = (txn_result){.wid = wid,
                        .value = value,
                        .present = true,
                        .prior = s->kind == TXN_INCREMENT ? base.wid : 0};
    return TXN_CC_DONE;
}

/* Does a range read under locking have to lock key: a row there now, or being written? */
static bool row_exists_or_busy(const txn_cc *cc, uint32_t self, uint64_t key) {
    uint32_t h = txn_mvcc_head(&cc->mv, key);
    if (h == TXN_VNONE)
        return txn_mvcc_base(&cc->mv, key).present;
    const txn_version *v = &cc->mv.v[h];
    if (v->stamp == TXN_STAMP_UNCOMMITTED && v->writer != self)
        return true;
    return v->present || txn_mvcc_newest_committed(&cc->mv, key).present;
}

static txn_cc_status do_range(txn_cc *cc, cc_tx *t, const txn_stmt *s, txn_result *out,
                              sim_time now) {
    uint32_t self = (uint32_t)(t - cc->tx);
    txn_isolation iso = cc->c.isolation;
    uint64_t lo = s->key, hi = s->key_end;
    bool locking = !is_mvcc(cc);
    if (locking && iso == TXN_SERIALIZABLE && txn_locks_add_range(&cc->lm, self, lo, hi) != 0)
        return aborted(cc, t, TXN_ABORT_CRASH, now);
    uint64_t snap = read_snap(cc, t);
    if (is_ssi(cc) && txn_ssi_read_range(&cc->ssi, t->sx, lo, hi) != 0)
        return aborted(cc, t, TXN_ABORT_CRASH, now);
    t->nrows = 0;
    uint64_t n = 0;
    int64_t sum = 0;
    bool bad = false;
    /* Cost: the width of the range (keys are looked up one by one in the hash maps). */
    for (uint64_t k = lo; k < hi; k++) {
        if (locking && iso != TXN_READ_UNCOMMITTED && row_exists_or_busy(cc, self, k)) {
            txn_cc_status st = lock_answer(
                cc, t, txn_locks_acquire(&cc->lm, self, k, TXN_LOCK_S, iso >= TXN_REPEATABLE_READ),
                now);
            if (st == TXN_CC_BLOCKED)
                flush_wakes(cc); /* rows read before and let go (read committed) */
            if (st != TXN_CC_DONE)
                return st; /* the scan starts again when it may go on */
        }
        txn_version v = txn_mvcc_visible(&cc->mv, k, self, snap);
        /* Read committed under locking lets each row go once read, as SQL Server does: a
         * scan waiting further on holds no lock on the rows behind it. */
        if (locking && iso == TXN_READ_COMMITTED)
            txn_locks_release_short(&cc->lm, self);
        if (is_ssi(cc))
            bad |= ssi_read_edges(cc, t, k, snap);
        if (!v.present)
            continue;
        n++;
        sum += v.value;
        if (!txn_grow((void **)&t->rows, &t->caprows, t->nrows, sizeof *t->rows))
            return aborted(cc, t, TXN_ABORT_CRASH, now);
        t->rows[t->nrows++] = (txn_event){.kind = TXN_EV_READ,
                                          .present = true,
                                          .in_range = true,
                                          .key = k,
                                          .wid = v.wid,
                                          .value = v.value};
    }
    if (bad)
        return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    txn_locks_release_short(&cc->lm, self);
    flush_wakes(cc);
    trace_ev(cc, t, (txn_event){.kind = TXN_EV_RANGE, .key = lo, .key_end = hi, .value = sum});
    for (uint32_t i = 0; i < t->nrows; i++)
        trace_ev(cc, t, t->rows[i]);
    *out = (txn_result){.wid = n, .value = sum, .present = n > 0};
    return TXN_CC_DONE;
}

static txn_cc_status do_rollback_to(txn_cc *cc, cc_tx *t, const txn_stmt *s, sim_time now) {
    uint32_t self = (uint32_t)(t - cc->tx);
    uint32_t at = t->nsp;
    while (at > 0 && t->sp[at - 1].number != s->number)
        at--;
    if (at == 0) /* PostgreSQL: "savepoint does not exist", and the transaction is aborted */
        return aborted(cc, t, TXN_ABORT_USER, now);
    uint32_t keep = t->sp[at - 1].nw;
    for (uint32_t i = t->nw; i-- > keep;) {
        cc_wlog *e = &t->w[i];
        if (e->first)
            txn_mvcc_drop_own(&cc->mv, e->key, self);
        else
            (void)txn_mvcc_write(&cc->mv, e->key, self, t->trace, t->sx, e->prev_wid, e->prev_value,
                                 e->prev_present); /* replaces in place */
        trace_ev(
            cc, t,
            (txn_event){.kind = TXN_EV_UNDO, .key = e->key, .wid = e->first ? 0 : e->prev_wid});
    }
    t->nw = keep;
    t->nsp = at; /* the savepoint stays; later ones go (SQL) */
    return TXN_CC_DONE;
}

txn_cc_status txn_cc_exec(txn_cc *cc, uint32_t tx, unsigned index, const txn_stmt *s,
                          txn_result *out, sim_time now) {
    if (tx >= cc->ntx || cc->tx[tx].state != SLOT_OPEN)
        return TXN_CC_ABORTED;
    cc_tx *t = &cc->tx[tx];
    if (t->sx && txn_ssi_doomed(&cc->ssi, t->sx))
        return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    if (is_mvcc(cc) && cc->c.isolation >= TXN_REPEATABLE_READ && !t->has_snap) {
        /* The transaction's snapshot, at its first statement (PostgreSQL, and InnoDB's read
         * view at the first consistent read). */
        t->snap = cc->mv.clock;
        t->has_snap = true;
        t->snap_prev = cc->snap_tail;
        t->snap_next = NONE;
        if (cc->snap_tail != NONE)
            cc->tx[cc->snap_tail].snap_next = tx;
        else
            cc->snap_head = tx;
        cc->snap_tail = tx;
        if (is_ssi(cc) && (t->sx = txn_ssi_begin(&cc->ssi, t->snap)) == 0)
            return aborted(cc, t, TXN_ABORT_CRASH, now);
    }
    txn_result dummy;
    if (!out)
        out = &dummy;
    switch (s->kind) {
    case TXN_READ:
        return do_read(cc, t, s, out, now);
    case TXN_WRITE:
    case TXN_INCREMENT:
        return do_write(cc, t, index, s, out, now);
    case TXN_RANGE:
        return do_range(cc, t, s, out, now);
    case TXN_SAVEPOINT:
        if (!txn_grow((void **)&t->sp, &t->capsp, t->nsp, sizeof *t->sp))
            return aborted(cc, t, TXN_ABORT_CRASH, now);
        t->sp[t->nsp++] = (cc_savepoint){s->number, t->nw};
        *out = (txn_result){0};
        return TXN_CC_DONE;
    case TXN_ROLLBACK_TO:
        *out = (txn_result){0};
        return do_rollback_to(cc, t, s, now);
    case TXN_ABORT:
        return aborted(cc, t, TXN_ABORT_USER, now);
    default:
        return aborted(cc, t, TXN_ABORT_USER, now);
    }
}

txn_cc_status txn_cc_commit(txn_cc *cc, uint32_t tx, sim_time now) {
    if (tx >= cc->ntx || cc->tx[tx].state != SLOT_OPEN)
        return TXN_CC_ABORTED;
    cc_tx *t = &cc->tx[tx];
    if (t->sx && !txn_ssi_commit(&cc->ssi, t->sx, cc->mv.clock + 1))
        return aborted(cc, t, TXN_ABORT_SERIALIZATION, now);
    uint64_t stamp = ++cc->mv.clock;
    snap_unlink(cc, t);
    uint64_t h = horizon(cc);
    for (uint32_t i = 0; i < t->nw; i++) {
        if (!t->w[i].first)
            continue;
        txn_mvcc_commit_own(&cc->mv, t->w[i].key, tx, stamp);
        if (cc->durable < stamp &&
            txn_grow((void **)&cc->pending, &cc->cappending, cc->npending, sizeof *cc->pending))
            cc->pending[cc->npending++] = t->w[i].key;
        txn_mvcc_gc_key(&cc->mv, t->w[i].key, h);
    }
    t->nw = 0;
    if (cc->trace && t->trace != NONE)
        txn_trace_commit(cc->trace, t->trace, now);
    t->sx = 0; /* the SSI record lives on while it overlaps open transactions */
    finish(cc, t, true);
    return TXN_CC_DONE;
}

size_t txn_cc_writes(const txn_cc *cc, uint32_t tx, const txn_write **out) {
    if (tx >= cc->ntx) {
        *out = NULL;
        return 0;
    }
    cc_tx *t = &((txn_cc *)cc)->tx[tx];
    if (!txn_grow((void **)&t->out, &t->capout, t->nw, sizeof *t->out)) {
        *out = NULL;
        return 0;
    }
    size_t n = 0;
    for (uint32_t i = 0; i < t->nw; i++) {
        if (!t->w[i].first)
            continue;
        txn_version v = txn_mvcc_visible(&cc->mv, t->w[i].key, tx, 0);
        t->out[n++] = (txn_write){.key = t->w[i].key, .wid = v.wid, .value = v.value};
    }
    *out = t->out;
    return n;
}

bool txn_cc_get(const txn_cc *cc, uint64_t key, txn_write *out) {
    txn_version v = txn_mvcc_newest_committed(&cc->mv, key);
    if (out)
        *out = (txn_write){.key = key, .wid = v.wid, .value = v.value};
    return v.present;
}

int txn_cc_apply(txn_cc *cc, uint64_t id, const txn_write *w, size_t n, sim_time now) {
    (void)id;
    (void)now;
    uint64_t stamp = ++cc->mv.clock;
    uint64_t h = horizon(cc);
    for (size_t i = 0; i < n; i++) {
        if (txn_mvcc_install(&cc->mv, w[i].key, w[i].wid, w[i].value, true, stamp) != 0)
            return -1;
        if (txn_grow((void **)&cc->pending, &cc->cappending, cc->npending, sizeof *cc->pending))
            cc->pending[cc->npending++] = w[i].key;
        txn_mvcc_gc_key(&cc->mv, w[i].key, h);
    }
    return 0;
}

void txn_cc_durable(txn_cc *cc) {
    cc->durable = cc->mv.clock;
    uint64_t h = horizon(cc);
    for (uint32_t i = 0; i < cc->npending; i++)
        txn_mvcc_gc_key(&cc->mv, cc->pending[i], h);
    cc->npending = 0;
}

static void mark_lost(void *ctx, uint32_t trace) {
    txn_cc *cc = ctx;
    if (cc->trace)
        txn_trace_lost(cc->trace, trace);
}

void txn_cc_crash(txn_cc *cc, bool keep_committed, sim_time now) {
    for (uint32_t i = 0; i < cc->ntx; i++)
        if (cc->tx[i].state == SLOT_OPEN)
            end_aborted(cc, &cc->tx[i], TXN_ABORT_CRASH, now, false);
    txn_locks_clear(&cc->lm);
    if (!keep_committed)
        for (uint32_t i = 0; i < cc->npending; i++)
            txn_mvcc_undo_after(&cc->mv, cc->pending[i], cc->durable, mark_lost, cc);
    txn_cc_durable(cc);
    txn_ssi_cleanup(&cc->ssi, UINT64_MAX);
}

void txn_cc_reset(txn_cc *cc) {
    txn_mvcc_reset(&cc->mv);
    cc->npending = 0;
    cc->durable = cc->mv.clock;
}

txn_cc_stats txn_cc_stats_of(const txn_cc *cc) {
    return (txn_cc_stats){.lock_requests = cc->lm.requests,
                          .lock_waits = cc->lm.waits,
                          .deadlocks = cc->lm.deadlocks,
                          .versions_live = cc->mv.live,
                          .versions_peak = cc->mv.peak,
                          .ssi_records = txn_ssi_live(&cc->ssi)};
}
