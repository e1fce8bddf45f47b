/* Pooling latency histograms by bound value (hist_pool.h): a merge of two sorted lists. */
#include "hist_pool.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

/* Whether hist is a well-formed "latency_hist" with nb bounds (nb >= 2, or 0 when empty). */
static bool well_formed(const cJSON *hist, const cJSON **bounds, const cJSON **counts, size_t *nb) {
    *bounds = cJSON_GetObjectItemCaseSensitive(hist, "bounds_ms");
    *counts = cJSON_GetObjectItemCaseSensitive(hist, "counts");
    if (!cJSON_IsObject(hist) || !cJSON_IsArray(*bounds) || !cJSON_IsArray(*counts))
        return false;
    int b = cJSON_GetArraySize(*bounds), c = cJSON_GetArraySize(*counts);
    if (b == 0 && c == 0) {
        *nb = 0;
        return true;
    }
    if (b < 2 || c != b - 1)
        return false;
    double prev = -INFINITY;
    const cJSON *v;
    cJSON_ArrayForEach(v, *bounds) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || !(v->valuedouble > prev))
            return false;
        prev = v->valuedouble;
    }
    cJSON_ArrayForEach(v, *counts) {
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
            return false;
    }
    *nb = (size_t)b;
    return true;
}

int exp_hist_pool_add(exp_hist_pool *p, const cJSON *hist) {
    const cJSON *bounds, *counts;
    size_t nb;
    if (!well_formed(hist, &bounds, &counts, &nb))
        return -2;
    if (nb == 0)
        return 0;
    size_t cap = p->n + nb;
    double *bound = malloc(cap * sizeof *bound), *count = malloc(cap * sizeof *count);
    if (!bound || !count) {
        free(bound);
        free(count);
        return -1;
    }
    /* the merge: at each step the smaller of the two next bounds, both when equal; the
     * document's counts walk beside its bounds (its last bound starts no interval) */
    size_t i = 0, n = 0;
    const cJSON *b = bounds->child, *c = counts->child;
    while (i < p->n || b) {
        bool from_pool = i < p->n && (!b || p->bound[i] <= b->valuedouble);
        bool from_doc = b && (i >= p->n || b->valuedouble <= p->bound[i]);
        bound[n] = from_pool ? p->bound[i] : b->valuedouble;
        count[n] = 0;
        if (from_pool)
            count[n] += p->count[i++];
        if (from_doc) {
            if (c) {
                count[n] += c->valuedouble;
                c = c->next;
            }
            b = b->next;
        }
        n++;
    }
    free(p->bound);
    free(p->count);
    p->bound = bound;
    p->count = count;
    p->n = n;
    return 0;
}

cJSON *exp_hist_pool_json(const exp_hist_pool *p) {
    cJSON *o = cJSON_CreateObject();
    cJSON *bounds = o ? cJSON_AddArrayToObject(o, "bounds_ms") : NULL;
    cJSON *counts = bounds ? cJSON_AddArrayToObject(o, "counts") : NULL;
    bool ok = counts != NULL;
    for (size_t i = 0; ok && i < p->n; i++) {
        cJSON *b = cJSON_CreateNumber(p->bound[i]);
        ok = b && cJSON_AddItemToArray(bounds, b);
        if (ok && i + 1 < p->n) {
            cJSON *c = cJSON_CreateNumber(p->count[i]);
            ok = c && cJSON_AddItemToArray(counts, c);
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

void exp_hist_pool_free(exp_hist_pool *p) {
    free(p->bound);
    free(p->count);
    *p = (exp_hist_pool)EXP_HIST_POOL_INIT;
}
