/* Diagnostics: a context that piles up every problem found in an input, so one run reports
 * them all. An error is "FILE:LINE:COL: error: MESSAGE" (1-based line and column) or, for a
 * command-line argument, "ARG: error: MESSAGE" (contract §1); hints follow their error on
 * lines of the same prefix, "...: note: MESSAGE", as compilers print them. */
#ifndef SIM_DIAG_H
#define SIM_DIAG_H

#include <stddef.h>

typedef struct sim_diag sim_diag;

/* Returns a new empty context for input called file (copied), or NULL when out of memory. */
sim_diag *sim_diag_new(const char *file);
/* Frees the context and its messages. NULL is a no-op. */
void sim_diag_free(sim_diag *d);
/* Records an error at 1-based line and column (0 for either: left out of the message). */
void sim_diag_error(sim_diag *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Records an error about the command-line argument arg as given (copied), e.g.
 * "--set nodes.web.workers=two"; such errors come before those with a file position. */
void sim_diag_arg_error(sim_diag *d, const char *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records an error about the input as a whole that comes after every other one, such as
 * "more than 1000 errors: the others are not reported" ("FILE: error: MESSAGE"). */
void sim_diag_final_error(sim_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a hint to the error recorded last, on a line of its own after it with the same
 * prefix ("FILE:LINE:COL: note: ..." or "ARG: note: ..."). Before any error: does nothing. */
void sim_diag_note(sim_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns how many errors were recorded (notes do not count). */
size_t sim_diag_count(const sim_diag *d);
/* Returns message i (0-based, in file order): its error line, followed by its notes, each
 * on a line of its own separated by '\n', without a final newline. Borrowed until the
 * context is freed; NULL when out of range. */
const char *sim_diag_message(const sim_diag *d, size_t i);
/* Returns the file name given at creation (borrowed). */
const char *sim_diag_file(const sim_diag *d);

#endif
