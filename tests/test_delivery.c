/* The delivery checker (checkers/deliveries.h) on a hand-built history where every outcome
 * occurs, its document, and the consumer kind (models/async/consumer/) against a minimal
 * broker written here: deterministic timelines, checked exactly. */
#include "support.h"

#include "deliveries.h" /* checkers/: the delivery checker */
#include "async/consumer/frontier.h"
#include "delivery.h" /* protocols/ */
#include "engine.h"
#include "json_report.h"
#include "loader.h"
#include "metrics.h"
#include "models.h"
#include "protocols.h"
#include "summary.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000LL

/* ---- a sim_report that builds a cJSON tree, to read the checker's figures by path ---- */

typedef struct tree {
    cJSON *stack[16];
    int depth;
} tree;

static void tr_add(tree *t, const char *key, cJSON *item) {
    cr_assert(t->depth > 0);
    cJSON_AddItemToObject(t->stack[t->depth - 1], key, item);
}
static void tr_open(void *ud, const char *key) {
    tree *t = ud;
    cJSON *o = cJSON_CreateObject();
    if (t->depth > 0)
        tr_add(t, key, o);
    cr_assert(t->depth < 16);
    t->stack[t->depth++] = o;
}
static void tr_close(void *ud) {
    tree *t = ud;
    if (t->depth > 1) /* the root stays for the caller */
        t->depth--;
}
static void tr_number(void *ud, const char *key, double v) {
    tr_add(ud, key, cJSON_CreateNumber(v));
}
static void tr_int(void *ud, const char *key, int64_t v) {
    tr_add(ud, key, cJSON_CreateNumber((double)v));
}
static void tr_string(void *ud, const char *key, const char *v) {
    tr_add(ud, key, cJSON_CreateString(v));
}
static void tr_bool(void *ud, const char *key, bool v) { tr_add(ud, key, cJSON_CreateBool(v)); }

/* The checker's document, as the engine writes it: {"delivery": {...}}. */
static cJSON *document(const delivery_checker *dc) {
    static const sim_report_ops ops = {.version = 1,
                                       .open_object = tr_open,
                                       .open_array = tr_open,
                                       .close = tr_close,
                                       .number = tr_number,
                                       .integer = tr_int,
                                       .string = tr_string,
                                       .boolean = tr_bool};
    tree t = {0};
    sim_report w = {&ops, &t};
    tr_open(&t, NULL);
    sim_report_open(&w, dsim_delivery_checker.name);
    dsim_delivery_checker.report(dc, &w);
    sim_report_close(&w);
    return t.stack[0];
}

/* The count key of the group at path ("delivery.groups.q"). */
static long long count(const cJSON *doc, const char *path, const char *key) {
    char p[128];
    snprintf(p, sizeof p, "%s.%s", path, key);
    return t_int(doc, p);
}

/* The identity of delivery.h for the group at path, and lost as the sum of its kinds. */
static void expect_identity(const cJSON *doc, const char *path) {
    long long parts = count(doc, path, "processed_once") + count(doc, path, "processed_more") +
                      count(doc, path, "lost") + count(doc, path, "dead_lettered") +
                      count(doc, path, "missed") + count(doc, path, "pending");
    cr_expect_eq(count(doc, path, "acknowledged"), parts, "the identity holds in %s", path);
    long long lost = count(doc, path, "dropped") + count(doc, path, "expired") +
                     count(doc, path, "crash_lost") + count(doc, path, "vanished");
    cr_expect_eq(count(doc, path, "lost"), lost, "lost is the sum of its kinds in %s", path);
}

/* ---- the hand-built history ---- */

enum { Q = 7, S = 8, P = 9, Q2 = 10 }; /* broker node ids */

static uint64_t accept(delivery_checker *dc, uint32_t broker, uint32_t part, uint64_t off,
                       sim_time at, bool measured) {
    uint64_t id;
    cr_assert_eq(delivery_accepted(dc, broker, part, off, at, measured, &id), 0);
    return id;
}

static void processed(delivery_checker *dc, uint32_t g, uint64_t msg, sim_time at) {
    cr_assert_eq(delivery_processed(dc, g, msg, at), 0);
}

static void decided(delivery_checker *dc, uint32_t g, uint64_t msg, delivery_fate f) {
    cr_assert_eq(delivery_decided(dc, g, msg, f), 0);
}

typedef struct history {
    delivery_checker *dc;
    uint32_t q, g1, s, g2, q2;
    uint64_t undecided; /* a queue message nobody said anything of */
} history;

