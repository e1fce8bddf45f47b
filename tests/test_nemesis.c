/* The nemesis (docs/faults.md, "The nemesis"; sim/nemesis.h): faults drawn at random from
 * the run's seed, each an ordinary fault of the engine's list.
 *
 * Oracles:
 *   - Replay: the run with the nemesis and the run without it whose `faults:` are the
 *     written faults then the drawn ones (through the YAML writer, reports/faults_yaml.h,
 *     and the loader) give the same document, every number, once the nemesis's own markers
 *     ("nemesis" of the document, "nemesis": true of the fault log) are removed: compared as
 *     JSON trees, exactly.
 *   - A crash rule with exponential up times (mean MTTF) and repair times (mean MTTR) makes
 *     each instance an alternating renewal process, a two-state Markov chain started up: the
 *     probability it is down at t is p (1 - e^{-t/tau}), p = MTTR / (MTTF + MTTR), tau =
 *     1 / (1/MTTF + 1/MTTR) (Ross, Introduction to Probability Models, §6.8 two-state
 *     chain), so the expected time-average number down over [0, T] among N instances is
 *     N p (1 - tau/T (1 - e^{-T/tau})): checked with a 99.9% t interval over seeds of the
 *     time-average read from the run's fault log. The number down at instants far apart
 *     (many tau) is Binomial(N, p): each count's frequency checked as a binomial count. The
 *     expected count of crashes begun by T is N (lambda mu T / (lambda + mu) + lambda^2 /
 *     (lambda + mu)^2 (1 - e^{-(lambda + mu) T})), lambda = 1/MTTF, mu = 1/MTTR (the chain's
 *     up -> down rate integrated): a t interval over seeds.
 *   - Without a duration the crash instants of an instance are a Poisson process of rate
 *     1/mean(every) from `start` (exponential renewals): the count in the window is
 *     Poisson(N (end - start) / mean), summed over seeds.
 *   - halves cuts floor(n/2) instances against ceil(n/2), a uniformly random such set: each
 *     instance is on the small side with probability floor(n/2)/n (binomial over the
 *     partitions drawn); isolate cuts one, each with probability 1/n. */
#include "support.h"

#include "faults_yaml.h"
#include "nemesis.h"
#include "sandbox.h"
#include "units.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The nodes of every scenario: traffic through a load balancer to a tier of four. */
static const char base[] = "name: nem\n"
                           "duration: 200s\n"
                           "network: {latency: {dist: constant, value: 1ms}}\n"
                           "nodes:\n"
                           "  users: {kind: client, target: lb, rate: 50/s, timeout: 1s}\n"
                           "  lb: {kind: load_balancer, backends: web, policy: round_robin,\n"
                           "       health_interval: 1s, health_timeout: 500ms}\n"
                           "  web: {kind: service, replicas: 4, workers: 2,\n"
                           "        service: {dist: exponential, mean: 10ms}}\n";

/* Every kind of rule, and written faults that coincide with drawn ones (constant every and
 * duration of 20 s: slow faults on web.0 from 20 s, 60 s, 100 s, ..., as the written slow and
 * crash at 60 s: at equal times the engine applies them in list order). */
static const char written[] = "faults:\n"
                              "  - {at: 60s, slow: web.0, factor: 2, duration: 20s}\n"
                              "  - {at: 60s, crash: web.0, duration: 3s}\n";
static const char rules[] =
    "nemesis:\n"
    "  - {crash: web, every: {dist: exponential, mean: 60s}, duration: {dist: exponential, "
    "mean: 5s}}\n"
    "  - {partition: [lb, web], mode: halves, every: {dist: exponential, mean: 50s}, duration: "
    "2s}\n"
    "  - {partition: [lb, web], mode: isolate, every: {dist: uniform, min: 30s, max: 60s}, "
    "duration: 1s, start: 20s, end: 150s}\n"
    "  - {loss: 0.2, from: users, to: lb, every: {dist: exponential, mean: 70s}, duration: 1s}\n"
    "  - {latency: {add: 30ms}, node: lb, every: {dist: exponential, mean: 60s}, duration: 3s}\n"
    "  - {slow: web.0, factor: 3, every: 20s, duration: 20s}\n";

