/* The network (sim/net.c, docs/network.md and docs/faults.md, contract §4 and §5): serialization
 * on bandwidth-limited links and interfaces, FIFO queueing behind a big transfer, duplicate,
 * reorder and loss rates, latency faults applied and undone, link lookup among many links,
 * per-sender random streams, and the loader's new keys with their errors.
 *
 * sim_net_route is called directly on a loaded topology with sizes given in bytes, so the
 * deterministic expectations are exact nanoseconds worked out by hand in each test. Rates are
 * checked with t_expect_binomial: a count of k successes among n independent trials of
 * probability p within mean n p +- 3.29 sd (two-sided 99.9%, normal approximation; every
 * n p (1 - p) here is above 1000). */
#include "support.h"

#include "net.h"
#include "rng.h"
#include "units.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define US 1000LL
#define MS 1000000LL

/* Nodes a, b, c, web (4 replicas) and db, indices 0, 1, 2, 3..6, 7. */
#define NODES                                                                                      \
    "duration: 10s\n"                                                                              \
    "nodes:\n"                                                                                     \
    "  a: {kind: service, service: 1ms}\n"                                                         \
    "  b: {kind: service, service: 1ms}\n"                                                         \
    "  c: {kind: service, service: 1ms}\n"                                                         \
    "  web: {kind: service, service: 1ms, replicas: 4}\n"                                          \
    "  db: {kind: service, service: 1ms}\n"
enum { A, B, C, WEB0, WEB1, WEB2, WEB3, DB };

typedef struct fixture {
    sim_topology *t;
    sim_net net;
} fixture;

static void setup(fixture *f, const char *yaml, uint64_t seed) {
    f->t = t_load(yaml, NULL, 0, NULL);
    cr_assert_not_null(f->t, "does not load: %s", yaml);
    cr_assert_eq(sim_net_init(&f->net, f->t, seed), 0);
}

static void teardown(fixture *f) {
    sim_net_destroy(&f->net);
    sim_topology_free(f->t);
}

/* The arrival of the one copy of a message that must arrive. */
static sim_time one(fixture *f, uint32_t src, uint32_t dst, uint32_t bytes, sim_time now) {
    sim_time at[2];
    int copies = sim_net_route(&f->net, src, dst, bytes, now, at);
    cr_assert_eq(copies, 1, "%u -> %u at %lld: %d copies", src, dst, (long long)now, copies);
    return at[0];
}

/* ---- bandwidth ---- */

/* 1250 bytes = 10,000 bits: 1 ms at 10 Mbit/s, 125 us at 10 MB/s (80 Mbit/s); the latency
 * (2 ms constant) comes on top. */
Test(network, serialization_delay_is_bits_over_bandwidth) {
    fixture f;
    setup(&f, NODES "network: {bandwidth: 10Mbps, latency: 2ms}\n", 1);
    cr_expect_eq(one(&f, A, B, 1250, 0), 3 * MS);
    cr_expect_eq(one(&f, A, B, 0, 10 * MS), 12 * MS, "no bytes: the latency alone");
    teardown(&f);
    setup(&f, NODES "network: {bandwidth: 10MB/s}\n", 1);
    cr_expect_eq(one(&f, A, B, 1250, 0), 125 * US);
    cr_expect_eq(one(&f, A, B, 1, 1 * MS), 1 * MS + 100, "8 bits at 80 Mbit/s: 100 ns");
    teardown(&f);
    setup(&f, NODES "network: {bandwidth: 1Gbps, links: [{from: a, to: b, bandwidth: 1Mbps}]}\n",
          1);
    cr_expect_eq(one(&f, A, B, 125, 0), 1 * MS, "the link's own bandwidth: 1000 bits at 1 Mbit/s");
    cr_expect_eq(one(&f, A, C, 125, 0), 1 * US, "the network's: 1000 bits at 1 Gbit/s");
    teardown(&f);
}

/* One link sends one message at a time: two 1 ms messages sent at 0 arrive at 1 and 2 ms; a
 * message of no bytes sent at 0 waits behind them (2 ms); the other direction is a link of its
 * own (1 ms); after the link went idle a message goes at once (5 ms -> 6 ms). */
