/* dsim compare (contract §8.4; experiments/compare.h): the built command end to end in a
 * sandbox (tests/sandbox.h), and common random numbers through the library.
 *
 * Oracles: a design against itself must differ by exactly 0 (same seeds, same documents);
 * round robin against least connections with high-variance service times (nine requests in
 * ten take 1 ms, one 100 ms; servers 70% busy) is the textbook case where least connections
 * wins the tail (Harchol-Balter, Performance Modeling and Design of Computer Systems, ch. 24):
 * with 10 seeds the p99 difference is about -290 ms with a 95% half-width near 70 ms, so
 * "significant, negative" holds by a margin of four half-widths. The pairing claim is
 * paired sd < unpaired sd, which holds exactly when the sample correlation of A's and B's
 * figure over the seeds is positive (var(b - a) = var(a) + var(b) - 2 cov(a, b)); for the
 * mean latency 40 seeds give r of about 0.48, and a Fisher-z standard error of
 * 1/sqrt(37) = 0.16 puts r <= 0 more than 3.2 standard errors away (p < 0.001). */
#include "sandbox.h"
#include "support.h"

#include "engine.h"
#include "hist_pool.h"
#include "json_report.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "compare"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(compare, .init = setup, .fini = teardown, .timeout = 300);

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status, "exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

/* The example, copied into the sandbox as lb.yaml. */
static void write_example(void) {
    char *text = t_example("lb_compare.yaml");
    t_write_work(&sb, "lb.yaml", text);
    free(text);
}

static cJSON *read_json(const char *name) {
    char *text = t_slurp_work(&sb, name);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc, "%s is not JSON", name);
    free(text);
    return doc;
}

/* The entry of metric path under "metrics" (keys hold dots: no path walking). */
static const cJSON *metric(const cJSON *doc, const char *path) {
    const cJSON *m =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metrics"), path);
    cr_assert(cJSON_IsObject(m), "no metric %s", path);
    return m;
}

static double field(const cJSON *m, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    cr_assert(cJSON_IsNumber(v), "%s: %s is not a number", m->string, key);
    return v->valuedouble;
}

Test(compare, a_design_against_itself_differs_by_exactly_zero) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--seeds", "3", "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    cr_expect_str_eq(t_str(doc, "contract"), "1.1");
    cr_expect_str_eq(t_str(doc, "document"), "compare");
    cr_expect_str_eq(t_str(doc, "a.file"), "lb.yaml");
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "seeds")), 3);
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "only_a")), 0);
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "only_b")), 0);
    const cJSON *metrics = t_at(doc, "metrics"), *m;
    cr_expect_gt(cJSON_GetArraySize(metrics), 50);
    cJSON_ArrayForEach(m, metrics) {
        cr_expect_eq(field(m, "diff_mean"), 0.0, "%s", m->string);
        cr_expect(!signbit(field(m, "diff_mean")), "%s: -0", m->string);
        const cJSON *ci = cJSON_GetObjectItemCaseSensitive(m, "diff_ci95");
        cr_expect_eq(cJSON_GetArrayItem(ci, 0)->valuedouble, 0.0, "%s", m->string);
        cr_expect_eq(cJSON_GetArrayItem(ci, 1)->valuedouble, 0.0, "%s", m->string);
        cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(m, "significant")), "%s",
                  m->string);
        cr_expect_eq(field(m, "paired_sd"), 0.0, "%s", m->string);
        cr_expect_eq(field(m, "a_mean"), field(m, "b_mean"), "%s", m->string);
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(m, "rel_change");
        cr_expect(field(m, "a_mean") == 0 ? cJSON_IsNull(rel) : rel->valuedouble == 0.0, "%s",
                  m->string);
    }
    cr_expect(strstr(r.out, "0 differ significantly"), "%s", r.out);
    /* what a report draws of each side is the same too */
    cr_expect(cJSON_Compare(t_at(doc, "a.graph"), t_at(doc, "b.graph"), true));
    cr_expect(cJSON_Compare(t_at(doc, "a.latency_hist"), t_at(doc, "b.latency_hist"), true));
    cr_expect_gt(cJSON_GetArraySize(t_at(doc, "a.latency_hist.counts")), 10);
    cJSON_Delete(doc);
    t_result_free(&r);
}

