/* A station of parallel workers with a FIFO waiting room (station.h). */
#include "station.h"

#include <assert.h>
#include <stdlib.h>

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

/* Every worker idle in slots 0..workers-1, worker 0 on top of the stack; the other slots
 * spare. */
static void all_idle(station *st) {
    for (uint32_t w = 0; w < st->workers; w++)
        st->idle[w] = st->workers - 1 - w;
    st->nidle = st->workers;
    st->nspare = 0;
    for (uint32_t w = st->cap; w-- > st->workers;)
        st->spare[st->nspare++] = w;
    st->retiring = 0;
}

int station_init(station *st, const sim_node *n, uint32_t workers, int64_t queue) {
    *st = (station){.workers = workers, .cap = workers, .queue = queue};
    sim_hist_init(&st->wait);
    sim_hist_init(&st->sojourn);
    sim_tavg_init(&st->busy, sim_warmup_end(n));
    sim_tavg_init(&st->queued, sim_warmup_end(n));
    sim_tavg_init(&st->avail, sim_warmup_end(n));
    sim_tavg_set(&st->avail, 0, workers);
    st->held = calloc(workers, sizeof *st->held);
    st->job = calloc(workers, sizeof *st->job);
    st->idle = malloc(workers * sizeof *st->idle);
    st->spare = malloc(workers * sizeof *st->spare);
    if (!st->held || !st->job || !st->idle || !st->spare) {
        st->workers = st->cap = 0; /* nothing to clear or serve */
        return -1;
    }
    all_idle(st);
    return 0;
}

double station_memory(int64_t workers) {
    return (double)workers * (sizeof(rr_req *) + 2 * sizeof(uint32_t));
}

void station_free(station *st) {
    free(st->held);
    free(st->job);
    free(st->idle);
    free(st->spare);
    sim_hist_free(&st->wait);
    sim_hist_free(&st->sojourn);
}

uint32_t station_arrive(station *st, sim_node *n, rr_req *r) {
    r->next = NULL;
    if (st->nidle)
        return st->idle[--st->nidle];
    if (st->queue < 0 || st->waiting < (uint64_t)st->queue) {
        if (st->tail)
            st->tail->next = r;
        else
            st->head = r;
        st->tail = r;
        st->waiting++;
        sim_tavg_add(&st->queued, sim_now(n), 1);
        rr_wait(n, r, SIM_LEDGER_QUEUE);
        return STATION_QUEUED;
    }
    if (counts(n, r))
        st->rejected++;
    r->status = RR_REJECTED;
    rr_reply(n, r);
    return STATION_REJECTED;
}

uint32_t station_begin(station *st, sim_node *n, uint32_t w, rr_req *r) {
    sim_time now = sim_now(n);
    if (counts(n, r) && sim_hist_record(&st->wait, now - r->arrived))
        sim_out_of_memory(n);
    st->held[w] = r;
    st->job[w] = ++st->job_seq;
    sim_tavg_add(&st->busy, now, 1);
    return st->job[w];
}

bool station_is_current(const station *st, uint32_t w, uint32_t job) {
    return w < st->cap && st->held[w] && st->job[w] == job;
}

uint32_t station_restamp(station *st, uint32_t w) { return st->job[w] = ++st->job_seq; }

rr_req *station_end(station *st, sim_node *n, uint32_t w) {
    rr_req *r = st->held[w];
    sim_time now = sim_now(n);
    st->held[w] = NULL;
    sim_tavg_add(&st->busy, now, -1);
    if (counts(n, r)) {
        if (r->status == RR_OK)
            st->completed++;
        else
            st->failed++;
        if (sim_hist_record(&st->sojourn, now - r->arrived))
            sim_out_of_memory(n);
    }
    return r;
}

rr_req *station_hand_off(station *st, sim_node *n, uint32_t w) {
    rr_req *r = st->held[w];
    st->held[w] = NULL;
    sim_tavg_add(&st->busy, sim_now(n), -1);
    return r;
}

/* Takes the first waiting request out of the room (there is one). */
static rr_req *take_head(station *st, sim_node *n) {
    rr_req *next = st->head;
    st->head = next->next;
    if (!st->head)
        st->tail = NULL;
    next->next = NULL;
    st->waiting--;
    sim_tavg_add(&st->queued, sim_now(n), -1);
    /* Its time in the queue ends (a request that found a worker idle never queued: its
     * delivery already started its service here). */
    rr_wait(n, next, SIM_LEDGER_SERVICE);
    return next;
}

