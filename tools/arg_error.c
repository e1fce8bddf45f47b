/* Argument errors (arg_error.h). */
#include "arg_error.h"

#include <stdarg.h>
#include <stdio.h>

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
