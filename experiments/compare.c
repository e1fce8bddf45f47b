/* dsim compare (compare.h): loading and running the two designs, pairing their documents
 * metric by metric, and the table of the metrics that differ most. */
#include "compare.h"

#include "diag.h"
#include "doc_paths.h"
#include "engine.h"
#include "hist_pool.h"
#include "json_report.h"
#include "path_index.h"
#include "run_seed.h"
#include "stats.h"
#include "strfmt.h"
#include "table.h"
#include "warmup_auto.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- the metrics of both sides, by path ---- */

/* Every path seen in a document of either side, in the order first seen (A's documents
 * first), with its value in each document (NaN: absent). */
typedef struct metric {
    const char *path; /* borrowed from the leaves lists */
    bool in_a, in_b;
} metric;

/* The metrics met so far, in the order first met, found by path. */
typedef struct table_of_paths {
    metric *m;
    size_t n, cap;
    exp_path_index index; /* over m[i].path */
} table_of_paths;

/* The index of path, added when absent; SIZE_MAX when out of memory. */
static size_t find_or_add(table_of_paths *t, const char *path) {
    if (t->n == t->cap) { /* room first, so that the index never runs ahead of m */
        size_t cap = t->cap ? 2 * t->cap : 256;
        metric *m = realloc(t->m, cap * sizeof *m);
        if (!m)
            return SIZE_MAX;
        t->m = m;
        t->cap = cap;
    }
    bool added;
    size_t j = exp_path_index_find_or_add(&t->index, path, &added);
    if (added)
        t->m[t->n++] = (metric){.path = path};
    return j;
}

/* The pairs of one metric over the seeds where both sides have it. */
typedef struct pairs {
    exp_stats a, b, diff;
} pairs;

static cJSON *number_or_null(double v) {
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* The entry of one metric under "metrics" (docs/results.md). */
static cJSON *entry(const pairs *p) {
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    double a = exp_stats_mean(&p->a), b = exp_stats_mean(&p->b), d = exp_stats_mean(&p->diff);
    double lo, hi;
    bool has_ci = exp_stats_ci95(&p->diff, &lo, &hi) == 0;
    cJSON *ci = has_ci ? cJSON_CreateArray() : cJSON_CreateNull();
    if (has_ci && ci) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(lo));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(hi));
    }
    /* the exact 0 of a design against itself stays 0, never -0 */
    double rel = a != 0 ? (d == 0 ? 0.0 : d / a) : NAN;
    double sa = exp_stats_stddev(&p->a), sb = exp_stats_stddev(&p->b);
    cJSON_AddItemToObject(e, "a_mean", number_or_null(a));
    cJSON_AddItemToObject(e, "b_mean", number_or_null(b));
    cJSON_AddItemToObject(e, "diff_mean", number_or_null(d));
    cJSON_AddItemToObject(e, "diff_ci95", ci);
    cJSON_AddItemToObject(e, "rel_change", number_or_null(rel));
    cJSON_AddBoolToObject(e, "significant", has_ci && (lo > 0 || hi < 0));
    cJSON_AddNumberToObject(e, "n", (double)p->diff.n);
    /* what pairing saved: the spread of the paired differences, and that of the difference
     * of two independent runs, sqrt(sd_a^2 + sd_b^2) */
    cJSON_AddItemToObject(e, "paired_sd", number_or_null(exp_stats_stddev(&p->diff)));
    cJSON_AddItemToObject(e, "unpaired_sd", number_or_null(sqrt(sa * sa + sb * sb)));
    return e;
}

