/* The id map (sim/idmap.h) against a reference model: a plain array indexed by position in a
 * fixed universe of ids. The map has no lookup, so contents are checked two ways: take (which
 * must return what the model holds), and a scan of the public arrays (every stored id is in
 * the model with its value, once, and the count agrees). */
#include "idmap.h"

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

static gsl_rng *new_rng(unsigned long seed) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    cr_assert_not_null(r);
    gsl_rng_set(r, seed);
    return r;
}

static uint64_t rand64(gsl_rng *r) { /* taus2 gives 32 bits a call */
    return (uint64_t)gsl_rng_get(r) << 32 | gsl_rng_get(r);
}

/* The reference: universe ids (sorted, distinct, non-zero), and for each whether it is in
 * the map and with which value. */
typedef struct model {
    uint64_t *id, *val;
    bool *in;
    size_t n, count;
} model;

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static long model_find(const model *md, uint64_t id) {
    const uint64_t *p = bsearch(&id, md->id, md->n, sizeof *md->id, cmp_u64);
    return p ? (long)(p - md->id) : -1;
}

/* Checks the map's arrays against the model: the count, and each stored id once with its
 * value; also the load bound (at most half full, power-of-two capacity). */
static void check_scan(const sim_idmap *m, const model *md, unsigned char *seen) {
    cr_assert_eq(m->n, md->count);
    cr_assert(m->cap == 0 || (m->cap & (m->cap - 1)) == 0, "capacity %zu", m->cap);
    cr_assert_leq(2 * m->n, m->cap);
    memset(seen, 0, md->n);
    size_t stored = 0;
    for (size_t s = 0; s < m->cap; s++) {
        if (!m->keys[s])
            continue;
        long i = model_find(md, m->keys[s]);
        cr_assert_geq(i, 0, "slot %zu holds id %llu never put", s, (unsigned long long)m->keys[s]);
        cr_assert(md->in[i], "slot %zu holds id %llu, which was taken", s,
                  (unsigned long long)m->keys[s]);
        cr_assert_eq(seen[i], 0, "id %llu stored twice", (unsigned long long)m->keys[s]);
        cr_assert_eq(m->vals[s], md->val[i], "id %llu: value %llu, want %llu",
                     (unsigned long long)m->keys[s], (unsigned long long)m->vals[s],
                     (unsigned long long)md->val[i]);
        seen[i] = 1;
        stored++;
    }
    cr_assert_eq(stored, md->count);
}

Test(idmap, empty_map) {
    sim_idmap m;
    sim_idmap_init(&m);
    uint64_t v = 99;
    cr_assert_not(sim_idmap_take(&m, 1, &v));
    cr_assert_not(sim_idmap_take(&m, UINT64_MAX, NULL));
    cr_assert_eq(v, 99);
    sim_idmap_clear(&m);
    cr_assert_eq(m.n, 0);
    sim_idmap_free(&m);
    sim_idmap_free(&m);
}

Test(idmap, put_replace_take) {
    sim_idmap m;
    sim_idmap_init(&m);
    cr_assert_eq(sim_idmap_put(&m, 5, 1), 0);
    cr_assert_eq(sim_idmap_put(&m, UINT64_MAX, 2), 0);
    cr_assert_eq(m.n, 2);
    cr_assert_eq(sim_idmap_put(&m, 5, 3), 0); /* replaces */
    cr_assert_eq(m.n, 2);
    uint64_t v = 0;
    cr_assert_not(sim_idmap_take(&m, 6, &v));
    cr_assert(sim_idmap_take(&m, 5, &v));
    cr_assert_eq(v, 3);
    cr_assert_not(sim_idmap_take(&m, 5, &v));
    cr_assert(sim_idmap_take(&m, UINT64_MAX, NULL));
    cr_assert_eq(m.n, 0);
    sim_idmap_free(&m);
}

/* A long random sequence of puts (new ids and replacements), takes (present and absent)
 * and rare clears, over a universe of sequential request ids and random 64-bit ids. The
 * population swings between empty and a few thousand, so the table grows through several
 * sizes and deletions happen at every load. */
