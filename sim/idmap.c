/* Linear probing keeps the table at most half full; deletion shifts later members of the
 * probe run back (Knuth, TAOCP vol. 3, 6.4 Algorithm R), so lookups never see tombstones. */
#include "idmap.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const sim_idmap *m, uint64_t id) {
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    id ^= id >> 33;
    return (size_t)id & (m->cap - 1);
}

void sim_idmap_init(sim_idmap *m) { memset(m, 0, sizeof *m); }

void sim_idmap_free(sim_idmap *m) {
    free(m->keys);
    free(m->vals);
    sim_idmap_init(m);
}

static int rehash(sim_idmap *m, size_t cap) {
    sim_idmap n = {calloc(cap, sizeof(uint64_t)), calloc(cap, sizeof(uint64_t)), cap, 0};
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t s = slot_of(&n, m->keys[i]);
            while (n.keys[s])
                s = (s + 1) & (cap - 1);
            n.keys[s] = m->keys[i];
            n.vals[s] = m->vals[i];
            n.n++;
        }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

int sim_idmap_put(sim_idmap *m, uint64_t id, uint64_t val) {
    if (2 * (m->n + 1) > m->cap && rehash(m, m->cap ? 2 * m->cap : 64))
        return -1;
    size_t s = slot_of(m, id);
    while (m->keys[s] && m->keys[s] != id)
        s = (s + 1) & (m->cap - 1);
    if (!m->keys[s])
        m->n++;
    m->keys[s] = id;
    m->vals[s] = val;
    return 0;
}

/* Slot holding id, or -1. */
static ptrdiff_t find(const sim_idmap *m, uint64_t id) {
    if (!m->cap)
        return -1;
    size_t mask = m->cap - 1, s = slot_of(m, id);
    while (m->keys[s] != id) {
        if (!m->keys[s])
            return -1;
        s = (s + 1) & mask;
    }
    return (ptrdiff_t)s;
}

bool sim_idmap_get(const sim_idmap *m, uint64_t id, uint64_t *val) {
    ptrdiff_t s = find(m, id);
    if (s < 0)
        return false;
    if (val)
        *val = m->vals[s];
    return true;
}

bool sim_idmap_take(sim_idmap *m, uint64_t id, uint64_t *val) {
    ptrdiff_t found = find(m, id);
    if (found < 0)
        return false;
    size_t mask = m->cap - 1, s = (size_t)found;
    if (val)
        *val = m->vals[s];
    m->n--;
    /* Shift back later entries of the run whose home slot is not in (s, j]. */
    size_t hole = s, j = s;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->keys[j])
            break;
        size_t home = slot_of(m, m->keys[j]);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            m->keys[hole] = m->keys[j];
            m->vals[hole] = m->vals[j];
            hole = j;
        }
    }
    m->keys[hole] = 0;
    return true;
}

void sim_idmap_clear(sim_idmap *m) {
    if (m->cap)
        memset(m->keys, 0, m->cap * sizeof *m->keys);
    m->n = 0;
}
