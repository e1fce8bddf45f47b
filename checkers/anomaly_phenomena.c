/* The named phenomena of Berenson et al. 1995 ("A Critique of ANSI SQL Isolation Levels"), by
 * their direct definitions read against the ground truth rather than as schedule patterns:
 * fuzzy reads (P2), lost updates (P4), read skew (A5A), write skew (A5B) and phantoms (A3).
 * Each committed transaction's reads are gathered and sorted by key once, so the whole pass
 * is O(E log E). What each count counts: anomaly_analysis.h and docs/anomalies.md. */
#include "anomaly_int.h"
#include "array.h"

#include <stdlib.h>
#include <string.h>

typedef struct rd {
    uint64_t key;
    uint32_t pos; /* its place among the transaction's events */
    uint32_t ev;
} rd;

typedef struct wr_at {
    uint64_t key;
    uint32_t pos;
    uint32_t ev;
} wr_at;

typedef struct group {
    uint64_t key, ord;
    uint32_t txn, inst; /* inst: the member's installed version index */
} group;

typedef struct scratch {
    rd *r;
    size_t nr, capr;
    wr_at *w;
    size_t nw, capw;
    rd *ranges; /* key = the range's first key (ties by pos) */
    size_t nranges, capranges;
    uint64_t *a, *b; /* two rows lists */
    size_t capa, capb;
    group *g;
    size_t ng, capg;
    uint32_t *stamp; /* per transaction */
} scratch;