/* A queue with one message of every fate (and the precedence cases), refused publishes. */
static void queue_history(history *h) {
    delivery_checker *dc = h->dc;
    cr_assert_eq(delivery_group_open(dc, Q, DELIVERY_QUEUE, "q", true, &h->q), 0);
    uint64_t m[12];
    for (int i = 1; i <= 11; i++)
        m[i] = accept(dc, Q, 0, (uint64_t)i, i * MS, i != 10); /* m10: in the warm-up */
    processed(dc, h->q, m[1], 11 * MS);                        /* once, 10 ms after acceptance */
    processed(dc, h->q, m[2], 22 * MS); /* three times: 2 extra, first at 20 ms */
    processed(dc, h->q, m[2], 40 * MS);
    processed(dc, h->q, m[2], 50 * MS);
    decided(dc, h->q, m[3], DELIVERY_DROPPED);
    decided(dc, h->q, m[4], DELIVERY_EXPIRED);
    decided(dc, h->q, m[5], DELIVERY_CRASH_LOST);
    h->undecided = m[6]; /* vanished */
    decided(dc, h->q, m[7], DELIVERY_DEAD_LETTERED);
    decided(dc, h->q, m[8], DELIVERY_PENDING);
    processed(dc, h->q, m[9], 39 * MS); /* processed, then a later fate: processing prevails */
    decided(dc, h->q, m[9], DELIVERY_EXPIRED);
    processed(dc, h->q, m[10], 60 * MS);        /* unmeasured: not counted, no delay */
    decided(dc, h->q, m[11], DELIVERY_DROPPED); /* a later fate overrides an earlier one */
    decided(dc, h->q, m[11], DELIVERY_DEAD_LETTERED);
    delivery_refused(dc, Q, true);
    delivery_refused(dc, Q, true);
    delivery_refused(dc, Q, false);
}

/* A stream, partitions 0 and 1: group g1 processes partition 0 out of order (offset 1 after
 * 2: one violation; a second processing of 0 after 2 is no violation, it is not a first),
 * partition 1 after 0's offset 2 (another partition: no violation); g2, opened later with the
 * whole log, processes in order. */
static void stream_history(history *h) {
    delivery_checker *dc = h->dc;
    cr_assert_eq(delivery_group_open(dc, S, DELIVERY_STREAM, "g1", true, &h->g1), 0);
    uint64_t s0 = accept(dc, S, 0, 0, 100 * MS, true), s1 = accept(dc, S, 0, 1, 101 * MS, true);
    uint64_t s2 = accept(dc, S, 0, 2, 102 * MS, true), t0 = accept(dc, S, 1, 0, 103 * MS, true);
    processed(dc, h->g1, s0, 110 * MS);
    processed(dc, h->g1, s2, 111 * MS);
    processed(dc, h->g1, s1, 112 * MS);
    processed(dc, h->g1, s0, 113 * MS);
    processed(dc, h->g1, t0, 114 * MS);
    /* pub/sub: p1 before the subscriber's group opened (not covered), p2 missed, p3 once */
    uint64_t p1 = accept(dc, P, 0, 1, 200 * MS, true);
    cr_assert_eq(delivery_group_open(dc, P, DELIVERY_PUBSUB, "sub.0", false, &h->s), 0);
    uint64_t p2 = accept(dc, P, 0, 2, 201 * MS, true), p3 = accept(dc, P, 0, 3, 202 * MS, true);
    processed(dc, h->s, p1, 205 * MS); /* not its message: ignored */
    decided(dc, h->s, p2, DELIVERY_MISSED);
    processed(dc, h->s, p3, 206 * MS);
    /* opened after the pub/sub group: groups come in opening order */
    cr_assert_eq(delivery_group_open(dc, S, DELIVERY_STREAM, "g2", true, &h->g2), 0);
    processed(dc, h->g2, s0, 300 * MS);
    processed(dc, h->g2, s1, 301 * MS);
    processed(dc, h->g2, s2, 302 * MS);
    decided(dc, h->g2, t0, DELIVERY_PENDING);
    cr_expect_eq(delivery_processings(dc, h->g1, s0), 2);
    cr_expect_eq(delivery_processings(dc, h->s, p1), 0, "a message before the group opened");
    cr_expect_eq(delivery_processings(dc, h->g2, t0), 0);
}

static history build_history(void) {
    history h = {.dc = delivery_new()};
    cr_assert(h.dc);
    queue_history(&h);
    stream_history(&h);
    /* A second broker with a group of the same name (a replicated queue). */
    cr_assert_eq(delivery_group_open(h.dc, Q2, DELIVERY_QUEUE, "q", true, &h.q2), 0);
    uint32_t again;
    cr_assert_eq(delivery_group_open(h.dc, Q, DELIVERY_QUEUE, "q", true, &again), 0);
    cr_expect_eq(again, h.q, "opening a group again gives the same id");
    return h;
}

Test(delivery, checker_counts_every_outcome_and_the_identity_holds) {
    history h = build_history();
    cr_assert_eq(delivery_settle(h.dc), 0);
    cJSON *doc = document(h.dc);
    cr_expect_eq(t_int(doc, "delivery.acknowledged"), 10 + 4 + 3, "measured, every broker");
    cr_expect_eq(t_int(doc, "delivery.refused"), 2, "the measured ones");
    const char *q = "delivery.groups.q";
    cr_expect_str_eq(t_str(doc, "delivery.groups.q.kind"), "queue");
    cr_expect_str_eq(t_str(doc, "delivery.groups.q.broker"), "7", "no topology: its index");
    static const struct {
        const char *key;
        long long want;
    } queue_counts[] = {
        {"acknowledged", 10},     {"processed_once", 2}, {"processed_more", 1},
        {"extra_processings", 2}, {"lost", 4},           {"dropped", 1},
        {"expired", 1},           {"crash_lost", 1},     {"vanished", 1},
        {"dead_lettered", 2},     {"missed", 0},         {"pending", 1},
        {"order_violations", 0},
    };
    for (size_t i = 0; i < sizeof queue_counts / sizeof *queue_counts; i++) {
        char p[96];
        snprintf(p, sizeof p, "%s.%s", q, queue_counts[i].key);
        cr_expect_eq(t_int(doc, p), queue_counts[i].want, "%s", p);
    }
    /* Delays 10, 20 and 30 ms (m10 is unmeasured): exact mean and max; the median within
     * the histogram's 0.4%. */
    cr_expect_float_eq(t_num(doc, "delivery.groups.q.delay_ms.mean"), 20.0, 1e-9);
    cr_expect_float_eq(t_num(doc, "delivery.groups.q.delay_ms.max"), 30.0, 1e-9);
    cr_expect_float_eq(t_num(doc, "delivery.groups.q.delay_ms.p50"), 20.0, 20.0 * 0.004);
    expect_identity(doc, q);
    cJSON_Delete(doc);
    delivery_free(h.dc);
}

