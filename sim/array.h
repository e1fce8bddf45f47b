/* Arrays that grow by doubling: the one helper for every layer's growable arrays (a
 * checker's tables, the trace of transactions, a report's rows). */
#ifndef SIM_ARRAY_H
#define SIM_ARRAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Makes room in *p, an array of *cap elements of `size` bytes, for at least `need` elements,
 * doubling its capacity (from 8). Returns 0, or -1 when out of memory or the size would
 * overflow; *p and *cap are then unchanged. */
static inline int sim_array_grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return -1;
        c *= 2;
    }
    if (c > SIZE_MAX / size)
        return -1;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

#endif
