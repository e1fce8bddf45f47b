/* The invariants a topology states (anomalies.h: a constant total, a count that matches a
 * key), checked two ways (anomaly_analysis.h): on every committed state, walking the commits in
 * order and updating the measure by each installed write's change (the previous version of a
 * key is the one before it in its version order, so no copy of the data is kept), and on every
 * committed transaction that read all of the invariant's keys (what a report or an audit query
 * would have shown). A read-skewed audit breaks the second without the first; a lost update
 * or a write skew breaks the first (Berenson et al. 1995, A5A and A5B; Fekete et al. 2005's
 * bank examples). */
#include "anomaly_int.h"

#include <stdlib.h>
#include <string.h>

static bool in_set(const anomaly_invariant *v, uint64_t key) {
    return (key >= v->lo && key < v->hi) || (v->kind == ANOMALY_COUNT && key == v->of);
}

/* The keys of [lo, hi) below rows: the ones present initially. */
static uint64_t initial_rows(const anomaly_invariant *v, uint64_t rows) {
    uint64_t hi = v->hi < rows ? v->hi : rows;
    return hi > v->lo ? hi - v->lo : 0;
}

static int seq_cmp(const void *a, const void *b) {
    const uint64_t *x = a, *y = b; /* {commit_seq, txn} */
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* The measure's error after the initial state and each commit, in commit order. */
static int check_states(const an_ctx *c, const uint64_t *order, size_t n,
                        anomaly_invariant_result *r) {
    const txn_trace *t = c->t;
    const anomaly_invariant *v = &r->inv;
    int64_t rows = (int64_t)initial_rows(v, t->rows);
    int64_t sum = rows * t->initial_value;
    int64_t of = v->kind == ANOMALY_COUNT && v->of < t->rows ? t->initial_value : 0;
    int64_t err = v->kind == ANOMALY_SUM ? sum - v->equals : rows - of;
    r->states = n + 1;
    r->state_txn = ANOMALY_NONE;
    if (err != 0) {
        r->state_violations++;
        r->state_seen = v->kind == ANOMALY_SUM ? sum : rows;
        r->state_expected = v->kind == ANOMALY_SUM ? v->equals : of;
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t x = (uint32_t)order[2 * k + 1];
        for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
            uint32_t ev = c->evs[i];
            if (!(c->flag[ev] & AN_INSTALLED) || !in_set(v, t->events[ev].key))
                continue;
            uint32_t vi = c->res[ev];
            const an_version *now = &c->ver[vi];
            bool was = now->key < t->rows;
            int64_t old = was ? t->initial_value : 0;
            if (vi > 0 && c->ver[vi - 1].key == now->key) {
                was = c->ver[vi - 1].present;
                old = was ? t->events[c->ver[vi - 1].ev].value : 0;
            }
            int64_t val = now->present ? t->events[now->ev].value : 0;
            if (now->key >= v->lo && now->key < v->hi) {
                sum += val - old;
                rows += (int64_t)now->present - (int64_t)was;
            }
            if (v->kind == ANOMALY_COUNT && now->key == v->of)
                of = val;
        }
        int64_t e = v->kind == ANOMALY_SUM ? sum - v->equals : rows - of;
        if (e != 0 && e != err && r->state_violations++ == 0) {
            r->state_txn = x;
            r->state_seen = v->kind == ANOMALY_SUM ? sum : rows;
            r->state_expected = v->kind == ANOMALY_SUM ? v->equals : of;
        }
        err = e;
    }
    return 0;
}

typedef struct obs {
    uint64_t key;
    uint32_t pos, ev;
} obs;

typedef struct span {
    uint64_t lo, hi;
    uint32_t pos, listed; /* listed: rows it matched (events after it) */
} span;

