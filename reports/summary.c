/* Renders a result document for people, as a report of aligned tables at most 120 columns
 * wide: a header line; the client requests and their latency; the consistency oracle's
 * figures when the run had keyed data; the delivery checker's, a row per group, when it had
 * brokers; the leadership checker's; the transactions' outcomes and the anomalies found, each
 * with its example in words; the nodes, one table per run of consecutive nodes of a
 * kind (a row per node, a column per figure, figures of nested objects under a group heading,
 * objects of objects such as a load balancer's backends as a sub-table below); the network
 * counters; the fault log, one line per action saying what it did and where; the verdicts of
 * `expect:`. Generic over
 * kinds: a new kind's figures show up unchanged, formatted by their key's name (reports/
 * human.h). Wide tables are split into blocks of columns; big replica groups are folded. */
#include "summary.h"

#include "human.h"
#include "strfmt.h"
#include "table.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum {
    WIDTH = 120,    /* the widest line (unless one name alone is wider) */
    TOP_LABEL = 11, /* label width of the top tables ("consistency"), so they align */
    FOLD_ABOVE = DSIM_SUMMARY_FOLD_ABOVE, /* larger groups show FOLD_SHOW, then a count */
    FOLD_SHOW = 3,
    MAX_DEPTH = 4, /* sub-tables of sub-tables nest at most this deep */
};

static const char *str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

static double num(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static bool is_scalar(const cJSON *v) {
    return cJSON_IsNumber(v) || cJSON_IsString(v) || cJSON_IsBool(v) || cJSON_IsNull(v);
}

/* An object or array with objects among its entries: they become rows of a sub-table. */
static bool holds_objects(const cJSON *v) {
    const cJSON *c;
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return false;
    cJSON_ArrayForEach(c, v) {
        if (cJSON_IsObject(c))
            return true;
    }
    return false;
}

/* The text of scalar v, a number in unit u; buf holds DSIM_HUMAN_MAX bytes. */
static const char *scalar_text(char *buf, const cJSON *v, dsim_human_unit u) {
    if (cJSON_IsNumber(v))
        return dsim_human_value(buf, v->valuedouble, u);
    if (cJSON_IsString(v))
        return v->valuestring;
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "yes" : "no";
    return "-";
}

/* Sets the cell of column (group, label of key) in the current row, adding the column just
 * after *prev when it is new, so the columns are the union of the rows' figures in order. */
static void set_cell(dsim_table *t, int *prev, const char *group, const char *key, const char *text,
                     bool left) {
    char *name = dsim_human_label(key);
    if (!name)
        return;
    int pos = dsim_table_find(t, group, name);
    if (pos < 0)
        pos = dsim_table_add_column(t, *prev + 1, group, name, left);
    if (pos >= 0) {
        dsim_table_set(t, pos, text);
        *prev = pos;
    }
    free(name);
}

/* Adds obj's figures (but skip) to the current row: a scalar is a column (numbers in the
 * unit of their key's name, else in inherit); an object's scalars are a group of columns in
 * the object key's unit unless their own name says otherwise; an array is its number of
 * entries. Objects in objects and arrays are left to sub-tables. */
static void add_figures(dsim_table *t, const cJSON *obj, const char *skip,
                        dsim_human_unit inherit) {
    char buf[DSIM_HUMAN_MAX];
    int prev = -1;
    const cJSON *it;
    cJSON_ArrayForEach(it, obj) {
        if (skip && strcmp(it->string, skip) == 0)
            continue;
        dsim_human_unit u = dsim_human_unit_of(it->string);
        if (u == DSIM_HUMAN_PLAIN)
            u = inherit;
        if (is_scalar(it)) {
            set_cell(t, &prev, "", it->string, scalar_text(buf, it, u), !cJSON_IsNumber(it));
        } else if (cJSON_IsArray(it)) {
            set_cell(t, &prev, "", it->string, dsim_human_number(buf, cJSON_GetArraySize(it)),
                     false);
        } else if (cJSON_IsObject(it)) {
            char *group = dsim_human_label(it->string);
            const cJSON *c;
            cJSON_ArrayForEach(c, it) {
                if (!group || !is_scalar(c))
                    continue;
                dsim_human_unit cu = dsim_human_unit_of(c->string);
                set_cell(t, &prev, group, c->string,
                         scalar_text(buf, c, cu == DSIM_HUMAN_PLAIN ? u : cu), !cJSON_IsNumber(c));
            }
            free(group);
        }
    }
}

/* A row of a table of objects: the object and its label, or (obj NULL) a note. */
typedef struct entry {
    const cJSON *obj;
    char *label; /* owned */
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
} entries;

/* Appends (obj, label); label is taken over (freed on failure). Returns 0 or -1. */
static int push(entries *es, const cJSON *obj, char *label) {
    if (!label)
        return -1;
    if (es->n == es->cap) {
        size_t cap = es->cap ? 2 * es->cap : 16;
        entry *v = realloc(es->v, cap * sizeof *v);
        if (!v) {
            free(label);
            return -1;
        }
        es->v = v;
        es->cap = cap;
    }
    es->v[es->n++] = (entry){obj, label};
    return 0;
}

static void entries_free(entries *es) {
    for (size_t i = 0; i < es->n; i++)
        free(es->v[i].label);
    free(es->v);
    *es = (entries){0};
}

static void print_objects(FILE *out, const char *corner, const entries *rows, int indent, int depth,
                          const char *skip);

/* True when key is among the n keys of seen; else adds it there. Past cap keys, true: the
 * document has the rest (printing them again for every row would be quadratic). */
static bool seen_before(const char **seen, size_t *n, size_t cap, const char *key) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp(seen[i], key) == 0)
            return true;
    if (*n == cap)
        return true;
    seen[(*n)++] = key;
    return false;
}

