/* circuit_breaker: a proxy on a caller -> callee edge (Nygard, "Release It!", ch. 5; the state
 * machine and the count- and time-based windows follow Resilience4j's CircuitBreaker). Callers
 * send their requests (or `calls`) to the breaker; it forwards each one as a call of its own to
 * `backend`, holds the caller's request until the backend replies, and relays the outcome.
 *
 * States: closed (calls pass; each outcome goes into a sliding window, and once the window holds
 * `min_calls` outcomes the breaker opens when the share of failures reaches `failure_rate` or the
 * share of slow calls reaches `slow_rate`); open (every request is short-circuited: answered at
 * once by the fallback, FAILED or a default OK, without touching the backend) for `open_for`;
 * half-open (up to `half_open_calls` trial calls pass, others are short-circuited; the first bad
 * trial re-opens, and closing needs every trial to come back good). A call's outcome is judged
 * in the state it was sent in: outcomes of calls sent before the latest state change count in
 * the totals only. A settings_store (`settings`) read every `refresh` may force the breaker open
 * or closed and replace its thresholds; see protocols/settings.h for the message.
 *
 * It does not retry, cache or queue: that is the callers' and backends' business. */
#include "settings.h"
#include "hist.h"
#include "idmap.h"
#include "metrics.h"
#include "node.h"
#include "protocols.h"
#include "slot_table.h"

#include <stdlib.h>

enum { T_OPEN_END, T_CALL_TIMEOUT, T_REFRESH };

typedef enum {
    CB_CLOSED,
    CB_OPEN,
    CB_HALF_OPEN,
    CB_FORCED_OPEN,
    CB_FORCED_CLOSED,
    CB_NSTATES
} cb_mode;

static const char *const mode_names[CB_NSTATES] = {"closed", "open", "half_open", "forced_open",
                                                   "forced_closed"};

enum { FALLBACK_FAIL, FALLBACK_DEFAULT };
static const char *const fallback_names[] = {"fail", "default", NULL};

enum { CHANGES_LISTED = 1000 }; /* state changes listed in the report; the rest are counted */

typedef struct cb_config {
    sim_ref backend;
    sim_time timeout; /* -1: none */
    double failure_rate;
    sim_time slow_call; /* -1: no call is slow */
    double slow_rate;
    sim_time window;
    int64_t window_calls; /* -1: time-based window */
    int64_t min_calls;
    sim_time open_for;
    int64_t half_open_calls;
    int fallback;
    sim_ref settings; /* count 0: none */
    sim_time refresh;
} cb_config;

/* A caller's request held while its call is out. */
typedef struct held {
    rr_req *parent; /* NULL: the slot is free */
    uint32_t reply_bytes; /* the size of the backend's reply, passed on to the caller */
    sim_time sent;
    uint32_t gen; /* the state generation the call was sent in */
} held;

typedef struct outcome {
    sim_time at;
    bool failed, slow;
} outcome;

typedef struct change {
    sim_time at;
    cb_mode to;
} change;

typedef struct cb_state {
    cb_mode mode;
    uint32_t gen; /* bumped by every state change: stale timers and outcomes are told apart */
    sim_time since;
    sim_time in_mode[CB_NSTATES];
    uint64_t opens;
    /* thresholds in force: the config's, or the settings store's */
    double failure_rate, slow_rate;
    sim_time open_for;
    /* calls out: call id -> slot */
    sim_idmap out;
    slot_table slots; /* of held */
    /* the sliding window of outcomes (closed state): a ring */
    outcome *ring;
    size_t cap, head, count, nfail, nslow;
    int64_t trials_sent, trials_ok; /* half-open */
    change *log;
    size_t nlog;
    uint64_t log_omitted;
    /* measured requests (issued after the warm-up) */
    uint64_t requests, calls, successes, failures, timed_out, slow, late, short_circuited,
        fallbacks;
    sim_hist call_time;
    /* settings store */
    uint64_t version, refreshes, refresh_failures, applied;
    double stale_sum;
    sim_time stale_max;
} cb_state;


