/* The series' JSON and CSV forms (series_out.h). */
#include "series_out.h"

#include "simtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double cell(const sim_series *s, size_t row, size_t col) {
    return s->values[row * s->ncols + col];
}

/* A column of numbers (NaN: null), or NULL when out of memory. */
static cJSON *number_array(const sim_series *s, size_t col) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < s->nrows; i++) {
        double v = col == SIZE_MAX ? (double)s->t[i] / 1e6 : cell(s, i, col);
        cJSON *x = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
        if (!x || !cJSON_AddItemToArray(a, x)) {
            cJSON_Delete(x);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

int dsim_series_add_json(cJSON *doc, const sim_series *s) {
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddNumberToObject(o, "interval_ms", (double)s->interval / 1e6);
    cJSON *t = ok ? number_array(s, SIZE_MAX) : NULL;
    ok = t && cJSON_AddItemToObject(o, "t_ms", t);
    if (!ok)
        cJSON_Delete(t);
    for (size_t c = 0; ok && c < s->ncols; c++) {
        cJSON *a = number_array(s, c);
        ok = a && cJSON_AddItemToObject(o, s->paths[c], a);
        if (!ok)
            cJSON_Delete(a);
    }
    if (!ok || !cJSON_AddItemToObject(doc, "series", o)) {
        cJSON_Delete(o);
        return -1;
    }
    return 0;
}

/* A growing text buffer. */
typedef struct buf {
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static void put(buf *b, const char *s, size_t n) {
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void put_str(buf *b, const char *s) { put(b, s, strlen(s)); }

/* A number as cJSON prints it: 15 significant digits, 17 when 15 do not read back. */
static void put_number(buf *b, double v) {
    if (!isfinite(v))
        return;
    char t[32];
    snprintf(t, sizeof t, "%1.15g", v);
    if (strtod(t, NULL) != v)
        snprintf(t, sizeof t, "%1.17g", v);
    put_str(b, t);
}

/* A header field, quoted (RFC 4180) when it holds a comma, a quote or a line break. */
static void put_field(buf *b, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        put_str(b, s);
        return;
    }
    put_str(b, "\"");
    for (const char *q = s; *q; q++) {
        put(b, q, 1);
        if (*q == '"')
            put_str(b, "\""); /* a quote is doubled */
    }
    put_str(b, "\"");
}

char *dsim_series_csv(const sim_series *s) {
    buf b = {0};
    put_str(&b, "t_ms");
    for (size_t c = 0; c < s->ncols; c++) {
        put_str(&b, ",");
        put_field(&b, s->paths[c]);
    }
    put_str(&b, "\n");
    for (size_t i = 0; i < s->nrows; i++) {
        put_number(&b, (double)s->t[i] / 1e6);
        for (size_t c = 0; c < s->ncols; c++) {
            put_str(&b, ",");
            put_number(&b, cell(s, i, c));
        }
        put_str(&b, "\n");
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