Test(compare, least_connections_beats_round_robin_on_p99) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    cr_expect_str_eq(t_str(doc, "b.set.nodes.lb.policy"), "least_connections");
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "seeds")), 10, "--seeds 10 by default");
    const cJSON *p99 = metric(doc, "requests.latency_ms.p99");
    cr_log_info("p99: A %.4g B %.4g diff %.4g", field(p99, "a_mean"), field(p99, "b_mean"),
                field(p99, "diff_mean"));
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p99, "significant")));
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(p99, "diff_ci95");
    cr_expect_lt(cJSON_GetArrayItem(ci, 1)->valuedouble, 0, "least connections is better");
    cr_expect_lt(field(p99, "rel_change"), 0);
    cr_expect_float_eq(field(p99, "diff_mean"), field(p99, "b_mean") - field(p99, "a_mean"),
                       1e-9 * field(p99, "a_mean"));
    cr_expect_float_eq(field(p99, "rel_change"), field(p99, "diff_mean") / field(p99, "a_mean"),
                       1e-12);
    /* the table on stdout leads with the run's own figures, p99 among them */
    cr_expect(strstr(r.out, "requests.latency_ms.p99"), "%s", r.out);
    cJSON_Delete(doc);
    t_result_free(&r);
}

Test(compare, pairing_lowers_the_spread_of_the_difference) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--seeds", "40", "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    const cJSON *mean = metric(doc, "requests.latency_ms.mean");
    cr_log_info("mean latency: paired sd %.4g, unpaired %.4g", field(mean, "paired_sd"),
                field(mean, "unpaired_sd"));
    cr_expect_lt(field(mean, "paired_sd"), field(mean, "unpaired_sd"));
    cr_expect_eq(field(mean, "n"), 40);
    cJSON_Delete(doc);
    t_result_free(&r);
}

static const char base[] = "duration: 20s\n"
                           "network: {latency: {dist: exponential, mean: 1ms}}\n"
                           "nodes:\n"
                           "  users: {kind: client, target: web, rate: 200/s}\n"
                           "  web: {kind: service, workers: 2,\n"
                           "        service: {dist: exponential, mean: 5ms}}\n";

/* base with an unrelated group declared before the others (so every instance index moves). */
static const char more[] = "duration: 20s\n"
                           "network: {latency: {dist: exponential, mean: 1ms}}\n"
                           "nodes:\n"
                           "  extra: {kind: client, target: side, rate: 300/s}\n"
                           "  side: {kind: service, replicas: 3,\n"
                           "         service: {dist: exponential, mean: 2ms}}\n"
                           "  users: {kind: client, target: web, rate: 200/s}\n"
                           "  web: {kind: service, workers: 2,\n"
                           "        service: {dist: exponential, mean: 5ms}}\n";

Test(compare, b_adding_a_node_is_listed_only_in_b) {
    t_write_work(&sb, "a.yaml", base);
    t_write_work(&sb, "b.yaml", more);
    t_result r = DSIM("compare", "a.yaml", "b.yaml", "--seeds", "2..3", "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    cr_expect_eq(cJSON_GetArrayItem(t_at(doc, "seeds"), 0)->valuedouble, 2);
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "only_a")), 0);
    const cJSON *only_b = t_at(doc, "only_b"), *p;
    bool extra = false, side = false;
    cJSON_ArrayForEach(p, only_b) {
        extra = extra || strncmp(p->valuestring, "nodes.extra.", 12) == 0;
        side = side || strncmp(p->valuestring, "nodes.side.1.", 13) == 0;
        /* the latency breakdown of B's requests has B's group too */
        bool breakdown = strncmp(p->valuestring, "requests.latency_breakdown.", 27) == 0 &&
                         strstr(p->valuestring, ".nodes.side.");
        cr_expect(strncmp(p->valuestring, "nodes.extra.", 12) == 0 ||
                      strncmp(p->valuestring, "nodes.side.", 11) == 0 || breakdown,
                  "only in B: %s", p->valuestring);
    }
    cr_expect(extra && side, "B's nodes are listed in only_b");
    /* each side carries the graph of its own topology */
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "a.graph.nodes")), 2);
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "b.graph.nodes")), 4);
    cr_expect_str_eq(t_str(doc, "b.graph.nodes.0.name"), "extra");
    /* common random numbers: users and web see the same arrivals and draw the same numbers */
    cr_expect_eq(field(metric(doc, "nodes.web.wait_ms.mean"), "diff_mean"), 0);
    cr_expect_eq(field(metric(doc, "nodes.users.latency_ms.p99"), "diff_mean"), 0);
    cr_expect_neq(field(metric(doc, "requests.issued"), "diff_mean"), 0);
    cJSON_Delete(doc);
    /* and the other way round: A has the nodes B removes */
    r = (t_result_free(&r),
         DSIM("compare", "b.yaml", "a.yaml", "--seeds", "1", "--json", "out.json"));
    expect_status(&r, 0);
    doc = read_json("out.json");
    cr_expect_gt(cJSON_GetArraySize(t_at(doc, "only_a")), 0);
    cr_expect_eq(cJSON_GetArraySize(t_at(doc, "only_b")), 0);
    cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(metric(doc, "nodes.web.wait_ms.mean"),
                                                            "diff_ci95")),
              "one seed: no interval");
    cJSON_Delete(doc);
    t_result_free(&r);
}

