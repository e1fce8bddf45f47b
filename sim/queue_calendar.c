/* Calendar queue (R. Brown, "Calendar queues: a fast O(1) priority queue implementation for
 * the simulation event set problem", CACM 31(10), 1988), sorted lazily as in the ladder queue
 * (Tang, Goh, Thng 2005): an event at time t belongs to bucket (t / w) mod nb, but a bucket is
 * kept unsorted; only the current bucket's events (those of virtual bucket floor(now / w)) are
 * sorted, when the calendar reaches them.
 * A bucket is an array of slots (time, event), not a list through the events: with tens of
 * thousands of events pending, each event is likely in no cache, and a list makes every step a
 * dependent load from memory (reading the time of an event to learn where the next one is). A
 * bucket's slots are read in one sweep without touching the events, the calendar goes through
 * the buckets in order, and the events of the bucket it takes are prefetched together, so
 * their loads overlap instead of following one another.
 * The bucket count doubles or halves when the events per bucket cross LOAD_MAX or LOAD_MIN
 * (Brown's are 2 and 0.5: slots are cheap to scan where list elements were not), and w is
 * re-estimated then from the gaps between the earliest events (Brown's rule, gaps over twice
 * the mean left out, with WIDTH_GAPS mean gaps a bucket where Brown has 3: measured best on
 * PHOLD of 3, 6 and 12). When the average work per operation drifts high because
 * the time scale of the run changed, w is re-estimated without resizing, as in the dynamic
 * calendar queue of Oh and Ahn (1997). The order is total (time, then sequence number), so the
 * queue's layout never changes which event comes first. */
#include "queue.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 16
#define FIRST_CAPACITY 4 /* slots a bucket gets at its first event: one cache line */
#define KEPT_CAPACITY 16 /* an emptied bucket keeps an array up to this size */
#define LOAD_MAX 8       /* events per bucket past which the bucket count doubles */
#define LOAD_MIN 2       /* ... below which it halves */
#define SAMPLE 25
#define WIDTH_GAPS 6      /* a bucket spans this many mean gaps between events */
#define COST_LIMIT 8      /* average steps per operation that triggers re-estimation */
#define EAGER_BUCKETS 2   /* empty buckets a pop looks past for the next event */
#define PREFETCH_EVENTS 8 /* events of the next bucket whose loads a take starts */

typedef struct slot {
    sim_time time;
    sim_event *ev;
} slot;

/* A bucket's events, unsorted; s is NULL while it has none (an empty bucket costs 16 bytes). */
typedef struct bucket {
    slot *s;
    uint32_t n, cap;
} bucket;

struct sim_queue {
    bucket *b;
    size_t nb, mask, n; /* bucket count (a power of 2), events queued */
    sim_time width;
    double inv_width; /* 1 / width: a multiply instead of a 64-bit division */
    int64_t cur;      /* current virtual bucket: no queued event is in an earlier one */
    slot *cs;         /* every queued event of virtual bucket cur, sorted: cs[ci..cn) */
    size_t ci, cn, ccap;
    uint64_t cost, ops; /* steps and operations since the last (re)estimation */
};

/* The virtual bucket of time t: monotone in t, the same function for every push and pop. */
static inline int64_t vbucket(const sim_queue *q, sim_time t) {
    double v = (double)t * q->inv_width;
    return v < 9e18 ? (int64_t)v : (int64_t)9e18; /* (double)SIM_TIME_MAX rounds up to 2^63 */
}

/* True when slot a comes before slot b: the event is read only on a tie in time. */
static inline int slot_before(const slot *a, const slot *b) {
    return a->time < b->time || (a->time == b->time && a->ev->seq < b->ev->seq);
}

/* Makes room for `more` slots in an array of *cap holding n. 0, or -1 when out of memory. */
static int reserve(slot **s, uint32_t *cap, size_t n, size_t more) {
    if (n + more <= *cap)
        return 0;
    size_t c = *cap ? *cap : FIRST_CAPACITY;
    while (c < n + more)
        c *= 2;
    if (c > UINT32_MAX)
        return -1;
    slot *grown = realloc(*s, c * sizeof *grown);
    if (!grown)
        return -1;
    *s = grown;
    *cap = (uint32_t)c;
    return 0;
}

/* Grows the current list's array to at least need slots. It is kept at least as large as
 * every bucket, so taking a bucket never needs memory. 0, or -1 when out of memory. */
static int room_current(sim_queue *q, size_t need) {
    if (need <= q->ccap)
        return 0;
    size_t cap = q->ccap < 64 ? 64 : 2 * q->ccap;
    if (cap < need)
        cap = need;
    slot *cs = realloc(q->cs, cap * sizeof *cs);
    if (!cs)
        return -1;
    q->cs = cs;
    q->ccap = cap;
    return 0;
}

