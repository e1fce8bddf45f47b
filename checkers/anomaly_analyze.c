/* The analysis pipeline (anomaly_analysis.h): groups the trace's events by transaction, works
 * out which write of each transaction is installed (its last one of a key not rolled back to a
 * savepoint), lays out each key's version order (the commit order of its writers: txn/trace.h),
 * resolves every read of a committed transaction to a version, counting the dirty ones (G1a,
 * G1b; Adya 1999, §4.1.2-3), and builds the DSG's ww, wr, rw and predicate rw edges; then hands
 * over to the cycles, the phenomena and the invariants. */
#include "anomaly_int.h"

#include <stdlib.h>
#include <string.h>

const char *const anomaly_class_names[] = {
    "G0",          "G1a",          "G1b",       "G1c",        "G-single", "G2-item", "G2",
    "fuzzy_reads", "lost_updates", "read_skew", "write_skew", "phantoms", NULL};
const char *const anomaly_edge_names[] = {"ww", "wr", "rw", "rw_predicate", NULL};
const char *const anomaly_g1a_names[] = {"aborted", "lost", "open", "undone", "unknown", NULL};

size_t an__key_first(const an_ctx *c, uint64_t key) {
    size_t lo = 0, hi = c->nver;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->ver[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint32_t an__next_version(const an_ctx *c, uint64_t key, uint32_t res) {
    size_t i = res == AN_INITIAL ? an__key_first(c, key) : (size_t)res + 1;
    return i < c->nver && c->ver[i].key == key ? (uint32_t)i : AN_NOTHING;
}

static int ver_cmp(const void *a, const void *b) {
    const an_version *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A write event by its write id, for resolving reads. */
typedef struct wid_ev {
    uint64_t wid;
    uint32_t ev;
} wid_ev;

static int wid_cmp(const void *a, const void *b) {
    const wid_ev *x = a, *y = b;
    if (x->wid != y->wid)
        return x->wid < y->wid ? -1 : 1;
    return x->ev < y->ev ? -1 : x->ev > y->ev;
}

static uint32_t find_wid(const wid_ev *w, size_t n, uint64_t wid) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid].wid < wid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && w[lo].wid == wid ? w[lo].ev : AN_NOTHING;
}

/* Groups events by transaction (a stable counting sort). */
static int group_events(an_ctx *c) {
    const txn_trace *t = c->t;
    c->ebeg = calloc((size_t)c->ntx + 1, sizeof *c->ebeg);
    c->evs = malloc((t->nevents ? t->nevents : 1) * sizeof *c->evs);
    size_t *next = malloc(((size_t)c->ntx + 1) * sizeof *next);
    if (!c->ebeg || !c->evs || !next) {
        free(next);
        return -1;
    }
    for (size_t i = 0; i < t->nevents; i++)
        if (t->events[i].txn < c->ntx)
            c->ebeg[t->events[i].txn + 1]++;
    for (uint32_t i = 0; i < c->ntx; i++)
        c->ebeg[i + 1] += c->ebeg[i];
    memcpy(next, c->ebeg, ((size_t)c->ntx + 1) * sizeof *next);
    for (size_t i = 0; i < t->nevents; i++)
        if (t->events[i].txn < c->ntx)
            c->evs[next[t->events[i].txn]++] = (uint32_t)i;
    free(next);
    return 0;
}

/* Marks each transaction's undone and installed writes; lays out the version order. */
static int installed_writes(an_ctx *c) {
    const txn_trace *t = c->t;
    size_t cap = 0;
    for (uint32_t x = 0; x < c->ntx; x++) {
        for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
            const txn_event *e = &t->events[c->evs[i]];
            if (e->kind != TXN_EV_UNDO)
                continue;
            /* undo the writes of e->key after the one whose id is e->wid (0: all of them) */
            size_t from = c->ebeg[x];
            if (e->wid)
                for (size_t j = c->ebeg[x]; j < i; j++) {
                    const txn_event *w = &t->events[c->evs[j]];
                    if (w->kind == TXN_EV_WRITE && w->key == e->key && w->wid == e->wid)
                        from = j + 1;
                }
            for (size_t j = from; j < i; j++) {
                const txn_event *w = &t->events[c->evs[j]];
                if (w->kind == TXN_EV_WRITE && w->key == e->key)
                    c->flag[c->evs[j]] |= AN_UNDONE;
            }
        }
        if (t->txns[x].status != TXN_COMMITTED)
            continue;
        /* the last write of each key not undone: walking backwards, the first one met */
        for (size_t i = c->ebeg[x + 1]; i-- > c->ebeg[x];) {
            uint32_t ev = c->evs[i];
            const txn_event *e = &t->events[ev];
            if (e->kind != TXN_EV_WRITE || (c->flag[ev] & AN_UNDONE))
                continue;
            bool later = false;
            for (size_t j = i + 1; j < c->ebeg[x + 1] && !later; j++) {
                uint32_t ej = c->evs[j];
                later = (c->flag[ej] & AN_INSTALLED) && t->events[ej].key == e->key;
            }
            if (later)
                continue;
            c->flag[ev] |= AN_INSTALLED;
            if (c->nver == cap) {
                cap = cap ? 2 * cap : 64;
                an_version *a = realloc(c->ver, cap * sizeof *a);
                if (!a)
                    return -1;
                c->ver = a;
            }
            c->ver[c->nver++] = (an_version){.key = e->key,
                                             .wid = e->wid,
                                             .seq = t->txns[x].commit_seq,
                                             .txn = x,
                                             .ev = ev,
                                             .present = e->present};
        }
    }
    if (c->nver)
        qsort(c->ver, c->nver, sizeof *c->ver, ver_cmp);
    for (size_t i = 0; i < c->nver; i++)
        c->res[c->ver[i].ev] = (uint32_t)i;
    return 0;
}

