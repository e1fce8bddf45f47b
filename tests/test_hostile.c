/* The loader against hostile input (issue 10): inputs that hung it or blew it up (aliases
 * that repeat their own collection, alias bombs, huge mappings, deep nesting, oversized and
 * endless files) are refused or loaded fast; unreadable bytes are reported at their line and
 * column; YAML syntax errors get a hint; long names are never cut; rates and arrivals the
 * clock cannot resolve, faults after the end and ill-formed partitions are refused at their
 * line. Every test has a time bound (the suite's .timeout, generous for the sanitizer build,
 * 3-5x slower) so that a regression fails the suite instead of hanging it (a per-test
 * .timeout leaks 48 bytes inside criterion 2.4, which the leak sanitizer reports). Messages are compared whole:
 * their wording and positions are what this suite pins down. */
#include "support.h"

#include "engine.h"
#include "json_report.h"
#include "loader.h"
#include "models.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A bound on each test (wall time, seconds): the slowest takes ~2 s in the plain build. */
TestSuite(hostile, .timeout = 120);

/* ---- helpers ---- */

/* Loads len bytes of text (may hold NUL bytes) and returns the diagnostics (caller frees);
 * fails the test when the text loads. */
static sim_diag *refused_bytes(const char *text, size_t len) {
    sim_diag *d = sim_diag_new("test.yaml");
    cr_assert(d);
    sim_topology *t = sim_load_string("test.yaml", text, len, NULL, 0, dsim_kinds, d);
    for (size_t i = 0; i < sim_diag_count(d) && i < 20; i++)
        cr_log_info("  %s", sim_diag_message(d, i));
    cr_assert_null(t, "the text loaded, expected errors");
    cr_assert_gt(sim_diag_count(d), 0, "no topology but no message either");
    return d;
}

static sim_diag *refused(const char *yaml) { return refused_bytes(yaml, strlen(yaml)); }

/* Expects exactly one message, equal to want (the error line and its notes). */
static void expect_only(sim_diag *d, const char *want) {
    cr_expect_eq(sim_diag_count(d), 1, "%zu messages, expected 1", sim_diag_count(d));
    cr_expect_str_eq(sim_diag_message(d, 0), want);
    sim_diag_free(d);
}

/* A growing text buffer for generated inputs. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(text *t, const char *fmt, ...) {
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    cr_assert(n >= 0);
    if (t->n + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->n + (size_t)n + 1);
        t->s = realloc(t->s, t->cap);
        cr_assert(t->s);
    }
    vsnprintf(t->s + t->n, (size_t)n + 1, fmt, again);
    t->n += (size_t)n;
    va_end(again);
    va_end(ap);
}

#define BASE                                                                                       \
    "duration: 10s\n"                                                                              \
    "nodes:\n"                                                                                     \
    "  users: {kind: client, target: web, rate: 10/s}\n"                                           \
    "  web: {kind: service, service: 1ms}\n"

/* ---- aliases ---- */

/* These three hung `dsim validate` forever: the duplicate-key walk followed the alias back
 * into its own collection, doubling at each step. */
Test(hostile, alias_to_its_own_list_is_refused) {
    expect_only(refused("&a [*a,*a]"),
                "test.yaml:1:5: error: alias '*a' repeats a collection from inside it (defined "
                "at line 1): that would be an endless loop");
}

Test(hostile, alias_to_its_own_mapping_is_refused) {
    expect_only(refused("&a {a: *a, b: *a}"),
                "test.yaml:1:8: error: alias '*a' repeats a collection from inside it (defined "
                "at line 1): that would be an endless loop");
}

Test(hostile, alias_to_its_own_value_is_refused) {
    expect_only(refused("x: &a [*a, *a]"),
                "test.yaml:1:8: error: alias '*a' repeats a collection from inside it (defined "
                "at line 1): that would be an endless loop");
}

/* Nine levels of nine aliases each: 9^9 nodes once expanded, from 342 bytes. Expanded sizes:
 * a 10 (a list of 9), b 91, c 820, d 7381, e 66430; the aliases of levels b..e repeat
 * 90 + 819 + 7380 + 66429 = 74718 nodes, and the first '*e' of line 6 brings the total to
 * 141148, over the budget of 100,000. */
