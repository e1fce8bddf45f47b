/* The loader's messages, word for word (contract §1): a misspelt key, kind, enum word or node
 * name gets a "did you mean" note naming the nearest known word, and nothing when no word is
 * close; long lists of known words go on a note of their own; a problem with a --set value,
 * or with the --set path itself, is reported in the argument form "--set PATH=VALUE: error:
 * ...", with the file's value it replaced on a note, and paths of any length are kept whole. */
#include "diag.h"
#include "loader.h"
#include "models.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loads yaml as test.yaml with the overrides "PATH=VALUE" (split at the first '=', as dsim
 * does), expects it to be refused with exactly one error, and returns that message (the
 * error and its notes; caller frees). */
static char *only_message(const char *yaml, const char *const *sets, size_t nsets) {
    sim_override *ov = calloc(nsets ? nsets : 1, sizeof *ov);
    char **copies = calloc(nsets ? nsets : 1, sizeof *copies);
    cr_assert(ov && copies);
    for (size_t i = 0; i < nsets; i++) {
        copies[i] = strdup(sets[i]);
        cr_assert(copies[i]);
        char *eq = strchr(copies[i], '=');
        cr_assert(eq, "override without '=': %s", sets[i]);
        *eq = '\0';
        ov[i] = (sim_override){.path = copies[i], .value = eq + 1};
    }
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", yaml, strlen(yaml), ov, nsets, dsim_kinds, d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_info("%s", sim_diag_message(d, i));
    cr_assert_null(t, "the topology loaded");
    cr_assert_eq(sim_diag_count(d), 1, "%zu errors, expected 1 (logged above)", sim_diag_count(d));
    char *m = strdup(sim_diag_message(d, 0));
    cr_assert(m);
    sim_diag_free(d);
    for (size_t i = 0; i < nsets; i++)
        free(copies[i]);
    free(copies);
    free(ov);
    return m;
}

static void expect_message(const char *yaml, const char *const *sets, size_t nsets,
                           const char *want) {
    char *m = only_message(yaml, sets, nsets);
    cr_expect_str_eq(m, want);
    free(m);
}

/* "a, b, c": the names of a parameter table, then the extra words (NULL-terminated), as the
 * known-keys note lists them (caller frees). */
static char *key_list(const sim_param *params, const char *const *extra) {
    size_t cap = 1;
    for (const sim_param *p = params; p->name; p++)
        cap += strlen(p->name) + 2;
    for (size_t i = 0; extra && extra[i]; i++)
        cap += strlen(extra[i]) + 2;
    char *s = calloc(cap, 1);
    cr_assert(s);
    for (const sim_param *p = params; p->name; p++)
        strcat(strcat(s, *s ? ", " : ""), p->name);
    for (size_t i = 0; extra && extra[i]; i++)
        strcat(strcat(s, *s ? ", " : ""), extra[i]);
    return s;
}

static const sim_kind *kind(const char *name) {
    for (const sim_kind *const *k = dsim_kinds; *k; k++)
        if (strcmp((*k)->name, name) == 0)
            return *k;
    cr_assert_fail("no kind %s", name);
    return NULL;
}

static const char *const node_extra[] = {"kind", "replicas", "active", NULL};

#define USERS "duration: 10s\nnodes:\n  users: {kind: client, target: web, rate: 5/s}\n"

/* ---- did you mean ---- */

Test(messages, misspelt_key_suggests_the_key) {
    char *keys = key_list(kind("service")->params, node_extra), want[2048];
    snprintf(want, sizeof want,
             "test.yaml:6:5: error: web: unknown key 'wrkers'\n"
             "test.yaml:6:5: note: did you mean 'workers'?\n"
             "test.yaml:6:5: note: known keys: %s",
             keys);
    expect_message(USERS "  web:\n"
                         "    kind: service\n"
                         "    wrkers: 2\n"
                         "    service: 1ms\n",
                   NULL, 0, want);
    free(keys);
}

Test(messages, misspelt_kind_suggests_the_kind) {
    char kinds[1024] = "", want[2048];
    for (const sim_kind *const *k = dsim_kinds; *k; k++)
        strcat(strcat(kinds, *kinds ? ", " : ""), (*k)->name);
    snprintf(want, sizeof want,
             "test.yaml:5:14: error: db: unknown kind 'databse'\n"
             "test.yaml:5:14: note: did you mean 'database'?\n"
             "test.yaml:5:14: note: the kinds: %s",
             kinds);
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "  db: {kind: databse}\n",
                   NULL, 0, want);
}

