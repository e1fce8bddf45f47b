/* client: the source of requests and the judge of their outcome. Open loop (`rate` or
 * `arrival`: arrivals independent of replies) or closed loop (`users` that each issue a
 * request, wait for its reply or timeout, think, and issue again). Each request carries an
 * operation from the `ops` mix and a key from the `keys` chooser; its outcome (completed,
 * rejected, failed, timed out) and end-to-end latency go to the run's "requests" figures. */
#include "hist.h"
#include "idmap.h"
#include "keys.h"
#include "node.h"

#include <stddef.h>

enum { T_ARRIVAL, T_USER, T_TIMEOUT };

typedef struct client_config {
    sim_ref target;
    double rate;
    sim_dist arrival;
    int64_t users;
    sim_dist think;
    int64_t requests;
    sim_time timeout;
    sim_opmix ops;
    sim_keys keys;
} client_config;

typedef struct client_state {
    sim_dist gap; /* time between open-loop arrivals */
    sim_key_sampler keys;
    sim_idmap waiting; /* id of each request awaiting its reply -> user (closed loop) */
    uint64_t sent;     /* requests issued, all of the run (for the `requests` cap) */
    uint64_t issued, completed, rejected, timed_out, failed; /* measured */
    uint64_t awaited; /* measured requests in `waiting` (settled as failed by a crash) */
    sim_hist latency;
} client_state;

static const sim_param client_params[] = {
    {.name = "target", .type = SIM_P_REF, .offset = offsetof(client_config, target),
     .flags = SIM_PARAM_REQUIRED, .help = "node or group that receives the requests"},
    {.name = "rate", .type = SIM_P_RATE, .offset = offsetof(client_config, rate),
     .help = "open loop: Poisson arrivals at this rate"},
    {.name = "arrival", .type = SIM_P_DIST, .offset = offsetof(client_config, arrival),
     .help = "open loop: distribution of the time between arrivals"},
    {.name = "users", .type = SIM_P_INT, .offset = offsetof(client_config, users), .min = 1,
     .max = 10000000, .help = "closed loop: users that each wait for a reply, then think"},
    {.name = "think", .type = SIM_P_DIST, .offset = offsetof(client_config, think),
     .help = "closed loop: think time between a reply and the next request (default 0s)"},
    {.name = "requests", .type = SIM_P_INT, .offset = offsetof(client_config, requests),
     .min = 0, .max = 1e15, .help = "cap on requests issued over the run (default: none)"},
    {.name = "timeout", .type = SIM_P_DURATION, .offset = offsetof(client_config, timeout),
     .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a request without reply by then counts as timed_out (default: none)"},
    {.name = "ops", .type = SIM_P_OPMIX, .offset = offsetof(client_config, ops),
     .def = "{read: 1}", .help = "operation mix, e.g. {read: 0.9, write: 0.1}"},
    {.name = "keys", .type = SIM_P_KEYS, .offset = offsetof(client_config, keys),
     .help = "key chooser {dist: uniform, n: N} or {dist: zipf, n: N, s: X} (default: one key)"},
    {0},
};

static void client_check(const void *config, sim_check *ck) {
    const client_config *c = config;
    int loops = (c->rate > 0) + (c->arrival.kind != SIM_DIST_NONE) + (c->users > 0);
    if (loops != 1)
        sim_check_error(ck, loops ? "users" : NULL,
                        "give exactly one of 'rate', 'arrival' (open loop) or 'users' "
                        "(closed loop)");
    if (c->think.kind && c->users <= 0)
        sim_check_error(ck, "think", "'think' goes with 'users' (closed loop)");
}

static bool cap_reached(const client_state *s, const client_config *c) {
    return c->requests >= 0 && s->sent >= (uint64_t)c->requests;
}

static sim_op draw_op(sim_node *n, const sim_opmix *mix) {
    double u = gsl_rng_uniform(sim_rng(n)), acc = 0;
    for (int op = 0; op < SIM_OP_COUNT - 1; op++) {
        acc += mix->p[op];
        if (u < acc)
            return (sim_op)op;
    }
    return (sim_op)(SIM_OP_COUNT - 1);
}

/* Issues one request for user (0 in open loop). */
static void issue(sim_node *n, uint64_t user) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    sim_req *r = sim_req_new(n);
    r->issued = sim_now(n);
    r->client = r->reply_to = sim_node_id(n);
    r->op = (uint8_t)draw_op(n, &c->ops);
    r->key = sim_key_sample(&s->keys, sim_rng(n));
    uint64_t id = r->id;
    s->sent++;
    if (sim_is_measured(n, r->issued)) {
        s->issued++;
        s->awaited++;
    }
    sim_note_issued(n, r);
    if (sim_idmap_put(&s->waiting, id, user))
        sim_out_of_memory(n);
    sim_send(n, sim_pick(n, &c->target), SIM_MSG_REQUEST, r, 0);
    if (c->timeout > 0)
        sim_set_timer(n, c->timeout, T_TIMEOUT, id);
}

