/* The dsim command (contract §6): run and validate topologies, list node kinds.
 * Exit status: 0 success; 2 the input (file or arguments) is at fault, or too big for the
 * machine's default memory limit; 3 an `expect:` failed (the document is written); 4 a budget the
 * user set (--max-memory, --max-events,
 * --max-wall) stopped the run; 1 a failure of dsim itself (out of memory, output lost). */
#include "arg_error.h"
#include "budget.h"
#include "compare_cmd.h"
#include "report_cmd.h"
#include "shrink_cmd.h"
#include "engine.h"
#include "run_seed.h"
#include "footprint.h"
#include "graph_dot.h"
#include "human.h"
#include "elle_history.h"
#include "json_report.h"
#include "transactions.h"
#include "kinds_doc.h"
#include "loader.h"
#include "models.h"
#include "output.h"
#include "run_options.h"
#include "series_out.h"
#include "strfmt.h"
#include "suggest.h"
#include "summary.h"
#include "sweep_cmd.h"
#include "sweep_mpi.h"
#include "warmup_auto.h"
#include "units.h"
#include "wiring.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_INPUT = 2, EXIT_EXPECT = 3, EXIT_BUDGET = 4 };

static const char usage[] =
    "usage: dsim run FILE [--seed N] [--set PATH=VALUE]... [--json OUT] [--history OUT]\n"
    "                [--quiet] [--verbose]\n"
    "                [--max-memory SIZE] [--max-events N] [--max-wall DURATION]\n"
    "                [--series DURATION] [--series-csv OUT]\n"
    "       dsim validate FILE [--set PATH=VALUE]...\n"
    "       dsim sweep FILE [--set PATH=VALUE]... [--vary PATH=V1,V2,...]...\n"
    "                [--seeds N | --seeds A..B] [--jobs N] [--quiet] --out DIR\n"
    "       dsim compare A.yaml [B.yaml] [--set-a PATH=V]... [--set-b PATH=V]...\n"
    "                [--set PATH=V]... [--seeds N | --seeds A..B] [--jobs N]\n"
    "                [--json OUT] [--report OUT.html]\n"
    "       dsim shrink FILE [--seed N] [--set PATH=VALUE]... [--max-runs N]\n"
    "                [--max-events N] [--max-wall DURATION] [--quiet]\n"
    "       dsim graph FILE [--set PATH=VALUE]...\n"
    "       dsim report INPUT... [--metric PATH]... -o OUT\n"
    "       dsim kinds [KIND] [--markdown]\n"
    "       dsim --help | --version\n"
    "\n"
    "  run       simulate FILE, print a summary, and write the result document to OUT\n"
    "            (OUT '-' writes it to stdout and the summary to stderr)\n"
    "  validate  check FILE only: exit 0, or 2 with one FILE:LINE:COL line per error\n"
    "  sweep     run every combination of the --vary values for every seed (default\n"
    "            --seeds 10 = 1..10), --jobs at a time (default: all cores), into DIR:\n"
    "            runs/CONFIG-sSEED.json, summary.json and summary.csv (mean, stddev,\n"
    "            95% interval); rerun the same command to resume a stopped sweep\n"
    "  compare   run A and B (B: A with the --set-b overrides) on the same seeds\n"
    "            (default --seeds 10) and print the metrics that differ most: paired\n"
    "            difference B - A, its 95% interval, relative change (--json OUT: every\n"
    "            metric; --report OUT.html: the page dsim report draws of it)\n"
    "  shrink    when FILE's run for the seed fails an expect, shrink the faults its\n"
    "            nemesis drew to a 1-minimal list that still fails (delta debugging) and\n"
    "            print it on stdout as a faults: block (exit 3; 0 when every expect\n"
    "            holds: nothing to shrink; --max-runs N caps the runs, --max-wall\n"
    "            DURATION the time)\n"
    "  graph     print FILE's topology as a Graphviz DOT digraph on stdout (groups and the\n"
    "            references between them, by type); errors as validate\n"
    "  report    write one self-contained HTML page to OUT (atomically; - for stdout) of the\n"
    "            INPUTs: run documents (--json OUT of dsim run; several are drawn side by\n"
    "            side), compare documents, sweep folders: figures, latency CDFs, time\n"
    "            series with the faults shaded, expect verdicts, the topology; a sweep:\n"
    "            metrics vs each --vary axis with 95% bars (--metric PATH chooses them); a\n"
    "            compare: pooled CDFs and the paired-difference table\n"
    "  kinds     list the node kinds, or every key of KIND with its type and default\n"
    "            (--markdown: the reference tables of docs/kinds.md)\n"
    "\n"
    "  --seed N          master seed (overrides the file's `seed`)\n"
    "  --set PATH=VALUE  override a scalar, e.g. --set nodes.web.workers=4 (repeatable)\n"
    "  --json OUT        write the JSON result document to OUT (atomically; a device or\n"
    "                    FIFO is written into, never replaced)\n"
    "  --quiet           print no summary\n"
    "  --verbose         add the engine's figures to the summary (events/s, pending events)\n"
    "  --max-memory SIZE refuse a run estimated to need more (512M, 4G; default 80% of the\n"
    "                    machine's memory)\n"
    "  --max-events N    stop the run after N events\n"
    "  --max-wall DURATION  stop the run after this much wall-clock time (90s, 5m)\n"
    "  --series DURATION sample time series every DURATION of simulated time (overrides\n"
    "                    the file's `series`): \"series\" in the result document\n"
    "  --series-csv OUT  write the time series as CSV to OUT (atomically; - for stdout)\n"

    "\n"
    "exit status: 0 success, 2 bad input (file or arguments, or a run over the default\n"
    "memory limit), 3 an expect: of FILE failed (the result document is written),\n"
    "4 a --max-* budget you set stopped the run (no result document),\n"
    "1 a failure of dsim itself\n";

