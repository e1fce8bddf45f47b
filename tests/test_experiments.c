/* The shared modules of the experiments layer: metric paths over a result document
 * (doc_paths.h) and replication statistics (stats.h). */
#include "doc_paths.h"
#include "path_index.h"
#include "stats.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* M_PI is not in C11's math.h. */
static const double pi = 3.14159265358979323846;

static cJSON *parse(const char *text) {
    cJSON *doc = cJSON_Parse(text);
    cr_assert_not_null(doc, "test document does not parse");
    return doc;
}

static const char *doc_text =
    "{\"dsim_version\": \"0.1.0\", \"contract\": \"1.1\", \"seed\": 7, \"duration_s\": 10.5,"
    " \"overrides\": {\"nodes.web.workers\": {\"value\": \"4\", \"resolved\": 4}},"
    " \"ok\": true, \"missing\": null,"
    " \"requests\": {\"issued\": 3, \"latency_ms\": {\"mean\": 1.5, \"p99\": 9}},"
    " \"expect\": [{\"metric\": \"x\", \"value\": 1}],"
    " \"nodes\": {\"web\": {\"kind\": \"service\", \"utilization\": 0.25},"
    "            \"web.0\": {\"utilization\": 0.5, \"wait_ms\": {\"mean\": 2}}}}";

Test(doc_paths, lists_numeric_leaves_in_document_order) {
    cJSON *doc = parse(doc_text);
    exp_leaves l = {0};
    cr_assert_eq(exp_doc_leaves(doc, EXP_LEAVES_ALL, &l), 0);
    const char *want[] = {"seed",
                          "duration_s",
                          "overrides.nodes.web.workers.resolved",
                          "requests.issued",
                          "requests.latency_ms.mean",
                          "requests.latency_ms.p99",
                          "nodes.web.utilization",
                          "nodes.web.0.utilization",
                          "nodes.web.0.wait_ms.mean"};
    const double values[] = {7, 10.5, 4, 3, 1.5, 9, 0.25, 0.5, 2};
    cr_assert_eq(l.n, sizeof want / sizeof *want, "%zu leaves", l.n);
    for (size_t i = 0; i < l.n; i++) {
        cr_expect_str_eq(l.items[i].path, want[i]);
        cr_expect_eq(l.items[i].value, values[i], "%s", want[i]);
    }
    exp_leaves_free(&l);
    cr_assert_eq(l.n, 0);
    cJSON_Delete(doc);
}

Test(doc_paths, figures_leave_out_seed_and_overrides) {
    cJSON *doc = parse(doc_text);
    exp_leaves l = {0};
    cr_assert_eq(exp_doc_leaves(doc, EXP_LEAVES_FIGURES, &l), 0);
    cr_assert_eq(l.n, 7);
    cr_expect_str_eq(l.items[0].path, "duration_s");
    cr_expect_str_eq(l.items[1].path, "requests.issued");
    for (size_t i = 0; i < l.n; i++) {
        cr_expect_neq(strcmp(l.items[i].path, "seed"), 0);
        cr_expect_neq(strncmp(l.items[i].path, "overrides", 9), 0);
    }
    exp_leaves_free(&l);
    /* Only the top-level seed is an input: a figure called seed deeper down stays. */
    cJSON *deep = parse("{\"seed\": 1, \"x\": {\"seed\": 2}}");
    cr_assert_eq(exp_doc_leaves(deep, EXP_LEAVES_FIGURES, &l), 0);
    cr_assert_eq(l.n, 1);
    cr_expect_str_eq(l.items[0].path, "x.seed");
    exp_leaves_free(&l);
    cJSON_Delete(deep);
    cJSON_Delete(doc);
}

