/* circuit_breaker and settings_store (docs/topology.md "circuit_breaker", "settings_store").
 *
 * Oracles:
 *   - Deterministic timelines: constant arrivals every 10 ms (at 10, 20, ... ms), constant
 *     service times, zero network latency (or a constant one), faults placed off the 10 ms
 *     grid so that no two events that matter share an instant. Every state change, count and
 *     duration follows by hand from the timeline written above each test and must match
 *     exactly (times to the nanosecond, as the report prints them in ms).
 *   - The cascade: a qualitative comparison with a wide margin (p99 and failures with breakers
 *     under a third of those without, on each of several seeds), as the issue asks; the two
 *     regimes differ by more than an order of magnitude, so the margin is not tuned.
 * Every run also checks each client's accounting identity
 *   issued = completed + rejected + timed_out + failed + in_flight,
 * and that of the document's "requests" block (summed over clients). */
#include "support.h"

#include "engine.h"


#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Expects the breaker's change log to be exactly the n (at_ms, to) pairs given. */
typedef struct want_change {
    double at_ms;
    const char *to;
} want_change;

static void expect_changes(const cJSON *doc, const char *node, const want_change *w, int n) {
    const cJSON *cb = cJSON_GetObjectItemCaseSensitive(t_get(doc, "nodes"), node);
    cr_assert(cb, "no node %s", node);
    const cJSON *log = t_get(cb, "changes");
    cr_assert_eq(cJSON_GetArraySize(log), n, "%s: %d state changes, expected %d", node,
                 cJSON_GetArraySize(log), n);
    for (int i = 0; i < n; i++) {
        const cJSON *c = cJSON_GetArrayItem(log, i);
        double at = t_get(c, "at_ms")->valuedouble;
        const char *to = t_get(c, "to")->valuestring;
        cr_expect(fabs(at - w[i].at_ms) < 1e-9 && strcmp(to, w[i].to) == 0,
                  "%s change %d: %s at %.6f ms, expected %s at %.6f ms", node, i, to, at,
                  w[i].to, w[i].at_ms);
    }
    cr_expect_eq(t_get(cb, "changes_omitted")->valuedouble, 0);
}

/* ---- the state machine on a crash timeline ----
 * users issue at 10, 20, ..., 3000 ms (300 requests); db serves 25 ms; db crashed over
 * [1007, 2007) ms. Breaker: last 10 outcomes, opens at >= 50% failures once 5 are in,
 * open 305 ms, 3 trials, calls time out after 103 ms.
 *   - calls 10..980 ms succeed (at +25 ms); 990 and 1000 are in service at the crash, lost,
 *     and time out at 1093 and 1103 (FAILED to the caller, after the breaker opened: they
 *     count in the totals only);
 *   - 1010..1050 are refused at once (FAILED): the 5th failure makes the last 10 outcomes
 *     5 good + 5 bad: open at 1050;
 *   - open 1050..1355: 1060..1350 short-circuited (30); half-open at 1355; the trial at 1360
 *     is refused: open again. Same at 1665/1670 and 1975/1980 (30 short-circuited each);
 *   - half-open at 2285, db is back: trials at 2290, 2300, 2310 answer at 2315, 2325, 2335;
 *     2320 and 2330 find the 3 trials taken: short-circuited; closed at 2335.
 * Totals: short-circuited 4 x 30 + 2 = 122; failures 5 + 2 + 3 = 10 (2 timed out); calls
 * 300 - 122 = 178; in flight at 3001 ms: 2980, 2990, 3000; successes 178 - 10 - 3 = 165.
 * Time: closed 1050 + (3001 - 2335) = 1716 ms; open 4 x 305 = 1220; half-open 5+5+5+50 = 65. */
static const char crash_timeline[] =
    "duration: 3.001s\n"
    "nodes:\n"
    "  users: {kind: client, target: cb, arrival: 10ms}\n"
    "  cb: {kind: circuit_breaker, backend: db, window_calls: 10, min_calls: 5,\n"
    "       failure_rate: 0.5, open_for: 305ms, half_open_calls: 3, timeout: 103ms}\n"
    "  db: {kind: service, workers: 10, service: 25ms}\n"
    "faults:\n"
    "  - {at: 1007ms, crash: db, duration: 1s}\n";

