/* The delivery checker of delivery.h. Each accepted message is one record (where it was
 * accepted, when, and whether it counts); each group holds, per message from its first on, what
 * became of it in that group: how many times it was processed and the fate its broker said last
 * (4 bytes). The judgement is a walk over a group's messages, so it needs no bookkeeping when a
 * later fate overrides an earlier one or a processing overrides a fate; only what depends on the
 * order of events (the delay to the first processing, order violations) is counted as it
 * happens. */
#include "deliveries.h"

#include "topology.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A message as its broker accepted it: 24 bytes. Its id is its index + 1 (0 is no message). */
typedef struct message {
    sim_time at;     /* accepted */
    uint64_t offset; /* its place in its partition (streams) */
    uint32_t broker; /* the broker node */
    unsigned partition : 31;
    unsigned measured : 1;
} message;

/* What became of a message in one group. */
typedef struct outcome {
    uint16_t processings; /* saturates: 65535 means at least that many */
    uint8_t fate;         /* 0: none said; else delivery_fate + 1 */
    uint8_t unused;
} outcome;

/* The judgement of a group (delivery.h), as the document writes it. */
typedef struct tally {
    uint64_t acknowledged, processed_once, processed_more, extra_processings;
    uint64_t dropped, expired, crash_lost, vanished, dead_lettered, missed, pending;
} tally;

typedef struct group {
    uint32_t broker;
    delivery_broker kind;
    const char *name; /* borrowed */
    uint64_t first;   /* the first message id it covers */
    outcome *of;      /* of[id - first], grown on demand: beyond n, nothing happened */
    size_t n, cap;
    uint64_t *next_offset; /* streams, per partition: 1 + the highest offset processed */
    size_t npartitions;
    uint64_t order_violations; /* measured messages */
    sim_hist delay;            /* accepted -> first processing, measured messages, ns */
    tally settled;
} group;

struct delivery_checker {
    const sim_topology *topo; /* for the brokers' names; NULL in a checker of delivery_new */
    message *msgs;
    size_t nmsgs, capmsgs;
    group *groups;
    size_t ngroups, capgroups;
    uint64_t acknowledged, refused; /* measured */
    bool used;                      /* anything accepted, refused or opened */
    bool is_settled;
};

/* ---- growing arrays ---- */

/* Makes room for n elements of size bytes in *v of capacity *cap (doubling, so that each
 * element is copied O(1) times on average). Returns 0, or -1 when out of memory. */
static int reserve(void **v, size_t *cap, size_t n, size_t size) {
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    memset((char *)p + *cap * size, 0, (c - *cap) * size);
    *v = p;
    *cap = c;
    return 0;
}

delivery_checker *delivery_new(void) { return calloc(1, sizeof(delivery_checker)); }

void delivery_free(delivery_checker *dc) {
    if (!dc)
        return;
    for (size_t g = 0; g < dc->ngroups; g++) {
        free(dc->groups[g].of);
        free(dc->groups[g].next_offset);
        sim_hist_free(&dc->groups[g].delay);
    }
    free(dc->groups);
    free(dc->msgs);
    free(dc);
}

/* ---- what brokers and consumers say ---- */

int delivery_group_open(delivery_checker *dc, uint32_t broker, delivery_broker kind,
                        const char *name, bool whole_log, uint32_t *group_id) {
    dc->used = true;
    for (size_t g = 0; g < dc->ngroups; g++) {
        if (dc->groups[g].broker == broker && strcmp(dc->groups[g].name, name) == 0) {
            *group_id = (uint32_t)g;
            return 0;
        }
    }
    if (reserve((void **)&dc->groups, &dc->capgroups, dc->ngroups + 1, sizeof(group)))
        return -1;
    group *g = &dc->groups[dc->ngroups];
    *g = (group){
        .broker = broker, .kind = kind, .name = name, .first = whole_log ? 1 : dc->nmsgs + 1};
    sim_hist_init(&g->delay);
    *group_id = (uint32_t)dc->ngroups++;
    return 0;
}

int delivery_accepted(delivery_checker *dc, uint32_t broker, uint32_t partition, uint64_t offset,
                      sim_time at, bool measured, uint64_t *msg) {
    dc->used = true;
    if (reserve((void **)&dc->msgs, &dc->capmsgs, dc->nmsgs + 1, sizeof(message)))
        return -1;
    dc->msgs[dc->nmsgs] = (message){.at = at,
                                    .offset = offset,
                                    .broker = broker,
                                    .partition = partition & 0x7fffffffu,
                                    .measured = measured};
    dc->acknowledged += measured;
    *msg = ++dc->nmsgs;
    return 0;
}

void delivery_refused(delivery_checker *dc, uint32_t broker, bool measured) {
    (void)broker;
    dc->used = true;
    dc->refused += measured;
}

/* The message msg if group g covers it (its broker's, from the group's first on), else NULL. */
static const message *covered(const delivery_checker *dc, const group *g, uint64_t msg) {
    if (msg < g->first || msg > dc->nmsgs)
        return NULL;
    const message *m = &dc->msgs[msg - 1];
    return m->broker == g->broker ? m : NULL;
}

