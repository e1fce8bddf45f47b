/* Test helpers: load, run and read result documents; confidence intervals over replications;
 * normal, binomial and Poisson bounds; the accounting identity; reading files. */
#include "support.h"

#include "engine.h"
#include "json_report.h"
#include "loader.h"
#include "models.h"
#include "strfmt.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sim_topology *t_load(const char *yaml, const char *const *sets, size_t nsets, sim_diag **diag) {
    sim_override ov[32];
    char buf[32][256];
    cr_assert(nsets <= 32);
    for (size_t i = 0; i < nsets; i++) {
        cr_assert(strlen(sets[i]) < sizeof buf[i]);
        strcpy(buf[i], sets[i]);
        char *eq = strchr(buf[i], '=');
        cr_assert(eq, "override without '=': %s", sets[i]);
        *eq = '\0';
        ov[i] = (sim_override){.path = buf[i], .value = eq + 1};
    }
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", yaml, strlen(yaml), ov, nsets, dsim_kinds, d);
    if (diag)
        *diag = d;
    else {
        for (size_t i = 0; i < sim_diag_count(d); i++)
            cr_log_error("%s", sim_diag_message(d, i));
        sim_diag_free(d);
    }
    return t;
}

cJSON *t_run_with(const char *yaml, uint64_t seed, const char *const *sets, size_t nsets) {
    sim_topology *t = t_load(yaml, sets, nsets, NULL);
    cr_assert(t, "the topology does not load");
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0, "the run failed");
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    sim_engine_free(e);
    sim_topology_free(t);
    return doc;
}

cJSON *t_run(const char *yaml, uint64_t seed) { return t_run_with(yaml, seed, NULL, 0); }

char *t_run_text(const char *yaml, uint64_t seed) {
    cJSON *doc = t_run(yaml, seed);
    char *text = dsim_json_render(doc);
    cr_assert(text);
    cJSON_Delete(doc);
    return text;
}

const cJSON *t_at(const cJSON *doc, const char *path) {
    char buf[256];
    cr_assert(strlen(path) < sizeof buf);
    strcpy(buf, path);
    const cJSON *v = doc;
    for (char *save, *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save))
        v = cJSON_IsArray(v) && isdigit((unsigned char)part[0])
                ? cJSON_GetArrayItem(v, atoi(part)) /* "faults.0.action" */
                : cJSON_GetObjectItemCaseSensitive(v, part);
    /* Instance names contain a dot ("web.0"): fall back to the longest matching key. */
    if (!v) {
        const char *p = path;
        v = doc;
        while (v && *p) {
            const cJSON *best = NULL;
            size_t best_len = 0;
            const cJSON *it;
            cJSON_ArrayForEach(it, v) {
                if (!it->string)
                    break; /* an array: reached by index above, or not at all */
                size_t len = strlen(it->string);
                if (len > best_len && strncmp(p, it->string, len) == 0 &&
                    (p[len] == '.' || p[len] == '\0'))
                    best = it, best_len = len;
            }
            v = best;
            p += best_len;
            if (*p == '.')
                p++;
        }
    }
    cr_assert(v, "nothing at %s", path);
    return v;
}

double t_num(const cJSON *doc, const char *path) {
    const cJSON *v = t_at(doc, path);
    cr_assert(cJSON_IsNumber(v), "no number at %s", path);
    return v->valuedouble;
}

long long t_int(const cJSON *doc, const char *path) { return llround(t_num(doc, path)); }

const char *t_str(const cJSON *doc, const char *path) {
    const cJSON *v = t_at(doc, path);
    cr_assert(cJSON_IsString(v), "no string at %s", path);
    return v->valuestring;
}

bool t_bool(const cJSON *doc, const char *path) {
    const cJSON *v = t_at(doc, path);
    cr_assert(cJSON_IsBool(v), "no boolean at %s", path);
    return cJSON_IsTrue(v);
}

const cJSON *t_get(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert(v, "no key %s", key);
    return v;
}

t_ci t_ci_of(const double *x, size_t n, double level) {
    t_ci ci = {.n = n};
    cr_assert(n >= 2);
    ci.mean = gsl_stats_mean(x, 1, n);
    double sd = gsl_stats_sd_m(x, 1, n, ci.mean);
    double t = gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, (double)(n - 1));
    ci.half = t * sd / sqrt((double)n);
    return ci;
}