Test(delivery, checker_judges_streams_and_pubsub_per_group) {
    history h = build_history();
    cr_assert_eq(delivery_settle(h.dc), 0);
    cJSON *doc = document(h.dc);
    cr_expect_str_eq(t_str(doc, "delivery.groups.g1.kind"), "stream");
    cr_expect_eq(t_int(doc, "delivery.groups.g1.acknowledged"), 4);
    cr_expect_eq(t_int(doc, "delivery.groups.g1.processed_once"), 3);
    cr_expect_eq(t_int(doc, "delivery.groups.g1.processed_more"), 1);
    cr_expect_eq(t_int(doc, "delivery.groups.g1.extra_processings"), 1);
    cr_expect_eq(t_int(doc, "delivery.groups.g1.order_violations"), 1);
    /* g2 opened after every stream message, with the whole log: it covers them all. */
    cr_expect_eq(t_int(doc, "delivery.groups.g2.acknowledged"), 4);
    cr_expect_eq(t_int(doc, "delivery.groups.g2.processed_once"), 3);
    cr_expect_eq(t_int(doc, "delivery.groups.g2.pending"), 1);
    cr_expect_eq(t_int(doc, "delivery.groups.g2.order_violations"), 0);
    /* The subscriber opened after p1 without the whole log: p1 is not its message. */
    cr_expect_str_eq(t_str(doc, "delivery.groups.sub.0.kind"), "pubsub");
    const cJSON *groups = t_at(doc, "delivery.groups");
    const cJSON *sub = t_get(groups, "sub.0");
    cr_expect_eq(t_int(sub, "acknowledged"), 2);
    cr_expect_eq(t_int(sub, "missed"), 1);
    cr_expect_eq(t_int(sub, "processed_once"), 1);
    cr_expect_eq(t_int(sub, "lost"), 0);
    expect_identity(doc, "delivery.groups.g1");
    expect_identity(doc, "delivery.groups.g2");
    cJSON_Delete(doc);
    delivery_free(h.dc);
}

Test(delivery, document_has_its_keys_in_order_and_groups_in_opening_order) {
    history h = build_history();
    cr_assert_eq(delivery_settle(h.dc), 0);
    cJSON *doc = document(h.dc);
    char keys[1024] = "";
    for (const cJSON *c = t_at(doc, "delivery")->child; c; c = c->next)
        strcat(strcat(keys, c->string), ",");
    cr_expect_str_eq(keys, "acknowledged,refused,groups,");
    keys[0] = 0;
    for (const cJSON *c = t_at(doc, "delivery.groups")->child; c; c = c->next)
        strcat(strcat(keys, c->string), ",");
    cr_expect_str_eq(keys, "q,g1,sub.0,g2,q@10,", "a repeated name is told by its broker");
    keys[0] = 0;
    for (const cJSON *c = t_at(doc, "delivery.groups.q")->child; c; c = c->next)
        strcat(strcat(keys, c->string), ",");
    cr_expect_str_eq(keys, "kind,broker,acknowledged,processed_once,processed_more,"
                           "extra_processings,lost,dropped,expired,crash_lost,vanished,"
                           "dead_lettered,missed,pending,order_violations,delay_ms,");
    keys[0] = 0;
    for (const cJSON *c = t_at(doc, "delivery.groups.q.delay_ms")->child; c; c = c->next)
        strcat(strcat(keys, c->string), ",");
    cr_expect_str_eq(keys, "mean,p50,p99,max,");
    /* Every numeric key the document has is among the declared figures. */
    const char *const *fig = dsim_delivery_checker.figures;
    for (const cJSON *c = t_at(doc, "delivery.groups.q")->child; c; c = c->next) {
        if (!cJSON_IsNumber(c))
            continue;
        char want[96];
        snprintf(want, sizeof want, "groups.*.%s", c->string);
        bool found = false;
        for (size_t i = 0; fig[i]; i++)
            found = found || strcmp(fig[i], want) == 0;
        cr_expect(found, "%s is declared", want);
    }
    cJSON_Delete(doc);
    delivery_free(h.dc);
}

Test(delivery, before_the_settle_an_undecided_message_is_pending_then_vanished) {
    history h = build_history();
    cJSON *mid = document(h.dc);
    cr_expect_eq(t_int(mid, "delivery.groups.q.pending"), 2, "m8 said pending, m6 in flight");
    cr_expect_eq(t_int(mid, "delivery.groups.q.vanished"), 0);
    expect_identity(mid, "delivery.groups.q");
    cJSON_Delete(mid);
    cr_assert_eq(delivery_settle(h.dc), 0);
    cJSON *end = document(h.dc);
    cr_expect_eq(t_int(end, "delivery.groups.q.pending"), 1);
    cr_expect_eq(t_int(end, "delivery.groups.q.vanished"), 1);
    cJSON_Delete(end);
    delivery_free(h.dc);
}

