/* The topology graph (sim/graph.h): the result document's `graph` key (contract §8.5) and
 * `dsim graph FILE` (Graphviz DOT). Nodes are the groups with their instance counts; edges
 * are the references between groups, typed by the role the kind's parameter declares, each
 * (from, to, type) once, in the file's order. */
#include "sandbox.h"
#include "support.h"

#include "engine.h"
#include "graph_dot.h"
#include "json_report.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "graph"); }
static void teardown(void) { t_sandbox_close(&sb); }

TestSuite(graph, .init = setup, .fini = teardown, .timeout = 60);

/* Every kind of reference: a client's target, a group's instances (×3), an instance
 * reference (web.1, to its group), calls naming one node twice (one edge), a route with
 * feedback to itself, a balancer's backends and weights (weights draw no edge), a cache's
 * backend, a breaker's backend and settings, a database of 3 replicas (replication to
 * itself) and one of a single instance (none). */
static const char shop[] =
    "name: shop\n"
    "duration: 2s\n"
    "nodes:\n"
    "  users: {kind: client, target: lb, rate: 50/s}\n"
    "  lb: {kind: load_balancer, backends: [web.0, web.1, web.2], policy: weighted_round_robin,"
    " weights: {web.0: 2}}\n"
    "  web: {kind: service, replicas: 3, service: 1ms, calls: [cb, cache, cb]}\n"
    "  cb: {kind: circuit_breaker, backend: api, settings: conf}\n"
    "  conf: {kind: settings_store}\n"
    "  api: {kind: service, service: 1ms, forward: {api: 0.1, db: 0.5}}\n"
    "  cache: {kind: cache, backend: db, capacity: 10}\n"
    "  db: {kind: database, replicas: 3, service: 1ms}\n"
    "  solo: {kind: database, service: 1ms}\n"
    "  other: {kind: client, target: solo, rate: 5/s}\n";

typedef struct edge {
    const char *from, *to, *type;
} edge;

static const edge shop_edges[] = {
    {"users", "lb", "target"},   {"lb", "web", "backend"},    {"web", "cb", "call"},
    {"web", "cache", "call"},    {"cb", "api", "backend"},    {"cb", "conf", "settings"},
    {"api", "api", "forward"},   {"api", "db", "forward"},    {"cache", "db", "backend"},
    {"db", "db", "replication"}, {"other", "solo", "target"},
};
#define NSHOP_EDGES (sizeof shop_edges / sizeof shop_edges[0])

typedef struct group {
    const char *name, *kind;
    int instances;
} group;

static const group shop_nodes[] = {
    {"users", "client", 1},       {"lb", "load_balancer", 1},    {"web", "service", 3},
    {"cb", "circuit_breaker", 1}, {"conf", "settings_store", 1}, {"api", "service", 1},
    {"cache", "cache", 1},        {"db", "database", 3},         {"solo", "database", 1},
    {"other", "client", 1},
};
#define NSHOP_NODES (sizeof shop_nodes / sizeof shop_nodes[0])

Test(graph, the_document_carries_every_group_and_reference_once_in_file_order) {
    cJSON *doc = t_run(shop, 1);
    const cJSON *nodes = t_at(doc, "graph.nodes"), *edges = t_at(doc, "graph.edges");
    cr_assert(cJSON_IsArray(nodes) && cJSON_IsArray(edges));
    cr_assert_eq(cJSON_GetArraySize(nodes), (int)NSHOP_NODES);
    for (size_t i = 0; i < NSHOP_NODES; i++) {
        const cJSON *n = cJSON_GetArrayItem(nodes, (int)i);
        cr_expect_str_eq(t_str(n, "name"), shop_nodes[i].name);
        cr_expect_str_eq(t_str(n, "kind"), shop_nodes[i].kind);
        cr_expect_eq(t_int(n, "instances"), shop_nodes[i].instances, "%s", shop_nodes[i].name);
    }
    cr_expect_eq(cJSON_GetArraySize(edges), (int)NSHOP_EDGES, "edges: %d",
                 cJSON_GetArraySize(edges));
    for (size_t i = 0; i < NSHOP_EDGES && i < (size_t)cJSON_GetArraySize(edges); i++) {
        const cJSON *e = cJSON_GetArrayItem(edges, (int)i);
        cr_expect_str_eq(t_str(e, "from"), shop_edges[i].from, "edge %zu", i);
        cr_expect_str_eq(t_str(e, "to"), shop_edges[i].to, "edge %zu", i);
        cr_expect_str_eq(t_str(e, "type"), shop_edges[i].type, "edge %zu", i);
    }
    cJSON_Delete(doc);
}

