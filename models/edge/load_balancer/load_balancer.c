/* load_balancer: a proxy in front of a set of backends. Each request it receives is sent on
 * to one healthy backend chosen by `policy` (round robin, smooth weighted round robin, least
 * connections, random, hash or consistent hash on the key or the sender), with the reply
 * routed back through it: the load balancer remembers the request's reply_to under the
 * request's id, puts itself in its place, and restores it when the reply comes back. With
 * `health_interval` it probes every backend with PING messages (answered by the engine for
 * any node that is up) and takes a backend out after `unhealthy_after` consecutive probes
 * without a PONG within `health_timeout`, and back in after `healthy_after` answered ones.
 *
 * Requests in flight to a backend that are lost (held by it when it crashed, or cut by a
 * partition) never come back. So that its in-flight count (which least_connections reads)
 * does not grow forever, the load balancer writes a backend's in-flight requests off when it
 * learns that the backend lost them: when it marks the backend down, and when a request comes
 * back refused (a FAILED reply that no node served: the backend was down, so whatever it held
 * is gone). Written-off requests still have their reply routed if one comes; it just no longer
 * counts. A reply can also be lost beyond a backend that stays up (a replica forwards a write to
 * the primary, which replies straight to the load balancer, and a partition or a `loss` fault
 * drops it): nothing then tells the load balancer, so a request whose reply has not come back
 * `timeout` after it arrived is answered FAILED (a gateway timeout, blocks/relay.h) and leaves
 * the in-flight count. The load balancer does not mark backends down on failed requests alone
 * (no passive health checks).
 *
 * Not modelled: connection limits (the load balancer has no queue; `service` is a pure delay
 * per request, as with infinitely many workers), slow start, retries to another backend. */
#include "hist.h"
#include "metrics.h"
#include "membership.h"
#include "ping.h"
#include "protocols.h"
#include "relay.h"
#include "ring.h"
#include "tavg.h"

#include <stdlib.h>
#include <string.h>

enum { T_FORWARD, T_PROBE_ROUND, T_PROBE_TIMEOUT, T_TIMEOUT };

#define NONE UINT32_MAX

typedef enum {
    POLICY_ROUND_ROBIN,
    POLICY_WEIGHTED_ROUND_ROBIN,
    POLICY_LEAST_CONNECTIONS,
    POLICY_RANDOM,
    POLICY_HASH,
    POLICY_CONSISTENT_HASH,
} lb_policy;

static const char *const policy_names[] = {"round_robin", "weighted_round_robin",
                                           "least_connections", "random", "hash",
                                           "consistent_hash", NULL};

typedef enum { HASH_ON_KEY, HASH_ON_CLIENT } lb_hash_on;

static const char *const hash_on_names[] = {"key", "client", NULL};

typedef struct lb_config {
    sim_reflist backends;
    int policy; /* lb_policy */
    sim_weights weights;
    int hash_on; /* lb_hash_on */
    int64_t vnodes;
    sim_dist service;         /* SIM_DIST_NONE: no delay */
    sim_time timeout;         /* of a relayed request (blocks/relay.h) */
    sim_time health_interval; /* -1: no health checks */
    sim_time health_timeout;  /* -1: min(1s, interval) */
    int64_t unhealthy_after, healthy_after;
} lb_config;

typedef struct backend {
    uint32_t node;          /* engine index */
    double weight, current; /* smooth weighted round robin */
    uint64_t in_flight;     /* sent in the current epoch and not yet answered */
    uint32_t epoch;         /* bumped whenever the in-flight requests are written off */
    uint64_t forwarded;     /* requests sent to it over the whole run */
    bool healthy;
    bool member;            /* in its group now (sim/membership.h): only members are picked */
    int64_t fails, oks;     /* consecutive probe outcomes */
    bool probe_pending;     /* the probe of the current round has not been answered */
    uint64_t probe_mark;    /* `forwarded` when that probe was sent */
    bool suspect;           /* healthy, but a probe or a request found it down */
    sim_time suspect_since; /* when the first such probe or request was sent */
    uint64_t suspect_mark;  /* `forwarded` at that time */
    sim_time down_since;
    sim_tavg load;          /* in-flight over time */
    /* figures over the measured window */
    uint64_t requests, failed, rejected, written_off, timed_out, marked_down, after_failure;
    sim_time down_ns, after_failure_ns;
} backend;

