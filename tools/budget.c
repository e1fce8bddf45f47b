/* Budget syntax and the machine's memory (budget.h). */
#include "budget.h"

#include "arg_error.h"
#include "human.h"
#include "seeds.h"
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

int dsim_parse_size(const char *s, double *bytes) {
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v))
        return -1;
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, *end >= 'a' ? *end - 'a' + 'A' : *end) : NULL;
    if (u && *u) {
        v *= pow(1024.0, (double)(u - units + 1));
        end++;
        if (strcasecmp(end, "iB") == 0 || strcasecmp(end, "B") == 0)
            end += strlen(end);
    } else if (strcasecmp(end, "B") == 0) {
        end++;
    }
    if (*end || !(v >= 1))
        return -1;
    *bytes = v;
    return 0;
}

int dsim_parse_count(const char *s, uint64_t *out) {
    double v;
    if (sim_parse_number(s, &v) || v < 1 || v > 9e18 || v != floor(v))
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int dsim_parse_wall(const char *s, double *seconds) {
    sim_time t;
    if (sim_parse_duration(s, &t) || t <= 0)
        return -1;
    *seconds = sim_time_s(t);
    return 0;
}

/* A cgroup limit from its file (v2 memory.max or v1 memory.limit_in_bytes); 0: none. */
static double cgroup_limit(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[64];
    double v = 0;
    if (fgets(line, sizeof line, f)) {
        char *end;
        v = strtod(line, &end);
        if (end == line || v <= 0 || v >= 9e18) /* "max", or v1's "unlimited" 2^63 - page */
            v = 0;
    }
    fclose(f);
    return v;
}

double dsim_default_memory_limit(const char **why) {
    double best = 0;
    *why = "unknown";
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) {
        best = (double)pages * (double)page;
        *why = "the physical memory";
    }
    static const char *const cgroups[] = {"/sys/fs/cgroup/memory.max",
                                          "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
    for (size_t i = 0; i < sizeof cgroups / sizeof *cgroups; i++) {
        double v = cgroup_limit(cgroups[i]);
        if (v > 0 && (best == 0 || v < best)) {
            best = v;
            *why = "the cgroup's memory limit";
        }
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (best == 0 || (double)rl.rlim_cur < best)) {
        best = (double)rl.rlim_cur;
        *why = "the address-space limit (ulimit -v)";
    }
    /* What the estimate leaves out (queues, caches and logs that grow with the traffic, the
     * rest of the machine) needs room too. */
    return 0.8 * best;
}

/* The note of one group's share. */
static void print_group(FILE *out, const char *file, const sim_footprint_group *g) {
    char size[DSIM_HUMAN_MAX];
    if (g->line > 0)
        fprintf(out, "%s:%d:%d: note: nodes.%s: ", file, g->line, g->col, g->group);
    else
        fprintf(out, "%s: note: nodes.%s: ", file, g->group);
    if (g->replicas > 1)
        fprintf(out, "replicas %lu%s", (unsigned long)g->replicas,
                g->key && strcmp(g->key, "replicas") != 0 ? " x " : "");
    if (g->key && strcmp(g->key, "replicas") != 0)
        fprintf(out, "%s %.15g", g->key, g->value);
    else if (g->replicas <= 1)
        fputs("one instance", out);
    fprintf(out, ": about %s\n", dsim_human_bytes(size, g->bytes));
}

void dsim_print_footprint(FILE *out, const char *file, const sim_footprint *f) {
    bool fixed_due = true;
    size_t said = 0;
    char size[DSIM_HUMAN_MAX];
    for (size_t i = 0; i <= f->ntop; i++) {
        const sim_footprint_group *g = i < f->ntop ? &f->top[i] : NULL;
        /* The fixed part takes its place among the groups by its size. */
        if (fixed_due && (!g || f->fixed >= g->bytes)) {
            fixed_due = false;
            if (said == 0 || f->fixed >= 0.01 * f->bytes) {
                fprintf(out,
                        "%s: note: the process itself (code, libraries, the engine's fixed "
                        "tables): about %s\n",
                        file, dsim_human_bytes(size, f->fixed));
                said++;
            }
        }
        if (!g || (said > 0 && g->bytes < 0.01 * f->bytes)) /* a share too small to matter */
            break;
        print_group(out, file, g);
        said++;
    }
}

unsigned dsim_default_jobs(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n <= 4096 ? (unsigned)n : 1;
}

int dsim_parse_jobs(const char *v, unsigned *jobs) {
    uint64_t j;
    if (exp_parse_count(v, &j) || j == 0 || j > 4096) {
        char arg[64];
        snprintf(arg, sizeof arg, "--jobs %.40s", v);
        return dsim_bad_arg(arg, NULL, "expected a number of runs at a time in [1, 4096]");
    }
    *jobs = (unsigned)j;
    return 0;
}
