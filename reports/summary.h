/* The human summary of a result document: what `dsim run` prints. It reads only the document
 * (never the engine), so it shows exactly what the JSON says. */
#ifndef DSIM_SUMMARY_H
#define DSIM_SUMMARY_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* A run of more than this many consecutive instances of a group is folded: the summary shows
 * the figures of its first few instances only, and of the rest only their names. */
enum { DSIM_SUMMARY_FOLD_ABOVE = 8 };

/* Length of the group part of an instance name ("web" in "web.12"), or 0 when not one: the
 * runs the summary folds are consecutive instances with the same group part. */
size_t dsim_summary_group_len(const char *name);

/* Prints doc (a §7 result document) as a readable table to out. */
void dsim_summary_print(FILE *out, const cJSON *doc);

#endif
