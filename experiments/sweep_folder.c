/* A sweep folder's record of what made it (sweep_folder.h). */
#include "sweep_folder.h"

#include "engine.h"
#include "file_read.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FNV-1a, 64 bits (Fowler, Noll, Vo): not cryptographic, but an edit of a topology changing
 * neither its size nor this hash is not a thing that happens by accident. */
static unsigned long long fnv1a(const char *p, size_t n) {
    unsigned long long h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* The record of o as a JSON tree (caller deletes); NULL when out of memory. */
static cJSON *record(const exp_sweep_options *o, const char *text, size_t len) {
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return NULL;
    cJSON_AddStringToObject(r, "contract", DSIM_CONTRACT_VERSION);
    cJSON_AddStringToObject(r, "document", "sweep_folder");
    cJSON_AddStringToObject(r, "dsim_version", DSIM_VERSION);
    cJSON *t = cJSON_AddObjectToObject(r, "topology");
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", fnv1a(text, len));
    cJSON_AddStringToObject(t, "file", o->file);
    cJSON_AddNumberToObject(t, "bytes", (double)len);
    cJSON_AddStringToObject(t, "fnv1a64", hex);
    cJSON *set = cJSON_AddArrayToObject(r, "set");
    for (size_t i = 0; set && i < o->nsets; i++) {
        size_t n = strlen(o->sets[i].path) + strlen(o->sets[i].value) + 2;
        char *s = malloc(n);
        if (s) {
            snprintf(s, n, "%s=%s", o->sets[i].path, o->sets[i].value);
            cJSON_AddItemToArray(set, cJSON_CreateString(s));
            free(s);
        }
    }
    cJSON *vary = cJSON_AddArrayToObject(r, "vary");
    for (size_t i = 0; vary && i < o->naxes; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddItemToArray(vary, a);
        cJSON_AddStringToObject(a, "path", o->axes[i].path);
        cJSON *vs = cJSON_AddArrayToObject(a, "values");
        for (size_t j = 0; vs && j < o->axes[i].nvalues; j++)
            cJSON_AddItemToArray(vs, cJSON_CreateString(o->axes[i].values[j]));
    }
    const double seeds[2] = {(double)o->seed_first, (double)o->seed_last};
    cJSON_AddItemToObject(r, "seeds", cJSON_CreateDoubleArray(seeds, 2));
    if (o->precision.metric) { /* only then: a folder made before --precision existed matches */
        cJSON *p = cJSON_AddObjectToObject(r, "precision");
        cJSON_AddStringToObject(p, "metric", o->precision.metric);
        cJSON_AddNumberToObject(p, "relative", o->precision.relative);
        cJSON_AddNumberToObject(p, "max_seeds", (double)o->precision.max_seeds);
    }
    return r;
}

/* The compact text of r's item key ("" when absent; caller frees), for comparison and for
 * messages. */
static char *item_text(const cJSON *r, const char *key) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(r, key);
    return it ? cJSON_PrintUnformatted(it) : strdup("");
}

/* Whether r and now have the same item key; when not, says so in the words of what. */
static bool same(const exp_sweep_options *o, const cJSON *r, const cJSON *now, const char *key,
                 const char *what) {
    char *a = item_text(r, key), *b = item_text(now, key);
    bool eq = a && b && strcmp(a, b) == 0;
    if (!eq)
        fprintf(o->err, "--out %s: error: the folder was made with other %s (there: %s; now: %s)\n",
                o->dir, what, a ? a : "?", b ? b : "?");
    free(a);
    free(b);
    return eq;
}

