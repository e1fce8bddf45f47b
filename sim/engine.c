/* The event loop: pop the earliest event (time, then scheduling order), dispatch it by type
 * to the node's kind, repeat until the run's end. Also creation, teardown and the result
 * document's engine-level parts (requests, network, faults). */
#include "engine_int.h"

#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY (1u << 20)
/* A stall is declared after this many events at one instant (about 1.7e7)... */
#define STALL_MIN_EVENTS (16u * PROGRESS_EVERY)
/* ...or after this many per source of legitimate work at one instant, whichever is more: every
 * instance and every event pending when the run starts (one per closed-loop user, per PHOLD
 * message, per fault...) may set off a chain of zero-delay steps at one instant (a request's
 * hops there and back, its retries, the timers it arms), but a finite one; 64 steps each is far
 * more than any topology the loader accepts makes without a loop. So 1e7 users, which put 1e7
 * events at time 0 and about twice that many in its first instant, are not a stall. */
#define STALL_STEPS_PER_SOURCE 64u

void sim__schedule(sim_engine *e, sim_time t, uint8_t type, uint32_t dst, uint32_t src,
                   uint16_t tag, sim_req *req, uint64_t arg) {
    sim_event *ev = sim_pool_get(&e->events_pool);
    if (!ev) {
        e->failed = true;
        sim__req_free(e, req);
        return;
    }
    ev->time = t;
    ev->seq = sim_event_seq(e->seq++, tag);
    ev->type = type;
    ev->dst = dst & 0xffffffu;
    if (type == SIM_EV_TIMER)
        ev->epoch = e->nodes[dst].epoch;
    else
        ev->src = src;
    ev->req = req;
    ev->arg = arg;
    if (sim_queue_push(e->queue, ev)) {
        e->failed = true;
        sim__req_free(e, req);
        sim_pool_put(&e->events_pool, ev);
    }
}

void sim__req_free(sim_engine *e, sim_req *r) {
    if (r && r != &e->spare)
        sim_pool_put(&e->reqs_pool, r);
}

void sim__send(sim_engine *e, uint32_t src, uint32_t dst, uint16_t tag, sim_req *req,
               uint64_t arg) {
    sim_time delay;
    if (sim_net_route(&e->net, src, dst, &delay) != SIM_NET_DELIVER) {
        sim__req_free(e, req);
        return;
    }
    sim__schedule(e, e->now + delay, SIM_EV_DELIVER, dst, src, tag, req, arg);
}

static void free_nodes(sim_engine *e) {
    for (size_t i = 0; i < e->nnodes; i++) {
        sim_node *n = &e->nodes[i];
        if (n->kind && n->kind->destroy && n->state)
            n->kind->destroy(n);
        free(n->state);
        gsl_rng_free(n->rng);
    }
    free(e->nodes);
}

void sim_engine_free(sim_engine *e) {
    if (!e)
        return;
    free_nodes(e);
    sim_queue_free(e->queue);
    sim_pool_destroy(&e->events_pool);
    sim_pool_destroy(&e->reqs_pool);
    sim_net_destroy(&e->net);
    sim_hist_free(&e->req.latency);
    free(e->log);
    free(e->slow_active);
    sim_oracle_free(e->oracle);
    sim__sampler_free(e->sampler);
    free(e);
}

static int make_nodes(sim_engine *e) {
    const sim_topology *t = e->topo;
    e->nodes = calloc(t->nnodes ? t->nnodes : 1, sizeof *e->nodes);
    if (!e->nodes)
        return -1;
    e->nnodes = t->nnodes;
    for (size_t i = 0; i < t->nnodes; i++) {
        sim_node *n = &e->nodes[i];
        n->eng = e;
        n->topo = &t->nodes[i];
        n->kind = t->nodes[i].kind;
        n->id = (uint32_t)i;
        n->slow = 1;
        n->state = calloc(1, n->kind->state_size ? n->kind->state_size : 1);
        n->rng = sim_rng_new(e->seed, n->topo->name);
        if (!n->state || !n->rng)
            return -1;
    }
    return 0;
}

