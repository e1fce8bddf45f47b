/* dsim sweep (sweep.h): check every config, open the folder, run what is missing on a pool of
 * threads (of each rank, under mpirun: sweep_mpi.h), then summarise from the run files. */
#include "sweep.h"

#include "doc_paths.h"
#include "engine.h"
#include "file_read.h"
#include "json_report.h"
#include "metrics.h"
#include "run_seed.h"
#include "sweep_folder.h"
#include "sweep_mpi.h"
#include "sweep_summary.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One config: its overrides (the --set ones, then one per axis) and its loaded topology,
 * which all its runs read (an engine never writes its topology). */
typedef struct cfg {
    char id[32];
    sim_override *sets;
    size_t nsets;
    const char **values; /* the value of each axis */
    sim_topology *topo;
    size_t n;                      /* seeds it has: seed_first .. seed_first + n - 1 */
    exp_precision_verdict verdict; /* with --precision, after the last round */
} cfg;

/* A run a job thread of a rank other than 0 finished, for the main thread to send to rank 0:
 * its document's text, or the reason it failed. */
typedef struct finished {
    size_t run;
    bool ok;
    char *text;
} finished;

typedef struct sweep {
    const exp_sweep_options *o; /* on a rank other than 0, o with its messages muted */
    const char *text;           /* the topology file's bytes, loaded from memory for every config */
    size_t len;
    cfg *cfgs;
    size_t ncfg, nseeds; /* nseeds: the most seeds a config may have (its n, or --max-seeds) */
    /* The runs to do: indices into the grid (config * nseeds + seed offset). */
    size_t *todo;
    size_t ntodo;
    pthread_mutex_t lock; /* guards what follows and the messages on o->err */
    size_t next, done, failed;
    /* Under mpirun (sweep_mpi.h): rank 0 hands out the to-do list and writes every file; the
     * job threads of another rank (a spoke) take the runs its main thread was given from inbox
     * and put what they made in outbox, for the main thread to send to rank 0. */
    exp_mpi *mpi; /* NULL: a local sweep */
    bool spoke;
    pthread_t *threads;
    size_t *inbox, nin;
    finished *outbox;
    size_t nout;
    bool closed;         /* no more runs will come to inbox */
    bool metric_refused; /* --metric was said to be no figure */
    pthread_cond_t to_jobs, to_main;
} sweep;

/* The file of run (config c, seed s); caller frees; NULL when out of memory. */
static char *run_path(const sweep *w, size_t c, uint64_t seed) {
    size_t n = strlen(w->o->dir) + 64;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/runs/%s-s%" PRIu64 ".json", w->o->dir, w->cfgs[c].id, seed);
    return p;
}

