/* Shrinking a nemesis's faults (experiments/shrink.h, dsim shrink).
 *
 * Oracles: for ddmin on synthetic predicates, brute force (the set returned fails, and
 * removing any one item passes; where the failing sets are known in closed form, the
 * result is exactly the one expected); for a real topology, runs of the returned list and of
 * each list with one fault removed, each judged by the expect, independently of the shrink. */
#include "support.h"

#include "faults_yaml.h"
#include "loader.h"
#include "models.h"
#include "nemesis.h"
#include "sandbox.h"
#include "shrink.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A predicate: fails iff the subset holds at least need of the items in bad[0..nbad). */
typedef struct pred {
    const size_t *bad;
    size_t nbad, need, calls;
    size_t **asked, *nasked; /* every subset asked, to check none is asked twice */
} pred;

static int contains(const size_t *s, size_t n, size_t x) {
    for (size_t i = 0; i < n; i++)
        if (s[i] == x)
            return 1;
    return 0;
}

static int verdict(const pred *p, const size_t *s, size_t n) {
    size_t hits = 0;
    for (size_t b = 0; b < p->nbad; b++)
        hits += (size_t)contains(s, n, p->bad[b]);
    return hits >= p->need;
}

static int test_pred(void *ud, const size_t *s, size_t n) {
    pred *p = ud;
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(s[i - 1], s[i], "a subset is asked in increasing order");
    for (size_t a = 0; a < p->calls; a++)
        cr_assert(!(p->nasked[a] == n && memcmp(p->asked[a], s, n * sizeof *s) == 0),
                  "a subset asked twice");
    p->asked = realloc(p->asked, (p->calls + 1) * sizeof *p->asked);
    p->nasked = realloc(p->nasked, (p->calls + 1) * sizeof *p->nasked);
    p->asked[p->calls] = malloc((n ? n : 1) * sizeof *s);
    memcpy(p->asked[p->calls], s, n * sizeof *s);
    p->nasked[p->calls++] = n;
    return verdict(p, s, n);
}

static void free_pred(pred *p) {
    for (size_t a = 0; a < p->calls; a++)
        free(p->asked[a]);
    free(p->asked), free(p->nasked);
}

/* ddmin over n items against p: the result fails, and is 1-minimal (brute force). */
static size_t shrink_pred(size_t n, pred *p, size_t *kept) {
    size_t nkept, tests;
    cr_assert_eq(exp_ddmin(n, test_pred, p, kept, &nkept, &tests), 0);
    cr_expect_eq(tests, p->calls);
    cr_expect(verdict(p, kept, nkept), "the result fails");
    size_t *less = malloc(n * sizeof *less);
    for (size_t drop = 0; drop < nkept; drop++) {
        size_t m = 0;
        for (size_t i = 0; i < nkept; i++)
            if (i != drop)
                less[m++] = kept[i];
        cr_expect(!verdict(p, less, m), "removing item %zu passes", kept[drop]);
    }
    free(less);
    return nkept;
}

Test(shrink, ddmin_finds_exactly_the_two_items_that_fail_together) {
    for (size_t n = 2; n <= 64; n += 3) {
        for (size_t a = 0; a < n; a += 5) {
            size_t b = (a * 7 + 3) % n;
            if (b == a)
                continue;
            size_t bad[2] = {a < b ? a : b, a < b ? b : a};
            pred p = {.bad = bad, .nbad = 2, .need = 2};
            size_t kept[64];
            cr_assert_eq(shrink_pred(n, &p, kept), 2u, "n %zu: {%zu, %zu}", n, bad[0], bad[1]);
            cr_expect(kept[0] == bad[0] && kept[1] == bad[1], "n %zu: got {%zu, %zu}", n, kept[0],
                      kept[1]);
            /* ddmin's bound for one failing pair: O(log n) chunks of each, well under n^2 */
            cr_expect_leq(p.calls, 4 * n + 8, "n %zu: %zu tests", n, p.calls);
            free_pred(&p);
        }
    }
}