int exp_compare_documents(const cJSON *const *a, const cJSON *const *b, size_t n, cJSON *doc) {
    exp_leaves *leaves = calloc(2 * (n ? n : 1), sizeof *leaves);
    table_of_paths t = {0};
    double *value = NULL;
    int rc = -1;
    if (!leaves)
        goto out;
    for (size_t side = 0; side < 2; side++)
        for (size_t i = 0; i < n; i++) {
            exp_leaves *l = &leaves[side * n + i];
            if (exp_doc_leaves(side ? b[i] : a[i], EXP_LEAVES_FIGURES | EXP_LEAVES_SAMPLED, l))
                goto out;
            for (size_t k = 0; k < l->n; k++) {
                size_t j = find_or_add(&t, l->items[k].path);
                if (j == SIZE_MAX)
                    goto out;
                if (side)
                    t.m[j].in_b = true;
                else
                    t.m[j].in_a = true;
            }
        }
    /* value[(side * n + i) * t.n + j]: metric j in document i of side */
    size_t nvalues = 2 * n * t.n;
    value = malloc((nvalues > 0 ? nvalues : 1) * sizeof *value);
    if (!value)
        goto out;
    for (size_t k = 0; k < nvalues; k++)
        value[k] = NAN;
    for (size_t d = 0; d < 2 * n; d++)
        for (size_t k = 0; k < leaves[d].n; k++)
            value[d * t.n + find_or_add(&t, leaves[d].items[k].path)] = leaves[d].items[k].value;
    cJSON *metrics = cJSON_AddObjectToObject(doc, "metrics");
    cJSON *only_a = cJSON_AddArrayToObject(doc, "only_a");
    cJSON *only_b = cJSON_AddArrayToObject(doc, "only_b");
    if (!metrics || !only_a || !only_b)
        goto out;
    for (size_t j = 0; j < t.n; j++) {
        const metric *m = &t.m[j];
        if (m->in_a != m->in_b) {
            cJSON *s = cJSON_CreateString(m->path);
            if (!s)
                goto out;
            cJSON_AddItemToArray(m->in_a ? only_a : only_b, s);
            continue;
        }
        pairs p = {0};
        for (size_t i = 0; i < n; i++) {
            double va = value[i * t.n + j], vb = value[(n + i) * t.n + j];
            if (isnan(va) || isnan(vb))
                continue; /* a figure with no samples in one of the two runs */
            exp_stats_add(&p.a, va);
            exp_stats_add(&p.b, vb);
            exp_stats_add(&p.diff, vb - va);
        }
        cJSON *e = p.diff.n ? entry(&p) : NULL;
        if (p.diff.n && !e)
            goto out;
        if (e)
            cJSON_AddItemToObject(metrics, m->path, e);
    }
    rc = 0;
out:
    for (size_t d = 0; leaves && d < 2 * n; d++)
        exp_leaves_free(&leaves[d]);
    free(leaves);
    free(t.m);
    exp_path_index_free(&t.index);
    free(value);
    return rc;
}

/* ---- loading and running ---- */

/* Prints the loader's message text, naming the option as given where a --set-a or --set-b
 * made the value ("--set-b PATH=VALUE: error: ..." rather than the loader's "--set"). */
static void print_message(FILE *err, const exp_design *d, const char *text) {
    char *fixed = NULL;
    for (size_t i = 0; d->arg && i < d->nsets && !fixed; i++) {
        if (strcmp(d->arg[i], "--set") == 0)
            continue;
        char *from = sim_strfmt("--set %s=%s:", d->sets[i].path, d->sets[i].value);
        if (from && strncmp(text, from, strlen(from)) == 0) {
            /* every line of the message (the error and its notes) starts with the argument */
            size_t len = strlen(from), extra = strlen(d->arg[i]) - strlen("--set"), lines = 1;
            for (const char *p = text; *p; p++)
                lines += *p == '\n';
            fixed = malloc(strlen(text) + lines * extra + 1);
            char *o = fixed;
            for (const char *p = text; fixed && *p;) {
                if (strncmp(p, from, len) == 0) {
                    o += sprintf(o, "%s %s=%s:", d->arg[i], d->sets[i].path, d->sets[i].value);
                    p += len;
                }
                const char *nl = strchr(p, '\n');
                size_t k = nl ? (size_t)(nl - p) + 1 : strlen(p);
                memcpy(o, p, k);
                o += k;
                p += k;
            }
            if (fixed)
                *o = '\0';
        }
        free(from);
    }
    fprintf(err, "%s\n", fixed ? fixed : text);
    free(fixed);
}

