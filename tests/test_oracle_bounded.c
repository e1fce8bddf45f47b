/* The consistency oracle's bounded memory (checkers/consistency.h) against a naive oracle that
 * keeps the whole history (the oracle as it was before it learnt to forget, written here
 * again with linear scans): on random histories of writes, acknowledgements, replication,
 * reads served by copies and by a cache, abandoned reads, cache fills and drops, failovers and
 * settles, on few keys so that every kind of violation happens often, both must give
 * identical figures, seed after seed; and on a long steady history the bounded oracle's
 * memory must stay flat while the naive one's grows with it.
 *
 * The world keeps every promise the oracle relies on: a read is judged only while its client
 * awaits it (the client's watcher sees it), a cache's backend call is held until it fills (the
 * cache's watcher sees it), a reliable store's copies never go back to an older version (their
 * floor is their current version), a cache pins what it keeps. Store 101 is unreliable: its
 * copies may lose everything and reuse version numbers, so they promise nothing (floor 0). */
#include "consistency.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

enum { NSTORES = 2, NKEYS = 3, NCLIENTS = 2, MAXCOPIES = 3 };
enum { CACHE = 50, WARMUP = 40 };
static const uint32_t STORE_ID[NSTORES] = {100, 101};
static const uint32_t CLIENT_ID[NCLIENTS] = {1, 2};
/* node id of copy j of store s */
static uint32_t copy_node(int s, int j) { return (uint32_t)(10 + 4 * s + j); }

/* ---- the naive oracle: every acknowledged write forever ---- */

typedef struct nentry {
    sim_time t;
    uint64_t version, max;
    bool measured, lost;
} nentry;

typedef struct nline {
    nentry *e;
    size_t n, cap;
} nline;

typedef struct naive {
    nline keys[NSTORES][NKEYS];
    nline writes[NSTORES][NCLIENTS][NKEYS], reads[NSTORES][NCLIENTS][NKEYS]; /* raises only */
    consistency_figures fig;
    sim_hist staleness;
    uint64_t node_reads[64], node_stale[64];
    uint64_t store_acked[NSTORES], store_lost[NSTORES];
    size_t bytes;
} naive;

static void nadd(naive *nv, nline *l, sim_time t, uint64_t v, bool measured, bool raise_only) {
    uint64_t prev = l->n ? l->e[l->n - 1].max : 0;
    if (raise_only && l->n && v <= prev)
        return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4;
        l->e = realloc(l->e, l->cap * sizeof *l->e);
        cr_assert(l->e);
    }
    l->e[l->n++] = (nentry){t, v, v > prev || l->n == 0 ? v : prev, measured, false};
    nv->bytes += sizeof(nentry);
}

static uint64_t nmax_before(const nline *l, sim_time t) {
    uint64_t m = 0;
    for (size_t i = 0; i < l->n && l->e[i].t < t; i++)
        m = l->e[i].max;
    return m;
}

static void naive_free(naive *nv) {
    for (int s = 0; s < NSTORES; s++)
        for (int k = 0; k < NKEYS; k++) {
            free(nv->keys[s][k].e);
            for (int c = 0; c < NCLIENTS; c++) {
                free(nv->writes[s][c][k].e);
                free(nv->reads[s][c][k].e);
            }
        }
    sim_hist_free(&nv->staleness);
}

/* ---- the world ---- */

typedef struct wread {
    int client, store, key;
    sim_time issued;
    bool served;
    uint64_t version;
    uint32_t by;
} wread;

typedef struct wwrite {
    int client, store, key;
    uint64_t version;
    sim_time issued;
} wwrite;

typedef struct wfetch {
    int store, key;
    sim_time issued, created;
    bool served;
    uint64_t version;
} wfetch;

typedef struct world {
    gsl_rng *rng;
    sim_time now;
    int ncopies[NSTORES];
    int primary[NSTORES];
    uint64_t ver[NSTORES][MAXCOPIES][NKEYS];
    bool written[NSTORES][NKEYS];
    wread reads[64];
    int nreads;
    wwrite writes[64];
    int nwrites;
    wfetch fetches[16];
    int nfetches;
    bool cached[NSTORES][NKEYS];
    uint64_t cache_ver[NSTORES][NKEYS];
    sim_time cache_until[NSTORES][NKEYS];
    sim_time ttl;
    sim_time patience; /* open reads and backend calls older than this are settled */
    consistency_oracle *o;
    naive nv;
    /* what the watchers and copies read */
    struct copy_ref {
        struct world *w;
        int store, copy;
    } refs[NSTORES][MAXCOPIES];
    struct client_ref {
        struct world *w;
        int client;
    } crefs[NCLIENTS];
} world;

