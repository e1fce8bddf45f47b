/* The argument errors of the dsim command and its subcommands (contract §1): written once
 * for tools/dsim.c, tools/compare_cmd.c, tools/sweep_cmd.c and tools/shrink_cmd.c. */
#ifndef DSIM_TOOLS_ARG_ERROR_H
#define DSIM_TOOLS_ARG_ERROR_H

/* The exit status of bad input (contract §1), which dsim_bad_arg returns. */
enum { DSIM_EXIT_BAD_INPUT = 2 };

/* Prints "ARG: error: MESSAGE" for the argument arg as given, then the note "ARG: note: NOTE"
 * unless note is NULL, on stderr, and returns DSIM_EXIT_BAD_INPUT. */
int dsim_bad_arg(const char *arg, const char *note, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same for an option written as two words, "--seed x": the argument as given is rebuilt from
 * them. Returns DSIM_EXIT_BAD_INPUT, or 1 when out of memory. */
int dsim_bad_option_value(const char *option, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The note that points to the usage. */
extern const char dsim_see_help[];

/* Reports the unknown word arg ("unknown WHAT", e.g. what "option"), with the nearest of the
 * known words (NULL-terminated) as a note, else the pointer to --help. Returns
 * DSIM_EXIT_BAD_INPUT. */
int dsim_unknown_word(const char *arg, const char *what, const char *const *known);

#endif
