/* Unit tests of the concurrency control (txn/cc.h) and its parts: the lock manager's grants,
 * FIFO order, upgrades and deadlock victims (txn/locks.h), waits withdrawn on abort,
 * savepoints, the min_value constraint, crashes undoing commits that were not durable, the
 * trace, garbage collection keeping memory bounded, and the refused combination. The
 * isolation table itself is tests/test_isolation.c. */
#include "cc.h"
#include "locks.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct wakes {
    uint32_t tx[16];
    int n;
} wakes;

static void on_wake(void *ctx, uint32_t tx) {
    wakes *w = ctx;
    cr_assert_lt(w->n, 16);
    w->tx[w->n++] = tx;
}

static txn_cc *make(txn_isolation iso, txn_concurrency c, txn_trace *tr, wakes *w) {
    txn_cc_config cfg = {.isolation = iso, .concurrency = c, .rows = 10, .initial_value = 100};
    txn_cc *cc = txn_cc_new(&cfg, tr, (txn_cc_hooks){.wake = on_wake}, w);
    cr_assert_not_null(cc);
    return cc;
}

static txn_cc_status rd(txn_cc *cc, uint32_t tx, uint64_t key, txn_result *r) {
    txn_stmt s = {.kind = TXN_READ, .key = key};
    return txn_cc_exec(cc, tx, 0, &s, r, 0);
}

static txn_cc_status wr(txn_cc *cc, uint32_t tx, unsigned i, uint64_t key, int64_t v) {
    txn_stmt s = {.kind = TXN_WRITE, .key = key, .value = v};
    txn_result r;
    return txn_cc_exec(cc, tx, i, &s, &r, 0);
}

Test(locks, shared_locks_share_exclusive_waits_fifo) {
    txn_locks lm;
    txn_locks_init(&lm);
    cr_assert_eq(txn_locks_reserve(&lm, 4), 0);
    cr_assert_eq(txn_locks_acquire(&lm, 0, 7, TXN_LOCK_S, true), TXN_LOCK_GRANTED);
    cr_assert_eq(txn_locks_acquire(&lm, 1, 7, TXN_LOCK_S, true), TXN_LOCK_GRANTED);
    cr_assert_eq(txn_locks_acquire(&lm, 2, 7, TXN_LOCK_X, true), TXN_LOCK_WAIT);
    /* FIFO: a later S request does not overtake the waiting X. */
    cr_assert_eq(txn_locks_acquire(&lm, 3, 7, TXN_LOCK_S, true), TXN_LOCK_WAIT);
    txn_locks_release_all(&lm, 0);
    cr_assert_eq(lm.nwoken, 0);
    txn_locks_release_all(&lm, 1);
    cr_assert_eq(lm.nwoken, 1);
    cr_assert_eq(lm.woken[0], 2);
    lm.nwoken = 0;
    txn_locks_release_all(&lm, 2);
    cr_assert_eq(lm.nwoken, 1);
    cr_assert_eq(lm.woken[0], 3);
    cr_assert_eq(lm.requests, 4);
    cr_assert_eq(lm.waits, 2);
    txn_locks_free(&lm);
}

Test(locks, sole_holder_upgrades_and_two_upgraders_deadlock) {
    txn_locks lm;
    txn_locks_init(&lm);
    cr_assert_eq(txn_locks_reserve(&lm, 3), 0);
    cr_assert_eq(txn_locks_acquire(&lm, 0, 1, TXN_LOCK_S, true), TXN_LOCK_GRANTED);
    cr_assert_eq(txn_locks_acquire(&lm, 0, 1, TXN_LOCK_X, true), TXN_LOCK_GRANTED);
    txn_locks_release_all(&lm, 0);
    cr_assert_eq(txn_locks_acquire(&lm, 0, 1, TXN_LOCK_S, true), TXN_LOCK_GRANTED);
    cr_assert_eq(txn_locks_acquire(&lm, 1, 1, TXN_LOCK_S, true), TXN_LOCK_GRANTED);
    cr_assert_eq(txn_locks_acquire(&lm, 2, 1, TXN_LOCK_X, true), TXN_LOCK_WAIT);
    /* The upgrade goes ahead of the waiting X... */
    cr_assert_eq(txn_locks_acquire(&lm, 0, 1, TXN_LOCK_X, true), TXN_LOCK_WAIT);
    /* ... and the second upgrader closes the cycle: it is the victim. */
    cr_assert_eq(txn_locks_acquire(&lm, 1, 1, TXN_LOCK_X, true), TXN_LOCK_DEADLOCK);
    txn_locks_release_all(&lm, 1);
    cr_assert_eq(lm.nwoken, 1);
    cr_assert_eq(lm.woken[0], 0);
    cr_assert_eq(lm.deadlocks, 1);
    txn_locks_free(&lm);
}

