#include "run_seed.h"
#include "expect.h"
#include "json_report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int exp_run_check_expect(const sim_engine *e, const sim_topology *topo, sim_diag *diag) {
    return topo->nexpects ? exp_expect_check(e, topo, diag) : 0;
}

int exp_run_check_expect_paths(const sim_topology *topo, sim_diag *diag) {
    if (!topo->nexpects)
        return 0;
    sim_engine *e = sim_engine_new(topo, topo->seed);
    if (!e)
        return -2;
    int bad = exp_expect_check(e, topo, diag);
    sim_engine_free(e);
    return bad ? -1 : 0;
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

exp_run_status exp_run_choose_warmup(const sim_topology *topo, uint64_t seed,
                                     const exp_run_options *o, sim_diag *diag,
                                     exp_run_outcome *out) {
    sim_topology pilot = exp_warmup_pilot(topo);
    sim_engine *e = sim_engine_new(&pilot, seed);
    if (!e) {
        snprintf(out->why, sizeof out->why,
                 "out of memory while creating the engine of the warm-up's pilot run");
        return out->status = EXP_RUN_FAILED;
    }
    /* the paths first: a typo costs no pilot run */
    if (exp_run_check_expect(e, topo, diag)) {
        sim_engine_free(e);
        return out->status = EXP_RUN_BAD_EXPECT;
    }
    sim_engine_set_max_events(e, o->max_events);
    exp_run_status s = finished(e, sim_engine_run(e), out);
    if (s == EXP_RUN_OK) {
        out->choice = exp_warmup_choose(e);
        out->choice.duration = topo->duration;
        if (out->choice.refused)
            s = EXP_RUN_REFUSED;
    }
    sim_engine_free(e);
    return out->status = s;
}

exp_run_status exp_run_seed(const sim_topology *topo, uint64_t seed, const exp_run_options *o,
                            sim_diag *diag, exp_run_outcome *out) {
    memset(out, 0, sizeof *out);
    sim_topology t = *topo; /* a shallow copy with the warm-up chosen: topo stays shared */
    bool checked = false;
    if (topo->warmup_auto) {
        if (o->fixed) {
            out->choice = *o->fixed;
        } else {
            if (exp_run_choose_warmup(topo, seed, o, diag, out) != EXP_RUN_OK)
                return out->status;
            checked = true;
        }
        t.warmup = out->choice.warmup;
    }
    sim_engine *e = sim_engine_new(&t, seed);
    if (!e) {
        snprintf(out->why, sizeof out->why, "out of memory while creating the engine");
        return out->status = EXP_RUN_FAILED;
    }
    exp_run_status s = EXP_RUN_OK;
    if (!checked && exp_run_check_expect(e, &t, diag))
        s = EXP_RUN_BAD_EXPECT;
    if (s == EXP_RUN_OK) {
        sim_engine_set_max_events(e, o->max_events);
        s = finished(e, sim_engine_run(e), out);
    }
    if (s == EXP_RUN_OK) {
        out->doc = dsim_json_report(e);
        if (!out->doc || (t.warmup_auto && exp_warmup_report(out->doc, &out->choice)))
            s = EXP_RUN_FAILED;
        else
            s = exp_run_judge(e, &t, out->doc);
        if (s == EXP_RUN_FAILED) {
            snprintf(out->why, sizeof out->why, "out of memory while writing the result document");
            cJSON_Delete(out->doc);
            out->doc = NULL;
        }
    }
    sim_engine_free(e);
    return out->status = s;
}
