/* Fault injection (docs/faults.md, contract §5): crash and restart of services and clients,
 * partitions, message loss on the network and on one link, slowed service, faults along a
 * `calls` chain, and the "faults" and "network" parts of the result document (§7).
 *
 * Two kinds of oracle:
 *   - Deterministic timelines (constant arrivals and service times, zero network latency), where
 *     every count follows by hand from the timeline written above the test; these must match
 *     exactly.
 *   - Poisson traffic, where a count of arrivals in a window of length D is Poisson(lambda D), a
 *     count of lost messages among n is binomial, and a per-run mean is checked with a 99.9%
 *     Student-t interval over independent seeded replications. Count bounds are two-sided 99.9%
 *     normal approximations, mean +- 3.29 sd (every mean here is >= 700, where the normal
 *     approximation to the Poisson and the binomial is good to well under that level). Where a
 *     quantity is exactly determined by other figures of the same runs (requests issued while a
 *     node was down all fail), the check is an equality.
 * Every scenario also checks the accounting identity of each client,
 *   issued = completed + rejected + timed_out + failed + in_flight,
 * and of the document's "requests" block (summed over clients). */
#include "support.h"

#include "engine.h"

#include "json_report.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define Z999 3.2905 /* two-sided 99.9% quantile of the standard normal */
#define LEVEL 0.999

/* ---- helpers ---- */

typedef struct want_fault {
    double at_ms;
    const char *action, *node; /* node NULL: no "node" key */
} want_fault;

/* The document's "faults" array is exactly want[0..n), in that order. */
static void expect_fault_log(const cJSON *doc, const want_fault *want, int n) {
    const cJSON *log = t_get(doc, "faults");
    cr_assert(cJSON_IsArray(log));
    cr_assert_eq(cJSON_GetArraySize(log), n, "fault log has %d entries, want %d",
                 cJSON_GetArraySize(log), n);
    for (int i = 0; i < n; i++) {
        const cJSON *f = cJSON_GetArrayItem(log, i);
        cr_expect_float_eq(t_get(f, "at_ms")->valuedouble, want[i].at_ms, 1e-9, "entry %d at_ms", i);
        cr_expect_str_eq(t_get(f, "action")->valuestring, want[i].action, "entry %d action", i);
        const cJSON *node = cJSON_GetObjectItemCaseSensitive(f, "node");
        if (want[i].node) {
            cr_expect(cJSON_IsString(node) && strcmp(node->valuestring, want[i].node) == 0,
                      "entry %d: node should be %s", i, want[i].node);
        } else {
            cr_expect_null(node, "entry %d: unexpected node", i);
        }
    }
}

/* The number under key in entry i of the document's "faults" array. */
static double fault_num(const cJSON *doc, int i, const char *key) {
    const cJSON *v = t_get(cJSON_GetArrayItem(t_get(doc, "faults"), i), key);
    cr_assert(cJSON_IsNumber(v), "faults[%d].%s is not a number", i, key);
    return v->valuedouble;
}

static bool is_crashed(const cJSON *doc, const char *node) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(t_get(t_get(doc, "nodes"), node), "crashed");
    return cJSON_IsTrue(c);
}

static cJSON *run_for(const char *yaml, uint64_t seed, const char *duration) {
    char set[64];
    snprintf(set, sizeof set, "duration=%s", duration);
    const char *sets[] = {set};
    return t_run_with(yaml, seed, sets, 1);
}

/* ---- crash and restart of a service ---- */

/* A request every 10 ms (the first at 10 ms), four workers serving 35 ms each, so a request
 * issued at t is held by web over [t, t + 35ms]. web is down over (30002, 50002] ms:
 *   held at the crash: issued at 29970, 29980, 29990, 30000 -> 4 time out (1 s later);
 *   issued while down: 30010 ... 50000 -> 2000 refused, each a failed reply at once;
 *   issued after the restart: 50010 ... 60000 -> served; those after 59965 are still in
 *   flight at the end (59970 ... 60000: 4), the 996 others complete, as do 2996 before. */
static const char crash_det[] = "duration: 60s\n"
                                "nodes:\n"
                                "  users: {kind: client, target: web, arrival: 10ms, timeout: 1s}\n"
                                "  web: {kind: service, workers: 4, service: 35ms}\n"
                                "faults:\n"
                                "  - {at: 30.002s, crash: web, duration: 20s}\n";

