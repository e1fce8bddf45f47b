/* backup_store: where data stores ship their backups (protocols/backup.h), e.g. an object
 * store in another region. It keeps, per data store that ships to it, the catalog of the
 * current backup chain: the newest full backup and the incrementals taken after it, each with
 * the version of every key it holds, its backup point and when it completed (arrived whole).
 * A full backup that completes starts a new chain (the older one is deleted: one full chain is
 * retained). Each backup is answered with a receipt; an ask for a restore is answered with the
 * chain, one message per backup in the order they were taken, each sized for the data it
 * carries, so the network's bandwidth gives the restore's transfer time.
 *
 * The catalog is durable: a crash of the store drops only the messages that reach it while it
 * is down. It judges nothing itself: what a restore brings back is judged by the consistency
 * oracle through the data store (lost writes). docs/backup.md tells the whole design. */
#include "backup.h"
#include "metrics.h"
#include "node.h"
#include "protocols.h"

#include <stdlib.h>
#include <string.h>

typedef struct backup {
    uint32_t seq;
    bool full;
    sim_time point, completed;
    uint64_t bytes, count;
    bk_kv *kv;
} backup;

/* The current chain of one data store. */
typedef struct chain {
    uint32_t source;
    backup *b;
    size_t n, cap;
} chain;

typedef struct bs_state {
    chain *chains;
    size_t nchains, capchains;
    uint64_t full, incremental, bytes_in; /* backups received (completed) */
    uint64_t restores, bytes_out;         /* restores served, data sent for them */
} bs_state;

static const sim_param bs_params[] = {{0}};

static void backup_free(backup *b) { free(b->kv); }

static chain *chain_of(sim_node *n, uint32_t source, bool create) {
    bs_state *s = sim_state(n);
    for (size_t i = 0; i < s->nchains; i++)
        if (s->chains[i].source == source)
            return &s->chains[i];
    if (!create)
        return NULL;
    if (s->nchains == s->capchains) {
        size_t cap = s->capchains ? 2 * s->capchains : 4;
        chain *c = realloc(s->chains, cap * sizeof *c);
        if (!c)
            return NULL;
        s->chains = c;
        s->capchains = cap;
    }
    chain *c = &s->chains[s->nchains++];
    *c = (chain){.source = source};
    return c;
}

/* A backup arrived whole: it joins its source's chain (a full one replaces the chain). */
static void on_put(sim_node *n, const sim_msg *m, const bk_put *p) {
    bs_state *s = sim_state(n);
    chain *c = chain_of(n, p->source, true);
    bk_kv *kv = p->count ? malloc(p->count * sizeof *kv) : NULL;
    if (!c || (p->count && !kv)) {
        free(kv);
        sim_out_of_memory(n);
        return;
    }
    if (p->full) {
        for (size_t i = 0; i < c->n; i++)
            backup_free(&c->b[i]);
        c->n = 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        backup *b = realloc(c->b, cap * sizeof *b);
        if (!b) {
            free(kv);
            sim_out_of_memory(n);
            return;
        }
        c->b = b;
        c->cap = cap;
    }
    if (p->count)
        memcpy(kv, p->kv, p->count * sizeof *kv);
    sim_time now = sim_now(n);
    c->b[c->n++] = (backup){.seq = p->seq,
                            .full = p->full,
                            .point = p->point,
                            .completed = now,
                            .bytes = p->bytes,
                            .count = p->count,
                            .kv = kv};
    if (p->full)
        s->full++;
    else
        s->incremental++;
    s->bytes_in += p->bytes;
    sim_msg *r = sim_msg_new(n, &bk_done_msg);
    *(bk_done *)sim_msg_body(r) = (bk_done){.seq = p->seq, .point = p->point, .completed = now};
    sim_send(n, m->src, r);
}

/* Sends one part of a restore answering ask `seq` to dst. */
static void send_part(sim_node *n, uint32_t dst, uint32_t seq, uint32_t index, uint32_t parts,
                      const backup *b) {
    bs_state *s = sim_state(n);
    uint64_t count = b ? b->count : 0;
    sim_msg *m = bk_part_new(n, count);
    if (!m) {
        sim_out_of_memory(n);
        return;
    }
    bk_part *p = sim_msg_body(m);
    *p = (bk_part){.seq = seq, .index = index, .parts = parts};
    if (b) {
        p->full = b->full;
        p->point = b->point;
        p->bytes = b->bytes;
        p->count = b->count;
        if (count)
            memcpy(p->kv, b->kv, count * sizeof *b->kv);
        m->size = bk_wire_bytes(b->bytes);
        s->bytes_out += b->bytes;
    }
    sim_send(n, dst, m);
}

