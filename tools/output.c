/* The result file and stdout (output.h). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a write to path must go: path itself, or when it is a symbolic link the file the
 * link leads to, so that the rename updates the link's target and leaves the link a link
 * (renaming over the link would replace it with a regular file and leave the target stale).
 * Links are followed by hand (readlink), a relative one from its own directory, through at
 * most MAX_LINKS as the kernel allows: that also covers a link to a file not yet there, which
 * realpath refuses. Returns a new string (caller frees), or NULL with a message printed. */
#define MAX_LINKS 40
static char *resolve(const char *path) {
    char *at = strdup(path);
    for (int depth = 0; at; depth++) {
        struct stat st;
        if (lstat(at, &st) || !S_ISLNK(st.st_mode))
            return at; /* a file, a directory or a new name: written as named */
        char target[4096];
        ssize_t n = depth == MAX_LINKS ? -1 : readlink(at, target, sizeof target - 1);
        if (n < 0 || (size_t)n == sizeof target - 1) {
            fprintf(stderr, "dsim: cannot write %s: %s\n", path,
                    strerror(n < 0 && depth < MAX_LINKS ? errno : ELOOP));
            free(at);
            return NULL;
        }
        target[n] = '\0';
        const char *slash = strrchr(at, '/');
        size_t dir = target[0] == '/' || !slash ? 0 : (size_t)(slash - at) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next) {
            memcpy(next, at, dir);
            memcpy(next + dir, target, (size_t)n + 1);
        }
        free(at);
        at = next;
    }
    fprintf(stderr, "dsim: cannot write %s: out of memory\n", path);
    return NULL;
}

/* Creates an empty temporary file beside dest (dest.tmp.XXXXXX) with the mode a new file
 * gets; messages name path, as the user gave it. Returns its descriptor and name (caller
 * frees), or -1 with a message printed. */
static int open_temp(const char *dest, const char *path, char **name) {
    size_t n = strlen(dest);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        fprintf(stderr, "dsim: cannot write %s: out of memory\n", path);
        return -1;
    }
    memcpy(tmp, dest, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "dsim: cannot write %s: %s\n", path, strerror(errno));
        free(tmp);
        return -1;
    }
    /* mkstemp makes the file 0600; give the result the mode any new file gets (0666 less the
     * umask), as writing it in place would. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    *name = tmp;
    return fd;
}

/* True when path names something that is not a regular file nor a directory (a device, a
 * FIFO, a socket), following symbolic links: written to in place, never renamed over. */
static bool is_special(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

int dsim_output_check(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "dsim: cannot write %s: it is a directory\n", path);
        return -1;
    }
    if (is_special(path)) {
        /* Opening a FIFO would wait for its reader: ask for permission only. */
        if (access(path, W_OK)) {
            fprintf(stderr, "dsim: cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    char *dest = resolve(path);
    if (!dest)
        return -1;
    char *tmp;
    int fd = open_temp(dest, path, &tmp);
    free(dest);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(tmp);
    free(tmp);
    return 0;
}

/* Writes all of text to fd. Returns 0 or an errno value. */
static int write_all(int fd, const char *text) {
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w > 0)
            done += (size_t)w;
        else if (w == 0)
            return EIO;
        else if (errno != EINTR)
            return errno;
    }
    return 0;
}

static int write_in_place(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    int err = fd < 0 ? errno : write_all(fd, text);
    if (fd >= 0 && close(fd) && !err)
        err = errno;
    if (err) {
        fprintf(stderr, "dsim: cannot write %s: %s\n", path, strerror(err));
        return -1;
    }
    return 0;
}

int dsim_output_write(const char *path, const char *text) {
    if (is_special(path))
        return write_in_place(path, text);
    char *dest = resolve(path);
    if (!dest)
        return -1;
    char *tmp;
    int fd = open_temp(dest, path, &tmp);
    if (fd < 0) {
        free(dest);
        return -1;
    }
    int err = write_all(fd, text);
    if (close(fd) && !err)
        err = errno;
    if (!err && rename(tmp, dest))
        err = errno;
    if (err) {
        fprintf(stderr, "dsim: cannot write %s: %s\n", path, strerror(err));
        unlink(tmp);
    }
    free(tmp);
    free(dest);
    return err ? -1 : 0;
}

int dsim_output_stdout(const char *text) {
    if (fputs(text, stdout) < 0 || fflush(stdout)) {
        fprintf(stderr, "dsim: cannot write to stdout: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

int dsim_output_flush_stdout(void) {
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    /* errno is fflush's when it failed; an earlier failure (ferror) may have left none. */
    fprintf(stderr, "dsim: cannot write to stdout: %s\n",
            errno ? strerror(errno) : "a write failed");
    return -1;
}