Test(faults, crash_refuses_while_down_and_drops_what_it_held) {
    cJSON *doc = t_run(crash_det, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.issued"), 6000);
    cr_expect_eq(t_int(doc, "requests.failed"), 2000);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 4);
    cr_expect_eq(t_int(doc, "requests.completed"), 2996 + 996);
    cr_expect_eq(t_int(doc, "requests.rejected"), 0);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 4);
    /* Zero latency: every refusal is one request reaching the crashed web. */
    cr_expect_eq(t_int(doc, "network.refused"), 2000);
    cr_expect_eq(t_int(doc, "network.lost"), 0);
    cr_expect_eq(t_int(doc, "network.partitioned"), 0);
    /* web saw only what reached it while up; the 4 it held are neither completed nor failed. */
    cr_expect_eq(t_int(doc, "nodes.web.arrivals"), 6000 - 2000);
    cr_expect_eq(t_int(doc, "nodes.web.completed"), 2996 + 996);
    cr_expect_eq(t_int(doc, "nodes.web.failed"), 0);
    /* Busy worker-time: 3992 finished jobs of 35 ms, the 4 dropped ones from their start to the
     * crash (32 + 22 + 12 + 2 ms), the 4 in service at the end up to 60 s (30+20+10+0 ms). */
    double busy_ms = 3992 * 35.0 + 68 + 60;
    cr_expect_float_eq(t_num(doc, "nodes.web.utilization"), busy_ms / (4 * 60000.0), 1e-9);
    cr_expect_not(is_crashed(doc, "web"));
    const want_fault log[] = {{30002, "crash", "web"}, {50002, "restart", "web"}};
    expect_fault_log(doc, log, 2);
    cJSON_Delete(doc);
}

/* A request every 10 ms served in 5 ms; web crashes at 30.002 s for good. The request of
 * 30000 ms is in service and times out; the 3000 of 30010 ... 60000 ms are refused; the 2999
 * before complete. */
Test(faults, crash_without_restart_fails_everything_after) {
    static const char yaml[] = "duration: 60s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 10ms, timeout: 1s}\n"
                               "  web: {kind: service, service: 5ms}\n"
                               "faults:\n"
                               "  - {at: 30.002s, crash: web}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.issued"), 6000);
    cr_expect_eq(t_int(doc, "requests.completed"), 2999);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 1);
    cr_expect_eq(t_int(doc, "requests.failed"), 3000);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 0);
    cr_expect_eq(t_int(doc, "network.refused"), 3000);
    cr_expect(is_crashed(doc, "web"), "web should be reported as crashed at the end");
    const want_fault log[] = {{30002, "crash", "web"}};
    expect_fault_log(doc, log, 1);
    cJSON_Delete(doc);
}

/* Poisson arrivals, lambda = 100/s, into an exponential M/M/1 at mu = 200/s (rho = 0.5); web is
 * down over (20 s, 30 s]. The timeout (1 s) is 100 mean sojourns: an undisturbed request times
 * out with probability e^(-(mu - lambda) 1s) = e^-100, never in practice.
 * Oracles, over REPS seeded replications, using runs of the same seed cut at 20 s and 30 s
 * (identical up to their end):
 *   failed = requests issued in (20, 30] exactly; their total is Poisson(REPS lambda 10s);
 *   timed_out = number in system at the crash, whose mean is rho/(1 - rho) = 1 (PASTA: the
 *     crash instant is independent of the queue), checked with a 99.9% t-interval;
 *   after the restart every request completes: completions in (30, 40] plus those still in
 *     flight at 40 s equal the requests issued in (30, 40], exactly. */
static const char crash_poisson[] =
    "duration: 40s\n"
    "nodes:\n"
    "  users: {kind: client, target: web, rate: 100/s, timeout: 1s}\n"
    "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
    "faults:\n"
    "  - {at: 20s, crash: web, duration: 10s}\n";

#define CRASH_REPS 40

Test(faults, crash_failures_match_downtime) {
    double held[CRASH_REPS];
    long long failed_sum = 0;
    for (int i = 0; i < CRASH_REPS; i++) {
        uint64_t seed = (uint64_t)i + 1;
        cJSON *full = t_run(crash_poisson, seed);
        cJSON *at_crash = run_for(crash_poisson, seed, "20s");
        cJSON *at_restart = run_for(crash_poisson, seed, "30s");
        t_expect_accounting(full);
        long long failed = t_int(full, "requests.failed");
        long long down_issued =
            t_int(at_restart, "requests.issued") - t_int(at_crash, "requests.issued");
        cr_expect_eq(failed, down_issued, "seed %d: failed %lld, issued while down %lld", i + 1,
                     failed, down_issued);
        cr_expect_eq(t_int(full, "network.refused"), failed);
        long long after_issued =
            t_int(full, "requests.issued") - t_int(at_restart, "requests.issued");
        long long after_done = t_int(full, "requests.completed") -
                               t_int(at_restart, "requests.completed") +
                               t_int(full, "nodes.users.in_flight");
        cr_expect_eq(after_done, after_issued, "seed %d: after the restart %lld of %lld served",
                     i + 1, after_done, after_issued);
        cr_expect(after_issued > 0);
        failed_sum += failed;
        held[i] = t_num(full, "requests.timed_out");
        cJSON_Delete(full);
        cJSON_Delete(at_crash);
        cJSON_Delete(at_restart);
    }
    t_expect_poisson("failed, all replications", (double)failed_sum, CRASH_REPS * 100 * 10.0);
    t_expect_in_ci("timed out = held at the crash", t_ci_of(held, CRASH_REPS, LEVEL), 0.5 / 0.5);
}

/* Crashing one instance of a group the client picks from uniformly: a request issued while
 * web.1 is down fails when it picks web.1, so failed ~ Binomial(issued while down, 1/2). Each
 * replica serves 5 ms exponential at 50/s: the timeout is never reached otherwise. */