static const want_change crash_changes[] = {
    {1050, "open"}, {1355, "half_open"}, {1360, "open"},      {1665, "half_open"},
    {1670, "open"}, {1975, "half_open"}, {1980, "open"},      {2285, "half_open"},
    {2335, "closed"},
};

Test(circuit_breaker, state_machine_on_a_crash_timeline) {
    cJSON *doc = t_run(crash_timeline, 1);
    expect_changes(doc, "cb", crash_changes, 9);
    cr_expect_eq(t_int(doc, "nodes.cb.opens"), 4);
    cr_expect_eq(t_int(doc, "nodes.cb.requests"), 300);
    cr_expect_eq(t_int(doc, "nodes.cb.short_circuited"), 122);
    cr_expect_eq(t_int(doc, "nodes.cb.calls"), 178);
    cr_expect_eq(t_int(doc, "nodes.cb.failures"), 10);
    cr_expect_eq(t_int(doc, "nodes.cb.timed_out"), 2);
    cr_expect_eq(t_int(doc, "nodes.cb.successes"), 165);
    cr_expect_eq(t_int(doc, "nodes.cb.fallback_replies"), 0);
    cr_expect_eq(t_int(doc, "nodes.cb.late_replies"), 0);
    cr_expect_eq(t_num(doc, "nodes.cb.state_ms.closed"), 1716);
    cr_expect_eq(t_num(doc, "nodes.cb.state_ms.open"), 1220);
    cr_expect_eq(t_num(doc, "nodes.cb.state_ms.half_open"), 65);
    cr_expect_str_eq(t_get(t_get(t_get(doc, "nodes"), "cb"), "state")->valuestring, "closed");
    cr_expect_eq(t_int(doc, "nodes.users.completed"), 165);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 132);
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 3);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* The same timeline with a time-based window of 50 ms: the window at 1030 ms holds the
 * successes answered at 985, 995, 1005 and the failures at 1010, 1020, 1030 (older ones have
 * left it): 3 of 6 failed, 6 >= min_calls 5, so it opens at 1030, not 1050. */
