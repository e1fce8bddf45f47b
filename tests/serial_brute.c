/* The brute-force serializability oracle (serial_brute.h): every permutation of the committed
 * transactions in lexicographic order (next permutation, Knuth TAOCP 7.2.1.2 algorithm L),
 * each checked against the version order first, then executed serially on a copy of the
 * initial state. */
#include "serial_brute.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct kstate {
    uint64_t wid;
    bool present;
} kstate;

typedef struct brute {
    const txn_trace *t;
    uint32_t c[SERIAL_BRUTE_MAX]; /* committed, trace indices */
    size_t n;
    uint64_t *keys; /* distinct keys of the events, sorted */
    size_t nkeys;
    kstate *st;
} brute;

static int u64_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t key_index(const brute *b, uint64_t key) {
    size_t lo = 0, hi = b->nkeys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (b->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* True when transaction x's write event ev is the last of its key not undone. */
static bool installs(const txn_trace *t, uint32_t x, size_t ev) {
    const txn_event *w = &t->events[ev];
    for (size_t i = ev + 1; i < t->nevents; i++) {
        const txn_event *e = &t->events[i];
        if (e->txn != x || e->key != w->key)
            continue;
        if (e->kind == TXN_EV_WRITE)
            return false;
        if (e->kind == TXN_EV_UNDO) {
            /* undone when the undo goes back to before it */
            if (e->wid == 0)
                return false;
            for (size_t j = 0; j < ev; j++)
                if (t->events[j].txn == x && t->events[j].kind == TXN_EV_WRITE &&
                    t->events[j].wid == e->wid)
                    return false;
        }
    }
    return true;
}

/* True when x and y both install a key and their order in the permutation (x first)
 * contradicts the version order. */
static bool contradicts(const txn_trace *t, uint32_t x, uint32_t y) {
    if (t->txns[x].commit_seq < t->txns[y].commit_seq)
        return false;
    for (size_t i = 0; i < t->nevents; i++) {
        const txn_event *a = &t->events[i];
        if (a->txn != x || a->kind != TXN_EV_WRITE || !installs(t, x, i))
            continue;
        for (size_t j = 0; j < t->nevents; j++) {
            const txn_event *b = &t->events[j];
            if (b->txn == y && b->kind == TXN_EV_WRITE && b->key == a->key && installs(t, y, j))
                return true;
        }
    }
    return false;
}

/* Runs transaction x serially on b->st; false when one of its reads shows something else. */
static bool run(brute *b, uint32_t x) {
    const txn_trace *t = b->t;
    for (size_t i = 0; i < t->nevents; i++) {
        const txn_event *e = &t->events[i];
        if (e->txn != x)
            continue;
        switch (e->kind) {
        case TXN_EV_READ:
            if (e->in_range)
                break; /* checked with its range */
            if (b->st[key_index(b, e->key)].wid != e->wid)
                return false;
            break;
        case TXN_EV_WRITE:
            b->st[key_index(b, e->key)] = (kstate){e->wid, e->present};
            break;
        case TXN_EV_UNDO: {
            /* back to its write wid, or to before its first write of the key */
            kstate back = {0, false};
            bool found = false;
            for (size_t j = 0; j < i && !found; j++) {
                const txn_event *w = &t->events[j];
                if (w->txn == x && w->kind == TXN_EV_WRITE && w->key == e->key && e->wid &&
                    w->wid == e->wid) {
                    back = (kstate){w->wid, w->present};
                    found = true;
                }
            }
            if (!found) {
                /* the state before x's first write of the key: what the order so far left */
                return false; /* not needed by the tests' histories: refuse rather than guess */
            }
            b->st[key_index(b, e->key)] = back;
            break;
        }
        case TXN_EV_RANGE: {
            /* the rows listed must be exactly the present keys of [lo, hi) */
            uint64_t listed = 0;
            for (size_t j = i + 1; j < t->nevents; j++) {
                const txn_event *r = &t->events[j];
                if (r->txn != x)
                    continue;
                if (r->kind != TXN_EV_READ || !r->in_range)
                    break;
                kstate s = b->st[key_index(b, r->key)];
                if (!s.present || s.wid != r->wid || r->key < e->key || r->key >= e->key_end)
                    return false;
                listed++;
            }
            uint64_t present = 0;
            uint64_t hi0 = e->key_end < t->rows ? e->key_end : t->rows;
            present = hi0 > e->key ? hi0 - e->key : 0;
            for (size_t k = 0; k < b->nkeys; k++) {
                uint64_t key = b->keys[k];
                if (key < e->key || key >= e->key_end)
                    continue;
                bool initially = key < t->rows;
                if (b->st[k].present != initially)
                    present += b->st[k].present ? 1 : (uint64_t)-1;
            }
            if (listed != present)
                return false;
            break;
        }
        }
    }
    return true;
}

static bool next_perm(uint32_t *a, size_t n) {
    if (n < 2)
        return false;
    size_t i = n - 1;
    while (i > 0 && a[i - 1] >= a[i])
        i--;
    if (i == 0)
        return false;
    size_t j = n - 1;
    while (a[j] <= a[i - 1])
        j--;
    uint32_t tmp = a[i - 1];
    a[i - 1] = a[j];
    a[j] = tmp;
    for (size_t l = i, r = n - 1; l < r; l++, r--) {
        tmp = a[l];
        a[l] = a[r];
        a[r] = tmp;
    }
    return true;
}

int serial_brute_explains(const txn_trace *t, uint32_t *order) {
    brute b = {.t = t};
    for (size_t x = 0; x < t->ntxns; x++)
        if (t->txns[x].status == TXN_COMMITTED) {
            if (b.n == SERIAL_BRUTE_MAX)
                return -1;
            b.c[b.n++] = (uint32_t)x;
        }
    b.keys = malloc((t->nevents ? t->nevents : 1) * sizeof *b.keys);
    b.st = malloc((t->nevents ? t->nevents : 1) * sizeof *b.st);
    if (!b.keys || !b.st)
        abort();
    for (size_t i = 0; i < t->nevents; i++)
        b.keys[b.nkeys++] = t->events[i].key;
    qsort(b.keys, b.nkeys, sizeof *b.keys, u64_cmp);
    size_t m = 0;
    for (size_t i = 0; i < b.nkeys; i++)
        if (!m || b.keys[m - 1] != b.keys[i])
            b.keys[m++] = b.keys[i];
    b.nkeys = m;
    /* which ordered pairs contradict the version order */
    bool bad[SERIAL_BRUTE_MAX][SERIAL_BRUTE_MAX];
    for (size_t i = 0; i < b.n; i++)
        for (size_t j = 0; j < b.n; j++)
            bad[i][j] = i != j && contradicts(t, b.c[i], b.c[j]);
    uint32_t p[SERIAL_BRUTE_MAX];
    for (size_t i = 0; i < b.n; i++)
        p[i] = (uint32_t)i;
    int found = 0;
    do {
        bool ok = true;
        for (size_t i = 0; i < b.n && ok; i++)
            for (size_t j = i + 1; j < b.n && ok; j++)
                ok = !bad[p[i]][p[j]];
        if (!ok)
            continue;
        for (size_t k = 0; k < b.nkeys; k++)
            b.st[k] = (kstate){0, b.keys[k] < t->rows};
        for (size_t i = 0; i < b.n && ok; i++)
            ok = run(&b, b.c[p[i]]);
        if (ok) {
            found = 1;
            for (size_t i = 0; order && i < b.n; i++)
                order[i] = b.c[p[i]];
        }
    } while (!found && next_perm(p, b.n));
    free(b.keys);
    free(b.st);
    return found;
}