Test(cc, two_cycle_victim_is_the_requester) {
    wakes w = {0};
    txn_cc *cc = make(TXN_SERIALIZABLE, TXN_LOCKING, NULL, &w);
    uint32_t a = txn_cc_begin(cc, 1, 0, 0), b = txn_cc_begin(cc, 2, 0, 0);
    cr_assert_eq(wr(cc, a, 0, 1, 5), TXN_CC_DONE);
    cr_assert_eq(wr(cc, b, 0, 2, 5), TXN_CC_DONE);
    cr_assert_eq(wr(cc, a, 1, 2, 6), TXN_CC_BLOCKED);
    cr_assert_eq(wr(cc, b, 1, 1, 6), TXN_CC_ABORTED);
    cr_assert_eq(txn_cc_reason(cc, b), TXN_ABORT_DEADLOCK);
    cr_assert_eq(w.n, 1);
    cr_assert_eq(w.tx[0], a);
    cr_assert_eq(wr(cc, a, 1, 2, 6), TXN_CC_DONE);
    cr_assert_eq(txn_cc_commit(cc, a, 0), TXN_CC_DONE);
    cr_assert_eq(txn_cc_stats_of(cc).deadlocks, 1);
    txn_cc_free(cc);
}

Test(cc, three_cycle_victim_is_the_requester) {
    wakes w = {0};
    txn_cc *cc = make(TXN_READ_COMMITTED, TXN_MVCC, NULL, &w);
    uint32_t t[3];
    for (int i = 0; i < 3; i++) {
        t[i] = txn_cc_begin(cc, (uint64_t)i + 1, 0, 0);
        cr_assert_eq(wr(cc, t[i], 0, (uint64_t)i, 1), TXN_CC_DONE);
    }
    cr_assert_eq(wr(cc, t[0], 1, 1, 2), TXN_CC_BLOCKED);
    cr_assert_eq(wr(cc, t[1], 1, 2, 2), TXN_CC_BLOCKED);
    cr_assert_eq(wr(cc, t[2], 1, 0, 2), TXN_CC_ABORTED);
    cr_assert_eq(txn_cc_reason(cc, t[2]), TXN_ABORT_DEADLOCK);
    cr_assert_eq(w.n, 1);
    cr_assert_eq(w.tx[0], t[1]);
    txn_cc_free(cc);
}

Test(cc, abort_withdraws_a_wait_and_wakes_the_next) {
    wakes w = {0};
    txn_cc *cc = make(TXN_READ_COMMITTED, TXN_LOCKING, NULL, &w);
    uint32_t a = txn_cc_begin(cc, 1, 0, 0), b = txn_cc_begin(cc, 2, 0, 0),
             c = txn_cc_begin(cc, 3, 0, 0);
    cr_assert_eq(wr(cc, a, 0, 4, 1), TXN_CC_DONE);
    cr_assert_eq(wr(cc, b, 0, 4, 2), TXN_CC_BLOCKED);
    cr_assert_eq(wr(cc, c, 0, 4, 3), TXN_CC_BLOCKED);
    txn_cc_abort(cc, b, TXN_ABORT_LOCK_TIMEOUT, 0); /* b's wait goes, no one is woken */
    cr_assert_eq(w.n, 0);
    cr_assert_eq(txn_cc_reason(cc, b), TXN_ABORT_LOCK_TIMEOUT);
    cr_assert_eq(txn_cc_commit(cc, a, 0), TXN_CC_DONE);
    cr_assert_eq(w.n, 1);
    cr_assert_eq(w.tx[0], c);
    cr_assert_eq(wr(cc, c, 0, 4, 3), TXN_CC_DONE);
    cr_assert_eq(txn_cc_commit(cc, c, 0), TXN_CC_DONE);
    txn_write got;
    cr_assert(txn_cc_get(cc, 4, &got));
    cr_assert_eq(got.value, 3);
    cr_assert_eq(got.wid, txn_write_id(3, 0));
    txn_cc_free(cc);
}