Test(network, back_to_back_messages_queue_in_order) {
    fixture f;
    setup(&f, NODES "network: {bandwidth: 10Mbps}\n", 1);
    cr_expect_eq(one(&f, A, B, 1250, 0), 1 * MS);
    cr_expect_eq(one(&f, A, B, 1250, 0), 2 * MS);
    cr_expect_eq(one(&f, A, B, 0, 0), 2 * MS);
    cr_expect_eq(one(&f, B, A, 1250, 0), 1 * MS);
    cr_expect_eq(one(&f, A, C, 1250, 0), 1 * MS, "a -> c is another link");
    cr_expect_eq(one(&f, A, B, 1250, 5 * MS), 6 * MS);
    teardown(&f);
}

/* A 125,000-byte transfer takes 100 ms at 10 Mbit/s; a 125-byte message sent 1 ms later
 * starts when it ends and takes 100 us more. */
Test(network, a_big_transfer_delays_the_small_ones_behind_it) {
    fixture f;
    setup(&f, NODES "network: {bandwidth: 10Mbps, latency: 1ms}\n", 1);
    cr_expect_eq(one(&f, A, B, 125000, 0), 101 * MS);
    cr_expect_eq(one(&f, A, B, 125, 1 * MS), 100 * MS + 100 * US + 1 * MS);
    teardown(&f);
}

/* An interface is shared by every link of its node, each direction apart: a's two messages to
 * b and c leave one after the other (1, 2 ms), and so do b's and c's into a. */
Test(network, an_interface_is_shared_by_the_links_of_its_node) {
    fixture f;
    setup(&f, NODES "network: {interfaces: [{node: a, bandwidth: 10Mbps}]}\n", 1);
    cr_expect_eq(one(&f, A, B, 1250, 0), 1 * MS);
    cr_expect_eq(one(&f, A, C, 1250, 0), 2 * MS);
    cr_expect_eq(one(&f, B, A, 1250, 0), 1 * MS, "into a: the other direction");
    cr_expect_eq(one(&f, C, A, 1250, 0), 2 * MS);
    cr_expect_eq(one(&f, B, C, 1250, 0), 0, "no interface and no bandwidth between b and c");
    teardown(&f);
}

/* Stages pipeline: alone, a message takes its time on the slowest stage, not the sum (a's
 * 100 Mbit/s interface, a 10 Mbit/s link, b's 100 Mbit/s interface: 1 ms for 1250 bytes, plus
 * the 1 ms latency). Later entries override earlier ones: web.2 has 1 Mbit/s, the rest of web
 * 1 Gbit/s. */
Test(network, a_lone_message_takes_the_time_of_its_slowest_stage) {
    fixture f;
    setup(&f,
          NODES "network:\n"
                "  latency: 1ms\n"
                "  links: [{from: a, to: b, bandwidth: 10Mbps}]\n"
                "  interfaces: [{node: a, bandwidth: 100Mbps}, {node: b, bandwidth: 100Mbps},\n"
                "               {node: web, bandwidth: 1Gbps}, {node: web.2, bandwidth: 1Mbps}]\n",
          1);
    cr_expect_eq(one(&f, A, B, 1250, 0), 2 * MS);
    cr_expect_eq(one(&f, WEB1, C, 125, 0), 1 * MS + 1 * US);
    cr_expect_eq(one(&f, WEB2, C, 125, 0), 2 * MS);
    teardown(&f);
}

/* Unlimited (the default) keeps the fast path and no state per link; sizes of 0 bytes leave
 * even a bandwidth-limited network without any state. */
Test(network, unlimited_bandwidth_keeps_no_state) {
    fixture f;
    setup(&f, NODES "network: {bandwidth: unlimited, latency: 1ms}\n", 1);
    cr_expect(f.net.simple);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(one(&f, A, B, 1000000, 0), 1 * MS);
    cr_expect_eq(f.net.busy.cap, 0);
    cr_expect_null(f.net.ifaces);
    teardown(&f);
    setup(&f, NODES "network: {bandwidth: 1Mbps}\n", 1);
    for (int i = 0; i < 100; i++)
        one(&f, A, B, 0, 0);
    cr_expect_eq(f.net.busy.count, 0);
    teardown(&f);
}

/* Idle links are dropped when the table fills: 10,000 links used once each, 1 ms apart, each
 * busy for 1 us, never hold more than a handful of entries. */
