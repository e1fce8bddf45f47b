/* The anomaly analysis (checkers/anomaly_analysis.h) on hand-written traces: every class with
 * a positive case and a near miss, exact counts and example contents; the invariants; and a
 * cross-check of "the checker finds a cycle" against a brute-force serializability test
 * (tests/serial_brute.h) on thousands of random small histories run by a model of read
 * committed and snapshot isolation written here. */
#include "anomalies.h"
#include "anomaly_analysis.h"
#include "cc.h"
#include "serial_brute.h"
#include "support.h"
#include "trace_builder.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Keys of the hand-written histories. */
enum { X = 0, Y = 1 };

static anomaly_report analyze(const txn_trace *t) {
    anomaly_report r;
    cr_assert_eq(anomalies_analyze(t, NULL, 0, &r), 0);
    return r;
}

static uint64_t cycles(const anomaly_report *r) {
    return r->count[ANOMALY_G0] + r->count[ANOMALY_G1C] + r->count[ANOMALY_G_SINGLE] +
           r->count[ANOMALY_G2_ITEM] + r->count[ANOMALY_G2];
}

/* Every count of r is 0 except those listed (class, count pairs, ended by -1). */
static void expect_counts(const anomaly_report *r, ...) {
    uint64_t want[ANOMALY_CLASSES] = {0};
    va_list ap;
    va_start(ap, r);
    for (int c; (c = va_arg(ap, int)) >= 0;)
        want[c] = va_arg(ap, uint64_t);
    va_end(ap);
    for (int c = 0; c < ANOMALY_CLASSES; c++)
        cr_expect_eq(r->count[c], want[c], "%s: %llu, expected %llu", anomaly_class_names[c],
                     (unsigned long long)r->count[c], (unsigned long long)want[c]);
}

static void expect_step(const anomaly_step *s, uint32_t from, uint32_t to, anomaly_edge edge,
                        uint64_t key, uint64_t from_version, uint64_t to_version) {
    cr_expect_eq(s->from, from);
    cr_expect_eq(s->to, to);
    cr_expect_eq(s->edge, edge, "edge %s, expected %s", anomaly_edge_names[s->edge],
                 anomaly_edge_names[edge]);
    cr_expect_eq(s->key, key);
    cr_expect_eq(s->from_version, from_version);
    cr_expect_eq(s->to_version, to_version);
}

/* ---- dirty reads ---- */