Test(cc, rollback_to_savepoint_undoes_later_writes) {
    txn_trace tr;
    txn_trace_init(&tr, 10, 100);
    txn_cc *cc = make(TXN_REPEATABLE_READ, TXN_MVCC, &tr, NULL);
    uint32_t a = txn_cc_begin(cc, 1, 0, 0);
    txn_stmt sp = {.kind = TXN_SAVEPOINT, .number = 7}, back = {.kind = TXN_ROLLBACK_TO,
                                                                  .number = 7};
    txn_result r;
    cr_assert_eq(wr(cc, a, 0, 1, 11), TXN_CC_DONE);
    cr_assert_eq(txn_cc_exec(cc, a, 1, &sp, &r, 0), TXN_CC_DONE);
    cr_assert_eq(wr(cc, a, 2, 1, 12), TXN_CC_DONE);
    cr_assert_eq(wr(cc, a, 3, 2, 22), TXN_CC_DONE);
    const txn_write *ws;
    cr_assert_eq(txn_cc_writes(cc, a, &ws), 2);
    cr_assert_eq(txn_cc_exec(cc, a, 4, &back, &r, 0), TXN_CC_DONE);
    cr_assert_eq(txn_cc_writes(cc, a, &ws), 1);
    cr_assert_eq(ws[0].key, 1);
    cr_assert_eq(ws[0].value, 11);
    cr_assert_eq(ws[0].wid, txn_write_id(1, 0));
    cr_assert_eq(rd(cc, a, 2, &r), TXN_CC_DONE);
    cr_assert_eq(r.value, 100);
    cr_assert_eq(txn_cc_commit(cc, a, 0), TXN_CC_DONE);
    txn_write got;
    cr_assert(txn_cc_get(cc, 1, &got));
    cr_assert_eq(got.value, 11);
    cr_assert(txn_cc_get(cc, 2, &got));
    cr_assert_eq(got.wid, 0);
    size_t undo = 0;
    for (size_t i = 0; i < tr.nevents; i++)
        undo += tr.events[i].kind == TXN_EV_UNDO;
    cr_assert_eq(undo, 2);
    /* A rollback to an unknown savepoint aborts (PostgreSQL's error ends the transaction). */
    uint32_t b = txn_cc_begin(cc, 2, 0, 0);
    back.number = 99;
    cr_assert_eq(txn_cc_exec(cc, b, 0, &back, &r, 0), TXN_CC_ABORTED);
    txn_cc_free(cc);
    txn_trace_free(&tr);
}

Test(cc, min_value_constraint_aborts_the_writer) {
    txn_cc_config cfg = {.isolation = TXN_SERIALIZABLE, .concurrency = TXN_LOCKING, .rows = 2,
                         .initial_value = 5, .has_min = true, .min_value = 0};
    txn_cc *cc = txn_cc_new(&cfg, NULL, (txn_cc_hooks){0}, NULL);
    uint32_t a = txn_cc_begin(cc, 1, 0, 0);
    txn_stmt dec = {.kind = TXN_INCREMENT, .key = 0, .value = -5};
    txn_result r;
    cr_assert_eq(txn_cc_exec(cc, a, 0, &dec, &r, 0), TXN_CC_DONE);
    cr_assert_eq(r.value, 0);
    dec.value = -1;
    cr_assert_eq(txn_cc_exec(cc, a, 1, &dec, &r, 0), TXN_CC_ABORTED);
    cr_assert_eq(txn_cc_reason(cc, a), TXN_ABORT_CONSTRAINT);
    txn_write got;
    cr_assert(txn_cc_get(cc, 0, &got));
    cr_assert_eq(got.value, 5); /* all or nothing: the first decrement went too */
    txn_cc_free(cc);
}

