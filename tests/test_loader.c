/* The topology loader against the contract (§1 errors, §2 distributions, §3.1-3.3 kinds, §4
 * network, §5 faults): every class of bad input is reported at its FILE:LINE:COL with a message
 * that names the key and what was expected, every problem of a file is reported in one go, and
 * every accepted form (distributions, units, instance references, overrides, defaults) fills the
 * checked configuration as written. Messages are checked by substring: what a user needs to
 * read, not the exact wording. Config fields are read through the kinds' own parameter tables,
 * so the tests need no private struct. */
#include "support.h"

#include "loader.h"
#include "request.h"
#include "models.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ---- */

/* Logs every message of d (shown when a test fails). */
static void log_all(const sim_diag *d) {
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_info("  %s", sim_diag_message(d, i));
}

/* Loads yaml with overrides, expects it to fail and returns the diagnostics (caller frees). */
static sim_diag *fails_with(const char *yaml, const char *const *sets, size_t nsets) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, sets, nsets, &d);
    cr_assert_not_null(d);
    if (t) {
        sim_topology_free(t);
        sim_diag_free(d);
        cr_assert_fail("the topology loaded, expected errors:\n%s", yaml);
    }
    cr_assert_gt(sim_diag_count(d), 0, "no topology but no message either");
    return d;
}

static sim_diag *fails(const char *yaml) { return fails_with(yaml, NULL, 0); }

/* True when message m is at line:col (line 0: no position) and contains every string of subs
 * (a NULL-terminated va_list). */
static bool matches(const char *m, int line, int col, va_list subs) {
    char prefix[64];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "test.yaml:%d:%d: error: ", line, col);
    else
        snprintf(prefix, sizeof prefix, "test.yaml: error: ");
    if (strncmp(m, prefix, strlen(prefix)) != 0)
        return false;
    for (const char *s = va_arg(subs, const char *); s; s = va_arg(subs, const char *))
        if (!strstr(m + strlen(prefix), s))
            return false;
    return true;
}

/* Asserts that some message of d is at line:col and contains every string given (NULL ends
 * the list); line 0 means a message with no position (an override or a file problem). */
static void expect_error(const sim_diag *d, int line, int col, ...) {
    for (size_t i = 0; i < sim_diag_count(d); i++) {
        va_list ap;
        va_start(ap, col);
        bool ok = matches(sim_diag_message(d, i), line, col, ap);
        va_end(ap);
        if (ok)
            return;
    }
    char want[512] = "";
    va_list ap;
    va_start(ap, col);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
        strncat(want, " '", sizeof want - strlen(want) - 1);
        strncat(want, s, sizeof want - strlen(want) - 1);
        strncat(want, "'", sizeof want - strlen(want) - 1);
    }
    va_end(ap);
    log_all(d);
    cr_assert_fail("no error at %d:%d containing%s (messages logged above)", line, col, want);
}

#define EXPECT_ERROR(d, line, col, ...) expect_error(d, line, col, __VA_ARGS__, (const char *)NULL)

/* Asserts that some message of d is an error of the argument arg ("ARG: error: ...") holding
 * every string given (NULL ends the list). */
static void expect_arg_error(const sim_diag *d, const char *arg, ...) {
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s: error: ", arg);
    for (size_t i = 0; i < sim_diag_count(d); i++) {
        const char *m = sim_diag_message(d, i);
        bool ok = strncmp(m, prefix, strlen(prefix)) == 0;
        va_list ap;
        va_start(ap, arg);
        for (const char *s = va_arg(ap, const char *); ok && s; s = va_arg(ap, const char *))
            ok = strstr(m, s) != NULL;
        va_end(ap);
        if (ok)
            return;
    }
    log_all(d);
    cr_assert_fail("no error of %s with the words given (messages logged above)", arg);
}

#define EXPECT_ARG_ERROR(d, arg, ...) expect_arg_error(d, arg, __VA_ARGS__, (const char *)NULL)

/* Asserts that d holds exactly n messages. */
static void expect_count(const sim_diag *d, size_t n) {
    if (sim_diag_count(d) != n) {
        log_all(d);
        cr_assert_fail("expected %zu errors, got %zu (logged above)", n, sim_diag_count(d));
    }
}

/* Loads yaml (it must fail) and asserts a single error at line:col containing the strings. */
#define ONLY_ERROR(yaml, line, col, ...)                                                           \
    do {                                                                                           \
        sim_diag *d_ = fails(yaml);                                                                \
        EXPECT_ERROR(d_, line, col, __VA_ARGS__);                                                  \
        expect_count(d_, 1);                                                                       \
        sim_diag_free(d_);                                                                         \
    } while (0)

/* Loads yaml (with overrides), which must succeed. */
static sim_topology *loads_with(const char *yaml, const char *const *sets, size_t nsets) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, sets, nsets, &d);
    if (!t) {
        log_all(d);
        sim_diag_free(d);
        cr_assert_fail("the topology does not load (messages logged above):\n%s", yaml);
    }
    expect_count(d, 0);
    sim_diag_free(d);
    return t;
}

static sim_topology *loads(const char *yaml) { return loads_with(yaml, NULL, 0); }

/* The instance called name. */
static const sim_topo_node *node(const sim_topology *t, const char *name) {
    for (size_t i = 0; i < t->nnodes; i++)
        if (strcmp(t->nodes[i].name, name) == 0)
            return &t->nodes[i];
    cr_assert_fail("no instance '%s' in the topology", name);
    return NULL;
}

/* The config field of key in instance name, found through its kind's parameter table. */
static const void *field(const sim_topology *t, const char *name, const char *key,
                         sim_param_type type) {
    const sim_topo_node *n = node(t, name);
    for (const sim_param *p = n->kind->params; p->name; p++)
        if (strcmp(p->name, key) == 0) {
            cr_assert_eq(p->type, type, "%s: key '%s' has another type", name, key);
            return (const char *)n->config + p->offset;
        }
    cr_assert_fail("kind %s has no key '%s'", n->kind->name, key);
    return NULL;
}

static int64_t int_of(const sim_topology *t, const char *name, const char *key) {
    return *(const int64_t *)field(t, name, key, SIM_P_INT);
}
static int64_t limit_of(const sim_topology *t, const char *name, const char *key) {
    return *(const int64_t *)field(t, name, key, SIM_P_LIMIT);
}
/* A rate, or a rate schedule's constant rate (-1: unset, NaN: not constant). */
static double rate_of(const sim_topology *t, const char *name, const char *key) {
    const sim_topo_node *n = node(t, name);
    for (const sim_param *p = n->kind->params; p->name; p++)
        if (strcmp(p->name, key) == 0 && p->type == SIM_P_RATE_SCHEDULE) {
            const sim_rate_schedule *s = (const void *)((const char *)n->config + p->offset);
            double r;
            return s->n == 0 ? -1 : sim_rate_schedule_is_constant(s, &r) ? r : NAN;
        }
    return *(const double *)field(t, name, key, SIM_P_RATE);
}
static const sim_dist *dist_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_DIST);
}
static const sim_dist_by *opdist_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_DIST_BY);
}
static const sim_ref *ref_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_REF);
}
static const sim_reflist *reflist_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_REFLIST);
}
static const sim_route *route_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_ROUTE);
}
static const sim_mix *opmix_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_MIX);
}
static const sim_index_dist *keys_of(const sim_topology *t, const char *name, const char *key) {
    return field(t, name, key, SIM_P_INDEX);
}

/* Index of instance name in the topology. */
static uint32_t index_of(const sim_topology *t, const char *name) {
    return (uint32_t)(node(t, name) - t->nodes);
}