static int rd_cmp(const void *x, const void *y) {
    const rd *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int wr_cmp(const void *x, const void *y) {
    const wr_at *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int group_cmp(const void *x, const void *y) {
    const group *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->ord != b->ord)
        return a->ord < b->ord ? -1 : 1;
    return a->txn < b->txn ? -1 : a->txn > b->txn;
}

static int u64_cmp(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The first read of key in s->r (sorted), or s->nr. */
static size_t first_read(const scratch *s, uint64_t key) {
    size_t lo = 0, hi = s->nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->r[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool wrote(const scratch *s, uint64_t key) {
    size_t lo = 0, hi = s->nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->w[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nw && s->w[lo].key == key;
}

/* Gathers transaction x's reads of others' writes, its writes and its range reads. */
static int gather(const an_ctx *c, scratch *s, uint32_t x) {
    const txn_trace *t = c->t;
    s->nr = s->nw = s->nranges = 0;
    for (size_t i = c->ebeg[x]; i < c->ebeg[x + 1]; i++) {
        uint32_t ev = c->evs[i], pos = (uint32_t)(i - c->ebeg[x]);
        const txn_event *e = &t->events[ev];
        if (e->kind == TXN_EV_READ && c->res[ev] != AN_OWN && c->res[ev] != AN_NOTHING) {
            if (sim_array_grow((void **)&s->r, &s->capr, s->nr + 1, sizeof *s->r))
                return -1;
            s->r[s->nr++] = (rd){e->key, pos, ev};
        } else if (e->kind == TXN_EV_WRITE) {
            if (sim_array_grow((void **)&s->w, &s->capw, s->nw + 1, sizeof *s->w))
                return -1;
            s->w[s->nw++] = (wr_at){e->key, pos, ev};
        } else if (e->kind == TXN_EV_RANGE) {
            if (sim_array_grow((void **)&s->ranges, &s->capranges, s->nranges + 1,
                               sizeof *s->ranges))
                return -1;
            s->ranges[s->nranges++] = (rd){e->key, pos, ev};
        }
    }
    if (s->nr > 1)
        qsort(s->r, s->nr, sizeof *s->r, rd_cmp);
    if (s->nw > 1)
        qsort(s->w, s->nw, sizeof *s->w, wr_cmp);
    if (s->nranges > 1)
        qsort(s->ranges, s->nranges, sizeof *s->ranges, rd_cmp);
    return 0;
}

static anomaly_report *rep(const an_ctx *c) { return c->out; }

static uint32_t writer_of(const an_ctx *c, uint32_t res) {
    return res < AN_DIRTY ? c->ver[res].txn : ANOMALY_NONE;
}

/* P2: per (transaction, key), two reads that saw different versions. */
static void fuzzy(an_ctx *c, const scratch *s, uint32_t x) {
    const txn_trace *t = c->t;
    for (size_t i = 0; i < s->nr;) {
        size_t j = i + 1;
        uint64_t w0 = t->events[s->r[i].ev].wid;
        size_t diff = s->nr;
        for (; j < s->nr && s->r[j].key == s->r[i].key; j++)
            if (diff == s->nr && t->events[s->r[j].ev].wid != w0)
                diff = j;
        if (diff != s->nr && rep(c)->count[ANOMALY_FUZZY_READ]++ == 0)
            rep(c)->example[ANOMALY_FUZZY_READ] =
                (anomaly_example){.txn = {x, writer_of(c, c->res[s->r[diff].ev])},
                                  .key = {s->r[i].key, 0},
                                  .version = {w0, t->events[s->r[diff].ev].wid, 0, 0}};
        i = j;
    }
}

/* P4's groups: x's last read of each key it installed, before its first write of the key. */
static int lost_update_members(an_ctx *c, scratch *s, uint32_t x) {
    for (size_t i = 0; i < s->nw; i++) {
        if (i && s->w[i - 1].key == s->w[i].key)
            continue; /* s->w[i] is the first write of its key */
        uint64_t key = s->w[i].key;
        uint32_t inst = AN_NOTHING;
        for (size_t j = i; j < s->nw && s->w[j].key == key; j++)
            if (c->flag[s->w[j].ev] & AN_INSTALLED)
                inst = c->res[s->w[j].ev];
        if (inst == AN_NOTHING)
            continue;
        size_t last = s->nr;
        for (size_t j = first_read(s, key); j < s->nr && s->r[j].key == key; j++)
            if (s->r[j].pos < s->w[i].pos)
                last = j;
        if (last == s->nr || !an__is_version(c->res[s->r[last].ev]))
            continue;
        if (sim_array_grow((void **)&s->g, &s->capg, s->ng + 1, sizeof *s->g))
            return -1;
        s->g[s->ng++] = (group){key, an__ord(c->res[s->r[last].ev]), x, inst};
    }
    return 0;
}

static void lost_updates(an_ctx *c, scratch *s) {
    if (s->ng > 1)
        qsort(s->g, s->ng, sizeof *s->g, group_cmp);
    for (size_t i = 0; i < s->ng;) {
        size_t j = i + 1;
        while (j < s->ng && s->g[j].key == s->g[i].key && s->g[j].ord == s->g[i].ord)
            j++;
        if (j - i >= 2) {
            if (rep(c)->count[ANOMALY_LOST_UPDATE] == 0)
                rep(c)->example[ANOMALY_LOST_UPDATE] = (anomaly_example){
                    .txn = {s->g[i].txn, s->g[i + 1].txn},
                    .key = {s->g[i].key, 0},
                    .version = {s->g[i].ord ? c->ver[s->g[i].ord - 1].wid : 0,
                                c->ver[s->g[i].inst].wid, c->ver[s->g[i + 1].inst].wid, 0}};
            rep(c)->count[ANOMALY_LOST_UPDATE] += j - i - 1;
        }
        i = j;
    }
}

/* A5A: per (reader x, writer w), x read w's version of y and an older version of a key x2
 * that w installed too. */
static void read_skew(an_ctx *c, scratch *s, uint32_t x) {
    const txn_trace *t = c->t;
    for (size_t i = 0; i < s->nr; i++) {
        uint32_t r = c->res[s->r[i].ev];
        if (r >= AN_DIRTY)
            continue;
        uint32_t w = c->ver[r].txn;
        if (s->stamp[w] == x + 1)
            continue;
        for (size_t k = c->ebeg[w]; k < c->ebeg[w + 1]; k++) {
            uint32_t wev = c->evs[k];
            const txn_event *we = &t->events[wev];
            if (!(c->flag[wev] & AN_INSTALLED) || we->key == s->r[i].key)
                continue;
            uint64_t wo = an__ord(c->res[wev]);
            for (size_t j = first_read(s, we->key); j < s->nr && s->r[j].key == we->key; j++) {
                uint32_t rx = c->res[s->r[j].ev];
                if (!an__is_version(rx) || an__ord(rx) >= wo)
                    continue;
                s->stamp[w] = x + 1;
                if (rep(c)->count[ANOMALY_READ_SKEW]++ == 0)
                    rep(c)->example[ANOMALY_READ_SKEW] =
                        (anomaly_example){.txn = {x, w},
                                          .key = {we->key, s->r[i].key},
                                          .version = {an__wid(c, rx), we->wid, c->ver[r].wid, 0}};
                break;
            }
            if (s->stamp[w] == x + 1)
                break;
        }
    }
}

/* A5B: per unordered pair, item rw edges both ways. */
static void write_skew(an_ctx *c, uint32_t *stamp) {
    const dsg *g = &c->g;
    const txn_trace *t = c->t;
    for (uint32_t u = 0; u < g->n; u++)
        for (size_t k = g->beg[u]; k < g->beg[u + 1]; k++) {
            const dsg_edge *e = &g->e[k];
            uint32_t v = e->to;
            if (e->kind != ANOMALY_EDGE_RW || v < u || stamp[v] == u + 1)
                continue;
            for (size_t m = g->beg[v]; m < g->beg[v + 1]; m++) {
                const dsg_edge *f = &g->e[m];
                if (f->kind != ANOMALY_EDGE_RW || f->to != u)
                    continue;
                stamp[v] = u + 1;
                if (rep(c)->count[ANOMALY_WRITE_SKEW]++ == 0)
                    rep(c)->example[ANOMALY_WRITE_SKEW] = (anomaly_example){
                        .txn = {c->txn_of[u], c->txn_of[v]},
                        .key = {t->events[e->ev].key, t->events[f->ev].key},
                        .version = {an__wid(c, c->res[e->ev]), c->ver[e->aux].wid,
                                    an__wid(c, c->res[f->ev]), c->ver[f->aux].wid}};
                break;
            }
        }
}

/* The rows range read (event list position) pos of x matched, sorted, into *out. */
static int rows_of(const an_ctx *c, uint32_t x, uint32_t pos, uint64_t **out, size_t *cap,
                   size_t *n) {
    *n = 0;
    for (size_t i = c->ebeg[x] + pos + 1; i < c->ebeg[x + 1]; i++) {
        const txn_event *e = &c->t->events[c->evs[i]];
        if (e->kind != TXN_EV_READ || !e->in_range)
            break;
        if (sim_array_grow((void **)out, cap, 2 * *n + 2, sizeof **out))
            return -1;
        (*out)[2 * *n] = e->key;
        (*out)[2 * *n + 1] = c->evs[i];
        (*n)++;
    }
    if (*n > 1)
        qsort(*out, *n, 2 * sizeof **out, u64_cmp);
    return 0;
}

/* A3: per (transaction, range), two range reads of it matched different rows. */
static int phantoms(an_ctx *c, scratch *s, uint32_t x) {
    const txn_trace *t = c->t;
    size_t i = 0;
    while (i < s->nranges) {
        const txn_event *ri = &t->events[s->ranges[i].ev];
        size_t j = i + 1;
        bool counted = false;
        for (; j < s->nranges; j++) {
            const txn_event *rj = &t->events[s->ranges[j].ev];
            if (rj->key != ri->key || rj->key_end != ri->key_end)
                break;
            if (counted)
                continue;
            size_t na, nb;
            if (rows_of(c, x, s->ranges[j - 1].pos, &s->a, &s->capa, &na) ||
                rows_of(c, x, s->ranges[j].pos, &s->b, &s->capb, &nb))
                return -1;
            /* merge the two sorted row lists, looking for a row in one only */
            size_t p = 0, q = 0;
            while (!counted && (p < na || q < nb)) {
                uint64_t ka = p < na ? s->a[2 * p] : UINT64_MAX;
                uint64_t kb = q < nb ? s->b[2 * q] : UINT64_MAX;
                if (ka == kb) {
                    p++, q++;
                    continue;
                }
                bool appeared = kb < ka;
                uint64_t row = appeared ? kb : ka;
                uint32_t ev = (uint32_t)(appeared ? s->b[2 * q++ + 1] : s->a[2 * p++ + 1]);
                if (wrote(s, row))
                    continue;
                counted = true;
                if (rep(c)->count[ANOMALY_PHANTOM]++ == 0)
                    rep(c)->example[ANOMALY_PHANTOM] =
                        (anomaly_example){.txn = {x, writer_of(c, c->res[ev])},
                                          .key = {row, 0},
                                          .version = {t->events[ev].wid, 0, 0, 0},
                                          .lo = ri->key,
                                          .hi = ri->key_end,
                                          .detail = appeared};
            }
        }
        i = j;
    }
    return 0;
}

int an__phenomena(an_ctx *c) {
    scratch s = {0};
    int rc = -1;
    s.stamp = calloc((size_t)c->ntx + 1, sizeof *s.stamp);
    if (!s.stamp)
        goto out;
    for (uint32_t x = 0; x < c->ntx; x++) {
        if (c->t->txns[x].status != TXN_COMMITTED)
            continue;
        if (gather(c, &s, x) || lost_update_members(c, &s, x) || phantoms(c, &s, x))
            goto out;
        fuzzy(c, &s, x);
        read_skew(c, &s, x);
    }
    lost_updates(c, &s);
    memset(s.stamp, 0, ((size_t)c->ntx + 1) * sizeof *s.stamp);
    write_skew(c, s.stamp);
    rc = 0;
out:
    free(s.r);
    free(s.w);
    free(s.ranges);
    free(s.a);
    free(s.b);
    free(s.g);
    free(s.stamp);
    return rc;
}