Test(delivery, checker_is_reported_once_anything_happened) {
    delivery_checker *dc = delivery_new();
    cr_assert(dc);
    cr_expect_not(dsim_delivery_checker.is_reported(dc));
    delivery_refused(dc, 3, false);
    cr_expect(dsim_delivery_checker.is_reported(dc), "even an unmeasured refusal");
    delivery_free(dc);
    dc = delivery_new();
    uint32_t g;
    cr_assert_eq(delivery_group_open(dc, 3, DELIVERY_PUBSUB, "s", false, &g), 0);
    cr_expect(dsim_delivery_checker.is_reported(dc), "a group opened");
    delivery_free(dc);
}

/* A million messages and three groups: the arrays grow, and the memory stays about 24 bytes
 * a message plus 4 per group and message (checked by the sanitizer build for leaks; here for
 * the counts). */
Test(delivery, a_million_messages_in_three_groups, .timeout = 60) {
    delivery_checker *dc = delivery_new();
    uint32_t g[3];
    for (int i = 0; i < 3; i++)
        cr_assert_eq(delivery_group_open(dc, 1, DELIVERY_STREAM, (const char *[]){"a", "b", "c"}[i],
                                         true, &g[i]),
                     0);
    for (uint64_t k = 0; k < 1000000; k++) {
        uint64_t id = accept(dc, 1, (uint32_t)(k % 4), k / 4, (sim_time)k, true);
        for (int i = 0; i < 3; i++)
            if ((k + (uint64_t)i) % 7)
                processed(dc, g[i], id, (sim_time)k + 5);
            else
                decided(dc, g[i], id, DELIVERY_PENDING);
    }
    cr_assert_eq(delivery_settle(dc), 0);
    cJSON *doc = document(dc);
    for (int i = 0; i < 3; i++) {
        char p[64];
        snprintf(p, sizeof p, "delivery.groups.%s", (const char *[]){"a", "b", "c"}[i]);
        expect_identity(doc, p);
    }
    cr_expect_eq(t_int(doc, "delivery.groups.a.acknowledged"), 1000000);
    cr_expect_eq(t_int(doc, "delivery.groups.a.pending"), 142858, "k = 0 mod 7");
    cr_expect_eq(t_int(doc, "delivery.groups.a.order_violations"), 0);
    cJSON_Delete(doc);
    delivery_free(dc);
}

/* ---- the commit frontier ---- */

Test(delivery, frontier_waits_for_an_earlier_message_still_in_hand) {
    consumer_frontier f;
    cf_init(&f);
    for (uint64_t o = 5; o <= 7; o++)
        cr_assert_eq(cf_delivered(&f, 2, o), 0);
    uint64_t off;
    uint32_t gen;
    cr_expect_not(cf_due(&f, 2, &off, &gen), "nothing processed");
    cr_assert_eq(cf_done(&f, 2, 6, 3), 0); /* 6 ends before 5 (two workers) */
    cr_expect_not(cf_due(&f, 2, &off, &gen), "5 is still in hand");
    cr_assert_eq(cf_done(&f, 2, 5, 3), 0);
    cr_assert(cf_due(&f, 2, &off, &gen));
    cr_expect_eq(off, 7, "5 and 6 done: the next to process is 7");
    cr_expect_eq(gen, 3);
    cf_committed(&f, 2);
    cr_expect_not(cf_due(&f, 2, &off, &gen), "committed");
    cf_forget(&f, 2, 7); /* dropped unprocessed at a revoke */
    cr_assert_eq(cf_delivered(&f, 2, 7), 0);
    cr_assert_eq(cf_done(&f, 2, 7, 4), 0);
    cr_assert(cf_due(&f, 2, &off, &gen));
    cr_expect_eq(off, 8);
    cr_expect_eq(gen, 4);
    cr_expect_not(cf_due(&f, 0, &off, &gen), "other partitions untouched");
    cr_expect_eq(f.n, 0, "everything covered is forgotten");
    cf_free(&f);
}

/* ---- the consumer against a minimal broker ---- */

/* tbroker: publishes `count` messages, one every `every` from time `every`, each a message of
 * the delivery checker, to one consumer (the last that subscribed) with credit; leases of
 * `lease` when > 0; with `commits`, a stream of `partitions` partitions (round robin) that
 * asks for commits; kicks its consumer at `kick_at` when >= 0. It forgets a message once
 * delivered, but takes back a delivery bounced from a crashed consumer. */
typedef struct tb_config {
    int64_t count, partitions;
    sim_time every, lease, kick_at, revoke_at;
    bool commits;
} tb_config;

typedef struct tb_msg {
    uint64_t msg, offset;
    uint32_t partition;
    sim_time published;
} tb_msg;

typedef struct tb_state {
    uint32_t group, consumer, credit;
    bool has_consumer;
    tb_msg held[64];
    size_t nheld;
    uint64_t published, next_offset[8];
    uint64_t subscribes, heartbeats, acks_done, acks_late, commits, committed, bounced;
    uint64_t last_credit;
} tb_state;