static sim_topology *load(const exp_compare_options *o, const exp_design *d) {
    sim_diag *diag = sim_diag_new(d->file);
    if (!diag) {
        fputs("dsim: out of memory\n", o->err);
        return NULL;
    }
    sim_topology *t = sim_load_file(d->file, d->sets, d->nsets, o->kinds, diag);
    for (size_t i = 0; i < sim_diag_count(diag); i++)
        print_message(o->err, d, sim_diag_message(diag, i));
    sim_diag_free(diag);
    return t;
}

/* Prints why the run of design side with seed did not give a document (exp_run_seed's
 * outcome r, the expect: path errors in diag) and returns the exit status. */
static int say_outcome(const exp_compare_options *o, const exp_design *d, const sim_topology *topo,
                       const char *side, uint64_t seed, const exp_run_outcome *r,
                       const sim_diag *diag) {
    switch (r->status) {
    case EXP_RUN_OK:
    case EXP_RUN_EXPECT_FAILED: /* a verdict, not a failure: compare reports differences */
        return EXP_COMPARE_OK;
    case EXP_RUN_BAD_PATH:
        for (size_t i = 0; i < sim_diag_count(diag); i++)
            print_message(o->err, d, sim_diag_message(diag, i));
        return EXP_COMPARE_BAD_INPUT;
    case EXP_RUN_REFUSED: {
        char *msg = exp_warmup_refusal(&r->choice);
        fprintf(o->err, "%s: error: %s\n%s: note: %s (design %s, seed %llu)\n",
                topo->warmup_where, msg ? msg : "warmup: auto: the run is too short",
                topo->warmup_where, EXP_WARMUP_HINT, side, (unsigned long long)seed);
        free(msg);
        return EXP_COMPARE_BAD_INPUT;
    }
    default: {
        /* a loop with no delay is the topology's fault (bad input), as in `dsim run` */
        bool stalled = r->status == EXP_RUN_STALLED;
        fprintf(o->err, "%s: error: the run of design %s with seed %llu %s: %s\n",
                stalled ? d->file : "dsim: compare", side, (unsigned long long)seed,
                stalled ? "stopped" : "failed", r->why);
        return stalled ? EXP_COMPARE_BAD_INPUT : EXP_COMPARE_FAILED;
    }
    }
}

/* Runs topo with seed into *doc (experiments/run_seed.h), with the warm-up fixed when shared
 * is non-NULL. Returns an exit status, the reason printed. */
static int run_one(const exp_compare_options *o, const exp_design *d, const sim_topology *topo,
                   const char *side, uint64_t seed, const exp_warmup_choice *shared,
                   cJSON **doc) {
    sim_diag *diag = sim_diag_new(d->file);
    if (!diag) {
        fputs("dsim: out of memory\n", o->err);
        return EXP_COMPARE_FAILED;
    }
    exp_run_options ro = {.fixed = shared};
    exp_run_outcome r;
    exp_run_seed(topo, seed, &ro, diag, &r);
    int status = say_outcome(o, d, topo, side, seed, &r, diag);
    sim_diag_free(diag);
    if (status == EXP_COMPARE_OK && shared && r.doc) {
        /* the warm-up both designs were run with, chosen on one of them (docs/results.md) */
        cJSON *w = cJSON_GetObjectItemCaseSensitive(r.doc, "warmup_auto");
        if (!w || !cJSON_AddBoolToObject(w, "shared", true)) {
            fputs("dsim: out of memory while writing a result document\n", o->err);
            status = EXP_COMPARE_FAILED;
        }
    }
    if (status == EXP_COMPARE_OK)
        *doc = r.doc;
    else
        cJSON_Delete(r.doc);
    return status;
}

/* With `warmup: auto` in both designs, the warm-up of seed for both: each design's pilot
 * chooses, and both run with the later of the two, a window past both transients, so that
 * A and B measure the same stretch of time and stay paired. Returns an exit status. */
