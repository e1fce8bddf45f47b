/* Consistent hashing with virtual nodes; see ring.h for the sources. */
#include "ring.h"

#include <stdlib.h>

uint64_t ring_mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t ring_key_hash(uint64_t key) { return ring_mix(ring_mix(key) ^ 0x6a09e667f3bcc909ULL); }

uint64_t ring_point(uint32_t backend, uint32_t vnode) {
    return ring_mix((uint64_t)backend << 32 | vnode);
}

static int by_pos(const void *a, const void *b) {
    const ring_entry *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return (x->owner > y->owner) - (x->owner < y->owner);
}

int ring_build(ring *r, uint32_t backends, uint32_t vnodes) {
    size_t n = (size_t)backends * vnodes;
    r->n = 0;
    r->e = malloc((n ? n : 1) * sizeof *r->e);
    if (!r->e)
        return -1;
    for (uint32_t b = 0; b < backends; b++)
        for (uint32_t v = 0; v < vnodes; v++)
            r->e[(size_t)b * vnodes + v] = (ring_entry){ring_point(b, v), b};
    qsort(r->e, n, sizeof *r->e, by_pos);
    r->n = n;
    return 0;
}

void ring_free(ring *r) {
    free(r->e);
    r->e = NULL;
    r->n = 0;
}

size_t ring_find(const ring *r, uint64_t h) {
    size_t lo = 0, hi = r->n; /* the answer is in [lo, hi]; hi == n wraps to 0 */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->e[mid].pos < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == r->n ? 0 : lo;
}

uint32_t ring_owner(const ring *r, uint64_t h) { return r->e[ring_find(r, h)].owner; }

double ring_share(const ring *r, uint32_t b) {
    /* Point i owns the arc (pos[i-1], pos[i]]; point 0 also owns the wrap-around from the
     * last point. Computed in 2^-64 units with unsigned wrap-around. */
    double share = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->e[i].owner != b)
            continue;
        uint64_t prev = r->e[i ? i - 1 : r->n - 1].pos;
        uint64_t arc = r->e[i].pos - prev; /* wraps for i == 0 */
        share += r->n == 1 ? 18446744073709551616.0 : (double)arc;
    }
    return share / 18446744073709551616.0;
}