Test(network, idle_links_are_forgotten) {
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "duration: 10s\nnodes:\n  n: {kind: service, service: 1ms, replicas: 10000}\n"
             "network: {bandwidth: 1Gbps}\n");
    fixture f;
    setup(&f, yaml, 1);
    for (uint32_t i = 0; i < 10000; i++)
        cr_assert_eq(one(&f, i, (i + 1) % 10000, 125, i * MS), i * MS + 1 * US);
    cr_expect_leq(f.net.busy.cap, 64, "%zu slots", f.net.busy.cap);
    teardown(&f);
}

/* ---- duplicate, reorder, loss ---- */

#define DRAWS 100000

Test(network, duplicates_at_the_given_rate_with_their_own_latency) {
    fixture f;
    setup(&f, NODES "network: {duplicate: 0.2, latency: {dist: exponential, mean: 1ms}}\n", 1);
    int twice = 0, apart = 0;
    for (int i = 0; i < DRAWS; i++) {
        sim_time at[2];
        int copies = sim_net_route(&f.net, A, B, 0, 0, at);
        cr_assert(copies == 1 || copies == 2);
        if (copies == 2) {
            twice++;
            apart += at[0] != at[1];
        }
    }
    t_expect_binomial("duplicated", twice, DRAWS, 0.2);
    cr_expect_eq(f.net.duplicated, (uint64_t)twice);
    /* Two exponential draws of mean 1 ms rounded to ns are equal with probability about
     * 1 / (2 x 10^6): 0.01 such pairs expected among the ~20,000, 3 or more ~2e-7. */
    cr_expect_geq(apart, twice - 2, "each copy draws its own latency");
    teardown(&f);
}

Test(network, loss_at_the_given_rate) {
    fixture f;
    setup(&f, NODES "network: {loss: 0.1, links: [{from: a, to: c, loss: 0.5}]}\n", 1);
    int lost = 0, lost_c = 0;
    for (int i = 0; i < DRAWS; i++) {
        sim_time at[2];
        lost += sim_net_route(&f.net, A, B, 0, 0, at) == 0;
        lost_c += sim_net_route(&f.net, C, A, 0, 0, at) == 0;
    }
    t_expect_binomial("lost", lost, DRAWS, 0.1);
    t_expect_binomial("lost on the link", lost_c, DRAWS, 0.5);
    cr_expect_eq(f.net.lost, (uint64_t)(lost + lost_c));
    teardown(&f);
}

/* Reordering holds a copy back by its delay (5 ms constant, latency 0): that copy arrives at 5
 * ms, the others at once, so a later message overtakes it. */
Test(network, reorder_holds_messages_back_at_the_given_rate) {
    fixture f;
    setup(&f, NODES "network: {reorder: {p: 0.3, delay: 5ms}}\n", 1);
    int held = 0;
    for (int i = 0; i < DRAWS; i++) {
        sim_time at = one(&f, A, B, 0, 0);
        cr_assert(at == 0 || at == 5 * MS, "%lld", (long long)at);
        held += at == 5 * MS;
    }
    t_expect_binomial("held back", held, DRAWS, 0.3);
    cr_expect_eq(f.net.reordered, (uint64_t)held);
    teardown(&f);
}

/* ---- latency faults ---- */

/* Base latency 1 ms. Fault 0 adds 20 ms on the link a-b (both directions), fault 1 adds 30 ms
 * on node c (to and from it; a message between two such nodes would get it at both ends),
 * fault 2 adds 4 ms everywhere, fault 3 another 5 ms on a-b; each end removes only its own. */
