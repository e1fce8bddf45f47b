/* Numbers of the report (format.h). */
#include "format.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Inserts thousands commas into the digits of a whole number printed in buf. */
static void add_commas(char *buf, size_t len) {
    char digits[64];
    snprintf(digits, sizeof digits, "%s", buf);
    const char *d = digits[0] == '-' ? digits + 1 : digits;
    size_t n = strlen(d), o = 0;
    if (digits[0] == '-' && o + 1 < len)
        buf[o++] = '-';
    for (size_t i = 0; i < n && o + 1 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o + 2 < len)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
}

void rh_fmt_num(char *buf, size_t len, double v) {
    if (!isfinite(v)) {
        snprintf(buf, len, "\xE2\x80\x93");
        return;
    }
    if (v == 0)
        v = 0; /* no "-0" */
    if (fabs(v) >= 1e18) {
        snprintf(buf, len, "%.4g", v);
    } else if (v == floor(v) || fabs(v) >= 1e4) {
        snprintf(buf, len, "%.0f", v);
        add_commas(buf, len);
    } else {
        snprintf(buf, len, "%.4g", v);
    }
}

const cJSON *rh_object(const cJSON *obj) { return cJSON_IsObject(obj) ? obj : NULL; }

const cJSON *rh_list(const cJSON *list) { return cJSON_IsArray(list) ? list : NULL; }

const cJSON *rh_get(const cJSON *obj, const char *key) {
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

double rh_num_at(const cJSON *doc, const char *path) {
    char key[256];
    const cJSON *at = doc;
    while (at && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NAN;
        memcpy(key, path, n);
        key[n] = '\0';
        at = rh_get(at, key);
        path += n + (path[n] == '.');
    }
    return cJSON_IsNumber(at) ? at->valuedouble : NAN;
}

void rh_seeds_text(const cJSON *seeds, char *buf, size_t size) {
    int n = cJSON_GetArraySize(seeds);
    bool run = n > 2;
    for (int i = 1; run && i < n; i++)
        run = cJSON_GetArrayItem(seeds, i)->valuedouble ==
              cJSON_GetArrayItem(seeds, i - 1)->valuedouble + 1;
    if (run) {
        snprintf(buf, size, "%.0f..%.0f (%d)", cJSON_GetArrayItem(seeds, 0)->valuedouble,
                 cJSON_GetArrayItem(seeds, n - 1)->valuedouble, n);
        return;
    }
    size_t k = 0;
    buf[0] = '\0';
    const cJSON *v;
    cJSON_ArrayForEach(v, seeds) {
        if (k >= size)
            break;
        int w = snprintf(buf + k, size - k, "%s%.0f", k ? ", " : "", v->valuedouble);
        k = w < 0 ? size : k + (size_t)w;
    }
}
