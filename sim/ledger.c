/* The engine's table of open ledgers (ledger.h): a slot array with a free list, each slot a
 * ledger with its segments in a small array that is kept (not freed) when the slot is reused,
 * so the steady state allocates nothing. A transition appends its segment (no search for an
 * earlier part of the same place and category: the reader sums them, and a request has a few
 * dozen segments at most), which keeps the hot path to a lookup and a store. */
#include "ledger.h"

#include "engine_int.h"

#include <stdlib.h>

const char *const sim_ledger_category_names[SIM_LEDGER_CATEGORIES] = {
    "network", "queue", "service", "backoff", "replication_wait",
};

typedef struct ledger {
    uint64_t root; /* 0: the slot is free */
    sim_time last; /* the last transition */
    uint32_t attempt;
    uint32_t open_place, open_category; /* the segment open since last */
    uint32_t next_free;                 /* free slots: 1 + the next one's index, 0: none */
    uint32_t nparts, capparts;
    sim_ledger_part *parts;
} ledger;

struct sim_ledger_book {
    ledger *slots;
    uint32_t nslots, capslots;
    uint32_t free_head; /* 1 + the first free slot's index, 0: none */
    size_t open;
    uint64_t serial; /* of the last ledger opened: what tells a slot's ledgers apart */
};

static sim_ledger_book *book_of(sim_node *n) {
    sim_engine *e = n->eng;
    if (!e->ledgers) {
        e->ledgers = calloc(1, sizeof *e->ledgers);
        if (!e->ledgers)
            sim_out_of_memory(n);
    }
    return e->ledgers;
}

static uint32_t place_of(const sim_node *n) { return n->topo->group_first; }

void sim_ledger_open(sim_node *n, sim_ledger_ref *ref) {
    *ref = (sim_ledger_ref){0};
    sim_ledger_book *b = book_of(n);
    if (!b)
        return;
    uint32_t i;
    if (b->free_head) {
        i = b->free_head - 1;
        b->free_head = b->slots[i].next_free;
    } else {
        if (b->nslots == b->capslots) {
            uint32_t cap = b->capslots ? 2 * b->capslots : 64;
            ledger *s = realloc(b->slots, cap * sizeof *s);
            if (!s) {
                sim_out_of_memory(n);
                return;
            }
            b->slots = s;
            b->capslots = cap;
        }
        i = b->nslots++;
        b->slots[i] = (ledger){0};
    }
    ledger *l = &b->slots[i];
    uint64_t root = ++b->serial;
    l->root = root;
    l->last = sim_now(n);
    l->attempt = 1;
    l->open_place = place_of(n);
    l->open_category = SIM_LEDGER_SERVICE;
    l->nparts = 0;
    b->open++;
    *ref = (sim_ledger_ref){.root = root, .slot = i + 1, .attempt = 1};
}

/* The ledger ref points to, whatever the attempt; NULL when it is closed. */
static ledger *find_root(sim_node *n, const sim_ledger_ref *ref) {
    sim_ledger_book *b = n->eng->ledgers;
    if (!ref->slot || !b || ref->slot > b->nslots)
        return NULL;
    ledger *l = &b->slots[ref->slot - 1];
    return l->root == ref->root ? l : NULL;
}

/* The same, NULL too when ref is of an earlier attempt. */
static ledger *find(sim_node *n, const sim_ledger_ref *ref) {
    ledger *l = find_root(n, ref);
    return l && l->attempt == ref->attempt ? l : NULL;
}

/* Doubles l's room for segments (out of the hot path). Returns -1 when out of memory. */
static __attribute__((noinline)) int grow(ledger *l) {
    uint32_t cap = l->capparts ? 2 * l->capparts : 8;
    sim_ledger_part *p = realloc(l->parts, cap * sizeof *p);
    if (!p)
        return -1;
    l->parts = p;
    l->capparts = cap;
    return 0;
}

/* Appends [last, now] as a segment of the open state (none when empty). Returns -1 when out
 * of memory. */
static int close_segment(ledger *l, sim_time now) {
    sim_time d = now - l->last;
    l->last = now;
    if (d == 0)
        return 0;
    if (l->nparts == l->capparts && grow(l))
        return -1;
    l->parts[l->nparts++] = (sim_ledger_part){l->open_place, l->open_category, d};
    return 0;
}

void sim__ledger_step(sim_node *n, const sim_ledger_ref *ref, sim_ledger_category next) {
    ledger *l = find(n, ref);
    if (!l)
        return;
    if (close_segment(l, n->eng->now))
        sim_out_of_memory(n);
    l->open_place = next == SIM_LEDGER_NETWORK ? SIM_NO_NODE : place_of(n);
    l->open_category = next;
}

void sim_ledger_new_attempt(sim_node *n, sim_ledger_ref *ref) {
    ledger *l = find_root(n, ref);
    if (l)
        ref->attempt = ++l->attempt;
}

const sim_ledger_part *sim_ledger_parts(sim_node *n, const sim_ledger_ref *ref, size_t *count) {
    ledger *l = find_root(n, ref);
    *count = 0;
    if (!l)
        return NULL;
    if (close_segment(l, sim_now(n)))
        sim_out_of_memory(n);
    *count = l->nparts;
    return l->parts;
}

void sim_ledger_close(sim_node *n, sim_ledger_ref *ref) {
    sim_ledger_book *b = n->eng->ledgers;
    ledger *l = find_root(n, ref);
    if (l) {
        l->root = 0;
        l->next_free = b->free_head;
        b->free_head = ref->slot;
        b->open--;
    }
    *ref = (sim_ledger_ref){0};
}

size_t sim_ledger_open_count(const sim_engine *e) { return e->ledgers ? e->ledgers->open : 0; }

size_t sim_ledger_slot_count(const sim_engine *e) { return e->ledgers ? e->ledgers->nslots : 0; }

void sim__ledger_book_free(sim_ledger_book *b) {
    if (!b)
        return;
    for (uint32_t i = 0; i < b->nslots; i++)
        free(b->slots[i].parts);
    free(b->slots);
    free(b);
}
