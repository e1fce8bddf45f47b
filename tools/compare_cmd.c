/* dsim compare's arguments (compare_cmd.h). */
#include "compare_cmd.h"

#include "arg_error.h"
#include "budget.h"
#include "compare.h"
#include "html/report.h"
#include "json_report.h"
#include "report_cmd.h"
#include "models.h"
#include "output.h"
#include "seeds.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More seeds than this is a typo (--seeds 1..1000000000), not a comparison: every document
 * is held until the end. */
#define MAX_SEEDS 100000u
/* Rows of the table on stdout: a screenful. */
#define TABLE_ROWS 20

/* --report OUT: the HTML page of the compare document (reports/html/report.h), as
 * `dsim report` draws it. Returns 0, or 1 with the reason printed. */
static int write_report(const char *out, const cJSON *doc) {
    char err[1024];
    rh_page *page = rh_report_of_document(doc, "dsim compare", err, sizeof err);
    if (!page) {
        fprintf(stderr, "dsim: the report could not be drawn: %s\n", err);
        return 1;
    }
    int status = dsim_report_write(out, page);
    rh_page_free(page);
    return status;
}

int dsim_compare_command(int argc, char **argv) {
    exp_compare_options o = {.seed_first = 1,
                             .seed_last = 10,
                             .kinds = dsim_kinds,
                             .jobs = dsim_default_jobs(),
                             .err = stderr};
    size_t cap = (size_t)argc;
    sim_override *sa = calloc(cap, sizeof *sa), *sb = calloc(cap, sizeof *sb);
    const char **aa = calloc(cap, sizeof *aa), **ab = calloc(cap, sizeof *ab);
    const char *json = NULL, *report = NULL;
    cJSON *doc = NULL;
    char *text = NULL;
    int status = EXP_COMPARE_FAILED;
    if (!sa || !sb || !aa || !ab) {
        fputs("dsim: out of memory\n", stderr);
        goto out;
    }
    o.a = (exp_design){.sets = sa, .arg = aa};
    o.b = (exp_design){.sets = sb, .arg = ab};
    status = EXP_COMPARE_BAD_INPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        bool to_a = strcmp(a, "--set-a") == 0, to_b = strcmp(a, "--set-b") == 0;
        if (to_a || to_b || strcmp(a, "--set") == 0) {
            if (!has_value) {
                dsim_bad_arg(a, NULL, "expected PATH=VALUE after it");
                goto out;
            }
            char *spec = argv[++i], *eq = strchr(spec, '=');
            if (!eq || eq == spec) {
                fprintf(stderr, "%s %s: error: expected PATH=VALUE, e.g. nodes.web.workers=4\n", a,
                        spec);
                goto out;
            }
            /* the loader rebuilds "--set PATH=VALUE" from the two halves for its messages
             * (compare.h: arg names the option as given) */
            *eq = '\0';
            sim_override ov = {.path = spec, .value = eq + 1};
            if (!to_b) { /* --set and --set-a */
                sa[o.a.nsets] = ov;
                aa[o.a.nsets++] = a;
            }
            if (!to_a) { /* --set and --set-b */
                sb[o.b.nsets] = ov;
                ab[o.b.nsets++] = a;
            }
        } else if (strcmp(a, "--seeds") == 0) {
            if (!has_value) {
                dsim_bad_arg(a, NULL, "expected a count N (seeds 1..N) or A..B after it");
                goto out;
            }
            const char *v = argv[++i];
            if (exp_parse_seeds(v, &o.seed_first, &o.seed_last)) {
                fprintf(stderr,
                        "--seeds %s: error: expected a count N >= 1 (seeds 1..N) or A..B with "
                        "A <= B, e.g. --seeds 10 or --seeds 11..20\n",
                        v);
                goto out;
            }
            if (o.seed_last - o.seed_first >= MAX_SEEDS) {
                fprintf(stderr, "--seeds %s: error: more than %u seeds\n", v, MAX_SEEDS);
                goto out;
            }
        } else if (strcmp(a, "--json") == 0) {
            if (!has_value) {
                dsim_bad_arg(a, NULL, "expected a file name (or - for stdout) after it");
                goto out;
            }
            json = argv[++i];
        } else if (strcmp(a, "--jobs") == 0) {
            if (!has_value) {
                dsim_bad_arg(a, NULL, "expected a number of seeds at a time >= 1 after it");
                goto out;
            }
            if (dsim_parse_jobs(argv[++i], &o.jobs))
                goto out;
        } else if (strcmp(a, "--report") == 0) {
            if (!has_value) {
                dsim_bad_arg(a, NULL, "expected the HTML file to write after it");
                goto out;
            }
            report = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            static const char *const known[] = {"--set",  "--set-a",  "--set-b", "--seeds",
                                                "--json", "--report", "--jobs",  NULL};
            dsim_unknown_word(a, "option of dsim compare", known);
            goto out;
        } else if (!o.a.file) {
            o.a.file = a;
        } else if (!o.b.file) {
            o.b.file = a;
        } else {
            dsim_bad_arg(a, dsim_see_help, "unexpected argument: the designs are '%s' and '%s'",
                         o.a.file, o.b.file);
            goto out;
        }
    }
    if (!o.a.file) {
        dsim_bad_arg("compare", dsim_see_help,
                     "expected a topology A.yaml (and B.yaml, or --set-b)");
        goto out;
    }
    if (!o.b.file)
        o.b.file = o.a.file; /* B is A with the --set-b overrides */
    if (json && strcmp(json, "-") != 0 && dsim_output_check(json))
        goto out;
    if (report && strcmp(report, "-") == 0) {
        dsim_bad_arg("--report -", NULL, "the report goes to a file (dsim report ... -o - writes "
                                         "one to stdout)");
        goto out;
    }
    if (report && dsim_output_check(report))
        goto out;
    status = exp_compare(&o, &doc);
    if (status != EXP_COMPARE_OK)
        goto out;
    status = EXP_COMPARE_FAILED;
    bool to_stdout = json && strcmp(json, "-") == 0;
    if (json && !(text = dsim_json_render(doc))) {
        fputs("dsim: out of memory while writing the compare document\n", stderr);
        goto out;
    }
    if (exp_compare_print(to_stdout ? stderr : stdout, doc, TABLE_ROWS)) {
        fputs("dsim: the table could not be printed\n", stderr);
        goto out;
    }
    if (!to_stdout && dsim_output_flush_stdout())
        goto out;
    if (to_stdout ? dsim_output_stdout(text) : json && dsim_output_write(json, text))
        goto out;
    if (report && write_report(report, doc))
        goto out;
    status = EXP_COMPARE_OK;
out:
    free(text);
    cJSON_Delete(doc);
    free(sa);
    free(sb);
    free(aa);
    free(ab);
    return status;
}