static int edge(an_ctx *c, uint32_t from_tx, uint32_t to_tx, anomaly_edge kind, uint32_t ev,
                uint32_t aux) {
    if (from_tx == to_tx)
        return 0;
    c->out->edges[kind]++;
    return dsg_add(&c->g, (dsg_edge){.from = c->node_of[from_tx],
                                     .to = c->node_of[to_tx],
                                     .ev = ev,
                                     .aux = aux,
                                     .kind = (uint8_t)kind});
}

/* A dirty read's example and count, once per (reader, writer) pair. */
static void dirty(an_ctx *c, anomaly_class cl, uint32_t *seen, uint32_t reader, uint32_t writer,
                  const txn_event *e, uint64_t installed, anomaly_g1a_why why) {
    if (writer != ANOMALY_NONE) {
        if (seen[writer] == reader + 1)
            return;
        seen[writer] = reader + 1;
    }
    anomaly_report *o = c->out;
    if (o->count[cl]++ == 0)
        o->example[cl] = (anomaly_example){.txn = {reader, writer},
                                           .key = {e->key, 0},
                                           .version = {e->wid, installed, 0, 0},
                                           .detail = (uint8_t)why};
}

/* Resolves the reads of committed transactions; the G1a, G1b counts; wr and rw edges. */
static int resolve_reads(an_ctx *c) {
    const txn_trace *t = c->t;
    size_t nw = 0;
    for (size_t i = 0; i < t->nevents; i++)
        nw += t->events[i].kind == TXN_EV_WRITE;
    wid_ev *w = malloc((nw ? nw : 1) * sizeof *w);
    uint32_t *seen_a = malloc(((size_t)c->ntx + 1) * sizeof *seen_a);
    uint32_t *seen_b = malloc(((size_t)c->ntx + 1) * sizeof *seen_b);
    int rc = -1;
    if (!w || !seen_a || !seen_b)
        goto out;
    for (uint32_t x = 0; x <= c->ntx; x++)
        seen_a[x] = seen_b[x] = 0;
    nw = 0;
    for (size_t i = 0; i < t->nevents; i++)
        if (t->events[i].kind == TXN_EV_WRITE)
            w[nw++] = (wid_ev){t->events[i].wid, (uint32_t)i};
    if (nw)
        qsort(w, nw, sizeof *w, wid_cmp);
    for (uint32_t x = 0; x < c->ntx; x++) {
        if (t->txns[x].status != TXN_COMMITTED)
            continue;
        bool unknown_seen = false;
        for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
            uint32_t ev = c->evs[i];
            const txn_event *e = &t->events[ev];
            if (e->kind != TXN_EV_READ)
                continue;
            if (e->wid == 0) {
                c->res[ev] = AN_INITIAL;
            } else {
                uint32_t wev = find_wid(w, nw, e->wid);
                if (wev == AN_NOTHING || t->events[wev].key != e->key) {
                    c->res[ev] = AN_DIRTY;
                    if (!unknown_seen)
                        dirty(c, ANOMALY_G1A, seen_a, x, ANOMALY_NONE, e, 0,
                              ANOMALY_WRITER_UNKNOWN);
                    unknown_seen = true;
                    continue;
                }
                uint32_t wr = t->events[wev].txn;
                if (wr == x) {
                    c->res[ev] = AN_OWN;
                    continue;
                }
                uint8_t st = t->txns[wr].status;
                if (st != TXN_COMMITTED || (c->flag[wev] & AN_UNDONE)) {
                    c->res[ev] = AN_DIRTY;
                    anomaly_g1a_why why = st == TXN_ABORTED ? ANOMALY_WRITER_ABORTED
                                          : st == TXN_LOST  ? ANOMALY_WRITER_LOST
                                          : st == TXN_OPEN  ? ANOMALY_WRITER_OPEN
                                                            : ANOMALY_WRITE_UNDONE;
                    dirty(c, ANOMALY_G1A, seen_a, x, wr, e, 0, why);
                    continue;
                }
                if (!(c->flag[wev] & AN_INSTALLED)) {
                    c->res[ev] = AN_DIRTY;
                    /* the writer's installed write of the key, for the example */
                    uint64_t inst = 0;
                    for (size_t j = c->ebeg[wr]; j < c->ebeg[wr + 1]; j++) {
                        const txn_event *f = &t->events[c->evs[j]];
                        if ((c->flag[c->evs[j]] & AN_INSTALLED) && f->key == e->key)
                            inst = f->wid;
                    }
                    dirty(c, ANOMALY_G1B, seen_b, x, wr, e, inst, 0);
                    continue;
                }
                c->res[ev] = c->res[wev];
                if (edge(c, wr, x, ANOMALY_EDGE_WR, ev, c->res[ev]))
                    goto out;
            }
            uint32_t nx = an__next_version(c, e->key, c->res[ev]);
            if (nx != AN_NOTHING && edge(c, x, c->ver[nx].txn, ANOMALY_EDGE_RW, ev, nx))
                goto out;
        }
    }
    rc = 0;