typedef struct options {
    const char *command, *file, *json;
    dsim_run_options run; /* --seed, --set */
    bool quiet, verbose, markdown;
    double max_memory;   /* bytes; 0: the machine's default */
    uint64_t max_events; /* 0: none */
    double max_wall;     /* seconds; 0: none */
    const char *max_memory_arg, *max_events_arg, *max_wall_arg; /* as given, for messages */
    sim_time series;         /* --series; 0: the file's */
    const char *series_csv;  /* --series-csv OUT */
    const char *history;     /* --history OUT: the clients' transactions for Elle */
} options;

/* Parses argv into o; returns EXIT_OK or the exit status for a usage error. */
static int parse_args(int argc, char **argv, options *o) {
    o->command = argv[1];
    o->run.sets = calloc((size_t)argc, sizeof *o->run.sets);
    if (!o->run.sets) {
        fputs("dsim: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        int taken = dsim_run_option(argc, argv, &i, &o->run);
        if (taken >= 0) {
            if (taken)
                return taken;
        } else if (strcmp(a, "--json") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a file name (or - for stdout) after it");
            o->json = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(a, "--markdown") == 0) {
            o->markdown = true;
        } else if (strcmp(a, "--max-memory") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a size such as 512M or 4G after it");
            o->max_memory_arg = argv[++i];
            if (dsim_parse_size(o->max_memory_arg, &o->max_memory))
                return dsim_bad_option_value(a, o->max_memory_arg,
                                             "expected a size such as 512M or 4G");
        } else if (strcmp(a, "--max-events") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a whole number >= 1 after it");
            o->max_events_arg = argv[++i];
            if (dsim_parse_count(o->max_events_arg, &o->max_events))
                return dsim_bad_option_value(a, o->max_events_arg, "expected a whole number >= 1");
        } else if (strcmp(a, "--max-wall") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a duration > 0 such as 90s or 5m after it");
            o->max_wall_arg = argv[++i];
            if (dsim_parse_wall(o->max_wall_arg, &o->max_wall))
                return dsim_bad_option_value(a, o->max_wall_arg,
                                             "expected a duration > 0 such as 90s or 5m");
        } else if (strcmp(a, "--series") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a duration > 0 such as 1s after it");
            const char *v = argv[++i];
            if (sim_parse_duration(v, &o->series) || o->series <= 0)
                return dsim_bad_option_value(a, v, "expected a duration > 0 such as 1s");
        } else if (strcmp(a, "--history") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a file name (or - for stdout) after it");
            o->history = argv[++i];
        } else if (strcmp(a, "--series-csv") == 0) {
            if (!has_value)
                return dsim_bad_arg(a, NULL, "expected a file name (or - for stdout) after it");
            o->series_csv = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            static const char *const known[] = {"--seed",       "--set",      "--json",
                                                "--quiet",      "--verbose",  "--max-memory",
                                                "--max-events", "--max-wall", "--markdown",
                                                "--series",     "--series-csv", "--history", NULL};
            return dsim_unknown_word(a, "option", known);
        } else if (!o->file) {
            o->file = a;
        } else {
            return dsim_bad_arg(a, dsim_see_help, "unexpected argument: the topology FILE is '%s'",
                                o->file);
        }
    }
    return EXIT_OK;
}

/* Loads the topology; NULL with the problems printed and *status set (2: the input's fault;
 * 1: out of memory before the loader could start). */
static sim_topology *load(const options *o, int *status) {
    *status = EXIT_INPUT;
    sim_diag *diag = sim_diag_new(o->file);
    if (!diag) {
        fputs("dsim: out of memory\n", stderr);
        *status = EXIT_INTERNAL;
        return NULL;
    }
    sim_topology *t = sim_load_file(o->file, o->run.sets, o->run.nsets, dsim_kinds, diag);
    for (size_t i = 0; i < sim_diag_count(diag); i++)
        fprintf(stderr, "%s\n", sim_diag_message(diag, i));
    sim_diag_free(diag);
    return t;
}

typedef struct progress {
    struct timespec start, last;
    bool shown, on_terminal;
    double max_wall; /* seconds; 0: none */
    bool wall_spent; /* max_wall stopped the run */
    sim_engine *engine;
    bool history; /* --history: the transactions checker keeps the history */
} progress;

static double seconds_since(const struct timespec *t) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) * 1e-9;
}

