/* Typed values of the topology format: distributions, references, routes, op mixes, key
 * choosers, and the generic filling of a kind's config struct from its parameter table. */
#include "loader_int.h"
#include "strfmt.h"

#include "units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUM_SLACK 1e-9
/* A rate leaves 1e9 / rate ns between events on average: above one per nanosecond (the
 * clock's resolution) most gaps round to 0 and the clock stops ("a loop with no delay"). */
#define MAX_RATE_PER_S 1e9

/* The classes of a per-class param (its choices) and what one is called in messages. */
static size_t class_count(const sim_param *p) {
    size_t n = 0;
    while (p->choices[n])
        n++;
    return n;
}

static const char *class_word(const sim_param *p) {
    return p->class_word ? p->class_word : "class";
}

static int class_index(const sim_param *p, const char *s) {
    for (size_t i = 0; p->choices[i]; i++)
        if (strcmp(s, p->choices[i]) == 0)
            return (int)i;
    return -1;
}

/* The classes' names as "read or write" (arena), for messages. */
static const char *class_list(sim_loader *ld, const sim_param *p) {
    size_t n = class_count(p);
    if (n == 1)
        return p->choices[0];
    const char *s = p->choices[0];
    for (size_t i = 1; s && i < n; i++)
        s = sim__ld_arena_format(ld, "%s%s%s", s, i + 1 == n ? " or " : ", ", p->choices[i]);
    return s ? s : "?";
}

/* Starts the known words for the unknown class ks: the classes. */
static void class_known(sim_ld_known *kn, const sim_param *p, const char *ks) {
    sim__ld_known_init(kn, ks);
    for (size_t i = 0; p->choices[i]; i++)
        sim__ld_known_add(kn, p->choices[i]);
}

static bool is_map(const yaml_node_t *y) { return y && y->type == YAML_MAPPING_NODE; }
static bool is_seq(const yaml_node_t *y) { return y && y->type == YAML_SEQUENCE_NODE; }

#define FOR_PAIRS(p, map)                                                                   \
    for (yaml_node_pair_t *p = (map)->data.mapping.pairs.start;                             \
         p < (map)->data.mapping.pairs.top; p++)
#define FOR_ITEMS(it, seq)                                                                  \
    for (yaml_node_item_t *it = (seq)->data.sequence.items.start;                           \
         it < (seq)->data.sequence.items.top; it++)

static const char *show(const yaml_node_t *y) {
    const char *s = sim__ld_scalar(y);
    return s ? s : is_map(y) ? "a mapping" : "a list";
}

int sim__ld_number(sim_loader *ld, yaml_node_t *y, const char *where, double min, double max,
                   double *out) {
    const char *s = sim__ld_scalar(y);
    double v;
    if (!s || sim_parse_number(s, &v)) {
        sim__ld_error(ld, y, "%s: expected a number, got '%s'", where, show(y));
        return -1;
    }
    if (min != max && (v < min || v > max)) {
        sim__ld_error(ld, y, "%s: expected a number in [%g, %g], got %s", where, min, max, s);
        return -1;
    }
    *out = v;
    sim__ld_resolved_number(ld, y, v, NULL);
    return 0;
}

int sim__ld_prob(sim_loader *ld, yaml_node_t *y, const char *where, double *out) {
    const char *s = sim__ld_scalar(y);
    double v;
    if (!s || sim_parse_number(s, &v) || v < 0 || v > 1) {
        sim__ld_error(ld, y, "%s: expected a probability in [0, 1], got '%s'", where, show(y));
        return -1;
    }
    *out = v;
    sim__ld_resolved_number(ld, y, v, NULL);
    return 0;
}

int sim__ld_duration(sim_loader *ld, yaml_node_t *y, const char *where, sim_time *out) {
    const char *s = sim__ld_scalar(y);
    const char *err = s ? sim_parse_duration(s, out) : "a duration (e.g. 5ms)";
    if (err) {
        sim__ld_error(ld, y, "%s: expected %s, got '%s'", where, err, show(y));
        return -1;
    }
    sim__ld_resolved_number(ld, y, (double)*out / 1e6, "ms");
    return 0;
}

/* A duration as double nanoseconds; positive unless zero_ok. */
static int dur_ns(sim_loader *ld, yaml_node_t *y, const char *where, bool zero_ok,
                  double *out) {
    const char *s = sim__ld_scalar(y);
    const char *err = s ? sim_parse_duration_ns(s, out) : "a duration (e.g. 5ms)";
    if (err) {
        sim__ld_error(ld, y, "%s: expected %s, got '%s'", where, err, show(y));
        return -1;
    }
    if (!zero_ok && *out <= 0) {
        sim__ld_error(ld, y, "%s: expected a duration > 0, got %s", where, s);
        return -1;
    }
    sim__ld_resolved_number(ld, y, *out / 1e6, "ms");
    return 0;
}

typedef struct dist_form {
    const char *name;
    sim_dist_kind kind;
    const char *keys[3]; /* the parameter keys besides `dist` */
} dist_form;

static const dist_form dist_forms[] = {
    {"constant", SIM_DIST_CONSTANT, {"value"}},
    {"exponential", SIM_DIST_EXPONENTIAL, {"mean"}},
    {"uniform", SIM_DIST_UNIFORM, {"min", "max"}},
    {"normal", SIM_DIST_NORMAL, {"mean", "stddev"}},
    {"lognormal", SIM_DIST_LOGNORMAL, {"mean", "stddev"}},
    {"erlang", SIM_DIST_ERLANG, {"k", "mean"}},
    {"gamma", SIM_DIST_GAMMA, {"shape", "mean"}},
    {"pareto", SIM_DIST_PARETO, {"shape", "scale"}},
    {"weibull", SIM_DIST_WEIBULL, {"shape", "scale"}},
    {"empirical", SIM_DIST_EMPIRICAL, {"values"}},
};