static const sim_param cb_params[] = {
    {.name = "backend", .type = SIM_P_REF, .offset = offsetof(cb_config, backend),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_EACH, .edge = "backend",
     .flags = SIM_PARAM_REQUIRED,
     .help = "node or group the calls go to (a group: a random instance per call)"},
    /* Every call must be judged: a trial call of half-open whose reply is lost would
     * otherwise never count, and the breaker would short-circuit everything from then on. */
    {.name = "timeout", .type = SIM_P_DURATION, .offset = offsetof(cb_config, timeout),
     .def = "30s", .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a call without reply by then fails (the caller gets FAILED then; a late reply is "
             "dropped)"},
    {.name = "failure_rate", .type = SIM_P_PROB, .offset = offsetof(cb_config, failure_rate),
     .def = "0.5", .help = "open when this share (> 0) of the window's calls failed"},
    {.name = "slow_call", .type = SIM_P_DURATION, .offset = offsetof(cb_config, slow_call),
     .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "a call taking longer than this is slow (default: none is)"},
    {.name = "slow_rate", .type = SIM_P_PROB, .offset = offsetof(cb_config, slow_rate),
     .def = "1", .help = "open when this share (> 0) of the window's calls was slow"},
    {.name = "window", .type = SIM_P_DURATION, .offset = offsetof(cb_config, window), .def = "10s",
     .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "time-based window: outcomes of the last `window` count"},
    {.name = "window_calls", .type = SIM_P_INT, .offset = offsetof(cb_config, window_calls),
     .min = 1, .max = 10000000,
     .help = "count-based window instead: the last N outcomes count (default: time-based)"},
    {.name = "min_calls", .type = SIM_P_INT, .offset = offsetof(cb_config, min_calls), .def = "10",
     .min = 1, .max = 1e9, .help = "no decision before the window holds this many outcomes"},
    {.name = "open_for", .type = SIM_P_DURATION, .offset = offsetof(cb_config, open_for),
     .def = "5s", .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "time spent open before half-open"},
    {.name = "half_open_calls", .type = SIM_P_INT,
     .offset = offsetof(cb_config, half_open_calls), .def = "3", .min = 1, .max = 1e6,
     .help = "trial calls let through half-open; all must be good to close, one bad re-opens"},
    {.name = "fallback", .type = SIM_P_ENUM, .offset = offsetof(cb_config, fallback),
     .def = "fail", .choices = fallback_names,
     .help = "answer to a short-circuited request: fail (FAILED at once) or default (OK)"},
    {.name = "settings", .type = SIM_P_REF, .offset = offsetof(cb_config, settings),
     .needs = DSIM_PROTO_SETTINGS, .flow = SIM_FLOW_NONE, .edge = "settings",
     .help = "settings_store read every `refresh` (default: none, the keys here rule)"},
    {.name = "refresh", .type = SIM_P_DURATION, .offset = offsetof(cb_config, refresh),
     .def = "5s", .min = 1000, .max = (double)SIM_TIME_MAX,
     .help = "period of the reads of `settings` (the first at time 0)"},
    {0},
};

static void cb_check(const void *config, sim_check *ck) {
    const cb_config *c = config;
    if (sim_check_given(ck, "window") && sim_check_given(ck, "window_calls"))
        sim_check_error(ck, "window_calls", "give 'window' (time-based) or 'window_calls' "
                                            "(count-based), not both");
    if (c->failure_rate <= 0)
        sim_check_error(ck, "failure_rate", "'failure_rate' must be > 0");
    if (c->slow_rate <= 0)
        sim_check_error(ck, "slow_rate", "'slow_rate' must be > 0");
    if (sim_check_given(ck, "slow_rate") && c->slow_call < 0)
        sim_check_error(ck, "slow_rate", "'slow_rate' goes with 'slow_call'");
    if (sim_check_given(ck, "refresh") && !sim_check_given(ck, "settings"))
        sim_check_error(ck, "refresh", "'refresh' goes with 'settings'");
}

static bool counts(const sim_node *n, const rr_req *r) { return sim_is_measured(n, r->issued); }

/* ---- the window ---- */

static void window_clear(cb_state *s) { s->head = s->count = s->nfail = s->nslow = 0; }

static void window_pop(cb_state *s) {
    const outcome *o = &s->ring[s->head];
    s->nfail -= o->failed;
    s->nslow -= o->slow;
    s->head = (s->head + 1) % s->cap;
    s->count--;
}

/* Adds an outcome, first dropping those that left the window. Returns -1 when out of memory. */
static int window_push(const cb_config *c, cb_state *s, sim_time now, bool failed, bool slow) {
    if (c->window_calls > 0) {
        if (s->count == s->cap)
            window_pop(s);
    } else {
        while (s->count && s->ring[s->head].at <= now - c->window)
            window_pop(s);
    }
    if (s->count == s->cap) { /* time-based only: grow, unrolling the ring */
        size_t cap = s->cap ? 2 * s->cap : 64;
        outcome *ring = malloc(cap * sizeof *ring);
        if (!ring)
            return -1;
        for (size_t i = 0; i < s->count; i++)
            ring[i] = s->ring[(s->head + i) % s->cap];
        free(s->ring);
        s->ring = ring;
        s->cap = cap;
        s->head = 0;
    }
    s->ring[(s->head + s->count) % s->cap] = (outcome){now, failed, slow};
    s->count++;
    s->nfail += failed;
    s->nslow += slow;
    return 0;
}

/* True when the window says open: enough outcomes, and a rate at its threshold. The rates are
 * compared as quotients, so that 3 failures of 10 meet a threshold written 0.3. */
static bool window_trips(const cb_config *c, const cb_state *s) {
    uint64_t min = (uint64_t)c->min_calls;
    if (c->window_calls > 0 && min > (uint64_t)c->window_calls)
        min = (uint64_t)c->window_calls;
    if (s->count < min || s->count == 0)
        return false;
    double n = (double)s->count;
    return (double)s->nfail / n >= s->failure_rate ||
           (c->slow_call >= 0 && (double)s->nslow / n >= s->slow_rate);
}

/* ---- states ---- */

static void go(sim_node *n, cb_mode to) {
    cb_state *s = sim_state(n);
    sim_time now = sim_now(n);
    s->in_mode[s->mode] += now - s->since;
    s->since = now;
    s->mode = to;
    s->gen++;
    if (s->nlog < CHANGES_LISTED)
        s->log[s->nlog++] = (change){now, to};
    else
        s->log_omitted++;
    switch (to) {
    case CB_OPEN:
        s->opens++;
        sim_set_timer(n, s->open_for, T_OPEN_END, s->gen);
        break;
    case CB_HALF_OPEN:
        s->trials_sent = s->trials_ok = 0;
        break;
    case CB_CLOSED:
    case CB_FORCED_CLOSED:
        window_clear(s);
        break;
    default:
        break;
    }
}

/* Takes the outcome of a call sent in generation gen into the state machine. */
static void judge(sim_node *n, uint32_t gen, bool failed, bool slow) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    if (gen != s->gen)
        return;
    if (s->mode == CB_CLOSED) {
        if (window_push(c, s, sim_now(n), failed, slow))
            sim_out_of_memory(n);
        else if (window_trips(c, s))
            go(n, CB_OPEN);
    } else if (s->mode == CB_HALF_OPEN) {
        if (failed || slow)
            go(n, CB_OPEN);
        else if (++s->trials_ok >= c->half_open_calls)
            go(n, CB_CLOSED);
    }
}