static sim_time client_oldest(const void *ud) {
    const struct client_ref *r = ud;
    sim_time t = SIM_TIME_MAX;
    for (int i = 0; i < r->w->nreads; i++)
        if (r->w->reads[i].client == r->client && r->w->reads[i].issued < t)
            t = r->w->reads[i].issued;
    return t;
}

static sim_time cache_oldest(const void *ud) {
    const world *w = ud;
    sim_time t = SIM_TIME_MAX;
    for (int i = 0; i < w->nfetches; i++)
        if (w->fetches[i].issued < t)
            t = w->fetches[i].issued;
    return t;
}

static uint64_t copy_floor(uint64_t key, void *ud) {
    const struct copy_ref *r = ud;
    if (r->store == 1)
        return 0; /* the unreliable store promises nothing */
    return key < NKEYS ? r->w->ver[r->store][r->copy][key] : 0;
}

static int pick(world *w, int n) { return (int)gsl_rng_uniform_int(w->rng, (unsigned long)n); }
static bool chance(world *w, double p) { return gsl_rng_uniform(w->rng) < p; }

static void world_init(world *w, unsigned long seed, bool steady) {
    memset(w, 0, sizeof *w);
    w->rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(w->rng, seed);
    w->o = consistency_new();
    cr_assert(w->o);
    sim_hist_init(&w->nv.staleness);
    w->ttl = steady ? 30 : 1 + pick(w, 40);
    w->patience = steady ? 1000000 : 5 + pick(w, 200);
    for (int s = 0; s < NSTORES; s++) {
        w->ncopies[s] = steady ? 2 : 1 + pick(w, MAXCOPIES);
        for (int j = 0; j < w->ncopies[s]; j++) {
            w->refs[s][j] = (struct copy_ref){w, s, j};
            cr_assert_eq(
                consistency_copy(w->o, STORE_ID[s], copy_node(s, j), copy_floor, &w->refs[s][j]),
                0);
        }
    }
    for (int c = 0; c < NCLIENTS; c++) {
        w->crefs[c] = (struct client_ref){w, c};
        cr_assert_eq(consistency_watch(w->o, CLIENT_ID[c], client_oldest, &w->crefs[c]), 0);
    }
    cr_assert_eq(consistency_watch(w->o, CACHE, cache_oldest, w), 0);
}

static void world_free(world *w) {
    consistency_free(w->o);
    naive_free(&w->nv);
    gsl_rng_free(w->rng);
}

static void ack(world *w, int i) {
    wwrite x = w->writes[i];
    w->writes[i] = w->writes[--w->nwrites];
    bool measured = x.issued >= WARMUP;
    consistency_op op = {.client = CLIENT_ID[x.client],
                         .store = STORE_ID[x.store],
                         .served_by = copy_node(x.store, w->primary[x.store]),
                         .key = (uint64_t)x.key,
                         .version = x.version,
                         .issued = x.issued,
                         .done = w->now,
                         .measured = measured};
    cr_assert_eq(consistency_write_acked(w->o, &op), 0);
    naive *nv = &w->nv;
    nadd(nv, &nv->keys[x.store][x.key], w->now, x.version, measured, false);
    nadd(nv, &nv->writes[x.store][x.client][x.key], w->now, x.version, measured, true);
    if (measured) {
        nv->fig.writes_acked++;
        nv->store_acked[x.store]++;
    }
}