static int share_warmup(const exp_compare_options *o, const sim_topology *ta,
                        const sim_topology *tb, uint64_t seed, exp_warmup_choice *out) {
    const exp_design *d[2] = {&o->a, &o->b};
    const sim_topology *t[2] = {ta, tb};
    const char *side[2] = {"A", "B"};
    exp_warmup_choice c[2];
    for (int k = 0; k < 2; k++) {
        sim_diag *diag = sim_diag_new(d[k]->file);
        if (!diag) {
            fputs("dsim: out of memory\n", o->err);
            return EXP_COMPARE_FAILED;
        }
        exp_run_options ro = {0};
        exp_run_outcome r;
        memset(&r, 0, sizeof r);
        exp_run_choose_warmup(t[k], seed, &ro, diag, &r);
        if (r.status != EXP_RUN_OK && r.status != EXP_RUN_REFUSED &&
            r.status != EXP_RUN_BAD_PATH) {
            char engine[400];
            snprintf(engine, sizeof engine, "%.399s", r.why);
            snprintf(r.why, sizeof r.why, "the pilot run of warmup: auto failed: %s", engine);
        }
        int status = say_outcome(o, d[k], t[k], side[k], seed, &r, diag);
        sim_diag_free(diag);
        if (status != EXP_COMPARE_OK)
            return status;
        c[k] = r.choice;
    }
    *out = c[1].warmup > c[0].warmup ? c[1] : c[0];
    return EXP_COMPARE_OK;
}

/* ---- what a report draws of each design, pooled as its documents arrive ---- */

/* One design's runs so far: the graph of its first, the client latency histogram pooled over
 * all (hist_pool.h), and for each `expect:` check the runs whose verdict was ok. */
typedef struct side_pool {
    cJSON *graph; /* a copy of the first document's, or NULL */
    exp_hist_pool hist;
    size_t *passed; /* [topo->nexpects] */
    size_t runs;
} side_pool;

/* Adds the document of one more run of topo. Returns 0, or -1 when out of memory. */
static int side_add(side_pool *s, const sim_topology *topo, const cJSON *doc) {
    if (s->runs == 0) {
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(doc, "graph");
        if (g && !(s->graph = cJSON_Duplicate(g, true)))
            return -1;
        if (topo->nexpects && !(s->passed = calloc(topo->nexpects, sizeof *s->passed)))
            return -1;
    }
    s->runs++;
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(doc, "requests");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(req, "latency_hist");
    /* the run's own document: never malformed (-2); one without requests pools nothing */
    if (h && exp_hist_pool_add(&s->hist, h) == -1)
        return -1;
    const cJSON *verdicts = cJSON_GetObjectItemCaseSensitive(doc, "expect");
    for (size_t k = 0; s->passed && k < topo->nexpects; k++) {
        const cJSON *v = cJSON_GetArrayItem(verdicts, (int)k);
        s->passed[k] += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "ok"));
    }
    return 0;
}

static void side_free(side_pool *s) {
    cJSON_Delete(s->graph);
    exp_hist_pool_free(&s->hist);
    free(s->passed);
}

/* The pooled figures into the design's entry o: "graph", "latency_hist", and "expect" (one
 * {"metric", "min", "max", "passed", "runs"} per check in file order, min or max left out
 * when the check does not give it) when topo has checks. Returns 0, or -1 when out of
 * memory. */