/* The run document at path, parsed; NULL when absent or incomplete (not a JSON object). */
static cJSON *read_doc(const char *path) {
    char *text = sim_read_file(path, SIM_MAX_DOC_BYTES, NULL);
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

/* With --precision, whether every run of config k can have the --metric figure (contract
 * §8.1, as for an `expect:` path). Returns 0, or -1 with the error said (once: for c0, or
 * the first config that lacks it). */
static int check_metric(sweep *w, const cfg *k) {
    const char *path = w->o->precision.metric;
    if (!path || w->metric_refused)
        return w->metric_refused ? -1 : 0;
    sim_engine *e = sim_engine_new(k->topo, k->topo->seed);
    if (!e) {
        fprintf(w->o->err, "dsim: out of memory while creating an engine\n");
        return -1;
    }
    char *near = NULL;
    sim_lookup_status st = sim_engine_can_have(e, path, &near);
    sim_engine_free(e);
    if (st != SIM_LOOKUP_OK) {
        fprintf(w->o->err, "--metric %s: error: %s (config %s)\n", path,
                st == SIM_LOOKUP_NO_NODE ? "no such node" : "no such figure in the result document",
                k->id);
        if (near)
            fprintf(w->o->err, "--metric %s: note: did you mean '%s'?\n", path, near);
        w->metric_refused = true;
    }
    free(near);
    return st == SIM_LOOKUP_OK ? 0 : -1;
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
        if ((k->topo = load(w, k->sets, k->nsets, true)) && check_metric(w, k)) {
            bad = -1;
            continue;
        }
        if (!k->topo) {
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
 * own pilot, the expect: verdicts judged into the document). Returns its document's text
 * (caller frees), or NULL with the reason in why. */
static char *make_doc(sweep *w, size_t c, uint64_t seed, char *why, size_t whylen) {
    const cfg *k = &w->cfgs[c];
    char *text = NULL;
    sim_diag *diag = sim_diag_new(w->o->file);
    exp_run_outcome r = {0};
    if (!diag) {
        snprintf(why, whylen, "out of memory");
        goto out;
    }
    /* the file's `series` goes into each run's document, as `dsim run` writes it */
    exp_run_options ro = {.series = k->topo->series,
                          .series_metrics = k->topo->series_metrics,
                          .nseries_metrics = k->topo->nseries_metrics};
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
    if (!(text = dsim_json_render(r.doc)))
        snprintf(why, whylen, "out of memory while writing the result document");
out:
    sim_diag_free(diag);
    cJSON_Delete(r.doc);
    return text;
}

/* Writes the document of run i (an index into the grid) to its file. Returns 0, or -1 with
 * the reason in why. */
static int store(sweep *w, size_t i, const char *text, char *why, size_t whylen) {
    char *path = run_path(w, i / w->nseeds, w->o->seed_first + i % w->nseeds);
    int rc = path && w->o->write(path, text) == 0 ? 0 : -1;
    if (rc)
        snprintf(why, whylen, "%s", path ? "its document could not be written" : "out of memory");
    free(path);
    return rc;
}

/* Counts run i done (ok) or failed (why) on rank `rank` and says so. */
static void tally(sweep *w, int rank, size_t i, bool ok, const char *why) {
    const char *id = w->cfgs[i / w->nseeds].id;
    uint64_t seed = w->o->seed_first + i % w->nseeds;
    pthread_mutex_lock(&w->lock);
    w->done++;
    if (!ok) {
        w->failed++;
        fprintf(w->o->err, "dsim: sweep: run %s-s%" PRIu64 " failed: %s\n", id, seed, why);
    } else if (!w->o->quiet) {
        char where[32] = ""; /* under mpirun, the rank that did it */
        if (w->mpi)
            snprintf(where, sizeof where, " on rank %d", rank);
        fprintf(w->o->err, "sweep: %s-s%" PRIu64 " done%s (%zu of %zu)\n", id, seed, where, w->done,
                w->ntodo);
    }
    pthread_mutex_unlock(&w->lock);
}

/* The next run of the to-do list into *i; false when none is left. */
static bool next_todo(sweep *w, size_t *i) {
    pthread_mutex_lock(&w->lock);
    bool got = w->next < w->ntodo;
    if (got)
        *i = w->todo[w->next++];
    pthread_mutex_unlock(&w->lock);
    return got;
}

/* The next run of a spoke's inbox into *i, waiting for one; false once it is closed. */
static bool next_given(sweep *w, size_t *i) {
    pthread_mutex_lock(&w->lock);
    while (!w->nin && !w->closed)
        pthread_cond_wait(&w->to_jobs, &w->lock);
    bool got = w->nin > 0;
    if (got) {
        *i = w->inbox[0];
        memmove(w->inbox, w->inbox + 1, --w->nin * sizeof *w->inbox);
    }
    pthread_mutex_unlock(&w->lock);
    return got;
}

/* A spoke's job thread hands run i (text, or NULL and why) to the main thread. */
static void hand_back(sweep *w, size_t i, char *text, const char *why) {
    finished f = {i, text != NULL, text ? text : strdup(why)};
    if (!f.text) {
        fprintf(stderr, "dsim: sweep: out of memory\n");
        abort(); /* the main thread would wait for this run forever */
    }
    pthread_mutex_lock(&w->lock);
    w->outbox[w->nout++] = f;
    pthread_cond_signal(&w->to_main);
    pthread_mutex_unlock(&w->lock);
}

static void *worker(void *arg) {
    sweep *w = arg;
    char why[512];
    size_t i;
    while (w->spoke ? next_given(w, &i) : next_todo(w, &i)) {
        char *text = make_doc(w, i / w->nseeds, w->o->seed_first + i % w->nseeds, why, sizeof why);
        if (w->spoke) {
            hand_back(w, i, text, why);
            continue;
        }
        bool ok = text && store(w, i, text, why, sizeof why) == 0;
        free(text);
        tally(w, 0, i, ok, why);
    }
    return NULL;
}

/* ---- the callbacks of sweep_mpi.h ---- */

static bool hub_next(void *ctx, uint64_t *run) {
    size_t i = 0;
    bool got = next_todo(ctx, &i);
    *run = i;
    return got;
}

static void hub_landed(void *ctx, int rank, uint64_t run, bool ok, const char *text) {
    sweep *w = ctx;
    char why[512];
    if (run >= w->ncfg * w->nseeds)
        return; /* not a run of this sweep: a message of no sense */
    if (!ok)    /* text is why it failed there */
        tally(w, rank, (size_t)run, false, text);
    else
        tally(w, rank, (size_t)run, store(w, (size_t)run, text, why, sizeof why) == 0, why);
}

static void spoke_assign(void *ctx, uint64_t run) {
    sweep *w = ctx;
    if (run >= w->ncfg * w->nseeds)
        return;
    pthread_mutex_lock(&w->lock);
    w->inbox[w->nin++] = (size_t)run;
    pthread_cond_signal(&w->to_jobs);
    pthread_mutex_unlock(&w->lock);
}

static char *spoke_collect(void *ctx, int wait_ms, uint64_t *run, bool *ok) {
    sweep *w = ctx;
    pthread_mutex_lock(&w->lock);
    if (wait_ms < 0) {
        while (!w->nout)
            pthread_cond_wait(&w->to_main, &w->lock);
    } else if (wait_ms > 0 && !w->nout) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)wait_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&w->to_main, &w->lock, &until);
    }
    char *text = NULL;
    if (w->nout) {
        finished f = w->outbox[--w->nout];
        *run = f.run;
        *ok = f.ok;
        text = f.text;
    }
    pthread_mutex_unlock(&w->lock);
    return text;
}