static void judge(world *w, int i) {
    wread r = w->reads[i];
    w->reads[i] = w->reads[--w->nreads];
    bool measured = r.issued >= WARMUP;
    consistency_op op = {.client = CLIENT_ID[r.client],
                         .store = STORE_ID[r.store],
                         .served_by = r.by,
                         .key = (uint64_t)r.key,
                         .version = r.version,
                         .issued = r.issued,
                         .done = w->now,
                         .measured = measured};
    cr_assert_eq(consistency_read(w->o, &op), 0);
    naive *nv = &w->nv;
    if (measured) {
        nv->fig.reads_checked++;
        const nline *l = &nv->keys[r.store][r.key];
        uint64_t newest = nmax_before(l, r.issued);
        bool stale = r.version < newest;
        if (stale) {
            nv->fig.stale_reads++;
            size_t j = 0;
            while (l->e[j].max <= r.version)
                j++;
            cr_assert_eq(sim_hist_record(&nv->staleness, r.issued - l->e[j].t), 0);
            uint64_t behind = newest - r.version;
            nv->fig.staleness_versions_sum += (double)behind;
            if (behind > nv->fig.staleness_versions_max)
                nv->fig.staleness_versions_max = behind;
        }
        if (r.version < nmax_before(&nv->writes[r.store][r.client][r.key], r.issued))
            nv->fig.read_your_writes_violations++;
        if (r.version < nmax_before(&nv->reads[r.store][r.client][r.key], r.issued))
            nv->fig.monotonic_read_violations++;
        nv->node_reads[r.by]++;
        nv->node_stale[r.by] += stale;
    }
    nadd(nv, &nv->reads[r.store][r.client][r.key], w->now, r.version, measured, true);
}

/* The copy j of store s now serves: every written key survives as j holds it. */
static void settle(world *w, int s, int j) {
    for (int k = 0; k < NKEYS; k++) {
        if (!w->written[s][k])
            continue;
        uint64_t v = w->ver[s][j][k];
        cr_assert_eq(consistency_surviving(w->o, STORE_ID[s], (uint64_t)k, v), 0);
        nline *l = &w->nv.keys[s][k];
        for (size_t i = 0; i < l->n; i++)
            if (l->e[i].version > v && !l->e[i].lost) {
                l->e[i].lost = true;
                if (l->e[i].measured) {
                    w->nv.fig.lost_writes++;
                    w->nv.store_lost[s]++;
                }
            }
    }
}

static void pin(world *w, int s, int k, uint64_t v, sim_time until) {
    cr_assert_eq(consistency_cached(w->o, CACHE, STORE_ID[s], (uint64_t)k, v, w->now, until), 0);
}

/* One random step. steady: a history that does not pile up open work (acks, reads and fetches
 * finish soon; no failovers), for the memory test. */
