/* The event loop: pop the earliest event (time, then scheduling order), dispatch it by type
 * to the node's kind, repeat until the run's end. Also creation, teardown and the result
 * document's engine-level parts (checkers, network, faults). */
#include "engine_int.h"
#include "nemesis.h"

#include "ping.h"
#include "rng.h"

#include <stddef.h>
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

/* Cancelled timers stay in the queue until popped; when they outnumber the live events (and
 * are many), they are swept out in one pass, so a node that resets a timer a million times
 * keeps the queue at its live size. */
#define SWEEP_MIN_CANCELLED 4096u

const sim_protocol sim_ping_protocol = {.name = "ping"}; /* no refuse hook: dropped */
const sim_msg_type sim_ping_msg = {.name = "ping", .protocol = &sim_ping_protocol,
                                   .body_size = sizeof(sim_ping), .wire_bytes = 64};
const sim_msg_type sim_pong_msg = {.name = "pong", .protocol = &sim_ping_protocol,
                                   .body_size = sizeof(sim_ping), .wire_bytes = 64};

/* The smallest class whose blocks hold an event record and body_bytes of body, or
 * SIM_BLOCK_CLASSES when none does. */
static unsigned block_class(size_t body_bytes) {
    size_t need = sizeof(sim_event) + body_bytes;
    unsigned c = 0;
    while (c < SIM_BLOCK_CLASSES && ((size_t)SIM_BLOCK_MIN << c) < need)
        c++;
    return c;
}

sim_event *sim__block_new(sim_engine *e, size_t body_bytes) {
    unsigned c = body_bytes <= SIM_BLOCK_MIN - sizeof(sim_event) ? 0 : block_class(body_bytes);
    if (c == SIM_BLOCK_CLASSES) {
        /* Not a lack of memory: say what was asked for. */
        e->failed = true;
        snprintf(e->error, sizeof e->error,
                 "a message body of %zu bytes is beyond the largest message block (%zu bytes)",
                 body_bytes,
                 ((size_t)SIM_BLOCK_MIN << (SIM_BLOCK_CLASSES - 1)) - sizeof(sim_event));
        return NULL;
    }
    sim_event *ev = sim_pool_get(&e->blocks[c]);
    if (!ev) {
        e->failed = true;
        return NULL;
    }
    ev->size_class = (uint8_t)c;
    return ev;
}

void sim__block_free(sim_engine *e, sim_event *ev) {
    if (ev != &e->spare.ev)
        sim_pool_put(&e->blocks[ev->size_class], ev);
}

sim_event *sim__schedule(sim_engine *e, sim_time t, uint8_t type, uint32_t dst, uint16_t tag,
                         uint64_t arg) {
    sim_event *ev = sim__block_new(e, 0);
    if (!ev)
        return NULL;
    ev->time = t;
    ev->seq = sim_event_seq(e->seq++, tag);
    ev->type = type;
    ev->dst = dst;
    ev->timer.arg = arg;
    ev->timer.epoch = type == SIM_EV_TIMER ? e->nodes[dst].epoch : 0;
    if (sim_queue_push(e->queue, ev)) {
        e->failed = true;
        sim__block_free(e, ev);
        return NULL;
    }
    return ev;
}

void sim__msg_free(sim_engine *e, sim_msg *m) {
    if (m)
        sim__block_free(e, sim_event_of(m));
}

/* Queues the delivery of the message in ev at time t. */
static void push_delivery(sim_engine *e, sim_event *ev, uint32_t dst, sim_time t) {
    ev->time = t;
    ev->seq = sim_event_seq(e->seq++, 0);
    ev->type = SIM_EV_DELIVER;
    ev->dst = dst;
    if (sim_queue_push(e->queue, ev)) {
        e->failed = true;
        sim__block_free(e, ev);
    }
}

