/* Growing the arrays of txn/'s compact structures, whose counts are 32-bit (locks.c, ssi.c,
 * cc.c), through the engine's one doubling helper (sim/array.h). Private to txn/. */
#ifndef DSIM_TXN_GROW_H
#define DSIM_TXN_GROW_H

#include "array.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes room in *p (*cap elements of sz bytes) for n + 1; false when out of memory or past
 * 2^32 - 1 elements (the array is then unchanged). */
static inline bool txn_grow(void **p, uint32_t *cap, uint32_t n, size_t sz) {
    size_t c = *cap;
    if ((size_t)n + 1 > UINT32_MAX || sim_array_grow(p, &c, (size_t)n + 1, sz))
        return false;
    *cap = (uint32_t)(c > UINT32_MAX ? UINT32_MAX : c);
    return true;
}

#endif