/* Asserts that ref resolves to the instances of name (a group or one instance) and n of them. */
static void expect_ref(const sim_topology *t, const sim_ref *r, const char *first, uint32_t n) {
    cr_expect_eq(r->first, index_of(t, first), "%s: first instance %u, expected %s", r->name,
                 r->first, first);
    cr_expect_eq(r->count, n, "%s: %u instances, expected %u", r->name, r->count, n);
}

/* The service time (read) of a service whose key `service` holds the distribution. */
static const sim_dist *service_dist(const sim_topology *t, const char *name) {
    return &opdist_of(t, name, "service")->by[RR_READ];
}

/* A valid two-node base; tests append nodes or top-level keys after it. Line 3 is `users`,
 * line 4 is `web`. */
#define BASE                                                                                       \
    "duration: 10s\n"                                                                              \
    "nodes:\n"                                                                                     \
    "  users: {kind: client, target: web, rate: 5/s}\n"                                            \
    "  web: {kind: service, service: 1ms}\n"

#define MS 1e6

/* ---- §1: keys, required keys, kinds, names ---- */

Test(loader, unknown_top_level_key_names_it_and_the_known_keys) {
    ONLY_ERROR(BASE "bogus: 1\n", 5, 1, "unknown top-level key", "'bogus'", "duration", "nodes",
               "faults");
}

Test(loader, unknown_node_key_lists_the_known_keys) {
    ONLY_ERROR("duration: 10s\n"
               "nodes:\n"
               "  users: {kind: client, target: web, rate: 5/s}\n"
               "  web:\n"
               "    kind: service\n"
               "    workerz: 2\n"
               "    service: 1ms\n",
               6, 5, "web", "unknown key 'workerz'", "known keys", "workers", "queue", "service",
               "replicas");
}

Test(loader, unknown_client_key_lists_the_known_keys) {
    ONLY_ERROR(BASE "  other: {kind: client, target: web, rate: 5/s, rat: 3/s}\n", 5, 49, "other",
               "unknown key 'rat'", "known keys", "rate", "users", "target");
}

Test(loader, missing_duration_is_reported_at_the_top_mapping) {
    ONLY_ERROR("nodes:\n"
               "  users: {kind: client, target: web, rate: 5/s}\n"
               "  web: {kind: service, service: 1ms}\n",
               1, 1, "missing required key 'duration'", "60s");
}

Test(loader, missing_nodes_is_reported) {
    ONLY_ERROR("name: x\nduration: 10s\n", 1, 1, "missing required key 'nodes'");
}

Test(loader, empty_nodes_mapping_is_an_error) {
    ONLY_ERROR("duration: 10s\nnodes: {}\n", 2, 8, "nodes", "mapping");
    ONLY_ERROR("duration: 10s\nnodes: [web]\n", 2, 8, "nodes", "mapping");
}

Test(loader, missing_kind_lists_the_kinds) {
    ONLY_ERROR(BASE "  db: {service: 1ms}\n", 5, 7, "db", "missing 'kind'", "client", "service",
               "phold");
}

Test(loader, node_body_must_be_a_mapping) {
    ONLY_ERROR(BASE "  db: service\n", 5, 7, "db", "expected a mapping", "kind");
}

Test(loader, missing_service_key_is_reported_at_the_node) {
    ONLY_ERROR(BASE "  db:\n"
                    "    kind: service\n"
                    "    workers: 2\n",
               6, 5, "db", "missing required key 'service'");
}

Test(loader, missing_target_is_reported_at_the_node) {
    ONLY_ERROR(BASE "  bots: {kind: client, rate: 5/s}\n", 5, 9, "bots",
               "missing required key 'target'");
}

Test(loader, unknown_kind_names_it_and_the_kinds) {
    ONLY_ERROR(BASE "  db: {kind: databse, service: 1ms}\n", 5, 14, "db", "unknown kind 'databse'",
               "client", "service", "phold");
}

/* A series or an expect: naming a node whose kind is unknown: that node is still a node of
 * the file (its path is no second error), and nothing reads the entry its kind would fill. */
Test(loader, unknown_kind_with_series_and_expect_is_one_error) {
    ONLY_ERROR(BASE "  q: {kind: qeue}\n"
                    "series: 1s\n"
                    "series_metrics: [nodes.q.depth]\n"
                    "expect:\n"
                    "  - {metric: nodes.q.depth, max: 1}\n",
               5, 13, "q", "unknown kind 'qeue'");
}

Test(loader, bad_node_names) {
    sim_diag *d = fails(BASE "  Db: {kind: service, service: 1ms}\n"
                             "  1db: {kind: service, service: 1ms}\n"
                             "  db.x: {kind: service, service: 1ms}\n"
                             "  d b: {kind: service, service: 1ms}\n"
                             "  _db: {kind: service, service: 1ms}\n"
                             "  ok_name-2: {kind: service, service: 1ms}\n");
    EXPECT_ERROR(d, 5, 3, "node name 'Db'", "[a-z][a-z0-9_-]*");
    EXPECT_ERROR(d, 6, 3, "node name '1db'", "[a-z][a-z0-9_-]*");
    EXPECT_ERROR(d, 7, 3, "node name 'db.x'", "[a-z][a-z0-9_-]*");
    EXPECT_ERROR(d, 8, 3, "node name 'd b'", "[a-z][a-z0-9_-]*");
    EXPECT_ERROR(d, 9, 3, "node name '_db'", "[a-z][a-z0-9_-]*");
    expect_count(d, 5);
    sim_diag_free(d);
}

Test(loader, name_and_seed_are_checked) {
    ONLY_ERROR(BASE "seed: -1\n", 5, 7, "seed", "whole number >= 0", "-1");
    ONLY_ERROR(BASE "seed: 1.5\n", 5, 7, "seed", "whole number");
    ONLY_ERROR(BASE "seed: [1]\n", 5, 7, "seed", "whole number");
    ONLY_ERROR(BASE "name: ''\n", 5, 7, "name", "non-empty");
    ONLY_ERROR(BASE "name: {a: 1}\n", 5, 7, "name", "string");
}

/* ---- §1: durations, rates and units ---- */

Test(loader, bad_units_name_the_key_and_the_units) {
    ONLY_ERROR(BASE "  db: {kind: service, service: 5 parsecs}\n", 5, 32, "db: service",
               "'5 parsecs'", "ns, us, ms, s, m, h or d");
    ONLY_ERROR("duration: 10 s\nnodes: {web: {kind: service, service: 1ms}}\n", 1, 11, "duration",
               "'10 s'", "unit");
    ONLY_ERROR("duration: 10sec\nnodes: {web: {kind: service, service: 1ms}}\n", 1, 11, "duration",
               "'10sec'", "unit");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 5/hour}\n", 5, 43, "bots: rate",
               "'5/hour'", "N/s");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 5}\n", 5, 43, "bots: rate", "'5'",
               "N/s");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 0/s}\n", 5, 43, "bots: rate", "> 0");
}

Test(loader, bare_numbers_are_not_durations) {
    ONLY_ERROR("duration: 10\nnodes: {web: {kind: service, service: 1ms}}\n", 1, 11, "duration",
               "'10'", "unit", "bare number");
    ONLY_ERROR(BASE "warmup: 5\n", 5, 9, "warmup", "'5'", "bare number");
    ONLY_ERROR(BASE "  db: {kind: service, service: 5}\n", 5, 32, "db: service", "'5'",
               "bare number");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: exponential, mean: 2}}\n", 5, 58,
               "db: service: mean", "'2'", "bare number");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, timeout: 1}\n", 5, 57,
               "bots: timeout", "'1'", "bare number");
}

