/* Reading a sweep folder (sweep_data.h). */
#include "sweep_data.h"

#include "file_read.h"
#include "suggest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parsed JSON file at path, or NULL (errno set when it could not be read; 0 when it is
 * no JSON). */
static cJSON *read_json(const char *path) {
    size_t len;
    char *text = sim_read_file(path, SIM_MAX_DOC_BYTES, &len);
    if (!text)
        return NULL;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    free(text);
    if (!doc)
        errno = 0;
    return doc;
}

static char *join(const char *folder, const char *name) {
    size_t n = strlen(folder) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", folder, name);
    return p;
}

static void say(rh_sweep_error *e, const char *where, const char *note, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message into e, after "WHERE: " when where (a file in the folder) is given. */
static void say(rh_sweep_error *e, const char *where, const char *note, const char *fmt, ...) {
    snprintf(e->note, sizeof e->note, "%s", note ? note : "");
    int n = where ? snprintf(e->message, sizeof e->message, "%s: ", where) : 0;
    if (n < 0 || (size_t)n >= sizeof e->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message + n, sizeof e->message - (size_t)n, fmt, ap);
    va_end(ap);
}

/* Appends s to buf (size bytes, NUL-terminated), quoted for a POSIX shell when it holds
 * anything but letters, digits and -_./=:,+@%. */
static void append_word(char *buf, size_t size, const char *s) {
    size_t n = strlen(buf);
    bool plain = *s != '\0';
    for (const char *c = s; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%",
                       *c) != NULL;
    if (n + 1 < size)
        buf[n++] = ' ';
    if (!plain && n + 1 < size)
        buf[n++] = '\'';
    for (const char *c = s; *c && n + 4 < size; c++) {
        if (!plain && *c == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else
            buf[n++] = *c;
    }
    if (!plain && n + 1 < size)
        buf[n++] = '\'';
    buf[n < size ? n : size - 1] = '\0';
}

/* The note on an unfinished sweep: the command that made the folder, which resumes it (its
 * runs already written are skipped), rebuilt from DIR/sweep.json. */
static void resume_note(const char *folder, const cJSON *fd, char *note, size_t size) {
    const char *file = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fd, "topology"), "file"));
    if (!file) {
        snprintf(note, size,
                 "rerun the dsim sweep command that made it, with --out %s, to "
                 "finish it (runs already written are skipped)",
                 folder);
        return;
    }
    char cmd[768] = "dsim sweep";
    append_word(cmd, sizeof cmd, file);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fd, "set")) {
        append_word(cmd, sizeof cmd, "--set");
        append_word(cmd, sizeof cmd, cJSON_GetStringValue(v) ? v->valuestring : "");
    }
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fd, "vary")) {
        char axis[512];
        int n = snprintf(axis, sizeof axis,
                         "%s=", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "path")));
        const cJSON *x;
        const char *sep = "";
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(v, "values")) {
            if (n > 0 && (size_t)n < sizeof axis)
                n += snprintf(axis + n, sizeof axis - (size_t)n, "%s%s", sep,
                              cJSON_GetStringValue(x) ? x->valuestring : "");
            sep = ",";
        }
        append_word(cmd, sizeof cmd, "--vary");
        append_word(cmd, sizeof cmd, axis);
    }
    const cJSON *seeds = cJSON_GetObjectItemCaseSensitive(fd, "seeds");
    if (cJSON_GetArraySize(seeds) == 2) {
        char range[64];
        snprintf(range, sizeof range, "%.0f..%.0f", cJSON_GetArrayItem(seeds, 0)->valuedouble,
                 cJSON_GetArrayItem(seeds, 1)->valuedouble);
        append_word(cmd, sizeof cmd, "--seeds");
        append_word(cmd, sizeof cmd, range);
    }
    append_word(cmd, sizeof cmd, "--out");
    append_word(cmd, sizeof cmd, folder);
    snprintf(note, size,
             "resume it with the command that made it (runs already written are "
             "skipped): %s",
             cmd);
}

/* The index of value among a's values, added when new. SIZE_MAX when out of memory. */
static size_t value_index(rh_sweep_axis *a, const char *value) {
    for (size_t i = 0; i < a->nvalues; i++)
        if (strcmp(a->values[i], value) == 0)
            return i;
    const char **v = realloc(a->values, (a->nvalues + 1) * sizeof *v);
    if (!v)
        return SIZE_MAX;
    a->values = v;
    v[a->nvalues] = value;
    return a->nvalues++;
}

