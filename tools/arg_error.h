/* The argument errors of the dsim command and its subcommands (contract §1): written once
 * for tools/dsim.c, tools/compare_cmd.c and tools/sweep_cmd.c. */
#ifndef DSIM_TOOLS_ARG_ERROR_H
#define DSIM_TOOLS_ARG_ERROR_H

/* The exit status of bad input (contract §1), which dsim_bad_arg returns. */
enum { DSIM_EXIT_BAD_INPUT = 2 };

/* Prints "ARG: error: MESSAGE" for the argument arg as given, then the note "ARG: note: NOTE"
 * unless note is NULL, on stderr, and returns DSIM_EXIT_BAD_INPUT. */
int dsim_bad_arg(const char *arg, const char *note, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