Test(shrink, ddmin_returns_a_1_minimal_set_when_any_two_of_five_fail) {
    /* Many 1-minimal answers (any 2 of the 5): the result is one of them. */
    const size_t bad[] = {3, 9, 17, 30, 41};
    pred p = {.bad = bad, .nbad = 5, .need = 2};
    size_t kept[50];
    cr_assert_eq(shrink_pred(50, &p, kept), 2u);
    for (size_t i = 0; i < 2; i++)
        cr_expect(contains(bad, 5, kept[i]), "%zu is one of the five", kept[i]);
    free_pred(&p);
    /* and one item alone */
    const size_t one[] = {12};
    pred q = {.bad = one, .nbad = 1, .need = 1};
    cr_assert_eq(shrink_pred(30, &q, kept), 1u);
    cr_expect_eq(kept[0], 12u);
    free_pred(&q);
}

/* A service tier behind a load balancer whose failed requests an expect bounds, with a crash
 * nemesis (and a written fault, which every test keeps). */
static const char topo_yaml[] =
    "name: shrinkme\n"
    "duration: 300s\n"
    "network: {latency: {dist: constant, value: 500us}}\n"
    "nodes:\n"
    "  users: {kind: client, target: lb, rate: 100/s, timeout: 1s}\n"
    "  lb: {kind: load_balancer, backends: web, policy: round_robin, health_interval: 1s,\n"
    "       health_timeout: 500ms, unhealthy_after: 3, healthy_after: 2}\n"
    "  web: {kind: service, replicas: 4, workers: 2, service: {dist: exponential, mean: 10ms}}\n"
    /* where the nodes end: the pasted faults go here */
    "faults:\n"
    "  - {at: 10s, slow: web.0, factor: 2, duration: 5s}\n"
    "nemesis:\n"
    "  - {crash: web, every: {dist: exponential, mean: 120s}, duration: {dist: exponential, "
    "mean: 20s}}\n"
    "  - {partition: [lb, web], mode: isolate, every: {dist: exponential, mean: 100s}, duration: "
    "5s}\n"
    "expect:\n"
    "  - {metric: requests.failed, max: 150}\n";
static const char topo_expect[] = "expect:\n  - {metric: requests.failed, max: 150}\n";

static exp_run_status run_subset(const sim_topology *t, uint64_t seed, const sim_fault *drawn,
                                 const size_t *s, size_t n) {
    exp_run_options o = {.summary_only = true};
    char why[512];
    return exp_shrink_run(t, seed, &o, drawn, s, n, why, sizeof why);
}

typedef struct engine_ctx {
    const sim_topology *t;
    uint64_t seed;
    const sim_fault *drawn;
} engine_ctx;

static int test_runs(void *ud, const size_t *s, size_t n) {
    engine_ctx *c = ud;
    exp_run_status st = run_subset(c->t, c->seed, c->drawn, s, n);
    cr_assert(st == EXP_RUN_OK || st == EXP_RUN_EXPECT_FAILED, "status %d", st);
    return st == EXP_RUN_EXPECT_FAILED;
}

