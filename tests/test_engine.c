/* The engine interface v2 (sim/message.h, sim/node.h), exercised through small kinds defined
 * here and registered beside the built-in kinds the tests need:
 *   - resetter: cancels and re-sets a far-future timer on every tick (a million resets);
 *   - sleeper: holds a timer across a crash and a restart;
 *   - blob: sends sized messages whose body ends in an array with a checksum, holds what it
 *     receives for a while and passes it on (as received, or renewed), or frees it;
 *   - talker: sends a message of one protocol (or a PING) every period to a peer that may be
 *     crashed, and counts what comes back.
 * Every timeline is deterministic (constant delays, zero or constant network latency), so the
 * figures are exact; the memory bounds are derived above each test. */
#include "support.h"

#include "engine.h"
#include "json_report.h"
#include "loader.h"
#include "models.h"
#include "node.h"
#include "ping.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* ---- resetter: a timer cancelled and set again on every tick ---- */

enum { R_TICK, R_FAR, R_AFTER };

typedef struct resetter_config {
    sim_time period, far;
    int64_t resets;
    bool cancel_last; /* the last tick cancels the far timer and sets none */
} resetter_config;

/* Stale copies of handles kept to be cancelled later: by then their blocks were swept and
 * reused by newer timers, which must not be touched. */
#define STALE 64

typedef struct resetter_state {
    sim_timer far, after;
    sim_timer stale[STALE];
    int64_t ticks, bad, far_fired, after_fired;
    uint64_t far_arg;
    sim_time far_at;
} resetter_state;

static const sim_param resetter_params[] = {
    {.name = "period",
     .type = SIM_P_DURATION,
     .offset = offsetof(resetter_config, period),
     .def = "1us",
     .min = 1,
     .max = 1e18,
     .help = "time between ticks"},
    {.name = "far",
     .type = SIM_P_DURATION,
     .offset = offsetof(resetter_config, far),
     .def = "10ms",
     .min = 1,
     .max = 1e18,
     .help = "delay of the far timer, set at each tick"},
    {.name = "resets",
     .type = SIM_P_INT,
     .offset = offsetof(resetter_config, resets),
     .def = "1000",
     .min = 1,
     .max = 1e9,
     .help = "ticks, each resetting the far timer"},
    {.name = "cancel_last",
     .type = SIM_P_BOOL,
     .offset = offsetof(resetter_config, cancel_last),
     .def = "false",
     .help = "the last tick cancels the far timer instead"},
    {0},
};

static void resetter_create(sim_node *n) {
    resetter_state *s = sim_state(n);
    const resetter_config *c = sim_config(n);
    s->far = sim_set_timer(n, c->far, R_FAR, 0);
    sim_set_timer(n, c->period, R_TICK, 0);
    sim_timer zero = {0};
    sim_cancel_timer(n, &zero); /* a zeroed handle: no-op */
    if (sim_timer_pending(n, &zero))
        s->bad++;
}

static void resetter_tick(sim_node *n) {
    resetter_state *s = sim_state(n);
    const resetter_config *c = sim_config(n);
    s->ticks++;
    /* A stale copy from STALE ticks ago: its event was cancelled long since, its block likely
     * swept and reused; cancelling it must leave the live timers alone. */
    sim_timer *old = &s->stale[s->ticks % STALE];
    if (sim_timer_pending(n, old))
        s->bad++;
    sim_cancel_timer(n, old);
    if (!sim_timer_pending(n, &s->far))
        s->bad++;
    *old = s->far;
    sim_cancel_timer(n, &s->far);
    if (sim_timer_pending(n, &s->far) || s->far.ev || s->far.seq || sim_timer_pending(n, old))
        s->bad++;
    sim_cancel_timer(n, &s->far); /* twice: a no-op */
    if (s->ticks == c->resets && c->cancel_last)
        return;
    s->far = sim_set_timer(n, c->far, R_FAR, (uint64_t)s->ticks);
    if (!sim_timer_pending(n, &s->far))
        s->bad++;
    if (s->ticks < c->resets)
        sim_set_timer(n, c->period, R_TICK, 0);
}

static void resetter_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    resetter_state *s = sim_state(n);
    switch (tag) {
    case R_TICK:
        resetter_tick(n);
        break;
    case R_FAR: {
        s->far_fired++;
        s->far_arg = arg;
        s->far_at = sim_now(n);
        if (sim_timer_pending(n, &s->far)) /* it fired: spent */
            s->bad++;
        /* The spent handle's block is free again and the next timer likely takes it: a
         * cancel through the spent handle must not cancel that one. */
        sim_timer spent = s->far;
        s->after = sim_set_timer(n, SIM_MS, R_AFTER, 0);
        sim_cancel_timer(n, &spent);
        sim_cancel_timer(n, &s->far);
        if (!sim_timer_pending(n, &s->after))
            s->bad++;
        break;
    }
    case R_AFTER:
        s->after_fired++;
        if (sim_timer_pending(n, &s->after))
            s->bad++;
        break;
    }
}

static void resetter_report(const sim_node *n, sim_report *w) {
    const resetter_state *s = sim_state_const(n);
    sim_report_int(w, "ticks", s->ticks);
    sim_report_int(w, "bad", s->bad);
    sim_report_int(w, "far_fired", s->far_fired);
    sim_report_int(w, "far_arg", (int64_t)s->far_arg);
    sim_report_number(w, "far_at_ms", sim_time_ms(s->far_at));
    sim_report_int(w, "after_fired", s->after_fired);
}

