/* The `dsim compare` subcommand (contract §8.4): its arguments, checked as errors of the
 * argument (`ARG: error: MESSAGE`, exit 2); experiments/compare.h does the work; the table
 * goes to stdout and the document to --json OUT (atomically, as `dsim run --json`). */
#ifndef DSIM_COMPARE_CMD_H
#define DSIM_COMPARE_CMD_H

/* Runs `dsim compare ARGS...`: argv[0] is "compare". Returns the exit status. */
int dsim_compare_command(int argc, char **argv);

#endif