Test(hostile, billion_laughs_stops_at_the_alias_over_budget) {
    text t = {0};
    add(&t, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'i'; c++) {
        add(&t, "%c: &%c [", c, c);
        for (int i = 0; i < 9; i++)
            add(&t, "%s*%c", i ? ", " : "", c - 1);
        add(&t, "]\n");
    }
    expect_only(refused(t.s), "test.yaml:6:8: error: aliases repeat more than 100000 nodes in "
                              "all (the limit against alias bombs); '*e' here repeats 66430");
    free(t.s);
}

/* Aliases within the budget still work: a node body shared by alias. */
Test(hostile, aliases_within_the_budget_load) {
    sim_topology *t = t_load("duration: 10s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, rate: 10/s}\n"
                             "  web: &svc {kind: service, service: 1ms}\n"
                             "  api: *svc\n",
                             NULL, 0, NULL);
    cr_assert(t, "a shared node body does not load");
    cr_expect_eq(t->nnodes, 3);
    sim_topology_free(t);
}

Test(hostile, unknown_and_twice_defined_anchors_are_refused) {
    expect_only(refused("duration: *d\n"), "test.yaml:1:11: error: alias '*d' names no anchor "
                                           "defined before it");
    expect_only(refused("a: &x 1\nb: &x 2\n"),
                "test.yaml:2:4: error: anchor '&x' is defined twice (first at line 1)");
}

/* ---- size ---- */

/* 40,000 services and 40,000 clients each naming one (3.6 MB): the duplicate-key check was
 * quadratic in the keys of a mapping (224 s for 80,000) and each reference was looked up
 * through every group. Now 1.7 s of CPU in the plain build. */
Test(hostile, eighty_thousand_nodes_load_quickly) {
    text t = {0};
    add(&t, "duration: 10s\nnodes:\n");
    for (int i = 0; i < 40000; i++)
        add(&t,
            "  s%d: {kind: service, service: 1ms}\n  c%d: {kind: client, target: s%d, rate: 1/s}\n",
            i, i, i);
    cr_log_info("%zu bytes", t.n);
    sim_diag *d = NULL;
    sim_topology *topo = t_load(t.s, NULL, 0, &d);
    for (size_t i = 0; topo == NULL && i < sim_diag_count(d) && i < 5; i++)
        cr_log_error("%s", sim_diag_message(d, i));
    cr_assert(topo, "does not load");
    cr_expect_eq(topo->nnodes, 80000);
    sim_topology_free(topo);
    sim_diag_free(d);
    /* The same with one key repeated at the end: found, with the line of the first. */
    add(&t, "  s0: {kind: service, service: 1ms}\n");
    expect_only(refused(t.s),
                "test.yaml:80003:3: error: duplicate key 's0' (first given at line 3)");
    free(t.s);
}

/* 100,000 open brackets took 28 s inside libyaml (its token scan is quadratic in depth): the
 * loader reads event by event and stops at the 65th level. 64 levels are not refused for
 * depth. */
Test(hostile, nesting_deeper_than_64_levels_is_refused) {
    size_t n = 100000;
    char *s = malloc(n + 1);
    cr_assert(s);
    memset(s, '[', n);
    s[n] = 0;
    expect_only(refused(s), "test.yaml:1:65: error: nesting deeper than 64 levels (no topology "
                            "needs more than a few)");
    text t = {0};
    add(&t, "x: ");
    for (int i = 1; i < 64; i++)
        add(&t, "[");
    for (int i = 1; i < 64; i++)
        add(&t, "]");
    add(&t, "\n");
    sim_diag *d = refused(t.s);
    for (size_t i = 0; i < sim_diag_count(d); i++)
        cr_expect(!strstr(sim_diag_message(d, i), "nesting"), "%s", sim_diag_message(d, i));
    sim_diag_free(d);
    free(t.s);
    free(s);
}