/* For each key whose value holds objects (a load balancer's backends, a breaker's changes),
 * in order of first appearance: one sub-table over all rows that have it, a row per object
 * ("web.0", or "#1" in a list), labelled with its owner's name when several rows own one. */
static void print_subtables(FILE *out, const entries *rows, int indent, int depth) {
    /* The keys done so far: few (a kind has a handful of such keys), so a list will do. */
    enum { MAX_KEYS = 64 };
    const char *seen[MAX_KEYS];
    size_t nseen = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, rows->v[i].obj) {
            if (!holds_objects(it) || seen_before(seen, &nseen, MAX_KEYS, it->string))
                continue;
            size_t owners = 0;
            for (size_t j = i; j < rows->n; j++)
                owners +=
                    rows->v[j].obj &&
                    holds_objects(cJSON_GetObjectItemCaseSensitive(rows->v[j].obj, it->string));
            entries sub = {0};
            for (size_t j = i; j < rows->n; j++) {
                const cJSON *v = rows->v[j].obj
                                     ? cJSON_GetObjectItemCaseSensitive(rows->v[j].obj, it->string)
                                     : NULL;
                if (!holds_objects(v))
                    continue;
                const cJSON *c;
                int k = 0;
                cJSON_ArrayForEach(c, v) {
                    k++;
                    if (!cJSON_IsObject(c))
                        continue;
                    char *name = c->string ? sim_strfmt("%s", c->string) : sim_strfmt("#%d", k);
                    char *label =
                        owners > 1 && name ? sim_strfmt("%s > %s", rows->v[j].label, name) : name;
                    if (label != name)
                        free(name);
                    push(&sub, c, label);
                }
            }
            char *key = dsim_human_label(it->string);
            char *corner = key && owners == 1 ? sim_strfmt("%s %s", rows->v[i].label, key) : NULL;
            if (key)
                print_objects(out, corner ? corner : key, &sub, indent, depth, NULL);
            free(corner);
            free(key);
            entries_free(&sub);
        }
    }
}

/* Prints rows as one table headed corner, then their sub-tables indented below it. */
static void print_objects(FILE *out, const char *corner, const entries *rows, int indent, int depth,
                          const char *skip) {
    dsim_table *t = dsim_table_new(corner);
    if (!t)
        return;
    for (size_t i = 0; i < rows->n; i++) {
        if (!rows->v[i].obj) {
            dsim_table_add_note(t, rows->v[i].label);
        } else if (dsim_table_add_row(t, rows->v[i].label) == 0) {
            add_figures(t, rows->v[i].obj, skip, DSIM_HUMAN_PLAIN);
        }
    }
    dsim_table_print(t, out, indent, WIDTH);
    dsim_table_free(t);
    if (depth < MAX_DEPTH)
        print_subtables(out, rows, indent + 2, depth + 1);
}

