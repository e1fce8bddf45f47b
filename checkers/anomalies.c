/* The anomaly checker (anomalies.h): holds each database cluster's trace, its invariants and
 * the script's key names through the run; at the settle runs the analysis
 * (anomaly_analysis.h) on every cluster, and writes the counts, totals and one example per
 * class, with its explanation, under "anomalies" (docs/anomalies.md). */
#include "anomalies.h"
#include "array.h"

#include "anomaly_analysis.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cluster {
    uint32_t store;
    txn_trace trace;
    anomaly_invariant *inv;
    size_t ninv, capinv;
    anomaly_report rep;
    bool traced; /* anomalies_trace gave its rows (an invariant may come first) */
    bool analysed;
} cluster;

typedef struct key_name {
    uint64_t key;
    char *name;
} key_name;

struct anomalies {
    const sim_topology *topo;
    cluster **cl; /* each allocated apart: anomalies_trace's pointer stays valid */
    size_t ncl, capcl;
    key_name *names;
    size_t nnames, capnames;
};

static cluster *cluster_of(anomalies *a, uint32_t store) {
    for (size_t i = 0; i < a->ncl; i++)
        if (a->cl[i]->store == store)
            return a->cl[i];
    return NULL;
}

/* The cluster of store, created (in store order: the document lists them so) when absent. */
static cluster *cluster_at(anomalies *a, uint32_t store) {
    cluster *c = cluster_of(a, store);
    if (c)
        return c;
    if (sim_array_grow((void **)&a->cl, &a->capcl, a->ncl + 1, sizeof *a->cl) ||
        !(c = calloc(1, sizeof *c)))
        return NULL;
    c->store = store;
    txn_trace_init(&c->trace, 0, 0);
    size_t i = a->ncl++;
    while (i > 0 && a->cl[i - 1]->store > store) {
        a->cl[i] = a->cl[i - 1];
        i--;
    }
    a->cl[i] = c;
    return c;
}

txn_trace *anomalies_trace(anomalies *a, uint32_t store, uint64_t rows, int64_t initial_value) {
    cluster *c = cluster_at(a, store);
    if (!c)
        return NULL;
    if (!c->traced) {
        txn_trace_free(&c->trace);
        txn_trace_init(&c->trace, rows, initial_value);
        c->traced = true;
    }
    return &c->trace;
}

int anomalies_invariant(anomalies *a, uint32_t store, const anomaly_invariant *inv) {
    cluster *c = cluster_at(a, store);
    if (!c || sim_array_grow((void **)&c->inv, &c->capinv, c->ninv + 1, sizeof *c->inv))
        return -1;
    c->inv[c->ninv++] = *inv;
    return 0;
}