/* ---- calls ---- */

static void short_circuit(sim_node *n, rr_req *r) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    bool measured = counts(n, r);
    if (measured)
        s->short_circuited++;
    if (c->fallback == FALLBACK_DEFAULT) {
        r->status = RR_OK;
        if (measured)
            s->fallbacks++;
    } else {
        r->status = RR_FAILED;
    }
    rr_reply(n, r);
}

static held *slot(const cb_state *s, uint32_t i) { return slot_table_at(&s->slots, i); }

/* Sends r's call to the backend and holds r until the reply or the timeout. */
static void forward(sim_node *n, rr_req *r) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    uint32_t i = slot_table_take(&s->slots);
    rr_req *call = rr_call_new(n, r);
    if (i == SLOT_NONE || sim_idmap_put(&s->out, call->id, i)) {
        sim_out_of_memory(n);
        rr_free(n, call);
        rr_free(n, r);
        return;
    }
    *slot(s, i) = (held){.parent = r, .sent = sim_now(n), .gen = s->gen};
    if (counts(n, r))
        s->calls++;
    uint64_t id = call->id;
    rr_send(n, sim_pick(n, &c->backend), call);
    if (c->timeout > 0)
        sim_set_timer(n, c->timeout, T_CALL_TIMEOUT, id);
}