/* A table of one row, labelled label, of obj's figures (but skip) in unit inherit. */
static void print_row(FILE *out, const char *label, const cJSON *obj, const char *skip,
                      dsim_human_unit inherit) {
    dsim_table *t = dsim_table_new("");
    if (!t)
        return;
    dsim_table_min_label(t, TOP_LABEL);
    if (dsim_table_add_row(t, label) == 0)
        add_figures(t, obj, skip, inherit);
    fputc('\n', out);
    dsim_table_print(t, out, 0, WIDTH);
    dsim_table_free(t);
}

/* Of a delivery group's figures, what the summary shows (the document has the kinds of loss
 * and the extra processings too): its counts, then the median and tail of its delay. */
static cJSON *delivery_row(const cJSON *g) {
    static const char *const counts[] = {"acknowledged", "processed_once",  "processed_more",
                                         "lost",         "dead_lettered",   "missed",
                                         "pending",      "order_violations"};
    cJSON *row = cJSON_CreateObject();
    for (size_t i = 0; row && i < sizeof counts / sizeof *counts; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(g, counts[i]);
        if (v)
            cJSON_AddItemToObject(row, counts[i], cJSON_Duplicate(v, false));
    }
    const cJSON *delay = cJSON_GetObjectItemCaseSensitive(g, "delay_ms");
    cJSON *d = row && cJSON_IsObject(delay) ? cJSON_AddObjectToObject(row, "delay_ms") : NULL;
    for (size_t i = 0; d && i < 2; i++) {
        const char *key = i ? "p99" : "p50";
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(delay, key);
        if (v)
            cJSON_AddItemToObject(d, key, cJSON_Duplicate(v, false));
    }
    return row;
}

/* The delivery checker's verdicts: a row per group (a queue, a stream's consumer group, a
 * pub/sub subscriber), in the document's order, and the refused publishes below. */
static void print_delivery(FILE *out, const cJSON *delivery) {
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(delivery, "groups");
    double refused = num(delivery, "refused");
    const cJSON *list = cJSON_IsObject(groups) ? groups : NULL;
    if (!(list && list->child) && !(refused > 0))
        return;
    dsim_table *t = dsim_table_new("delivery");
    if (!t)
        return;
    dsim_table_min_label(t, TOP_LABEL);
    const cJSON *g;
    cJSON_ArrayForEach(g, list) {
        cJSON *row = delivery_row(g);
        if (row && dsim_table_add_row(t, g->string) == 0)
            add_figures(t, row, NULL, DSIM_HUMAN_PLAIN);
        cJSON_Delete(row);
    }
    if (refused > 0) {
        char buf[DSIM_HUMAN_MAX], note[DSIM_HUMAN_MAX + 64];
        snprintf(note, sizeof note, "publishes refused (broker full): %s",
                 dsim_human_number(buf, refused));
        dsim_table_add_note(t, note);
    }
    fputc('\n', out);
    dsim_table_print(t, out, 0, WIDTH);
    dsim_table_free(t);
}

/* The leadership checker's figures (checkers/leadership.h): one row of what judges the
 * election and the replacements, and a note per incident of a watched server (the document
 * has every figure). */