/* The position of key in the names (sorted by key): its entry, or where it would go. */
static size_t name_slot(const anomalies *a, uint64_t key) {
    size_t lo = 0, hi = a->nnames;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->names[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int anomalies_name_key(anomalies *a, uint64_t key, const char *name) {
    size_t lo = name_slot(a, key);
    if (lo < a->nnames && a->names[lo].key == key)
        return 0; /* the first name given stays */
    if (sim_array_grow((void **)&a->names, &a->capnames, a->nnames + 1, sizeof *a->names))
        return -1;
    char *copy = strdup(name);
    if (!copy)
        return -1;
    memmove(a->names + lo + 1, a->names + lo, (a->nnames - lo) * sizeof *a->names);
    a->names[lo] = (key_name){key, copy};
    a->nnames++;
    return 0;
}

static const char *key_name_of(const void *ud, uint64_t key) {
    const anomalies *a = ud;
    size_t lo = name_slot(a, key);
    return lo < a->nnames && a->names[lo].key == key ? a->names[lo].name : NULL;
}

static const char *node_name_of(const void *ud, uint32_t node) {
    const anomalies *a = ud;
    return a->topo && node < a->topo->nnodes ? a->topo->nodes[node].name : NULL;
}

/* ---- the document ---- */

static void key_field(sim_report *w, const char *field, uint64_t key, const anomaly_names *nm) {
    char b[96];
    sim_report_string(w, field, anomalies_key_label(key, nm, b, sizeof b));
}

static void txn_field(sim_report *w, const char *field, const txn_trace *t, uint32_t tx,
                      const anomaly_names *nm) {
    char b[96];
    sim_report_string(w, field, anomalies_txn_label(t, tx, nm, b, sizeof b));
}

static void version_field(sim_report *w, const char *field, uint64_t wid) {
    sim_report_int(w, field, (int64_t)wid);
}

static void write_example(sim_report *w, const txn_trace *t, const anomaly_report *r,
                          anomaly_class c, const anomaly_names *nm) {
    const anomaly_example *x = &r->example[c];
    sim_report_open(w, "example");
    size_t need = anomalies_explain(t, r, c, nm, NULL, 0) + 1;
    char *text = malloc(need);
    if (text) {
        anomalies_explain(t, r, c, nm, text, need);
        sim_report_string(w, "explanation", text);
        free(text);
    }
    switch (c) {
    case ANOMALY_G1A:
    case ANOMALY_G1B:
    case ANOMALY_FUZZY_READ:
        txn_field(w, "reader", t, x->txn[0], nm);
        txn_field(w, "writer", t, x->txn[1], nm);
        key_field(w, "key", x->key[0], nm);
        if (c == ANOMALY_G1A) {
            version_field(w, "version", x->version[0]);
            sim_report_string(w, "writer_status", anomaly_g1a_names[x->detail]);
        } else if (c == ANOMALY_G1B) {
            version_field(w, "version", x->version[0]);
            version_field(w, "installed", x->version[1]);
        } else {
            version_field(w, "first_version", x->version[0]);
            version_field(w, "second_version", x->version[1]);
        }
        break;
    case ANOMALY_LOST_UPDATE:
        txn_field(w, "first", t, x->txn[0], nm);
        txn_field(w, "second", t, x->txn[1], nm);
        key_field(w, "key", x->key[0], nm);
        version_field(w, "read_version", x->version[0]);
        version_field(w, "first_installed", x->version[1]);
        version_field(w, "second_installed", x->version[2]);
        break;
    case ANOMALY_READ_SKEW:
        txn_field(w, "reader", t, x->txn[0], nm);
        txn_field(w, "writer", t, x->txn[1], nm);
        sim_report_open(w, "old");
        key_field(w, "key", x->key[0], nm);
        version_field(w, "read", x->version[0]);
        version_field(w, "writer_installed", x->version[1]);
        sim_report_close(w);
        sim_report_open(w, "new");
        key_field(w, "key", x->key[1], nm);
        version_field(w, "read", x->version[2]);
        sim_report_close(w);
        break;
    case ANOMALY_WRITE_SKEW:
        txn_field(w, "first", t, x->txn[0], nm);
        txn_field(w, "second", t, x->txn[1], nm);
        for (int i = 0; i < 2; i++) {
            sim_report_open(w, i ? "second_read" : "first_read");
            key_field(w, "key", x->key[i], nm);
            version_field(w, "read", x->version[2 * i]);
            version_field(w, "next", x->version[2 * i + 1]);
            sim_report_close(w);
        }
        break;
    case ANOMALY_PHANTOM:
        txn_field(w, "reader", t, x->txn[0], nm);
        txn_field(w, "writer", t, x->txn[1], nm);
        sim_report_int(w, "range_lo", (int64_t)x->lo);
        sim_report_int(w, "range_hi", (int64_t)x->hi);
        key_field(w, "row", x->key[0], nm);
        version_field(w, "version", x->version[0]);
        sim_report_string(w, "change", x->detail ? "appeared" : "vanished");
        break;
    default:
        sim_report_int(w, "length", (int64_t)x->cycle_len);
        sim_report_open_array(w, "cycle");
        for (size_t i = 0; i < x->cycle_len && i < ANOMALY_MAX_CYCLE; i++) {
            const anomaly_step *s = &x->cycle[i];
            sim_report_open(w, NULL);
            txn_field(w, "from", t, s->from, nm);
            txn_field(w, "to", t, s->to, nm);
            sim_report_string(w, "edge", anomaly_edge_names[s->edge]);
            key_field(w, "key", s->key, nm);
            version_field(w, "from_version", s->from_version);
            version_field(w, "to_version", s->to_version);
            if (s->edge == ANOMALY_EDGE_RW_PREDICATE) {
                sim_report_int(w, "range_lo", (int64_t)s->lo);
                sim_report_int(w, "range_hi", (int64_t)s->hi);
            }
            sim_report_close(w);
        }
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void write_totals(sim_report *w, uint64_t committed, uint64_t aborted, uint64_t lost,
                         uint64_t open) {
    sim_report_open(w, "transactions");
    sim_report_int(w, "committed", (int64_t)committed);
    sim_report_int(w, "aborted", (int64_t)aborted);
    sim_report_int(w, "lost", (int64_t)lost);
    sim_report_int(w, "open", (int64_t)open);
    sim_report_close(w);
}

static void write_invariant(sim_report *w, const txn_trace *t, const anomaly_invariant_result *r,
                            const anomaly_names *nm) {
    char b[96];
    sim_report_open(w, r->inv.name ? r->inv.name : "invariant");
    sim_report_int(w, "states", (int64_t)r->states);
    sim_report_int(w, "state_violations", (int64_t)r->state_violations);
    sim_report_int(w, "views", (int64_t)r->views);
    sim_report_int(w, "view_violations", (int64_t)r->view_violations);
    const char *what = r->inv.kind == ANOMALY_SUM ? "sum" : "rows";
    const char *want = r->inv.kind == ANOMALY_SUM ? "equals" : "count_key";
    if (r->state_violations) {
        sim_report_open(w, "state_example");
        if (r->state_txn == ANOMALY_NONE)
            sim_report_string(w, "after", "initial");
        else
            txn_field(w, "after", t, r->state_txn, nm);
        sim_report_int(w, what, r->state_seen);
        sim_report_int(w, want, r->state_expected);
        char line[400];
        snprintf(line, sizeof line,
                 "after %s committed, the %s was %" PRId64 " where it should be %" PRId64,
                 r->state_txn == ANOMALY_NONE
                     ? "nothing"
                     : anomalies_txn_label(t, r->state_txn, nm, b, sizeof b),
                 r->inv.kind == ANOMALY_SUM ? "total" : "count of rows", r->state_seen,
                 r->state_expected);
        sim_report_string(w, "explanation", line);
        sim_report_close(w);
    }
    if (r->view_violations) {
        sim_report_open(w, "view_example");
        txn_field(w, "reader", t, r->view_txn, nm);
        sim_report_int(w, what, r->view_seen);
        sim_report_int(w, want, r->view_expected);
        char line[400];
        snprintf(line, sizeof line,
                 "%s read every key and saw a %s of %" PRId64 " where it should be %" PRId64,
                 anomalies_txn_label(t, r->view_txn, nm, b, sizeof b),
                 r->inv.kind == ANOMALY_SUM ? "total" : "count of rows", r->view_seen,
                 r->view_expected);
        sim_report_string(w, "explanation", line);
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void report(const void *checker, sim_report *w) {
    const anomalies *a = checker;
    anomaly_names nm = {.client = node_name_of, .key = key_name_of, .ud = a};
    uint64_t tot[4] = {0}, count[ANOMALY_CLASSES] = {0}, inv = 0;
    for (size_t i = 0; i < a->ncl; i++) {
        const anomaly_report *r = &a->cl[i]->rep;
        tot[0] += r->committed, tot[1] += r->aborted, tot[2] += r->lost, tot[3] += r->open;
        for (int c = 0; c < ANOMALY_CLASSES; c++)
            count[c] += r->count[c];
        for (size_t k = 0; k < r->ninv; k++)
            inv += r->inv[k].state_violations + r->inv[k].view_violations;
    }
    write_totals(w, tot[0], tot[1], tot[2], tot[3]);
    for (int c = 0; c < ANOMALY_CLASSES; c++)
        sim_report_int(w, anomaly_class_names[c], (int64_t)count[c]);
    sim_report_int(w, "invariant_violations", (int64_t)inv);
    sim_report_open(w, "clusters");
    for (size_t i = 0; i < a->ncl; i++) {
        const cluster *cl = a->cl[i];
        const anomaly_report *r = &cl->rep;
        char b[24];
        /* A cluster is the database's group: named as written ("db", not "db.0"). */
        const char *name =
            a->topo && cl->store < a->topo->nnodes ? a->topo->nodes[cl->store].group : NULL;
        if (!name) {
            snprintf(b, sizeof b, "%" PRIu32, cl->store);
            name = b;
        }
        sim_report_open(w, name);
        write_totals(w, r->committed, r->aborted, r->lost, r->open);
        if (cl->trace.out_of_memory)
            sim_report_bool(w, "incomplete", true);
        sim_report_open(w, "edges");
        for (int k = 0; k < ANOMALY_EDGE_KINDS; k++)
            sim_report_int(w, anomaly_edge_names[k], (int64_t)r->edges[k]);
        sim_report_close(w);
        for (int c = 0; c < ANOMALY_CLASSES; c++) {
            sim_report_open(w, anomaly_class_names[c]);
            sim_report_int(w, "count", (int64_t)r->count[c]);
            if (r->count[c])
                write_example(w, &cl->trace, r, (anomaly_class)c, &nm);
            sim_report_close(w);
        }
        sim_report_open(w, "invariants");
        for (size_t k = 0; k < r->ninv; k++)
            write_invariant(w, &cl->trace, &r->inv[k], &nm);
        sim_report_close(w);
        sim_report_close(w);
    }
    sim_report_close(w);
}

/* ---- the checker kind ---- */

static void *create(const sim_topology *topo) {
    anomalies *a = calloc(1, sizeof *a);
    if (a)
        a->topo = topo;
    return a;
}

static int settle(void *checker) {
    anomalies *a = checker;
    for (size_t i = 0; i < a->ncl; i++) {
        cluster *c = a->cl[i];
        if (c->analysed)
            continue;
        if (anomalies_analyze(&c->trace, c->inv, c->ninv, &c->rep))
            return -1;
        c->analysed = true;
    }
    return 0;
}

static bool is_reported(const void *checker) {
    const anomalies *a = checker;
    for (size_t i = 0; i < a->ncl; i++)
        if (a->cl[i]->trace.ntxns)
            return true;
    return false;
}

static void destroy(void *checker) {
    anomalies *a = checker;
    if (!a)
        return;
    for (size_t i = 0; i < a->ncl; i++) {
        txn_trace_free(&a->cl[i]->trace);
        free(a->cl[i]->inv);
        anomaly_report_free(&a->cl[i]->rep);
        free(a->cl[i]);
    }
    free(a->cl);
    for (size_t i = 0; i < a->nnames; i++)
        free(a->names[i].name);
    free(a->names);
    free(a);
}

#define CLASS_FIGURES(p)                                                                           \
    p "G0", p "G1a", p "G1b", p "G1c", p "G-single", p "G2-item", p "G2", p "fuzzy_reads",         \
        p "lost_updates", p "read_skew", p "write_skew", p "phantoms"
#define CLUSTER_CLASS(c) "clusters.*." c ".count"

static const char *const figures[] = {
    "transactions.committed", "transactions.aborted", "transactions.lost", "transactions.open",
    CLASS_FIGURES(""), "invariant_violations", "clusters.*.transactions.committed",
    "clusters.*.transactions.aborted", "clusters.*.transactions.lost",
    "clusters.*.transactions.open", "clusters.*.edges.ww", "clusters.*.edges.wr",
    "clusters.*.edges.rw", "clusters.*.edges.rw_predicate", CLUSTER_CLASS("G0"),
    CLUSTER_CLASS("G1a"), CLUSTER_CLASS("G1b"), CLUSTER_CLASS("G1c"), CLUSTER_CLASS("G-single"),
    CLUSTER_CLASS("G2-item"), CLUSTER_CLASS("G2"), CLUSTER_CLASS("fuzzy_reads"),
    CLUSTER_CLASS("lost_updates"), CLUSTER_CLASS("read_skew"), CLUSTER_CLASS("write_skew"),
    CLUSTER_CLASS("phantoms"),
    /* the examples' numbers (the middle segment is the class) */
    "clusters.*.*.example.length", "clusters.*.*.example.version", "clusters.*.*.example.installed",
    "clusters.*.*.example.first_version", "clusters.*.*.example.second_version",
    "clusters.*.*.example.read_version", "clusters.*.*.example.first_installed",
    "clusters.*.*.example.second_installed", "clusters.*.*.example.old.read",
    "clusters.*.*.example.old.writer_installed", "clusters.*.*.example.new.read",
    "clusters.*.*.example.first_read.read", "clusters.*.*.example.first_read.next",
    "clusters.*.*.example.second_read.read", "clusters.*.*.example.second_read.next",
    "clusters.*.*.example.range_lo", "clusters.*.*.example.range_hi",
    "clusters.*.invariants.*.states", "clusters.*.invariants.*.state_violations",
    "clusters.*.invariants.*.views", "clusters.*.invariants.*.view_violations",
    "clusters.*.invariants.*.state_example.sum", "clusters.*.invariants.*.state_example.equals",
    "clusters.*.invariants.*.state_example.rows", "clusters.*.invariants.*.state_example.count_key",
    "clusters.*.invariants.*.view_example.sum", "clusters.*.invariants.*.view_example.equals",
    "clusters.*.invariants.*.view_example.rows", "clusters.*.invariants.*.view_example.count_key",
    NULL};

const sim_checker_kind dsim_anomalies_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "anomalies",
    .create = create,
    .settle = settle,
    .is_reported = is_reported,
    .report = report,
    .free = destroy,
    .figures = figures,
};
