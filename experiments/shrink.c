/* ddmin and the runs it tests (shrink.h). */
#include "shrink.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The subsets asked already and their verdicts: ddmin asks some twice (a complement at one
 * granularity is a chunk at the next), and each ask is a whole run. */
typedef struct memo {
    size_t **sets, *lens;
    int *verdicts;
    size_t n, cap;
} memo;

static int memo_find(const memo *m, const size_t *s, size_t n) {
    for (size_t i = 0; i < m->n; i++)
        if (m->lens[i] == n && memcmp(m->sets[i], s, n * sizeof *s) == 0)
            return m->verdicts[i];
    return -2;
}

static int memo_add(memo *m, const size_t *s, size_t n, int verdict) {
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        size_t **sets = realloc(m->sets, cap * sizeof *sets);
        if (sets)
            m->sets = sets;
        size_t *lens = realloc(m->lens, cap * sizeof *lens);
        if (lens)
            m->lens = lens;
        int *v = realloc(m->verdicts, cap * sizeof *v);
        if (v)
            m->verdicts = v;
        if (!sets || !lens || !v)
            return -1;
        m->cap = cap;
    }
    size_t *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!copy)
        return -1;
    memcpy(copy, s, n * sizeof *s);
    m->sets[m->n] = copy;
    m->lens[m->n] = n;
    m->verdicts[m->n++] = verdict;
    return 0;
}

static void memo_free(memo *m) {
    for (size_t i = 0; i < m->n; i++)
        free(m->sets[i]);
    free(m->sets), free(m->lens), free(m->verdicts);
}

/* The verdict on s, asked of test unless known. -1 stop, -2 out of memory. */
static int ask(memo *m, exp_shrink_test_fn test, void *ud, const size_t *s, size_t n,
               size_t *tests) {
    int v = memo_find(m, s, n);
    if (v != -2)
        return v;
    ++*tests;
    if ((v = test(ud, s, n)) < 0)
        return -1;
    return memo_add(m, s, n, v) ? -2 : v;
}

/* Chunk i of c (n items) cut into k nearly equal parts: [*lo, *hi). */
static void chunk(size_t n, size_t k, size_t i, size_t *lo, size_t *hi) {
    *lo = n * i / k;
    *hi = n * (i + 1) / k;
}

int exp_ddmin(size_t n, exp_shrink_test_fn test, void *ud, size_t *kept, size_t *nkept,
              size_t *tests) {
    *tests = 0;
    size_t *c = kept, *trial = malloc((n ? n : 1) * sizeof *trial);
    if (!trial)
        return -2;
    size_t nc = n;
    for (size_t i = 0; i < n; i++)
        c[i] = i;
    memo m = {0};
    int rc = 0;
    size_t k = 2; /* the granularity: c is cut into k chunks */
    while (nc >= 2) {
        if (k > nc)
            k = nc;
        bool reduced = false;
        /* Reduce to a chunk: one of them fails alone. */
        for (size_t i = 0; i < k && !reduced; i++) {
            size_t lo, hi;
            chunk(nc, k, i, &lo, &hi);
            int v = ask(&m, test, ud, c + lo, hi - lo, tests);
            if (v < 0) {
                rc = v;
                goto out;
            }
            if (v == 1) {
                memmove(c, c + lo, (hi - lo) * sizeof *c);
                nc = hi - lo;
                k = 2;
                reduced = true;
            }
        }
        /* Reduce to a complement: the rest fails without one chunk. With two chunks the
         * complements are the chunks, asked already. */
        for (size_t i = 0; i < k && !reduced && k > 2; i++) {
            size_t lo, hi, nt = 0;
            chunk(nc, k, i, &lo, &hi);
            for (size_t j = 0; j < nc; j++)
                if (j < lo || j >= hi)
                    trial[nt++] = c[j];
            int v = ask(&m, test, ud, trial, nt, tests);
            if (v < 0) {
                rc = v;
                goto out;
            }
            if (v == 1) {
                memcpy(c, trial, nt * sizeof *c);
                nc = nt;
                k = k - 1 > 2 ? k - 1 : 2;
                reduced = true;
            }
        }
        if (!reduced) {
            if (k >= nc) /* every single removal passes: 1-minimal */
                break;
            k = 2 * k < nc ? 2 * k : nc;
        }
    }
out:
    *nkept = nc;
    free(trial);
    memo_free(&m);
    return rc;
}

int exp_shrink_topology(const sim_topology *topo, const sim_fault *drawn, const size_t *subset,
                        size_t n, sim_topology *copy) {
    *copy = *topo;
    copy->nnemesis = 0;
    copy->nemesis = NULL;
    size_t total = topo->nfaults + n;
    sim_fault *f = malloc((total ? total : 1) * sizeof *f);
    if (!f)
        return -1;
    for (size_t i = 0; i < topo->nfaults; i++)
        f[i] = topo->faults[i];
    for (size_t i = 0; i < n; i++)
        f[topo->nfaults + i] = drawn[subset[i]];
    copy->faults = f;
    copy->nfaults = total;
    return 0;
}

exp_run_status exp_shrink_run(const sim_topology *topo, uint64_t seed, const exp_run_options *o,
                              const sim_fault *drawn, const size_t *subset, size_t n, char *why,
                              size_t whycap) {
    sim_topology copy;
    if (exp_shrink_topology(topo, drawn, subset, n, &copy)) {
        snprintf(why, whycap, "out of memory");
        return EXP_RUN_FAILED;
    }
    sim_diag *diag = sim_diag_new("shrink");
    exp_run_outcome out;
    exp_run_status s = diag ? exp_run_seed(&copy, seed, o, diag, &out) : EXP_RUN_FAILED;
    if (diag) {
        snprintf(why, whycap, "%s", out.why);
        cJSON_Delete(out.doc);
        sim_engine_free(out.engine);
    } else {
        snprintf(why, whycap, "out of memory");
    }
    sim_diag_free(diag);
    free(copy.faults);
    return s;
}