static void print_leadership(FILE *out, const cJSON *lead) {
    static const char *const keys[] = {
        "elections",      "terms",         "split_votes", "leaderless_ms", "max_leaders_per_term",
        "dual_leader_ms", "stale_actions", "replacements"};
    cJSON *row = cJSON_CreateObject();
    for (size_t i = 0; row && i < sizeof keys / sizeof *keys; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(lead, keys[i]);
        if (v)
            cJSON_AddItemToObject(row, keys[i], cJSON_Duplicate(v, false));
    }
    dsim_table *t = row ? dsim_table_new("") : NULL;
    if (!t) {
        cJSON_Delete(row);
        return;
    }
    dsim_table_min_label(t, TOP_LABEL);
    if (dsim_table_add_row(t, "leadership") == 0)
        add_figures(t, row, NULL, DSIM_HUMAN_PLAIN);
    cJSON_Delete(row);
    const cJSON *inc;
    cJSON_ArrayForEach(inc, cJSON_GetObjectItemCaseSensitive(lead, "incident_log")) {
        char note[256], a[DSIM_HUMAN_MAX], b[DSIM_HUMAN_MAX], c[DSIM_HUMAN_MAX];
        const cJSON *server = cJSON_GetObjectItemCaseSensitive(inc, "server");
        const cJSON *repl = cJSON_GetObjectItemCaseSensitive(inc, "replacement");
        const cJSON *again = cJSON_GetObjectItemCaseSensitive(inc, "serving_again_ms");
        const cJSON *det = cJSON_GetObjectItemCaseSensitive(inc, "detected_ms");
        snprintf(a, sizeof a, "%.1f s", num(inc, "went_down_ms") / 1000);
        if (det)
            snprintf(b, sizeof b, "%.1f s", det->valuedouble / 1000);
        else
            snprintf(b, sizeof b, "never");
        if (again)
            snprintf(c, sizeof c, "%.1f s (%s), down %.1f s", again->valuedouble / 1000,
                     cJSON_IsString(repl) ? repl->valuestring : "?", num(inc, "down_ms") / 1000);
        else
            snprintf(c, sizeof c, "not yet");
        const char *name = cJSON_IsString(server) ? server->valuestring : "?";
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inc, "was_up"))) /* a false suspicion */
            snprintf(note, sizeof note,
                     "%s up but declared dead and stopped at %s, serving again %s", name, a, c);
        else
            snprintf(note, sizeof note, "%s down at %s, detected %s, serving again %s", name, a, b,
                     c);
        dsim_table_add_note(t, note);
    }
    fputc('\n', out);
    dsim_table_print(t, out, 0, WIDTH);
    dsim_table_free(t);
}

size_t dsim_summary_group_len(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1])
        return 0;
    for (const char *p = dot + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return (size_t)(dot - name);
}

/* Number of consecutive instances of the same group starting at n. */
static int run_length(const cJSON *n) {
    size_t g = dsim_summary_group_len(n->string);
    int count = 1;
    if (!g)
        return 1;
    for (const cJSON *m = n->next;
         m && dsim_summary_group_len(m->string) == g && strncmp(m->string, n->string, g) == 0;
         m = m->next)
        count++;
    return count;
}

/* One table per run of consecutive nodes of one kind, headed by the kind. */
static void print_nodes(FILE *out, const cJSON *nodes) {
    if (!cJSON_IsObject(nodes) || !nodes->child)
        return;
    fputs("\nnodes\n", out);
    for (const cJSON *n = nodes->child; n;) {
        const char *kind = str(n, "kind");
        entries rows = {0};
        while (n && strcmp(str(n, "kind"), kind) == 0) {
            int run = run_length(n);
            int shown = run > FOLD_ABOVE ? FOLD_SHOW : run;
            for (int i = 0; i < shown; i++, n = n->next)
                push(&rows, n, sim_strfmt("%s", n->string));
            if (run > shown) {
                push(&rows, NULL,
                     sim_strfmt("... %d more instances of %.*s (see the result document)",
                                run - shown, (int)dsim_summary_group_len(n->string), n->string));
                for (int i = shown; i < run; i++)
                    n = n->next;
            }
        }
        if (rows.n > 0 && rows.v != NULL && rows.v[0].obj != nodes->child)
            fputc('\n', out);
        print_objects(out, kind, &rows, 2, 0, "kind");
        entries_free(&rows);
    }
}

/* Prints words, breaking the line before one that would pass WIDTH and going on at indent. */
typedef struct wrap {
    FILE *out;
    size_t col, indent;
} wrap;

