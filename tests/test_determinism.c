/* Determinism and isolation: the same topology and seed give a byte-identical document,
 * another seed gives other figures, two engines run interleaved in one process give what
 * they give apart, and a node's draws do not depend on which other nodes exist. */
#include "support.h"

#include "engine.h"
#include "json_report.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Exercises every random stream: arrivals, ops, zipf keys, service times, routing, network
 * latency and loss, closed-loop think times, timeouts and a fault. */
static const char busy[] =
    "duration: 60s\n"
    "warmup: 5s\n"
    "network:\n"
    "  latency: {dist: lognormal, mean: 2ms, stddev: 1ms}\n"
    "  loss: 0.001\n"
    "nodes:\n"
    "  shoppers: {kind: client, target: front, rate: 300/s, timeout: 500ms,\n"
    "             ops: {read: 0.8, write: 0.2}, keys: {dist: zipf, n: 1000, s: 1.1}}\n"
    "  admins: {kind: client, target: front, users: 5, think: {dist: exponential, mean: 50ms}}\n"
    "  front: {kind: service, workers: 4, replicas: 2, service: {dist: exponential, mean: 5ms},\n"
    "          calls: [db], forward: {cache: 0.5}}\n"
    "  cache: {kind: service, workers: 2, service: {dist: uniform, min: 0ms, max: 2ms}}\n"
    "  db: {kind: service, workers: 8, queue: 50,\n"
    "       service: {read: {dist: exponential, mean: 8ms}, write: {dist: erlang, k: 2, mean: "
    "12ms}}}\n"
    "faults:\n"
    "  - {at: 20s, crash: cache, duration: 5s}\n";

Test(determinism, same_seed_same_bytes) {
    char *a = t_run_text(busy, 42), *b = t_run_text(busy, 42);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(determinism, other_seed_other_figures) {
    cJSON *a = t_run(busy, 1), *b = t_run(busy, 2);
    cr_expect_neq(t_num(a, "requests.issued"), t_num(b, "requests.issued"));
    cr_expect_neq(t_num(a, "requests.latency_ms.mean"), t_num(b, "requests.latency_ms.mean"));
    cr_expect_neq(t_num(a, "nodes.db.sojourn_ms.mean"), t_num(b, "nodes.db.sojourn_ms.mean"));
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static char *render(const sim_engine *e) {
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    char *text = dsim_json_render(doc);
    cr_assert(text);
    cJSON_Delete(doc);
    return text;
}

/* Two engines stepped alternately in small slices of simulated time share nothing. */
Test(determinism, interleaved_engines_do_not_interfere) {
    sim_topology *t1 = t_load(busy, NULL, 0, NULL), *t2 = t_load(busy, NULL, 0, NULL);
    cr_assert(t1 && t2);
    sim_engine *e1 = sim_engine_new(t1, 7), *e2 = sim_engine_new(t2, 8);
    cr_assert(e1 && e2);
    for (sim_time t = 0; t <= 60 * SIM_S; t += 37 * SIM_MS) {
        cr_assert_eq(sim_engine_run_until(e1, t), 0);
        cr_assert_eq(sim_engine_run_until(e2, t + 11 * SIM_MS), 0);
    }
    cr_assert_eq(sim_engine_run(e1), 0);
    cr_assert_eq(sim_engine_run(e2), 0);
    char *i1 = render(e1), *i2 = render(e2);
    char *a1 = t_run_text(busy, 7), *a2 = t_run_text(busy, 8);
    cr_expect_str_eq(i1, a1);
    cr_expect_str_eq(i2, a2);
    cr_expect_str_neq(i1, i2);
    free(i1), free(i2), free(a1), free(a2);
    sim_engine_free(e1);
    sim_engine_free(e2);
    sim_topology_free(t1);
    sim_topology_free(t2);
}

/* Running in slices (as the progress display does) changes nothing. */
Test(determinism, slicing_does_not_change_results) {
    sim_topology *t = t_load(busy, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 3);
    cr_assert(e);
    for (sim_time at = 0; at < 60 * SIM_S; at += 999 * SIM_MS + 1)
        cr_assert_eq(sim_engine_run_until(e, at), 0);
    cr_assert_eq(sim_engine_run(e), 0);
    char *sliced = render(e), *whole = t_run_text(busy, 3);
    cr_expect_str_eq(sliced, whole);
    free(sliced), free(whole);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* Each node draws from a stream seeded by its name: adding an unrelated pair of nodes leaves
 * the figures of the others unchanged (zero-latency network: the network draws nothing). */
Test(determinism, adding_a_node_keeps_other_streams) {
    static const char base[] = "duration: 100s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 50/s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n";
    static const char more[] = "duration: 100s\n"
                               "nodes:\n"
                               "  batch: {kind: client, target: worker, rate: 20/s}\n"
                               "  users: {kind: client, target: web, rate: 50/s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n"
                               "  worker: {kind: service, service: 30ms}\n";
    cJSON *a = t_run(base, 5), *b = t_run(more, 5);
    const char *paths[] = {"nodes.users.issued", "nodes.users.latency_ms.mean",
                           "nodes.users.latency_ms.p99", "nodes.web.utilization"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        cr_expect_eq(t_num(a, paths[i]), t_num(b, paths[i]), "%s differs", paths[i]);
    cr_expect_gt(t_num(b, "nodes.worker.arrivals"), 0);
    cJSON_Delete(a);
    cJSON_Delete(b);
}
