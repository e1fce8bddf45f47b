/* The head of a run document's section in the report (dsim report, contract §8.5): what ran
 * (topology, seed, duration, warm-up and how it was chosen, events, the file it came from),
 * the overrides record when the run had --set overrides, and the `expect` verdicts (§8.1)
 * when the topology has expect:, failing ones highlighted. Reads the document only. */
#ifndef DSIM_RH_RUN_HEADER_H
#define DSIM_RH_RUN_HEADER_H

#include "page.h"

#include <cjson/cJSON.h>

/* Appends the head of doc's section to p; input names the file it was read from (shown as
 * given). */
void rh_run_header(rh_page *p, const cJSON *doc, const char *input);

#endif