/* Common random numbers, directly: the figures of every node A and B share are the same to the
 * last bit, whatever B adds before them, with a random network; so each draw of those nodes
 * (the client's arrival gaps, the server's service times, the network's delays of their
 * messages) is the same number in both runs. */
Test(compare, nodes_of_one_name_draw_the_same_numbers) {
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *a = t_run(base, seed), *b = t_run(more, seed);
        const char *shared[] = {"users", "web"};
        for (int i = 0; i < 2; i++) {
            char *ta = cJSON_PrintUnformatted(t_get(t_at(a, "nodes"), shared[i]));
            char *tb = cJSON_PrintUnformatted(t_get(t_at(b, "nodes"), shared[i]));
            cr_expect_str_eq(ta, tb, "seed %llu: %s differs", (unsigned long long)seed, shared[i]);
            free(ta);
            free(tb);
        }
        cr_expect_gt(t_int(a, "nodes.users.completed"), 3000);
        cr_expect_neq(t_int(a, "network.messages"), t_int(b, "network.messages"));
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
}

/* ---- arguments ---- */

static void expect_arg_error(const char *want, const char *first, ...);

#define ARG_ERROR(want, ...) expect_arg_error(want, __VA_ARGS__, (const char *)NULL)

static void expect_arg_error(const char *want, const char *first, ...) {
    const char *argv[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s && n < 15; s = va_arg(ap, const char *))
        argv[n++] = s;
    va_end(ap);
    argv[n] = NULL;
    t_result r = t_dsim(&sb, (t_limits){0}, argv[0], n > 1 ? argv[1] : NULL, n > 2 ? argv[2] : NULL,
                        n > 3 ? argv[3] : NULL, n > 4 ? argv[4] : NULL, n > 5 ? argv[5] : NULL,
                        (const char *)NULL);
    expect_status(&r, 2);
    cr_expect(strncmp(r.err, want, strlen(want)) == 0, "stderr should start with '%s':\n%s", want,
              r.err);
    cr_expect_str_eq(r.out, "", "nothing on stdout");
    cr_expect_not(t_work_has(&sb, "out.json"), "no document");
    t_result_free(&r);
}

/* The seeds run on --jobs threads: the document does not depend on how many, and when every
 * seed fails, what is said is what one thread running seed after seed would say: the first
 * seed's refusal, once. */
