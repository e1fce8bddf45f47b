/* shard_router: a proxy that partitions keyed requests over `shards`. Each entry of `shards`
 * is one shard: a node, an instance, or a group (a shard's replicas; the router picks one of
 * its instances uniformly at random per request). A shard that handles its own replicas is a
 * single node such as a `load_balancer` in front of them. The key's owner is found by
 * `partition`:
 * - hash: the i-th active shard (in list order) with i = hash(key) mod N (modulo hashing);
 * - range: the key space 0 .. key_space-1 is cut into N contiguous ranges of (nearly) equal
 *   size, shard i owning [ceil(i K / N), ceil((i+1) K / N)); keys >= key_space go to the last;
 * - consistent_hash: a ring with `vnodes` points per shard (blocks/ring.h: Karger et al. 1997,
 *   virtual nodes as in Dynamo); the owner is the first point clockwise from hash(key) whose
 *   shard is active. Every shard listed has its points on the ring from the start, so adding
 *   a shard moves only the keys it takes over and removing one moves only its own keys.
 * hash(key) is ring_key_hash (SplitMix64's finaliser, twice).
 *
 * Membership changes at the times of `changes` ({at, add} or {at, remove}); a shard named by
 * an `add` starts inactive. At each change the router counts exactly, over the keys
 * 0 .. key_space-1, how many change owner, and logs it. The changes are configuration, not
 * state: they are computed when the router is created and take effect at their times even
 * across a crash of the router.
 *
 * Requests are relayed: the router keeps the request, remembers its reply_to under the
 * request's id, puts itself in its place and restores it when the shard's reply comes back,
 * so that it counts each shard's outcomes; one whose reply has not come back `timeout` after
 * it arrived is answered FAILED (blocks/relay.h says why). A request waits `service` at the router before it
 * is routed (the routing overhead; default none). A crash drops the requests in that delay
 * and the memory of where the others came from (their replies are then dropped).
 *
 * Not modelled: cross-shard requests (each request carries one key), rebalancing traffic
 * (the moved keys are counted, not copied), a shard's health (a request to a crashed shard
 * comes back FAILED from the network and is relayed as such). */
#include "hist.h"
#include "metrics.h"
#include "request.h"
#include "protocols.h"
#include "relay.h"
#include "ring.h"

#include <stdlib.h>
#include <string.h>

enum { T_FORWARD, T_CHANGE, T_TIMEOUT };

#define NONE UINT32_MAX

typedef enum { PART_HASH, PART_RANGE, PART_CONSISTENT_HASH } partition_kind;

static const char *const partition_names[] = {"hash", "range", "consistent_hash", NULL};

typedef struct shard_change {
    sim_time at;
    sim_ref add, remove; /* exactly one given (name non-NULL) */
} shard_change;

typedef struct router_config {
    sim_reflist shards;
    int partition; /* partition_kind */
    int64_t key_space;
    int64_t vnodes;
    sim_dist service; /* SIM_DIST_NONE: no delay */
    sim_time timeout; /* of a relayed request (blocks/relay.h) */
    sim_list changes; /* of shard_change, by non-decreasing `at` */
} router_config;

/* Which shards own keys: on[i] for shard i, and the active ones in list order. */
typedef struct membership {
    bool *on;
    uint32_t *order;
    uint32_t n;
} membership;

typedef struct shard {
    const sim_ref *ref;
    /* measured: requests issued after the warm-up */
    uint64_t requests, completed, failed, rejected, timed_out;
    uint64_t since_change; /* requests routed to it since the last change */
} shard;

typedef struct change_log {
    uint32_t shard;
    bool add;
    uint64_t moved; /* keys of 0 .. key_space-1 that changed owner */
} change_log;

typedef struct router_state {
    shard *sh;
    uint32_t ns;
    ring ring;          /* consistent_hash: points of every listed shard */
    membership now;     /* in force */
    change_log *log;    /* one per change, computed at creation */
    size_t applied;     /* changes in force */
    sim_time epoch;     /* when the last change in force was made (0: none) */
    relay rl; /* requests passing through; a slot's target is its shard */
    uint64_t routed;
} router_state;