Test(network, latency_faults_apply_and_undo) {
    fixture f;
    setup(&f,
          NODES "network: {latency: 1ms}\n"
                "faults:\n"
                "  - {at: 1s, latency: {add: 20ms}, from: a, to: b}\n"
                "  - {at: 1s, latency: {add: 30ms}, node: c}\n"
                "  - {at: 1s, latency: {add: 4ms}}\n"
                "  - {at: 1s, latency: {add: 5ms}, from: b, to: a}\n",
          1);
    const sim_fault *fl = f.t->faults;
    cr_assert_eq(f.t->nfaults, 4);
    cr_expect_eq(fl[1].kind, SIM_FAULT_LATENCY);
    cr_assert_eq(sim_net_fault_start(&f.net, &fl[0]), 0);
    cr_expect_eq(one(&f, A, B, 0, 0), 21 * MS);
    cr_expect_eq(one(&f, B, A, 0, 0), 21 * MS);
    cr_expect_eq(one(&f, A, C, 0, 0), 1 * MS, "not on the link");
    cr_assert_eq(sim_net_fault_start(&f.net, &fl[1]), 0);
    cr_expect_eq(one(&f, A, C, 0, 0), 31 * MS);
    cr_expect_eq(one(&f, C, B, 0, 0), 31 * MS);
    cr_expect_eq(one(&f, C, C, 0, 0), 61 * MS, "from c and to c");
    cr_assert_eq(sim_net_fault_start(&f.net, &fl[2]), 0);
    cr_assert_eq(sim_net_fault_start(&f.net, &fl[3]), 0);
    cr_expect_eq(one(&f, A, B, 0, 0), 30 * MS, "1 + 20 + 4 + 5");
    cr_expect_eq(one(&f, WEB0, DB, 0, 0), 5 * MS);
    sim_net_fault_end(&f.net, &fl[0]);
    cr_expect_eq(one(&f, B, A, 0, 0), 10 * MS, "1 + 4 + 5");
    sim_net_fault_end(&f.net, &fl[2]);
    cr_expect_eq(one(&f, A, C, 0, 0), 31 * MS);
    sim_net_fault_end(&f.net, &fl[1]);
    sim_net_fault_end(&f.net, &fl[3]);
    cr_expect_eq(one(&f, A, B, 0, 0), 1 * MS);
    cr_expect_eq(one(&f, C, A, 0, 0), 1 * MS);
    cr_expect(f.net.simple, "every fault over: the fast path again");
    teardown(&f);
}

/* A link fault whose two ends overlap (web and web.1) applies once to a message it matches in
 * both directions (web.1 to itself). */
Test(network, a_link_fault_applies_once_per_message) {
    fixture f;
    setup(&f,
          NODES "faults:\n"
                "  - {at: 1s, latency: {add: 7ms}, from: web, to: web.1}\n",
          1);
    cr_assert_eq(sim_net_fault_start(&f.net, &f.t->faults[0]), 0);
    cr_expect_eq(one(&f, WEB1, WEB1, 0, 0), 7 * MS);
    cr_expect_eq(one(&f, WEB0, WEB1, 0, 0), 7 * MS);
    cr_expect_eq(one(&f, WEB1, WEB3, 0, 0), 7 * MS);
    cr_expect_eq(one(&f, WEB0, WEB2, 0, 0), 0);
    sim_net_fault_end(&f.net, &f.t->faults[0]);
    cr_expect_eq(one(&f, WEB1, WEB1, 0, 0), 0);
    teardown(&f);
}

/* A latency fault in a run: the document logs it, and a request crossing it both ways takes
 * the added delay twice (no other latency: 1 ms of service plus 2 x 50 ms). */
Test(network, latency_fault_in_a_run) {
    cJSON *doc = t_run("duration: 3s\n"
                       "nodes:\n"
                       "  users: {kind: client, target: web, arrival: 100ms}\n"
                       "  web: {kind: service, service: 1ms}\n"
                       "faults:\n"
                       "  - {at: 1s, latency: {add: 50ms}, node: web, duration: 1s}\n",
                       1);
    const cJSON *log = t_at(doc, "faults");
    cr_assert_eq(cJSON_GetArraySize(log), 2);
    const cJSON *start = cJSON_GetArrayItem(log, 0), *end = cJSON_GetArrayItem(log, 1);
    cr_expect_str_eq(t_str(start, "action"), "latency");
    cr_expect_float_eq(t_num(start, "add_ms"), 50, 1e-9);
    cr_expect_str_eq(t_str(start, "scope"), "node");
    cr_expect_str_eq(t_str(start, "node"), "web");
    cr_expect_str_eq(t_str(end, "action"), "latency_end");
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 101, 101 * 0.01,
                       "within the histograms' 1%%");
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.p50"), 1, 0.01);
    cJSON_Delete(doc);
}

/* A run with every network feature: duplicates are delivered and handled (the service sees
 * more arrivals than requests were issued; the client takes the first reply of each request,
 * so its accounting identity still holds exactly), the counters show in the document, and the
 * same seed gives the same bytes. */