static char *cat3(const char *a, const char *b, const char *c) {
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    cr_assert(s);
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* The drawn faults of yaml for seed as YAML text (caller frees), their count in *n. */
static char *drawn_text(const char *yaml, uint64_t seed, size_t *n) {
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "does not load: %s", yaml);
    sim_arena *a = sim_arena_new();
    sim_fault *f;
    size_t k;
    cr_assert(a && sim_nemesis_draw(t, seed, a, &f, &k) == 0);
    char *text;
    size_t len;
    FILE *m = open_memstream(&text, &len);
    cr_assert(m && dsim_faults_yaml(m, f, k) == 0);
    fclose(m);
    for (size_t i = 0; i < k; i++) {
        cr_expect(f[i].drawn && f[i].at >= 0 && f[i].at <= t->duration);
        cr_expect(i == 0 || f[i].rule > f[i - 1].rule ||
                      (f[i].rule == f[i - 1].rule && f[i].at >= f[i - 1].at),
                  "drawn faults in rule order, then time order");
    }
    if (n)
        *n = k;
    sim_arena_free(a);
    sim_topology_free(t);
    return text;
}

Test(nemesis, same_seed_same_faults_and_document) {
    char *yaml = cat3(base, written, rules);
    size_t n;
    char *a = drawn_text(yaml, 7, &n), *b = drawn_text(yaml, 7, NULL);
    cr_expect_str_eq(a, b);
    cr_expect_gt(n, 10, "drew %zu faults", n);
    char *da = t_run_text(yaml, 7), *db = t_run_text(yaml, 7);
    cr_expect_str_eq(da, db, "same seed, same document");
    free(a), free(b), free(da), free(db), free(yaml);
}

Test(nemesis, different_seeds_draw_different_faults) {
    char *yaml = cat3(base, written, rules);
    char *texts[6];
    for (int s = 0; s < 6; s++)
        texts[s] = drawn_text(yaml, (uint64_t)s + 1, NULL);
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++)
            cr_expect(strcmp(texts[i], texts[j]) != 0, "seeds %d and %d drew the same", i + 1,
                      j + 1);
    for (int s = 0; s < 6; s++)
        free(texts[s]);
    free(yaml);
}

Test(nemesis, a_rule_added_after_others_changes_none_of_their_draws) {
    char *one = cat3(base,
                     "nemesis:\n  - {crash: web, every: 30s, duration: 2s}\n"
                     "  - {loss: 0.1, every: {dist: exponential, mean: 40s}, duration: 1s}\n",
                     "");
    char *two = cat3(one,
                     "  - {slow: web, factor: 2, every: {dist: exponential, mean: 9s}, "
                     "duration: 1s}\n",
                     "");
    size_t n1, n2;
    char *a = drawn_text(one, 3, &n1), *b = drawn_text(two, 3, &n2);
    cr_expect_gt(n2, n1);
    cr_expect(strncmp(a, b, strlen(a)) == 0, "the first rules' draws are a prefix:\n%s\n%s", a, b);
    /* and no node's draws: the client's arrivals (open loop) are the same without a nemesis */
    cJSON *with = t_run(two, 3), *without = t_run(base, 3);
    cr_expect_eq(t_int(with, "nodes.users.issued"), t_int(without, "nodes.users.issued"));
    cJSON_Delete(with), cJSON_Delete(without);
    free(a), free(b), free(one), free(two);
}

/* Removes the nemesis's own markers from a document. */
static void strip_nemesis(cJSON *doc) {
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "nemesis");
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "faults"))
        cJSON_DeleteItemFromObjectCaseSensitive(f, "nemesis");
}

Test(nemesis, the_drawn_faults_written_as_faults_replay_the_run_exactly) {
    char *yaml = cat3(base, written, rules);
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        sim_arena *a = sim_arena_new();
        sim_fault *f;
        size_t n;
        cr_assert(sim_nemesis_draw(t, seed, a, &f, &n) == 0);
        /* written then drawn, as the engine lays them out */
        sim_fault *all = malloc((t->nfaults + n) * sizeof *all);
        memcpy(all, t->faults, t->nfaults * sizeof *all);
        memcpy(all + t->nfaults, f, n * sizeof *f);
        char *list;
        size_t len;
        FILE *m = open_memstream(&list, &len);
        cr_assert(m && dsim_faults_yaml(m, all, t->nfaults + n) == 0);
        fclose(m);
        char *replay = cat3(base, list, "");
        cJSON *doc = t_run(yaml, seed), *again = t_run(replay, seed);
        cr_expect_eq(t_int(doc, "nemesis.rules"), 6);
        long long drawn = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, t_at(doc, "nemesis.drawn")) drawn += (long long)c->valuedouble;
        cr_expect_eq(drawn, (long long)n, "the document counts %lld drawn, the draw %zu", drawn, n);
        cr_expect_null(cJSON_GetObjectItemCaseSensitive(again, "nemesis"));
        strip_nemesis(doc);
        char *x = cJSON_Print(doc), *y = cJSON_Print(again);
        cr_expect(cJSON_Compare(doc, again, true), "seed %llu: the replay differs", seed);
        if (!cJSON_Compare(doc, again, true))
            cr_log_error("with nemesis:\n%.3000s\nreplay:\n%.3000s", x, y);
        free(x), free(y);
        cJSON_Delete(doc), cJSON_Delete(again);
        free(replay), free(list), free(all);
        sim_arena_free(a);
    }
    sim_topology_free(t);
    free(yaml);
}

