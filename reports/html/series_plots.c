/* The time-series plots (series_plots.h). */
#include "series_plots.h"

#include "format.h"
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The series object read once: its time axis and the document it belongs to. */
typedef struct timeline {
    const cJSON *doc, *series;
    size_t n;
    double *t_s;          /* interval ends, seconds */
    double *len_s;        /* interval lengths, seconds */
    double end_s;         /* the end of the run */
    struct shade *shades; /* the faults drawn on every plot, read once per document */
    size_t nshades;       /* at most RH_SERIES_MAX_SHADES */
    size_t nfaults;       /* the faults that would have been drawn */
} timeline;

/* A fault as every plot draws it: shaded from x0 to x1, or a line at x0 when x1 is NaN. */
typedef struct shade {
    double x0, x1;
    char label[256];
} shade;

/* The values of series path, NaN for null (caller frees); NULL when absent or not a list of
 * the time axis' length. */
static double *column(const timeline *tl, const char *path) {
    const cJSON *a = rh_get(tl->series, path);
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != tl->n)
        return NULL;
    double *v = malloc((tl->n ? tl->n : 1) * sizeof *v);
    if (!v)
        return NULL;
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a) v[i++] = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    return v;
}

static bool all_zero(const double *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] != 0)
            return false;
    return true;
}

/* A fault's label: its action and what it struck (node, link, sides, scope). */
static void fault_label(char *buf, size_t len, const cJSON *f) {
    const cJSON *action = rh_get(f, "action"), *node = rh_get(f, "node");
    const cJSON *from = rh_get(f, "from"), *to = rh_get(f, "to"), *sides = rh_get(f, "sides");
    const cJSON *scope = rh_get(f, "scope"), *factor = rh_get(f, "factor");
    const cJSON *prob = rh_get(f, "probability");
    int n = snprintf(buf, len, "%s", cJSON_IsString(action) ? action->valuestring : "fault");
    size_t at = n < 0 ? 0 : (size_t)n;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (at < len) {                                                                            \
            int wrote = snprintf(buf + at, len - at, __VA_ARGS__);                                 \
            at += wrote < 0 ? 0 : (size_t)wrote;                                                   \
        }                                                                                          \
    } while (0)
    if (cJSON_IsString(node))
        ADD(" %s", node->valuestring);
    else if (cJSON_IsString(from) && cJSON_IsString(to))
        ADD(" %s\xE2\x86\x92%s", from->valuestring, to->valuestring);
    else if (cJSON_IsString(scope))
        ADD(" %s", scope->valuestring);
    if (cJSON_IsArray(sides)) {
        const cJSON *side;
        int k = 0;
        cJSON_ArrayForEach(side, sides) {
            ADD("%s", k++ ? " | " : " ");
            const cJSON *name;
            int j = 0;
            cJSON_ArrayForEach(name, side) {
                if (cJSON_IsString(name))
                    ADD("%s%s", j++ ? "," : "", name->valuestring);
            }
        }
    }
    if (cJSON_IsNumber(factor))
        ADD(" \xC3\x97%g", factor->valuedouble);
    if (cJSON_IsNumber(prob))
        ADD(" p=%g", prob->valuedouble);
#undef ADD
}

/* A fault's target as a key: its node and its sides (compact JSON), so that the undo of a
 * fault (a restart, a heal) is found by its target and time. */
typedef struct target_key {
    char *key;    /* caller frees */
    double until; /* until_ms, NaN for none */
    size_t index; /* in the document's list */
} target_key;

static char *target_of(const cJSON *f) {
    const cJSON *node = rh_get(f, "node");
    char *sides = cJSON_PrintUnformatted(rh_get(f, "sides"));
    const char *n = cJSON_IsString(node) ? node->valuestring : "";
    size_t len = strlen(n) + (sides ? strlen(sides) : 0) + 4;
    char *key = malloc(len);
    /* a node of no string and no sides are each marked apart from any name ("\x01") */
    if (key)
        snprintf(key, len, "%s%s\x1f%s", cJSON_IsString(node) ? "" : "\x01", n,
                 sides ? sides : "\x01");
    cJSON_free(sides);
    return key;
}

