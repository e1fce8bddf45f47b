/* The wiring check (docs/topology.md "Nodes", sim/wiring.c): a reference must name a kind that serves
 * what it needs, a node must not pass requests on to itself or its own group, and no cycle of
 * references may keep every request that enters it; a route that lets requests out (Jackson
 * feedback) stays legal. Every refusal is checked word for word at the line and column of the
 * reference, counted from the YAML text in the test. */
#include "sandbox.h"
#include "support.h"

#include "loader.h"
#include "models.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD "duration: 1s\nnodes:\n"

/* Expects yaml to be refused with exactly the one error want ("test.yaml:L:C: error: ..."). */
static void expect_only(const char *yaml, const char *want) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, NULL, 0, &d);
    cr_expect_null(t, "loaded, expected: %s\n%s", want, yaml);
    sim_topology_free(t);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_info("%s", sim_diag_message(d, i));
    cr_expect_eq(sim_diag_count(d), 1, "%zu errors, expected one: %s", sim_diag_count(d), want);
    if (sim_diag_count(d) >= 1)
        cr_expect_str_eq(sim_diag_message(d, 0), want);
    sim_diag_free(d);
}

/* Expects yaml to load without any error. */
static void expect_loads(const char *what, const char *yaml) {
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, NULL, 0, &d);
    for (size_t i = 0; d && i < sim_diag_count(d); i++)
        cr_log_error("%s: %s", what, sim_diag_message(d, i));
    cr_expect_not_null(t, "%s does not load", what);
    sim_topology_free(t);
    sim_diag_free(d);
}

/* ---- a node naming itself ---- */

Test(wiring, a_circuit_breaker_naming_itself_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: cb, rate: 10/s}\n"
                     "  cb:\n"
                     "    kind: circuit_breaker\n"
                     "    backend: cb\n",
                "test.yaml:6:14: error: cb: backend: 'cb' is this node itself; name another node");
}

Test(wiring, a_load_balancer_naming_itself_among_its_backends_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: lb, rate: 10/s}\n"
                     "  lb:\n"
                     "    kind: load_balancer\n"
                     "    backends: [web, lb]\n"
                     "  web: {kind: service, service: 1ms}\n",
                "test.yaml:6:21: error: lb: backends: 'lb' is this node itself; name another "
                "node");
}

Test(wiring, a_rate_limiter_naming_itself_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: rl, rate: 10/s}\n"
                     "  rl:\n"
                     "    kind: rate_limiter\n"
                     "    rate: 5/s\n"
                     "    backend: rl\n",
                "test.yaml:7:14: error: rl: backend: 'rl' is this node itself; name another node");
}

Test(wiring, a_shard_router_naming_itself_as_a_shard_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: sr, rate: 10/s}\n"
                     "  sr:\n"
                     "    kind: shard_router\n"
                     "    shards: [db, sr]\n"
                     "  db: {kind: kv_store}\n",
                "test.yaml:6:18: error: sr: shards: 'sr' is this node itself; name another node");
}

Test(wiring, a_cache_naming_itself_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: c, rate: 10/s}\n"
                     "  c:\n"
                     "    kind: cache\n"
                     "    capacity: 10\n"
                     "    backend: c\n",
                "test.yaml:7:14: error: c: backend: 'c' is this node itself; name another node");
}

Test(wiring, a_node_naming_its_own_group_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: lb, rate: 10/s}\n"
                     "  lb:\n"
                     "    kind: load_balancer\n"
                     "    replicas: 2\n"
                     "    backends: lb\n",
                "test.yaml:7:15: error: lb: backends: 'lb' is this node's own group; name "
                "another node");
}

Test(wiring, a_node_calling_a_replica_of_its_own_group_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: web, rate: 10/s}\n"
                     "  web:\n"
                     "    kind: service\n"
                     "    replicas: 3\n"
                     "    service: 1ms\n"
                     "    calls: [web.1]\n",
                "test.yaml:8:13: error: web: calls: 'web.1' is one of this node's own replicas; "
                "name another node");
}

Test(wiring, forwarding_to_itself_for_sure_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, forward: a}\n",
                "test.yaml:4:45: error: a: forward: 'a' is this node itself; name another node");
}

/* A weight or a membership change is not where requests are passed on: the kind's own check
 * that it names a backend (a shard) is the one error. */
Test(wiring, a_weight_naming_the_balancer_itself_is_reported_once) {
    expect_only(HEAD "  users: {kind: client, target: lb, rate: 10/s}\n"
                     "  lb:\n"
                     "    kind: load_balancer\n"
                     "    backends: [web]\n"
                     "    policy: weighted_round_robin\n"
                     "    weights: {lb: 2, web: 1}\n"
                     "  web: {kind: service, service: 1ms}\n",
                "test.yaml:8:5: error: lb: weights: 'lb' is not one of the backends");
}

/* ---- wrong kinds ---- */

