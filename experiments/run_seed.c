#include "run_seed.h"
#include "expect.h"
#include "json_report.h"
#include "metrics.h"
#include "series_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The series_metrics paths of topo that e cannot sample, as errors at their entries. */
static int check_series_paths(sim_engine *e, const sim_topology *topo, sim_diag *diag) {
    char err[600];
    size_t bad;
    if (!sim_engine_check_series_paths(e, topo->series_metrics, topo->nseries_metrics, &bad,
                                       err, sizeof err))
        return 0;
    if (bad == SIZE_MAX)
        return -2;
    sim_diag_error(diag, topo->series_lines[bad], topo->series_cols[bad], "series_metrics: %s",
                   err);
    char near[512];
    if (sim_engine_series_suggest(e, topo->series_metrics[bad], near, sizeof near))
        sim_diag_note(diag, "did you mean '%s'?", near);
    return -1;
}

int exp_run_check_paths(sim_engine *e, const sim_topology *topo, sim_diag *diag) {
    int bad = topo->nexpects && exp_expect_check(e, topo, diag) ? -1 : 0;
    int series = topo->nseries_metrics ? check_series_paths(e, topo, diag) : 0;
    return series == -2 ? -2 : bad ? bad : series;
}

int exp_run_check_topology_paths(const sim_topology *topo, sim_diag *diag) {
    if (!topo->nexpects && !topo->nseries_metrics)
        return 0;
    sim_engine *e = sim_engine_new(topo, topo->seed);
    if (!e)
        return -2;
    int bad = exp_run_check_paths(e, topo, diag);
    sim_engine_free(e);
    return bad;
}

exp_run_status exp_run_judge(const sim_engine *e, const sim_topology *topo, cJSON *doc) {
    if (!topo->nexpects)
        return EXP_RUN_OK;
    exp_verdict *v = calloc(topo->nexpects, sizeof *v);
    if (!v)
        return EXP_RUN_FAILED;
    size_t failed = exp_expect_evaluate(e, topo, v);
    cJSON *list = exp_expect_json(v, topo->nexpects);
    free(v);
    if (!list || !cJSON_AddItemToObject(doc, "expect", list)) {
        cJSON_Delete(list);
        return EXP_RUN_FAILED;
    }
    return failed ? EXP_RUN_EXPECT_FAILED : EXP_RUN_OK;
}

/* The status of an engine whose run returned rc, the reason kept in out->why. */
static exp_run_status finished(const sim_engine *e, int rc, exp_run_outcome *out) {
    if (!rc)
        return EXP_RUN_OK;
    snprintf(out->why, sizeof out->why, "%s", sim_engine_error(e) ? sim_engine_error(e) : "");
    if (rc > 0)
        return EXP_RUN_BUDGET;
    return sim_engine_failure(e) == SIM_RUN_STALLED ? EXP_RUN_STALLED : EXP_RUN_FAILED;
}

/* Runs e to its end under o's budget, after o's prepare hook. */
static exp_run_status run_engine(sim_engine *e, const exp_run_options *o, exp_run_outcome *out) {
    if (o->prepare)
        o->prepare(o->ud, e);
    sim_engine_set_max_events(e, o->max_events);
    return finished(e, sim_engine_run(e), out);
}

/* Done with e: handed to the caller when o asks for the engine, else freed. */
static void let_go(sim_engine *e, const exp_run_options *o, exp_run_outcome *out) {
    if (o->keep_engine)
        out->engine = e;
    else
        sim_engine_free(e);
}

