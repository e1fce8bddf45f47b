/* Fixed-size object pool: objects are carved from slabs of many at once and recycled through a
 * free list, so the event loop never calls malloc in steady state. Objects are not zeroed. */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>

typedef struct sim_pool_free {
    struct sim_pool_free *next;
} sim_pool_free;

typedef struct sim_pool {
    size_t obj_size, per_slab;
    sim_pool_free *free; /* recycled objects; the link overlays their first bytes */
    void **slabs;
    size_t nslabs, capslabs;
    size_t live;     /* objects handed out and not returned */
    size_t capacity; /* objects in all slabs */
} sim_pool;

/* Prepares an empty pool of objects of obj_size bytes (at least a pointer's size). */
void sim_pool_init(sim_pool *p, size_t obj_size);
/* Frees every slab: all objects, handed out or not, die here. */
void sim_pool_destroy(sim_pool *p);
/* Slow path of sim_pool_get: adds a slab. Returns 0, or -1 when out of memory. */
int sim_pool__grow(sim_pool *p);

/* Returns an object owned by the caller until sim_pool_put, or NULL when out of memory. */
static inline void *sim_pool_get(sim_pool *p) {
    if (!p->free && sim_pool__grow(p))
        return NULL;
    sim_pool_free *o = p->free;
    p->free = o->next;
    p->live++;
    return o;
}

/* Returns obj to the pool. */
static inline void sim_pool_put(sim_pool *p, void *obj) {
    sim_pool_free *o = obj;
    o->next = p->free;
    p->free = o;
    p->live--;
}

#endif
