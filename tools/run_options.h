/* The options of the commands that run one topology, dsim run and dsim shrink: --seed N and
 * --set PATH=VALUE, read and refused alike (contract §1). */
#ifndef DSIM_TOOLS_RUN_OPTIONS_H
#define DSIM_TOOLS_RUN_OPTIONS_H

#include "loader.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct dsim_run_options {
    const char *seed_text; /* --seed as given, for messages */
    bool has_seed;
    uint64_t seed;
    sim_override *sets; /* room for one per argument (the caller's) */
    size_t nsets;
} dsim_run_options;

/* When argv[*i] is --seed or --set, takes it and its value into r (advancing *i past the
 * value) and returns 0, or the exit status of a bad one with the error printed; else returns
 * -1 and leaves argv[*i] to the caller. A --set's '=' is overwritten with '\0': the loader
 * rebuilds "--set PATH=VALUE" from the two halves for its messages. */
int dsim_run_option(int argc, char **argv, int *i, dsim_run_options *r);

#endif