static int side_json(side_pool *s, const sim_topology *topo, cJSON *o) {
    if (s->graph) {
        cJSON_AddItemToObject(o, "graph", s->graph);
        s->graph = NULL; /* o owns it now */
    }
    cJSON *h = exp_hist_pool_json(&s->hist);
    if (!h)
        return -1;
    cJSON_AddItemToObject(o, "latency_hist", h);
    if (!topo->nexpects)
        return 0;
    cJSON *list = cJSON_AddArrayToObject(o, "expect");
    for (size_t k = 0; list && k < topo->nexpects; k++) {
        const sim_expect *x = &topo->expects[k];
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToArray(list, e)) {
            cJSON_Delete(e);
            return -1;
        }
        if (!cJSON_AddStringToObject(e, "metric", x->metric) ||
            (x->has_min && !cJSON_AddNumberToObject(e, "min", x->min)) ||
            (x->has_max && !cJSON_AddNumberToObject(e, "max", x->max)) ||
            !cJSON_AddNumberToObject(e, "passed", (double)(s->passed ? s->passed[k] : 0)) ||
            !cJSON_AddNumberToObject(e, "runs", (double)s->runs))
            return -1;
    }
    return list ? 0 : -1;
}

/* The design's entry in the document: {"file", "topology", "set": {PATH: VALUE}} (a path
 * set twice keeps its last value, as the loader applies them). */
