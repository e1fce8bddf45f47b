/* dsim sweep (sweep.h): check every config, open the folder, run what is missing on a pool of
 * threads, then summarise from the run files. */
#include "sweep.h"

#include "engine.h"
#include "json_report.h"
#include "run_seed.h"
#include "sweep_folder.h"
#include "sweep_summary.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One config: its overrides (the --set ones, then one per axis) and its loaded topology,
 * which all its runs read (an engine never writes its topology). */
typedef struct cfg {
    char id[32];
    sim_override *sets;
    size_t nsets;
    const char **values; /* the value of each axis */
    sim_topology *topo;
} cfg;

typedef struct sweep {
    const exp_sweep_options *o;
    const char *text; /* the topology file's bytes, loaded from memory for every config */
    size_t len;
    cfg *cfgs;
    size_t ncfg, nseeds;
    /* The runs to do: indices into the grid (config * nseeds + seed offset). */
    size_t *todo;
    size_t ntodo;
    pthread_mutex_t lock; /* guards what follows and the messages on o->err */
    size_t next, done, failed;
} sweep;

/* The file of run (config c, seed s); caller frees; NULL when out of memory. */
static char *run_path(const sweep *w, size_t c, uint64_t seed) {
    size_t n = strlen(w->o->dir) + 64;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/runs/%s-s%" PRIu64 ".json", w->o->dir, w->cfgs[c].id, seed);
    return p;
}