static void wrap_word(wrap *w, const char *word) {
    size_t n = strlen(word);
    if (w->col > w->indent && w->col + 1 + n > WIDTH) {
        fprintf(w->out, "\n%*s", (int)w->indent, "");
        w->col = w->indent;
    } else if (w->col > w->indent) {
        fputc(' ', w->out);
        w->col++;
    }
    fputs(word, w->out);
    w->col += n;
}

/* The sides of a partition: "web, users | db". */
static void describe_sides(wrap *w, const cJSON *sides) {
    const cJSON *side, *name;
    cJSON_ArrayForEach(side, sides) {
        if (side != sides->child)
            wrap_word(w, "|");
        cJSON_ArrayForEach(name, side) {
            char *word = sim_strfmt("%s%s", cJSON_IsString(name) ? name->valuestring : "?",
                                    name->next ? "," : "");
            if (word)
                wrap_word(w, word);
            free(word);
        }
    }
}

/* What a logged fault action did and where: "db.0", "5% from users to api",
 * "api.0 | db until 260 s" (and when that is past end_ms, that it never came), "(nemesis)"
 * for a drawn one; figures it does not know as "label value". */
static void describe_fault(wrap *w, const cJSON *f, double end_ms) {
    char buf[DSIM_HUMAN_MAX];
    const cJSON *it;
    cJSON_ArrayForEach(it, f) {
        const char *k = it->string;
        if (strcmp(k, "at_ms") == 0 || strcmp(k, "action") == 0 || strcmp(k, "nemesis") == 0)
            continue;
        if (strcmp(k, "sides") == 0 && cJSON_IsArray(it)) {
            describe_sides(w, it);
        } else if (strcmp(k, "scope") == 0 && cJSON_IsString(it)) {
            if (strcmp(it->valuestring, "link") != 0) /* a link: from and to follow */
                wrap_word(w, it->valuestring);
        } else if ((strcmp(k, "node") == 0 || strcmp(k, "probability") == 0) && is_scalar(it)) {
            wrap_word(w, scalar_text(buf, it, dsim_human_unit_of(k)));
        } else if (strcmp(k, "until_ms") == 0 && cJSON_IsNumber(it)) {
            wrap_word(w, "until");
            wrap_word(w, dsim_human_ms(buf, it->valuedouble));
            if (it->valuedouble > end_ms)
                wrap_word(w, "(after the end)");
        } else if (is_scalar(it)) {
            char *label = dsim_human_label(k);
            wrap_word(w, label ? label : k);
            free(label);
            wrap_word(w, scalar_text(buf, it, dsim_human_unit_of(k)));
        }
    }
    /* drawn by the nemesis (docs/faults.md): said last, as a mark on the line */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "nemesis")))
        wrap_word(w, "(nemesis)");
}

/* The fault log: the time, the action, then what it did, wrapped under itself. */
static void print_faults(FILE *out, const cJSON *faults, double end_ms) {
    char buf[DSIM_HUMAN_MAX];
    const cJSON *f;
    if (!cJSON_IsArray(faults) || !faults->child)
        return;
    size_t tw = 0, aw = 0;
    cJSON_ArrayForEach(f, faults) {
        size_t n = strlen(dsim_human_ms(buf, num(f, "at_ms")));
        tw = n > tw ? n : tw;
        n = strlen(str(f, "action"));
        aw = n > aw ? n : aw;
    }
    fputs("\nfaults\n", out);
    cJSON_ArrayForEach(f, faults) {
        fprintf(out, "  %*s  %-*s  ", (int)tw, dsim_human_ms(buf, num(f, "at_ms")), (int)aw,
                str(f, "action"));
        wrap w = {out, 2 + tw + 2 + aw + 2, 2 + tw + 2 + aw + 2};
        describe_fault(&w, f, end_ms);
        fputc('\n', out);
    }
}

/* The verdicts of `expect:` (contract §8.1), one line each: the metric, its value ("none"
 * when the run has none), the bounds, ok or FAILED. Numbers in full (%.10g): a bound is
 * compared with the value, not with its rounding. */
