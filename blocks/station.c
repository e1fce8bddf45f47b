/* A station of parallel workers with a FIFO waiting room (station.h). */
#include "station.h"

#include <stdlib.h>

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

/* Every worker idle, worker 0 on top of the stack. */
static void all_idle(station *st) {
    for (uint32_t w = 0; w < st->workers; w++)
        st->idle[w] = st->workers - 1 - w;
    st->nidle = st->workers;
}

int station_init(station *st, const sim_node *n, uint32_t workers, int64_t queue) {
    *st = (station){.workers = workers, .queue = queue};
    sim_hist_init(&st->wait);
    sim_hist_init(&st->sojourn);
    sim_tavg_init(&st->busy, sim_warmup_end(n));
    sim_tavg_init(&st->queued, sim_warmup_end(n));
    st->held = calloc(workers, sizeof *st->held);
    st->job = calloc(workers, sizeof *st->job);
    st->idle = malloc(workers * sizeof *st->idle);
    if (!st->held || !st->job || !st->idle) {
        st->workers = 0; /* nothing to clear or serve */
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
    return w < st->workers && st->held[w] && st->job[w] == job;
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

rr_req *station_next(station *st, sim_node *n, uint32_t w) {
    rr_req *next = st->head;
    if (!next) {
        st->idle[st->nidle++] = w;
        return NULL;
    }
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

void station_clear(station *st, sim_node *n) {
    sim_time now = sim_now(n);
    for (uint32_t w = 0; w < st->workers; w++) {
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
}

static double utilization(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return st->workers ? sim_tavg_mean(&st->busy, at) / (double)st->workers : 0;
}

/* For time series: busy workers and requests in the station (in service or waiting),
 * integrated over time from 0 (sim/tavg.h), whose increase over an interval gives the
 * interval's time average. */
static double busy_integral(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return st->workers ? sim_tavg_integral(&st->busy, at) / (double)st->workers : 0;
}
static double in_flight_integral(const void *block, const sim_node *n, sim_time at) {
    const station *st = block;
    (void)n;
    return sim_tavg_integral(&st->busy, at) + sim_tavg_integral(&st->queued, at);
}

const sim_metric station_metrics[] = {
    {"utilization", SIM_METRIC_NUMBER, .value = utilization, .series = SIM_SERIES_TIME_AVG,
     .num = busy_integral},
    {"queue_mean", SIM_METRIC_TAVG, SIM_FIELD(station, queued)},
    {"wait_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(station, wait), .pct = SIM_PCT_SHORT},
    {"sojourn_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(station, sojourn), .pct = SIM_PCT_SHORT},
    {"in_flight", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = in_flight_integral,
     .series_only = true},
    SIM_METRICS_END,
};