void sim__send(sim_engine *e, uint32_t src, uint32_t dst, sim_msg *m) {
    sim_event *ev = sim_event_of(m);
    if (ev == &e->spare.ev)
        return; /* the run has failed already */
    m->src = src;
    sim_time at[2];
    int copies = sim_net_route(&e->net, src, dst, m->size, e->now, at);
    if (copies < 0)
        e->failed = true;
    if (copies <= 0) {
        sim__block_free(e, ev);
        return;
    }
    /* A duplicate travels in a block of its own: each copy is its receiver's. */
    sim_event *dup = copies == 2 ? sim__block_new(e, m->body_bytes) : NULL;
    if (dup) {
        uint8_t size_class = dup->size_class;
        memcpy(dup, ev, sizeof *ev + m->body_bytes);
        dup->size_class = size_class;
    }
    push_delivery(e, ev, dst, at[0]);
    if (dup)
        push_delivery(e, dup, dst, at[1]);
}

static bool drop_cancelled(sim_event *ev, void *engine) {
    if (ev->type != SIM_EV_CANCELLED)
        return false;
    sim__block_free(engine, ev);
    return true;
}

/* Sweeps every cancelled timer out of the queue, in place: the others keep their order. */
static void sweep_cancelled(sim_engine *e) {
    sim_queue_remove_if(e->queue, drop_cancelled, e);
    e->cancelled = 0;
}

void sim__cancel(sim_engine *e, sim_event *ev) {
    ev->type = SIM_EV_CANCELLED;
    e->cancelled++;
    if (e->cancelled >= SWEEP_MIN_CANCELLED && 2 * e->cancelled > sim_queue_size(e->queue))
        sweep_cancelled(e);
}

static void free_nodes(sim_engine *e) {
    if (!e->nodes)
        return;
    for (size_t i = 0; i < e->nnodes; i++) {
        sim_node *n = &e->nodes[i];
        if (n->kind && n->kind->destroy && n->state)
            n->kind->destroy(n);
    }
    /* Slabs after every destroy hook: a group's first instance owns its siblings' states. */
    for (size_t i = 0; i < e->nnodes; i++) {
        sim_node *n = &e->nodes[i];
        if (n->owns_slab)
            free(n->state);
        if (n->rng.state)
            sim_rng_release(&n->rng, n->rng_state);
    }
    free(e->nodes);
}

void sim_engine_free(sim_engine *e) {
    if (!e)
        return;
    free_nodes(e);
    sim_queue_free(e->queue);
    for (unsigned c = 0; c < SIM_BLOCK_CLASSES; c++)
        sim_pool_destroy(&e->blocks[c]);
    sim_net_destroy(&e->net);
    free(e->log);
    free(e->slow_active);
    free(e->acted_on);
    free(e->down_at);
    free(e->watchers);
    free(e->group_out);
    for (size_t i = 0; i < e->nchecker; i++)
        e->topo->checkers[i]->free(e->checkers[i]);
    free(e->checkers);
    sim__sampler_free(e->sampler);
    sim__ledger_book_free(e->ledgers);
    sim_arena_free(e->arena);
    free(e);
}

/* One instance of each checker the topology uses (sim/checker.h). */
static int make_checkers(sim_engine *e) {
    const sim_checker_kind *const *k = e->topo->checkers;
    size_t n = 0;
    while (k && k[n])
        n++;
    e->checkers = calloc(n ? n : 1, sizeof *e->checkers);
    if (!e->checkers)
        return -1;
    for (; e->nchecker < n; e->nchecker++)
        if (!(e->checkers[e->nchecker] = k[e->nchecker]->create(e->topo)))
            return -1;
    return 0;
}

void *sim_checker(sim_node *n, const sim_checker_kind *k) {
    sim_engine *e = n->eng;
    for (size_t i = 0; i < e->nchecker; i++)
        if (e->topo->checkers[i] == k)
            return e->checkers[i];
    return NULL;
}

/* The size of one instance's state in its group's slab: a multiple of the strictest
 * alignment, so every instance's state is aligned like a malloc block. */
static size_t slab_stride(size_t state_size) {
    size_t a = _Alignof(max_align_t);
    return (state_size + a - 1) / a * a;
}

/* Node records in one 64-aligned array; kind states inline when small, else one zeroed slab
 * per group (a calloc per instance costs its header and scatters the states of a group over
 * the heap); random streams inline. */
