/* Slabs double in object count up to a cap, so small runs stay small and large ones do few
 * allocations. Objects of a new slab are chained in address order. */
#include "pool.h"

#include <stdlib.h>

#define FIRST_SLAB 256
#define MAX_SLAB 65536
/* Slabs of big objects (large messages) hold fewer of them: at most about this many bytes. */
#define SLAB_BYTES_CAP (16u << 20)
/* Slabs start on a cache line, so an object of 64 bytes (an event) is one line, not two. */
#define SLAB_ALIGN 64

/* Objects per slab: the wanted count, within [1, MAX_SLAB] and the byte cap. */
static size_t clamp_slab(size_t want, size_t obj_size) {
    size_t cap = SLAB_BYTES_CAP / obj_size;
    if (want > cap)
        want = cap;
    if (want > MAX_SLAB)
        want = MAX_SLAB;
    return want ? want : 1;
}

void sim_pool_init(sim_pool *p, size_t obj_size) {
    size_t a = sizeof(void *);
    p->obj_size = obj_size < a ? a : (obj_size + a - 1) / a * a;
    p->per_slab = clamp_slab(FIRST_SLAB, p->obj_size);
    p->free = NULL;
    p->slabs = NULL;
    p->nslabs = p->capslabs = p->capacity = 0;
    p->live = 0;
}

void sim_pool_destroy(sim_pool *p) {
    for (size_t i = 0; i < p->nslabs; i++)
        free(p->slabs[i]);
    free(p->slabs);
    p->slabs = NULL;
    p->nslabs = p->capslabs = p->capacity = 0;
    p->free = NULL;
}

int sim_pool__grow(sim_pool *p) {
    if (p->nslabs == p->capslabs) {
        size_t cap = p->capslabs ? 2 * p->capslabs : 16;
        void **s = realloc(p->slabs, cap * sizeof *s);
        if (!s)
            return -1;
        p->slabs = s;
        p->capslabs = cap;
    }
    size_t bytes = (p->per_slab * p->obj_size + SLAB_ALIGN - 1) / SLAB_ALIGN * SLAB_ALIGN;
    unsigned char *slab = aligned_alloc(SLAB_ALIGN, bytes);
    if (!slab)
        return -1;
    p->slabs[p->nslabs++] = slab;
    p->capacity += p->per_slab;
    for (size_t i = p->per_slab; i-- > 0;) {
        sim_pool_free *o = (sim_pool_free *)(slab + i * p->obj_size);
        o->next = p->free;
        p->free = o;
    }
    /* Grow by a quarter of what exists: at most 25% slack, yet few slabs. */
    size_t want = p->capacity / 4;
    p->per_slab = clamp_slab(want < FIRST_SLAB ? FIRST_SLAB : want, p->obj_size);
    return 0;
}