Test(faults, crash_of_one_replica_fails_half) {
    static const char yaml[] = "duration: 40s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s, timeout: 1s}\n"
                               "  web: {kind: service, replicas: 2,"
                               " service: {dist: exponential, mean: 5ms}}\n"
                               "faults:\n"
                               "  - {at: 10s, crash: web.1, duration: 20s}\n";
    cJSON *full = t_run(yaml, 3), *a = run_for(yaml, 3, "10s"), *b = run_for(yaml, 3, "30s");
    t_expect_accounting(full);
    double down = t_num(b, "requests.issued") - t_num(a, "requests.issued");
    t_expect_binomial("failed while web.1 is down", t_num(full, "requests.failed"), down, 0.5);
    cr_expect_eq(t_int(full, "nodes.web.0.failed"), 0);
    const want_fault log[] = {{10000, "crash", "web.1"}, {30000, "restart", "web.1"}};
    expect_fault_log(full, log, 2);
    cJSON_Delete(full);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* ---- crash of a client ---- */

/* The client (a request every 10 ms from 10 ms) is down over (30002, 40002] ms; web holds each
 * request 35 ms. At the crash web holds the requests of 29970 ... 30000: the client forgets
 * them (their replies, at 30005 ... 30035, reach a crashed client and are refused) and they
 * count as failed. No request is issued while down. After the restart the first arrival is a
 * fresh gap later: 40012, ..., 59992 (1999 requests), of which 59972 ... 59992 (3) are in flight
 * at the end. So 3000 + 1999 issued, 2996 + 1996 completed, 4 failed. */
Test(faults, crashed_client_forgets_and_resumes) {
    static const char yaml[] = "duration: 60s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 10ms, timeout: 1s}\n"
                               "  web: {kind: service, workers: 4, service: 35ms}\n"
                               "faults:\n"
                               "  - {at: 30.002s, crash: users, duration: 10s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.issued"), 3000 + 1999);
    cr_expect_eq(t_int(doc, "requests.completed"), 2996 + 1996);
    cr_expect_eq(t_int(doc, "requests.failed"), 4);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 0);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 3);
    cr_expect_eq(t_int(doc, "network.refused"), 4);
    /* web finished the forgotten ones: its own figures know nothing of the client's crash. */
    cr_expect_eq(t_int(doc, "nodes.web.completed"), 2996 + 4 + 1996);
    const want_fault log[] = {{30002, "crash", "users"}, {40002, "restart", "users"}};
    expect_fault_log(doc, log, 2);
    cJSON_Delete(doc);
    /* With the warm-up ending at 29.985 s, of the 4 forgotten only those of 29990 and 30000 ms
     * count (as failed); 2 + 1999 are issued in the measured window. */
    const char *sets[] = {"warmup=29.985s"};
    doc = t_run_with(yaml, 1, sets, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.issued"), 2 + 1999);
    cr_expect_eq(t_int(doc, "requests.failed"), 2);
    cr_expect_eq(t_int(doc, "requests.completed"), 1996);
    cJSON_Delete(doc);
}

/* A closed-loop client crashed for a while: its users resume after the restart. 20 users, no
 * think time, web 4 workers at 10 ms constant: 400 completions/s whenever the client is up,
 * exactly (the 20 users keep web saturated; batches of 4 finish every 10 ms). Down over
 * (10.0005 s, 15.0005 s] of a 20 s run: 1000 batches finish by 10 s, the 20 requests awaited at
 * the crash fail, and after the restart batches finish at 15.0105 ... 19.9905 s (499), while
 * 20 requests are in flight at the end: 4000 + 1996 completed. */
Test(faults, crashed_closed_loop_client_resumes) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, users: 20, timeout: 1s}\n"
                               "  web: {kind: service, workers: 4, service: 10ms}\n"
                               "faults:\n"
                               "  - {at: 10.0005s, crash: users, duration: 5s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.completed"), 4000 + 1996);
    cr_expect_eq(t_int(doc, "requests.failed"), 20);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 20);
    cJSON_Delete(doc);
}

/* ---- partitions ---- */

/* Poisson 100/s into an M/M/1 (mu = 200/s), partition between users and web over [25 s, 35 s).
 * Every cut message dooms exactly one request (a cut request gets no reply; a cut reply is the
 * only one), so timed_out = network.partitioned. Of them, the requests issued during the
 * partition are cut on the way out: exactly the requests issued in (25, 35] (runs cut at 25 s
 * and 35 s), in total Poisson(REPS lambda 10 s); the rest are replies of the requests web held
 * when the partition began, mean rho/(1 - rho) = 1 (t-interval). After the heal every request
 * completes (or is still in flight at the end). */
static const char partition_poisson[] =
    "duration: 60s\n"
    "nodes:\n"
    "  users: {kind: client, target: web, rate: 100/s, timeout: 1s}\n"
    "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
    "faults:\n"
    "  - {at: 25s, partition: [[users], [web]], duration: 10s}\n";

#define PART_REPS 40