static const sim_param change_params[] = {
    {.name = "at", .type = SIM_P_DURATION, .offset = offsetof(shard_change, at),
     .flags = SIM_PARAM_REQUIRED, .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "when the membership changes"},
    {.name = "add", .type = SIM_P_REF, .offset = offsetof(shard_change, add),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_NONE, .flags = SIM_PARAM_NO_EDGE,
     .help = "a shard (as written in `shards`) that starts owning keys; it is inactive before"},
    {.name = "remove", .type = SIM_P_REF, .offset = offsetof(shard_change, remove),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_NONE, .flags = SIM_PARAM_NO_EDGE,
     .help = "a shard (as written in `shards`) that stops owning keys"},
    {0},
};

static const sim_param router_params[] = {
    {.name = "shards", .type = SIM_P_REFLIST, .offset = offsetof(router_config, shards),
     .needs = DSIM_PROTO_REQUEST, .flow = SIM_FLOW_ONE, .edge = "shard",
     .flags = SIM_PARAM_REQUIRED,
     .help = "the shards in order, one per entry: a node, an instance, or a group (one of its "
             "instances is picked at random per request)"},
    {.name = "partition", .type = SIM_P_ENUM, .offset = offsetof(router_config, partition),
     .def = "hash", .choices = partition_names,
     .help = "hash (hash(key) mod N), range (contiguous key ranges) or consistent_hash (ring)"},
    {.name = "key_space", .type = SIM_P_INT, .offset = offsetof(router_config, key_space),
     .def = "100000", .min = 1, .max = 1e8,
     .help = "keys 0 .. key_space-1: the ranges of `range` (required there) and the keys "
             "counted when membership changes; match the clients' keys n"},
    {.name = "vnodes", .type = SIM_P_INT, .offset = offsetof(router_config, vnodes),
     .def = "100", .min = 1, .max = 100000,
     .help = "consistent_hash: virtual nodes per shard on the ring"},
    {.name = "service", .type = SIM_P_DIST, .offset = offsetof(router_config, service),
     .help = "routing delay added to each request (default 0s)"},
    {.name = "timeout", .type = SIM_P_DURATION, .offset = offsetof(router_config, timeout),
     .def = "30s", .min = 1, .max = (double)SIM_TIME_MAX,
     .help = "a request whose reply has not come back by then is answered failed (its reply "
             "may have been lost downstream)"},
    {.name = "changes", .type = SIM_P_LIST, .offset = offsetof(router_config, changes),
     .item = change_params, .item_size = sizeof(shard_change),
     .help = "membership changes [{at: D, add: SHARD} or {at: D, remove: SHARD}] by "
             "non-decreasing time; a shard named by an add starts inactive (default: none)"},
    {0},
};

/* Index of the shard written as name, or NONE. */
static uint32_t shard_named(const router_config *c, const char *name) {
    for (size_t i = 0; i < c->shards.n; i++)
        if (strcmp(c->shards.refs[i].name, name) == 0)
            return (uint32_t)i;
    return NONE;
}

static bool is_add(const shard_change *ch) { return ch->add.name != NULL; }