static void arrive(sim_node *n, rr_req *r) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    r->arrived = sim_now(n);
    if (counts(n, r))
        s->requests++;
    bool pass = false;
    switch (s->mode) {
    case CB_CLOSED:
    case CB_FORCED_CLOSED:
        pass = true;
        break;
    case CB_HALF_OPEN:
        pass = s->trials_sent < c->half_open_calls;
        s->trials_sent += pass;
        break;
    case CB_OPEN:
    case CB_FORCED_OPEN:
    case CB_NSTATES:
        break;
    }
    if (pass)
        forward(n, r);
    else
        short_circuit(n, r);
}

/* Settles the held request of slot i: counts, judges, relays with the given status (a
 * backend's REJECTED goes back as such; both it and FAILED count as failures). */
static void settle(sim_node *n, uint32_t i, uint8_t status, bool timed_out) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    held h = *slot(s, i);
    slot_table_put(&s->slots, i);
    sim_time took = sim_now(n) - h.sent;
    bool failed = status != RR_OK, slow = c->slow_call >= 0 && took > c->slow_call;
    if (counts(n, h.parent)) {
        if (failed)
            s->failures++;
        else
            s->successes++;
        s->slow += slow;
        s->timed_out += timed_out;
        if (!timed_out && sim_hist_record(&s->call_time, took))
            sim_out_of_memory(n);
    }
    judge(n, h.gen, failed, slow);
    h.parent->status = status;
    if (timed_out) /* the breaker answers itself */
        rr_reply(n, h.parent);
    else
        rr_reply_sized(n, h.parent, h.reply_bytes);
}

/* ---- settings ---- */

static void apply_settings(sim_node *n, const breaker_settings *b) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    if (b->version <= s->version)
        return;
    sim_time stale = sim_now(n) - b->changed_at;
    s->version = b->version;
    s->applied++;
    s->stale_sum += (double)stale;
    if (stale > s->stale_max)
        s->stale_max = stale;
    s->failure_rate = b->failure_rate > 0 ? b->failure_rate : c->failure_rate;
    s->slow_rate = b->slow_rate > 0 ? b->slow_rate : c->slow_rate;
    s->open_for = b->open_for >= 0 ? b->open_for : c->open_for;
    bool forced = s->mode == CB_FORCED_OPEN || s->mode == CB_FORCED_CLOSED;
    if (b->force == BREAKER_FORCE_OPEN && s->mode != CB_FORCED_OPEN)
        go(n, CB_FORCED_OPEN);
    else if (b->force == BREAKER_FORCE_CLOSED && s->mode != CB_FORCED_CLOSED)
        go(n, CB_FORCED_CLOSED);
    else if (b->force == BREAKER_FORCE_NONE && forced)
        go(n, CB_CLOSED);
}

static void read_settings(sim_node *n) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    rr_req *r = settings_read_new(n);
    s->refreshes++;
    rr_send(n, sim_pick(n, &c->settings), r);
    sim_set_timer(n, c->refresh, T_REFRESH, 0);
}

/* ---- hooks ---- */

static void cb_receive(sim_node *n, sim_msg *m) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    rr_req *r = rr_of(m);
    uint64_t i;
    if (m->type == &rr_request_msg) {
        arrive(n, r);
        return;
    } else if (m->type != &rr_reply_msg) {
        /* not ours: dropped */
    } else if (sim_idmap_take(&s->out, r->id, &i)) {
        held *h = slot(s, (uint32_t)i);
        h->parent->kv.version = r->kv.version; /* what a read returned */
        h->reply_bytes = m->size;
        kv_take(&h->parent->kv, &r->kv);
        settle(n, (uint32_t)i, r->status, false);
    } else if (c->settings.count && m->src - c->settings.first < c->settings.count) {
        const breaker_settings *b = settings_of(r);
        if (r->status == RR_OK && b) {
            apply_settings(n, b);
        } else {
            s->refresh_failures++;
        }
    } else if (counts(n, r)) {
        s->late++; /* a call's reply after its timeout, or from before a crash */
    }
    sim_msg_free(n, m);
}