Test(cc, crash_undoes_commits_not_durable) {
    txn_trace tr;
    txn_trace_init(&tr, 10, 100);
    txn_cc *cc = make(TXN_READ_COMMITTED, TXN_MVCC, &tr, NULL);
    uint32_t a = txn_cc_begin(cc, 1, 0, 0);
    cr_assert_eq(wr(cc, a, 0, 1, 1), TXN_CC_DONE);
    cr_assert_eq(txn_cc_commit(cc, a, 0), TXN_CC_DONE);
    txn_cc_durable(cc);
    uint32_t b = txn_cc_begin(cc, 2, 0, 0);
    cr_assert_eq(wr(cc, b, 0, 1, 2), TXN_CC_DONE);
    cr_assert_eq(wr(cc, b, 1, 3, 2), TXN_CC_DONE);
    cr_assert_eq(txn_cc_commit(cc, b, 0), TXN_CC_DONE);
    uint32_t c = txn_cc_begin(cc, 3, 0, 0);
    cr_assert_eq(wr(cc, c, 0, 5, 3), TXN_CC_DONE);
    txn_cc_crash(cc, false, 10);
    txn_write got;
    cr_assert(txn_cc_get(cc, 1, &got));
    cr_assert_eq(got.value, 1);
    cr_assert(txn_cc_get(cc, 3, &got));
    cr_assert_eq(got.value, 100);
    cr_assert(txn_cc_get(cc, 5, &got));
    cr_assert_eq(got.wid, 0);
    cr_assert_eq(tr.txns[0].status, TXN_COMMITTED);
    cr_assert_eq(tr.txns[1].status, TXN_LOST);
    cr_assert_eq(tr.txns[2].status, TXN_ABORTED);
    cr_assert_eq(tr.txns[2].reason, TXN_ABORT_CRASH);
    cr_assert_eq(txn_trace_writer(&tr, txn_write_id(2, 1)), 1);
    cr_assert_eq(txn_cc_exec(cc, c, 1, &(txn_stmt){.kind = TXN_READ}, &(txn_result){0}, 0),
                 TXN_CC_ABORTED);
    /* With keep_committed, commits survive; reset returns the initial rows. */
    uint32_t d = txn_cc_begin(cc, 4, 0, 0);
    cr_assert_eq(wr(cc, d, 0, 6, 4), TXN_CC_DONE);
    cr_assert_eq(txn_cc_commit(cc, d, 0), TXN_CC_DONE);
    txn_cc_crash(cc, true, 11);
    cr_assert(txn_cc_get(cc, 6, &got));
    cr_assert_eq(got.value, 4);
    txn_cc_reset(cc);
    cr_assert(txn_cc_get(cc, 6, &got));
    cr_assert_eq(got.value, 100);
    cr_assert_not(txn_cc_get(cc, 10, &got));
    txn_cc_free(cc);
    txn_trace_free(&tr);
}