Test(faults, partition_times_out_and_heals) {
    double replies_cut[PART_REPS];
    long long cut_sum = 0;
    for (int i = 0; i < PART_REPS; i++) {
        uint64_t seed = (uint64_t)i + 1;
        cJSON *full = t_run(partition_poisson, seed);
        cJSON *at_cut = run_for(partition_poisson, seed, "25s");
        cJSON *at_heal = run_for(partition_poisson, seed, "35s");
        t_expect_accounting(full);
        long long timed_out = t_int(full, "requests.timed_out");
        cr_expect_eq(t_int(full, "network.partitioned"), timed_out);
        cr_expect_eq(t_int(full, "requests.failed"), 0);
        long long during = t_int(at_heal, "requests.issued") - t_int(at_cut, "requests.issued");
        cr_expect_geq(timed_out, during);
        cut_sum += during;
        replies_cut[i] = (double)(timed_out - during);
        long long after_issued = t_int(full, "requests.issued") - t_int(at_heal, "requests.issued");
        long long after_done = t_int(full, "requests.completed") -
                               t_int(at_heal, "requests.completed") +
                               t_int(full, "nodes.users.in_flight");
        cr_expect_eq(after_done, after_issued, "seed %d: after the heal %lld of %lld served", i + 1,
                     after_done, after_issued);
        if (i == 0) {
            const want_fault log[] = {{25000, "partition", NULL}, {35000, "heal", NULL}};
            expect_fault_log(full, log, 2);
        }
        cJSON_Delete(full);
        cJSON_Delete(at_cut);
        cJSON_Delete(at_heal);
    }
    t_expect_poisson("requests cut, all replications", (double)cut_sum, PART_REPS * 100 * 10.0);
    t_expect_in_ci("replies cut = held when the partition began",
                   t_ci_of(replies_cut, PART_REPS, LEVEL), 1.0);
}

/* Only traffic between the listed sides is cut: u1 -> a crosses [u1, u2] | [a] and times out
 * for the whole partition (Poisson(lambda 10 s) requests, plus the few a held when it began:
 * mean 1, below 10 with probability 1 - 2^-10, hence the one-sided allowance of 10); u2 -> b
 * does not (b is in no side) and loses nothing. */
Test(faults, partition_spares_unlisted_nodes) {
    static const char yaml[] = "duration: 30s\n"
                               "nodes:\n"
                               "  u1: {kind: client, target: a, rate: 100/s, timeout: 1s}\n"
                               "  u2: {kind: client, target: b, rate: 100/s, timeout: 1s}\n"
                               "  a: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "  b: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "faults:\n"
                               "  - {at: 10s, partition: [[u1, u2], [a]], duration: 10s}\n";
    cJSON *doc = t_run(yaml, 5);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.u2.timed_out"), 0);
    cr_expect_eq(t_int(doc, "nodes.u2.failed"), 0);
    cr_expect_eq(t_int(doc, "nodes.b.completed"), t_int(doc, "nodes.u2.completed"));
    double t1 = t_num(doc, "nodes.u1.timed_out");
    cr_expect_eq(llround(t1), t_int(doc, "network.partitioned"));
    double mean = 100 * 10.0;
    cr_log_info("u1 timed out: %.0f, theory %.0f (+0..10)", t1, mean);
    cr_expect(t1 >= mean - Z999 * sqrt(mean) && t1 <= mean + Z999 * sqrt(mean) + 10,
              "u1 timed out %.0f, expected about %.0f", t1, mean);
    cJSON_Delete(doc);
}

/* ---- loss ---- */

/* Loss 0.2 on every message from t = 0: a request times out when the request or its reply is
 * lost, probability q = 1 - (1 - p)^2 = 0.36, independently, so timed_out ~ Binomial(n, q) with
 * n = 20000 requests (a cap, and a run long enough for all to settle; the 5 s timeout is 500
 * mean sojourns). Each lost message dooms one request: timed_out = lost. Requests lost on the
 * way out number 2n - messages, ~ Binomial(n, p); replies lost, ~ Binomial(delivered, p). Over
 * all messages, lost - p messages is a martingale with variance p (1 - p) messages (each
 * message is lost independently, whatever decided how many were sent), hence the same bound. */
Test(faults, network_loss_times_out_binomially) {
    static const char yaml[] = "duration: 400s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s,"
                               " requests: 20000, timeout: 5s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "faults:\n"
                               "  - {at: 0s, loss: 0.2}\n";
    const double p = 0.2, n = 20000;
    cJSON *doc = t_run(yaml, 11);
    t_expect_accounting(doc);
    cr_assert_eq(t_int(doc, "requests.issued"), 20000);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 0);
    double timed_out = t_num(doc, "requests.timed_out"), lost = t_num(doc, "network.lost");
    double messages = t_num(doc, "network.messages");
    cr_expect_eq(llround(timed_out), llround(lost));
    cr_expect_eq(t_int(doc, "requests.completed") + llround(timed_out), 20000);
    t_expect_binomial("timed out", timed_out, n, 1 - (1 - p) * (1 - p));
    double req_lost = 2 * n - messages, delivered = n - req_lost;
    t_expect_binomial("requests lost", req_lost, n, p);
    t_expect_binomial("replies lost", lost - req_lost, delivered, p);
    t_expect_binomial("messages lost", lost, messages, p);
    const want_fault log[] = {{0, "loss", NULL}};
    expect_fault_log(doc, log, 1);
    cr_expect_float_eq(fault_num(doc, 0, "probability"), 0.2, 1e-12);
    cJSON_Delete(doc);
}