Test(loader, negative_and_zero_durations) {
    ONLY_ERROR("duration: -5s\nnodes: {web: {kind: service, service: 1ms}}\n", 1, 11, "duration",
               "non-negative", "'-5s'");
    ONLY_ERROR("duration: 0s\nnodes: {web: {kind: service, service: 1ms}}\n", 1, 11, "duration",
               "> 0");
    ONLY_ERROR(BASE "warmup: -1s\n", 5, 9, "warmup", "non-negative");
    ONLY_ERROR(BASE "warmup: 10s\n", 5, 9, "warmup", "shorter than duration");
    ONLY_ERROR(BASE "  db: {kind: service, service: -2ms}\n", 5, 32, "db: service", "non-negative",
               "'-2ms'");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, users: 2, think: -1ms}\n", 5, 54,
               "bots: think", "non-negative");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, timeout: 0s}\n", 5, 57,
               "bots: timeout");
}

/* ---- references ---- */

Test(loader, missing_nodes_in_references_name_the_key) {
    sim_diag *d = fails("duration: 10s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: webb, rate: 5/s}\n"
                        "  web:\n"
                        "    kind: service\n"
                        "    service: 1ms\n"
                        "    forward: {dbb: 0.5}\n"
                        "  app: {kind: service, service: 1ms, forward: cachee, calls: [web, dbx]}\n"
                        "network:\n"
                        "  links:\n"
                        "    - {from: userz, to: web}\n"
                        "    - {from: web, to: ghost}\n"
                        "faults:\n"
                        "  - {at: 1s, crash: nope}\n"
                        "  - {at: 1s, restart: nope}\n"
                        "  - {at: 1s, slow: nope, factor: 2}\n"
                        "  - {at: 1s, partition: [[web], [nope, app]]}\n"
                        "  - {at: 1s, loss: 0.1, from: nope, to: web}\n");
    EXPECT_ERROR(d, 3, 33, "users: target", "no node named 'webb'");
    EXPECT_ERROR(d, 7, 15, "web: forward", "no node named 'dbb'");
    EXPECT_ERROR(d, 8, 47, "app: forward", "no node named 'cachee'");
    EXPECT_ERROR(d, 8, 68, "app: calls", "no node named 'dbx'");
    EXPECT_ERROR(d, 11, 14, "links: from", "no node named 'userz'");
    EXPECT_ERROR(d, 12, 23, "links: to", "no node named 'ghost'");
    EXPECT_ERROR(d, 14, 21, "faults[0]: crash", "no node named 'nope'");
    EXPECT_ERROR(d, 15, 23, "faults[1]: restart", "no node named 'nope'");
    EXPECT_ERROR(d, 16, 20, "faults[2]: slow", "no node named 'nope'");
    EXPECT_ERROR(d, 17, 34, "faults[3]: partition", "no node named 'nope'");
    EXPECT_ERROR(d, 18, 31, "faults[4]: from", "no node named 'nope'");
    expect_count(d, 11);
    sim_diag_free(d);
}

Test(loader, instance_references_out_of_range) {
    sim_diag *d =
        fails("duration: 10s\n"
              "nodes:\n"
              "  users: {kind: client, target: web.5, rate: 5/s}\n"
              "  web: {kind: service, service: 1ms, replicas: 2}\n"
              "  db: {kind: service, service: 1ms}\n"
              "  app: {kind: service, service: 1ms, calls: [web.2, web.-1, web.x, db.0]}\n");
    EXPECT_ERROR(d, 3, 33, "users: target", "'web.5'", "2 replicas", "web.0", "web.1");
    EXPECT_ERROR(d, 6, 46, "app: calls", "'web.2'", "2 replicas");
    EXPECT_ERROR(d, 6, 53, "app: calls", "'web.-1'");
    EXPECT_ERROR(d, 6, 61, "app: calls", "'web.x'");
    EXPECT_ERROR(d, 6, 68, "app: calls", "'db.0'", "no replicas");
    expect_count(d, 5);
    sim_diag_free(d);
}

Test(loader, references_must_be_names) {
    ONLY_ERROR(BASE "  bots: {kind: client, target: [web], rate: 1/s}\n", 5, 32, "bots: target",
               "node name");
    ONLY_ERROR(BASE "  bots: {kind: client, target: '', rate: 1/s}\n", 5, 32, "bots: target",
               "node name");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, calls: []}\n", 5, 44, "db: calls",
               "at least one");
}

/* ---- probabilities ---- */

Test(loader, probabilities_outside_0_1) {
    ONLY_ERROR(BASE "network: {loss: 1.5}\n", 5, 17, "network: loss", "[0, 1]", "'1.5'");
    ONLY_ERROR(BASE "network: {loss: -0.1}\n", 5, 17, "network: loss", "[0, 1]");
    ONLY_ERROR(BASE "network: {loss: lots}\n", 5, 17, "network: loss", "[0, 1]", "'lots'");
    ONLY_ERROR(BASE "network: {links: [{from: users, to: web, loss: 2}]}\n", 5, 48, "links: loss",
               "[0, 1]");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, forward: {web: 1.5}}\n", 5, 52,
               "db: forward", "[0, 1]", "'1.5'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, forward: {web: -0.5}}\n", 5, 52,
               "db: forward", "[0, 1]");
    ONLY_ERROR(BASE "faults: [{at: 1s, loss: 1.01}]\n", 5, 25, "faults[0]: loss", "[0, 1]");
}

Test(loader, ops_mix_must_sum_to_one) {
    ONLY_ERROR(BASE
               "  bots: {kind: client, target: web, rate: 1/s, ops: {read: 0.5, write: 0.4}}\n",
               5, 53, "bots: ops", "sum to 1", "0.9");
    ONLY_ERROR(BASE
               "  bots: {kind: client, target: web, rate: 1/s, ops: {read: 0.7, write: 0.7}}\n",
               5, 53, "bots: ops", "sum to 1", "1.4");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, ops: {read: 0.5, scan: 0.5}}\n",
               5, 65, "bots: ops", "unknown operation 'scan'", "read or write");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, ops: read}\n", 5, 53,
               "bots: ops", "{read: 0.9, write: 0.1}");
}

Test(loader, route_probabilities_must_not_sum_above_one) {
    ONLY_ERROR(BASE "  a: {kind: service, service: 1ms}\n"
                    "  db: {kind: service, service: 1ms, forward: {web: 0.7, a: 0.5}}\n",
               6, 46, "db: forward", "sum to 1.2", "more than 1");
}

/* ---- counts ---- */

Test(loader, negative_and_zero_counts) {
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, workers: -1}\n", 5, 46, "db: workers",
               "whole number in [1,", "'-1'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, workers: 0}\n", 5, 46, "db: workers",
               "[1,");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, workers: 1.5}\n", 5, 46, "db: workers",
               "whole number", "'1.5'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, replicas: 0}\n", 5, 47, "db: replicas",
               "whole number in [1,", "'0'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, replicas: -2}\n", 5, 47, "db: replicas",
               "'-2'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, queue: -1}\n", 5, 44, "db: queue",
               "whole number in [0,", "'unbounded'", "'-1'");
    ONLY_ERROR(BASE "  db: {kind: service, service: 1ms, queue: lots}\n", 5, 44, "db: queue",
               "'unbounded'", "'lots'");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, requests: -5}\n", 5, 58,
               "bots: requests", "whole number in [0,", "'-5'");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, users: 0}\n", 5, 44, "bots: users", "[1,",
               "'0'");
    ONLY_ERROR("duration: 1s\nnodes: {p: {kind: phold, replicas: 2, population: -1}}\n", 2, 51,
               "p: population", "[0,", "'-1'");
}

/* ---- §2 distributions: errors ---- */