static void router_check(const void *config, sim_check *ck) {
    const router_config *c = config;
    const shard_change *ch = c->changes.items;
    if (c->partition == PART_RANGE && !sim_check_given(ck, "key_space"))
        sim_check_error(ck, "key_space", "'partition: range' needs 'key_space' (the number of "
                                         "keys, 0 .. n-1)");
    if (sim_check_given(ck, "vnodes") && c->partition != PART_CONSISTENT_HASH)
        sim_check_error(ck, "vnodes", "'vnodes' goes with 'partition: consistent_hash'");
    if (c->shards.n == 0)
        sim_check_error(ck, "shards", "shards: list at least one shard");
    for (size_t i = 0; i < c->shards.n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->shards.refs[i].name, c->shards.refs[j].name) == 0)
                sim_check_error(ck, "shards", "shards: '%s' is listed twice",
                                c->shards.refs[i].name);
    bool *on = calloc(c->shards.n ? c->shards.n : 1, sizeof *on);
    if (!on)
        return;
    for (size_t i = 0; i < c->shards.n; i++)
        on[i] = true;
    bool bad = false;
    for (size_t i = 0; i < c->changes.n; i++) {
        if ((ch[i].add.name != NULL) == (ch[i].remove.name != NULL)) {
            sim_check_error(ck, "changes", "changes[%zu]: give exactly one of 'add' and "
                                           "'remove'", i);
            bad = true;
            continue;
        }
        if (i > 0 && ch[i].at < ch[i - 1].at)
            sim_check_error(ck, "changes", "changes[%zu]: 'at' is earlier than the change "
                                           "before it", i);
        const char *name = is_add(&ch[i]) ? ch[i].add.name : ch[i].remove.name;
        if (shard_named(c, name) == NONE) {
            sim_check_error(ck, "changes", "changes[%zu]: '%s' is not one of the shards (as "
                                           "written there)", i, name);
            bad = true;
        } else if (is_add(&ch[i])) {
            on[shard_named(c, name)] = false;
        }
    }
    size_t active = 0;
    for (size_t i = 0; i < c->shards.n; i++)
        active += on[i];
    if (!bad && c->shards.n && active == 0)
        sim_check_error(ck, "changes", "every shard is added by a change: at least one must "
                                       "own keys from the start");
    /* Play the changes: an add of an active shard, a remove of an inactive one or of the
     * last active one is an error. */
    for (size_t i = 0; i < c->changes.n && !bad && active; i++) {
        uint32_t b = shard_named(c, is_add(&ch[i]) ? ch[i].add.name : ch[i].remove.name);
        if (is_add(&ch[i]) && on[b])
            sim_check_error(ck, "changes", "changes[%zu]: '%s' already owns keys then", i,
                            c->shards.refs[b].name);
        else if (!is_add(&ch[i]) && !on[b])
            sim_check_error(ck, "changes", "changes[%zu]: '%s' owns no keys then", i,
                            c->shards.refs[b].name);
        else if (!is_add(&ch[i]) && active == 1)
            sim_check_error(ck, "changes", "changes[%zu]: removing '%s' leaves no shard", i,
                            c->shards.refs[b].name);
        else {
            on[b] = is_add(&ch[i]);
            active += is_add(&ch[i]) ? 1 : (size_t)-1;
        }
    }
    free(on);
}

/* ---- partitioning ---- */

/* Recomputes the active list from on[]. */
static void members_sync(membership *m, uint32_t ns) {
    m->n = 0;
    for (uint32_t i = 0; i < ns; i++)
        if (m->on[i])
            m->order[m->n++] = i;
}

static void members_set(membership *m, uint32_t ns, uint32_t b, bool on) {
    m->on[b] = on;
    members_sync(m, ns);
}

/* The shard owning key under membership m (m->n >= 1). */
static uint32_t owner(const router_config *c, const ring *r, const membership *m, uint64_t key) {
    switch ((partition_kind)c->partition) {
    case PART_HASH:
        return m->order[ring_key_hash(key) % m->n];
    case PART_RANGE: {
        uint64_t k = (uint64_t)c->key_space;
        /* Shard i owns [ceil(i K/N), ceil((i+1) K/N)): i = floor(key N / K). */
        return m->order[key >= k ? m->n - 1 : (uint32_t)(key * m->n / k)];
    }
    case PART_CONSISTENT_HASH:
        for (size_t k = 0, i = ring_find(r, ring_key_hash(key)); k < r->n; k++) {
            uint32_t b = r->e[(i + k) % r->n].owner;
            if (m->on[b])
                return b;
        }
        break;
    }
    return m->order[0];
}

/* ---- relaying ---- */