Test(shrink, the_shrunk_faults_of_a_real_run_fail_and_each_is_needed) {
    sim_topology *t = t_load(topo_yaml, NULL, 0, NULL);
    cr_assert(t);
    int shrunk = 0;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        sim_arena *a = sim_arena_new();
        sim_fault *drawn;
        size_t n;
        cr_assert(sim_nemesis_draw(t, seed, a, &drawn, &n) == 0);
        size_t *all = malloc((n ? n : 1) * sizeof *all), *kept = malloc((n ? n : 1) * sizeof *kept);
        for (size_t i = 0; i < n; i++)
            all[i] = i;
        exp_run_status whole = run_subset(t, seed, drawn, all, n);
        if (whole != EXP_RUN_EXPECT_FAILED || run_subset(t, seed, drawn, NULL, 0) != EXP_RUN_OK) {
            free(all), free(kept);
            sim_arena_free(a);
            continue;
        }
        engine_ctx c = {t, seed, drawn};
        size_t nkept, tests;
        cr_assert_eq(exp_ddmin(n, test_runs, &c, kept, &nkept, &tests), 0);
        cr_log_info("seed %llu: %zu drawn -> %zu kept in %zu runs", (unsigned long long)seed, n,
                    nkept, tests);
        cr_expect_lt(nkept, n);
        cr_expect_eq(run_subset(t, seed, drawn, kept, nkept), EXP_RUN_EXPECT_FAILED,
                     "the shrunk list fails");
        for (size_t drop = 0; drop < nkept; drop++) {
            size_t m = 0;
            for (size_t i = 0; i < nkept; i++)
                if (i != drop)
                    all[m++] = kept[i];
            cr_expect_eq(run_subset(t, seed, drawn, all, m), EXP_RUN_OK,
                         "seed %llu: without fault %zu every expect holds",
                         (unsigned long long)seed, kept[drop]);
        }
        shrunk++;
        free(all), free(kept);
        sim_arena_free(a);
    }
    cr_expect_geq(shrunk, 2, "only %d of 6 seeds failed: the scenario no longer tests", shrunk);
    sim_topology_free(t);
}

/* The list dsim shrink prints: the lines of its faults: block. */
static char *faults_block(const char *out) {
    const char *f = strstr(out, "faults:\n");
    cr_assert(f, "no faults: block in:\n%s", out);
    return strdup(f);
}

Test(shrink, dsim_shrink_prints_a_list_that_fails_and_needs_each_fault) {
    t_sandbox sb;
    t_sandbox_open(&sb, "shrink-cli");
    t_write_work(&sb, "t.yaml", topo_yaml);
    t_result r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--seed", "1", NULL);
    cr_assert_eq(r.status, 3, "exit %d: %s", r.status, r.err);
    cr_expect(strstr(r.err, "(1-minimal)"), "%s", r.err);
    cr_expect(strstr(r.err, "note: expect requests.failed = "), "%s", r.err);
    char *block = faults_block(r.out);
    /* the pasted list: the nodes, the printed faults, the expect, no nemesis */
    size_t head = 0; /* the nodes: up to the file's faults: */
    while (strncmp(topo_yaml + head, "faults:\n", 8) != 0)
        head++;
    size_t cap = head + strlen(block) + sizeof topo_expect;
    char *pasted = malloc(cap);
    cr_assert(pasted);
    memcpy(pasted, topo_yaml, head);
    memcpy(pasted + head, block, strlen(block));
    memcpy(pasted + head + strlen(block), topo_expect, sizeof topo_expect);
    cr_expect(strstr(block, "{at: 10s, slow: web.0, factor: 2, duration: 5s}  # written"),
              "the written fault is kept: %s", block);
    t_write_work(&sb, "pasted.yaml", pasted);
    t_result p = t_dsim(&sb, (t_limits){0}, "run", "pasted.yaml", "--quiet", NULL);
    cr_expect_eq(p.status, 3, "the pasted list fails its expect: %s", p.err);
    t_result_free(&p);
    /* each drawn line left out in turn: every expect holds */
    size_t lines = 0;
    for (char *l = strstr(block, "# nemesis["); l; l = strstr(l + 1, "# nemesis["))
        lines++;
    cr_expect_geq(lines, 1u);
    for (size_t drop = 0; drop < lines; drop++) {
        char *copy = strdup(pasted), *l = copy;
        for (size_t k = 0; k <= drop; k++)
            l = strstr(l + 1, "# nemesis[");
        char *start = l;
        while (start > copy && start[-1] != '\n')
            start--;
        char *end = strchr(l, '\n') + 1;
        memmove(start, end, strlen(end) + 1);
        t_write_work(&sb, "less.yaml", copy);
        t_result q = t_dsim(&sb, (t_limits){0}, "run", "less.yaml", "--quiet", NULL);
        cr_expect_eq(q.status, 0, "without drawn fault %zu it passes: %s", drop, q.err);
        t_result_free(&q);
        free(copy);
    }
    free(pasted), free(block);
    t_result_free(&r);
    t_sandbox_close(&sb);
}