static int by_target(const void *a, const void *b) {
    const target_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    /* NaN (no end) after every number */
    bool xn = isnan(x->until), yn = isnan(y->until);
    if (xn != yn)
        return xn ? 1 : -1;
    if (!xn && x->until != y->until)
        return x->until < y->until ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Reads the faults of the document once into tl's shades: sorted by target and end, each
 * fault's undo (an earlier fault on the same target whose end is its start) is found by a
 * binary search, so that 20,000 faults cost no more than sorting them. Returns -1 when out of
 * memory. */
static int read_shades(timeline *tl) {
    const cJSON *faults = rh_list(rh_get(tl->doc, "faults"));
    size_t n = faults ? (size_t)cJSON_GetArraySize(faults) : 0;
    if (n == 0)
        return 0;
    target_key *keys = calloc(n, sizeof *keys);
    tl->shades = malloc((n < RH_SERIES_MAX_SHADES ? n : RH_SERIES_MAX_SHADES) * sizeof *tl->shades);
    int rc = -1;
    if (!keys || !tl->shades)
        goto out;
    size_t i = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, faults) {
        keys[i] = (target_key){.key = target_of(f), .until = rh_num_at(f, "until_ms"), .index = i};
        if (!keys[i++].key)
            goto out;
    }
    target_key *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        goto out;
    memcpy(sorted, keys, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_target);
    i = 0;
    cJSON_ArrayForEach(f, faults) {
        double at = rh_num_at(f, "at_ms"), until = keys[i].until;
        size_t index = i++;
        if (!isfinite(at) || at / 1000 >= tl->end_s)
            continue;
        /* the first fault on f's target that ends at f's start: an undo when earlier than f */
        target_key probe = {.key = keys[index].key, .until = at, .index = 0};
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (by_target(&sorted[mid], &probe) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && strcmp(sorted[lo].key, probe.key) == 0 && sorted[lo].until == at &&
            sorted[lo].index < index)
            continue;
        tl->nfaults++;
        if (tl->nshades == RH_SERIES_MAX_SHADES)
            continue;
        shade *sh = &tl->shades[tl->nshades++];
        fault_label(sh->label, sizeof sh->label, f);
        sh->x0 = at / 1000;
        sh->x1 = isfinite(until) ? fmin(until / 1000, tl->end_s) : NAN;
    }
    free(sorted);
    rc = 0;
out:
    for (size_t k = 0; keys && k < n; k++)
        free(keys[k].key);
    free(keys);
    return rc;
}

/* The faults and the end of the warm-up on a plot's time axis. */
static void annotate(rh_plot *pl, const timeline *tl) {
    rh_plot_x_range(pl, 0, tl->end_s);
    double w = rh_num_at(tl->doc, "warmup_s");
    if (isfinite(w) && w > 0)
        rh_plot_guide_x(pl, w, "warm-up ends");
    for (size_t i = 0; i < tl->nshades; i++) {
        const shade *sh = &tl->shades[i];
        if (isfinite(sh->x1))
            rh_plot_shade_x(pl, sh->x0, sh->x1, sh->label);
        else
            rh_plot_mark_x(pl, sh->x0, sh->label);
    }
}

static rh_plot *new_plot(const timeline *tl, const char *title, const char *y_label) {
    rh_plot *pl = rh_plot_new(title, "simulated time (s)", y_label);
    if (pl)
        annotate(pl, tl);
    return pl;
}

static void finish(rh_page *p, rh_plot *pl) {
    if (!pl) {
        rh_page_fail(p);
        return;
    }
    rh_plot_render(pl, p);
    rh_plot_free(pl);
}

/* The client's requests per second by outcome: completions always, the others when any. */
static void outcomes(rh_page *p, const timeline *tl) {
    static const struct {
        const char *path, *name;
    } OUT[] = {{"requests.completed", "completed"},
               {"requests.failed", "failed"},
               {"requests.rejected", "rejected"},
               {"requests.timed_out", "timed out"}};
    rh_plot *pl = new_plot(tl, "Client requests per second, by outcome", "requests/s");
    for (size_t k = 0; k < sizeof OUT / sizeof OUT[0]; k++) {
        double *v = column(tl, OUT[k].path);
        if (v && (k == 0 || !all_zero(v, tl->n))) {
            for (size_t i = 0; i < tl->n; i++)
                v[i] = tl->len_s[i] > 0 ? v[i] / tl->len_s[i] : NAN;
            rh_plot_series(pl, OUT[k].name, RH_LINE, tl->t_s, v, tl->n);
        }
        free(v);
    }
    finish(p, pl);
}