static const sim_kind resetter_kind = {
    .version = SIM_KIND_VERSION,
    .name = "resetter",
    .summary = "test: resets a far timer on every tick",
    .config_size = sizeof(resetter_config),
    .state_size = sizeof(resetter_state),
    .params = resetter_params,
    .create = resetter_create,
    .timer = resetter_timer,
    .report = resetter_report,
};

/* ---- sleeper: a timer pending across a crash ---- */

enum { S_WAKE, S_PROBE };

typedef struct sleeper_config {
    sim_time at, probe;
} sleeper_config;

typedef struct sleeper_state {
    sim_timer wake;
    bool pending_at_probe, pending_at_crash, pending_at_restart;
    int64_t old_fired, new_fired, crashes, restarts;
    sim_time new_at;
} sleeper_state;

static const sim_param sleeper_params[] = {
    {.name = "at",
     .type = SIM_P_DURATION,
     .offset = offsetof(sleeper_config, at),
     .def = "3s",
     .min = 1,
     .max = 1e18,
     .help = "when the timer set at time 0 is due"},
    {.name = "probe",
     .type = SIM_P_DURATION,
     .offset = offsetof(sleeper_config, probe),
     .def = "500ms",
     .min = 1,
     .max = 1e18,
     .help = "when to look at it before the crash"},
    {0},
};

static void sleeper_create(sim_node *n) {
    sleeper_state *s = sim_state(n);
    const sleeper_config *c = sim_config(n);
    s->wake = sim_set_timer(n, c->at, S_WAKE, 1);
    sim_set_timer(n, c->probe, S_PROBE, 0);
}

static void sleeper_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    sleeper_state *s = sim_state(n);
    if (tag == S_PROBE) {
        s->pending_at_probe = sim_timer_pending(n, &s->wake);
    } else if (arg == 1) {
        s->old_fired++;
    } else {
        s->new_fired++;
        s->new_at = sim_now(n);
    }
}

static void sleeper_crash(sim_node *n) {
    sleeper_state *s = sim_state(n);
    s->crashes++;
    s->pending_at_crash = sim_timer_pending(n, &s->wake);
}

/* The timer set at time 0 is gone; a new one with the same tag is due at the same time. */
static void sleeper_restart(sim_node *n) {
    sleeper_state *s = sim_state(n);
    const sleeper_config *c = sim_config(n);
    s->restarts++;
    s->pending_at_restart = sim_timer_pending(n, &s->wake);
    sim_cancel_timer(n, &s->wake); /* stale: a no-op */
    s->wake = sim_set_timer(n, c->at - sim_now(n), S_WAKE, 2);
}

static void sleeper_report(const sim_node *n, sim_report *w) {
    const sleeper_state *s = sim_state_const(n);
    sim_report_bool(w, "pending_at_probe", s->pending_at_probe);
    sim_report_bool(w, "pending_at_crash", s->pending_at_crash);
    sim_report_bool(w, "pending_at_restart", s->pending_at_restart);
    sim_report_int(w, "crashes", s->crashes);
    sim_report_int(w, "restarts", s->restarts);
    sim_report_int(w, "old_fired", s->old_fired);
    sim_report_int(w, "new_fired", s->new_fired);
    sim_report_number(w, "new_at_ms", sim_time_ms(s->new_at));
}

static const sim_kind sleeper_kind = {
    .version = SIM_KIND_VERSION,
    .name = "sleeper",
    .summary = "test: a timer pending across a crash",
    .config_size = sizeof(sleeper_config),
    .state_size = sizeof(sleeper_state),
    .params = sleeper_params,
    .create = sleeper_create,
    .timer = sleeper_timer,
    .crash = sleeper_crash,
    .restart = sleeper_restart,
    .report = sleeper_report,
};

/* ---- blob: sized messages with a checksummed array ---- */

typedef struct blob_body {
    struct blob_body *next; /* the holder's waiting line */
    uint64_t sum;           /* FNV-1a of data[0..len) */
    uint32_t origin, from;  /* the creating node; the last sender */
    uint32_t wire, len;     /* the size on the wire it was given; bytes of data */
    unsigned char data[];
} blob_body;

static const sim_msg_type blob_msg = {
    .name = "blob", .body_size = sizeof(blob_body), .wire_bytes = 64};

typedef struct blob_config {
    sim_ref peer;
    int64_t bytes, count, wire, classes;
    sim_dist hold; /* SIM_DIST_NONE: a sink */
    bool renew;
    bool late; /* makes its messages at a timer at time 0, not in create */
} blob_config;

typedef struct blob_state {
    blob_body *head, *tail;
    int64_t held, received, intact, corrupt;
} blob_state;

static const sim_param blob_params[] = {
    {.name = "peer",
     .type = SIM_P_REF,
     .offset = offsetof(blob_config, peer),
     .help = "where its own messages go, and those it passes on"},
    {.name = "bytes",
     .type = SIM_P_INT,
     .offset = offsetof(blob_config, bytes),
     .def = "0",
     .min = 0,
     .max = 1e8,
     .help = "bytes of data of the messages it creates"},
    {.name = "count",
     .type = SIM_P_INT,
     .offset = offsetof(blob_config, count),
     .def = "0",
     .min = 0,
     .max = 1e6,
     .help = "messages it creates at time 0"},
    {.name = "wire",
     .type = SIM_P_INT,
     .offset = offsetof(blob_config, wire),
     .def = "64",
     .min = 0,
     .max = 1e9,
     .help = "their size on the wire"},
    {.name = "classes",
     .type = SIM_P_INT,
     .offset = offsetof(blob_config, classes),
     .def = "1",
     .min = 1,
     .max = 8,
     .help = "message i gets bytes / 4^(i mod classes) of data (several size classes)"},
    {.name = "hold",
     .type = SIM_P_DIST,
     .offset = offsetof(blob_config, hold),
     .help = "how long it holds a message received before passing it on (default: frees it)"},
    {.name = "renew",
     .type = SIM_P_BOOL,
     .offset = offsetof(blob_config, renew),
     .def = "false",
     .help = "pass on a fresh copy and free the message received"},
    {.name = "late",
     .type = SIM_P_BOOL,
     .offset = offsetof(blob_config, late),
     .def = "false",
     .help = "make its messages at a timer at time 0 (in the run) rather than at creation"},
    {0},
};