Test(doc_paths, appends_to_a_filled_list) {
    cJSON *a = parse("{\"x\": 1}"), *b = parse("{\"y\": 2, \"z\": [3]}");
    exp_leaves l = {0};
    cr_assert_eq(exp_doc_leaves(a, 0, &l), 0);
    cr_assert_eq(exp_doc_leaves(b, 0, &l), 0);
    cr_assert_eq(l.n, 2);
    cr_expect_str_eq(l.items[1].path, "y");
    exp_leaves_free(&l);
    cJSON *list = parse("[1, 2]");
    cr_assert_eq(exp_doc_leaves(list, 0, &l), 0);
    cr_expect_eq(l.n, 0, "a list has no addressable leaves");
    exp_leaves_free(&l);
    cJSON_Delete(list);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

Test(doc_paths, longest_key_wins) {
    cJSON *doc = parse(doc_text);
    double v = -1;
    cr_assert_eq(exp_doc_number(doc, "nodes.web.0.utilization", &v), 0);
    cr_expect_eq(v, 0.5, "nodes.web.0 is one key, longer than web");
    cr_assert_eq(exp_doc_number(doc, "nodes.web.utilization", &v), 0);
    cr_expect_eq(v, 0.25);
    cr_assert_eq(exp_doc_number(doc, "nodes.web.0.wait_ms.mean", &v), 0);
    cr_expect_eq(v, 2);
    cr_assert_eq(exp_doc_number(doc, "requests.latency_ms.p99", &v), 0);
    cr_expect_eq(v, 9);
    /* The longest key wins without backtracking: "a.b" is taken, and has no "c". */
    cJSON *greedy = parse("{\"a\": {\"b\": {\"c\": 1}}, \"a.b\": {\"d\": 2}}");
    cr_expect_null(exp_doc_resolve(greedy, "a.b.c"));
    cr_assert_eq(exp_doc_number(greedy, "a.b.d", &v), 0);
    cr_expect_eq(v, 2);
    cJSON_Delete(greedy);
    cJSON_Delete(doc);
}

Test(doc_paths, unresolvable_paths_name_nothing) {
    cJSON *doc = parse(doc_text);
    double v = 42;
    const char *bad[] = {"",
                         "nodes.db.utilization",
                         "requests.latency",
                         "nodes.web",
                         "requests.issued.more",
                         "expect.0.value",
                         "requests.",
                         ".requests.issued",
                         "nodes.web.kind",
                         "ok",
                         "missing",
                         "nodes.we"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(exp_doc_number(doc, bad[i], &v), -1, "'%s' resolved", bad[i]);
        cr_expect_eq(v, 42, "'%s' changed the value", bad[i]);
    }
    cr_expect_not_null(exp_doc_resolve(doc, "nodes.web"), "an object is an item, not a number");
    cr_expect(cJSON_IsString(exp_doc_resolve(doc, "nodes.web.kind")));
    cr_expect_null(exp_doc_resolve(doc, NULL));
    cJSON_Delete(doc);
}

Test(stats, mean_and_sample_stddev_of_known_values) {
    exp_stats s;
    exp_stats_init(&s);
    for (int i = 1; i <= 10; i++)
        exp_stats_add(&s, i);
    cr_expect_eq(s.n, 10);
    cr_expect_float_eq(exp_stats_mean(&s), 5.5, 1e-15);
    /* The sample variance of 1..n is n (n + 1) / 12 = 110 / 12. */
    cr_expect_float_eq(exp_stats_stddev(&s), sqrt(110.0 / 12.0), 1e-14);
}

Test(stats, welford_keeps_accuracy_on_large_offsets) {
    /* The classic case where sum of squares cancels catastrophically (Knuth 4.2.2): 1e9 + 4,
     * 7, 13, 16 have mean 1e9 + 10 and sample variance 30 exactly. */
    exp_stats s = {0};
    const double x[] = {4, 7, 13, 16};
    for (int i = 0; i < 4; i++)
        exp_stats_add(&s, 1e9 + x[i]);
    cr_expect_float_eq(exp_stats_mean(&s), 1e9 + 10, 1e-6);
    double sd = exp_stats_stddev(&s);
    cr_expect(fabs(sd * sd - 30) < 1e-6, "variance %.12g, not 30", sd * sd);
    /* Still accurate at 1e12 offsets, where the sum of squares (1e24) has no digit left for
     * a variance of 30. */
    exp_stats t = {0};
    for (int i = 0; i < 4; i++)
        exp_stats_add(&t, 1e12 + x[i]);
    sd = exp_stats_stddev(&t);
    cr_expect(fabs(sd * sd - 30) < 1e-3, "variance %.12g at 1e12, not 30", sd * sd);
}

Test(stats, equal_values_have_exactly_zero_spread) {
    exp_stats s = {0};
    for (int i = 0; i < 7; i++)
        exp_stats_add(&s, 0.1);
    cr_expect_eq(exp_stats_mean(&s), 0.1);
    cr_expect_eq(exp_stats_stddev(&s), 0.0);
    double lo, hi;
    cr_assert_eq(exp_stats_ci95(&s, &lo, &hi), 0);
    cr_expect_eq(lo, 0.1);
    cr_expect_eq(hi, 0.1);
}

Test(stats, too_few_values_have_no_interval) {
    exp_stats s = {0};
    cr_expect(isnan(exp_stats_mean(&s)));
    cr_expect(isnan(exp_stats_stddev(&s)));
    double lo = 7, hi = 8;
    cr_expect_eq(exp_stats_ci95(&s, &lo, &hi), -1);
    exp_stats_add(&s, 3);
    cr_expect_eq(exp_stats_mean(&s), 3);
    cr_expect(isnan(exp_stats_stddev(&s)), "one value has no sample standard deviation");
    cr_expect_eq(exp_stats_ci95(&s, &lo, &hi), -1, "n = 1: the interval is null");
    cr_expect(lo == 7 && hi == 8, "a null interval leaves the outputs untouched");
    exp_stats_add(&s, 5);
    cr_expect_eq(exp_stats_ci(&s, 1.0, &lo, &hi), -1, "level 1 is out of range");
    cr_expect_eq(exp_stats_ci(&s, 0.0, &lo, &hi), -1, "level 0 is out of range");
}

/* The Student-t density with nu degrees of freedom, from its definition:
 * Γ((ν+1)/2) / (√(νπ) Γ(ν/2)) · (1 + t²/ν)^(−(ν+1)/2). */
static double t_density(double t, double nu) {
    return exp(lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * pi) -
               (nu + 1) / 2 * log1p(t * t / nu));
}

