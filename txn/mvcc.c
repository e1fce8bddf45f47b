/* Version chains (mvcc.h): versions in one pool with a free list, heads in a hash map. */
#include "mvcc.h"

#include <stdlib.h>
#include <string.h>

void txn_mvcc_init(txn_mvcc *m, uint64_t rows, int64_t initial) {
    memset(m, 0, sizeof *m);
    txn_keymap_init(&m->heads);
    m->free_list = TXN_VNONE;
    m->rows = rows;
    m->initial = initial;
}

void txn_mvcc_free(txn_mvcc *m) {
    free(m->v);
    txn_keymap_free(&m->heads);
    memset(m, 0, sizeof *m);
}

void txn_mvcc_reset(txn_mvcc *m) {
    txn_keymap_clear(&m->heads);
    m->nv = 0;
    m->free_list = TXN_VNONE;
    m->live = 0;
}

txn_version txn_mvcc_base(const txn_mvcc *m, uint64_t key) {
    bool present = !((key >> 63) != 0) && key < m->rows;
    return (txn_version){.wid = 0,
                         .value = present ? m->initial : 0,
                         .stamp = 0,
                         .writer = UINT32_MAX,
                         .next = TXN_VNONE,
                         .trace = UINT32_MAX,
                         .present = present};
}

uint32_t txn_mvcc_head(const txn_mvcc *m, uint64_t key) {
    uint32_t h;
    return txn_keymap_get(&m->heads, key, &h) ? h : TXN_VNONE;
}

txn_version txn_mvcc_visible(const txn_mvcc *m, uint64_t key, uint32_t tx, uint64_t snap) {
    for (uint32_t i = txn_mvcc_head(m, key); i != TXN_VNONE; i = m->v[i].next) {
        const txn_version *v = &m->v[i];
        if (v->stamp == TXN_STAMP_UNCOMMITTED) {
            if (v->writer == tx || snap == TXN_STAMP_UNCOMMITTED)
                return *v;
        } else if (v->stamp <= snap) {
            return *v;
        }
    }
    return txn_mvcc_base(m, key);
}

txn_version txn_mvcc_newest_committed(const txn_mvcc *m, uint64_t key) {
    return txn_mvcc_visible(m, key, UINT32_MAX, TXN_STAMP_UNCOMMITTED - 1);
}

bool txn_mvcc_own(const txn_mvcc *m, uint64_t key, uint32_t tx) {
    uint32_t h = txn_mvcc_head(m, key);
    return h != TXN_VNONE && m->v[h].stamp == TXN_STAMP_UNCOMMITTED && m->v[h].writer == tx;
}

static uint32_t alloc_version(txn_mvcc *m) {
    uint32_t i;
    if (m->free_list != TXN_VNONE) {
        i = m->free_list;
        m->free_list = m->v[i].next;
    } else {
        if (m->nv == m->capv) {
            uint32_t c = m->capv ? m->capv * 2 : 64;
            txn_version *q = realloc(m->v, (size_t)c * sizeof *q);
            if (!q)
                return TXN_VNONE;
            m->v = q;
            m->capv = c;
        }
        i = m->nv++;
    }
    if (++m->live > m->peak)
        m->peak = m->live;
    return i;
}

static void free_version(txn_mvcc *m, uint32_t i) {
    m->v[i].next = m->free_list;
    m->free_list = i;
    m->live--;
}

/* Points key's head at h (TXN_VNONE: no chain). */
static void set_head(txn_mvcc *m, uint64_t key, uint32_t h) {
    if (h == TXN_VNONE)
        txn_keymap_take(&m->heads, key);
    else
        (void)txn_keymap_put(&m->heads, key, h); /* key is mapped already or has room */
}