void t_expect_in_ci(const char *what, t_ci ci, double theory) {
    cr_log_info("%s: %.6g +- %.3g (n=%zu), theory %.6g", what, ci.mean, ci.half, ci.n, theory);
    cr_expect(fabs(ci.mean - theory) <= ci.half,
              "%s: theory %.6g outside the confidence interval %.6g +- %.3g (n=%zu)", what,
              theory, ci.mean, ci.half, ci.n);
}

void t_replicate(const char *yaml, size_t reps, const char *const *paths, size_t npaths,
                 double *out) {
    for (size_t i = 0; i < reps; i++) {
        cJSON *doc = t_run(yaml, i + 1);
        for (size_t j = 0; j < npaths; j++)
            out[j * reps + i] = t_num(doc, paths[j]);
        cJSON_Delete(doc);
    }
}

#define Z999 3.2905 /* two-sided 99.9% quantile of the standard normal */

void t_expect_near(const char *what, double x, double mean, double sd) {
    cr_log_info("%s: %.0f, theory %.1f +- %.1f", what, x, mean, Z999 * sd);
    cr_expect(fabs(x - mean) <= Z999 * sd, "%s: %.0f outside %.1f +- %.1f (99.9%%)", what, x, mean,
              Z999 * sd);
}

void t_expect_binomial(const char *what, double k, double n, double p) {
    t_expect_near(what, k, n * p, sqrt(n * p * (1 - p)));
}

void t_expect_poisson(const char *what, double x, double mean) {
    t_expect_near(what, x, mean, sqrt(mean));
}

long long t_delivery_int(const cJSON *doc, const char *group, const char *key) {
    char path[256];
    snprintf(path, sizeof path, "delivery.groups.%s.%s", group, key);
    return t_int(doc, path);
}

void t_expect_delivery_identity(const cJSON *doc, const char *g) {
    long long ack = t_delivery_int(doc, g, "acknowledged");
    long long once = t_delivery_int(doc, g, "processed_once");
    long long more = t_delivery_int(doc, g, "processed_more");
    long long lost = t_delivery_int(doc, g, "lost");
    long long dead = t_delivery_int(doc, g, "dead_lettered");
    long long missed = t_delivery_int(doc, g, "missed");
    long long pending = t_delivery_int(doc, g, "pending");
    long long vanished = t_delivery_int(doc, g, "vanished");
    cr_expect_eq(ack, once + more + lost + dead + missed + pending,
                 "%s: acknowledged %lld != %lld + %lld + %lld + %lld + %lld + %lld", g, ack, once,
                 more, lost, dead, missed, pending);
    cr_expect_eq(lost,
                 t_delivery_int(doc, g, "dropped") + t_delivery_int(doc, g, "expired") +
                     t_delivery_int(doc, g, "crash_lost") + vanished,
                 "%s: lost %lld is not the sum of its causes", g, lost);
    cr_expect_eq(vanished, 0, "%s: %lld messages vanished", g, vanished);
}

double t_erlang_b(int c, double a) {
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

double t_erlang_c(int c, double a) {
    double b = t_erlang_b(c, a), rho = a / c;
    return b / (1 - rho * (1 - b));
}

double t_mm1k_p(double rho, int k, int cap) {
    return fabs(rho - 1) < 1e-12 ? 1.0 / (cap + 1)
                                 : (1 - rho) * pow(rho, k) / (1 - pow(rho, cap + 1));
}

static const cJSON *get(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert(v, "no key %s", key);
    return v;
}

static long long get_int(const cJSON *obj, const char *key) {
    const cJSON *v = get(obj, key);
    cr_assert(cJSON_IsNumber(v), "%s is not a number", key);
    return llround(v->valuedouble);
}

void t_expect_accounting(const cJSON *doc) {
    const cJSON *node;
    long long in_flight = 0;
    int clients = 0;
    cJSON_ArrayForEach(node, get(doc, "nodes")) {
        const cJSON *kind = get(node, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "client") != 0)
            continue;
        clients++;
        long long issued = get_int(node, "issued");
        long long settled = get_int(node, "completed") + get_int(node, "rejected") +
                            get_int(node, "timed_out") + get_int(node, "failed");
        long long flying = get_int(node, "in_flight");
        in_flight += flying;
        cr_expect_eq(issued, settled + flying,
                     "client %s: issued %lld != settled %lld + in flight %lld", node->string,
                     issued, settled, flying);
    }
    cr_assert_gt(clients, 0, "no client in the document");
    const cJSON *req = get(doc, "requests");
    long long issued = get_int(req, "issued");
    long long settled = get_int(req, "completed") + get_int(req, "rejected") +
                        get_int(req, "timed_out") + get_int(req, "failed");
    cr_expect_eq(issued, settled + in_flight, "requests: issued %lld != settled %lld + %lld",
                 issued, settled, in_flight);
}