/* Each axis value's resolved number, from the `overrides` of the first run document of a
 * config that has it; an axis is numeric when all its values resolve to numbers of one unit.
 * Returns 0 or -1 when out of memory. */
static int resolve(rh_sweep *s) {
    bool **known = calloc(s->naxes ? s->naxes : 1, sizeof *known);
    bool *unit_seen = calloc(s->naxes ? s->naxes : 1, sizeof *unit_seen);
    bool ok = known && unit_seen;
    for (size_t a = 0; ok && a < s->naxes; a++) {
        rh_sweep_axis *x = &s->axes[a];
        x->resolved = calloc(x->nvalues ? x->nvalues : 1, sizeof *x->resolved);
        known[a] = calloc(x->nvalues ? x->nvalues : 1, sizeof **known);
        ok = x->resolved && known[a];
        x->numeric = x->nvalues > 0;
    }
    for (size_t c = 0; ok && c < s->nconfigs; c++) {
        bool needed = false;
        for (size_t a = 0; a < s->naxes; a++)
            needed = needed || (s->axes[a].numeric && !known[a][s->configs[c].value[a]]);
        if (!needed)
            continue;
        cJSON *doc = rh_sweep_run_doc(s, c);
        const cJSON *ov = cJSON_GetObjectItemCaseSensitive(doc, "overrides");
        for (size_t a = 0; a < s->naxes; a++) {
            rh_sweep_axis *x = &s->axes[a];
            size_t v = s->configs[c].value[a];
            if (!x->numeric || known[a][v])
                continue;
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(ov, x->path);
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "resolved");
            const char *unit = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "unit"));
            if (!unit)
                unit = "";
            if (!cJSON_IsNumber(r) || !isfinite(r->valuedouble) || strlen(unit) >= sizeof x->unit ||
                (unit_seen[a] && strcmp(unit, x->unit) != 0)) {
                x->numeric = false; /* a name, a flag, or numbers of two units */
                continue;
            }
            snprintf(x->unit, sizeof x->unit, "%s", unit);
            unit_seen[a] = true;
            x->resolved[v] = r->valuedouble;
            known[a][v] = true;
        }
        cJSON_Delete(doc);
    }
    for (size_t a = 0; ok && a < s->naxes; a++)
        for (size_t k = 0; k < s->axes[a].nvalues; k++)
            if (!known[a][k])
                s->axes[a].numeric = false; /* no run document says: the values as given */
    for (size_t a = 0; known && a < s->naxes; a++)
        free(known[a]);
    free(known);
    free(unit_seen);
    return ok ? 0 : -1;
}

void rh_sweep_free(rh_sweep *s) {
    for (size_t a = 0; s->axes && a < s->naxes; a++) {
        free(s->axes[a].values);
        free(s->axes[a].resolved);
    }
    free(s->axes);
    for (size_t c = 0; s->configs && c < s->nconfigs; c++)
        free(s->configs[c].value);
    free(s->configs);
    cJSON_Delete(s->summary);
    cJSON_Delete(s->folder_doc);
    free(s->folder);
    memset(s, 0, sizeof *s);
}