static void step(world *w, bool steady) {
    if (chance(w, 0.7))
        w->now += 1 + pick(w, 3);
    /* Work left open too long is settled: a timeout (or a late answer), a backend reply. */
    for (int i = w->nreads; i-- > 0;)
        if (w->reads[i].issued < w->now - w->patience) {
            if (w->reads[i].served && chance(w, 0.5))
                judge(w, i);
            else
                w->reads[i] = w->reads[--w->nreads];
        }
    for (int i = w->nfetches; i-- > 0;)
        if (w->fetches[i].created < w->now - w->patience)
            w->fetches[i] = w->fetches[--w->nfetches];
    int s = steady ? 0 : pick(w, NSTORES), k = pick(w, NKEYS), c = pick(w, NCLIENTS);
    int a = pick(w, 14);
    int p = w->primary[s];
    switch (a) {
    case 0:
    case 1: /* a write commits at the primary; its ack comes later, or never */
        if (w->nwrites < 64) {
            uint64_t v = ++w->ver[s][p][k];
            w->written[s][k] = true;
            w->writes[w->nwrites++] = (wwrite){c, s, k, v, w->now - pick(w, 3)};
        }
        break;
    case 2: /* an acknowledgement (or, rarely, a timed-out write that is never acked) */
        if (w->nwrites) {
            int i = pick(w, w->nwrites);
            if (!steady && chance(w, 0.1))
                w->writes[i] = w->writes[--w->nwrites];
            else
                ack(w, i);
        }
        break;
    case 3: { /* replication: a copy catches up part of the way */
        int j = pick(w, w->ncopies[s]);
        uint64_t lo = w->ver[s][j][k], hi = w->ver[s][p][k];
        if (hi > lo)
            w->ver[s][j][k] = lo + 1 + (uint64_t)pick(w, (int)(hi - lo));
        break;
    }
    case 4:
    case 5: /* a client issues a read */
        if (w->nreads < 64)
            w->reads[w->nreads++] = (wread){.client = c, .store = s, .key = k, .issued = w->now};
        break;
    case 6:
    case 7: { /* a read is served by a copy or by the cache */
        if (!w->nreads)
            break;
        wread *r = &w->reads[pick(w, w->nreads)];
        if (r->served)
            break;
        if (w->cached[r->store][r->key] && w->cache_until[r->store][r->key] > w->now &&
            chance(w, 0.5)) {
            r->version = w->cache_ver[r->store][r->key];
            r->by = CACHE;
        } else {
            int j = pick(w, w->ncopies[r->store]);
            r->version = w->ver[r->store][j][r->key];
            r->by = copy_node(r->store, j);
        }
        r->served = true;
        break;
    }
    case 8: { /* a served read completes, or an open one is given up */
        if (!w->nreads)
            break;
        int i = pick(w, w->nreads);
        if (w->reads[i].served)
            judge(w, i);
        else if (steady || chance(w, 0.3))
            w->reads[i] = w->reads[--w->nreads];
        break;
    }
    case 9: /* the cache calls the backend for a read it holds (issued as that read) */
        if (w->nfetches < 16)
            w->fetches[w->nfetches++] = (wfetch){.store = s,
                                                 .key = k,
                                                 .issued = w->nreads ? w->reads[0].issued : w->now,
                                                 .created = w->now};
        break;
    case 10: { /* a backend call is served, or its reply fills the entry */
        if (!w->nfetches)
            break;
        int i = pick(w, w->nfetches);
        wfetch *f = &w->fetches[i];
        if (!f->served) {
            f->version = w->ver[f->store][pick(w, w->ncopies[f->store])][f->key];
            f->served = true;
        } else {
            sim_time until = chance(w, 0.8) ? w->now + w->ttl : SIM_TIME_MAX;
            w->cached[f->store][f->key] = true;
            w->cache_ver[f->store][f->key] = f->version;
            w->cache_until[f->store][f->key] = until;
            pin(w, f->store, f->key, f->version, until);
            *f = w->fetches[--w->nfetches];
        }
        break;
    }
    case 11: /* the cache drops an entry (eviction, invalidation) */
        if (w->cached[s][k]) {
            w->cached[s][k] = false;
            pin(w, s, k, 0, w->now);
        }
        break;
    case 12: /* failover: another copy takes over; the unreliable store may lose its data */
        if (steady)
            break;
        if (s == 1 && chance(w, 0.5)) {
            int j = pick(w, w->ncopies[s]);
            for (int q = 0; q < NKEYS; q++)
                w->ver[s][j][q] = (uint64_t)pick(w, 2);
        }
        if (chance(w, 0.3)) {
            w->primary[s] = pick(w, w->ncopies[s]);
            settle(w, s, w->primary[s]);
        }
        break;
    case 13:
        if (!steady && chance(w, 0.5))
            cr_assert_eq(consistency_compact(w->o, w->now), 0);
        break;
    }
}

static void expect_same(world *w, unsigned long seed) {
    consistency_figures b = consistency_get(w->o), n = w->nv.fig;
    cr_expect_eq(b.reads_checked, n.reads_checked, "seed %lu: reads", seed);
    cr_expect_eq(b.stale_reads, n.stale_reads, "seed %lu: stale", seed);
    cr_expect_eq(b.writes_acked, n.writes_acked, "seed %lu: acked", seed);
    cr_expect_eq(b.lost_writes, n.lost_writes, "seed %lu: lost", seed);
    cr_expect_eq(b.read_your_writes_violations, n.read_your_writes_violations, "seed %lu: ryw",
                 seed);
    cr_expect_eq(b.monotonic_read_violations, n.monotonic_read_violations, "seed %lu: mono", seed);
    cr_expect_eq(b.staleness_versions_max, n.staleness_versions_max, "seed %lu", seed);
    cr_expect_eq(b.staleness_versions_sum, n.staleness_versions_sum, "seed %lu", seed);
    const sim_hist *hb = consistency_staleness(w->o), *hn = &w->nv.staleness;
    cr_expect_eq(hb->count, hn->count, "seed %lu: staleness count", seed);
    cr_expect_eq(hb->sum, hn->sum, "seed %lu: staleness sum", seed);
    cr_expect_eq(hb->max, hn->max, "seed %lu: staleness max", seed);
    cr_expect_eq(hb->min, hn->min, "seed %lu: staleness min", seed);
    for (uint32_t node = 0; node < 64; node++) {
        uint64_t reads = 0, stale = 0;
        bool any = consistency_node_reads(w->o, node, &reads, &stale);
        cr_expect_eq(any, w->nv.node_reads[node] > 0, "seed %lu node %u", seed, node);
        cr_expect_eq(reads, w->nv.node_reads[node], "seed %lu node %u", seed, node);
        cr_expect_eq(stale, w->nv.node_stale[node], "seed %lu node %u", seed, node);
    }
    for (int s = 0; s < NSTORES; s++) {
        uint64_t acked = 0, lost = 0;
        consistency_store_writes(w->o, STORE_ID[s], &acked, &lost);
        cr_expect_eq(acked, w->nv.store_acked[s], "seed %lu store %d", seed, s);
        cr_expect_eq(lost, w->nv.store_lost[s], "seed %lu store %d", seed, s);
    }
}

