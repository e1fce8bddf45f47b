/* The loader's YAML front end: refuses text over a size limit, then builds libyaml's document
 * itself from the parser's events, in one pass (libyaml's own yaml_parser_load is not used),
 * so that nesting depth and alias expansion are bounded before they can cost anything, and
 * turns libyaml's errors into FILE:LINE:COL messages with a hint in the topology's words.
 * What the document means is the rest of the loader's business.
 *
 * Why the limits are where they are:
 * - Size, 4 MiB: the examples are under 10 KB and a mapping of 80,000 keys (3 MB) still
 *   passes, while libyaml's document costs up to ~80 bytes of memory per byte of text (a node
 *   per two bytes, `[1,1,1,...]`), so the bound keeps a document under ~350 MB.
 * - Depth, 64: a topology nests 6 levels at most (nodes, a node, a list, an item, a
 *   distribution, its values); libyaml's scanner costs time in proportion to the depth for
 *   every token (100,000 open brackets took 28 s) and the loader's walks recurse.
 * - Aliases, 100,000 nodes: every alias counts the size of what it repeats, fully expanded
 *   (an alias inside an anchored collection counts again each time that collection is
 *   repeated), as YAML libraries facing hostile input do against "billion laughs" files
 *   (a few hundred bytes expanding to 10^9 nodes). Sharing node bodies between a thousand
 *   nodes stays far below it. An alias to a collection that contains it (`&a [*a]`), which
 *   libyaml's document model would accept as a cycle, is refused. */
#include "loader_int.h"

#include "strfmt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct anchor {
    const char *name; /* owned by the composer */
    int id;           /* the node */
    bool open;        /* a collection whose end has not been seen yet */
    uint64_t size;    /* nodes the anchored node stands for, aliases expanded */
    int line;         /* 1-based, for messages */
} anchor;

typedef struct frame {
    int id; /* the collection */
    bool is_map;
    int key;       /* a mapping's key waiting for its value, 0 when none */
    uint64_t size; /* 1 + the expanded sizes of its children so far */
    size_t anchor; /* index into anchors, or SIZE_MAX */
} frame;

typedef struct composer {
    sim_diag *diag;
    yaml_document_t *doc;
    frame stack[MAX_DEPTH];
    int depth;
    anchor *anchors;
    size_t nanchors, capanchors;
    size_t *table;    /* open addressing: anchor index + 1, 0 for a free slot */
    size_t captable;  /* a power of two, at least twice nanchors */
    uint64_t aliased; /* nodes repeated by aliases so far */
    bool failed;
} composer;