static int make_nodes(sim_engine *e) {
    const sim_topology *t = e->topo;
    size_t count = t->nnodes ? t->nnodes : 1;
    e->nodes = aligned_alloc(_Alignof(sim_node), count * sizeof *e->nodes);
    if (!e->nodes)
        return -1;
    memset(e->nodes, 0, count * sizeof *e->nodes);
    e->nnodes = t->nnodes;
    for (size_t i = 0; i < t->nnodes; i++) {
        sim_node *n = &e->nodes[i];
        const sim_topo_node *tn = &t->nodes[i];
        n->eng = e;
        n->topo = tn;
        n->kind = tn->kind;
        n->config = tn->config;
        n->id = (uint32_t)i;
        n->slow = 1;
        n->member = !n->topo->spare;
        e->nonmembers += !n->member;
        size_t size = n->kind->state_size;
        if (size <= SIM_NODE_INLINE_STATE) {
            n->state = n->state_inline;
        } else if (i == tn->group_first) {
            /* the group's instances are consecutive from group_first, all of one kind */
            n->state = calloc(tn->group_count ? tn->group_count : 1, slab_stride(size));
            n->owns_slab = true;
        } else {
            const sim_node *first = &e->nodes[tn->group_first]; /* made before n */
            n->state = tn->group_first < i && first->state
                           ? (char *)first->state + (i - tn->group_first) * slab_stride(size)
                           : NULL;
        }
        if (!n->state ||
            sim_rng_init(&n->rng, n->rng_state, sizeof n->rng_state, e->seed, tn->name))
            return -1;
    }
    return 0;
}

/* Runs a topology with a nemesis through own_topo: its written faults, then those the nemesis
 * draws for this seed (sim/nemesis.h). Returns 0, or -1 when out of memory. */
static int with_drawn_faults(sim_engine *e) {
    const sim_topology *topo = e->topo;
    sim_fault *drawn = NULL;
    size_t ndrawn = 0;
    if (!(e->arena = sim_arena_new()) ||
        sim_nemesis_draw(topo, e->seed, e->arena, &drawn, &ndrawn))
        return -1;
    sim_fault *all = sim_arena_alloc(e->arena, (topo->nfaults + ndrawn + 1) * sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < topo->nfaults; i++)
        all[i] = topo->faults[i];
    for (size_t i = 0; i < ndrawn; i++)
        all[topo->nfaults + i] = drawn[i];
    e->own_topo = *topo;
    e->own_topo.faults = all;
    e->own_topo.nfaults = topo->nfaults + ndrawn;
    e->topo = &e->own_topo;
    return 0;
}