static int obs_cmp(const void *a, const void *b) {
    const obs *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int span_cmp(const void *a, const void *b) {
    const span *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->hi < y->hi ? -1 : x->hi > y->hi;
}

typedef struct view_scratch {
    obs *o;
    size_t no, capo;
    span *s, *m; /* the ranges, and their union (merged) */
    size_t ns, caps;
} view_scratch;

static int push(void **p, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 16;
    void *a = realloc(*p, c * size);
    if (!a)
        return -1;
    *p = a;
    *cap = c;
    return 0;
}

/* True (with what it saw) when x's first reads of key show it absent: a range read before
 * that did not list it. */
static bool absent_by_range(const view_scratch *w, uint64_t key, uint32_t first) {
    for (size_t i = 0; i < w->ns; i++) {
        const span *s = &w->s[i];
        if (key >= s->lo && key < s->hi && s->pos < first &&
            !(first > s->pos && first <= s->pos + s->listed))
            return true;
    }
    return false;
}

/* Whether x read every key of the invariant, and the error of what it saw. */
static int view_of(const an_ctx *c, view_scratch *w, uint32_t x, const anomaly_invariant *v,
                   bool *read_all, int64_t *seen, int64_t *expected) {
    const txn_trace *t = c->t;
    *read_all = false;
    w->no = w->ns = 0;
    for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
        uint32_t ev = c->evs[i], pos = (uint32_t)(i - c->ebeg[x]);
        const txn_event *e = &t->events[ev];
        if (e->kind == TXN_EV_READ && in_set(v, e->key)) {
            if (push((void **)&w->o, &w->capo, w->no, sizeof *w->o))
                return -1;
            w->o[w->no++] = (obs){e->key, pos, ev};
        } else if (e->kind == TXN_EV_RANGE && e->key < v->hi && e->key_end > v->lo) {
            if (push((void **)&w->s, &w->caps, w->ns, sizeof *w->s))
                return -1;
            uint32_t n = 0;
            for (size_t j = i + 1; j < c->ebeg[x + 1]; j++, n++) {
                const txn_event *f = &t->events[c->evs[j]];
                if (f->kind != TXN_EV_READ || !f->in_range)
                    break;
            }
            w->s[w->ns++] = (span){e->key, e->key_end, pos, n};
        }
    }
    size_t need = (size_t)(v->hi > v->lo ? v->hi - v->lo : 0);
    if (!w->ns && w->no < need)
        return 0; /* too few reads to cover the keys */
    if (w->no > 1)
        qsort(w->o, w->no, sizeof *w->o, obs_cmp);
    /* the union of the ranges, clipped to [lo, hi) */
    free(w->m);
    w->m = malloc((w->ns ? w->ns : 1) * sizeof *w->m);
    if (!w->m)
        return -1;
    if (w->ns)
        memcpy(w->m, w->s, w->ns * sizeof *w->s);
    if (w->ns > 1)
        qsort(w->m, w->ns, sizeof *w->m, span_cmp);
    size_t nm = 0;
    for (size_t i = 0; i < w->ns; i++) {
        span s = w->m[i];
        s.lo = s.lo < v->lo ? v->lo : s.lo;
        s.hi = s.hi > v->hi ? v->hi : s.hi;
        if (nm && s.lo <= w->m[nm - 1].hi) {
            if (s.hi > w->m[nm - 1].hi)
                w->m[nm - 1].hi = s.hi;
        } else {
            w->m[nm++] = s;
        }
    }
    uint64_t covered = 0;
    for (size_t i = 0; i < nm; i++)
        covered += w->m[i].hi - w->m[i].lo;
    int64_t sum = 0, rows = 0, of = 0;
    bool of_seen = false;
    for (size_t i = 0; i < w->no; i++) {
        if (i && w->o[i - 1].key == w->o[i].key)
            continue; /* the first read of each key only */
        const obs *o = &w->o[i];
        if (c->res[o->ev] == AN_OWN)
            return 0; /* it wrote the key before reading it: not a view of committed data */
        const txn_event *e = &t->events[o->ev];
        bool present = e->present && !absent_by_range(w, o->key, o->pos);
        if (o->key >= v->lo && o->key < v->hi) {
            bool in_union = false;
            for (size_t k = 0; k < nm && !in_union; k++)
                in_union = o->key >= w->m[k].lo && o->key < w->m[k].hi;
            if (!in_union)
                covered++;
            sum += present ? e->value : 0;
            rows += present;
        }
        if (v->kind == ANOMALY_COUNT && o->key == v->of) {
            of_seen = true;
            of = present ? e->value : 0;
        }
    }
    if (v->kind == ANOMALY_COUNT && !of_seen) {
        for (size_t k = 0; k < w->ns && !of_seen; k++)
            of_seen = v->of >= w->s[k].lo && v->of < w->s[k].hi; /* seen absent */
    }
    if (covered < need || (v->kind == ANOMALY_COUNT && !of_seen))
        return 0;
    *read_all = true;
    *seen = v->kind == ANOMALY_SUM ? sum : rows;
    *expected = v->kind == ANOMALY_SUM ? v->equals : of;
    return 0;
}

int an__invariants(an_ctx *c, const anomaly_invariant *inv, size_t ninv) {
    anomaly_report *out = c->out;
    if (!ninv)
        return 0;
    out->inv = calloc(ninv, sizeof *out->inv);
    uint64_t *order = malloc((c->nnodes ? 2 * (size_t)c->nnodes : 2) * sizeof *order);
    view_scratch w = {0};
    int rc = -1;
    if (!out->inv || !order)
        goto done;
    out->ninv = ninv;
    for (uint32_t k = 0; k < c->nnodes; k++) {
        order[2 * k] = c->t->txns[c->txn_of[k]].commit_seq;
        order[2 * k + 1] = c->txn_of[k];
    }
    if (c->nnodes > 1)
        qsort(order, c->nnodes, 2 * sizeof *order, seq_cmp);
    for (size_t i = 0; i < ninv; i++) {
        anomaly_invariant_result *r = &out->inv[i];
        r->inv = inv[i];
        r->view_txn = ANOMALY_NONE;
        check_states(c, order, c->nnodes, r);
        for (uint32_t k = 0; k < c->nnodes; k++) {
            bool all;
            int64_t seen, expected;
            if (view_of(c, &w, c->txn_of[k], &r->inv, &all, &seen, &expected))
                goto done;
            if (!all)
                continue;
            r->views++;
            if (seen != expected && r->view_violations++ == 0) {
                r->view_txn = c->txn_of[k];
                r->view_seen = seen;
                r->view_expected = expected;
            }
        }
    }
    rc = 0;
done:
    free(order);
    free(w.o);
    free(w.s);
    free(w.m);
    return rc;
}