/* FNV-1a, for the anchor table. */
static uint64_t hash_name(const char *s) {
    uint64_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The table slot holding name, or the free slot where it would go. */
static size_t *find_slot(composer *c, const char *name) {
    size_t mask = c->captable - 1;
    for (size_t i = (size_t)hash_name(name) & mask;; i = (i + 1) & mask)
        if (!c->table[i] || strcmp(c->anchors[c->table[i] - 1].name, name) == 0)
            return &c->table[i];
}

static anchor *find_anchor(composer *c, const char *name) {
    if (!c->captable)
        return NULL;
    size_t *slot = find_slot(c, name);
    return *slot ? &c->anchors[*slot - 1] : NULL;
}

static int grow_table(composer *c) {
    size_t cap = c->captable ? 2 * c->captable : 64;
    size_t *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    free(c->table);
    c->table = t;
    c->captable = cap;
    for (size_t i = 0; i < c->nanchors; i++)
        *find_slot(c, c->anchors[i].name) = i + 1;
    return 0;
}

static void oom(composer *c) {
    if (!c->failed)
        sim_diag_error(c->diag, 0, 0, "out of memory while reading the YAML document");
    c->failed = true;
}

static void error_at(composer *c, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error at mark m (formatted here: sim_diag takes no va_list) and stops. */
static void error_at(composer *c, yaml_mark_t m, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = sim_vstrfmt(fmt, ap);
    va_end(ap);
    if (msg)
        sim_diag_error(c->diag, (int)m.line + 1, (int)m.column + 1, "%s", msg);
    else
        oom(c);
    free(msg);
    c->failed = true;
}

/* Records anchor name (may be NULL) for node id; returns its index, SIZE_MAX for none. */
static size_t add_anchor(composer *c, const yaml_char_t *name, int id, bool open, yaml_mark_t m) {
    if (!name)
        return SIZE_MAX;
    const char *s = (const char *)name;
    anchor *old = find_anchor(c, s);
    if (old) {
        error_at(c, m, "anchor '&%s' is defined twice (first at line %d)", s, old->line);
        return SIZE_MAX;
    }
    if (c->nanchors == c->capanchors) {
        size_t cap = c->capanchors ? 2 * c->capanchors : 16;
        anchor *a = realloc(c->anchors, cap * sizeof *a);
        if (!a) {
            oom(c);
            return SIZE_MAX;
        }
        c->anchors = a;
        c->capanchors = cap;
    }
    char *copy = strdup(s);
    if (!copy) {
        oom(c);
        return SIZE_MAX;
    }
    c->anchors[c->nanchors++] = (anchor){copy, id, open, 1, (int)m.line + 1};
    if (2 * c->nanchors > c->captable && grow_table(c)) {
        oom(c);
        return SIZE_MAX;
    }
    *find_slot(c, copy) = c->nanchors;
    return c->nanchors - 1;
}

/* Hangs node id (standing for size nodes) under the collection being built. */
static void attach(composer *c, int id, uint64_t size) {
    if (c->depth == 0)
        return; /* the root */
    frame *f = &c->stack[c->depth - 1];
    f->size += size;
    int ok;
    if (!f->is_map) {
        ok = yaml_document_append_sequence_item(c->doc, f->id, id);
    } else if (!f->key) {
        f->key = id;
        ok = 1;
    } else {
        ok = yaml_document_append_mapping_pair(c->doc, f->id, f->key, id);
        f->key = 0;
    }
    if (!ok)
        oom(c);
}

static void set_marks(composer *c, int id, yaml_mark_t start, yaml_mark_t end) {
    yaml_node_t *n = yaml_document_get_node(c->doc, id);
    n->start_mark = start;
    n->end_mark = end;
}

static void on_scalar(composer *c, const yaml_event_t *e) {
    if (e->data.scalar.length > INT32_MAX) {
        oom(c);
        return;
    }
    int id = yaml_document_add_scalar(c->doc, e->data.scalar.tag, e->data.scalar.value,
                                      (int)e->data.scalar.length, e->data.scalar.style);
    if (!id) {
        oom(c);
        return;
    }
    set_marks(c, id, e->start_mark, e->end_mark);
    add_anchor(c, e->data.scalar.anchor, id, false, e->start_mark);
    attach(c, id, 1);
}

static void on_start(composer *c, const yaml_event_t *e, bool is_map) {
    if (c->depth == MAX_DEPTH) {
        error_at(c, e->start_mark,
                 "nesting deeper than %d levels (no topology needs more "
                 "than a few)",
                 MAX_DEPTH);
        return;
    }
    int id = is_map ? yaml_document_add_mapping(c->doc, e->data.mapping_start.tag,
                                                e->data.mapping_start.style)
                    : yaml_document_add_sequence(c->doc, e->data.sequence_start.tag,
                                                 e->data.sequence_start.style);
    if (!id) {
        oom(c);
        return;
    }
    set_marks(c, id, e->start_mark, e->end_mark);
    const yaml_char_t *name = is_map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    size_t a = add_anchor(c, name, id, true, e->start_mark);
    attach(c, id, 0); /* its size is added to the parent at its end */
    c->stack[c->depth++] = (frame){id, is_map, 0, 1, a};
}

static void on_end(composer *c, const yaml_event_t *e) {
    frame f = c->stack[--c->depth];
    yaml_document_get_node(c->doc, f.id)->end_mark = e->end_mark;
    if (f.anchor != SIZE_MAX) {
        c->anchors[f.anchor].open = false;
        c->anchors[f.anchor].size = f.size;
    }
    if (c->depth > 0)
        c->stack[c->depth - 1].size += f.size;
}

static void on_alias(composer *c, const yaml_event_t *e) {
    const char *name = (const char *)e->data.alias.anchor;
    anchor *a = find_anchor(c, name);
    if (!a) {
        error_at(c, e->start_mark, "alias '*%s' names no anchor defined before it", name);
        return;
    }
    if (a->open) {
        error_at(c, e->start_mark,
                 "alias '*%s' repeats a collection from inside it (defined at "
                 "line %d): that would be an endless loop",
                 name, a->line);
        return;
    }
    c->aliased += a->size;
    if (c->aliased > SIM_LOADER_MAX_ALIAS_NODES) {
        error_at(c, e->start_mark,
                 "aliases repeat more than %d nodes in all (the limit against "
                 "alias bombs); '*%s' here repeats %llu",
                 SIM_LOADER_MAX_ALIAS_NODES, name, (unsigned long long)a->size);
        return;
    }
    attach(c, a->id, a->size);
}

/* ---- libyaml's errors ---- */

/* Line and column (1-based) of byte offset off of text: reader errors carry an offset only. */
static void offset_position(const char *text, size_t len, size_t off, int *line, int *col) {
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n' || (ch == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
            ++*line;
            *col = 1;
        } else if ((ch & 0xC0) != 0x80) { /* columns count characters, not UTF-8 bytes */
            ++*col;
        }
    }
}