/* Routes the request of slot i to its key's shard. */
static void forward(sim_node *n, size_t i, rr_req *r) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    uint32_t b = owner(c, &s->ring, &s->now, r->kv.key);
    relay_at(&s->rl, i)->target = b;
    if (sim_is_measured(n, r->issued)) {
        s->routed++;
        s->sh[b].requests++;
        s->sh[b].since_change++;
    }
    rr_send(n, sim_pick(n, s->sh[b].ref), r);
}

static void arrive(sim_node *n, rr_req *r, uint32_t src) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    size_t i = relay_arrive(&s->rl, n, r, src, &c->service, T_FORWARD);
    if (i != SIZE_MAX && i != RELAY_HELD)
        forward(n, i, r);
}

static void returned(sim_node *n, rr_req *r) {
    router_state *s = sim_state(n);
    size_t i = relay_slot_of(&s->rl, r);
    if (i == SIZE_MAX) {
        rr_free(n, r); /* sent before the router crashed: the sender is forgotten */
        return;
    }
    if (sim_is_measured(n, r->issued)) {
        shard *sh = &s->sh[relay_at(&s->rl, i)->target];
        if (r->status == RR_OK)
            sh->completed++;
        else if (r->status == RR_REJECTED)
            sh->rejected++;
        else
            sh->failed++;
    }
    relay_answer(&s->rl, n, i, r);
}

static void router_receive(sim_node *n, sim_msg *m) {
    if (m->type == &rr_request_msg)
        arrive(n, rr_of(m), m->src);
    else if (m->type == &rr_reply_msg)
        returned(n, rr_of(m));
    else
        sim_msg_free(n, m);
}

/* ---- membership ---- */

/* Puts in force every change made by now. */
static void catch_up(sim_node *n) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    const shard_change *ch = c->changes.items;
    sim_time now = sim_now(n);
    bool changed = false;
    while (s->applied < c->changes.n && ch[s->applied].at <= now) {
        const change_log *l = &s->log[s->applied];
        members_set(&s->now, s->ns, l->shard, l->add);
        s->epoch = ch[s->applied].at;
        s->applied++;
        changed = true;
    }
    for (uint32_t b = 0; b < s->ns && changed; b++)
        s->sh[b].since_change = 0;
}

static void arm_changes(sim_node *n) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    const shard_change *ch = c->changes.items;
    catch_up(n);
    for (size_t i = s->applied; i < c->changes.n; i++)
        sim_set_timer(n, ch[i].at - sim_now(n), T_CHANGE, i);
}

static void router_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    router_state *s = sim_state(n);
    rr_req *r;
    if (tag == T_FORWARD && (r = relay_release(&s->rl, arg))) {
        forward(n, arg, r);
    } else if (tag == T_CHANGE) {
        catch_up(n);
    } else if (tag == T_TIMEOUT) {
        for (size_t i; (i = relay_next_expired(&s->rl, n)) != SIZE_MAX;) {
            const relay_slot *sl = relay_at(&s->rl, i);
            if (sl->target != RELAY_NONE && sim_is_measured(n, sl->head.issued))
                s->sh[sl->target].timed_out++;
            relay_time_out(&s->rl, n, i);
        }
    }
}

/* ---- life cycle ---- */

static int members_init(membership *m, uint32_t ns) {
    m->on = calloc(ns ? ns : 1, sizeof *m->on);
    m->order = calloc(ns ? ns : 1, sizeof *m->order);
    m->n = 0;
    return m->on && m->order ? 0 : -1;
}

static void members_free(membership *m) {
    free(m->on);
    free(m->order);
    m->on = NULL;
    m->order = NULL;
}

/* Fills the change log: for each change, the exact count of keys 0 .. key_space-1 whose owner
 * differs before and after it. Returns 0, or -1 when out of memory. */
