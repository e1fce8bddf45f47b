/* dsim sweep's arguments (sweep_cmd.h). */
#include "sweep_cmd.h"

#include "arg_error.h"
#include "budget.h"
#include "models.h"
#include "output.h"
#include "seeds.h"
#include "suggest.h"
#include "sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More runs than this is a typo (--seeds 1..1000000000), not a sweep. */
#define MAX_RUNS 10000000u

static const char see_help[] = "dsim sweep --help shows the usage";

static const char usage[] =
    "usage: dsim sweep FILE [--set PATH=VALUE]... [--vary PATH=V1,V2,...]...\n"
    "                  [--seeds N | --seeds A..B] [--jobs N] [--quiet] --out DIR\n"
    "                  [--precision R --metric PATH [--max-seeds N]]\n"
    "\n"
    "Runs FILE for every combination of the --vary values (configs c0, c1, ..., the first\n"
    "axis slowest) and every seed (default --seeds 10: 1..10), --jobs at a time (default: all\n"
    "cores). Writes DIR/runs/CONFIG-sSEED.json (each run's document), DIR/summary.json and\n"
    "DIR/summary.csv (mean, stddev, Student-t 95% interval of every figure per config).\n"
    "Rerunning the same command on DIR resumes it; a DIR made otherwise is refused.\n"
    "--precision 0.05 --metric PATH adds seeds (the next numbers, in rounds) to every config\n"
    "whose 95% interval of PATH is wider than 5% of its mean (Law & Kelton's rule), up to\n"
    "--max-seeds (default 100) seeds a config.\n"
    "Under mpirun (-np N) the runs are spread over N ranks, rank 0 writing DIR\n"
    "(dsim --version says whether this dsim has MPI).\n"
    "exit status: 0 every run completed, 1 a run failed, 2 bad input\n";

/* The parts of one --vary PATH=V1,V2,... (values cut in place); the argument as given is
 * kept for messages. Returns 0 or the exit status of the error. */
static int parse_vary(char *spec, char **values_buf, exp_axis *ax) {
    size_t n = strlen(spec) + 1;
    char *arg = malloc(n + 7);
    if (!arg)
        return EXP_SWEEP_RUN_FAILED;
    memcpy(arg, "--vary ", 7);
    memcpy(arg + 7, spec, n);
    ax->arg = arg;
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return dsim_bad_arg(arg, NULL, "expected PATH=V1,V2,..., e.g. nodes.web.workers=1,2,4");
    *eq = '\0';
    ax->path = spec;
    char *v = eq + 1;
    size_t count = 1;
    for (char *p = v; *p; p++)
        count += *p == ',';
    const char **values = calloc(count, sizeof *values);
    if (!values)
        return EXP_SWEEP_RUN_FAILED;
    *values_buf = (char *)values;
    ax->values = values;
    for (size_t i = 0; i < count; i++) {
        char *comma = strchr(v, ',');
        if (comma)
            *comma = '\0';
        if (!*v)
            return dsim_bad_arg(
                arg, NULL,
                "an empty value (two commas in a row, or a comma at an end): values "
                "are separated by single commas");
        for (size_t j = 0; j < i; j++)
            if (strcmp(values[j], v) == 0)
                return dsim_bad_arg(arg, NULL, "the value '%s' is given twice", v);
        values[i] = v;
        v = comma ? comma + 1 : v + strlen(v);
    }
    ax->nvalues = count;
    return 0;
}

static int write_atomic(const char *path, const char *text) {
    return dsim_output_write(path, text);
}

