/* Builds the result document with cJSON through the sim_report callbacks. Containers are kept
 * on a stack; a key written inside an array is ignored. Allocation failures are remembered and
 * turn the whole document into NULL, so a caller never writes a half document. */
#include "json_report.h"

#include "summary.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct builder {
    cJSON *stack[MAX_DEPTH];
    int depth;
    cJSON *root;
    bool failed;
    /* Folding (dsim_json_summary_report): the instances the summary shows by name only are
     * kept as empty objects. */
    bool fold;
    cJSON *nodes;       /* the document's "nodes" object */
    const char *prev;   /* the name of the previous instance in it */
    int run_index;      /* its index within its run of one group */
    int skip;           /* > 0: inside an emptied instance, at this depth below it + 1 */
} builder;

static void add(builder *b, const char *key, cJSON *item) {
    if (!item) {
        b->failed = true;
        return;
    }
    if (b->depth == 0) {
        if (b->root) /* a second root: a writer bug; keep the first */
            cJSON_Delete(item), b->failed = true;
        else
            b->root = item;
        return;
    }
    cJSON *top = b->stack[b->depth - 1];
    if (cJSON_IsArray(top))
        cJSON_AddItemToArray(top, item);
    else
        cJSON_AddItemToObject(top, key ? key : "", item);
}

static void push(builder *b, const char *key, cJSON *item) {
    if (b->depth == MAX_DEPTH) {
        cJSON_Delete(item);
        b->failed = true;
        return;
    }
    add(b, key, item);
    b->stack[b->depth++] = item; /* NULL when allocation failed: adds below are dropped */
}

/* Whether the instance called key, opened next in "nodes", is one the summary shows by
 * name only (summary.h): from the (DSIM_SUMMARY_FOLD_ABOVE + 1)th of a run on. */
static bool folded_instance(builder *b, const char *key) {
    size_t g = key ? dsim_summary_group_len(key) : 0;
    if (g && b->prev && dsim_summary_group_len(b->prev) == g && strncmp(key, b->prev, g) == 0)
        b->run_index++;
    else
        b->run_index = 0;
    return b->run_index >= DSIM_SUMMARY_FOLD_ABOVE;
}

static void open_object(void *ud, const char *key) {
    builder *b = ud;
    if (b->skip) {
        b->skip++;
        return;
    }
    bool in_nodes = b->fold && b->depth == 2 && b->nodes && b->stack[1] == b->nodes;
    bool folded = in_nodes && folded_instance(b, key);
    /* The summary draws no topology: its graph stays an empty object. */
    folded = folded || (b->fold && b->depth == 1 && key && strcmp(key, "graph") == 0);
    cJSON *o = cJSON_CreateObject();
    push(b, key, o);
    if (b->fold && b->depth == 2 && key && strcmp(key, "nodes") == 0)
        b->nodes = o;
    if (in_nodes && o)
        b->prev = o->string; /* the tree's copy of the name */
    if (folded)
        b->skip = 1;
}

static void open_array(void *ud, const char *key) {
    builder *b = ud;
    if (b->skip)
        b->skip++;
    else
        push(b, key, cJSON_CreateArray());
}

static void close_container(void *ud) {
    builder *b = ud;
    if (b->skip > 1) {
        b->skip--;
        return;
    }
    b->skip = 0;
    if (b->depth > 0)
        b->depth--;
}

static void add_leaf(builder *b, const char *key, cJSON *item) {
    if (b->depth > 0 && !b->stack[b->depth - 1]) { /* inside a container that failed */
        cJSON_Delete(item);
        return;
    }
    add(b, key, item);
}

static bool skipping(void *ud) { return ((builder *)ud)->skip > 0; }

static void number(void *ud, const char *key, double v) {
    if (!skipping(ud))
        add_leaf(ud, key, cJSON_CreateNumber(v));
}
static void integer(void *ud, const char *key, int64_t v) {
    /* cJSON keeps numbers as doubles: exact up to 2^53, far beyond any count we report. */
    if (!skipping(ud))
        add_leaf(ud, key, cJSON_CreateNumber((double)v));
}
static void string(void *ud, const char *key, const char *v) {
    if (!skipping(ud))
        add_leaf(ud, key, cJSON_CreateString(v ? v : ""));
}
static void boolean(void *ud, const char *key, bool v) {
    if (!skipping(ud))
        add_leaf(ud, key, cJSON_CreateBool(v));
}

static const sim_report_ops json_ops = {
    .version = 1,
    .open_object = open_object,
    .open_array = open_array,
    .close = close_container,
    .number = number,
    .integer = integer,
    .string = string,
    .boolean = boolean,
};

static cJSON *build(const sim_engine *e, bool fold) {
    builder b = {.fold = fold};
    sim_report w = {.ops = &json_ops, .ud = &b};
    sim_engine_report(e, &w);
    if (b.failed || b.depth != 0) {
        cJSON_Delete(b.root);
        return NULL;
    }
    return b.root;
}

cJSON *dsim_json_report(const sim_engine *e) { return build(e, false); }

cJSON *dsim_json_summary_report(const sim_engine *e) { return build(e, true); }

char *dsim_json_render(const cJSON *doc) {
    char *text = cJSON_Print(doc);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = realloc(text, n + 2);
    if (!out) {
        free(text);
        return NULL;
    }
    out[n] = '\n';
    out[n + 1] = '\0';
    return out;
}
