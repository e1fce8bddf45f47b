/* The summary of a sweep (contract §8.3): for each config, every numeric figure of its run
 * documents (metric paths, doc_paths.h; not `seed` nor the `overrides` record) with its mean,
 * sample standard deviation and Student-t 95% interval over the runs that have it (stats.h),
 * and the fraction of runs whose `expect` verdicts all passed; rendered as summary.json and
 * summary.csv. It reads documents given to it and builds text; it runs nothing, writes no
 * file. The result depends only on the documents and the order they are added in. */
#ifndef DSIM_EXP_SWEEP_SUMMARY_H
#define DSIM_EXP_SWEEP_SUMMARY_H

#include "sweep_precision.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct exp_summary exp_summary;

/* A new summary over naxes axes (their paths borrowed for the summary's life). NULL when out of
 * memory. */
exp_summary *exp_summary_new(const char *const *axis_paths, size_t naxes);
void exp_summary_free(exp_summary *s);

/* Starts the next config, called id ("c0"), with the value of each axis (borrowed for the
 * summary's life). Returns 0 or -1 when out of memory. */
int exp_summary_config(exp_summary *s, const char *id, const char *const *axis_values);
/* With --precision: the rule (borrowed for the summary's life), under "precision" at the top
 * of summary.json. */
void exp_summary_set_precision(exp_summary *s, const exp_precision *p);
/* With --precision: the current config's verdict (sweep_precision.h), its "precision":
 * {"seeds", "converged", "rel_half_width"} (rel_half_width null when NaN). Returns 0. */
int exp_summary_precision(exp_summary *s, size_t seeds, bool converged, double rel_half_width);
/* Adds one run document of the current config. Returns 0 or -1 when out of memory. */
int exp_summary_add(exp_summary *s, const cJSON *doc);

/* The run-wide facts the JSON carries beside the configs. */
typedef struct exp_summary_head {
    const char *dsim_version, *topology;
    const char *const *set_paths, *const *set_values; /* the --set overrides */
    size_t nsets;
    uint64_t seed_first, seed_last; /* with --precision, the first round's */
} exp_summary_head;

/* summary.json as text ending in a newline (caller frees); NULL when out of memory. */
char *exp_summary_json(const exp_summary *s, const exp_summary_head *head);
/* summary.csv as text: a header `config,AXIS...,metric,n,mean,stddev,ci95_lo,ci95_hi`, then
 * one row per config and metric, fields quoted as RFC 4180 says (a field holding a comma, a
 * quote or a line break in quotes, quotes doubled), an absent figure (stddev and interval at
 * n = 1) an empty field. Caller frees; NULL when out of memory. */
char *exp_summary_csv(const exp_summary *s);

/* Formats v as the document does (the shortest of %.15g and %.17g that reads back as v), so
 * the CSV and the JSON agree digit for digit. buf holds at least 32 bytes. */
void exp_format_number(char *buf, double v);

#endif
