/* The lock manager (locks.h): rows in a hash map, FIFO queues, upgrades, range locks, and the
 * wait-for graph searched on every wait. */
#include "locks.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

void txn_locks_init(txn_locks *lm) {
    memset(lm, 0, sizeof *lm);
    txn_keymap_init(&lm->by_key);
}

void txn_locks_free(txn_locks *lm) {
    for (uint32_t i = 0; i < lm->nrows; i++) {
        free(lm->rows[i].hold);
        free(lm->rows[i].wait);
    }
    for (uint32_t i = 0; i < lm->ntxs; i++)
        free(lm->txs[i].held);
    free(lm->rows);
    free(lm->free_rows);
    free(lm->txs);
    free(lm->ranges);
    free(lm->range_waiters);
    free(lm->woken);
    free(lm->stack);
    txn_keymap_free(&lm->by_key);
    memset(lm, 0, sizeof *lm);
}

int txn_locks_reserve(txn_locks *lm, uint32_t n) {
    if (n <= lm->ntxs)
        return 0;
    txn_lk_tx *t = realloc(lm->txs, (size_t)n * sizeof *t);
    if (!t)
        return -1;
    memset(t + lm->ntxs, 0, (size_t)(n - lm->ntxs) * sizeof *t);
    lm->txs = t;
    lm->ntxs = n;
    return 0;
}

static bool conflicts(uint8_t a, uint8_t b) { return a == TXN_LOCK_X || b == TXN_LOCK_X; }

static txn_lk_row *row_of(txn_locks *lm, uint64_t key) {
    uint32_t i;
    return txn_keymap_get(&lm->by_key, key, &i) ? &lm->rows[i] : NULL;
}

static txn_lk_row *row_make(txn_locks *lm, uint64_t key) {
    txn_lk_row *r = row_of(lm, key);
    if (r)
        return r;
    uint32_t i;
    if (lm->nfree) {
        i = lm->free_rows[--lm->nfree];
    } else {
        if (!txn_grow((void **)&lm->rows, &lm->caprows, lm->nrows, sizeof *lm->rows))
            return NULL;
        i = lm->nrows++;
        memset(&lm->rows[i], 0, sizeof lm->rows[i]);
    }
    if (txn_keymap_put(&lm->by_key, key, i) != 0) {
        if (txn_grow((void **)&lm->free_rows, &lm->capfree, lm->nfree, sizeof *lm->free_rows))
            lm->free_rows[lm->nfree++] = i;
        return NULL;
    }
    lm->rows[i].key = key;
    return &lm->rows[i];
}

/* Returns an unused row to the free list (its arrays are kept for reuse). */
static void row_maybe_drop(txn_locks *lm, txn_lk_row *r) {
    if (r->nhold || r->nwait)
        return;
    if (!txn_grow((void **)&lm->free_rows, &lm->capfree, lm->nfree, sizeof *lm->free_rows))
        return; /* kept mapped: harmless */
    txn_keymap_take(&lm->by_key, r->key);
    lm->free_rows[lm->nfree++] = (uint32_t)(r - lm->rows);
}

static int held_mode(const txn_lk_row *r, uint32_t tx) {
    for (uint32_t i = 0; i < r->nhold; i++)
        if (r->hold[i].tx == tx)
            return r->hold[i].mode;
    return 0;
}

static void woke(txn_locks *lm, uint32_t tx) {
    if (txn_grow((void **)&lm->woken, &lm->capwoken, lm->nwoken, sizeof *lm->woken))
        lm->woken[lm->nwoken++] = tx;
}

/* Can the request (tx, mode) be granted given the holders (ignoring tx's own lock)? */
static bool compatible(const txn_lk_row *r, uint32_t tx, uint8_t mode) {
    for (uint32_t i = 0; i < r->nhold; i++)
        if (r->hold[i].tx != tx && conflicts(r->hold[i].mode, mode))
            return false;
    return true;
}