/* The outcome of msg in group g, grown to hold it; NULL when out of memory. */
static outcome *outcome_of(group *g, uint64_t msg) {
    size_t i = (size_t)(msg - g->first);
    if (reserve((void **)&g->of, &g->cap, i + 1, sizeof(outcome)))
        return NULL;
    if (g->n < i + 1)
        g->n = i + 1;
    return &g->of[i];
}

/* A first processing in a stream's group: an order violation when a later message of its
 * partition was processed before. Returns 0, or -1 when out of memory. */
static int check_order(group *g, const message *m) {
    size_t p = m->partition;
    if (reserve((void **)&g->next_offset, &g->npartitions, p + 1, sizeof(uint64_t)))
        return -1;
    if (g->next_offset[p] > m->offset + 1)
        g->order_violations += m->measured;
    else
        g->next_offset[p] = m->offset + 1;
    return 0;
}

int delivery_processed(delivery_checker *dc, uint32_t group_id, uint64_t msg, sim_time at) {
    if (group_id >= dc->ngroups)
        return 0;
    group *g = &dc->groups[group_id];
    const message *m = covered(dc, g, msg);
    if (!m)
        return 0; /* not a message of this group's: nothing to judge */
    outcome *o = outcome_of(g, msg);
    if (!o)
        return -1;
    if (o->processings < UINT16_MAX)
        o->processings++;
    if (o->processings > 1)
        return 0;
    if (m->measured && sim_hist_record(&g->delay, at - m->at))
        return -1;
    return g->kind == DELIVERY_STREAM ? check_order(g, m) : 0;
}

int delivery_decided(delivery_checker *dc, uint32_t group_id, uint64_t msg, delivery_fate fate) {
    if (group_id >= dc->ngroups || (unsigned)fate >= DELIVERY_FATES)
        return 0;
    group *g = &dc->groups[group_id];
    if (!covered(dc, g, msg))
        return 0;
    outcome *o = outcome_of(g, msg);
    if (!o)
        return -1;
    o->fate = (uint8_t)(fate + 1);
    return 0;
}

int delivery_decided_all(delivery_checker *dc, uint64_t msg, delivery_fate fate) {
    for (size_t g = 0; g < dc->ngroups; g++)
        if (delivery_decided(dc, (uint32_t)g, msg, fate))
            return -1;
    return 0;
}

uint32_t delivery_processings(const delivery_checker *dc, uint32_t group_id, uint64_t msg) {
    if (group_id >= dc->ngroups)
        return 0;
    const group *g = &dc->groups[group_id];
    if (!covered(dc, g, msg) || msg - g->first >= g->n)
        return 0;
    return g->of[msg - g->first].processings;
}

/* ---- the judgement ---- */

/* Counts one measured message by the precedence of delivery.h. Before the settle a message
 * nobody has said anything of yet is pending (in flight); after it, vanished. */
static void judge_one(tally *t, outcome o, bool settled) {
    t->acknowledged++;
    if (o.processings == 1) {
        t->processed_once++;
        return;
    }
    if (o.processings > 1) {
        t->processed_more++;
        t->extra_processings += o.processings - 1u;
        return;
    }
    switch (o.fate) {
    case DELIVERY_DROPPED + 1:
        t->dropped++;
        break;
    case DELIVERY_EXPIRED + 1:
        t->expired++;
        break;
    case DELIVERY_CRASH_LOST + 1:
        t->crash_lost++;
        break;
    case DELIVERY_DEAD_LETTERED + 1:
        t->dead_lettered++;
        break;
    case DELIVERY_MISSED + 1:
        t->missed++;
        break;
    case DELIVERY_PENDING + 1:
        t->pending++;
        break;
    default:
        if (settled)
            t->vanished++;
        else
            t->pending++;
    }
}

static tally judge(const delivery_checker *dc, const group *g, bool settled) {
    tally t = {0};
    for (uint64_t id = g->first; id <= dc->nmsgs; id++) {
        const message *m = &dc->msgs[id - 1];
        if (m->broker != g->broker || !m->measured)
            continue;
        uint64_t i = id - g->first;
        judge_one(&t, i < g->n ? g->of[i] : (outcome){0}, settled);
    }
    return t;
}

int delivery_settle(delivery_checker *dc) {
    for (size_t g = 0; g < dc->ngroups; g++)
        dc->groups[g].settled = judge(dc, &dc->groups[g], true);
    dc->is_settled = true;
    return 0;
}

/* ---- the document ---- */

static const char *const kind_names[] = {"queue", "stream", "pubsub"};

/* The broker's instance name ("uploads", "bus.1"), or without a topology its index. */
static const char *broker_name(const delivery_checker *dc, uint32_t broker, char *buf, size_t len) {
    if (dc->topo && broker < dc->topo->nnodes)
        return dc->topo->nodes[broker].name;
    snprintf(buf, len, "%u", (unsigned)broker);
    return buf;
}

/* The key of group g: its name, or "NAME@BROKER" when an earlier group of another broker has
 * that name (replicated brokers: independent instances, each with the consumers' groups), so
 * that no key repeats. */