/* A request passing through: in the load balancer's own delay (held), or out at a backend. */
/* A request passing through (relay.h); base.target is the backend it was sent to. */
typedef struct flight {
    relay_slot base;
    sim_time sent;   /* when it was sent to the backend */
    uint64_t mark;   /* the backend's `forwarded` count just before */
    uint32_t epoch;  /* the backend's epoch then */
} flight;

typedef struct lb_state {
    backend *b;
    uint32_t nb, nusable;
    uint32_t cursor; /* round robin and least-connections tie breaking: where the scan starts */
    ring ring;       /* consistent_hash */
    relay rl;
    sim_time timeout;   /* probe timeout in effect */
    uint32_t round;     /* probe round, carried in the PINGs' arg */
    /* measured */
    uint64_t failed, unknown_replies; /* measured */
} lb_state;

static const sim_param lb_params[] = {
    {.name = "backends", .type = SIM_P_REFLIST, .offset = offsetof(lb_config, backends),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_ONE, .edge = "backend",
     .flags = SIM_PARAM_REQUIRED,
     .help = "nodes, groups or instances to spread requests over (groups expand to instances)"},
    {.name = "policy", .type = SIM_P_ENUM, .offset = offsetof(lb_config, policy),
     .def = "round_robin", .choices = policy_names,
     .help = "round_robin, weighted_round_robin, least_connections, random, hash or "
             "consistent_hash"},
    {.name = "weights", .type = SIM_P_WEIGHTS, .offset = offsetof(lb_config, weights),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_NONE, .flags = SIM_PARAM_NO_EDGE,
     .help = "weighted_round_robin: {backend: weight}; instance entries beat group entries; "
             "unlisted backends weigh 1"},
    {.name = "hash_on", .type = SIM_P_ENUM, .offset = offsetof(lb_config, hash_on), .def = "key",
     .choices = hash_on_names,
     .help = "hash policies: the request's key, or the node that sent it (client affinity)"},
    {.name = "vnodes", .type = SIM_P_INT, .offset = offsetof(lb_config, vnodes), .def = "100",
     .min = 1, .max = 100000, .help = "consistent_hash: virtual nodes per backend on the ring"},
    {.name = "service", .type = SIM_P_DIST, .offset = offsetof(lb_config, service),
     .help = "delay the load balancer adds to each request before sending it on (default 0s)"},
    {.name = "timeout", .type = SIM_P_DURATION, .offset = offsetof(lb_config, timeout),
     .def = "30s", .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a request whose reply has not come back by then is answered failed and leaves "
             "its backend's in-flight count (its reply may have been lost beyond the backend)"},
    {.name = "health_interval", .type = SIM_P_DURATION,
     .offset = offsetof(lb_config, health_interval), .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "probe every backend this often, from time 0 (default: no health checks)"},
    {.name = "health_timeout", .type = SIM_P_DURATION,
     .offset = offsetof(lb_config, health_timeout), .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a probe without answer by then failed; at most the interval (default: the "
             "shorter of 1s and the interval)"},
    {.name = "unhealthy_after", .type = SIM_P_INT, .offset = offsetof(lb_config, unhealthy_after),
     .def = "3", .min = 1, .max = 1000,
     .help = "consecutive failed probes that take a backend out"},
    {.name = "healthy_after", .type = SIM_P_INT, .offset = offsetof(lb_config, healthy_after),
     .def = "2", .min = 1, .max = 1000,
     .help = "consecutive answered probes that put a backend back"},
    {0},
};

/* True when weight name w names backend name b, an instance of it, or a group it is in. */
static bool names_backend(const char *w, const char *b) {
    size_t lw = strlen(w), lb = strlen(b);
    if (lw == lb)
        return strcmp(w, b) == 0;
    if (lw > lb)
        return w[lb] == '.' && strncmp(w, b, lb) == 0;
    return b[lw] == '.' && strncmp(w, b, lw) == 0;
}

static void lb_check(const void *config, sim_check *ck) {
    const lb_config *c = config;
    if (c->weights.n && c->policy != POLICY_WEIGHTED_ROUND_ROBIN)
        sim_check_error(ck, "weights", "'weights' goes with 'policy: weighted_round_robin'");
    for (size_t i = 0; i < c->weights.n && c->policy == POLICY_WEIGHTED_ROUND_ROBIN; i++) {
        bool found = false;
        for (size_t j = 0; j < c->backends.n && !found; j++)
            found = names_backend(c->weights.to[i].name, c->backends.refs[j].name);
        if (!found)
            sim_check_error(ck, "weights", "weights: '%s' is not one of the backends",
                            c->weights.to[i].name);
    }
    if (sim_check_given(ck, "hash_on") && c->policy != POLICY_HASH &&
        c->policy != POLICY_CONSISTENT_HASH)
        sim_check_error(ck, "hash_on", "'hash_on' goes with 'policy: hash' or 'consistent_hash'");
    if (sim_check_given(ck, "vnodes") && c->policy != POLICY_CONSISTENT_HASH)
        sim_check_error(ck, "vnodes", "'vnodes' goes with 'policy: consistent_hash'");
    static const char *const health_keys[] = {"health_timeout", "unhealthy_after",
                                              "healthy_after"};
    for (size_t i = 0; i < 3 && c->health_interval < 0; i++)
        if (sim_check_given(ck, health_keys[i]))
            sim_check_error(ck, health_keys[i], "'%s' goes with 'health_interval'",
                            health_keys[i]);
    if (c->health_interval > 0 && c->health_timeout > c->health_interval)
        sim_check_error(ck, "health_timeout", "health_timeout: must not exceed health_interval");
}

static bool health_checks(const lb_config *c) { return c->health_interval > 0; }

/* Time of [since, until] inside the measured window. */
static sim_time measured_span(const sim_node *n, sim_time since, sim_time until) {
    sim_time from = since > sim_warmup_end(n) ? since : sim_warmup_end(n);
    return until > from ? until - from : 0;
}

/* ---- health ---- */

static void set_in_flight(sim_node *n, backend *be, uint64_t v) {
    be->in_flight = v;
    sim_tavg_set(&be->load, sim_now(n), (double)v);
}

/* A backend is picked when it is healthy (to the load balancer's knowledge) and a member of
 * its group. */
static bool usable(const backend *be) { return be->healthy && be->member; }

static void recount(lb_state *s) {
    s->nusable = 0;
    for (uint32_t b = 0; b < s->nb; b++)
        s->nusable += usable(&s->b[b]);
}

/* The backend lost what it held: stop counting its in-flight requests. */
static void write_off(sim_node *n, backend *be) {
    if (sim_is_measured(n, sim_now(n)))
        be->written_off += be->in_flight;
    set_in_flight(n, be, 0);
    be->epoch++;
}

/* A probe or request sent at `at` (when the backend had received `mark` requests) found the
 * backend down: the first such evidence opens the window of traffic after failure. */
static void suspect(backend *be, sim_time at, uint64_t mark) {
    if (be->healthy && (!be->suspect || at < be->suspect_since)) {
        be->suspect = true;
        be->suspect_since = at;
        be->suspect_mark = mark;
    }
}

static void mark_down(sim_node *n, uint32_t b) {
    lb_state *s = sim_state(n);
    backend *be = &s->b[b];
    sim_time now = sim_now(n);
    be->healthy = false;
    recount(s);
    be->down_since = now;
    if (sim_is_measured(n, now)) {
        be->marked_down++;
        if (be->suspect) {
            be->after_failure_ns += now - be->suspect_since;
            be->after_failure += be->forwarded - be->suspect_mark;
        }
    }
    be->suspect = false;
    be->oks = 0;
    write_off(n, be);
}

static void mark_up(sim_node *n, uint32_t b) {
    lb_state *s = sim_state(n);
    backend *be = &s->b[b];
    be->healthy = true;
    recount(s);
    be->down_ns += measured_span(n, be->down_since, sim_now(n));
    be->fails = 0;
}

static void probe_failed(sim_node *n, uint32_t b, sim_time sent) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    backend *be = &s->b[b];
    be->probe_pending = false;
    be->oks = 0;
    be->fails++;
    suspect(be, sent, be->probe_mark);
    if (be->healthy && be->fails >= c->unhealthy_after)
        mark_down(n, b);
}