/* Stops the run once --max-wall is spent; on a terminal, a progress line once the run has
 * taken a second, refreshed twice a second. */
static void show_progress(void *ud, sim_time now, sim_time end) {
    progress *p = ud;
    if (p->max_wall > 0 && seconds_since(&p->start) >= p->max_wall) {
        p->wall_spent = true;
        sim_engine_stop(p->engine);
    }
    if (!p->on_terminal || seconds_since(&p->start) < 1.0 || seconds_since(&p->last) < 0.5)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    fprintf(stderr, "\rsimulated %.3f s of %.3f s (%.0f%%) ", sim_time_s(now), sim_time_s(end),
            end > 0 ? 100.0 * (double)now / (double)end : 100.0);
    p->shown = true;
}

/* The run's cost: its wall-clock time (what a user planning bigger runs wants to know), and
 * with verbose the engine's internals: its speed and the memory its pending events hold. */
static void print_engine(FILE *out, const sim_engine *e, double wall, bool verbose) {
    char t[DSIM_HUMAN_MAX], r[DSIM_HUMAN_MAX], a[DSIM_HUMAN_MAX], b[DSIM_HUMAN_MAX],
        c[DSIM_HUMAN_MAX];
    double events = (double)sim_engine_events(e);
    fprintf(out, "\nwall clock %s", dsim_human_ms(t, wall * 1000));
    if (verbose)
        fprintf(out, "  %s events/s", dsim_human_number(r, wall > 0 ? events / wall : 0));
    fputc('\n', out);
    sim_engine_memory mem = sim_engine_memory_use(e);
    if (verbose && mem.pending)
        fprintf(out, "pending events %s: %s event + %s queue each (event pool %s full of %s)\n",
                dsim_human_number(r, (double)mem.pending),
                dsim_human_bytes(t, (double)mem.event_size),
                dsim_human_bytes(a, (double)mem.queue_bytes / (double)mem.pending),
                dsim_human_percent(b, (double)(mem.pending * mem.event_size) /
                                          (double)mem.pool_bytes),
                dsim_human_bytes(c, (double)mem.pool_bytes));
}