static void user_thinks(sim_node *n, uint64_t user) {
    const client_config *c = sim_config(n);
    sim_time t = c->think.kind ? sim_dist_sample_time(&c->think, sim_rng(n)) : 0;
    sim_set_timer(n, t, T_USER, user);
}

static void start_traffic(sim_node *n) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    if (c->users > 0) {
        for (int64_t u = 0; u < c->users; u++)
            user_thinks(n, (uint64_t)u);
    } else {
        sim_set_timer(n, sim_dist_sample_time(&s->gap, sim_rng(n)), T_ARRIVAL, 0);
    }
}

static void client_create(sim_node *n) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    sim_idmap_init(&s->waiting);
    sim_hist_init(&s->latency);
    sim_key_sampler_init(&s->keys, &c->keys);
    if (c->rate > 0)
        s->gap = (sim_dist){.kind = SIM_DIST_EXPONENTIAL, .a = 1e9 / c->rate};
    else
        s->gap = c->arrival;
    start_traffic(n);
}

/* Records the outcome of a request that was still awaited. */
static void settle(sim_node *n, const sim_req *r, sim_outcome out, uint64_t user) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    sim_time latency = sim_now(n) - r->issued;
    sim_note_outcome(n, r, out, latency);
    if (sim_is_measured(n, r->issued)) {
        s->awaited--;
        switch (out) {
        case SIM_OUT_COMPLETED:
            s->completed++;
            if (sim_hist_record(&s->latency, latency))
                sim_out_of_memory(n);
            break;
        case SIM_OUT_REJECTED:
            s->rejected++;
            break;
        case SIM_OUT_TIMED_OUT:
            s->timed_out++;
            break;
        case SIM_OUT_FAILED:
            s->failed++;
            break;
        }
    }
    if (c->users > 0 && !cap_reached(s, c))
        user_thinks(n, user);
}

static void client_receive(sim_node *n, const sim_msg *m) {
    client_state *s = sim_state(n);
    sim_req *r = m->req;
    uint64_t user;
    if (m->tag == SIM_MSG_REPLY && r && sim_idmap_take(&s->waiting, r->id, &user)) {
        sim_outcome out = r->status == SIM_REQ_OK         ? SIM_OUT_COMPLETED
                          : r->status == SIM_REQ_REJECTED ? SIM_OUT_REJECTED
                                                          : SIM_OUT_FAILED;
        settle(n, r, out, user);
    }
    sim_req_free(n, r); /* late replies (after a timeout) end here too */
}

static void client_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    uint64_t user;
    switch (tag) {
    case T_ARRIVAL:
        if (cap_reached(s, c))
            return;
        issue(n, 0);
        sim_set_timer(n, sim_dist_sample_time(&s->gap, sim_rng(n)), T_ARRIVAL, 0);
        break;
    case T_USER:
        if (!cap_reached(s, c))
            issue(n, arg);
        break;
    case T_TIMEOUT:
        if (sim_idmap_take(&s->waiting, arg, &user)) {
            /* Only the issue time matters for the figures; rebuild it from the deadline. */
            sim_req probe = {.id = arg, .issued = sim_now(n) - c->timeout};
            settle(n, &probe, SIM_OUT_TIMED_OUT, user);
        }
        break;
    }
}

/* Crash: the client forgets the requests it awaited (their replies reach it down, or unknown
 * after the restart). Each measured one counts as failed, so that the outcomes still add up to
 * the requests issued. */
static void client_crash(sim_node *n) {
    client_state *s = sim_state(n);
    sim_req probe = {.issued = sim_warmup_end(n)}; /* only "measured" matters for the figures */
    for (; s->awaited > 0; s->awaited--) {
        s->failed++;
        sim_note_outcome(n, &probe, SIM_OUT_FAILED, 0);
    }
    sim_idmap_clear(&s->waiting);
}

static void client_report(const sim_node *n, sim_report *w) {
    const client_state *s = sim_state_const(n);
    sim_report_int(w, "issued", (int64_t)s->issued);
    sim_report_int(w, "completed", (int64_t)s->completed);
    sim_report_int(w, "rejected", (int64_t)s->rejected);
    sim_report_int(w, "timed_out", (int64_t)s->timed_out);
    sim_report_int(w, "failed", (int64_t)s->failed);
    sim_report_int(w, "in_flight", (int64_t)s->waiting.n);
    sim_report_hist_ms(w, "latency_ms", &s->latency, SIM_PCT_FULL);
}

static void client_destroy(sim_node *n) {
    client_state *s = sim_state(n);
    sim_idmap_free(&s->waiting);
    sim_hist_free(&s->latency);
}

const sim_kind dsim_client_kind = {
    .version = SIM_KIND_VERSION,
    .name = "client",
    .summary = "issues requests (open or closed loop) and records their outcome and latency",
    .config_size = sizeof(client_config),
    .state_size = sizeof(client_state),
    .params = client_params,
    .check = client_check,
    .create = client_create,
    .receive = client_receive,
    .timer = client_timer,
    .crash = client_crash,
    .restart = start_traffic,
    .report = client_report,
    .destroy = client_destroy,
    .is_client = true,
};