/* "WHERE: KEY" (malloc), for messages that name a key inside where; on out of memory, where
 * itself (borrowed: free with drop_key_path). */
static char *key_path(sim_loader *ld, const char *where, const char *key) {
    size_t lw = strlen(where), lk = strlen(key);
    char *s = malloc(lw + 2 + lk + 1);
    if (!s) {
        ld->oom = true;
        return (char *)where;
    }
    memcpy(s, where, lw);
    memcpy(s + lw, ": ", 2);
    memcpy(s + lw + 2, key, lk + 1);
    return s;
}

static void drop_key_path(char *path, const char *where) {
    if (path != where)
        free(path);
}

static int fill_dist(sim_loader *ld, yaml_node_t *y, const dist_form *f, const char *w,
                     char *const *wk, sim_dist *d);

static int dist_params(sim_loader *ld, yaml_node_t *y, const dist_form *f, const char *w,
                       sim_dist *d) {
    char *wk[3] = {NULL}; /* "web: service: mean": messages name the parameter's own key */
    for (int i = 0; i < 3 && f->keys[i]; i++)
        wk[i] = key_path(ld, w, f->keys[i]);
    int rc = fill_dist(ld, y, f, w, wk, d);
    for (int i = 0; i < 3 && f->keys[i]; i++)
        drop_key_path(wk[i], w);
    return rc;
}

static int fill_dist(sim_loader *ld, yaml_node_t *y, const dist_form *f, const char *w,
                     char *const *wk, sim_dist *d) {
    yaml_node_t *v[3] = {NULL};
    int bad = 0;
    for (int i = 0; i < 3 && f->keys[i]; i++) {
        v[i] = sim__ld_get(ld, y, f->keys[i], NULL);
        if (!v[i]) {
            sim__ld_error(ld, y, "%s: distribution '%s' needs key '%s'", w, f->name, f->keys[i]);
            bad = -1;
        }
    }
    if (bad)
        return -1;
    d->kind = f->kind;
    switch (f->kind) {
    case SIM_DIST_CONSTANT:
        return dur_ns(ld, v[0], wk[0], true, &d->a);
    case SIM_DIST_EXPONENTIAL:
        return dur_ns(ld, v[0], wk[0], false, &d->a);
    case SIM_DIST_UNIFORM:
        if (dur_ns(ld, v[0], wk[0], true, &d->a) || dur_ns(ld, v[1], wk[1], true, &d->b))
            return -1;
        if (d->b < d->a) {
            sim__ld_error(ld, v[1], "%s: must not be below min", wk[1]);
            return -1;
        }
        return 0;
    case SIM_DIST_NORMAL:
        return dur_ns(ld, v[0], wk[0], true, &d->a) || dur_ns(ld, v[1], wk[1], true, &d->b)
                   ? -1
                   : 0;
    case SIM_DIST_LOGNORMAL: {
        double m, s;
        if (dur_ns(ld, v[0], wk[0], false, &m) || dur_ns(ld, v[1], wk[1], true, &s))
            return -1;
        double s2 = log(1 + (s * s) / (m * m));
        d->a = log(m) - s2 / 2;
        d->b = sqrt(s2);
        return 0;
    }
    case SIM_DIST_ERLANG: {
        const char *ks = sim__ld_scalar(v[0]);
        int64_t k;
        if (!ks || sim_parse_int(ks, &k) || k < 1 || k > 1000000) {
            sim__ld_error(ld, v[0], "%s: expected a whole number >= 1, got '%s'", wk[0],
                          show(v[0]));
            return -1;
        }
        d->k = (unsigned)k;
        return dur_ns(ld, v[1], wk[1], false, &d->a);
    }
    case SIM_DIST_GAMMA: {
        double mean;
        if (sim__ld_number(ld, v[0], wk[0], 1e-9, 1e9, &d->a) ||
            dur_ns(ld, v[1], wk[1], false, &mean))
            return -1;
        d->b = mean / d->a;
        return 0;
    }
    case SIM_DIST_PARETO:
    case SIM_DIST_WEIBULL:
        return sim__ld_number(ld, v[0], wk[0], 1e-9, 1e9, &d->a) ||
                       dur_ns(ld, v[1], wk[1], false, &d->b)
                   ? -1
                   : 0;
    case SIM_DIST_EMPIRICAL: {
        if (!is_seq(v[0]) || v[0]->data.sequence.items.top == v[0]->data.sequence.items.start) {
            sim__ld_error(ld, v[0], "%s: expected a non-empty list of durations", wk[0]);
            return -1;
        }
        size_t n = (size_t)(v[0]->data.sequence.items.top - v[0]->data.sequence.items.start);
        double *vals = sim__ld_alloc(ld, n * sizeof *vals);
        if (!vals)
            return -1;
        size_t i = 0;
        FOR_ITEMS(it, v[0]) {
            if (dur_ns(ld, sim__ld_node(ld, *it), wk[0], true, &vals[i++]))
                return -1;
        }
        d->values = vals;
        d->n = n;
        return 0;
    }
    case SIM_DIST_NONE:
        break;
    }
    return -1;
}

