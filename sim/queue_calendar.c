/* Calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for
 * the simulation event set problem", CACM 31(10), 1988). Buckets of width w hold sorted
 * linked lists; an event at time t goes to bucket (t / w) mod nb. The bucket count doubles or
 * halves when the population crosses 2x or 0.5x of it, and w is re-estimated then from the
 * gaps between the earliest events (Brown's rule: 3x the mean gap, gaps over twice the mean
 * left out). A tail pointer per bucket makes appending (equal times, later sequence numbers:
 * the common case with zero-latency hops) O(1). When the average work per operation drifts
 * high because the time scale of the run changed, w is re-estimated without resizing, as in
 * the dynamic calendar queue of Oh and Ahn (1997). */
#include "queue.h"

#include <stdlib.h>

#define MIN_BUCKETS 16
#define SAMPLE 25
#define COST_LIMIT 8 /* average steps per operation that triggers re-estimation */

/* A bucket keeps the times of its first and last events beside the pointers, so appending,
 * prepending and checking whether the head is due read the bucket alone, not the events: with
 * tens of thousands of pending events, each event touched is a likely cache miss. */
typedef struct bucket {
    sim_event *head, *tail;
    sim_time first, last; /* times of head and tail (meaningful when head is set) */
} bucket;

struct sim_queue {
    bucket *b;
    size_t nb, mask, n;
    sim_time width;
    double inv_width;      /* 1 / width: a multiply instead of a 64-bit division */
    int64_t cur;           /* current virtual bucket: events before it are all popped */
    uint64_t cost, ops;    /* steps and operations since the last (re)estimation */
};

/* The virtual bucket of time t: monotone in t, the same function for every push and pop. */
static inline int64_t vbucket(const sim_queue *q, sim_time t) {
    double v = (double)t * q->inv_width;
    return v < 9e18 ? (int64_t)v : (int64_t)9e18; /* (double)SIM_TIME_MAX rounds up to 2^63 */
}

static void link_event(sim_queue *q, sim_event *e, int64_t vb) {
    bucket *bk = &q->b[(size_t)vb & q->mask];
    e->next = NULL;
    if (!bk->tail) {
        bk->head = bk->tail = e;
        bk->first = bk->last = e->time;
    } else if (e->time < bk->first) {
        e->next = bk->head;
        bk->head = e;
        bk->first = e->time;
    } else if (e->time > bk->last || (e->time == bk->last && !sim_event_before(e, bk->tail))) {
        bk->tail->next = e;
        bk->tail = e;
        bk->last = e->time;
    } else {
        sim_event **p = &bk->head;
        while (sim_event_before(*p, e)) {
            p = &(*p)->next;
            q->cost++;
        }
        e->next = *p;
        *p = e;
        if (p == &bk->head) /* same time as the head but scheduled earlier */
            bk->first = e->time;
    }
}

static void unlink_head(bucket *bk) {
    sim_event *e = bk->head;
    bk->head = e->next;
    if (bk->head)
        bk->first = bk->head->time;
    else
        bk->tail = NULL;
    e->next = NULL;
}

static int cmp_events(const void *a, const void *b) {
    const sim_event *x = *(sim_event *const *)a, *y = *(sim_event *const *)b;
    return sim_event_before(x, y) ? -1 : sim_event_before(y, x) ? 1 : 0;
}

/* Brown's width estimate: 3x the mean gap between the earliest events of the sorted array,
 * gaps over twice the mean left out. The sample is stretched past SAMPLE events until its
 * times differ, so a burst at one instant yields a width that gives each distinct time of the
 * burst a bucket of its own instead of keeping a stale width. Old width if all times agree. */
static sim_time estimate_width(sim_event **all, size_t n, sim_time old) {
    if (n < 2)
        return old;
    size_t k = n < SAMPLE ? n - 1 : SAMPLE - 1;
    while (k + 1 < n && all[k]->time == all[0]->time)
        k++;
    double span = (double)(all[k]->time - all[0]->time);
    if (span <= 0)
        return old;
    double mean = span / (double)k, kept = 0;
    int count = 0;
    for (size_t i = 1; i <= k; i++) {
        double gap = (double)(all[i]->time - all[i - 1]->time);
        if (gap <= 2 * mean) {
            kept += gap;
            count++;
        }
    }
    double w = 3 * (kept > 0 ? kept / count : mean);
    return w < 1 ? 1 : w > (double)SIM_TIME_MAX / 4 ? SIM_TIME_MAX / 4 : (sim_time)w;
}