/* Records that tx holds key (once; a long hold overrides a short one). */
static bool note_held(txn_locks *lm, uint32_t tx, uint64_t key, bool is_long) {
    txn_lk_tx *t = &lm->txs[tx];
    for (uint32_t i = 0; i < t->nheld; i++)
        if (t->held[i].key == key) {
            t->held[i].is_long |= is_long;
            return true;
        }
    if (!txn_grow((void **)&t->held, &t->capheld, t->nheld, sizeof *t->held))
        return false;
    t->held[t->nheld++] = (txn_lk_held){key, is_long};
    return true;
}

static void grant(txn_lk_row *r, uint32_t tx, uint8_t mode) {
    for (uint32_t i = 0; i < r->nhold; i++)
        if (r->hold[i].tx == tx) {
            if (mode > r->hold[i].mode)
                r->hold[i].mode = mode;
            return;
        }
    /* Room was made when tx queued or asked (grant_queue / acquire). */
    r->hold[r->nhold++] = (txn_lk_ent){tx, mode};
}

/* Grants the queue's front requests while they fit, FIFO, waking each. */
static void grant_queue(txn_locks *lm, txn_lk_row *r) {
    while (r->nwait) {
        txn_lk_ent w = r->wait[0];
        if (!compatible(r, w.tx, w.mode))
            break;
        if (!held_mode(r, w.tx) &&
            !txn_grow((void **)&r->hold, &r->caphold, r->nhold, sizeof *r->hold))
            break;
        grant(r, w.tx, w.mode);
        memmove(r->wait, r->wait + 1, (r->nwait - 1) * sizeof *r->wait);
        r->nwait--;
        lm->txs[w.tx].wait_kind = TXN_LK_NOWAIT;
        woke(lm, w.tx);
    }
}

/* The transactions tx (waiting) waits for, appended to the search stack. */
static void push_successors(txn_locks *lm, uint32_t tx, uint32_t *n) {
    txn_lk_tx *t = &lm->txs[tx];
    if (t->wait_kind == TXN_LK_ROW) {
        txn_lk_row *r = row_of(lm, t->wait_key);
        if (!r)
            return;
        for (uint32_t i = 0; i < r->nhold; i++)
            if (r->hold[i].tx != tx && conflicts(r->hold[i].mode, t->wait_mode) &&
                txn_grow((void **)&lm->stack, &lm->capstack, *n, sizeof *lm->stack))
                lm->stack[(*n)++] = r->hold[i].tx;
        /* FIFO: tx also waits for the conflicting requests queued before it. */
        for (uint32_t i = 0; i < r->nwait && r->wait[i].tx != tx; i++)
            if (conflicts(r->wait[i].mode, t->wait_mode) &&
                txn_grow((void **)&lm->stack, &lm->capstack, *n, sizeof *lm->stack))
                lm->stack[(*n)++] = r->wait[i].tx;
    } else if (t->wait_kind == TXN_LK_RANGE) {
        for (uint32_t i = 0; i < lm->nranges; i++) {
            txn_lk_range *g = &lm->ranges[i];
            if (g->tx != tx && g->lo <= t->wait_key && t->wait_key < g->hi &&
                txn_grow((void **)&lm->stack, &lm->capstack, *n, sizeof *lm->stack))
                lm->stack[(*n)++] = g->tx;
        }
    }
}

/* Would tx's wait (already recorded in txs[tx]) close a cycle? A depth-first search from
 * what tx waits for; each transaction is visited once per search (epoch marks). */
static bool closes_cycle(txn_locks *lm, uint32_t tx) {
    lm->epoch++;
    uint32_t n = 0;
    push_successors(lm, tx, &n);
    while (n) {
        uint32_t u = lm->stack[--n];
        if (u == tx)
            return true;
        if (u >= lm->ntxs || lm->txs[u].mark == lm->epoch)
            continue;
        lm->txs[u].mark = lm->epoch;
        push_successors(lm, u, &n);
    }
    return false;
}