Test(messages, misspelt_node_name_in_a_target_suggests_the_node) {
    expect_message("duration: 10s\n"
                   "nodes:\n"
                   "  users: {kind: client, target: wbe, rate: 5/s}\n"
                   "  web: {kind: service, service: 1ms}\n",
                   NULL, 0,
                   "test.yaml:3:33: error: users: target: no node named 'wbe'\n"
                   "test.yaml:3:33: note: did you mean 'web'?");
}

Test(messages, misspelt_group_of_an_instance_suggests_the_instance) {
    expect_message("duration: 10s\n"
                   "nodes:\n"
                   "  users: {kind: client, target: wbe.2, rate: 5/s}\n"
                   "  web: {kind: service, service: 1ms, replicas: 3}\n",
                   NULL, 0,
                   "test.yaml:3:33: error: users: target: no node named 'wbe.2'\n"
                   "test.yaml:3:33: note: did you mean 'web.2'?");
}

Test(messages, misspelt_enum_word_suggests_the_word) {
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "  lb: {kind: load_balancer, backends: [web], policy: least_conections}\n",
                   NULL, 0,
                   "test.yaml:5:54: error: lb: policy: expected one of round_robin, "
                   "weighted_round_robin, least_connections, random, hash, consistent_hash, got "
                   "'least_conections'\n"
                   "test.yaml:5:54: note: did you mean 'least_connections'?");
}

Test(messages, misspelt_list_item_key_suggests_the_key) {
    expect_message("duration: 1s\n"
                   "nodes:\n"
                   "  s:\n"
                   "    kind: settings_store\n"
                   "    changes:\n"
                   "      - {at: 2s, forse: open}\n",
                   NULL, 0,
                   "test.yaml:6:18: error: s: changes[0]: unknown key 'forse' (known keys: at, "
                   "force, failure_rate, slow_rate, open_for)\n"
                   "test.yaml:6:18: note: did you mean 'force'?");
}

Test(messages, short_lists_stay_in_the_message) {
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "network: {latncy: 1ms}\n",
                   NULL, 0,
                   "test.yaml:5:11: error: network: unknown key 'latncy' (known keys: latency, "
                   "loss, duplicate, reorder, bandwidth, links, interfaces)\n"
                   "test.yaml:5:11: note: did you mean 'latency'?");
    /* The top-level keys are more than 8 since series and series_metrics: a note lists them. */
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "warmpu: 1s\n",
                   NULL, 0,
                   "test.yaml:5:1: error: unknown top-level key 'warmpu'\n"
                   "test.yaml:5:1: note: did you mean 'warmup'?\n"
                   "test.yaml:5:1: note: known keys: name, seed, duration, warmup, nodes, "
                   "network, faults, expect, series, series_metrics, nemesis");
}

/* A link covers both directions and the first match wins: a second entry for the same ends
 * would be ignored, so it is refused at its line. */
Test(messages, a_link_given_twice_is_refused_at_the_second) {
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "network:\n"
                         "  links:\n"
                         "    - {from: users, to: web, latency: 1ms}\n"
                         "    - {from: web, to: users, latency: 5ms}\n",
                   NULL, 0,
                   "test.yaml:8:7: error: network: links[1]: links[0] already joins web and "
                   "users (a link covers both directions, and the first that matches is used)\n"
                   "test.yaml:8:7: note: give the two ends once, with every key on that entry");
}

Test(messages, misspelt_fault_key_suggests_the_key) {
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "faults:\n"
                         "  - {at: 1s, crash: web, durtion: 2s}\n",
                   NULL, 0,
                   "test.yaml:6:26: error: faults[0]: unknown key 'durtion'\n"
                   "test.yaml:6:26: note: did you mean 'duration'?\n"
                   "test.yaml:6:26: note: known keys: at, duration, crash, restart, partition, "
                   "loss, slow, add, remove, latency, scale, lose_data, factor, from, to, node, "
                   "workers, downtime");
}

