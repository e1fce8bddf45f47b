/* The pending-event set (sim/queue.h), built once against each implementation (calendar queue,
 * 4-ary heap) without the rest of the library. The oracle is sorting: when every push after a
 * pop is not before the event popped last (the queue's contract, and what the engine does),
 * the correct pop sequence is exactly all pushed (time, seq) keys in sorted order, so a run
 * records every key pushed and popped and compares the two lists at the end. */
#include "queue.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

typedef struct key {
    sim_time time;
    uint64_t seq;
} key;

static int cmp_key(const void *a, const void *b) {
    const key *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static gsl_rng *new_rng(unsigned long seed) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

/* A queue with caller-owned events from a free list, and the record of every key pushed and
 * popped since the last check. */
typedef struct bench {
    sim_queue *q;
    sim_event *ev;
    size_t cap, *free_idx, nfree;
    key *pushed, *popped;
    size_t npushed, npopped, keycap;
    uint64_t order; /* next scheduling order: the high bits of seq */
    sim_time now;   /* time of the last event popped */
    gsl_rng *r;
} bench;

static void b_init(bench *b, size_t cap, size_t keycap, unsigned long seed) {
    memset(b, 0, sizeof *b);
    b->q = sim_queue_new();
    cr_assert_not_null(b->q);
    b->ev = calloc(cap, sizeof *b->ev);
    b->free_idx = malloc(cap * sizeof *b->free_idx);
    b->pushed = malloc(keycap * sizeof *b->pushed);
    b->popped = malloc(keycap * sizeof *b->popped);
    cr_assert(b->ev && b->free_idx && b->pushed && b->popped);
    b->cap = cap;
    b->keycap = keycap;
    for (size_t i = 0; i < cap; i++)
        b->free_idx[b->nfree++] = cap - 1 - i;
    b->order = 1;
    b->r = new_rng(seed);
}

static void b_free(bench *b) {
    sim_queue_free(b->q);
    free(b->ev);
    free(b->free_idx);
    free(b->pushed);
    free(b->popped);
    gsl_rng_free(b->r);
}

/* Pushes a free event at time t with seq (order, random tag). */
static void b_push_seq(bench *b, sim_time t, uint64_t seq) {
    cr_assert(b->nfree > 0, "test bench out of events");
    cr_assert(b->npushed < b->keycap, "test bench out of key records");
    sim_event *e = &b->ev[b->free_idx[--b->nfree]];
    memset(e, 0, sizeof *e);
    e->time = t;
    e->seq = seq;
    size_t before = sim_queue_size(b->q);
    cr_assert_eq(sim_queue_push(b->q, e), 0);
    cr_assert_eq(sim_queue_size(b->q), before + 1);
    b->pushed[b->npushed++] = (key){t, seq};
}

static void b_push(bench *b, sim_time t) {
    b_push_seq(b, t, sim_event_seq(b->order++, (uint16_t)gsl_rng_get(b->r)));
}

/* Pops the first event if due by limit, records it and returns it (its fields stay intact
 * until the next push), or NULL when none. */
static sim_event *b_pop(bench *b, sim_time limit) {
    size_t before = sim_queue_size(b->q);
    sim_event *e = sim_queue_pop_until(b->q, limit);
    if (!e) {
        cr_assert_eq(sim_queue_size(b->q), before);
        return NULL;
    }
    cr_assert_eq(sim_queue_size(b->q), before - 1);
    cr_assert(e >= b->ev && e < b->ev + b->cap, "pop returned a foreign pointer");
    cr_assert(e->time <= limit, "popped time %lld beyond limit %lld", (long long)e->time,
              (long long)limit);
    cr_assert(b->npopped < b->keycap);
    b->popped[b->npopped++] = (key){e->time, e->seq};
    b->now = e->time;
    b->free_idx[b->nfree++] = (size_t)(e - b->ev);
    return e;
}

/* Pops everything, then checks that the pop order is the sorted order of all pushes. */
static void b_drain_and_check(bench *b) {
    while (b_pop(b, SIM_TIME_MAX))
        ;
    cr_assert_eq(sim_queue_size(b->q), 0);
    cr_assert_null(sim_queue_pop_until(b->q, SIM_TIME_MAX));
    cr_assert_eq(b->npopped, b->npushed, "pushed %zu, popped %zu", b->npushed, b->npopped);
    qsort(b->pushed, b->npushed, sizeof *b->pushed, cmp_key);
    for (size_t i = 0; i < b->npushed; i++)
        if (cmp_key(&b->pushed[i], &b->popped[i]) != 0)
            cr_assert_fail("pop %zu of %zu (%s): got time %lld seq %llu, expected time %lld "
                           "seq %llu",
                           i, b->npushed, sim_queue_impl(), (long long)b->popped[i].time,
                           (unsigned long long)b->popped[i].seq, (long long)b->pushed[i].time,
                           (unsigned long long)b->pushed[i].seq);
    b->npushed = b->npopped = 0;
}

/* Adds an increment to now without passing SIM_TIME_MAX (clamping makes ties there). */
static sim_time later(sim_time now, sim_time inc) {
    return inc > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + inc;
}

static sim_time round_ns(double x) { return (sim_time)(x + 0.5); }

/* Increment laws for the hold model. */
static sim_time inc_exponential(gsl_rng *r) { return round_ns(gsl_ran_exponential(r, 1e6)); }
static sim_time inc_uniform(gsl_rng *r) { return (sim_time)gsl_rng_uniform_int(r, 2000001); }
static sim_time inc_bimodal(gsl_rng *r) { /* 1 us and 1 s scales mixed 9:1 */
    return round_ns(gsl_ran_exponential(r, gsl_rng_uniform(r) < 0.9 ? 1e3 : 1e9));
}
static sim_time inc_bursty(gsl_rng *r) { /* half zero-delay hops, the rest on a 1 ms grid */
    return gsl_rng_uniform(r) < 0.5 ? 0 : SIM_MS * (sim_time)gsl_rng_uniform_int(r, 4);
}
static sim_time inc_far_future(gsl_rng *r) { /* 0.1% far timers among 10 us hops */
    if (gsl_rng_uniform(r) < 0.001)
        return (sim_time)(1e15 + gsl_rng_uniform(r) * 1e18);
    return round_ns(gsl_ran_exponential(r, 1e4));
}
static sim_time inc_extreme(gsl_rng *r) { /* ns gaps mixed with 1e15..1e17 ns jumps */
    if (gsl_rng_uniform(r) < 0.02)
        return (sim_time)(1e15 + gsl_rng_uniform(r) * 1e17);
    return (sim_time)gsl_rng_uniform_int(r, 11);
}

/* The hold model (pop one, push one at now + increment) with `pending` events queued, checked
 * against sorting over the whole run. */
static void hold_model(size_t pending, size_t holds, sim_time (*inc)(gsl_rng *),
                       unsigned long seed) {
    bench b;
    b_init(&b, pending, pending + holds, seed);
    for (size_t i = 0; i < pending; i++)
        b_push(&b, inc(b.r));
    for (size_t i = 0; i < holds; i++) {
        cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
        b_push(&b, later(b.now, inc(b.r)));
        cr_assert_eq(sim_queue_size(b.q), pending);
    }
    b_drain_and_check(&b);
    b_free(&b);
}

Test(queue, new_queue_is_empty) {
    sim_queue *q = sim_queue_new();
    cr_assert_not_null(q);
    cr_assert_eq(sim_queue_size(q), 0);
    cr_assert_null(sim_queue_pop_until(q, SIM_TIME_MAX));
    cr_assert_gt(sim_queue_bytes(q), 0);
    cr_assert(strcmp(sim_queue_impl(), "calendar") == 0 || strcmp(sim_queue_impl(), "heap") == 0);
    sim_queue_free(q);
    sim_queue_free(NULL);
}

/* Many events on few distinct times, pushed with their seqs shuffled: time decides first,
 * then seq, whatever the order of pushing. */
Test(queue, orders_by_time_then_seq) {
    enum { N = 20000 };
    bench b;
    b_init(&b, N, N, 1);
    uint64_t *order = malloc(N * sizeof *order);
    for (size_t i = 0; i < N; i++)
        order[i] = i + 1;
    gsl_ran_shuffle(b.r, order, N, sizeof *order);
    for (size_t i = 0; i < N; i++)
        b_push_seq(&b, SIM_MS * (sim_time)gsl_rng_uniform_int(b.r, 50),
                   sim_event_seq(order[i], (uint16_t)gsl_rng_get(b.r)));
    b_drain_and_check(&b);
    free(order);
    b_free(&b);
}

/* Equal times pop first-scheduled first, whether scheduled in order or in reverse. */
Test(queue, equal_times_pop_in_schedule_order) {
    enum { N = 5000 };
    sim_queue *q = sim_queue_new();
    sim_event *ev = calloc(2 * N, sizeof *ev);
    cr_assert(q && ev);
    for (size_t i = 0; i < N; i++) { /* forward: the engine's zero-delay hops */
        ev[i].time = 7 * SIM_MS;
        ev[i].seq = sim_event_seq(i + 1, 0xffff);
        cr_assert_eq(sim_queue_push(q, &ev[i]), 0);
    }
    for (size_t i = 0; i < N; i++) { /* reverse, at a later time */
        ev[N + i].time = 8 * SIM_MS;
        ev[N + i].seq = sim_event_seq(2 * N - i, 0);
        cr_assert_eq(sim_queue_push(q, &ev[N + i]), 0);
    }
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(sim_queue_pop_until(q, SIM_TIME_MAX), &ev[i], "forward pop %zu", i);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(sim_queue_pop_until(q, SIM_TIME_MAX), &ev[2 * N - 1 - i], "reverse pop %zu",
                     i);
    cr_assert_null(sim_queue_pop_until(q, SIM_TIME_MAX));
    free(ev);
    sim_queue_free(q);
}

/* The limit is inclusive; a refused pop changes nothing, and events pushed after it (not
 * before the last pop) still come out first. */
Test(queue, pop_until_is_inclusive_and_refusal_changes_nothing) {
    sim_queue *q = sim_queue_new();
    sim_event ev[6] = {{0}};
    cr_assert_not_null(q);
    const sim_time t[3] = {10 * SIM_MS, 20 * SIM_MS, 30 * SIM_MS};
    for (int i = 0; i < 3; i++) {
        ev[i].time = t[i];
        ev[i].seq = sim_event_seq((uint64_t)i + 1, 0);
        cr_assert_eq(sim_queue_push(q, &ev[i]), 0);
    }
    cr_assert_null(sim_queue_pop_until(q, -1));
    cr_assert_null(sim_queue_pop_until(q, 0));
    cr_assert_null(sim_queue_pop_until(q, t[0] - 1));
    cr_assert_eq(sim_queue_size(q), 3);
    cr_assert_eq(sim_queue_pop_until(q, t[0]), &ev[0]);
    cr_assert_null(sim_queue_pop_until(q, t[1] - 1));
    cr_assert_eq(sim_queue_pop_until(q, t[1] + 1), &ev[1]);
    cr_assert_null(sim_queue_pop_until(q, t[1] + 5 * SIM_MS));
    cr_assert_eq(sim_queue_size(q), 1);
    /* After the refusal: one at the last popped time (later seq), one before the limit. */
    ev[3].time = t[1];
    ev[3].seq = sim_event_seq(4, 0);
    ev[4].time = t[1] + 3 * SIM_MS;
    ev[4].seq = sim_event_seq(5, 0);
    cr_assert_eq(sim_queue_push(q, &ev[4]), 0);
    cr_assert_eq(sim_queue_push(q, &ev[3]), 0);
    cr_assert_eq(sim_queue_size(q), 3);
    cr_assert_eq(sim_queue_pop_until(q, t[1] + 5 * SIM_MS), &ev[3]);
    cr_assert_eq(sim_queue_pop_until(q, t[1] + 5 * SIM_MS), &ev[4]);
    cr_assert_null(sim_queue_pop_until(q, t[1] + 5 * SIM_MS));
    /* An event beyond every limit short of SIM_TIME_MAX. */
    ev[5].time = SIM_TIME_MAX;
    ev[5].seq = sim_event_seq(6, 0);
    cr_assert_eq(sim_queue_push(q, &ev[5]), 0);
    cr_assert_eq(sim_queue_pop_until(q, SIM_TIME_MAX), &ev[2]);
    cr_assert_null(sim_queue_pop_until(q, SIM_TIME_MAX - 1));
    cr_assert_eq(sim_queue_pop_until(q, SIM_TIME_MAX), &ev[5]);
    cr_assert_eq(sim_queue_size(q), 0);
    sim_queue_free(q);
}

/* The engine's loop: pop everything due by a window's end, pushing successors as it goes; a
 * refused pop means the first event lies beyond the window. */
Test(queue, pop_until_windows_in_hold_model) {
    enum { PENDING = 2000, WINDOWS = 50000 };
    const sim_time window = 2 * SIM_US; /* 2000 events of mean 1 ms: 4 per window */
    bench b;
    b_init(&b, PENDING, 400000, 2);
    for (size_t i = 0; i < PENDING; i++)
        b_push(&b, inc_exponential(b.r));
    sim_time limit = 0;
    for (int w = 0; w < WINDOWS; w++) {
        limit += window;
        sim_event *e;
        while ((e = b_pop(&b, limit)))
            b_push(&b, later(e->time, inc_exponential(b.r)));
        cr_assert_eq(sim_queue_size(b.q), PENDING);
    }
    cr_assert_gt(b.npopped, (size_t)WINDOWS, "too few pops to exercise the windows");
    /* Everything due was handed out: the next event lies beyond the last limit. */
    sim_event *next = b_pop(&b, SIM_TIME_MAX);
    cr_assert_not_null(next);
    cr_assert_gt(next->time, limit, "an event due by %lld was refused", (long long)limit);
    b_drain_and_check(&b);
    b_free(&b);
}

/* Hands every event remove_if shows it to the drain check: each must be shown exactly once. */
typedef struct drain {
    bench *b;
    unsigned char *seen;
    size_t taken;
} drain;

static bool take_all(sim_event *e, void *ud) {
    drain *d = ud;
    cr_assert(e >= d->b->ev && e < d->b->ev + d->b->cap);
    size_t j = (size_t)(e - d->b->ev);
    cr_assert_eq(d->seen[j], 0, "event %zu handed out twice", j);
    d->seen[j] = 1;
    d->taken++;
    return true;
}

Test(queue, remove_if_of_everything_shows_every_event_once) {
    enum { N = 50000 };
    bench b;
    b_init(&b, N, N, 3);
    for (size_t i = 0; i < N; i++)
        b_push(&b, inc_far_future(b.r));
    for (size_t i = 0; i < N / 4; i++) /* a partly consumed queue, as at the end of a run */
        cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
    cr_assert_eq(b.nfree, (size_t)N / 4);
    unsigned char *seen = calloc(N, 1);
    cr_assert_not_null(seen);
    for (size_t i = 0; i < b.nfree; i++) /* the popped ones */
        seen[b.free_idx[i]] = 1;
    size_t left = N - N / 4;
    drain d = {&b, seen, 0};
    sim_queue_remove_if(b.q, take_all, &d);
    cr_assert_eq(d.taken, left);
    cr_assert_eq(sim_queue_size(b.q), 0);
    for (size_t j = 0; j < N; j++)
        cr_assert_eq(seen[j], 1, "event %zu never handed out", j);
    cr_assert_null(sim_queue_pop_until(b.q, SIM_TIME_MAX));
    free(seen);
    b_free(&b);
}

Test(queue, hold_exponential) { hold_model(10000, 500000, inc_exponential, 11); }
Test(queue, hold_uniform) { hold_model(1000, 300000, inc_uniform, 12); }
Test(queue, hold_bimodal) { hold_model(20000, 300000, inc_bimodal, 13); }
Test(queue, hold_bursts_of_equal_times) { hold_model(10000, 300000, inc_bursty, 14); }
Test(queue, hold_with_far_future_events) { hold_model(10000, 300000, inc_far_future, 15); }
Test(queue, hold_ns_gaps_and_huge_jumps) { hold_model(5000, 150000, inc_extreme, 16); }
Test(queue, hold_large_population) { hold_model(200000, 400000, inc_exponential, 17); }

/* Push many then pop all, at sizes up and down, with pushes during the pops: the calendar
 * resizes both ways and the heap's array is reused. */
Test(queue, grows_and_shrinks_repeatedly) {
    static const size_t sizes[] = {1000, 1, 100000, 17, 200000, 0, 3, 50000, 2, 150000, 5, 1000};
    const size_t nsizes = sizeof sizes / sizeof *sizes;
    bench b;
    b_init(&b, 200000, 250000, 4);
    for (size_t s = 0; s < nsizes; s++) {
        sim_time (*inc)(gsl_rng *) = s % 2 ? inc_bimodal : inc_exponential;
        for (size_t i = 0; i < sizes[s]; i++)
            b_push(&b, later(b.now, inc(b.r)));
        for (size_t i = 0; i < sizes[s] / 2; i++) /* pop half */
            cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
        for (size_t i = 0; i < sizes[s] / 4; i++) /* push a quarter more */
            b_push(&b, later(b.now, inc(b.r)));
        cr_assert_eq(sim_queue_size(b.q), sizes[s] - sizes[s] / 2 + sizes[s] / 4);
        b_drain_and_check(&b);
    }
    b_free(&b);
}

/* Time 0, 1 ns, SIM_TIME_MAX and values spread over the whole range in one queue. */
Test(queue, extreme_times) {
    enum { N = 20000 };
    bench b;
    b_init(&b, N + 64, N + 64, 5);
    const sim_time fixed[] = {0,
                              0,
                              1,
                              SIM_TIME_MAX,
                              SIM_TIME_MAX,
                              SIM_TIME_MAX - 1,
                              SIM_TIME_MAX / 2,
                              SIM_TIME_MAX / 2 + 1,
                              SIM_TIME_MAX - SIM_S,
                              (sim_time)1 << 52,
                              ((sim_time)1 << 52) + 1,
                              ((sim_time)1 << 53) + 1};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        b_push(&b, fixed[i]);
    for (size_t i = 0; i < N; i++) {
        double u = gsl_rng_uniform(b.r);
        b_push(&b, i % 2 ? (sim_time)(u * (double)SIM_TIME_MAX)
                         : (sim_time)gsl_rng_uniform_int(b.r, 1000));
    }
    b_drain_and_check(&b);
    b_free(&b);
}

/* All at time 0: pure seq order, then a hold model that never advances time. */
Test(queue, everything_at_time_zero) {
    enum { N = 20000 };
    bench b;
    b_init(&b, N, 3 * N, 6);
    for (size_t i = 0; i < N; i++)
        b_push(&b, 0);
    for (size_t i = 0; i < N; i++) {
        sim_event *e = b_pop(&b, 0);
        cr_assert(e && e->time == 0);
        b_push(&b, 0);
    }
    b_drain_and_check(&b);
    b_free(&b);
}

/* Dense clusters (1 ns apart) separated by gaps of about 1e18 ns, near 0, in the middle and
 * just below SIM_TIME_MAX: a width estimated from one cluster is wrong for the next jump. */
Test(queue, dense_clusters_far_apart) {
    enum { PER = 20000 };
    const sim_time base[] = {0, SIM_TIME_MAX / 4, 2 * (SIM_TIME_MAX / 4), SIM_TIME_MAX - 4 * PER};
    const size_t nbase = sizeof base / sizeof *base;
    bench b;
    b_init(&b, nbase * PER, 3 * nbase * PER, 7);
    for (size_t c = 0; c < nbase; c++)
        for (size_t i = 0; i < PER; i++)
            b_push(&b, base[c] + (sim_time)gsl_rng_uniform_int(b.r, 2 * PER));
    /* Consume with hold steps that stay inside the current cluster. */
    for (size_t i = 0; i < 2 * nbase * PER; i++) {
        cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
        if (i % 2 == 0)
            b_push(&b, later(b.now, (sim_time)gsl_rng_uniform_int(b.r, 3)));
    }
    b_drain_and_check(&b);
    b_free(&b);
}

/* The first few events sparse (1e12 ns apart), the bulk dense far behind them, pushed in
 * random order: the width Brown's rule estimates from the earliest events is far too wide
 * for the bulk. */
Test(queue, sparse_head_dense_tail) {
    enum { SPARSE = 40, DENSE = 10000 };
    bench b;
    b_init(&b, SPARSE + DENSE, 2 * (SPARSE + DENSE), 8);
    for (size_t i = 0; i < SPARSE; i++)
        b_push(&b, (sim_time)(i + 1) * 1000000000000);
    for (size_t i = 0; i < DENSE; i++)
        b_push(&b, 100000000000000 + (sim_time)gsl_rng_uniform_int(b.r, 10 * DENSE));
    for (size_t i = 0; i < SPARSE + DENSE / 2; i++) {
        cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
        if (i >= SPARSE)
            b_push(&b, later(b.now, (sim_time)gsl_rng_uniform_int(b.r, 1000)));
    }
    b_drain_and_check(&b);
    b_free(&b);
}

/* Drops the events whose tag (low bits of seq) is odd, and counts what it was shown. */
typedef struct dropper {
    size_t shown, dropped;
} dropper;

static bool drop_odd_tags(sim_event *e, void *ud) {
    dropper *d = ud;
    d->shown++;
    if (!(sim_event_tag(e) & 1))
        return false;
    d->dropped++;
    return true;
}

/* remove_if in the middle of a hold run, with part of the events in the calendar's sorted
 * current bucket: the events kept come out in exactly their sorted order, each event is
 * shown once, and the queue goes on working. */
Test(queue, remove_if_keeps_the_others_in_order) {
    for (unsigned long seed = 1; seed <= 20; seed++) {
        bench b;
        size_t pending = 3000, holds = 2000;
        b_init(&b, pending, 2 * pending + 2 * holds, seed);
        for (size_t i = 0; i < pending; i++)
            b_push(&b, inc_bursty(b.r));
        for (size_t i = 0; i < holds; i++) {
            cr_assert_not_null(b_pop(&b, SIM_TIME_MAX));
            b_push(&b, later(b.now, inc_bursty(b.r)));
        }
        dropper d = {0};
        sim_queue_remove_if(b.q, drop_odd_tags, &d);
        cr_assert_eq(d.shown, pending, "every queued event is shown once");
        cr_assert_eq(sim_queue_size(b.q), pending - d.dropped);
        cr_assert_gt(d.dropped, 0);
        /* The keys still expected: those popped already, and those pushed with an even tag
         * and not popped. Rebuild the record: pushed = popped + the kept pending ones. */
        size_t np = 0;
        key *kept = malloc(b.npushed * sizeof *kept);
        cr_assert_not_null(kept);
        qsort(b.pushed, b.npushed, sizeof *b.pushed, cmp_key);
        qsort(b.popped, b.npopped, sizeof *b.popped, cmp_key);
        for (size_t i = 0, j = 0; i < b.npushed; i++) { /* pushed minus popped */
            if (j < b.npopped && cmp_key(&b.pushed[i], &b.popped[j]) == 0) {
                j++;
                continue;
            }
            if (!((uint16_t)b.pushed[i].seq & 1))
                kept[np++] = b.pushed[i];
        }
        cr_assert_eq(np, sim_queue_size(b.q));
        /* Events dropped went nowhere: give their slots back to the bench's free list. */
        b.nfree = 0;
        memcpy(b.pushed, kept, np * sizeof *kept);
        b.npushed = np;
        b.npopped = 0;
        free(kept);
        for (size_t i = 0; i < 500; i++) { /* still a working queue: push and pop on */
            sim_event *e = sim_queue_pop_until(b.q, SIM_TIME_MAX);
            cr_assert_not_null(e);
            b.popped[b.npopped++] = (key){e->time, e->seq};
            b.now = e->time;
            e->time = later(b.now, inc_bursty(b.r));
            e->seq = sim_event_seq(b.order++, 0);
            cr_assert_eq(sim_queue_push(b.q, e), 0);
            b.pushed[b.npushed++] = (key){e->time, e->seq};
        }
        b_drain_and_check(&b);
        b_free(&b);
    }
}

/* peek(k) names the events the next pops return, where it names any, and never changes
 * what they are. */
Test(queue, peek_names_the_next_events) {
    bench b;
    b_init(&b, 5000, 40000, 7);
    for (size_t i = 0; i < 5000; i++)
        b_push(&b, inc_exponential(b.r));
    size_t named = 0;
    for (size_t i = 0; i < 20000; i++) {
        sim_event *next = sim_queue_peek(b.q, 0), *after = sim_queue_peek(b.q, 1);
        sim_event *e = b_pop(&b, SIM_TIME_MAX);
        cr_assert_not_null(e);
        if (next) {
            cr_assert_eq(next, e, "peek(0) named another event than the pop returned");
            named++;
        }
        if (after)
            cr_assert_eq(sim_queue_peek(b.q, 0), after, "peek(1) was not the next event");
        b_push(&b, later(b.now, inc_exponential(b.r)));
    }
    cr_assert_gt(named, 0);
    b_drain_and_check(&b);
    b_free(&b);
}