static void set_width(sim_queue *q, sim_time w) {
    q->width = w;
    q->inv_width = 1.0 / (double)w;
}

/* Rebuilds with nb buckets and a fresh width. On allocation failure keeps the old layout. */
static void rebuild(sim_queue *q, size_t nb) {
    sim_event **all = malloc((q->n ? q->n : 1) * sizeof *all);
    bucket *b = calloc(nb, sizeof *b);
    if (!all || !b) {
        free(all);
        free(b);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < q->nb; i++)
        for (sim_event *e = q->b[i].head; e; e = e->next)
            all[k++] = e;
    qsort(all, k, sizeof *all, cmp_events);
    free(q->b);
    q->b = b;
    q->nb = nb;
    q->mask = nb - 1;
    set_width(q, estimate_width(all, k, q->width));
    for (size_t i = 0; i < k; i++) /* sorted order: every insertion is an O(1) append */
        link_event(q, all[i], vbucket(q, all[i]->time));
    if (k)
        q->cur = vbucket(q, all[0]->time);
    q->cost = q->ops = 0;
    free(all);
}

sim_queue *sim_queue_new(void) {
    sim_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->nb = MIN_BUCKETS;
    q->mask = MIN_BUCKETS - 1;
    set_width(q, SIM_MS);
    q->b = calloc(q->nb, sizeof *q->b);
    if (!q->b) {
        sim_queue_free(q);
        return NULL;
    }
    return q;
}

void sim_queue_free(sim_queue *q) {
    if (!q)
        return;
    free(q->b);
    free(q);
}

/* Counts an operation and re-estimates the width when the recent average cost is high: at
 * the end of each window of 2 nb + 64 operations, or at once when the window's budget is
 * spent (a few full-year scans of a badly sized calendar), so a rebuild's O(n log n) is
 * always paid for by at least as much wasted work. */
static void account(sim_queue *q) {
    uint64_t window = 2 * q->nb + 64;
    if (++q->ops >= window || q->cost > COST_LIMIT * window) {
        if (q->cost > COST_LIMIT * q->ops)
            rebuild(q, q->nb);
        q->cost = q->ops = 0;
    }
}

int sim_queue_push(sim_queue *q, sim_event *e) {
    int64_t vb = vbucket(q, e->time);
    link_event(q, e, vb);
    if (vb < q->cur)
        q->cur = vb;
    if (++q->n > 2 * q->nb)
        rebuild(q, 2 * q->nb);
    else
        account(q);
    return 0;
}

sim_event *sim_queue_pop_until(sim_queue *q, sim_time limit) {
    if (q->n == 0)
        return NULL;
    sim_event *e = NULL;
    size_t b = 0;
    for (size_t k = 0; k < q->nb; k++, q->cur++) {
        b = (size_t)q->cur & q->mask;
        if (q->b[b].head && vbucket(q, q->b[b].first) == q->cur) {
            e = q->b[b].head;
            break;
        }
        q->cost++;
    }
    if (!e) { /* a whole year without an event: go straight to the earliest head */
        for (size_t i = 0; i < q->nb; i++)
            if (q->b[i].head && (!e || sim_event_before(q->b[i].head, e))) {
                e = q->b[i].head;
                b = i;
            }
        q->cost += q->nb;
        q->cur = vbucket(q, e->time);
    }
    if (e->time > limit)
        return NULL;
    unlink_head(&q->b[b]);
    if (--q->n < q->nb / 2 && q->nb > MIN_BUCKETS)
        rebuild(q, q->nb / 2);
    else
        account(q);
    return e;
}

size_t sim_queue_size(const sim_queue *q) { return q->n; }

sim_event *sim_queue_take_any(sim_queue *q) {
    for (size_t i = 0; i < q->nb; i++) {
        sim_event *e = q->b[i].head;
        if (e) {
            unlink_head(&q->b[i]);
            q->n--;
            return e;
        }
    }
    return NULL;
}

const char *sim_queue_impl(void) { return "calendar"; }

size_t sim_queue_bytes(const sim_queue *q) { return sizeof *q + q->nb * sizeof *q->b; }
