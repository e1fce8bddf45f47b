/* The docs show real output. docs/kinds.md is `dsim kinds --markdown`, byte for byte; and in
 * README.md and every Markdown file of docs/, a fenced block right after a marker line is
 * checked against the command the marker names, run from the source root:
 *   <!-- output of: dsim ARGS -->    the block is the whole output (stdout), exactly;
 *   <!-- excerpt of: dsim ARGS -->   each line of the block appears in the output, in order
 *                                     ("..." lines stand for what is left out).
 * A marker starts its line (a marker quoted inside a line of prose is not one).
 * Lines starting with "wall clock" (the run's elapsed time) are left out of both. */
#include "support.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs `dsim ARGS` from the source root; returns its stdout (caller frees). */
static char *run_dsim(const char *args) {
    const char *src = getenv("DSIM_SOURCE"), *dsim = getenv("DSIM");
    cr_assert(src && dsim, "DSIM and DSIM_SOURCE are set by meson");
    size_t len = strlen(src) + strlen(dsim) + strlen(args) + 64;
    char *cmd = malloc(len);
    cr_assert(cmd);
    snprintf(cmd, len, "cd '%s' && '%s' %s 2>/dev/null", src, dsim, args);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "cannot run %s", cmd);
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    cr_assert(out);
    for (size_t got; (got = fread(out + n, 1, cap - n - 1, p)) > 0;) {
        n += got;
        if (cap - n < 2) {
            out = realloc(out, cap *= 2);
            cr_assert(out);
        }
    }
    out[n] = '\0';
    pclose(p);
    free(cmd);
    return out;
}

/* Drops the lines that start with "wall clock", in place. */
static void drop_wall_clock(char *s) {
    char *w = s;
    for (char *line = s; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        if (strncmp(line, "wall clock", 10) != 0) {
            memmove(w, line, len);
            w += len;
        }
        line += len;
    }
    *w = '\0';
}

/* True when every line of block (but "..." lines) occurs in out, in order. */
static bool is_excerpt(const char *block, const char *out, char *missing, size_t size) {
    const char *at = out;
    for (const char *line = block; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char want[1024];
        snprintf(want, sizeof want, "%.*s", (int)len, line);
        if (strcmp(want, "...") != 0 && want[0]) {
            const char *hit = strstr(at, want);
            if (!hit) {
                snprintf(missing, size, "%s", want);
                return false;
            }
            at = hit + len;
        }
        line += end ? len + 1 : len;
    }
    return true;
}

/* Checks every marked block of the Markdown file at path; returns how many it checked. */
static int check_file(const char *path) {
    char *text = t_slurp(path);
    cr_assert(text, "cannot read %s", path);
    int checked = 0;
    for (char *m = text; (m = strstr(m, "<!-- ")) != NULL; m++) {
        /* A marker is a line of its own: prose quoting one (in a code span) is not one. */
        if (m != text && m[-1] != '\n')
            continue;
        bool exact = strncmp(m, "<!-- output of: dsim ", 21) == 0;
        bool excerpt = strncmp(m, "<!-- excerpt of: dsim ", 22) == 0;
        if (!exact && !excerpt)
            continue;
        char *args = m + (exact ? 21 : 22), *close = strstr(args, " -->");
        cr_assert(close, "%s: unclosed marker", path);
        /* The block starts on the next line: a marker whose block is missing must not check
         * some later block against the wrong command. */
        char *fence = close + 4;
        cr_assert(strncmp(fence, "\n```", 4) == 0,
                  "%s: `dsim %.*s`: the marker is not followed by a fenced block on the next line",
                  path, (int)(close - args), args);
        char *body = strchr(fence + 1, '\n');
        cr_assert(body);
        body++;
        char *end = strstr(body, "```");
        cr_assert(end, "%s: an unclosed fenced block", path);
        char *cmd = strndup(args, (size_t)(close - args));
        char *block = strndup(body, (size_t)(end - body));
        char *out = run_dsim(cmd);
        drop_wall_clock(out);
        drop_wall_clock(block);
        if (exact) {
            cr_expect_str_eq(block, out, "%s: the output of `dsim %s` has changed", path, cmd);
        } else {
            char missing[1024];
            cr_expect(is_excerpt(block, out, missing, sizeof missing),
                      "%s: `dsim %s` no longer prints: %s", path, cmd, missing);
        }
        checked++;
        free(cmd);
        free(block);
        free(out);
        m = end;
    }
    free(text);
    return checked;
}

static char *source_path(const char *rel) {
    const char *src = getenv("DSIM_SOURCE");
    cr_assert(src);
    size_t len = strlen(src) + strlen(rel) + 2;
    char *p = malloc(len);
    cr_assert(p);
    snprintf(p, len, "%s/%s", src, rel);
    return p;
}

Test(docs, the_kinds_reference_is_the_output_of_dsim_kinds_markdown) {
    char *path = source_path("docs/kinds.md");
    char *doc = t_slurp(path);
    cr_assert(doc, "cannot read %s", path);
    char *out = run_dsim("kinds --markdown");
    cr_expect_str_eq(doc, out, "docs/kinds.md is stale: regenerate it with "
                               "`build/dsim kinds --markdown > docs/kinds.md`");
    free(out);
    free(doc);
    free(path);
}

Test(docs, every_output_shown_in_the_docs_is_what_dsim_prints) {
    char *readme = source_path("README.md");
    int checked = check_file(readme);
    free(readme);
    char *dir = source_path("docs");
    DIR *d = opendir(dir);
    cr_assert(d, "no docs folder at %s", dir);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".md") != 0)
            continue;
        size_t plen = strlen(dir) + len + 2;
        char *p = malloc(plen);
        cr_assert(p);
        snprintf(p, plen, "%s/%s", dir, e->d_name);
        checked += check_file(p);
        free(p);
    }
    closedir(d);
    free(dir);
    /* The quick start's run and the tour's examples at least. */
    cr_expect_geq(checked, 3, "only %d blocks checked: the markers are missing", checked);
}
