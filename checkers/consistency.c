/* The consistency oracle. Each history is a timeline: entries appended in time order, each
 * with the running maximum of the versions so far, so "the newest version before time t" is a
 * binary search, and so is "when was version v first superseded". */
#include "consistency.h"

#include "idmap.h"

#include <stdlib.h>

typedef struct entry {
    sim_time t;
    uint64_t version, max; /* this entry's version; the maximum up to and including it */
    bool measured, lost;
} entry;

typedef struct timeline {
    entry *e;
    size_t n, cap;
} timeline;

/* A client's history with one key: its acknowledged writes and its completed reads. */
typedef struct client_key {
    timeline writes, reads;
} client_key;

/* One data store's keys: their histories, and the keys it committed writes of. */
typedef struct space {
    uint32_t store;
    sim_idmap key_index; /* key + 1 -> index in keys */
    timeline *keys;      /* acknowledged writes per key */
    size_t nkeys, capkeys;
    sim_idmap *by_client; /* per client node: key + 1 -> index in ck */
    size_t nclients;
    client_key *ck;
    size_t nck, capck;
    sim_idmap listed;    /* key + 1 -> 1: the keys of `committed` */
    uint64_t *committed; /* keys the store committed writes of, in first-commit order */
    size_t ncommitted, capcommitted;
    uint64_t writes_acked, lost_writes; /* measured */
} space;

struct consistency_oracle {
    sim_idmap space_index; /* store + 1 -> index in spaces */
    space *spaces;
    size_t nspaces, capspaces;
    uint64_t *node_reads, *node_stale; /* per node that supplied reads, by node id */
    size_t nnodes;
    consistency_figures fig;
    sim_hist staleness;
};

static int grow(void **array, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return 0;
    size_t c = *cap ? 2 * *cap : 16;
    void *a = realloc(*array, c * size);
    if (!a)
        return -1;
    *array = a;
    *cap = c;
    return 0;
}

static int timeline_add(timeline *tl, sim_time t, uint64_t version, bool measured) {
    if (grow((void **)&tl->e, &tl->cap, tl->n, sizeof *tl->e))
        return -1;
    uint64_t max = tl->n && tl->e[tl->n - 1].max > version ? tl->e[tl->n - 1].max : version;
    tl->e[tl->n++] = (entry){t, version, max, measured, false};
    return 0;
}

/* Appends an entry only when it raises the running maximum: for a timeline that is only
 * asked for the maximum before a time (a client's own writes and reads), the entries that do
 * not raise it change no answer, and a client's history stays as short as the versions it saw
 * rise. */
static int timeline_raise(timeline *tl, sim_time t, uint64_t version, bool measured) {
    if (tl->n && version <= tl->e[tl->n - 1].max)
        return 0;
    return timeline_add(tl, t, version, measured);
}

