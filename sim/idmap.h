/* A hash map from 64-bit ids to 64-bit values: open addressing with linear probing and
 * backward-shift deletion (no tombstones), for "what am I still waiting for" tables (a
 * client's requests by id, a caller's calls). Id 0 is reserved. */
#ifndef SIM_IDMAP_H
#define SIM_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_idmap {
    uint64_t *keys, *vals;
    size_t cap, n; /* cap is 0 or a power of two */
} sim_idmap;

/* Initialises an empty map (no allocation yet). */
void sim_idmap_init(sim_idmap *m);
/* Frees the map's arrays; it is empty and reusable afterwards. */
void sim_idmap_free(sim_idmap *m);
/* Inserts or replaces id -> val (id != 0). Returns 0, or -1 when out of memory. */
int sim_idmap_put(sim_idmap *m, uint64_t id, uint64_t val);
/* Looks id up; returns true and its value in *val (may be NULL) if it is there. */
bool sim_idmap_get(const sim_idmap *m, uint64_t id, uint64_t *val);
/* Removes id; returns true and its value in *val (may be NULL) if it was there. */
bool sim_idmap_take(sim_idmap *m, uint64_t id, uint64_t *val);
/* Removes every entry, keeping the arrays. */
void sim_idmap_clear(sim_idmap *m);

#endif
