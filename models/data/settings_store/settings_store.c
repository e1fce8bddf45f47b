/* settings_store: a small shared store of circuit-breaker settings (the course's "breaker
 * settings kept in a shared store that services read through a local cache"). Its settings
 * change at the times listed in `changes`; every read request is answered, after a `service`
 * time, with the settings in force at the moment of the answer (protocols/settings.h
 * says how they are packed into the reply). Reads are served in parallel (no queueing): the
 * store stands for a replicated, in-memory configuration service whose own load is not the
 * point; its latency is `service` plus the network's.
 *
 * It stores nothing else and knows nothing of its readers. */
#include "metrics.h"
#include "settings.h"
#include "node.h"
#include "protocols.h"

#include <stddef.h>

enum { T_ANSWER };

static const char *const force_names[] = {"keep", "none", "open", "closed", NULL};

typedef struct store_change {
    sim_time at;
    int force;
    double failure_rate, slow_rate; /* -1: unchanged */
    sim_time open_for;              /* -1: unchanged */
} store_change;

typedef struct store_config {
    sim_dist service; /* SIM_DIST_NONE: answer at once */
    sim_list changes; /* of store_change, by increasing `at` */
} store_config;

typedef struct store_state {
    rr_req *held; /* reads being served, linked through req->next */
    uint64_t reads;
} store_state;

static const sim_param change_params[] = {
    {.name = "at", .type = SIM_P_DURATION, .offset = offsetof(store_change, at),
     .flags = SIM_PARAM_REQUIRED, .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "when the change is made at the store"},
    {.name = "force", .type = SIM_P_ENUM, .offset = offsetof(store_change, force),
     .def = "keep", .choices = force_names,
     .help = "keep (as before), none (the breaker decides), open or closed (forced)"},
    {.name = "failure_rate", .type = SIM_P_PROB, .offset = offsetof(store_change, failure_rate),
     .help = "new failure-rate threshold (> 0) of the readers (default: unchanged)"},
    {.name = "slow_rate", .type = SIM_P_PROB, .offset = offsetof(store_change, slow_rate),
     .help = "new slow-call-rate threshold (> 0) of the readers (default: unchanged)"},
    {.name = "open_for", .type = SIM_P_DURATION, .offset = offsetof(store_change, open_for),
     .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "new open duration of the readers, from their next opening (default: unchanged)"},
    {0},
};

static const sim_param store_params[] = {
    {.name = "service", .type = SIM_P_DIST, .offset = offsetof(store_config, service),
     .help = "time to answer one read (default: 0s; reads do not queue)"},
    {.name = "changes", .type = SIM_P_LIST, .offset = offsetof(store_config, changes),
     .item = change_params, .item_size = sizeof(store_change),
     .help = "settings changes [{at: D, force: ..., failure_rate: p, ...}] by increasing time "
             "(default: none: the readers keep their own keys)"},
    {0},
};

static void store_check(const void *config, sim_check *ck) {
    const store_config *c = config;
    const store_change *ch = c->changes.items;
    for (size_t i = 0; i < c->changes.n; i++) {
        if (i > 0 && ch[i].at <= ch[i - 1].at)
            sim_check_error(ck, "changes", "changes[%zu]: 'at' must be later than the change "
                                           "before it", i);
        if (ch[i].failure_rate == 0 || ch[i].slow_rate == 0)
            sim_check_error(ck, "changes", "changes[%zu]: a rate threshold must be > 0", i);
    }
}

/* The settings in force at time now: every change made by then, folded in order. */
static breaker_settings settings_at(const store_config *c, sim_time now) {
    breaker_settings b = {.force = BREAKER_FORCE_NONE, .failure_rate = -1, .slow_rate = -1,
                          .open_for = -1};
    const store_change *ch = c->changes.items;
    for (size_t i = 0; i < c->changes.n && ch[i].at <= now; i++) {
        b.version = i + 1;
        b.changed_at = ch[i].at;
        if (ch[i].force != BREAKER_FORCE_KEEP)
            b.force = ch[i].force;
        if (ch[i].failure_rate >= 0)
            b.failure_rate = ch[i].failure_rate;
        if (ch[i].slow_rate >= 0)
            b.slow_rate = ch[i].slow_rate;
        if (ch[i].open_for >= 0)
            b.open_for = ch[i].open_for;
    }
    return b;
}

static void answer(sim_node *n, rr_req *r) {
    breaker_settings *b = settings_of(r);
    if (b)
        *b = settings_at(sim_config(n), sim_now(n));
    r->status = b ? RR_OK : RR_FAILED; /* a read without room for the answer is not one */
    ((store_state *)sim_state(n))->reads++;
    rr_reply(n, r);
}

static void store_receive(sim_node *n, sim_msg *m) {
    store_state *s = sim_state(n);
    const store_config *c = sim_config(n);
    rr_req *r = rr_of(m);
    if (m->type != &rr_request_msg) {
        sim_msg_free(n, m);
    } else if (c->service.kind == SIM_DIST_NONE) {
        answer(n, r);
    } else {
        sim_time t = sim_slowed(n, sim_dist_sample(&c->service, sim_rng(n)));
        r->next = s->held;
        s->held = r;
        sim_set_timer(n, t, T_ANSWER, r->id);
    }
}

static void store_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    store_state *s = sim_state(n);
    (void)tag;
    for (rr_req **p = &s->held; *p; p = &(*p)->next)
        if ((*p)->id == arg) {
            rr_req *r = *p;
            *p = r->next;
            r->next = NULL;
            answer(n, r);
            return;
        }
}

/* Crash: the reads being served are dropped (the readers keep their settings). */
static void store_crash(sim_node *n) {
    store_state *s = sim_state(n);
    while (s->held) {
        rr_req *r = s->held;
        s->held = r->next;
        rr_free(n, r);
    }
}

static double changes_figure(const void *state, const sim_node *n, sim_time at) {
    (void)state, (void)at;
    return (double)((const store_config *)sim_config(n))->changes.n;
}

/* The version in force at `at` (the document's: at the run's end). */
static double version_figure(const void *state, const sim_node *n, sim_time at) {
    (void)state;
    return (double)settings_at(sim_config(n), at).version;
}

static const sim_metric store_metrics[] = {
    {"reads", SIM_METRIC_COUNTER, SIM_FIELD(store_state, reads)},
    {"changes", SIM_METRIC_GAUGE, .value = changes_figure},
    {"version", SIM_METRIC_GAUGE, .value = version_figure},
    SIM_METRICS_END,
};

const sim_kind dsim_settings_store_kind = {
    .version = SIM_KIND_VERSION,
    .name = "settings_store",
    .summary = "shared circuit-breaker settings that change at scheduled times, read by breakers",
    .config_size = sizeof(store_config),
    .state_size = sizeof(store_state),
    .params = store_params,
    .serves = DSIM_PROTO_SETTINGS,
    .check = store_check,
    .receive = store_receive,
    .timer = store_timer,
    .crash = store_crash,
    .metrics = store_metrics,

};