txn_lock_status txn_locks_acquire(txn_locks *lm, uint32_t tx, uint64_t key, txn_lock_mode mode,
                                  bool is_long) {
    txn_lk_row *r = row_make(lm, key);
    if (!r)
        return TXN_LOCK_NOMEM;
    int have = held_mode(r, tx);
    if (have >= (int)mode) {
        if (is_long && !note_held(lm, tx, key, true))
            return TXN_LOCK_NOMEM;
        return TXN_LOCK_GRANTED;
    }
    lm->requests++;
    if (!txn_grow((void **)&r->hold, &r->caphold, r->nhold, sizeof *r->hold) ||
        !txn_grow((void **)&r->wait, &r->capwait, r->nwait, sizeof *r->wait)) {
        row_maybe_drop(lm, r);
        return TXN_LOCK_NOMEM;
    }
    bool upgrade = have != 0;
    /* An upgrade only needs the other holders gone; a new request also waits behind the
     * queue (FIFO). */
    if (compatible(r, tx, (uint8_t)mode) && (upgrade || r->nwait == 0)) {
        if (!note_held(lm, tx, key, is_long)) {
            row_maybe_drop(lm, r);
            return TXN_LOCK_NOMEM;
        }
        grant(r, tx, (uint8_t)mode);
        return TXN_LOCK_GRANTED;
    }
    if (!note_held(lm, tx, key, is_long)) { /* recorded now so release_all finds the wait */
        row_maybe_drop(lm, r);
        return TXN_LOCK_NOMEM;
    }
    uint32_t at = r->nwait;
    if (upgrade) { /* to the front, after the upgraders already there */
        at = 0;
        while (at < r->nwait && held_mode(r, r->wait[at].tx))
            at++;
    }
    memmove(r->wait + at + 1, r->wait + at, (r->nwait - at) * sizeof *r->wait);
    r->wait[at] = (txn_lk_ent){tx, (uint8_t)mode};
    r->nwait++;
    txn_lk_tx *t = &lm->txs[tx];
    t->wait_kind = TXN_LK_ROW;
    t->wait_key = key;
    t->wait_mode = (uint8_t)mode;
    if (closes_cycle(lm, tx)) {
        memmove(r->wait + at, r->wait + at + 1, (r->nwait - at - 1) * sizeof *r->wait);
        r->nwait--;
        t->wait_kind = TXN_LK_NOWAIT;
        lm->deadlocks++;
        return TXN_LOCK_DEADLOCK;
    }
    lm->waits++;
    return TXN_LOCK_WAIT;
}

/* Drops tx from key's holders and grants the queue. */
static void release_key(txn_locks *lm, uint32_t tx, uint64_t key) {
    txn_lk_row *r = row_of(lm, key);
    if (!r)
        return;
    for (uint32_t i = 0; i < r->nhold; i++)
        if (r->hold[i].tx == tx) {
            r->hold[i] = r->hold[--r->nhold];
            break;
        }
    grant_queue(lm, r);
    row_maybe_drop(lm, r);
}

void txn_locks_release_short(txn_locks *lm, uint32_t tx) {
    txn_lk_tx *t = &lm->txs[tx];
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nheld; i++) {
        if (t->held[i].is_long) {
            t->held[k++] = t->held[i];
            continue;
        }
        if (t->wait_kind == TXN_LK_ROW && t->wait_key == t->held[i].key) {
            t->held[k++] = t->held[i]; /* still waiting for it */
            continue;
        }
        release_key(lm, tx, t->held[i].key);
    }
    t->nheld = k;
}

int txn_locks_add_range(txn_locks *lm, uint32_t tx, uint64_t lo, uint64_t hi) {
    for (uint32_t i = 0; i < lm->nranges; i++)
        if (lm->ranges[i].tx == tx && lm->ranges[i].lo <= lo && hi <= lm->ranges[i].hi)
            return 0;
    if (!txn_grow((void **)&lm->ranges, &lm->capranges, lm->nranges, sizeof *lm->ranges))
        return -1;
    lm->ranges[lm->nranges++] = (txn_lk_range){tx, lo, hi};
    lm->requests++;
    return 0;
}

static bool range_blocks(const txn_locks *lm, uint32_t tx, uint64_t key) {
    for (uint32_t i = 0; i < lm->nranges; i++)
        if (lm->ranges[i].tx != tx && lm->ranges[i].lo <= key && key < lm->ranges[i].hi)
            return true;
    return false;
}

