/* A benchmark of the concurrency control alone (txn/cc.h), not in the suite: N transactions of
 * two reads and two increments over D uniformly drawn keys, T of them open at once, their
 * statements interleaved at random (a blocked transaction runs again when woken; an aborted
 * one is retried under a new id). Prints, per cell, the wall time, commits, aborts by reason,
 * the per-request wait fraction, and the MVCC versions kept. Build and run:
 *   gcc -O2 -std=c11 -Itxn -Isim txn/txn.c txn/trace.c txn/locks.c txn/mvcc.c txn/ssi.c \
 *       txn/cc.c sim/idmap.c tools/bench_txn_cc.c -o /tmp/bench_txn_cc
 *   /tmp/bench_txn_cc [N [T [D]]]          (default 1000000 8 100000) */
#include "cc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct woke {
    uint32_t *tx;
    size_t n, cap;
} woke;

static void on_wake(void *ctx, uint32_t tx) {
    woke *w = ctx;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->tx = realloc(w->tx, w->cap * sizeof *w->tx);
        if (!w->tx)
            exit(1);
    }
    w->tx[w->n++] = tx;
}

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

enum { A = 4, TMAX = 256 };

int main(int argc, char **argv) {
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int T = argc > 2 ? atoi(argv[2]) : 8;
    uint64_t D = argc > 3 ? strtoull(argv[3], NULL, 10) : 100000;
    if (T < 1 || T > TMAX || D < 1)
        return 2;
    static const struct {
        txn_isolation iso;
        txn_concurrency con;
        txn_flavor fl;
        const char *name;
    } cells[] = {{TXN_READ_COMMITTED, TXN_LOCKING, 0, "locking read_committed"},
                 {TXN_SERIALIZABLE, TXN_LOCKING, 0, "locking serializable"},
                 {TXN_READ_COMMITTED, TXN_MVCC, 0, "mvcc read_committed"},
                 {TXN_REPEATABLE_READ, TXN_MVCC, TXN_FLAVOR_POSTGRESQL, "mvcc rr postgresql"},
                 {TXN_REPEATABLE_READ, TXN_MVCC, TXN_FLAVOR_INNODB, "mvcc rr innodb"},
                 {TXN_SERIALIZABLE, TXN_MVCC, 0, "mvcc serializable"}};
    printf("N=%llu T=%d D=%llu A=%d\n", (unsigned long long)n, T, (unsigned long long)D, A);
    for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
        woke w = {0};
        txn_cc_config cfg = {.isolation = cells[c].iso,
                             .concurrency = cells[c].con,
                             .flavor = cells[c].fl,
                             .rows = D,
                             .initial_value = 0};
        txn_cc *cc = txn_cc_new(&cfg, NULL, (txn_cc_hooks){.wake = on_wake}, &w);
        uint64_t seed = 42, id = 1, commits = 0, aborts[TXN_ABORT_REASONS] = {0}, started = 0;
        txn_stmt st[TMAX][A];
        uint32_t h[TMAX];
        int next[TMAX];
        unsigned char blocked[TMAX];
        uint32_t slot_of[4 * TMAX + 64];
        clock_t t0 = clock();
        for (int t = 0; t < T; t++)
            h[t] = TXN_CC_NONE;
        int open = 0;
        for (;;) {
            for (int t = 0; t < T; t++)
                if (h[t] == TXN_CC_NONE && started < n) {
                    h[t] = txn_cc_begin(cc, id++, 0, 0);
                    slot_of[h[t]] = (uint32_t)t;
                    started++;
                    open++;
                    next[t] = 0;
                    blocked[t] = 0;
                    for (int i = 0; i < A; i++)
                        st[t][i] = (txn_stmt){.kind = i < 2 ? TXN_READ : TXN_INCREMENT,
                                              .key = next_rand(&seed) % D,
                                              .value = 1};
                }
            if (open == 0)
                break;
            int t = (int)(next_rand(&seed) % (uint64_t)T), tries = 0;
            while ((h[t] == TXN_CC_NONE || blocked[t]) && tries++ < T)
                t = (t + 1) % T;
            if (h[t] == TXN_CC_NONE || blocked[t]) {
                fprintf(stderr, "all blocked\n");
                return 1;
            }
            txn_result r;
            txn_cc_status s =
                next[t] == A ? txn_cc_commit(cc, h[t], 0)
                             : txn_cc_exec(cc, h[t], (unsigned)next[t], &st[t][next[t]], &r, 0);
            if (s == TXN_CC_BLOCKED) {
                blocked[t] = 1;
            } else if (s == TXN_CC_ABORTED) {
                aborts[txn_cc_reason(cc, h[t])]++;
                h[t] = TXN_CC_NONE;
                open--;
                started--; /* retried under a new id */
            } else if (next[t] == A) {
                commits++;
                h[t] = TXN_CC_NONE;
                open--;
                txn_cc_durable(cc);
            } else {
                next[t]++;
            }
            for (size_t k = 0; k < w.n; k++)
                blocked[slot_of[w.tx[k]]] = 0;
            w.n = 0;
        }
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        txn_cc_stats s = txn_cc_stats_of(cc);
        printf("%-24s %6.2f s  commits %llu  deadlock %llu  serialization %llu  "
               "wait/request %.5f  versions live %llu peak %llu\n",
               cells[c].name, secs, (unsigned long long)commits,
               (unsigned long long)aborts[TXN_ABORT_DEADLOCK],
               (unsigned long long)aborts[TXN_ABORT_SERIALIZATION],
               s.lock_requests ? (double)s.lock_waits / (double)s.lock_requests : 0.0,
               (unsigned long long)s.versions_live, (unsigned long long)s.versions_peak);
        txn_cc_free(cc);
        free(w.tx);
    }
    return 0;
}