int sim__ld_dist(sim_loader *ld, yaml_node_t *y, const char *where, sim_dist *out) {
    sim_dist d = {0};
    if (sim__ld_scalar(y)) {
        if (dur_ns(ld, y, where, true, &d.a))
            return -1;
        d.kind = SIM_DIST_CONSTANT;
        *out = d;
        return 0;
    }
    if (!is_map(y)) {
        sim__ld_error(ld, y, "%s: expected a duration or a distribution {dist: ..., ...}", where);
        return -1;
    }
    yaml_node_t *kn = sim__ld_get(ld, y, "dist", NULL);
    const char *name = sim__ld_scalar(kn);
    if (!name) {
        sim__ld_error(ld, y, "%s: a distribution needs key 'dist' (constant, exponential, "
                             "uniform, normal, lognormal, erlang, gamma, pareto, weibull, "
                             "empirical)", where);
        return -1;
    }
    const dist_form *f = NULL;
    for (size_t i = 0; i < sizeof dist_forms / sizeof *dist_forms; i++)
        if (strcmp(name, dist_forms[i].name) == 0)
            f = &dist_forms[i];
    if (!f) {
        sim_ld_known known;
        sim__ld_known_init(&known, name);
        for (size_t i = 0; i < sizeof dist_forms / sizeof *dist_forms; i++)
            sim__ld_known_add(&known, dist_forms[i].name);
        sim__ld_unknown(ld, kn, &known, "the distributions", "%s: unknown distribution '%s'",
                        where, name);
        return -1;
    }
    int bad = 0;
    FOR_PAIRS(p, y) {
        yaml_node_t *k = sim__ld_node(ld, p->key);
        const char *ks = sim__ld_scalar(k);
        bool known = ks && strcmp(ks, "dist") == 0;
        for (int i = 0; ks && i < 3 && f->keys[i]; i++)
            known = known || strcmp(ks, f->keys[i]) == 0;
        if (!known) {
            sim_ld_known kw;
            sim__ld_known_init(&kw, ks);
            sim__ld_known_add(&kw, "dist");
            for (int i = 0; i < 3 && f->keys[i]; i++)
                sim__ld_known_add(&kw, f->keys[i]);
            sim__ld_unknown(ld, k, &kw, "known keys", "%s: unknown key '%s' for distribution '%s'",
                            where, ks ? ks : "?", f->name);
            bad = -1;
        }
    }
    if (bad || dist_params(ld, y, f, where, &d))
        return -1;
    *out = d;
    return 0;
}

int sim__ld_ref(sim_loader *ld, yaml_node_t *y, const char *where, sim_ref *out) {
    const char *s = sim__ld_scalar(y);
    if (!s || !*s) {
        sim__ld_error(ld, y, "%s: expected a node name, got '%s'", where, show(y));
        return -1;
    }
    out->name = sim__ld_strdup(ld, s);
    out->first = out->count = 0;
    const char *w = sim__ld_strdup(ld, where);
    if (!out->name || !w)
        return -1;
    if (ld->nrefs == ld->caprefs) {
        size_t cap = ld->caprefs ? 2 * ld->caprefs : 32;
        sim_pending_ref *r = realloc(ld->refs, cap * sizeof *r);
        if (!r) {
            ld->oom = true;
            return -1;
        }
        ld->refs = r;
        ld->caprefs = cap;
    }
    ld->refs[ld->nrefs++] =
        (sim_pending_ref){out, w, (int)y->start_mark.line + 1, (int)y->start_mark.column + 1,
                          ld->param, ld->field, ld->owner, sim__ld_set_node(ld, y)};
    return 0;
}

int sim__ld_reflist(sim_loader *ld, yaml_node_t *y, const char *where, sim_reflist *out) {
    if (!is_seq(y)) {
        out->n = 1;
        out->refs = sim__ld_alloc(ld, sizeof *out->refs);
        return out->refs ? sim__ld_ref(ld, y, where, &out->refs[0]) : -1;
    }
    size_t n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
    if (n == 0) {
        sim__ld_error(ld, y, "%s: expected at least one node name", where);
        return -1;
    }
    out->n = n;
    out->refs = sim__ld_alloc(ld, n * sizeof *out->refs);
    if (!out->refs)
        return -1;
    size_t i = 0;
    int bad = 0;
    FOR_ITEMS(it, y) {
        if (sim__ld_ref(ld, sim__ld_node(ld, *it), where, &out->refs[i++]))
            bad = -1;
    }
    return bad;
}