/* Refuses, before anything is built, a run estimated to need more memory than the budget.
 * Returns EXIT_OK, or with the reason printed EXIT_BUDGET when the limit is the user's
 * (--max-memory), EXIT_INPUT when it is the machine's default: the input is too big for this
 * machine, and no budget the user set stopped it (contract §6). */
static int check_memory(const options *o, const sim_topology *topo, double *estimate) {
    const char *why = "--max-memory";
    double limit = o->max_memory > 0 ? o->max_memory : dsim_default_memory_limit(&why);
    sim_footprint f = sim_footprint_estimate(topo);
    *estimate = f.bytes;
    if (limit <= 0 || f.bytes <= limit)
        return EXIT_OK;
    char need[DSIM_HUMAN_MAX], have[DSIM_HUMAN_MAX];
    dsim_human_bytes(need, f.bytes);
    dsim_human_bytes(have, limit);
    /* The error points at the costliest node when a node is what costs most (contract §1:
     * FILE:LINE:COL); the notes point at each. */
    const sim_footprint_group *top = f.ntop ? &f.top[0] : NULL;
    if (top && top->line > 0 && top->bytes >= f.fixed)
        fprintf(stderr, "%s:%d:%d", o->file, top->line, top->col);
    else
        fputs(o->file, stderr);
    if (o->max_memory > 0) {
        fprintf(stderr, ": error: the run needs about %s of memory, more than --max-memory %s\n",
                need, o->max_memory_arg);
        dsim_print_footprint(stderr, o->file, &f);
        return EXIT_BUDGET;
    }
    fprintf(stderr,
            ": error: the run needs about %s of memory, more than the %s allowed by "
            "default (80%% of %s; --max-memory sets the limit)\n",
            need, have, why);
    dsim_print_footprint(stderr, o->file, &f);
    fprintf(stderr, "%s: note: --max-memory SIZE raises the limit\n", o->file);
    return EXIT_INPUT;
}

/* Says which budget stopped the run, and when. */
static void say_stopped(const options *o, const progress *p, const sim_engine *e,
                        const sim_topology *t) {
    if (p->wall_spent)
        fprintf(stderr, "dsim: --max-wall %s stopped the run after %.3f s of wall clock",
                o->max_wall_arg, seconds_since(&p->start));
    else
        fprintf(stderr, "dsim: --max-events %s stopped the run", o->max_events_arg);
    fprintf(stderr,
            " at %.9g s of simulated time (of %.9g s), after %llu events; no result "
            "written\n",
            sim_time_s(sim_engine_now(e)), sim_time_s(t->duration),
            (unsigned long long)sim_engine_events(e));
}

/* Sets up each engine of the run (the pilot's of `warmup: auto`, then the run's): the
 * progress line and --max-wall, whose clock started before the first. */
static void prepare_engine(void *ud, sim_engine *e) {
    progress *p = ud;
    if (p->shown) { /* the pilot's progress line */
        fputs("\r\033[K", stderr);
        p->shown = false;
    }
    p->engine = e;
    sim_engine_set_progress(e, show_progress, p);
    transactions *t = sim_engine_checker(e, &dsim_transactions_checker);
    if (p->history && t)
        transactions_keep_history(t);
}

/* Op i of the transactions checker's history (elle_op_fn). */
static void history_op(void *ud, size_t i, elle_op *op, elle_mop *room) {
    const transactions *t = ud;
    txns_op h = transactions_history_op(t, i);
    static const elle_type types[] = {[TXNS_OP_INVOKE] = ELLE_INVOKE, [TXNS_OP_OK] = ELLE_OK,
                                      [TXNS_OP_FAIL] = ELLE_FAIL, [TXNS_OP_INFO] = ELLE_INFO};
    *op = (elle_op){types[h.type], h.process, h.time, 0, room};
    for (size_t k = 0; k < h.nmops && k < ELLE_MAX_MOPS; k++) {
        const txns_mop *m = &h.mops[k];
        /* A read's value is known only in an ok completion; 0 is the initial state. */
        bool nil = m->f == 'r' && (h.type != TXNS_OP_OK || !m->known || m->value == 0);
        room[op->nmops++] = (elle_mop){m->f, m->key, transactions_key_name(t, m->key), nil,
                                       m->value};
    }
}