Test(nemesis, times_print_so_that_they_parse_back_exactly) {
    /* every nanosecond count of a range, and awkward ones (decimal seconds a double cannot
     * carry exactly times 1e9) */
    static const sim_time odd[] = {0,
                                   1,
                                   999,
                                   1000,
                                   123456789,
                                   12500000000,
                                   86399999999999,
                                   4503599627370497,
                                   1000000000000001};
    char buf[DSIM_YAML_TIME_MAX];
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        sim_time back;
        cr_assert(sim_parse_duration(dsim_yaml_time(buf, odd[i]), &back) == NULL, "%s", buf);
        cr_expect_eq(back, odd[i], "%s reads back as %lld, not %lld", buf, (long long)back,
                     (long long)odd[i]);
    }
    for (sim_time t = 86399000000000; t < 86399000000000 + 20000; t += 7) {
        sim_time back = -1;
        sim_parse_duration(dsim_yaml_time(buf, t), &back);
        cr_assert_eq(back, t, "%s", buf);
    }
    cr_expect_str_eq(dsim_yaml_time(buf, 12500000000), "12500ms");
    cr_expect_str_eq(dsim_yaml_time(buf, 12123456789), "12.123456789s");
}

/* ---- loader ---- */

static void refused(const char *rule, const char *w1, const char *w2) {
    char *yaml = cat3(base, "nemesis:\n", rule);
    const char *want[] = {w1, w2};
    t_expect_refused(yaml, want, w2 ? 2 : 1);
    free(yaml);
}

Test(nemesis, malformed_rules_are_errors_at_their_position) {
    refused("  - {crash: web, evry: 10s, duration: 1s}\n",
            ":11:18: error: nemesis[0]: unknown "
            "key 'evry'",
            NULL);
    refused("  - {crash: web, evry: 10s, duration: 1s}\n", "did you mean 'every'", NULL);
    refused("  - {crash: web, duration: 1s}\n", ":11:5: error: nemesis[0]: missing 'every'", NULL);
    refused("  - {every: 10s, duration: 1s}\n", "exactly one action", NULL);
    refused("  - {crash: web, loss: 0.1, every: 10s}\n", "exactly one action", "found 2");
    refused("  - {loss: 0.1, every: 10s}\n", "missing 'duration'", NULL);
    refused("  - {crash: web, every: 0s, duration: 1s}\n", ":11:25: error: nemesis[0]: every",
            "mean > 0");
    refused("  - {crash: wbe, every: 10s}\n", "wbe", NULL);
    refused("  - {crash: web, every: {dist: pareto, shape: 0.5, scale: 1ms}}\n", "finite mean",
            NULL);
    refused("  - {partition: [web.0], every: 10s, duration: 1s}\n", "a cut needs two or more",
            NULL);
    refused("  - {partition: [[lb], [web]], every: 10s, duration: 1s}\n", "flat list", NULL);
    refused("  - {partition: [lb, web], mode: halfs, every: 10s, duration: 1s}\n",
            "unknown mode 'halfs'", NULL);
    refused("  - {partition: [lb, web], mode: halfs, every: 10s, duration: 1s}\n",
            "did you mean 'halves'", NULL);
    refused("  - {crash: web, mode: halves, every: 10s}\n", "'mode' goes with 'partition'", NULL);
    refused("  - {crash: web, factor: 2, every: 10s}\n", "'factor' goes with 'slow'", NULL);
    refused("  - {slow: web, every: 10s, duration: 1s}\n", "needs 'factor'", NULL);
    refused("  - {loss: 0.1, from: users, every: 10s, duration: 1s}\n", "both 'from' and 'to'",
            NULL);
    refused("  - {loss: 1.5, every: 10s, duration: 1s}\n", "loss", NULL);
    refused("  - {latency: {add: 1ms, plus: 2ms}, every: 10s, duration: 1s}\n", "unknown key",
            "plus");
    refused("  - {crash: web, every: 10s, end: 300s}\n", "after the end of the run", NULL);
    refused("  - {crash: web, every: 10s, start: 50s, end: 40s}\n", "before start", NULL);
    refused("  - {crash: web, every: 1us}\n", "make 'every' longer", NULL);
    refused("  - crash\n", "expected a mapping", NULL);
    char *yaml = cat3(base, "nemesis: {crash: web}\n", "");
    const char *want[] = {"nemesis: expected a list"};
    t_expect_refused(yaml, want, 1);
    free(yaml);
}

