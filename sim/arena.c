/* Arena: a chain of blocks; small requests are carved from the current block,
 * large ones get a block of their own. Everything is freed in sim_arena_free. */
#include "arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE 16384

typedef struct block {
    struct block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
} block;

struct sim_arena {
    block *head;
};

sim_arena *sim_arena_new(void) { return calloc(1, sizeof(sim_arena)); }

void sim_arena_free(sim_arena *a) {
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *sim_arena_alloc(sim_arena *a, size_t size) {
    const size_t align = alignof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t cap = size > BLOCK_SIZE ? size : BLOCK_SIZE;
        b = malloc(sizeof(block) + cap);
        if (!b)
            return NULL;
        b->size = cap;
        b->used = 0;
        /* A one-off large block goes behind the head so the head keeps its free space. */
        if (a->head && cap > BLOCK_SIZE) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *sim_arena_strdup(sim_arena *a, const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = sim_arena_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}
