/* A benchmark of the anomaly analysis (checkers/anomaly_analysis.h) on a long trace, kept out of
 * the test suite: `build/bench_anomalies [TRANSACTIONS [KEYS [CONCURRENT]]]` (defaults 1000000,
 * 10000, 8) builds a trace of read-committed transactions of two reads and two writes (each
 * reads two keys, writes both at commit: lost updates happen when two overlap on a key),
 * analyses it and prints the CPU time and the counts. Measure memory with
 * `/usr/bin/time -f %M build/bench_anomalies`. */
#include "anomaly_analysis.h"
#include "trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* xorshift64 (Marsaglia 2003): the benchmark's own fixed stream. */
static uint64_t draw(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

typedef struct slot {
    uint32_t tx;
    uint64_t key[2];
} slot;

static void read_key(txn_trace *t, uint32_t tx, uint64_t key, const uint64_t *last) {
    txn_trace_event(
        t, tx, (txn_event){.kind = TXN_EV_READ, .present = true, .key = key, .wid = last[key]});
}

int main(int argc, char **argv) {
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t keys = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000;
    unsigned conc = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 8;
    if (!n || !keys || !conc || conc > 1024) {
        fprintf(stderr, "usage: bench_anomalies [TRANSACTIONS [KEYS [CONCURRENT<=1024]]]\n");
        return 2;
    }
    uint64_t s = 88172645463325252ull, id = 0, *last = calloc(keys, sizeof *last);
    slot *sl = calloc(conc, sizeof *sl);
    if (!last || !sl)
        return 1;
    txn_trace t;
    txn_trace_init(&t, keys, 0);
    for (unsigned c = 0; c < conc; c++) {
        sl[c] = (slot){txn_trace_begin(&t, ++id, c, TXN_READ_COMMITTED, 0),
                       {draw(&s) % keys, draw(&s) % keys}};
        read_key(&t, sl[c].tx, sl[c].key[0], last);
    }
    for (uint64_t done = 0; done < n; done++) {
        slot *x = &sl[draw(&s) % conc];
        read_key(&t, x->tx, x->key[1], last);
        uint64_t w[2] = {txn_write_id(t.txns[x->tx].id, 2), txn_write_id(t.txns[x->tx].id, 3)};
        for (int k = 0; k < 2 && (k == 0 || x->key[1] != x->key[0]); k++)
            txn_trace_event(&t, x->tx,
                            (txn_event){.kind = TXN_EV_WRITE,
                                        .present = true,
                                        .key = x->key[k],
                                        .wid = w[k],
                                        .value = 1});
        txn_trace_commit(&t, x->tx, (sim_time)done);
        last[x->key[0]] = w[0];
        if (x->key[1] != x->key[0])
            last[x->key[1]] = w[1];
        uint32_t client = (uint32_t)(x - sl);
        *x = (slot){txn_trace_begin(&t, ++id, client, TXN_READ_COMMITTED, (sim_time)done),
                    {draw(&s) % keys, draw(&s) % keys}};
        read_key(&t, x->tx, x->key[0], last);
    }
    if (t.out_of_memory)
        return 1;
    clock_t c0 = clock();
    anomaly_report r;
    if (anomalies_analyze(&t, NULL, 0, &r))
        return 1;
    double sec = (double)(clock() - c0) / CLOCKS_PER_SEC;
    printf("%" PRIu64 " transactions, %zu events: analysed in %.2f s CPU\n", n, t.nevents, sec);
    printf("committed %" PRIu64 ", open %" PRIu64 "; edges ww %" PRIu64 " wr %" PRIu64
           " rw %" PRIu64 "\n",
           r.committed, r.open, r.edges[ANOMALY_EDGE_WW], r.edges[ANOMALY_EDGE_WR],
           r.edges[ANOMALY_EDGE_RW]);
    for (int c = 0; c < ANOMALY_CLASSES; c++)
        printf("%s %" PRIu64 "%s", anomaly_class_names[c], r.count[c],
               c + 1 < ANOMALY_CLASSES ? ", " : "\n");
    anomaly_report_free(&r);
    txn_trace_free(&t);
    free(last);
    free(sl);
    return 0;
}