/* Writes --history: the transactions the clients saw, as an Elle history (docs/history.md).
 * Returns 0, or -1 with a message printed. */
static int write_history(const options *o, sim_engine *e) {
    transactions *t = sim_engine_checker(e, &dsim_transactions_checker);
    char *text = elle_history_json(t ? transactions_history_size(t) : 0, history_op, t);
    if (!text) {
        fputs("dsim: out of memory while writing the history\n", stderr);
        return -1;
    }
    int rc = strcmp(o->history, "-") == 0 ? dsim_output_stdout(text)
                                          : dsim_output_write(o->history, text);
    free(text);
    return rc;
}

/* Prints why the run (exp_run_seed's outcome r) gave no document, or gave one whose
 * expectations failed, and returns the exit status (contract §6): 3 an expectation failed;
 * 2 the input is at fault (an expect: or series_metrics path no run can have, a run too short
 * for `warmup: auto`, a loop with no delay); 4 a budget stopped it; 1 dsim failed. */
static int run_status(const options *o, const progress *p, const sim_topology *topo,
                      const exp_run_outcome *r, const sim_diag *diag, double estimate) {
    switch (r->status) {
    case EXP_RUN_OK:
        return EXIT_OK;
    case EXP_RUN_EXPECT_FAILED:
        return EXIT_EXPECT;
    case EXP_RUN_BAD_PATH:
        for (size_t i = 0; i < sim_diag_count(diag); i++)
            fprintf(stderr, "%s\n", sim_diag_message(diag, i));
        return EXIT_INPUT;
    case EXP_RUN_REFUSED: {
        char *why = exp_warmup_refusal(&r->choice);
        if (!why) {
            fputs("dsim: out of memory\n", stderr);
            return EXIT_INTERNAL;
        }
        fprintf(stderr, "%s: error: %s\n%s: note: %s\n", topo->warmup_where, why,
                topo->warmup_where, EXP_WARMUP_HINT);
        free(why);
        return EXIT_INPUT;
    }
    case EXP_RUN_BUDGET:
        say_stopped(o, p, r->engine, topo);
        return EXIT_BUDGET;
    case EXP_RUN_STALLED:
        fprintf(stderr, "%s: error: the run stopped: %s\n", o->file, r->why);
        return EXIT_INPUT;
    case EXP_RUN_FAILED:
        break;
    }
    if (!r->engine) {
        char need[DSIM_HUMAN_MAX];
        fprintf(stderr, "dsim: %s (estimated to need about %s)\n", r->why,
                dsim_human_bytes(need, estimate));
    } else if (sim_engine_error(r->engine)) {
        fprintf(stderr, "dsim: the run failed: %s\n", r->why);
    } else {
        fprintf(stderr, "dsim: %s\n", r->why);
    }
    return EXIT_INTERNAL;
}

/* Writes the series as CSV to --series-csv OUT (- : stdout). Returns 0, or -1 with a
 * message printed. */
static int write_series_csv(const options *o, const sim_engine *e) {
    const sim_series *s = sim_engine_series(e);
    char *csv = s ? dsim_series_csv(s) : NULL;
    if (!csv) {
        fputs("dsim: out of memory while writing the time series\n", stderr);
        return -1;
    }
    int rc = strcmp(o->series_csv, "-") == 0 ? dsim_output_stdout(csv)
                                              : dsim_output_write(o->series_csv, csv);
    free(csv);
    return rc;
}