static cJSON *design(const exp_design *d, const sim_topology *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON *set = o ? cJSON_CreateObject() : NULL;
    if (!set || !cJSON_AddStringToObject(o, "file", d->file) ||
        !cJSON_AddStringToObject(o, "topology", t->name)) {
        cJSON_Delete(set);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(o, "set", set);
    for (size_t i = 0; i < d->nsets; i++) {
        cJSON *v = cJSON_CreateString(d->sets[i].value);
        if (!v) {
            cJSON_Delete(o);
            return NULL;
        }
        if (cJSON_GetObjectItemCaseSensitive(set, d->sets[i].path))
            cJSON_ReplaceItemInObjectCaseSensitive(set, d->sets[i].path, v);
        else
            cJSON_AddItemToObject(set, d->sets[i].path, v);
    }
    return o;
}

/* ---- the seeds on threads ---- */

/* One seed's pair of runs: its documents, its status, and what it said (held back until the
 * seeds before it are done, so that the messages are those of a run seed after seed: the
 * first failing seed's, never a later one's). */
typedef struct pair_task {
    uint64_t seed;
    cJSON *a, *b;
    int status;
    char *said;
    size_t said_len;
} pair_task;

typedef struct pair_pool {
    const exp_compare_options *o;
    const sim_topology *ta, *tb;
    pair_task *tasks;
    size_t n, next;
    size_t failed; /* the first seed index that failed so far (n: none): later ones are skipped */
    pthread_mutex_t lock;
} pair_pool;

/* Runs A and B with task t's seed, sharing the warm-up when both choose theirs. */
static void run_pair(const pair_pool *pp, pair_task *t) {
    FILE *said = open_memstream(&t->said, &t->said_len);
    if (!said) {
        t->status = EXP_COMPARE_FAILED;
        return;
    }
    exp_compare_options o = *pp->o;
    o.err = said;
    exp_warmup_choice shared;
    bool both = pp->ta->warmup_auto && pp->tb->warmup_auto;
    if ((t->status = both ? share_warmup(&o, pp->ta, pp->tb, t->seed, &shared)
                          : EXP_COMPARE_OK) == EXP_COMPARE_OK &&
        (t->status = run_one(&o, &o.a, pp->ta, "A", t->seed, both ? &shared : NULL, &t->a)) ==
            EXP_COMPARE_OK)
        t->status = run_one(&o, &o.b, pp->tb, "B", t->seed, both ? &shared : NULL, &t->b);
    if (fclose(said))
        t->status = EXP_COMPARE_FAILED;
}

/* A worker: takes the next seed until none is left, or one before it has failed. */
static void *pair_worker(void *ud) {
    pair_pool *pp = ud;
    for (;;) {
        pthread_mutex_lock(&pp->lock);
        size_t i = pp->next++;
        bool go = i < pp->n && i < pp->failed;
        pthread_mutex_unlock(&pp->lock);
        if (!go)
            return NULL;
        run_pair(pp, &pp->tasks[i]);
        if (pp->tasks[i].status != EXP_COMPARE_OK) {
            pthread_mutex_lock(&pp->lock);
            if (i < pp->failed)
                pp->failed = i;
            pthread_mutex_unlock(&pp->lock);
        }
    }
}

/* Runs every seed's pair on o->jobs threads (this one among them): engines share nothing, so
 * the documents are those of one thread, in any order. Returns the tasks (seed order; the
 * caller frees them with free_pairs), or NULL when out of memory. */
static pair_task *run_pairs(const exp_compare_options *o, const sim_topology *ta,
                            const sim_topology *tb, size_t n) {
    pair_pool pp = {.o = o, .ta = ta, .tb = tb, .n = n, .failed = n,
                    .tasks = calloc(n, sizeof *pp.tasks)};
    if (!pp.tasks || pthread_mutex_init(&pp.lock, NULL)) {
        free(pp.tasks);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        pp.tasks[i] = (pair_task){.seed = o->seed_first + i, .status = EXP_COMPARE_FAILED};
    size_t extra = (o->jobs > 1 ? o->jobs : 1) - 1;
    if (extra > n - 1)
        extra = n - 1;
    pthread_t *threads = extra ? calloc(extra, sizeof *threads) : NULL;
    size_t started = 0;
    while (started < extra && pthread_create(&threads[started], NULL, pair_worker, &pp) == 0)
        started++; /* a thread that cannot start leaves its share to the others */
    pair_worker(&pp);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    pthread_mutex_destroy(&pp.lock);
    return pp.tasks;
}

static void free_pairs(pair_task *t, size_t n) {
    for (size_t i = 0; t && i < n; i++) {
        cJSON_Delete(t[i].a);
        cJSON_Delete(t[i].b);
        free(t[i].said);
    }
    free(t);
}

int exp_compare(const exp_compare_options *o, cJSON **out) {
    size_t n = (size_t)(o->seed_last - o->seed_first + 1);
    sim_topology *ta = load(o, &o->a);
    /* B the same as a refused A (same file, only shared --set): its errors would repeat A's */
    bool same = strcmp(o->a.file, o->b.file) == 0 && o->a.nsets == o->b.nsets;
    for (size_t i = 0; same && i < o->a.nsets; i++)
        same = o->a.sets[i].path == o->b.sets[i].path && o->a.sets[i].value == o->b.sets[i].value;
    sim_topology *tb = ta || !same ? load(o, &o->b) : NULL;
    cJSON **docs = calloc(2 * n, sizeof *docs);
    side_pool pool[2] = {{0}, {0}};
    pair_task *runs = NULL;
    cJSON *doc = NULL;
    int status = EXP_COMPARE_BAD_INPUT;
    if (!ta || !tb)
        goto out;
    status = EXP_COMPARE_FAILED;
    if (!docs) {
        fputs("dsim: out of memory\n", o->err);
        goto out;
    }
    runs = run_pairs(o, ta, tb, n);
    if (!runs) {
        fputs("dsim: out of memory\n", o->err);
        goto out;
    }
    /* in seed order, as one thread would have: the messages up to the first failing seed */
    for (size_t i = 0; i < n; i++) {
        if (runs[i].said)
            fputs(runs[i].said, o->err);
        if ((status = runs[i].status) != EXP_COMPARE_OK)
            goto out;
        docs[i] = runs[i].a;
        docs[n + i] = runs[i].b;
        runs[i].a = runs[i].b = NULL;
        status = EXP_COMPARE_FAILED;
        if (side_add(&pool[0], ta, docs[i]) || side_add(&pool[1], tb, docs[n + i]))
            goto oom;
    }
    status = EXP_COMPARE_FAILED;
    doc = cJSON_CreateObject();
    cJSON *seeds = doc ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; seeds && i < n; i++)
        cJSON_AddItemToArray(seeds, cJSON_CreateNumber((double)(o->seed_first + i)));
    if (!seeds || !cJSON_AddStringToObject(doc, "dsim_version", DSIM_VERSION) ||
        !cJSON_AddStringToObject(doc, "contract", DSIM_CONTRACT_VERSION) ||
        !cJSON_AddStringToObject(doc, "document", "compare")) {
        cJSON_Delete(seeds);
        goto oom;
    }
    cJSON *da = design(&o->a, ta), *db = design(&o->b, tb);
    cJSON_AddItemToObject(doc, "a", da);
    cJSON_AddItemToObject(doc, "b", db);
    cJSON_AddItemToObject(doc, "seeds", seeds);
    if (!da || !db || side_json(&pool[0], ta, da) || side_json(&pool[1], tb, db))
        goto oom;
    if (exp_compare_documents((const cJSON *const *)docs, (const cJSON *const *)docs + n, n, doc))
        goto oom;
    *out = doc;
    doc = NULL;
    status = EXP_COMPARE_OK;
    goto out;
oom:
    fputs("dsim: out of memory while building the compare document\n", o->err);
out:
    cJSON_Delete(doc);
    for (size_t i = 0; docs && i < 2 * n; i++)
        cJSON_Delete(docs[i]);
    free(docs);
    free_pairs(runs, n);
    side_free(&pool[0]);
    side_free(&pool[1]);
    sim_topology_free(ta);
    sim_topology_free(tb);
    return status;
}

/* ---- the ranking and the table ---- */

typedef struct row {
    const cJSON *m;
    int group; /* 0: differs, 1: does not (no difference, or one seed), 2: a run's input */
    double score; /* |diff_mean| / half-width; infinite for a difference with no spread */
    bool significant;
    bool node; /* a figure under "nodes": after the run's own (requests, consistency, ...) */
    size_t order;
} row;

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Item i of an array, if a number; NaN otherwise. */
static double num_at(const cJSON *a, int i) {
    const cJSON *v = cJSON_GetArrayItem(a, i);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int by_difference(const void *x, const void *y) {
    const row *a = x, *b = y;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->group == 0) {
        if (a->significant != b->significant)
            return a->significant ? -1 : 1;
        if (a->node != b->node)
            return a->node ? 1 : -1;
        if (a->score != b->score)
            return a->score > b->score ? -1 : 1;
    }
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Whether a metric path is one of the run's inputs (the duration, the warm-up, the record of
 * the overrides) rather than a figure of what happened: comparing two files with different
 * durations gives a difference with no spread, which would top the ranking. */
static bool is_input(const char *path) {
    return strcmp(path, "duration_s") == 0 || strcmp(path, "warmup_s") == 0 ||
           strncmp(path, "overrides.", 10) == 0;
}

const cJSON **exp_compare_ranked(const cJSON *doc, size_t *n, size_t *ndiffer, size_t *nsig) {
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
    size_t total = (size_t)cJSON_GetArraySize(metrics), k = 0;
    row *rows = calloc(total ? total : 1, sizeof *rows);
    const cJSON **out = calloc(total ? total : 1, sizeof *out);
    if (!rows || !out) {
        free(rows);
        free(out);
        return NULL;
    }
    *ndiffer = *nsig = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, metrics) {
        if (!cJSON_IsObject(m) || !m->string)
            continue;
        row r = {.m = m, .group = 1, .order = k};
        double d = num(m, "diff_mean");
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "diff_ci95");
        if (is_input(m->string)) {
            r.group = 2; /* what the user changed, not what it did */
        } else if (d != 0 && isfinite(d) && cJSON_GetArraySize(ci) == 2) {
            double half = (num_at(ci, 1) - num_at(ci, 0)) / 2;
            r.group = 0;
            r.score = half > 0 ? fabs(d) / half : INFINITY;
            r.significant = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "significant"));
            r.node = strncmp(m->string, "nodes.", 6) == 0;
            ++*ndiffer;
            *nsig += r.significant;
        }
        rows[k++] = r;
    }
    qsort(rows, k, sizeof *rows, by_difference);
    for (size_t i = 0; i < k; i++)
        out[i] = rows[i].m;
    free(rows);
    *n = k;
    return out;
}