Test(circuit_breaker, time_window_forgets_old_outcomes) {
    static const char yaml[] =
        "duration: 1.2s\n"
        "nodes:\n"
        "  users: {kind: client, target: cb, arrival: 10ms}\n"
        "  cb: {kind: circuit_breaker, backend: db, window: 50ms, min_calls: 5,\n"
        "       failure_rate: 0.5, open_for: 1s, timeout: 103ms}\n"
        "  db: {kind: service, workers: 10, service: 25ms}\n"
        "faults:\n"
        "  - {at: 1007ms, crash: db}\n";
    cJSON *doc = t_run(yaml, 1);
    static const want_change w[] = {{1030, "open"}};
    expect_changes(doc, "cb", w, 1);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* min_calls: db is down from 5 ms, every call fails at once; with a 10 s window nothing is
 * decided before the 7th outcome (the call at 70 ms), which opens the breaker at 70 ms. */
Test(circuit_breaker, no_decision_before_min_calls) {
    static const char yaml[] =
        "duration: 500ms\n"
        "nodes:\n"
        "  users: {kind: client, target: cb, arrival: 10ms}\n"
        "  cb: {kind: circuit_breaker, backend: db, min_calls: 7, open_for: 1s}\n"
        "  db: {kind: service, service: 1ms}\n"
        "faults:\n"
        "  - {at: 5ms, crash: db}\n";
    cJSON *doc = t_run(yaml, 1);
    static const want_change w[] = {{70, "open"}};
    expect_changes(doc, "cb", w, 1);
    cr_expect_eq(t_int(doc, "nodes.cb.failures"), 7);
    cr_expect_eq(t_int(doc, "nodes.cb.short_circuited"), 50 - 7); /* 80 .. 500 ms */
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* Slow calls: db serves 10 ms, 4.5x slower (45 ms) from 1005 ms; calls over 30 ms are slow;
 * open at 50% slow of the last 10. Calls sent at 1010..1050 are the first slow ones and
 * answer at 1055..1095: at 1095 the last 10 outcomes hold 5 slow: open at 1095. Calls sent
 * at 1060..1090 answer slow after that (totals only): slow = 9. Sent: 10..1090 (109 calls);
 * 1100..1190 short-circuited (10). Nothing failed. */
Test(circuit_breaker, slow_call_rate_opens) {
    static const char yaml[] =
        "duration: 1.199s\n"
        "nodes:\n"
        "  users: {kind: client, target: cb, arrival: 10ms}\n"
        "  cb: {kind: circuit_breaker, backend: db, window_calls: 10, slow_call: 30ms,\n"
        "       slow_rate: 0.5, open_for: 1s}\n"
        "  db: {kind: service, workers: 10, service: 10ms}\n"
        "faults:\n"
        "  - {at: 1005ms, slow: db, factor: 4.5}\n";
    cJSON *doc = t_run(yaml, 1);
    static const want_change w[] = {{1095, "open"}};
    expect_changes(doc, "cb", w, 1);
    cr_expect_eq(t_int(doc, "nodes.cb.slow"), 9);
    cr_expect_eq(t_int(doc, "nodes.cb.failures"), 0);
    cr_expect_eq(t_int(doc, "nodes.cb.calls"), 109);
    cr_expect_eq(t_int(doc, "nodes.cb.short_circuited"), 10);
    cr_expect_eq(t_int(doc, "nodes.cb.successes"), 109);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* fallback: default on the crash timeline: the 122 short-circuited requests are answered OK
 * (at once: zero latency), so the client completes 165 + 122 and fails only the 10 calls
 * that reached the crashed db or timed out. */
Test(circuit_breaker, fallback_default_answers_ok_while_open) {
    const char *sets[] = {"nodes.cb.fallback=default"};
    cJSON *doc = t_run_with(crash_timeline, 1, sets, 1);
    expect_changes(doc, "cb", crash_changes, 9);
    cr_expect_eq(t_int(doc, "nodes.cb.short_circuited"), 122);
    cr_expect_eq(t_int(doc, "nodes.cb.fallback_replies"), 122);
    cr_expect_eq(t_int(doc, "nodes.users.completed"), 165 + 122);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 10);
    cr_expect_eq(t_num(doc, "nodes.users.latency_ms.max"), 25);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* Timeout: front serves 1 ms then calls the breaker; db takes 50 ms; the breaker gives up
 * after 20 ms, so each request fails at exactly 1 + 20 = 21 ms after it arrived at front
 * (front's sojourn). The breaker never opens (min_calls above the 100 calls). db's replies
 * come 30 ms late and are dropped: all but the last (sent at 10001 ms, answered after the
 * end). With a 60 ms timeout every call succeeds in 1 + 50 ms (the last one after the end). */
Test(circuit_breaker, timeout_fails_calls_at_exactly_the_timeout) {
    static const char yaml[] =
        "duration: 10.05s\n"
        "nodes:\n"
        "  users: {kind: client, target: front, arrival: 100ms}\n"
        "  front: {kind: service, workers: 4, service: 1ms, calls: [cb]}\n"
        "  cb: {kind: circuit_breaker, backend: db, timeout: 20ms, min_calls: 1000}\n"
        "  db: {kind: service, workers: 4, service: 50ms}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_expect_eq(t_int(doc, "nodes.users.issued"), 100);
    cr_expect_eq(t_int(doc, "nodes.users.failed"), 100);
    cr_expect_eq(t_int(doc, "nodes.cb.timed_out"), 100);
    cr_expect_eq(t_int(doc, "nodes.cb.failures"), 100);
    cr_expect_eq(t_int(doc, "nodes.cb.late_replies"), 99);
    cr_expect_eq(t_int(doc, "nodes.cb.opens"), 0);
    cr_expect_eq(t_num(doc, "nodes.front.sojourn_ms.mean"), 21);
    t_expect_accounting(doc);
    cJSON_Delete(doc);

    const char *sets[] = {"nodes.cb.timeout=60ms"};
    doc = t_run_with(yaml, 1, sets, 1);
    cr_expect_eq(t_int(doc, "nodes.users.completed"), 99); /* the last one ends at 10051 ms */
    cr_expect_eq(t_int(doc, "nodes.users.in_flight"), 1);
    cr_expect_eq(t_int(doc, "nodes.cb.timed_out"), 0);
    cr_expect_eq(t_int(doc, "nodes.cb.successes"), 99);
    cr_expect_eq(t_num(doc, "nodes.front.sojourn_ms.mean"), 51);
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* ---- the settings store ----
 * Network latency 1 ms each way; the store answers after 2 ms; the breaker reads every 5 s
 * from time 0. The store forces open at 12 s and releases at 31 s. The read sent at 15 s
 * reaches the store at 15.001 s, is answered at 15.003 s and applied at 15.004 s: stale by
 * 3.004 s; the release is read at 35 s and applied at 35.004 s (stale 4.004 s). Both are
 * within the bound refresh + 2 x latency + service = 5.004 s. Requests issued at 15.1 ..
 * 35.0 s reach the breaker at +1 ms, inside [15.004, 35.004): 200 short-circuited. */
static const char store_yaml[] =
    "duration: 50s\n"
    "network: {latency: 1ms}\n"
    "nodes:\n"
    "  users: {kind: client, target: cb, arrival: 100ms}\n"
    "  cb: {kind: circuit_breaker, backend: db, settings: store, refresh: 5s}\n"
    "  db: {kind: service, workers: 10, service: 5ms}\n"
    "  store:\n"
    "    kind: settings_store\n"
    "    service: 2ms\n"
    "    changes:\n"
    "      - {at: 12s, force: open}\n"
    "      - {at: 31s, force: none}\n";

Test(circuit_breaker, settings_store_forces_open_within_a_refresh) {
    cJSON *doc = t_run(store_yaml, 1);
    static const want_change w[] = {{15004, "forced_open"}, {35004, "closed"}};
    expect_changes(doc, "cb", w, 2);
    cr_expect_eq(t_int(doc, "nodes.cb.short_circuited"), 200);
    cr_expect_eq(t_int(doc, "nodes.cb.settings.applied"), 2);
    cr_expect_eq(t_int(doc, "nodes.cb.settings.version"), 2);
    cr_expect_eq(t_int(doc, "nodes.cb.settings.refreshes"), 11); /* 0, 5, ..., 50 s */
    cr_expect_eq(t_num(doc, "nodes.cb.settings.stale_ms.max"), 4004);
    cr_expect_eq(t_num(doc, "nodes.cb.settings.stale_ms.mean"), (3004.0 + 4004.0) / 2);
    cr_expect_leq(t_num(doc, "nodes.cb.settings.stale_ms.max"), 5000 + 2 * 1 + 2);
    cr_expect_eq(t_num(doc, "nodes.cb.state_ms.forced_open"), 20000);
    cr_expect_eq(t_int(doc, "nodes.store.reads"), 10); /* the read sent at 50 s is not back */
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* A threshold from the store: the crash timeline with a store that sets open_for to 105 ms
 * at 0.5 s (read at 1 s, zero latency: applied at 1 s, before the opening at 1050 ms). The
 * first half-open comes 105 ms after opening; the trial at 1160 fails and re-opens. */
Test(circuit_breaker, settings_store_changes_thresholds) {
    static const char with_store[] =
        "duration: 3.001s\n"
        "nodes:\n"
        "  users: {kind: client, target: cb, arrival: 10ms}\n"
        "  cb: {kind: circuit_breaker, backend: db, window_calls: 10, min_calls: 5,\n"
        "       failure_rate: 0.5, open_for: 305ms, half_open_calls: 3, timeout: 103ms,\n"
        "       settings: store, refresh: 1s}\n"
        "  db: {kind: service, workers: 10, service: 25ms}\n"
        "  store: {kind: settings_store, changes: [{at: 500ms, open_for: 105ms}]}\n"
        "faults:\n"
        "  - {at: 1007ms, crash: db, duration: 1s}\n";
    cJSON *doc = t_run(with_store, 1);
    static const want_change w[] = {{1050, "open"}, {1155, "half_open"}, {1160, "open"}};
    const cJSON *log = t_get(t_get(t_get(doc, "nodes"), "cb"), "changes");
    cr_assert_geq(cJSON_GetArraySize(log), 3);
    for (int i = 0; i < 3; i++) {
        const cJSON *c = cJSON_GetArrayItem(log, i);
        cr_expect(t_get(c, "at_ms")->valuedouble == w[i].at_ms &&
                      strcmp(t_get(c, "to")->valuestring, w[i].to) == 0,
                  "change %d: %s at %g ms, expected %s at %g", i, t_get(c, "to")->valuestring,
                  t_get(c, "at_ms")->valuedouble, w[i].to, w[i].at_ms);
    }
    cr_expect_eq(t_num(doc, "nodes.cb.settings.stale_ms.max"), 500); /* 0.5 s -> 1 s */
    t_expect_accounting(doc);
    cJSON_Delete(doc);
}

/* ---- the cascade ---- */

/* With the slow profile DB, the front end's p99 and its failed + timed-out requests stay
 * bounded with breakers and grow without them: on each of 3 seeds, both figures with
 * breakers are under a third of those without (they differ by over 10x in practice; the
 * margin is the "clear margin", not fitted). Without breakers, users also time out
 * by the thousand (the 2 s timeout), with breakers none does. */
Test(circuit_breaker, cascade_is_contained_by_breakers) {
    char *plain = t_example("cascade.yaml"), *guarded = t_example("cascade_breakers.yaml");
    for (uint64_t seed = 1; seed <= 3; seed++) {
        cJSON *a = t_run(plain, seed), *b = t_run(guarded, seed);
        double p99a = t_num(a, "requests.latency_ms.p99");
        double p99b = t_num(b, "requests.latency_ms.p99");
        double bad_a = t_num(a, "requests.failed") + t_num(a, "requests.timed_out");
        double bad_b = t_num(b, "requests.failed") + t_num(b, "requests.timed_out");
        cr_log_info("seed %llu: p99 %.1f ms without, %.1f ms with breakers; failed+timed_out "
                    "%.0f without, %.0f with",
                    (unsigned long long)seed, p99a, p99b, bad_a, bad_b);
        cr_expect_lt(p99b, p99a / 3, "seed %llu: p99 %.1f with breakers, %.1f without",
                     (unsigned long long)seed, p99b, p99a);
        cr_expect_lt(bad_b, bad_a / 3, "seed %llu: %.0f bad with breakers, %.0f without",
                     (unsigned long long)seed, bad_b, bad_a);
        cr_expect_gt(t_num(a, "requests.timed_out"), 1000);
        cr_expect_eq(t_num(b, "requests.timed_out"), 0);
        cr_expect_gt(t_num(b, "nodes.profile_db_cb.opens"), 0);
        cr_expect_gt(t_num(b, "nodes.profile_db_cb.fallback_replies"), 0);
        t_expect_accounting(a);
        t_expect_accounting(b);
        cJSON_Delete(a);
        cJSON_Delete(b);
    }
    free(plain);
    free(guarded);
}

Test(circuit_breaker, same_seed_same_bytes) {
    char *guarded = t_example("cascade_breakers.yaml");
    char *x = t_run_text(guarded, 7), *y = t_run_text(guarded, 7);
    cr_expect_str_eq(x, y);
    char *z = t_run_text(store_yaml, 3), *zz = t_run_text(store_yaml, 3);
    cr_expect_str_eq(z, zz);
    free(x);
    free(y);
    free(z);
    free(zz);
    free(guarded);
}

/* Crash: the breaker holds the callers' requests while their calls are out. db serves 95 ms,
 * so at 1007 ms the calls sent at 920 .. 1000 ms are out: 9 held requests and 9 calls. The
 * crash frees the 9 held ones; the 9 calls end at db and their replies are dropped at the
 * crashed breaker (by 1095 ms), and requests sent to it meanwhile are bounced to the client. */
Test(circuit_breaker, crash_frees_held_requests) {
    static const char yaml[] =
        "duration: 3s\n"
        "nodes:\n"
        "  users: {kind: client, target: cb, arrival: 10ms}\n"
        "  cb: {kind: circuit_breaker, backend: db}\n"
        "  db: {kind: service, workers: 20, service: 95ms}\n"
        "faults:\n"
        "  - {at: 1007ms, crash: cb, duration: 1s}\n";
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run_until(e, 1007000000 - 1), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 18, "before the crash: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run_until(e, 1007000000), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 9, "after the crash: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run_until(e, 1500000000), 0);
    cr_expect_eq(sim_engine_memory_use(e).held, 0, "while down: %zu requests live", sim_engine_memory_use(e).held);
    cr_assert_eq(sim_engine_run(e), 0);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* ---- configuration errors ---- */

static void expect_load_error(const char *yaml, const char *what) { t_expect_refused(yaml, &what, 1); }

Test(circuit_breaker, bad_configurations_are_reported) {
    expect_load_error("duration: 1s\nnodes:\n"
                      "  cb: {kind: circuit_breaker, backend: db, window: 1s, window_calls: 5}\n"
                      "  db: {kind: service, service: 1ms}\n",
                      "test.yaml:3:");
    expect_load_error("duration: 1s\nnodes:\n"
                      "  cb: {kind: circuit_breaker, backend: db, refresh: 1s}\n"
                      "  db: {kind: service, service: 1ms}\n",
                      "'refresh' goes with 'settings'");
    expect_load_error("duration: 1s\nnodes:\n"
                      "  s:\n"
                      "    kind: settings_store\n"
                      "    changes:\n"
                      "      - {at: 2s, force: open}\n"
                      "      - {at: 1s, force: none}\n",
                      "must be later");
    expect_load_error("duration: 1s\nnodes:\n"
                      "  s:\n"
                      "    kind: settings_store\n"
                      "    changes:\n"
                      "      - {at: 2s, forse: open}\n",
                      "test.yaml:6:18: error: s: changes[0]: unknown key 'forse'");
    expect_load_error("duration: 1s\nnodes:\n"
                      "  s: {kind: settings_store, changes: [{force: open}]}\n",
                      "missing required key 'at'");
}

/* The crash timeline without an explicit timeout and with the link from cb to db losing
 * everything over [2280, 2400) ms: the half-open trials at 2290, 2300 and 2310 ms are lost.
 * Calls are judged by the default timeout (30 s), so those trials fail at about 32.3 s, the
 * breaker opens again, and the next half-open finds db answering: closed long before the end
 * at 60 s, with the calls of the last ~27 s (100/s) succeeding. Were lost trials never
 * judged (a timeout of 1000 h stands for none), the breaker would stay half-open with its 3
 * trials taken and short-circuit every call to the end. */
static const char lost_trials[] =
    "duration: 60s\n"
    "nodes:\n"
    "  users: {kind: client, target: cb, arrival: 10ms}\n"
    "  cb: {kind: circuit_breaker, backend: db, window_calls: 10, min_calls: 5,\n"
    "       failure_rate: 0.5, open_for: 305ms, half_open_calls: 3}\n"
    "  db: {kind: service, workers: 10, service: 25ms}\n"
    "faults:\n"
    "  - {at: 1007ms, crash: db, duration: 1s}\n"
    "  - {at: 2280ms, loss: 1, from: cb, to: db, duration: 120ms}\n";

Test(circuit_breaker, lost_trial_calls_are_judged_by_the_default_timeout) {
    cJSON *doc = t_run(lost_trials, 1);
    cr_expect_str_eq(t_str(doc, "nodes.cb.state"), "closed");
    cr_expect_geq(t_int(doc, "nodes.cb.successes"), 2500, "the breaker did not close again");
    cr_expect_geq(t_int(doc, "nodes.cb.timed_out"), 3, "the lost trials were not judged");
    t_expect_accounting(doc);
    cJSON_Delete(doc);

    const char *none[] = {"nodes.cb.timeout=1000h"};
    doc = t_run_with(lost_trials, 1, none, 1);
    cr_expect_str_eq(t_str(doc, "nodes.cb.state"), "half_open");
    cr_expect_geq(t_int(doc, "nodes.cb.short_circuited"), 5000,
                  "without judging its trials the breaker should stay stuck");
    cJSON_Delete(doc);
}
