/* The consistency oracle. Each history is a timeline of raises: (time, running maximum)
 * appended in time order only when the maximum rises, so "the newest version before time t" is
 * a binary search by time, and "when was version v first superseded" one by maximum. What the
 * horizon and the floors (consistency.h) let it forget is cut from the front of each timeline
 * at a compaction. */
#include "consistency.h"
#include "array.h"

#include "idmap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Compact when the entries held reach twice what the last compaction left, and at least this
 * many: the cost of a compaction (every key and client history, every watcher) is then paid
 * for by the entries added since the last one. */
#define COMPACT_MIN_ENTRIES 4096

/* No horizon known: every time-ordered history is kept whole. */
#define NO_HORIZON INT64_MIN

typedef struct raise {
    sim_time t;
    uint64_t max; /* the newest version from t on (until the next raise) */
} raise;

typedef struct timeline {
    raise *e;
    size_t n, cap;
} timeline;

/* A version a cache keeps, servable until `end` (SIM_TIME_MAX: until dropped). */
typedef struct pin {
    uint32_t node;
    uint64_t version;
    sim_time end;
} pin;

/* One key of a store. */
typedef struct key_hist {
    uint64_t key;
    timeline acked;   /* the acknowledged writes that raised the newest version */
    uint64_t *unlost; /* versions of the measured acknowledged writes not lost, above floor */
    size_t nunlost, capunlost;
    pin *pins;
    size_t npins, cappins;
    uint64_t floor;      /* no version below it will be returned or survive a settle */
    uint64_t next_floor; /* the copies' floors at the last compaction */
} key_hist;

/* A client's history with one key: its acknowledged writes and its completed reads. */
typedef struct client_key {
    timeline writes, reads;
} client_key;

typedef struct copy {
    consistency_version_fn *floor_of;
    void *ud;
} copy;

typedef struct watcher {
    consistency_oldest_fn *oldest_issued;
    const void *ud;
} watcher;

/* One data store's keys: their histories, and the keys it committed writes of. */
typedef struct space {
    uint32_t store;
    sim_idmap key_index; /* key + 1 -> index in keys */
    key_hist *keys;
    size_t nkeys, capkeys;
    sim_idmap *by_client; /* per client node: key + 1 -> index in ck */
    size_t nclients;
    client_key *ck;
    size_t nck, capck;
    sim_idmap listed;    /* key + 1 -> 1: the keys of `committed` */
    uint64_t *committed; /* keys the store committed writes of, in first-commit order */
    size_t ncommitted, capcommitted;
    copy *copies;
    size_t ncopies, capcopies;
    uint64_t writes_acked, lost_writes; /* measured */
} space;

enum { ROLE_WATCHED = 1, ROLE_COPY = 2, ROLE_CACHE = 4 };

struct consistency_oracle {
    sim_idmap space_index; /* store + 1 -> index in spaces */
    space *spaces;
    size_t nspaces, capspaces;
    uint64_t *node_reads, *node_stale; /* per node that supplied reads, by node id */
    size_t nnodes;
    uint8_t *roles; /* per node id: ROLE_* */
    size_t nroles;
    watcher *watchers;
    size_t nwatchers, capwatchers;
    bool used;                 /* a write was acknowledged, a read judged or a key listed */
    bool no_horizon;           /* a read came from a client that is not watched */
    bool no_floor;             /* a read came from a node that is neither copy nor cache */
    bool compacted;            /* compacted_at is set */
    sim_time compacted_at;     /* the last compaction (when next_floor were taken) */
    sim_time horizon;          /* the horizon the last compaction cut at (NO_HORIZON: none) */
    size_t held, next_compact; /* entries held in all histories; compact when held reaches it */
    consistency_figures fig;
    sim_hist staleness;
};