static int run(const options *o) {
    int status;
    sim_topology *topo = load(o, &status);
    if (!topo)
        return status;
    if (o->json && strcmp(o->json, "-") != 0 && dsim_output_check(o->json)) {
        sim_topology_free(topo);
        return EXIT_INPUT;
    }
    if (o->series_csv && !o->series && !topo->series) {
        sim_topology_free(topo);
        return dsim_bad_option_value("--series-csv", o->series_csv,
                                     "there is no time series to write: give --series DURATION "
                                     "or the file's `series`");
    }
    if (o->series_csv && strcmp(o->series_csv, "-") != 0 && dsim_output_check(o->series_csv)) {
        sim_topology_free(topo);
        return EXIT_INPUT;
    }
    if (o->history && strcmp(o->history, "-") != 0 && dsim_output_check(o->history)) {
        sim_topology_free(topo);
        return EXIT_INPUT;
    }
    if (o->history && strcmp(o->history, "-") == 0 &&
        ((o->json && strcmp(o->json, "-") == 0) ||
         (o->series_csv && strcmp(o->series_csv, "-") == 0))) {
        sim_topology_free(topo);
        return dsim_bad_option_value("--history", o->history,
                                     "another output writes to stdout already: give one of "
                                     "them a file");
    }
    if (o->series_csv && o->json && strcmp(o->series_csv, "-") == 0 &&
        strcmp(o->json, "-") == 0) {
        sim_topology_free(topo);
        return dsim_bad_option_value("--series-csv", o->series_csv,
                                     "--json writes to stdout already: give one of them a file");
    }
    double estimate;
    sim_diag *diag = NULL;
    if ((status = check_memory(o, topo, &estimate)) != EXIT_OK || !(diag = sim_diag_new(o->file))) {
        if (status == EXIT_OK) {
            fputs("dsim: out of memory\n", stderr);
            status = EXIT_INTERNAL;
        }
        sim_topology_free(topo);
        return status;
    }
    progress p = {.on_terminal = isatty(STDERR_FILENO), .max_wall = o->max_wall,
                  .history = o->history != NULL};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    p.last = p.start;
    exp_run_options ro = {
        .max_events = o->max_events,
        .prepare = prepare_engine,
        .ud = &p,
        .series = o->series ? o->series : topo->series,
        .series_metrics = topo->series_metrics,
        .nseries_metrics = topo->nseries_metrics,
        .summary_only = !o->json, /* the summary needs no more */
        .keep_engine = true,      /* for its figures, its series and the budgets' messages */
    };
    exp_run_outcome r;
    exp_run_seed(topo, o->run.has_seed ? o->run.seed : topo->seed, &ro, diag, &r);
    double wall = seconds_since(&p.start);
    if (p.shown)
        fputs("\r\033[K", stderr);
    int verdict = run_status(o, &p, topo, &r, diag, estimate);
    sim_diag_free(diag);
    sim_engine *e = r.engine;
    char *text = NULL;
    status = verdict;
    if (verdict != EXIT_OK && verdict != EXIT_EXPECT)
        goto out;
    status = EXIT_INTERNAL;
    if (o->json && !(text = dsim_json_render(r.doc))) {
        fputs("dsim: out of memory while writing the result document\n", stderr);
        goto out;
    }
    bool json_to_stdout = o->json && strcmp(o->json, "-") == 0;
    bool to_stdout = json_to_stdout || (o->series_csv && strcmp(o->series_csv, "-") == 0) ||
                     (o->history && strcmp(o->history, "-") == 0);
    if (!o->quiet) {
        FILE *out = to_stdout ? stderr : stdout;
        dsim_summary_print(out, r.doc);
        print_engine(out, e, wall, o->verbose);
    }
    /* A summary lost (stdout full or closed) fails the run before any result is written. */
    if (!o->quiet && !to_stdout && dsim_output_flush_stdout())
        goto out;
    if (json_to_stdout) {
        if (dsim_output_stdout(text))
            goto out;
    } else if (o->json && dsim_output_write(o->json, text)) {
        goto out;
    }
    if (o->series_csv && write_series_csv(o, e))
        goto out;
    if (o->history && write_history(o, e))
        goto out;
    status = verdict;
out:
    free(text);
    cJSON_Delete(r.doc);
    sim_engine_free(e);
    sim_topology_free(topo);
    return status;
}

