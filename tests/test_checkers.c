/* The checker interface (sim/checker.h) with mock kinds and mock checkers: each engine gets its
 * own instance of each checker its topology uses, created once, fed through sim_checker,
 * settled after every finish hook, reported under its own key (before "nodes") and inside the
 * nodes' entries; a checker no kind of the topology feeds is never created and writes no key,
 * unless it is marked `always`. And the built-in checkers keep the document's order:
 * "requests", "consistency", "nodes". */
#include "support.h"

#include "checker.h"
#include "engine.h"
#include "json_report.h"
#include "loader.h"
#include "node.h"

#include <criterion/criterion.h>
#include <string.h>

/* A mock checker: counts the ticks its kinds report, the finish hooks that ran before it was
 * settled, and how many times it was settled. */
typedef struct tally {
    uint64_t ticks, finishes, finishes_at_settle, settles;
    uint64_t per_node[8];
} tally;

static void *tally_create(const sim_topology *topo) {
    (void)topo;
    return calloc(1, sizeof(tally));
}
static int tally_settle(void *c) {
    tally *t = c;
    t->settles++;
    t->finishes_at_settle = t->finishes;
    return 0;
}
static void tally_report(const void *c, sim_report *w) {
    const tally *t = c;
    sim_report_int(w, "ticks", (int64_t)t->ticks);
    sim_report_int(w, "finishes_at_settle", (int64_t)t->finishes_at_settle);
    sim_report_int(w, "settles", (int64_t)t->settles);
}
static void tally_report_node(const void *c, uint32_t node, sim_report *w) {
    const tally *t = c;
    if (node < 8 && t->per_node[node])
        sim_report_int(w, "ticks_seen", (int64_t)t->per_node[node]);
}
static void tally_free(void *c) { free(c); }

static const sim_checker_kind fed = {
    .version = SIM_CHECKER_VERSION,
    .name = "fed",
    .create = tally_create,
    .settle = tally_settle,
    .report = tally_report,
    .report_node = tally_report_node,
    .free = tally_free,
};
/* Listed only by a kind the topologies below do not use. */
static const sim_checker_kind unfed = {
    .version = SIM_CHECKER_VERSION,
    .name = "unfed",
    .create = tally_create,
    .report = tally_report,
    .free = tally_free,
};
/* Listed only by that unused kind too, but marked always. */
static const sim_checker_kind always = {
    .version = SIM_CHECKER_VERSION,
    .name = "always",
    .always = true,
    .create = tally_create,
    .report = tally_report,
    .free = tally_free,
};

/* A mock kind: ticks every millisecond and tells its checker. */
static const sim_param no_params[] = {{.name = NULL}};

static void ticker_create(sim_node *n) { sim_set_timer(n, 1000000, 1, 0); }
static void ticker_timer(sim_node *n, uint16_t tag, uint64_t arg) {
    (void)arg;
    tally *t = sim_checker(n, &fed);
    cr_assert(t, "a kind gets every checker it lists");
    t->ticks++;
    if (sim_node_id(n) < 8)
        t->per_node[sim_node_id(n)]++;
    sim_set_timer(n, 1000000, tag, 0);
}
static void ticker_finish(sim_node *n) {
    tally *t = sim_checker(n, &fed);
    t->finishes++;
    cr_expect_null(sim_checker(n, &unfed), "a checker the topology does not use is absent");
}

static const sim_checker_kind *const ticker_checkers[] = {&fed, NULL};
static const sim_checker_kind *const idle_checkers[] = {&unfed, &always, NULL};

static const sim_kind ticker = {
    .version = SIM_KIND_VERSION,
    .name = "ticker",
    .config_size = 1,
    .state_size = 1,
    .params = no_params,
    .create = ticker_create,
    .timer = ticker_timer,
    .finish = ticker_finish,
    .checkers = ticker_checkers,
};
static const sim_kind idle = {
    .version = SIM_KIND_VERSION,
    .name = "idle",
    .config_size = 1,
    .state_size = 1,
    .params = no_params,
    .checkers = idle_checkers,
};
static const sim_kind *const registry[] = {&idle, &ticker, NULL};

static sim_topology *load(const char *yaml) {
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", yaml, strlen(yaml), NULL, 0, registry, d);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_log_error("%s", sim_diag_message(d, i));
    sim_diag_free(d);
    cr_assert(t);
    return t;
}

/* The names of the top-level keys of doc, comma-separated. */
static void top_keys(const cJSON *doc, char *out, size_t cap) {
    out[0] = 0;
    for (const cJSON *c = doc->child; c; c = c->next) {
        cr_assert(strlen(out) + strlen(c->string) + 2 < cap);
        strcat(out, c->string);
        strcat(out, ",");
    }
}

static const char *const TICKERS = "duration: 10ms\n"
                                   "nodes:\n"
                                   "  a: {kind: ticker}\n"
                                   "  b: {kind: ticker, replicas: 2}\n";

