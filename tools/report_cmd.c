/* dsim report's arguments (report_cmd.h). */
#include "report_cmd.h"

#include "arg_error.h"
#include "html/report.h"
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char see_help[] = "dsim --help shows the usage";

int dsim_report_write(const char *out, rh_page *page) {
    const char *html = rh_page_html(page);
    if (!html) {
        fputs("dsim: out of memory while writing the report\n", stderr);
        return 1;
    }
    return (strcmp(out, "-") == 0 ? dsim_output_stdout(html) : dsim_output_write(out, html)) ? 1
                                                                                            : 0;
}

int dsim_report_command(int argc, char **argv) {
    const char *out = NULL;
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    /* --metric PATH: the paths, and the option as given for messages */
    const char **metrics = calloc((size_t)argc, sizeof *metrics);
    char **metric_args = calloc((size_t)argc, sizeof *metric_args);
    size_t n = 0, nmetrics = 0;
    if (!inputs || !metrics || !metric_args) {
        free(inputs);
        free(metrics);
        free(metric_args);
        fputs("dsim: out of memory\n", stderr);
        return 1;
    }
    int status = DSIM_EXIT_BAD_INPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc) {
                dsim_bad_arg(a, NULL, "expected the output file after it: -o report.html");
                goto out;
            }
            if (out) {
                dsim_bad_arg(a, NULL, "given twice: the report is one file");
                goto out;
            }
            out = argv[++i];
        } else if (strcmp(a, "--metric") == 0) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0') {
                dsim_bad_arg(a, NULL,
                             "expected a metric path after it: --metric requests.latency_ms.p99");
                goto out;
            }
            metrics[nmetrics] = argv[++i];
            size_t len = strlen(argv[i]) + sizeof "--metric ";
            if (!(metric_args[nmetrics] = malloc(len))) {
                fputs("dsim: out of memory\n", stderr);
                status = 1;
                goto out;
            }
            snprintf(metric_args[nmetrics++], len, "--metric %s", argv[i]);
        } else if (a[0] == '-' && a[1] != '\0') {
            dsim_bad_arg(a, see_help, "unknown option of dsim report (it takes INPUT... -o OUT)");
            goto out;
        } else {
            inputs[n++] = a;
        }
    }
    if (n == 0) {
        dsim_bad_arg("report", see_help,
                     "expected at least one INPUT: a result document, a "
                     "compare document or a sweep folder");
        goto out;
    }
    if (!out) {
        dsim_bad_arg("report", see_help, "expected -o OUT, the HTML file to write");
        goto out;
    }
    char err[4096];
    const char *where;
    rh_report_options ro = {metrics, (const char *const *)metric_args, nmetrics};
    rh_page *page = rh_report_build_with(inputs, n, &ro, &where, err, sizeof err);
    if (!page) {
        if (where) {
            dsim_bad_arg(where, NULL, "%s", err);
        } else {
            fprintf(stderr, "dsim: %s\n", err);
            status = 1;
        }
        goto out;
    }
    status = dsim_report_write(out, page);
    rh_page_free(page);
out:
    for (size_t i = 0; i < nmetrics; i++)
        free(metric_args[i]);
    free(metric_args);
    free(metrics);
    free(inputs);
    return status;
}