static int validate(const options *o) {
    int status;
    sim_topology *topo = load(o, &status);
    if (!topo)
        return status;
    if (topo->nexpects || topo->nseries_metrics) {
        /* Whether a path can exist depends on the built nodes (the report hooks' keys):
         * build them, run nothing; within the memory a run would be allowed. */
        double estimate;
        if ((status = check_memory(o, topo, &estimate)) != EXIT_OK) {
            sim_topology_free(topo);
            return status;
        }
        sim_diag *diag = sim_diag_new(o->file);
        int bad = diag ? exp_run_check_topology_paths(topo, diag) : -2;
        for (size_t i = 0; diag && i < sim_diag_count(diag); i++)
            fprintf(stderr, "%s\n", sim_diag_message(diag, i));
        sim_diag_free(diag);
        if (bad == -2)
            fputs("dsim: out of memory while creating the engine\n", stderr);
        status = bad == -2 ? EXIT_INTERNAL : bad ? EXIT_INPUT : EXIT_OK;
        if (status != EXIT_OK) {
            sim_topology_free(topo);
            return status;
        }
    }
    if (topo->nnemesis) /* the drawn faults depend on the seed: only the rules are known */
        printf("%s: ok (%zu nodes, %zu faults, %zu nemesis rule%s)\n", o->file, topo->nnodes,
               topo->nfaults, topo->nnemesis, topo->nnemesis == 1 ? "" : "s");
    else
        printf("%s: ok (%zu nodes, %zu faults)\n", o->file, topo->nnodes, topo->nfaults);
    sim_topology_free(topo);
    return EXIT_OK;
}

/* Prints the topology graph as DOT (graph_dot.h). */
static int graph(const options *o) {
    int status;
    sim_topology *topo = load(o, &status);
    if (!topo)
        return status;
    dsim_graph_dot(stdout, topo); /* a failed write is caught by the final flush */
    sim_topology_free(topo);
    return EXIT_OK;
}

