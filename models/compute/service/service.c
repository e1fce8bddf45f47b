/* service: a queueing station with `workers` parallel servers and a FIFO waiting room of
 * `queue` places. A request is served for a time drawn from `service` (per operation), then,
 * holding its worker, calls each node of `calls` in turn and waits for the reply; finally it is
 * forwarded by `forward` (worker freed, reply still goes to the client) or answered. This is
 * enough to write M/M/c, M/M/c/c, M/G/1, tandem lines, Jackson networks and thread-per-request
 * tiers. */
#include "ping.h"
#include "protocols.h"
#include "request.h"
#include "retry.h"
#include "station.h"

#include <stdlib.h>

enum { T_DONE, T_CALL_TIMEOUT, T_CALL_RETRY };

typedef struct service_config {
    int64_t workers;
    int64_t queue; /* -1: unbounded */
    sim_dist_by service;
    sim_bytes_by reply_bytes;
    sim_route forward;
    sim_reflist calls;
    sim_time call_timeout; /* -1: wait forever */
    retry_policy call_retry;
} service_config;

/* Where a worker is in its request's calls. */
typedef struct call_progress {
    uint32_t call;   /* index in `calls` of the call awaited */
    int32_t retries; /* retries of that call so far */
} call_progress;

typedef struct service_state {
    station st;
    call_progress *progress; /* per worker */
    /* measured requests only */
    uint64_t arrivals, calls_made, calls_timed_out;
    uint64_t call_retries, call_retries_denied;
    retry_budget budget;
} service_state;

static const sim_param service_params[] = {
    {.name = "workers", .type = SIM_P_INT, .offset = offsetof(service_config, workers),
     .def = "1", .min = 1, .max = 1e6, .help = "requests served at once"},
    {.name = "queue", .type = SIM_P_LIMIT, .offset = offsetof(service_config, queue),
     .def = "unbounded", .min = 0, .max = 1e12,
     .help = "waiting-room size; arrivals to a full room are rejected (0: pure loss system)"},
    {.name = "service", .type = SIM_P_DIST_BY, RR_PER_OP, .offset = offsetof(service_config, service),
     .flags = SIM_PARAM_REQUIRED,
     .help = "service-time distribution, or per operation {read: DIST, write: DIST}"},
    RR_BYTES_PARAM("reply_bytes", service_config, reply_bytes, "the size of its reply"),
    {.name = "forward", .type = SIM_P_ROUTE, .offset = offsetof(service_config, forward),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_ONE, .edge = "forward",
     .help = "after service pass the request on: a node, or {a: 0.7, b: 0.3} (rest completes)"},
    {.name = "calls", .type = SIM_P_REFLIST, .offset = offsetof(service_config, calls),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_EACH, .edge = "call",
     .help = "nodes called in order during service, holding the worker until each replies"},
    {.name = "call_timeout", .type = SIM_P_DURATION,
     .offset = offsetof(service_config, call_timeout),
     .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a call without reply by then fails the request and frees the worker (default: none)"},
    RETRY_PARAMS("call_", offsetof(service_config, call_retry)),
    {0},
};

static void service_check(const void *config, sim_check *ck) {
    const service_config *c = config;
    if (c->call_timeout > 0 && c->calls.n == 0)
        sim_check_error(ck, "call_timeout", "'call_timeout' goes with 'calls'");
    if (c->call_retry.retries > 0 && c->calls.n == 0)
        sim_check_error(ck, "call_retries", "'call_retries' goes with 'calls'");
}

static uint64_t job_token(uint32_t job, uint32_t w) { return (uint64_t)job << 32 | w; }

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

static void start(sim_node *n, uint32_t w, rr_req *r) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    uint32_t job = station_begin(&s->st, n, w, r);
    s->progress[w].call = 0;
    sim_set_timer(n, sim_slowed(n, sim_dist_sample(&c->service.by[r->op], sim_rng(n))), T_DONE,
                  job_token(job, w));
}

/* Sends the worker's request on to the next hop: a forward target, or the reply. */
static void pass_on(sim_node *n, rr_req *r) {
    const service_config *c = sim_config(n);
    if (r->status == RR_OK && c->forward.n) {
        double u = gsl_rng_uniform(sim_rng(n)), acc = 0;
        for (size_t i = 0; i < c->forward.n; i++) {
            acc += c->forward.p[i];
            if (u < acc) {
                rr_send(n, sim_pick(n, &c->forward.to[i]), r);
                return;
            }
        }
    }
    rr_reply_sized(n, r, c->reply_bytes.by[r->op]);
}