static void latency(rh_page *p, const timeline *tl) {
    static const struct {
        const char *path, *name;
    } LAT[] = {{"requests.latency_ms.mean", "mean"},
               {"requests.latency_ms.p50", "p50"},
               {"requests.latency_ms.p99", "p99"}};
    rh_plot *pl = new_plot(tl, "Client latency of the requests completed in each interval", "ms");
    for (size_t k = 0; k < sizeof LAT / sizeof LAT[0]; k++) {
        double *v = column(tl, LAT[k].path);
        if (v)
            rh_plot_series(pl, LAT[k].name, RH_LINE, tl->t_s, v, tl->n);
        free(v);
    }
    finish(p, pl);
}

/* A family of node figures: the series path suffix, the plot's title and y label. */
typedef struct family {
    const char *suffix, *title, *y_label;
    bool lanes; /* a 0/1 role: one lane per node */
} family;

static const family FAMILIES[] = {
    {"queue_mean", "Queue length (requests waiting, time average)", "requests", false},
    {"in_flight", "Requests at the node (in service and waiting, time average)", "requests", false},
    {"utilization", "Utilization (busy workers / workers)", "fraction", false},
    {"workers", "Workers (time average; a scale changes the count)", "workers", false},
    {"primary", "Primary role (one lane per instance; raised while it holds the role)",
     "instance lane", true},
    {"lag_ms.mean", "Replication lag (mean, ms)", "ms", false},
    {"hit_ratio", "Cache hit ratio", "fraction", false},
    {"state_code", "Breaker state (0 closed, 1 open, 2 half-open, 3 forced open, 4 forced closed)",
     "state", false},
    {"failed", "Requests failed at the node, per interval", "requests", false},
    {"rejected", "Requests rejected by the node, per interval", "requests", false},
    {"denied", "Requests denied by the rate limiter, per interval", "requests", false},
    {"active_shards", "Active shards", "shards", false},
    {"depth", "Queue depth (messages waiting for a delivery)", "messages", false},
    {"oldest_age_ms", "Age of the oldest message held (ms)", "ms", false},
};

/* The node of the document that series path names (nodes.NODE.SUFFIX, the longest node name
 * that fits), when its suffix is suffix and its kind is not a client. */
static const cJSON *node_of(const cJSON *nodes, const char *path, const char *suffix) {
    if (strncmp(path, "nodes.", 6) != 0)
        return NULL;
    const char *rest = path + 6;
    size_t rn = strlen(rest), sn = strlen(suffix);
    if (rn < sn + 2 || strcmp(rest + rn - sn, suffix) != 0 || rest[rn - sn - 1] != '.')
        return NULL;
    size_t name_len = rn - sn - 1;
    const cJSON *node;
    cJSON_ArrayForEach(node, nodes) {
        /* the members of an object have names; anything else was passed over by the caller */
        if (node->string && strlen(node->string) == name_len &&
            strncmp(node->string, rest, name_len) == 0) {
            const cJSON *kind = rh_get(node, "kind");
            if (cJSON_IsString(kind) && strcmp(kind->valuestring, "client") == 0)
                return NULL;
            return node;
        }
    }
    return NULL;
}

/* The group of a node name: the graph's group it is an instance of ("db" for "db.1"), or the
 * name itself. */
static const char *group_of(const cJSON *graph, const char *name, char *buf, size_t len) {
    const cJSON *groups = rh_list(rh_get(graph, "nodes")), *g;
    cJSON_ArrayForEach(g, groups) {
        const cJSON *gn = rh_get(g, "name");
        if (!cJSON_IsString(gn))
            continue;
        size_t n = strlen(gn->valuestring);
        if (strncmp(name, gn->valuestring, n) == 0 && name[n] == '.' && name[n + 1] >= '0' &&
            name[n + 1] <= '9' && strspn(name + n + 1, "0123456789") == strlen(name + n + 1)) {
            snprintf(buf, len, "%s", gn->valuestring);
            return buf;
        }
    }
    snprintf(buf, len, "%s", name);
    return buf;
}