int txn_mvcc_write(txn_mvcc *m, uint64_t key, uint32_t tx, uint32_t trace, uint64_t sx,
                   uint64_t wid, int64_t value, bool present) {
    uint32_t h = txn_mvcc_head(m, key);
    if (h != TXN_VNONE && m->v[h].stamp == TXN_STAMP_UNCOMMITTED && m->v[h].writer == tx) {
        m->v[h].wid = wid;
        m->v[h].value = value;
        m->v[h].present = present;
        return 0;
    }
    uint32_t i = alloc_version(m);
    if (i == TXN_VNONE)
        return -1;
    m->v[i] = (txn_version){.wid = wid,
                            .value = value,
                            .stamp = TXN_STAMP_UNCOMMITTED,
                            .sx = sx,
                            .writer = tx,
                            .next = h,
                            .trace = trace,
                            .present = present};
    if (txn_keymap_put(&m->heads, key, i) != 0) {
        free_version(m, i);
        return -1;
    }
    return 0;
}

void txn_mvcc_drop_own(txn_mvcc *m, uint64_t key, uint32_t tx) {
    uint32_t h = txn_mvcc_head(m, key);
    if (h == TXN_VNONE || m->v[h].stamp != TXN_STAMP_UNCOMMITTED || m->v[h].writer != tx)
        return;
    set_head(m, key, m->v[h].next);
    free_version(m, h);
}

void txn_mvcc_commit_own(txn_mvcc *m, uint64_t key, uint32_t tx, uint64_t stamp) {
    uint32_t h = txn_mvcc_head(m, key);
    if (h != TXN_VNONE && m->v[h].stamp == TXN_STAMP_UNCOMMITTED && m->v[h].writer == tx)
        m->v[h].stamp = stamp;
}

int txn_mvcc_install(txn_mvcc *m, uint64_t key, uint64_t wid, int64_t value, bool present,
                     uint64_t stamp) {
    uint32_t i = alloc_version(m);
    if (i == TXN_VNONE)
        return -1;
    uint32_t h = txn_mvcc_head(m, key);
    m->v[i] = (txn_version){.wid = wid,
                            .value = value,
                            .stamp = stamp,
                            .writer = UINT32_MAX,
                            .trace = UINT32_MAX,
                            .present = present,
                            .next = h};
    if (h != TXN_VNONE && m->v[h].stamp == TXN_STAMP_UNCOMMITTED) {
        m->v[i].next = m->v[h].next;
        m->v[h].next = i;
        return 0;
    }
    if (txn_keymap_put(&m->heads, key, i) != 0) {
        free_version(m, i);
        return -1;
    }
    return 0;
}

void txn_mvcc_undo_after(txn_mvcc *m, uint64_t key, uint64_t after,
                         void (*lost)(void *ctx, uint32_t trace), void *ctx) {
    uint32_t h = txn_mvcc_head(m, key);
    uint32_t *link = NULL; /* the next field pointing at i, NULL: the head */
    for (uint32_t i = h; i != TXN_VNONE;) {
        txn_version *v = &m->v[i];
        uint32_t nx = v->next;
        if (v->stamp != TXN_STAMP_UNCOMMITTED && v->stamp > after) {
            if (lost && v->trace != UINT32_MAX)
                lost(ctx, v->trace);
            if (link)
                *link = nx;
            else
                h = nx;
            free_version(m, i);
        } else {
            link = &v->next;
        }
        i = nx;
    }
    set_head(m, key, h);
}

void txn_mvcc_gc_key(txn_mvcc *m, uint64_t key, uint64_t horizon) {
    /* The newest committed version stamped <= horizon is the oldest anyone can still see;
     * everything below it goes. */
    for (uint32_t i = txn_mvcc_head(m, key); i != TXN_VNONE; i = m->v[i].next) {
        txn_version *v = &m->v[i];
        if (v->stamp != TXN_STAMP_UNCOMMITTED && v->stamp <= horizon) {
            uint32_t j = v->next;
            v->next = TXN_VNONE;
            while (j != TXN_VNONE) {
                uint32_t nx = m->v[j].next;
                free_version(m, j);
                j = nx;
            }
            return;
        }
    }
}