static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return h;
}

static void blob_send(sim_node *n, const sim_ref *to, blob_body *b) {
    b->from = sim_node_id(n);
    b->next = NULL;
    sim_send(n, sim_pick(n, to), sim_msg_of(b));
}

static blob_body *blob_new(sim_node *n, uint32_t len, uint32_t wire) {
    sim_msg *m = sim_msg_new_sized(n, &blob_msg, sizeof(blob_body) + len);
    if (!m)
        return NULL; /* the run has failed (node.h) */
    m->size = wire;
    blob_body *b = sim_msg_body(m);
    b->origin = sim_node_id(n);
    b->len = len;
    b->wire = wire;
    return b;
}

enum { B_RELEASE, B_MAKE };

static void blob_make(sim_node *n) {
    const blob_config *c = sim_config(n);
    for (int64_t i = 0; i < c->count; i++) {
        uint32_t len = (uint32_t)(c->bytes >> (2 * (i % c->classes)));
        blob_body *b = blob_new(n, len, (uint32_t)c->wire);
        if (!b)
            return;
        for (uint32_t k = 0; k < len; k++)
            b->data[k] = (unsigned char)gsl_rng_uniform_int(sim_rng(n), 256);
        b->sum = fnv1a(b->data, len);
        blob_send(n, &c->peer, b);
    }
}

static void blob_create(sim_node *n) {
    const blob_config *c = sim_config(n);
    if (c->late)
        sim_set_timer(n, 0, B_MAKE, 0);
    else
        blob_make(n);
}

/* The header as the sender left it and the data as the creator wrote it. */
static bool blob_is_intact(const sim_msg *m) {
    const blob_body *b = sim_msg_body_const(m);
    return m->type == &blob_msg && m->flags == 0 && m->src == b->from && m->size == b->wire &&
           m->body_bytes == sizeof(blob_body) + b->len && fnv1a(b->data, b->len) == b->sum;
}

static void blob_receive(sim_node *n, sim_msg *m) {
    blob_state *s = sim_state(n);
    const blob_config *c = sim_config(n);
    s->received++;
    if (blob_is_intact(m))
        s->intact++;
    else
        s->corrupt++;
    if (c->hold.kind == SIM_DIST_NONE) {
        sim_msg_free(n, m);
        return;
    }
    blob_body *b = sim_msg_body(m);
    if (c->renew) {
        blob_body *copy = blob_new(n, b->len, b->wire);
        if (!copy) {
            sim_msg_free(n, m);
            return;
        }
        memcpy(copy->data, b->data, b->len);
        copy->sum = b->sum;
        copy->origin = b->origin;
        sim_msg_free(n, m);
        b = copy;
    }
    b->next = NULL;
    if (s->tail)
        s->tail->next = b;
    else
        s->head = b;
    s->tail = b;
    s->held++;
    sim_set_timer(n, sim_dist_sample_time(&c->hold, sim_rng(n)), B_RELEASE, 0);
}

static void blob_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    blob_state *s = sim_state(n);
    const blob_config *c = sim_config(n);
    (void)arg;
    if (tag == B_MAKE) {
        blob_make(n);
        return;
    }
    blob_body *b = s->head;
    if (!b)
        return;
    s->head = b->next;
    if (!s->head)
        s->tail = NULL;
    s->held--;
    blob_send(n, &c->peer, b);
}

static void blob_crash(sim_node *n) {
    blob_state *s = sim_state(n);
    while (s->head) {
        blob_body *b = s->head;
        s->head = b->next;
        sim_msg_free(n, sim_msg_of(b));
    }
    s->tail = NULL;
    s->held = 0;
}

static void blob_report(const sim_node *n, sim_report *w) {
    const blob_state *s = sim_state_const(n);
    sim_report_int(w, "received", s->received);
    sim_report_int(w, "intact", s->intact);
    sim_report_int(w, "corrupt", s->corrupt);
    sim_report_int(w, "held", s->held);
}

static const sim_kind blob_kind = {
    .version = SIM_KIND_VERSION,
    .name = "blob",
    .summary = "test: sized messages with a checksummed body",
    .config_size = sizeof(blob_config),
    .state_size = sizeof(blob_state),
    .params = blob_params,
    .create = blob_create,
    .receive = blob_receive,
    .timer = blob_timer,
    .crash = blob_crash,
    .report = blob_report,
};

/* ---- talker: one message every period, of a protocol that bounces or not ---- */

typedef enum {
    MODE_SILENT,  /* a protocol without refuse hook: dropped at a crashed node */
    MODE_PRIVATE, /* a type of no protocol: likewise */
    MODE_BOUNCE,  /* a protocol whose hook sends it back to its sender */
    MODE_DROP,    /* a protocol whose hook returns SIM_NO_NODE */
    MODE_PING,    /* sim/ping.h */
} talk_mode;

static const char *const mode_names[] = {"silent", "private", "bounce", "drop", "ping", NULL};