#define EVERYTHING                                                                                 \
    "duration: 20s\n"                                                                              \
    "network:\n"                                                                                   \
    "  latency: {dist: exponential, mean: 1ms}\n"                                                  \
    "  duplicate: 0.3\n"                                                                           \
    "  reorder: {p: 0.2, delay: {dist: exponential, mean: 5ms}}\n"                                 \
    "  bandwidth: 100Mbps\n"                                                                       \
    "  interfaces: [{node: web, bandwidth: 1Gbps}]\n"                                              \
    "nodes:\n"                                                                                     \
    "  users: {kind: client, target: web, rate: 100/s, timeout: 1s}\n"                             \
    "  web: {kind: service, service: {dist: exponential, mean: 5ms}, workers: 2}\n"                \
    "faults:\n"                                                                                    \
    "  - {at: 5s, latency: {add: 20ms}, node: web, duration: 2s}\n"                                \
    "  - {at: 8s, latency: {add: 5ms}, from: users, to: web, duration: 2s}\n"                      \
    "  - {at: 11s, loss: 0.1, duration: 2s}\n"

Test(network, every_feature_in_a_run) {
    cJSON *doc = t_run(EVERYTHING, 3);
    t_expect_accounting(doc);
    double sent = (double)t_int(doc, "network.messages");
    cr_expect_gt(t_int(doc, "network.duplicated"), 0);
    cr_expect_gt(t_int(doc, "network.reordered"), 0);
    cr_expect_gt(t_int(doc, "network.lost"), 0);
    /* Requests and replies are 256 bytes on the wire by default (protocols/request.c), and
     * every message sent here is one of them. */
    cr_expect_eq(t_int(doc, "network.bytes"), 256 * t_int(doc, "network.messages"));
    cr_expect_gt(t_int(doc, "nodes.web.arrivals"), t_int(doc, "nodes.users.issued"));
    cr_expect_lt(t_int(doc, "network.duplicated"), sent);
    cJSON_Delete(doc);
    char *a = t_run_text(EVERYTHING, 3), *b = t_run_text(EVERYTHING, 3);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

/* ---- link lookup ---- */

/* 300 groups n0..n299 and a link between each n_i and n_(i+1) of latency (i + 1) us: each
 * message finds its own link, either way; pairs without one take the network's (1 ms). */
Test(network, link_lookup_finds_the_right_link_among_many) {
    size_t cap = 64 * 1024, len = 0;
    char *yaml = malloc(cap);
    cr_assert_not_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len, "duration: 1s\nnodes:\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(yaml + len, cap - len, "  n%d: {kind: service, service: 1ms}\n", i);
    len += (size_t)snprintf(yaml + len, cap - len, "network:\n  latency: 1ms\n  links:\n");
    for (int i = 0; i + 1 < 300; i++)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "    - {from: n%d, to: n%d, latency: %dus}\n", i, i + 1, i + 1);
    cr_assert_lt(len, cap);
    fixture f;
    setup(&f, yaml, 1);
    free(yaml);
    for (uint32_t i = 0; i + 1 < 300; i++) {
        cr_expect_eq(one(&f, i, i + 1, 0, 0), (sim_time)(i + 1) * US);
        cr_expect_eq(one(&f, i + 1, i, 0, 0), (sim_time)(i + 1) * US);
    }
    cr_expect_eq(one(&f, 0, 2, 0, 0), 1 * MS);
    cr_expect_eq(one(&f, 299, 299, 0, 0), 1 * MS);
    teardown(&f);
}

/* The first matching link wins, whether it names the group or the instance. */
Test(network, the_first_matching_link_wins) {
    fixture f;
    setup(&f,
          NODES "network: {links: [{from: web, to: db, latency: 1ms}, "
                "{from: web.2, to: db, latency: 5ms}]}\n",
          1);
    cr_expect_eq(one(&f, WEB2, DB, 0, 0), 1 * MS);
    teardown(&f);
    setup(&f,
          NODES "network: {links: [{from: db, to: web.2, latency: 5ms}, "
                "{from: web, to: db, latency: 1ms}]}\n",
          1);
    cr_expect_eq(one(&f, WEB2, DB, 0, 0), 5 * MS);
    cr_expect_eq(one(&f, DB, WEB2, 0, 0), 5 * MS);
    cr_expect_eq(one(&f, WEB1, DB, 0, 0), 1 * MS);
    cr_expect_eq(one(&f, WEB1, WEB2, 0, 0), 0);
    teardown(&f);
}

/* ---- random streams ---- */