Test(hostile, text_over_4_mib_is_refused_before_parsing) {
    size_t limit = 4u << 20;
    char *s = malloc(limit + 2);
    cr_assert(s);
    /* A valid topology padded with a comment to exactly the limit loads... */
    const char *head = BASE "#";
    memset(s, 'x', limit + 1);
    memcpy(s, head, strlen(head));
    s[limit - 1] = '\n';
    s[limit] = 0;
    sim_diag *d = sim_diag_new("test.yaml");
    sim_topology *t = sim_load_string("test.yaml", s, limit, NULL, 0, dsim_kinds, d);
    cr_expect(t, "a file of exactly 4 MiB is refused: %s",
              sim_diag_count(d) ? sim_diag_message(d, 0) : "");
    sim_topology_free(t);
    sim_diag_free(d);
    /* ...one byte more is refused. */
    s[limit] = '\n';
    expect_only(refused_bytes(s, limit + 1),
                "test.yaml: error: the file is larger than 4194304 bytes (4 MiB), the most dsim "
                "reads: no topology needs that much, and its YAML document could take ~80 times "
                "as much memory");
    free(s);
}

/* An endless device is read up to the limit only, then refused. */
Test(hostile, endless_file_is_refused) {
    sim_diag *d = sim_diag_new("/dev/zero");
    cr_assert(d);
    cr_assert_null(sim_load_file("/dev/zero", NULL, 0, dsim_kinds, d));
    cr_assert_eq(sim_diag_count(d), 1);
    cr_expect(strstr(sim_diag_message(d, 0), "/dev/zero: error: the file is larger than "
                                             "4194304 bytes"),
              "%s", sim_diag_message(d, 0));
    sim_diag_free(d);
}

/* A million bad lines would take minutes to report (errors are kept sorted by line): the
 * first 1000 are reported, and one line after them says there were more. */
Test(hostile, errors_stop_after_a_thousand) {
    text t = {0};
    add(&t, BASE "  db:\n    kind: service\n");
    for (int i = 0; i < 100000; i++)
        add(&t, "    bogus: 1\n");
    sim_diag *d = refused(t.s);
    cr_expect_eq(sim_diag_count(d), 1001);
    cr_expect_str_eq(sim_diag_message(d, 0),
                     "test.yaml:8:5: error: duplicate key 'bogus' (first given at line 7)");
    cr_expect_str_eq(sim_diag_message(d, 1000),
                     "test.yaml: error: more than 1000 errors: the others are not reported");
    sim_diag_free(d);
    free(t.s);
}

/* ---- unreadable bytes ---- */

/* Reader errors carry a byte offset, not a line: they were all reported at 1:1. */
Test(hostile, bad_bytes_are_reported_at_their_line_and_column) {
    static const char ff[] = "duration: 1s\nnodes:\n  a: \xff\xfe\n";
    expect_only(refused_bytes(ff, sizeof ff - 1),
                "test.yaml:3:6: error: unreadable text: invalid leading UTF-8 octet (byte 0xFF): "
                "the file is not UTF-8");
    static const char nul[] = "duration: 1s\nnodes:\n  ab: x\0y\n";
    expect_only(refused_bytes(nul, sizeof nul - 1),
                "test.yaml:3:8: error: unreadable text: control characters are not allowed "
                "(U+0000)");
    /* Columns count characters: 'é' is two bytes, one column. */
    static const char utf[] = "duration: 1s\n# \xc3\xa9t\xc3\x28\n";
    expect_only(refused_bytes(utf, sizeof utf - 1),
                "test.yaml:2:6: error: unreadable text: invalid trailing UTF-8 octet (byte "
                "0x28): the file is not UTF-8");
}

/* \xff\xfe at the start reads as a UTF-16 byte order mark: libyaml's offset then counts
 * UTF-16 units, so the message names the two bytes instead of a bogus position. */
Test(hostile, utf16_byte_order_mark_is_named) {
    static const char s[] = "\xff\xfe"
                            "duration: 1s\n";
    expect_only(refused_bytes(s, sizeof s - 1),
                "test.yaml:1:1: error: unreadable text: incomplete UTF-16 character (the file "
                "starts with the bytes 0xFF 0xFE, a UTF-16 byte order mark)\n"
                "test.yaml:1:1: note: dsim reads UTF-8 text: remove those two bytes, or convert "
                "the file (iconv -f UTF-16 -t UTF-8)");
}