Test(cc, trace_records_reads_writes_and_ends) {
    txn_trace tr;
    txn_trace_init(&tr, 10, 100);
    txn_cc *cc = make(TXN_READ_UNCOMMITTED, TXN_LOCKING, &tr, NULL);
    uint32_t a = txn_cc_begin(cc, 5, 9, 3), b = txn_cc_begin(cc, 6, 9, 3);
    txn_result r;
    cr_assert_eq(wr(cc, a, 0, 2, 50), TXN_CC_DONE);
    cr_assert_eq(rd(cc, b, 2, &r), TXN_CC_DONE); /* a dirty read */
    cr_assert_eq(r.wid, txn_write_id(5, 0));
    txn_cc_abort(cc, a, TXN_ABORT_USER, 4);
    txn_stmt g = {.kind = TXN_RANGE, .key = 8, .key_end = 12};
    cr_assert_eq(txn_cc_exec(cc, b, 1, &g, &r, 0), TXN_CC_DONE);
    cr_assert_eq(r.wid, 2);
    cr_assert_eq(r.value, 200);
    cr_assert_eq(txn_cc_commit(cc, b, 5), TXN_CC_DONE);
    cr_assert_eq(tr.ntxns, 2);
    cr_assert_eq(tr.txns[0].status, TXN_ABORTED);
    cr_assert_eq(tr.txns[0].reason, TXN_ABORT_USER);
    cr_assert_eq(tr.txns[1].commit_seq, 1);
    cr_assert(tr.txns[1].read_only);
    cr_assert_eq(tr.nevents, 5); /* write, read, range, two rows */
    cr_assert_eq(tr.events[1].wid, txn_write_id(5, 0));
    cr_assert_eq(tr.events[2].kind, TXN_EV_RANGE);
    cr_assert(tr.events[3].in_range && tr.events[4].in_range);
    txn_cc_free(cc);
    txn_trace_free(&tr);
}

/* Memory follows keys and open snapshots, not history: 100,000 transactions incrementing 16
 * keys, with a long repeatable-read reader open for the first half, keep at most a few
 * versions per key afterwards. */
Test(cc, gc_keeps_versions_bounded) {
    for (int ser = 0; ser < 2; ser++) {
        txn_cc *cc = make(ser ? TXN_SERIALIZABLE : TXN_REPEATABLE_READ, TXN_MVCC, NULL, NULL);
        uint32_t old = txn_cc_begin(cc, 1, 0, 0);
        txn_result r;
        cr_assert_eq(rd(cc, old, 3, &r), TXN_CC_DONE);
        uint64_t peak_with_reader = 0;
        for (uint64_t i = 0; i < 100000; i++) {
            uint32_t t = txn_cc_begin(cc, i + 2, 0, 0);
            txn_stmt inc = {.kind = TXN_INCREMENT, .key = i % 16, .value = 1};
            cr_assert_eq(txn_cc_exec(cc, t, 0, &inc, &r, 0), TXN_CC_DONE);
            cr_assert_eq(txn_cc_commit(cc, t, 0), TXN_CC_DONE);
            txn_cc_durable(cc);
            if (i == 1000) { /* the old reader still sees its snapshot */
                cr_assert_eq(rd(cc, old, 3, &r), TXN_CC_DONE);
                cr_assert_eq(r.value, 100);
                peak_with_reader = txn_cc_stats_of(cc).versions_live;
            }
            if (i == 50000)
                cr_assert_eq(txn_cc_commit(cc, old, 0), TXN_CC_DONE);
        }
        txn_cc_stats st = txn_cc_stats_of(cc);
        cr_assert_gt(peak_with_reader, 1000); /* the reader pinned the history... */
        cr_assert_leq(st.versions_live, 16);  /* ... and once it ended, one per key */
        txn_write got;
        cr_assert(txn_cc_get(cc, 3, &got));
        cr_assert_eq(got.value, 100 + 100000 / 16);
        txn_cc_free(cc);
    }
}

Test(cc, mvcc_refuses_read_uncommitted) {
    cr_assert_not_null(txn_cc_refuses(TXN_READ_UNCOMMITTED, TXN_MVCC));
    for (int i = TXN_READ_COMMITTED; i < TXN_ISOLATIONS; i++)
        cr_assert_null(txn_cc_refuses((txn_isolation)i, TXN_MVCC));
    for (int i = 0; i < TXN_ISOLATIONS; i++)
        cr_assert_null(txn_cc_refuses((txn_isolation)i, TXN_LOCKING));
    txn_cc_config cfg = {.isolation = TXN_READ_UNCOMMITTED, .concurrency = TXN_MVCC};
    cr_assert_null(txn_cc_new(&cfg, NULL, (txn_cc_hooks){0}, NULL));
}