Test(nemesis, validate_accepts_and_refuses_as_the_loader_does) {
    t_sandbox sb;
    t_sandbox_open(&sb, "nemesis-validate");
    char *good = cat3(base, written, rules);
    char *bad = cat3(base, "nemesis:\n  - {crash: web, evry: 10s}\n", "");
    t_write_work(&sb, "good.yaml", good);
    t_write_work(&sb, "bad.yaml", bad);
    t_result r = t_dsim(&sb, (t_limits){0}, "validate", "good.yaml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "good.yaml: ok (6 nodes, 2 faults, 6 nemesis rules)"), "%s", r.out);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "validate", "bad.yaml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bad.yaml:11:18: error: nemesis[0]: unknown key 'evry'"), "%s", r.err);
    t_result_free(&r);
    free(good), free(bad);
    t_sandbox_close(&sb);
}

/* ---- statistics ---- */

/* The fraction of [0, T] each instance of web spent down, summed (the time-average number
 * down), from the run's fault log: crash entries with their until_ms, clipped at T. */
static double time_average_down(const cJSON *doc, double T_ms) {
    double down = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, t_get(doc, "faults")) {
        if (strcmp(t_get(f, "action")->valuestring, "crash") != 0)
            continue;
        double at = t_get(f, "at_ms")->valuedouble;
        double until = fmin(t_get(f, "until_ms")->valuedouble, T_ms);
        down += until - at;
    }
    return down / T_ms;
}

Test(nemesis, crashes_and_repairs_leave_binomially_many_down) {
    const double mttf = 40, mttr = 10, T = 4000; /* seconds */
    const int N = 5;
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: %gs\n"
             "nodes:\n"
             "  users: {kind: client, target: web, rate: 1/s}\n"
             "  web: {kind: service, replicas: %d, service: 1ms}\n"
             "nemesis:\n"
             "  - {crash: web, every: {dist: exponential, mean: %gs}, duration: {dist: "
             "exponential, mean: %gs}}\n",
             T, N, mttf, mttr);
    const double p = mttr / (mttf + mttr), tau = 1 / (1 / mttf + 1 / mttr);
    enum { SEEDS = 30 };
    double avg[SEEDS];
    for (int s = 0; s < SEEDS; s++) {
        cJSON *doc = t_run(yaml, (uint64_t)s + 1);
        avg[s] = time_average_down(doc, T * 1000);
        cJSON_Delete(doc);
    }
    double theory = N * p * (1 - tau / T * (1 - exp(-T / tau)));
    t_expect_in_ci("time-average number down", t_ci_of(avg, SEEDS, 0.999), theory);
    /* The number down at instants 20 tau apart, from the drawn faults (the same list the
     * fault log shows: the replay test): Binomial(N, p). */
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    long long count[16] = {0}, samples = 0;
    double crashes[200];
    for (uint64_t seed = 1; seed <= 200; seed++) {
        sim_arena *a = sim_arena_new();
        sim_fault *f;
        size_t n;
        cr_assert(sim_nemesis_draw(t, seed, a, &f, &n) == 0);
        crashes[seed - 1] = (double)n;
        for (double at = 20 * tau; at < T; at += 20 * tau) {
            sim_time x = (sim_time)(at * 1e9);
            int down = 0;
            for (size_t i = 0; i < n; i++)
                down += f[i].at <= x && x < f[i].at + f[i].duration;
            cr_assert_leq(down, N, "an instance down twice at once");
            count[down]++;
            samples++;
        }
        sim_arena_free(a);
    }
    for (int k = 0; k <= N; k++) {
        double pk = 1;
        for (int j = 0; j < k; j++)
            pk *= (double)(N - j) / (j + 1) * p;
        pk *= pow(1 - p, N - k);
        char what[64];
        snprintf(what, sizeof what, "instants with %d of %d down", k, N);
        t_expect_binomial(what, (double)count[k], (double)samples, pk);
    }
    /* The crashes begun by T, per instance: up -> down transitions of the chain at rate
     * lambda P(up at s), P(up at s) = mu/(l+m) + l/(l+m) e^{-(l+m)s}, integrated. */
    const double l = 1 / mttf, mu = 1 / mttr;
    double per = l * mu * T / (l + mu) + l * l / ((l + mu) * (l + mu)) * (1 - exp(-(l + mu) * T));
    t_expect_in_ci("crashes drawn per run", t_ci_of(crashes, 200, 0.999), N * per);
    sim_topology_free(t);
}