#define TB_P(key, t, field, d, lo, hi)                                                             \
    {                                                                                              \
        .name = key, .type = t, .offset = offsetof(tb_config, field), .def = d, .min = lo,         \
        .max = hi, .help = key                                                                     \
    }
static const sim_param tb_params[] = {
    TB_P("count", SIM_P_INT, count, "10", 0, 64),
    TB_P("partitions", SIM_P_INT, partitions, "1", 1, 8),
    TB_P("every", SIM_P_DURATION, every, "100ms", 1, 1e18),
    TB_P("lease", SIM_P_DURATION, lease, "0s", 0, 1e18),
    TB_P("kick_at", SIM_P_DURATION, kick_at, NULL, 0, 1e18),
    TB_P("revoke_at", SIM_P_DURATION, revoke_at, NULL, 0, 1e18),
    TB_P("commits", SIM_P_BOOL, commits, "false", 0, 0),
    {0},
};

enum { TB_PUBLISH, TB_KICK, TB_REVOKE };

static void tb_create(sim_node *n) {
    tb_state *s = sim_state(n);
    const tb_config *c = sim_config(n);
    delivery_broker kind = c->commits ? DELIVERY_STREAM : DELIVERY_QUEUE;
    cr_assert_eq(delivery_group_open(delivery_of(n), sim_node_id(n), kind, sim_node_name(n), true,
                                     &s->group),
                 0);
    if (c->count > 0)
        sim_set_timer(n, c->every, TB_PUBLISH, 0);
    if (c->kick_at >= 0)
        sim_set_timer(n, c->kick_at, TB_KICK, 0);
    if (c->revoke_at >= 0)
        sim_set_timer(n, c->revoke_at, TB_REVOKE, 0);
}

static void tb_push(sim_node *n) {
    tb_state *s = sim_state(n);
    const tb_config *c = sim_config(n);
    while (s->has_consumer && s->credit && s->nheld) {
        tb_msg m = s->held[0];
        memmove(s->held, s->held + 1, --s->nheld * sizeof *s->held);
        dl_deliver d = {.msg = m.msg,
                        .group = s->group,
                        .partition = m.partition,
                        .offset = m.offset,
                        .published = m.published,
                        .tag = 1,
                        .lease_until = c->lease > 0 ? sim_now(n) + c->lease : 0};
        s->credit--;
        dl_send(n, s->consumer, &dl_deliver_msg, &d);
    }
}

static void tb_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    tb_state *s = sim_state(n);
    const tb_config *c = sim_config(n);
    (void)arg;
    if (tag == TB_KICK) {
        s->has_consumer = false; /* until it subscribes again */
        dl_send(n, s->consumer, &dl_kick_msg, &(dl_kick){DL_KICK_UNKNOWN});
        return;
    }
    if (tag == TB_REVOKE) {
        s->has_consumer = false; /* a rebalance that never ends: nothing more is delivered */
        dl_send(n, s->consumer, &dl_revoke_msg, &(dl_revoke){1});
        return;
    }
    uint32_t p = (uint32_t)(s->published % (uint64_t)c->partitions);
    tb_msg m = {.partition = p, .offset = s->next_offset[p]++, .published = sim_now(n)};
    cr_assert_eq(
        delivery_accepted(delivery_of(n), sim_node_id(n), p, m.offset, sim_now(n), true, &m.msg),
        0);
    s->held[s->nheld++] = m;
    if (++s->published < (uint64_t)c->count)
        sim_set_timer(n, c->every, TB_PUBLISH, 0);
    tb_push(n);
}

static void tb_receive(sim_node *n, sim_msg *m) {
    tb_state *s = sim_state(n);
    const tb_config *c = sim_config(n);
    if (m->type == &dl_deliver_msg && (m->flags & SIM_MSG_REFUSED)) {
        const dl_deliver *d = dl_body(m);
        s->bounced++;
        memmove(s->held + 1, s->held, s->nheld++ * sizeof *s->held);
        s->held[0] = (tb_msg){d->msg, d->offset, d->partition, d->published};
    } else if (m->type == &dl_subscribe_msg) {
        s->subscribes++;
        s->consumer = m->src;
        s->has_consumer = true;
        s->credit = s->last_credit = ((dl_subscribe *)dl_body(m))->credit;
        dl_welcome w = {.flags = c->commits ? DL_WANTS_COMMITS : 0};
        dl_send(n, m->src, &dl_welcome_msg, &w);
    } else if (m->type == &dl_ack_msg) {
        const dl_ack *a = dl_body(m);
        s->credit++;
        if (a->outcome == DL_DONE)
            s->acks_done++;
        else
            s->acks_late++;
    } else if (m->type == &dl_commit_msg) {
        s->commits++;
        s->committed += ((dl_commit *)dl_body(m))->offset;
    } else if (m->type == &dl_heartbeat_msg) {
        s->heartbeats++;
    }
    sim_msg_free(n, m);
    tb_push(n);
}

static void tb_finish(sim_node *n) {
    tb_state *s = sim_state(n);
    for (size_t i = 0; i < s->nheld; i++)
        delivery_decided(delivery_of(n), s->group, s->held[i].msg, DELIVERY_PENDING);
}