static void probe_answered(sim_node *n, uint32_t b) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    backend *be = &s->b[b];
    be->probe_pending = false;
    be->fails = 0;
    be->suspect = false; /* a false alarm: the window closes uncounted */
    be->oks++;
    if (!be->healthy && be->oks >= c->healthy_after)
        mark_up(n, b);
}

/* Probes every backend; the previous round's unanswered probes failed. Rounds run at
 * 0, interval, 2 interval, ... so every probe is sent at a known time. */
static void probe_round(sim_node *n) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    sim_time now = sim_now(n);
    for (uint32_t b = 0; b < s->nb; b++)
        if (s->b[b].probe_pending)
            probe_failed(n, b, now - c->health_interval);
    s->round++;
    for (uint32_t b = 0; b < s->nb; b++) {
        backend *be = &s->b[b];
        be->probe_pending = true;
        be->probe_mark = be->forwarded;
        sim_msg *ping = sim_msg_new(n, &sim_ping_msg);
        ((sim_ping *)sim_msg_body(ping))->token = (uint64_t)b << 32 | s->round;
        sim_send(n, be->node, ping);
    }
    sim_set_timer(n, s->timeout, T_PROBE_TIMEOUT, s->round);
    sim_set_timer(n, c->health_interval, T_PROBE_ROUND, 0);
}