/* Loss 0.3 on the link u1 - a only (links are symmetric: replies too), for 100 s of a 200 s run:
 * u1's requests issued in that window time out with probability 1 - 0.7^2 = 0.51; u2 -> b and
 * u1's requests after loss_end lose nothing. Both clients stop after 5000 requests (~50 s). */
Test(faults, link_loss_only_on_that_link) {
    static const char yaml[] = "duration: 200s\n"
                               "nodes:\n"
                               "  u1: {kind: client, target: a, rate: 100/s, requests: 5000,"
                               " timeout: 5s}\n"
                               "  u2: {kind: client, target: b, rate: 100/s, requests: 5000,"
                               " timeout: 5s}\n"
                               "  a: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "  b: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "faults:\n"
                               "  - {at: 0s, loss: 0.3, from: u1, to: a, duration: 100s}\n";
    cJSON *doc = t_run(yaml, 13);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.u2.timed_out"), 0);
    cr_expect_eq(t_int(doc, "nodes.u2.completed"), 5000);
    double t1 = t_num(doc, "nodes.u1.timed_out");
    cr_expect_eq(llround(t1), t_int(doc, "network.lost"));
    t_expect_binomial("u1 timed out", t1, 5000, 1 - 0.7 * 0.7);
    const want_fault log[] = {{0, "loss", NULL}, {100000, "loss_end", NULL}};
    expect_fault_log(doc, log, 2);
    cr_expect_null(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(t_get(doc, "faults"), 1), "probability"));
    cJSON_Delete(doc);
}

/* Loss with a duration ends: 0.5 on every message over [10 s, 20 s) of a 40 s run. A request
 * times out exactly when one of its messages is lost (timed_out = lost). No message is lost
 * outside the window: the full run loses as many as one cut at 20 s, and those are
 * ~ Binomial(messages sent in the window, 0.5), the window's messages counted from runs cut at
 * 10 s and 20 s. */
Test(faults, loss_ends_after_its_duration) {
    static const char yaml[] = "duration: 40s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 100/s, timeout: 1s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 5ms}}\n"
                               "faults:\n"
                               "  - {at: 10s, loss: 0.5, duration: 10s}\n";
    cJSON *full = t_run(yaml, 17), *at_start = run_for(yaml, 17, "10s");
    cJSON *at_end = run_for(yaml, 17, "20s");
    t_expect_accounting(full);
    cr_expect_eq(t_int(full, "requests.timed_out"), t_int(full, "network.lost"));
    cr_expect_eq(t_int(full, "network.lost"), t_int(at_end, "network.lost"));
    cr_expect_eq(t_int(at_start, "network.lost"), 0);
    double window = t_num(at_end, "network.messages") - t_num(at_start, "network.messages");
    t_expect_binomial("lost in the window", t_num(full, "network.lost"), window, 0.5);
    const want_fault log[] = {{10000, "loss", NULL}, {20000, "loss_end", NULL}};
    expect_fault_log(full, log, 2);
    cJSON_Delete(full);
    cJSON_Delete(at_start);
    cJSON_Delete(at_end);
}

/* ---- slow ---- */

/* M/M/1 with lambda = 30/s and service 10 ms exponential, slowed by factor 2 for the whole run:
 * an M/M/1 with mu' = mu / 2 = 50/s, so utilization 0.6 and mean sojourn 1/(mu' - lambda) =
 * 50 ms (unslowed: 0.3 and 14.3 ms). 99.9% t-intervals over 20 replications of 1000 s after a
 * 50 s warm-up. */
Test(faults, slow_scales_service_times) {
    static const char yaml[] = "duration: 1000s\n"
                               "warmup: 50s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 30/s}\n"
                               "  web: {kind: service, service: {dist: exponential, mean: 10ms}}\n"
                               "faults:\n"
                               "  - {at: 0s, slow: web, factor: 2}\n";
    enum { REPS = 20 };
    static const char *const paths[] = {"nodes.web.utilization", "nodes.web.sojourn_ms.mean",
                                        "nodes.web.wait_ms.mean"};
    static double x[3 * REPS];
    t_replicate(yaml, REPS, paths, 3, x);
    const double lambda = 30, mu = 50, rho = lambda / mu;
    t_expect_in_ci("utilization", t_ci_of(x, REPS, LEVEL), rho);
    t_expect_in_ci("mean sojourn ms", t_ci_of(x + REPS, REPS, LEVEL), 1000 / (mu - lambda));
    t_expect_in_ci("mean wait ms", t_ci_of(x + 2 * REPS, REPS, LEVEL), 1000 * rho / (mu - lambda));
}