/* Number of entries strictly before time t. */
static size_t count_before(const timeline *tl, sim_time t) {
    size_t lo = 0, hi = tl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->e[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The newest version among the entries before time t (0 when none). */
static uint64_t max_before(const timeline *tl, sim_time t) {
    size_t k = count_before(tl, t);
    return k ? tl->e[k - 1].max : 0;
}

/* Index of the first entry whose running maximum exceeds v (within the first k entries). */
static size_t first_above(const timeline *tl, uint64_t v, size_t k) {
    size_t lo = 0, hi = k;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->e[mid].max > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

consistency_oracle *consistency_new(void) {
    consistency_oracle *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    sim_idmap_init(&o->space_index);
    sim_hist_init(&o->staleness);
    return o;
}

static void space_free(space *sp) {
    for (size_t i = 0; i < sp->nkeys; i++)
        free(sp->keys[i].e);
    free(sp->keys);
    for (size_t i = 0; i < sp->nck; i++) {
        free(sp->ck[i].writes.e);
        free(sp->ck[i].reads.e);
    }
    free(sp->ck);
    for (size_t i = 0; i < sp->nclients; i++)
        sim_idmap_free(&sp->by_client[i]);
    free(sp->by_client);
    sim_idmap_free(&sp->key_index);
    sim_idmap_free(&sp->listed);
    free(sp->committed);
}

void consistency_free(consistency_oracle *o) {
    if (!o)
        return;
    for (size_t i = 0; i < o->nspaces; i++)
        space_free(&o->spaces[i]);
    free(o->spaces);
    sim_idmap_free(&o->space_index);
    free(o->node_reads);
    free(o->node_stale);
    sim_hist_free(&o->staleness);
    free(o);
}

/* The space of store, created empty on first use when create; NULL when absent or out of
 * memory. */
static space *space_of(consistency_oracle *o, uint32_t store, bool create) {
    uint64_t i;
    if (sim_idmap_get(&o->space_index, (uint64_t)store + 1, &i))
        return &o->spaces[i];
    if (!create || grow((void **)&o->spaces, &o->capspaces, o->nspaces, sizeof *o->spaces) ||
        sim_idmap_put(&o->space_index, (uint64_t)store + 1, o->nspaces))
        return NULL;
    space *sp = &o->spaces[o->nspaces++];
    *sp = (space){.store = store};
    sim_idmap_init(&sp->key_index);
    sim_idmap_init(&sp->listed);
    return sp;
}

static const space *space_of_const(const consistency_oracle *o, uint32_t store) {
    uint64_t i;
    return sim_idmap_get(&o->space_index, (uint64_t)store + 1, &i) ? &o->spaces[i] : NULL;
}

/* The write timeline of key, created empty on first use when create; NULL when absent or out
 * of memory. */
static timeline *key_timeline(space *sp, uint64_t key, bool create) {
    uint64_t i;
    if (sim_idmap_get(&sp->key_index, key + 1, &i))
        return &sp->keys[i];
    if (!create || grow((void **)&sp->keys, &sp->capkeys, sp->nkeys, sizeof *sp->keys) ||
        sim_idmap_put(&sp->key_index, key + 1, sp->nkeys))
        return NULL;
    sp->keys[sp->nkeys] = (timeline){0};
    return &sp->keys[sp->nkeys++];
}

/* The history of client with key, created empty on first use; NULL when out of memory. */
static client_key *client_history(space *sp, uint32_t client, uint64_t key) {
    if (client >= sp->nclients) {
        sim_idmap *m = realloc(sp->by_client, ((size_t)client + 1) * sizeof *m);
        if (!m)
            return NULL;
        for (size_t i = sp->nclients; i <= client; i++)
            sim_idmap_init(&m[i]);
        sp->by_client = m;
        sp->nclients = (size_t)client + 1;
    }
    uint64_t i;
    if (sim_idmap_get(&sp->by_client[client], key + 1, &i))
        return &sp->ck[i];
    if (grow((void **)&sp->ck, &sp->capck, sp->nck, sizeof *sp->ck) ||
        sim_idmap_put(&sp->by_client[client], key + 1, sp->nck))
        return NULL;
    sp->ck[sp->nck] = (client_key){{0}, {0}};
    return &sp->ck[sp->nck++];
}

int consistency_write_acked(consistency_oracle *o, const consistency_op *op) {
    space *sp = space_of(o, op->store, true);
    timeline *tl = sp ? key_timeline(sp, op->key, true) : NULL;
    client_key *ck = tl ? client_history(sp, op->client, op->key) : NULL;
    if (!ck || timeline_add(tl, op->done, op->version, op->measured) ||
        timeline_raise(&ck->writes, op->done, op->version, op->measured))
        return -1;
    if (op->measured) {
        o->fig.writes_acked++;
        sp->writes_acked++;
    }
    return 0;
}

/* Makes room for node's per-node counters; returns 0, or -1 when out of memory. */
static int node_slot(consistency_oracle *o, uint32_t node) {
    if (node < o->nnodes)
        return 0;
    size_t n = (size_t)node + 1 > 2 * o->nnodes ? (size_t)node + 1 : 2 * o->nnodes;
    uint64_t *reads = realloc(o->node_reads, n * sizeof *reads);
    if (!reads)
        return -1;
    o->node_reads = reads;
    uint64_t *stale = realloc(o->node_stale, n * sizeof *stale);
    if (!stale)
        return -1;
    o->node_stale = stale;
    for (size_t i = o->nnodes; i < n; i++)
        reads[i] = stale[i] = 0;
    o->nnodes = n;
    return 0;
}

/* Judges a measured read against the acknowledged writes of its key (tl, may be NULL) and
 * the client's own history (ck); returns 1 when it is stale, 0 when not, -1 when out of
 * memory. */
static int judge(consistency_oracle *o, const consistency_op *op, const timeline *tl,
                 const client_key *ck) {
    o->fig.reads_checked++;
    size_t k = tl ? count_before(tl, op->issued) : 0;
    uint64_t newest = k ? tl->e[k - 1].max : 0;
    int stale = op->version < newest;
    if (stale) {
        o->fig.stale_reads++;
        const entry *superseding = &tl->e[first_above(tl, op->version, k)];
        if (sim_hist_record(&o->staleness, op->issued - superseding->t))
            return -1;
        uint64_t behind = newest - op->version;
        o->fig.staleness_versions_sum += (double)behind;
        if (behind > o->fig.staleness_versions_max)
            o->fig.staleness_versions_max = behind;
    }
    if (op->version < max_before(&ck->writes, op->issued))
        o->fig.read_your_writes_violations++;
    if (op->version < max_before(&ck->reads, op->issued))
        o->fig.monotonic_read_violations++;
    return stale;
}

int consistency_read(consistency_oracle *o, const consistency_op *op) {
    space *sp = space_of(o, op->store, true);
    client_key *ck = sp ? client_history(sp, op->client, op->key) : NULL;
    if (!ck)
        return -1;
    if (op->measured) {
        int stale = judge(o, op, key_timeline(sp, op->key, false), ck);
        if (stale < 0)
            return -1;
        if (op->served_by != CONSISTENCY_NO_NODE) {
            if (node_slot(o, op->served_by))
                return -1;
            o->node_reads[op->served_by]++;
            o->node_stale[op->served_by] += (uint64_t)stale;
        }
    }
    return timeline_raise(&ck->reads, op->done, op->version, op->measured);
}

int consistency_surviving(consistency_oracle *o, uint32_t store, uint64_t key, uint64_t version) {
    space *sp = space_of(o, store, false);
    timeline *tl = sp ? key_timeline(sp, key, false) : NULL;
    if (!tl)
        return 0;
    for (size_t i = 0; i < tl->n; i++) {
        entry *e = &tl->e[i];
        if (e->version > version && !e->lost) {
            e->lost = true;
            if (e->measured) {
                o->fig.lost_writes++;
                sp->lost_writes++;
            }
        }
    }
    return 0;
}

int consistency_store_key(consistency_oracle *o, uint32_t store, uint64_t key) {
    space *sp = space_of(o, store, true);
    if (!sp)
        return -1;
    if (sim_idmap_get(&sp->listed, key + 1, NULL))
        return 0;
    if (grow((void **)&sp->committed, &sp->capcommitted, sp->ncommitted, sizeof *sp->committed) ||
        sim_idmap_put(&sp->listed, key + 1, 1))
        return -1;
    sp->committed[sp->ncommitted++] = key;
    return 0;
}

int consistency_settle_store(consistency_oracle *o, uint32_t store,
                             consistency_version_fn *version_of, void *ud) {
    const space *sp = space_of(o, store, false);
    for (size_t k = 0; sp && k < sp->ncommitted; k++)
        if (consistency_surviving(o, store, sp->committed[k], version_of(sp->committed[k], ud)))
            return -1;
    return 0;
}

bool consistency_is_used(const consistency_oracle *o) { return o->nspaces > 0; }

bool consistency_node_reads(const consistency_oracle *o, uint32_t node, uint64_t *reads,
                            uint64_t *stale) {
    if (node >= o->nnodes || o->node_reads[node] == 0)
        return false;
    *reads = o->node_reads[node];
    *stale = o->node_stale[node];
    return true;
}

bool consistency_store_writes(const consistency_oracle *o, uint32_t store, uint64_t *acked,
                              uint64_t *lost) {
    const space *sp = space_of_const(o, store);
    if (!sp || sp->writes_acked == 0)
        return false;
    *acked = sp->writes_acked;
    *lost = sp->lost_writes;
    return true;
}

consistency_figures consistency_get(const consistency_oracle *o) { return o->fig; }

const sim_hist *consistency_staleness(const consistency_oracle *o) { return &o->staleness; }

void consistency_report(const consistency_oracle *o, sim_report *w) {
    const consistency_figures *f = &o->fig;
    sim_report_int(w, "reads_checked", (int64_t)f->reads_checked);
    sim_report_int(w, "stale_reads", (int64_t)f->stale_reads);
    sim_report_number(w, "stale_read_rate",
                      f->reads_checked ? (double)f->stale_reads / (double)f->reads_checked : 0);
    sim_report_open(w, "staleness_ms");
    sim_report_number(w, "mean", sim_hist_mean(&o->staleness) / 1e6);
    sim_report_number(w, "p99", sim_hist_quantile(&o->staleness, 0.99) / 1e6);
    sim_report_number(w, "max", o->staleness.count ? (double)o->staleness.max / 1e6 : 0);
    sim_report_close(w);
    sim_report_open(w, "staleness_versions");
    sim_report_number(w, "mean",
                      f->stale_reads ? f->staleness_versions_sum / (double)f->stale_reads : 0);
    sim_report_int(w, "max", (int64_t)f->staleness_versions_max);
    sim_report_close(w);
    sim_report_int(w, "writes_acked", (int64_t)f->writes_acked);
    sim_report_int(w, "lost_writes", (int64_t)f->lost_writes);
    sim_report_int(w, "read_your_writes_violations", (int64_t)f->read_your_writes_violations);
    sim_report_int(w, "monotonic_read_violations", (int64_t)f->monotonic_read_violations);
}

/* The oracle's verdicts that belong to node: on the reads whose version it supplied, and, if
 * it names a data store, on the writes acknowledged there. */
static void report_node(const void *checker, uint32_t node, sim_report *w) {
    const consistency_oracle *o = checker;
    uint64_t reads, stale, acked, lost;
    bool served = consistency_node_reads(o, node, &reads, &stale);
    bool stored = consistency_store_writes(o, node, &acked, &lost);
    if (!served && !stored)
        return;
    sim_report_open(w, "consistency");
    if (served) {
        sim_report_int(w, "reads_served", (int64_t)reads);
        sim_report_int(w, "stale_reads", (int64_t)stale);
        sim_report_number(w, "stale_read_rate", (double)stale / (double)reads);
    }
    if (stored) {
        sim_report_int(w, "writes_acked", (int64_t)acked);
        sim_report_int(w, "lost_writes", (int64_t)lost);
    }
    sim_report_close(w);
}

static void *create(const sim_topology *topo) {
    (void)topo;
    return consistency_new();
}

static bool is_reported(const void *checker) { return consistency_is_used(checker); }

static void report(const void *checker, sim_report *w) { consistency_report(checker, w); }

static void destroy(void *checker) { consistency_free(checker); }

const sim_checker_kind dsim_consistency_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "consistency",
    .create = create,
    .is_reported = is_reported,
    .report = report,
    .report_node = report_node,
    .free = destroy,
};
