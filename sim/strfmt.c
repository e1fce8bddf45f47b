/* printf into an allocation of the exact size: one measuring pass, one writing pass. */
#include "strfmt.h"

#include <stdio.h>
#include <stdlib.h>

char *sim_vstrfmt(const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int len = vsnprintf(NULL, 0, fmt, ap);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)len + 1, fmt, again);
    va_end(again);
    return s;
}

char *sim_strfmt(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = sim_vstrfmt(fmt, ap);
    va_end(ap);
    return s;
}
