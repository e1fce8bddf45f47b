/* The summary of a sweep (sweep_summary.h). Metrics are kept per config in the order they are
 * first met (the document order of the first run that has them), found by a hash table on
 * their paths so that documents with many figures (100,000 instances) stay linear. */
#include "sweep_summary.h"

#include "doc_paths.h"
#include "engine.h"
#include "json_report.h"
#include "path_index.h"
#include "stats.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct metric {
    char *path;
    exp_stats st;
} metric;

typedef struct config {
    const char *id;
    const char *const *values;
    size_t runs;
    size_t expect_runs, expect_passed; /* runs with `expect` verdicts, and those all ok */
    bool judged;                       /* with --precision: what follows */
    size_t seeds;
    bool converged;
    double rel_half_width;
    metric *m;
    size_t nm, capm;
    exp_path_index index; /* over m[i].path */
} config;

struct exp_summary {
    const exp_precision *precision; /* NULL: no --precision */
    const char *const *axes;
    size_t naxes;
    config *c;
    size_t nc, capc;
};

exp_summary *exp_summary_new(const char *const *axis_paths, size_t naxes) {
    exp_summary *s = calloc(1, sizeof *s);
    if (s) {
        s->axes = axis_paths;
        s->naxes = naxes;
    }
    return s;
}

void exp_summary_free(exp_summary *s) {
    if (!s)
        return;
    for (size_t i = 0; i < s->nc; i++) {
        for (size_t j = 0; j < s->c[i].nm; j++)
            free(s->c[i].m[j].path);
        free(s->c[i].m);
        exp_path_index_free(&s->c[i].index);
    }
    free(s->c);
    free(s);
}

int exp_summary_config(exp_summary *s, const char *id, const char *const *axis_values) {
    if (s->nc == s->capc) {
        size_t cap = s->capc ? 2 * s->capc : 16;
        config *c = realloc(s->c, cap * sizeof *c);
        if (!c)
            return -1;
        s->c = c;
        s->capc = cap;
    }
    s->c[s->nc++] = (config){.id = id, .values = axis_values};
    return 0;
}

/* The metric called path of config c, added (empty) when new; NULL when out of memory. */
static metric *find(config *c, const char *path) {
    if (c->nm == c->capm) { /* room first, so that the index never runs ahead of m */
        size_t cap = c->capm ? 2 * c->capm : 64;
        metric *m = realloc(c->m, cap * sizeof *m);
        if (!m)
            return NULL;
        c->m = m;
        c->capm = cap;
    }
    size_t j = exp_path_index_find(&c->index, path);
    if (j != SIZE_MAX)
        return &c->m[j];
    char *p = strdup(path);
    if (!p || exp_path_index_find_or_add(&c->index, p, NULL) == SIZE_MAX) {
        free(p);
        return NULL;
    }
    c->m[c->nm] = (metric){.path = p};
    exp_stats_init(&c->m[c->nm].st);
    return &c->m[c->nm++];
}

/* Whether every verdict of the document's `expect` list (§8.1) passed; -1 when it has none. */
static int expect_passed(const cJSON *doc) {
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(doc, "expect");
    if (!cJSON_IsArray(ex))
        return -1;
    const cJSON *v;
    cJSON_ArrayForEach(v, ex) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "ok")))
            return 0;
    }
    return 1;
}

void exp_summary_set_precision(exp_summary *s, const exp_precision *p) { s->precision = p; }

int exp_summary_precision(exp_summary *s, size_t seeds, bool converged, double rel_half_width) {
    if (!s->nc)
        return 0;
    config *c = &s->c[s->nc - 1];
    c->judged = true;
    c->seeds = seeds;
    c->converged = converged;
    c->rel_half_width = rel_half_width;
    return 0;
}

int exp_summary_add(exp_summary *s, const cJSON *doc) {
    if (!s->nc)
        return -1;
    config *c = &s->c[s->nc - 1];
    exp_leaves l = {0};
    if (exp_doc_leaves(doc, EXP_LEAVES_FIGURES | EXP_LEAVES_SAMPLED, &l)) {
        exp_leaves_free(&l);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < l.n && !rc; i++) {
        metric *m = find(c, l.items[i].path);
        if (m)
            exp_stats_add(&m->st, l.items[i].value);
        else
            rc = -1;
    }
    exp_leaves_free(&l);
    c->runs++;
    int ok = expect_passed(doc);
    if (ok >= 0) {
        c->expect_runs++;
        c->expect_passed += (size_t)ok;
    }
    return rc;
}

void exp_format_number(char *buf, double v) {
    /* As cJSON prints numbers, so the CSV shows the digits summary.json has. */
    snprintf(buf, 32, "%1.15g", v);
    double back;
    if (sscanf(buf, "%lg", &back) != 1 || back != v)
        snprintf(buf, 32, "%1.17g", v);
}