rr_req *station_next(station *st, sim_node *n, uint32_t w) {
    if (st->retiring) { /* the count was lowered while it served: it goes */
        st->retiring--;
        st->spare[st->nspare++] = w;
        sim_tavg_add(&st->avail, sim_now(n), -1);
        return NULL;
    }
    if (!st->head) {
        st->idle[st->nidle++] = w;
        return NULL;
    }
    return take_head(st, n);
}

rr_req *station_dispatch(station *st, sim_node *n, uint32_t *w) {
    if (!st->nidle || !st->head)
        return NULL;
    *w = st->idle[--st->nidle];
    return take_head(st, n);
}

/* Grows the slots to cap, the new ones spare. */
static int grow(station *st, uint32_t cap) {
    rr_req **held = realloc(st->held, cap * sizeof *held);
    if (held)
        st->held = held;
    uint32_t *job = realloc(st->job, cap * sizeof *job);
    if (job)
        st->job = job;
    uint32_t *idle = realloc(st->idle, cap * sizeof *idle);
    if (idle)
        st->idle = idle;
    uint32_t *spare = realloc(st->spare, cap * sizeof *spare);
    if (spare)
        st->spare = spare;
    if (!held || !job || !idle || !spare)
        return -1;
    for (uint32_t w = cap; w-- > st->cap;) {
        st->held[w] = NULL;
        st->job[w] = 0;
        st->spare[st->nspare++] = w;
    }
    st->cap = cap;
    return 0;
}

int station_resize(station *st, sim_node *n, uint32_t workers) {
    assert(workers >= 1);
    if (workers == st->workers)
        return 0;
    if (workers < st->workers) {
        uint32_t drop = st->workers - workers;
        for (; drop && st->nidle; drop--) /* idle workers go first, at once */
            st->spare[st->nspare++] = st->idle[--st->nidle];
        st->retiring += drop; /* busy ones as they finish */
    } else {
        uint32_t add = workers - st->workers;
        uint32_t kept = add < st->retiring ? add : st->retiring; /* they stay after all */
        st->retiring -= kept;
        add -= kept;
        if (add > st->nspare && grow(st, st->cap + (add - st->nspare)))
            return -1;
        for (; add; add--)
            st->idle[st->nidle++] = st->spare[--st->nspare];
    }
    st->workers = workers;
    st->resized = true;
    sim_tavg_set(&st->avail, sim_now(n), (double)(st->workers + st->retiring));
    return 0;
}

void station_clear(station *st, sim_node *n) {
    sim_time now = sim_now(n);
    for (uint32_t w = 0; w < st->cap; w++) {
        rr_free(n, st->held[w]);
        st->held[w] = NULL;
    }
    all_idle(st);
    while (st->head) {
        rr_req *r = st->head;
        st->head = r->next;
        rr_free(n, r);
    }
    st->tail = NULL;
    st->waiting = 0;
    sim_tavg_set(&st->busy, now, 0);
    sim_tavg_set(&st->queued, now, 0);
    sim_tavg_set(&st->avail, now, st->workers);
}

/* Busy worker-time over the worker-time available (docs/results.md): the integral of the
 * workers in existence, which is workers x time while the count never changed (then that
 * product, so that such figures stay as they were to the last bit). */
static double utilization(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    if (!st->resized)
        return st->workers ? sim_tavg_mean(&st->busy, at) / (double)st->workers : 0;
    double avail = sim_tavg_mean(&st->avail, at);
    return avail > 0 ? sim_tavg_mean(&st->busy, at) / avail : 0;
}

/* For time series: busy workers, workers in existence, and requests in the station (in
 * service or waiting), integrated over time from 0 (sim/tavg.h); the increase of one over an
 * interval gives the interval's time average, and busy over avail its utilization. */
static double busy_integral(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return sim_tavg_integral(&st->busy, at);
}
static double avail_integral(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return sim_tavg_integral(&st->avail, at);
}
static double in_flight_integral(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return sim_tavg_integral(&st->busy, at) + sim_tavg_integral(&st->queued, at);
}

const sim_metric station_metrics[] = {
    {"utilization", SIM_METRIC_NUMBER, .value = utilization, .series = SIM_SERIES_RATIO,
     .num = busy_integral, .den = avail_integral},
    {"queue_mean", SIM_METRIC_TAVG, SIM_FIELD(station, queued)},
    {"wait_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(station, wait), .pct = SIM_PCT_SHORT},
    {"sojourn_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(station, sojourn), .pct = SIM_PCT_SHORT},
    {"in_flight", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = in_flight_integral,
     .series_only = true},
    {"workers", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = avail_integral,
     .series_only = true},
    SIM_METRICS_END,
};

uint32_t station_busy(const station *st) { return st->workers + st->retiring - st->nidle; }