static void cb_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    cb_state *s = sim_state(n);
    uint64_t i;
    switch (tag) {
    case T_OPEN_END:
        if (s->mode == CB_OPEN && arg == s->gen)
            go(n, CB_HALF_OPEN);
        break;
    case T_CALL_TIMEOUT:
        if (sim_idmap_take(&s->out, arg, &i))
            settle(n, (uint32_t)i, RR_FAILED, true);
        break;
    case T_REFRESH:
        read_settings(n);
        break;
    }
}

static void use_own_settings(sim_node *n) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    s->failure_rate = c->failure_rate;
    s->slow_rate = c->slow_rate;
    s->open_for = c->open_for;
    s->version = 0;
}

static void cb_create(sim_node *n) {
    cb_state *s = sim_state(n);
    const cb_config *c = sim_config(n);
    sim_idmap_init(&s->out);
    sim_hist_init(&s->call_time);
    slot_table_init(&s->slots, sizeof(held));
    s->log = malloc(CHANGES_LISTED * sizeof *s->log);
    if (c->window_calls > 0) {
        s->cap = (size_t)c->window_calls;
        s->ring = malloc(s->cap * sizeof *s->ring);
    }
    if (!s->log || (c->window_calls > 0 && !s->ring)) {
        sim_out_of_memory(n);
        return;
    }
    use_own_settings(n);
    if (c->settings.count)
        sim_set_timer(n, 0, T_REFRESH, 0);
}

/* Crash: the held requests are dropped (their callers see a timeout, as with any crashed
 * node), and so is everything volatile: the window, the settings read from the store. The
 * breaker comes back closed. */
static void cb_crash(sim_node *n) {
    cb_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->slots.n; i++)
        rr_free(n, slot(s, i)->parent); /* NULL in a free slot */
    slot_table_clear(&s->slots);
    sim_idmap_clear(&s->out);
    use_own_settings(n);
    if (s->mode != CB_CLOSED)
        go(n, CB_CLOSED);
    window_clear(s);
}

static void cb_restart(sim_node *n) {
    const cb_config *c = sim_config(n);
    if (c->settings.count)
        sim_set_timer(n, 0, T_REFRESH, 0);
}

static bool has_timeout(const void *config) { return ((const cb_config *)config)->timeout > 0; }
static bool has_slow(const void *config) { return ((const cb_config *)config)->slow_call >= 0; }
static bool has_settings(const void *config) {
    return ((const cb_config *)config)->settings.count;
}

static const char *state_label(const void *state, const sim_node *n) {
    (void)n;
    return mode_names[((const cb_state *)state)->mode];
}

/* Time spent in mode m up to `at` (the current stay counted up to then). */
static double ms_in(const cb_state *s, cb_mode m, sim_time at) {
    sim_time t = s->in_mode[m];
    if (m == s->mode && at > s->since)
        t += at - s->since;
    return sim_time_ms(t);
}
static double ms_closed(const void *s, const sim_node *n, sim_time at) {
    (void)n;
    return ms_in(s, CB_CLOSED, at);
}
static double ms_open(const void *s, const sim_node *n, sim_time at) {
    (void)n;
    return ms_in(s, CB_OPEN, at);
}
static double ms_half_open(const void *s, const sim_node *n, sim_time at) {
    (void)n;
    return ms_in(s, CB_HALF_OPEN, at);
}
static double ms_forced_open(const void *s, const sim_node *n, sim_time at) {
    (void)n;
    return ms_in(s, CB_FORCED_OPEN, at);
}
static double ms_forced_closed(const void *s, const sim_node *n, sim_time at) {
    (void)n;
    return ms_in(s, CB_FORCED_CLOSED, at);
}

static double stale_mean(const void *state, const sim_node *n, sim_time at) {
    const cb_state *s = state;
    (void)n, (void)at;
    return s->applied ? s->stale_sum / 1e6 / (double)s->applied : 0;
}
static double stale_max(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return sim_time_ms(((const cb_state *)state)->stale_max);
}

/* For time series: the state at the interval's end as a number, in mode_names' order
 * (0 closed, 1 open, 2 half_open, 3 forced_open, 4 forced_closed). */
