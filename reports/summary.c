/* Renders a result document for people: a header line, the client requests with their
 * latency percentiles, the consistency oracle's figures when the run had keyed data, one block
 * per node listing its figures in document order, the network counters and the fault log.
 * Generic over kinds: a new kind's figures show up unchanged. */
#include "summary.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

static double num(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

/* Prints a number compactly: integers as such, others with 4 significant digits. */
static void print_value(FILE *out, double v) {
    if (isnan(v))
        fputs("-", out);
    else if (v == floor(v) && fabs(v) < 1e15)
        fprintf(out, "%.0f", v);
    else
        fprintf(out, "%.4g", v);
}

/* Prints the scalars of obj as "key value" pairs, and nested objects as key{k v, ...}. */
static void print_fields(FILE *out, const cJSON *obj, const char *skip) {
    const cJSON *it;
    bool first = true;
    cJSON_ArrayForEach(it, obj) {
        if (skip && strcmp(it->string, skip) == 0)
            continue;
        if (!first)
            fputs("  ", out);
        first = false;
        fprintf(out, "%s ", it->string);
        if (cJSON_IsNumber(it))
            print_value(out, it->valuedouble);
        else if (cJSON_IsString(it))
            fputs(it->valuestring, out);
        else if (cJSON_IsBool(it))
            fputs(cJSON_IsTrue(it) ? "yes" : "no", out);
        else if (cJSON_IsObject(it)) {
            fputc('{', out);
            print_fields(out, it, NULL);
            fputc('}', out);
        } else if (cJSON_IsArray(it))
            fprintf(out, "[%d]", cJSON_GetArraySize(it));
    }
}

/* A labelled figure of a line: text before the value, the key, text after. */
typedef struct figure {
    const char *before, *key, *after;
} figure;

static void print_figures(FILE *out, const cJSON *obj, const figure *f, size_t n) {
    for (size_t i = 0; i < n; i++) {
        fputs(f[i].before, out);
        print_value(out, num(obj, f[i].key));
        fputs(f[i].after, out);
    }
}

static void print_requests(FILE *out, const cJSON *req) {
    static const figure line[] = {
        {"requests   issued ", "issued", ""},  {"  completed ", "completed", ""},
        {"  rejected ", "rejected", ""},       {"  timed_out ", "timed_out", ""},
        {"  failed ", "failed", ""},           {"  throughput ", "throughput_rps", "/s\n"},
    };
    if (!req)
        return;
    print_figures(out, req, line, sizeof line / sizeof *line);
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(req, "latency_ms");
    if (lat && num(req, "completed") > 0) {
        fputs("latency ms ", out);
        print_fields(out, lat, NULL);
        fputc('\n', out);
    }
}

static void print_faults(FILE *out, const cJSON *faults) {
    const cJSON *f;
    if (!cJSON_IsArray(faults))
        return;
    fputs("faults\n", out);
    cJSON_ArrayForEach(f, faults) {
        fputs("  ", out);
        print_fields(out, f, NULL);
        fputc('\n', out);
    }
}

/* Length of the group part of an instance name ("web" in "web.12"), or 0 when not one. */
static size_t group_len(const char *name) {
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
    size_t g = group_len(n->string);
    int count = 1;
    if (!g)
        return 1;
    for (const cJSON *m = n->next; m && group_len(m->string) == g &&
                                   strncmp(m->string, n->string, g) == 0;
         m = m->next)
        count++;
    return count;
}

enum { FOLD_ABOVE = 8, FOLD_SHOW = 3 }; /* big groups: show a few instances, then a count */

void dsim_summary_print(FILE *out, const cJSON *doc) {
    static const figure head[] = {
        {"  seed ", "seed", ""},
        {"  simulated ", "duration_s", " s"},
        {" (warm-up ", "warmup_s", " s)"},
        {"  events ", "events", "\n"},
    };
    fputs(str(doc, "topology"), out);
    print_figures(out, doc, head, sizeof head / sizeof *head);
    print_requests(out, cJSON_GetObjectItemCaseSensitive(doc, "requests"));
    const cJSON *consistency = cJSON_GetObjectItemCaseSensitive(doc, "consistency");
    if (consistency) {
        fputs("consistency ", out);
        print_fields(out, consistency, NULL);
        fputc('\n', out);
    }

    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(doc, "nodes"), *n;
    size_t width = 4;
    cJSON_ArrayForEach(n, nodes) {
        size_t len = strlen(n->string);
        if (len > width)
            width = len;
    }
    if (nodes)
        fputs("nodes\n", out);
    for (n = nodes ? nodes->child : NULL; n;) {
        int run = run_length(n);
        int shown = run > FOLD_ABOVE ? FOLD_SHOW : run;
        for (int i = 0; i < shown; i++, n = n->next) {
            fprintf(out, "  %-*s %-8s ", (int)width, n->string, str(n, "kind"));
            print_fields(out, n, "kind");
            fputc('\n', out);
        }
        if (run > shown) {
            fprintf(out, "  ... %d more instances of %.*s (see the result document)\n",
                    run - shown, (int)group_len(n->string), n->string);
            for (int i = shown; i < run; i++)
                n = n->next;
        }
    }
    const cJSON *net = cJSON_GetObjectItemCaseSensitive(doc, "network");
    if (net) {
        fputs("network    ", out);
        print_fields(out, net, NULL);
        fputc('\n', out);
    }
    print_faults(out, cJSON_GetObjectItemCaseSensitive(doc, "faults"));
}