#define SEQ 1000

/* b's draws are the same whether or not c sends in between, and whether or not the topology
 * has other nodes (common random numbers); they differ from c's and with the seed. */
Test(network, each_sender_has_its_own_stream) {
    static const char *lat = "network: {latency: {dist: exponential, mean: 1ms}, loss: 0.01}\n";
    char yaml[1024];
    static sim_time alone[SEQ], noisy[SEQ], other[SEQ], more[SEQ], reseeded[SEQ];
    fixture f;
    snprintf(yaml, sizeof yaml, NODES "%s", lat);
    /* The loss draw comes first: only messages that arrive are compared, by index. */
    setup(&f, yaml, 7);
    for (int i = 0; i < SEQ; i++) {
        sim_time at[2];
        alone[i] = sim_net_route(&f.net, B, A, 0, 0, at) ? at[0] : -1;
    }
    teardown(&f);
    setup(&f, yaml, 7);
    for (int i = 0; i < SEQ; i++) {
        sim_time at[2];
        for (int k = 0; k < 3; k++)
            sim_net_route(&f.net, C, A, 0, 0, at);
        noisy[i] = sim_net_route(&f.net, B, A, 0, 0, at) ? at[0] : -1;
        other[i] = sim_net_route(&f.net, C, A, 0, 0, at) ? at[0] : -1;
    }
    teardown(&f);
    snprintf(yaml, sizeof yaml,
             "duration: 10s\nnodes:\n  zz: {kind: service, service: 1ms, replicas: 5}\n"
             "  a: {kind: service, service: 1ms}\n  b: {kind: service, service: 1ms}\n%s",
             lat);
    setup(&f, yaml, 7);
    for (int i = 0; i < SEQ; i++) {
        sim_time at[2];
        more[i] = sim_net_route(&f.net, 6, 5, 0, 0, at) ? at[0] : -1; /* b -> a there */
    }
    teardown(&f);
    snprintf(yaml, sizeof yaml, NODES "%s", lat);
    setup(&f, yaml, 8);
    for (int i = 0; i < SEQ; i++) {
        sim_time at[2];
        reseeded[i] = sim_net_route(&f.net, B, A, 0, 0, at) ? at[0] : -1;
    }
    teardown(&f);
    int same_other = 0, same_seed = 0;
    for (int i = 0; i < SEQ; i++) {
        cr_assert_eq(noisy[i], alone[i], "draw %d", i);
        cr_assert_eq(more[i], alone[i], "draw %d", i);
        same_other += other[i] == alone[i];
        same_seed += reseeded[i] == alone[i];
    }
    cr_expect_lt(same_other, 20, "c's stream is not b's");
    cr_expect_lt(same_seed, 20, "another seed, other draws");
}

/* The small stream's doubles are uniform: the mean of 10^6 draws is within 3.29 sd of 1/2
 * (sd of the mean sqrt(1/12 / 10^6)), and none is outside [0, 1). */
Test(network, small_streams_draw_uniform_doubles) {
    sim_rng_cell cell;
    sim_rng_cell_seed(&cell, 12345);
    gsl_rng view = {sim_rng_cell_type, &cell};
    double sum = 0;
    for (int i = 0; i < 1000000; i++) {
        double u = gsl_rng_uniform(&view);
        cr_assert(u >= 0 && u < 1);
        sum += u;
    }
    t_expect_near("mean of U(0, 1)", sum / 1e6, 0.5, 0.2886751 / 1000);
    cr_expect_neq(cell.gamma % 2, 0, "gamma is odd");
}

/* ---- loader ---- */

static void refused(const char *yaml, const char *where, const char *what) {
    const char *want[] = {where, what};
    t_expect_refused(yaml, want, 2);
}

