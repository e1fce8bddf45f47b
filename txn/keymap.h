/* A map from any 64-bit key to a 32-bit index, over sim/idmap.h (which reserves id 0): key k
 * is stored as id k + 1, and the one key that would wrap to 0 (UINT64_MAX) has its own slot.
 * Private to txn/ (locks.c, mvcc.c, ssi.c). */
#ifndef DSIM_TXN_KEYMAP_H
#define DSIM_TXN_KEYMAP_H

#include "idmap.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct txn_keymap {
    sim_idmap m;
    bool has_max;     /* key UINT64_MAX is mapped */
    uint32_t max_val; /* ... to this */
} txn_keymap;

static inline void txn_keymap_init(txn_keymap *k) {
    sim_idmap_init(&k->m);
    k->has_max = false;
    k->max_val = 0;
}
static inline void txn_keymap_free(txn_keymap *k) { sim_idmap_free(&k->m); }
/* Looks key up: true and its index in *v when mapped. */
static inline bool txn_keymap_get(const txn_keymap *k, uint64_t key, uint32_t *v) {
    if (key == UINT64_MAX) {
        if (k->has_max)
            *v = k->max_val;
        return k->has_max;
    }
    uint64_t x;
    if (!sim_idmap_get(&k->m, key + 1, &x))
        return false;
    *v = (uint32_t)x;
    return true;
}
/* Maps key to v: 0, or -1 when out of memory. */
static inline int txn_keymap_put(txn_keymap *k, uint64_t key, uint32_t v) {
    if (key == UINT64_MAX) {
        k->has_max = true;
        k->max_val = v;
        return 0;
    }
    return sim_idmap_put(&k->m, key + 1, v);
}
/* Unmaps key. */
static inline void txn_keymap_take(txn_keymap *k, uint64_t key) {
    if (key == UINT64_MAX)
        k->has_max = false;
    else
        sim_idmap_take(&k->m, key + 1, NULL);
}
static inline void txn_keymap_clear(txn_keymap *k) {
    sim_idmap_clear(&k->m);
    k->has_max = false;
}

#endif
