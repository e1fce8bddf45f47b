/* The consistency oracle. Each history is a timeline: entries appended in time order, each
 * with the running maximum of the versions so far, so "the newest version before time t" is a
 * binary search, and so is "when was version v first superseded". */
#include "oracle.h"

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

/* The keys a data store committed writes of, in the order they joined. */
typedef struct store_keys {
    sim_idmap seen; /* key + 1 -> 1 */
    uint64_t *keys;
    size_t n, cap;
} store_keys;

struct sim_oracle {
    sim_idmap key_index; /* key + 1 -> index in keys */
    timeline *keys;      /* acknowledged writes per key */
    size_t nkeys, capkeys;
    sim_idmap *by_client; /* per client: key + 1 -> index in ck */
    size_t nclients;
    client_key *ck;
    size_t nck, capck;
    sim_idmap store_index; /* store + 1 -> index in stores */
    store_keys *stores;
    size_t nstores, capstores;
    uint64_t *node_reads, *node_stale; /* per node that supplied reads, by node id */
    size_t nnodes;
    sim_oracle_figures fig;
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

sim_oracle *sim_oracle_new(void) {
    sim_oracle *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    sim_idmap_init(&o->key_index);
    sim_idmap_init(&o->store_index);
    sim_hist_init(&o->staleness);
    return o;
}

void sim_oracle_free(sim_oracle *o) {
    if (!o)
        return;
    for (size_t i = 0; i < o->nkeys; i++)
        free(o->keys[i].e);
    free(o->keys);
    for (size_t i = 0; i < o->nck; i++) {
        free(o->ck[i].writes.e);
        free(o->ck[i].reads.e);
    }
    free(o->ck);
    for (size_t i = 0; i < o->nclients; i++)
        sim_idmap_free(&o->by_client[i]);
    free(o->by_client);
    sim_idmap_free(&o->key_index);
    for (size_t i = 0; i < o->nstores; i++) {
        sim_idmap_free(&o->stores[i].seen);
        free(o->stores[i].keys);
    }
    free(o->stores);
    free(o->node_reads);
    free(o->node_stale);
    sim_idmap_free(&o->store_index);
    sim_hist_free(&o->staleness);
    free(o);
}

/* The write timeline of key, created empty on first use; NULL when out of memory. */
static timeline *key_timeline(sim_oracle *o, uint64_t key, bool create) {
    uint64_t i;
    if (sim_idmap_get(&o->key_index, key + 1, &i))
        return &o->keys[i];
    if (!create || grow((void **)&o->keys, &o->capkeys, o->nkeys, sizeof *o->keys) ||
        sim_idmap_put(&o->key_index, key + 1, o->nkeys))
        return NULL;
    o->keys[o->nkeys] = (timeline){0};
    return &o->keys[o->nkeys++];
}

/* The history of client with key, created empty on first use; NULL when out of memory. */
static client_key *client_history(sim_oracle *o, uint32_t client, uint64_t key) {
    if (client >= o->nclients) {
        sim_idmap *m = realloc(o->by_client, ((size_t)client + 1) * sizeof *m);
        if (!m)
            return NULL;
        for (size_t i = o->nclients; i <= client; i++)
            sim_idmap_init(&m[i]);
        o->by_client = m;
        o->nclients = (size_t)client + 1;
    }
    uint64_t i;
    if (sim_idmap_get(&o->by_client[client], key + 1, &i))
        return &o->ck[i];
    if (grow((void **)&o->ck, &o->capck, o->nck, sizeof *o->ck) ||
        sim_idmap_put(&o->by_client[client], key + 1, o->nck))
        return NULL;
    o->ck[o->nck] = (client_key){{0}, {0}};
    return &o->ck[o->nck++];
}

int sim_oracle_write_acked(sim_oracle *o, uint32_t client, uint64_t key, uint64_t version,
                           sim_time at, bool measured) {
    timeline *tl = key_timeline(o, key, true);
    client_key *ck = client_history(o, client, key);
    if (!tl || !ck || timeline_add(tl, at, version, measured) ||
        timeline_add(&ck->writes, at, version, measured))
        return -1;
    if (measured)
        o->fig.writes_acked++;
    return 0;
}

/* Makes room for node's per-node counters; returns 0, or -1 when out of memory. */
static int node_slot(sim_oracle *o, uint32_t node) {
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

int sim_oracle_read(sim_oracle *o, uint32_t client, uint64_t key, uint64_t version,
                    uint32_t served_by, sim_time issued, sim_time done, bool measured) {
    client_key *ck = client_history(o, client, key);
    if (!ck)
        return -1;
    bool by_node = served_by != SIM_ORACLE_NO_NODE;
    if (measured && by_node && node_slot(o, served_by))
        return -1;
    if (measured) {
        o->fig.reads_checked++;
        if (by_node)
            o->node_reads[served_by]++;
        const timeline *tl = key_timeline(o, key, false);
        size_t k = tl ? count_before(tl, issued) : 0;
        uint64_t newest = k ? tl->e[k - 1].max : 0;
        if (version < newest) {
            o->fig.stale_reads++;
            if (by_node)
                o->node_stale[served_by]++;
            const entry *superseding = &tl->e[first_above(tl, version, k)];
            if (sim_hist_record(&o->staleness, issued - superseding->t))
                return -1;
            uint64_t behind = newest - version;
            o->fig.staleness_versions_sum += (double)behind;
            if (behind > o->fig.staleness_versions_max)
                o->fig.staleness_versions_max = behind;
        }
        if (version < max_before(&ck->writes, issued))
            o->fig.read_your_writes_violations++;
        if (version < max_before(&ck->reads, issued))
            o->fig.monotonic_read_violations++;
    }
    return timeline_add(&ck->reads, done, version, measured);
}

int sim_oracle_surviving(sim_oracle *o, uint64_t key, uint64_t version) {
    timeline *tl = key_timeline(o, key, false);
    if (!tl)
        return 0;
    for (size_t i = 0; i < tl->n; i++) {
        entry *e = &tl->e[i];
        if (e->version > version && !e->lost) {
            e->lost = true;
            if (e->measured)
                o->fig.lost_writes++;
        }
    }
    return 0;
}

int sim_oracle_store_key(sim_oracle *o, uint32_t store, uint64_t key) {
    uint64_t i;
    if (!sim_idmap_get(&o->store_index, (uint64_t)store + 1, &i)) {
        if (grow((void **)&o->stores, &o->capstores, o->nstores, sizeof *o->stores) ||
            sim_idmap_put(&o->store_index, (uint64_t)store + 1, o->nstores))
            return -1;
        o->stores[o->nstores] = (store_keys){0};
        sim_idmap_init(&o->stores[o->nstores].seen);
        i = o->nstores++;
    }
    store_keys *sk = &o->stores[i];
    if (sim_idmap_get(&sk->seen, key + 1, NULL))
        return 0;
    if (grow((void **)&sk->keys, &sk->cap, sk->n, sizeof *sk->keys) ||
        sim_idmap_put(&sk->seen, key + 1, 1))
        return -1;
    sk->keys[sk->n++] = key;
    return 0;
}

int sim_oracle_settle(sim_oracle *o, uint32_t store, sim_oracle_version_fn *version_of,
                      void *ud) {
    uint64_t i;
    if (!sim_idmap_get(&o->store_index, (uint64_t)store + 1, &i))
        return 0;
    const store_keys *sk = &o->stores[i];
    for (size_t k = 0; k < sk->n; k++)
        if (sim_oracle_surviving(o, sk->keys[k], version_of(sk->keys[k], ud)))
            return -1;
    return 0;
}

bool sim_oracle_is_used(const sim_oracle *o) {
    return o->nkeys > 0 || o->nck > 0;
}

bool sim_oracle_node_reads(const sim_oracle *o, uint32_t node, uint64_t *reads,
                           uint64_t *stale) {
    if (node >= o->nnodes || o->node_reads[node] == 0)
        return false;
    *reads = o->node_reads[node];
    *stale = o->node_stale[node];
    return true;
}

sim_oracle_figures sim_oracle_get(const sim_oracle *o) { return o->fig; }

const sim_hist *sim_oracle_staleness(const sim_oracle *o) { return &o->staleness; }

void sim_oracle_report(const sim_oracle *o, sim_report *w) {
    const sim_oracle_figures *f = &o->fig;
    sim_report_open(w, "consistency");
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
    sim_report_close(w);
}