/* Appends a raise when version exceeds the newest so far; the others change no answer. */
static int timeline_raise(consistency_oracle *o, timeline *tl, sim_time t, uint64_t version) {
    if (tl->n && version <= tl->e[tl->n - 1].max)
        return 0;
    if (sim_array_grow((void **)&tl->e, &tl->cap, tl->n + 1, sizeof *tl->e))
        return -1;
    tl->e[tl->n++] = (raise){t, version};
    o->held++;
    return 0;
}

/* Number of raises strictly before time t. */
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

/* The newest version before time t (0 when none). */
static uint64_t max_before(const timeline *tl, sim_time t) {
    size_t k = count_before(tl, t);
    return k ? tl->e[k - 1].max : 0;
}

/* Index of the first raise above v (tl->n when none). */
static size_t first_above(const timeline *tl, uint64_t v) {
    size_t lo = 0, hi = tl->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tl->e[mid].max > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Drops the raises before index i. */
static void timeline_cut(consistency_oracle *o, timeline *tl, size_t i) {
    if (i == 0)
        return;
    memmove(tl->e, tl->e + i, (tl->n - i) * sizeof *tl->e);
    tl->n -= i;
    o->held -= i;
}

/* The index of the last raise before t, where a history asked only about times >= t may
 * begin (0 when none is before t). */
static size_t horizon_start(const timeline *tl, sim_time t) {
    size_t k = count_before(tl, t);
    return k ? k - 1 : 0;
}

consistency_oracle *consistency_new(void) {
    consistency_oracle *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    sim_idmap_init(&o->space_index);
    sim_hist_init(&o->staleness);
    o->horizon = NO_HORIZON;
    o->next_compact = COMPACT_MIN_ENTRIES;
    return o;
}

static void space_free(space *sp) {
    for (size_t i = 0; i < sp->nkeys; i++) {
        free(sp->keys[i].acked.e);
        free(sp->keys[i].unlost);
        free(sp->keys[i].pins);
    }
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
    free(sp->copies);
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
    free(o->roles);
    free(o->watchers);
    sim_hist_free(&o->staleness);
    free(o);
}

/* The space of store, created empty on first use when create; NULL when absent or out of
 * memory. */
static space *space_of(consistency_oracle *o, uint32_t store, bool create) {
    uint64_t i;
    if (sim_idmap_get(&o->space_index, (uint64_t)store + 1, &i))
        return &o->spaces[i];
    if (!create ||
        sim_array_grow((void **)&o->spaces, &o->capspaces, o->nspaces + 1, sizeof *o->spaces) ||
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

/* The history of key, created empty on first use when create; NULL when absent or out of
 * memory. */
static key_hist *key_of(space *sp, uint64_t key, bool create) {
    uint64_t i;
    if (sim_idmap_get(&sp->key_index, key + 1, &i))
        return &sp->keys[i];
    if (!create ||
        sim_array_grow((void **)&sp->keys, &sp->capkeys, sp->nkeys + 1, sizeof *sp->keys) ||
        sim_idmap_put(&sp->key_index, key + 1, sp->nkeys))
        return NULL;
    sp->keys[sp->nkeys] = (key_hist){.key = key};
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
    if (sim_array_grow((void **)&sp->ck, &sp->capck, sp->nck + 1, sizeof *sp->ck) ||
        sim_idmap_put(&sp->by_client[client], key + 1, sp->nck))
        return NULL;
    sp->ck[sp->nck] = (client_key){{0}, {0}};
    return &sp->ck[sp->nck++];
}

/* Makes room for node's per-node counters and role; returns 0, or -1 when out of memory. */
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
    uint8_t *roles = realloc(o->roles, n * sizeof *roles);
    if (!roles)
        return -1;
    o->roles = roles;
    for (size_t i = o->nnodes; i < n; i++) {
        reads[i] = stale[i] = 0;
        roles[i] = 0;
    }
    o->nnodes = n;
    return 0;
}

static bool has_role(const consistency_oracle *o, uint32_t node, uint8_t role) {
    return node < o->nnodes && (o->roles[node] & role);
}

/* ---- compaction ---- */

/* The earliest issue time of a read that can still be judged, as far as the watchers know;
 * NO_HORIZON when the oracle cannot tell (no watcher, or a read from an unwatched client). */
static sim_time horizon_now(const consistency_oracle *o, sim_time now) {
    if (o->no_horizon || o->nwatchers == 0)
        return NO_HORIZON;
    sim_time h = now;
    for (size_t i = 0; i < o->nwatchers; i++) {
        sim_time t = o->watchers[i].oldest_issued(o->watchers[i].ud);
        if (t < h)
            h = t;
    }
    return h;
}

/* Raises the key's floor as far as the copies' floors taken at the last compaction (if it was
 * before the horizon) and the pins still servable at or after the horizon allow, then takes
 * the copies' floors anew. */
static void raise_floor(const consistency_oracle *o, const space *sp, key_hist *kh,
                        sim_time horizon, bool use_next) {
    uint64_t f = use_next && sp->ncopies ? kh->next_floor : 0;
    size_t kept = 0;
    for (size_t i = 0; i < kh->npins; i++) {
        if (horizon != NO_HORIZON && kh->pins[i].end < horizon)
            continue; /* not servable since before the horizon: nothing can carry it now */
        if (kh->pins[i].version < f)
            f = kh->pins[i].version;
        kh->pins[kept++] = kh->pins[i];
    }
    kh->npins = kept;
    if (!o->no_floor && f > kh->floor)
        kh->floor = f;
    uint64_t next = UINT64_MAX;
    for (size_t c = 0; c < sp->ncopies; c++) {
        uint64_t v = sp->copies[c].floor_of(kh->key, sp->copies[c].ud);
        if (v < next)
            next = v;
    }
    kh->next_floor = sp->ncopies ? next : 0;
}

static void compact_key(consistency_oracle *o, key_hist *kh, sim_time horizon) {
    size_t by_version = first_above(&kh->acked, kh->floor);
    size_t by_time = horizon == NO_HORIZON ? 0 : horizon_start(&kh->acked, horizon);
    timeline_cut(o, &kh->acked, by_version < by_time ? by_version : by_time);
    size_t kept = 0;
    for (size_t i = 0; i < kh->nunlost; i++)
        if (kh->unlost[i] > kh->floor)
            kh->unlost[kept++] = kh->unlost[i];
    o->held -= kh->nunlost - kept;
    kh->nunlost = kept;
}

int consistency_compact(consistency_oracle *o, sim_time now) {
    sim_time h = horizon_now(o, now);
    bool use_next = o->compacted && h != NO_HORIZON && o->compacted_at < h;
    for (size_t s = 0; s < o->nspaces; s++) {
        space *sp = &o->spaces[s];
        for (size_t k = 0; k < sp->nkeys; k++) {
            key_hist *kh = &sp->keys[k];
            size_t pins_before = kh->npins;
            raise_floor(o, sp, kh, h, use_next);
            o->held -= pins_before - kh->npins;
            compact_key(o, kh, h);
        }
        if (h == NO_HORIZON)
            continue;
        for (size_t c = 0; c < sp->nck; c++) {
            timeline_cut(o, &sp->ck[c].writes, horizon_start(&sp->ck[c].writes, h));
            timeline_cut(o, &sp->ck[c].reads, horizon_start(&sp->ck[c].reads, h));
        }
    }
    if (h > o->horizon)
        o->horizon = h;
    o->compacted = true;
    o->compacted_at = now;
    o->next_compact = 2 * o->held > COMPACT_MIN_ENTRIES ? 2 * o->held : COMPACT_MIN_ENTRIES;
    return 0;
}

static void maybe_compact(consistency_oracle *o, sim_time now) {
    if (o->held >= o->next_compact)
        consistency_compact(o, now);
}

/* ---- what the kinds report ---- */

int consistency_watch(consistency_oracle *o, uint32_t node, consistency_oldest_fn *oldest_issued,
                      const void *ud) {
    if (node_slot(o, node) || sim_array_grow((void **)&o->watchers, &o->capwatchers,
                                             o->nwatchers + 1, sizeof *o->watchers))
        return -1;
    o->watchers[o->nwatchers++] = (watcher){oldest_issued, ud};
    o->roles[node] |= ROLE_WATCHED;
    return 0;
}

int consistency_copy(consistency_oracle *o, uint32_t store, uint32_t node,
                     consistency_version_fn *floor_of, void *ud) {
    space *sp = space_of(o, store, true);
    if (!sp || node_slot(o, node) ||
        sim_array_grow((void **)&sp->copies, &sp->capcopies, sp->ncopies + 1, sizeof *sp->copies))
        return -1;
    sp->copies[sp->ncopies++] = (copy){floor_of, ud};
    o->roles[node] |= ROLE_COPY;
    /* A copy that joins late has promised nothing about the past: the floors taken before it
     * came do not count. */
    o->compacted = false;
    return 0;
}

int consistency_cached(consistency_oracle *o, uint32_t node, uint32_t store, uint64_t key,
                       uint64_t version, sim_time now, sim_time until) {
    space *sp = space_of(o, store, true);
    key_hist *kh = sp ? key_of(sp, key, true) : NULL;
    if (!kh || node_slot(o, node))
        return -1;
    o->roles[node] |= ROLE_CACHE;
    for (size_t i = 0; i < kh->npins; i++)
        if (kh->pins[i].node == node && kh->pins[i].end > now)
            kh->pins[i].end = now;
    if (until > now) {
        if (sim_array_grow((void **)&kh->pins, &kh->cappins, kh->npins + 1, sizeof *kh->pins))
            return -1;
        kh->pins[kh->npins++] = (pin){node, version, until};
        o->held++;
    }
    return 0;
}

int consistency_write_acked(consistency_oracle *o, const consistency_op *op) {
    space *sp = space_of(o, op->store, true);
    key_hist *kh = sp ? key_of(sp, op->key, true) : NULL;
    client_key *ck = kh ? client_history(sp, op->client, op->key) : NULL;
    o->used = true;
    if (!ck || timeline_raise(o, &kh->acked, op->done, op->version) ||
        timeline_raise(o, &ck->writes, op->done, op->version))
        return -1;
    if (op->measured) {
        o->fig.writes_acked++;
        sp->writes_acked++;
        if (op->version > kh->floor) {
            if (sim_array_grow((void **)&kh->unlost, &kh->capunlost, kh->nunlost + 1,
                               sizeof *kh->unlost))
                return -1;
            kh->unlost[kh->nunlost++] = op->version;
            o->held++;
        }
    }
    maybe_compact(o, op->done);
    return 0;
}

/* Judges a measured read against the acknowledged writes of its key (kh, may be NULL) and
 * the client's own history (ck); returns 1 when it is stale, 0 when not, -1 when out of
 * memory. */
static int judge(consistency_oracle *o, const consistency_op *op, const key_hist *kh,
                 const client_key *ck) {
    o->fig.reads_checked++;
    uint64_t newest = kh ? max_before(&kh->acked, op->issued) : 0;
    int stale = op->version < newest;
    if (stale) {
        o->fig.stale_reads++;
        assert(op->version >= kh->floor); /* every supplier kept its promise (consistency.h) */
        const raise *superseding = &kh->acked.e[first_above(&kh->acked, op->version)];
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
    o->used = true;
    if (!ck)
        return -1;
    if (!has_role(o, op->client, ROLE_WATCHED))
        o->no_horizon = true;
    if (op->served_by == CONSISTENCY_NO_NODE || !has_role(o, op->served_by, ROLE_COPY | ROLE_CACHE))
        o->no_floor = true;
    assert(op->issued >= o->horizon); /* every client that feeds reads is watched */
    if (op->measured) {
        int stale = judge(o, op, key_of(sp, op->key, false), ck);
        if (stale < 0)
            return -1;
        if (op->served_by != CONSISTENCY_NO_NODE) {
            if (node_slot(o, op->served_by))
                return -1;
            o->node_reads[op->served_by]++;
            o->node_stale[op->served_by] += (uint64_t)stale;
        }
    }
    if (timeline_raise(o, &ck->reads, op->done, op->version))
        return -1;
    maybe_compact(o, op->done);
    return 0;
}

int consistency_surviving(consistency_oracle *o, uint32_t store, uint64_t key, uint64_t version) {
    space *sp = space_of(o, store, false);
    key_hist *kh = sp ? key_of(sp, key, false) : NULL;
    if (!kh)
        return 0;
    assert(version >= kh->floor); /* every copy kept its promise (consistency.h) */
    size_t kept = 0;
    for (size_t i = 0; i < kh->nunlost; i++) {
        if (kh->unlost[i] > version) {
            o->fig.lost_writes++;
            sp->lost_writes++;
        } else {
            kh->unlost[kept++] = kh->unlost[i];
        }
    }
    o->held -= kh->nunlost - kept;
    kh->nunlost = kept;
    return 0;
}

int consistency_store_key(consistency_oracle *o, uint32_t store, uint64_t key) {
    space *sp = space_of(o, store, true);
    o->used = true;
    if (!sp)
        return -1;
    if (sim_idmap_get(&sp->listed, key + 1, NULL))
        return 0;
    if (sim_array_grow((void **)&sp->committed, &sp->capcommitted, sp->ncommitted + 1,
                       sizeof *sp->committed) ||
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

/* ---- figures ---- */

static size_t idmap_bytes(const sim_idmap *m) { return m->cap * 2 * sizeof(uint64_t); }

size_t consistency_bytes(const consistency_oracle *o) {
    size_t b = sizeof *o + idmap_bytes(&o->space_index) + o->capspaces * sizeof(space) +
               o->nnodes * (2 * sizeof(uint64_t) + 1) + o->capwatchers * sizeof(watcher) +
               o->staleness.nbuckets * sizeof(uint64_t);
    for (size_t s = 0; s < o->nspaces; s++) {
        const space *sp = &o->spaces[s];
        b += idmap_bytes(&sp->key_index) + sp->capkeys * sizeof(key_hist) +
             sp->nclients * sizeof(sim_idmap) + sp->capck * sizeof(client_key) +
             idmap_bytes(&sp->listed) + sp->capcommitted * sizeof(uint64_t) +
             sp->capcopies * sizeof(copy);
        for (size_t i = 0; i < sp->nclients; i++)
            b += idmap_bytes(&sp->by_client[i]);
        for (size_t k = 0; k < sp->nkeys; k++) {
            const key_hist *kh = &sp->keys[k];
            b += kh->acked.cap * sizeof(raise) + kh->capunlost * sizeof(uint64_t) +
                 kh->cappins * sizeof(pin);
        }
        for (size_t c = 0; c < sp->nck; c++)
            b += (sp->ck[c].writes.cap + sp->ck[c].reads.cap) * sizeof(raise);
    }
    return b;
}

size_t consistency_entries(const consistency_oracle *o) { return o->held; }

bool consistency_is_used(const consistency_oracle *o) { return o->used; }

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

/* What consistency_report and report_node write (checker.h). */
static const char *const figures[] = {"reads_checked",
                                      "stale_reads",
                                      "stale_read_rate",
                                      "staleness_ms.mean",
                                      "staleness_ms.p99",
                                      "staleness_ms.max",
                                      "staleness_versions.mean",
                                      "staleness_versions.max",
                                      "writes_acked",
                                      "lost_writes",
                                      "read_your_writes_violations",
                                      "monotonic_read_violations",
                                      NULL};
static const char *const node_figures[] = {
    "consistency.reads_served", "consistency.stale_reads", "consistency.stale_read_rate",
    "consistency.writes_acked", "consistency.lost_writes", NULL};

const sim_checker_kind dsim_consistency_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "consistency",
    .create = create,
    .is_reported = is_reported,
    .report = report,
    .report_node = report_node,
    .free = destroy,
    .figures = figures,
    .node_figures = node_figures,
};
