/* The metrics registry (metrics.h): writing the kinds' tables into the document, lookup by
 * dotted path, and sampling into series. */
#include "metrics.h"

#include "checker.h"
#include "engine_int.h"
#include "suggest.h"
#include "tavg.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH 512
#define MAX_DEPTH 64

/* ---- reading one figure ---- */

static uint64_t read_uint(const void *p, unsigned size) {
    if (size == sizeof(uint32_t)) {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static bool is_shown(const sim_metric *m, const sim_node *n) {
    return !m->shown || (n && m->shown(n->topo->config));
}

/* The value of a numeric entry (fig: the histogram's figure). */
static double read_value(const sim_metric *m, const void *base, const sim_node *n, sim_time at,
                         sim_hist_figure fig) {
    if (m->value)
        return m->value(base, n, at);
    const char *p = (const char *)base + m->offset;
    switch (m->type) {
    case SIM_METRIC_COUNTER:
    case SIM_METRIC_GAUGE:
        return (double)read_uint(p, m->size);
    case SIM_METRIC_NUMBER: {
        double v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    case SIM_METRIC_TAVG:
        return sim_tavg_mean((const sim_tavg *)(const void *)p, at);
    case SIM_METRIC_HISTOGRAM:
        return sim_hist_figure_ms((const sim_hist *)(const void *)p, fig);
    default:
        return NAN;
    }
}

const char *sim_metrics_check(const sim_metric *t) {
    for (; t->name; t++) {
        const sim_metric *m = t;
        size_t len = strlen(m->name);
        if (!len || m->name[0] == '.' || m->name[len - 1] == '.' || strstr(m->name, ".."))
            return m->name;
        if ((m->series == SIM_SERIES_RATIO && (!m->num || !m->den)) ||
            (m->series == SIM_SERIES_TIME_AVG && !m->num && m->type != SIM_METRIC_TAVG) ||
            (m->series == SIM_SERIES_DELTA && !m->value && m->type == SIM_METRIC_NUMBER))
            return m->name;
        /* A series-only figure may have nothing but what its rule reads. */
        if (m->series_only && m->num)
            continue;
        switch (m->type) {
        case SIM_METRIC_COUNTER:
        case SIM_METRIC_GAUGE:
            if (!m->value && m->size != 4 && m->size != 8)
                return m->name;
            break;
        case SIM_METRIC_NUMBER:
            if (!m->value && m->size != sizeof(double))
                return m->name;
            break;
        case SIM_METRIC_TAVG:
            if (!m->value && m->size != sizeof(sim_tavg))
                return m->name;
            break;
        case SIM_METRIC_HISTOGRAM:
            if (m->value || m->size != sizeof(sim_hist))
                return m->name;
            break;
        case SIM_METRIC_LABEL:
            if (!m->label)
                return m->name;
            break;
        case SIM_METRIC_WRITE:
            if (!m->write || strchr(m->name, '.'))
                return m->name;
            break;
        case SIM_METRIC_INCLUDE:
            if (!m->include)
                return m->name;
            const char *bad = sim_metrics_check(m->include);
            if (bad)
                return bad;
            break;
        }
    }
    return NULL;
}

/* ---- writing: nested names open and close objects as the prefix changes ---- */

typedef struct nest {
    char open[MAX_PATH]; /* the prefix whose objects are open, "" or "a.b" */
    int depth;
} nest;

/* Where segment boundaries fall: the end of the segment of s (length len) starting at i. */
static size_t segment_end(const char *s, size_t len, size_t i) {
    while (i < len && s[i] != '.')
        i++;
    return i;
}

/* Number of leading dot-separated segments a and b (lengths la, lb) share. */
static int common_segments(const char *a, size_t la, const char *b, size_t lb) {
    int k = 0;
    for (size_t i = 0; i < la && i < lb; k++) {
        size_t ea = segment_end(a, la, i), eb = segment_end(b, lb, i);
        if (ea != eb || memcmp(a + i, b + i, ea - i) != 0)
            break;
        i = ea + 1;
    }
    return k;
}

/* Makes the open objects those of prefix (length len, "" for none). */
static void nest_to(nest *ns, const char *prefix, size_t len, sim_report *w) {
    int k = common_segments(ns->open, strlen(ns->open), prefix, len);
    for (; ns->depth > k; ns->depth--)
        sim_report_close(w);
    size_t i = 0;
    for (int s = 0; s < k; s++)
        i = segment_end(prefix, len, i) + 1;
    while (i < len) {
        size_t j = segment_end(prefix, len, i);
        char seg[MAX_PATH];
        memcpy(seg, prefix + i, j - i);
        seg[j - i] = 0;
        sim_report_open(w, seg);
        ns->depth++;
        i = j + 1;
    }
    memcpy(ns->open, prefix, len);
    ns->open[len] = 0;
}

static void write_table(const sim_metric *t, const void *base, const sim_node *n, sim_time at,
                        sim_report *w, nest *ns) {
    for (const sim_metric *m = t; m->name; m++) {
        if (!is_shown(m, n) || m->series_only)
            continue;
        if (m->type == SIM_METRIC_INCLUDE) {
            write_table(m->include, (const char *)base + m->offset, n, at, w, ns);
            continue;
        }
        if (m->type == SIM_METRIC_WRITE) {
            nest_to(ns, "", 0, w);
            m->write(n, w);
            continue;
        }
        const char *dot = strrchr(m->name, '.');
        const char *leaf = dot ? dot + 1 : m->name;
        nest_to(ns, m->name, dot ? (size_t)(dot - m->name) : 0, w);
        switch (m->type) {
        case SIM_METRIC_COUNTER:
        case SIM_METRIC_GAUGE:
            if (m->value)
                sim_report_int(w, leaf, (int64_t)m->value(base, n, at));
            else
                sim_report_int(w, leaf,
                               (int64_t)read_uint((const char *)base + m->offset, m->size));
            break;
        case SIM_METRIC_NUMBER:
        case SIM_METRIC_TAVG:
            sim_report_number(w, leaf, read_value(m, base, n, at, SIM_HIST_MEAN));
            break;
        case SIM_METRIC_HISTOGRAM:
            sim_report_hist_ms(
                w, leaf, (const sim_hist *)(const void *)((const char *)base + m->offset), m->pct);
            break;
        case SIM_METRIC_LABEL:
            sim_report_string(w, leaf, m->label(base, n));
            break;
        default:
            break;
        }
    }
}

void sim_metrics_write(const sim_metric *table, const void *base, const sim_node *n, sim_time at,
                       sim_report *w) {
    nest ns; /* not zeroed whole: this runs once per node of the document */
    ns.open[0] = 0;
    ns.depth = 0;
    write_table(table, base, n, at, w, &ns);

    nest_to(&ns, "", 0, w);
}

/* ---- resolving a path within a node's table ---- */

/* A registered figure: the entry, the offset of its block in the state, its histogram figure. */
typedef struct handle {
    const sim_metric *m;
    size_t off;
    sim_hist_figure fig;
} handle;

/* Finds the entry at rest; series-only entries only when series is true. */
static bool resolve(const sim_metric *t, size_t off, const sim_node *n, const char *rest, handle *h,
                    bool series) {
    for (const sim_metric *m = t; m->name; m++) {
        if (!is_shown(m, n) || (m->series_only && !series))
            continue;
        if (m->type == SIM_METRIC_INCLUDE) {
            if (resolve(m->include, off + m->offset, n, rest, h, series))
                return true;
            continue;
        }
        if (m->type == SIM_METRIC_LABEL || m->type == SIM_METRIC_WRITE)
            continue;
        size_t len = strlen(m->name);
        if (strncmp(rest, m->name, len) != 0)
            continue;
        if (m->type != SIM_METRIC_HISTOGRAM) {
            if (rest[len] == 0) {
                *h = (handle){m, off, SIM_HIST_MEAN};
                return true;
            }
            continue;
        }
        if (rest[len] != '.')
            continue;
        for (int f = 0; f < SIM_HIST_NFIGURES; f++)
            if (sim_pct_has(m->pct, (sim_hist_figure)f) &&
                strcmp(rest + len + 1, sim_hist_figure_name((sim_hist_figure)f)) == 0) {
                *h = (handle){m, off, (sim_hist_figure)f};
                return true;
            }
    }
    return false;
}

static double handle_value(const handle *h, const sim_node *n, sim_time at) {
    return read_value(h->m, (const char *)n->state + h->off, n, at, h->fig);
}

/* ---- a report sink that follows the path of every leaf written ---- */

typedef struct capture {
    char path[MAX_PATH];
    size_t len;
    size_t saved[MAX_DEPTH]; /* path length before each open container */
    bool array[MAX_DEPTH];
    int depth, arrays;
    /* match mode: targets[i] found -> values[i] */
    const char *const *targets;
    double *values;
    bool *ints; /* when not NULL: whether targets[i] was written as an integer */
    size_t ntargets;
    /* enumerate mode (targets NULL): every numeric leaf's path is handed to add */
    void (*add)(void *ud, const char *path);
    void *add_ud;
    /* enumerate mode, when not NULL: every string leaf's path is handed to add_string */
    void (*add_string)(void *ud, const char *path);
    /* match mode: the figures of a histogram with no samples are NaN (sim_engine_lookup_value) */
    bool empty_absent;
    bool empty_next; /* no_samples was told: the object opened next is such a histogram */
    int empty_depth; /* > 0: depth of the open object that is one */
} capture;

/* path + "." + key into buf; false when too long. */
static bool join(const capture *c, const char *key, char *buf) {
    int k = snprintf(buf, MAX_PATH, "%.*s%s%s", (int)c->len, c->path, c->len ? "." : "", key);
    return k >= 0 && k < MAX_PATH;
}

static void cap_open(capture *c, const char *key, bool array) {
    if (c->depth == MAX_DEPTH)
        return;
    c->saved[c->depth] = c->len;
    c->array[c->depth] = array;
    c->depth++;
    if (c->empty_next && !c->empty_depth)
        c->empty_depth = c->depth;
    c->empty_next = false;
    if (c->arrays || array) {
        c->arrays += array;
        return;
    }
    char buf[MAX_PATH];
    if (key && join(c, key, buf)) {
        c->len = strlen(buf);
        memcpy(c->path, buf, c->len + 1);
    }
}
static void cap_open_object(void *ud, const char *key) { cap_open(ud, key, false); }
static void cap_open_array(void *ud, const char *key) { cap_open(ud, key, true); }
static void cap_close(void *ud) {
    capture *c = ud;
    if (!c->depth)
        return;
    if (c->empty_depth == c->depth)
        c->empty_depth = 0;
    c->depth--;
    c->arrays -= c->array[c->depth];
    c->len = c->saved[c->depth];
    c->path[c->len] = 0;
}
static void cap_value(capture *c, const char *key, double v, bool integer) {
    char buf[MAX_PATH];
    if (c->arrays || !key || !join(c, key, buf))
        return;
    if (!c->targets) {
        c->add(c->add_ud, buf);
        return;
    }
    if (c->empty_absent && c->empty_depth)
        v = NAN;
    for (size_t i = 0; i < c->ntargets; i++)
        if (strcmp(buf, c->targets[i]) == 0) {
            c->values[i] = v;
            if (c->ints)
                c->ints[i] = integer;
        }
}
static void cap_number(void *ud, const char *key, double v) { cap_value(ud, key, v, false); }
static void cap_integer(void *ud, const char *key, int64_t v) {
    cap_value(ud, key, (double)v, true);
}
static void cap_level(void *ud, const char *key, int64_t v) {
    cap_value(ud, key, (double)v, false);
}
static void cap_no_samples(void *ud, const char *key) {
    (void)key;
    ((capture *)ud)->empty_next = true;
}
static void cap_string(void *ud, const char *key, const char *v) {
    (void)v;
    capture *c = ud;
    char buf[MAX_PATH];
    if (c->add_string && !c->targets && !c->arrays && key && join(c, key, buf))
        c->add_string(c->add_ud, buf);
}
static void cap_boolean(void *ud, const char *key, bool v) { (void)ud, (void)key, (void)v; }

static const sim_report_ops capture_ops = {
    .version = 1,
    .open_object = cap_open_object,
    .open_array = cap_open_array,
    .close = cap_close,
    .number = cap_number,
    .integer = cap_integer,
    .string = cap_string,
    .boolean = cap_boolean,
    .no_samples = cap_no_samples,
    .level = cap_level,
};

/* Where a captured figure is written: node i's entry, or the document without its nodes. */
#define SCOPE_TOP UINT32_MAX

static void write_scope(const sim_engine *e, uint32_t scope, capture *c) {
    sim_report w = {&capture_ops, c};
    if (scope == SCOPE_TOP)
        sim__report_doc(e, &w, false);
    else
        sim__report_node(e, scope, &w);
}

/* Fills values[i] with the figure at targets[i] in scope (NaN where absent, and with
 * empty_absent where a histogram has no samples), and ints[i] (unless NULL) with whether it
 * was written as an integer. */
static void capture_typed(const sim_engine *e, uint32_t scope, const char *const *targets,
                          double *values, bool *ints, size_t n, bool empty_absent) {
    capture c = {.targets = targets,
                 .values = values,
                 .ints = ints,
                 .ntargets = n,
                 .empty_absent = empty_absent};
    for (size_t i = 0; i < n; i++)
        values[i] = NAN;
    write_scope(e, scope, &c);
}

static void capture_values(const sim_engine *e, uint32_t scope, const char *const *targets,
                           double *values, size_t n) {
    capture_typed(e, scope, targets, values, NULL, n, false);
}

/* ---- lookup ---- */

/* The node named by the start of rest (followed by '.' or its end): the longest name wins.
 * Returns its index or UINT32_MAX; *after points past the name. */
static uint32_t find_node(const sim_engine *e, const char *rest, const char **after) {
    uint32_t best = UINT32_MAX;
    size_t bestlen = 0;
    for (size_t i = 0; i < e->nnodes; i++) {
        const char *name = e->nodes[i].topo->name;
        size_t len = strlen(name);
        if (len > bestlen && strncmp(rest, name, len) == 0 && (rest[len] == '.' || !rest[len])) {
            best = (uint32_t)i;
            bestlen = len;
        }
    }
    *after = rest + bestlen + (rest[bestlen] == '.');
    return best;
}

static sim_lookup_status lookup(const sim_engine *e, const char *path, double *out,
                                bool empty_absent) {
    if (strncmp(path, "nodes.", 6) != 0) {
        double v;
        capture_typed(e, SCOPE_TOP, &path, &v, NULL, 1, empty_absent);
        if (isnan(v))
            return SIM_LOOKUP_NO_FIGURE;
        *out = v;
        return SIM_LOOKUP_OK;
    }
    const char *rest;
    uint32_t i = find_node(e, path + 6, &rest);
    if (i == UINT32_MAX)
        return SIM_LOOKUP_NO_NODE;
    const sim_node *n = &e->nodes[i];
    handle h;
    if (n->kind->metrics && resolve(n->kind->metrics, 0, n, rest, &h, false)) {
        if (empty_absent && h.m->type == SIM_METRIC_HISTOGRAM &&
            !((const sim_hist *)(const void *)((const char *)n->state + h.off + h.m->offset))
                 ->count)
            return SIM_LOOKUP_NO_FIGURE;
        *out = handle_value(&h, n, e->end);
        return SIM_LOOKUP_OK;
    }
    double v;
    capture_typed(e, i, &rest, &v, NULL, 1, empty_absent);
    if (isnan(v))
        return SIM_LOOKUP_NO_FIGURE;
    *out = v;
    return SIM_LOOKUP_OK;
}

sim_lookup_status sim_engine_lookup(const sim_engine *e, const char *path, double *out) {
    return lookup(e, path, out, false);
}

sim_lookup_status sim_engine_lookup_value(const sim_engine *e, const char *path, double *out) {
    return lookup(e, path, out, true);
}

/* ---- which paths a run can have ---- */

/* The candidate nearest to a word, kept as a copy (candidates built on the fly do not live
 * as long as a sim_suggest search needs). */
typedef struct nearest {
    const char *word;
    size_t limit, dist;
    char *best;  /* malloc; NULL: none close so far (out of memory: the note is left out) */
    size_t work; /* cells of distance tables paid for so far (at most len(a) x len(b) each) */
} nearest;

/* The search gives up past this many cells (tens of milliseconds): a million instances with
 * long names must not make one misspelt path cost minutes. */
#define NEAR_BUDGET 20000000u

static void nearest_init(nearest *n, const char *word) {
    sim_suggest s;
    sim_suggest_init(&s, word);
    *n = (nearest){.word = word, .limit = s.limit};
}

/* The distance of a and b up to n's limit, or more than it once the budget is spent. */
static size_t nearest_distance(nearest *n, const char *a, const char *b, size_t limit) {
    size_t la = strlen(a), lb = strlen(b);
    if (n->work > NEAR_BUDGET)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) <= limit) /* else the distance stops at once */
        n->work += la * lb;
    return sim_suggest_distance(a, b, limit);
}

/* Offers prefix + cand (prefix may be ""): kept when closer than the best so far. */
static void nearest_offer(nearest *n, const char *prefix, const char *cand) {
    char buf[MAX_PATH];
    int k = snprintf(buf, sizeof buf, "%s%s", prefix, cand);
    if (k < 0 || k >= (int)sizeof buf)
        return;
    size_t d = nearest_distance(n, n->word, buf, n->limit);
    if (d > n->limit || (n->best && d >= n->dist))
        return;
    char *copy = strdup(buf);
    if (!copy)
        return;
    free(n->best);
    n->best = copy;
    n->dist = d;
}

/* Looks for target among the numeric leaves a scope writes, offering each to near. */
typedef struct shape_find {
    const char *target;
    bool found;
    nearest *near;
    const char *prefix; /* of the candidates offered */
} shape_find;

static void shape_leaf(void *ud, const char *path) {
    shape_find *f = ud;
    if (strcmp(path, f->target) == 0)
        f->found = true;
    if (f->near)
        nearest_offer(f->near, f->prefix, path);
}

static bool in_shape(const sim_engine *e, uint32_t scope, const char *rel, nearest *near,
                     const char *prefix) {
    shape_find f = {rel, false, near, prefix};
    capture c = {.add = shape_leaf, .add_ud = &f};
    write_scope(e, scope, &c);
    return f.found;
}

/* Whether the NULL-terminated figures hold path (relative to prefix: "" or "name."),
 * offering each to near. */
/* Whether path matches a declared figure, in which a segment "*" matches any one key. */
static bool figure_matches(const char *figure, const char *path) {
    while (*figure && *path) {
        if (figure[0] == '*' && (figure[1] == '.' || !figure[1])) {
            figure++;
            if (*path == '.')
                return false; /* an empty key */
            while (*path && *path != '.')
                path++;
        } else if (*figure++ != *path++) {
            return false;
        }
    }
    return !*figure && !*path;
}

static bool in_list(const char *const *figures, const char *rel, nearest *near,
                    const char *prefix) {
    bool found = false;
    for (size_t i = 0; figures && figures[i]; i++) {
        found = found || figure_matches(figures[i], rel);
        if (near && !strchr(figures[i], '*'))
            nearest_offer(near, prefix, figures[i]);
    }
    return found;
}

/* A top-level path: the engine's keys and the checkers' as written now, and every figure the
 * topology's checkers declare. */
static bool top_can_have(const sim_engine *e, const char *path, nearest *near) {
    bool found = in_shape(e, SCOPE_TOP, path, near, "");
    for (size_t i = 0; i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        size_t len = strlen(k->name);
        char prefix[MAX_PATH];
        snprintf(prefix, sizeof prefix, "%s.", k->name);
        bool under = strncmp(path, k->name, len) == 0 && path[len] == '.';
        if (in_list(k->figures, under ? path + len + 1 : "", near, prefix) && under)
            found = true;
    }
    return found;
}

/* Path rel in node i's entry: its kind's table, the figures its checkers declare for nodes,
 * and what its entry holds now (the report hook's keys). */
/* Whether a WRITE entry of table t (or of the tables it includes) says it can write rel. */
static bool writes_can_have(const sim_metric *t, const sim_node *n, const char *rel) {
    for (const sim_metric *m = t; t && m->name; m++) {
        if (!is_shown(m, n))
            continue;
        if (m->type == SIM_METRIC_INCLUDE && writes_can_have(m->include, n, rel))
            return true;
        if (m->type == SIM_METRIC_WRITE && m->can_have && m->can_have(n, rel))
            return true;
    }
    return false;
}

static bool node_can_have(const sim_engine *e, uint32_t i, const char *rel, nearest *near,
                          const char *prefix) {
    const sim_node *n = &e->nodes[i];
    handle h;
    if (!near && n->kind->metrics &&
        (resolve(n->kind->metrics, 0, n, rel, &h, false) ||
         writes_can_have(n->kind->metrics, n, rel)))
        return true;
    bool found = false;
    for (size_t c = 0; n->kind->checkers && n->kind->checkers[c]; c++)
        found |= in_list(n->kind->checkers[c]->node_figures, rel, near, prefix);
    return in_shape(e, i, rel, near, prefix) || found;
}

/* Whether s is "." and a segment of digits (an instance index, as in "web.4"), up to the next
 * dot or the end: such a path names an instance, perhaps one the group lacks. */
static bool index_segment(const char *s) {
    if (*s++ != '.' || !isdigit((unsigned char)*s))
        return false;
    while (isdigit((unsigned char)*s))
        s++;
    return *s == '.' || !*s;
}

/* The closest path naming a node: each instance in place of the path's first segments, as
 * many as the instance name has ("web" or "web.3"), the rest kept; or, for a group of
 * instances named alone ("nodes.web.utilization"), its first instance; a group with an index
 * it lacks ("nodes.web.4.utilization") is left to the instances. */
static void near_node(const sim_engine *e, const char *rest, nearest *near) {
    const sim_topology *t = e->topo;
    for (size_t g = 0; g < t->ngroups; g++) {
        const sim_topo_group *gr = &t->groups[g];
        size_t len = strlen(gr->name);
        if (gr->count && strcmp(t->nodes[gr->first].name, gr->name) != 0 &&
            strncmp(rest, gr->name, len) == 0 && (rest[len] == '.' || !rest[len]) &&
            !index_segment(rest + len)) {
            free(near->best);
            near->best = NULL;
            char buf[MAX_PATH];
            int k = snprintf(buf, sizeof buf, "nodes.%s%s", t->nodes[gr->first].name, rest + len);
            if (k > 0 && k < (int)sizeof buf)
                near->best = strdup(buf);
            return;
        }
    }
    for (size_t i = 0; i < e->nnodes; i++) {
        const char *name = e->nodes[i].topo->name;
        size_t segs = 1;
        for (const char *p = name; *p; p++)
            segs += *p == '.';
        const char *tail = rest;
        for (size_t s = 0; s < segs && tail; s++) {
            tail = strchr(tail, '.');
            tail = tail ? tail + 1 : NULL;
        }
        size_t head = tail ? (size_t)(tail - 1 - rest) : strlen(rest);
        char word[MAX_PATH];
        if (head >= sizeof word)
            continue;
        memcpy(word, rest, head);
        word[head] = 0;
        nearest nn;
        nearest_init(&nn, word);
        size_t d = nearest_distance(near, word, name, nn.limit);
        if (d > nn.limit || (near->best && d >= near->dist))
            continue;
        char buf[MAX_PATH];
        int k = snprintf(buf, sizeof buf, "nodes.%s%s%s", name, tail ? "." : "", tail ? tail : "");
        if (k < 0 || k >= (int)sizeof buf)
            continue;
        char *copy = strdup(buf);
        if (!copy)
            return;
        free(near->best);
        near->best = copy;
        near->dist = d;
    }
}

sim_lookup_status sim_engine_can_have(const sim_engine *e, const char *path, char **near) {
    if (near)
        *near = NULL;
    sim_lookup_status st = SIM_LOOKUP_OK;
    const char *rest = NULL;
    uint32_t i = UINT32_MAX;
    if (strncmp(path, "nodes.", 6) != 0) {
        if (!top_can_have(e, path, NULL))
            st = SIM_LOOKUP_NO_FIGURE;
    } else if ((i = find_node(e, path + 6, &rest)) == UINT32_MAX) {
        st = SIM_LOOKUP_NO_NODE;
    } else if (!node_can_have(e, i, rest, NULL, "")) {
        st = SIM_LOOKUP_NO_FIGURE;
    }
    /* No path that long is written (MAX_PATH), so none can be near it either. */
    if (st == SIM_LOOKUP_OK || !near || strlen(path) >= MAX_PATH)
        return st;
    /* A miss: look again, offering every path of the scope. */
    nearest nn;
    if (st == SIM_LOOKUP_NO_NODE) {
        nearest_init(&nn, path);
        near_node(e, path + 6, &nn);
    } else if (i == UINT32_MAX) {
        nearest_init(&nn, path);
        top_can_have(e, path, &nn);
    } else {
        /* compared without the node's part, which is right: a third of the figure's length
         * bounds the distance, not a third of the whole path's */
        nearest_init(&nn, rest);
        node_can_have(e, i, rest, &nn, "");
        if (nn.best) {
            char buf[MAX_PATH * 2];
            snprintf(buf, sizeof buf, "nodes.%s.%s", e->nodes[i].topo->name, nn.best);
            free(nn.best);
            nn.best = strdup(buf); /* NULL when out of memory: no note */
        }
    }
    *near = nn.best;
    return st;
}

/* What a path that names no figure names instead, found by writing its scope. */
typedef struct shape_probe {
    const char *rel; /* the path within the scope */
    size_t len;
    sim_path_shape shape;
    char *first; /* the path (within the scope) of the object's first figure */
} shape_probe;

static void probe_leaf(void *ud, const char *path) {
    shape_probe *p = ud;
    if (p->shape != SIM_PATH_NONE && p->shape != SIM_PATH_OBJECT)
        return;
    bool under = p->len == 0 || (strncmp(path, p->rel, p->len) == 0 && path[p->len] == '.');
    if (under && !p->first) {
        p->first = strdup(path); /* NULL when out of memory: no example */
        p->shape = SIM_PATH_OBJECT;
    }
}

static void probe_string(void *ud, const char *path) {
    shape_probe *p = ud;
    if (p->shape == SIM_PATH_NONE && strcmp(path, p->rel) == 0)
        p->shape = SIM_PATH_STRING;
}

sim_path_shape sim_engine_path_shape(const sim_engine *e, const char *path, char **first) {
    *first = NULL;
    uint32_t scope = SCOPE_TOP;
    const char *rel = path;
    char prefix[MAX_PATH] = "";
    if (strncmp(path, "nodes.", 6) == 0) {
        scope = find_node(e, path + 6, &rel);
        if (scope == UINT32_MAX)
            return SIM_PATH_NONE;
        snprintf(prefix, sizeof prefix, "nodes.%s.", e->nodes[scope].topo->name);
    } else if (!*path) {
        return SIM_PATH_NONE;
    }
    shape_probe p = {rel, strlen(rel), SIM_PATH_NONE, NULL};
    capture c = {.add = probe_leaf, .add_string = probe_string, .add_ud = &p};
    write_scope(e, scope, &c);
    if (p.shape == SIM_PATH_OBJECT && p.first) {
        char buf[MAX_PATH * 2];
        snprintf(buf, sizeof buf, "%s%s", prefix, p.first);
        free(p.first);
        *first = strdup(buf);
    }
    return p.shape;
}

/* ---- sampling ---- */

/* Where a column's figure comes from. */
typedef enum {
    COL_NODE,    /* a node's registered entry: node is its index */
    COL_CHECKER, /* a checker's registered entry: node is the checker's index */
    COL_CAPTURE, /* captured from what the document writes: node is the scope */
} col_source;

/* What the previous sample left for a histogram (shared by the columns of its figures). */
typedef struct hsnap {
    const sim_hist *h;
    uint64_t *counts; /* the bucket counts at the previous sample */
    size_t n;
    uint64_t count;
    double sum;
    sim_hist diff;  /* the values recorded within the interval just ended */
    uint64_t stamp; /* the sample diff was made for (0: none yet) */
} hsnap;

/* One column: a registered figure read directly, or a figure captured from its scope. */
typedef struct column {
    uint32_t node;
    col_source src;
    handle h;
    const char *rel; /* captured: the path within the scope */
    /* intervals: the rule, the cumulative readings at the previous sample, the histogram */
    sim_series_rule rule;
    double prev, prev_den;
    size_t snap; /* index into sp->snaps (HISTOGRAM) */
} column;

struct sim_sampler {
    sim_series s;
    column *cols;
    size_t capcols;
    const char **targets; /* scratch for captures */
    double *scratch;
    bool *ints;
    bool intervals; /* rows hold figures within each interval, not cumulative ones */
    sim_time last;  /* intervals: the previous sample's time */
    uint64_t stamp; /* samples taken, priming included */
    hsnap *snaps;
    size_t nsnaps, capsnaps;
    bool failed;
};

static int add_column(sim_sampler *sp, const char *path, column col) {
    if (sp->s.ncols == sp->capcols) {
        size_t cap = sp->capcols ? 2 * sp->capcols : 16;
        column *c = realloc(sp->cols, cap * sizeof *c);
        char **p = c ? realloc(sp->s.paths, cap * sizeof *p) : NULL;
        if (c)
            sp->cols = c;
        if (!p)
            return -1;
        sp->s.paths = p;
        sp->capcols = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    if (col.src == COL_CAPTURE)
        col.rel = copy + (strlen(path) - strlen(col.rel));
    sp->s.paths[sp->s.ncols] = copy;
    sp->cols[sp->s.ncols++] = col;
    return 0;
}

/* The rule an entry follows in a series of intervals (by its type unless it names one). */
static sim_series_rule rule_of(const sim_metric *m) {
    if (m->series != SIM_SERIES_AUTO)
        return m->series;
    switch (m->type) {
    case SIM_METRIC_COUNTER:
        return SIM_SERIES_DELTA;
    case SIM_METRIC_TAVG:
        return m->value ? SIM_SERIES_LEVEL : SIM_SERIES_TIME_AVG;
    case SIM_METRIC_HISTOGRAM:
        return SIM_SERIES_AUTO; /* over the values recorded within */
    default:
        return SIM_SERIES_LEVEL;
    }
}

/* Whether an entry is sampled by default: in cumulative series every numeric entry of the
 * document; in series of intervals those with a rule, and counters, gauges, time averages
 * and histograms (a NUMBER is mostly a whole-run ratio whose value at a moment says little). */
static bool sampled_by_default(const sim_metric *m, bool intervals) {
    if (!intervals)
        return !m->series_only;
    if (m->series == SIM_SERIES_OFF)
        return false;
    return m->series != SIM_SERIES_AUTO || m->type != SIM_METRIC_NUMBER;
}

/* Every shown sampled entry of a table (histograms: each figure), as columns; prefix is
 * "nodes.NAME" or a checker's name. */
static int add_table(sim_sampler *sp, const sim_node *n, uint32_t id, col_source src,
                     const char *prefix, const sim_metric *t, size_t off) {
    for (const sim_metric *m = t; m->name; m++) {
        if (!is_shown(m, n) || m->type == SIM_METRIC_LABEL || m->type == SIM_METRIC_WRITE)
            continue;
        if (m->type == SIM_METRIC_INCLUDE) {
            if (add_table(sp, n, id, src, prefix, m->include, off + m->offset))
                return -1;
            continue;
        }
        if (!sampled_by_default(m, sp->intervals))
            continue;
        for (int f = 0; f < SIM_HIST_NFIGURES; f++) {
            if (m->type == SIM_METRIC_HISTOGRAM ? !sim_pct_has(m->pct, (sim_hist_figure)f) : f > 0)
                continue;
            char path[MAX_PATH];
            int k = snprintf(
                path, sizeof path, "%s.%s%s%s", prefix, m->name,
                m->type == SIM_METRIC_HISTOGRAM ? "." : "",
                m->type == SIM_METRIC_HISTOGRAM ? sim_hist_figure_name((sim_hist_figure)f) : "");
            if (k < 0 || k >= (int)sizeof path)
                continue;
            column c = {.node = id, .src = src, .h = {m, off, (sim_hist_figure)f}};
            if (add_column(sp, path, c))
                return -1;
        }
    }
    return 0;
}

static int add_node_table(sim_sampler *sp, const sim_node *n, uint32_t id) {
    char prefix[MAX_PATH];
    int k = snprintf(prefix, sizeof prefix, "nodes.%s", n->topo->name);
    if (k < 0 || k >= (int)sizeof prefix)
        return 0;
    return add_table(sp, n, id, COL_NODE, prefix, n->kind->metrics, 0);
}

typedef struct top_enum {
    const sim_engine *e;
    sim_sampler *sp;
    int failed;
} top_enum;

/* True when path lies under the key of one of the run's checkers (`always` ones only, when
 * asked: those whose key every document has). */
static bool under_checker(const sim_engine *e, const char *path, bool always_only) {
    for (size_t i = 0; i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        size_t len = strlen(k->name);
        if ((k->always || !always_only) && strncmp(path, k->name, len) == 0 && path[len] == '.')
            return true;
    }
    return false;
}

/* The checker whose table has the figure at path (its index, *h set), or UINT32_MAX. */
static uint32_t checker_figure(const sim_engine *e, const char *path, handle *h) {
    for (size_t i = 0; i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        size_t len = strlen(k->name);
        if (k->metrics && strncmp(path, k->name, len) == 0 && path[len] == '.' &&
            resolve(k->metrics, 0, NULL, path + len + 1, h, true))
            return (uint32_t)i;
    }
    return UINT32_MAX;
}

/* Whether path lies under a checker that has a table (whose figures replace its document's
 * in series of intervals). */
static bool under_table(const sim_engine *e, const char *path) {
    for (size_t i = 0; i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        size_t len = strlen(k->name);
        if (k->metrics && strncmp(path, k->name, len) == 0 && path[len] == '.')
            return true;
    }
    return false;
}

/* The figures sampled by default besides the tables: the network's, and those of the
 * checkers every document reports (in series of intervals, those without a table). */
static void add_top_path(void *ud, const char *path) {
    top_enum *te = ud;
    if (strncmp(path, "network.", 8) != 0 && !under_checker(te->e, path, true))
        return;
    if (te->sp->intervals && under_table(te->e, path))
        return;
    column c = {.node = SCOPE_TOP, .src = COL_CAPTURE, .rel = path};
    if (add_column(te->sp, path, c))
        te->failed = -1;
}

/* Whether path (within scope) is written there now: a check against typing errors. */
static bool written_now(const sim_engine *e, uint32_t scope, const char *rel) {
    double v;
    capture_values(e, scope, &rel, &v, 1);
    return !isnan(v);
}

static int add_path(sim_engine *e, sim_sampler *sp, const char *path, char *err, size_t errlen) {
    if (strncmp(path, "nodes.", 6) != 0) {
        handle h;
        uint32_t k = sp->intervals ? checker_figure(e, path, &h) : UINT32_MAX;
        if (k != UINT32_MAX)
            return add_column(sp, path, (column){.node = k, .src = COL_CHECKER, .h = h});
        /* A checker's figures may appear only once it has something to judge. */
        if (!written_now(e, SCOPE_TOP, path) && !under_checker(e, path, false)) {
            snprintf(err, errlen, "%s: no such figure in the document", path);
            return -1;
        }
        return add_column(sp, path, (column){.node = SCOPE_TOP, .src = COL_CAPTURE, .rel = path});
    }
    const char *rest;
    uint32_t i = find_node(e, path + 6, &rest);
    if (i == UINT32_MAX) {
        snprintf(err, errlen, "%s: no such node", path);
        return -1;
    }
    const sim_node *n = &e->nodes[i];
    handle h;
    if (n->kind->metrics && resolve(n->kind->metrics, 0, n, rest, &h, sp->intervals))
        return add_column(sp, path, (column){.node = i, .src = COL_NODE, .h = h});
    /* A figure a report hook writes only once something happened (a stream's group, once
     * it subscribes) is taken when the kind says it can write it: NaN until it appears. */
    if (!written_now(e, i, rest) && !node_can_have(e, i, rest, NULL, "")) {
        snprintf(err, errlen, "%s: no such figure for a node of kind %s", path, n->kind->name);
        return -1;
    }
    return add_column(sp, path, (column){.node = i, .src = COL_CAPTURE, .rel = rest});
}

void sim__sampler_free(sim_sampler *sp) {
    if (!sp)
        return;
    for (size_t i = 0; i < sp->s.ncols; i++)
        free(sp->s.paths[i]);
    for (size_t i = 0; i < sp->nsnaps; i++) {
        free(sp->snaps[i].counts);
        sim_hist_free(&sp->snaps[i].diff);
    }
    free(sp->snaps);
    free(sp->s.paths);
    free(sp->cols);
    free(sp->s.t);
    free(sp->s.values);
    free(sp->targets);
    free(sp->scratch);
    free(sp->ints);
    free(sp);
}

int sim_engine_check_series_paths(sim_engine *e, const char *const *paths, size_t npaths,
                                  size_t *bad, char *err, size_t errlen) {
    *bad = SIZE_MAX;
    sim_sampler *sp = calloc(1, sizeof *sp); /* a scratch one, never attached to e */
    if (!sp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sp->intervals = true;
    int rc = 0;
    for (size_t i = 0; !rc && i < npaths; i++) {
        err[0] = '\0';
        if ((rc = add_path(e, sp, paths[i], err, errlen)))
            *bad = err[0] ? i : SIZE_MAX; /* no reason given: a column's memory ran out */
    }
    if (rc && *bad == SIZE_MAX)
        snprintf(err, errlen, "out of memory");
    sim__sampler_free(sp);
    return rc;
}

static sim_time next_time(const sim_engine *e, const sim_sampler *sp) {
    sim_time t = e->now + sp->s.interval;
    return t < e->end && t > e->now ? t : e->end;
}

/* The state a registered column reads, and its node (NULL for a checker). */
static const void *column_base(const sim_engine *e, const column *col, const sim_node **n) {
    if (col->src == COL_CHECKER) {
        *n = NULL;
        return (const char *)e->checkers[col->node] + col->h.off;
    }
    *n = &e->nodes[col->node];
    return (const char *)(*n)->state + col->h.off;
}

/* The histogram snapshot of each histogram column, shared by the figures of one histogram. */
static int attach_snapshots(sim_engine *e, sim_sampler *sp) {
    for (size_t c = 0; c < sp->s.ncols; c++) {
        column *col = &sp->cols[c];
        col->rule = col->src == COL_CAPTURE ? SIM_SERIES_LEVEL : rule_of(col->h.m);
        if (col->src == COL_CAPTURE || col->h.m->type != SIM_METRIC_HISTOGRAM)
            continue;
        const sim_node *n;
        const sim_hist *h = (const sim_hist *)(const void *)((const char *)column_base(e, col, &n) +
                                                             col->h.m->offset);
        size_t k = 0;
        while (k < sp->nsnaps && sp->snaps[k].h != h)
            k++;
        if (k == sp->nsnaps) {
            if (sp->nsnaps == sp->capsnaps) {
                size_t cap = sp->capsnaps ? 2 * sp->capsnaps : 8;
                hsnap *p = realloc(sp->snaps, cap * sizeof *p);
                if (!p)
                    return -1;
                sp->snaps = p;
                sp->capsnaps = cap;
            }
            sp->snaps[k] = (hsnap){.h = h};
            sim_hist_init(&sp->snaps[k].diff);
            sp->nsnaps++;
        }
        col->snap = k;
    }
    return 0;
}

/* Makes snapshot k's diff the values recorded since its last call, and takes a new snapshot.
 * Returns 0, or -1 when out of memory. */
static int hist_interval(hsnap *hs) {
    const sim_hist *h = hs->h;
    if (h->nbuckets > hs->diff.nbuckets) {
        uint64_t *d = realloc(hs->diff.counts, h->nbuckets * sizeof *d);
        if (!d)
            return -1;
        hs->diff.counts = d;
        hs->diff.nbuckets = h->nbuckets;
    }
    if (h->nbuckets > hs->n) {
        uint64_t *c = realloc(hs->counts, h->nbuckets * sizeof *c);
        if (!c)
            return -1;
        memset(c + hs->n, 0, (h->nbuckets - hs->n) * sizeof *c);
        hs->counts = c;
        hs->n = h->nbuckets;
    }
    /* h's buckets only grow, so diff has exactly h's: the loop sets every one. */
    int64_t lo = -1, hi = -1;
    for (size_t i = 0; i < h->nbuckets; i++) {
        uint64_t d = h->counts[i] - hs->counts[i];
        hs->diff.counts[i] = d;
        if (d && lo < 0)
            lo = (int64_t)i;
        if (d)
            hi = (int64_t)i;
        hs->counts[i] = h->counts[i];
    }
    hs->diff.count = h->count - hs->count;
    hs->diff.sum = h->sum - hs->sum;
    hs->count = h->count;
    hs->sum = h->sum;
    /* The interval's own extremes are known to a bucket: its edges, within the run's. */
    double blo, bhi, tlo, thi;
    if (lo >= 0) {
        sim_hist_bucket_bounds((size_t)lo, &blo, &bhi);
        sim_hist_bucket_bounds((size_t)hi, &tlo, &thi);
        hs->diff.min = (int64_t)blo > h->min ? (int64_t)blo : h->min;
        hs->diff.max = (int64_t)thi - 1 < h->max ? (int64_t)thi - 1 : h->max;
    }
    return 0;
}

/* The cumulative reading of a registered column at time at (num for ratios and averages);
 * *den gets the denominator of a ratio. */
static double cumulative(const column *col, const void *base, const sim_node *n, sim_time at,
                         double *den) {
    const sim_metric *m = col->h.m;
    switch (col->rule) {
    case SIM_SERIES_TIME_AVG:
        if (m->num)
            return m->num(base, n, at);
        return sim_tavg_integral((const sim_tavg *)(const void *)((const char *)base + m->offset),
                                 at);
    case SIM_SERIES_RATIO:
        *den = m->den(base, n, at);
        return m->num(base, n, at);
    default:
        return read_value(m, base, n, at, col->h.fig);
    }
}

/* The figure of a registered column within (sp->last, e->now]; prime: only take readings. */
static double interval_value(sim_engine *e, sim_sampler *sp, column *col, bool prime) {
    const sim_node *n;
    const void *base = column_base(e, col, &n);
    const sim_metric *m = col->h.m;
    if (m->type == SIM_METRIC_HISTOGRAM && col->rule == SIM_SERIES_AUTO) {
        hsnap *hs = &sp->snaps[col->snap];
        if (hs->stamp != sp->stamp) {
            if (hist_interval(hs))
                e->failed = true;
            hs->stamp = sp->stamp;
        }
        if (prime || !hs->diff.count)
            return NAN;
        if (col->h.fig == SIM_HIST_MAX)
            return (double)hs->diff.max / 1e6;
        return sim_hist_figure_ms(&hs->diff, col->h.fig);
    }
    double den = 0, cur = cumulative(col, base, n, e->now, &den);
    double dnum = cur - col->prev, dden = den - col->prev_den;
    col->prev = cur;
    col->prev_den = den;
    if (prime)
        return NAN;
    switch (col->rule) {
    case SIM_SERIES_DELTA:
        return dnum;
    case SIM_SERIES_TIME_AVG:
        return e->now > sp->last ? dnum / (double)(e->now - sp->last) : NAN;
    case SIM_SERIES_RATIO:
        return dden != 0 ? dnum / dden : NAN;
    default:
        return cur;
    }
}

/* Fills row (NULL: priming) with the values of columns [from, to), all captured in one
 * scope. In series of intervals a figure written as an integer is taken for a count (its
 * increase is shown), any other (a real number, a sim_report_level) as a level (its value
 * now). */
static void capture_run(const sim_engine *e, sim_sampler *sp, size_t from, size_t to, double *row) {
    size_t n = to - from;
    for (size_t k = 0; k < n; k++)
        sp->targets[k] = sp->cols[from + k].rel;
    capture_typed(e, sp->cols[from].node, sp->targets, sp->scratch, sp->ints, n, false);
    for (size_t k = 0; k < n; k++) {
        column *col = &sp->cols[from + k];
        double v = sp->scratch[k];
        if (sp->intervals && sp->ints[k]) {
            double prev = col->prev;
            col->prev = v;
            v -= prev;
        }
        if (row)
            row[from + k] = v;
    }
}

/* Fills row (NULL: priming, readings only) with every column's figure now. */
static void fill_row(sim_engine *e, sim_sampler *sp, double *row) {
    sim_series *s = &sp->s;
    sp->stamp++;
    for (size_t c = 0; c < s->ncols;) {
        column *col = &sp->cols[c];
        if (col->src != COL_CAPTURE) {
            double v = sp->intervals ? interval_value(e, sp, col, !row)
                                     : handle_value(&col->h, &e->nodes[col->node], e->now);
            if (row)
                row[c] = v;
            c++;
            continue;
        }
        size_t end = c + 1;
        while (end < s->ncols && sp->cols[end].src == COL_CAPTURE &&
               sp->cols[end].node == col->node)
            end++;
        capture_run(e, sp, c, end, row);
        c = end;
    }
    sp->last = e->now;
}

static int start_sampling(sim_engine *e, sim_time interval, const char *const *paths, size_t npaths,
                          bool intervals, size_t *bad, char *err, size_t errlen) {
    if (e->sampler) {
        snprintf(err, errlen, "sampling is on already");
        return -1;
    }
    if (interval <= 0) {
        snprintf(err, errlen, "the sampling interval must be positive");
        return -1;
    }
    sim_sampler *sp = calloc(1, sizeof *sp);
    if (!sp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sp->s.interval = interval;
    sp->intervals = intervals;
    int rc = 0;
    if (!paths) {
        top_enum te = {e, sp, 0};
        for (size_t i = 0; intervals && !rc && i < e->nchecker; i++) {
            const sim_checker_kind *k = e->topo->checkers[i];
            if (k->metrics)
                rc = add_table(sp, NULL, (uint32_t)i, COL_CHECKER, k->name, k->metrics, 0);
        }
        capture c = {.add = add_top_path, .add_ud = &te};
        if (!rc) {
            write_scope(e, SCOPE_TOP, &c);
            rc = te.failed;
        }
        for (size_t i = 0; !rc && i < e->nnodes; i++)
            if (e->nodes[i].kind->metrics)
                rc = add_node_table(sp, &e->nodes[i], (uint32_t)i);
        if (rc)
            snprintf(err, errlen, "out of memory");
    } else {
        for (size_t i = 0; !rc && i < npaths; i++) {
            rc = add_path(e, sp, paths[i], err, errlen);
            if (rc && bad)
                *bad = i;
        }
    }
    if (!rc && sp->s.ncols) {
        sp->targets = malloc(sp->s.ncols * sizeof *sp->targets);
        sp->scratch = malloc(sp->s.ncols * sizeof *sp->scratch);
        sp->ints = calloc(sp->s.ncols, sizeof *sp->ints);
        if (!sp->targets || !sp->scratch || !sp->ints || (intervals && attach_snapshots(e, sp))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    }
    if (rc) {
        sim__sampler_free(sp);
        return -1;
    }
    e->sampler = sp;
    if (intervals) {
        for (size_t i = 0; i < e->nchecker; i++)
            if (e->topo->checkers[i]->sampling)
                e->topo->checkers[i]->sampling(e->checkers[i]);
        fill_row(e, sp, NULL);
    }
    if (e->now < e->end)
        sim__schedule(e, next_time(e, sp), SIM_EV_SAMPLE, 0, 0, 0);
    return 0;
}

int sim_engine_sample(sim_engine *e, sim_time interval, const char *const *paths, size_t npaths,
                      char *err, size_t errlen) {
    return start_sampling(e, interval, paths, npaths, false, NULL, err, errlen);
}

int sim_engine_sample_intervals(sim_engine *e, sim_time interval, const char *const *paths,
                                size_t npaths, size_t *bad, char *err, size_t errlen) {
    return start_sampling(e, interval, paths, npaths, true, bad, err, errlen);
}

const char *sim_engine_series_suggest(sim_engine *e, const char *path, char *buf, size_t len) {
    sim_sampler *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->intervals = true;
    int rc = 0;
    for (size_t i = 0; !rc && i < e->nchecker; i++) {
        const sim_checker_kind *k = e->topo->checkers[i];
        if (k->metrics)
            rc = add_table(sp, NULL, (uint32_t)i, COL_CHECKER, k->name, k->metrics, 0);
    }
    top_enum te = {e, sp, 0};
    capture c = {.add = add_top_path, .add_ud = &te};
    write_scope(e, SCOPE_TOP, &c);
    for (size_t i = 0; !rc && i < e->nnodes; i++)
        if (e->nodes[i].kind->metrics)
            rc = add_node_table(sp, &e->nodes[i], (uint32_t)i);
    sim_suggest sg;
    sim_suggest_init(&sg, path);
    for (size_t i = 0; i < sp->s.ncols; i++)
        sim_suggest_add(&sg, sp->s.paths[i]);
    const char *best = sim_suggest_best(&sg);
    const char *out = NULL;
    if (best && strlen(best) < len) {
        memcpy(buf, best, strlen(best) + 1);
        out = buf;
    }
    sim__sampler_free(sp);
    return out;
}

const sim_series *sim_engine_series(const sim_engine *e) {
    return e->sampler ? &e->sampler->s : NULL;
}

void sim__sample(sim_engine *e) {
    sim_sampler *sp = e->sampler;
    sim_series *s = &sp->s;
    if (s->nrows == s->caprows) {
        size_t cap = s->caprows ? 2 * s->caprows : 64;
        sim_time *t = realloc(s->t, cap * sizeof *t);
        if (t)
            s->t = t;
        double *v = t ? realloc(s->values, cap * (s->ncols ? s->ncols : 1) * sizeof *v) : NULL;
        if (!v) {
            e->failed = true;
            return;
        }
        s->values = v;
        s->caprows = cap;
    }
    double *row = s->values + s->nrows * s->ncols;
    fill_row(e, sp, row);
    s->t[s->nrows++] = e->now;
    if (e->now < e->end)
        sim__schedule(e, next_time(e, sp), SIM_EV_SAMPLE, 0, 0, 0);
}
