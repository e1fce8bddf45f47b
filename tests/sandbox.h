/* Running the built dsim executable ($DSIM) in a child process from a test: a fresh temporary
 * directory per test (ROOT holds the captured out.txt and err.txt, ROOT/work is dsim's working
 * directory, so a listing of work/ shows exactly what dsim left there), files written and read
 * in it, and a runner bounded in address space and wall-clock time. It does not judge the
 * output: the suites assert on the result. */
#ifndef DSIM_TEST_SANDBOX_H
#define DSIM_TEST_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

/* A temporary directory of one test; both paths are owned by it until t_sandbox_close. */
typedef struct t_sandbox {
    char *root; /* /tmp/dsim-NAME-XXXXXX: out.txt, err.txt and work/ */
    char *work; /* dsim's working directory */
} t_sandbox;

/* Creates /tmp/dsim-NAME-XXXXXX and its work/ into sb; fails the current test when it cannot,
 * or when DSIM (the dsim executable, set by meson test) is not set. */
void t_sandbox_open(t_sandbox *sb, const char *name);
/* Removes the sandbox's whole tree (symbolic links are removed, not followed) and frees sb's
 * paths. */
void t_sandbox_close(t_sandbox *sb);

/* Writes dir/name into buf (of size bytes); fails the current test rather than truncate. */
void t_path_in(char *buf, size_t size, const char *dir, const char *name);

/* Writes text as the whole file name of the working directory; fails the test when it cannot. */
void t_write_work(const t_sandbox *sb, const char *name, const char *text);
/* The content of name in the working directory (caller frees); fails the test when absent. */
char *t_slurp_work(const t_sandbox *sb, const char *name);
/* Whether name exists in the working directory (a dangling link counts). */
bool t_work_has(const t_sandbox *sb, const char *name);
/* The names in the working directory but "." and "..", sorted, NULL-terminated, count in *n
 * when n is non-NULL (caller frees with t_names_free). */
char **t_work_names(const t_sandbox *sb, size_t *n);
/* Frees an array returned by t_work_names. */
void t_names_free(char **names);

/* What the child exited with, and its captured output (owned; free with t_result_free). */
typedef struct t_result {
    int status; /* exit status; -1 when killed by a signal */
    int signal; /* the signal that killed it, or 0 */
    char *out, *err;
} t_result;

/* Frees the output held by r. */
void t_result_free(t_result *r);

/* What bounds the child: its stdout (NULL: captured to ROOT/out.txt, else written to that path
 * and not captured), its address space and its wall-clock lifetime (SIGALRM). Zero fields take
 * the defaults; (t_limits){0} is the usual choice. */
typedef struct t_limits {
    const char *stdout_path;
    rlim_t address_space; /* bytes; 0: 4 GiB; not applied under the sanitizers */
    unsigned alarm_s;     /* 0: 50 s */
} t_limits;

/* Whether the tests run under AddressSanitizer or UBSan (ASAN_OPTIONS or UBSAN_OPTIONS set). */
bool t_sanitized(void);

/* Runs $DSIM with the arguments (a NULL-terminated list after first) in sb's working directory,
 * stdin from /dev/null, under lim, and returns its status and output (caller frees with
 * t_result_free); fails the test when dsim could not be started or limited. */
t_result t_dsim(const t_sandbox *sb, t_limits lim, const char *first, ...);
/* Runs program (a path, or a name looked up in PATH) as t_dsim runs $DSIM. */
t_result t_exec(const t_sandbox *sb, t_limits lim, const char *program, const char *first, ...);
/* Opens work/NAME in headless Chromium (bounded by timeout(1) at 120 s) and returns the DOM it
 * dumps after the page's scripts ran (caller frees), or NULL when Chromium failed (its stderr
 * is in ROOT/chromium.err). The report suites check the pictures with it. */
char *t_dump_dom(const t_sandbox *sb, const char *name);

#endif
