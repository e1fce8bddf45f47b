/* The `dsim sweep` subcommand (contract §8.3): its arguments, checked as errors of the
 * argument (`ARG: error: MESSAGE`, exit 2), then experiments/sweep.h does the work. */
#ifndef DSIM_SWEEP_CMD_H
#define DSIM_SWEEP_CMD_H

/* Runs `dsim sweep ARGS...`: argv[0] is "sweep". Returns the exit status. */
int dsim_sweep_command(int argc, char **argv);

#endif