static void pong(sim_node *n, uint64_t arg) {
    lb_state *s = sim_state(n);
    uint32_t b = (uint32_t)(arg >> 32);
    if (b < s->nb && s->b[b].probe_pending && (uint32_t)arg == s->round)
        probe_answered(n, b);
}

/* ---- policies ---- */

/* The k-th usable backend in list order (k < nusable). */
static uint32_t kth_usable(const lb_state *s, uint64_t k) {
    for (uint32_t b = 0; b < s->nb; b++)
        if (usable(&s->b[b]) && k-- == 0)
            return b;
    return NONE;
}

/* Returns the backend for r, or NONE when none is healthy. */
static uint32_t pick(sim_node *n, const rr_req *r, uint32_t src) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    if (s->nusable == 0)
        return NONE;
    uint32_t best = NONE;
    uint64_t h = ring_key_hash(c->hash_on == HASH_ON_CLIENT ? src : r->kv.key);
    switch ((lb_policy)c->policy) {
    case POLICY_ROUND_ROBIN:
        for (uint32_t k = 0; k < s->nb && best == NONE; k++) {
            uint32_t b = (s->cursor + k) % s->nb;
            if (usable(&s->b[b]))
                best = b;
        }
        s->cursor = (best + 1) % s->nb;
        return best;
    case POLICY_LEAST_CONNECTIONS:
        /* Fewest in flight; ties go to the first after the previous pick (round robin). */
        for (uint32_t k = 0; k < s->nb; k++) {
            uint32_t b = (s->cursor + k) % s->nb;
            if (usable(&s->b[b]) && (best == NONE || s->b[b].in_flight < s->b[best].in_flight))
                best = b;
        }
        s->cursor = (best + 1) % s->nb;
        return best;
    case POLICY_WEIGHTED_ROUND_ROBIN: {
        /* Smooth weighted round robin (nginx, ngx_http_upstream_round_robin.c): every
         * backend gains its weight, the richest is picked and pays the total. Over a cycle
         * of sum(weights) picks (integer weights) each is picked exactly `weight` times,
         * spread out: weights 5, 1, 1 give a a b a c a a. */
        double total = 0;
        for (uint32_t b = 0; b < s->nb; b++) {
            backend *be = &s->b[b];
            if (!usable(be))
                continue;
            be->current += be->weight;
            total += be->weight;
            if (best == NONE || be->current > s->b[best].current)
                best = b;
        }
        s->b[best].current -= total;
        return best;
    }
    case POLICY_RANDOM:
        return kth_usable(s, gsl_rng_uniform_int(sim_rng(n), s->nusable));
    case POLICY_HASH:
        /* Modulo hashing; a key whose backend is down goes to a healthy one chosen by a
         * second hash, so the dead backend's keys spread evenly over the others. */
        best = (uint32_t)(h % s->nb);
        return usable(&s->b[best]) ? best : kth_usable(s, ring_mix(h) % s->nusable);
    case POLICY_CONSISTENT_HASH:
        /* The first point clockwise from the key whose backend is healthy. */
        for (size_t k = 0, i = ring_find(&s->ring, h); k < s->ring.n; k++) {
            uint32_t b = s->ring.e[(i + k) % s->ring.n].owner;
            if (usable(&s->b[b]))
                return b;
        }
        return NONE;
    }
    return NONE;
}

