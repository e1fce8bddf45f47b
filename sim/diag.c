/* Diagnostics kept as an array of formatted lines in file order (by line, then column; errors
 * without a position first; ties in the order found), so a user reads them top to bottom
 * whatever order the checks ran in. If memory runs out, the count still grows (so callers
 * still see failure) and a fixed message stands in for the lost text. */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    int line, col;
    char *text;
} entry;

struct sim_diag {
    char *file;
    entry *msgs;
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
        free(d->msgs[i].text);
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
        entry *m = realloc(d->msgs, cap * sizeof *m);
        if (!m)
            return;
        d->msgs = m;
        d->cap = cap;
    }
    char *copy = strdup(full);
    if (!copy)
        return;
    size_t at = d->n;
    while (at > 0 && (d->msgs[at - 1].line > line ||
                      (d->msgs[at - 1].line == line && d->msgs[at - 1].col > col)))
        at--;
    memmove(&d->msgs[at + 1], &d->msgs[at], (d->n - at) * sizeof *d->msgs);
    d->msgs[at] = (entry){line, col, copy};
    d->n++;
}

size_t sim_diag_count(const sim_diag *d) { return d->count; }

const char *sim_diag_message(const sim_diag *d, size_t i) {
    if (i < d->n)
        return d->msgs[i].text;
    return i < d->count ? "error: (message lost: out of memory)" : NULL;
}

const char *sim_diag_file(const sim_diag *d) { return d->file; }
