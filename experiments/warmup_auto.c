/* `warmup: auto` by MSER-5 (warmup_auto.h): the pilot topology, the choice from the pilot's
 * batch means, the message that refuses a run too short, and the document's record of the
 * choice. */
#include "warmup_auto.h"

#include "mser.h"
#include "requests.h"
#include "strfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sim_topology exp_warmup_pilot(const sim_topology *topo) {
    sim_topology pilot = *topo;
    pilot.warmup = 0;
    pilot.record_batches = true;
    return pilot;
}

exp_warmup_choice exp_warmup_choose(const sim_engine *pilot) {
    const requests_stats *s = sim_engine_checker(pilot, &dsim_requests_checker);
    requests_batches b = s ? requests_batches_of(s) : (requests_batches){0};
    exp_warmup_choice c = {.responses = b.responses, .batches = b.n, .refused = true};
    if (b.n < 2)
        return c;
    exp_mser m = exp_mser_truncation(b.mean_ms, b.n);
    c.truncated = m.d;
    c.statistic = m.statistic;
    c.warmup = m.d ? b.end[m.d - 1] : 0;
    c.refused = !exp_mser_is_settled(m, b.n);
    return c;
}

int exp_warmup_resolve(const sim_topology *topo, uint64_t seed, exp_warmup_choice *out, char *error,
                       size_t size) {
    sim_topology pilot = exp_warmup_pilot(topo);
    sim_engine *e = sim_engine_new(&pilot, seed);
    int rc = e ? sim_engine_run(e) : -1;
    if (rc) {
        snprintf(error, size, "the pilot run of warmup: auto failed: %s",
                 e && sim_engine_error(e) ? sim_engine_error(e) : "out of memory");
    } else {
        *out = exp_warmup_choose(e);
        out->duration = topo->duration;
    }
    sim_engine_free(e);
    return rc ? -1 : 0;
}

char *exp_warmup_refusal(const exp_warmup_choice *c) {
    static const char head[] = "warmup: auto: the run is too short to have reached steady state";
    if (c->batches < 2)
        return sim_strfmt("%s: its clients completed %llu requests, and MSER-5 needs at least "
                          "%d (two batches of %d)",
                          head, (unsigned long long)c->responses, 2 * EXP_MSER_BATCH,
                          EXP_MSER_BATCH);
    return sim_strfmt("%s: MSER-5 would cut %zu of its %zu batches of %d response times (up "
                      "to %.6g s of %.6g s), and a cut is trusted only within the first half",
                      head, c->truncated, c->batches, EXP_MSER_BATCH, sim_time_s(c->warmup),
                      sim_time_s(c->duration));
}

/* Adds item under key to obj just after the member called after, or at the end without one:
 * appended, then the members between move behind it (cJSON can insert into an object only
 * by index, and refuses to in some of its versions). */
static void insert_after(cJSON *obj, const char *after, const char *key, cJSON *item) {
    cJSON *anchor = cJSON_GetObjectItemCaseSensitive(obj, after);
    cJSON_AddItemToObject(obj, key, item);
    if (!anchor)
        return;
    for (cJSON *m = anchor->next; m && m != item;) {
        cJSON *next = m->next;
        cJSON_AddItemToArray(obj, cJSON_DetachItemViaPointer(obj, m)); /* keeps its key */
        m = next;
    }
}

int exp_warmup_report(cJSON *doc, const exp_warmup_choice *c) {
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "method", "MSER-5") &&
              cJSON_AddNumberToObject(o, "batch_size", EXP_MSER_BATCH) &&
              cJSON_AddNumberToObject(o, "responses", (double)c->responses) &&
              cJSON_AddNumberToObject(o, "batches", (double)c->batches) &&
              cJSON_AddNumberToObject(o, "truncated_batches", (double)c->truncated) &&
              cJSON_AddNumberToObject(o, "truncated_responses",
                                      (double)(c->truncated * EXP_MSER_BATCH)) &&
              cJSON_AddNumberToObject(o, "statistic_ms2", c->statistic);
    if (!ok) {
        cJSON_Delete(o);
        return -1;
    }
    insert_after(doc, "warmup_s", "warmup_auto", o);
    return 0;
}