typedef struct line {
    char name[160];
    double *v;
    size_t members; /* instances folded into it */
    double *count;  /* while folding: how many instances had a value at each time */
} line;

/* Draws one family; returns false when it was 0 throughout (or absent). */
static bool draw_family(rh_page *p, const timeline *tl, const family *fam, bool *absent) {
    /* only an object's members are named: "nodes" of any other type names no node */
    const cJSON *nodes = rh_object(rh_get(tl->doc, "nodes"));
    const cJSON *graph = rh_get(tl->doc, "graph");
    size_t cap = 0, n = 0;
    line *lines = NULL;
    bool nonzero = false;
    const cJSON *col;
    cJSON_ArrayForEach(col, tl->series) {
        const cJSON *node = node_of(nodes, col->string, fam->suffix);
        if (!node)
            continue;
        double *v = column(tl, col->string);
        if (!v)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            line *grown = realloc(lines, cap * sizeof *grown);
            if (!grown) {
                free(v);
                rh_page_fail(p);
                break;
            }
            lines = grown;
        }
        lines[n] = (line){.v = v, .members = 1};
        snprintf(lines[n].name, sizeof lines[n].name, "%s", node->string);
        nonzero = nonzero || !all_zero(v, tl->n);
        n++;
    }
    *absent = n == 0;
    bool drawn = false;
    if (nonzero) {
        size_t shown = n, folded_groups = 0;
        if (n > RH_SERIES_MAX_LINES && !fam->lanes) {
            /* fold each instance group into the mean of its instances, in order of first
             * appearance */
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                char gi[160], gk[160];
                group_of(graph, lines[i].name, gi, sizeof gi);
                size_t into = k;
                for (size_t j = 0; j < k; j++)
                    if (strcmp(group_of(graph, lines[j].name, gk, sizeof gk), gi) == 0 ||
                        strcmp(lines[j].name, gi) == 0)
                        into = j;
                if (into == k) {
                    line moved = lines[i];
                    lines[i] = lines[k];
                    lines[k] = moved;
                    snprintf(lines[k].name, sizeof lines[k].name, "%s", gi);
                    k++;
                    continue;
                }
                line *a = &lines[into];
                if (!a->count) {
                    /* the representative becomes a sum and a count per interval */
                    a->count = malloc(tl->n * sizeof *a->count);
                    if (!a->count) {
                        rh_page_fail(p);
                        continue;
                    }
                    for (size_t t = 0; t < tl->n; t++) {
                        a->count[t] = isfinite(a->v[t]);
                        a->v[t] = isfinite(a->v[t]) ? a->v[t] : 0;
                    }
                }
                for (size_t t = 0; t < tl->n; t++)
                    if (isfinite(lines[i].v[t])) {
                        a->v[t] += lines[i].v[t];
                        a->count[t]++;
                    }
                a->members++;
            }
            for (size_t j = 0; j < k; j++)
                if (lines[j].count) {
                    for (size_t t = 0; t < tl->n; t++)
                        lines[j].v[t] =
                            lines[j].count[t] > 0 ? lines[j].v[t] / lines[j].count[t] : NAN;
                    free(lines[j].count);
                    lines[j].count = NULL;
                }
            for (size_t j = 0; j < k; j++)
                if (lines[j].members > 1) {
                    size_t len = strlen(lines[j].name);
                    snprintf(lines[j].name + len, sizeof lines[j].name - len, " (mean of %zu)",
                             lines[j].members);
                    folded_groups++;
                }
            shown = k;
        }
        size_t drawn_lines =
            shown < RH_SERIES_MAX_LINES || fam->lanes ? shown : RH_SERIES_MAX_LINES;
        /* lanes name their instances on the y axis' label, top lane first */
        char lanes[128];
        snprintf(lanes, sizeof lanes, "%s", fam->y_label);
        if (fam->lanes) {
            size_t at = 0;
            for (size_t i = 0; i < drawn_lines && at < sizeof lanes; i++) {
                int k =
                    snprintf(lanes + at, sizeof lanes - at, "%s%s", i ? ", " : "", lines[i].name);
                at += k < 0 ? 0 : (size_t)k;
            }
            if (at + sizeof " (top to bottom)" > sizeof lanes)
                snprintf(lanes, sizeof lanes, "lanes in legend order, top first");
            else
                snprintf(lanes + at, sizeof lanes - at, " (top to bottom)");
        }
        rh_plot *pl = new_plot(tl, fam->title, lanes);
        if (fam->lanes)
            rh_plot_y_range(pl, 0, (double)drawn_lines);
        for (size_t i = 0; i < drawn_lines; i++) {
            if (fam->lanes) {
                /* lane i from the top, a unit high: 0.15 above its floor, 0.85 while the role
                 * is held (1) */
                double lane = (double)(drawn_lines - 1 - i);
                for (size_t t = 0; t < tl->n; t++)
                    lines[i].v[t] =
                        isfinite(lines[i].v[t]) ? lane + 0.15 + 0.7 * lines[i].v[t] : NAN;
            }
            rh_plot_series(pl, lines[i].name, RH_LINE, tl->t_s, lines[i].v, tl->n);
        }
        finish(p, pl);
        if (folded_groups || drawn_lines < shown)
            rh_raw(p,
                   "<p class=\"note\">%zu series; instance groups folded into their mean%s."
                   "</p>\n",
                   n, drawn_lines < shown ? ", the first 8 drawn" : "");
        drawn = true;
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i].v);
    free(lines);
    return drawn;
}