Test(loader, bad_distributions) {
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: gauss, mean: 1ms}}\n", 5, 39,
               "db: service", "unknown distribution 'gauss'", "exponential", "empirical");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: exponential}}\n", 5, 32, "db: service",
               "'exponential' needs key 'mean'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: uniform, min: 1ms}}\n", 5, 32,
               "db: service", "'uniform' needs key 'max'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: exponential, mean: 1ms, sd: 1ms}}\n", 5,
               63, "db: service", "unknown key 'sd'", "'exponential'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: normal, mean: 5ms, stddev: -1ms}}\n", 5,
               66, "db: service: stddev", "non-negative", "'-1ms'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: lognormal, mean: 5ms, stddev: -1ms}}\n",
               5, 69, "db: service: stddev", "non-negative");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: empirical, values: []}}\n", 5, 58,
               "db: service: values", "non-empty list");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: empirical, values: 1ms}}\n", 5, 58,
               "db: service: values", "non-empty list");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: empirical, values: [1ms, 2]}}\n", 5, 64,
               "db: service: values", "'2'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: uniform, min: 3ms, max: 1ms}}\n", 5, 63,
               "db: service: max", "below min");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: erlang, k: 0, mean: 1ms}}\n", 5, 50,
               "db: service: k", "whole number >= 1", "'0'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: erlang, k: 2.5, mean: 1ms}}\n", 5, 50,
               "db: service: k", "whole number");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: pareto, shape: -1, scale: 1ms}}\n", 5,
               54, "db: service: shape", "number in", "-1");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: weibull, shape: x, scale: 1ms}}\n", 5,
               55, "db: service: shape", "number", "'x'");
    ONLY_ERROR(BASE "  db: {kind: service, service: {dist: exponential, mean: 0ms}}\n", 5, 58,
               "db: service: mean", "> 0");
    ONLY_ERROR(BASE "  db: {kind: service, service: {mean: 1ms}}\n", 5, 33, "db: service",
               "unknown operation 'mean'", "'dist'");
    ONLY_ERROR(BASE "  db: {kind: service, service: [1ms]}\n", 5, 32, "db: service",
               "a duration or a distribution");
    ONLY_ERROR(BASE "  db: {kind: service, service: {read: 1ms}}\n", 5, 32, "db: service",
               "missing 'write'");
    ONLY_ERROR(BASE "network: {latency: {dist: exponential}}\n", 5, 20, "network: latency",
               "needs key 'mean'");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, arrival: {dist: nope, mean: 1s}}\n", 5, 53,
               "bots: arrival", "unknown distribution 'nope'");
}

/* ---- §3.1 client loops ---- */

Test(loader, client_loop_must_be_exactly_one) {
    /* Both: reported at `users`. */
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 5/s, users: 3}\n", 5, 48, "bots",
               "exactly one of 'rate', 'arrival'", "'users'");
    /* Neither: reported at the node. */
    ONLY_ERROR(BASE "  bots: {kind: client, target: web}\n", 5, 9, "bots",
               "exactly one of 'rate', 'arrival'", "'users'");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 5/s, arrival: 1s}\n", 5, 9, "bots",
               "exactly one");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 5/s, think: 1s}\n", 5, 48,
               "bots: 'think' goes with 'users'");
}

Test(loader, bad_key_choosers) {
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, keys: {dist: zipf, n: 10}}\n",
               5, 54, "bots: keys", "zipf needs the exponent s");
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, keys: {dist: uniform, n: 0}}\n",
               5, 73, "bots: keys", "n:", ">= 1");
    /* An unknown chooser is reported at its word. */
    ONLY_ERROR(BASE "  bots: {kind: client, target: web, rate: 1/s, keys: {dist: hot, n: 2}}\n", 5,
               61, "bots: keys", "unknown key chooser 'hot'", "{dist: uniform, n: N}");
}

/* ---- duplicates and YAML ---- */

Test(loader, duplicate_keys_at_every_level) {
    sim_diag *d = fails("duration: 10s\n"
                        "seed: 3\n"
                        "seed: 4\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web, rate: 5/s}\n"
                        "  web:\n"
                        "    kind: service\n"
                        "    service: 1ms\n"
                        "    workers: 2\n"
                        "    workers: 3\n"
                        "  web: {kind: service, service: 2ms}\n");
    EXPECT_ERROR(d, 3, 1, "duplicate key 'seed'", "line 2");
    EXPECT_ERROR(d, 10, 5, "duplicate key 'workers'", "line 9");
    EXPECT_ERROR(d, 11, 3, "duplicate key 'web'", "line 6");
    expect_count(d, 3);
    sim_diag_free(d);
}

Test(loader, yaml_syntax_errors_have_a_position) {
    sim_diag *d = fails("duration: 10s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web, rate: 5/s\n"
                        "  web: {kind: service, service: 1ms}\n");
    EXPECT_ERROR(d, 4, 6, "YAML syntax", "flow mapping");
    expect_count(d, 1);
    sim_diag_free(d);
    d = fails("duration: 10s\n"
              "nodes:\n"
              "  web:\n"
              "    kind: service\n"
              "   service: 1ms\n");
    expect_count(d, 1);
    cr_expect(strncmp(sim_diag_message(d, 0), "test.yaml:5:", 12) == 0, "%s",
              sim_diag_message(d, 0));
    EXPECT_ERROR(d, 5, 4, "YAML syntax");
    sim_diag_free(d);
}

Test(loader, document_shape_errors) {
    ONLY_ERROR("", 1, 1, "empty");
    ONLY_ERROR("# only a comment\n", 1, 1, "empty");
    ONLY_ERROR("- a\n- b\n", 1, 1, "expected a mapping", "duration", "nodes");
    ONLY_ERROR(BASE "{a: 1}: 2\n", 5, 1, "keys must be plain words");
}

/* ---- multiple errors: every problem of the file in one go ---- */

Test(loader, every_error_of_a_file_is_reported) {
    sim_diag *d = fails("duration: 10\n"                                               /* 1 */
                        "bogus: 1\n"                                                   /* 2 */
                        "nodes:\n"                                                     /* 3 */
                        "  users: {kind: client, target: webx, rate: 5/s, users: 3}\n" /* 4 */
                        "  web:\n"                                                     /* 5 */
                        "    kind: service\n"                                          /* 6 */
                        "    workerz: 2\n"                                             /* 7 */
                        "    service: {dist: normal, mean: 5ms, stddev: -1ms}\n"       /* 8 */
                        "    forward: {web: 1.5}\n"                                    /* 9 */
                        "  Bad: {kind: service, service: 5 parsecs}\n"                 /* 10 */
                        "  odd: {kind: frob}\n"                                        /* 11 */
                        "  big: {kind: service, service: 1ms, replicas: -2, queue: -1}\n"
                        "network: {loss: 2}\n"                         /* 13 */
                        "faults:\n"                                    /* 14 */
                        "  - {crash: web}\n"                           /* 15 */
                        "  - {at: 1s, crash: web, restart: web}\n"     /* 16 */
                        "  - {at: 2s, partition: [[web], [nope]]}\n"); /* 17 */
    EXPECT_ERROR(d, 1, 11, "duration", "bare number");
    EXPECT_ERROR(d, 2, 1, "'bogus'");
    EXPECT_ERROR(d, 4, 50, "users", "exactly one");
    EXPECT_ERROR(d, 4, 33, "users: target", "'webx'");
    EXPECT_ERROR(d, 7, 5, "web", "'workerz'");
    EXPECT_ERROR(d, 8, 48, "web: service: stddev");
    EXPECT_ERROR(d, 9, 20, "web: forward", "[0, 1]");
    EXPECT_ERROR(d, 10, 3, "node name 'Bad'");
    EXPECT_ERROR(d, 10, 33, "Bad: service", "'5 parsecs'");
    EXPECT_ERROR(d, 11, 15, "odd", "unknown kind 'frob'");
    EXPECT_ERROR(d, 12, 48, "big: replicas", "'-2'");
    EXPECT_ERROR(d, 12, 59, "big: queue", "'-1'");
    EXPECT_ERROR(d, 13, 17, "network: loss");
    EXPECT_ERROR(d, 15, 5, "faults[0]", "missing 'at'");
    EXPECT_ERROR(d, 16, 5, "faults[1]", "exactly one action", "found 2");
    EXPECT_ERROR(d, 17, 34, "faults[2]: partition", "'nope'");
    expect_count(d, 16);
    sim_diag_free(d);
}