/* A restore: the chain as it stands, oldest first (all sent now; the links and interfaces
 * send them one after the other). */
static void on_ask(sim_node *n, const sim_msg *m, const bk_ask *a) {
    bs_state *s = sim_state(n);
    const chain *c = chain_of(n, a->source, false);
    s->restores++;
    if (!c || !c->n) {
        send_part(n, m->src, a->seq, 0, 0, NULL);
        return;
    }
    for (size_t i = 0; i < c->n; i++)
        send_part(n, m->src, a->seq, (uint32_t)i, (uint32_t)c->n, &c->b[i]);
}

static void bs_receive(sim_node *n, sim_msg *m) {
    if (m->type == &bk_put_msg)
        on_put(n, m, sim_msg_body_const(m));
    else if (m->type == &bk_ask_msg)
        on_ask(n, m, sim_msg_body_const(m));
    sim_msg_free(n, m); /* anything else (a stray message) is dropped */
}

static void bs_destroy(sim_node *n) {
    bs_state *s = sim_state(n);
    for (size_t i = 0; i < s->nchains; i++) {
        for (size_t j = 0; j < s->chains[i].n; j++)
            backup_free(&s->chains[i].b[j]);
        free(s->chains[i].b);
    }
    free(s->chains);
}

static double bytes_held(const void *state, const sim_node *n, sim_time at) {
    const bs_state *s = state;
    (void)n, (void)at;
    double b = 0;
    for (size_t i = 0; i < s->nchains; i++)
        for (size_t j = 0; j < s->chains[i].n; j++)
            b += (double)s->chains[i].b[j].bytes;
    return b;
}

/* The catalog, keyed by the name of each data store: its chain's backups, oldest first. */
static void report_catalog(const sim_node *n, sim_report *w) {
    const bs_state *s = sim_state_const(n);
    if (!s->nchains)
        return;
    sim_report_open(w, "catalog");
    for (size_t i = 0; i < s->nchains; i++) {
        const chain *c = &s->chains[i];
        sim_report_open_array(w, sim_node_name_of(n, c->source));
        for (size_t j = 0; j < c->n; j++) {
            const backup *b = &c->b[j];
            sim_report_open(w, NULL);
            sim_report_string(w, "type", b->full ? "full" : "incremental");
            sim_report_number(w, "point_s", (double)b->point / 1e9);
            sim_report_number(w, "completed_s", (double)b->completed / 1e9);
            sim_report_int(w, "keys", (int64_t)b->count);
            sim_report_int(w, "bytes", (int64_t)b->bytes);
            sim_report_close(w);
        }
        sim_report_close(w);
    }
    sim_report_close(w);
}

static const sim_metric bs_metrics[] = {
    {"backups.full", SIM_METRIC_COUNTER, SIM_FIELD(bs_state, full)},
    {"backups.incremental", SIM_METRIC_COUNTER, SIM_FIELD(bs_state, incremental)},
    {"backups.bytes", SIM_METRIC_COUNTER, SIM_FIELD(bs_state, bytes_in)},
    {"bytes_held", SIM_METRIC_GAUGE, .value = bytes_held},
    {"restores", SIM_METRIC_COUNTER, SIM_FIELD(bs_state, restores)},
    {"restored_bytes", SIM_METRIC_COUNTER, SIM_FIELD(bs_state, bytes_out)},
    {"catalog", SIM_METRIC_WRITE, .write = report_catalog},
    SIM_METRICS_END,
};

const sim_kind dsim_backup_store_kind = {
    .version = SIM_KIND_VERSION,
    .name = "backup_store",
    .summary = "keeps data stores' backups (full and incremental chains) and serves restores",
    .config_size = 0,
    .state_size = sizeof(bs_state),
    .params = bs_params,
    .serves = DSIM_PROTO_BACKUP,
    .receive = bs_receive,
    .destroy = bs_destroy,
    .metrics = bs_metrics,
};
