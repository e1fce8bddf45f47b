/* Strings formatted like printf into exactly the memory they need, so that no name or path
 * in a message is ever cut at a buffer's size. */
#ifndef SIM_STRFMT_H
#define SIM_STRFMT_H

#include <stdarg.h>

/* Returns a new string formatted from fmt and ap (caller frees), or NULL when out of memory.
 * ap is left unusable, as with vsnprintf. */
char *sim_vstrfmt(const char *fmt, va_list ap);
/* Returns a new string formatted from fmt (caller frees), or NULL when out of memory. */
char *sim_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