sim_engine *sim_engine_new(const sim_topology *topo, uint64_t seed) {
    sim_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->topo = topo;
    e->seed = seed;
    e->end = topo->duration;
    e->warmup = topo->warmup;
    sim_pool_init(&e->events_pool, sizeof(sim_event));
    sim_pool_init(&e->reqs_pool, sizeof(sim_req));
    sim_hist_init(&e->req.latency);
    e->queue = sim_queue_new();
    e->oracle = sim_oracle_new();
    e->slow_active = calloc(topo->nfaults ? topo->nfaults : 1, sizeof *e->slow_active);
    if (!e->queue || !e->slow_active || !e->oracle || sim_net_init(&e->net, &topo->net, topo->nnodes, seed) || make_nodes(e)) {
        sim_engine_free(e);
        return NULL;
    }
    for (size_t i = 0; i < topo->nfaults; i++) {
        const sim_fault *f = &topo->faults[i];
        sim__schedule(e, f->at, SIM_EV_FAULT, 0, 0, 0, NULL, i);
        if (f->duration != SIM_TIME_NONE)
            sim__schedule(e, f->at + f->duration, SIM_EV_FAULT, 0, 0, 1, NULL, i);
    }
    for (size_t i = 0; i < e->nnodes; i++)
        if (e->nodes[i].kind->create)
            e->nodes[i].kind->create(&e->nodes[i]);
    if (e->failed) {
        sim_engine_free(e);
        return NULL;
    }
    uint64_t sources = (uint64_t)sim_queue_size(e->queue) + e->nnodes;
    e->stall_events = sources * STALL_STEPS_PER_SOURCE;
    if (e->stall_events < STALL_MIN_EVENTS)
        e->stall_events = STALL_MIN_EVENTS;
    return e;
}

/* A message reached a crashed node: a request is refused (the caller learns it failed, as
 * with a refused connection); anything else is dropped. */
static void refuse(sim_engine *e, sim_event *ev) {
    e->refused++;
    sim_req *r = ev->req;
    if (sim_event_tag(ev) == SIM_MSG_REQUEST && r) {
        r->status = SIM_REQ_FAILED;
        sim__send(e, ev->dst, r->reply_to, SIM_MSG_REPLY, r, 0);
    } else {
        sim__req_free(e, r);
    }
}

static void dispatch(sim_engine *e, sim_event *ev) {
    sim_node *n = &e->nodes[ev->dst];
    switch ((sim_event_type)ev->type) {
    case SIM_EV_DELIVER:
        if (n->crashed) {
            refuse(e, ev);
        } else if (sim_event_tag(ev) == SIM_MSG_PING) {
            /* Answered by the node's host, whatever its kind (like a TCP health check). */
            sim__req_free(e, ev->req);
            sim__send(e, ev->dst, ev->src, SIM_MSG_PONG, NULL, ev->arg);
        } else if (n->kind->receive) {
            sim_msg m = {sim_event_tag(ev), ev->src, ev->req, ev->arg};
            n->kind->receive(n, &m);
        } else {
            sim__req_free(e, ev->req);
        }
        break;
    case SIM_EV_TIMER:
        if (!n->crashed && ev->epoch == n->epoch && n->kind->timer)
            n->kind->timer(n, sim_event_tag(ev), ev->arg);
        break;
    case SIM_EV_FAULT:
        sim__fault_apply(e, &e->topo->faults[ev->arg], sim_event_tag(ev) == 1);
        break;
    case SIM_EV_SAMPLE:
        e->events--; /* observing is not an event of the model: the document stays the same */
        sim__sample(e);
        break;
    }
}

/* A run whose clock stops while events keep coming is a zero-delay loop that would never end
 * (e.g. closed-loop users with no think time and no network latency retrying a crashed node
 * at once): stop it with an explanation instead of hanging. */
