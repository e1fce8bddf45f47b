/* Budgets and output (contract §6, v1.1): a topology too big for the memory allowed is refused
 * before anything is built, --max-events and --max-wall stop a run cleanly, each with exit
 * status 4, a message saying which budget and when, and no result file; the stall detector
 * lets the largest valid topologies start but still catches a loop with no delay; the result
 * goes through a FIFO instead of replacing it, and output lost on stdout fails the run.
 * The built executable ($DSIM) runs in a child in a fresh temporary directory, under an
 * address-space limit and an alarm, so that no regression can hang the suite or exhaust the
 * machine. */
#include "sandbox.h"
#include "support.h"

#include "engine.h"
#include "footprint.h"
#include "human.h"
#include "json_report.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static t_sandbox sb;

static void setup(void) { t_sandbox_open(&sb, "budgets"); }

static void teardown(void) { t_sandbox_close(&sb); }

/* One timeout for the suite: per-test timeouts leak inside criterion 2.4 when tests run in
 * parallel (LeakSanitizer), and every child dsim is bounded by its own alarm anyway. */
TestSuite(budgets, .init = setup, .fini = teardown, .timeout = 600);

/* Asserts that dsim left nothing but the topologies (*.yaml) and dotfiles in its directory. */
static void expect_no_result(void) {
    char **names = t_work_names(&sb, NULL);
    size_t len = 1;
    for (size_t i = 0; names[i]; i++)
        len += 1 + strlen(names[i]);
    char *got = malloc(len);
    cr_assert(got);
    got[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        size_t n = strlen(names[i]);
        if (names[i][0] == '.' || (n > 5 && strcmp(names[i] + n - 5, ".yaml") == 0))
            continue;
        strcat(strcat(got, " "), names[i]);
    }
    t_names_free(names);
    cr_expect_str_empty(got, "dsim left:%s", got);
    free(got);
}

#define DSIM(...) t_dsim(&sb, (t_limits){0}, __VA_ARGS__, (const char *)NULL)
#define DSIM_LIMITED(lim, ...) t_dsim(&sb, lim, __VA_ARGS__, (const char *)NULL)

static void expect_status(const t_result *r, int status) {
    cr_assert_eq(r->status, status,
                 "exit status %d (signal %d), expected %d\nstdout:\n%s\nstderr:\n%s", r->status,
                 r->signal, status, r->out, r->err);
}

static void expect_err(const t_result *r, const char *text) {
    cr_expect(strstr(r->err, text), "stderr lacks '%s':\n%s", text, r->err);
}

static const char mm1[] = "duration: 200s\n"
                          "nodes:\n"
                          "  users: {kind: client, target: web, rate: 8/s}\n"
                          "  web: {kind: service, service: {dist: exponential, mean: 100ms}}\n";

/* ---- memory ---- */

/* 1e4 instances of 1e6 workers each (28 B a worker: about 261 GiB) used to run out of memory
 * while the engine was being built, after seconds, and exit 1 saying nothing. Refused now
 * before anything is built, under 1 GiB of address space and well inside the alarm. The
 * machine's default limit refused it, not a budget the user set: the input is too big for
 * this machine, exit 2 (contract §6: 4 is for --max-* budgets), with a note on raising the
 * limit; the same refusal under --max-memory is the user's budget, exit 4. */
