/* The report's inputs and page (report.h). */
#include "report.h"

#include "breakdown.h"
#include "compare_section.h"
#include "file_read.h"
#include "format.h"
#include "run_figures.h"
#include "run_header.h"
#include "series_plots.h"
#include "sweep_section.h"
#include "topology.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What an input is. */
typedef enum { INPUT_RUN, INPUT_COMPARE, INPUT_SWEEP } input_kind;

typedef struct input {
    const char *path;
    input_kind kind;
    cJSON *doc; /* a run or compare document; NULL for a sweep folder */
} input;

static int classify(input *in, char *err, size_t errlen);

/* Reads and classifies one input. Returns 0, or -1 with the message in err. */
static int read_input(input *in, char *err, size_t errlen) {
    struct stat st;
    if (stat(in->path, &st)) {
        snprintf(err, errlen, "cannot read it: %s", strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        size_t n = strlen(in->path) + sizeof "/summary.json";
        char *summary = malloc(n);
        if (!summary) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        snprintf(summary, n, "%s/summary.json", in->path);
        bool ok = stat(summary, &st) == 0 && S_ISREG(st.st_mode);
        /* a sweep that has not finished has its sweep.json: its section says how to resume */
        snprintf(summary, n, "%s/sweep.json", in->path);
        ok = ok || (stat(summary, &st) == 0 && S_ISREG(st.st_mode));
        free(summary);
        if (!ok) {
            snprintf(err, errlen,
                     "a directory without summary.json: not a sweep folder (dsim "
                     "sweep --out DIR writes one)");
            return -1;
        }
        in->kind = INPUT_SWEEP;
        return 0;
    }
    char *text = sim_read_file(in->path, SIM_MAX_DOC_BYTES, NULL);
    if (!text) {
        snprintf(err, errlen, "cannot read it: %s", strerror(errno));
        return -1;
    }
    const char *end = NULL;
    in->doc = cJSON_ParseWithOpts(text, &end, true);
    if (!in->doc) {
        size_t at = end ? (size_t)(end - text) : 0;
        free(text);
        snprintf(err, errlen,
                 "not JSON (it stops making sense at byte %zu): expected a result "
                 "document of dsim run --json, dsim compare --json, or a sweep "
                 "folder",
                 at);
        return -1;
    }
    free(text);
    return classify(in, err, errlen);
}

/* Classifies the parsed document of in: a run or compare document of this contract's major
 * version. Returns 0, or -1 with the message in err. */
static int classify(input *in, char *err, size_t errlen) {
    const cJSON *contract = rh_get(in->doc, "contract");
    const cJSON *document = rh_get(in->doc, "document");
    if (!cJSON_IsString(contract) || !cJSON_IsString(document)) {
        snprintf(err, errlen,
                 "not a dsim result document (no \"contract\" and \"document\" "
                 "keys): expected a document of dsim run --json, dsim compare "
                 "--json, or a sweep folder");
        return -1;
    }
    const char *v = contract->valuestring;
    size_t major = strcspn(v, ".");
    if (major != strlen(RH_CONTRACT_MAJOR) || strncmp(v, RH_CONTRACT_MAJOR, major) != 0) {
        snprintf(err, errlen,
                 "a document of contract %.32s, which this dsim does not read (it "
                 "reads %s.x)",
                 v, RH_CONTRACT_MAJOR);
        return -1;
    }
    const char *d = document->valuestring;
    if (strcmp(d, "run") == 0) {
        in->kind = INPUT_RUN;
    } else if (strcmp(d, "compare") == 0) {
        in->kind = INPUT_COMPARE;
    } else if (strcmp(d, "sweep") == 0) {
        snprintf(err, errlen,
                 "a sweep summary: give its folder (the directory holding "
                 "summary.json and runs/)");
        return -1;
    } else {
        snprintf(err, errlen,
                 "a \"%.32s\" document: expected a run or compare document, or "
                 "a sweep folder",
                 d);
        return -1;
    }
    return 0;
}

/* The name of a document in the side-by-side table and the legends: the input as given. */
static const char *name_of(const input *in) { return in->path; }

/* One run's own section: head, figures (when it is the only run), series, breakdown,
 * topology. */
static void run_section(rh_page *p, const input *in, int index, bool alone) {
    char id[32];
    snprintf(id, sizeof id, "run-%d", index);
    const cJSON *topo = rh_get(in->doc, "topology");
    char title[512];
    snprintf(title, sizeof title, "Run: %s (%s)", cJSON_IsString(topo) ? topo->valuestring : "?",
             in->path);
    rh_section_begin(p, id, title);
    rh_run_header(p, in->doc, in->path);
    if (alone) {
        const cJSON *docs[] = {in->doc};
        const char *names[] = {name_of(in)};
        rh_run_figures(p, docs, names, 1);
    }
    rh_series_plots(p, in->doc);
    rh_breakdown(p, in->doc);
    const cJSON *graph = rh_get(in->doc, "graph");
    if (graph) {
        /* a graph that cannot be drawn leaves a note under the heading saying why */
        rh_raw(p, "<h3>Topology</h3>\n");
        rh_topology_render(p, graph);
    }
    rh_section_end(p);
}

/* The compare documents and sweep folders, drawn by their own sections (compare_section.h,
 * sweep_section.h). Returns 0, or -1 with *where and the message in err (report.h). */
static int other_section(rh_page *p, const input *in, const rh_report_options *o,
                         const char **where, char *err, size_t errlen) {
    int rc = 0;
    *where = in->path;
    switch (in->kind) {
    case INPUT_COMPARE:
        rc = rh_compare_section(p, in->doc, in->path, err, errlen);
        break;
    case INPUT_SWEEP: {
        rh_sweep_options so = {0};
        if (o)
            so = (rh_sweep_options){o->metrics, o->nmetrics, o->metric_args};
        rc = rh_sweep_section_with(p, in->path, &so, where, err, errlen);
        break;
    }
    case INPUT_RUN:
        break;
    }
    if (rc == 1)
        *where = NULL; /* out of memory: no argument's fault */
    return rc ? -1 : 0;
}

/* The page of the n classified inputs (report.h). */
static rh_page *build(const input *in, size_t n, const rh_report_options *o, const char **where,
                      char *err, size_t errlen) {
    rh_page *p = NULL;
    size_t runs = 0, sweeps = 0;
    for (size_t i = 0; i < n; i++) {
        runs += in[i].kind == INPUT_RUN;
        sweeps += in[i].kind == INPUT_SWEEP;
    }
    if (o && o->nmetrics && !sweeps) {
        *where = o->metric_args ? o->metric_args[0] : o->metrics[0];
        snprintf(err, errlen, "--metric chooses the plots of a sweep folder, and no INPUT is one");
        return NULL;
    }
    char title[256];
    const cJSON *topo = n == 1 ? rh_get(in[0].doc, "topology") : NULL;
    if (cJSON_IsString(topo))
        snprintf(title, sizeof title, "dsim report: %s", topo->valuestring);
    else
        snprintf(title, sizeof title, "dsim report");
    p = rh_page_new(title);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the designs side by side, where the first run document stands */
    bool side_by_side_done = false;
    for (size_t i = 0; i < n; i++) {
        if (in[i].kind == INPUT_RUN && runs > 1 && !side_by_side_done) {
            const cJSON **docs = calloc(runs, sizeof *docs);
            const char **names = calloc(runs, sizeof *names);
            if (docs && names) {
                size_t k = 0;
                for (size_t j = 0; j < n; j++)
                    if (in[j].kind == INPUT_RUN) {
                        docs[k] = in[j].doc;
                        names[k++] = name_of(&in[j]);
                    }
                rh_section_begin(p, "side-by-side", "The runs side by side");
                rh_run_figures(p, docs, names, runs);
                rh_section_end(p);
            } else {
                rh_page_fail(p);
            }
            free(docs);
            free(names);
            side_by_side_done = true;
        }
        if (in[i].kind == INPUT_RUN) {
            run_section(p, &in[i], (int)i + 1, runs == 1);
        } else if (other_section(p, &in[i], o, where, err, errlen)) {
            rh_page_free(p);
            return NULL;
        }
    }
    if (rh_page_failed(p)) {
        snprintf(err, errlen, "out of memory");
        rh_page_free(p);
        p = NULL;
    }
    return p;
}

rh_page *rh_report_build_with(const char *const *paths, size_t n, const rh_report_options *o,
                              const char **where, char *err, size_t errlen) {
    *where = NULL;
    input *in = calloc(n ? n : 1, sizeof *in);
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    rh_page *p = NULL;
    size_t read = 0;
    for (; read < n; read++) {
        in[read].path = paths[read];
        if (read_input(&in[read], err, errlen)) {
            *where = paths[read];
            read++; /* its document, if parsed, is freed below */
            break;
        }
    }
    if (!*where)
        p = build(in, n, o, where, err, errlen);
    for (size_t i = 0; i < read; i++)
        cJSON_Delete(in[i].doc);
    free(in);
    return p;
}

rh_page *rh_report_of_document(const cJSON *doc, const char *name, char *err, size_t errlen) {
    input in = {.path = name, .doc = (cJSON *)doc}; /* read only, and left to the caller */
    const char *where = NULL;
    return classify(&in, err, errlen) ? NULL : build(&in, 1, NULL, &where, err, errlen);
}