Test(graph, the_graph_is_the_same_for_every_seed) {
    cJSON *a = t_run(shop, 1), *b = t_run(shop, 2);
    char *ga = cJSON_PrintUnformatted(t_at(a, "graph")),
         *gb = cJSON_PrintUnformatted(t_at(b, "graph"));
    cr_expect_str_eq(ga, gb);
    free(ga), free(gb);
    cJSON_Delete(a), cJSON_Delete(b);
}

/* A shard router's shards draw edges; its changes (which repeat them) do not. */
Test(graph, shards_draw_edges_and_changes_do_not_repeat_them) {
    static const char y[] = "name: shards\nduration: 2s\nnodes:\n"
                            "  users: {kind: client, target: router, rate: 10/s,"
                            " keys: {dist: uniform, n: 100}}\n"
                            "  router: {kind: shard_router, shards: [a, b, c],"
                            " changes: [{at: 1s, add: c}]}\n"
                            "  a: {kind: kv_store}\n  b: {kind: kv_store}\n  c: {kind: kv_store}\n";
    cJSON *doc = t_run(y, 1);
    const cJSON *edges = t_at(doc, "graph.edges");
    cr_assert_eq(cJSON_GetArraySize(edges), 4);
    const char *to[] = {"router", "a", "b", "c"};
    for (int i = 0; i < 4; i++) {
        const cJSON *e = cJSON_GetArrayItem(edges, i);
        cr_expect_str_eq(t_str(e, "to"), to[i]);
        cr_expect_str_eq(t_str(e, "type"), i ? "shard" : "target");
    }
    cJSON_Delete(doc);
}

/* The summary (a run without --json) builds no picture: its document's graph is empty. */
Test(graph, the_summary_document_leaves_the_graph_out) {
    sim_topology *t = t_load(shop, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0);
    cJSON *full = dsim_json_report(e), *summary = dsim_json_summary_report(e);
    cr_assert(full && summary);
    cr_expect_eq(cJSON_GetArraySize(t_at(full, "graph.edges")), (int)NSHOP_EDGES);
    const cJSON *g = t_at(summary, "graph");
    cr_expect(cJSON_IsObject(g) && g->child == NULL, "the summary's graph is not empty");
    cJSON_Delete(full);
    cJSON_Delete(summary);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* ---- dsim graph ---- */

/* The DOT text of yaml, written by the library (no process). */
static char *dot_of(const char *yaml) {
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "does not load: %s", yaml);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(f);
    cr_assert_eq(dsim_graph_dot(f, t), 0);
    fclose(f);
    sim_topology_free(t);
    return text;
}

Test(graph, dot_has_every_group_labelled_and_every_edge_labelled_and_styled) {
    char *dot = dot_of(shop);
    cr_log_info("%s", dot);
    cr_expect(strncmp(dot, "digraph \"shop\" {\n", 17) == 0, "starts: %.40s", dot);
    cr_expect(strcmp(dot + strlen(dot) - 2, "}\n") == 0);
    char line[256];
    for (size_t i = 0; i < NSHOP_NODES; i++) {
        if (shop_nodes[i].instances > 1)
            snprintf(line, sizeof line, "  \"%s\" [label=\"%s\\n%s \xc3\x97%d\"];\n",
                     shop_nodes[i].name, shop_nodes[i].name, shop_nodes[i].kind,
                     shop_nodes[i].instances);
        else
            snprintf(line, sizeof line, "  \"%s\" [label=\"%s\\n%s\"];\n", shop_nodes[i].name,
                     shop_nodes[i].name, shop_nodes[i].kind);
        cr_expect(strstr(dot, line), "no node line %s", line);
    }
    const char *last = dot;
    for (size_t i = 0; i < NSHOP_EDGES; i++) {
        snprintf(line, sizeof line, "  \"%s\" -> \"%s\" [label=\"%s\", ", shop_edges[i].from,
                 shop_edges[i].to, shop_edges[i].type);
        const char *at = strstr(last, line);
        cr_expect(at, "no edge line (in order) %s", line);
        if (at)
            last = at + 1;
    }
    /* One line per group and per edge, besides the header (4 lines) and the closing brace. */
    size_t lines = 0;
    for (const char *p = dot; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 4 + NSHOP_NODES + NSHOP_EDGES + 1, "%zu lines", lines);
    /* Each type its own style: replication dotted both ways, a target bold, backends dashed. */
    cr_expect(strstr(dot, "\"db\" -> \"db\" [label=\"replication\", style=dotted"));
    cr_expect(strstr(dot, "[label=\"target\", style=bold"));
    cr_expect(strstr(dot, "[label=\"backend\", style=dashed"));
    free(dot);
}