/* ---- YAML syntax: libyaml's words, then ours ---- */

Test(hostile, syntax_errors_get_a_hint) {
    expect_only(refused("duration: 10s\nnodes:\n  web:\n    kind:service\n    workers: 2\n"),
                "test.yaml:5:12: error: YAML syntax: mapping values are not allowed in this "
                "context\n"
                "test.yaml:5:12: note: 'kind:service' on line 4 has no space after its colon: "
                "write 'kind: service'");
    expect_only(refused("duration: 10s\nnodes: {web: {kind: service\n"),
                "test.yaml:3:1: error: YAML syntax: did not find expected ',' or '}' while "
                "parsing a flow mapping\n"
                "test.yaml:3:1: note: the '{' opened at line 2, column 14 is not closed, or two "
                "of its items lack a ', ' between them");
    expect_only(refused("duration: 10s\nnodes:\n\tweb: {kind: service}\n"),
                "test.yaml:3:1: error: YAML syntax: found character that cannot start any token "
                "while scanning for the next token\n"
                "test.yaml:3:1: note: line 3 is indented with a tab: YAML indents with spaces "
                "only");
    expect_only(refused("duration: 10s\nname: 'web\n"),
                "test.yaml:3:1: error: YAML syntax: found unexpected end of stream while "
                "scanning a quoted scalar\n"
                "test.yaml:3:1: note: the quote at line 2, column 7 is never closed");
    expect_only(refused("a:\n  b: 1\n c: 2\n"),
                "test.yaml:3:2: error: YAML syntax: did not find expected key while parsing a "
                "block mapping\n"
                "test.yaml:3:2: note: this line is not indented like the keys of its mapping (the "
                "keys of one mapping start in the same column), or a '- ' item or a stray bracket "
                "stands where a key was expected");
}

Test(hostile, second_document_is_refused) {
    expect_only(refused(BASE "---\nduration: 20s\n"),
                "test.yaml:5:1: error: a second YAML document starts here: a topology is one "
                "document");
}

/* ---- names ---- */

/* Instance names were built in a 160-byte buffer: two groups of 200-character names that
 * differ only at the end had instances of one name, one JSON key and one random stream. */
Test(hostile, long_instance_names_stay_distinct) {
    char a[201], b[201];
    memset(a, 'n', 200);
    a[200] = 0;
    memcpy(b, a, sizeof b);
    a[199] = 'a';
    b[199] = 'b';
    text t = {0};
    add(&t,
        "duration: 10s\nnodes:\n"
        "  users: {kind: client, target: %s, rate: 100/s}\n"
        "  %s: {kind: service, replicas: 2, service: 1ms}\n"
        "  %s: {kind: service, replicas: 2, service: 1ms}\n",
        a, a, b);
    cJSON *doc = t_run(t.s, 1);
    const cJSON *nodes = t_get(doc, "nodes");
    cr_expect_eq(cJSON_GetArraySize(nodes), 5, "instances merged in the result document");
    char key[256];
    snprintf(key, sizeof key, "%s.1", a);
    cr_expect_gt(t_num(t_get(nodes, key), "arrivals"), 0, "%s got no traffic", key);
    snprintf(key, sizeof key, "%s.1", b);
    cr_expect_eq(t_num(t_get(nodes, key), "arrivals"), 0, "%s took another's traffic", key);
    cJSON_Delete(doc);
    free(t.s);
}

/* Messages were formatted in 1024-byte buffers (and keys in 256): a long name cut the end of
 * the message off. (1000 characters: a YAML key longer than 1024 needs the '? ' form.) */
Test(hostile, long_names_are_whole_in_messages) {
    char name[1001];
    memset(name, 'x', 1000);
    name[1000] = 0;
    text t = {0};
    add(&t, BASE "  %s: {kind: client, rate: 1/s}\n", name);
    sim_diag *d = refused(t.s);
    text want = {0};
    add(&want, "test.yaml:5:%zu: error: %s: missing required key 'target'", (size_t)5 + 1000, name);
    expect_only(d, want.s);
    free(want.s);
    free(t.s);
}

