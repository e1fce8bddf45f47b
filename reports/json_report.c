/* Builds the result document with cJSON through the sim_report callbacks. Containers are kept
 * on a stack; a key written inside an array is ignored. Allocation failures are remembered and
 * turn the whole document into NULL, so a caller never writes a half document. */
#include "json_report.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct builder {
    cJSON *stack[MAX_DEPTH];
    int depth;
    cJSON *root;
    bool failed;
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

static void open_object(void *ud, const char *key) { push(ud, key, cJSON_CreateObject()); }
static void open_array(void *ud, const char *key) { push(ud, key, cJSON_CreateArray()); }

static void close_container(void *ud) {
    builder *b = ud;
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

static void number(void *ud, const char *key, double v) {
    add_leaf(ud, key, cJSON_CreateNumber(v));
}
static void integer(void *ud, const char *key, int64_t v) {
    /* cJSON keeps numbers as doubles: exact up to 2^53, far beyond any count we report. */
    add_leaf(ud, key, cJSON_CreateNumber((double)v));
}
static void string(void *ud, const char *key, const char *v) {
    add_leaf(ud, key, cJSON_CreateString(v ? v : ""));
}
static void boolean(void *ud, const char *key, bool v) { add_leaf(ud, key, cJSON_CreateBool(v)); }

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

cJSON *dsim_json_report(const sim_engine *e) {
    builder b = {0};
    sim_report w = {.ops = &json_ops, .ud = &b};
    sim_engine_report(e, &w);
    if (b.failed || b.depth != 0) {
        cJSON_Delete(b.root);
        return NULL;
    }
    return b.root;
}

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