/* Names with characters DOT would misread bare ('-', quotes, backslashes) are quoted. */
Test(graph, dot_quotes_names) {
    char *dot = dot_of("name: 'my \"shop\" \\ v2'\nduration: 1s\nnodes:\n"
                       "  api-gw: {kind: client, target: web-1, rate: 1/s}\n"
                       "  web-1: {kind: service, service: 1ms}\n");
    cr_log_info("%s", dot);
    cr_expect(strstr(dot, "digraph \"my \\\"shop\\\" \\\\ v2\" {\n"), "%s", dot);
    cr_expect(strstr(dot, "  \"api-gw\" -> \"web-1\" [label=\"target\""));
    cr_expect(strstr(dot, "  \"web-1\" [label=\"web-1\\nservice\"];\n"));
    free(dot);
}

Test(graph, dsim_graph_prints_dot_and_refuses_bad_input_like_validate) {
    t_write_work(&sb, "shop.yaml", shop);
    t_result r = t_dsim(&sb, (t_limits){0}, "graph", "shop.yaml", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    char *lib = dot_of(shop);
    cr_expect_str_eq(r.out, lib, "dsim graph prints what the library writes");
    free(lib);
    t_result_free(&r);

    r = t_dsim(&sb, (t_limits){0}, "graph", "shop.yaml", "--set", "nodes.web.replicas=5", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "\"web\" [label=\"web\\nservice \xc3\x97"
                            "5\"]"),
              "%s", r.out);
    t_result_free(&r);

    t_write_work(&sb, "bad.yaml",
                 "name: bad\nduration: 1s\nnodes:\n  users: {kind: client, target: nowhere,"
                 " rate: 1/s}\n");
    r = t_dsim(&sb, (t_limits){0}, "graph", "bad.yaml", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "bad.yaml:4:"), "%s", r.err);
    cr_expect_str_eq(r.out, "", "nothing on stdout for bad input");
    t_result_free(&r);

    r = t_dsim(&sb, (t_limits){0}, "graph", "shop.yaml", "--seed", "3", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--seed 3: error:"), "%s", r.err);
    t_result_free(&r);

    r = t_dsim(&sb, (t_limits){0}, "graph", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "graph: error: expected a topology FILE"), "%s", r.err);
    t_result_free(&r);
}

/* When Graphviz is installed, its parser must accept every example's graph. */
Test(graph, graphviz_parses_the_graph_of_every_example) {
    if (system("command -v dot >/dev/null 2>&1") != 0)
        cr_skip_test("Graphviz's dot is not installed: the DOT text is checked above, its "
                     "parsing by Graphviz is not");
    char **names = t_examples();
    for (size_t i = 0; names[i]; i++) {
        char *cmd = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&cmd, &len);
        cr_assert(f);
        fprintf(f, "cd '%s' && '%s' graph 'topologies/%s' | dot -Tsvg >/dev/null",
                getenv("DSIM_SOURCE"), getenv("DSIM"), names[i]);
        fclose(f);
        cr_expect_eq(system(cmd), 0, "dot refused the graph of %s", names[i]);
        free(cmd);
    }
    t_names_free(names);
}