Test(nemesis, crashes_without_repair_are_a_poisson_process_in_the_window) {
    const char yaml[] = "duration: 1000s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web, rate: 1/s}\n"
                        "  web: {kind: service, replicas: 3, service: 1ms}\n"
                        "nemesis:\n"
                        "  - {crash: web, every: {dist: exponential, mean: 25s}, start: 100s, "
                        "end: 700s}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    long long total = 0;
    const int seeds = 100;
    for (uint64_t seed = 1; seed <= (uint64_t)seeds; seed++) {
        sim_arena *a = sim_arena_new();
        sim_fault *f;
        size_t n;
        cr_assert(sim_nemesis_draw(t, seed, a, &f, &n) == 0);
        for (size_t i = 0; i < n; i++) {
            cr_expect(f[i].at >= 100 * SIM_S && f[i].at <= 700 * SIM_S, "a fault outside");
            cr_expect_eq(f[i].duration, SIM_TIME_NONE, "not repaired");
            cr_expect_eq(f[i].kind, SIM_FAULT_CRASH);
            cr_expect_eq(f[i].node.count, 1u, "one instance each");
        }
        total += (long long)n;
        sim_arena_free(a);
    }
    t_expect_poisson("crashes drawn in the window", (double)total, seeds * 3 * 600.0 / 25);
    sim_topology_free(t);
}

/* Partitions of rule mode over n instances of web: the small side's size, and how often each
 * instance is on it. */
static void check_sides(const char *mode, int n, int small) {
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "duration: 10000s\n"
             "nodes:\n"
             "  users: {kind: client, target: web, rate: 1/s}\n"
             "  web: {kind: service, replicas: %d, service: 1ms}\n"
             "nemesis:\n"
             "  - {partition: [web], mode: %s, every: 10s, duration: 1s}\n",
             n, mode);
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_arena *a = sim_arena_new();
    sim_fault *f;
    size_t k;
    cr_assert(sim_nemesis_draw(t, 5, a, &f, &k) == 0);
    cr_assert_eq(k, 909u, "every 11 s from 10 s to 10000 s: %zu", k); /* 10 + 11 i <= 10000 */
    long long on_small[16] = {0};
    for (size_t i = 0; i < k; i++) {
        cr_assert_eq(f[i].kind, SIM_FAULT_PARTITION);
        cr_assert_eq(f[i].ngroups, 2u);
        cr_assert_eq(f[i].groups[0].n, (size_t)small, "%s of %d: a side of %zu", mode, n,
                     f[i].groups[0].n);
        cr_assert_eq(f[i].groups[1].n, (size_t)(n - small));
        for (size_t r = 0; r < f[i].groups[0].n; r++)
            on_small[f[i].groups[0].refs[r].first - t->nodes[0].group_count]++;
        /* the two sides hold every instance once */
        bool seen[16] = {false};
        for (size_t g = 0; g < 2; g++)
            for (size_t r = 0; r < f[i].groups[g].n; r++) {
                uint32_t id = f[i].groups[g].refs[r].first;
                cr_assert(!seen[id - 1]);
                seen[id - 1] = true;
            }
    }
    for (int j = 0; j < n; j++) {
        char what[64];
        snprintf(what, sizeof what, "%s: web.%d on the small side", mode, j);
        t_expect_binomial(what, (double)on_small[j], (double)k, (double)small / n);
    }
    sim_arena_free(a);
    sim_topology_free(t);
}

Test(nemesis, halves_cut_floor_and_ceil_halves_isolate_cuts_one) {
    check_sides("halves", 5, 2);
    check_sides("halves", 6, 3);
    check_sides("isolate", 5, 1);
}