/* Puts x into the sorted current list: at the end in O(1) when it comes last (equal times,
 * later sequence numbers: the common case with zero-latency hops), else after a binary search,
 * shifting the later ones. A full list slides its live part down only when the popped part is
 * at least as long, so that the slide is paid for by as many pops: sliding whenever anything
 * was popped made one pop and one push per event (each of 1e5 users at time 0 sending a
 * request there too) move the whole list each time, quadratic in its length. */
static int insert_current(sim_queue *q, slot x) {
    if (q->cn == q->ccap && q->ci > 0 && q->ci >= q->cn - q->ci) {
        memmove(q->cs, q->cs + q->ci, (q->cn - q->ci) * sizeof *q->cs);
        q->cn -= q->ci;
        q->ci = 0;
    }
    if (room_current(q, q->cn + 1))
        return -1;
    size_t lo = q->ci, hi = q->cn;
    if (hi > lo && slot_before(&x, &q->cs[hi - 1])) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (slot_before(&q->cs[mid], &x))
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(q->cs + lo + 1, q->cs + lo, (q->cn - lo) * sizeof *q->cs);
        q->cost += (q->cn - lo) / 4 + 1;
    } else {
        lo = q->cn;
    }
    q->cs[lo] = x;
    q->cn++;
    return 0;
}

/* Files x under virtual bucket vb (not before cur): into the current list, or unsorted. */
static int file_slot(sim_queue *q, slot x, int64_t vb) {
    if (vb == q->cur)
        return insert_current(q, x);
    bucket *bk = &q->b[(size_t)vb & q->mask];
    if (room_current(q, bk->n + 1) || reserve(&bk->s, &bk->cap, bk->n, 1))
        return -1;
    bk->s[bk->n++] = x;
    return 0;
}

static int cmp_slots(const void *a, const void *b) {
    const slot *x = a, *y = b;
    return slot_before(x, y) ? -1 : slot_before(y, x) ? 1 : 0;
}