/* ---- requests ---- */

/* Sends the request of slot i on to a backend, or fails it when none is healthy. */
static void forward(sim_node *n, size_t i, rr_req *r) {
    lb_state *s = sim_state(n);
    flight *f = (flight *)relay_at(&s->rl, i);
    uint32_t b = pick(n, r, f->base.src);
    if (b == NONE) {
        if (sim_is_measured(n, r->issued))
            s->failed++;
        r->status = RR_FAILED;
        relay_answer(&s->rl, n, i, r);
        return;
    }
    backend *be = &s->b[b];
    f->base.target = b;
    f->epoch = be->epoch;
    f->sent = sim_now(n);
    f->mark = be->forwarded++;
    set_in_flight(n, be, be->in_flight + 1);
    if (sim_is_measured(n, r->issued))
        be->requests++;
    rr_send(n, be->node, r);
}

static void arrive(sim_node *n, rr_req *r, uint32_t src) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    size_t i = relay_arrive(&s->rl, n, r, src, &c->service, T_FORWARD);
    if (i != SIZE_MAX && i != RELAY_HELD)
        forward(n, i, r);
}

/* A backend's reply: count it against the backend and route it to the original sender. */
static void returned(sim_node *n, rr_req *r) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    size_t i = relay_slot_of(&s->rl, r);
    if (i == SIZE_MAX) {
        /* Sent before this load balancer crashed: the sender is forgotten. */
        s->unknown_replies++;
        rr_free(n, r);
        return;
    }
    flight *f = (flight *)relay_at(&s->rl, i);
    backend *be = &s->b[f->base.target];
    bool current = f->epoch == be->epoch;
    if (current)
        set_in_flight(n, be, be->in_flight - 1);
    if (sim_is_measured(n, r->issued)) {
        if (r->status == RR_FAILED)
            be->failed++;
        else if (r->status == RR_REJECTED)
            be->rejected++;
    }
    if (rr_refused(r) && sim_msg_of(r)->src == be->node && current) {
        /* Refused by the backend itself: it was down when the request got there (a refusal
         * from further on, where the backend forwarded it, says nothing of the backend). */
        write_off(n, be);
        if (health_checks(c))
            suspect(be, f->sent, f->mark);
    }
    relay_answer(&s->rl, n, i, r);
}

static void lb_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg) {
        arrive(n, rr_of(m), m->src);
    } else if (m->type == &rr_reply_msg) {
        returned(n, rr_of(m));
    } else {
        if (m->type == &sim_pong_msg)
            pong(n, ((const sim_ping *)sim_msg_body(m))->token);
        sim_msg_free(n, m);
    }
}

