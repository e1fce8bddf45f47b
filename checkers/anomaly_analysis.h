/* The anomaly analysis: a pure function from one cluster's ground-truth trace (txn/trace.h)
 * and its invariants to counts and examples, with no engine in it, so tests call it on
 * hand-made traces. The checker (anomalies.h) runs it on every cluster at the run's end.
 *
 * From the trace it builds Adya's direct serialization graph (DSG; Adya 1999, ch. 3) over the
 * committed transactions: ww (installed the next version of a key), wr (read a version a
 * transaction installed), rw (read a version; the edge goes to the writer of the next
 * version) and predicate rw (a range read, and the first committed write after the version
 * it saw that changes whether a row of the range matches). What each count counts is defined
 * in docs/anomalies.md ("How counts are defined") and beside each class below. */
#ifndef DSIM_ANOMALY_ANALYSIS_H
#define DSIM_ANOMALY_ANALYSIS_H

#include "anomalies.h"
#include "trace.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    /* Cycles of the DSG: each counted once per strongly connected component (SCC) of the
     * whole graph that has one. */
    ANOMALY_G0,       /* a cycle of ww edges only (dirty writes) */
    ANOMALY_G1A,      /* (per reader, writer pair) a committed read of a version whose writer
                         aborted, was lost, was still open at the end, or rolled the write
                         back to a savepoint; or of a version no transaction wrote */
    ANOMALY_G1B,      /* (per reader, writer pair) a committed read of a version a committed
                         transaction overwrote itself (not its last write of the key) */
    ANOMALY_G1C,      /* a cycle of ww and wr edges with at least one wr edge */
    ANOMALY_G_SINGLE, /* an rw edge (item or predicate) that ww and wr edges alone lead
                         back from: a cycle with exactly one anti-dependency */
    ANOMALY_G2_ITEM,  /* an item rw edge on a cycle of ww, wr and item rw edges that no
                         ww/wr path closes: the cycle needs two or more item rw edges */
    ANOMALY_G2,       /* an rw edge on a cycle that no ww/wr path closes, which is a
                         predicate rw edge or closes only through one: the cycle needs a
                         predicate anti-dependency */
    /* Berenson et al. 1995's phenomena, by their direct definitions. */
    ANOMALY_FUZZY_READ,  /* (per transaction, key) two reads of the key saw different
                            versions, neither its own write */
    ANOMALY_LOST_UPDATE, /* (per key and version: m - 1 for m transactions) m committed
                            transactions read that version of the key last before they wrote it
                            and installed a version of it */
    ANOMALY_READ_SKEW,   /* (per reader, writer pair) the reader saw the writer's version of y
                            and a version of x older than the writer's version of x */
    ANOMALY_WRITE_SKEW,  /* (per unordered pair) each read a version of a key whose next
                            version the other installed: rw edges both ways */
    ANOMALY_PHANTOM,     /* (per transaction, range) two range reads of the same range matched
                            different rows (rows it wrote itself left aside) */
    ANOMALY_CLASSES
} anomaly_class;

/* Their keys in the document ("G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "G2",
 * "fuzzy_reads", "lost_updates", "read_skew", "write_skew", "phantoms"), in the enum's order;
 * NULL-terminated. */
extern const char *const anomaly_class_names[];

typedef enum {
    ANOMALY_EDGE_WW,
    ANOMALY_EDGE_WR,
    ANOMALY_EDGE_RW,
    ANOMALY_EDGE_RW_PREDICATE,
    ANOMALY_EDGE_KINDS
} anomaly_edge;
/* "ww", "wr", "rw", "rw_predicate"; NULL-terminated. */
extern const char *const anomaly_edge_names[];

/* Why a G1a read's version never committed (anomaly_example.detail). */
typedef enum {
    ANOMALY_WRITER_ABORTED,
    ANOMALY_WRITER_LOST,
    ANOMALY_WRITER_OPEN,
    ANOMALY_WRITE_UNDONE, /* rolled back to a savepoint (an aborted subtransaction) */
    ANOMALY_WRITER_UNKNOWN,
} anomaly_g1a_why;
/* "aborted", "lost", "open", "undone", "unknown". */
extern const char *const anomaly_g1a_names[];

/* No transaction (a version of the initial state has no writer). */
#define ANOMALY_NONE UINT32_MAX
/* Steps of an example cycle kept (cycle_len says how long it is). */
#define ANOMALY_MAX_CYCLE 16

/* One edge of an example cycle: from -> to (trace indices). Versions are write ids (0: the
 * initial state). ww: from installed from_version, to the next one, to_version, of key. wr:
 * to read from_version (= to_version) that from installed. rw: from read from_version, to
 * installed the next one, to_version. rw_predicate: from's range read [lo, hi) saw key at
 * from_version (0 and absent when it did not match it), to installed to_version, which
 * changed whether key matches. */
typedef struct anomaly_step {
    uint32_t from, to;
    uint8_t edge; /* anomaly_edge */
    uint64_t key;
    uint64_t from_version, to_version;
    uint64_t lo, hi; /* rw_predicate: the range */
} anomaly_step;