static bool has_utf16_bom(const char *text, size_t len) {
    return len >= 2 && (((unsigned char)text[0] == 0xFF && (unsigned char)text[1] == 0xFE) ||
                        ((unsigned char)text[0] == 0xFE && (unsigned char)text[1] == 0xFF));
}

static void reader_error(sim_diag *d, const yaml_parser_t *p, const char *text, size_t len) {
    if (has_utf16_bom(text, len)) {
        /* libyaml took the first two bytes for a UTF-16 byte order mark and its offsets
         * count UTF-16 units: no line of the text matches them. */
        sim_diag_error(d, 1, 1,
                       "unreadable text: %s (the file starts with the bytes 0x%02X "
                       "0x%02X, a UTF-16 byte order mark)",
                       p->problem, (unsigned char)text[0], (unsigned char)text[1]);
        sim_diag_note(d, "dsim reads UTF-8 text: remove those two bytes, or convert the file "
                         "(iconv -f UTF-16 -t UTF-8)");
        return;
    }
    int line, col;
    offset_position(text, len, p->problem_offset, &line, &col);
    if (p->problem_value < 0)
        sim_diag_error(d, line, col, "unreadable text: %s", p->problem);
    else if (strstr(p->problem, "octet"))
        sim_diag_error(d, line, col, "unreadable text: %s (byte 0x%02X): the file is not UTF-8",
                       p->problem, (unsigned)p->problem_value);
    else
        sim_diag_error(d, line, col, "unreadable text: %s (U+%04X)", p->problem,
                       (unsigned)p->problem_value);
}

/* The text of 1-based line n of text (not NUL-terminated): *out and its length. */
static size_t line_of(const char *text, size_t len, size_t n, const char **out) {
    size_t i = 0;
    for (size_t l = 1; l < n && i < len; i++)
        if (text[i] == '\n')
            l++;
    size_t j = i;
    while (j < len && text[j] != '\n' && text[j] != '\r')
        j++;
    *out = text + i;
    return j - i;
}

/* Whether line s (length n) is indented with a tab. */
static bool tab_indent(const char *s, size_t n) {
    for (size_t i = 0; i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '-'); i++)
        if (s[i] == '\t')
            return true;
    return false;
}

/* Length of a key written without the space after its colon at the start of line s
 * ("kind:service", "- at:1s"), 0 when there is none; *key is where it starts. */