Test(budgets, a_huge_database_is_refused_at_once_naming_the_costly_keys) {
    t_write_work(&sb, "db.yaml",
                 "duration: 10s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: db, rate: 100/s}\n"
                 "  db: {kind: database, replicas: 10000, workers: 1000000, service: 1ms}\n");
    t_result r = DSIM_LIMITED(((t_limits){.address_space = (rlim_t)1 << 30, .alarm_s = 20}), "run",
                              "db.yaml", "--json", "out.json");
    expect_status(&r, 2);
    /* At the costliest node's name (line 4, column 3), as every input error (contract §1). */
    expect_err(&r, "db.yaml:4:3: error: the run needs about ");
    expect_err(&r, " allowed by default (80% of ");
    expect_err(&r, "db.yaml:4:3: note: nodes.db: replicas 10000 x workers 1000000: about 2");
    expect_err(&r, " GiB\n");
    expect_err(&r, "db.yaml: note: --max-memory SIZE raises the limit\n");
    cr_expect(!strstr(r.err, "nodes.users"), "the client's share is too small to name:\n%s", r.err);
    cr_expect(!strstr(r.err, "the process itself"), "the fixed part is too small to name:\n%s",
              r.err);
    expect_no_result();
    t_result_free(&r);

    r = DSIM_LIMITED(((t_limits){.address_space = (rlim_t)1 << 30, .alarm_s = 20}), "run",
                     "db.yaml", "--json", "out.json", "--max-memory", "10G");
    expect_status(&r, 4);
    expect_err(&r, "db.yaml:4:3: error: the run needs about 262 GiB of memory, more than "
                   "--max-memory 10G\n");
    cr_expect(!strstr(r.err, "raises the limit"), "the user set the limit:\n%s", r.err);
    expect_no_result();
    t_result_free(&r);
}

Test(budgets, max_memory_takes_sizes_with_binary_suffixes) {
    t_write_work(&sb, "mm1.yaml", mm1);
    static const char *const good[] = {"512M", "4G", "1.5GiB", "100000000", "64m", "1T", "20MB"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        t_result r = DSIM("run", "mm1.yaml", "--quiet", "--max-memory", good[i]);
        cr_expect_eq(r.status, 0, "--max-memory %s: status %d\n%s", good[i], r.status, r.err);
        t_result_free(&r);
    }
    static const char *const bad[] = {"abc", "-1", "0", "5X", "", "4GG", "0.5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        t_result r = DSIM("run", "mm1.yaml", "--quiet", "--max-memory", bad[i]);
        cr_expect_eq(r.status, 2, "--max-memory '%s': status %d\n%s", bad[i], r.status, r.err);
        cr_expect(strstr(r.err, "--max-memory"), "--max-memory '%s': %s", bad[i], r.err);
        t_result_free(&r);
    }
}

/* The estimate of the smallest topology is a few MiB, nearly all of it the process itself
 * (4 MiB): 1M and 1K refuse it, and the notes name that fixed part, not the 2.77 KiB of the
 * costliest group as the only share (which could not explain the refusal). */
Test(budgets, a_too_small_max_memory_refuses_a_small_topology_naming_the_fixed_part) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--json", "out.json", "--max-memory", "1M");
    expect_status(&r, 4);
    expect_err(&r, "mm1.yaml: error: the run needs about ");
    expect_err(&r, "more than --max-memory 1M\n");
    expect_err(&r, "mm1.yaml: note: the process itself (code, libraries, the engine's fixed "
                   "tables): about 4 MiB\n");
    cr_expect(!strstr(r.err, "mm1.yaml: note: nodes."), "a share under 1%% is named:\n%s", r.err);
    cr_expect(!strstr(r.err, "raises the limit"), "the user set the limit:\n%s", r.err);
    expect_no_result();
    t_result_free(&r);
    t_write_work(&sb, "web.yaml",
                 "duration: 10s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, rate: 8/s}\n"
                 "  web: {kind: service, workers: 2, service: 100ms}\n");
    r = DSIM("run", "web.yaml", "--max-memory", "1K");
    expect_status(&r, 4);
    expect_err(&r, "web.yaml: note: the process itself (code, libraries, the engine's fixed "
                   "tables): about 4 MiB\n");
    t_result_free(&r);
}

/* The fixed part of the estimate takes its place among the costliest groups: after a group
 * bigger than it, before the smaller ones; a group under 1% of the whole is not named. */
