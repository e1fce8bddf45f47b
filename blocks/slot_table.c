/* Slots reused through a free list (slot_table.h). */
#include "slot_table.h"

#include <stdlib.h>
#include <string.h>

void slot_table_init(slot_table *t, size_t size) {
    *t = (slot_table){.size = size, .free = SLOT_NONE};
}

void slot_table_free(slot_table *t) {
    free(t->items);
    free(t->next_free);
    slot_table_init(t, t->size);
}

/* Doubles the allocation; returns 0, or -1 when out of memory. */
static int grow(slot_table *t) {
    uint32_t cap = t->cap ? 2 * t->cap : 16;
    unsigned char *items = realloc(t->items, (size_t)cap * t->size);
    if (!items)
        return -1;
    t->items = items;
    uint32_t *next = realloc(t->next_free, (size_t)cap * sizeof *next);
    if (!next)
        return -1;
    t->next_free = next;
    t->cap = cap;
    return 0;
}

uint32_t slot_table_take(slot_table *t) {
    uint32_t i;
    if (t->free != SLOT_NONE) {
        i = t->free;
        t->free = t->next_free[i];
    } else {
        if (t->n == t->cap && grow(t))
            return SLOT_NONE;
        i = t->n++;
    }
    memset(slot_table_at(t, i), 0, t->size);
    return i;
}

void slot_table_put(slot_table *t, uint32_t i) {
    memset(slot_table_at(t, i), 0, t->size);
    t->next_free[i] = t->free;
    t->free = i;
}

void slot_table_clear(slot_table *t) {
    t->n = 0;
    t->free = SLOT_NONE;
}
