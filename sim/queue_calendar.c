/* Calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for
 * the simulation event set problem", CACM 31(10), 1988), sorted lazily as in the ladder queue
 * (Tang, Goh, Thng 2005): an event at time t belongs to bucket (t / w) mod nb, but a bucket's
 * list is kept unsorted; only the current bucket's events (those of virtual bucket
 * floor(now / w)) are sorted, when the calendar reaches them. So a push writes the bucket
 * (8 bytes) and the event alone: with tens of thousands of pending events each event and bucket
 * touched is a likely cache miss, and a sorted insertion reads the events it passes, the events
 * it lands between long before they are due. Sorting a bucket reads its events just before they
 * are dispatched, when they are needed anyway.
 * The bucket count doubles or halves when the population crosses 2x or 0.5x of it, and w is
 * re-estimated then from the gaps between the earliest events (Brown's rule: 3x the mean gap,
 * gaps over twice the mean left out). When the average work per operation drifts high because
 * the time scale of the run changed, w is re-estimated without resizing, as in the dynamic
 * calendar queue of Oh and Ahn (1997). The order is total (time, then sequence number), so the
 * queue's layout never changes which event comes first. */
#include "queue.h"

#include <stdlib.h>

#define MIN_BUCKETS 16
#define SAMPLE 25
#define COST_LIMIT 8 /* average steps per operation that triggers re-estimation */

struct sim_queue {
    sim_event **b;          /* unsorted lists; the current virtual bucket's events are in cur_* */
    size_t nb, mask, n;     /* bucket count (a power of 2), events queued */
    sim_time width;
    double inv_width;       /* 1 / width: a multiply instead of a 64-bit division */
    int64_t cur;            /* current virtual bucket: no queued event is in an earlier one */
    sim_event *head, *tail; /* every queued event of virtual bucket cur, sorted */
    uint64_t cost, ops;     /* steps and operations since the last (re)estimation */
};

/* The virtual bucket of time t: monotone in t, the same function for every push and pop. */
static inline int64_t vbucket(const sim_queue *q, sim_time t) {
    double v = (double)t * q->inv_width;
    return v < 9e18 ? (int64_t)v : (int64_t)9e18; /* (double)SIM_TIME_MAX rounds up to 2^63 */
}

/* Puts e into the sorted current list: at the tail in O(1) when it comes last (equal times,
 * later sequence numbers: the common case with zero-latency hops), else by a walk over the
 * list, which holds one bucket's width of events. */
static void insert_current(sim_queue *q, sim_event *e) {
    if (!q->tail || !sim_event_before(e, q->tail)) {
        e->next = NULL;
        if (q->tail)
            q->tail->next = e;
        else
            q->head = e;
        q->tail = e;
        return;
    }
    sim_event **p = &q->head;
    while (sim_event_before(*p, e)) {
        p = &(*p)->next;
        q->cost++;
    }
    e->next = *p;
    *p = e;
}

/* Files e under virtual bucket vb (not before cur): into the current list, or unsorted. */
static void file_event(sim_queue *q, sim_event *e, int64_t vb) {
    if (vb == q->cur) {
        insert_current(q, e);
    } else {
        sim_event **bk = &q->b[(size_t)vb & q->mask];
        e->next = *bk;
        *bk = e;
    }
}

/* Merge sort of a list of k events (stable, O(k log k)): a bucket reached by the calendar may
 * hold a burst of events at one instant. */
static sim_event *merge_sort(sim_event *l, size_t k) {
    if (k < 2)
        return l;
    sim_event *r = l;
    for (size_t i = 1; i < k / 2; i++)
        r = r->next;
    sim_event *second = r->next;
    r->next = NULL;
    l = merge_sort(l, k / 2);
    r = merge_sort(second, k - k / 2);
    sim_event *out = NULL, **t = &out;
    while (l && r) {
        sim_event **m = sim_event_before(r, l) ? &r : &l;
        *t = *m;
        t = &(*m)->next;
        *m = (*m)->next;
    }
    *t = l ? l : r;
    return out;
}

/* The same for the usual bucket, a few events: by insertion, without a call. */
static inline sim_event *sort_list(sim_event *l, size_t k) {
    if (k > 8)
        return merge_sort(l, k);
    sim_event *out = NULL;
    while (l) {
        sim_event *e = l, **p = &out;
        l = l->next;
        while (*p && sim_event_before(*p, e))
            p = &(*p)->next;
        e->next = *p;
        *p = e;
    }
    return out;
}

