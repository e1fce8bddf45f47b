/* Faults as the YAML of a `faults:` list, one flow mapping a line, which the loader reads
 * back to the same faults: `- {at: 12.5s, crash: web.2, duration: 3.1s}`. Times are printed
 * in the largest unit (s, ms, us, ns) that the units parser (sim/units.c) reads back to the
 * same nanosecond, so a replay is exact; numbers with the fewest digits that read back to
 * the same double. dsim shrink prints its result with it, and the tests replay drawn faults
 * through it. */
#ifndef DSIM_FAULTS_YAML_H
#define DSIM_FAULTS_YAML_H

#include "simtime.h"
#include "topology.h"

#include <stddef.h>
#include <stdio.h>

/* Longest text dsim_yaml_time writes, with its terminating NUL. */
#define DSIM_YAML_TIME_MAX 40

/* Writes t (>= 0) to buf as a duration that sim_parse_duration reads back to t exactly.
 * Returns buf. */
char *dsim_yaml_time(char buf[DSIM_YAML_TIME_MAX], sim_time t);

/* Writes fault f as one flow mapping, "{at: 60s, crash: api.1, duration: 30s}", without the
 * list's dash and newline. Returns 0, or -1 when the write failed. */
int dsim_fault_yaml(FILE *out, const sim_fault *f);

/* Writes "faults:\n" and then the n faults, each on a line "  - {...}". Returns 0 or -1. */
int dsim_faults_yaml(FILE *out, const sim_fault *faults, size_t n);

#endif
