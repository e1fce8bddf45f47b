/* Argument errors (arg_error.h). */
#include "arg_error.h"

#include "strfmt.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const char dsim_see_help[] = "dsim --help shows the usage";

int dsim_bad_arg(const char *arg, const char *note, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", arg);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (note)
        fprintf(stderr, "%s: note: %s\n", arg, note);
    return DSIM_EXIT_BAD_INPUT;
}

int dsim_bad_option_value(const char *option, const char *value, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *arg = sim_strfmt("%s %s", option, value);
    char *message = sim_vstrfmt(fmt, ap);
    va_end(ap);
    int status = DSIM_EXIT_BAD_INPUT;
    if (arg && message) {
        dsim_bad_arg(arg, NULL, "%s", message);
    } else {
        fprintf(stderr, "dsim: out of memory while reporting a bad %s\n", option);
        status = 1;
    }
    free(arg);
    free(message);
    return status;
}

int dsim_unknown_word(const char *arg, const char *what, const char *const *known) {
    const char *near = sim_suggest_among(arg, known);
    if (!near)
        return dsim_bad_arg(arg, dsim_see_help, "unknown %s", what);
    dsim_bad_arg(arg, NULL, "unknown %s", what);
    fprintf(stderr, "%s: note: did you mean '%s'?\n", arg, near);
    return DSIM_EXIT_BAD_INPUT;
}