/* Sorts k slots: by insertion for the usual few, by qsort for a burst at one instant. */
static void sort_slots(slot *s, size_t k) {
    if (k > 16) {
        qsort(s, k, sizeof *s, cmp_slots);
        return;
    }
    for (size_t i = 1; i < k; i++) {
        slot x = s[i];
        size_t j = i;
        for (; j > 0 && slot_before(&x, &s[j - 1]); j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
}

/* Makes the current list that of virtual bucket vb (the current list is empty): moves that
 * bucket's slots of vb to it, sorted, and starts loading their events. Returns how many. */
static size_t take_bucket(sim_queue *q, int64_t vb) {
    bucket *bk = &q->b[(size_t)vb & q->mask];
    q->cur = vb;
    q->ci = q->cn = 0;
    if (bk->n == 0)
        return 0;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < bk->n; i++) {
        if (vbucket(q, bk->s[i].time) == vb) {
            q->cs[q->cn++] = bk->s[i];
        } else {
            bk->s[kept++] = bk->s[i];
            q->cost++; /* an event of a later year, passed over */
        }
    }
    bk->n = kept;
    if (kept == 0 && bk->cap > KEPT_CAPACITY) { /* a burst's array is not kept for ever */
        free(bk->s);
        bk->s = NULL;
        bk->cap = 0;
    }
    sort_slots(q->cs, q->cn);
    /* The next bucket's events are dispatched soon: start loading them now (its slots were
     * prefetched a bucket ago), and the slots of the bucket after it. */
    const bucket *next = &q->b[(size_t)(vb + 1) & q->mask];
    for (uint32_t i = 0; i < next->n && i < PREFETCH_EVENTS; i++)
        __builtin_prefetch(next->s[i].ev);
    __builtin_prefetch(q->b[(size_t)(vb + 2) & q->mask].s);
    return q->cn;
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
        for (uint32_t j = 0; j < q->b[i].n; j++) {
            int64_t vb = vbucket(q, q->b[i].s[j].time);
            if (vb < first)
                first = vb;
        }
    q->cost += q->n;
    take_bucket(q, first);
}

/* The earliest times among the queued events, for Brown's estimate: the `m` smallest (up to
 * SAMPLE, sorted), the smallest t0 with its count c0, and the smallest time after it. */
typedef struct sample {
    sim_time t[SAMPLE];
    size_t m;
    sim_time t0, t1;
    size_t c0;
    bool has_t1;
} sample;

static void sample_add(sample *sm, sim_time t) {
    if (sm->m == 0 || t < sm->t0) {
        if (sm->m) {
            sm->t1 = sm->t0;
            sm->has_t1 = true;
        }
        sm->t0 = t;
        sm->c0 = 1;
    } else if (t == sm->t0) {
        sm->c0++;
    } else if (!sm->has_t1 || t < sm->t1) {
        sm->t1 = t;
        sm->has_t1 = true;
    }
    if (sm->m == SAMPLE && t >= sm->t[SAMPLE - 1])
        return;
    size_t i = sm->m < SAMPLE ? sm->m++ : SAMPLE - 1;
    for (; i > 0 && sm->t[i - 1] > t; i--)
        sm->t[i] = sm->t[i - 1];
    sm->t[i] = t;
}

/* Brown's width estimate: WIDTH_GAPS times the mean gap between the earliest events, gaps
 * over twice the mean left out. The sample is stretched past SAMPLE events until its times
 * differ, so a burst at one instant yields a width that gives each distinct time of the burst
 * a bucket of its own instead of keeping a stale width (then the c0 events at t0 and the next
 * time t1 make c0 gaps, c0 - 1 of them zero, whose kept mean is (t1 - t0) / c0). Old width if
 * all times agree. */
static sim_time estimate_width(const sample *sm, sim_time old) {
    if (sm->m < 2)
        return old;
    double w;
    if (sm->t[sm->m - 1] == sm->t0) {
        if (!sm->has_t1)
            return old;
        w = WIDTH_GAPS * (double)(sm->t1 - sm->t0) / (double)sm->c0;
    } else {
        size_t k = sm->m - 1;
        double mean = (double)(sm->t[k] - sm->t[0]) / (double)k, kept = 0;
        int count = 0;
        for (size_t i = 1; i <= k; i++) {
            double gap = (double)(sm->t[i] - sm->t[i - 1]);
            if (gap <= 2 * mean) {
                kept += gap;
                count++;
            }
        }
        w = WIDTH_GAPS * (kept > 0 ? kept / count : mean);
    }
    return w < 1 ? 1 : w > (double)SIM_TIME_MAX / 4 ? SIM_TIME_MAX / 4 : (sim_time)w;
}

static void set_width(sim_queue *q, sim_time w) {
    q->width = w;
    q->inv_width = 1.0 / (double)w;
}

static void free_buckets(bucket *b, size_t nb) {
    for (size_t i = 0; b && i < nb; i++)
        free(b[i].s);
    free(b);
}

/* Calls f on every queued slot: the current list's, then the buckets'. */
static void each_slot(const sim_queue *q, void (*f)(void *ctx, slot x), void *ctx) {
    for (size_t i = q->ci; i < q->cn; i++)
        f(ctx, q->cs[i]);
    for (size_t i = 0; i < q->nb; i++)
        for (uint32_t j = 0; j < q->b[i].n; j++)
            f(ctx, q->b[i].s[j]);
}

/* The new layout a rebuild fills: counted first, then allocated to fit, then filled. */
typedef struct layout {
    const sim_queue *q; /* with the new width set */
    bucket *b;
    size_t nb;
    int64_t cur;
    slot *cs;
    size_t cn;
} layout;

static void add_to_sample(void *ctx, slot x) { sample_add(ctx, x.time); }

static void count_slot(void *ctx, slot x) {
    layout *l = ctx;
    int64_t vb = vbucket(l->q, x.time);
    if (vb == l->cur)
        l->cn++;
    else
        l->b[(size_t)vb & (l->nb - 1)].cap++; /* a count for now */
}

static void fill_slot(void *ctx, slot x) {
    layout *l = ctx;
    int64_t vb = vbucket(l->q, x.time);
    if (vb == l->cur) {
        l->cs[l->cn++] = x;
    } else {
        bucket *bk = &l->b[(size_t)vb & (l->nb - 1)];
        bk->s[bk->n++] = x;
    }
}

/* Rebuilds with nb buckets and a fresh width, in three passes over the events and without a
 * copy of them all: a sample of the earliest times for the width, a count per new bucket,
 * then each slot filed into arrays allocated to fit. Everything new is allocated before the
 * old layout is let go, so on allocation failure the old layout stays as it was. */
static void rebuild(sim_queue *q, size_t nb) {
    sample sm = {.m = 0};
    each_slot(q, add_to_sample, &sm);
    sim_time old_width = q->width;
    set_width(q, estimate_width(&sm, q->width));
    layout l = {.q = q, .b = calloc(nb, sizeof *l.b), .nb = nb};
    l.cur = q->n ? vbucket(q, sm.t0) : q->cur;
    if (!l.b)
        goto fail;
    each_slot(q, count_slot, &l);
    size_t largest = l.cn ? l.cn : 1;
    for (size_t i = 0; i < nb; i++) {
        uint32_t count = l.b[i].cap, cap = 0;
        l.b[i].cap = 0;
        if (count == 0)
            continue;
        if (count > largest)
            largest = count;
        if (reserve(&l.b[i].s, &cap, 0, count))
            goto fail;
        l.b[i].cap = cap;
    }
    if (!(l.cs = malloc(largest * sizeof *l.cs)))
        goto fail;
    l.cn = 0;
    each_slot(q, fill_slot, &l);
    sort_slots(l.cs, l.cn);
    free_buckets(q->b, q->nb);
    free(q->cs);
    q->b = l.b;
    q->nb = nb;
    q->mask = nb - 1;
    q->cur = l.cur;
    q->cs = l.cs;
    q->ci = 0;
    q->cn = l.cn;
    q->ccap = largest; /* room for the current list and the largest bucket */
    q->cost = q->ops = 0;
    return;
fail:
    set_width(q, old_width);
    free_buckets(l.b, nb);
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
    free_buckets(q->b, q->nb);
    free(q->cs);
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

/* Returns the current list to its bucket, unsorted (a push earlier than the calendar). */
static int unwind_current(sim_queue *q) {
    bucket *bk = &q->b[(size_t)q->cur & q->mask];
    size_t live = q->cn - q->ci;
    if (live == 0) {
        q->ci = q->cn = 0;
        return 0;
    }
    if (room_current(q, bk->n + live) || reserve(&bk->s, &bk->cap, bk->n, live))
        return -1;
    memcpy(bk->s + bk->n, q->cs + q->ci, live * sizeof *q->cs);
    bk->n += (uint32_t)live;
    q->ci = q->cn = 0;
    return 0;
}

int sim_queue_push(sim_queue *q, sim_event *e) {
    int64_t vb = vbucket(q, e->time);
    /* Earlier than the calendar (after a rebuild went on to the earliest event, or a pop
     * moved on to the next bucket): the current list goes back to its bucket. */
    if (vb < q->cur) {
        if (unwind_current(q))
            return -1;
        q->cur = vb;
    }
    if (file_slot(q, (slot){e->time, e}, vb))
        return -1;
    if (++q->n > LOAD_MAX * q->nb)
        rebuild(q, 2 * q->nb);
    else
        account(q);
    return 0;
}

sim_event *sim_queue_pop_until(sim_queue *q, sim_time limit) {
    if (q->n == 0)
        return NULL;
    if (q->ci == q->cn)
        advance(q);
    if (q->cs[q->ci].time > limit)
        return NULL;
    sim_event *e = q->cs[q->ci++].ev;
    if (--q->n < LOAD_MIN * q->nb && q->nb > MIN_BUCKETS)
        rebuild(q, q->nb / 2);
    else
        account(q);
    /* Reach the next bucket now rather than at the next pop, so that sim_queue_peek knows the
     * next event while this one is handled (the engine prefetches what it touches); but only
     * when it is near: the event just popped often sets the next one (a timer, a reply), and a
     * long way taken now would be taken back by that push. */
    for (int k = 0; k < EAGER_BUCKETS && q->ci == q->cn && q->n; k++)
        take_bucket(q, q->cur + 1);
    return e;
}

sim_event *sim_queue_peek(const sim_queue *q, size_t k) {
    return q->ci + k < q->cn ? q->cs[q->ci + k].ev : NULL;
}

size_t sim_queue_size(const sim_queue *q) { return q->n; }

/* Keeps the slots of s[0..n) whose event drop leaves; returns how many. */
static size_t keep_slots(slot *s, size_t n, bool (*drop)(sim_event *, void *), void *ud) {
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!drop(s[i].ev, ud))
            s[kept++] = s[i];
    return kept;
}

void sim_queue_remove_if(sim_queue *q, bool (*drop)(sim_event *e, void *ud), void *ud) {
    size_t live = q->cn - q->ci, kept = keep_slots(q->cs + q->ci, live, drop, ud);
    q->cn = q->ci + kept;
    q->n -= live - kept;
    for (size_t i = 0; i < q->nb; i++) {
        bucket *bk = &q->b[i];
        uint32_t n = bk->n;
        bk->n = (uint32_t)keep_slots(bk->s, n, drop, ud);
        q->n -= n - bk->n;
    }
}

const char *sim_queue_impl(void) { return "calendar"; }

size_t sim_queue_bytes(const sim_queue *q) {
    size_t bytes = sizeof *q + q->nb * sizeof *q->b + q->ccap * sizeof *q->cs;
    for (size_t i = 0; i < q->nb; i++)
        bytes += q->b[i].cap * sizeof(slot);
    return bytes;
}