Test(network, loader_reads_the_new_keys) {
    sim_topology *t =
        t_load(NODES "network:\n"
                     "  bandwidth: 1Gbps\n"
                     "  duplicate: 0.01\n"
                     "  reorder: {p: 0.02, delay: {dist: exponential, mean: 1ms}}\n"
                     "  links: [{from: a, to: b, bandwidth: 10MB/s, duplicate: 0.5},\n"
                     "          {from: a, to: c, reorder: {p: 0, delay: 1ms}}]\n"
                     "  interfaces: [{node: web, bandwidth: 2.5Gbps}]\n"
                     "faults:\n"
                     "  - {at: 1s, latency: {add: 3ms}, node: db, duration: 1s}\n",
               NULL, 0, NULL);
    cr_assert_not_null(t);
    const sim_network *n = &t->net;
    cr_expect_float_eq(n->bandwidth, 1e9, 1e-6);
    cr_expect_float_eq(n->duplicate, 0.01, 1e-12);
    cr_expect_float_eq(n->reorder.p, 0.02, 1e-12);
    cr_expect_eq(n->reorder.delay.kind, SIM_DIST_EXPONENTIAL);
    cr_assert_eq(n->nlinks, 2);
    cr_expect_float_eq(n->links[0].bandwidth, 8e7, 1e-6);
    cr_expect_float_eq(n->links[0].duplicate, 0.5, 1e-12);
    cr_expect_lt(n->links[0].reorder.p, 0, "the network's");
    cr_expect_lt(n->links[1].bandwidth, 0, "the network's");
    cr_expect_lt(n->links[1].duplicate, 0, "the network's");
    cr_expect_eq(n->links[1].reorder.p, 0);
    cr_assert_eq(n->ninterfaces, 1);
    cr_expect_eq(n->interfaces[0].node.first, WEB0);
    cr_expect_eq(n->interfaces[0].node.count, 4);
    cr_expect_float_eq(n->interfaces[0].bandwidth, 2.5e9, 1e-6);
    cr_assert_eq(t->nfaults, 1);
    cr_expect_eq(t->faults[0].kind, SIM_FAULT_LATENCY);
    cr_expect_eq(t->faults[0].add, 3 * MS);
    cr_expect_eq(t->faults[0].node.first, DB);
    sim_topology_free(t);
}

Test(network, bandwidth_units) {
    static const struct {
        const char *text;
        double bps;
    } ok[] = {{"100Mbps", 1e8}, {"1Gbps", 1e9},    {"10MB/s", 8e7},
              {"1KiB/s", 8192}, {"2.5kbps", 2500}, {"1MiB/s", 8388608},
              {"1bps", 1},      {"unlimited", 0},  {"3e2B/s", 2400}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        double v = -1;
        cr_expect_null(sim_parse_bandwidth(ok[i].text, &v), "%s", ok[i].text);
        cr_expect_float_eq(v, ok[i].bps, 1e-9 * ok[i].bps + 1e-12, "%s", ok[i].text);
    }
    static const char *const bad[] = {"100",  "10Mbs",  "-5Mbps", "0Mbps",
                                      "Mbps", "1 Gbps", "inf",    "unlimitd"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double v = 42;
        cr_expect_not_null(sim_parse_bandwidth(bad[i], &v), "%s", bad[i]);
        cr_expect_eq(v, 42, "left untouched");
    }
}

/* Line 8 is the network's; columns are libyaml's marks + 1. */
Test(network, loader_errors_name_the_position) {
    refused(NODES "network: {bandwidth: 10Mbs}\n", "test.yaml:8:22:", "network: bandwidth");
    refused(NODES "network: {bandwidth: -5Mbps}\n", "test.yaml:8:22:", "bandwidth > 0");
    refused(NODES "network: {bandwidth: 100}\n", "test.yaml:8:22:", "bare number");
    refused(NODES "network: {duplicate: 1.5}\n", "test.yaml:8:22:", "probability in [0, 1]");
    refused(NODES "network: {reorder: 0.1}\n", "test.yaml:8:20:", "{p: P, delay: DIST}");
    refused(NODES "network: {reorder: {p: 2, delay: 1ms}}\n",
            "test.yaml:8:24:", "network: reorder: p");
    refused(NODES "network: {reorder: {p: 0.1}}\n", "test.yaml:8:20:", "needs both 'p'");
    refused(NODES "network: {reorder: {p: 0.1, delay: 1ms, jitter: 1}}\n",
            "test.yaml:8:41:", "unknown key 'jitter'");
    refused(NODES "network: {links: [{from: a, to: b, bandwidth: 1Xbps}]}\n",
            "test.yaml:8:47:", "network: links: bandwidth");
    refused(NODES "network: {links: [{from: a, to: b, duplicate: -0.1}]}\n",
            "test.yaml:8:47:", "probability");
    refused(NODES "network: {interfaces: [{node: a}]}\n",
            "test.yaml:8:24:", "needs 'node' and 'bandwidth'");
    refused(NODES "network: {interfaces: [{node: nope, bandwidth: 1Gbps}]}\n",
            "test.yaml:8:31:", "nope");
    refused(NODES "network: {interfaces: {node: a}}\n", "test.yaml:8:23:", "list");
}