static void lb_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    lb_state *s = sim_state(n);
    switch (tag) {
    case T_FORWARD: {
        rr_req *r = relay_release(&s->rl, arg);
        if (r)
            forward(n, arg, r);
        break;
    }
    case T_PROBE_ROUND:
        probe_round(n);
        break;
    case T_TIMEOUT:
        for (size_t i; (i = relay_next_expired(&s->rl, n)) != SIZE_MAX;) {
            flight *f = (flight *)relay_at(&s->rl, i);
            if (f->base.target != RELAY_NONE) {
                backend *be = &s->b[f->base.target];
                if (f->epoch == be->epoch)
                    set_in_flight(n, be, be->in_flight - 1);
                if (sim_is_measured(n, f->base.head.issued))
                    be->timed_out++;
            }
            relay_time_out(&s->rl, n, i);
        }
        break;
    case T_PROBE_TIMEOUT:
        if ((uint32_t)arg != s->round)
            break;
        for (uint32_t b = 0; b < s->nb; b++)
            if (s->b[b].probe_pending)
                probe_failed(n, b, sim_now(n) - s->timeout);
        break;
    }
}

/* ---- life cycle ---- */

/* Index of node id among the backends, or NONE. */
static uint32_t backend_of(const lb_state *s, uint32_t id) {
    for (uint32_t b = 0; b < s->nb; b++)
        if (s->b[b].node == id)
            return b;
    return NONE;
}

/* Health state is volatile: a (re)started load balancer trusts every backend. */
static void start_health(sim_node *n) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    for (uint32_t b = 0; b < s->nb; b++) {
        backend *be = &s->b[b];
        be->healthy = true;
        be->fails = be->oks = 0;
        be->probe_pending = be->suspect = false;
    }
    recount(s);
    if (health_checks(c))
        sim_set_timer(n, 0, T_PROBE_ROUND, 0);
}