/* The default name is the file's stem, whatever its length (it was cut at 255 bytes). */
Test(hostile, long_file_stem_is_whole) {
    char path[601];
    memset(path, 's', 600);
    memcpy(path + 595, ".yaml", 6);
    sim_diag *d = sim_diag_new(path);
    sim_topology *t = sim_load_string(path, BASE, strlen(BASE), NULL, 0, dsim_kinds, d);
    cr_assert(t);
    cr_expect_eq(strlen(t->name), 595);
    sim_topology_free(t);
    sim_diag_free(d);
}

/* ---- time: the clock's resolution is 1 ns ---- */

/* 1e12/s rounded every gap to 0 ns and ended with "a loop with no delay". */
Test(hostile, rate_above_one_per_nanosecond_is_refused) {
    expect_only(refused("duration: 10s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web, rate: 1e12/s}\n"
                        "  web: {kind: service, service: 1ms}\n"),
                "test.yaml:3:44: error: users: rate: 1e12/s leaves 0.001 ns between events, "
                "below the clock's resolution (1 ns): at most 1e9/s");
    sim_topology *t = t_load("duration: 10s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, rate: 1e9/s}\n"
                             "  web: {kind: service, service: 1ms}\n",
                             NULL, 0, NULL);
    cr_expect(t, "1e9/s (1 ns apart on average) is refused");
    sim_topology_free(t);
}

Test(hostile, arrival_of_zero_is_refused) {
    expect_only(refused("duration: 10s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web, arrival: 0ns}\n"
                        "  web: {kind: service, service: 1ms}\n"),
                "test.yaml:3:47: error: users: arrival: the time between events averages 0 ns, "
                "below the clock's resolution (1 ns): they would repeat with no delay");
    expect_only(refused("duration: 10s\n"
                        "nodes:\n"
                        "  users: {kind: client, target: web,\n"
                        "          arrival: {dist: uniform, min: 0s, max: 0.5ns}}\n"
                        "  web: {kind: service, service: 1ms}\n"),
                "test.yaml:4:20: error: users: arrival: the time between events averages 0.25 "
                "ns, below the clock's resolution (1 ns): they would repeat with no delay");
}

/* ---- faults ---- */

Test(hostile, fault_after_the_end_is_refused) {
    expect_only(refused(BASE "faults:\n  - {at: 10s, crash: web}\n  - {at: 12s, crash: web}\n"),
                "test.yaml:7:10: error: faults[1]: at: 12s is after the end of the run "
                "(duration: 10s): the fault would never happen");
}

/* A duration shortened by --set moves the end before a fault: the error is the fault's, at
 * its line, and a note names the argument that moved the end. */
Test(hostile, fault_after_an_end_set_by_an_override_names_the_override) {
    static const char yaml[] = BASE "faults:\n  - {at: 5s, crash: web}\n";
    sim_diag *d = NULL;
    const char *sets[] = {"duration=2s"};
    cr_expect_null(t_load(yaml, sets, 1, &d));
    expect_only(d, "test.yaml:6:10: error: faults[0]: at: 5s is after the end of the run "
                   "(duration: 2s): the fault would never happen\n"
                   "test.yaml:6:10: note: the duration comes from --set duration=2s");
}

/* A flat list of nodes read as one-node sides: say what the two forms mean instead. In
 * sim/net.c a node on no side is not affected, so one side alone cuts nothing. */
Test(hostile, flat_or_one_sided_partition_is_refused) {
    expect_only(refused(BASE "faults:\n  - {at: 1s, partition: [web, users]}\n"),
                "test.yaml:6:25: error: faults[0]: partition: expected a list of sides, each a "
                "list of nodes, not a list of nodes\n"
                "test.yaml:6:25: note: [[web], [users]] cuts web from users (in both "
                "directions); [[web], [users, db]] cuts web from both; nodes on no side are not "
                "affected");
    expect_only(refused(BASE "faults:\n  - {at: 1s, partition: [[web]]}\n"),
                "test.yaml:6:25: error: faults[0]: partition: one side cuts nothing (nodes on no "
                "side are not affected): give two sides or more\n"
                "test.yaml:6:25: note: to cut a node from every other, list the others on a "
                "second side: [[web], [users, db]]");
}
