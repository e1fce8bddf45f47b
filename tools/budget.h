/* The budgets a user sets on a run (contract §6: --max-memory, --max-events, --max-wall): their
 * syntax, the default memory limit derived from the machine, and the notes of a refusal. The
 * run stops, or is refused, with exit status 4 when one is exceeded (tools/dsim.c). */
#ifndef DSIM_BUDGET_H
#define DSIM_BUDGET_H

#include "footprint.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Parses a size: a number with an optional suffix K, M, G or T (powers of 1024, optionally
 * followed by "iB" or "B": 512M, 4G, 1.5GiB; no suffix: bytes). Returns 0 and stores the
 * bytes (> 0), or -1. */
int dsim_parse_size(const char *s, double *bytes);
/* Parses a whole number of events >= 1 (1000000, or 1e6 if whole). Returns 0 or -1. */
int dsim_parse_count(const char *s, uint64_t *out);
/* Parses a wall-clock duration > 0 as the topology's durations are written (90s, 5m, 1h).
 * Returns 0 and stores seconds, or -1. */
int dsim_parse_wall(const char *s, double *seconds);

/* The default --jobs of sweep and compare: the cores online (at least 1). */
unsigned dsim_default_jobs(void);
/* Parses --jobs' value v (a whole number of runs at a time in [1, 4096]) into *jobs. Returns
 * 0, or 2 (the exit status) with the argument error printed. */
int dsim_parse_jobs(const char *v, unsigned *jobs);

/* The default --max-memory: 80% of the memory this process can have, the least of the
 * physical memory, the cgroup's limit and the address-space limit (RLIMIT_AS). *why names
 * which one it came from (a static string). 0 when none is known. */
double dsim_default_memory_limit(const char **why);

/* Prints, as FILE: note: lines, costliest first, the shares of estimate f that matter (the
 * costliest always, the others from 1% of the whole): the groups that cost most, "nodes.db:
 * replicas 10000 x workers 1000000: about 298 GiB", and the fixed part of the process, which
 * is what a small topology refused by a small --max-memory mostly costs. Sizes are written
 * by dsim_human_bytes (reports/human.h). */
void dsim_print_footprint(FILE *out, const char *file, const sim_footprint *f);

#endif