/* The worker is done with its request: record it, pass it on, take the next waiting one. */
static void finish(sim_node *n, uint32_t w) {
    service_state *s = sim_state(n);
    pass_on(n, station_end(&s->st, n, w));
    rr_req *next = station_next(&s->st, n, w);
    if (next)
        start(n, w, next);
}

/* Sends (again, after a retry) the call the worker is on. */
static void send_call(sim_node *n, uint32_t w) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    rr_req *call = rr_call_new(n, s->st.held[w]);
    call->token = job_token(s->st.job[w], w);
    rr_send(n, sim_pick(n, &c->calls.refs[s->progress[w].call]), call);
    if (c->call_timeout > 0)
        sim_set_timer(n, c->call_timeout, T_CALL_TIMEOUT, job_token(s->st.job[w], w));
}

/* Moves the worker to its next call, or finishes when none is left. */
static void next_call(sim_node *n, uint32_t w) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    if (s->progress[w].call >= c->calls.n) {
        finish(n, w);
        return;
    }
    s->progress[w].retries = 0;
    if (counts(n, s->st.held[w]))
        s->calls_made++;
    retry_budget_deposit(&s->budget, &c->call_retry);
    send_call(n, w);
}

/* The worker's call failed (a FAILED reply) or timed out: retry it after a backoff when the
 * policy and the budget allow, else fail the request. Every attempt gets a new job stamp, so
 * replies and timeouts of earlier attempts are recognised as stale. */
static void call_failed(sim_node *n, uint32_t w) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    call_progress *p = &s->progress[w];
    bool measured = counts(n, s->st.held[w]);
    if (retry_allowed(&s->budget, &c->call_retry, p->retries + 1)) {
        p->retries++;
        uint32_t job = station_restamp(&s->st, w);
        if (measured)
            s->call_retries++;
        /* The failed call's late copies no longer count; the worker backs off. */
        sim_ledger_new_attempt(n, &s->st.held[w]->root);
        rr_wait(n, s->st.held[w], SIM_LEDGER_BACKOFF);
        sim_set_timer(n, retry_delay(&c->call_retry, p->retries, n), T_CALL_RETRY,
                      job_token(job, w));
        return;
    }
    if (measured && p->retries < c->call_retry.retries)
        s->call_retries_denied++;
    s->st.held[w]->status = RR_FAILED;
    finish(n, w);
}

static void arrive(sim_node *n, rr_req *r) {
    service_state *s = sim_state(n);
    r->arrived = sim_now(n);
    if (counts(n, r))
        s->arrivals++;
    uint32_t w = station_arrive(&s->st, n, r);
    if (w != STATION_QUEUED && w != STATION_REJECTED)
        start(n, w, r);
}

/* A reply to one of a worker's calls. Stale replies (the worker moved on: the call timed out,
 * or the node crashed since) are dropped. A callee's failure or rejection fails the whole request. */
static void call_returned(sim_node *n, rr_req *reply) {
    service_state *s = sim_state(n);
    uint32_t w = (uint32_t)reply->token, job = (uint32_t)(reply->token >> 32);
    if (station_is_current(&s->st, w, job)) {
        rr_req *r = s->st.held[w];
        if (reply->status == RR_REJECTED) { /* a full callee: not retried */
            r->status = RR_FAILED;
            finish(n, w);
        } else if (reply->status != RR_OK) {
            call_failed(n, w);
        } else {
            kv_take(&r->kv, &reply->kv); /* a data tier answered: pass its version up */
            s->progress[w].call++;
            station_restamp(&s->st, w); /* the finished call's timeout is now stale */
            next_call(n, w);
        }
    }
    rr_free(n, reply);
}

static void service_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg)
        arrive(n, rr_of(m));
    else if (m->type == &rr_reply_msg)
        call_returned(n, rr_of(m));
    else
        sim_msg_free(n, m);
}

static void service_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    service_state *s = sim_state(n);
    uint32_t w = (uint32_t)arg, job = (uint32_t)(arg >> 32);
    if (!station_is_current(&s->st, w, job))
        return; /* the job this timer was set for is over */
    if (tag == T_DONE) {
        next_call(n, w);
    } else if (tag == T_CALL_TIMEOUT) {
        /* Each call attempt restamps the job, so a stale timeout of an earlier attempt or
         * call of the same request never matches. */
        if (counts(n, s->st.held[w]))
            s->calls_timed_out++;
        call_failed(n, w);
    } else if (tag == T_CALL_RETRY) {
        send_call(n, w);
    }
}