/* Line 9 is the first fault's. */
Test(network, latency_fault_errors_name_the_position) {
    refused(NODES "faults:\n  - {at: 1s, latency: {add: 5}}\n", "test.yaml:9:29:", "bare number");
    refused(NODES "faults:\n  - {at: 1s, latency: 5ms}\n", "test.yaml:9:23:", "{add: D}");
    refused(NODES "faults:\n  - {at: 1s, latency: {}}\n", "test.yaml:9:23:", "needs 'add'");
    refused(NODES "faults:\n  - {at: 1s, latency: {add: 1ms, mul: 2}}\n",
            "test.yaml:9:34:", "unknown key 'mul'");
    refused(NODES "faults:\n  - {at: 1s, latency: {add: 1ms}, from: a}\n",
            "test.yaml:9:5:", "needs both 'from' and 'to'");
    refused(NODES "faults:\n  - {at: 1s, latency: {add: 1ms}, node: a, from: a, to: b}\n",
            "test.yaml:9:41:", "not both");
    refused(NODES "faults:\n  - {at: 1s, loss: 0.1, node: a}\n",
            "test.yaml:9:31:", "'node' goes with 'latency'");
    refused(NODES "faults:\n  - {at: 1s, crash: a, from: a, to: b}\n",
            "test.yaml:9:30:", "go with 'loss' or 'latency'");
    refused(NODES "faults:\n  - {at: 1s, latency: {add: 1ms}, node: nope}\n",
            "test.yaml:9:41:", "nope");
}

/* Sizes set per kind and per operation reach the network: one write of 125,000 bytes over a
 * 1 Mbps network takes exactly 1 s to serialize, its 1,250-byte reply 10 ms (service time 0,
 * no latency), so the client measures 1010 ms; reads are other sizes, and there are none. */
Test(network, request_and_reply_sizes_per_operation_cost_their_serialization) {
    static const char yaml[] = "duration: 5s\n"
                               "network: {bandwidth: 1Mbps}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, users: 1, requests: 1,\n"
                               "          ops: {read: 0, write: 1},\n"
                               "          request_bytes: {read: 1, write: 125kB}}\n"
                               "  web: {kind: service, service: 0s,\n"
                               "        reply_bytes: {read: 1MB, write: 1250}}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    cr_expect_eq(t_int(doc, "requests.completed"), 1);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 1010, 1010 * 0.01,
                       "within the histograms' 1%%");
    cr_expect_eq(t_int(doc, "network.bytes"), 125000 + 1250);
    cJSON_Delete(doc);
}

Test(network, a_size_without_a_unit_it_knows_is_refused_at_its_line) {
    static const char yaml[] = "duration: 1s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 1/s, request_bytes: 4kb}\n"
                               "  web: {kind: service, service: 1ms}\n";
    const char *want[] = {"3:64", "request_bytes", "KiB"};
    t_expect_refused(yaml, want, 3);
}

/* A reply passes a relay (a load balancer) and a circuit breaker at the size its maker gave
 * it: web's 125,000-byte reply takes 1 s on each of its three 1 Mbps hops back (web ->
 * cb -> lb -> users), the 1-byte request next to nothing: about 3 s in all. Were the relays to
 * answer at the default 256 bytes, the reply would take 1 s plus 4 ms. */
Test(network, a_reply_keeps_its_size_through_relays_and_breakers) {
    static const char yaml[] = "duration: 10s\n"
                               "network: {bandwidth: 1Mbps}\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, users: 1, requests: 1,\n"
                               "          request_bytes: 1}\n"
                               "  lb: {kind: load_balancer, backends: cb}\n"
                               "  cb: {kind: circuit_breaker, backend: web}\n"
                               "  web: {kind: service, service: 0s, reply_bytes: 125kB}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    cr_expect_eq(t_int(doc, "requests.completed"), 1);
    cr_expect_float_eq(t_num(doc, "requests.latency_ms.max"), 3000, 3000 * 0.01,
                       "three hops of 1 s each, within the histograms' 1%%");
    cJSON_Delete(doc);
}