Test(messages, nothing_is_suggested_for_an_unrelated_word) {
    expect_message("duration: 10s\n"
                   "nodes:\n"
                   "  users: {kind: client, target: nothing, rate: 5/s}\n"
                   "  web: {kind: service, service: 1ms}\n",
                   NULL, 0, "test.yaml:3:33: error: users: target: no node named 'nothing'");
    char *m = only_message(USERS "  web: {kind: service, service: 1ms, zzzzqq: 1}\n", NULL, 0);
    cr_expect(strncmp(m, "test.yaml:4:38: error: web: unknown key 'zzzzqq'\n", 49) == 0, "%s", m);
    cr_expect_null(strstr(m, "did you mean"), "%s", m);
    free(m);
    expect_message(USERS "  web: {kind: service, service: 1ms}\n"
                         "  lb: {kind: load_balancer, backends: [web], policy: fastest}\n",
                   NULL, 0,
                   "test.yaml:5:54: error: lb: policy: expected one of round_robin, "
                   "weighted_round_robin, least_connections, random, hash, consistent_hash, got "
                   "'fastest'");
}

/* ---- --set ---- */

#define BLOCK                                                                                      \
    USERS "  web:\n"                                                                               \
          "    kind: service\n"                                                                    \
          "    workers: 2\n"                                                                       \
          "    service: 1ms\n"

Test(messages, bad_set_value_is_an_error_of_the_argument) {
    static const char *const sets[] = {"nodes.web.workers=two"};
    expect_message(BLOCK, sets, 1,
                   "--set nodes.web.workers=two: error: web: workers: expected a whole number in "
                   "[1, 1000000], got 'two'\n"
                   "--set nodes.web.workers=two: note: the file sets it to '2' at "
                   "test.yaml:6:14");
}

Test(messages, set_to_a_misspelt_node_is_an_error_of_the_argument) {
    static const char *const sets[] = {"nodes.users.target=wbe"};
    expect_message(BLOCK, sets, 1,
                   "--set nodes.users.target=wbe: error: users: target: no node named 'wbe'\n"
                   "--set nodes.users.target=wbe: note: the file sets it to 'web' at "
                   "test.yaml:3:33\n"
                   "--set nodes.users.target=wbe: note: did you mean 'web'?");
}

Test(messages, set_of_a_misspelt_path_suggests_the_key) {
    static const char *const sets[] = {"nodes.wbe.workers=2"};
    expect_message(BLOCK, sets, 1,
                   "--set nodes.wbe.workers=2: error: no key 'wbe' in 'nodes'\n"
                   "--set nodes.wbe.workers=2: note: did you mean 'web'?");
    /* The last key missing adds it, and then it is checked like the file's keys. */
    static const char *const added[] = {"nodes.web.wrkers=3"};
    char *keys = key_list(kind("service")->params, node_extra), want[2048];
    snprintf(want, sizeof want,
             "--set nodes.web.wrkers=3: error: web: unknown key 'wrkers'\n"
             "--set nodes.web.wrkers=3: note: did you mean 'workers'?\n"
             "--set nodes.web.wrkers=3: note: known keys: %s",
             keys);
    expect_message(BLOCK, added, 1, want);
    free(keys);
}

Test(messages, cross_key_check_on_a_set_key_names_the_argument) {
    /* client: exactly one of rate, arrival and users, checked across keys at 'users'. */
    static const char *const sets[] = {"nodes.users.users=3"};
    expect_message(BLOCK, sets, 1,
                   "--set nodes.users.users=3: error: users: give exactly one of 'rate', "
                   "'arrival' (open loop) or 'users' (closed loop)");
}

Test(messages, set_paths_of_600_characters_are_kept_whole) {
    /* 600 characters: "nodes.web." and a key of 590 letters, which is added, then refused
     * as an unknown key: message and argument hold it whole (paths over 511 characters used
     * to be cut, and the cut path added as a key). */
    char path[700], arg[800], key[591];
    memset(key, 'k', 590);
    key[590] = '\0';
    snprintf(path, sizeof path, "nodes.web.%s", key);
    cr_assert_eq(strlen(path), 600);
    snprintf(arg, sizeof arg, "%s=1", path);
    const char *sets[] = {arg};
    char *m = only_message(BLOCK, sets, 1);
    char want[1400];
    snprintf(want, sizeof want, "--set %s=1: error: web: unknown key '%s'\n", path, key);
    cr_expect(strncmp(m, want, strlen(want)) == 0, "%s", m);
    free(m);
    /* The same length through a missing node: the key is named whole. */
    char node[595];
    memset(node, 'n', 594);
    node[594] = '\0';
    snprintf(path, sizeof path, "nodes.%s.a", node);
    cr_assert_eq(strlen(path), 602);
    snprintf(arg, sizeof arg, "%s=1", path);
    snprintf(want, sizeof want, "--set %s=1: error: no key '%s' in 'nodes'", path, node);
    expect_message(BLOCK, sets, 1, want);
}