Test(compare, jobs_change_neither_the_document_nor_what_is_said) {
    write_example();
    t_result r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections",
                      "--seeds", "4", "--jobs", "1", "--json", "one.json");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("compare", "lb.yaml", "--set-b", "nodes.lb.policy=least_connections", "--seeds",
             "4", "--jobs", "3", "--json", "three.json");
    expect_status(&r, 0);
    t_result_free(&r);
    char *one = t_slurp_work(&sb, "one.json"), *three = t_slurp_work(&sb, "three.json");
    cr_expect_str_eq(one, three, "--jobs 1 and --jobs 3 write the same document");
    free(one);
    free(three);
    r = DSIM("compare", "lb.yaml", "--set", "warmup=auto", "--set", "duration=50ms", "--seeds",
             "6", "--jobs", "3");
    expect_status(&r, 2);
    const char *first = strstr(r.err, "(design A, seed 1)");
    cr_expect(first, "%s", r.err);
    cr_expect_null(first ? strstr(first + strlen("(design A, seed 1)"), "seed") : NULL,
                   "one refusal only:\n%s", r.err);
    t_result_free(&r);
    r = DSIM("compare", "lb.yaml", "--jobs", "0");
    expect_status(&r, 2);
    cr_expect(strstr(r.err, "--jobs 0: error:"), "%s", r.err);
    t_result_free(&r);
}

Test(compare, argument_errors_exit_2) {
    write_example();
    ARG_ERROR("compare: error: expected a topology A.yaml", "compare");
    ARG_ERROR("--seeds 0: error: expected a count N >= 1", "compare", "lb.yaml", "--seeds", "0");
    ARG_ERROR("--seeds 5..2: error:", "compare", "lb.yaml", "--seeds", "5..2");
    ARG_ERROR("--seeds x: error:", "compare", "lb.yaml", "--seeds", "x");
    ARG_ERROR("--seeds: error: expected a count", "compare", "lb.yaml", "--seeds");
    ARG_ERROR("--set-b nodes: error: expected PATH=VALUE", "compare", "lb.yaml", "--set-b",
              "nodes");
    ARG_ERROR("--set-c: error: unknown option of dsim compare", "compare", "lb.yaml", "--set-c",
              "x=1");
    ARG_ERROR("c.yaml: error: unexpected argument", "compare", "lb.yaml", "lb.yaml", "c.yaml");
    ARG_ERROR("--set-b nodes.lb.policy=fastest: error:", "compare", "lb.yaml", "--set-b",
              "nodes.lb.policy=fastest", "--json", "out.json");
    ARG_ERROR("--set-a nodes.lb.nope=1: error:", "compare", "lb.yaml", "--set-a",
              "nodes.lb.nope=1");
    ARG_ERROR("missing.yaml", "compare", "missing.yaml");
}

/* An M/M/1 station at 90% load whose clients are the same in A and B: only the server
 * differs (B has two workers). */
static const char mm1_auto[] = "duration: 1000s\n"
                               "warmup: auto\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 90/s}\n"
                               "  web: {kind: service, workers: 1,\n"
                               "        service: {dist: exponential, mean: 10ms}}\n";

Test(compare, warmup_auto_runs_a_and_b_with_one_warmup_so_same_clients_issue_the_same) {
    t_write_work(&sb, "mm1.yaml", mm1_auto);
    /* Run alone, A and B choose different warm-ups on seed 3 (so the test below could fail:
     * the clients' counts since the warm-up would differ). */
    t_result r = DSIM("run", "mm1.yaml", "--seed", "3", "--json", "a.json", "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    r = DSIM("run", "mm1.yaml", "--seed", "3", "--set", "nodes.web.workers=2", "--json", "b.json",
             "--quiet");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *a = read_json("a.json"), *b = read_json("b.json");
    double wa = cJSON_GetObjectItem(a, "warmup_s")->valuedouble;
    double wb = cJSON_GetObjectItem(b, "warmup_s")->valuedouble;
    cr_assert_neq(wa, wb, "A and B alone chose the same warm-up %g s: the test proves nothing", wa);
    cJSON_Delete(a);
    cJSON_Delete(b);
    r = DSIM("compare", "mm1.yaml", "--set-b", "nodes.web.workers=2", "--seeds", "5", "--json",
             "out.json");
    expect_status(&r, 0);
    t_result_free(&r);
    cJSON *doc = read_json("out.json");
    /* a zero mean and a zero spread of the paired differences: zero on every seed */
    static const char *const same[] = {"requests.issued", "warmup_s"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        const cJSON *m = metric(doc, same[i]);
        cr_expect_eq(field(m, "diff_mean"), 0, "%s differs between A and B", same[i]);
        cr_expect_eq(field(m, "paired_sd"), 0, "%s differs on some seed", same[i]);
    }
    cr_expect_gt(field(metric(doc, "warmup_s"), "a_mean"), 0, "a warm-up was chosen");
    cJSON_Delete(doc);
}

