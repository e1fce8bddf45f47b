/* The result document as JSON (contract §7): a sim_report writer that builds a cJSON tree in
 * the order keys are written, and its rendering to text. Only reports/ and the CLI touch cJSON. */
#ifndef DSIM_JSON_REPORT_H
#define DSIM_JSON_REPORT_H

#include "engine.h"

#include <cjson/cJSON.h>

/* Builds the engine's result document. The caller owns the tree (cJSON_Delete); NULL when out
 * of memory. */
cJSON *dsim_json_report(const sim_engine *e);

/* The same document with what the summary does not show left out: the instances of a long
 * run of one group past the first DSIM_SUMMARY_FOLD_ABOVE are empty objects (their names
 * only). dsim_summary_print prints exactly what it prints of the whole document; a run with
 * no --json builds only this (100,000 PHOLD instances: 100 B each instead of 400 B). */
cJSON *dsim_json_summary_report(const sim_engine *e);

/* Renders doc as indented UTF-8 text ending in a newline. The caller frees the text with
 * free(); NULL when out of memory. */
char *dsim_json_render(const cJSON *doc);

#endif