Test(budgets, the_fixed_part_is_listed_in_its_place_by_size) {
    t_write_work(&sb, "users.yaml",
                 "duration: 1s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, users: 1000000}\n"
                 "  web: {kind: service, service: 1ms}\n");
    t_result r = DSIM("run", "users.yaml", "--max-memory", "1M");
    expect_status(&r, 4);
    const char *users = strstr(r.err, "users.yaml:3:3: note: nodes.users: users 1000000: about ");
    const char *fixed = strstr(r.err, "users.yaml: note: the process itself");
    cr_expect(users && fixed && users < fixed, "users first, then the fixed part:\n%s", r.err);
    cr_expect(!strstr(r.err, "nodes.web"), "a share under 1%% is named:\n%s", r.err);
    t_result_free(&r);
}

/* The refusals write sizes with the summary's formatter (one for the whole command), in
 * powers of 1024 up to PiB: an estimate of petabytes reads as such, not as "3,072 TiB" (no
 * EiB: its E would read as an exponent). */
Test(budgets, sizes_are_written_in_binary_units_up_to_pib) {
    char b[DSIM_HUMAN_MAX];
    cr_expect_str_eq(dsim_human_bytes(b, 4.0 * 1024 * 1024), "4 MiB");
    cr_expect_str_eq(dsim_human_bytes(b, 2836), "2.77 KiB");
    cr_expect_str_eq(dsim_human_bytes(b, 262.0 * 1024 * 1024 * 1024), "262 GiB");
    cr_expect_str_eq(dsim_human_bytes(b, 3.0 * 1024 * 1024 * 1024 * 1024 * 1024), "3 PiB");
    cr_expect_str_eq(dsim_human_bytes(b, 5.0 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024),
                     "5,120 PiB");
}

/* Running out of memory is always said, exit 1 (a failure of dsim or the machine, not of the
 * input), with no result: here while the engine is built (the estimate allowed it: 2.6 GiB
 * under --max-memory 100G, but only 400 MB of address space) and during a run whose waiting
 * room grows without bound (1000 requests/s at a service of 100/s) under 200 MB. */
Test(budgets, out_of_memory_is_always_said) {
    if (t_sanitized()) { /* (cr_skip_test and cr_log_warn make criterion exit 1 or leak) */
        fputs("budgets: out of memory not checked: the sanitizers need an unbounded address "
              "space\n",
              stderr);
        return;
    }
    t_write_work(&sb, "db.yaml",
                 "duration: 1ms\n"
                 "nodes:\n"
                 "  users: {kind: client, target: db, rate: 1/s}\n"
                 "  db: {kind: database, replicas: 1000, workers: 100000, service: 1ms}\n");
    t_result r = DSIM_LIMITED(((t_limits){.address_space = 400u << 20}), "run", "db.yaml", "--json",
                              "out.json", "--max-memory", "100G");
    expect_status(&r, 1);
    expect_err(&r, "dsim: out of memory while creating the engine (estimated to need about 2.");
    expect_no_result();
    t_result_free(&r);
    t_write_work(&sb, "grow.yaml",
                 "duration: 100000s\n"
                 "nodes:\n"
                 "  users: {kind: client, target: web, rate: 1000/s}\n"
                 "  web: {kind: service, service: 10ms}\n");
    r = DSIM_LIMITED(((t_limits){.address_space = 200u << 20}), "run", "grow.yaml", "--json",
                     "out.json");
    expect_status(&r, 1);
    expect_err(&r, "dsim: the run failed: out of memory at ");
    expect_no_result();
    t_result_free(&r);
}

/* ---- events and wall clock ---- */

Test(budgets, max_events_stops_the_run_with_status_4_and_no_file) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--json", "out.json", "--max-events", "1000");
    expect_status(&r, 4);
    expect_err(&r, "dsim: --max-events 1000 stopped the run at ");
    expect_err(&r, " s of simulated time (of 200 s), after 1000 events; no result written\n");
    cr_expect_str_empty(r.out, "a stopped run prints no summary:\n%s", r.out);
    expect_no_result();
    t_result_free(&r);
}