/* ---- --set overrides ---- */

Test(loader, override_changes_a_scalar) {
    static const char *const sets[] = {"nodes.web.workers=4", "seed=9", "duration=5s",
                                       "nodes.users.rate=7/s"};
    sim_topology *t = loads_with("duration: 10s\n"
                                 "seed: 2\n"
                                 "nodes:\n"
                                 "  users: {kind: client, target: web, rate: 5/s}\n"
                                 "  web: {kind: service, service: 1ms, workers: 2}\n",
                                 sets, 4);
    cr_expect_eq(int_of(t, "web", "workers"), 4);
    cr_expect_eq(t->seed, 9);
    cr_expect_eq(t->duration, 5 * SIM_S);
    cr_expect_float_eq(rate_of(t, "users", "rate"), 7, 1e-12);
    sim_topology_free(t);
}

Test(loader, override_reaches_into_distributions_and_lists) {
    static const char *const sets[] = {"nodes.web.service.mean=3ms", "faults.0.at=4s",
                                       "faults.0.crash=web"};
    sim_topology *t = loads_with("duration: 10s\n"
                                 "nodes:\n"
                                 "  users: {kind: client, target: web, rate: 5/s}\n"
                                 "  web: {kind: service, service: {dist: exponential, mean: 1ms}}\n"
                                 "faults:\n"
                                 "  - {at: 1s, crash: users}\n",
                                 sets, 3);
    cr_expect_float_eq(service_dist(t, "web")->a, 3 * MS, 1e-6);
    cr_expect_eq(t->faults[0].at, 4 * SIM_S);
    expect_ref(t, &t->faults[0].node, "web", 1);
    sim_topology_free(t);
}

/* A node an alias repeats (api: *w) is one node in the YAML document: an override through
 * one name must change that name only, at every depth (the mapping, the distribution in it,
 * and a list repeated by an alias). */
Test(loader, override_through_an_alias_changes_only_the_named_copy) {
    static const char *const sets[] = {"nodes.api.workers=4", "nodes.web.service.mean=3ms",
                                       "nodes.back.calls.0=web"};
    sim_topology *t = loads_with("duration: 10s\n"
                                 "nodes:\n"
                                 "  users: {kind: client, target: front, rate: 5/s}\n"
                                 "  web: &w {kind: service, workers: 2,\n"
                                 "           service: {dist: exponential, mean: 1ms}}\n"
                                 "  api: *w\n"
                                 "  front: {kind: service, service: 1ms, calls: &c [api]}\n"
                                 "  back: {kind: service, service: 1ms, calls: *c}\n",
                                 sets, 3);
    cr_expect_eq(int_of(t, "web", "workers"), 2);
    cr_expect_eq(int_of(t, "api", "workers"), 4);
    cr_expect_float_eq(service_dist(t, "web")->a, 3 * MS, 1e-6);
    cr_expect_float_eq(service_dist(t, "api")->a, 1 * MS, 1e-6);
    expect_ref(t, &reflist_of(t, "front", "calls")->refs[0], "api", 1);
    expect_ref(t, &reflist_of(t, "back", "calls")->refs[0], "web", 1);
    sim_topology_free(t);
}

Test(loader, override_adds_a_missing_key_to_an_existing_mapping) {
    static const char *const sets[] = {"nodes.web.queue=5", "seed=11", "warmup=2s"};
    sim_topology *t = loads_with(BASE, sets, 3);
    cr_expect_eq(limit_of(t, "web", "queue"), 5);
    cr_expect_eq(t->seed, 11);
    cr_expect_eq(t->warmup, 2 * SIM_S);
    sim_topology_free(t);
}

/* BASE with web written as a block, workers: 2 at 7:14. */
#define BLOCK                                                                                      \
    "duration: 10s\n"                                                                              \
    "nodes:\n"                                                                                     \
    "  users: {kind: client, target: web, rate: 5/s}\n"                                            \
    "  web:\n"                                                                                     \
    "    kind: service\n"                                                                          \
    "    service: 1ms\n"                                                                           \
    "    workers: 2\n"

/* Asserts that d holds exactly one message, text (its error line and notes). */
static void expect_only_message(sim_diag *d, const char *text) {
    expect_count(d, 1);
    cr_expect_str_eq(sim_diag_message(d, 0), text);
    sim_diag_free(d);
}

Test(loader, override_of_a_missing_path_is_an_error_of_the_argument) {
    static const char *const sets[] = {"nodes.cache.workers=2"};
    expect_only_message(fails_with(BASE, sets, 1),
                        "--set nodes.cache.workers=2: error: no key 'cache' in 'nodes'");
    static const char *const list[] = {"faults.3.at=1s"};
    expect_only_message(fails_with(BASE "faults: [{at: 1s, crash: web}]\n", list, 1),
                        "--set faults.3.at=1s: error: no item '3' in 'faults' (its items are 0 "
                        "to 0)");
    static const char *const deep[] = {"nodes.web.workers.x=1"};
    expect_only_message(fails_with(BLOCK, deep, 1),
                        "--set nodes.web.workers.x=1: error: no key 'x' in 'nodes.web.workers' "
                        "(a single value, not a mapping)");
    static const char *const top[] = {"nodez.web.workers=1"};
    expect_only_message(fails_with(BASE, top, 1),
                        "--set nodez.web.workers=1: error: no key 'nodez' in the top level\n"
                        "--set nodez.web.workers=1: note: did you mean 'nodes'?");
}

Test(loader, override_path_with_an_empty_key_is_an_error) {
    static const char *const sets[][1] = {{"nodes..web.workers=2"}, {".seed=2"}, {"seed.=2"},
                                          {"=2"}};
    for (size_t i = 0; i < 4; i++) {
        char want[128];
        snprintf(want, sizeof want, "--set %s: error: %s", sets[i][0],
                 i < 3 ? "the path has an empty key (two dots in a row, or a dot at an end)"
                       : "empty path: expected PATH=VALUE, e.g. nodes.web.workers=4");
        expect_only_message(fails_with(BASE, sets[i], 1), want);
    }
}

Test(loader, override_of_a_non_scalar_is_an_error) {
    static const char *const sets[] = {"nodes.web=3"};
    expect_only_message(fails_with(BASE, sets, 1),
                        "--set nodes.web=3: error: 'nodes.web' is a mapping, not a scalar value: "
                        "--set replaces single values only");
    static const char *const dist[] = {"nodes.web.service=5ms"};
    sim_diag *d = fails_with("duration: 10s\n"
                             "nodes: {web: {kind: service, service: {dist: exponential, mean: "
                             "1ms}}}\n",
                             dist, 1);
    EXPECT_ARG_ERROR(d, "--set nodes.web.service=5ms", "'nodes.web.service' is a mapping",
                     "not a scalar");
    sim_diag_free(d);
}

Test(loader, bad_override_value_is_an_error_of_the_argument) {
    static const char *const sets[] = {"nodes.web.workers=abc"};
    expect_only_message(fails_with("duration: 10s\n"
                                   "nodes:\n"
                                   "  web:\n"
                                   "    kind: service\n"
                                   "    workers: 2\n"
                                   "    service: 1ms\n",
                                   sets, 1),
                        "--set nodes.web.workers=abc: error: web: workers: expected a whole "
                        "number in [1, 1000000], got 'abc'\n"
                        "--set nodes.web.workers=abc: note: the file sets it to '2' at "
                        "test.yaml:5:14");
    /* A key --set adds has no value in the file to point at. */
    static const char *const added[] = {"nodes.web.queue=-3"};
    sim_diag *d = fails_with(BASE, added, 1);
    EXPECT_ARG_ERROR(d, "--set nodes.web.queue=-3", "web: queue", "'-3'");
    expect_count(d, 1);
    cr_expect_null(strstr(sim_diag_message(d, 0), "note:"), "%s", sim_diag_message(d, 0));
    sim_diag_free(d);
}