/* Finds the runs whose file is missing or incomplete among each config's n seeds (a new
 * to-do list each round). Returns 0 or -1 (out of memory). */
static int find_todo(sweep *w) {
    size_t total = w->ncfg * w->nseeds;
    if (!w->todo && !(w->todo = malloc((total ? total : 1) * sizeof *w->todo)))
        return -1;
    w->ntodo = w->next = w->done = 0;
    for (size_t c = 0; c < w->ncfg; c++)
        for (size_t s = 0; s < w->cfgs[c].n; s++) {
            char *path = run_path(w, c, w->o->seed_first + s);
            if (!path)
                return -1;
            cJSON *doc = read_doc(path);
            if (!doc)
                w->todo[w->ntodo++] = c * w->nseeds + s;
            cJSON_Delete(doc);
            free(path);
        }
    return 0;
}

/* With --precision, after a round: judges every config from its run files (sweep_precision.h)
 * and gives those still short of the precision their next seeds. Returns the number of runs
 * added (0: the sweep is over), or -1 when out of memory. */
static long long next_round(sweep *w) {
    const exp_precision *p = &w->o->precision;
    long long added = 0;
    for (size_t c = 0; c < w->ncfg; c++) {
        cfg *k = &w->cfgs[c];
        exp_stats st;
        exp_stats_init(&st);
        for (size_t s = 0; s < k->n; s++) {
            char *path = run_path(w, c, w->o->seed_first + s);
            if (!path)
                return -1;
            cJSON *doc = read_doc(path);
            double v;
            if (doc && exp_doc_number(doc, p->metric, &v) == 0 && isfinite(v))
                exp_stats_add(&st, v);
            cJSON_Delete(doc);
            free(path);
        }
        k->verdict = exp_precision_judge(p, &st, k->n);
        added += (long long)(k->verdict.next - k->n);
        k->n = k->verdict.next;
    }
    return added;
}