static const sim_metric tb_metrics[] = {
    {"subscribes", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, subscribes)},
    {"heartbeats", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, heartbeats)},
    {"acks_done", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, acks_done)},
    {"acks_late", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, acks_late)},
    {"commits", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, commits)},
    {"committed_sum", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, committed)},
    {"bounced", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, bounced)},
    {"last_credit", SIM_METRIC_COUNTER, SIM_FIELD(tb_state, last_credit)},
    SIM_METRICS_END,
};

static const sim_checker_kind *const tb_feeds[] = {&dsim_delivery_checker, NULL};

static const sim_kind tbroker = {
    .version = SIM_KIND_VERSION,
    .name = "tbroker",
    .config_size = sizeof(tb_config),
    .state_size = sizeof(tb_state),
    .params = tb_params,
    .serves = DSIM_PROTO_DELIVERY,
    .create = tb_create,
    .receive = tb_receive,
    .timer = tb_timer,
    .finish = tb_finish,
    .metrics = tb_metrics,
    .checkers = tb_feeds,
};

/* Loads yaml against the built-in kinds and tbroker; NULL when refused (the messages in
 * *diag, which the caller frees). */
static sim_topology *load(const char *yaml, sim_diag **diag) {
    const sim_kind *reg[128];
    size_t k = 0;
    for (; dsim_kinds[k]; k++)
        reg[k] = dsim_kinds[k];
    cr_assert(k + 2 <= 128);
    reg[k++] = &tbroker;
    reg[k] = NULL;
    *diag = sim_diag_new("test.yaml");
    cr_assert(*diag);
    return sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, reg, *diag);
}

/* Runs yaml (against the built-in kinds and tbroker) with seed 1; the document (caller
 * frees). */
static cJSON *run(const char *yaml) {
    sim_diag *d;
    sim_topology *t = load(yaml, &d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    sim_diag_free(d);
    cr_assert(t, "the topology loads");
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    sim_engine_free(e);
    sim_topology_free(t);
    return doc;
}

/* Ten messages 100 ms apart, 10 ms of processing each: every one processed once, 10 ms after
 * its publish (no network delay), acked; heartbeats every second of the 5 s. */
Test(delivery, consumer_subscribes_processes_acks_and_heartbeats) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker}\n"
                     "  c: {kind: consumer, source: b, service: 10ms}\n");
    cr_expect_eq(t_int(doc, "nodes.b.subscribes"), 1);
    cr_expect_eq(t_int(doc, "nodes.b.last_credit"), 1, "prefetch = workers = 1");
    cr_expect_eq(t_int(doc, "nodes.b.acks_done"), 10);
    cr_expect_eq(t_int(doc, "nodes.b.heartbeats"), 5, "at 1, 2, 3, 4 and 5 s");
    cr_expect_eq(t_int(doc, "nodes.b.commits"), 0, "a queue takes no commits");
    cr_expect_eq(t_int(doc, "nodes.c.received"), 10);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 10);
    cr_expect_eq(t_int(doc, "nodes.c.late"), 0);
    cr_expect_eq(t_int(doc, "nodes.c.in_service"), 0);
    cr_expect_eq(t_int(doc, "nodes.c.buffered"), 0);
    cr_expect_float_eq(t_num(doc, "nodes.c.utilization"), 10 * 10.0 / 5000, 1e-9);
    cr_expect_eq(t_int(doc, "delivery.groups.b.acknowledged"), 10);
    cr_expect_eq(t_int(doc, "delivery.groups.b.processed_once"), 10);
    cr_expect_float_eq(t_num(doc, "delivery.groups.b.delay_ms.max"), 10.0, 1e-9);
    cJSON_Delete(doc);
}

/* A stream asking for commits, `commit: processed`: a commit after each message, of the
 * next offset to process: 1, 2, ..., 10. */
Test(delivery, consumer_commits_after_each_message_when_processed) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, commits: true}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, commit: processed}\n");
    cr_expect_eq(t_int(doc, "nodes.b.commits"), 10);
    cr_expect_eq(t_int(doc, "nodes.b.committed_sum"), 55, "1 + 2 + ... + 10");
    cr_expect_eq(t_int(doc, "nodes.c.commits"), 10);
    cJSON_Delete(doc);
}

/* `commit: auto` every 1 s: at 1 s the frontier is 9 (the message published at 1 s is in
 * service until 1.01 s), at 2 s it is 10, later it does not move: two commits. */
Test(delivery, consumer_auto_commits_each_interval_what_moved) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, commits: true}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, commit_interval: 1s}\n");
    cr_expect_eq(t_int(doc, "nodes.b.commits"), 2);
    cr_expect_eq(t_int(doc, "nodes.b.committed_sum"), 9 + 10);
    cJSON_Delete(doc);
}

/* A lease shorter than the processing: every attempt is discarded and acked late; the
 * checker sees no processing, and this broker, which forgets what it delivered, lets every
 * message vanish (what the checker exists to catch). */
Test(delivery, consumer_discards_an_attempt_that_outlives_its_lease) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, lease: 5ms}\n"
                     "  c: {kind: consumer, source: b, service: 10ms}\n");
    cr_expect_eq(t_int(doc, "nodes.b.acks_late"), 10);
    cr_expect_eq(t_int(doc, "nodes.b.acks_done"), 0);
    cr_expect_eq(t_int(doc, "nodes.c.late"), 10);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 0);
    cr_expect_eq(t_int(doc, "delivery.groups.b.processed_once"), 0);
    cr_expect_eq(t_int(doc, "delivery.groups.b.vanished"), 10);
    cJSON_Delete(doc);
}

