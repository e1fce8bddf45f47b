/* Growing an array by doubling, for the structures of txn/ (locks.c, mvcc.c, ssi.c, cc.c).
 * Private to txn/. */
#ifndef DSIM_TXN_GROW_H
#define DSIM_TXN_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Grows the array *p of *cap elements of size sz to hold at least n + 1; false when out of
 * memory (the array is then unchanged). */
static inline bool txn_grow(void **p, uint32_t *cap, uint32_t n, size_t sz) {
    if (n < *cap)
        return true;
    uint32_t c = *cap ? *cap * 2 : 4;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

#endif