/* Allocates what run_all needs, before the ranks agree to start. Returns 0 or -1. */
static int prepare(sweep *w) {
    size_t n = w->o->jobs;
    w->threads = calloc(n, sizeof *w->threads);
    w->inbox = calloc(n, sizeof *w->inbox);
    w->outbox = calloc(n, sizeof *w->outbox);
    return w->threads && w->inbox && w->outbox ? 0 : -1;
}

/* Runs the to-do list: locally on min(jobs, runs) threads, this one among them; under mpirun
 * on `jobs` threads of every rank, this one talking to the other ranks (sweep_mpi.h). */
static void run_all(sweep *w) {
    size_t n = w->o->jobs;
    if (!w->mpi && w->ntodo < n)
        n = w->ntodo;
    if (n == 0)
        return;
    w->closed = false; /* (a new round) */
    w->nin = w->nout = 0;
    size_t mine = w->mpi ? 0 : 1; /* jobs run on this thread */
    size_t started = 0;
    for (; started + mine < n; started++)
        if (pthread_create(&w->threads[started], NULL, worker, w)) {
            fprintf(w->o->err, "dsim: sweep: could start only %zu of %zu jobs: %s\n",
                    started + mine, n, strerror(errno));
            break;
        }
    if (!w->mpi) {
        worker(w);
    } else if (w->spoke) {
        exp_mpi_spoke s = {w, (unsigned)started, spoke_assign, spoke_collect};
        exp_mpi_work(w->mpi, &s);
        pthread_mutex_lock(&w->lock);
        w->closed = true;
        pthread_cond_broadcast(&w->to_jobs);
        pthread_mutex_unlock(&w->lock);
    } else {
        exp_mpi_hub h = {w, hub_next, hub_landed};
        exp_mpi_serve(w->mpi, &h);
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(w->threads[i], NULL);
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
        if (o->precision.metric &&
            exp_summary_precision(s, w->cfgs[c].n, w->cfgs[c].verdict.converged,
                                  w->cfgs[c].verdict.rel_half_width))
            goto out;
        for (size_t i = 0; i < w->cfgs[c].n; i++) {
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
    if (o->precision.metric)
        exp_summary_set_precision(s, &o->precision);
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
    exp_mpi *mpi;
    int status = exp_mpi_join(&mpi, o->err);
    if (status)
        return status;
    /* Under mpirun every rank checks the configs, but only rank 0 speaks (and writes). */
    int rank = exp_mpi_rank(mpi);
    exp_sweep_options muted;
    FILE *sink = NULL;
    if (rank != 0) {
        muted = *o;
        muted.quiet = true;
        if ((sink = fopen("/dev/null", "w")))
            muted.err = sink;
        o = &muted;
    }
    size_t first_round = (size_t)(o->seed_last - o->seed_first) + 1;
    sweep w = {.o = o,
               .nseeds = o->precision.metric ? o->precision.max_seeds : first_round,
               .mpi = mpi,
               .spoke = rank != 0};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.to_jobs, NULL);
    pthread_cond_init(&w.to_main, NULL);
    /* The topology's bytes are rank 0's: the file need not be on every machine. */
    size_t len = 0;
    char *text = rank == 0 ? sim_read_file(o->file, SIM_LOADER_MAX_BYTES, &len) : NULL;
    if (rank == 0 && !text && errno == EFBIG)
        fprintf(o->err,
                "%s: error: the file is larger than %d bytes (4 MiB), the most dsim reads\n",
                o->file, SIM_LOADER_MAX_BYTES);
    else if (rank == 0 && !text)
        fprintf(o->err, "%s: error: cannot read the file: %s\n", o->file,
                errno ? strerror(errno) : "out of memory");
    if (exp_mpi_share_text(mpi, &text, &len)) {
        fprintf(o->err, "dsim: out of memory\n");
        status = EXP_SWEEP_RUN_FAILED;
        goto out;
    }
    status = EXP_SWEEP_BAD_INPUT;
    if (!text)
        goto out;
    w.text = text;
    w.len = len;
    int st = make_configs(&w) || prepare(&w) ? EXP_SWEEP_RUN_FAILED
             : check_configs(&w)             ? EXP_SWEEP_BAD_INPUT
                                             : EXP_SWEEP_OK;
    if ((status = exp_mpi_worst(mpi, st)) != EXP_SWEEP_OK)
        goto out;
    for (size_t c = 0; c < w.ncfg; c++)
        w.cfgs[c].n = first_round;
    if (rank == 0)
        st = exp_sweep_folder_open(o, text, len) ? EXP_SWEEP_BAD_INPUT : EXP_SWEEP_OK;
    exp_mpi_share_int(mpi, &st);
    if ((status = st) != EXP_SWEEP_OK)
        goto out;
    size_t total = w.ncfg * first_round;
    /* Rounds: the first is every config's --seeds; with --precision, each next one is
     * decided from the runs complete (all of the round before), so neither --jobs nor the
     * ranks change which runs are done. */
    for (int round = 1;; round++) {
        if (rank == 0 && (st = find_todo(&w) ? EXP_SWEEP_RUN_FAILED : EXP_SWEEP_OK))
            fprintf(o->err, "dsim: out of memory\n");
        exp_mpi_share_int(mpi, &st);
        if ((status = st) != EXP_SWEEP_OK)
            goto out;
        char where[64];
        if (mpi)
            snprintf(where, sizeof where, "on %d MPI ranks x %u jobs", exp_mpi_size(mpi), o->jobs);
        else
            snprintf(where, sizeof where, "%zu at a time",
                     o->jobs < w.ntodo ? (size_t)o->jobs : w.ntodo);
        if (o->quiet)
            ;
        else if (round == 1)
            fprintf(o->err,
                    "sweep: %zu runs (%zu configs x %zu seeds): %zu to do, %zu already complete, "
                    "%s\n",
                    total, w.ncfg, first_round, w.ntodo, total - w.ntodo, where);
        else
            fprintf(o->err,
                    "sweep: round %d: %zu runs in all, %zu to do, %zu already complete, %s\n",
                    round, total, w.ntodo, total - w.ntodo, where);
        run_all(&w);
        long long more = 0;
        if (rank == 0 && o->precision.metric && !w.failed) {
            if ((more = next_round(&w)) < 0) {
                fprintf(o->err, "dsim: out of memory\n");
                more = 0;
                w.failed++;
            }
            total += (size_t)more;
        }
        int again = more > 0;
        exp_mpi_share_int(mpi, &again);
        if (!again)
            break;
    }
    if (rank == 0) {
        int srs = summarise(&w);
        if (w.failed)
            fprintf(o->err,
                    "dsim: sweep: %zu of %zu runs failed; rerun the command to retry them\n",
                    w.failed, total);
        st = srs || w.failed ? EXP_SWEEP_RUN_FAILED : EXP_SWEEP_OK;
        for (size_t c = 0; o->precision.metric && !w.failed && c < w.ncfg; c++) {
            const cfg *k = &w.cfgs[c];
            if (k->verdict.converged)
                continue;
            char rel[32] = "no interval";
            if (!isnan(k->verdict.rel_half_width))
                snprintf(rel, sizeof rel, "+-%.3g%%", 100 * k->verdict.rel_half_width);
            fprintf(o->err,
                    "dsim: sweep: note: %s did not converge: after %zu seeds (--max-seeds) the "
                    "interval of %s is %s of its mean, the target +-%.3g%%\n",
                    k->id, k->n, o->precision.metric, rel,
                    100 * exp_precision_target(o->precision.relative));
        }
    }
    exp_mpi_share_int(mpi, &st);
    status = st;
out:
    for (size_t c = 0; w.cfgs && c < w.ncfg; c++) {
        sim_topology_free(w.cfgs[c].topo);
        free(w.cfgs[c].sets);
        free(w.cfgs[c].values);
    }
    free(w.cfgs);
    free(w.todo);
    free(w.threads);
    free(w.inbox);
    free(w.outbox);
    pthread_cond_destroy(&w.to_jobs);
    pthread_cond_destroy(&w.to_main);
    pthread_mutex_destroy(&w.lock);
    free(text);
    if (sink)
        fclose(sink);
    exp_mpi_leave(mpi);
    return status;
}
