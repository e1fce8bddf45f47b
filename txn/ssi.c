/* Serializable snapshot isolation (ssi.h): records, SIREAD locks by key and by range, edges,
 * and the dangerous-structure test. */
#include "ssi.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

void txn_ssi_init(txn_ssi *s) {
    memset(s, 0, sizeof *s);
    txn_keymap_init(&s->by_key);
    s->committed_head = s->committed_tail = NONE;
}

void txn_ssi_free(txn_ssi *s) {
    for (uint32_t i = 0; i < s->nx; i++) {
        free(s->x[i].in);
        free(s->x[i].out);
        free(s->x[i].reads);
    }
    for (uint32_t i = 0; i < s->nsr; i++)
        free(s->sr[i].sx);
    free(s->x);
    free(s->free_x);
    free(s->sr);
    free(s->free_sr);
    free(s->ranges);
    txn_keymap_free(&s->by_key);
    memset(s, 0, sizeof *s);
}

/* The slot of record id, or NONE when id is 0 or stale. */
static uint32_t slot_of(const txn_ssi *s, uint64_t id) {
    if (id == 0)
        return NONE;
    uint32_t i = (uint32_t)(id & 0xffffffffu);
    if (i >= s->nx || !s->x[i].used || s->x[i].gen != (uint32_t)(id >> 32))
        return NONE;
    return i;
}

uint64_t txn_ssi_begin(txn_ssi *s, uint64_t snap) {
    uint32_t i;
    if (s->nfree) {
        i = s->free_x[--s->nfree];
    } else {
        if (!txn_grow((void **)&s->x, &s->capx, s->nx, sizeof *s->x))
            return 0;
        i = s->nx++;
        memset(&s->x[i], 0, sizeof s->x[i]);
    }
    txn_ssi_x *x = &s->x[i];
    x->gen++;
    x->used = true;
    x->committed = x->doomed = false;
    x->snap = snap;
    x->cseq = 0;
    x->nin = x->nout = x->nreads = 0;
    x->next_committed = NONE;
    x->out_gone = 0;
    return ((uint64_t)x->gen << 32) | i;
}

bool txn_ssi_doomed(const txn_ssi *s, uint64_t id) {
    uint32_t i = slot_of(s, id);
    return i != NONE && s->x[i].doomed;
}

int txn_ssi_read(txn_ssi *s, uint64_t id, uint64_t key) {
    uint32_t i = slot_of(s, id);
    if (i == NONE)
        return 0;
    uint32_t r;
    if (!txn_keymap_get(&s->by_key, key, &r)) {
        if (s->nfree_sr) {
            r = s->free_sr[--s->nfree_sr];
        } else {
            if (!txn_grow((void **)&s->sr, &s->capsr, s->nsr, sizeof *s->sr))
                return -1;
            r = s->nsr++;
            memset(&s->sr[r], 0, sizeof s->sr[r]);
        }
        s->sr[r].n = 0;
        if (txn_keymap_put(&s->by_key, key, r) != 0)
            return -1;
    }
    txn_ssi_siread *sr = &s->sr[r];
    for (uint32_t k = 0; k < sr->n; k++)
        if (sr->sx[k] == i)
            return 0;
    txn_ssi_x *x = &s->x[i];
    if (!txn_grow((void **)&sr->sx, &sr->cap, sr->n, sizeof *sr->sx) ||
        !txn_grow((void **)&x->reads, &x->capreads, x->nreads, sizeof *x->reads))
        return -1;
    sr->sx[sr->n++] = i;
    x->reads[x->nreads++] = key;
    return 0;
}

int txn_ssi_read_range(txn_ssi *s, uint64_t id, uint64_t lo, uint64_t hi) {
    uint32_t i = slot_of(s, id);
    if (i == NONE)
        return 0;
    if (!txn_grow((void **)&s->ranges, &s->capranges, s->nranges, sizeof *s->ranges))
        return -1;
    s->ranges[s->nranges++] = (txn_ssi_range){i, lo, hi};
    return 0;
}

static bool has(const uint32_t *a, uint32_t n, uint32_t v) {
    for (uint32_t k = 0; k < n; k++)
        if (a[k] == v)
            return true;
    return false;
}

/* Tin -rw-> P -rw-> Tout is dangerous when Tout committed before P and before Tin (Tin may
 * be Tout itself: a two-transaction cycle). */
static bool dangerous(const txn_ssi *s, uint32_t p, uint32_t tin, uint32_t tout) {
    const txn_ssi_x *P = &s->x[p], *I = &s->x[tin], *O = &s->x[tout];
    if (!O->committed)
        return false;
    if (P->committed && P->cseq < O->cseq)
        return false;
    if (tin != tout && I->committed && I->cseq < O->cseq)
        return false;
    return true;
}

/* The same test against a forgotten Tout that committed at stamp gone (never Tin: a
 * forgotten record has no edges left). */
static bool dangerous_gone(const txn_ssi *s, uint32_t p, uint32_t tin, uint64_t gone) {
    const txn_ssi_x *P = &s->x[p], *I = &s->x[tin];
    if (P->committed && P->cseq < gone)
        return false;
    if (I->committed && I->cseq < gone)
        return false;
    return true;
}
/* Is p the pivot of a dangerous structure? */
static bool pivot_dangerous(const txn_ssi *s, uint32_t p) {
    const txn_ssi_x *P = &s->x[p];
    for (uint32_t a = 0; a < P->nin; a++) {
        for (uint32_t b = 0; b < P->nout; b++)
            if (dangerous(s, p, P->in[a], P->out[b]))
                return true;
        if (P->out_gone && dangerous_gone(s, p, P->in[a], P->out_gone))
            return true;
    }
    return false;
}

