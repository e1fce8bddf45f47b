/* The data of a finished sweep folder (contract §8.3) as the report's sweep section needs it:
 * the --vary axes, each config's values, and for each axis value its resolved number and
 * unit (a run document's `overrides` record: `--vary duration=20ms,40ms` resolves to 20 and
 * 40 "ms"), so that a plot puts the values where they belong on a numeric axis; an axis with
 * a value that is no number (a policy's name, a flag) is categorical. It reads DIR/summary.json,
 * DIR/sweep.json and run documents of DIR/runs/, and builds nothing on the page. */
#ifndef DSIM_RH_SWEEP_DATA_H
#define DSIM_RH_SWEEP_DATA_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* One --vary axis. */
typedef struct rh_sweep_axis {
    const char *path;    /* borrowed from the summary */
    const char **values; /* as given, in the order of the configs (borrowed from the summary) */
    double *resolved;    /* [nvalues] the resolved numbers, when numeric */
    size_t nvalues;
    bool numeric;  /* every value resolved to a number, all of one unit */
    char unit[16]; /* of the numbers ("ms", "1/s"), "" when they have none */
} rh_sweep_axis;

/* One config of the grid. */
typedef struct rh_sweep_config {
    const char *id;       /* "c0" (borrowed from the summary) */
    size_t *value;        /* [naxes] index of its value in each axis's values */
    int runs;             /* the runs its figures are over */
    const cJSON *metrics; /* its "metrics" object of the summary (borrowed) */
} rh_sweep_config;

typedef struct rh_sweep {
    char *folder;
    cJSON *summary;       /* DIR/summary.json, owned */
    cJSON *folder_doc;    /* DIR/sweep.json, owned; NULL when absent */
    const char *topology; /* its name */
    const cJSON *set;     /* the --set overrides {PATH: VALUE} (borrowed) */
    const cJSON *seeds;   /* the seeds list (borrowed) */
    rh_sweep_axis *axes;
    size_t naxes;
    rh_sweep_config *configs;
    size_t nconfigs;
} rh_sweep;

/* What went wrong with the folder, for the command to print as "DIR: error: MESSAGE" and,
 * when note is not empty, "DIR: note: NOTE" (DIR as given). */
typedef struct rh_sweep_error {
    char message[1024];
    char note[1024];
} rh_sweep_error;

/* Reads the sweep folder into *s. Returns 0; 2 (bad input, *e says why) for a folder that is
 * not a finished sweep (no summary.json: the note says how to resume it; a summary that is
 * not a sweep's); -1 when out of memory. On failure *s is empty. rh_sweep_free frees it. */
int rh_sweep_read(const char *folder, rh_sweep *s, rh_sweep_error *e);

void rh_sweep_free(rh_sweep *s);

/* The run document of config c with the first seed whose file is there (DIR/runs/ID-sSEED.json),
 * parsed (caller frees), or NULL when none is readable. */
cJSON *rh_sweep_run_doc(const rh_sweep *s, size_t c);

/* Whether some config has the metric path in its summary. */
bool rh_sweep_has_metric(const rh_sweep *s, const char *path);

/* The metric paths of the summary nearest to path ("did you mean"): up to max of them in
 * out (borrowed), the nearest first. Returns how many. */
size_t rh_sweep_near_metrics(const rh_sweep *s, const char *path, const char **out, size_t max);

#endif