typedef struct talk_body {
    uint64_t seq;
    uint32_t origin;
} talk_body;

static uint32_t bounce_back(sim_msg *m) { return ((const talk_body *)sim_msg_body(m))->origin; }
static uint32_t drop_it(sim_msg *m) {
    (void)m;
    return SIM_NO_NODE;
}

static const sim_protocol silent_proto = {.name = "silent"};
static const sim_protocol bounce_proto = {.name = "bounce", .refuse = bounce_back};
static const sim_protocol drop_proto = {.name = "drop", .refuse = drop_it};
static const sim_msg_type talk_msgs[] = {
    [MODE_SILENT] = {.name = "silent", .protocol = &silent_proto, .body_size = sizeof(talk_body)},
    [MODE_PRIVATE] = {.name = "private", .body_size = sizeof(talk_body)},
    [MODE_BOUNCE] = {.name = "bounce", .protocol = &bounce_proto, .body_size = sizeof(talk_body)},
    [MODE_DROP] = {.name = "drop", .protocol = &drop_proto, .body_size = sizeof(talk_body)},
};

typedef struct talker_config {
    sim_ref peer, alt;
    int mode; /* talk_mode */
    sim_time period;
} talker_config;

typedef struct talker_state {
    uint64_t seq, last_token;
    int64_t sent, received, refused, pongs, bad, pings_seen;
} talker_state;

static const sim_param talker_params[] = {
    {.name = "peer",
     .type = SIM_P_REF,
     .offset = offsetof(talker_config, peer),
     .help = "where it talks (default: it only listens)"},
    {.name = "alt",
     .type = SIM_P_REF,
     .offset = offsetof(talker_config, alt),
     .help = "bounce: where a refused message goes next, as it came back"},
    {.name = "mode",
     .type = SIM_P_ENUM,
     .offset = offsetof(talker_config, mode),
     .def = "silent",
     .choices = mode_names,
     .help = "what it sends"},
    {.name = "period",
     .type = SIM_P_DURATION,
     .offset = offsetof(talker_config, period),
     .def = "10ms",
     .min = 1,
     .max = 1e18,
     .help = "time between messages"},
    {0},
};

static void talker_create(sim_node *n) {
    const talker_config *c = sim_config(n);
    if (c->peer.count)
        sim_set_timer(n, c->period, 0, 0);
}

static void talker_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    talker_state *s = sim_state(n);
    const talker_config *c = sim_config(n);
    (void)tag, (void)arg;
    s->seq++;
    s->sent++;
    sim_msg *m;
    if (c->mode == MODE_PING) {
        m = sim_msg_new(n, &sim_ping_msg);
        s->last_token = 0xabcd0000u + s->seq;
        ((sim_ping *)sim_msg_body(m))->token = s->last_token;
    } else {
        m = sim_msg_new(n, &talk_msgs[c->mode]);
        talk_body *b = sim_msg_body(m);
        b->seq = s->seq;
        b->origin = sim_node_id(n);
    }
    sim_send(n, c->peer.first, m);
    sim_set_timer(n, c->period, 0, 0);
}

static void talker_receive(sim_node *n, sim_msg *m) {
    talker_state *s = sim_state(n);
    const talker_config *c = sim_config(n);
    s->received++;
    if (m->type == &sim_ping_msg) {
        s->pings_seen++; /* never: the engine answers PINGs */
    } else if (m->type == &sim_pong_msg) {
        s->pongs++;
        if (((const sim_ping *)sim_msg_body(m))->token != s->last_token ||
            m->src != c->peer.first || m->flags)
            s->bad++;
    } else if (m->flags & SIM_MSG_REFUSED) {
        /* Sent back by the crashed peer itself, body unchanged. */
        s->refused++;
        const talk_body *b = sim_msg_body(m);
        if (m->src != c->peer.first || b->origin != sim_node_id(n) || b->seq == 0 ||
            b->seq > s->seq)
            s->bad++;
        if (c->alt.count) {
            sim_send(n, c->alt.first, m); /* on, as it came back */
            return;
        }
    } else if (m->flags) {
        s->bad++; /* a flag left over from an earlier delivery */
    }
    sim_msg_free(n, m);
}

static void talker_report(const sim_node *n, sim_report *w) {
    const talker_state *s = sim_state_const(n);
    sim_report_int(w, "sent", s->sent);
    sim_report_int(w, "received", s->received);
    sim_report_int(w, "refused", s->refused);
    sim_report_int(w, "pongs", s->pongs);
    sim_report_int(w, "pings_seen", s->pings_seen);
    sim_report_int(w, "bad", s->bad);
}

static const sim_kind talker_kind = {
    .version = SIM_KIND_VERSION,
    .name = "talker",
    .summary = "test: one message every period to a peer",
    .config_size = sizeof(talker_config),
    .state_size = sizeof(talker_state),
    .params = talker_params,
    .create = talker_create,
    .receive = talker_receive,
    .timer = talker_timer,
    .report = talker_report,
};

/* ---- helpers ---- */

static const sim_kind *const test_kinds[] = {
    &resetter_kind,
    &sleeper_kind,
    &blob_kind,
    &talker_kind,
    &dsim_client_kind,
    &dsim_service_kind,
    &dsim_load_balancer_kind,
    NULL,
};

static sim_topology *load(const char *yaml) {
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, test_kinds, d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    sim_diag_free(d);
    cr_assert(t, "the topology does not load");
    return t;
}

static cJSON *doc_of(const sim_engine *e) {
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    return doc;
}