static int plan_changes(sim_node *n) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    const shard_change *ch = c->changes.items;
    membership before, after;
    int rc = -1;
    s->log = calloc(c->changes.n ? c->changes.n : 1, sizeof *s->log);
    if (!s->log || members_init(&before, s->ns) || members_init(&after, s->ns))
        goto out;
    for (uint32_t b = 0; b < s->ns; b++)
        before.on[b] = true;
    for (size_t i = 0; i < c->changes.n; i++)
        if (is_add(&ch[i]))
            before.on[shard_named(c, ch[i].add.name)] = false;
    members_sync(&before, s->ns);
    memcpy(s->now.on, before.on, s->ns * sizeof *before.on);
    members_sync(&s->now, s->ns);
    memcpy(after.on, before.on, s->ns * sizeof *before.on);
    for (size_t i = 0; i < c->changes.n; i++) {
        change_log *l = &s->log[i];
        l->add = is_add(&ch[i]);
        l->shard = shard_named(c, l->add ? ch[i].add.name : ch[i].remove.name);
        members_set(&after, s->ns, l->shard, l->add);
        for (uint64_t k = 0; k < (uint64_t)c->key_space; k++)
            l->moved += owner(c, &s->ring, &before, k) != owner(c, &s->ring, &after, k);
        members_set(&before, s->ns, l->shard, l->add);
    }
    rc = 0;
out:
    members_free(&before);
    members_free(&after);
    return rc;
}

static void router_create(sim_node *n) {
    router_state *s = sim_state(n);
    const router_config *c = sim_config(n);
    relay_init(&s->rl, sizeof(relay_slot));
    relay_set_timeout(&s->rl, c->timeout, T_TIMEOUT);
    s->ns = (uint32_t)c->shards.n;
    s->sh = calloc(s->ns ? s->ns : 1, sizeof *s->sh);
    if (!s->sh || members_init(&s->now, s->ns)) {
        sim_out_of_memory(n);
        return;
    }
    for (uint32_t b = 0; b < s->ns; b++)
        s->sh[b].ref = &c->shards.refs[b];
    if ((c->partition == PART_CONSISTENT_HASH &&
         ring_build(&s->ring, s->ns, (uint32_t)c->vnodes)) ||
        plan_changes(n)) {
        sim_out_of_memory(n);
        return;
    }
    arm_changes(n);
}

static void router_crash(sim_node *n) {
    router_state *s = sim_state(n);
    relay_clear(&s->rl, n);
}

static const char *partition_label(const void *state, const sim_node *n) {
    (void)state;
    return partition_names[((const router_config *)sim_config(n))->partition];
}

static bool has_delay(const void *config) {
    return ((const router_config *)config)->service.kind != SIM_DIST_NONE;
}
static bool has_changes(const void *config) {
    return ((const router_config *)config)->changes.n;
}

/* The latest change's, so that it shows in the summary. */
static double moved_fraction(const void *state, const sim_node *n, sim_time at) {
    const router_state *s = state;
    const router_config *c = sim_config(n);
    (void)at;
    return s->applied ? (double)s->log[s->applied - 1].moved / (double)c->key_space : 0;
}

/* Skew over the shards in force, from the requests routed since the last change (or the
 * warm-up end): max share / mean share = max count * N / total. */
static double skew(const void *state, const sim_node *n, sim_time at) {
    const router_state *s = state;
    (void)n, (void)at;
    uint64_t total = 0, max = 0;
    for (uint32_t i = 0; i < s->now.n; i++) {
        uint64_t k = s->sh[s->now.order[i]].since_change;
        total += k;
        max = k > max ? k : max;
    }
    return total ? (double)max * s->now.n / (double)total : 0;
}

static double skew_since_ms(const void *state, const sim_node *n, sim_time at) {
    const router_state *s = state;
    (void)at;
    sim_time since = s->epoch > sim_warmup_end(n) ? s->epoch : sim_warmup_end(n);
    return (double)since / 1e6;
}

