/* The fuzz harness's bounded path (see harness.h). Compiled into the libFuzzer target and into
 * the regression replay of the normal suite, so both take exactly the same path. */
#include "harness.h"

#include "engine.h"
#include "footprint.h"
#include "json_report.h"
#include "loader.h"
#include "models.h"
#include "summary.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The instance cap bounds the time an input takes however small its instances (each is created
 * and reported); the estimate bounds its memory, kind by kind, through the same memory_need
 * hooks that --max-memory uses, so a kind's new sizing key is capped as soon as its hook counts
 * it. */
static bool is_too_big(const sim_topology *t) {
    if (t->nnodes > DSIM_FUZZ_MAX_INSTANCES)
        return true;
    return sim_footprint_estimate(t).bytes > DSIM_FUZZ_MAX_BYTES;
}

/* Runs e in slices of simulated time up to the time cap, stopping after the slice in which the
 * event budget ran out. */
static dsim_fuzz_outcome run_bounded(sim_engine *e, const sim_topology *t) {
    sim_time cap = (sim_time)DSIM_FUZZ_MAX_TIME_S * SIM_S;
    sim_time end = t->duration < cap ? t->duration : cap;
    sim_time step = end / DSIM_FUZZ_SLICES > 0 ? end / DSIM_FUZZ_SLICES : 1;
    sim_time now = 0;
    while (now < end && sim_engine_events(e) < DSIM_FUZZ_MAX_EVENTS) {
        now = end - now > step ? now + step : end;
        if (sim_engine_run_until(e, now))
            return DSIM_FUZZ_FAILED;
    }
    return now == t->duration ? DSIM_FUZZ_RAN : DSIM_FUZZ_CUT_SHORT;
}

/* Builds the document, renders it and prints the summary to /dev/null: the output path of
 * `dsim run --json`, without the files. */
static void report(const sim_engine *e) {
    cJSON *doc = dsim_json_report(e);
    if (!doc)
        return;
    free(dsim_json_render(doc));
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        dsim_summary_print(out, doc);
        fclose(out);
    }
    cJSON_Delete(doc);
}

dsim_fuzz_outcome dsim_fuzz_one(const uint8_t *data, size_t size) {
    if (size > DSIM_FUZZ_MAX_INPUT)
        return DSIM_FUZZ_TOO_LONG;
    sim_diag *diag = sim_diag_new("fuzz.yaml");
    if (!diag)
        return DSIM_FUZZ_FAILED;
    sim_topology *t =
        sim_load_string("fuzz.yaml", (const char *)data, size, NULL, 0, dsim_kinds, diag);
    /* Format every message, as the CLI prints them; a refusal must say why. */
    size_t len = 0;
    for (size_t i = 0; i < sim_diag_count(diag); i++)
        len += strlen(sim_diag_message(diag, i));
    assert(t || sim_diag_count(diag) > 0);
    (void)len;
    sim_diag_free(diag);
    if (!t)
        return DSIM_FUZZ_REFUSED;
    dsim_fuzz_outcome o = DSIM_FUZZ_TOO_BIG;
    if (!is_too_big(t)) {
        o = DSIM_FUZZ_FAILED;
        sim_engine *e = sim_engine_new(t, t->seed);
        if (e) {
            o = run_bounded(e, t);
            if (o != DSIM_FUZZ_FAILED) /* as the CLI: a failed run has no document */
                report(e);
            sim_engine_free(e);
        }
    }
    sim_topology_free(t);
    return o;
}

const char *dsim_fuzz_outcome_name(dsim_fuzz_outcome o) {
    static const char *const names[] = {
        [DSIM_FUZZ_TOO_LONG] = "too long",   [DSIM_FUZZ_REFUSED] = "refused",
        [DSIM_FUZZ_TOO_BIG] = "too big",     [DSIM_FUZZ_FAILED] = "failed",
        [DSIM_FUZZ_CUT_SHORT] = "cut short", [DSIM_FUZZ_RAN] = "ran",
    };
    return o <= DSIM_FUZZ_RAN ? names[o] : "?";
}