/* A histogram with no samples is written as 0s; those are no latency: a design that completes
 * nothing after the warm-up (its client stops before the warm-up ends) must not look 100%
 * faster. Its latency figures are in A only, and n counts real pairs. */
Test(compare, a_histogram_with_no_samples_is_no_figure) {
    t_write_work(&sb, "mm1.yaml",
                 "duration: 30s\nwarmup: 1s\nnodes:\n"
                 "  users: {kind: client, target: web, rate: 80/s}\n"
                 "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n");
    t_result r = DSIM("compare", "mm1.yaml", "--set-b", "nodes.users.stop=0.5s", "--seeds", "3",
                      "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    cr_expect_null(
        cJSON_GetObjectItemCaseSensitive(t_at(doc, "metrics"), "requests.latency_ms.mean"),
        "an empty histogram compared as 0 ms");
    bool listed = false;
    const cJSON *p;
    cJSON_ArrayForEach(p, t_at(doc, "only_a")) listed =
        listed || strcmp(p->valuestring, "requests.latency_ms.mean") == 0;
    cr_expect(listed, "A's latency is listed in only_a");
    cr_expect_eq(field(metric(doc, "requests.issued"), "n"), 3);
    cJSON_Delete(doc);
    t_result_free(&r);
}

/* Two files with different durations and warm-ups: those inputs differ with no spread, but
 * they are what the user changed, not what it did; the table ranks figures only (the inputs
 * stay in --json). */
Test(compare, the_runs_inputs_are_not_ranked_among_the_differences) {
    t_write_work(&sb, "a.yaml",
                 "duration: 20s\nwarmup: 1s\nnodes:\n"
                 "  users: {kind: client, target: web, rate: 50/s}\n"
                 "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n");
    t_write_work(&sb, "b.yaml",
                 "duration: 30s\nwarmup: 2s\nnodes:\n"
                 "  users: {kind: client, target: web, rate: 50/s}\n"
                 "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n");
    t_result r = DSIM("compare", "a.yaml", "b.yaml", "--seeds", "3", "--json", "out.json");
    expect_status(&r, 0);
    cr_expect(strstr(r.out, "differ most") != NULL, "requests.issued differs:\n%s", r.out);
    cr_expect_null(strstr(r.out, "duration_s"), "duration_s ranked:\n%s", r.out);
    cr_expect_null(strstr(r.out, "warmup_s"), "warmup_s ranked:\n%s", r.out);
    cJSON *doc = read_json("out.json");
    cr_expect_eq(field(metric(doc, "duration_s"), "diff_mean"), 10);
    cr_expect_eq(field(metric(doc, "warmup_s"), "diff_mean"), 1);
    cJSON_Delete(doc);
    t_result_free(&r);
}

/* ---- the pooled latency histogram and expect: tallies (what `dsim report` draws) ---- */

/* The oracle of pooling, by brute force: every (bound, count) pair of every document (a
 * document's last bound with count 0), sorted by bound and the counts of equal bounds summed.
 * pool must hold exactly those bounds and sums. */