sim_engine *sim_engine_new(const sim_topology *topo, uint64_t seed) {
    sim_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->topo = topo;
    e->seed = seed;
    if (topo->nnemesis && with_drawn_faults(e)) {
        sim_engine_free(e);
        return NULL;
    }
    e->end = topo->duration;
    e->warmup = topo->warmup;
    e->seq = 1; /* a timer handle's number is never 0, the zeroed handle's */
    for (unsigned c = 0; c < SIM_BLOCK_CLASSES; c++)
        sim_pool_init(&e->blocks[c], (size_t)SIM_BLOCK_MIN << c);
    e->queue = sim_queue_new();
    size_t nf = e->topo->nfaults ? e->topo->nfaults : 1;
    e->slow_active = calloc(nf, sizeof *e->slow_active);
    e->acted_on = calloc(nf, sizeof *e->acted_on);
    if (!e->queue || !e->slow_active || !e->acted_on || make_checkers(e) ||
        sim_net_init(&e->net, e->topo, seed) || make_nodes(e)) {
        sim_engine_free(e);
        return NULL;
    }
    sim__faults_schedule(e);
    /* Membership first: a create hook that picks from a group with spares picks a member. */
    if (sim__watchers_init(e))
        e->failed = true;
    for (size_t i = 0; i < e->nnodes; i++)
        if (e->nodes[i].kind->create)
            e->nodes[i].kind->create(&e->nodes[i]);
    /* Declared spares: created like the others, then down and out of their group until an
     * add makes them join (membership.h). */
    for (size_t i = 0; i < e->nnodes; i++)
        if (e->nodes[i].topo->spare)
            sim__crash(e, &e->nodes[i]);
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

/* A message reached a crashed node: its protocol decides (message.h). A request comes back
 * refused, as from a refused connection; heartbeats and the like are dropped silently. */
static void refuse(sim_engine *e, sim_event *ev) {
    sim_msg *m = &ev->msg;
    const sim_protocol *p = m->type->protocol;
    e->refused++;
    uint32_t to = p && p->refuse ? p->refuse(m) : SIM_NO_NODE;
    if (to == SIM_NO_NODE) {
        sim__block_free(e, ev);
        return;
    }
    m->flags |= SIM_MSG_REFUSED;
    sim__send(e, ev->dst, to, m);
}

static void deliver(sim_engine *e, sim_event *ev) {
    sim_node *n = &e->nodes[ev->dst];
    sim_msg *m = &ev->msg;
    if (n->crashed) {
        refuse(e, ev);
    } else if (m->type == &sim_ping_msg) {
        /* Answered by the node's host, whatever its kind, with its load when the kind reports
         * one (sim/ping.h). */
        m->type = &sim_pong_msg;
        sim_ping *p = sim_msg_body(m);
        p->has_load = n->kind->load && n->kind->load(n, &p->load);
        sim__send(e, ev->dst, m->src, m);
    } else if (n->kind->receive) {
        const sim_protocol *p = m->type->protocol;
        if (p && p->arrive)
            p->arrive(n, m);
        n->kind->receive(n, m); /* the kind owns the message from here on */
    } else {
        sim__block_free(e, ev);
    }
}

/* Fires the timer of ev, which is spent from here on (its handle no longer matches). */
static void fire(sim_engine *e, sim_event *ev) {
    sim_node *n = &e->nodes[ev->dst];
    uint16_t tag = sim_event_tag(ev);
    uint64_t arg = ev->timer.arg;
    bool live = !n->crashed && ev->timer.epoch == n->epoch;
    ev->seq = 0;
    sim__block_free(e, ev);
    if (live && n->kind->timer)
        n->kind->timer(n, tag, arg);
}

static void dispatch(sim_engine *e, sim_event *ev) {
    switch ((sim_event_type)ev->type) {
    case SIM_EV_DELIVER:
        deliver(e, ev);
        break;
    case SIM_EV_TIMER:
        fire(e, ev);
        break;
    case SIM_EV_FAULT:
        sim__fault_apply(e, &e->topo->faults[ev->timer.arg], (sim_fault_phase)sim_event_tag(ev));
        sim__block_free(e, ev);
        break;
    case SIM_EV_CANCELLED:
        break; /* not reached: the loop recycles cancelled timers */
    case SIM_EV_SAMPLE:
        e->events--; /* observing is not an event of the model: the document stays the same */
        sim__block_free(e, ev);
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

/* With many nodes, each event touches memory that is in no cache: its event, its node's
 * record and the network stream of its replies. The queue knows the next events while this
 * one runs (and has started loading them), so the loads of their nodes and streams overlap
 * this event's work instead of stalling theirs. */
static inline void prefetch_node(const sim_engine *e, const sim_event *ev) {
    if (!ev)
        return;
    const sim_node *n = &e->nodes[ev->dst];
    __builtin_prefetch(n);
    __builtin_prefetch((const char *)n + 64);
    sim_net_prefetch(&e->net, ev->dst);
}

static inline void prefetch_next(const sim_engine *e) {
    prefetch_node(e, sim_queue_peek(e->queue, 0));
    prefetch_node(e, sim_queue_peek(e->queue, 1));
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
        /* Before the budget's check: a cancelled timer is no event, so one left after the
         * last event does not make a run that is done look stopped. */
        if (ev->type == SIM_EV_CANCELLED) { /* not an event: it never happens */
            e->cancelled--;
            sim__block_free(e, ev);
            continue;
        }
        if (e->events >= e->stop_at) {
            /* Put it back (its sequence number keeps its place): a later call goes on with
             * it, and a run whose last event is the budget's last is not "stopped". */
            halted = true;
            if (sim_queue_push(e->queue, ev)) {
                e->failed = true;
                sim__block_free(e, ev);
            }
            break;
        }
        e->now = ev->time;
        e->events++;
        prefetch_next(e);
        dispatch(e, ev);
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
        for (size_t i = 0; i < e->nchecker; i++)
            if (e->topo->checkers[i]->settle && e->topo->checkers[i]->settle(e->checkers[i])) {
                e->failed = true;
                e->failure = SIM_RUN_OUT_OF_MEMORY;
            }
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

static void report_network(const sim_engine *e, sim_report *w) {
    sim_report_open(w, "network");
    sim_report_int(w, "messages", (int64_t)e->net.sent);
    sim_report_int(w, "lost", (int64_t)e->net.lost);
    sim_report_int(w, "partitioned", (int64_t)e->net.cut);
    sim_report_int(w, "duplicated", (int64_t)e->net.duplicated);
    sim_report_int(w, "reordered", (int64_t)e->net.reordered);
    sim_report_int(w, "refused", (int64_t)e->refused);
    sim_report_int(w, "bytes", (int64_t)e->net.bytes);
    sim_report_close(w);
}

/* Each checker's figures, under its own key, in the topology's order. */
static void report_checkers(const sim_engine *e, sim_report *w) {
    for (size_t i = 0; i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        if (k->is_reported && !k->is_reported(e->checkers[i]))
            continue;
        sim_report_open(w, k->name);
        k->report(e->checkers[i], w);
        sim_report_close(w);
    }
}

void sim__report_node(const sim_engine *e, size_t i, sim_report *w) {
    const sim_node *n = &e->nodes[i];
    sim_report_string(w, "kind", n->kind->name);
    if (n->crashed)
        sim_report_bool(w, "crashed", true);
    if (!n->member)
        sim_report_bool(w, "member", false);
    if (n->kind->metrics)
        sim_metrics_write(n->kind->metrics, n->state, n, e->end, w);
    if (n->kind->report)
        n->kind->report(n, w);
    for (size_t c = 0; c < e->nchecker; c++)
        if (e->topo->checkers[c]->report_node)
            e->topo->checkers[c]->report_node(e->checkers[c], (uint32_t)i, w);
}

void sim__report_doc(const sim_engine *e, sim_report *w, bool nodes) {
    const sim_topology *t = e->topo;
    sim_report_open(w, NULL);
    sim_report_string(w, "dsim_version", DSIM_VERSION);
    sim_report_string(w, "contract", DSIM_CONTRACT_VERSION);
    sim_report_string(w, "document", "run");
    sim_report_string(w, "topology", t->name);
    sim_report_int(w, "seed", (int64_t)e->seed);
    sim_report_number(w, "duration_s", sim_time_s(t->duration));
    sim_report_number(w, "warmup_s", sim_time_s(t->warmup));
    sim_report_int(w, "events", (int64_t)e->events);
    sim_report_overrides(t, w);
    report_checkers(e, w);
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
    if (t->nnemesis) /* the nemesis's own counts: what a replay with faults: alone lacks */
        sim_nemesis_report(t, t->faults, t->nfaults, w);
    if (nodes) /* the full document only: lookups of figures (metrics.c) need no picture */
        sim_graph_report(t, w);
    sim_report_close(w);
}

void sim_engine_report(const sim_engine *e, sim_report *w) { sim__report_doc(e, w, true); }

static size_t pool_bytes(const sim_engine *e) {
    size_t bytes = 0;
    for (unsigned c = 0; c < SIM_BLOCK_CLASSES; c++)
        bytes += e->blocks[c].capacity * e->blocks[c].obj_size;
    return bytes;
}

/* Blocks in use that are not in the queue: the messages kinds hold. */
static size_t held_messages(const sim_engine *e) {
    size_t live = 0;
    for (unsigned c = 0; c < SIM_BLOCK_CLASSES; c++)
        live += e->blocks[c].live;
    return live - sim_queue_size(e->queue);
}

sim_engine_memory sim_engine_memory_use(const sim_engine *e) {
    return (sim_engine_memory){
        .pending = sim_queue_size(e->queue),
        .held = held_messages(e),
        .event_size = e->blocks[0].obj_size,
        .pool_bytes = pool_bytes(e),
        .queue_bytes = sim_queue_bytes(e->queue),
    };
}
