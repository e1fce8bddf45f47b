/* The sandbox of tests/sandbox.h: temporary directories, their files, and the fork/exec runner
 * of $DSIM. Paths are allocated to their length, so none is ever truncated. */
#include "sandbox.h"

#include "support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* dir/name, allocated (caller frees). */
static char *joined(const char *dir, const char *name) {
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    cr_assert(p, "out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

void t_path_in(char *buf, size_t size, const char *dir, const char *name) {
    int n = snprintf(buf, size, "%s/%s", dir, name);
    cr_assert(n > 0 && (size_t)n < size, "path too long: %s/%s", dir, name);
}

static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = joined(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

void t_sandbox_open(t_sandbox *sb, const char *name) {
    size_t n = sizeof "/tmp/dsim-" + strlen(name) + sizeof "-XXXXXX";
    sb->root = malloc(n);
    cr_assert(sb->root, "out of memory");
    snprintf(sb->root, n, "/tmp/dsim-%s-XXXXXX", name);
    cr_assert(mkdtemp(sb->root), "mkdtemp %s failed", sb->root);
    sb->work = joined(sb->root, "work");
    cr_assert_eq(mkdir(sb->work, 0700), 0);
    cr_assert(getenv("DSIM"), "DSIM (the dsim executable) is not set: run through meson test");
}

void t_sandbox_close(t_sandbox *sb) {
    if (sb->root)
        remove_tree(sb->root);
    free(sb->root);
    free(sb->work);
    sb->root = sb->work = NULL;
}

void t_write_work(const t_sandbox *sb, const char *name, const char *text) {
    char *p = joined(sb->work, name);
    FILE *f = fopen(p, "wb");
    cr_assert(f, "cannot write %s", p);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
    free(p);
}

char *t_slurp_work(const t_sandbox *sb, const char *name) {
    char *p = joined(sb->work, name);
    char *text = t_slurp(p);
    free(p);
    return text;
}

bool t_work_has(const t_sandbox *sb, const char *name) {
    char *p = joined(sb->work, name);
    struct stat st;
    bool has = lstat(p, &st) == 0;
    free(p);
    return has;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **t_work_names(const t_sandbox *sb, size_t *n) {
    size_t len = 0, cap = 8;
    char **names = malloc(cap * sizeof *names);
    cr_assert(names, "out of memory");
    DIR *d = opendir(sb->work);
    cr_assert(d, "cannot list %s", sb->work);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (len + 1 == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
            cr_assert(names, "out of memory");
        }
        names[len] = strdup(e->d_name);
        cr_assert(names[len], "out of memory");
        len++;
    }
    closedir(d);
    qsort(names, len, sizeof *names, cmp_names);
    names[len] = NULL;
    if (n)
        *n = len;
    return names;
}

void t_names_free(char **names) {
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

void t_result_free(t_result *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

bool t_sanitized(void) { return getenv("ASAN_OPTIONS") || getenv("UBSAN_OPTIONS"); }

/* Runs argv (argv[0] a path, or a name looked up in PATH) as t_dsim says. */
static t_result run_argv(const t_sandbox *sb, t_limits lim, const char **argv) {
    char *out = joined(sb->root, "out.txt"), *err = joined(sb->root, "err.txt");
    const char *to = lim.stdout_path ? lim.stdout_path : out;
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork failed");
    if (pid == 0) {
        /* The sanitizers reserve terabytes of address space: bound only the plain build. */
        rlim_t as = lim.address_space ? lim.address_space : (rlim_t)4 << 30;
        struct rlimit rl = {as, as};
        if (!t_sanitized() && setrlimit(RLIMIT_AS, &rl))
            _exit(126);
        alarm(lim.alarm_s ? lim.alarm_s : 50);
        int fo = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0 || chdir(sb->work) || dup2(fi, 0) < 0 || dup2(fo, 1) < 0 ||
            dup2(fe, 2) < 0)
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        ;
    t_result r = {.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1,
                  .signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0};
    r.out = lim.stdout_path ? strdup("") : t_slurp(out);
    cr_assert(r.out, "out of memory");
    r.err = t_slurp(err);
    free(out);
    free(err);
    cr_assert_neq(r.status, 127, "could not run %s", argv[0]);
    cr_assert_neq(r.status, 126, "could not limit the child's address space");
    return r;
}

/* The arguments from first on (NULL-terminated, in ap) after argv[0], into argv[32]. */
static void collect_args(const char **argv, const char *first, va_list ap) {
    int argc = 1;
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        cr_assert_lt(argc, 31, "too many arguments");
        argv[argc++] = s;
    }
    argv[argc] = NULL;
}

t_result t_dsim(const t_sandbox *sb, t_limits lim, const char *first, ...) {
    const char *argv[32] = {getenv("DSIM")};
    cr_assert(argv[0], "DSIM (the dsim executable) is not set: run through meson test");
    va_list ap;
    va_start(ap, first);
    collect_args(argv, first, ap);
    va_end(ap);
    return run_argv(sb, lim, argv);
}

t_result t_exec(const t_sandbox *sb, t_limits lim, const char *program, const char *first, ...) {
    const char *argv[32] = {program};
    va_list ap;
    va_start(ap, first);
    collect_args(argv, first, ap);
    va_end(ap);
    return run_argv(sb, lim, argv);
}

char *t_dump_dom(const t_sandbox *sb, const char *name) {
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && HOME='%s' timeout 120 chromium --headless --no-sandbox --disable-gpu "
             "--no-first-run --user-data-dir='%s/profile' --dump-dom 'file://%s/%s' "
             ">'%s/dom.html' 2>'%s/chromium.err'",
             sb->root, sb->root, sb->root, sb->work, name, sb->root, sb->root);
    if (system(cmd) != 0)
        return NULL;
    char path[4096];
    t_path_in(path, sizeof path, sb->root, "dom.html");
    return t_slurp(path);
}
