/* The `dsim shrink` subcommand (docs/cli.md, "dsim shrink"): runs a topology with a nemesis
 * for one seed and, when an `expect:` fails, shrinks the faults the nemesis drew to a
 * 1-minimal list that still fails (experiments/shrink.h), printed on stdout as a `faults:`
 * block to paste in place of the file's `faults:` and `nemesis:`; progress and the summary go
 * to stderr. Exit status: 3 the run fails an expect (the list is printed), 0 it meets every
 * expect (nothing to shrink, nothing printed), 2 bad input, 4 --max-runs or --max-events
 * stopped it (the smallest failing list found so far is printed), 1 a failure of dsim. */
#ifndef DSIM_SHRINK_CMD_H
#define DSIM_SHRINK_CMD_H

/* Runs `dsim shrink ARGS...`: argv[0] is "shrink". Returns the exit status. */
int dsim_shrink_command(int argc, char **argv);

#endif