Test(checkers, only_the_used_and_the_always_ones_are_created_in_registry_order) {
    sim_topology *t = load(TICKERS);
    cr_assert(t->checkers);
    /* The registry lists idle (unfed, always) before ticker (fed): always comes first; unfed,
     * whose only kind has no node here, is left out. */
    cr_expect_eq(t->checkers[0], &always);
    cr_expect_eq(t->checkers[1], &fed);
    cr_expect_null(t->checkers[2]);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *doc = dsim_json_report(e);
    cr_assert(doc);
    char keys[512];
    top_keys(doc, keys, sizeof keys);
    cr_expect_str_eq(
        keys, "dsim_version,contract,document,topology,seed,duration_s,warmup_s,events,always,fed,"
              "nodes,network,graph,");
    /* Three tickers, ticks at 1..10 ms (the one at the run's end included). */
    cr_expect_eq(t_int(doc, "fed.ticks"), 30);
    cr_expect_eq(t_int(doc, "fed.settles"), 1);
    cr_expect_eq(t_int(doc, "fed.finishes_at_settle"), 3, "settled after every finish hook");
    cr_expect_eq(t_int(doc, "always.ticks"), 0);
    cr_expect_eq(t_int(doc, "nodes.a.ticks_seen"), 10);
    cr_expect_eq(t_int(doc, "nodes.b.1.ticks_seen"), 10);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
}

Test(checkers, two_engines_interleaved_keep_their_own_checkers) {
    sim_topology *t = load(TICKERS);
    sim_engine *e1 = sim_engine_new(t, 1), *e2 = sim_engine_new(t, 2);
    cr_assert(e1 && e2);
    /* e1 runs to 4 ms while e2 runs to 7 ms, then both finish. */
    cr_assert_eq(sim_engine_run_until(e1, 4000000), 0);
    cr_assert_eq(sim_engine_run_until(e2, 7000000), 0);
    cJSON *mid1 = dsim_json_report(e1), *mid2 = dsim_json_report(e2);
    cr_expect_eq(t_int(mid1, "fed.ticks"), 12);
    cr_expect_eq(t_int(mid2, "fed.ticks"), 21);
    cr_expect_eq(t_int(mid1, "fed.settles"), 0, "not settled before the end");
    cr_assert_eq(sim_engine_run(e2), 0);
    cr_assert_eq(sim_engine_run(e1), 0);
    cJSON *end1 = dsim_json_report(e1), *end2 = dsim_json_report(e2);
    cr_expect_eq(t_int(end1, "fed.ticks"), 30);
    cr_expect_eq(t_int(end2, "fed.ticks"), 30);
    cr_expect_eq(t_int(end1, "fed.settles"), 1);
    cr_expect_eq(t_int(end2, "fed.settles"), 1);
    cJSON_Delete(mid1);
    cJSON_Delete(mid2);
    cJSON_Delete(end1);
    cJSON_Delete(end2);
    sim_engine_free(e1);
    sim_engine_free(e2);
    sim_topology_free(t);
}

Test(checkers, a_topology_without_feeding_kinds_has_only_the_always_checkers) {
    sim_topology *t = load("duration: 1ms\nnodes:\n  x: {kind: idle}\n");
    /* idle lists unfed too, and is used: both of its checkers are created. */
    cr_expect_eq(t->checkers[0], &unfed);
    cr_expect_eq(t->checkers[1], &always);
    cr_expect_null(t->checkers[2]);
    sim_topology_free(t);
}

/* The built-in checkers: "requests" is in every document, even without a client (PHOLD),
 * "consistency" only where keyed data was judged, both before "nodes". */
Test(checkers, builtin_document_order_is_requests_consistency_nodes) {
    char keys[512];
    cJSON *doc = t_run("duration: 1s\n"
                       "network: {latency: {dist: exponential, mean: 1ms}}\n"
                       "nodes:\n"
                       "  p: {kind: phold, replicas: 2, population: 2}\n",
                       1);
    top_keys(doc, keys, sizeof keys);
    cr_expect_str_eq(
        keys, "dsim_version,contract,document,topology,seed,duration_s,warmup_s,events,requests,"
              "nodes,network,graph,");
    cr_expect_eq(t_int(doc, "requests.issued"), 0);
    cJSON_Delete(doc);
    doc = t_run("duration: 2s\n"
                "nodes:\n"
                "  db: {kind: kv_store}\n"
                "  users: {kind: client, target: db, rate: 100/s, ops: {read: 0.5, write: 0.5}}\n",
                1);
    top_keys(doc, keys, sizeof keys);
    cr_expect_str_eq(
        keys, "dsim_version,contract,document,topology,seed,duration_s,warmup_s,events,requests,"
              "consistency,nodes,network,graph,");
    cr_expect_gt(t_int(doc, "consistency.writes_acked"), 0);
    cr_expect_eq(t_int(doc, "nodes.db.consistency.writes_acked"),
                 t_int(doc, "consistency.writes_acked"));
    cJSON_Delete(doc);
}