Test(loader, later_override_of_the_same_key_answers_for_it) {
    static const char *const sets[] = {"nodes.web.workers=abc", "nodes.web.workers=-1"};
    expect_only_message(fails_with(BLOCK, sets, 2),
                        "--set nodes.web.workers=-1: error: web: workers: expected a whole "
                        "number in [1, 1000000], got '-1'\n"
                        "--set nodes.web.workers=-1: note: the file sets it to '2' at "
                        "test.yaml:7:14");
}

/* ---- defaults ---- */

Test(loader, defaults) {
    sim_topology *t = loads(BASE);
    cr_expect_eq(t->seed, 1);
    cr_expect_eq(t->warmup, 0);
    cr_expect_eq(t->duration, 10 * SIM_S);
    cr_expect_str_eq(t->name, "test");
    cr_expect_eq(int_of(t, "web", "workers"), 1);
    cr_expect_eq(limit_of(t, "web", "queue"), -1, "queue: unbounded by default");
    cr_expect_eq(route_of(t, "web", "forward")->n, 0);
    cr_expect_eq(reflist_of(t, "web", "calls")->n, 0);
    cr_expect_float_eq(opmix_of(t, "users", "ops")->p[RR_READ], 1, 1e-12);
    cr_expect_float_eq(opmix_of(t, "users", "ops")->p[RR_WRITE], 0, 1e-12);
    cr_expect_eq(keys_of(t, "users", "keys")->dist, SIM_INDEX_ONE);
    cr_expect_eq(int_of(t, "users", "requests"), -1, "no cap by default");
    cr_expect_eq(t->net.latency.kind, SIM_DIST_NONE, "zero latency by default");
    cr_expect_eq(t->net.loss, 0);
    cr_expect_eq(t->net.nlinks, 0);
    cr_expect_eq(t->nfaults, 0);
    cr_expect_eq(t->nnodes, 2);
    cr_expect_str_eq(t->nodes[0].name, "users", "declaration order");
    cr_expect_str_eq(t->nodes[1].name, "web");
    sim_topology_free(t);
}

Test(loader, name_is_the_file_stem_unless_given) {
    sim_diag *d = sim_diag_new("some/dir/my.topo.yaml");
    cr_assert(d);
    const char text[] = BASE;
    sim_topology *t =
        sim_load_string("some/dir/my.topo.yaml", text, strlen(text), NULL, 0, dsim_kinds, d);
    cr_assert(t);
    cr_expect_str_eq(t->name, "my.topo");
    sim_topology_free(t);
    sim_diag_free(d);
    t = loads(BASE "name: shop\nseed: 0\nwarmup: 1.5s\n");
    cr_expect_str_eq(t->name, "shop");
    cr_expect_eq(t->seed, 0);
    cr_expect_eq(t->warmup, 1500 * SIM_MS);
    sim_topology_free(t);
}

Test(loader, missing_file_is_reported) {
    sim_diag *d = sim_diag_new("/nonexistent/x.yaml");
    cr_assert(d);
    cr_expect_null(sim_load_file("/nonexistent/x.yaml", NULL, 0, dsim_kinds, d));
    cr_expect_eq(sim_diag_count(d), 1);
    cr_expect(strstr(sim_diag_message(d, 0), "/nonexistent/x.yaml: error: cannot open"), "%s",
              sim_diag_message(d, 0));
    sim_diag_free(d);
}

/* ---- §5 faults ---- */

Test(loader, every_fault_action_parses) {
    sim_topology *t = loads("duration: 100s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: api, rate: 5/s}\n"
                            "  api: {kind: service, service: 1ms, replicas: 2, calls: [db]}\n"
                            "  db: {kind: service, service: 1ms}\n"
                            "faults:\n"
                            "  - {at: 10s, crash: api.1, duration: 5s}\n"
                            "  - {at: 20s, restart: api.1}\n"
                            "  - {at: 30s, partition: [[api.0], [db, users]], duration: 1s}\n"
                            "  - {at: 40s, loss: 0.25}\n"
                            "  - {at: 50s, loss: 0.5, from: api, to: db}\n"
                            "  - {at: 60s, slow: db, factor: 4, duration: 10s}\n");
    cr_assert_eq(t->nfaults, 6);
    const sim_fault *f = t->faults;
    cr_expect_eq(f[0].kind, SIM_FAULT_CRASH);
    cr_expect_eq(f[0].at, 10 * SIM_S);
    cr_expect_eq(f[0].duration, 5 * SIM_S);
    expect_ref(t, &f[0].node, "api.1", 1);
    cr_expect_eq(f[1].kind, SIM_FAULT_RESTART);
    cr_expect_eq(f[1].duration, SIM_TIME_NONE, "not undone");
    expect_ref(t, &f[1].node, "api.1", 1);
    cr_expect_eq(f[2].kind, SIM_FAULT_PARTITION);
    cr_assert_eq(f[2].ngroups, 2);
    cr_assert_eq(f[2].groups[0].n, 1);
    expect_ref(t, &f[2].groups[0].refs[0], "api.0", 1);
    cr_assert_eq(f[2].groups[1].n, 2);
    expect_ref(t, &f[2].groups[1].refs[0], "db", 1);
    expect_ref(t, &f[2].groups[1].refs[1], "users", 1);
    cr_expect_eq(f[3].kind, SIM_FAULT_LOSS);
    cr_expect_float_eq(f[3].value, 0.25, 1e-12);
    cr_expect_eq(f[3].from.count, 0, "everywhere");
    cr_expect_eq(f[4].kind, SIM_FAULT_LOSS);
    expect_ref(t, &f[4].from, "api.0", 2);
    expect_ref(t, &f[4].to, "db", 1);
    cr_expect_eq(f[5].kind, SIM_FAULT_SLOW);
    cr_expect_float_eq(f[5].value, 4, 1e-12);
    expect_ref(t, &f[5].node, "db", 1);
    cr_expect_eq(f[5].line, 12);
    sim_topology_free(t);
}

Test(loader, fault_errors) {
    ONLY_ERROR(BASE "faults: [{crash: web}]\n", 5, 10, "faults[0]", "missing 'at'");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web, restart: web}]\n", 5, 10, "faults[0]",
               "exactly one action", "found 2");
    ONLY_ERROR(BASE "faults: [{at: 1s}]\n", 5, 10, "faults[0]", "exactly one action", "crash",
               "found 0");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web}, {at: 5, crash: web}]\n", 5, 37, "faults[1]: at",
               "bare number");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web, duration: -1s}]\n", 5, 41, "faults[0]: duration",
               "non-negative");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web, when: 2s}]\n", 5, 31, "faults[0]",
               "unknown key 'when'", "known keys");
    ONLY_ERROR(BASE "faults: [{at: 1s, slow: web}]\n", 5, 10, "faults[0]", "'slow' needs 'factor'");
    ONLY_ERROR(BASE "faults: [{at: 1s, slow: web, factor: 0}]\n", 5, 38, "faults[0]: factor",
               "number in");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web, factor: 2}]\n", 5, 39, "faults[0]",
               "'factor' goes with 'slow'");
    ONLY_ERROR(BASE "faults: [{at: 1s, crash: web, from: users}]\n", 5, 37, "faults[0]",
               "'from' and 'to' go with 'loss'");
    ONLY_ERROR(BASE "faults: [{at: 1s, loss: 0.1, from: users}]\n", 5, 10, "faults[0]",
               "both 'from' and 'to'");
    ONLY_ERROR(BASE "faults: [{at: 1s, partition: web}]\n", 5, 30, "faults[0]: partition",
               "list of sides");
    ONLY_ERROR(BASE "faults: [{at: 1s, partition: [[web], []]}]\n", 5, 38, "faults[0]: partition",
               "at least one");
    ONLY_ERROR(BASE "faults: [crash web]\n", 5, 10, "faults[0]", "{at: 10s, crash: web}");
    ONLY_ERROR(BASE "faults: {at: 1s, crash: web}\n", 5, 9, "faults", "list");
}