static void print_expect(FILE *out, const cJSON *list) {
    const cJSON *v;
    if (!cJSON_IsArray(list) || !list->child)
        return;
    int mw = 6, vw = 5;
    cJSON_ArrayForEach(v, list) {
        int n = (int)strlen(str(v, "metric"));
        mw = n > mw ? n : mw;
        char buf[32];
        n = snprintf(buf, sizeof buf, "%.10g", num(v, "value"));
        vw = n > vw ? n : vw;
    }
    fprintf(out, "\nexpect\n  %-*s  %*s  %-24s  verdict\n", mw, "metric", vw, "value", "bounds");
    cJSON_ArrayForEach(v, list) {
        char value[32], bounds[64];
        double lo = num(v, "min"), hi = num(v, "max"), x = num(v, "value");
        if (isnan(x))
            snprintf(value, sizeof value, "none");
        else
            snprintf(value, sizeof value, "%.10g", x);
        if (!isnan(lo) && !isnan(hi))
            snprintf(bounds, sizeof bounds, "%.10g .. %.10g", lo, hi);
        else if (!isnan(lo))
            snprintf(bounds, sizeof bounds, ">= %.10g", lo);
        else
            snprintf(bounds, sizeof bounds, "<= %.10g", hi);
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(v, "ok");
        fprintf(out, "  %-*s  %*s  %-24s  %s\n", mw, str(v, "metric"), vw, value, bounds,
                cJSON_IsTrue(ok) ? "ok" : "FAILED");
    }
}

/* Prints text as a paragraph indented by 2, its further lines by 4, at most WIDTH wide. */
static void wrap_text(FILE *out, const char *text) {
    size_t col = 2;
    fputs("  ", out);
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        int n = (int)strcspn(p, " ");
        if (!n)
            break;
        if (col > 2 && col + 1 + (size_t)n > WIDTH) {
            fputs("\n    ", out);
            col = 4;
        } else if (col > 2) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", n, p);
        col += (size_t)n;
        p += n;
    }
    fputc('\n', out);
}

/* A row of the figures `keys` of obj (a number each, or an object's "total"), those obj has. */
static cJSON *pick_row(const cJSON *obj, const char *const *keys, size_t n) {
    cJSON *row = cJSON_CreateObject();
    for (size_t i = 0; row && i < n; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, keys[i]);
        if (cJSON_IsObject(v))
            v = cJSON_GetObjectItemCaseSensitive(v, "total");
        if (cJSON_IsNumber(v))
            cJSON_AddNumberToObject(row, keys[i], v->valuedouble);
    }
    return row;
}

/* The transactions checker's figures (checkers/transactions.h): one row of the attempts'
 * outcomes (the document splits aborts and failures by reason). */
static void print_transactions(FILE *out, const cJSON *txn) {
    static const char *const keys[] = {"attempts", "committed",     "aborted",
                                       "retries",  "indeterminate", "failed"};
    cJSON *row = pick_row(txn, keys, sizeof keys / sizeof *keys);
    if (row)
        print_row(out, "transactions", row, NULL, DSIM_HUMAN_PLAIN);
    cJSON_Delete(row);
}

/* The anomaly checker's figures (checkers/anomalies.h): a row of the count of each class,
 * then a line per class seen in a cluster, with its example in words, and a line per broken
 * invariant, so that a learner sees what happened, not only how often. */
static void print_anomalies(FILE *out, const cJSON *an) {
    static const char *const keys[] = {"G0",
                                       "G1a",
                                       "G1b",
                                       "G1c",
                                       "G-single",
                                       "G2-item",
                                       "G2",
                                       "fuzzy_reads",
                                       "lost_updates",
                                       "read_skew",
                                       "write_skew",
                                       "phantoms",
                                       "invariant_violations"};
    cJSON *row = pick_row(an, keys, sizeof keys / sizeof *keys);
    if (!row)
        return;
    print_row(out, "anomalies", row, NULL, DSIM_HUMAN_PLAIN);
    cJSON_Delete(row);
    const cJSON *cluster;
    cJSON_ArrayForEach(cluster, cJSON_GetObjectItemCaseSensitive(an, "clusters")) {
        char note[1024];
        for (size_t i = 0; i + 1 < sizeof keys / sizeof *keys; i++) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(cluster, keys[i]);
            const cJSON *ex = cJSON_GetObjectItemCaseSensitive(c, "example");
            if (num(c, "count") > 0 && cJSON_IsObject(ex)) {
                snprintf(note, sizeof note, "%s %s (%.0f): %s", cluster->string, keys[i],
                         num(c, "count"), str(ex, "explanation"));
                wrap_text(out, note);
            }
        }
        const cJSON *inv;
        cJSON_ArrayForEach(inv, cJSON_GetObjectItemCaseSensitive(cluster, "invariants")) {
            if (num(inv, "state_violations") > 0 || num(inv, "view_violations") > 0) {
                snprintf(note, sizeof note,
                         "%s invariant %s broken: %.0f of %.0f committed states, %.0f of %.0f "
                         "reads of all its keys",
                         cluster->string, inv->string, num(inv, "state_violations"),
                         num(inv, "states"), num(inv, "view_violations"), num(inv, "views"));
                wrap_text(out, note);
            }
        }
    }
}

