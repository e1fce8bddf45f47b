/* An LRU table of cache entries: a hash map (sim/idmap.h) from key to slot and a doubly linked
 * list of slots through indices, most recently used first, so that find, touch, insert,
 * remove and evict are O(1) (the textbook design, e.g. Redis's and memcached's LRU lists).
 * It holds at most `capacity` entries; inserting into a full table evicts the least recently
 * used one. It knows nothing of time, TTLs or backends: models/data/cache/cache.c decides those. */
#ifndef DSIM_LRU_H
#define DSIM_LRU_H

#include "idmap.h"
#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

#define LRU_NONE UINT32_MAX

typedef struct lru_entry {
    uint64_t key;
    uint64_t version;    /* the version of the key the entry holds */
    sim_time expires;    /* SIM_TIME_MAX: never */
    bool has_data;       /* filled from a reply whose kv.served is set */
    uint32_t store;      /* with has_data: the data store the version belongs to */
    uint32_t prev, next; /* list links (LRU_NONE at the ends); next chains free slots */
} lru_entry;

typedef struct lru {
    lru_entry *slots; /* grown on demand up to capacity; indices are stable */
    uint32_t capacity, nslots, n;
    uint32_t head, tail, free; /* most and least recently used; free-slot chain */
    sim_idmap map;             /* key + 1 -> slot */
} lru;

/* Initialises an empty table of at most capacity (>= 1) entries (no allocation yet). */
void lru_init(lru *c, uint32_t capacity);
/* Frees the table's memory; it is empty and reusable afterwards. */
void lru_free(lru *c);
/* Returns the entry of key, or NULL; does not change the order. The pointer is valid until
 * the next insert. The key UINT64_MAX is never held. */
lru_entry *lru_find(lru *c, uint64_t key);
/* Makes e the most recently used entry. */
void lru_touch(lru *c, lru_entry *e);
/* Inserts key (absent from the table) as the most recently used entry, evicting the least
 * recently used one first when full (its copy goes to *victim, and true to *evicted).
 * Returns the new entry (its fields other than key zeroed), or NULL when out of memory or
 * when key is UINT64_MAX (nothing changed then). */
lru_entry *lru_insert(lru *c, uint64_t key, lru_entry *victim, bool *evicted);
/* Removes e from the table. */
void lru_remove(lru *c, lru_entry *e);
/* Removes every entry, keeping the memory. */
void lru_clear(lru *c);

#endif