/* Runs yaml with seed to its end and returns the document. */
static cJSON *run(const char *yaml, uint64_t seed) {
    sim_topology *t = load(yaml);
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0, "the run failed: %s", sim_engine_error(e));
    cJSON *doc = doc_of(e);
    sim_engine_free(e);
    sim_topology_free(t);
    return doc;
}

static char *text_of(const sim_engine *e) {
    cJSON *doc = doc_of(e);
    char *text = cJSON_PrintUnformatted(doc);
    cr_assert(text);
    cJSON_Delete(doc);
    return text;
}

/* ---- 1. cancellable timers ---- */

/* A million resets: ticks every 1 us up to 1 s, each cancelling the far timer (due 10 ms
 * later) and setting it again. Live events are then at most 2 (the next tick and the far
 * timer). The engine sweeps cancelled timers once they reach 4096 and outnumber the live
 * events (engine.c), so pending stays under 4096 + 2; the bound below is twice that, so the
 * test checks the promise (bounded, not growing with the resets) rather than the constant. */
#define RESETS 1000000
#define PENDING_BOUND (2 * (4096 + 2))

static const char resetter_yaml[] =
    "duration: 2s\n"
    "nodes:\n"
    "  r: {kind: resetter, period: 1us, far: 10ms, resets: 1000000}\n";

