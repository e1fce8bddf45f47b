/* The anomaly examples in words: a transaction is "CLIENT#ATTEMPT", a key its script name or
 * number, a version its write id ("initial" for 0), and each class one line that says what
 * happened and why no serial order explains it (the phrasing of Adya 1999 ch. 4 and Berenson
 * et al. 1995 §2-4, for a learner). */
#include "anomaly_analysis.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

char *anomalies_txn_label(const txn_trace *t, uint32_t tx, const anomaly_names *names, char *buf,
                          size_t len) {
    if (tx == ANOMALY_NONE || tx >= t->ntxns) {
        snprintf(buf, len, "nobody");
        return buf;
    }
    const txn_record *r = &t->txns[tx];
    const char *client = names && names->client ? names->client(names->ud, r->client) : NULL;
    if (client)
        snprintf(buf, len, "%s#%" PRIu64, client, r->id);
    else
        snprintf(buf, len, "node%" PRIu32 "#%" PRIu64, r->client, r->id);
    return buf;
}

char *anomalies_key_label(uint64_t key, const anomaly_names *names, char *buf, size_t len) {
    const char *name = names && names->key ? names->key(names->ud, key) : NULL;
    if (name)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%" PRIu64, key);
    return buf;
}

typedef struct out {
    char *buf;
    size_t len, at;
} out;

static void put(out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = o->at < o->len ? o->buf + o->at : NULL;
    size_t room = o->at < o->len ? o->len - o->at : 0;
    int n = vsnprintf(p, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->at += (size_t)n;
}

static const char *ver(uint64_t wid, char *b, size_t n) {
    if (wid == 0)
        snprintf(b, n, "initial");
    else
        snprintf(b, n, "%" PRIu64, wid);
    return b;
}

/* One step of a cycle in words. */
static void step(out *o, const txn_trace *t, const anomaly_step *s, const anomaly_names *nm) {
    char a[96], b[96], k[96], v1[24], v2[24];
    anomalies_txn_label(t, s->from, nm, a, sizeof a);
    anomalies_txn_label(t, s->to, nm, b, sizeof b);
    anomalies_key_label(s->key, nm, k, sizeof k);
    ver(s->from_version, v1, sizeof v1);
    ver(s->to_version, v2, sizeof v2);
    switch (s->edge) {
    case ANOMALY_EDGE_WW:
        put(o, "%s installed %s@%s and %s the next version %s@%s (ww)", a, k, v1, b, k, v2);
        break;
    case ANOMALY_EDGE_WR:
        put(o, "%s read %s@%s, which %s installed (wr)", b, k, v1, a);
        break;
    case ANOMALY_EDGE_RW:
        put(o, "%s read %s@%s and %s installed the next version %s@%s (rw)", a, k, v1, b, k, v2);
        break;
    default:
        put(o,
            "%s's range read [%" PRIu64 ", %" PRIu64 ") missed %s's %s@%s, which changed its "
            "rows (predicate rw)",
            a, s->lo, s->hi, b, k, v2);
    }
}

static const char *moral[] = {
    [ANOMALY_G0] = "a cycle of overwrites (dirty writes): no serial order puts every key's "
                   "versions in this order",
    [ANOMALY_G1C] = "information flowed in a circle: each saw or overwrote the other's work",
    [ANOMALY_G_SINGLE] = "one anti-dependency closes a cycle of dependencies (the shape of "
                         "read skew and lost updates): no serial order explains every read",
    [ANOMALY_G2_ITEM] = "the cycle needs two or more anti-dependencies (the shape of write "
                        "skew): each ran as if the other had not",
    [ANOMALY_G2] = "the cycle needs a predicate anti-dependency (the shape of a phantom): a "
                   "range read missed a row that a serial order would have shown it",
};

size_t anomalies_explain(const txn_trace *t, const anomaly_report *r, anomaly_class c,
                         const anomaly_names *nm, char *buf, size_t len) {
    out o = {buf, len, 0};
    if (len)
        buf[0] = 0;
    if (c >= ANOMALY_CLASSES || r->count[c] == 0)
        return 0;
    const anomaly_example *x = &r->example[c];
    char a[96], b[96], k0[96], k1[96], v[4][24];
    anomalies_txn_label(t, x->txn[0], nm, a, sizeof a);
    anomalies_txn_label(t, x->txn[1], nm, b, sizeof b);
    anomalies_key_label(x->key[0], nm, k0, sizeof k0);
    anomalies_key_label(x->key[1], nm, k1, sizeof k1);
    for (int i = 0; i < 4; i++)
        ver(x->version[i], v[i], sizeof v[i]);
    switch (c) {
    case ANOMALY_G1A: {
        static const char *why[] = {"then aborted", "then was lost in a crash", "never finished",
                                    "then rolled back to a savepoint"};
        if (x->detail >= ANOMALY_WRITER_UNKNOWN)
            put(&o,
                "%s read %s@%s, a version no transaction of the trace wrote: it committed "
                "having seen data that never existed (aborted read)",
                a, k0, v[0]);
        else
            put(&o,
                "%s read %s@%s, written by %s, which %s: it committed having seen data that "
                "never existed (aborted read)",
                a, k0, v[0], b, why[x->detail]);
        break;
    }
    case ANOMALY_G1B:
        put(&o,
            "%s read %s@%s, an intermediate version %s overwrote itself before committing %s@%s "
            "(intermediate read)",
            a, k0, v[0], b, k0, v[1]);
        break;
    case ANOMALY_FUZZY_READ:
        put(&o, "%s read %s twice and got two versions, %s then %s (non-repeatable read)", a, k0,
            v[0], v[1]);
        break;
    case ANOMALY_LOST_UPDATE:
        put(&o,
            "%s and %s both read %s@%s and both wrote it (%s, %s): the later overwrote the "
            "other's update without seeing it (lost update)",
            a, b, k0, v[0], v[1], v[2]);
        break;
    case ANOMALY_READ_SKEW:
        put(&o,
            "%s saw %s's %s@%s but an older %s@%s, from before %s's %s@%s (read skew: a state "
            "that never existed)",
            a, b, k1, v[2], k0, v[0], b, k0, v[1]);
        break;
    case ANOMALY_WRITE_SKEW:
        put(&o,
            "%s read %s@%s and %s replaced it (%s); %s read %s@%s and %s replaced it (%s): each "
            "decided on data the other changed (write skew)",
            a, k0, v[0], b, v[1], b, k1, v[2], a, v[3]);
        break;
    case ANOMALY_PHANTOM:
        put(&o,
            "%s read the range [%" PRIu64 ", %" PRIu64 ") twice and row %s (%s@%s, by %s) %s "
            "in between (phantom)",
            a, x->lo, x->hi, k0, k0, v[0], b, x->detail ? "appeared" : "vanished");
        break;
    default: /* a cycle */
        for (size_t i = 0; i < x->cycle_len && i < ANOMALY_MAX_CYCLE; i++) {
            if (i)
                put(&o, "; ");
            step(&o, t, &x->cycle[i], nm);
        }
        if (x->cycle_len > ANOMALY_MAX_CYCLE)
            put(&o, "; ... (%zu steps in all)", x->cycle_len);
        put(&o, ": %s", moral[c]);
    }
    return o.at;
}