/* A slow fault with a duration ends: constant 10 ms service, slowed x3 over [10 s, 20 s), one
 * request every 100 ms (no queueing either way). Service starting in the window takes 30 ms:
 * the 100 requests of 10.05 ... 19.95 s; the 299 others of the 30 s run take 10 ms. */
Test(faults, slow_ends_after_its_duration) {
    static const char yaml[] = "duration: 30s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 100ms}\n"
                               "  web: {kind: service, service: 10ms}\n"
                               "faults:\n"
                               "  - {at: 10.05s, slow: web, factor: 3, duration: 10s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    /* Arrivals at 100, 200, ..., 30000 ms: the one of 30000 ms is in service at the end. */
    cr_expect_eq(t_int(doc, "requests.completed"), 299);
    /* Slowed: arrivals at 10100 ... 20000 ms (100 of them), served 30 ms. */
    double mean = (100 * 30.0 + 199 * 10.0) / 299;
    cr_expect_float_eq(t_num(doc, "nodes.web.sojourn_ms.mean"), mean, 1e-6);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 30, 0.5);
    const want_fault log[] = {{10050, "slow", "web"}, {20050, "slow_end", "web"}};
    expect_fault_log(doc, log, 2);
    cr_expect_float_eq(fault_num(doc, 0, "factor"), 3, 1e-12);
    cJSON_Delete(doc);
}

/* ---- faults along a `calls` chain ---- */

/* users -> a (8 workers, 1 ms) which calls b (4 workers, 35 ms) holding its worker; a request
 * every 10 ms from 10 ms, so a's call for the request of t reaches b at t + 1 and the reply
 * comes back at t + 36 ms. b is down over (30002, 40002] ms:
 *   calls b held at the crash (arrived 29971 ... 30001: 4) are lost; a's call_timeout (200 ms)
 *     fails those 4 requests and frees their workers;
 *   calls of the requests of 30010 ... 40000 (1000) are refused: each request fails at once;
 *   after the restart a serves again: requests of 40010 ... 59960 complete (1996), those of
 *     59970 ... 60000 (4) are in flight at the end; 2996 completed before the crash.
 * a needs at most 4 + 4 workers, so nothing waits. Busy worker-time of a: 36 ms for each of the
 * 4992 completed, 1 ms for each refused one (the refusal comes back at once), 201 ms for each
 * of the 4 whose call timed out, and 30 + 20 + 10 + 0 ms for the 4 in flight at the end. */
static const char chain[] = "duration: 60s\n"
                            "nodes:\n"
                            "  users: {kind: client, target: a, arrival: 10ms, timeout: 1s}\n"
                            "  a: {kind: service, workers: 8, service: 1ms, calls: [b]%s}\n"
                            "  b: {kind: service, workers: 4, service: 35ms}\n"
                            "faults:\n"
                            "  - {at: 30.002s, crash: b, duration: 10s}\n";

static cJSON *run_chain(const char *a_extra) {
    char yaml[sizeof chain + 64];
    snprintf(yaml, sizeof yaml, chain, a_extra);
    return t_run(yaml, 1);
}

Test(faults, crash_of_callee_fails_callers_requests) {
    cJSON *doc = run_chain(", call_timeout: 200ms");
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.issued"), 6000);
    cr_expect_eq(t_int(doc, "requests.failed"), 1000 + 4);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 0);
    cr_expect_eq(t_int(doc, "requests.completed"), 2996 + 1996);
    cr_expect_eq(t_int(doc, "nodes.a.failed"), 1000 + 4);
    cr_expect_eq(t_int(doc, "nodes.a.calls_timed_out"), 4);
    cr_expect_eq(t_int(doc, "nodes.a.completed"), 2996 + 1996);
    cr_expect_eq(t_int(doc, "nodes.a.rejected"), 0);
    cr_expect_float_eq(t_num(doc, "nodes.a.wait_ms.mean"), 0, 1e-12);
    cr_expect_eq(t_int(doc, "nodes.b.completed"), 2996 + 1996);
    cr_expect_eq(t_int(doc, "network.refused"), 1000);
    double busy_ms = 4992 * 36.0 + 1000 * 1.0 + 4 * 201.0 + 60;
    cr_expect_float_eq(t_num(doc, "nodes.a.utilization"), busy_ms / (8 * 60000.0), 1e-9);
    cJSON_Delete(doc);
}

/* Without call_timeout the 4 calls lost in b's crash hold their workers of a for good
 * (docs/topology.md, service: the caller waits forever) and the client times those 4 out; refused calls still release their
 * worker at once, and a keeps serving with its other 4 workers. */
Test(faults, crash_of_callee_without_call_timeout) {
    cJSON *doc = run_chain("");
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "requests.failed"), 1000);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 4);
    cr_expect_eq(t_int(doc, "requests.completed"), 2996 + 1996);
    cr_expect_eq(t_int(doc, "nodes.a.failed"), 1000);
    cr_expect_float_eq(t_num(doc, "nodes.a.wait_ms.mean"), 0, 1e-12);
    /* Busy worker-time as above, but the 4 pinned workers are busy from their start (29970 ...
     * 30000 ms) to the end. */
    double busy_ms = 4992 * 36.0 + 1000 * 1.0 + (4 * 60000.0 - 119940) + 60;
    cr_expect_float_eq(t_num(doc, "nodes.a.utilization"), busy_ms / (8 * 60000.0), 1e-9);
    cJSON_Delete(doc);
}

