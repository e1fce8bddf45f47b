/* Text tables for the summary: filled cell by cell, measured and split into blocks only
 * when printed. Columns keep a stable id (the index cells are stored under) apart from their
 * display position, so a column inserted late does not move the cells already set. */
#include "table.h"
#include "array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct column {
    char *group, *name;
    bool left;
    size_t id;
} column;

typedef struct row {
    char *label; /* or the text of a note */
    bool note;
    char **cells; /* by column id; NULL: not set */
    size_t ncells;
} row;

struct dsim_table {
    char *corner;
    size_t min_label;
    column *cols; /* in display order */
    size_t ncols, capcols;
    row *rows;
    size_t nrows, caprows;
    bool failed;
};

static char *copy(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    return c ? memcpy(c, s, n) : NULL;
}

dsim_table *dsim_table_new(const char *corner) {
    dsim_table *t = calloc(1, sizeof *t);
    if (t && !(t->corner = copy(corner))) {
        free(t);
        return NULL;
    }
    return t;
}

void dsim_table_min_label(dsim_table *t, size_t width) { t->min_label = width; }

void dsim_table_free(dsim_table *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++) {
        free(t->cols[i].group);
        free(t->cols[i].name);
    }
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t c = 0; c < t->rows[i].ncells; c++)
            free(t->rows[i].cells[c]);
        free(t->rows[i].cells);
        free(t->rows[i].label);
    }
    free(t->cols);
    free(t->rows);
    free(t->corner);
    free(t);
}

int dsim_table_find(const dsim_table *t, const char *group, const char *name) {
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].group, group) == 0 && strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

int dsim_table_add_column(dsim_table *t, int pos, const char *group, const char *name, bool left) {
    column c = {copy(group), copy(name), left, t->ncols};
    if (!c.group || !c.name ||
        sim_array_grow((void **)&t->cols, &t->capcols, t->ncols + 1, sizeof c)) {
        free(c.group);
        free(c.name);
        t->failed = true;
        return -1;
    }
    size_t at = pos < 0 || (size_t)pos > t->ncols ? t->ncols : (size_t)pos;
    memmove(&t->cols[at + 1], &t->cols[at], (t->ncols - at) * sizeof c);
    t->cols[at] = c;
    t->ncols++;
    return (int)at;
}

static int add_row(dsim_table *t, const char *label, bool note) {
    row r = {copy(label), note, NULL, 0};
    if (!r.label || sim_array_grow((void **)&t->rows, &t->caprows, t->nrows + 1, sizeof r)) {
        free(r.label);
        t->failed = true;
        return -1;
    }
    t->rows[t->nrows++] = r;
    return 0;
}

int dsim_table_add_row(dsim_table *t, const char *label) { return add_row(t, label, false); }

int dsim_table_add_note(dsim_table *t, const char *text) { return add_row(t, text, true); }

int dsim_table_set(dsim_table *t, int pos, const char *text) {
    if (t->nrows == 0 || pos < 0 || (size_t)pos >= t->ncols || t->rows[t->nrows - 1].note)
        return -1;
    row *r = &t->rows[t->nrows - 1];
    size_t id = t->cols[pos].id;
    if (id >= r->ncells) {
        char **cells = realloc(r->cells, t->ncols * sizeof *cells);
        if (!cells) {
            t->failed = true;
            return -1;
        }
        memset(cells + r->ncells, 0, (t->ncols - r->ncells) * sizeof *cells);
        r->cells = cells;
        r->ncells = t->ncols;
    }
    char *c = copy(text);
    if (!c) {
        t->failed = true;
        return -1;
    }
    free(r->cells[id]);
    r->cells[id] = c;
    return 0;
}

static const char *cell(const row *r, size_t id) {
    return id < r->ncells && r->cells[id] ? r->cells[id] : "-";
}

/* One output line, built then written without its trailing blanks. */
typedef struct line {
    FILE *out;
    int err;
    size_t used;
    char *text;
    size_t cap;
} line;

static void put(line *l, const char *s, size_t n) {
    if (l->err)
        return;
    if (l->used + n + 1 > l->cap) {
        size_t cap = 2 * (l->used + n + 1);
        char *p = realloc(l->text, cap);
        if (!p) {
            l->err = -1;
            return;
        }
        l->text = p;
        l->cap = cap;
    }
    memcpy(l->text + l->used, s, n);
    l->used += n;
}

static void pad(line *l, size_t n, char c) {
    for (size_t i = 0; i < n; i++)
        put(l, &c, 1);
}