/* ---- bounded work ---- */

/* Every one of 2,000 references misses among 2,000 names of 200 letters (equal lengths, so
 * none is ruled out by length): comparing each miss with each name would take some 10^10
 * letter comparisons, minutes; the suggestions share a budget instead. The first miss, a
 * one-letter typo, still gets its note. */
Test(messages, suggestions_among_many_long_names_are_bounded, .timeout = 60) {
    enum { N = 2000, LEN = 200 };
    size_t cap = (size_t)N * 2 * (LEN + 64) + 64, used = 0;
    char *yaml = malloc(cap);
    cr_assert(yaml);
    used += (size_t)snprintf(yaml + used, cap - used, "duration: 1s\nnodes:\n");
    unsigned x = 12345;
    char name[LEN + 1];
    char first[LEN + 1] = "";
    for (int i = 0; i < 2 * N; i++) {
        for (int j = 0; j < LEN; j++) {
            x = x * 1103515245u + 12345u; /* a fixed sequence of letters */
            name[j] = (char)('a' + (x >> 16) % 26);
        }
        name[LEN] = '\0';
        if (i < N) {
            used += (size_t)snprintf(yaml + used, cap - used,
                                     "  %s: {kind: service, service: 1ms}\n", name);
            if (i == 0)
                memcpy(first, name, sizeof name);
        } else {
            if (i == N) { /* a typo of the first name: its last letter doubled */
                memcpy(name, first, LEN);
                name[LEN - 1] = name[LEN - 2];
            }
            used += (size_t)snprintf(yaml + used, cap - used,
                                     "  c%d: {kind: client, target: %s, rate: 1/s}\n", i, name);
        }
    }
    cr_assert_lt(used, cap);
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    cr_expect_null(sim_load_string("test.yaml", yaml, used, NULL, 0, dsim_kinds, d));
    /* N misses, of which the loader reports its limit and one line saying so. */
    cr_expect_eq(sim_diag_count(d), N > SIM_LOADER_MAX_ERRORS ? SIM_LOADER_MAX_ERRORS + 1 : N);
    char want[2 * LEN + 64];
    snprintf(want, sizeof want, "note: did you mean '%s'?", first);
    cr_expect(strstr(sim_diag_message(d, 0), want), "%s", sim_diag_message(d, 0));
    if (N > SIM_LOADER_MAX_ERRORS) /* the line saying so comes after the errors reported */
        cr_expect_str_eq(sim_diag_message(d, SIM_LOADER_MAX_ERRORS),
                         "test.yaml: error: more than 1000 errors: the others are not reported");
    sim_diag_free(d);
    free(yaml);
}

/* ---- no length limit ---- */

/* Node names have no length limit, and messages name the key under them whole (they used to
 * be cut at 255 characters, or 319 in a distribution, 299 in a list item). */
Test(messages, keys_under_long_node_names_are_named_whole) {
    char name[401], yaml[2048], want[2048];
    memset(name, 'n', 400);
    name[400] = '\0';
    snprintf(yaml, sizeof yaml,
             "duration: 1s\nnodes:\n  %s: {kind: service, workers: x, service: 1ms}\n", name);
    snprintf(want, sizeof want,
             "test.yaml:3:430: error: %s: workers: expected a whole number in [1, 1000000], got "
             "'x'",
             name);
    expect_message(yaml, NULL, 0, want);
    snprintf(yaml, sizeof yaml,
             "duration: 1s\nnodes:\n  %s: {kind: service, service: {dist: uniform, min: 1ms, "
             "max: x}}\n",
             name);
    snprintf(want, sizeof want,
             "test.yaml:3:461: error: %s: service: max: expected a duration: a number and a unit "
             "ns, us, ms, s, m, h or d (e.g. 5ms), got 'x'",
             name);
    expect_message(yaml, NULL, 0, want);
    snprintf(yaml, sizeof yaml,
             "duration: 1s\nnodes:\n  %s:\n    kind: settings_store\n    changes:\n"
             "      - {at: 2s, force: shut}\n",
             name);
    snprintf(want, sizeof want,
             "test.yaml:6:25: error: %s: changes[0]: force: expected one of keep, none, open, "
             "closed, got 'shut'",
             name);
    expect_message(yaml, NULL, 0, want);
}