/* Makes the current list that of virtual bucket vb (the list is empty): takes that bucket's
 * events of vb out of its unsorted list, sorts them. Returns how many there were. */
static size_t take_bucket(sim_queue *q, int64_t vb) {
    sim_event **p = &q->b[(size_t)vb & q->mask], *got = NULL;
    size_t k = 0;
    while (*p) {
        sim_event *e = *p;
        if (vbucket(q, e->time) == vb) {
            *p = e->next;
            e->next = got;
            got = e;
            k++;
        } else {
            p = &e->next;
            q->cost++; /* an event of a later year, read in vain */
        }
    }
    q->cur = vb;
    if (k == 0)
        return 0;
    q->head = sort_list(got, k);
    q->tail = q->head;
    while (q->tail->next)
        q->tail = q->tail->next;
    return k;
}

/* Moves the calendar on to the next virtual bucket that holds events (n > 0, current list
 * empty). After a whole year of empty buckets it goes straight to the earliest event. */
static void advance(sim_queue *q) {
    for (size_t k = 0; k < q->nb; k++) {
        if (take_bucket(q, q->cur + 1))
            return;
        q->cost++;
    }
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < q->nb; i++)
        for (sim_event *e = q->b[i]; e; e = e->next) {
            int64_t vb = vbucket(q, e->time);
            if (vb < first)
                first = vb;
        }
    q->cost += q->n;
    take_bucket(q, first);
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
    sim_event **b = calloc(nb, sizeof *b);
    if (!all || !b) {
        free(all);
        free(b);
        return;
    }
    size_t k = 0;
    for (sim_event *e = q->head; e; e = e->next)
        all[k++] = e;
    for (size_t i = 0; i < q->nb; i++)
        for (sim_event *e = q->b[i]; e; e = e->next)
            all[k++] = e;
    qsort(all, k, sizeof *all, cmp_events);
    free(q->b);
    q->b = b;
    q->nb = nb;
    q->mask = nb - 1;
    q->head = q->tail = NULL;
    set_width(q, estimate_width(all, k, q->width));
    if (k)
        q->cur = vbucket(q, all[0]->time);
    for (size_t i = 0; i < k; i++) /* sorted order: the current list grows at its tail */
        file_event(q, all[i], vbucket(q, all[i]->time));
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
    if (vb < q->cur) {
        /* Earlier than the calendar (after a rebuild went on to the earliest event, or a
         * pop looked past a limit): the current list goes back to its bucket, unsorted. */
        for (sim_event *c = q->head, *next; c; c = next) {
            next = c->next;
            c->next = q->b[(size_t)q->cur & q->mask];
            q->b[(size_t)q->cur & q->mask] = c;
        }
        q->head = q->tail = NULL;
        q->cur = vb;
    }
    file_event(q, e, vb);
    if (++q->n > 2 * q->nb)
        rebuild(q, 2 * q->nb);
    else
        account(q);
    return 0;
}

sim_event *sim_queue_pop_until(sim_queue *q, sim_time limit) {
    if (q->n == 0)
        return NULL;
    if (!q->head)
        advance(q);
    sim_event *e = q->head;
    if (e->time > limit)
        return NULL;
    q->head = e->next;
    if (!q->head)
        q->tail = NULL;
    e->next = NULL;
    if (--q->n < q->nb / 2 && q->nb > MIN_BUCKETS)
        rebuild(q, q->nb / 2);
    else
        account(q);
    return e;
}

size_t sim_queue_size(const sim_queue *q) { return q->n; }

sim_event *sim_queue_take_any(sim_queue *q) {
    sim_event *e = q->head;
    if (e) {
        q->head = e->next;
        if (!q->head)
            q->tail = NULL;
    } else {
        for (size_t i = 0; i < q->nb && !e; i++)
            if ((e = q->b[i]))
                q->b[i] = e->next;
        if (!e)
            return NULL;
    }
    e->next = NULL;
    q->n--;
    return e;
}

const char *sim_queue_impl(void) { return "calendar"; }

size_t sim_queue_bytes(const sim_queue *q) { return sizeof *q + q->nb * sizeof *q->b; }
