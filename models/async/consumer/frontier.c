/* The commit frontier of frontier.h: the deliveries held, in one small array (at most the
 * consumer's prefetch of them, plus those done but waiting for an earlier one), scanned per
 * partition on each processing. */
#include "frontier.h"

#include <stdlib.h>
#include <string.h>

void cf_init(consumer_frontier *f) { *f = (consumer_frontier){0}; }

void cf_free(consumer_frontier *f) {
    free(f->e);
    free(f->p);
    cf_init(f);
}

/* Makes room for partition p. Returns 0, or -1 when out of memory. */
static int have_partition(consumer_frontier *f, uint32_t p) {
    if (p < f->np)
        return 0;
    size_t np = (size_t)p + 1;
    cf_partition *v = realloc(f->p, np * sizeof *v);
    if (!v)
        return -1;
    memset(v + f->np, 0, (np - f->np) * sizeof *v);
    f->p = v;
    f->np = np;
    return 0;
}

int cf_delivered(consumer_frontier *f, uint32_t partition, uint64_t offset) {
    if (have_partition(f, partition))
        return -1;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        cf_entry *e = realloc(f->e, cap * sizeof *e);
        if (!e)
            return -1;
        f->e = e;
        f->cap = cap;
    }
    f->e[f->n++] = (cf_entry){.offset = offset, .partition = partition};
    return 0;
}

/* The first entry of (partition, offset) with done == done, or NULL. A stream may deliver an
 * offset again after a rebalance while an earlier copy is still in hand. */
static cf_entry *find(consumer_frontier *f, uint32_t partition, uint64_t offset, bool done) {
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].partition == partition && f->e[i].offset == offset && f->e[i].done == done)
            return &f->e[i];
    return NULL;
}

static void remove_at(consumer_frontier *f, size_t i) { f->e[i] = f->e[--f->n]; }

/* Moves partition's frontier past the done entries below its lowest entry not done, and
 * forgets them: they are covered. */
static void advance(consumer_frontier *f, uint32_t partition, uint32_t generation) {
    uint64_t low = UINT64_MAX; /* the lowest offset still in hand, not done */
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].partition == partition && !f->e[i].done && f->e[i].offset < low)
            low = f->e[i].offset;
    cf_partition *p = &f->p[partition];
    for (size_t i = f->n; i-- > 0;) {
        const cf_entry *e = &f->e[i];
        if (e->partition != partition || !e->done || e->offset >= low)
            continue;
        if (e->offset + 1 > p->frontier) {
            p->frontier = e->offset + 1;
            p->generation = generation;
        }
        remove_at(f, i);
    }
}

int cf_done(consumer_frontier *f, uint32_t partition, uint64_t offset, uint32_t generation) {
    cf_entry *e = find(f, partition, offset, false);
    if (!e) /* not tracked (delivered before commits were asked for): track it done */
        if (cf_delivered(f, partition, offset) || !(e = find(f, partition, offset, false)))
            return -1;
    e->done = true;
    advance(f, partition, generation);
    return 0;
}

void cf_forget(consumer_frontier *f, uint32_t partition, uint64_t offset) {
    cf_entry *e = find(f, partition, offset, false);
    if (e)
        remove_at(f, (size_t)(e - f->e));
}

bool cf_due(const consumer_frontier *f, uint32_t partition, uint64_t *offset,
            uint32_t *generation) {
    if (partition >= f->np || f->p[partition].frontier <= f->p[partition].committed)
        return false;
    *offset = f->p[partition].frontier;
    *generation = f->p[partition].generation;
    return true;
}

void cf_committed(consumer_frontier *f, uint32_t partition) {
    if (partition < f->np)
        f->p[partition].committed = f->p[partition].frontier;
}