char *t_slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    cr_assert(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len == cap - 1) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
    }
    cr_assert(!ferror(f), "cannot read %s", path);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

char *t_example(const char *name) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src, "DSIM_SOURCE is not set (run through meson test)");
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/topologies/%s", src, name);
    cr_assert(n > 0 && (size_t)n < sizeof path, "path too long");
    return t_slurp(path);
}

void t_expect_refused(const char *yaml, const char *const *want, size_t nwant) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, NULL, 0, &d);
    cr_expect_null(t, "loaded, expected an error about '%s': %s", nwant ? want[0] : "", yaml);
    sim_topology_free(t);
    bool found = false;
    for (size_t i = 0; d && i < sim_diag_count(d); i++) {
        const char *m = sim_diag_message(d, i);
        cr_log_info("%s", m);
        bool all = true;
        for (size_t k = 0; k < nwant; k++)
            all = all && strstr(m, want[k]) != NULL;
        found = found || all;
    }
    cr_expect(found, "no error mentions '%s'%s%s", nwant ? want[0] : "",
              nwant > 1 ? " with " : "", nwant > 1 ? want[1] : "");
    sim_diag_free(d);
}

size_t t_shortened(const char *name, const char **sets) {
    if (strcmp(name, "phold.yaml") == 0) {
        sets[0] = "duration=20ms";
        sets[1] = "warmup=0s";
        return 2;
    }
    if (strcmp(name, "autocommit_crash.yaml") == 0) /* 10 crashes over 380 s: 0.2 s of CPU */
        return 0;
    if (strcmp(name, "backup_restore.yaml") == 0) /* its disk loss is on day 6: 0.4 s of CPU */
        return 0;
    if (strcmp(name, "orchestrator_web.yaml") == 0) /* its crashes span 300 s: 0.05 s of CPU */
        return 0;
    if (strcmp(name, "autoscale.yaml") == 0) /* its load ramp spans 1000 s: 0.3 s of CPU */
        return 0;
    /* Scripted transactions in their first second: a warm-up would leave them all out. */
    if (strcmp(name, "txn_anomalies.yaml") == 0 || strcmp(name, "txn_replica_snapshot.yaml") == 0)
        return 0;
    sets[0] = "duration=70s";
    sets[1] = "warmup=5s";
    if (strcmp(name, "outage.yaml") != 0)
        return 2;
    sets[2] = "faults.1.at=62s";
    sets[3] = "faults.2.at=64s";
    sets[4] = "faults.3.at=66s";
    return 5;
}

char **t_examples(void) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src, "DSIM_SOURCE is not set (run through meson test)");
    char *dir = sim_strfmt("%s/topologies", src);
    cr_assert(dir);
    struct dirent **list;
    int count = scandir(dir, &list, NULL, alphasort);
    cr_assert_gt(count, 0, "no topologies in %s", dir);
    free(dir);
    char **names = calloc((size_t)count + 1, sizeof *names);
    cr_assert(names);
    size_t n = 0;
    for (int i = 0; i < count; i++) {
        size_t len = strlen(list[i]->d_name);
        if (len > 5 && strcmp(list[i]->d_name + len - 5, ".yaml") == 0) {
            names[n] = strdup(list[i]->d_name);
            cr_assert(names[n]);
            n++;
        }
        free(list[i]);
    }
    free(list);
    cr_assert_geq(n, 5, "only %zu topologies found", n);
    return names;
}