/* A budget exactly as large as the run is not a stop: it ends normally. */
Test(budgets, max_events_equal_to_the_run_lets_it_finish) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "out.json");
    expect_status(&r, 0);
    char p[256];
    t_path_in(p, sizeof p, sb.work, "out.json");
    char *text = t_slurp(p);
    cJSON *doc = cJSON_Parse(text);
    cr_assert(doc);
    char events[32];
    snprintf(events, sizeof events, "%.0f", cJSON_GetObjectItem(doc, "events")->valuedouble);
    cJSON_Delete(doc);
    unlink(p);
    t_result_free(&r);

    r = DSIM("run", "mm1.yaml", "--quiet", "--json", "out.json", "--max-events", events);
    expect_status(&r, 0);
    char *again = t_slurp(p);
    cr_expect_str_eq(again, text, "the budget changed the result");
    free(again);
    free(text);
    t_result_free(&r);

    r = DSIM("run", "mm1.yaml", "--quiet", "--max-events", "abc");
    expect_status(&r, 2);
    t_result_free(&r);
    r = DSIM("validate", "mm1.yaml", "--max-events", "10");
    expect_status(&r, 2);
    expect_err(&r, "--max-events 10: error: validate runs nothing: budgets are for runs\n");
    t_result_free(&r);
}

/* A run that would take days of wall clock (1e5 simulated hours at 8 requests a second)
 * stops at the wall budget. Only the status and the message are checked, not the time. */
Test(budgets, max_wall_stops_a_long_run_with_status_4_and_no_file) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_result r = DSIM_LIMITED(((t_limits){.alarm_s = 40}), "run", "mm1.yaml", "--json", "out.json",
                              "--set", "duration=100000h", "--max-wall", "1s");
    expect_status(&r, 4);
    expect_err(&r, "dsim: --max-wall 1s stopped the run after ");
    expect_err(&r, " s of simulated time (of 360000000 s), after ");
    expect_no_result();
    t_result_free(&r);

    r = DSIM("run", "mm1.yaml", "--quiet", "--max-wall", "10");
    expect_status(&r, 2);
    expect_err(&r, "--max-wall");
    t_result_free(&r);
}

/* ---- the stall detector ---- */

/* Closed-loop users with no think time all issue at time 0: the events of that first
 * instant per event source (a user's timer, a node) must stay well inside the stall rule's 64
 * per source, or the largest topologies the loader accepts (1e7 users) would be taken for a
 * zero-delay loop. The ratio does not depend on the number of users, so 100,000 show it (the
 * 1e7 case itself takes a minute and 2.7 GB, too long for the suite). */