Test(loader, partition_groups_referencing_missing_nodes) {
    sim_diag *d = fails(BASE "faults:\n"
                             "  - {at: 1s, partition: [[web, ghost], [users, spook.1]]}\n");
    EXPECT_ERROR(d, 6, 32, "faults[0]: partition", "no node named 'ghost'");
    EXPECT_ERROR(d, 6, 48, "faults[0]: partition", "no node named 'spook.1'");
    expect_count(d, 2);
    sim_diag_free(d);
}

/* ---- §4 network ---- */

Test(loader, network_and_links_parse) {
    sim_topology *t = loads("duration: 10s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web, rate: 5/s}\n"
                            "  web: {kind: service, service: 1ms, replicas: 3}\n"
                            "network:\n"
                            "  latency: {dist: exponential, mean: 1ms}\n"
                            "  loss: 0.01\n"
                            "  links:\n"
                            "    - {from: users, to: web, latency: 20ms, loss: 0.1}\n"
                            "    - {from: web.2, to: users, latency: {dist: uniform, min: 1ms, "
                            "max: 3ms}}\n"
                            "    - {from: web, to: web.0}\n");
    cr_expect_eq(t->net.latency.kind, SIM_DIST_EXPONENTIAL);
    cr_expect_float_eq(t->net.latency.a, 1 * MS, 1e-6);
    cr_expect_float_eq(t->net.loss, 0.01, 1e-12);
    cr_assert_eq(t->net.nlinks, 3);
    const sim_link *l = t->net.links;
    expect_ref(t, &l[0].from, "users", 1);
    expect_ref(t, &l[0].to, "web.0", 3);
    cr_expect_eq(l[0].latency.kind, SIM_DIST_CONSTANT);
    cr_expect_float_eq(l[0].latency.a, 20 * MS, 1e-6);
    cr_expect_float_eq(l[0].loss, 0.1, 1e-12);
    expect_ref(t, &l[1].from, "web.2", 1);
    cr_expect_eq(l[1].latency.kind, SIM_DIST_UNIFORM);
    cr_expect_lt(l[1].loss, 0, "no loss given: the network's");
    expect_ref(t, &l[2].from, "web.0", 3);
    expect_ref(t, &l[2].to, "web.0", 1);
    cr_expect_eq(l[2].latency.kind, SIM_DIST_NONE, "no latency given: the network's");
    sim_topology_free(t);
}

Test(loader, network_errors) {
    ONLY_ERROR(BASE "network: {jitter: 1ms}\n", 5, 11, "network", "unknown key 'jitter'", "latency",
               "loss", "links");
    ONLY_ERROR(BASE "network: {bandwidth: 1}\n", 5, 22, "network: bandwidth", "bare number");
    ONLY_ERROR(BASE "network: 5ms\n", 5, 10, "network", "mapping");
    ONLY_ERROR(BASE "network: {latency: 5}\n", 5, 20, "network: latency", "bare number");
    ONLY_ERROR(BASE "network: {links: {from: web}}\n", 5, 18, "network: links", "list");
    ONLY_ERROR(BASE "network: {links: [{from: web}]}\n", 5, 19, "network: links",
               "needs 'from' and 'to'");
    ONLY_ERROR(BASE "network: {links: [{from: web, to: users, speed: 1}]}\n", 5, 42,
               "network: links", "unknown key 'speed'", "from, to, latency, loss");
    ONLY_ERROR(BASE "network: {links: [web]}\n", 5, 19, "network: links", "{from, to");
}

/* ---- accepted forms ---- */

Test(loader, every_distribution_form_of_section_2) {
    sim_topology *t = loads(
        "duration: 10s\n"
        "nodes:\n"
        "  c0: {kind: service, service: 5ms}\n"
        "  c1: {kind: service, service: {dist: constant, value: 5ms}}\n"
        "  ex: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
        "  un: {kind: service, service: {dist: uniform, min: 2ms, max: 4ms}}\n"
        "  no: {kind: service, service: {dist: normal, mean: 5ms, stddev: 1ms}}\n"
        "  ln: {kind: service, service: {dist: lognormal, mean: 5ms, stddev: 2ms}}\n"
        "  er: {kind: service, service: {dist: erlang, k: 3, mean: 6ms}}\n"
        "  ga: {kind: service, service: {dist: gamma, shape: 2, mean: 4ms}}\n"
        "  pa: {kind: service, service: {dist: pareto, shape: 3, scale: 2ms}}\n"
        "  we: {kind: service, service: {dist: weibull, shape: 1, scale: 2ms}}\n"
        "  em: {kind: service, service: {dist: empirical, values: [1ms, 2ms, 6ms]}}\n"
        "  op: {kind: service, service: {read: 1ms, write: {dist: exponential, mean: 3ms}}}\n");
    static const struct {
        const char *node;
        sim_dist_kind kind;
        double mean_ms;
    } want[] = {
        {"c0", SIM_DIST_CONSTANT, 5},    {"c1", SIM_DIST_CONSTANT, 5},
        {"ex", SIM_DIST_EXPONENTIAL, 5}, {"un", SIM_DIST_UNIFORM, 3},
        {"no", SIM_DIST_NORMAL, 5},      {"ln", SIM_DIST_LOGNORMAL, 5},
        {"er", SIM_DIST_ERLANG, 6},      {"ga", SIM_DIST_GAMMA, 4},
        {"pa", SIM_DIST_PARETO, 3},      {"we", SIM_DIST_WEIBULL, 2},
        {"em", SIM_DIST_EMPIRICAL, 3},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const sim_dist *d = service_dist(t, want[i].node);
        cr_expect_eq(d->kind, want[i].kind, "%s: kind %d", want[i].node, d->kind);
        /* Normal is redrawn while negative: its mean is a hair above 5 ms (2e-6 relative at
         * 5 standard deviations); everything else is exact up to rounding. */
        cr_expect(fabs(sim_dist_mean(d) / MS - want[i].mean_ms) < 1e-5 * want[i].mean_ms,
                  "%s: mean %g ms, expected %g", want[i].node, sim_dist_mean(d) / MS,
                  want[i].mean_ms);
        cr_expect_eq(opdist_of(t, want[i].node, "service")->by[RR_WRITE].kind, d->kind,
                     "%s: one distribution serves every operation", want[i].node);
    }
    const sim_dist *un = service_dist(t, "un");
    cr_expect_float_eq(un->a, 2 * MS, 1e-6);
    cr_expect_float_eq(un->b, 4 * MS, 1e-6);
    cr_expect_eq(service_dist(t, "er")->k, 3);
    /* Lognormal: mean 5 ms, stddev 2 ms give sigma^2 = ln(1 + 4/25). */
    cr_expect_float_eq(service_dist(t, "ln")->b, sqrt(log(1 + 4.0 / 25)), 1e-12);
    const sim_dist *em = service_dist(t, "em");
    cr_assert_eq(em->n, 3);
    cr_expect_float_eq(em->values[2], 6 * MS, 1e-6);
    const sim_dist_by *op = opdist_of(t, "op", "service");
    cr_expect_eq(op->by[RR_READ].kind, SIM_DIST_CONSTANT);
    cr_expect_float_eq(op->by[RR_READ].a, 1 * MS, 1e-6);
    cr_expect_eq(op->by[RR_WRITE].kind, SIM_DIST_EXPONENTIAL);
    cr_expect_float_eq(op->by[RR_WRITE].a, 3 * MS, 1e-6);
    sim_topology_free(t);
}

