/* Diagnostics: a context that piles up every problem found in an input, each formatted as
 * "FILE:LINE:COL: error: MESSAGE" (1-based line and column), so one run reports them all. */
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
/* Returns how many errors were recorded. */
size_t sim_diag_count(const sim_diag *d);
/* Returns message i (0-based, full "FILE:LINE:COL: error: ..." line without newline), borrowed
 * until the context is freed; NULL when out of range. */
const char *sim_diag_message(const sim_diag *d, size_t i);
/* Returns the file name given at creation (borrowed). */
const char *sim_diag_file(const sim_diag *d);

#endif