Test(budgets, users_issuing_at_once_stay_inside_the_stall_rule) {
    enum { USERS = 100000 };
    sim_topology *t = t_load("duration: 10s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: web, users: 100000, timeout: 1s}\n"
                             "  web: {kind: service, service: 1ms, workers: 1000}\n",
                             NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_assert_eq(sim_engine_run_until(e, 1), 0, "the first instant failed: %s",
                 sim_engine_error(e));
    uint64_t sources = USERS + 2;
    uint64_t at_zero = sim_engine_events(e);
    cr_expect_geq(at_zero, USERS, "every user issues at time 0");
    cr_expect_leq(at_zero, 4 * sources, "%llu events at time 0 for %llu sources",
                  (unsigned long long)at_zero, (unsigned long long)sources);
    uint64_t rule = 64 * sources > ((uint64_t)1 << 24) ? 64 * sources : (uint64_t)1 << 24;
    cr_expect_eq(sim_engine_stall_events(e), rule);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* A real loop with no delay (users with no think time and no latency retrying a node that
 * refuses at once from 1 s on) is still stopped, as bad input, with the engine's explanation:
 * the time it stopped at and the rule (the only test of the stall rule on a real loop: 2^24
 * events, 20 s under ASan). */
Test(budgets, a_zero_delay_loop_is_still_caught) {
    static const char loop[] = "duration: 10s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, users: 2, timeout: 100ms}\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 1s, crash: web}\n";
    t_write_work(&sb, "loop.yaml", loop);
    /* the rule as the engine builds it for this topology (read from it, not copied) */
    sim_topology *t = t_load(loop, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    char rule[96];
    snprintf(rule, sizeof rule, " s: over %llu events at that one instant, a loop with no delay",
             (unsigned long long)sim_engine_stall_events(e));
    sim_engine_free(e);
    sim_topology_free(t);
    t_result r =
        DSIM_LIMITED(((t_limits){.alarm_s = 110}), "run", "loop.yaml", "--json", "out.json");
    expect_status(&r, 2);
    expect_err(&r, "loop.yaml: error: the run stopped: simulated time stopped at 1.0");
    expect_err(&r, rule);
    expect_no_result();
    t_result_free(&r);
}

/* ---- the engine's side ---- */

/* A run stopped by the event budget goes on from where it stopped when run again: the
 * document is byte-identical to that of a run never stopped (determinism holds across it). */
Test(budgets, engine_resumes_a_run_stopped_by_max_events_identically) {
    char *whole = t_run_text(mm1, 7);
    sim_topology *t = t_load(mm1, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 7);
    cr_assert(e);
    sim_engine_set_max_events(e, 1234);
    cr_expect_eq(sim_engine_run(e), 1);
    cr_expect_eq(sim_engine_events(e), 1234);
    cr_expect_lt(sim_engine_now(e), t->duration);
    cr_expect_null(sim_engine_error(e));
    sim_engine_set_max_events(e, 0);
    cr_expect_eq(sim_engine_run(e), 0);
    cJSON *doc = dsim_json_report(e);
    char *resumed = dsim_json_render(doc);
    cr_expect_str_eq(resumed, whole);
    free(resumed);
    cJSON_Delete(doc);
    sim_engine_free(e);
    sim_topology_free(t);
    free(whole);
}

/* The threshold grows with the work a topology starts with: 64 events per instance and per
 * event pending after creation (here 1e6 users: 1e6 think timers), at least 2^24. */
Test(budgets, stall_threshold_scales_with_the_work_at_the_start) {
    sim_topology *t = t_load(mm1, NULL, 0, NULL);
    cr_assert(t);
    sim_engine *e = sim_engine_new(t, 1);
    cr_assert(e);
    cr_expect_eq(sim_engine_stall_events(e), (uint64_t)1 << 24);
    sim_engine_free(e);
    sim_topology_free(t);
    t = t_load("duration: 1s\n"
               "nodes:\n"
               "  users: {kind: client, target: web, users: 1000000}\n"
               "  web: {kind: service, service: 1ms}\n",
               NULL, 0, NULL);
    cr_assert(t);
    e = sim_engine_new(t, 1);
    cr_assert(e);
    uint64_t sources = 1000000 + 2; /* the users' timers and the two nodes */
    cr_expect_eq(sim_engine_stall_events(e), 64 * sources);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* The estimate follows the keys: 1e3 x 1e6 workers of a database are 28 B a worker, and the
 * costliest group comes first with the key that drives it. */
Test(budgets, footprint_names_the_costliest_group_and_key) {
    sim_topology *t = t_load("duration: 1s\n"
                             "nodes:\n"
                             "  users: {kind: client, target: db, rate: 1/s}\n"
                             "  db: {kind: database, replicas: 1000, workers: 1000000, "
                             "service: 1ms}\n",
                             NULL, 0, NULL);
    cr_assert(t);
    sim_footprint f = sim_footprint_estimate(t);
    cr_assert_geq(f.ntop, 2);
    cr_expect_str_eq(f.top[0].group, "db");
    cr_expect_eq(f.top[0].replicas, 1000);
    cr_expect_str_eq(f.top[0].key, "workers");
    cr_expect_eq(f.top[0].value, 1e6);
    double workers = 1000 * 1e6 * 28;
    cr_expect(f.top[0].bytes >= workers && f.top[0].bytes < 1.01 * workers, "%g", f.top[0].bytes);
    cr_expect_str_eq(f.top[1].group, "users");
    cr_expect(f.bytes > f.top[0].bytes + f.top[1].bytes);
    sim_topology_free(t);
}

/* ---- output ---- */

/* The result document written to a FIFO goes through it to its reader, and the FIFO is still
 * a FIFO afterwards (it used to be replaced by a regular file, as /dev/null was as root). */
Test(budgets, json_to_a_fifo_goes_through_it_and_leaves_it_a_fifo) {
    t_write_work(&sb, "mm1.yaml", mm1);
    char fifo[256], got[256];
    t_path_in(fifo, sizeof fifo, sb.work, "pipe");
    t_path_in(got, sizeof got, sb.root, "from_pipe.json");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    fflush(NULL);
    pid_t reader = fork();
    cr_assert_neq(reader, -1);
    if (reader == 0) {
        alarm(30); /* a reader left waiting must not outlive the test */
        int in = open(fifo, O_RDONLY), out = open(got, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        char buf[4096];
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(in >= 0 && out >= 0 ? 0 : 1);
    }
    t_result r = DSIM("run", "mm1.yaml", "--quiet", "--json", "pipe");
    /* Release the reader if dsim never opened the FIFO (it then reads nothing). */
    int w = open(fifo, O_WRONLY | O_NONBLOCK);
    if (w >= 0)
        close(w);
    int ws;
    while (waitpid(reader, &ws, 0) < 0)
        ;
    expect_status(&r, 0);
    struct stat st;
    cr_assert_eq(lstat(fifo, &st), 0);
    cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced (mode %o)", (unsigned)st.st_mode);
    char *text = t_slurp(got);
    cJSON *doc = cJSON_Parse(text);
    cr_expect(doc, "the reader did not receive the document: '%.200s'", text);
    cr_expect(cJSON_GetObjectItem(doc, "requests"), "not a result document");
    cJSON_Delete(doc);
    free(text);
    t_result_free(&r);
}

/* Output lost on stdout (here /dev/full: every write fails with ENOSPC) used to exit 0. */
Test(budgets, output_lost_on_stdout_exits_1_with_a_message) {
    t_write_work(&sb, "mm1.yaml", mm1);
    t_limits full = {.stdout_path = "/dev/full"};
    t_result r = DSIM_LIMITED(full, "run", "mm1.yaml", "--json", "out.json");
    expect_status(&r, 1);
    expect_err(&r, "dsim: cannot write to stdout: No space left on device\n");
    expect_no_result();
    t_result_free(&r);

    r = DSIM_LIMITED(full, "run", "mm1.yaml", "--json", "-");
    expect_status(&r, 1);
    expect_err(&r, "dsim: cannot write to stdout: ");
    t_result_free(&r);

    static const char *const cmds[][2] = {{"validate", "mm1.yaml"},
                                          {"kinds", NULL},
                                          {"kinds", "service"},
                                          {"--help", NULL},
                                          {"--version", NULL}};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        r = DSIM_LIMITED(full, cmds[i][0], cmds[i][1]);
        cr_expect_eq(r.status, 1, "%s %s > /dev/full: status %d", cmds[i][0],
                     cmds[i][1] ? cmds[i][1] : "", r.status);
        cr_expect(strstr(r.err, "dsim: cannot write to stdout: "), "%s: stderr '%s'", cmds[i][0],
                  r.err);
        t_result_free(&r);
    }
    cr_expect(!t_work_has(&sb, "out.json"));
}
