/* Reading a whole file (file_read.h). */
#include "file_read.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

char *sim_read_file(const char *path, size_t max_bytes, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int e = 0;
    /* one byte past max_bytes tells a file that is too big */
    size_t most = max_bytes < (size_t)-2 ? max_bytes + 1 : max_bytes;
    for (;;) {
        if (n + 1 >= cap) {
            size_t grown_cap = cap ? (cap > (size_t)-1 / 2 ? (size_t)-1 : 2 * cap) : 65536;
            if (grown_cap > most + 1)
                grown_cap = most + 1;
            char *grown = grown_cap > cap ? realloc(buf, grown_cap) : NULL;
            if (!grown) {
                e = ENOMEM;
                break;
            }
            buf = grown;
            cap = grown_cap;
        }
        errno = 0;
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max_bytes) {
            e = EFBIG;
            break;
        }
        if (got == 0) {
            if (ferror(f))
                e = errno ? errno : EIO; /* fread's own reason when it gives one */
            break;
        }
    }
    fclose(f);
    if (e) {
        free(buf);
        errno = e;
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}
