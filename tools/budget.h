/* The budgets a user sets on a run (contract §6: --max-memory, --max-events, --max-wall): their
 * syntax, the default memory limit derived from the machine, and how sizes are printed. The
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

/* The default --max-memory: 80% of the memory this process can have, the least of the
 * physical memory, the cgroup's limit and the address-space limit (RLIMIT_AS). *why names
 * which one it came from (a static string). 0 when none is known. */
double dsim_default_memory_limit(const char **why);

/* Writes bytes in binary units with three significant digits ("320 GiB", "2.69 MiB"). */
void dsim_format_size(double bytes, char *buf, size_t size);

/* Prints, as FILE: note: lines, the groups that cost most in estimate f (at least the first,
 * then those over 1% of the whole): "nodes.db: replicas 10000 x
 * workers 1000000: about 298 GiB". */
void dsim_print_footprint(FILE *out, const char *file, const sim_footprint *f);

#endif