/* Kicked at 250 ms, it drops nothing (it held nothing then) and subscribes again 1 s later;
 * the messages published meanwhile wait at the broker and are all processed. */
Test(delivery, consumer_subscribes_again_after_a_kick) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, kick_at: 250ms}\n"
                     "  c: {kind: consumer, source: b, service: 10ms}\n");
    cr_expect_eq(t_int(doc, "nodes.b.subscribes"), 2);
    cr_expect_eq(t_int(doc, "nodes.c.resubscribes"), 1);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 10);
    cr_expect_eq(t_int(doc, "delivery.groups.b.processed_once"), 10);
    cr_expect_float_eq(t_num(doc, "delivery.groups.b.delay_ms.max"), 1260 - 300, 1e-6,
                       "the message of 300 ms waits for the subscribe at 1.25 s");
    cJSON_Delete(doc);
}

/* Its broker down from 0.35 s to 1.35 s: the ten heartbeats it sends meanwhile (every
 * 100 ms) come back refused, and it subscribes again once, 1 s after the first refusal. */
Test(delivery, consumer_subscribes_again_once_when_its_broker_is_down) {
    cJSON *doc = run("duration: 3s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, heartbeat: 100ms}\n"
                     "faults:\n"
                     "  - {at: 350ms, crash: b, duration: 1s}\n");
    cr_expect_eq(t_int(doc, "nodes.c.resubscribes"), 1);
    cr_expect_eq(t_int(doc, "nodes.b.subscribes"), 2);
    cJSON_Delete(doc);
}

/* Crashed at 305 ms (the message of 300 ms in service, lost with it) until 805 ms: the
 * deliveries of 400 and 500 ms come back to the broker (its two other credits), which
 * delivers them again after the restart's subscribe. */
Test(delivery, consumer_crash_loses_what_it_holds_and_restart_subscribes) {
    cJSON *doc = run("duration: 3s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, prefetch: 3}\n"
                     "faults:\n"
                     "  - {at: 305ms, crash: c, duration: 500ms}\n");
    cr_expect_eq(t_int(doc, "nodes.b.bounced"), 2);
    cr_expect_eq(t_int(doc, "nodes.b.subscribes"), 2);
    cr_expect_eq(t_int(doc, "nodes.b.last_credit"), 3, "it holds nothing after a restart");
    cr_expect_eq(t_int(doc, "nodes.c.resubscribes"), 1);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 9);
    cr_expect_eq(t_int(doc, "delivery.groups.b.processed_once"), 9);
    cr_expect_eq(t_int(doc, "delivery.groups.b.vanished"), 1, "this broker forgot it");
    cJSON_Delete(doc);
}

/* Messages every 1 ms, 10 ms each, prefetch 3. At the revoke (25 ms) offsets 0 and 1 are
 * done (committed at once: 2), offset 2 is in service and 3 and 4 are buffered (dropped);
 * offset 2 ends at 31 ms and the auto-commit at 5 s commits 3. */
Test(delivery, consumer_commits_at_a_revoke_and_drops_what_it_had_not_begun) {
    cJSON *doc = run("duration: 6s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, commits: true, every: 1ms, revoke_at: 25ms}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, prefetch: 3}\n");
    cr_expect_eq(t_int(doc, "nodes.b.commits"), 2);
    cr_expect_eq(t_int(doc, "nodes.b.committed_sum"), 2 + 3);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 3);
    cr_expect_eq(t_int(doc, "nodes.c.received"), 5);
    cr_expect_eq(t_int(doc, "nodes.c.buffered"), 0);
    cJSON_Delete(doc);
}

/* Two workers, prefetch 4: it subscribes with 4 credits and keeps both workers busy. Ten
 * messages at once (every 1 ns), 10 ms each: done by 50 ms, busy 2 workers x 50 ms. */
Test(delivery, consumer_workers_process_at_once_within_the_prefetch) {
    cJSON *doc = run("duration: 1s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, every: 1ns}\n"
                     "  c: {kind: consumer, source: b, service: 10ms, workers: 2, prefetch: 4}\n");
    cr_expect_eq(t_int(doc, "nodes.b.last_credit"), 4);
    cr_expect_eq(t_int(doc, "nodes.c.processed"), 10);
    cr_expect_float_eq(t_num(doc, "nodes.c.utilization"), 2 * 50.0 / (2 * 1000), 1e-6);
    cr_expect_float_eq(t_num(doc, "delivery.groups.b.delay_ms.max"), 50.0, 1e-4);
    cJSON_Delete(doc);
}

Test(delivery, consumer_prefetch_below_workers_is_refused) {
    sim_diag *d;
    sim_topology *t = load("duration: 1s\n"
                           "nodes:\n"
                           "  b: {kind: tbroker}\n"
                           "  c: {kind: consumer, source: b, service: 1ms, workers: 4, "
                           "prefetch: 2}\n",
                           &d);
    cr_expect_null(t);
    cr_assert_geq(sim_diag_count(d), 1);
    cr_expect(strstr(sim_diag_message(d, 0), "test.yaml:4:"), "%s", sim_diag_message(d, 0));
    cr_expect(strstr(sim_diag_message(d, 0), "'prefetch' (2) must be at least 'workers' (4)"), "%s",
              sim_diag_message(d, 0));
    sim_diag_free(d);
    sim_topology_free(t);
}