static void expect_pool_is_brute_force(const cJSON *pool, cJSON *const *docs, size_t ndocs) {
    typedef struct pair {
        double bound, count;
    } pair;
    size_t cap = 0;
    for (size_t d = 0; d < ndocs; d++)
        cap += (size_t)cJSON_GetArraySize(t_at(docs[d], "requests.latency_hist.bounds_ms"));
    pair *all = calloc(cap ? cap : 1, sizeof *all);
    cr_assert(all);
    size_t n = 0;
    for (size_t d = 0; d < ndocs; d++) {
        const cJSON *b = t_at(docs[d], "requests.latency_hist.bounds_ms");
        const cJSON *c = t_at(docs[d], "requests.latency_hist.counts");
        int nb = cJSON_GetArraySize(b);
        for (int i = 0; i < nb; i++)
            all[n++] = (pair){cJSON_GetArrayItem(b, i)->valuedouble,
                              i + 1 < nb ? cJSON_GetArrayItem(c, i)->valuedouble : 0};
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: stable, and the lists are short */
        for (size_t j = i; j > 0 && all[j - 1].bound > all[j].bound; j--) {
            pair t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    const cJSON *pb = cJSON_GetObjectItemCaseSensitive(pool, "bounds_ms");
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(pool, "counts");
    int k = 0, npool = cJSON_GetArraySize(pb);
    cr_expect_eq(cJSON_GetArraySize(pc), npool - 1, "one count fewer than bounds");
    for (size_t i = 0; i < n; k++) {
        double bound = all[i].bound, sum = 0;
        for (; i < n && all[i].bound == bound; i++)
            sum += all[i].count;
        cr_assert_lt(k, npool, "the pool has fewer bounds than the documents");
        cr_expect_eq(cJSON_GetArrayItem(pb, k)->valuedouble, bound, "bound %d", k);
        if (k + 1 < npool)
            cr_expect_eq(cJSON_GetArrayItem(pc, k)->valuedouble, sum, "count at %g ms", bound);
        else
            cr_expect_eq(sum, 0, "the last bound starts no interval");
    }
    cr_expect_eq(k, npool, "the pool has other bounds than the documents");
    free(all);
}

Test(compare, latency_pooled_over_seeds_is_the_sum_of_the_runs_by_bound) {
    t_write_work(&sb, "a.yaml", base);
    t_write_work(&sb, "b.yaml", more);
    t_result r = DSIM("compare", "a.yaml", "b.yaml", "--seeds", "3", "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    const char *const text[2] = {base, more}, *const side[2] = {"a", "b"};
    for (int s = 0; s < 2; s++) {
        cJSON *runs[3];
        double first = INFINITY, last = 0, completed = 0;
        bool ranges_differ = false;
        for (int i = 0; i < 3; i++) {
            runs[i] = t_run(text[s], (uint64_t)i + 1);
            const cJSON *b = t_at(runs[i], "requests.latency_hist.bounds_ms");
            double lo = cJSON_GetArrayItem(b, 0)->valuedouble;
            double hi = cJSON_GetArrayItem(b, cJSON_GetArraySize(b) - 1)->valuedouble;
            ranges_differ = ranges_differ || (i > 0 && (lo != first || hi != last));
            first = lo < first ? lo : first;
            last = hi > last ? hi : last;
            completed += t_num(runs[i], "requests.completed");
        }
        cr_assert(ranges_differ, "%s: the runs cover one range: the test proves nothing", side[s]);
        char path[64];
        snprintf(path, sizeof path, "%s.latency_hist", side[s]);
        const cJSON *pool = t_at(doc, path);
        expect_pool_is_brute_force(pool, runs, 3);
        /* every completed request is in the pool once */
        double total = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(pool, "counts")) total +=
            c->valuedouble;
        cr_expect_eq(total, completed, "%s: %g requests pooled, %g completed", side[s], total,
                     completed);
        for (int i = 0; i < 3; i++)
            cJSON_Delete(runs[i]);
    }
    cJSON_Delete(doc);
    t_result_free(&r);
}

static cJSON *hist(const char *json) {
    cJSON *h = cJSON_Parse(json);
    cr_assert(h, "%s", json);
    return h;
}

/* Histograms over different ranges, one apart from the others (a gap), pooled by bound. */
Test(compare, the_pool_merges_ranges_by_bound_and_spans_a_gap_with_zero) {
    static const char *const in[] = {
        "{\"bounds_ms\": [1, 2, 3], \"counts\": [5, 6]}",
        "{\"bounds_ms\": [2, 3, 4, 5], \"counts\": [1, 2, 3]}",
        "{\"bounds_ms\": [], \"counts\": []}",
        "{\"bounds_ms\": [10, 11], \"counts\": [7]}",
    };
    exp_hist_pool p = EXP_HIST_POOL_INIT;
    cJSON *docs[4];
    for (int i = 0; i < 4; i++) {
        cJSON *h = hist(in[i]);
        cr_expect_eq(exp_hist_pool_add(&p, h), 0, "%s", in[i]);
        docs[i] = cJSON_CreateObject();
        cJSON_AddItemToObject(cJSON_AddObjectToObject(docs[i], "requests"), "latency_hist", h);
    }
    cJSON *out = exp_hist_pool_json(&p);
    char *text = cJSON_PrintUnformatted(out);
    cr_expect_str_eq(text, "{\"bounds_ms\":[1,2,3,4,5,10,11],\"counts\":[5,7,2,3,0,7]}");
    /* the brute force agrees (the empty histogram has no pairs: left out) */
    cJSON *nonempty[3] = {docs[0], docs[1], docs[3]};
    expect_pool_is_brute_force(out, nonempty, 3);
    free(text);
    cJSON_Delete(out);
    /* malformed histograms are refused and leave the pool as it was */
    static const char *const bad[] = {
        "{\"bounds_ms\": [1, 2], \"counts\": [1, 2]}",
        "{\"bounds_ms\": [2, 1], \"counts\": [1]}",
        "{\"bounds_ms\": [1, 1], \"counts\": [1]}",
        "{\"bounds_ms\": [1, 2], \"counts\": [-1]}",
        "{\"bounds_ms\": [1], \"counts\": []}",
        "{\"bounds_ms\": [1, 2]}",
        "[1, 2]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *h = hist(bad[i]);
        cr_expect_eq(exp_hist_pool_add(&p, h), -2, "%s", bad[i]);
        cJSON_Delete(h);
    }
    cr_expect_eq(p.n, 7);
    out = exp_hist_pool_json(&p);
    cr_expect_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(out, "counts"), 4)->valuedouble, 0);
    cJSON_Delete(out);
    exp_hist_pool_free(&p);
    out = exp_hist_pool_json(&p);
    text = cJSON_PrintUnformatted(out);
    cr_expect_str_eq(text, "{\"bounds_ms\":[],\"counts\":[]}", "an empty pool");
    free(text);
    cJSON_Delete(out);
    for (int i = 0; i < 4; i++)
        cJSON_Delete(docs[i]);
}

