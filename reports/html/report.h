/* The whole report of dsim report (contract §8.5): reads each input (a run document, a compare
 * document, or a sweep folder: a directory holding summary.json), checks it is a document of
 * this contract's major version, and builds one page: the run documents side by side (their
 * figures in one table, a column each, and their latency CDFs on one plot), then for each run
 * its head (expect verdicts), time series, tail breakdown and topology picture. Nothing is
 * written here: the caller writes the page (tools/report_cmd.c). */
#ifndef DSIM_RH_REPORT_H
#define DSIM_RH_REPORT_H

#include "page.h"

#include <cjson/cJSON.h>

#include <stddef.h>

/* The major version of the contract this report reads ("1.x"). */
#define RH_CONTRACT_MAJOR "1"

/* What the user chose on the command line beyond the inputs. */
typedef struct rh_report_options {
    const char *const *metrics;     /* --metric PATH: the sweep sections' plots (borrowed) */
    const char *const *metric_args; /* "--metric PATH" as given, for messages (borrowed) */
    size_t nmetrics;
} rh_report_options;

/* Builds the report of the n inputs (paths as given) with the options o (NULL: none):
 * returns the page (caller frees with rh_page_free), or NULL. On failure *where is the
 * argument at fault as given (an input, or an entry of o->metric_args: a --metric no config of a
 * sweep folder has, or a --metric with no sweep folder among the inputs), or NULL when none is (out
 * of memory); err holds the message to print after "WHERE: error: ", perhaps followed by "\nWHERE:
 * note: ..." lines, no final newline. */
rh_page *rh_report_build_with(const char *const *inputs, size_t n, const rh_report_options *o,
                              const char **where, char *err, size_t errlen);

/* The report of one document already in memory (dsim compare --report: its compare
 * document), named name in the page; doc is only read. Returns the page, or NULL with the
 * message in err (a document of another kind or contract, or out of memory). */
rh_page *rh_report_of_document(const cJSON *doc, const char *name, char *err, size_t errlen);

#endif