int rh_sweep_read(const char *folder, rh_sweep *s, rh_sweep_error *e) {
    memset(s, 0, sizeof *s);
    char *sp = join(folder, "summary.json"), *fp = join(folder, "sweep.json");
    s->folder = strdup(folder);
    int rc = -1;
    if (!sp || !fp || !s->folder)
        goto out;
    s->folder_doc = read_json(fp);
    s->summary = read_json(sp);
    rc = 2;
    if (!s->summary) {
        if (errno == ENOENT && s->folder_doc) {
            char note[sizeof e->note];
            resume_note(folder, s->folder_doc, note, sizeof note);
            say(e, NULL, note, "the sweep is unfinished: it has no summary.json yet");
        } else if (errno == ENOENT)
            say(e, NULL, NULL,
                "a directory without summary.json: not a sweep folder (dsim sweep --out DIR "
                "writes one)");
        else if (errno == ENOMEM)
            rc = -1;
        else
            say(e, sp, NULL, "%s", errno ? strerror(errno) : "not a JSON document");
        goto out;
    }
    const cJSON *vary = cJSON_GetObjectItemCaseSensitive(s->summary, "vary");
    const cJSON *configs = cJSON_GetObjectItemCaseSensitive(s->summary, "configs");
    const char *kind =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->summary, "document"));
    if (!kind || strcmp(kind, "sweep") != 0 || !cJSON_IsArray(vary) || !cJSON_IsArray(configs)) {
        say(e, sp, NULL,
            "not the summary of a sweep (\"document\": \"sweep\", with \"vary\" and "
            "\"configs\")");
        goto out;
    }
    s->topology = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->summary, "topology"));
    s->set = cJSON_GetObjectItemCaseSensitive(s->summary, "set");
    s->seeds = cJSON_GetObjectItemCaseSensitive(s->summary, "seeds");
    rc = -1;
    s->naxes = (size_t)cJSON_GetArraySize(vary);
    s->nconfigs = (size_t)cJSON_GetArraySize(configs);
    s->axes = calloc(s->naxes ? s->naxes : 1, sizeof *s->axes);
    s->configs = calloc(s->nconfigs ? s->nconfigs : 1, sizeof *s->configs);
    if (!s->axes || !s->configs)
        goto out;
    size_t a = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vary) {
        if (!cJSON_IsString(v)) {
            rc = 2;
            say(e, sp, NULL, "\"vary\" lists a path that is not a string");
            goto out;
        }
        s->axes[a++].path = v->valuestring;
    }
    size_t c = 0;
    cJSON_ArrayForEach(v, configs) {
        rh_sweep_config *k = &s->configs[c++];
        k->id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "id"));
        k->metrics = cJSON_GetObjectItemCaseSensitive(v, "metrics");
        const cJSON *runs = cJSON_GetObjectItemCaseSensitive(v, "runs");
        k->runs = cJSON_IsNumber(runs) ? runs->valueint : 0;
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(v, "set");
        if (!(k->value = calloc(s->naxes ? s->naxes : 1, sizeof *k->value)))
            goto out;
        if (!k->id || !cJSON_IsObject(k->metrics)) {
            rc = 2;
            say(e, sp, NULL, "config %zu has no \"id\" or no \"metrics\"", c - 1);
            goto out;
        }
        for (a = 0; a < s->naxes; a++) {
            const char *val =
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(set, s->axes[a].path));
            if (!val) {
                rc = 2;
                say(e, sp, NULL, "config %s has no value of the axis %s", k->id, s->axes[a].path);
                goto out;
            }
            if ((k->value[a] = value_index(&s->axes[a], val)) == SIZE_MAX)
                goto out;
        }
    }
    if (resolve(s))
        goto out;
    rc = 0;
out:
    if (rc == -1)
        say(e, NULL, NULL, "out of memory");
    if (rc)
        rh_sweep_free(s);
    free(sp);
    free(fp);
    return rc;
}

cJSON *rh_sweep_run_doc(const rh_sweep *s, size_t c) {
    const cJSON *seed;
    cJSON_ArrayForEach(seed, s->seeds) {
        if (!cJSON_IsNumber(seed))
            continue;
        char name[600];
        snprintf(name, sizeof name, "runs/%s-s%.0f.json", s->configs[c].id, seed->valuedouble);
        char *p = join(s->folder, name);
        cJSON *doc = p ? read_json(p) : NULL;
        free(p);
        if (doc)
            return doc;
    }
    return NULL;
}

bool rh_sweep_has_metric(const rh_sweep *s, const char *path) {
    for (size_t c = 0; c < s->nconfigs; c++)
        if (cJSON_GetObjectItemCaseSensitive(s->configs[c].metrics, path))
            return true;
    return false;
}

size_t rh_sweep_near_metrics(const rh_sweep *s, const char *path, const char **out, size_t max) {
    size_t n = 0, dist[16];
    if (max > 16)
        max = 16;
    /* near: at most a third of the path's length apart, as sim_suggest judges a misspelling,
     * and never less than 3 edits (a short path has room for few) */
    size_t limit = (strlen(path) + 2) / 3;
    if (limit < 3)
        limit = 3;
    for (size_t c = 0; c < s->nconfigs; c++) {
        const cJSON *m;
        cJSON_ArrayForEach(m, s->configs[c].metrics) {
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp(out[i], m->string) == 0;
            size_t d = seen ? limit + 1 : sim_suggest_distance(path, m->string, limit);
            if (d > limit)
                continue;
            /* insert in order of distance, ties in the summary's order */
            size_t i = n < max ? n : max;
            while (i > 0 && dist[i - 1] > d)
                i--;
            if (i >= max)
                continue;
            size_t end = n < max ? n : max - 1;
            memmove(out + i + 1, out + i, (end - i) * sizeof *out);
            memmove(dist + i + 1, dist + i, (end - i) * sizeof *dist);
            out[i] = m->string;
            dist[i] = d;
            if (n < max)
                n++;
        }
    }
    return n;
}
