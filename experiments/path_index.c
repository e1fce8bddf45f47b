/* Open addressing with linear probing over FNV-1a hashes (Fowler, Noll, Vo: a fast,
 * well-spread hash of short strings), kept at most half full. */
#include "path_index.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s) {
    uint64_t h = 14695981039346656037ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int grow_slots(exp_path_index *x) {
    size_t nslot = x->nslot ? 2 * x->nslot : 256;
    size_t *slot = calloc(nslot, sizeof *slot);
    if (!slot)
        return -1;
    for (size_t i = 0; i < x->n; i++) {
        size_t j = (size_t)hash(x->paths[i]) & (nslot - 1);
        while (slot[j])
            j = (j + 1) & (nslot - 1);
        slot[j] = i + 1;
    }
    free(x->slot);
    x->slot = slot;
    x->nslot = nslot;
    return 0;
}

size_t exp_path_index_find(const exp_path_index *x, const char *path) {
    if (!x->nslot)
        return SIZE_MAX;
    size_t j = (size_t)hash(path) & (x->nslot - 1);
    for (; x->slot[j]; j = (j + 1) & (x->nslot - 1))
        if (strcmp(x->paths[x->slot[j] - 1], path) == 0)
            return x->slot[j] - 1;
    return SIZE_MAX;
}

size_t exp_path_index_find_or_add(exp_path_index *x, const char *path, bool *added) {
    if (added)
        *added = false;
    if (2 * (x->n + 1) > x->nslot && grow_slots(x))
        return SIZE_MAX;
    size_t j = (size_t)hash(path) & (x->nslot - 1);
    for (; x->slot[j]; j = (j + 1) & (x->nslot - 1))
        if (strcmp(x->paths[x->slot[j] - 1], path) == 0)
            return x->slot[j] - 1;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 256;
        const char **p = realloc(x->paths, cap * sizeof *p);
        if (!p)
            return SIZE_MAX;
        x->paths = p;
        x->cap = cap;
    }
    x->paths[x->n] = path;
    x->slot[j] = ++x->n;
    if (added)
        *added = true;
    return x->n - 1;
}

void exp_path_index_free(exp_path_index *x) {
    free(x->paths);
    free(x->slot);
    *x = (exp_path_index){0};
}