/* P(0 < T < x) by composite Simpson's rule on 2000 panels (error far below 1e-10 here: the
 * density is smooth and its fourth derivative bounded on [0, 3]). */
static double t_mass(double x, double nu) {
    const int n = 2000;
    double h = x / n, sum = t_density(0, nu) + t_density(x, nu);
    for (int i = 1; i < n; i++)
        sum += (i % 2 ? 4 : 2) * t_density(i * h, nu);
    return sum * h / 3;
}

Test(stats, t_interval_matches_the_t_quantile_from_its_definition) {
    /* n = 10: the 97.5% quantile of t with 9 degrees of freedom, found by bisection on the
     * integrated density (P(0 < T < q) = 0.475), is 2.262 to 3 decimals (any table). */
    double a = 1, b = 4;
    for (int i = 0; i < 60; i++) {
        double mid = (a + b) / 2;
        if (t_mass(mid, 9) < 0.475)
            a = mid;
        else
            b = mid;
    }
    double q = (a + b) / 2;
    cr_assert(fabs(q - 2.262) < 5e-4, "quantile %.6f from the density, not 2.262", q);

    exp_stats s = {0};
    const double x[] = {12.1, 9.7, 11.4, 10.2, 8.8, 13.0, 10.9, 9.1, 11.8, 10.5};
    double sum = 0, ss = 0;
    for (int i = 0; i < 10; i++) {
        exp_stats_add(&s, x[i]);
        sum += x[i];
    }
    double mean = sum / 10;
    for (int i = 0; i < 10; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    double sd = sqrt(ss / 9);
    double lo, hi;
    cr_assert_eq(exp_stats_ci95(&s, &lo, &hi), 0);
    double half = q * sd / sqrt(10);
    cr_expect(fabs(lo - (mean - half)) < 1e-9, "lo %.12g, want %.12g", lo, mean - half);
    cr_expect(fabs(hi - (mean + half)) < 1e-9, "hi %.12g, want %.12g", hi, mean + half);
    cr_expect(fabs((hi + lo) / 2 - mean) < 1e-12, "the interval is centred on the mean");
}

Test(stats, interval_at_n_2_uses_12_706) {
    /* One degree of freedom: the t law is Cauchy, whose 97.5% quantile is tan(0.475 π). */
    exp_stats s = {0};
    exp_stats_add(&s, 1);
    exp_stats_add(&s, 3);
    double lo, hi;
    cr_assert_eq(exp_stats_ci95(&s, &lo, &hi), 0);
    double half = tan(0.475 * pi) * sqrt(2.0) / sqrt(2.0);
    cr_expect(fabs(hi - (2 + half)) < 1e-9 && fabs(lo - (2 - half)) < 1e-9, "[%g, %g]", lo, hi);
}

/* The path index against a linear search: 5,000 paths (many rehashes), each found at the
 * position it was added, a second add finds it again, an absent path is absent. */
Test(path_index, finds_every_path_where_it_was_added) {
    enum { N = 5000 };
    static char paths[N][32];
    exp_path_index x = EXP_PATH_INDEX_INIT;
    for (size_t i = 0; i < N; i++) {
        snprintf(paths[i], sizeof paths[i], "nodes.web.%zu.wait_ms.p99", i);
        bool added = false;
        cr_assert_eq(exp_path_index_find_or_add(&x, paths[i], &added), i);
        cr_assert(added, "path %zu is new", i);
    }
    for (size_t i = 0; i < N; i += 7) {
        char copy[32];
        memcpy(copy, paths[i], sizeof copy);
        bool added = true;
        cr_assert_eq(exp_path_index_find_or_add(&x, copy, &added), i, "an equal string");
        cr_assert_not(added);
        cr_assert_eq(exp_path_index_find(&x, copy), i);
    }
    cr_assert_eq(exp_path_index_find(&x, "nodes.web.5000.wait_ms.p99"), SIZE_MAX);
    cr_assert_eq(exp_path_index_find(&x, "nodes.web.1"), SIZE_MAX, "a prefix is not the path");
    cr_assert_eq(x.n, N);
    exp_path_index_free(&x);
    cr_assert_eq(exp_path_index_find(&x, paths[0]), SIZE_MAX, "freed: empty again");
}