out:
    free(w);
    free(seen_a);
    free(seen_b);
    return rc;
}

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* For each version index i, the first version of its key at or after i that is present
 * (next[2i + 1]) and absent (next[2i]): a backward pass, so a range read over a hot key pays
 * O(1) per key, not its number of versions. */
static uint32_t *presence_steps(const an_ctx *c) {
    uint32_t *next = malloc((c->nver ? 2 * c->nver : 1) * sizeof *next);
    if (!next)
        return NULL;
    for (size_t i = c->nver; i-- > 0;) {
        bool same = i + 1 < c->nver && c->ver[i + 1].key == c->ver[i].key;
        for (int p = 0; p < 2; p++)
            next[2 * i + p] = c->ver[i].present == (p == 1) ? (uint32_t)i
                              : same                        ? next[2 * (i + 1) + p]
                                                            : AN_NOTHING;
    }
    return next;
}

/* The first version of key at or after index i whose presence is `present`. */
static uint32_t next_with(const an_ctx *c, const uint32_t *steps, uint64_t key, size_t i,
                          bool present) {
    if (i >= c->nver || c->ver[i].key != key)
        return AN_NOTHING;
    return steps[2 * i + (present ? 1 : 0)];
}

/* Predicate rw edges (Adya 1999, §3.2.4, "overwrites a predicate-based read"): from each
 * range read of a committed transaction to the writer of the first later version that changes
 * whether a row of the range matches (present). The later ones follow it in their key's ww
 * order, so the first one is enough for every cycle. */