/* Reads a whole file (caller frees); NULL when it is not there or cannot be read. */
static char *read_file(const char *path, size_t limit, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t n = 0, cap = 0;
    bool bad = false;
    while (n <= limit) {
        if (n + 1 >= cap) {
            cap = cap ? 2 * cap : 65536;
            char *p = realloc(s, cap);
            if (!p) {
                bad = true;
                break;
            }
            s = p;
        }
        size_t got = fread(s + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    bad = bad || ferror(f) || !s;
    fclose(f);
    if (bad) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* The run document at path, parsed; NULL when absent or incomplete (not a JSON object). */
static cJSON *read_doc(const char *path) {
    char *text = read_file(path, SIZE_MAX / 2, NULL);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

/* Loads the topology with sets; prints the loader's messages. NULL when refused. With
 * expect, also refuses an `expect:` path no run of it can have (a config's whole topology:
 * a path may exist only with an axis value, e.g. a replica index). */
static sim_topology *load(const sweep *w, const sim_override *sets, size_t nsets, bool expect) {
    sim_diag *diag = sim_diag_new(w->o->file);
    if (!diag) {
        fprintf(w->o->err, "dsim: out of memory\n");
        return NULL;
    }
    sim_topology *t = sim_load_string(w->o->file, w->text, w->len, sets, nsets, w->o->kinds, diag);
    /* an expect: or series_metrics path no run can have is refused here, before any run */
    int bad = t && expect ? exp_run_check_topology_paths(t, diag) : 0;
    if (bad == -2)
        fprintf(w->o->err, "dsim: out of memory while creating an engine\n");
    if (bad) {
        sim_topology_free(t);
        t = NULL;
    }
    for (size_t i = 0; i < sim_diag_count(diag); i++)
        fprintf(w->o->err, "%s\n", sim_diag_message(diag, i));
    sim_diag_free(diag);
    return t;
}

/* Builds the configs in cartesian order, the first axis slowest. Returns 0 or -1 (out of
 * memory, said). */
static int make_configs(sweep *w) {
    const exp_sweep_options *o = w->o;
    w->ncfg = 1;
    for (size_t a = 0; a < o->naxes; a++)
        w->ncfg *= o->axes[a].nvalues;
    w->cfgs = calloc(w->ncfg, sizeof *w->cfgs);
    if (!w->cfgs)
        goto oom;
    for (size_t c = 0; c < w->ncfg; c++) {
        cfg *k = &w->cfgs[c];
        snprintf(k->id, sizeof k->id, "c%zu", c);
        k->nsets = o->nsets + o->naxes;
        k->sets = calloc(k->nsets ? k->nsets : 1, sizeof *k->sets);
        k->values = calloc(o->naxes ? o->naxes : 1, sizeof *k->values);
        if (!k->sets || !k->values)
            goto oom;
        memcpy(k->sets, o->sets, o->nsets * sizeof *k->sets);
        size_t rest = c;
        for (size_t a = o->naxes; a-- > 0;) { /* the last axis varies fastest */
            size_t v = rest % o->axes[a].nvalues;
            rest /= o->axes[a].nvalues;
            k->values[a] = o->axes[a].values[v];
            k->sets[o->nsets + a] = (sim_override){o->axes[a].path, o->axes[a].values[v]};
        }
    }
    return 0;
oom:
    fprintf(o->err, "dsim: out of memory\n");
    return -1;
}

/* Loads every config before any run, so a bad value stops the sweep before it starts: the
 * --set overrides alone, then each axis value alone with them (one message per bad value,
 * not one per config holding it), then every config. Returns 0 or -1 (messages printed). */
static int check_configs(sweep *w) {
    const exp_sweep_options *o = w->o;
    sim_topology *t = load(w, o->sets, o->nsets, false);
    if (!t)
        return -1;
    sim_topology_free(t);
    int bad = 0;
    sim_override *sets = calloc(o->nsets + 1, sizeof *sets);
    if (!sets) {
        fprintf(o->err, "dsim: out of memory\n");
        return -1;
    }
    memcpy(sets, o->sets, o->nsets * sizeof *sets);
    for (size_t a = 0; a < o->naxes; a++)
        for (size_t v = 0; v < o->axes[a].nvalues; v++) {
            sets[o->nsets] = (sim_override){o->axes[a].path, o->axes[a].values[v]};
            if ((t = load(w, sets, o->nsets + 1, false))) {
                sim_topology_free(t);
                continue;
            }
            fprintf(o->err, "%s: note: the value '%s' of this axis is refused as --set %s=%s is\n",
                    o->axes[a].arg, o->axes[a].values[v], o->axes[a].path, o->axes[a].values[v]);
            bad = -1;
        }
    free(sets);
    if (bad)
        return -1;
    for (size_t c = 0; c < w->ncfg; c++) {
        cfg *k = &w->cfgs[c];
        if (!(k->topo = load(w, k->sets, k->nsets, true))) {
            fprintf(o->err, "dsim: sweep: note: config %s is refused:", k->id);
            for (size_t a = 0; a < o->naxes; a++)
                fprintf(o->err, " %s=%s", o->axes[a].path, k->values[a]);
            fputc('\n', o->err);
            bad = -1;
        }
    }
    return bad;
}

/* Runs config c with seed as `dsim run` would (run_seed.h: warmup: auto chosen by the run's
 * own pilot, the expect: verdicts judged into the document) and writes its document. Returns
 * 0, or -1 with the reason in why. */
static int run_one(sweep *w, size_t c, uint64_t seed, char *why, size_t whylen) {
    const cfg *k = &w->cfgs[c];
    char *text = NULL, *path = run_path(w, c, seed);
    sim_diag *diag = sim_diag_new(w->o->file);
    exp_run_outcome r = {0};
    int rc = -1;
    if (!path || !diag) {
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    exp_run_options ro = {0};
    switch (exp_run_seed(k->topo, seed, &ro, diag, &r)) {
    case EXP_RUN_OK:
    case EXP_RUN_EXPECT_FAILED: /* a verdict in the document: expect_pass_fraction */
        break;
    case EXP_RUN_REFUSED: {
        char *msg = exp_warmup_refusal(&r.choice);
        snprintf(why, whylen, "%s", msg ? msg : "warmup: auto: the run is too short");
        free(msg);
        goto out;
    }
    case EXP_RUN_BAD_PATH: /* load() checked the paths already */
        snprintf(why, whylen, "%s", sim_diag_count(diag) ? sim_diag_message(diag, 0) : "expect:");
        goto out;
    default:
        snprintf(why, whylen, "%s", r.why);
        goto out;
    }
    text = dsim_json_render(r.doc);
    if (!text) {
        snprintf(why, whylen, "out of memory while writing the result document");
        goto out;
    }
    if (w->o->write(path, text)) {
        snprintf(why, whylen, "its document could not be written");
        goto out;
    }
    rc = 0;
out:
    free(text);
    free(path);
    sim_diag_free(diag);
    cJSON_Delete(r.doc);
    return rc;
}

static void *worker(void *arg) {
    sweep *w = arg;
    char why[512];
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next < w->ntodo ? w->next++ : SIZE_MAX;
        pthread_mutex_unlock(&w->lock);
        if (i == SIZE_MAX)
            return NULL;
        size_t c = w->todo[i] / w->nseeds;
        uint64_t seed = w->o->seed_first + w->todo[i] % w->nseeds;
        int rc = run_one(w, c, seed, why, sizeof why);
        pthread_mutex_lock(&w->lock);
        w->done++;
        if (rc) {
            w->failed++;
            fprintf(w->o->err, "dsim: sweep: run %s-s%" PRIu64 " failed: %s\n", w->cfgs[c].id, seed,
                    why);
        } else if (!w->o->quiet) {
            fprintf(w->o->err, "sweep: %s-s%" PRIu64 " done (%zu of %zu)\n", w->cfgs[c].id, seed,
                    w->done, w->ntodo);
        }
        pthread_mutex_unlock(&w->lock);
    }
}

/* Finds the runs whose file is missing or incomplete. Returns 0 or -1 (out of memory). */
static int find_todo(sweep *w) {
    size_t total = w->ncfg * w->nseeds;
    w->todo = malloc((total ? total : 1) * sizeof *w->todo);
    if (!w->todo)
        return -1;
    for (size_t i = 0; i < total; i++) {
        char *path = run_path(w, i / w->nseeds, w->o->seed_first + i % w->nseeds);
        if (!path)
            return -1;
        cJSON *doc = read_doc(path);
        if (!doc)
            w->todo[w->ntodo++] = i;
        cJSON_Delete(doc);
        free(path);
    }
    return 0;
}

/* Runs the to-do list on min(jobs, runs) threads (this one among them). Returns 0 or -1. */
static int run_all(sweep *w) {
    size_t n = w->o->jobs < w->ntodo ? w->o->jobs : w->ntodo;
    if (n == 0)
        return 0;
    pthread_t *th = calloc(n, sizeof *th);
    if (!th)
        return -1;
    size_t started = 0;
    for (; started + 1 < n; started++)
        if (pthread_create(&th[started], NULL, worker, w)) {
            fprintf(w->o->err, "dsim: sweep: could start only %zu of %zu jobs: %s\n", started + 1,
                    n, strerror(errno));
            break;
        }
    worker(w);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    return 0;
}

/* Builds the summary from the run files and writes summary.csv, then summary.json. */
static int summarise(sweep *w) {
    const exp_sweep_options *o = w->o;
    const char **axes = calloc(o->naxes ? o->naxes : 1, sizeof *axes);
    const char **sp = calloc(o->nsets ? o->nsets : 1, sizeof *sp);
    const char **sv = calloc(o->nsets ? o->nsets : 1, sizeof *sv);
    exp_summary *s = NULL;
    char *json = NULL, *csv = NULL, *path = NULL;
    int rc = -1;
    if (!axes || !sp || !sv)
        goto out;
    for (size_t a = 0; a < o->naxes; a++)
        axes[a] = o->axes[a].path;
    for (size_t i = 0; i < o->nsets; i++) {
        sp[i] = o->sets[i].path;
        sv[i] = o->sets[i].value;
    }
    if (!(s = exp_summary_new(axes, o->naxes)))
        goto out;
    for (size_t c = 0; c < w->ncfg; c++) {
        if (exp_summary_config(s, w->cfgs[c].id, w->cfgs[c].values))
            goto out;
        for (size_t i = 0; i < w->nseeds; i++) {
            char *p = run_path(w, c, o->seed_first + i);
            cJSON *doc = p ? read_doc(p) : NULL;
            free(p);
            int bad = doc && exp_summary_add(s, doc);
            cJSON_Delete(doc);
            if (bad)
                goto out;
        }
    }
    exp_summary_head h = {DSIM_VERSION, w->cfgs[0].topo->name, sp,          sv,
                          o->nsets,     o->seed_first,         o->seed_last};
    json = exp_summary_json(s, &h);
    csv = exp_summary_csv(s);
    size_t n = strlen(o->dir) + 32;
    path = malloc(n);
    if (!json || !csv || !path)
        goto out;
    snprintf(path, n, "%s/summary.csv", o->dir);
    if (o->write(path, csv)) {
        rc = 1;
        goto out;
    }
    snprintf(path, n, "%s/summary.json", o->dir);
    if (o->write(path, json)) {
        rc = 1;
        goto out;
    }
    if (!o->quiet)
        fprintf(o->err, "sweep: wrote %s/summary.json and %s/summary.csv\n", o->dir, o->dir);
    rc = 0;
out:
    if (rc < 0)
        fprintf(o->err, "dsim: out of memory while writing the summary\n");
    free(path);
    free(json);
    free(csv);
    exp_summary_free(s);
    free(axes);
    free(sp);
    free(sv);
    return rc;
}

int exp_sweep(const exp_sweep_options *o) {
    sweep w = {.o = o, .nseeds = (size_t)(o->seed_last - o->seed_first) + 1};
    int status = EXP_SWEEP_BAD_INPUT;
    size_t len;
    char *text = read_file(o->file, SIM_LOADER_MAX_BYTES, &len);
    if (!text) {
        fprintf(o->err, "%s: error: cannot read the file: %s\n", o->file,
                errno ? strerror(errno) : "out of memory");
        return EXP_SWEEP_BAD_INPUT;
    }
    w.text = text;
    w.len = len;
    pthread_mutex_init(&w.lock, NULL);
    if (make_configs(&w)) {
        status = EXP_SWEEP_RUN_FAILED;
        goto out;
    }
    if (check_configs(&w) || exp_sweep_folder_open(o, text, len))
        goto out;
    status = EXP_SWEEP_RUN_FAILED;
    if (find_todo(&w)) {
        fprintf(o->err, "dsim: out of memory\n");
        goto out;
    }
    size_t total = w.ncfg * w.nseeds;
    if (!o->quiet)
        fprintf(o->err,
                "sweep: %zu runs (%zu configs x %zu seeds): %zu to do, %zu already complete, "
                "%zu at a time\n",
                total, w.ncfg, w.nseeds, w.ntodo, total - w.ntodo,
                o->jobs < w.ntodo ? (size_t)o->jobs : w.ntodo);
    if (run_all(&w)) {
        fprintf(o->err, "dsim: out of memory\n");
        goto out;
    }
    int srs = summarise(&w);
    if (w.failed)
        fprintf(o->err, "dsim: sweep: %zu of %zu runs failed; rerun the command to retry them\n",
                w.failed, total);
    status = srs || w.failed ? EXP_SWEEP_RUN_FAILED : EXP_SWEEP_OK;
out:
    for (size_t c = 0; w.cfgs && c < w.ncfg; c++) {
        sim_topology_free(w.cfgs[c].topo);
        free(w.cfgs[c].sets);
        free(w.cfgs[c].values);
    }
    free(w.cfgs);
    free(w.todo);
    pthread_mutex_destroy(&w.lock);
    free(text);
    return status;
}