static void check_stall(sim_engine *e) {
    if (e->now != e->checkpoint_time) {
        e->checkpoint_time = e->now;
        e->checkpoint_events = e->events;
    } else if (e->events - e->checkpoint_events >= e->stall_events) {
        e->failed = true;
        e->failure = SIM_RUN_STALLED;
        snprintf(e->error, sizeof e->error,
                 "simulated time stopped at %.9g s: over %llu events at that one instant, a "
                 "loop with no delay (e.g. closed-loop users with no think time and no network "
                 "latency against a node that fails at once)",
                 sim_time_s(e->now), (unsigned long long)e->stall_events);
    }
}

int sim_engine_run_until(sim_engine *e, sim_time until) {
    sim_time limit = until < e->end ? until : e->end;
    sim_event *ev;
    uint64_t next_progress = (e->events / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
    bool halted = false;
    /* One comparison per event serves both ways of stopping: the budget, and sim_engine_stop
     * (which lowers stop_at to the events processed so far). */
    e->stop_at = e->max_events ? e->max_events : UINT64_MAX;
    while (!e->failed && (ev = sim_queue_pop_until(e->queue, limit))) {
        if (e->events >= e->stop_at) {
            /* Put it back (its sequence number keeps its place): a later call goes on with
             * it, and a run whose last event is the budget's last is not "stopped". */
            halted = true;
            if (sim_queue_push(e->queue, ev)) {
                e->failed = true;
                sim__req_free(e, ev->req);
                sim_pool_put(&e->events_pool, ev);
            }
            break;
        }
        e->now = ev->time;
        e->events++;
        dispatch(e, ev);
        sim_pool_put(&e->events_pool, ev);
        if (e->events == next_progress) {
            next_progress += PROGRESS_EVERY;
            check_stall(e);
            if (e->progress)
                e->progress(e->progress_ud, e->now, e->end);
        }
    }
    if (e->failed) {
        if (e->failure == SIM_RUN_OK)
            e->failure = SIM_RUN_OUT_OF_MEMORY;
    } else if (halted) {
        return 1; /* the clock stays at the last event processed */
    }
    if (!e->failed && limit > e->now)
        e->now = limit;
    if (!e->failed && limit == e->end && !e->finished) {
        e->finished = true;
        for (size_t i = 0; i < e->nnodes; i++)
            if (e->nodes[i].kind->finish)
                e->nodes[i].kind->finish(&e->nodes[i]);
    }
    if (e->failed && !e->error[0])
        snprintf(e->error, sizeof e->error, "out of memory at %.9g s of simulated time",
                 sim_time_s(e->now));
    return e->failed ? -1 : 0;
}

const char *sim_engine_error(const sim_engine *e) { return e->failed ? e->error : NULL; }

sim_run_failure sim_engine_failure(const sim_engine *e) { return e->failure; }

void sim_engine_set_max_events(sim_engine *e, uint64_t max_events) { e->max_events = max_events; }

void sim_engine_stop(sim_engine *e) { e->stop_at = e->events; }

uint64_t sim_engine_stall_events(const sim_engine *e) { return e->stall_events; }

int sim_engine_run(sim_engine *e) { return sim_engine_run_until(e, e->end); }

uint64_t sim_engine_events(const sim_engine *e) { return e->events; }

sim_time sim_engine_now(const sim_engine *e) { return e->now; }

void sim_engine_set_progress(sim_engine *e, sim_progress_fn fn, void *ud) {
    e->progress = fn;
    e->progress_ud = ud;
}

static void report_requests(const sim_engine *e, sim_report *w) {
    const sim_reqstats *s = &e->req;
    double measured_s = sim_time_s(e->end - e->warmup);
    sim_report_open(w, "requests");
    sim_report_int(w, "issued", (int64_t)s->issued);
    sim_report_int(w, "completed", (int64_t)s->completed);
    sim_report_int(w, "rejected", (int64_t)s->rejected);
    sim_report_int(w, "timed_out", (int64_t)s->timed_out);
    sim_report_int(w, "failed", (int64_t)s->failed);
    sim_report_number(w, "throughput_rps",
                      measured_s > 0 ? (double)s->completed / measured_s : 0);
    sim_report_hist_ms(w, "latency_ms", &s->latency, SIM_PCT_FULL);
    sim_report_close(w);
}

static void report_network(const sim_engine *e, sim_report *w) {
    sim_report_open(w, "network");
    sim_report_int(w, "messages", (int64_t)e->net.sent);
    sim_report_int(w, "lost", (int64_t)e->net.lost);
    sim_report_int(w, "partitioned", (int64_t)e->net.cut);
    sim_report_int(w, "refused", (int64_t)e->refused);
    sim_report_close(w);
}

/* The oracle's verdicts that belong to node: on the reads whose version it supplied, and, if
 * it names a data store, on the writes acknowledged there. */
static void report_node_consistency(const sim_engine *e, uint32_t node, sim_report *w) {
    uint64_t reads, stale, acked, lost;
    bool served = sim_oracle_node_reads(e->oracle, node, &reads, &stale);
    bool stored = sim_oracle_store_writes(e->oracle, node, &acked, &lost);
    if (!served && !stored)
        return;
    sim_report_open(w, "consistency");
    if (served) {
        sim_report_int(w, "reads_served", (int64_t)reads);
        sim_report_int(w, "stale_reads", (int64_t)stale);
        sim_report_number(w, "stale_read_rate", (double)stale / (double)reads);
    }
    if (stored) {
        sim_report_int(w, "writes_acked", (int64_t)acked);
        sim_report_int(w, "lost_writes", (int64_t)lost);
    }
    sim_report_close(w);
}

void sim__report_node(const sim_engine *e, size_t i, sim_report *w) {
    const sim_node *n = &e->nodes[i];
    sim_report_string(w, "kind", n->kind->name);
    if (n->crashed)
        sim_report_bool(w, "crashed", true);
    if (n->kind->metrics)
        sim_metrics_write(n->kind->metrics, n->state, n, e->end, w);
    if (n->kind->report)
        n->kind->report(n, w);
    report_node_consistency(e, (uint32_t)i, w);
}

void sim__report_doc(const sim_engine *e, sim_report *w, bool nodes) {
    const sim_topology *t = e->topo;
    sim_report_open(w, NULL);
    sim_report_string(w, "dsim_version", DSIM_VERSION);
    sim_report_string(w, "topology", t->name);
    sim_report_int(w, "seed", (int64_t)e->seed);
    sim_report_number(w, "duration_s", sim_time_s(t->duration));
    sim_report_number(w, "warmup_s", sim_time_s(t->warmup));
    sim_report_int(w, "events", (int64_t)e->events);
    report_requests(e, w);
    if (sim_oracle_is_used(e->oracle))
        sim_oracle_report(e->oracle, w);
    if (nodes) {
        sim_report_open(w, "nodes");
        for (size_t i = 0; i < e->nnodes; i++) {
            sim_report_open(w, e->nodes[i].topo->name);
            sim__report_node(e, i, w);
            sim_report_close(w);
        }
        sim_report_close(w);
    }
    report_network(e, w);
    if (t->nfaults)
        sim__fault_report(e, w);
    sim_report_close(w);
}

void sim_engine_report(const sim_engine *e, sim_report *w) { sim__report_doc(e, w, true); }

sim_engine_memory sim_engine_memory_use(const sim_engine *e) {
    return (sim_engine_memory){
        .pending = sim_queue_size(e->queue),
        .event_size = e->events_pool.obj_size,
        .pool_bytes = e->events_pool.capacity * e->events_pool.obj_size,
        .queue_bytes = sim_queue_bytes(e->queue),
    };
}
