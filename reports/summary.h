/* The human summary of a result document: what `dsim run` prints. It reads only the document
 * (never the engine), so it shows exactly what the JSON says. */
#ifndef DSIM_SUMMARY_H
#define DSIM_SUMMARY_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Prints doc (a §7 result document) as a readable table to out. */
void dsim_summary_print(FILE *out, const cJSON *doc);

#endif
