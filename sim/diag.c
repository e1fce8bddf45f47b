/* Diagnostics kept as an array of formatted messages in file order (argument errors first,
 * then errors without a line, then by line and column, then the final ones; ties in the
 * order found), so a user
 * reads them top to bottom whatever order the checks ran in. Messages have no length limit:
 * a long name is never cut. If memory runs out, the count still grows (so callers still see
 * failure) and a fixed message stands in for the lost text. */
#include "diag.h"

#include "strfmt.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    int line, col; /* -1, -1 for an argument error */
    char *prefix;  /* "FILE:LINE:COL" or "ARG", for the notes */
    char *text;    /* the error line and its notes */
} entry;

struct sim_diag {
    char *file;
    entry *msgs;
    size_t n, cap, count;
    size_t last; /* index of the entry recorded last, for notes; n when there is none */
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
    for (size_t i = 0; i < d->n; i++) {
        free(d->msgs[i].prefix);
        free(d->msgs[i].text);
    }
    free(d->msgs);
    free(d->file);
    free(d);
}

static char *concat(const char *a, const char *b, const char *c) {
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

static bool goes_before(const entry *a, int line, int col) {
    return a->line > line || (a->line == line && a->col > col);
}

/* Files an error with its prefix and body (both taken over; NULL when memory ran out). */
static void record(sim_diag *d, int line, int col, char *prefix, char *body) {
    d->count++;
    d->last = d->n;
    char *text = prefix && body ? concat(prefix, ": error: ", body) : NULL;
    free(body);
    entry *m = d->msgs;
    if (text && d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        if ((m = realloc(d->msgs, cap * sizeof *m)))
            d->cap = cap;
    }
    if (!text || !m) {
        free(prefix);
        free(text);
        return;
    }
    d->msgs = m;
    size_t at = d->n;
    while (at > 0 && goes_before(&d->msgs[at - 1], line, col))
        at--;
    memmove(&d->msgs[at + 1], &d->msgs[at], (d->n - at) * sizeof *d->msgs);
    d->msgs[at] = (entry){line, col, prefix, text};
    d->n++;
    d->last = at;
}

void sim_diag_error(sim_diag *d, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *body = sim_vstrfmt(fmt, ap);
    va_end(ap);
    char pos[48] = "";
    if (line > 0 && col > 0)
        snprintf(pos, sizeof pos, ":%d:%d", line, col);
    else if (line > 0)
        snprintf(pos, sizeof pos, ":%d", line);
    record(d, line > 0 ? line : 0, line > 0 && col > 0 ? col : 0, concat(d->file, pos, ""), body);
}

void sim_diag_final_error(sim_diag *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *body = sim_vstrfmt(fmt, ap);
    va_end(ap);
    record(d, INT_MAX, INT_MAX, strdup(d->file), body);
}

void sim_diag_arg_error(sim_diag *d, const char *arg, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *body = sim_vstrfmt(fmt, ap);
    va_end(ap);
    record(d, -1, -1, strdup(arg), body);
}

void sim_diag_note(sim_diag *d, const char *fmt, ...) {
    if (d->last >= d->n)
        return;
    entry *e = &d->msgs[d->last];
    va_list ap;
    va_start(ap, fmt);
    char *body = sim_vstrfmt(fmt, ap);
    va_end(ap);
    char *head = body ? concat("\n", e->prefix, ": note: ") : NULL;
    char *text = head ? concat(e->text, head, body) : NULL;
    if (text) {
        free(e->text);
        e->text = text;
    }
    free(head);
    free(body);
}

size_t sim_diag_count(const sim_diag *d) { return d->count; }

const char *sim_diag_message(const sim_diag *d, size_t i) {
    if (i < d->n)
        return d->msgs[i].text;
    return i < d->count ? "error: (message lost: out of memory)" : NULL;
}

const char *sim_diag_file(const sim_diag *d) { return d->file; }