Test(idmap, random_operations_match_reference) {
    enum { DENSE = 3000, SPARSE = 3000, OPS = 1000000 };
    gsl_rng *r = new_rng(1);
    model md = {0};
    md.n = DENSE + SPARSE;
    md.id = malloc(md.n * sizeof *md.id);
    md.val = calloc(md.n, sizeof *md.val);
    md.in = calloc(md.n, sizeof *md.in);
    unsigned char *seen = malloc(md.n);
    cr_assert(md.id && md.val && md.in && seen);
    for (size_t i = 0; i < DENSE; i++)
        md.id[i] = i + 1;
    for (size_t i = DENSE; i < md.n; i++) {
        uint64_t x;
        do
            x = rand64(r);
        while (x <= DENSE);
        md.id[i] = x;
    }
    qsort(md.id, md.n, sizeof *md.id, cmp_u64);
    for (size_t i = 1; i < md.n; i++)
        cr_assert_neq(md.id[i], md.id[i - 1], "duplicate universe id: change the seed");

    sim_idmap m;
    sim_idmap_init(&m);
    size_t puts = 0, replaces = 0, hits = 0, misses = 0, clears = 0;
    for (size_t op = 0; op < OPS; op++) {
        /* Fill for 40000 operations (to about 90% of the universe), drain for the next
         * 40000 (to about 5%). */
        double p_put = (op / 40000) % 2 ? 0.05 : 0.9;
        double u = gsl_rng_uniform(r);
        size_t i = gsl_rng_uniform_int(r, md.n);
        if (u < 1e-5) {
            sim_idmap_clear(&m);
            memset(md.in, 0, md.n * sizeof *md.in);
            md.count = 0;
            clears++;
        } else if (u < p_put) {
            uint64_t v = rand64(r);
            cr_assert_eq(sim_idmap_put(&m, md.id[i], v), 0);
            replaces += md.in[i];
            md.count += !md.in[i];
            md.in[i] = true;
            md.val[i] = v;
            puts++;
        } else if (u < 0.99) {
            uint64_t v = 0;
            bool got = sim_idmap_take(&m, md.id[i], &v);
            cr_assert_eq(got, md.in[i], "take of id %llu: %d, model says %d",
                         (unsigned long long)md.id[i], got, md.in[i]);
            if (got) {
                cr_assert_eq(v, md.val[i]);
                md.in[i] = false;
                md.count--;
                hits++;
            } else {
                misses++;
            }
        } else { /* an id outside the universe */
            uint64_t x = rand64(r);
            if (x && model_find(&md, x) < 0)
                cr_assert_not(sim_idmap_take(&m, x, NULL));
        }
        cr_assert_eq(m.n, md.count);
        if (op % 5000 == 0)
            check_scan(&m, &md, seen);
    }
    check_scan(&m, &md, seen);
    /* The run exercised what it claims to. */
    cr_assert_gt(replaces, 1000);
    cr_assert_gt(hits, 1000);
    cr_assert_gt(misses, 1000);
    cr_assert_gt(clears, 0);
    /* Empty it through take: every id comes back with its value. */
    for (size_t i = 0; i < md.n; i++) {
        uint64_t v = 0;
        cr_assert_eq(sim_idmap_take(&m, md.id[i], &v), md.in[i]);
        if (md.in[i])
            cr_assert_eq(v, md.val[i]);
    }
    cr_assert_eq(m.n, 0);
    sim_idmap_free(&m);
    free(md.id);
    free(md.val);
    free(md.in);
    free(seen);
    gsl_rng_free(r);
}

/* The home slot of id in a table of the first capacity, read off the public arrays after
 * putting id alone into an empty map of that capacity. */
static size_t home_slot(sim_idmap *m, uint64_t id) {
    cr_assert_eq(m->n, 0);
    cr_assert_eq(sim_idmap_put(m, id, 0), 0);
    size_t s = 0;
    while (m->keys[s] != id)
        s++;
    cr_assert(sim_idmap_take(m, id, NULL));
    return s;
}

/* Ids chosen to share home slots (found through the public arrays, not the hash): long probe
 * runs, one wrapping past the end of the table, with deletions from their middle. After each
 * deletion every remaining id must still sit in an unbroken run from its home slot (what
 * linear-probing lookups rely on), and at the end every id comes back with its value. */