static void lb_create(sim_node *n) {
    lb_state *s = sim_state(n);
    const lb_config *c = sim_config(n);
    relay_init(&s->rl, sizeof(flight));
    relay_set_timeout(&s->rl, c->timeout, T_TIMEOUT);
    size_t max = 0;
    for (size_t i = 0; i < c->backends.n; i++)
        max += c->backends.refs[i].count;
    s->b = calloc(max ? max : 1, sizeof *s->b);
    if (!s->b) {
        sim_out_of_memory(n);
        return;
    }
    /* Instances in the order listed, each once. */
    for (size_t i = 0; i < c->backends.n; i++) {
        const sim_ref *ref = &c->backends.refs[i];
        for (uint32_t id = ref->first; id < ref->first + ref->count; id++) {
            if (backend_of(s, id) != NONE)
                continue;
            backend *be = &s->b[s->nb++];
            be->node = id;
            be->member = sim_is_member(n, id);
            be->weight = 1;
            sim_tavg_init(&be->load, sim_warmup_end(n));
        }
    }
    /* Group entries first, then instance entries, so an instance's own weight wins. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->weights.n; i++) {
            const sim_ref *ref = &c->weights.to[i];
            if ((ref->count == 1) != (pass == 1))
                continue;
            for (uint32_t id = ref->first; id < ref->first + ref->count; id++) {
                uint32_t b = backend_of(s, id);
                if (b != NONE)
                    s->b[b].weight = c->weights.w[i];
            }
        }
    if (c->policy == POLICY_CONSISTENT_HASH &&
        ring_build(&s->ring, s->nb, (uint32_t)c->vnodes)) {
        sim_out_of_memory(n);
        return;
    }
    s->timeout = c->health_timeout > 0 ? c->health_timeout
                 : c->health_interval < 1000000000 ? c->health_interval
                                                   : 1000000000;
    start_health(n);
}

/* Crash: the requests in the load balancer's own delay are dropped, and it forgets where the
 * others came from (their replies reach it down, or unknown after a restart) and what it
 * knew of its backends' health. */
static void lb_crash(sim_node *n) {
    lb_state *s = sim_state(n);
    sim_time now = sim_now(n);
    relay_clear(&s->rl, n);
    for (uint32_t b = 0; b < s->nb; b++) {
        backend *be = &s->b[b];
        if (!be->healthy)
            be->down_ns += measured_span(n, be->down_since, now);
        set_in_flight(n, be, 0);
        be->epoch++;
        be->healthy = true; /* while it is down nothing is sent; start_health on restart */
    }
    recount(s);
}

/* A backend joined or left its group: picks follow at once. */
static void lb_membership(sim_node *n, uint32_t changed, bool joined) {
    lb_state *s = sim_state(n);
    uint32_t b = backend_of(s, changed);
    if (b != NONE) {
        s->b[b].member = joined;
        recount(s);
    }
}

static bool has_delay(const void *config) {
    return ((const lb_config *)config)->service.kind != SIM_DIST_NONE;
}

static const sim_metric lb_metrics[] = {
    {"requests", SIM_METRIC_COUNTER, SIM_FIELD(lb_state, rl.requests)},
    {"failed", SIM_METRIC_COUNTER, SIM_FIELD(lb_state, failed)},
    {"overhead_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(lb_state, rl.overhead), .pct = SIM_PCT_SHORT,
     .shown = has_delay},
    SIM_METRICS_END,
};

/* Per backend, keyed by its name (a table row per instance of a list no table can name). */
static void lb_report(const sim_node *n, sim_report *w) {
    const lb_state *s = sim_state_const(n);
    const lb_config *c = sim_config(n);
    sim_time end = sim_run_end(n);
    sim_report_open(w, "backends");
    for (uint32_t b = 0; b < s->nb; b++) {
        const backend *be = &s->b[b];
        sim_report_open(w, sim_node_name_of(n, be->node));
        sim_report_int(w, "requests", (int64_t)be->requests);
        sim_report_number(w, "share",
                          s->rl.requests ? (double)be->requests / (double)s->rl.requests : 0);
        if (c->policy == POLICY_WEIGHTED_ROUND_ROBIN)
            sim_report_number(w, "weight", be->weight);
        sim_report_int(w, "failed", (int64_t)be->failed);
        sim_report_int(w, "rejected", (int64_t)be->rejected);
        sim_report_level(w, "in_flight", (int64_t)be->in_flight);
        sim_report_number(w, "in_flight_mean", sim_tavg_mean(&be->load, end));
        sim_report_int(w, "written_off", (int64_t)be->written_off);
        sim_report_int(w, "timed_out", (int64_t)be->timed_out);
        sim_report_bool(w, "healthy", be->healthy);
        if (health_checks(c)) {
            sim_time down = be->down_ns;
            if (!be->healthy)
                down += measured_span(n, be->down_since, end);
            sim_report_int(w, "marked_down", (int64_t)be->marked_down);
            sim_report_number(w, "down_ms", (double)down / 1e6);
            sim_report_number(w, "traffic_after_failure_ms", (double)be->after_failure_ns / 1e6);
            sim_report_int(w, "requests_after_failure", (int64_t)be->after_failure);
        }
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void lb_destroy(sim_node *n) {
    lb_state *s = sim_state(n);
    free(s->b);
    relay_free(&s->rl);
    ring_free(&s->ring);
}

static sim_memory_need lb_memory_need(const void *config, uint32_t group_count) {
    const lb_config *c = config;
    (void)group_count;
    double nb = 0;
    for (size_t i = 0; i < c->backends.n; i++)
        nb += c->backends.refs[i].count;
    sim_memory_need need = {
        .bytes = nb * sizeof(backend), .report_bytes = 2000, .key = "backends", .value = nb};
    if (c->policy == POLICY_CONSISTENT_HASH) {
        need.bytes += nb * (double)c->vnodes * sizeof(ring_entry);
        need.key = "vnodes", need.value = (double)c->vnodes;
    }
    return need;
}

const sim_kind dsim_load_balancer_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = lb_memory_need,
    .name = "load_balancer",
    .summary = "a proxy spreading requests over backends by policy, with health checks",
    .config_size = sizeof(lb_config),
    .state_size = sizeof(lb_state),
    .params = lb_params,
    .serves = DSIM_PROTO_REQUEST | DSIM_PROTO_MANAGED,
    .check = lb_check,
    .create = lb_create,
    .receive = lb_receive,
    .timer = lb_timer,
    .crash = lb_crash,
    .restart = start_health,
    .membership = lb_membership,
    .metrics = lb_metrics,
    .report = lb_report,

    .destroy = lb_destroy,
};