static const sim_metric router_metrics[] = {
    {"partition", SIM_METRIC_LABEL, .label = partition_label},
    {"requests", SIM_METRIC_COUNTER, SIM_FIELD(router_state, rl.requests)},
    {"routed", SIM_METRIC_COUNTER, SIM_FIELD(router_state, routed)},
    {"overhead_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(router_state, rl.overhead),
     .pct = SIM_PCT_SHORT, .shown = has_delay},
    {"active_shards", SIM_METRIC_GAUGE, SIM_FIELD(router_state, now.n)},
    {"moved_fraction", SIM_METRIC_NUMBER, .value = moved_fraction, .shown = has_changes},
    {"skew", SIM_METRIC_NUMBER, .value = skew},
    {"skew_since_ms", SIM_METRIC_NUMBER, .value = skew_since_ms},
    SIM_METRICS_END,
};

/* Per shard, keyed by its name, and the log of changes (an array). */
static void router_report(const sim_node *n, sim_report *w) {
    const router_state *s = sim_state_const(n);
    const router_config *c = sim_config(n);
    const shard_change *ch = c->changes.items;
    sim_report_open(w, "shards");
    for (uint32_t b = 0; b < s->ns; b++) {
        const shard *sh = &s->sh[b];
        sim_report_open(w, sh->ref->name);
        sim_report_int(w, "requests", (int64_t)sh->requests);
        sim_report_number(w, "share", s->routed ? (double)sh->requests / (double)s->routed : 0);
        sim_report_int(w, "completed", (int64_t)sh->completed);
        sim_report_int(w, "failed", (int64_t)sh->failed);
        sim_report_int(w, "rejected", (int64_t)sh->rejected);
        sim_report_int(w, "timed_out", (int64_t)sh->timed_out);
        sim_report_bool(w, "active", s->now.on[b]);
        if (c->changes.n)
            sim_report_int(w, "requests_since_change", (int64_t)sh->since_change);
        sim_report_close(w);
    }
    sim_report_close(w);
    if (!c->changes.n)
        return;
    sim_report_open_array(w, "changes");
    for (size_t i = 0; i < s->applied; i++) {
        const change_log *l = &s->log[i];
        sim_report_open(w, NULL);
        sim_report_number(w, "at_ms", (double)ch[i].at / 1e6);
        sim_report_string(w, "action", l->add ? "add" : "remove");
        sim_report_string(w, "shard", c->shards.refs[l->shard].name);
        sim_report_int(w, "moved_keys", (int64_t)l->moved);
        sim_report_number(w, "moved_fraction", (double)l->moved / (double)c->key_space);
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void router_destroy(sim_node *n) {
    router_state *s = sim_state(n);
    free(s->sh);
    free(s->log);
    relay_free(&s->rl);
    members_free(&s->now);
    ring_free(&s->ring);
}

static sim_memory_need router_memory_need(const void *config, uint32_t group_count) {
    const router_config *c = config;
    (void)group_count;
    double ns = (double)c->shards.n;
    sim_memory_need need = {.bytes = ns * (sizeof(shard) + sizeof(bool) + sizeof(uint32_t)),
                            .report_bytes = 2100, /* measured */
                            .key = "shards",
                            .value = ns};
    if (c->partition == PART_CONSISTENT_HASH) {
        need.bytes += ns * (double)c->vnodes * sizeof(ring_entry);
        need.key = "vnodes", need.value = (double)c->vnodes;
    }
    return need;
}

const sim_kind dsim_shard_router_kind = {
    .version = SIM_KIND_VERSION,
    .memory_need = router_memory_need,
    .name = "shard_router",
    .summary = "partitions keyed requests over shards (hash, range, consistent hash) with "
               "timed membership changes",
    .config_size = sizeof(router_config),
    .state_size = sizeof(router_state),
    .params = router_params,
    .serves = DSIM_PROTO_REQUEST,
    .check = router_check,
    .create = router_create,
    .receive = router_receive,
    .timer = router_timer,
    .crash = router_crash,
    .restart = arm_changes,
    .metrics = router_metrics,
    .report = router_report,

    .destroy = router_destroy,
};