Test(idmap, deletes_inside_probe_runs) {
    gsl_rng *r = new_rng(2);
    sim_idmap m;
    sim_idmap_init(&m);
    cr_assert_eq(sim_idmap_put(&m, 1, 0), 0);
    cr_assert(sim_idmap_take(&m, 1, NULL));
    const size_t cap = m.cap;
    cr_assert_geq(cap, 16);
    /* Homes: a cluster at 3..5, and one from the last slots wrapping past slot 0. */
    const size_t want_home[] = {3,       3,       3,       3,       4, 4, 5, 5, cap - 2,
                                cap - 2, cap - 1, cap - 1, cap - 1, 0, 0, 1, 1};
    enum { K = sizeof want_home / sizeof *want_home };
    cr_assert_lt(2 * K, cap, "the test needs the table to stay at its first capacity");
    uint64_t ids[K], home[K];
    bool used[K] = {false};
    size_t found = 0;
    for (uint64_t cand = 2; found < K; cand++) {
        cr_assert_lt(cand, 10000000, "no ids for the wanted home slots");
        size_t h = home_slot(&m, cand);
        for (size_t k = 0; k < K; k++)
            if (!used[k] && want_home[k] == h) {
                used[k] = true;
                ids[k] = cand;
                home[k] = h;
                found++;
                break;
            }
    }
    for (int round = 0; round < 2000; round++) {
        size_t order[K];
        for (size_t k = 0; k < K; k++)
            order[k] = k;
        gsl_ran_shuffle(r, order, K, sizeof *order);
        for (size_t k = 0; k < K; k++)
            cr_assert_eq(sim_idmap_put(&m, ids[order[k]], ids[order[k]] * 7), 0);
        cr_assert_eq(m.cap, cap);
        gsl_ran_shuffle(r, order, K, sizeof *order);
        for (size_t k = 0; k < K; k++) {
            uint64_t v = 0;
            cr_assert(sim_idmap_take(&m, ids[order[k]], &v), "id %llu lost",
                      (unsigned long long)ids[order[k]]);
            cr_assert_eq(v, ids[order[k]] * 7);
            cr_assert_not(sim_idmap_take(&m, ids[order[k]], NULL));
            /* Remaining ids: every slot from home to the id's slot is occupied. */
            for (size_t j = k + 1; j < K; j++) {
                size_t x = order[j], s = home[x];
                while (m.keys[s] != ids[x]) {
                    cr_assert_neq(m.keys[s], 0, "empty slot %zu between home %zu and id %llu", s,
                                  (size_t)home[x], (unsigned long long)ids[x]);
                    s = (s + 1) & (cap - 1);
                }
            }
        }
        cr_assert_eq(m.n, 0);
        for (size_t s = 0; s < cap; s++)
            cr_assert_eq(m.keys[s], 0);
    }
    sim_idmap_free(&m);
    gsl_rng_free(r);
}

/* Sequential request ids, as a client issues them: the table grows many times. */
Test(idmap, growth_keeps_every_entry) {
    enum { N = 200000 };
    sim_idmap m;
    sim_idmap_init(&m);
    for (uint64_t id = 1; id <= N; id++) {
        cr_assert_eq(sim_idmap_put(&m, id, id * 3 + 1), 0);
        cr_assert_eq(m.n, id);
    }
    cr_assert_geq(m.cap, 2 * (size_t)N);
    for (uint64_t id = N; id >= 1; id -= 2) { /* every other, from the top */
        uint64_t v = 0;
        cr_assert(sim_idmap_take(&m, id, &v));
        cr_assert_eq(v, id * 3 + 1);
    }
    cr_assert_eq(m.n, N / 2);
    for (uint64_t id = 1; id <= N; id++) {
        uint64_t v = 0;
        bool in = sim_idmap_take(&m, id, &v);
        cr_assert_eq(in, id % 2 == 1, "id %llu", (unsigned long long)id);
        if (in)
            cr_assert_eq(v, id * 3 + 1);
    }
    cr_assert_eq(m.n, 0);
    sim_idmap_free(&m);
}

Test(idmap, clear_empties_and_keeps_capacity) {
    sim_idmap m;
    sim_idmap_init(&m);
    for (uint64_t id = 1; id <= 1000; id++)
        cr_assert_eq(sim_idmap_put(&m, id * 0x9e3779b97f4a7c15ULL, id), 0);
    size_t cap = m.cap;
    sim_idmap_clear(&m);
    cr_assert_eq(m.n, 0);
    cr_assert_eq(m.cap, cap);
    for (uint64_t id = 1; id <= 1000; id++)
        cr_assert_not(sim_idmap_take(&m, id * 0x9e3779b97f4a7c15ULL, NULL));
    cr_assert_eq(sim_idmap_put(&m, 42, 43), 0);
    uint64_t v = 0;
    cr_assert(sim_idmap_take(&m, 42, &v));
    cr_assert_eq(v, 43);
    sim_idmap_free(&m);
    cr_assert_eq(m.cap, 0);
    cr_assert_null(m.keys);
}
