/* The head of a run's section (run_header.h). */
#include "run_header.h"

#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void meta(rh_page *p, const char *term, const char *value) {
    rh_raw(p, "<dt>");
    rh_text(p, term);
    rh_raw(p, "</dt><dd>");
    rh_text(p, value);
    rh_raw(p, "</dd>\n");
}

static void meta_num(rh_page *p, const char *term, double v, const char *unit) {
    if (!isfinite(v))
        return;
    char b[64], t[80];
    rh_fmt_num(b, sizeof b, v);
    snprintf(t, sizeof t, "%s%s", b, unit);
    meta(p, term, t);
}

/* A JSON scalar as text: a string as it is, a number in the report's format, true/false. */
static void scalar_text(char *buf, size_t len, const cJSON *v) {
    if (cJSON_IsString(v))
        snprintf(buf, len, "%s", v->valuestring);
    else if (cJSON_IsNumber(v))
        rh_fmt_num(buf, len, v->valuedouble);
    else if (cJSON_IsBool(v))
        snprintf(buf, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else
        buf[0] = '\0';
}

static void overrides(rh_page *p, const cJSON *ov) {
    if (!cJSON_IsObject(ov) || !ov->child)
        return;
    rh_raw(p, "<h3>Overrides</h3>\n");
    static const char *const head[] = {"path", "value (--set)", "in the file", "as dsim read it"};
    rh_table_begin(p, head, 4);
    const cJSON *it;
    cJSON_ArrayForEach(it, ov) {
        char value[256], file[256], resolved[256];
        scalar_text(value, sizeof value, rh_get(it, "value"));
        scalar_text(file, sizeof file, rh_get(it, "file"));
        scalar_text(resolved, sizeof resolved, rh_get(it, "resolved"));
        const cJSON *unit = rh_get(it, "unit");
        if (resolved[0] && cJSON_IsString(unit)) {
            size_t n = strlen(resolved);
            snprintf(resolved + n, sizeof resolved - n, " %s", unit->valuestring);
        }
        const char *cells[] = {it->string, value, file, resolved};
        rh_table_row(p, cells, 4);
    }
    rh_table_end(p);
}

static void verdicts(rh_page *p, const cJSON *ex) {
    if (!cJSON_IsArray(ex))
        return;
    int n = 0, ok = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, ex) {
        n++;
        ok += cJSON_IsTrue(rh_get(it, "ok"));
    }
    rh_raw(p, "<h3>Expectations</h3>\n<p class=\"%s\">%d of %d checks pass%s</p>\n",
           ok == n ? "verdict-pass" : "verdict-fail", ok, n, ok == n ? "" : ": the design fails");
    rh_raw(p, "<table>\n<tr><th>metric</th><th>value</th><th>min</th><th>max</th>"
              "<th>verdict</th></tr>\n");
    cJSON_ArrayForEach(it, ex) {
        bool pass = cJSON_IsTrue(rh_get(it, "ok"));
        char value[64], lo[64], hi[64];
        const cJSON *v = rh_get(it, "value");
        if (cJSON_IsNumber(v))
            rh_fmt_num(value, sizeof value, v->valuedouble);
        else
            snprintf(value, sizeof value, "null (no value)");
        scalar_text(lo, sizeof lo, rh_get(it, "min"));
        scalar_text(hi, sizeof hi, rh_get(it, "max"));
        const cJSON *metric = rh_get(it, "metric");
        rh_raw(p, "<tr class=\"%s\"><td>", pass ? "pass" : "fail");
        rh_text(p, cJSON_IsString(metric) ? metric->valuestring : "");
        rh_raw(p, "</td><td class=\"num\">");
        rh_text(p, value);
        rh_raw(p, "</td><td class=\"num\">");
        rh_text(p, lo);
        rh_raw(p, "</td><td class=\"num\">");
        rh_text(p, hi);
        rh_raw(p, "</td><td>%s</td></tr>\n", pass ? "pass" : "FAIL");
    }
    rh_raw(p, "</table>\n");
}

void rh_run_header(rh_page *p, const cJSON *doc, const char *input) {
    rh_raw(p, "<dl class=\"meta\">\n");
    const cJSON *topo = rh_get(doc, "topology");
    if (cJSON_IsString(topo))
        meta(p, "topology", topo->valuestring);
    if (input)
        meta(p, "document", input);
    meta_num(p, "seed", rh_num_at(doc, "seed"), "");
    meta_num(p, "duration", rh_num_at(doc, "duration_s"), " s");
    double w = rh_num_at(doc, "warmup_s");
    const cJSON *wa = rh_get(doc, "warmup_auto");
    if (isfinite(w)) {
        char b[64], t[160];
        rh_fmt_num(b, sizeof b, w);
        const cJSON *method = rh_get(wa, "method");
        snprintf(t, sizeof t, "%s s%s%s%s", b, cJSON_IsString(method) ? " (chosen by " : "",
                 cJSON_IsString(method) ? method->valuestring : "",
                 cJSON_IsString(method) ? ")" : "");
        meta(p, "warm-up", t);
    }
    meta_num(p, "events", rh_num_at(doc, "events"), "");
    const cJSON *version = rh_get(doc, "dsim_version");
    if (cJSON_IsString(version))
        meta(p, "dsim", version->valuestring);
    rh_raw(p, "</dl>\n");
    overrides(p, rh_get(doc, "overrides"));
    verdicts(p, rh_get(doc, "expect"));
}
