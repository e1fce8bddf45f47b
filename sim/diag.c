/* Diagnostics kept as an array of formatted lines. If memory runs out, the count still grows
 * (so callers still see failure) and a fixed message stands in for the lost text. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_diag {
    char *file;
    char **msgs;
    size_t n, cap, count;
};

sim_diag *sim_diag_new(const char *file) {
    sim_diag *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->file = strdup(file ? file : "<input>");
    if (!d->file) {
        free(d);
        return NULL;
    }
    return d;
}

void sim_diag_free(sim_diag *d) {
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    free(d->file);
    free(d);
}

void sim_diag_error(sim_diag *d, int line, int col, const char *fmt, ...) {
    char body[1024], full[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (line > 0 && col > 0)
        snprintf(full, sizeof full, "%s:%d:%d: error: %s", d->file, line, col, body);
    else if (line > 0)
        snprintf(full, sizeof full, "%s:%d: error: %s", d->file, line, body);
    else
        snprintf(full, sizeof full, "%s: error: %s", d->file, body);
    d->count++;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        char **m = realloc(d->msgs, cap * sizeof *m);
        if (!m)
            return;
        d->msgs = m;
        d->cap = cap;
    }
    char *copy = strdup(full);
    if (copy)
        d->msgs[d->n++] = copy;
}

size_t sim_diag_count(const sim_diag *d) { return d->count; }

const char *sim_diag_message(const sim_diag *d, size_t i) {
    if (i < d->n)
        return d->msgs[i];
    return i < d->count ? "error: (message lost: out of memory)" : NULL;
}

const char *sim_diag_file(const sim_diag *d) { return d->file; }