static double state_code(const void *state, const sim_node *n, sim_time at) {
    (void)n, (void)at;
    return (double)((const cb_state *)state)->mode;
}

/* The forced states exist only with a settings store. In time series, state_ms.* are the ms
 * spent in each state within the interval. */
static const sim_metric cb_metrics[] = {
    {"requests", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, requests)},
    {"calls", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, calls)},
    {"successes", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, successes)},
    {"failures", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, failures)},
    {"timed_out", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, timed_out), .shown = has_timeout},
    {"slow", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, slow), .shown = has_slow},
    {"late_replies", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, late)},
    {"short_circuited", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, short_circuited)},
    {"fallback_replies", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, fallbacks)},
    {"state", SIM_METRIC_LABEL, .label = state_label},
    {"opens", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, opens)},
    {"state_code", SIM_METRIC_GAUGE, .value = state_code, .series_only = true},
    {"state_ms.closed", SIM_METRIC_NUMBER, .value = ms_closed, .series = SIM_SERIES_DELTA},
    {"state_ms.open", SIM_METRIC_NUMBER, .value = ms_open, .series = SIM_SERIES_DELTA},
    {"state_ms.half_open", SIM_METRIC_NUMBER, .value = ms_half_open, .series = SIM_SERIES_DELTA},
    {"state_ms.forced_open", SIM_METRIC_NUMBER, .value = ms_forced_open, .shown = has_settings,
     .series = SIM_SERIES_DELTA},
    {"state_ms.forced_closed", SIM_METRIC_NUMBER, .value = ms_forced_closed,
     .shown = has_settings, .series = SIM_SERIES_DELTA},
    {"call_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(cb_state, call_time), .pct = SIM_PCT_SHORT},
    {"settings.refreshes", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, refreshes),
     .shown = has_settings},
    {"settings.refresh_failures", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, refresh_failures),
     .shown = has_settings},
    {"settings.applied", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, applied), .shown = has_settings},
    {"settings.version", SIM_METRIC_GAUGE, SIM_FIELD(cb_state, version), .shown = has_settings},
    {"settings.stale_ms.mean", SIM_METRIC_NUMBER, .value = stale_mean, .shown = has_settings},
    {"settings.stale_ms.max", SIM_METRIC_NUMBER, .value = stale_max, .shown = has_settings},
    {"changes_omitted", SIM_METRIC_COUNTER, SIM_FIELD(cb_state, log_omitted)},
    SIM_METRICS_END,
};

/* The log of state changes, an array. */
static void cb_report(const sim_node *n, sim_report *w) {
    const cb_state *s = sim_state_const(n);
    sim_report_open_array(w, "changes");
    for (size_t i = 0; i < s->nlog; i++) {
        sim_report_open(w, NULL);
        sim_report_number(w, "at_ms", sim_time_ms(s->log[i].at));
        sim_report_string(w, "to", mode_names[s->log[i].to]);
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void cb_destroy(sim_node *n) {
    cb_state *s = sim_state(n);
    sim_idmap_free(&s->out);
    sim_hist_free(&s->call_time);
    slot_table_free(&s->slots);
    free(s->ring);
    free(s->log);
}

static sim_memory_need cb_memory_need(const void *config, uint32_t group_count) {
    const cb_config *c = config;
    (void)group_count;
    /* The log of state changes (16 kB) fills only as the breaker changes state, which is growth
     * with the traffic; what is resident from the start is about its first page (measured). */
    sim_memory_need need = {.bytes = 4096};
    if (c->window_calls > 0) {
        need.bytes += (double)c->window_calls * sizeof(outcome);
        need.key = "window_calls", need.value = (double)c->window_calls;
    }
    return need;
}

const sim_kind dsim_circuit_breaker_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = cb_memory_need,
    .name = "circuit_breaker",
    .summary = "a proxy that stops calling a failing or slow backend (closed/open/half-open)",
    .config_size = sizeof(cb_config),
    .state_size = sizeof(cb_state),
    .params = cb_params,
    .serves = DSIM_PROTO_REQUEST,
    .check = cb_check,
    .create = cb_create,
    .receive = cb_receive,
    .timer = cb_timer,
    .crash = cb_crash,
    .restart = cb_restart,
    .metrics = cb_metrics,
    .report = cb_report,

    .destroy = cb_destroy,
};