/* Prints the kinds, or the key reference of one kind, as text or Markdown (kinds_doc.h). */
static int kinds(const options *o) {
    const sim_kind *k = NULL;
    if (o->file && !(k = sim_find_kind(dsim_kinds, o->file))) {
        const char *names[64];
        size_t n = 0;
        for (const sim_kind *const *q = dsim_kinds; *q && n + 1 < 64; q++)
            names[n++] = (*q)->name;
        names[n] = NULL;
        const char *near = sim_suggest_among(o->file, names);
        dsim_bad_arg(o->file, near ? NULL : "dsim kinds lists them", "no node kind called '%s'",
                     o->file);
        if (near)
            fprintf(stderr, "%s: note: did you mean '%s'?\n", o->file, near);
        return EXIT_INPUT;
    }
    int failed = o->markdown ? dsim_kinds_markdown(stdout, k, dsim_kinds)
                 : k        ? dsim_kinds_text(stdout, k, dsim_kinds)
                            : (dsim_kinds_list(stdout, dsim_kinds), 0);
    if (failed) {
        fputs("dsim: out of memory\n", stderr);
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* Refuses, as errors of the arguments, the options of a run given to a command that runs
 * nothing (validate, kinds), rather than ignoring them: a user who wrote them expected them
 * to do something. With no_topology (kinds) also --set, which validate applies to the file,
 * and the summary's --quiet and --verbose. Returns EXIT_OK or the status of the error. */
static int refuse_run_options(const options *o, bool no_topology) {
    const char *c = o->command;
    if (o->json)
        return dsim_bad_option_value("--json", o->json, "%s writes no result document", c);
    if (o->run.has_seed)
        return dsim_bad_option_value("--seed", o->run.seed_text,
                                     "%s runs nothing, so it takes no seed", c);
    if (o->max_memory_arg)
        return dsim_bad_option_value("--max-memory", o->max_memory_arg,
                                     "%s runs nothing: budgets are for runs", c);
    if (o->max_events_arg)
        return dsim_bad_option_value("--max-events", o->max_events_arg,
                                     "%s runs nothing: budgets are for runs", c);
    if (o->max_wall_arg)
        return dsim_bad_option_value("--max-wall", o->max_wall_arg,
                                     "%s runs nothing: budgets are for runs", c);
    if (o->series_csv)
        return dsim_bad_option_value("--series-csv", o->series_csv, "%s samples no time series", c);
    if (o->history)
        return dsim_bad_option_value("--history", o->history, "%s writes no history", c);
    if (o->series)
        return dsim_bad_arg("--series", NULL, "%s samples no time series", c);
    if (!no_topology)
        return EXIT_OK;
    if (o->run.nsets) {
        /* parse_args cut PATH=VALUE in two at the '=' */
        char *set = sim_strfmt("%s=%s", o->run.sets[0].path, o->run.sets[0].value);
        if (!set) {
            fputs("dsim: out of memory\n", stderr);
            return EXIT_INTERNAL;
        }
        int status = dsim_bad_option_value("--set", set, "%s reads no topology to set", c);
        free(set);
        return status;
    }
    if (o->quiet || o->verbose)
        return dsim_bad_arg(o->quiet ? "--quiet" : "--verbose", NULL, "%s prints no summary", c);
    return EXIT_OK;
}

/* --markdown belongs to kinds alone. */
static int refuse_markdown(const options *o) {
    if (o->markdown)
        return dsim_bad_arg("--markdown", NULL, "%s prints no reference: it goes with dsim kinds",
                            o->command);
    return EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return dsim_bad_arg("dsim", dsim_see_help,
                            "missing command (run, validate, graph or kinds)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return dsim_output_flush_stdout() ? EXIT_INTERNAL : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("dsim %s\n%s\n", DSIM_VERSION, exp_mpi_about());
        return dsim_output_flush_stdout() ? EXIT_INTERNAL : EXIT_OK;
    }
    if (strcmp(argv[1], "sweep") == 0) /* its own arguments (sweep_cmd.c) */
        return dsim_sweep_command(argc - 1, argv + 1);
    if (strcmp(argv[1], "compare") == 0) /* its own arguments (compare_cmd.c) */
        return dsim_compare_command(argc - 1, argv + 1);
    if (strcmp(argv[1], "report") == 0) /* its own arguments (report_cmd.c) */
        return dsim_report_command(argc - 1, argv + 1);
    if (strcmp(argv[1], "shrink") == 0) /* its own arguments (shrink_cmd.c) */
        return dsim_shrink_command(argc - 1, argv + 1);
    options o = {0};
    int status = parse_args(argc, argv, &o);
    if (status == EXIT_OK) {
        if (strcmp(o.command, "run") == 0 || strcmp(o.command, "validate") == 0 ||
            strcmp(o.command, "graph") == 0) {
            if ((status = refuse_markdown(&o)) != EXIT_OK)
                ;
            else if (!o.file)
                status = dsim_bad_arg(o.command, dsim_see_help, "expected a topology FILE");
            else if (o.command[0] == 'r')
                status = run(&o);
            else if ((status = refuse_run_options(&o, false)) != EXIT_OK)
                ;
            else if (o.command[0] == 'g')
                status = graph(&o);
            else
                status = validate(&o);
        } else if (strcmp(o.command, "kinds") == 0) {
            if ((status = refuse_run_options(&o, true)) == EXIT_OK)
                status = kinds(&o);
        } else {
            static const char *const known[] = {"run",     "validate", "sweep", "compare",
                                                "graph",   "kinds",    "report", "shrink", NULL};
            status = dsim_unknown_word(o.command, "command", known);
        }
    }
    free(o.run.sets);
    /* Whatever went to stdout (a validate line, the kinds, --help) must not be lost quietly. */
    if (status == EXIT_OK && dsim_output_flush_stdout())
        status = EXIT_INTERNAL;
    return status;
}
