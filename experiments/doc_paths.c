/* Metric paths over a result document (doc_paths.h). */
#include "doc_paths.h"

#include "report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A growable path being built while walking: the prefix of the current object. */
typedef struct pathbuf {
    char *s;
    size_t len, cap;
} pathbuf;

/* Appends ".key" (or "key" at the top) to b. Returns 0 or -1 when out of memory. */
static int push(pathbuf *b, const char *key) {
    size_t k = strlen(key), need = b->len + (b->len ? 1 : 0) + k + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            return -1;
        b->s = s;
        b->cap = cap;
    }
    if (b->len)
        b->s[b->len++] = '.';
    memcpy(b->s + b->len, key, k + 1);
    b->len += k;
    return 0;
}

static int add(exp_leaves *out, const char *path, double value) {
    if (out->n == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 64;
        exp_leaf *items = realloc(out->items, cap * sizeof *items);
        if (!items)
            return -1;
        out->items = items;
        out->cap = cap;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    out->items[out->n++] = (exp_leaf){p, value};
    return 0;
}

/* Whether o is a latency object with no samples: every key one of the histogram's figures
 * (mean, p50, ..., max) and every value exactly 0, which is how a run document writes a
 * histogram that recorded nothing (a latency of exactly 0 ns on every sample is no case a
 * user compares). */
static bool empty_latency(const cJSON *o) {
    if (!o->child)
        return false;
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!c->string || !cJSON_IsNumber(c) || c->valuedouble != 0)
            return false;
        bool figure = false;
        for (int f = 0; f < SIM_HIST_NFIGURES && !figure; f++)
            figure = strcmp(c->string, sim_hist_figure_name((sim_hist_figure)f)) == 0;
        if (!figure)
            return false;
    }
    return true;
}

/* Walks object o whose path is b (restored on return). */
static int walk(const cJSON *o, unsigned flags, bool top, pathbuf *b, exp_leaves *out) {
    for (const cJSON *c = o->child; c; c = c->next) {
        if (!c->string)
            continue;
        if (top && (flags & EXP_LEAVES_FIGURES) &&
            (strcmp(c->string, "seed") == 0 || strcmp(c->string, "overrides") == 0 ||
             strcmp(c->string, "series") == 0))
            continue;
        if (!cJSON_IsNumber(c) && !cJSON_IsObject(c))
            continue; /* lists are not addressable; booleans, strings, nulls are no figures */
        if ((flags & EXP_LEAVES_SAMPLED) && cJSON_IsObject(c) && empty_latency(c))
            continue;
        size_t len = b->len;
        if (push(b, c->string))
            return -1;
        int rc = cJSON_IsNumber(c) ? add(out, b->s, c->valuedouble) : walk(c, flags, false, b, out);
        b->len = len;
        if (b->s)
            b->s[len] = '\0';
        if (rc)
            return -1;
    }
    return 0;
}

int exp_doc_leaves(const cJSON *doc, unsigned flags, exp_leaves *out) {
    if (!cJSON_IsObject(doc))
        return 0;
    pathbuf b = {NULL, 0, 0};
    int rc = walk(doc, flags, true, &b, out);
    free(b.s);
    return rc;
}

void exp_leaves_free(exp_leaves *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    free(l->items);
    *l = (exp_leaves){NULL, 0, 0};
}

const cJSON *exp_doc_resolve(const cJSON *doc, const char *path) {
    if (!path || !*path)
        return NULL;
    const cJSON *cur = doc;
    const char *rest = path;
    while (*rest) {
        if (!cJSON_IsObject(cur))
            return NULL;
        /* The longest key that is the whole rest or the rest up to a dot. */
        const cJSON *best = NULL;
        size_t best_len = 0;
        for (const cJSON *c = cur->child; c; c = c->next) {
            if (!c->string)
                continue;
            size_t k = strlen(c->string);
            if (k == 0 || k < best_len || strncmp(rest, c->string, k) != 0)
                continue;
            if ((rest[k] == '\0' || rest[k] == '.') && (k > best_len || !best)) {
                best = c;
                best_len = k;
            }
        }
        if (!best)
            return NULL;
        cur = best;
        rest += best_len;
        if (*rest == '.') {
            rest++;
            if (!*rest)
                return NULL; /* a trailing dot names nothing */
        }
    }
    return cur;
}

int exp_doc_number(const cJSON *doc, const char *path, double *value) {
    const cJSON *c = exp_doc_resolve(doc, path);
    if (!cJSON_IsNumber(c))
        return -1;
    *value = c->valuedouble;
    return 0;
}