Test(engine, a_million_timer_resets_keep_the_queue_bounded, .timeout = 120) {
    sim_topology *t = load(resetter_yaml);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    size_t most = 0;
    for (sim_time at = 10 * SIM_MS; at <= 2 * SIM_S; at += 10 * SIM_MS) {
        cr_assert_eq(sim_engine_run_until(e, at), 0);
        size_t pending = sim_engine_memory_use(e).pending;
        cr_assert_leq(pending, PENDING_BOUND, "%zu events pending at %.2f s", pending,
                      sim_time_s(at));
        if (pending > most)
            most = pending;
    }
    cr_log_info("at most %zu events pending over %d resets", most, RESETS);
    cJSON *doc = doc_of(e);
    cr_expect_eq(t_int(doc, "nodes.r.bad"), 0, "a handle said the wrong thing");
    cr_expect_eq(t_int(doc, "nodes.r.ticks"), RESETS);
    /* Only the last far timer fires, once, 10 ms after the last tick (1 s). */
    cr_expect_eq(t_int(doc, "nodes.r.far_fired"), 1);
    cr_expect_eq(t_int(doc, "nodes.r.far_arg"), RESETS);
    cr_expect_float_eq(t_num(doc, "nodes.r.far_at_ms"), 1010.0, 1e-9);
    /* The timer set through the spent handle's block survived the cancel of that handle. */
    cr_expect_eq(t_int(doc, "nodes.r.after_fired"), 1);
    /* Events: the ticks, the far timer, the one after; no cancelled timer counts. */
    cr_expect_eq(t_int(doc, "events"), RESETS + 2);
    cr_expect_eq(sim_engine_memory_use(e).pending, 0);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* The sleeper's timer is due at 3 s; it crashes at 1 s and restarts at 2 s, then sets a new
 * timer with the same tag due at 3 s too. */
static const char sleeper_yaml[] = "duration: 5s\n"
                                   "nodes:\n"
                                   "  z: {kind: sleeper, at: 3s, probe: 500ms}\n"
                                   "faults:\n"
                                   "  - {at: 1s, crash: z, duration: 1s}\n";

Test(engine, a_timer_pending_at_a_crash_never_fires) {
    cJSON *doc = run(sleeper_yaml, 1);
    cr_expect(t_bool(doc, "nodes.z.pending_at_probe"));
    cr_expect_not(t_bool(doc, "nodes.z.pending_at_crash"));
    cr_expect_not(t_bool(doc, "nodes.z.pending_at_restart"));
    cr_expect_eq(t_int(doc, "nodes.z.crashes"), 1);
    cr_expect_eq(t_int(doc, "nodes.z.restarts"), 1);
    cr_expect_eq(t_int(doc, "nodes.z.old_fired"), 0);
    cr_expect_eq(t_int(doc, "nodes.z.new_fired"), 1);
    cr_expect_float_eq(t_num(doc, "nodes.z.new_at_ms"), 3000.0, 1e-9);
    cJSON_Delete(doc);
}

/* One tick at 1 ms cancels the far timer due at 5 s: the run has one event. With a budget of
 * one event it is done, not stopped: the cancelled timer still queued after the last event
 * is not an event waiting (engine.c once checked the budget before skipping it, so the run
 * stopped at 1 ms with status 1). */
static const char cancelled_last_yaml[] =
    "duration: 10s\n"
    "nodes:\n"
    "  r: {kind: resetter, period: 1ms, far: 5s, resets: 1, cancel_last: true}\n";

Test(engine, a_cancelled_timer_left_over_does_not_stop_a_budgeted_run) {
    sim_topology *t = load(cancelled_last_yaml);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    sim_engine_set_max_events(e, 1);
    cr_expect_eq(sim_engine_run(e), 0, "a run with nothing left to do reported a stop");
    cr_expect_eq(sim_engine_now(e), 10 * SIM_S);
    cr_expect_eq(sim_engine_events(e), 1);
    char *budgeted = text_of(e);
    cJSON *doc = doc_of(e);
    cr_expect_eq(t_int(doc, "nodes.r.bad"), 0);
    cr_expect_eq(t_int(doc, "nodes.r.far_fired"), 0);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
    cJSON *free_run = run(cancelled_last_yaml, 1);
    char *unbudgeted = cJSON_PrintUnformatted(free_run);
    cr_expect_str_eq(budgeted, unbudgeted);
    free(budgeted), free(unbudgeted);
    cJSON_Delete(free_run);
}

/* ---- 2. typed messages ---- */

/* 50 messages of 10,000 bytes of random data, 12,345 bytes on the wire, to a sink. */
static const char big_yaml[] =
    "duration: 1s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  src: {kind: blob, peer: dst, bytes: 10000, count: 50, wire: 12345}\n"
    "  dst: {kind: blob}\n";

Test(engine, a_sized_message_arrives_intact) {
    cJSON *doc = run(big_yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.dst.received"), 50);
    cr_expect_eq(t_int(doc, "nodes.dst.intact"), 50);
    cr_expect_eq(t_int(doc, "nodes.dst.corrupt"), 0);
    cr_expect_eq(t_int(doc, "network.messages"), 50);
    cJSON_Delete(doc);
}

/* Blocks of the largest classes: 20 MB of data in a 32 MiB block (slabs of one). */
static const char huge_yaml[] =
    "duration: 1s\n"
    "nodes:\n"
    "  src: {kind: blob, peer: dst, bytes: 20000000, count: 2, wire: 20000000, late: true}\n"
    "  dst: {kind: blob}\n";

Test(engine, a_message_of_the_largest_classes_arrives_intact, .timeout = 60) {
    cJSON *doc = run(huge_yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.dst.received"), 2);
    cr_expect_eq(t_int(doc, "nodes.dst.intact"), 2);
    cJSON_Delete(doc);
}

/* A body beyond the largest block (64 MiB) cannot be made: sim_msg_new_sized returns NULL,
 * and the run fails saying so, not "out of memory" (engine.c once said only that). */
Test(engine, a_body_beyond_the_largest_block_fails_the_run_saying_why) {
    sim_topology *t =
        load("duration: 1s\n"
             "nodes:\n"
             "  src: {kind: blob, peer: dst, bytes: 100000000, count: 1, late: true}\n"
             "  dst: {kind: blob}\n");
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_expect_eq(sim_engine_run(e), -1);
    const char *why = sim_engine_error(e);
    cr_assert(why);
    cr_log_info("%s", why);
    cr_expect(strstr(why, "100000032 bytes is beyond the largest message block"), "%s", why);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* src -> relay (as received, after 1 ms) -> renew (a fresh copy, after 1 ms) -> dst. */
static const char forward_yaml[] =
    "duration: 1s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  src: {kind: blob, peer: relay, bytes: 10000, count: 40, classes: 4, wire: 999}\n"
    "  relay: {kind: blob, peer: renew, hold: 1ms}\n"
    "  renew: {kind: blob, peer: dst, hold: 1ms, renew: true}\n"
    "  dst: {kind: blob}\n";

Test(engine, a_forwarded_message_keeps_its_body) {
    cJSON *doc = run(forward_yaml, 1);
    const char *hops[] = {"relay", "renew", "dst"};
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "nodes.%s.received", hops[i]);
        cr_expect_eq(t_int(doc, path), 40, "%s", path);
        snprintf(path, sizeof path, "nodes.%s.intact", hops[i]);
        cr_expect_eq(t_int(doc, path), 40, "%s", path);
        snprintf(path, sizeof path, "nodes.%s.held", hops[i]);
        cr_expect_eq(t_int(doc, path), 0, "%s", path);
    }
    cJSON_Delete(doc);
}

/* Two nodes pass messages of five size classes (20,000 bytes of data down to 78) back and
 * forth, each holding what it receives for an exponential time, one as received and one
 * renewed (freed and allocated again). Every message keeps its size, so the blocks live in
 * each class are that class's messages (plus, in the timers' class, one timer per held
 * message): constant, whatever the timing. Pools therefore stop growing once the first
 * messages are made; a block leaked or allocated outside the pools shows as growth. */
static const char pingpong_yaml[] =
    "duration: 5s\n"
    "network: {latency: {dist: exponential, mean: 1ms}}\n"
    "nodes:\n"
    "  a: {kind: blob, peer: b, bytes: 20000, count: 50, classes: 5,\n"
    "      hold: {dist: exponential, mean: 2ms}}\n"
    "  b: {kind: blob, peer: a, bytes: 20000, count: 50, classes: 5, renew: true,\n"
    "      hold: {dist: exponential, mean: 3ms}}\n";

Test(engine, steady_messages_do_not_grow_the_pools_and_held_is_exact, .timeout = 120) {
    sim_topology *t = load(pingpong_yaml);
    sim_engine *e = sim_engine_new(t, 5);
    cr_assert(e);
    cr_assert_eq(sim_engine_run_until(e, SIM_S), 0); /* warm-up */
    size_t warm = sim_engine_memory_use(e).pool_bytes;
    for (sim_time at = 1100 * SIM_MS; at <= 5 * SIM_S; at += 100 * SIM_MS) {
        cr_assert_eq(sim_engine_run_until(e, at), 0);
        sim_engine_memory m = sim_engine_memory_use(e);
        cr_assert_eq(m.pool_bytes, warm, "the pools grew from %zu to %zu bytes by %.1f s", warm,
                     m.pool_bytes, sim_time_s(at));
        cJSON *doc = doc_of(e);
        long long held = t_int(doc, "nodes.a.held") + t_int(doc, "nodes.b.held");
        cr_assert_eq((long long)m.held, held, "the engine counts %zu held, the kinds %lld", m.held,
                     held);
        cr_assert_eq(t_int(doc, "nodes.a.corrupt") + t_int(doc, "nodes.b.corrupt"), 0);
        cJSON_Delete(doc);
    }
    cJSON *doc = doc_of(e);
    /* 100 messages, each received every 3.5 ms on average (1 ms on the wire, then held 2 or
     * 3 ms): about 70,000 receipts per node in 5 s; far fewer would mean they stalled. */
    cr_expect_gt(t_int(doc, "nodes.a.received"), 35000);
    cr_expect_eq(t_int(doc, "nodes.a.intact"), t_int(doc, "nodes.a.received"));
    cr_expect_eq(t_int(doc, "nodes.b.intact"), t_int(doc, "nodes.b.received"));
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* ---- 3. refusals ---- */

/* A request every 10 ms (the first at 10 ms), served in 1 ms, zero network latency; web is
 * down over (1000.5, 2000.5] ms:
 *   held at the crash: the one issued at 1000 ms -> times out 1 s later;
 *   issued while down: 1010 ... 2000 ms -> 100 refused, each a failed reply at once;
 *   completed: 10 ... 990 and 2010 ... 2990 (99 + 99); the one issued at 3000 is in flight. */
static const char refuse_rr_yaml[] =
    "duration: 3s\n"
    "nodes:\n"
    "  users: {kind: client, target: web, arrival: 10ms, timeout: 1s}\n"
    "  web: {kind: service, service: 1ms}\n"
    "faults:\n"
    "  - {at: 1.0005s, crash: web, duration: 1s}\n";

Test(engine, a_request_to_a_crashed_service_comes_back_failed) {
    cJSON *doc = run(refuse_rr_yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "network.refused"), 100);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 100);
    cr_expect_eq(t_int(doc, "requests.failed"), 100);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 1);
    cr_expect_eq(t_int(doc, "requests.completed"), 198);
    cr_expect_eq(t_int(doc, "nodes.web.arrivals"), 200);
    cJSON_Delete(doc);
}