/* Compares the record there with the one now; says every difference. Returns 0 when equal. */
static int compare(const exp_sweep_options *o, const cJSON *there, const cJSON *now) {
    int bad = 0;
    const cJSON *tt = cJSON_GetObjectItemCaseSensitive(there, "topology");
    const cJSON *tn = cJSON_GetObjectItemCaseSensitive(now, "topology");
    const cJSON *hash_t = cJSON_GetObjectItemCaseSensitive(tt, "fnv1a64");
    const cJSON *bytes_t = cJSON_GetObjectItemCaseSensitive(tt, "bytes");
    const cJSON *file_t = cJSON_GetObjectItemCaseSensitive(tt, "file");
    if (!cJSON_IsString(hash_t) || !cJSON_IsNumber(bytes_t) ||
        strcmp(hash_t->valuestring, cJSON_GetObjectItemCaseSensitive(tn, "fnv1a64")->valuestring) ||
        bytes_t->valuedouble != cJSON_GetObjectItemCaseSensitive(tn, "bytes")->valuedouble) {
        fprintf(o->err,
                "--out %s: error: the folder was made from another topology: the content of %s "
                "is not that of %s it was made from\n",
                o->dir, o->file, cJSON_IsString(file_t) ? file_t->valuestring : "the file");
        bad = -1;
    }
    if (!same(o, there, now, "set", "--set options"))
        bad = -1;
    if (!same(o, there, now, "vary", "--vary axes"))
        bad = -1;
    if (!same(o, there, now, "seeds", "seeds (first and last)"))
        bad = -1;
    if (!same(o, there, now, "precision", "--precision, --metric or --max-seeds"))
        bad = -1;
    if (!same(o, there, now, "dsim_version", "a dsim version: its run documents may differ"))
        bad = -1;
    if (bad)
        fprintf(o->err,
                "--out %s: note: rerun the command that made it to resume it, or give another "
                "--out folder\n",
                o->dir);
    return bad;
}

/* Whether dir holds anything but . and .. (an unreadable folder counts as not empty). */
static bool has_entries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return true;
    struct dirent *e;
    bool any = false;
    while (!any && (e = readdir(d)))
        any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return any;
}

static int make_dir(const exp_sweep_options *o, const char *path) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        fprintf(o->err, "--out %s: error: %s is not a folder\n", o->dir, path);
        return -1;
    }
    fprintf(o->err, "--out %s: error: cannot make %s: %s\n", o->dir, path, strerror(errno));
    return -1;
}

/* Removes from the folder runs the temporary files a killed sweep left (NAME.json.tmp.XXXXXX
 * and NAME.csv.tmp.XXXXXX, see exp_write_fn): never under a final name, so harmless, but
 * litter. */
static void remove_temporaries(const char *runs) {
    DIR *d = opendir(runs);
    if (!d)
        return;
    struct dirent *e;
    size_t n = strlen(runs);
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".json.tmp.") && !strstr(e->d_name, ".csv.tmp."))
            continue;
        char *p = malloc(n + strlen(e->d_name) + 2);
        if (p) {
            sprintf(p, "%s/%s", runs, e->d_name);
            unlink(p);
            free(p);
        }
    }
    closedir(d);
}

int exp_sweep_folder_open(const exp_sweep_options *o, const char *text, size_t len) {
    cJSON *now = record(o, text, len);
    if (!now) {
        fprintf(o->err, "dsim: out of memory\n");
        return -1;
    }
    int rc = -1;
    size_t n = strlen(o->dir);
    char *manifest = malloc(n + 32), *runs = malloc(n + 32);
    if (!manifest || !runs)
        goto out;
    snprintf(manifest, n + 32, "%s/sweep.json", o->dir);
    snprintf(runs, n + 32, "%s/runs", o->dir);
    if (make_dir(o, o->dir))
        goto out;
    char *there_text = sim_read_file(manifest, SIM_MAX_DOC_BYTES, NULL);
    if (!there_text && errno != ENOENT) {
        /* there is a record that cannot be read: never taken for a new folder */
        fprintf(o->err, "--out %s: error: cannot read %s: %s\n", o->dir, manifest, strerror(errno));
        goto out;
    }
    if (there_text) {
        cJSON *there = cJSON_Parse(there_text);
        free(there_text);
        if (!there) {
            fprintf(o->err, "--out %s: error: %s is not a sweep's record (it does not parse)\n",
                    o->dir, manifest);
            goto out;
        }
        rc = compare(o, there, now);
        cJSON_Delete(there);
        if (rc == 0)
            rc = make_dir(o, runs);
        if (rc == 0) {
            remove_temporaries(runs);
            remove_temporaries(o->dir);
        }
        goto out;
    }
    if (has_entries(o->dir)) {
        fprintf(o->err,
                "--out %s: error: the folder is not a sweep's (it is not empty and has no "
                "sweep.json): give a new or empty folder\n",
                o->dir);
        goto out;
    }
    char *t = cJSON_Print(now);
    if (!t) {
        fprintf(o->err, "dsim: out of memory\n");
        goto out;
    }
    size_t tl = strlen(t);
    char *tn = realloc(t, tl + 2);
    if (tn) {
        memcpy(tn + tl, "\n", 2);
        t = tn;
    }
    rc = make_dir(o, runs) || o->write(manifest, t) ? -1 : 0;
    free(t);
out:
    free(manifest);
    free(runs);
    cJSON_Delete(now);
    return rc;
}