/* s in a field of width w, aligned left or right. */
static void field(line *l, const char *s, size_t w, bool left) {
    size_t n = strlen(s);
    if (!left)
        pad(l, w > n ? w - n : 0, ' ');
    put(l, s, n);
    if (left)
        pad(l, w > n ? w - n : 0, ' ');
}

static void end_line(line *l) {
    while (l->used > 0 && l->text[l->used - 1] == ' ')
        l->used--;
    if (!l->err && (fwrite(l->text, 1, l->used, l->out) != l->used || fputc('\n', l->out) == EOF))
        l->err = -1;
    l->used = 0;
}

/* True when display columns a and b belong to one group span. */
static bool same_span(const dsim_table *t, size_t a, size_t b) {
    return t->cols[a].group[0] && strcmp(t->cols[a].group, t->cols[b].group) == 0;
}

/* Prints the display columns [from, to) as one block. */
static void print_block(const dsim_table *t, line *l, const size_t *w, size_t labelw, int indent,
                        size_t from, size_t to) {
    bool grouped = false;
    for (size_t c = from; c < to; c++)
        grouped |= t->cols[c].group[0] != '\0';
    if (grouped) {
        pad(l, (size_t)indent + labelw, ' ');
        for (size_t c = from; c < to;) {
            size_t end = c + 1, span = w[c];
            while (end < to && same_span(t, c, end))
                span += 2 + w[end++];
            pad(l, 2, ' ');
            const char *g = t->cols[c].group;
            size_t n = strlen(g);
            put(l, g, n);
            if (n > 0 && span > n + 1) {
                pad(l, 1, ' ');
                pad(l, span - n - 1, '-');
            } else if (span > n) {
                pad(l, span - n, ' ');
            }
            c = end;
        }
        end_line(l);
    }
    pad(l, (size_t)indent, ' ');
    field(l, t->corner, labelw, true);
    for (size_t c = from; c < to; c++) {
        pad(l, 2, ' ');
        field(l, t->cols[c].name, w[c], t->cols[c].left);
    }
    end_line(l);
    for (size_t i = 0; i < t->nrows; i++) {
        const row *r = &t->rows[i];
        pad(l, (size_t)indent, ' ');
        if (r->note) {
            put(l, r->label, strlen(r->label));
        } else {
            field(l, r->label, labelw, true);
            for (size_t c = from; c < to; c++) {
                pad(l, 2, ' ');
                field(l, cell(r, t->cols[c].id), w[c], t->cols[c].left);
            }
        }
        end_line(l);
    }
}

int dsim_table_print(const dsim_table *t, FILE *out, int indent, int width) {
    if (t->failed) {
        fprintf(out, "%*s(out of memory: table left out)\n", indent, "");
        return -1;
    }
    size_t labelw = strlen(t->corner) > t->min_label ? strlen(t->corner) : t->min_label;
    for (size_t i = 0; i < t->nrows; i++)
        if (!t->rows[i].note && strlen(t->rows[i].label) > labelw)
            labelw = strlen(t->rows[i].label);
    size_t *w = calloc(t->ncols ? t->ncols : 1, sizeof *w);
    if (!w)
        return -1;
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = strlen(t->cols[c].name);
        for (size_t i = 0; i < t->nrows; i++)
            if (!t->rows[i].note && strlen(cell(&t->rows[i], t->cols[c].id)) > w[c])
                w[c] = strlen(cell(&t->rows[i], t->cols[c].id));
    }
    /* A group's name must fit over its columns: widen the last one when it does not. */
    for (size_t c = 0; c < t->ncols;) {
        size_t end = c + 1, span = w[c];
        while (end < t->ncols && same_span(t, c, end))
            span += 2 + w[end++];
        size_t n = strlen(t->cols[c].group);
        if (n > span)
            w[end - 1] += n - span;
        c = end;
    }
    line l = {.out = out};
    size_t avail = (size_t)width > (size_t)indent + labelw ? (size_t)width - indent - labelw : 0;
    /* Labels so long that little room is left: blocks would repeat them for every column or
     * two, multiplying the output; one block of long lines reads no worse. */
    if (avail < (size_t)width / 3)
        avail = SIZE_MAX;
    size_t from = 0, used = 0;
    for (size_t c = 0; c < t->ncols;) {
        size_t end = c + 1, span = w[c];
        while (end < t->ncols && same_span(t, c, end))
            span += 2 + w[end++];
        if (used > 0 && used + 2 + span > avail) {
            print_block(t, &l, w, labelw, indent, from, c);
            from = c;
            used = 0;
        }
        used += 2 + span;
        c = end;
    }
    print_block(t, &l, w, labelw, indent, from, t->ncols);
    free(l.text);
    free(w);
    return l.err;
}