/* A number item, or null for NaN (cJSON would print it as null too; be explicit). */
static cJSON *number(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static cJSON *metric_json(const metric *m) {
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    double lo, hi;
    cJSON_AddItemToObject(o, "mean", number(exp_stats_mean(&m->st)));
    cJSON_AddItemToObject(o, "stddev", number(exp_stats_stddev(&m->st)));
    if (exp_stats_ci95(&m->st, &lo, &hi) == 0) {
        const double both[2] = {lo, hi};
        cJSON_AddItemToObject(o, "ci95", cJSON_CreateDoubleArray(both, 2));
    } else {
        cJSON_AddItemToObject(o, "ci95", cJSON_CreateNull());
    }
    cJSON_AddItemToObject(o, "n", cJSON_CreateNumber((double)m->st.n));
    return o;
}

char *exp_summary_json(const exp_summary *s, const exp_summary_head *h) {
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return NULL;
    cJSON_AddStringToObject(doc, "dsim_version", h->dsim_version);
    cJSON_AddStringToObject(doc, "contract", DSIM_CONTRACT_VERSION);
    cJSON_AddStringToObject(doc, "document", "sweep");
    cJSON_AddStringToObject(doc, "topology", h->topology);
    cJSON *set = cJSON_AddObjectToObject(doc, "set");
    for (size_t i = 0; set && i < h->nsets; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(set, h->set_paths[i]); /* the last one holds */
        cJSON_AddStringToObject(set, h->set_paths[i], h->set_values[i]);
    }
    cJSON *vary = cJSON_AddArrayToObject(doc, "vary");
    for (size_t i = 0; vary && i < s->naxes; i++)
        cJSON_AddItemToArray(vary, cJSON_CreateString(s->axes[i]));
    cJSON *seeds = cJSON_AddArrayToObject(doc, "seeds");
    for (uint64_t k = h->seed_first; seeds && k <= h->seed_last; k++) {
        cJSON_AddItemToArray(seeds, cJSON_CreateNumber((double)k));
        if (k == UINT64_MAX)
            break;
    }
    if (s->precision) {
        const exp_precision *p = s->precision;
        cJSON *pr = cJSON_AddObjectToObject(doc, "precision");
        cJSON_AddStringToObject(pr, "metric", p->metric);
        cJSON_AddNumberToObject(pr, "relative", p->relative);
        cJSON_AddNumberToObject(pr, "target_rel_half_width", exp_precision_target(p->relative));
        cJSON_AddNumberToObject(pr, "max_seeds", (double)p->max_seeds);
    }
    cJSON *configs = cJSON_AddArrayToObject(doc, "configs");
    for (size_t i = 0; configs && i < s->nc; i++) {
        const config *c = &s->c[i];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(configs, o);
        cJSON_AddStringToObject(o, "id", c->id);
        cJSON *cs = cJSON_AddObjectToObject(o, "set");
        for (size_t a = 0; cs && a < s->naxes; a++)
            cJSON_AddStringToObject(cs, s->axes[a], c->values[a]);
        cJSON_AddNumberToObject(o, "runs", (double)c->runs);
        if (c->judged) {
            cJSON *pr = cJSON_AddObjectToObject(o, "precision");
            cJSON_AddNumberToObject(pr, "seeds", (double)c->seeds);
            cJSON_AddBoolToObject(pr, "converged", c->converged);
            if (isnan(c->rel_half_width))
                cJSON_AddNullToObject(pr, "rel_half_width");
            else
                cJSON_AddNumberToObject(pr, "rel_half_width", c->rel_half_width);
        }
        if (c->expect_runs)
            cJSON_AddNumberToObject(o, "expect_pass_fraction",
                                    (double)c->expect_passed / (double)c->expect_runs);
        cJSON *ms = cJSON_AddObjectToObject(o, "metrics");
        for (size_t j = 0; ms && j < c->nm; j++)
            cJSON_AddItemToObject(ms, c->m[j].path, metric_json(&c->m[j]));
    }
    char *text = dsim_json_render(doc);
    cJSON_Delete(doc);
    return text;
}

/* A growable text. */
typedef struct buf {
    char *s;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* One field, quoted when RFC 4180 requires it, then sep. */
static void field(buf *b, const char *s, const char *sep) {
    if (strpbrk(s, ",\"\r\n")) {
        put(b, "\"", 1);
        for (const char *p = s; *p; p++)
            put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        put(b, "\"", 1);
    } else {
        puts_(b, s);
    }
    puts_(b, sep);
}

static void num_field(buf *b, double v, const char *sep) {
    char t[32] = "";
    if (isfinite(v))
        exp_format_number(t, v);
    field(b, t, sep);
}

char *exp_summary_csv(const exp_summary *s) {
    buf b = {0};
    field(&b, "config", ",");
    for (size_t a = 0; a < s->naxes; a++)
        field(&b, s->axes[a], ",");
    puts_(&b, "metric,n,mean,stddev,ci95_lo,ci95_hi\n");
    for (size_t i = 0; i < s->nc; i++) {
        const config *c = &s->c[i];
        for (size_t j = 0; j < c->nm; j++) {
            const metric *m = &c->m[j];
            field(&b, c->id, ",");
            for (size_t a = 0; a < s->naxes; a++)
                field(&b, c->values[a], ",");
            field(&b, m->path, ",");
            num_field(&b, (double)m->st.n, ",");
            num_field(&b, exp_stats_mean(&m->st), ",");
            num_field(&b, exp_stats_stddev(&m->st), ",");
            double lo = NAN, hi = NAN;
            exp_stats_ci95(&m->st, &lo, &hi);
            num_field(&b, lo, ",");
            num_field(&b, hi, "\n");
        }
    }
    if (b.failed || !b.s) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