/* 200 seeds of 4000 steps; besides the compactions the oracle makes on its own (rare here: it
 * waits for 4096 entries), one in 28 steps forces one, so that forgetting happens between
 * almost every two judgements. */
Test(oracle_bounded, same_figures_as_the_full_history_oracle, .timeout = 120) {
    uint64_t stale = 0, lost = 0, ryw = 0, mono = 0, reads = 0;
    size_t bounded_entries = 0, naive_entries = 0;
    for (unsigned long seed = 1; seed <= 200; seed++) {
        world w;
        world_init(&w, seed, false);
        for (int i = 0; i < 4000; i++)
            step(&w, false);
        while (w.nwrites)
            ack(&w, 0);
        for (int i = w.nreads; i-- > 0;)
            if (w.reads[i].served)
                judge(&w, i);
        for (int s = 0; s < NSTORES; s++)
            settle(&w, s, w.primary[s]);
        expect_same(&w, seed);
        consistency_figures f = consistency_get(w.o);
        bounded_entries += consistency_entries(w.o);
        naive_entries += w.nv.bytes / sizeof(nentry);
        stale += f.stale_reads;
        lost += f.lost_writes;
        ryw += f.read_your_writes_violations;
        mono += f.monotonic_read_violations;
        reads += f.reads_checked;
        world_free(&w);
    }
    /* The histories exercise every figure. */
    cr_log_info("reads %lu stale %lu lost %lu ryw %lu mono %lu", (unsigned long)reads,
                (unsigned long)stale, (unsigned long)lost, (unsigned long)ryw, (unsigned long)mono);
    cr_log_info("entries held at the end, all seeds: bounded %zu, naive %zu", bounded_entries,
                naive_entries);
    /* ...and the bounded oracle did forget (store 100's histories, mostly). */
    cr_expect_lt(bounded_entries, naive_entries / 2);
    cr_expect_gt(stale, 1000);
    cr_expect_gt(lost, 100);
    cr_expect_gt(ryw, 100);
    cr_expect_gt(mono, 100);
}

/* A steady history on the reliable store only would make the naive oracle hold ~100 bytes
 * per write; the bounded one holds what its tables need. Measured every 10,000 steps: the
 * peak over the last 90% of a 400,000-step history stays within 1.5 times the peak of its
 * first 10% (the tables are full by then), while the naive one grows tenfold. */
Test(oracle_bounded, memory_stays_flat_as_history_grows, .timeout = 120) {
    world w;
    world_init(&w, 7, true);
    size_t early = 0, late = 0, naive_early = 0;
    for (int i = 1; i <= 400000; i++) {
        step(&w, true);
        if (i % 10000 == 0) {
            size_t b = consistency_bytes(w.o);
            if (i <= 40000) {
                early = b > early ? b : early;
                naive_early = w.nv.bytes;
            } else {
                late = b > late ? b : late;
            }
        }
    }
    cr_log_info("bounded: %zu B early, %zu B late; naive: %zu B early, %zu B late", early, late,
                naive_early, w.nv.bytes);
    cr_expect_gt(consistency_get(w.o).stale_reads, 1000);
    cr_expect_lt(late, early * 3 / 2, "bounded: %zu B late, %zu B early", late, early);
    cr_expect_gt(w.nv.bytes, 8 * naive_early, "the naive oracle grows with history");
    /* What it holds at most: twice the COMPACT_MIN_ENTRIES (4096) entries of at most 24 bytes
     * its compactions wait for, plus tables of a few kB. */
    cr_expect_lt(late, 2 * 4096 * 24 + 16384);
    world_free(&w);
}