txn_lock_status txn_locks_check_range(txn_locks *lm, uint32_t tx, uint64_t key) {
    if (lm->nranges == 0 || !range_blocks(lm, tx, key))
        return TXN_LOCK_GRANTED;
    lm->requests++;
    if (!txn_grow((void **)&lm->range_waiters, &lm->caprw, lm->nrw, sizeof *lm->range_waiters))
        return TXN_LOCK_NOMEM;
    txn_lk_tx *t = &lm->txs[tx];
    t->wait_kind = TXN_LK_RANGE;
    t->wait_key = key;
    t->wait_mode = TXN_LOCK_X;
    if (closes_cycle(lm, tx)) {
        t->wait_kind = TXN_LK_NOWAIT;
        lm->deadlocks++;
        return TXN_LOCK_DEADLOCK;
    }
    lm->range_waiters[lm->nrw++] = tx;
    lm->waits++;
    return TXN_LOCK_WAIT;
}

bool txn_locks_waiting(const txn_locks *lm, uint32_t tx) {
    return tx < lm->ntxs && lm->txs[tx].wait_kind != TXN_LK_NOWAIT;
}

static void withdraw(txn_locks *lm, uint32_t tx) {
    txn_lk_tx *t = &lm->txs[tx];
    if (t->wait_kind == TXN_LK_ROW) {
        txn_lk_row *r = row_of(lm, t->wait_key);
        if (r) {
            for (uint32_t i = 0; i < r->nwait; i++)
                if (r->wait[i].tx == tx) {
                    memmove(r->wait + i, r->wait + i + 1, (r->nwait - i - 1) * sizeof *r->wait);
                    r->nwait--;
                    break;
                }
            t->wait_kind = TXN_LK_NOWAIT;
            grant_queue(lm, r); /* those queued behind tx may fit now */
        }
    } else if (t->wait_kind == TXN_LK_RANGE) {
        for (uint32_t i = 0; i < lm->nrw; i++)
            if (lm->range_waiters[i] == tx) {
                memmove(lm->range_waiters + i, lm->range_waiters + i + 1,
                        (lm->nrw - i - 1) * sizeof *lm->range_waiters);
                lm->nrw--;
                break;
            }
    }
    t->wait_kind = TXN_LK_NOWAIT;
}

void txn_locks_release_all(txn_locks *lm, uint32_t tx) {
    if (tx >= lm->ntxs)
        return;
    withdraw(lm, tx);
    txn_lk_tx *t = &lm->txs[tx];
    for (uint32_t i = 0; i < t->nheld; i++)
        release_key(lm, tx, t->held[i].key);
    t->nheld = 0;
    bool had_range = false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < lm->nranges; i++) {
        if (lm->ranges[i].tx == tx)
            had_range = true;
        else
            lm->ranges[k++] = lm->ranges[i];
    }
    lm->nranges = k;
    if (!had_range)
        return;
    /* Wake, in the order they began waiting, the range waiters nothing covers any more. */
    k = 0;
    for (uint32_t i = 0; i < lm->nrw; i++) {
        uint32_t w = lm->range_waiters[i];
        if (range_blocks(lm, w, lm->txs[w].wait_key)) {
            lm->range_waiters[k++] = w;
        } else {
            lm->txs[w].wait_kind = TXN_LK_NOWAIT;
            woke(lm, w);
        }
    }
    lm->nrw = k;
}

void txn_locks_clear(txn_locks *lm) {
    for (uint32_t i = 0; i < lm->nrows; i++) {
        free(lm->rows[i].hold);
        free(lm->rows[i].wait);
    }
    free(lm->rows);
    lm->rows = NULL;
    lm->nrows = lm->caprows = 0;
    lm->nfree = 0;
    txn_keymap_clear(&lm->by_key);
    for (uint32_t i = 0; i < lm->ntxs; i++) {
        lm->txs[i].nheld = 0;
        lm->txs[i].wait_kind = TXN_LK_NOWAIT;
    }
    lm->nranges = lm->nrw = lm->nwoken = 0;
}