/* ---- crash frees what it holds ---- */

/* Poisson 1000/s floods web (one worker, 100 ms each, 500 places): its room is full from about
 * 0.6 s on, and full just before the crash at 2.5 s (a completion at ~2.4 s leaves a place
 * that stays free only if nothing arrives for ~0.1 s: probability e^-100). So just before the
 * crash the pool holds exactly the 501 requests web has; right after, none (with zero latency
 * nothing else holds a request between events). The engine frees its pool wholesale, so the
 * sanitizers cannot see a request dropped on the floor: count them.
 * After the restart at 3.5 s web fills up and serves again: completions at a + 100 ms k from its
 * first arrival a (just after 2.5 s and 3.5 s, within 0.1 s with probability 1 - e^-100): 24
 * before the crash, 14 after the restart. No timeout: the 501 it dropped and the 501 it holds at
 * the end are in flight; the requests issued while it was down fail. */
Test(faults, crash_frees_every_request) {
    static const char yaml[] = "duration: 5s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 1000/s}\n"
                               "  web: {kind: service, queue: 500, service: 100ms}\n"
                               "faults:\n"
                               "  - {at: 2.5s, crash: web, duration: 1s}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 21);
    cr_assert(e);
    cr_assert_eq(sim_engine_run_until(e, 2500000000 - 1), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 501, "before the crash: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run_until(e, 2500000000), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 0, "after the crash: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run_until(e, 3500000000), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 0, "while down: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run(e), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 501, "at the end: %zu requests live", sim_engine_memory_use(e).held);
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.web.completed"), 24 + 14);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 501 + 501);
    cr_expect_eq(t_int(doc, "requests.timed_out"), 0);
    cr_expect_eq(t_int(doc, "requests.failed"), t_int(doc, "network.refused"));
    t_expect_poisson("failed while down", t_num(doc, "requests.failed"), 1000 * 1.0);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* ---- determinism ---- */

/* Every fault kind on one timeline over Poisson traffic with network latency and loss. */
static const char everything[] = "duration: 100s\n"
                                 "warmup: 5s\n"
                                 "network:\n"
                                 "  latency: {dist: exponential, mean: 1ms}\n"
                                 "nodes:\n"
                                 "  users: {kind: client, target: api, rate: 200/s, timeout: 1s}\n"
                                 "  api: {kind: service, replicas: 2, workers: 8, queue: 100,\n"
                                 "        service: {dist: exponential, mean: 5ms}, calls: [db],\n"
                                 "        call_timeout: 500ms}\n"
                                 "  db: {kind: service, workers: 4,"
                                 " service: {dist: exponential, mean: 10ms}}\n"
                                 "faults:\n"
                                 "  - {at: 10s, crash: api.1, duration: 10s}\n"
                                 "  - {at: 30s, slow: db, factor: 4, duration: 10s}\n"
                                 "  - {at: 50s, partition: [[api.0], [db]], duration: 10s}\n"
                                 "  - {at: 70s, loss: 0.05, duration: 10s}\n"
                                 "  - {at: 85s, crash: users, duration: 5s}\n"
                                 "  - {at: 95s, loss: 0.1, from: users, to: api}\n";

Test(faults, same_seed_same_bytes) {
    char *a = t_run_text(everything, 7), *b = t_run_text(everything, 7);
    char *c = t_run_text(everything, 8);
    cr_expect_str_eq(a, b);
    cr_expect_str_neq(a, c);
    free(a);
    free(b);
    free(c);
}

Test(faults, log_lists_actions_in_time_order) {
    cJSON *doc = t_run(everything, 7);
    t_expect_accounting(doc);
    const want_fault log[] = {
        {10000, "crash", "api.1"},   {20000, "restart", "api.1"}, {30000, "slow", "db"},
        {40000, "slow_end", "db"},   {50000, "partition", NULL},  {60000, "heal", NULL},
        {70000, "loss", NULL},       {80000, "loss_end", NULL},   {85000, "crash", "users"},
        {90000, "restart", "users"}, {95000, "loss", NULL},
    };
    expect_fault_log(doc, log, (int)(sizeof log / sizeof *log));
    cr_expect_gt(t_int(doc, "requests.failed"), 0);
    cr_expect_gt(t_int(doc, "requests.timed_out"), 0);
    cr_expect_gt(t_int(doc, "network.lost"), 0);
    cr_expect_gt(t_int(doc, "network.partitioned"), 0);
    cr_expect_gt(t_int(doc, "network.refused"), 0);
    cJSON_Delete(doc);
}

/* ---- overlapping faults ---- */

/* Two slow faults overlap on web: x2 over [10.05, 30.05) s and x3 over [20.05, 40.05) s, so
 * service (constant 10 ms, one request every 100 ms, never queued) takes 20, 60, 30 ms in the
 * three windows: each fault's end removes only its own factor. */
Test(faults, overlapping_slow_faults_compound) {
    static const char yaml[] = "duration: 60.5s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, arrival: 100ms}\n"
                               "  web: {kind: service, service: 10ms}\n"
                               "faults:\n"
                               "  - {at: 10.05s, slow: web, factor: 2, duration: 20s}\n"
                               "  - {at: 20.05s, slow: web, factor: 3, duration: 20s}\n";
    double total_ms = 0;
    int n = 0;
    for (int k = 1; k < 605; k++, n++) { /* arrivals at k * 100 ms done by 60.5 s */
        double t = k * 0.1, factor = 1;
        if (t > 10.05 && t < 30.05)
            factor *= 2;
        if (t > 20.05 && t < 40.05)
            factor *= 3;
        total_ms += 10 * factor;
    }
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.web.completed"), n);
    cr_expect_float_eq(t_num(doc, "nodes.web.sojourn_ms.mean"), total_ms / n, 1e-9);
    cJSON_Delete(doc);
}

/* Two partitions overlap in time, [[u1], [a]] over [10.05, 30.05) s and [[u2], [b]] over
 * [20.05, 40.05) s: the second does not lift the first, and the first's heal leaves the
 * second in force. Each client sends every 100 ms, so 200 requests of each are cut. */
Test(faults, overlapping_partitions_each_last_their_time) {
    static const char yaml[] = "duration: 45s\n"
                               "nodes:\n"
                               "  u1: {kind: client, target: a, arrival: 100ms, timeout: 1s}\n"
                               "  u2: {kind: client, target: b, arrival: 100ms, timeout: 1s}\n"
                               "  a: {kind: service, service: 5ms}\n"
                               "  b: {kind: service, service: 5ms}\n"
                               "faults:\n"
                               "  - {at: 10.05s, partition: [[u1], [a]], duration: 20s}\n"
                               "  - {at: 20.05s, partition: [[u2], [b]], duration: 20s}\n";
    cJSON *doc = t_run(yaml, 1);
    t_expect_accounting(doc);
    cr_expect_eq(t_int(doc, "nodes.u1.timed_out"), 200);
    cr_expect_eq(t_int(doc, "nodes.u2.timed_out"), 200);
    cr_expect_eq(t_int(doc, "network.partitioned"), 400);
    cJSON_Delete(doc);
}

/* A loop with no delay after a crash (closed-loop users, no think time, no latency, a target
 * refusing at once) stops the run with an explanation instead of hanging: checked once, through
 * dsim, by budgets' a_zero_delay_loop_is_still_caught (the same topology; 2^24 events, 20 s
 * under ASan, too many to run twice). */

/* ---- scale: what the loader refuses, at the line and column of the key at fault ---- */

#define SCALE_YAML(fault)                                                                  \
    "duration: 10s\n"                                                                       \
    "nodes:\n"                                                                              \
    "  users: {kind: client, target: lb, rate: 10/s}\n"                                     \
    "  lb: {kind: load_balancer, backends: web}\n"                                          \
    "  web: {kind: service, replicas: 2, service: 1ms}\n"                                   \
    "faults:\n"                                                                             \
    "  - " fault "\n"

Test(faults, a_scale_without_workers_is_refused_at_the_fault) {
    const char *want[] = {"7:5", "'scale' needs 'workers'"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web}"), want, 2);
}

Test(faults, a_scale_to_a_count_that_is_no_whole_number_is_refused_at_workers) {
    const char *fraction[] = {"7:35", "workers", "whole number", "2.5"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web, workers: 2.5}"), fraction, 4);
    const char *word[] = {"7:35", "workers", "expected a number", "abc"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web, workers: abc}"), word, 4);
    const char *zero[] = {"7:35", "workers", "[1, 1e+06]"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web, workers: 0}"), zero, 3);
}

Test(faults, workers_or_downtime_on_another_action_is_refused_at_the_key) {
    const char *downtime[] = {"7:36", "'downtime' goes with 'scale'"};
    t_expect_refused(SCALE_YAML("{at: 1s, crash: web, downtime: 1s}"), downtime, 2);
    const char *workers[] = {"7:35", "'workers' goes with 'scale'"};
    t_expect_refused(SCALE_YAML("{at: 1s, crash: web, workers: 3}"), workers, 2);
}

Test(faults, a_scale_of_a_kind_without_workers_is_refused_at_the_action) {
    const char *want[] = {"7:21", "lb is a load_balancer, which has no workers to scale"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: lb, workers: 3}"), want, 2);
}

/* The undo reboots as the scale did: one that began before the first reboot ended would cut
 * it short (the node back at the first restart, with the configured count). */
Test(faults, a_scale_undone_before_its_reboot_ends_is_refused_at_duration) {
    const char *want[] = {"7:63", "'duration' (10s) must be longer than 'downtime' (10s)"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web, workers: 3, downtime: 10s, duration: 10s}"),
                     want, 2);
    const char *negative[] = {"7:48", "downtime", "non-negative"};
    t_expect_refused(SCALE_YAML("{at: 1s, scale: web, workers: 3, downtime: -1s}"), negative, 3);
}
