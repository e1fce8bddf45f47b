/* The LRU table (blocks/lru.h): slots in one array linked by index, a free chain, and an
 * idmap from key + 1 (idmap reserves id 0) to slot. */
#include "lru.h"

#include <assert.h>
#include <stdlib.h>

void lru_init(lru *c, uint32_t capacity) {
    assert(capacity >= 1);
    *c = (lru){.capacity = capacity, .head = LRU_NONE, .tail = LRU_NONE, .free = LRU_NONE};
    sim_idmap_init(&c->map);
}

void lru_free(lru *c) {
    free(c->slots);
    sim_idmap_free(&c->map);
    *c = (lru){.capacity = c->capacity, .head = LRU_NONE, .tail = LRU_NONE, .free = LRU_NONE};
    sim_idmap_init(&c->map);
}

lru_entry *lru_find(lru *c, uint64_t key) {
    uint64_t i;
    if (key == UINT64_MAX || !sim_idmap_get(&c->map, key + 1, &i))
        return NULL;
    return &c->slots[i];
}

static uint32_t index_of(const lru *c, const lru_entry *e) { return (uint32_t)(e - c->slots); }

static void unlink_slot(lru *c, uint32_t i) {
    lru_entry *e = &c->slots[i];
    if (e->prev != LRU_NONE)
        c->slots[e->prev].next = e->next;
    else
        c->head = e->next;
    if (e->next != LRU_NONE)
        c->slots[e->next].prev = e->prev;
    else
        c->tail = e->prev;
}

static void push_front(lru *c, uint32_t i) {
    lru_entry *e = &c->slots[i];
    e->prev = LRU_NONE;
    e->next = c->head;
    if (c->head != LRU_NONE)
        c->slots[c->head].prev = i;
    c->head = i;
    if (c->tail == LRU_NONE)
        c->tail = i;
}

void lru_touch(lru *c, lru_entry *e) {
    uint32_t i = index_of(c, e);
    if (c->head == i)
        return;
    unlink_slot(c, i);
    push_front(c, i);
}

void lru_remove(lru *c, lru_entry *e) {
    uint32_t i = index_of(c, e);
    bool had = sim_idmap_take(&c->map, e->key + 1, NULL);
    assert(had);
    (void)had;
    unlink_slot(c, i);
    e->next = c->free;
    c->free = i;
    c->n--;
}

lru_entry *lru_insert(lru *c, uint64_t key, lru_entry *victim, bool *evicted) {
    *evicted = false;
    if (key == UINT64_MAX)
        return NULL;
    assert(!lru_find(c, key));
    if (c->free == LRU_NONE && c->nslots < c->capacity) { /* grow the slot array */
        uint32_t cap = c->nslots ? c->nslots : 64;
        cap = cap > c->capacity - c->nslots ? c->capacity : c->nslots + cap;
        lru_entry *slots = realloc(c->slots, (size_t)cap * sizeof *slots);
        if (!slots)
            return NULL;
        for (uint32_t i = c->nslots; i < cap; i++)
            slots[i].next = i + 1 < cap ? i + 1 : LRU_NONE;
        c->slots = slots;
        c->free = c->nslots;
        c->nslots = cap;
    }
    /* Reserve the map's room first, so that a failure leaves the table as it was. */
    uint32_t i = c->free != LRU_NONE ? c->free : c->tail;
    if (sim_idmap_put(&c->map, key + 1, i))
        return NULL;
    if (c->free == LRU_NONE) { /* full: evict the least recently used */
        *victim = c->slots[i];
        *evicted = true;
        sim_idmap_take(&c->map, victim->key + 1, NULL);
        unlink_slot(c, i);
    } else {
        c->free = c->slots[i].next;
        c->n++;
    }
    c->slots[i] = (lru_entry){.key = key};
    push_front(c, i);
    return &c->slots[i];
}

void lru_clear(lru *c) {
    sim_idmap_clear(&c->map);
    c->head = c->tail = LRU_NONE;
    c->n = 0;
    c->free = LRU_NONE;
    for (uint32_t i = c->nslots; i-- > 0;) {
        c->slots[i].next = c->free;
        c->free = i;
    }
}
