/* A station: `workers` parallel servers in front of a FIFO waiting room of `queue` places, the
 * part `service` and `database` share. It keeps which request each worker holds (with a job
 * stamp that the kind puts in its timers, so that a timer of an earlier job is recognised as
 * stale), the idle workers (worker 0 taken first), the waiting room (linked through
 * req->next), and the figures every station reports: completed, failed and rejected requests
 * issued after the warm-up, the time averages of busy workers and of the queue, and the wait
 * and sojourn histograms. What service means stays with the kind: it draws the service time,
 * sets the timer, and says when a worker is done.
 *
 * The count of workers can change at run time (station_resize: the `scale` fault). Workers
 * live in slots; a slot without a worker is spare. More workers take spare slots (or new
 * ones) and start on waiting requests at once; fewer workers retire idle ones first, and
 * busy ones over the count retire when they finish their request (none is dropped). */
#ifndef DSIM_STATION_H
#define DSIM_STATION_H

#include "hist.h"
#include "metrics.h"
#include "request.h"
#include "tavg.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct station {
    uint32_t workers;  /* the count asked for now */
    uint32_t cap;      /* slots allocated: held, job and the kind's per-worker arrays */
    uint32_t retiring; /* busy workers over the count, to retire when they finish */
    int64_t queue;     /* waiting places; -1: unbounded */
    rr_req **held;     /* per slot: the request in service, NULL when idle */
    uint32_t *job;     /* per slot: the stamp of its current job */
    uint32_t *idle;    /* stack of idle workers */
    uint32_t nidle, job_seq;
    uint32_t *spare;   /* stack of slots without a worker */
    uint32_t nspare;
    bool resized;      /* the count changed once: utilization divides by avail's integral */
    rr_req *head, *tail; /* the waiting room */
    uint64_t waiting;
    sim_tavg busy, queued;
    sim_tavg avail; /* workers in existence: the count, plus the retiring */
    uint64_t completed, failed, rejected; /* requests issued after the warm-up */
    sim_hist wait, sojourn;
} station;

/* What station_arrive did with a request that found no idle worker. */
#define STATION_QUEUED UINT32_MAX
#define STATION_REJECTED (UINT32_MAX - 1)

/* Sets up an idle station for node n. Returns 0, or -1 when out of memory (the station can
 * still be freed and cleared). */
int station_init(station *st, const sim_node *n, uint32_t workers, int64_t queue);
void station_free(station *st);
/* Bytes station_init allocates for that many workers (for the kinds' memory estimates). */
double station_memory(int64_t workers);

/* Request r arrives (r->arrived set by the caller): returns the idle worker that takes it (the
 * caller then starts it with station_begin), or STATION_QUEUED (it waits), or STATION_REJECTED
 * (the room was full: r was answered as rejected). */
uint32_t station_arrive(station *st, sim_node *n, rr_req *r);

/* Worker w begins serving r (its wait ends now): returns the job's stamp. */
uint32_t station_begin(station *st, sim_node *n, uint32_t w, rr_req *r);

/* True while worker w still serves the job stamped job. */
bool station_is_current(const station *st, uint32_t w, uint32_t job);

/* Gives worker w a new stamp for the job it is on (what its earlier timers carry is then
 * stale) and returns it. */
uint32_t station_restamp(station *st, uint32_t w);

/* Worker w is done with its request (r->status says how it went): returns the request, now
 * the caller's to pass on. The worker then takes the next one with station_next. */
rr_req *station_end(station *st, sim_node *n, uint32_t w);

/* Worker w lets go of its request unanswered (the kind passes it on elsewhere): returns it;
 * it counts as neither completed nor failed here. The worker then takes the next one with
 * station_next. */
rr_req *station_hand_off(station *st, sim_node *n, uint32_t w);

/* Worker w, just freed, takes the first waiting request (returned: the caller starts it with
 * station_begin), or goes idle (NULL), or, when the count was lowered while it served,
 * retires (NULL: its slot is spare). */
rr_req *station_next(station *st, sim_node *n, uint32_t w);

/* The station has `workers` (>= 1) workers from now on. Growing may allocate slots (cap
 * grows: the kind grows its own per-worker arrays to st->cap); returns 0, or -1 when out of
 * memory (nothing changed). New workers are idle: the caller starts them on waiting requests
 * with station_dispatch. */
int station_resize(station *st, sim_node *n, uint32_t workers);

/* An idle worker takes the first waiting request: returns it with *w its worker (the caller
 * starts it with station_begin), or NULL when no worker is idle or nothing waits. */
rr_req *station_dispatch(station *st, sim_node *n, uint32_t *w);

/* Workers serving a request now: those of the count that are not idle, and the retiring. */
uint32_t station_busy(const station *st);

/* A crash: every request in service or waiting is dropped, every worker is idle. */
void station_clear(station *st, sim_node *n);

/* The station's figures utilization, queue_mean, wait_ms and sojourn_ms (and, for series
 * only, in_flight and workers), for a kind's table:
 * {"station", SIM_METRIC_INCLUDE, .offset = offsetof(KIND_state, st), .include =
 * station_metrics}. Its counts (completed, failed, rejected) the kind places itself. */
extern const sim_metric station_metrics[];

#endif