Test(wiring, a_client_targeting_a_client_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: other, rate: 10/s}\n"
                     "  other: {kind: client, target: web, rate: 1/s}\n"
                     "  web: {kind: service, service: 1ms}\n",
                "test.yaml:3:33: error: users: target: 'other' is a client, which cannot answer "
                "this (expected a service, load_balancer, circuit_breaker, rate_limiter, "
                "shard_router, cache, kv_store, database, queue, stream or pubsub)");
}

Test(wiring, a_rate_limiter_store_naming_a_service_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: rl, rate: 10/s}\n"
                     "  rl:\n"
                     "    kind: rate_limiter\n"
                     "    rate: 5/s\n"
                     "    backend: web\n"
                     "    store: web\n"
                     "  web: {kind: service, service: 1ms}\n",
                "test.yaml:8:12: error: rl: store: 'web' is a service, which cannot answer this "
                "(expected a counter_store)");
}

Test(wiring, a_breaker_settings_store_naming_a_service_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: cb, rate: 10/s}\n"
                     "  cb:\n"
                     "    kind: circuit_breaker\n"
                     "    backend: web\n"
                     "    settings: web\n"
                     "  web: {kind: service, service: 1ms}\n",
                "test.yaml:7:15: error: cb: settings: 'web' is a service, which cannot answer "
                "this (expected a settings_store)");
}

Test(wiring, a_service_calling_a_counter_store_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: web, rate: 10/s}\n"
                     "  web: {kind: service, service: 1ms, calls: [cs]}\n"
                     "  cs: {kind: counter_store}\n",
                "test.yaml:4:46: error: web: calls: 'cs' is a counter_store, which cannot answer "
                "this (expected a service, load_balancer, circuit_breaker, rate_limiter, "
                "shard_router, cache, kv_store, database, queue, stream or pubsub)");
}

Test(wiring, an_unknown_node_is_reported_once_and_not_as_wiring) {
    expect_only(HEAD "  users: {kind: client, target: nope, rate: 10/s}\n",
                "test.yaml:3:33: error: users: target: no node named 'nope'");
}

/* Faults and links name any node, clients included. */
Test(wiring, faults_and_links_may_name_any_node) {
    expect_loads("faults and links", HEAD "  users: {kind: client, target: web, rate: 10/s}\n"
                                          "  web: {kind: service, service: 1ms}\n"
                                          "network:\n"
                                          "  links: [{from: users, to: web, latency: 1ms}]\n"
                                          "faults:\n"
                                          "  - {at: 0.5s, crash: users}\n");
}

/* ---- cycles ---- */

Test(wiring, a_call_cycle_of_two_services_is_refused) {
    expect_only(HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, calls: [b]}\n"
                     "  b: {kind: service, service: 1ms, calls: [a]}\n",
                "test.yaml:4:44: error: a: calls: cycle a -> b -> a: every request entering it "
                "would go round forever");
}

Test(wiring, a_call_cycle_of_three_services_is_refused_once) {
    /* users enters the cycle at b: still one error, at the first-declared node of the cycle. */
    expect_only(HEAD "  users: {kind: client, target: b, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, calls: [b]}\n"
                     "  b: {kind: service, service: 1ms, calls: [x, c]}\n"
                     "  c: {kind: service, service: 1ms, calls: [a]}\n"
                     "  x: {kind: service, service: 1ms}\n",
                "test.yaml:4:44: error: a: calls: cycle a -> b -> c -> a: every request entering "
                "it would go round forever");
}

Test(wiring, relays_in_a_ring_are_refused) {
    expect_only(HEAD "  users: {kind: client, target: lb, rate: 10/s}\n"
                     "  lb: {kind: load_balancer, backends: cb}\n"
                     "  cb: {kind: circuit_breaker, backend: cache}\n"
                     "  cache: {kind: cache, capacity: 10, backend: lb}\n",
                "test.yaml:4:39: error: lb: backends: cycle lb -> cb -> cache -> lb: every "
                "request entering it would go round forever");
}

Test(wiring, a_call_into_a_forwarding_loop_is_refused) {
    /* a calls b, b forwards every request back to a: each call starts another. */
    expect_only(HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, calls: [b.0]}\n"
                     "  b: {kind: service, replicas: 2, service: 1ms, forward: {a: 1}}\n",
                "test.yaml:4:44: error: a: calls: cycle a -> b.0 -> a: every request entering it "
                "would go round forever");
}

Test(wiring, routes_summing_to_one_inside_a_cycle_are_refused) {
    /* Every way out of a and b leads back into them. */
    expect_only(HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, forward: {a: 0.5, b: 0.5}}\n"
                     "  b: {kind: service, service: 1ms, forward: {a: 0.25, b: 0.75}}\n",
                "test.yaml:4:54: error: a: forward: cycle a -> b -> a: every request entering "
                "it would go round forever");
}

