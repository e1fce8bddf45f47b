/* The Elle history writer of elle_history.h, with cJSON: each op rendered on its own line, so
 * a long history is never one tree in memory. */
#include "elle_history.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"invoke", "ok", "fail", "info"};

/* A whole number written exactly: cJSON's doubles would print 2^53 and beyond (write ids,
 * times of long runs) rounded or with an exponent, which elle-cli would read as a double. */
static cJSON *whole(uint64_t v) {
    char text[24];
    snprintf(text, sizeof text, "%llu", (unsigned long long)v);
    return cJSON_CreateRaw(text);
}

/* One op map; NULL when out of memory. */
static cJSON *op_json(size_t index, const elle_op *op) {
    cJSON *o = cJSON_CreateObject(), *value = cJSON_CreateArray();
    if (!o || !value) {
        cJSON_Delete(o);
        cJSON_Delete(value);
        return NULL;
    }
    cJSON_AddItemToObject(o, "index", whole(index));
    cJSON_AddItemToObject(o, "type", cJSON_CreateString(type_names[op->type]));
    cJSON_AddItemToObject(o, "process", whole(op->process));
    cJSON_AddItemToObject(o, "f", cJSON_CreateString("txn"));
    cJSON_AddItemToObject(o, "value", value);
    cJSON_AddItemToObject(o, "time", whole((uint64_t)op->time));
    for (size_t i = 0; i < op->nmops; i++) {
        const elle_mop *m = &op->mops[i];
        cJSON *mop = cJSON_CreateArray();
        char f[2] = {m->f, '\0'};
        cJSON_AddItemToArray(value, mop);
        cJSON_AddItemToArray(mop, cJSON_CreateString(f));
        cJSON_AddItemToArray(mop, m->key_name ? cJSON_CreateString(m->key_name)
                                              : whole(m->key));
        cJSON_AddItemToArray(mop, m->nil ? cJSON_CreateNull()
                                         : whole(m->value));
    }
    return o;
}

char *elle_history_json(size_t n, elle_op_fn get, void *ud) {
    size_t len = 0, cap = 256;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        elle_mop room[ELLE_MAX_MOPS];
        elle_op op = {0};
        get(ud, i, &op, room);
        cJSON *o = op_json(i, &op);
        char *text = o ? cJSON_PrintUnformatted(o) : NULL;
        cJSON_Delete(o);
        size_t tl = text ? strlen(text) : 0;
        if (text && len + tl + 4 > cap) {
            while (len + tl + 4 > cap)
                cap *= 2;
            char *more = realloc(out, cap);
            if (!more) {
                free(text);
                text = NULL;
            } else {
                out = more;
            }
        }
        if (!text) {
            free(out);
            return NULL;
        }
        memcpy(out + len, text, tl);
        len += tl;
        if (i + 1 < n)
            out[len++] = ',';
        out[len++] = '\n';
        free(text);
    }
    if (len + 3 > cap) {
        char *more = realloc(out, cap + 3);
        if (!more) {
            free(out);
            return NULL;
        }
        out = more;
    }
    out[len++] = ']';
    out[len++] = '\n';
    out[len] = '\0';
    return out;
}