/* One instance of a class, the first found (in trace order of the transactions involved).
 * txn are trace indices (ANOMALY_NONE: none); the fields used, by class:
 *   G1a:         txn {reader, writer}, key[0], version[0] the write id read, detail why
 *   G1b:         txn {reader, writer}, key[0], version[0] read, version[1] the writer's
 *                installed (last) write of the key
 *   cycles:      cycle[0 .. min(cycle_len, ANOMALY_MAX_CYCLE)), cycle[0] being the edge that
 *                classifies it (the wr edge of G1c, the rw edge of G-single, G2-item, G2);
 *                txn {cycle[0].from, cycle[0].to}
 *   fuzzy_reads: txn {reader, writer of the second version}, key[0], version[0] first read,
 *                version[1] the other version read
 *   lost_updates: txn {T1, T2} the first two (trace order) of the lowest key and version's
 *                group, key[0], version[0] the version both read, version[1] T1's installed,
 *                version[2] T2's installed
 *   read_skew:   txn {reader, writer}, key[0] x, key[1] y, version[0] the x read,
 *                version[1] the writer's x, version[2] the writer's y (read)
 *   write_skew:  txn {T1, T2}, key[0] x (T1 read version[0], T2 installed the next,
 *                version[1]), key[1] y (T2 read version[2], T1 installed the next, version[3])
 *   phantoms:    txn {reader, writer of the row (ANOMALY_NONE: initial)}, lo, hi the range,
 *                key[0] the row, version[0] its version where it matched, detail 1 when it
 *                matched the later read only (appeared), 0 when the earlier only (vanished) */
typedef struct anomaly_example {
    uint32_t txn[2];
    uint64_t key[2];
    uint64_t version[4];
    uint64_t lo, hi;
    uint8_t detail;
    size_t cycle_len;
    anomaly_step cycle[ANOMALY_MAX_CYCLE];
} anomaly_example;

/* An invariant's verdicts. A state is the committed data after a commit (in commit order,
 * and the initial state); its "error" is sum - equals (ANOMALY_SUM) or rows present - value
 * of `of` (ANOMALY_COUNT). A state violation is a state whose error is not 0 and differs from
 * the previous state's (a commit that moved it to a wrong value: a total already wrong
 * stays counted once). A view is a committed transaction that read every key of the
 * invariant (item reads, or a range read for the rows it did not match), taking its first
 * read of each key not of its own write; a view violation is one whose error is not 0. */
typedef struct anomaly_invariant_result {
    anomaly_invariant inv; /* a copy (name borrowed as given) */
    uint64_t states, state_violations, views, view_violations;
    uint32_t state_txn; /* the first violation: the commit after which (ANOMALY_NONE: the
                           initial state) */
    int64_t state_seen, state_expected; /* the sum (rows present), and equals (value of of) */
    uint32_t view_txn;                  /* the first view violation */
    int64_t view_seen, view_expected;
} anomaly_invariant_result;

typedef struct anomaly_report {
    uint64_t committed, aborted, lost, open; /* transactions of the trace */
    uint64_t edges[ANOMALY_EDGE_KINDS];      /* edges of the DSG by kind */
    uint64_t count[ANOMALY_CLASSES];
    anomaly_example example[ANOMALY_CLASSES]; /* meaningful where count > 0 */
    anomaly_invariant_result *inv;            /* one per invariant given, in their order */
    size_t ninv;
} anomaly_report;

/* Analyses trace t against invariants inv[0 .. ninv-1] (borrowed) into *out (owned by the
 * caller; free with anomaly_report_free). Time O(E log E) for E events, plus for each rw edge
 * inside a cycle a search bounded by the transactions between its ends in a topological
 * order (docs/anomalies.md); memory linear in the trace. Returns 0, or -1 when out of
 * memory (*out then empty). */
int anomalies_analyze(const txn_trace *t, const anomaly_invariant *inv, size_t ninv,
                      anomaly_report *out);

/* Frees what a report holds; NULL-safe, and reusable after. */
void anomaly_report_free(anomaly_report *r);

/* How examples name things: client(ud, node) a node's name, key(ud, key) a key's name (NULL:
 * the number is written). Either hook may be NULL. */
typedef struct anomaly_names {
    const char *(*client)(const void *ud, uint32_t node);
    const char *(*key)(const void *ud, uint64_t key);
    const void *ud;
} anomaly_names;

/* Writes into buf (len bytes, always terminated) the one-line explanation of class c's example
 * for a learner, naming transactions "CLIENT#ATTEMPT"; returns the length it needed. */
size_t anomalies_explain(const txn_trace *t, const anomaly_report *r, anomaly_class c,
                         const anomaly_names *names, char *buf, size_t len);

/* "CLIENT#ATTEMPT" for transaction tx (trace index) into buf; returns buf. */
char *anomalies_txn_label(const txn_trace *t, uint32_t tx, const anomaly_names *names, char *buf,
                          size_t len);

/* A key's name, or its number, into buf; returns buf. */
char *anomalies_key_label(uint64_t key, const anomaly_names *names, char *buf, size_t len);

#endif
