/* Warm-up accounting (docs/topology.md "warmup"): a request counts at every node by one rule, the time
 * its client issued the original request (req->issued, carried by calls and retries), so the
 * figures of adjacent nodes add up exactly, whatever the warm-up. A warm-up of 10.5 s cuts
 * through requests in flight at every hop (each one takes tens of ms over several hops).
 *
 * Oracle: conservation. Each client stops after a fixed number of requests, well before the
 * end, so nothing is in flight at the end; no node loses or creates requests (no faults, no
 * timeouts, queues unbounded), so each count below equals its neighbour's exactly:
 *   client issued = first hop's arrivals; a caller's calls = the callee's arrivals;
 *   a load balancer's requests = its backends' arrivals, per backend and in sum;
 *   and so on down the chain. Before the rule, a call counted by its own issue time, so a
 *   callee counted the calls made just after the warm-up for requests issued before it. */
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>

/* Runs yaml with seed and checks what every test here relies on: the accounting identity,
 * enough requests counted (*issued, after the warm-up), and none left in flight at the end
 * (the client's request cap lets the run drain), so adjacent counts must match exactly. */
static cJSON *run_drained(const char *yaml, uint64_t seed, long long *issued) {
    cJSON *doc = t_run(yaml, seed);
    t_expect_accounting(doc);
    *issued = t_int(doc, "nodes.users.issued");
    cr_expect_gt(*issued, 1000);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 0);
    return doc;
}

Test(warmup, a_callers_calls_are_its_callees_arrivals) {
    static const char yaml[] = "duration: 30s\n"
                               "warmup: 10.5s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: front, rate: 200/s,"
                               " requests: 4000}\n"
                               "  front: {kind: service, workers: 50, calls: [back],\n"
                               "          service: {dist: exponential, mean: 20ms}}\n"
                               "  back: {kind: service, workers: 50,\n"
                               "         service: {dist: exponential, mean: 5ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        long long issued;
        cJSON *doc = run_drained(yaml, seed, &issued);
        cr_expect_lt(issued, 4000, "the warm-up left nothing out");
        cr_expect_eq(t_int(doc, "nodes.front.arrivals"), issued);
        cr_expect_eq(t_int(doc, "nodes.front.calls"), t_int(doc, "nodes.back.arrivals"),
                     "seed %llu", (unsigned long long)seed);
        cr_expect_eq(t_int(doc, "nodes.back.completed"), t_int(doc, "nodes.back.arrivals"));
        cr_expect_eq(t_int(doc, "nodes.front.completed"), t_int(doc, "nodes.users.completed"));
        cJSON_Delete(doc);
    }
}

Test(warmup, a_load_balancers_requests_are_its_backends_arrivals) {
    /* The load balancer's own 10 ms delay holds requests across the warm-up's end too. */
    static const char yaml[] = "duration: 30s\n"
                               "warmup: 10.5s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, rate: 300/s,"
                               " requests: 6000}\n"
                               "  lb: {kind: load_balancer, backends: [web],"
                               " policy: least_connections, service: 10ms}\n"
                               "  web: {kind: service, replicas: 3, workers: 20,\n"
                               "        service: {dist: exponential, mean: 10ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        long long issued;
        cJSON *doc = run_drained(yaml, seed, &issued);
        cr_expect_eq(t_int(doc, "nodes.lb.requests"), issued);
        long long sum = 0;
        for (int b = 0; b < 3; b++) {
            char sent[64], got[64];
            snprintf(sent, sizeof sent, "nodes.lb.backends.web.%d.requests", b);
            snprintf(got, sizeof got, "nodes.web.%d.arrivals", b);
            cr_expect_eq(t_int(doc, sent), t_int(doc, got), "seed %llu: %s",
                         (unsigned long long)seed, got);
            sum += t_int(doc, got);
        }
        cr_expect_eq(t_int(doc, "nodes.lb.requests"), sum, "seed %llu",
                     (unsigned long long)seed);
        cJSON_Delete(doc);
    }
}

Test(warmup, every_hop_of_a_long_chain_counts_the_same_requests) {
    /* client -> rate limiter -> circuit breaker -> cache -> database (primary + replica,
     * writes reaching the replica are forwarded). The limiter's limit is never reached and
     * the breaker never opens (nothing fails), so: client issued = limiter allowed = breaker
     * requests; breaker calls = cache requests; cache backend calls (misses + writes) = the
     * requests the cluster received = its arrivals less the forwarded ones (a forwarded
     * request arrives twice). */
    static const char yaml[] = "duration: 30s\n"
                               "warmup: 10.5s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: limiter, rate: 300/s,"
                               " requests: 6000,\n"
                               "          ops: {read: 0.7, write: 0.3},"
                               " keys: {dist: uniform, n: 5000}}\n"
                               "  limiter: {kind: rate_limiter, backend: cb,"
                               " algorithm: fixed_window, limit: 100000, window: 1s}\n"
                               "  cb: {kind: circuit_breaker, backend: cache}\n"
                               "  cache: {kind: cache, backend: db, capacity: 1000,"
                               " service: 1ms}\n"
                               "  db: {kind: database, replicas: 2, read_from: any,\n"
                               "       service: {dist: exponential, mean: 5ms}}\n";
    for (uint64_t seed = 1; seed <= 3; seed++) {
        long long issued;
        cJSON *doc = run_drained(yaml, seed, &issued);
        cr_expect_eq(t_int(doc, "nodes.limiter.allowed"), issued);
        cr_expect_eq(t_int(doc, "nodes.cb.requests"), issued);
        cr_expect_eq(t_int(doc, "nodes.cb.calls"), t_int(doc, "nodes.cache.requests"),
                     "seed %llu", (unsigned long long)seed);
        long long got = 0;
        for (int i = 0; i < 2; i++) {
            char a[64], f[64];
            snprintf(a, sizeof a, "nodes.db.%d.arrivals", i);
            snprintf(f, sizeof f, "nodes.db.%d.forwarded", i);
            got += t_int(doc, a) - t_int(doc, f);
        }
        cr_expect_eq(t_int(doc, "nodes.cache.backend_calls"), got, "seed %llu",
                     (unsigned long long)seed);
        cJSON_Delete(doc);
    }
}