Test(wiring, an_entry_of_probability_zero_is_no_way_out) {
    expect_only(HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                     "  a: {kind: service, service: 1ms, forward: {b: 1, c: 0}}\n"
                     "  b: {kind: service, service: 1ms, forward: a}\n"
                     "  c: {kind: service, service: 1ms}\n",
                "test.yaml:4:46: error: a: forward: cycle a -> b -> a: every request entering "
                "it would go round forever");
}

Test(wiring, forward_feedback_that_requests_leave_loads) {
    expect_loads("self feedback", HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                                       "  a: {kind: service, service: 1ms, forward: {a: 0.3}}\n");
    expect_loads("feedback through b", HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                                            "  a: {kind: service, service: 1ms, forward: b}\n"
                                            "  b: {kind: service, service: 1ms,"
                                            " forward: {a: 0.3, b: 0.5}}\n");
    expect_loads("a route summing to one with a way out",
                 HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                      "  a: {kind: service, service: 1ms, forward: {a: 0.5, b: 0.5}}\n"
                      "  b: {kind: service, service: 1ms}\n");
    /* lb sends to a or web; a sends everything back to lb; the requests lb sends to web end. */
    expect_loads("a balancer with one backend out of the loop",
                 HEAD "  users: {kind: client, target: lb, rate: 10/s}\n"
                      "  lb: {kind: load_balancer, backends: [a, web]}\n"
                      "  a: {kind: service, service: 1ms, forward: lb}\n"
                      "  web: {kind: service, service: 1ms}\n");
    /* A tier calling the next one down, twice, is a DAG, not a cycle. */
    expect_loads("a call DAG", HEAD "  users: {kind: client, target: a, rate: 10/s}\n"
                                    "  a: {kind: service, service: 1ms, calls: [b, c]}\n"
                                    "  b: {kind: service, service: 1ms, calls: [c]}\n"
                                    "  c: {kind: service, service: 1ms}\n");
}

Test(wiring, jackson_and_every_example_still_validate) {
    char **names = t_examples();
    bool jackson = false;
    for (char **name = names; *name; name++) {
        char *yaml = t_example(*name);
        expect_loads(*name, yaml);
        free(yaml);
        jackson = jackson || strcmp(*name, "jackson.yaml") == 0;
    }
    t_names_free(names);
    cr_expect(jackson, "jackson.yaml is not among the examples");
}

/* The check is linear in the references: a ring of 5000 services calling each other is
 * refused well within the time limit, with the whole cycle named. */
Test(wiring, a_long_ring_is_refused_quickly, .timeout = 60) {
    enum { N = 5000 };
    size_t cap = (size_t)N * 64 + 64;
    char *yaml = malloc(cap);
    cr_assert(yaml);
    size_t n = (size_t)snprintf(yaml, cap, HEAD "  users: {kind: client, target: s0, rate: 1/s}\n");
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(yaml + n, cap - n,
                              "  s%d: {kind: service, service: 1ms, calls: [s%d]}\n", i,
                              (i + 1) % N);
    sim_diag *d = NULL;
    sim_topology *t = t_load(yaml, NULL, 0, &d);
    cr_expect_null(t);
    sim_topology_free(t);
    cr_assert_eq(sim_diag_count(d), 1);
    const char *m = sim_diag_message(d, 0);
    cr_expect(strncmp(m, "test.yaml:4:45: error: s0: calls: cycle s0 -> s1 -> s2 -> ",
                      strlen("test.yaml:4:45: error: s0: calls: cycle s0 -> s1 -> s2 -> ")) == 0,
              "%.200s", m);
    const char *tail = " -> s4999 -> s0: every request entering it would go round forever";
    cr_expect(strlen(m) > strlen(tail) && strcmp(m + strlen(m) - strlen(tail), tail) == 0, "%.200s",
              m + (strlen(m) > 200 ? strlen(m) - 200 : 0));
    sim_diag_free(d);
    free(yaml);
}

/* ---- dsim kinds ---- */

Test(wiring, dsim_kinds_says_what_a_reference_must_name) {
    t_sandbox sb;
    t_sandbox_open(&sb, "wiring");
    t_result r = t_dsim(&sb, (t_limits){0}, "kinds", "rate_limiter", (const char *)NULL);
    cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
    const char *out = r.out;
    const char *store = strstr(out, "\n  store: node");
    cr_assert(store, "%s", out);
    /* the key line, its help line, then what it must name */
    const char *help = strchr(store + 1, '\n');
    cr_assert(help);
    const char *needs = strchr(help + 1, '\n');
    cr_assert(needs);
    cr_expect(strncmp(needs, "\n      must name a counter_store\n",
                      strlen("\n      must name a counter_store\n")) == 0,
              "%s", store);
    cr_expect(strstr(out, "\n      must name a service, load_balancer, circuit_breaker, "
                          "rate_limiter, shard_router, cache, kv_store, database, queue, "
                          "stream or pubsub\n"),
              "%s", out);
    t_result_free(&r);
    t_sandbox_close(&sb);
}