static void service_create(sim_node *n) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    retry_budget_init(&s->budget, &c->call_retry);
    s->progress = calloc((size_t)c->workers, sizeof *s->progress);
    if (station_init(&s->st, n, (uint32_t)c->workers, c->queue) || !s->progress)
        sim_out_of_memory(n);
}

/* Vertical scaling (kind.h): the station's count changes; new workers start on waiting
 * requests at once (while the node is down nothing waits: its restart has the new count). */
static void service_resize(sim_node *n, uint32_t workers) {
    service_state *s = sim_state(n);
    const service_config *c = sim_config(n);
    uint32_t old_cap = s->st.cap;
    if (station_resize(&s->st, n, workers ? workers : (uint32_t)c->workers)) {
        sim_out_of_memory(n);
        return;
    }
    if (s->st.cap > old_cap) {
        call_progress *p = realloc(s->progress, s->st.cap * sizeof *p);
        if (!p) {
            sim_out_of_memory(n);
            return;
        }
        s->progress = p;
    }
    uint32_t w;
    for (rr_req *r; (r = station_dispatch(&s->st, n, &w));)
        start(n, w, r);
}

/* Crash: requests in service and waiting are dropped (the client sees a timeout). */
static void service_crash(sim_node *n) {
    service_state *s = sim_state(n);
    station_clear(&s->st, n);
}

static bool makes_calls(const void *config) { return ((const service_config *)config)->calls.n; }
static bool call_timeouts(const void *config) {
    const service_config *c = config;
    return c->calls.n && c->call_timeout > 0;
}
static bool call_retries(const void *config) {
    const service_config *c = config;
    return c->calls.n && c->call_retry.retries > 0;
}

static double call_amplification(const void *state, const sim_node *n, sim_time at) {
    const service_state *s = state;
    (void)n, (void)at;
    return s->calls_made ? (double)(s->calls_made + s->call_retries) / (double)s->calls_made : 0;
}

static const sim_metric service_metrics[] = {
    {"arrivals", SIM_METRIC_COUNTER, SIM_FIELD(service_state, arrivals)},
    {"completed", SIM_METRIC_COUNTER, SIM_FIELD(service_state, st.completed)},
    {"rejected", SIM_METRIC_COUNTER, SIM_FIELD(service_state, st.rejected)},
    {"failed", SIM_METRIC_COUNTER, SIM_FIELD(service_state, st.failed)},
    {"calls", SIM_METRIC_COUNTER, SIM_FIELD(service_state, calls_made), .shown = makes_calls},
    {"calls_timed_out", SIM_METRIC_COUNTER, SIM_FIELD(service_state, calls_timed_out),
     .shown = call_timeouts},
    {"call_retries", SIM_METRIC_COUNTER, SIM_FIELD(service_state, call_retries),
     .shown = call_retries},
    {"call_retries_denied", SIM_METRIC_COUNTER, SIM_FIELD(service_state, call_retries_denied),
     .shown = call_retries},
    {"call_amplification", SIM_METRIC_NUMBER, .value = call_amplification,
     .shown = call_retries},
    {"station", SIM_METRIC_INCLUDE, .offset = offsetof(service_state, st),
     .include = station_metrics},
    SIM_METRICS_END,
};

/* Requests still held are freed by the engine with its pool. */
static void service_destroy(sim_node *n) {
    service_state *s = sim_state(n);
    station_free(&s->st);
    free(s->progress);
}

static sim_memory_need service_memory_need(const void *config, uint32_t group_count) {
    const service_config *c = config;
    (void)group_count;
    double w = (double)c->workers;
    return (sim_memory_need){.bytes = w * sizeof(call_progress) + station_memory(c->workers),
                             .report_bytes = 2200, /* measured */
                             .key = "workers",
                             .value = w};
}

/* The load a monitoring agent reports in a health check's answer (sim/ping.h). */
static bool service_load(const sim_node *n, sim_load *out) {
    const service_state *s = sim_state_const(n);
    const station *st = &s->st;
    out->workers = st->workers;
    out->busy = station_busy(st);
    out->waiting = st->waiting;
    return true;
}

const sim_kind dsim_service_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = service_memory_need,
    .name = "service",
    .summary = "a station with parallel workers and a FIFO waiting room; forwards or calls on",
    .config_size = sizeof(service_config),
    .state_size = sizeof(service_state),
    .params = service_params,
    .serves = DSIM_PROTO_REQUEST | DSIM_PROTO_MANAGED,
    .check = service_check,
    .create = service_create,
    .resize = service_resize,
    .receive = service_receive,
    .timer = service_timer,
    .crash = service_crash,
    .metrics = service_metrics,

    .destroy = service_destroy,
    .load = service_load,
};