/* "%.4g", or "-" for a null. */
static void fmt(char *buf, size_t size, double v) {
    if (isfinite(v))
        snprintf(buf, size, "%.4g", v);
    else
        snprintf(buf, size, "-");
}

/* "  A  FILE  with PATH=VALUE ..." */
static void print_design(FILE *out, const char *side, const cJSON *d) {
    fprintf(out, "  %s  %s", side,
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "file")));
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(d, "set"), *v;
    const char *sep = "  with ";
    cJSON_ArrayForEach(v, set) {
        fprintf(out, "%s%s=%s", sep, v->string, cJSON_GetStringValue(v));
        sep = " ";
    }
    fputc('\n', out);
}

int exp_compare_print(FILE *out, const cJSON *doc, size_t max) {
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
    size_t total = (size_t)cJSON_GetArraySize(metrics), n, nrows, nsig;
    const cJSON **rows = exp_compare_ranked(doc, &n, &nrows, &nsig);
    if (!rows)
        return -1;
    size_t shown = nrows < max ? nrows : max;
    if (nsig && shown > nsig)
        shown = nsig; /* with significant differences, only those */
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(doc, "seeds");
    fprintf(out, "compare on %d seeds\n", cJSON_GetArraySize(seeds));
    print_design(out, "A", cJSON_GetObjectItemCaseSensitive(doc, "a"));
    print_design(out, "B", cJSON_GetObjectItemCaseSensitive(doc, "b"));
    fprintf(out,
            "%zu metrics compared, %zu differ significantly (95%%), %d only in A, %d only "
            "in B\n",
            total, nsig, cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "only_a")),
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "only_b")));
    int rc = 0;
    if (shown) {
        dsim_table *t = dsim_table_new(nsig ? "differ most (B - A)" : "largest (not significant)");
        static const char *const cols[] = {
            "A", "B", "B - A", "95% interval", "change", "sd paired/unpaired"};
        for (int c = 0; t && c < 6; c++)
            dsim_table_add_column(t, c, "", cols[c], false);
        for (size_t i = 0; t && i < shown; i++) {
            const cJSON *e = rows[i];
            char buf[96], lo[32], hi[32];
            dsim_table_add_row(t, e->string);
            fmt(buf, sizeof buf, num(e, "a_mean"));
            dsim_table_set(t, 0, buf);
            fmt(buf, sizeof buf, num(e, "b_mean"));
            dsim_table_set(t, 1, buf);
            fmt(buf, sizeof buf, num(e, "diff_mean"));
            dsim_table_set(t, 2, buf);
            const cJSON *ci = cJSON_GetObjectItemCaseSensitive(e, "diff_ci95");
            fmt(lo, sizeof lo, cJSON_GetArrayItem(ci, 0)->valuedouble);
            fmt(hi, sizeof hi, cJSON_GetArrayItem(ci, 1)->valuedouble);
            snprintf(buf, sizeof buf, "[%s, %s]", lo, hi);
            dsim_table_set(t, 3, buf);
            double rel = num(e, "rel_change");
            if (isfinite(rel))
                snprintf(buf, sizeof buf, "%+.1f%%", 100 * rel);
            else
                snprintf(buf, sizeof buf, "-");
            dsim_table_set(t, 4, buf);
            fmt(lo, sizeof lo, num(e, "paired_sd"));
            fmt(hi, sizeof hi, num(e, "unpaired_sd"));
            snprintf(buf, sizeof buf, "%s / %s", lo, hi);
            dsim_table_set(t, 5, buf);
        }
        if (t && nrows > shown) {
            char note[128];
            snprintf(note, sizeof note,
                     "... %zu more differ, %zu of them significantly (--json OUT has every metric)",
                     nrows - shown, nsig - (nsig < shown ? nsig : shown));
            dsim_table_add_note(t, note);
        }
        fputc('\n', out);
        rc = t ? dsim_table_print(t, out, 0, 120) : -1;
        dsim_table_free(t);
    }
    free(rows);
    return rc;
}