/* Two records overlap in time: neither committed before the other's snapshot. */
static bool concurrent(const txn_ssi *s, uint32_t a, uint32_t b) {
    const txn_ssi_x *A = &s->x[a], *B = &s->x[b];
    if (A->committed && A->cseq <= B->snap)
        return false;
    if (B->committed && B->cseq <= A->snap)
        return false;
    return true;
}

static bool edge_slots(txn_ssi *s, uint32_t r, uint32_t w) {
    if (r == w || !concurrent(s, r, w))
        return false;
    txn_ssi_x *R = &s->x[r], *W = &s->x[w];
    if (!has(R->out, R->nout, w)) {
        if (!txn_grow((void **)&R->out, &R->capout, R->nout, sizeof *R->out) ||
            !txn_grow((void **)&W->in, &W->capin, W->nin, sizeof *W->in))
            return true; /* out of memory: abort rather than miss a conflict */
        R->out[R->nout++] = w;
        W->in[W->nin++] = r;
    }
    return pivot_dangerous(s, r) || pivot_dangerous(s, w);
}

bool txn_ssi_edge(txn_ssi *s, uint64_t reader, uint64_t writer) {
    uint32_t r = slot_of(s, reader), w = slot_of(s, writer);
    if (r == NONE || w == NONE)
        return false;
    return edge_slots(s, r, w);
}

bool txn_ssi_write(txn_ssi *s, uint64_t id, uint64_t key) {
    uint32_t w = slot_of(s, id);
    if (w == NONE)
        return false;
    bool bad = false;
    uint32_t r;
    if (txn_keymap_get(&s->by_key, key, &r)) {
        /* edge_slots may grow the record arrays but never the SIREAD lists */
        for (uint32_t k = 0; k < s->sr[r].n; k++)
            bad |= edge_slots(s, s->sr[r].sx[k], w);
    }
    for (uint32_t k = 0; k < s->nranges; k++)
        if (s->ranges[k].lo <= key && key < s->ranges[k].hi)
            bad |= edge_slots(s, s->ranges[k].sx, w);
    return bad;
}

bool txn_ssi_commit(txn_ssi *s, uint64_t id, uint64_t cseq) {
    uint32_t i = slot_of(s, id);
    if (i == NONE)
        return true;
    txn_ssi_x *x = &s->x[i];
    if (x->doomed || pivot_dangerous(s, i))
        return false;
    x->committed = true;
    x->cseq = cseq;
    /* As Tout: doom each open pivot reading before us that has a reader before it. */
    for (uint32_t a = 0; a < x->nin; a++) {
        uint32_t p = x->in[a];
        if (s->x[p].committed)
            continue;
        for (uint32_t b = 0; b < s->x[p].nin; b++)
            if (dangerous(s, p, s->x[p].in[b], i)) {
                s->x[p].doomed = true;
                break;
            }
    }
    x->next_committed = NONE;
    if (s->committed_tail == NONE)
        s->committed_head = i;
    else
        s->x[s->committed_tail].next_committed = i;
    s->committed_tail = i;
    return true;
}

static void drop_from(uint32_t *a, uint32_t *n, uint32_t v) {
    for (uint32_t k = 0; k < *n; k++)
        if (a[k] == v) {
            a[k] = a[--*n];
            return;
        }
}

/* Frees slot i: its edges, SIREAD locks and ranges. */
static void release(txn_ssi *s, uint32_t i) {
    txn_ssi_x *x = &s->x[i];
    for (uint32_t k = 0; k < x->nin; k++) {
        txn_ssi_x *r = &s->x[x->in[k]];
        drop_from(r->out, &r->nout, i);
        /* A committed Tout forgotten while its reader is kept: the reader remembers when it
         * committed, or a later Tin -rw-> reader edge would not see the structure. */
        if (x->committed && (r->out_gone == 0 || x->cseq < r->out_gone))
            r->out_gone = x->cseq;
    }
    for (uint32_t k = 0; k < x->nout; k++)
        drop_from(s->x[x->out[k]].in, &s->x[x->out[k]].nin, i);
    x->nin = x->nout = 0;
    for (uint32_t k = 0; k < x->nreads; k++) {
        uint32_t r;
        if (!txn_keymap_get(&s->by_key, x->reads[k], &r))
            continue;
        drop_from(s->sr[r].sx, &s->sr[r].n, i);
        if (s->sr[r].n == 0 &&
            txn_grow((void **)&s->free_sr, &s->capfree_sr, s->nfree_sr, sizeof *s->free_sr)) {
            txn_keymap_take(&s->by_key, x->reads[k]);
            s->free_sr[s->nfree_sr++] = r;
        }
    }
    x->nreads = 0;
    uint32_t m = 0;
    for (uint32_t k = 0; k < s->nranges; k++)
        if (s->ranges[k].sx != i)
            s->ranges[m++] = s->ranges[k];
    s->nranges = m;
    x->used = false;
    if (txn_grow((void **)&s->free_x, &s->capfree, s->nfree, sizeof *s->free_x))
        s->free_x[s->nfree++] = i;
}

void txn_ssi_abort(txn_ssi *s, uint64_t id) {
    uint32_t i = slot_of(s, id);
    if (i != NONE && !s->x[i].committed)
        release(s, i);
}

void txn_ssi_cleanup(txn_ssi *s, uint64_t horizon) {
    while (s->committed_head != NONE && s->x[s->committed_head].cseq <= horizon) {
        uint32_t i = s->committed_head;
        s->committed_head = s->x[i].next_committed;
        if (s->committed_head == NONE)
            s->committed_tail = NONE;
        release(s, i);
    }
}

uint32_t txn_ssi_live(const txn_ssi *s) { return s->nx - s->nfree; }
