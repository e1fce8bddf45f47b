/* Pending-event set as a flat 4-ary min-heap of (time, seq, event) entries: the simple,
 * distribution-proof alternative to the calendar queue (meson -Dqueue=heap). Four children per
 * node halve the depth of a binary heap and keep siblings in one cache line. */
#include "queue.h"

#include <stdlib.h>

#define ARITY 4

typedef struct entry {
    sim_time time;
    uint64_t seq;
    sim_event *ev;
} entry;

struct sim_queue {
    entry *a;
    size_t n, cap;
};

static inline int before(const entry *x, const entry *y) {
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

sim_queue *sim_queue_new(void) { return calloc(1, sizeof(sim_queue)); }

void sim_queue_free(sim_queue *q) {
    if (!q)
        return;
    free(q->a);
    free(q);
}

int sim_queue_push(sim_queue *q, sim_event *e) {
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        entry *a = realloc(q->a, cap * sizeof *a);
        if (!a)
            return -1;
        q->a = a;
        q->cap = cap;
    }
    entry x = {e->time, e->seq, e};
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!before(&x, &q->a[p]))
            break;
        q->a[i] = q->a[p];
        i = p;
    }
    q->a[i] = x;
    return 0;
}

/* Puts x at position i and sifts it down among the heap's first n entries. */
static void sift_down(entry *a, size_t n, size_t i, entry x) {
    for (;;) {
        size_t c = ARITY * i + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + ARITY < n ? c + ARITY : n;
        for (size_t k = c + 1; k < end; k++)
            if (before(&a[k], &a[best]))
                best = k;
        if (!before(&a[best], &x))
            break;
        a[i] = a[best];
        i = best;
    }
    a[i] = x;
}

sim_event *sim_queue_pop_until(sim_queue *q, sim_time limit) {
    if (q->n == 0 || q->a[0].time > limit)
        return NULL;
    sim_event *top = q->a[0].ev;
    entry x = q->a[--q->n];
    if (q->n)
        sift_down(q->a, q->n, 0, x);
    return top;
}

void sim_queue_remove_if(sim_queue *q, bool (*drop)(sim_event *e, void *ud), void *ud) {
    size_t kept = 0;
    for (size_t i = 0; i < q->n; i++)
        if (!drop(q->a[i].ev, ud))
            q->a[kept++] = q->a[i];
    q->n = kept;
    for (size_t i = kept / ARITY + 1; i-- > 0;) /* Floyd's bottom-up heap construction */
        if (i < kept)
            sift_down(q->a, kept, i, q->a[i]);
}

sim_event *sim_queue_peek(const sim_queue *q, size_t k) { return q->n && !k ? q->a[0].ev : NULL; }

size_t sim_queue_size(const sim_queue *q) { return q->n; }

const char *sim_queue_impl(void) { return "heap"; }

size_t sim_queue_bytes(const sim_queue *q) { return sizeof *q + q->cap * sizeof *q->a; }