static size_t glued_key(const char *s, size_t n, const char **key) {
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '-'))
        i++;
    size_t k = i;
    while (i < n && (s[i] == '_' || s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
                     (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i == k || i + 1 >= n || s[i] != ':' || s[i + 1] == ' ' || s[i + 1] == '/' ||
        s[i + 1] == ':')
        return 0;
    size_t e = i + 1;
    while (e < n && s[e] != ' ')
        e++;
    *key = s + k;
    return e - k;
}

typedef struct hint {
    const char *problem; /* libyaml's words (a prefix of its message) */
    const char *note;    /* ours */
} hint;

static const hint hints[] = {
    {"mapping values are not allowed",
     "a ': ' inside a value starts a new key: put each key on its own line, quote a value that "
     "holds ': ', and check that this line is not indented deeper than the keys beside it"},
    {"did not find expected key",
     "this line is not indented like the keys of its mapping (the keys of one mapping start in "
     "the same column), or a '- ' item or a stray bracket stands where a key was expected"},
    {"did not find expected '-' indicator",
     "this line is not an item of the list above it: indent it like the '- ' items, or as a "
     "key of the mapping that holds the list"},
    {"did not find expected ',' or ']'",
     "the '[' of this list is not closed by a ']', or two items lack a ', ' between them"},
    {"did not find expected ',' or '}'",
     "the '{' of this mapping is not closed by a '}', or two entries lack a ', ' between them"},
    {"found unexpected end of stream", "a quote (' or \") is opened and never closed"},
    {"block sequence entries are not allowed",
     "a '- ' item must start a line of its own, indented below its key"},
    {"found unknown escape character",
     "inside double quotes a backslash starts an escape: use single quotes, or write \\\\"},
    {"could not find expected ':'",
     "a key on this line or the one above has no ':' after it (or a list item lacks its '- ')"},
    {"did not find expected node content",
     "a value is missing here (after a ',', a '-' or a key), or a bracket is not closed"},
    {"found character that cannot start any token",
     "'@' and '`' cannot start a value, and YAML indents with spaces only: quote the value or "
     "replace the tab"},
    {"found a tab character",
     "YAML indents with spaces only: replace the tabs at the start of the line with spaces"},
};

/* Adds a hint in our words to the syntax error just recorded. */
static void syntax_hint(sim_diag *d, const yaml_parser_t *p, const char *text, size_t len) {
    size_t line = p->problem_mark.line + 1;
    const char *s, *key;
    size_t n = line_of(text, len, line, &s);
    /* What the line (or the one above, where libyaml often notices a problem late) shows
     * beats a guess from libyaml's words. */
    for (size_t l = line; l + 1 >= line && l >= 1; l--) {
        n = line_of(text, len, l, &s);
        if (tab_indent(s, n)) {
            sim_diag_note(d, "line %zu is indented with a tab: YAML indents with spaces only", l);
            return;
        }
        size_t k = glued_key(s, n, &key);
        if (k) {
            size_t colon = (size_t)(strchr(key, ':') - key);
            sim_diag_note(d, "'%.*s' on line %zu has no space after its colon: write '%.*s: %.*s'",
                          (int)k, key, l, (int)colon, key, (int)(k - colon - 1), key + colon + 1);
            return;
        }
        if (l == 1)
            break;
    }
    if (p->context && strstr(p->context, "quoted scalar") && strstr(p->problem, "end of stream")) {
        sim_diag_note(d, "the quote at line %zu, column %zu is never closed",
                      p->context_mark.line + 1, p->context_mark.column + 1);
        return;
    }
    if (p->context && strstr(p->context, "flow") && strstr(p->problem, "expected ','")) {
        sim_diag_note(d,
                      "the %s opened at line %zu, column %zu is not closed, or two of its "
                      "items lack a ', ' between them",
                      strstr(p->problem, "]") ? "'['" : "'{'", p->context_mark.line + 1,
                      p->context_mark.column + 1);
        return;
    }
    for (size_t i = 0; i < sizeof hints / sizeof *hints; i++)
        if (strncmp(p->problem, hints[i].problem, strlen(hints[i].problem)) == 0) {
            sim_diag_note(d, "%s", hints[i].note);
            return;
        }
}

static void parser_error(sim_diag *d, const yaml_parser_t *p, const char *text, size_t len) {
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        sim_diag_error(d, 0, 0, "out of memory while reading the YAML document");
        return;
    case YAML_READER_ERROR:
        reader_error(d, p, text, len);
        return;
    default:
        sim_diag_error(d, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1,
                       "YAML syntax: %s%s%s", p->problem ? p->problem : "unreadable document",
                       p->context ? " " : "", p->context ? p->context : "");
        if (p->problem)
            syntax_hint(d, p, text, len);
        return;
    }
}

/* ---- the document ---- */

static void composer_free(composer *c) {
    for (size_t i = 0; i < c->nanchors; i++)
        free((char *)c->anchors[i].name);
    free(c->anchors);
    free(c->table);
}

int sim__ld_compose(sim_diag *diag, const char *text, size_t len, yaml_document_t *doc) {
    if (len > SIM_LOADER_MAX_BYTES) {
        sim_diag_error(diag, 0, 0,
                       "the file is larger than %d bytes (4 MiB), the most dsim "
                       "reads: no topology needs that much, and its YAML document could take "
                       "~80 times as much memory",
                       SIM_LOADER_MAX_BYTES);
        return -1;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        sim_diag_error(diag, 0, 0, "out of memory while reading the YAML document");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1)) {
        yaml_parser_delete(&parser);
        sim_diag_error(diag, 0, 0, "out of memory while reading the YAML document");
        return -1;
    }
    composer c = {.diag = diag, .doc = doc};
    int documents = 0;
    bool done = false;
    while (!done && !c.failed) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            parser_error(diag, &parser, text, len);
            c.failed = true;
            break;
        }
        switch (e.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                error_at(&c, e.start_mark,
                         "a second YAML document starts here: a topology is "
                         "one document");
            break;
        case YAML_SCALAR_EVENT:
            on_scalar(&c, &e);
            break;
        case YAML_SEQUENCE_START_EVENT:
            on_start(&c, &e, false);
            break;
        case YAML_MAPPING_START_EVENT:
            on_start(&c, &e, true);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            on_end(&c, &e);
            break;
        case YAML_ALIAS_EVENT:
            on_alias(&c, &e);
            break;
        default: /* stream start, document end: nothing to build */
            break;
        }
        yaml_event_delete(&e);
    }
    composer_free(&c);
    yaml_parser_delete(&parser);
    if (c.failed) {
        yaml_document_delete(doc);
        return -1;
    }
    return 0;
}