Test(anomalies, aborted_read_is_g1a_and_a_committed_writer_is_not) {
    for (int commit = 0; commit < 2; commit++) {
        txn_trace t;
        tb_init(&t, 2, 0);
        uint32_t t1 = tb_begin(&t, 1, 7), t2 = tb_begin(&t, 2, 8);
        uint64_t w = tb_write(&t, t1, 0, X, 5);
        tb_read(&t, t2, X, w, 5);
        tb_read(&t, t2, Y, 0, 0);
        tb_commit(&t, t2);
        if (commit)
            tb_commit(&t, t1);
        else
            tb_abort(&t, t1);
        anomaly_report r = analyze(&t);
        if (commit) {
            expect_counts(&r, -1);
            cr_expect_eq(r.edges[ANOMALY_EDGE_WR], 1);
            cr_expect_eq(r.committed, 2);
        } else {
            expect_counts(&r, ANOMALY_G1A, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G1A];
            cr_expect_eq(x->txn[0], t2);
            cr_expect_eq(x->txn[1], t1);
            cr_expect_eq(x->key[0], X);
            cr_expect_eq(x->version[0], w);
            cr_expect_eq(x->detail, ANOMALY_WRITER_ABORTED);
            cr_expect_eq(r.committed, 1);
            cr_expect_eq(r.aborted, 1);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

Test(anomalies, g1a_counts_reader_writer_pairs_and_says_why) {
    txn_trace t;
    tb_init(&t, 4, 0);
    uint32_t lost = tb_begin(&t, 1, 1), open = tb_begin(&t, 2, 1), r1 = tb_begin(&t, 3, 2);
    uint64_t a = tb_write(&t, lost, 0, X, 1), b = tb_write(&t, lost, 1, Y, 1);
    uint64_t c = tb_write(&t, open, 0, 2, 1);
    tb_read(&t, r1, X, a, 1);
    tb_read(&t, r1, Y, b, 1); /* the same pair again: counted once */
    tb_read(&t, r1, 2, c, 1);
    tb_read(&t, r1, 3, 999, 1); /* a write id nobody made */
    tb_lost(&t, lost);
    tb_commit(&t, r1);
    anomaly_report r = analyze(&t);
    expect_counts(&r, ANOMALY_G1A, 3ull, -1);
    cr_expect_eq(r.example[ANOMALY_G1A].detail, ANOMALY_WRITER_LOST);
    cr_expect_eq(r.example[ANOMALY_G1A].version[0], a);
    cr_expect_eq(r.lost, 1);
    cr_expect_eq(r.open, 1);
    cr_expect_eq(r.committed, 1);
    anomaly_report_free(&r);
    tb_free(&t);
}

Test(anomalies, a_write_rolled_back_to_a_savepoint_is_an_aborted_read_unless_kept) {
    for (int keep = 0; keep < 2; keep++) {
        txn_trace t;
        tb_init(&t, 1, 0);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        uint64_t w0 = tb_write(&t, t1, 0, X, 1);
        tb_write(&t, t1, 2, X, 2);
        /* keep: back to after w0 (only the second write undone); else every write undone */
        tb_undo(&t, t1, X, keep ? w0 : 0);
        tb_read(&t, t2, X, w0, 1);
        tb_commit(&t, t1);
        tb_commit(&t, t2);
        anomaly_report r = analyze(&t);
        if (keep) {
            expect_counts(&r, -1);
            cr_expect_eq(r.edges[ANOMALY_EDGE_WR], 1, "w0 is t1's installed version");
        } else {
            expect_counts(&r, ANOMALY_G1A, 1ull, -1);
            cr_expect_eq(r.example[ANOMALY_G1A].detail, ANOMALY_WRITE_UNDONE);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

Test(anomalies, intermediate_read_is_g1b_and_the_final_version_is_not) {
    for (int final = 0; final < 2; final++) {
        txn_trace t;
        tb_init(&t, 1, 0);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        uint64_t a = tb_write(&t, t1, 0, X, 1);
        uint64_t b = tb_write(&t, t1, 1, X, 2);
        tb_read(&t, t2, X, final ? b : a, final ? 2 : 1);
        tb_commit(&t, t1);
        tb_commit(&t, t2);
        anomaly_report r = analyze(&t);
        if (final) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G1B, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G1B];
            cr_expect_eq(x->txn[0], t2);
            cr_expect_eq(x->txn[1], t1);
            cr_expect_eq(x->version[0], a);
            cr_expect_eq(x->version[1], b);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* ---- cycles ---- */

/* G0 cannot happen in a trace: its version order is the commit order (txn/trace.h), which
 * every ww edge follows. Berenson's dirty-write interleaving gives no cycle. */
Test(anomalies, dirty_write_interleaving_has_no_ww_cycle_under_commit_order) {
    txn_trace t;
    tb_init(&t, 2, 0);
    uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
    tb_write(&t, t1, 0, X, 1);
    tb_write(&t, t2, 0, X, 2);
    tb_write(&t, t2, 1, Y, 2);
    tb_commit(&t, t2);
    tb_write(&t, t1, 1, Y, 1);
    tb_commit(&t, t1);
    anomaly_report r = analyze(&t);
    expect_counts(&r, -1);
    cr_expect_eq(r.edges[ANOMALY_EDGE_WW], 2, "t2 -> t1 on x and on y");
    anomaly_report_free(&r);
    tb_free(&t);
}

/* Circular information flow: t2 reads t1's x before t1 commits, t1 reads t2's y. */
Test(anomalies, circular_information_flow_is_g1c_and_a_stale_read_breaks_it) {
    for (int stale = 0; stale < 2; stale++) {
        txn_trace t;
        tb_init(&t, 2, 0);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        uint64_t wx = tb_write(&t, t1, 0, X, 1);
        tb_read(&t, t2, X, wx, 1);
        uint64_t wy = tb_write(&t, t2, 1, Y, 2);
        tb_commit(&t, t2);
        if (stale)
            tb_read(&t, t1, Y, 0, 0);
        else
            tb_read(&t, t1, Y, wy, 2);
        tb_commit(&t, t1);
        anomaly_report r = analyze(&t);
        if (stale) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G1C, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G1C];
            cr_assert_eq(x->cycle_len, 2);
            expect_step(&x->cycle[0], t1, t2, ANOMALY_EDGE_WR, X, wx, wx);
            expect_step(&x->cycle[1], t2, t1, ANOMALY_EDGE_WR, Y, wy, wy);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* Read skew (A5A): t1 reads x, t2 writes x and y and commits, t1 reads t2's y. */
Test(anomalies, read_skew_is_g_single_and_read_skew_and_a_consistent_snapshot_is_neither) {
    for (int consistent = 0; consistent < 2; consistent++) {
        txn_trace t;
        tb_init(&t, 2, 50);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        tb_read(&t, t1, X, 0, 50);
        uint64_t wx = tb_write(&t, t2, 0, X, 0);
        uint64_t wy = tb_write(&t, t2, 1, Y, 100);
        tb_commit(&t, t2);
        tb_read(&t, t1, Y, consistent ? 0 : wy, consistent ? 50 : 100);
        tb_commit(&t, t1);
        anomaly_report r = analyze(&t);
        if (consistent) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G_SINGLE, 1ull, ANOMALY_READ_SKEW, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G_SINGLE];
            cr_assert_eq(x->cycle_len, 2);
            expect_step(&x->cycle[0], t1, t2, ANOMALY_EDGE_RW, X, 0, wx);
            expect_step(&x->cycle[1], t2, t1, ANOMALY_EDGE_WR, Y, wy, wy);
            const anomaly_example *s = &r.example[ANOMALY_READ_SKEW];
            cr_expect_eq(s->txn[0], t1);
            cr_expect_eq(s->txn[1], t2);
            cr_expect_eq(s->key[0], X);
            cr_expect_eq(s->key[1], Y);
            cr_expect_eq(s->version[0], 0);
            cr_expect_eq(s->version[1], wx);
            cr_expect_eq(s->version[2], wy);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* Write skew (A5B): each reads x and y, t1 writes x, t2 writes y. */
Test(anomalies, write_skew_is_g2_item_and_write_skew_and_a_later_reader_is_neither) {
    for (int later = 0; later < 2; later++) {
        txn_trace t;
        tb_init(&t, 2, 1);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        tb_read(&t, t1, X, 0, 1);
        tb_read(&t, t1, Y, 0, 1);
        uint64_t wx = tb_write(&t, t1, 2, X, 0);
        if (later)
            tb_commit(&t, t1);
        tb_read(&t, t2, X, later ? wx : 0, later ? 0 : 1);
        tb_read(&t, t2, Y, 0, 1);
        uint64_t wy = tb_write(&t, t2, 2, Y, 0);
        if (!later)
            tb_commit(&t, t1);
        tb_commit(&t, t2);
        anomaly_report r = analyze(&t);
        if (later) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G2_ITEM, 1ull, ANOMALY_WRITE_SKEW, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G2_ITEM];
            cr_assert_eq(x->cycle_len, 2);
            expect_step(&x->cycle[0], t1, t2, ANOMALY_EDGE_RW, Y, 0, wy);
            expect_step(&x->cycle[1], t2, t1, ANOMALY_EDGE_RW, X, 0, wx);
            const anomaly_example *s = &r.example[ANOMALY_WRITE_SKEW];
            cr_expect_eq(s->txn[0], t1);
            cr_expect_eq(s->txn[1], t2);
            cr_expect_eq(s->key[0], Y);
            cr_expect_eq(s->version[1], wy);
            cr_expect_eq(s->key[1], X);
            cr_expect_eq(s->version[3], wx);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* Lost update (P4): m transactions read the same version of x and all write it: m - 1 lost,
 * one G-single component; reading the previous writer's version loses nothing. */
Test(anomalies, lost_updates_count_m_minus_one_per_group_and_chained_increments_none) {
    for (unsigned m = 1; m <= 4; m++)
        for (int chained = 0; chained < 2; chained++) {
            txn_trace t;
            tb_init(&t, 1, 10);
            uint32_t tx[4];
            uint64_t w[4], prev = 0;
            for (unsigned i = 0; i < m; i++)
                tx[i] = tb_begin(&t, i + 1, i);
            for (unsigned i = 0; i < m; i++) {
                tb_read(&t, tx[i], X, chained ? prev : 0, 10 + (chained ? (int64_t)i : 0));
                w[i] = tb_write(&t, tx[i], 1, X, 11 + (chained ? (int64_t)i : 0));
                if (chained) {
                    tb_commit(&t, tx[i]);
                    prev = w[i];
                }
            }
            for (unsigned i = 0; !chained && i < m; i++)
                tb_commit(&t, tx[i]);
            anomaly_report r = analyze(&t);
            if (chained || m == 1) {
                expect_counts(&r, -1);
            } else {
                expect_counts(&r, ANOMALY_G_SINGLE, 1ull, ANOMALY_LOST_UPDATE, (uint64_t)(m - 1),
                              -1);
                const anomaly_example *x = &r.example[ANOMALY_LOST_UPDATE];
                cr_expect_eq(x->txn[0], tx[0]);
                cr_expect_eq(x->txn[1], tx[1]);
                cr_expect_eq(x->version[0], 0);
                cr_expect_eq(x->version[1], w[0]);
                cr_expect_eq(x->version[2], w[1]);
                /* the cycle: t1's version then t2's (ww); t2 read the initial one (rw) */
                const anomaly_example *c = &r.example[ANOMALY_G_SINGLE];
                cr_expect_eq(c->cycle[0].edge, ANOMALY_EDGE_RW);
                cr_expect_eq(c->cycle_len, 2);
            }
            anomaly_report_free(&r);
            tb_free(&t);
        }
}

/* Fuzzy read (P2): t1 reads x twice around t2's committed write. */
Test(anomalies, fuzzy_read_counts_once_per_key_and_a_repeated_version_is_none) {
    for (int repeat = 0; repeat < 2; repeat++) {
        txn_trace t;
        tb_init(&t, 1, 3);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        tb_read(&t, t1, X, 0, 3);
        uint64_t w = tb_write(&t, t2, 0, X, 4);
        tb_commit(&t, t2);
        tb_read(&t, t1, X, repeat ? 0 : w, repeat ? 3 : 4);
        tb_read(&t, t1, X, repeat ? 0 : w, repeat ? 3 : 4); /* a third read: still once */
        tb_commit(&t, t1);
        anomaly_report r = analyze(&t);
        if (repeat) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G_SINGLE, 1ull, ANOMALY_FUZZY_READ, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_FUZZY_READ];
            cr_expect_eq(x->txn[0], t1);
            cr_expect_eq(x->txn[1], t2);
            cr_expect_eq(x->version[0], 0);
            cr_expect_eq(x->version[1], w);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* Phantom write skew (the on-call doctors): both count the range and insert into it. G2 with
 * predicate edges only; when t2 sees t1's row, no cycle. */
Test(anomalies, predicate_write_skew_is_g2_and_seeing_the_insert_is_not) {
    for (int sees = 0; sees < 2; sees++) {
        txn_trace t;
        tb_init(&t, 1, 1); /* row 0 present; 1, 2, 3 absent */
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        tb_range(&t, t1, 0, 4);
        tb_row(&t, t1, 0, 0, 1);
        uint64_t w1 = tb_write(&t, t1, 1, 1, 1);
        if (sees)
            tb_commit(&t, t1);
        tb_range(&t, t2, 0, 4);
        tb_row(&t, t2, 0, 0, 1);
        if (sees)
            tb_row(&t, t2, 1, w1, 1);
        uint64_t w2 = tb_write(&t, t2, 1, 2, 1);
        if (!sees)
            tb_commit(&t, t1);
        tb_commit(&t, t2);
        anomaly_report r = analyze(&t);
        if (sees) {
            expect_counts(&r, -1);
        } else {
            expect_counts(&r, ANOMALY_G2, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_G2];
            cr_assert_eq(x->cycle_len, 2);
            expect_step(&x->cycle[0], t1, t2, ANOMALY_EDGE_RW_PREDICATE, 2, 0, w2);
            expect_step(&x->cycle[1], t2, t1, ANOMALY_EDGE_RW_PREDICATE, 1, 0, w1);
            cr_expect_eq(x->cycle[0].lo, 0);
            cr_expect_eq(x->cycle[0].hi, 4);
        }
        cr_expect_eq(r.edges[ANOMALY_EDGE_RW_PREDICATE], sees ? 1 : 2);
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* A phantom (A3): t1's two range reads around t2's insert; its own insert is no phantom. */
Test(anomalies, phantom_counts_a_changed_range_and_not_the_readers_own_insert) {
    for (int own = 0; own < 2; own++) {
        txn_trace t;
        tb_init(&t, 1, 1);
        uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
        tb_range(&t, t1, 0, 4);
        tb_row(&t, t1, 0, 0, 1);
        uint64_t w = own ? tb_write(&t, t1, 1, 1, 1) : tb_write(&t, t2, 0, 1, 1);
        tb_commit(&t, t2);
        tb_range(&t, t1, 0, 4);
        tb_row(&t, t1, 0, 0, 1);
        tb_row(&t, t1, 1, w, 1);
        tb_commit(&t, t1);
        anomaly_report r = analyze(&t);
        if (own) {
            expect_counts(&r, -1);
        } else {
            /* the range missed t2's row, then read it: a one-rw cycle too */
            expect_counts(&r, ANOMALY_G_SINGLE, 1ull, ANOMALY_PHANTOM, 1ull, -1);
            const anomaly_example *x = &r.example[ANOMALY_PHANTOM];
            cr_expect_eq(x->txn[0], t1);
            cr_expect_eq(x->txn[1], t2);
            cr_expect_eq(x->key[0], 1);
            cr_expect_eq(x->version[0], w);
            cr_expect_eq(x->lo, 0);
            cr_expect_eq(x->hi, 4);
            cr_expect_eq(x->detail, 1, "appeared");
            cr_expect_eq(r.example[ANOMALY_G_SINGLE].cycle[0].edge, ANOMALY_EDGE_RW_PREDICATE);
        }
        anomaly_report_free(&r);
        tb_free(&t);
    }
}

/* Two separate write skews are two components; one component with both shapes counts each
 * class once. */
Test(anomalies, cycles_count_once_per_component_and_class) {
    txn_trace t;
    tb_init(&t, 4, 1);
    for (uint64_t pair = 0; pair < 2; pair++) {
        uint64_t a = 2 * pair, b = 2 * pair + 1;
        uint32_t t1 = tb_begin(&t, 10 * pair + 1, 1), t2 = tb_begin(&t, 10 * pair + 2, 2);
        tb_read(&t, t1, a, 0, 1);
        tb_read(&t, t1, b, 0, 1);
        tb_write(&t, t1, 2, a, 0);
        tb_read(&t, t2, a, 0, 1);
        tb_read(&t, t2, b, 0, 1);
        tb_write(&t, t2, 2, b, 0);
        tb_commit(&t, t1);
        tb_commit(&t, t2);
    }
    anomaly_report r = analyze(&t);
    expect_counts(&r, ANOMALY_G2_ITEM, 2ull, ANOMALY_WRITE_SKEW, 2ull, -1);
    anomaly_report_free(&r);
    tb_free(&t);
    /* one component: a lost update on x and a write skew through y and z by the same two
     * transactions */
    tb_init(&t, 3, 1);
    uint32_t t1 = tb_begin(&t, 1, 1), t2 = tb_begin(&t, 2, 2);
    tb_read(&t, t1, 0, 0, 1);
    tb_read(&t, t2, 0, 0, 1);
    tb_read(&t, t1, 1, 0, 1);
    tb_read(&t, t2, 2, 0, 1);
    tb_write(&t, t1, 4, 0, 2);
    tb_write(&t, t2, 4, 0, 2);
    tb_write(&t, t1, 5, 2, 2);
    tb_write(&t, t2, 5, 1, 2);
    tb_commit(&t, t1);
    tb_commit(&t, t2);
    r = analyze(&t);
    /* t1 -ww(x)-> t2 closes t2's rw edges (x, z) to t1: G-single; t1 -rw(y)-> t2 closes only
     * through them: G2-item; one component, so once each */
    expect_counts(&r, ANOMALY_G_SINGLE, 1ull, ANOMALY_G2_ITEM, 1ull, ANOMALY_LOST_UPDATE, 1ull,
                  ANOMALY_WRITE_SKEW, 1ull, -1);
    expect_step(&r.example[ANOMALY_G2_ITEM].cycle[0], t1, t2, ANOMALY_EDGE_RW, 1, 0,
                txn_write_id(2, 5));
    anomaly_report_free(&r);
    tb_free(&t);
}

/* ---- invariants ---- */

Test(anomalies, a_lost_update_breaks_the_total_once_and_a_skewed_audit_sees_a_wrong_total) {
    txn_trace t;
    tb_init(&t, 2, 100); /* accounts a = 0, b = 1 */
    uint32_t tr = tb_begin(&t, 1, 1), late = tb_begin(&t, 2, 2);
    tb_read(&t, tr, 0, 0, 100);
    tb_read(&t, late, 0, 0, 100); /* late reads a before the transfer commits */
    tb_read(&t, tr, 1, 0, 100);
    tb_write(&t, tr, 2, 0, 50);
    uint64_t wb = tb_write(&t, tr, 3, 1, 150);
    tb_commit(&t, tr);
    uint32_t audit = tb_begin(&t, 3, 3), skew = tb_begin(&t, 4, 3);
    tb_read(&t, audit, 0, txn_write_id(1, 2), 50);
    tb_read(&t, audit, 1, wb, 150);
    tb_commit(&t, audit);
    tb_write(&t, late, 1, 0, 70); /* a = 70 from its stale read: the transfer's 50 is lost */
    tb_commit(&t, late);
    /* a report that saw a before the transfer and b after it: 100 + 150 */
    tb_read(&t, skew, 0, 0, 100);
    tb_read(&t, skew, 1, wb, 150);
    tb_commit(&t, skew);
    anomaly_invariant inv = {.name = "total", .kind = ANOMALY_SUM, .lo = 0, .hi = 2, .equals = 200};
    anomaly_report r;
    cr_assert_eq(anomalies_analyze(&t, &inv, 1, &r), 0);
    cr_assert_eq(r.ninv, 1);
    const anomaly_invariant_result *v = &r.inv[0];
    cr_expect_eq(v->states, 5, "the initial state and four commits");
    cr_expect_eq(v->state_violations, 1, "the lost update moved the total; the audit kept it");
    cr_expect_eq(v->state_txn, late);
    cr_expect_eq(v->state_seen, 220);
    cr_expect_eq(v->state_expected, 200);
    cr_expect_eq(v->views, 3,
                 "the transfer (before writing), the audit and the skewed report "
                 "read both accounts");
    cr_expect_eq(v->view_violations, 1);
    cr_expect_eq(v->view_txn, skew);
    cr_expect_eq(v->view_seen, 250);
    anomaly_report_free(&r);
    tb_free(&t);
}

Test(anomalies, a_post_without_its_count_breaks_the_count_and_a_range_view_sees_it) {
    txn_trace t;
    tb_init(&t, 1, 0); /* key 0: posts_count = 0; posts are keys 10 .. 19, absent */
    uint32_t p1 = tb_begin(&t, 1, 1), p2 = tb_begin(&t, 2, 1), view = tb_begin(&t, 3, 2);
    tb_write(&t, p1, 0, 10, 1);
    uint64_t c1 = tb_write(&t, p1, 1, 0, 1);
    tb_commit(&t, p1);
    uint64_t w2 = tb_write(&t, p2, 0, 11, 1); /* half a publish: no increment */
    tb_commit(&t, p2);
    tb_range(&t, view, 10, 20);
    tb_row(&t, view, 10, txn_write_id(1, 0), 1);
    tb_row(&t, view, 11, w2, 1);
    tb_read(&t, view, 0, c1, 1);
    tb_commit(&t, view);
    anomaly_invariant inv = {.name = "posts", .kind = ANOMALY_COUNT, .lo = 10, .hi = 20, .of = 0};
    anomaly_report r;
    cr_assert_eq(anomalies_analyze(&t, &inv, 1, &r), 0);
    const anomaly_invariant_result *v = &r.inv[0];
    cr_expect_eq(v->state_violations, 1);
    cr_expect_eq(v->state_txn, p2);
    cr_expect_eq(v->state_seen, 2);
    cr_expect_eq(v->state_expected, 1);
    cr_expect_eq(v->views, 1);
    cr_expect_eq(v->view_violations, 1);
    cr_expect_eq(v->view_seen, 2);
    cr_expect_eq(v->view_expected, 1);
    anomaly_report_free(&r);
    tb_free(&t);
}

/* ---- words ---- */

static const char *client_name(const void *ud, uint32_t node) {
    (void)ud;
    static const char *const names[] = {"alice", "bob"};
    return node < 2 ? names[node] : NULL;
}

static const char *key_name(const void *ud, uint64_t key) {
    (void)ud;
    return key == X ? "balance" : NULL;
}

Test(anomalies, the_lost_update_example_reads_as_a_sentence) {
    txn_trace t;
    tb_init(&t, 1, 10);
    uint32_t t1 = tb_begin(&t, 3, 0), t2 = tb_begin(&t, 4, 1);
    tb_read(&t, t1, X, 0, 10);
    tb_read(&t, t2, X, 0, 10);
    uint64_t a = tb_write(&t, t1, 1, X, 11), b = tb_write(&t, t2, 1, X, 11);
    tb_commit(&t, t1);
    tb_commit(&t, t2);
    anomaly_report r = analyze(&t);
    anomaly_names nm = {client_name, key_name, NULL};
    char buf[512], want[512];
    anomalies_explain(&t, &r, ANOMALY_LOST_UPDATE, &nm, buf, sizeof buf);
    snprintf(want, sizeof want,
             "alice#3 and bob#4 both read balance@initial and both wrote it (%llu, %llu): the "
             "later overwrote the other's update without seeing it (lost update)",
             (unsigned long long)a, (unsigned long long)b);
    cr_expect_str_eq(buf, want);
    size_t need = anomalies_explain(&t, &r, ANOMALY_G_SINGLE, &nm, NULL, 0);
    cr_expect_gt(need, 0);
    cr_expect_eq(anomalies_explain(&t, &r, ANOMALY_G0, &nm, buf, sizeof buf), 0, "none");
    anomaly_report_free(&r);
    tb_free(&t);
}

/* ---- the cross-check against brute force ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r) { /* splitmix64 (Steele, Lea & Flood 2014) */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned below(rng *r, unsigned n) { return (unsigned)(next(r) % n); }

#define MAXK 3
#define MAXT 5
#define MAXS 3

typedef struct ver {
    uint64_t wid;
    int64_t value;
    bool present;
} ver;

/* One small history run by a weak level: reads see the newest committed version (read
 * committed) or the transaction's snapshot taken at its first statement (snapshot isolation,
 * with first-committer-wins or without it, which is InnoDB's repeatable read); writes are
 * buffered and installed at commit; some transactions abort. The trace is valid: no dirty
 * reads, so any anomaly is a cycle. */
static void random_history(rng *r, txn_trace *t, int *level) {
    unsigned nk = 2 + below(r, 2), nt = 2 + below(r, MAXT - 1);
    uint64_t rows = below(r, nk + 1);
    *level = (int)below(r, 3); /* 0 read committed, 1 snapshot, 2 snapshot + first committer */
    tb_init(t, rows, 0);
    ver committed[MAXK], snap[MAXT][MAXK];
    uint64_t seq_at_snap[MAXT], last_commit[MAXK] = {0}, commits = 0;
    for (unsigned k = 0; k < nk; k++)
        committed[k] = (ver){0, 0, k < rows};
    struct {
        uint32_t tx;
        unsigned nst, done;
        ver own[MAXK];
        bool wrote[MAXK];
        bool ended;
    } x[MAXT];
    for (unsigned i = 0; i < nt; i++) {
        memset(&x[i], 0, sizeof x[i]);
        x[i].tx = tb_begin(t, i + 1, i);
        x[i].nst = 1 + below(r, MAXS);
    }
    unsigned live = nt;
    while (live) {
        unsigned i = below(r, nt);
        if (x[i].ended)
            continue;
        if (x[i].done == 0) {
            memcpy(snap[i], committed, sizeof committed);
            seq_at_snap[i] = commits;
        }
        const ver *seen = *level == 0 ? committed : snap[i];
        if (x[i].done < x[i].nst) {
            unsigned stmt = x[i].done++, kind = below(r, 20);
            unsigned k = below(r, nk);
            if (kind < 9) { /* read */
                ver v = x[i].wrote[k] ? x[i].own[k] : seen[k];
                if (v.present)
                    tb_read(t, x[i].tx, k, v.wid, v.value);
                else
                    tb_read_absent(t, x[i].tx, k);
            } else if (kind < 17) { /* write */
                int64_t val = (int64_t)below(r, 100);
                uint64_t wid = tb_write(t, x[i].tx, stmt, k, val);
                x[i].own[k] = (ver){wid, val, true};
                x[i].wrote[k] = true;
            } else { /* range over every key */
                tb_range(t, x[i].tx, 0, nk);
                for (unsigned j = 0; j < nk; j++) {
                    ver v = x[i].wrote[j] ? x[i].own[j] : seen[j];
                    if (v.present)
                        tb_row(t, x[i].tx, j, v.wid, v.value);
                }
            }
            continue;
        }
        /* commit or abort */
        bool conflict = false;
        for (unsigned k = 0; k < nk && *level == 2; k++)
            conflict = conflict || (x[i].wrote[k] && last_commit[k] > seq_at_snap[i]);
        if (conflict || below(r, 10) == 0) {
            tb_abort(t, x[i].tx);
        } else {
            commits++;
            for (unsigned k = 0; k < nk; k++)
                if (x[i].wrote[k]) {
                    committed[k] = x[i].own[k];
                    last_commit[k] = commits;
                }
            tb_commit(t, x[i].tx);
        }
        x[i].ended = true;
        live--;
    }
}

Test(anomalies, a_cycle_is_found_exactly_when_no_serial_order_explains_the_history) {
    rng r = {20261202};
    unsigned histories = 4000, cyclic = 0, by_level[3] = {0};
    uint64_t by_class[ANOMALY_CLASSES] = {0};
    for (unsigned h = 0; h < histories; h++) {
        txn_trace t;
        int level;
        random_history(&r, &t, &level);
        anomaly_report rep = analyze(&t);
        int serial = serial_brute_explains(&t, NULL);
        cr_assert_neq(serial, -1);
        cr_expect_eq(rep.count[ANOMALY_G1A] + rep.count[ANOMALY_G1B], 0, "no dirty reads");
        bool cycle = cycles(&rep) > 0;
        if (cycle == (serial == 1)) {
            cr_log_error("history %u (level %d): checker %s a cycle, brute force %s", h, level,
                         cycle ? "finds" : "finds no", serial ? "serializable" : "not");
            for (size_t i = 0; i < t.nevents; i++) {
                const txn_event *e = &t.events[i];
                cr_log_error("  T%u %s key %llu wid %llu%s", e->txn,
                             e->kind == TXN_EV_READ    ? "read"
                             : e->kind == TXN_EV_WRITE ? "write"
                             : e->kind == TXN_EV_RANGE ? "range"
                                                       : "undo",
                             (unsigned long long)e->key, (unsigned long long)e->wid,
                             e->in_range ? " (row)" : "");
            }
            for (size_t i = 0; i < t.ntxns; i++)
                cr_log_error("  T%zu status %u seq %llu", i, t.txns[i].status,
                             (unsigned long long)t.txns[i].commit_seq);
            cr_assert_fail("checker and brute force disagree");
        }
        cyclic += cycle;
        by_level[level] += cycle;
        for (int c = 0; c < ANOMALY_CLASSES; c++)
            by_class[c] += rep.count[c] > 0;
        anomaly_report_free(&rep);
        tb_free(&t);
    }
    /* both verdicts occur often, at every level, or the test proves little */
    cr_expect_gt(cyclic, histories / 20);
    cr_expect_lt(cyclic, histories - histories / 20);
    for (int l = 0; l < 3; l++)
        cr_expect_gt(by_level[l], 10, "level %d gave %u cyclic histories", l, by_level[l]);
    /* and every class of cycle a valid trace can have, predicate ones included */
    for (int c = ANOMALY_G1C; c <= ANOMALY_G2; c++) {
        cr_log_info("%s in %llu of %u histories", anomaly_class_names[c],
                    (unsigned long long)by_class[c], histories);
        if (c != ANOMALY_G1C)
            cr_expect_gt(by_class[c], 10, "%s in %llu histories", anomaly_class_names[c],
                         (unsigned long long)by_class[c]);
    }
    cr_expect_eq(by_class[ANOMALY_G1C], 0, "no dirty reads, so no wr edge points backwards");
}

/* A long serial history: no anomaly, and time linear enough for a test. */
Test(anomalies, a_long_serial_history_has_no_anomaly_and_is_fast) {
    txn_trace t;
    tb_init(&t, 1000, 0);
    uint64_t last[1000] = {0};
    rng r = {7};
    unsigned n = 30000;
    for (unsigned i = 0; i < n; i++) {
        uint32_t tx = tb_begin(&t, i + 1, i % 16);
        unsigned a = below(&r, 1000), b = below(&r, 1000);
        tb_read(&t, tx, a, last[a], 0);
        tb_read(&t, tx, b, last[b], 0);
        uint64_t wa = tb_write(&t, tx, 2, a, 1);
        last[a] = wa;
        if (b != a)
            last[b] = tb_write(&t, tx, 3, b, 1);
        tb_commit(&t, tx);
    }
    clock_t c0 = clock();
    anomaly_report rep = analyze(&t);
    double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    cr_log_info("%u transactions analysed in %.3f s", n, s);
    expect_counts(&rep, -1);
    cr_expect_eq(rep.committed, n);
    anomaly_report_free(&rep);
    tb_free(&t);
}

/* ---- the checker kind: feeding, settling, the document ---- */

typedef struct tree {
    cJSON *stack[32];
    int depth;
} tree;

static void tr_add(tree *t, const char *key, cJSON *item) {
    cr_assert(t->depth > 0);
    cJSON *top = t->stack[t->depth - 1];
    if (cJSON_IsArray(top))
        cJSON_AddItemToArray(top, item);
    else
        cJSON_AddItemToObject(top, key, item);
}
static void tr_push(tree *t, const char *key, cJSON *o) {
    if (t->depth > 0)
        tr_add(t, key, o);
    cr_assert(t->depth < 32);
    t->stack[t->depth++] = o;
}
static void tr_open(void *ud, const char *key) { tr_push(ud, key, cJSON_CreateObject()); }
static void tr_open_array(void *ud, const char *key) { tr_push(ud, key, cJSON_CreateArray()); }
static void tr_close(void *ud) {
    tree *t = ud;
    if (t->depth > 1)
        t->depth--;
}
static void tr_number(void *ud, const char *key, double v) {
    tr_add(ud, key, cJSON_CreateNumber(v));
}
static void tr_int(void *ud, const char *key, int64_t v) {
    tr_add(ud, key, cJSON_CreateNumber((double)v));
}
static void tr_string(void *ud, const char *key, const char *v) {
    tr_add(ud, key, cJSON_CreateString(v));
}
static void tr_bool(void *ud, const char *key, bool v) { tr_add(ud, key, cJSON_CreateBool(v)); }

static cJSON *document(const void *checker) {
    static const sim_report_ops ops = {.version = 1,
                                       .open_object = tr_open,
                                       .open_array = tr_open_array,
                                       .close = tr_close,
                                       .number = tr_number,
                                       .integer = tr_int,
                                       .string = tr_string,
                                       .boolean = tr_bool};
    tree t = {0};
    sim_report w = {&ops, &t};
    tr_open(&t, NULL);
    sim_report_open(&w, dsim_anomalies_checker.name);
    dsim_anomalies_checker.report(checker, &w);
    sim_report_close(&w);
    return t.stack[0];
}

/* True when path matches a declared figure, "*" standing for one segment. */
static bool declared(const char *path) {
    for (const char *const *f = dsim_anomalies_checker.figures; *f; f++) {
        const char *p = path, *q = *f;
        while (*p && *q) {
            if (*q == '*') {
                while (*p && *p != '.')
                    p++;
                q++;
            } else if (*p == *q) {
                p++, q++;
            } else {
                break;
            }
        }
        if (!*p && !*q)
            return true;
    }
    return false;
}

static void expect_declared(const cJSON *o, const char *prefix) {
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!c->string)
            continue;
        char p[256];
        snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", c->string);
        if (cJSON_IsNumber(c))
            cr_expect(declared(p), "%s is declared", p);
        else if (cJSON_IsObject(c))
            expect_declared(c, p);
    }
}

Test(anomalies, the_checker_reports_each_cluster_with_names_counts_and_examples) {
    anomalies *a = dsim_anomalies_checker.create(NULL);
    cr_assert(a);
    cr_expect(!dsim_anomalies_checker.is_reported(a), "no transaction ran");
    /* the invariant may be declared before the trace is asked for */
    anomaly_invariant inv = {.name = "total", .kind = ANOMALY_SUM, .lo = 0, .hi = 2, .equals = 200};
    cr_assert_eq(anomalies_invariant(a, 3, &inv), 0);
    txn_trace *t = anomalies_trace(a, 3, 2, 100);
    cr_assert(t);
    cr_expect_eq(t->rows, 2);
    cr_expect_eq(t->initial_value, 100);
    cr_expect_eq(anomalies_trace(a, 3, 2, 100), t, "one trace per cluster");
    cr_assert_eq(anomalies_name_key(a, 0, "alice"), 0);
    cr_assert_eq(anomalies_name_key(a, 1, "bob"), 0);
    /* a lost update of alice's balance: both read 100, both add to it */
    uint32_t t1 = txn_trace_begin(t, 1, 0, TXN_READ_COMMITTED, 0);
    uint32_t t2 = txn_trace_begin(t, 2, 1, TXN_READ_COMMITTED, 0);
    txn_trace_event(
        t, t1, (txn_event){.kind = TXN_EV_READ, .present = true, .key = 0, .wid = 0, .value = 100});
    txn_trace_event(
        t, t2, (txn_event){.kind = TXN_EV_READ, .present = true, .key = 0, .wid = 0, .value = 100});
    txn_trace_event(t, t1,
                    (txn_event){.kind = TXN_EV_WRITE,
                                .present = true,
                                .key = 0,
                                .wid = txn_write_id(1, 1),
                                .value = 110});
    txn_trace_event(t, t2,
                    (txn_event){.kind = TXN_EV_WRITE,
                                .present = true,
                                .key = 0,
                                .wid = txn_write_id(2, 1),
                                .value = 120});
    txn_trace_commit(t, t1, 10);
    txn_trace_commit(t, t2, 20);
    cr_expect(dsim_anomalies_checker.is_reported(a));
    cr_assert_eq(dsim_anomalies_checker.settle(a), 0);
    cJSON *doc = document(a);
    cr_expect_eq(t_int(doc, "anomalies.transactions.committed"), 2);
    cr_expect_eq(t_int(doc, "anomalies.lost_updates"), 1);
    cr_expect_eq(t_int(doc, "anomalies.G-single"), 1);
    cr_expect_eq(t_int(doc, "anomalies.G2-item"), 0);
    cr_expect_eq(t_int(doc, "anomalies.invariant_violations"), 2,
                 "the state after t1 (210) and the one after t2 (220)");
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.lost_updates.count"), 1);
    cr_expect_str_eq(t_str(doc, "anomalies.clusters.3.lost_updates.example.key"), "alice");
    cr_expect_str_eq(t_str(doc, "anomalies.clusters.3.lost_updates.example.first"), "node0#1");
    cr_expect_str_eq(t_str(doc, "anomalies.clusters.3.lost_updates.example.second"), "node1#2");
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.lost_updates.example.second_installed"),
                 (long long)txn_write_id(2, 1));
    cr_expect(strstr(t_str(doc, "anomalies.clusters.3.lost_updates.example.explanation"),
                     "node0#1 and node1#2 both read alice@initial") != NULL);
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.G-single.example.length"), 2);
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.edges.rw"), 1);
    cr_expect(!cJSON_HasObjectItem(t_at(doc, "anomalies.clusters.3.G2-item"), "example"),
              "no example for a zero count");
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.invariants.total.state_violations"), 2);
    cr_expect_eq(t_int(doc, "anomalies.clusters.3.invariants.total.state_example.sum"), 210);
    cr_expect_str_eq(t_str(doc, "anomalies.clusters.3.invariants.total.state_example.after"),
                     "node0#1");
    expect_declared(t_at(doc, "anomalies"), "");
    cJSON_Delete(doc);
    dsim_anomalies_checker.free(a);
}

/* ---- the real concurrency control's traces (txn/cc.h) ---- */

typedef struct cc_txn {
    uint32_t h;
    unsigned nst, done;
    txn_stmt st[MAXS];
    bool blocked, ended;
} cc_txn;

typedef struct cc_run {
    cc_txn x[MAXT];
    unsigned n;
} cc_run;

static void cc_wake(void *ctx, uint32_t h) {
    cc_run *r = ctx;
    for (unsigned i = 0; i < r->n; i++)
        if (!r->x[i].ended && r->x[i].h == h)
            r->x[i].blocked = false;
}

/* One random small history run by the real concurrency control at (iso, conc, flavor) into
 * trace t (txn_trace_init'ed by the caller). A transaction every other one waits for forever
 * is timed out (the database's lock_timeout). */
static void cc_history(rng *r, txn_trace *t, txn_isolation iso, txn_concurrency conc,
                       txn_flavor flavor) {
    unsigned nk = 2 + below(r, 2);
    txn_cc_config cfg = {
        .isolation = iso, .concurrency = conc, .flavor = flavor, .rows = below(r, nk + 1)};
    txn_trace_init(t, cfg.rows, 0);
    cc_run run = {.n = 2 + below(r, MAXT - 1)};
    txn_cc *cc = txn_cc_new(&cfg, t, (txn_cc_hooks){cc_wake}, &run);
    cr_assert(cc);
    sim_time now = 0;
    for (unsigned i = 0; i < run.n; i++) {
        cc_txn *x = &run.x[i];
        x->nst = 1 + below(r, MAXS);
        for (unsigned s = 0; s < x->nst; s++) {
            unsigned kind = below(r, 20);
            uint64_t k = below(r, nk);
            x->st[s] =
                kind < 9 ? (txn_stmt){.kind = TXN_READ, .key = k}
                : kind < 17
                    ? (txn_stmt){.kind = TXN_WRITE, .key = k, .value = (int64_t)below(r, 100)}
                    : (txn_stmt){.kind = TXN_RANGE, .key = 0, .key_end = nk};
        }
        x->h = txn_cc_begin(cc, i + 1, i, now);
        cr_assert_neq(x->h, TXN_CC_NONE);
    }
    for (;;) {
        unsigned runnable[MAXT], nr = 0, open = 0;
        for (unsigned i = 0; i < run.n; i++) {
            open += !run.x[i].ended;
            if (!run.x[i].ended && !run.x[i].blocked)
                runnable[nr++] = i;
        }
        if (!open)
            break;
        now++;
        if (!nr) { /* everyone waits: the lock timeout of a random one */
            unsigned i;
            do
                i = below(r, run.n);
            while (run.x[i].ended);
            run.x[i].ended = true;
            txn_cc_abort(cc, run.x[i].h, TXN_ABORT_LOCK_TIMEOUT, now);
            continue;
        }
        cc_txn *x = &run.x[runnable[below(r, nr)]];
        txn_cc_status st;
        if (x->done < x->nst) {
            txn_result res;
            st = txn_cc_exec(cc, x->h, x->done, &x->st[x->done], &res, now);
            if (st == TXN_CC_DONE)
                x->done++;
        } else {
            st = txn_cc_commit(cc, x->h, now);
            if (st == TXN_CC_DONE)
                x->ended = true;
        }
        if (st == TXN_CC_BLOCKED)
            x->blocked = true;
        else if (st == TXN_CC_ABORTED)
            x->ended = true;
    }
    txn_cc_free(cc);
}

/* Every cell of the isolation table on random histories: the checker says "not serializable"
 * (a cycle or a dirty read) exactly when the brute force does, and serializable shows none. */
Test(anomalies, real_concurrency_control_traces_agree_with_brute_force_and_serializable_is_clean) {
    rng r = {1414};
    static const struct {
        txn_isolation iso;
        txn_concurrency conc;
        txn_flavor flavor;
    } cells[] = {
        {TXN_READ_UNCOMMITTED, TXN_LOCKING, 0},
        {TXN_READ_COMMITTED, TXN_LOCKING, 0},
        {TXN_REPEATABLE_READ, TXN_LOCKING, 0},
        {TXN_SERIALIZABLE, TXN_LOCKING, 0},
        {TXN_READ_COMMITTED, TXN_MVCC, 0},
        {TXN_REPEATABLE_READ, TXN_MVCC, TXN_FLAVOR_POSTGRESQL},
        {TXN_REPEATABLE_READ, TXN_MVCC, TXN_FLAVOR_INNODB},
        {TXN_SERIALIZABLE, TXN_MVCC, 0},
    };
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
        unsigned bad = 0;
        for (unsigned h = 0; h < 500; h++) {
            txn_trace t;
            cc_history(&r, &t, cells[c].iso, cells[c].conc, cells[c].flavor);
            anomaly_report rep = analyze(&t);
            int serial = serial_brute_explains(&t, NULL);
            cr_assert_neq(serial, -1);
            bool anomaly = cycles(&rep) + rep.count[ANOMALY_G1A] + rep.count[ANOMALY_G1B] > 0;
            cr_expect_eq(anomaly, serial == 0, "cell %zu history %u: checker %d, brute %d", c, h,
                         anomaly, serial);
            /* what each level forbids (the table; Adya 1999 ch. 4 for snapshot
             * isolation, which forbids G-single, so lost updates and read skew too) */
            for (int k = 0; k < ANOMALY_CLASSES; k++) {
                bool forbidden = cells[c].iso == TXN_SERIALIZABLE;
                if (cells[c].iso >= TXN_READ_COMMITTED)
                    forbidden |= k == ANOMALY_G1A || k == ANOMALY_G1B || k == ANOMALY_G1C;
                if (cells[c].iso == TXN_REPEATABLE_READ)
                    forbidden |= k == ANOMALY_FUZZY_READ ||
                                 (k == ANOMALY_LOST_UPDATE && cells[c].flavor != TXN_FLAVOR_INNODB);
                if (cells[c].iso == TXN_REPEATABLE_READ && cells[c].conc == TXN_MVCC &&
                    cells[c].flavor == TXN_FLAVOR_POSTGRESQL)
                    forbidden |= k == ANOMALY_G_SINGLE || k == ANOMALY_READ_SKEW;
                if (forbidden)
                    cr_expect_eq(rep.count[k], 0, "cell %zu history %u: %s", c, h,
                                 anomaly_class_names[k]);
            }
            bad += anomaly;
            anomaly_report_free(&rep);
            txn_trace_free(&t);
        }
        if (cells[c].iso == TXN_SERIALIZABLE)
            cr_expect_eq(bad, 0);
        else
            cr_expect_gt(bad, 5, "a weak level shows anomalies in random histories (%u)", bad);
        cr_log_info("cell %zu (%s, %s): %u of 500 histories not serializable", c,
                    txn_isolation_names[cells[c].iso], txn_concurrency_names[cells[c].conc], bad);
    }
}