/* t sends one message every 10 ms (the first at 10 ms: 300 in 3 s) to l, down over
 * (1000.5, 2000.5] ms, so 100 of them reach l crashed; zero network latency. */
static cJSON *run_talk(const char *mode) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "duration: 3s\n"
             "nodes:\n"
             "  t: {kind: talker, peer: l, alt: a, mode: %s}\n"
             "  l: {kind: talker}\n"
             "  a: {kind: talker}\n"
             "faults:\n"
             "  - {at: 1.0005s, crash: l, duration: 1s}\n",
             mode);
    cJSON *doc = run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.t.sent"), 300);
    cr_expect_eq(t_int(doc, "network.refused"), 100, "%s: every one reaching l down counts", mode);
    cr_expect_eq(t_int(doc, "nodes.t.bad"), 0);
    cr_expect_eq(t_int(doc, "nodes.l.bad"), 0);
    cr_expect_eq(t_int(doc, "nodes.a.bad"), 0);
    return doc;
}

Test(engine, a_protocol_without_refuse_hook_is_dropped_silently) {
    const char *modes[] = {"silent", "private", "drop"};
    for (int i = 0; i < 3; i++) {
        cJSON *doc = run_talk(modes[i]);
        cr_expect_eq(t_int(doc, "nodes.t.received"), 0, "%s: the sender heard back", modes[i]);
        cr_expect_eq(t_int(doc, "nodes.l.received"), 200, "%s", modes[i]);
        cr_expect_eq(t_int(doc, "nodes.a.received"), 0, "%s", modes[i]);
        cJSON_Delete(doc);
    }
}

/* The bounce protocol's hook sends a refused message back to its origin: it arrives flagged,
 * from the crashed node, body unchanged; sent on from there, it arrives unflagged. */
Test(engine, a_refuse_hook_sends_it_back_flagged_from_the_crashed_node) {
    cJSON *doc = run_talk("bounce");
    cr_expect_eq(t_int(doc, "nodes.t.received"), 100);
    cr_expect_eq(t_int(doc, "nodes.t.refused"), 100);
    cr_expect_eq(t_int(doc, "nodes.l.received"), 200);
    cr_expect_eq(t_int(doc, "nodes.a.received"), 100);
    cJSON_Delete(doc);
}

Test(engine, a_ping_is_answered_by_a_live_node_only) {
    cJSON *doc = run_talk("ping");
    /* 200 PINGs reach l up: 200 PONGs with the last token, from l; l's kind sees none. */
    cr_expect_eq(t_int(doc, "nodes.t.pongs"), 200);
    cr_expect_eq(t_int(doc, "nodes.t.received"), 200);
    cr_expect_eq(t_int(doc, "nodes.l.received"), 0);
    cr_expect_eq(t_int(doc, "nodes.l.pings_seen"), 0);
    cJSON_Delete(doc);
}

/* ---- 4. least connections and refusals from beyond a backend ---- */

/* A request every 0.1 ms through a least-connections balancer to two services that pass it
 * on to db, crashed from the start; 1 ms per hop, so about 20 requests are in flight to each
 * backend at any time. Every request is refused by db and comes back to the balancer failed:
 * forwarded, the refusal itself (sent by db, not by the backend); by `calls`, a failed reply
 * from the backend. Neither says the backend is down: nothing is written off. */
static const char lb_yaml[] =
    "duration: 2s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  users: {kind: client, target: lb, arrival: 0.1ms, timeout: 1s}\n"
    "  lb: {kind: load_balancer, backends: [s1, s2], policy: least_connections}\n"
    "  s1: {kind: service, workers: 1000, service: 1ms, %s: db}\n"
    "  s2: {kind: service, workers: 1000, service: 1ms, %s: db}\n"
    "  db: {kind: service, service: 1ms}\n"
    "faults:\n"
    "  - {at: 0s, crash: db}\n";