int dsim_sweep_command(int argc, char **argv) {
    exp_sweep_options o = {.seed_first = 1,
                           .seed_last = 10,
                           .jobs = dsim_default_jobs(),
                           .kinds = dsim_kinds,
                           .write = write_atomic,
                           .err = stderr};
    sim_override *sets = calloc((size_t)argc, sizeof *sets);
    exp_axis *axes = calloc((size_t)argc, sizeof *axes);
    char **bufs = calloc((size_t)argc, sizeof *bufs);
    int status = EXP_SWEEP_RUN_FAILED;
    if (!sets || !axes || !bufs) {
        fputs("dsim: out of memory\n", stderr);
        goto out;
    }
    o.sets = sets;
    o.axes = axes;
    const char *seeds_arg = NULL, *precision_arg = NULL, *max_seeds_arg = NULL;
    o.precision.max_seeds = 100;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        char two[64];
        if (strcmp(a, "--set") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected PATH=VALUE after it");
                goto out;
            }
            char *eq = strchr(argv[++i], '=');
            if (!eq || eq == argv[i]) {
                fprintf(stderr, "--set %s: error: expected PATH=VALUE, e.g. nodes.web.workers=4\n",
                        argv[i]);
                status = EXP_SWEEP_BAD_INPUT;
                goto out;
            }
            *eq = '\0';
            sets[o.nsets++] = (sim_override){.path = argv[i], .value = eq + 1};
        } else if (strcmp(a, "--vary") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected PATH=V1,V2,... after it");
                goto out;
            }
            exp_axis *ax = &axes[o.naxes++];
            if ((status = parse_vary(argv[++i], &bufs[o.naxes - 1], ax)) != 0)
                goto out;
            status = EXP_SWEEP_RUN_FAILED;
        } else if (strcmp(a, "--seeds") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected a count N (seeds 1..N) or A..B after it");
                goto out;
            }
            seeds_arg = argv[++i];
            if (exp_parse_seeds(seeds_arg, &o.seed_first, &o.seed_last)) {
                snprintf(two, sizeof two, "--seeds %.40s", seeds_arg);
                status = dsim_bad_arg(two, NULL,
                                      "expected a count N >= 1 (seeds 1..N) or A..B with A <= B, "
                                      "e.g. --seeds 10 or --seeds 11..20");
                goto out;
            }
        } else if (strcmp(a, "--jobs") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected a number of runs at a time >= 1 after it");
                goto out;
            }
            if ((status = dsim_parse_jobs(argv[++i], &o.jobs)))
                goto out;
        } else if (strcmp(a, "--precision") == 0) {
            if (!has_value) {
                status =
                    dsim_bad_arg(a, NULL, "expected a relative precision R after it, e.g. 0.05");
                goto out;
            }
            precision_arg = argv[++i];
            char *end;
            errno = 0;
            double r = strtod(precision_arg, &end);
            if (end == precision_arg || *end || errno || !(r > 0 && r < 1)) {
                snprintf(two, sizeof two, "--precision %.40s", precision_arg);
                status = dsim_bad_arg(two, NULL,
                                      "expected a relative precision in (0, 1), e.g. 0.05 for "
                                      "an interval within 5%% of the mean");
                goto out;
            }
            o.precision.relative = r;
        } else if (strcmp(a, "--metric") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL,
                                      "expected a metric path after it, e.g. "
                                      "requests.latency_ms.p99");
                goto out;
            }
            o.precision.metric = argv[++i];
        } else if (strcmp(a, "--max-seeds") == 0) {
            uint64_t n;
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected the most seeds a config may have");
                goto out;
            }
            max_seeds_arg = argv[++i];
            if (exp_parse_count(max_seeds_arg, &n) || n < 2 || n > MAX_RUNS) {
                snprintf(two, sizeof two, "--max-seeds %.40s", max_seeds_arg);
                status = dsim_bad_arg(two, NULL, "expected a number of seeds in [2, %u]", MAX_RUNS);
                goto out;
            }
            o.precision.max_seeds = (size_t)n;
        } else if (strcmp(a, "--out") == 0) {
            if (!has_value) {
                status = dsim_bad_arg(a, NULL, "expected a folder after it");
                goto out;
            }
            o.dir = argv[++i];
        } else if (strcmp(a, "--quiet") == 0) {
            o.quiet = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            status = dsim_output_flush_stdout() ? EXP_SWEEP_RUN_FAILED : EXP_SWEEP_OK;
            goto out;
        } else if (a[0] == '-' && a[1] != '\0') {
            static const char *const known[] = {"--set",       "--vary",  "--seeds",     "--jobs",
                                                "--out",       "--quiet", "--precision", "--metric",
                                                "--max-seeds", NULL};
            const char *near = sim_suggest_among(a, known);
            dsim_bad_arg(a, near ? NULL : see_help, "unknown option of dsim sweep");
            if (near)
                fprintf(stderr, "%s: note: did you mean '%s'?\n", a, near);
            status = EXP_SWEEP_BAD_INPUT;
            goto out;
        } else if (!o.file) {
            o.file = a;
        } else {
            status =
                dsim_bad_arg(a, see_help, "unexpected argument: the topology FILE is '%s'", o.file);
            goto out;
        }
    }
    if (!o.file) {
        status = dsim_bad_arg("sweep", see_help, "expected a topology FILE");
        goto out;
    }
    if (!o.dir) {
        status =
            dsim_bad_arg("sweep", see_help, "expected --out DIR, the folder to write the runs in");
        goto out;
    }
    /* The seed of each run is --seeds': a `seed` set or varied would be replaced unseen. */
    for (size_t s = 0; s < o.nsets; s++)
        if (strcmp(sets[s].path, "seed") == 0) {
            fprintf(stderr,
                    "--set seed=%s: error: a sweep runs every seed of --seeds (default 1..10): "
                    "give --seeds %s..%s for this one\n",
                    sets[s].value, sets[s].value, sets[s].value);
            status = EXP_SWEEP_BAD_INPUT;
            goto out;
        }
    for (size_t a = 0; a < o.naxes; a++)
        if (strcmp(axes[a].path, "seed") == 0) {
            status = dsim_bad_arg(axes[a].arg, NULL,
                                  "a sweep's seeds are given by --seeds N or --seeds A..B");
            goto out;
        }
    /* One path, one axis: a path both varied and set (or varied twice) has no one value. */
    for (size_t a = 0; a < o.naxes; a++) {
        for (size_t b = 0; b < a; b++)
            if (strcmp(axes[a].path, axes[b].path) == 0) {
                status = dsim_bad_arg(axes[a].arg, NULL, "%s is already an axis (%s)", axes[a].path,
                                      axes[b].arg);
                goto out;
            }
        for (size_t s = 0; s < o.nsets; s++)
            if (strcmp(axes[a].path, sets[s].path) == 0) {
                status = dsim_bad_arg(axes[a].arg, NULL, "%s is also given to --set %s=%s",
                                      axes[a].path, sets[s].path, sets[s].value);
                goto out;
            }
    }
    /* --precision and --metric go together; the first round needs 2 seeds for an interval. */
    if (!precision_arg != !o.precision.metric || (max_seeds_arg && !precision_arg)) {
        status = dsim_bad_arg(precision_arg   ? "--precision"
                              : max_seeds_arg ? "--max-seeds"
                                              : "--metric",
                              NULL, "--precision R and --metric PATH go together%s",
                              max_seeds_arg ? ", and --max-seeds with them" : "");
        goto out;
    }
    uint64_t runs = o.seed_last - o.seed_first;
    if (o.precision.metric && (runs < 1 || runs + 1 > o.precision.max_seeds)) {
        status = dsim_bad_arg(seeds_arg ? "--seeds" : "--precision", NULL,
                              "with --precision the first round needs at least 2 seeds and at "
                              "most --max-seeds (%zu)",
                              o.precision.max_seeds);
        goto out;
    }
    if (o.precision.metric)
        runs = o.precision.max_seeds - 1; /* the most a config may get */
    runs = runs >= MAX_RUNS ? MAX_RUNS + 1 : runs + 1;
    for (size_t a = 0; a < o.naxes && runs <= MAX_RUNS; a++)
        runs *= axes[a].nvalues;
    if (runs > MAX_RUNS) {
        status = dsim_bad_arg(seeds_arg ? "--seeds" : "--vary", NULL,
                              "more than %u runs: split the sweep", MAX_RUNS);
        goto out;
    }
    status = exp_sweep(&o);
out:
    for (size_t a = 0; axes && a < o.naxes; a++) {
        free((char *)axes[a].arg);
        free(bufs[a]);
    }
    free(bufs);
    free(axes);
    free(sets);
    return status;
}