void rh_series_plots(rh_page *p, const cJSON *doc) {
    const cJSON *series = rh_get(doc, "series");
    const cJSON *t = rh_get(series, "t_ms");
    if (!cJSON_IsArray(t) || cJSON_GetArraySize(t) < 1)
        return;
    timeline tl = {.doc = doc, .series = series, .n = (size_t)cJSON_GetArraySize(t)};
    tl.t_s = malloc(tl.n * sizeof *tl.t_s);
    tl.len_s = malloc(tl.n * sizeof *tl.len_s);
    if (!tl.t_s || !tl.len_s) {
        free(tl.t_s);
        free(tl.len_s);
        rh_page_fail(p);
        return;
    }
    size_t i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, t) {
        tl.t_s[i] = cJSON_IsNumber(it) ? it->valuedouble / 1000 : NAN;
        tl.len_s[i] = i == 0 ? tl.t_s[0] : tl.t_s[i] - tl.t_s[i - 1];
        i++;
    }
    double duration = rh_num_at(doc, "duration_s");
    tl.end_s = isfinite(duration) && duration > 0 ? duration : tl.t_s[tl.n - 1];
    if (read_shades(&tl)) {
        free(tl.t_s);
        free(tl.len_s);
        free(tl.shades);
        rh_page_fail(p);
        return;
    }

    char interval[64];
    rh_fmt_num(interval, sizeof interval, rh_num_at(series, "interval_ms"));
    rh_raw(p,
           "<h3>Time series</h3>\n<p class=\"note\">Every %s ms of simulated time; faults "
           "shaded from their start to their end (a fault without an end is a dashed "
           "red line); the grey dotted line \xE2\x80\x9cwarm-up ends\xE2\x80\x9d is where "
           "the document's figures start counting.</p>\n",
           interval);
    if (tl.nfaults > tl.nshades)
        rh_raw(p,
               "<p class=\"note\">%zu faults; the first %d drawn on each plot (more would "
               "cover the plots).</p>\n",
               tl.nfaults, RH_SERIES_MAX_SHADES);
    outcomes(p, &tl);
    latency(p, &tl);
    char quiet[1024] = "";
    size_t qn = 0;
    for (size_t f = 0; f < sizeof FAMILIES / sizeof FAMILIES[0]; f++) {
        bool absent;
        if (!draw_family(p, &tl, &FAMILIES[f], &absent) && !absent && qn < sizeof quiet) {
            int k =
                snprintf(quiet + qn, sizeof quiet - qn, "%s%s", qn ? "; " : "", FAMILIES[f].title);
            qn += k < 0 ? 0 : (size_t)k;
        }
    }
    if (qn) {
        rh_raw(p, "<p class=\"note\">0 throughout, not drawn: ");
        rh_text(p, quiet);
        rh_raw(p, ".</p>\n");
    }
    free(tl.t_s);
    free(tl.len_s);
    free(tl.shades);
}