static const char *group_key(const delivery_checker *dc, size_t gi, char *buf, size_t len) {
    const group *g = &dc->groups[gi];
    for (size_t e = 0; e < gi; e++) {
        if (strcmp(dc->groups[e].name, g->name) == 0) {
            char b[16];
            snprintf(buf, len, "%s@%s", g->name, broker_name(dc, g->broker, b, sizeof b));
            return buf;
        }
    }
    return g->name;
}

/* delay_ms {mean, p50, p99, max}: with no sample, marked so (sim/report.h) and written 0. */
static void report_delay(const sim_hist *h, sim_report *w) {
    if (!h->count && w->ops->no_samples)
        w->ops->no_samples(w->ud, "delay_ms");
    sim_report_open(w, "delay_ms");
    sim_report_number(w, "mean", sim_hist_figure_ms(h, SIM_HIST_MEAN));
    sim_report_number(w, "p50", sim_hist_figure_ms(h, SIM_HIST_P50));
    sim_report_number(w, "p99", sim_hist_figure_ms(h, SIM_HIST_P99));
    sim_report_number(w, "max", sim_hist_figure_ms(h, SIM_HIST_MAX));
    sim_report_close(w);
}

static void report_tally(const tally *t, sim_report *w) {
    sim_report_int(w, "acknowledged", (int64_t)t->acknowledged);
    sim_report_int(w, "processed_once", (int64_t)t->processed_once);
    sim_report_int(w, "processed_more", (int64_t)t->processed_more);
    sim_report_int(w, "extra_processings", (int64_t)t->extra_processings);
    sim_report_int(w, "lost", (int64_t)(t->dropped + t->expired + t->crash_lost + t->vanished));
    sim_report_int(w, "dropped", (int64_t)t->dropped);
    sim_report_int(w, "expired", (int64_t)t->expired);
    sim_report_int(w, "crash_lost", (int64_t)t->crash_lost);
    sim_report_int(w, "vanished", (int64_t)t->vanished);
    sim_report_int(w, "dead_lettered", (int64_t)t->dead_lettered);
    sim_report_int(w, "missed", (int64_t)t->missed);
    sim_report_int(w, "pending", (int64_t)t->pending);
}

static void report_group(const delivery_checker *dc, size_t gi, sim_report *w) {
    const group *g = &dc->groups[gi];
    char key[256], b[16];
    sim_report_open(w, group_key(dc, gi, key, sizeof key));
    sim_report_string(w, "kind", kind_names[g->kind]);
    sim_report_string(w, "broker", broker_name(dc, g->broker, b, sizeof b));
    /* Before the settle (a look at the document mid-run), judged as things stand. */
    tally t = dc->is_settled ? g->settled : judge(dc, g, false);
    report_tally(&t, w);
    sim_report_int(w, "order_violations", (int64_t)g->order_violations);
    report_delay(&g->delay, w);
    sim_report_close(w);
}

void delivery_report(const delivery_checker *dc, sim_report *w) {
    sim_report_int(w, "acknowledged", (int64_t)dc->acknowledged);
    sim_report_int(w, "refused", (int64_t)dc->refused);
    sim_report_open(w, "groups");
    for (size_t g = 0; g < dc->ngroups; g++)
        report_group(dc, g, w);
    sim_report_close(w);
}

/* ---- the checker kind ---- */

static void *create(const sim_topology *topo) {
    delivery_checker *dc = delivery_new();
    if (dc)
        dc->topo = topo;
    return dc;
}

static int settle(void *checker) { return delivery_settle(checker); }

static bool is_reported(const void *checker) { return ((const delivery_checker *)checker)->used; }

static void report(const void *checker, sim_report *w) { delivery_report(checker, w); }

static void destroy(void *checker) { delivery_free(checker); }

/* What delivery_report writes (checker.h). A group's name is the run's, and a "*" stands for
 * one key without a dot: a pub/sub subscriber's group is an instance ("sub.0"), and a name
 * told by its broker may hold one more ("c@bus.1", "sub.0@bus.1"). */
#define GROUP_FIGURES(g)                                                                           \
    "groups." g ".acknowledged", "groups." g ".processed_once", "groups." g ".processed_more",     \
        "groups." g ".extra_processings", "groups." g ".lost", "groups." g ".dropped",             \
        "groups." g ".expired", "groups." g ".crash_lost", "groups." g ".vanished",                \
        "groups." g ".dead_lettered", "groups." g ".missed", "groups." g ".pending",               \
        "groups." g ".order_violations", "groups." g ".delay_ms.mean",                             \
        "groups." g ".delay_ms.p50", "groups." g ".delay_ms.p99", "groups." g ".delay_ms.max"
static const char *const figures[] = {"acknowledged",         "refused",
                                      GROUP_FIGURES("*"),     GROUP_FIGURES("*.*"),
                                      GROUP_FIGURES("*.*.*"), NULL};

const sim_checker_kind dsim_delivery_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "delivery",
    .create = create,
    .settle = settle,
    .is_reported = is_reported,
    .report = report,
    .free = destroy,
    .figures = figures,
};