static int parse_route(sim_loader *ld, yaml_node_t *y, const char *w, sim_route *out) {
    if (!is_map(y)) {
        out->n = 1;
        out->to = sim__ld_alloc(ld, sizeof *out->to);
        out->p = sim__ld_alloc(ld, sizeof *out->p);
        if (!out->to || !out->p)
            return -1;
        out->p[0] = 1;
        return sim__ld_ref(ld, y, w, &out->to[0]);
    }
    size_t n = (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
    out->n = n;
    out->to = sim__ld_alloc(ld, (n ? n : 1) * sizeof *out->to);
    out->p = sim__ld_alloc(ld, (n ? n : 1) * sizeof *out->p);
    if (!out->to || !out->p)
        return -1;
    size_t i = 0;
    double sum = 0;
    int bad = 0;
    FOR_PAIRS(p, y) {
        if (sim__ld_ref(ld, sim__ld_node(ld, p->key), w, &out->to[i]) ||
            sim__ld_prob(ld, sim__ld_node(ld, p->value), w, &out->p[i]))
            bad = -1;
        sum += out->p[i++];
    }
    if (!bad && sum > 1 + SUM_SLACK) {
        sim__ld_error(ld, y, "%s: routing probabilities sum to %g, more than 1", w, sum);
        bad = -1;
    }
    return bad;
}

/* The class that key k of a per-class mapping names, or -1 after reporting an unknown one
 * (`or_else`: what else the mapping could have been, for the message, or NULL). */
static int class_of_key(sim_loader *ld, const sim_param *pa, yaml_node_t *k, const char *w,
                        const char *or_else) {
    const char *ks = sim__ld_scalar(k);
    int c = ks ? class_index(pa, ks) : -1;
    if (c < 0) {
        sim_ld_known kn;
        class_known(&kn, pa, ks);
        sim__ld_unknown(ld, k, &kn, NULL, "%s: unknown %s '%s' (expected %s%s)", w,
                        class_word(pa), ks ? ks : "?", class_list(ld, pa), or_else ? or_else : "");
    }
    return c;
}

static int parse_mix(sim_loader *ld, const sim_param *pa, yaml_node_t *y, const char *w,
                     sim_mix *out) {
    const char *cw = class_word(pa);
    if (!is_map(y)) {
        sim__ld_error(ld, y, "%s: expected a mapping of %ss to probabilities, e.g. "
                             "{%s: 0.9, %s: 0.1}", w, cw, pa->choices[0],
                      pa->choices[1] ? pa->choices[1] : pa->choices[0]);
        return -1;
    }
    sim_mix m = {{0}};
    double sum = 0;
    int bad = 0;
    FOR_PAIRS(p, y) {
        int op = class_of_key(ld, pa, sim__ld_node(ld, p->key), w, NULL);
        if (op < 0) {
            bad = -1;
            continue;
        }
        if (sim__ld_prob(ld, sim__ld_node(ld, p->value), w, &m.p[op]))
            bad = -1;
        sum += m.p[op];
    }
    if (!bad && fabs(sum - 1) > 1e-6) {
        sim__ld_error(ld, y, "%s: %s probabilities must sum to 1, not %g", w, cw, sum);
        bad = -1;
    }
    if (!bad)
        *out = m;
    return bad;
}

static int parse_dist_by(sim_loader *ld, const sim_param *pa, yaml_node_t *y, const char *w,
                         sim_dist_by *out) {
    size_t n = class_count(pa);
    const char *cw = class_word(pa);
    if (!is_map(y) || sim__ld_get(ld, y, "dist", NULL)) {
        sim_dist d;
        if (sim__ld_dist(ld, y, w, &d))
            return -1;
        for (size_t i = 0; i < n; i++)
            out->by[i] = d;
        return 0;
    }
    sim_dist_by o = {{{0}}};
    int bad = 0;
    FOR_PAIRS(p, y) {
        int op = class_of_key(ld, pa, sim__ld_node(ld, p->key), w,
                              ", or a distribution with key 'dist'");
        if (op < 0)
            bad = -1;
        else if (sim__ld_dist(ld, sim__ld_node(ld, p->value), w, &o.by[op])) {
            bad = -1;
        }
    }
    for (size_t i = 0; !bad && i < n; i++)
        if (!o.by[i].kind) {
            sim__ld_error(ld, y, "%s: per-%s form needs every %s: missing '%s'", w, cw, cw,
                          pa->choices[i]);
            bad = -1;
        }
    if (!bad)
        *out = o;
    return bad;
}

static int parse_one_size(sim_loader *ld, const sim_param *pa, yaml_node_t *y, const char *w,
                          uint32_t *out) {
    const char *s = sim__ld_scalar(y);
    double v;
    const char *why = s ? sim_parse_bytes(s, &v) : "a size, not a collection";
    double lo = pa->min, hi = pa->max > pa->min ? pa->max : (double)UINT32_MAX;
    if (!why && (v < lo || v > hi)) {
        sim__ld_error(ld, y, "%s: %s is out of range [%.0f, %.0f] bytes", w, s, lo, hi);
        return -1;
    }
    if (why) {
        sim__ld_error(ld, y, "%s: expected %s, got '%s'", w, why, s ? s : "a collection");
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int parse_bytes_by(sim_loader *ld, const sim_param *pa, yaml_node_t *y, const char *w,
                          sim_bytes_by *out) {
    size_t n = class_count(pa);
    const char *cw = class_word(pa);
    if (!is_map(y)) {
        uint32_t v;
        if (parse_one_size(ld, pa, y, w, &v))
            return -1;
        for (size_t i = 0; i < n; i++)
            out->by[i] = v;
        return 0;
    }
    sim_bytes_by o = {{0}};
    bool seen[SIM_CLASSES_MAX] = {false};
    int bad = 0;
    FOR_PAIRS(p, y) {
        int c = class_of_key(ld, pa, sim__ld_node(ld, p->key), w, NULL);
        if (c < 0)
            bad = -1;
        else if (parse_one_size(ld, pa, sim__ld_node(ld, p->value), w, &o.by[c]))
            bad = -1;
        else
            seen[c] = true;
    }
    for (size_t i = 0; !bad && i < n; i++)
        if (!seen[i]) {
            sim__ld_error(ld, y, "%s: per-%s form needs every %s: missing '%s'", w, cw, cw,
                          pa->choices[i]);
            bad = -1;
        }
    if (!bad)
        *out = o;
    return bad;
}

static int parse_index(sim_loader *ld, yaml_node_t *y, const char *w, sim_index_dist *out) {
    static const char *expected = "expected {dist: uniform, n: N} or {dist: zipf, n: N, s: X}";
    if (!is_map(y)) {
        sim__ld_error(ld, y, "%s: %s", w, expected);
        return -1;
    }
    yaml_node_t *dn = sim__ld_get(ld, y, "dist", NULL);
    const char *d = sim__ld_scalar(dn);
    sim_index_dist k = {0};
    if (d && strcmp(d, "uniform") == 0)
        k.dist = SIM_INDEX_UNIFORM;
    else if (d && strcmp(d, "zipf") == 0)
        k.dist = SIM_INDEX_ZIPF;
    else if (d) { /* at the word itself, which may be a --set value */
        sim_ld_known kn;
        sim__ld_known_init(&kn, d);
        sim__ld_known_add(&kn, "uniform");
        sim__ld_known_add(&kn, "zipf");
        sim__ld_unknown(ld, dn, &kn, NULL, "%s: unknown key chooser '%s' (%s)", w, d, expected);
        return -1;
    } else {
        sim__ld_error(ld, y, "%s: %s", w, expected);
        return -1;
    }
    int bad = 0;
    FOR_PAIRS(p, y) {
        yaml_node_t *kn = sim__ld_node(ld, p->key);
        const char *ks = sim__ld_scalar(kn);
        if (!ks || (strcmp(ks, "dist") && strcmp(ks, "n") &&
                    (k.dist != SIM_INDEX_ZIPF || strcmp(ks, "s")))) {
            sim__ld_error(ld, kn, "%s: unknown key '%s' for the %s key chooser", w,
                          ks ? ks : "?", d);
            bad = -1;
        }
    }
    yaml_node_t *nn = sim__ld_get(ld, y, "n", NULL);
    int64_t n;
    if (!nn || !sim__ld_scalar(nn) || sim_parse_int(sim__ld_scalar(nn), &n) || n < 1) {
        sim__ld_error(ld, nn ? nn : y, "%s: n: expected a whole number of keys >= 1", w);
        bad = -1;
    } else {
        k.n = (uint64_t)n;
    }
    if (k.dist == SIM_INDEX_ZIPF) {
        yaml_node_t *sn = sim__ld_get(ld, y, "s", NULL);
        if (!sn) {
            sim__ld_error(ld, y, "%s: zipf needs the exponent s", w);
            bad = -1;
        } else if (sim__ld_number(ld, sn, w, 0, 100, &k.s)) {
            bad = -1;
        }
    }
    if (!bad)
        *out = k;
    return bad;
}

/* One string, or a list of strings, each an item filled by p->parse (SIM_P_TEXT, param.h). */
static int parse_text(sim_loader *ld, const sim_param *p, yaml_node_t *y, const char *w,
                      sim_list *out) {
    yaml_node_item_t one = 0, *from = &one, *to = &one + 1;
    if (is_seq(y)) {
        from = y->data.sequence.items.start;
        to = y->data.sequence.items.top;
    } else if (!sim__ld_scalar(y)) {
        sim__ld_error(ld, y, "%s: expected a string or a list of strings, got '%s'", w, show(y));
        return -1;
    }
    size_t size = p->parse ? p->item_size : sizeof(const char *), n = (size_t)(to - from);
    char *items = n ? sim__ld_alloc(ld, n * size) : NULL;
    if (n && !items)
        return -1;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *e = from == &one ? y : sim__ld_node(ld, from[i]);
        const char *s = sim__ld_scalar(e);
        if (!s) {
            sim__ld_error(ld, e, "%s[%zu]: expected a string, got '%s'", w, i, show(e));
            bad = -1;
            continue;
        }
        size_t len = strlen(s) + 1;
        char *copy = sim__ld_alloc(ld, len), err[256] = "";
        if (!copy)
            return -1;
        memcpy(copy, s, len);
        if (!p->parse) {
            ((const char **)(void *)items)[i] = copy;
        } else if (p->parse(copy, items + i * size, err, sizeof err)) {
            if (from == &one)
                sim__ld_error(ld, e, "%s: %s", w, err[0] ? err : "bad text");
            else
                sim__ld_error(ld, e, "%s[%zu]: %s", w, i, err[0] ? err : "bad text");
            bad = -1;
        }
    }
    if (!bad)
        *out = (sim_list){n, items};
    return bad;
}

/* A list of mappings, each filled from p->item like a node's keys (unknown keys rejected);
 * with SIM_PARAM_SINGLE, one mapping. */
static int parse_list(sim_loader *ld, const sim_param *p, yaml_node_t *y, const char *w,
                      sim_list *out) {
    if (p->flags & SIM_PARAM_SINGLE) {
        if (!is_map(y)) {
            sim__ld_error(ld, y, "%s: expected a mapping, got '%s'", w, show(y));
            return -1;
        }
        void *item = sim__ld_alloc(ld, p->item_size);
        if (!item)
            return -1;
        if (sim__ld_params(ld, p->item, y, NULL, w, item))
            return -1;
        *out = (sim_list){1, item};
        return 0;
    }
    if (!is_seq(y)) {
        sim__ld_error(ld, y, "%s: expected a list of mappings, got '%s'", w, show(y));
        return -1;
    }
    size_t n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start), i = 0;
    char *items = n ? sim__ld_alloc(ld, n * p->item_size) : NULL;
    if (n && !items)
        return -1;
    int bad = 0;
    FOR_ITEMS(it, y) {
        yaml_node_t *e = sim__ld_node(ld, *it);
        size_t len = strlen(w) + 24;
        char *wi = malloc(len); /* "web: changes[3]" */
        if (!wi) {
            ld->oom = true;
            return -1;
        }
        snprintf(wi, len, "%s[%zu]", w, i);
        if (!is_map(e)) {
            sim__ld_error(ld, e, "%s: expected a mapping, got '%s'", wi, show(e));
            bad = -1;
        } else if (sim__ld_params(ld, p->item, e, NULL, wi, items + i * p->item_size)) {
            bad = -1;
        } else if (p->check_item) {
            char err[256] = "";
            if (p->check_item(items + i * p->item_size, err, sizeof err)) {
                sim__ld_error(ld, e, "%s: %s", wi, err[0] ? err : "bad item");
                bad = -1;
            }
        }
        free(wi);
        i++;
    }
    if (!bad)
        *out = (sim_list){n, items};
    return bad;
}

/* {node: weight, ...}: each key a node reference (resolved later, so an unknown node is
 * reported at its own line and column), each value a number > 0 (and within the param's
 * range when it has one). */
static int parse_weights(sim_loader *ld, const sim_param *p, yaml_node_t *y, const char *w,
                         sim_weights *out) {
    size_t n = is_map(y) ? (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start) : 0;
    if (n == 0) {
        sim__ld_error(ld, y, "%s: expected a mapping of nodes to weights > 0, e.g. "
                             "{web.0: 3, web.1: 1}, got '%s'", w, is_map(y) ? "{}" : show(y));
        return -1;
    }
    sim_weights o = {n, sim__ld_alloc(ld, n * sizeof *o.to), sim__ld_alloc(ld, n * sizeof *o.w)};
    if (!o.to || !o.w)
        return -1;
    size_t i = 0;
    int bad = 0;
    FOR_PAIRS(pair, y) {
        yaml_node_t *v = sim__ld_node(ld, pair->value);
        const char *s = sim__ld_scalar(v);
        if (sim__ld_ref(ld, sim__ld_node(ld, pair->key), w, &o.to[i]))
            bad = -1;
        if (!s || sim_parse_number(s, &o.w[i]) || !(o.w[i] > 0) || !isfinite(o.w[i]) ||
            (p->min != p->max && (o.w[i] < p->min || o.w[i] > p->max))) {
            if (p->min != p->max)
                sim__ld_error(ld, v, "%s: expected a weight in (0, %g], got '%s'", w, p->max,
                              show(v));
            else
                sim__ld_error(ld, v, "%s: expected a weight > 0, got '%s'", w, show(v));
            bad = -1;
        }
        i++;
    }
    if (!bad)
        *out = o;
    return bad;
}

/* A bound of a duration parameter (ns) in the unit that reads naturally: "1ns", "5ms", "60s". */
static void natural_duration(double ns, char *buf, size_t size) {
    if (ns < 1e3)
        snprintf(buf, size, "%gns", ns);
    else if (ns < 1e6)
        snprintf(buf, size, "%gus", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, size, "%gms", ns / 1e6);
    else
        snprintf(buf, size, "%gs", ns / 1e9);
}

static bool in_range(const sim_param *p, double v) {
    return p->min == p->max || (v >= p->min && v <= p->max);
}

/* Parses one value of param p from y into field. */
static int parse_param(sim_loader *ld, const sim_param *p, yaml_node_t *y, const char *w,
                       void *field) {
    const char *s = sim__ld_scalar(y);
    switch (p->type) {
    case SIM_P_INT:
    case SIM_P_LIMIT: {
        int64_t v;
        if (p->type == SIM_P_LIMIT && s && strcmp(s, "unbounded") == 0) {
            *(int64_t *)field = -1;
            sim__ld_resolved_text(ld, y, "unbounded");
            return 0;
        }
        if (!s || sim_parse_int(s, &v) || !in_range(p, (double)v)) {
            if (p->min != p->max)
                sim__ld_error(ld, y, "%s: expected a whole number in [%.0f, %.0f]%s, got '%s'", w,
                              p->min, p->max, p->type == SIM_P_LIMIT ? " or 'unbounded'" : "",
                              show(y));
            else
                sim__ld_error(ld, y, "%s: expected a whole number, got '%s'", w, show(y));
            return -1;
        }
        *(int64_t *)field = v;
        sim__ld_resolved_number(ld, y, (double)v, NULL);
        return 0;
    }
    case SIM_P_NUMBER:
        return sim__ld_number(ld, y, w, p->min, p->max, field);
    case SIM_P_PROB:
        return sim__ld_prob(ld, y, w, field);
    case SIM_P_DURATION: {
        sim_time t;
        if (sim__ld_duration(ld, y, w, &t))
            return -1;
        if (!in_range(p, (double)t)) {
            char lo[32], hi[32];
            natural_duration(p->min, lo, sizeof lo);
            natural_duration(p->max, hi, sizeof hi);
            sim__ld_error(ld, y, "%s: expected a duration in [%s, %s], got %s", w, lo, hi, s);
            return -1;
        }
        *(sim_time *)field = t;
        return 0;
    }
    case SIM_P_RATE: {
        double r;
        const char *err = s ? sim_parse_rate(s, &r) : "a rate (e.g. 100/s)";
        if (!err && r > MAX_RATE_PER_S) {
            sim__ld_error(ld, y, "%s: %s leaves %.3g ns between events, below the clock's "
                                 "resolution (1 ns): at most 1e9/s", w, s, 1e9 / r);
            return -1;
        }
        if (err || !in_range(p, r) || r <= 0) {
            sim__ld_error(ld, y, "%s: expected %s, got '%s'",
                          w, err ? err : "a rate > 0 (e.g. 100/s)", show(y));
            return -1;
        }
        *(double *)field = r;
        sim__ld_resolved_number(ld, y, r, "1/s");
        return 0;
    }
    case SIM_P_DIST:
        if (sim__ld_dist(ld, y, w, field))
            return -1;
        if ((p->flags & SIM_PARAM_GAP) && !(sim_dist_mean(field) >= 1)) {
            sim__ld_error(ld, y, "%s: the time between events averages %g ns, below the "
                                 "clock's resolution (1 ns): they would repeat with no delay",
                          w, sim_dist_mean(field));
            return -1;
        }
        return 0;
    case SIM_P_DIST_BY:
        return parse_dist_by(ld, p, y, w, field);
    case SIM_P_REF:
        return sim__ld_ref(ld, y, w, field);
    case SIM_P_REFLIST:
        return sim__ld_reflist(ld, y, w, field);
    case SIM_P_ROUTE:
        return parse_route(ld, y, w, field);
    case SIM_P_MIX:
        return parse_mix(ld, p, y, w, field);
    case SIM_P_BYTES_BY:
        return parse_bytes_by(ld, p, y, w, field);
    case SIM_P_INDEX:
        return parse_index(ld, y, w, field);
    case SIM_P_ENUM:
        for (int i = 0; s && p->choices[i]; i++)
            if (strcmp(s, p->choices[i]) == 0) {
                *(int *)field = i;
                sim__ld_resolved_text(ld, y, p->choices[i]);
                return 0;
            }
        {
            sim_ld_known kn;
            sim__ld_known_init(&kn, s);
            for (int i = 0; p->choices[i]; i++)
                sim__ld_known_add(&kn, p->choices[i]);
            sim__ld_unknown(ld, y, &kn, NULL, "%s: expected one of %s, got '%s'", w,
                            kn.list ? kn.list : "?", show(y));
        }
        return -1;
    case SIM_P_BOOL:
        if (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
            *(bool *)field = s[0] == 't';
            sim__ld_resolved_flag(ld, y, s[0] == 't');
            return 0;
        }
        sim__ld_error(ld, y, "%s: expected true or false, got '%s'", w, show(y));
        return -1;
    case SIM_P_LIST:
        return parse_list(ld, p, y, w, field);
    case SIM_P_WEIGHTS:
        return parse_weights(ld, p, y, w, field);
    case SIM_P_RATE_SCHEDULE:
        return sim__ld_rate_schedule(ld, y, w, field);
    case SIM_P_TEXT:
        return parse_text(ld, p, y, w, field);
    }
    return -1;
}

static void set_unset(const sim_param *p, void *field) {
    switch (p->type) {
    case SIM_P_INT:
    case SIM_P_LIMIT:
    case SIM_P_DURATION:
        *(int64_t *)field = -1;
        break;
    case SIM_P_NUMBER:
    case SIM_P_PROB:
    case SIM_P_RATE:
        *(double *)field = -1;
        break;
    default: /* zeroed config: NONE dists, empty refs, enum 0, false */
        break;
    }
}

/* The slot of text in the table: its entry, or the free one where it goes. */
static sim_ld_default *default_slot(const sim_loader *ld, const char *text) {
    size_t mask = ld->capdefaults - 1, i = ((uintptr_t)text >> 3) * 0x9E3779B97F4A7C15u >> 32;
    for (;; i++)
        if (ld->defaults[i & mask].text == text || !ld->defaults[i & mask].text)
            return &ld->defaults[i & mask];
}

/* Doubles the table (or makes its first 64 entries). 0, or -1 when out of memory. */
static int grow_defaults(sim_loader *ld) {
    sim_loader old = *ld;
    ld->capdefaults = old.capdefaults ? 2 * old.capdefaults : 64;
    ld->defaults = calloc(ld->capdefaults, sizeof *ld->defaults);
    if (!ld->defaults) {
        *ld = old;
        return -1;
    }
    for (size_t i = 0; i < old.capdefaults; i++)
        if (old.defaults[i].text)
            *default_slot(ld, old.defaults[i].text) = old.defaults[i];
    free(old.defaults);
    return 0;
}

/* The parsed document of text, parsed at its first use in this load; NULL when out of memory
 * or when the text does not parse (then *bad). */
static yaml_document_t *default_doc(sim_loader *ld, const char *text, bool *bad) {
    *bad = false;
    if (2 * (ld->ndefaults + 1) > ld->capdefaults && grow_defaults(ld))
        return NULL;
    sim_ld_default *d = default_slot(ld, text);
    if (d->text) {
        *bad = d->bad;
        return d->bad ? NULL : &d->doc;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return NULL;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    d->text = text;
    d->bad = !yaml_parser_load(&parser, &d->doc);
    yaml_parser_delete(&parser);
    ld->ndefaults++;
    *bad = d->bad;
    return d->bad ? NULL : &d->doc;
}

void sim__ld_free_defaults(sim_loader *ld) {
    for (size_t i = 0; i < ld->capdefaults; i++)
        if (ld->defaults[i].text && !ld->defaults[i].bad)
            yaml_document_delete(&ld->defaults[i].doc);
    free(ld->defaults);
    ld->defaults = NULL;
    ld->ndefaults = ld->capdefaults = 0;
}

/* Parses the default text of p into field; a broken default is a bug in the kind's table. */
static void apply_default(sim_loader *ld, const sim_param *p, const char *w, void *field) {
    bool bad;
    yaml_document_t *doc = default_doc(ld, p->def, &bad);
    if (!doc) {
        if (bad)
            sim_diag_error(ld->diag, 0, 0, "%s: internal error: bad default '%s'", w, p->def);
        else
            ld->oom = true;
        return;
    }
    yaml_document_t *saved = ld->doc;
    ld->doc = doc;
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root || parse_param(ld, p, root, w, field))
        sim_diag_error(ld->diag, 0, 0, "%s: internal error: bad default '%s'", w, p->def);
    ld->doc = saved;
}

int sim__ld_params(sim_loader *ld, const sim_param *params, yaml_node_t *map,
                   const char *const *skip, const char *where, void *config) {
    int bad = 0;
    for (const sim_param *p = params; p->name; p++) {
        void *field = (char *)config + p->offset;
        yaml_node_t *v = sim__ld_get(ld, map, p->name, NULL);
        char *w = key_path(ld, where, p->name);
        set_unset(p, field);
        /* The references parsed here belong to p (a list item's own keys nest inside). */
        const sim_param *outer = ld->param;
        const void *outer_field = ld->field;
        ld->param = p;
        ld->field = field;
        if (v) {
            if (parse_param(ld, p, v, w, field))
                bad = -1;
        } else if (p->def) {
            apply_default(ld, p, w, field);
        } else if (p->flags & SIM_PARAM_REQUIRED) {
            sim__ld_error(ld, map, "%s: missing required key '%s'", where, p->name);
            bad = -1;
        }
        ld->param = outer;
        ld->field = outer_field;
        drop_key_path(w, where);
    }
    FOR_PAIRS(pair, map) {
        yaml_node_t *k = sim__ld_node(ld, pair->key);
        const char *ks = sim__ld_scalar(k);
        bool known = false;
        for (const sim_param *p = params; ks && p->name && !known; p++)
            known = strcmp(ks, p->name) == 0;
        for (int i = 0; ks && skip && skip[i] && !known; i++)
            known = strcmp(ks, skip[i]) == 0;
        if (!known) {
            sim_ld_known kn;
            sim__ld_known_init(&kn, ks);
            for (const sim_param *p = params; p->name; p++)
                sim__ld_known_add(&kn, p->name);
            for (int i = 0; skip && skip[i]; i++)
                sim__ld_known_add(&kn, skip[i]);
            sim__ld_unknown(ld, k, &kn, "known keys", "%s: unknown key '%s'", where,
                            ks ? ks : "?");
            bad = -1;
        }
    }
    return bad;
}

char *sim_param_type_text(const sim_param *p) {
    if (p->type == SIM_P_LIST && (p->flags & SIM_PARAM_SINGLE))
        return sim_strfmt("mapping");
    if ((p->type != SIM_P_DIST_BY && p->type != SIM_P_MIX && p->type != SIM_P_BYTES_BY) ||
        !p->choices || !p->choices[0])
        return sim_strfmt("%s", sim_param_type_name(p->type));
    /* The classes by name: "distribution or {read: DIST, write: DIST}". */
    const char *each = p->type == SIM_P_MIX ? "p" : p->type == SIM_P_BYTES_BY ? "SIZE" : "DIST";
    char *classes = sim_strfmt("%s: %s", p->choices[0], each);
    for (size_t i = 1; classes && p->choices[i]; i++) {
        char *more = sim_strfmt("%s, %s: %s", classes, p->choices[i], each);
        free(classes);
        classes = more;
    }
    if (!classes)
        return NULL;
    char *text = p->type == SIM_P_MIX        ? sim_strfmt("{%s}", classes)
                 : p->type == SIM_P_BYTES_BY ? sim_strfmt("size or {%s}", classes)
                                             : sim_strfmt("distribution or {%s}", classes);
    free(classes);
    return text;
}

const char *sim_param_type_name(sim_param_type t) {
    static const char *const names[] = {
        [SIM_P_INT] = "integer",       [SIM_P_NUMBER] = "number",
        [SIM_P_PROB] = "probability",  [SIM_P_DURATION] = "duration",
        [SIM_P_RATE] = "rate",         [SIM_P_DIST] = "distribution",
        [SIM_P_DIST_BY] = "distribution, or one per class",
        [SIM_P_REF] = "node",          [SIM_P_REFLIST] = "list of nodes",
        [SIM_P_ROUTE] = "node or {node: probability, ...}",
        [SIM_P_MIX] = "probability per class",
        [SIM_P_BYTES_BY] = "size, or one per class",
        [SIM_P_INDEX] = "whole-number distribution", [SIM_P_LIMIT] = "integer or 'unbounded'",
        [SIM_P_ENUM] = "word",         [SIM_P_BOOL] = "boolean",
        [SIM_P_LIST] = "list of mappings",
        [SIM_P_WEIGHTS] = "{node: weight > 0, ...}",
        [SIM_P_RATE_SCHEDULE] = "rate, or list of phases",
        [SIM_P_TEXT] = "string, or list of strings",
    };
    return names[t];
}