/* The summary's delivery block: a row per group with its counts and delay, within 120
 * columns, after the requests and before the nodes. */
Test(delivery, summary_shows_a_row_per_group) {
    cJSON *doc = run("duration: 5s\n"
                     "nodes:\n"
                     "  uploads: {kind: tbroker, lease: 5ms, count: 4}\n"
                     "  b: {kind: tbroker}\n"
                     "  c: {kind: consumer, source: b, service: 10ms}\n"
                     "  d: {kind: consumer, source: uploads, service: 10ms}\n");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert(out);
    dsim_summary_print(out, doc);
    fclose(out);
    cr_log_info("%s", text);
    const char *block = strstr(text, "\ndelivery ");
    cr_assert(block, "a delivery block");
    cr_expect(strstr(block, "acknowledged"));
    cr_expect(strstr(block, "processed once"));
    cr_expect(strstr(block, "\nuploads "), "a row labelled by the group");
    cr_expect(strstr(block, "\nb "));
    cr_expect(block < strstr(text, "\nnodes"), "before the nodes");
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        cr_expect_leq(n, 120, "%.*s", (int)n, line);
        line += n + (end != NULL);
    }
    free(text);
    cJSON_Delete(doc);
}

/* Two brokers (replicas) and two consumers: consumer i attaches to broker i; the groups are
 * named by instance ("b.1"), and their figures are paths `expect:` may name before a run
 * (sim_engine_can_have) and read after it. */
Test(delivery, consumer_instances_attach_to_broker_instances_and_figures_are_paths) {
    sim_diag *d;
    sim_topology *t = load("duration: 5s\n"
                           "nodes:\n"
                           "  b: {kind: tbroker, replicas: 2}\n"
                           "  c: {kind: consumer, source: b, replicas: 2, service: 10ms}\n",
                           &d);
    sim_diag_free(d);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_expect_eq(sim_engine_can_have(e, "delivery.groups.b.1.processed_once", NULL), SIM_LOOKUP_OK);
    cr_expect_eq(sim_engine_can_have(e, "delivery.groups.q.delay_ms.p99", NULL), SIM_LOOKUP_OK);
    cr_expect_eq(sim_engine_can_have(e, "delivery.acknowledged", NULL), SIM_LOOKUP_OK);
    cr_expect_neq(sim_engine_can_have(e, "delivery.groups.b.1.processed_twice", NULL),
                  SIM_LOOKUP_OK);
    cr_assert_eq(sim_engine_run(e), 0);
    double v = 0;
    cr_expect_eq(sim_engine_lookup(e, "delivery.groups.b.1.processed_once", &v), SIM_LOOKUP_OK);
    cr_expect_eq(v, 10);
    cr_expect_eq(sim_engine_lookup(e, "nodes.b.0.subscribes", &v), SIM_LOOKUP_OK);
    cr_expect_eq(v, 1, "one consumer each");
    cr_expect_eq(sim_engine_lookup(e, "nodes.c.1.processed", &v), SIM_LOOKUP_OK);
    cr_expect_eq(v, 10);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* Same topology and seed, byte-identical documents, with random processing times, a crash
 * and commits. */
Test(delivery, same_seed_same_document) {
    const char *yaml =
        "duration: 3s\n"
        "nodes:\n"
        "  b: {kind: tbroker, commits: true, partitions: 3, every: 20ms, count: 64}\n"
        "  c: {kind: consumer, source: b, workers: 3, prefetch: 5, commit_interval: "
        "200ms, service: {dist: exponential, mean: 40ms}}\n"
        "faults:\n"
        "  - {at: 500ms, crash: c, duration: 300ms}\n";
    cJSON *a = run(yaml), *b = run(yaml);
    char *ta = dsim_json_render(a), *tb = dsim_json_render(b);
    cr_assert(ta && tb);
    cr_expect_str_eq(ta, tb);
    cr_expect_gt(t_int(a, "nodes.b.commits"), 0);
    free(ta);
    free(tb);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* A declared spare is down from the start: it does not subscribe until an `add` starts it
 * (its restart subscribes). Broker instance 1 serves only consumer instance 1. */
Test(delivery, consumer_spare_subscribes_only_once_added) {
    cJSON *doc = run("duration: 3s\n"
                     "nodes:\n"
                     "  b: {kind: tbroker, replicas: 2}\n"
                     "  c: {kind: consumer, source: b, replicas: 2, active: 1, service: 10ms}\n"
                     "faults:\n"
                     "  - {at: 1500ms, add: c}\n");
    cr_expect_eq(t_int(doc, "nodes.b.0.subscribes"), 1);
    cr_expect_eq(t_int(doc, "nodes.b.1.subscribes"), 1, "from c.1, at 1.5 s only");
    cr_expect_eq(t_int(doc, "nodes.b.1.heartbeats"), 1, "at 2.5 s");
    cr_expect_eq(t_int(doc, "nodes.b.0.heartbeats"), 3);
    cJSON_Delete(doc);
}