exp_run_status exp_run_choose_warmup(const sim_topology *topo, uint64_t seed,
                                     const exp_run_options *o, sim_diag *diag,
                                     exp_run_outcome *out) {
    out->topology = exp_warmup_pilot(topo); /* a kept pilot engine borrows it from there */
    sim_engine *e = sim_engine_new(&out->topology, seed);
    if (!e) {
        snprintf(out->why, sizeof out->why,
                 "out of memory while creating the engine of the warm-up's pilot run");
        return out->status = EXP_RUN_FAILED;
    }
    /* the paths first: a typo costs no pilot run */
    int bad = exp_run_check_paths(e, topo, diag);
    if (bad) {
        sim_engine_free(e);
        if (bad == -2)
            snprintf(out->why, sizeof out->why, "out of memory");
        return out->status = bad == -2 ? EXP_RUN_FAILED : EXP_RUN_BAD_PATH;
    }
    exp_run_status s = run_engine(e, o, out);
    if (s == EXP_RUN_OK) {
        out->choice = exp_warmup_choose(e);
        out->choice.duration = topo->duration;
        if (out->choice.refused)
            s = EXP_RUN_REFUSED;
    }
    /* a pilot that stopped is the engine a caller reports on; one that finished is spent */
    if (s == EXP_RUN_BUDGET || s == EXP_RUN_STALLED || s == EXP_RUN_FAILED)
        let_go(e, o, out);
    else
        sim_engine_free(e);
    return out->status = s;
}

/* Starts sampling the time series o asks for on e (its paths checked already). Returns
 * EXP_RUN_OK, or FAILED with the reason in out->why. */
static exp_run_status start_series(sim_engine *e, const exp_run_options *o,
                                   exp_run_outcome *out) {
    if (!o->series)
        return EXP_RUN_OK;
    return sim_engine_sample_intervals(e, o->series, o->series_metrics, o->nseries_metrics, NULL,
                                       out->why, sizeof out->why)
               ? EXP_RUN_FAILED
               : EXP_RUN_OK;
}

/* The result document of the finished e (of topology t), with its warm-up choice, series and
 * verdicts, into out->doc. Returns OK, EXPECT_FAILED, or FAILED when out of memory. */
static exp_run_status write_document(const sim_engine *e, const sim_topology *t,
                                     const exp_run_options *o, exp_run_outcome *out) {
    out->doc = o->summary_only ? dsim_json_summary_report(e) : dsim_json_report(e);
    const sim_series *series = sim_engine_series(e);
    exp_run_status s = EXP_RUN_FAILED;
    if (out->doc && !(t->warmup_auto && exp_warmup_report(out->doc, &out->choice)) &&
        !(series && !o->summary_only && dsim_series_add_json(out->doc, series)))
        s = exp_run_judge(e, t, out->doc);
    if (s == EXP_RUN_FAILED) {
        snprintf(out->why, sizeof out->why, "out of memory while writing the result document");
        cJSON_Delete(out->doc);
        out->doc = NULL;
    }
    return s;
}

exp_run_status exp_run_seed(const sim_topology *topo, uint64_t seed, const exp_run_options *o,
                            sim_diag *diag, exp_run_outcome *out) {
    memset(out, 0, sizeof *out);
    /* a shallow copy with the warm-up chosen (topo stays shared), where a kept engine finds it */
    sim_topology *t = &out->topology;
    bool checked = false;
    if (topo->warmup_auto) {
        if (o->fixed) {
            out->choice = *o->fixed;
        } else {
            if (exp_run_choose_warmup(topo, seed, o, diag, out) != EXP_RUN_OK)
                return out->status;
            checked = true;
        }
    }
    *t = *topo;
    if (topo->warmup_auto)
        t->warmup = out->choice.warmup;
    sim_engine *e = sim_engine_new(t, seed);
    if (!e) {
        snprintf(out->why, sizeof out->why, "out of memory while creating the engine");
        return out->status = EXP_RUN_FAILED;
    }
    exp_run_status s = EXP_RUN_OK;
    int bad = checked ? 0 : exp_run_check_paths(e, t, diag);
    if (bad == -2)
        snprintf(out->why, sizeof out->why, "out of memory");
    if (bad)
        s = bad == -2 ? EXP_RUN_FAILED : EXP_RUN_BAD_PATH;
    if (s == EXP_RUN_OK)
        s = start_series(e, o, out);
    if (s == EXP_RUN_OK)
        s = run_engine(e, o, out);
    if (s == EXP_RUN_OK)
        s = write_document(e, t, o, out);
    let_go(e, o, out);
    return out->status = s;
}