static int by_value(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* An expect: bound between the second and third of four seeds' p99 passes on exactly two of
 * them; a bound every run meets passes on all four. */
Test(compare, expect_checks_count_the_seeds_that_passed_them) {
    double p99[4];
    for (int i = 0; i < 4; i++) {
        cJSON *d = t_run(base, (uint64_t)i + 1);
        p99[i] = t_num(d, "requests.latency_ms.p99");
        cJSON_Delete(d);
    }
    qsort(p99, 4, sizeof *p99, by_value);
    cr_assert_lt(p99[1], p99[2], "two seeds with one p99: the test proves nothing");
    char text[1024];
    snprintf(text, sizeof text,
             "%sexpect:\n  - {metric: requests.latency_ms.p99, max: %.17g}\n"
             "  - {metric: requests.throughput_rps, min: 1}\n",
             base, (p99[1] + p99[2]) / 2);
    t_write_work(&sb, "a.yaml", text);
    t_result r = DSIM("compare", "a.yaml", "--seeds", "4", "--json", "out.json");
    expect_status(&r, 0);
    cJSON *doc = read_json("out.json");
    for (int s = 0; s < 2; s++) {
        const cJSON *list = t_at(doc, s ? "b.expect" : "a.expect");
        cr_assert_eq(cJSON_GetArraySize(list), 2);
        const cJSON *e0 = cJSON_GetArrayItem(list, 0), *e1 = cJSON_GetArrayItem(list, 1);
        cr_expect_str_eq(t_str(e0, "metric"), "requests.latency_ms.p99");
        cr_expect_eq(t_num(e0, "passed"), 2);
        cr_expect_eq(t_num(e0, "runs"), 4);
        cr_expect_null(cJSON_GetObjectItemCaseSensitive(e0, "min"), "no min given");
        cr_expect_eq(t_num(e0, "max"), (p99[1] + p99[2]) / 2);
        cr_expect_eq(t_num(e1, "passed"), 4);
        cr_expect_eq(t_num(e1, "min"), 1);
    }
    cJSON_Delete(doc);
    t_result_free(&r);
    /* a topology with no expect: has no such key */
    t_write_work(&sb, "b.yaml", base);
    r = DSIM("compare", "b.yaml", "--seeds", "1", "--json", "out.json");
    expect_status(&r, 0);
    doc = read_json("out.json");
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(t_at(doc, "a"), "expect"));
    cJSON_Delete(doc);
    t_result_free(&r);
}