static void expect_nothing_written_off(const char *how) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml, lb_yaml, how, how);
    cJSON *doc = run(yaml, 1);
    t_expect_accounting(doc);
    long long issued = t_int(doc, "requests.issued");
    cr_expect_geq(issued, 19990, "%s", how);
    cr_expect_eq(t_int(doc, "requests.completed"), 0, "%s", how);
    cr_expect_eq(t_int(doc, "requests.failed") + t_int(doc, "nodes.users.in_flight"), issued, "%s",
                 how);
    const char *be[] = {"s1", "s2"};
    for (int i = 0; i < 2; i++) {
        char path[96];
        snprintf(path, sizeof path, "nodes.lb.backends.%s.written_off", be[i]);
        cr_expect_eq(t_int(doc, path), 0, "%s: %s", how, path);
        snprintf(path, sizeof path, "nodes.lb.backends.%s.share", be[i]);
        cr_expect_float_eq(t_num(doc, path), 0.5, 0.01, "%s: %s", how, path);
        snprintf(path, sizeof path, "nodes.lb.backends.%s.in_flight", be[i]);
        /* Requests sent in the last 3 ms (lb -> s -> db -> lb): about 15 each. */
        cr_expect_gt(t_int(doc, path), 5, "%s: %s", how, path);
    }
    cJSON_Delete(doc);
}

Test(engine, least_connections_keeps_backends_whose_callee_refuses) {
    expect_nothing_written_off("forward");
    expect_nothing_written_off("calls");
}

/* The same with s2 itself crashed: its own refusals write off what is in flight to it
 * (several requests at once: 2 ms there and back at 0.1 ms intervals), s1 keeps its count. */
static const char lb_down_yaml[] =
    "duration: 2s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  users: {kind: client, target: lb, arrival: 0.1ms, timeout: 1s}\n"
    "  lb: {kind: load_balancer, backends: [s1, s2], policy: least_connections}\n"
    "  s1: {kind: service, workers: 1000, service: 1ms}\n"
    "  s2: {kind: service, workers: 1000, service: 1ms}\n"
    "faults:\n"
    "  - {at: 0s, crash: s2}\n";

Test(engine, least_connections_writes_off_a_crashed_backend) {
    cJSON *doc = run(lb_down_yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.lb.backends.s1.written_off"), 0);
    long long off = t_int(doc, "nodes.lb.backends.s2.written_off");
    cr_expect_gt(off, 0);
    cr_expect_leq(off, t_int(doc, "nodes.lb.backends.s2.requests"));
    /* Every request s2 got failed, but for those still out at the end: sent in its last 2 ms,
     * at most 20. */
    long long s2 = t_int(doc, "nodes.lb.backends.s2.requests");
    long long s2_failed = t_int(doc, "nodes.lb.backends.s2.failed");
    cr_expect(s2_failed <= s2 && s2_failed >= s2 - 20, "s2: %lld failed of %lld", s2_failed, s2);
    cr_expect_eq(t_int(doc, "nodes.s1.failed"), 0);
    cJSON_Delete(doc);
}

/* ---- 5. two engines in one process ---- */

/* Timers reset, sized messages held and passed on, random latency, a crash with a restart. */
static const char mixed_yaml[] =
    "duration: 3s\n"
    "network: {latency: {dist: exponential, mean: 1ms}}\n"
    "nodes:\n"
    "  r: {kind: resetter, period: 10us, far: 1ms, resets: 200000}\n"
    "  a: {kind: blob, peer: b, bytes: 4000, count: 30, classes: 3,\n"
    "      hold: {dist: exponential, mean: 2ms}}\n"
    "  b: {kind: blob, peer: a, bytes: 4000, count: 30, classes: 3, renew: true,\n"
    "      hold: {dist: exponential, mean: 3ms}}\n"
    "  z: {kind: sleeper, at: 2.5s}\n"
    "faults:\n"
    "  - {at: 1s, crash: b, duration: 500ms}\n"
    "  - {at: 1.2s, crash: z, duration: 100ms}\n";

static char *run_alone(uint64_t seed) {
    sim_topology *t = load(mixed_yaml);
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0);
    char *text = text_of(e);
    sim_engine_free(e);
    sim_topology_free(t);
    return text;
}

Test(engine, two_interleaved_engines_give_what_each_gives_alone, .timeout = 120) {
    sim_topology *t1 = load(mixed_yaml), *t2 = load(mixed_yaml);
    sim_engine *e1 = sim_engine_new(t1, 11), *e2 = sim_engine_new(t2, 12);
    cr_assert(e1 && e2);
    for (sim_time at = 0; at <= 3 * SIM_S; at += 7 * SIM_MS + 3) {
        cr_assert_eq(sim_engine_run_until(e1, at), 0);
        cr_assert_eq(sim_engine_run_until(e2, at + 2 * SIM_MS), 0);
    }
    cr_assert_eq(sim_engine_run(e1), 0);
    cr_assert_eq(sim_engine_run(e2), 0);
    char *i1 = text_of(e1), *i2 = text_of(e2);
    char *a1 = run_alone(11), *a2 = run_alone(12);
    cr_expect_str_eq(i1, a1);
    cr_expect_str_eq(i2, a2);
    cr_expect_str_neq(i1, i2, "other seeds, other figures");
    free(i1), free(i2), free(a1), free(a2);
    sim_engine_free(e1);
    sim_engine_free(e2);
    sim_topology_free(t1);
    sim_topology_free(t2);
}