Test(loader, every_unit_of_time_and_rate) {
    sim_topology *t = loads("duration: 2h\n"
                            "warmup: 1.5m\n"
                            "nodes:\n"
                            "  a: {kind: service, service: 250ns}\n"
                            "  b: {kind: service, service: 2.5us}\n"
                            "  c: {kind: service, service: 2.5ms}\n"
                            "  d: {kind: service, service: 0.5s}\n"
                            "  e: {kind: service, service: 1e-3s}\n"
                            "  r1: {kind: client, target: a, rate: 100/s}\n"
                            "  r2: {kind: client, target: a, rate: 3/ms}\n"
                            "  r3: {kind: client, target: a, rate: 60/m}\n");
    cr_expect_eq(t->duration, 2 * 3600 * SIM_S);
    cr_expect_eq(t->warmup, 90 * SIM_S);
    cr_expect_float_eq(service_dist(t, "a")->a, 250, 1e-9);
    cr_expect_float_eq(service_dist(t, "b")->a, 2500, 1e-9);
    cr_expect_float_eq(service_dist(t, "c")->a, 2.5 * MS, 1e-6);
    cr_expect_float_eq(service_dist(t, "d")->a, 500 * MS, 1e-3);
    cr_expect_float_eq(service_dist(t, "e")->a, 1 * MS, 1e-6);
    cr_expect_float_eq(rate_of(t, "r1", "rate"), 100, 1e-12);
    cr_expect_float_eq(rate_of(t, "r2", "rate"), 3000, 1e-9);
    cr_expect_float_eq(rate_of(t, "r3", "rate"), 1, 1e-12);
    sim_topology_free(t);
}

Test(loader, groups_and_instance_references) {
    sim_topology *t = loads("duration: 10s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: web.1, rate: 5/s}\n"
                            "  web: {kind: service, service: 1ms, replicas: 3, calls: [db]}\n"
                            "  db: {kind: service, service: 1ms, replicas: 2,"
                            " forward: {web: 0.25, db.1: 0.5}}\n"
                            "  all: {kind: client, target: web, users: 4, think: 1s,"
                            " requests: 100, timeout: 2s}\n");
    cr_assert_eq(t->nnodes, 7);
    static const char *const names[] = {"users", "web.0", "web.1", "web.2", "db.0", "db.1", "all"};
    for (size_t i = 0; i < 7; i++)
        cr_expect_str_eq(t->nodes[i].name, names[i], "instance %zu", i);
    const sim_topo_node *w2 = node(t, "web.2");
    cr_expect_str_eq(w2->group, "web");
    cr_expect_eq(w2->replica, 2);
    cr_expect_eq(w2->group_first, 1);
    cr_expect_eq(w2->group_count, 3);
    cr_expect_eq(w2->config, node(t, "web.0")->config, "replicas share one config");
    expect_ref(t, ref_of(t, "users", "target"), "web.1", 1);
    expect_ref(t, ref_of(t, "all", "target"), "web.0", 3);
    expect_ref(t, &reflist_of(t, "web.0", "calls")->refs[0], "db.0", 2);
    const sim_route *fw = route_of(t, "db.0", "forward");
    cr_assert_eq(fw->n, 2);
    expect_ref(t, &fw->to[0], "web.0", 3);
    cr_expect_float_eq(fw->p[0], 0.25, 1e-12);
    expect_ref(t, &fw->to[1], "db.1", 1);
    cr_expect_float_eq(fw->p[1], 0.5, 1e-12);
    cr_expect_eq(int_of(t, "all", "users"), 4);
    cr_expect_eq(int_of(t, "all", "requests"), 100);
    cr_expect_eq(*(const sim_time *)field(t, "all", "timeout", SIM_P_DURATION), 2 * SIM_S);
    cr_expect_float_eq(dist_of(t, "all", "think")->a, 1e9, 1e-3);
    sim_topology_free(t);
}

Test(loader, client_and_service_options_parse) {
    sim_topology *t = loads("duration: 10s\n"
                            "nodes:\n"
                            "  users:\n"
                            "    kind: client\n"
                            "    target: web\n"
                            "    arrival: {dist: uniform, min: 1ms, max: 3ms}\n"
                            "    ops: {read: 0.9, write: 0.1}\n"
                            "    keys: {dist: zipf, n: 1000, s: 0.99}\n"
                            "  web:\n"
                            "    kind: service\n"
                            "    workers: 8\n"
                            "    queue: 0\n"
                            "    service: 1ms\n"
                            "    forward: db\n"
                            "  db: {kind: service, queue: unbounded, service: 1ms}\n"
                            "  hot: {kind: client, target: db, rate: 1/s,"
                            " keys: {dist: uniform, n: 7}}\n"
                            "  p: {kind: phold, replicas: 4, population: 3}\n");
    cr_expect_eq(dist_of(t, "users", "arrival")->kind, SIM_DIST_UNIFORM);
    cr_expect_float_eq(opmix_of(t, "users", "ops")->p[RR_WRITE], 0.1, 1e-12);
    const sim_index_dist *k = keys_of(t, "users", "keys");
    cr_expect_eq(k->dist, SIM_INDEX_ZIPF);
    cr_expect_eq(k->n, 1000);
    cr_expect_float_eq(k->s, 0.99, 1e-12);
    cr_expect_eq(keys_of(t, "hot", "keys")->dist, SIM_INDEX_UNIFORM);
    cr_expect_eq(keys_of(t, "hot", "keys")->n, 7);
    cr_expect_eq(int_of(t, "web", "workers"), 8);
    cr_expect_eq(limit_of(t, "web", "queue"), 0, "0 is a pure loss system");
    cr_expect_eq(limit_of(t, "db", "queue"), -1);
    const sim_route *fw = route_of(t, "web", "forward");
    cr_assert_eq(fw->n, 1);
    cr_expect_float_eq(fw->p[0], 1, 1e-12);
    expect_ref(t, &fw->to[0], "db", 1);
    cr_expect_eq(int_of(t, "p.3", "population"), 3);
    cr_expect_eq(rate_of(t, "users", "rate"), -1, "not given");
    sim_topology_free(t);
}

Test(loader, routes_may_sum_below_one) {
    sim_topology *t = loads(BASE "  db: {kind: service, service: 1ms,"
                                 " forward: {web: 0.3, log: 0.2}}\n"
                                 "  log: {kind: service, service: 1ms}\n");
    const sim_route *fw = route_of(t, "db", "forward");
    cr_assert_eq(fw->n, 2);
    cr_expect_float_eq(fw->p[0] + fw->p[1], 0.5, 1e-12);
    sim_topology_free(t);
}

/* Errors come out in file order, whatever order the checks found them in (here the kind's
 * parameter table checks `retries` before `jitter`, which is written first). */
Test(loader, errors_are_listed_in_file_order) {
    sim_diag *d = fails_with("duration: 1s\n"
                             "nodes:\n"
                             "  u: {kind: client, target: w, rate: 1/s, jitter: fuzzy, retries: -1}\n"
                             "  w: {kind: service, service: 1ms, workers: 0}\n",
                             NULL, 0);
    cr_assert_eq(sim_diag_count(d), 3);
    cr_expect(strstr(sim_diag_message(d, 0), "test.yaml:3:51:"), "%s", sim_diag_message(d, 0));
    cr_expect(strstr(sim_diag_message(d, 1), "test.yaml:3:67:"), "%s", sim_diag_message(d, 1));
    cr_expect(strstr(sim_diag_message(d, 2), "test.yaml:4:"), "%s", sim_diag_message(d, 2));
    sim_diag_free(d);
}
