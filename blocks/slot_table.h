/* A table of fixed-size slots reused through a free list, for the requests a kind holds while
 * it waits on something (a cache's lookups and backend calls, a circuit breaker's calls, a
 * proxy's relayed requests). A slot's index is stable while it is taken, so timers and replies
 * can carry it; the table grows by doubling, which moves the slots (take pointers again after
 * slot_table_take). The most recently freed slot is reused first. */
#ifndef DSIM_SLOT_TABLE_H
#define DSIM_SLOT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_NONE UINT32_MAX

typedef struct slot_table {
    unsigned char *items; /* size bytes each */
    uint32_t *next_free;  /* per slot: the next free slot while it is free */
    size_t size;
    uint32_t n, cap;      /* slots handed out at least once; allocated */
    uint32_t free;        /* the first free slot, SLOT_NONE: none */
} slot_table;

/* Sets up an empty table of slots of size bytes. */
void slot_table_init(slot_table *t, size_t size);
void slot_table_free(slot_table *t);

/* Takes a slot, zeroed: returns its index, or SLOT_NONE when out of memory. */
uint32_t slot_table_take(slot_table *t);
/* Gives slot i back (zeroing it). */
void slot_table_put(slot_table *t, uint32_t i);
/* Forgets every slot (a crash): all are free, none is zeroed until taken again. */
void slot_table_clear(slot_table *t);

/* Slot i. */
static inline void *slot_table_at(const slot_table *t, uint32_t i) {
    return t->items + (size_t)i * t->size;
}

#endif