void dsim_summary_print(FILE *out, const cJSON *doc) {
    char dur[DSIM_HUMAN_MAX], warm[DSIM_HUMAN_MAX], events[DSIM_HUMAN_MAX];
    fprintf(out, "%s  seed %.0f  simulated %s", str(doc, "topology"), num(doc, "seed"),
            dsim_human_ms(dur, num(doc, "duration_s") * 1000));
    bool mser = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "warmup_auto"));
    if (num(doc, "warmup_s") > 0 || mser)
        fprintf(out, " (warm-up %s%s)", dsim_human_ms(warm, num(doc, "warmup_s") * 1000),
                mser ? ", chosen by MSER-5" : "");
    fprintf(out, "  %s events\n", dsim_human_number(events, num(doc, "events")));
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(doc, "requests");
    if (cJSON_IsObject(req)) {
        /* The per-operation and failure latencies and the histogram are for the document and
         * the report: the summary keeps to the counts and the latency row. */
        cJSON *counts = cJSON_Duplicate(req, true);
        static const char *const detail[] = {"latency_ms_by_op", "failed_latency_ms",
                                             "rejected_latency_ms", "latency_hist"};
        for (size_t i = 0; counts && i < sizeof detail / sizeof *detail; i++)
            cJSON_DeleteItemFromObjectCaseSensitive(counts, detail[i]);
        print_row(out, "requests", counts ? counts : req, "latency_ms", DSIM_HUMAN_PLAIN);
        cJSON_Delete(counts);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(req, "latency_ms");
        if (cJSON_IsObject(lat) && num(req, "completed") > 0)
            print_row(out, "latency", lat, NULL, DSIM_HUMAN_MS);
    }
    const cJSON *consistency = cJSON_GetObjectItemCaseSensitive(doc, "consistency");
    if (cJSON_IsObject(consistency))
        print_row(out, "consistency", consistency, NULL, DSIM_HUMAN_PLAIN);
    const cJSON *delivery = cJSON_GetObjectItemCaseSensitive(doc, "delivery");
    if (cJSON_IsObject(delivery))
        print_delivery(out, delivery);
    const cJSON *leadership = cJSON_GetObjectItemCaseSensitive(doc, "leadership");
    if (cJSON_IsObject(leadership))
        print_leadership(out, leadership);
    const cJSON *txn = cJSON_GetObjectItemCaseSensitive(doc, "transactions");
    if (cJSON_IsObject(txn))
        print_transactions(out, txn);
    const cJSON *anomalies = cJSON_GetObjectItemCaseSensitive(doc, "anomalies");
    if (cJSON_IsObject(anomalies))
        print_anomalies(out, anomalies);
    print_nodes(out, cJSON_GetObjectItemCaseSensitive(doc, "nodes"));
    const cJSON *net = cJSON_GetObjectItemCaseSensitive(doc, "network");
    if (cJSON_IsObject(net))
        print_row(out, "network", net, NULL, DSIM_HUMAN_PLAIN);
    print_faults(out, cJSON_GetObjectItemCaseSensitive(doc, "faults"),
                 num(doc, "duration_s") * 1000);
    print_expect(out, cJSON_GetObjectItemCaseSensitive(doc, "expect"));
}