static int predicate_edges(an_ctx *c) {
    const txn_trace *t = c->t;
    uint64_t *listed = NULL;
    size_t cap = 0;
    int rc = -1;
    uint32_t *steps = presence_steps(c);
    if (!steps)
        return -1;
    for (uint32_t x = 0; x < c->ntx; x++) {
        if (t->txns[x].status != TXN_COMMITTED)
            continue;
        for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
            uint32_t rev = c->evs[i];
            const txn_event *r = &t->events[rev];
            if (r->kind != TXN_EV_RANGE)
                continue;
            size_t n = 0, j = i + 1;
            for (; j < c->ebeg[x + 1]; j++) {
                const txn_event *e = &t->events[c->evs[j]];
                if (e->kind != TXN_EV_READ || !e->in_range)
                    break;
                if (n == cap) {
                    cap = cap ? 2 * cap : 16;
                    uint64_t *a = realloc(listed, cap * 2 * sizeof *a);
                    if (!a)
                        goto out;
                    listed = a;
                }
                listed[2 * n] = e->key;
                listed[2 * n + 1] = c->evs[j];
                n++;
            }
            if (n > 1)
                qsort(listed, n, 2 * sizeof *listed, u64_cmp);
            size_t k = an__key_first(c, r->key);
            while (k < c->nver && c->ver[k].key < r->key_end) {
                uint64_t key = c->ver[k].key;
                size_t lo = 0, hi = n;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (listed[2 * mid] < key)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                uint32_t changer = AN_NOTHING;
                if (lo < n && listed[2 * lo] == key) {
                    uint32_t res = c->res[listed[2 * lo + 1]];
                    if (an__is_version(res)) /* it matched: the first later absent version */
                        changer = next_with(c, steps, key, res == AN_INITIAL ? k : (size_t)res + 1,
                                            false);
                } else if (key >= t->rows) { /* unmatched: it saw the initial absence */
                    changer = next_with(c, steps, key, k, true);
                } else { /* unmatched, present at first: it saw the first absence */
                    uint32_t gone = next_with(c, steps, key, k, false);
                    if (gone != AN_NOTHING)
                        changer = next_with(c, steps, key, (size_t)gone + 1, true);
                }
                if (changer != AN_NOTHING &&
                    edge(c, x, c->ver[changer].txn, ANOMALY_EDGE_RW_PREDICATE, rev, changer))
                    goto out;
                while (k < c->nver && c->ver[k].key == key)
                    k++;
            }
            i = j - 1;
        }
    }
    rc = 0;
out:
    free(listed);
    free(steps);
    return rc;
}

static int ww_edges(an_ctx *c) {
    for (size_t i = 0; i + 1 < c->nver; i++)
        if (c->ver[i].key == c->ver[i + 1].key &&
            edge(c, c->ver[i].txn, c->ver[i + 1].txn, ANOMALY_EDGE_WW, c->ver[i + 1].ev,
                 (uint32_t)i))
            return -1;
    return 0;
}

static void ctx_free(an_ctx *c) {
    free(c->ebeg);
    free(c->evs);
    free(c->flag);
    free(c->res);
    free(c->ver);
    free(c->node_of);
    free(c->txn_of);
    dsg_free(&c->g);
}

void anomaly_report_free(anomaly_report *r) {
    if (!r)
        return;
    free(r->inv);
    memset(r, 0, sizeof *r);
}

int anomalies_analyze(const txn_trace *t, const anomaly_invariant *inv, size_t ninv,
                      anomaly_report *out) {
    memset(out, 0, sizeof *out);
    if (t->ntxns >= UINT32_MAX - 4 || t->nevents >= UINT32_MAX - 4)
        return -1; /* indices are 32 bits */
    an_ctx c = {.t = t, .ntx = (uint32_t)t->ntxns, .out = out};
    size_t nev = t->nevents ? t->nevents : 1, ntx = c.ntx ? c.ntx : 1;
    c.flag = calloc(nev, sizeof *c.flag);
    c.res = malloc(nev * sizeof *c.res);
    c.node_of = malloc(ntx * sizeof *c.node_of);
    c.txn_of = malloc(ntx * sizeof *c.txn_of);
    if (!c.flag || !c.res || !c.node_of || !c.txn_of)
        goto fail;
    for (size_t i = 0; i < t->nevents; i++)
        c.res[i] = AN_NOTHING;
    for (uint32_t x = 0; x < c.ntx; x++) {
        c.node_of[x] = DSG_NONE;
        switch (t->txns[x].status) {
        case TXN_COMMITTED:
            out->committed++;
            c.txn_of[c.nnodes] = x;
            c.node_of[x] = c.nnodes++;
            break;
        case TXN_ABORTED:
            out->aborted++;
            break;
        case TXN_LOST:
            out->lost++;
            break;
        default:
            out->open++;
        }
    }
    if (group_events(&c) || installed_writes(&c) || dsg_init(&c.g, c.nnodes) || ww_edges(&c) ||
        resolve_reads(&c) || predicate_edges(&c) || dsg_seal(&c.g) || an__cycles(&c) ||
        an__phenomena(&c) || an__invariants(&c, inv, ninv))
        goto fail;
    ctx_free(&c);
    return 0;
fail:
    ctx_free(&c);
    anomaly_report_free(out);
    return -1;
}