Test(shrink, dsim_shrink_says_what_is_wrong_with_its_input) {
    t_sandbox sb;
    t_sandbox_open(&sb, "shrink-errors");
    t_write_work(&sb, "t.yaml", topo_yaml);
    t_write_work(&sb, "plain.yaml",
                 "duration: 10s\nnodes:\n  users: {kind: client, target: w, "
                 "rate: 1/s}\n  w: {kind: service, service: 1ms}\n"
                 "expect:\n  - {metric: requests.failed, max: 0}\n");
    t_result r = t_dsim(&sb, (t_limits){0}, "shrink", "plain.yaml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "plain.yaml: error: the topology has no nemesis: rules"), "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "expected a topology FILE"), "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--sed", "1", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--sed: note: did you mean '--seed'?"), "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--seed", "x", NULL);
    cr_expect_eq(r.status, 2);
    t_result_free(&r);
    /* a run that meets its expects: nothing to shrink, nothing on stdout, exit 0 */
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--set", "expect.0.max=100000", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, "");
    cr_expect(strstr(r.err, "nothing to shrink"), "%s", r.err);
    t_result_free(&r);
    /* --max-runs stops the shrink: a failing list, not minimal, exit 4 */
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--seed", "1", "--max-runs", "3", NULL);
    cr_expect_eq(r.status, 4, "%s", r.err);
    cr_expect(strstr(r.out, "not shrunk to the end"), "%s", r.out);
    t_result_free(&r);
    /* --max-wall: every run takes more than a nanosecond, so the budget is spent after the
     * first, and the list printed is every drawn fault, not minimal, exit 4 */
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--seed", "1", "--max-wall", "1ns", NULL);
    cr_expect_eq(r.status, 4, "%s", r.err);
    cr_expect(strstr(r.out, "not shrunk to the end"), "%s", r.out);
    cr_expect(strstr(r.err, "--max-wall 1ns stopped the shrink"), "%s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", "t.yaml", "--max-wall", "0s", NULL);
    cr_expect_eq(r.status, 2, "%s", r.err);
    cr_expect(strstr(r.err, "--max-wall 0s: error: expected a duration > 0"), "%s", r.err);
    t_result_free(&r);
    t_sandbox_close(&sb);
}

Test(shrink, the_example_keeps_its_promise_on_its_seed_and_seed_1_breaks_it_with_one_cut) {
    /* topologies/nemesis_availability.yaml tells this story in its comments */
    t_sandbox sb;
    t_sandbox_open(&sb, "shrink-example");
    char *yaml = t_example("nemesis_availability.yaml");
    t_write_work(&sb, "ex.yaml", yaml);
    t_result r = t_dsim(&sb, (t_limits){0}, "run", "ex.yaml", "--quiet", NULL);
    cr_expect_eq(r.status, 0, "the file's seed keeps the promise: %s", r.err);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", "ex.yaml", "--seed", "1", "--quiet", NULL);
    cr_expect_eq(r.status, 3, "%s", r.err);
    cr_expect(strstr(r.err, "10 drawn faults -> 1 kept (1-minimal)"), "%s", r.err);
    cr_expect(strstr(r.out, "partition: [[lb], [web.0, web.1, web.2, web.3]], duration: 10s}"),
              "the load balancer cut from every server: %s", r.out);
    t_result_free(&r);
    r = t_dsim(&sb, (t_limits){0}, "shrink", "ex.yaml", "--seed", "6", "--quiet", NULL);
    cr_expect_eq(r.status, 3, "%s", r.err);
    cr_expect(strstr(r.err, "-> 8 kept (1-minimal)"), "seed 6: 8 crashes: %s", r.err);
    t_result_free(&r);
    free(yaml);
    t_sandbox_close(&sb);
}
