/* The report's section for a compare document (dsim compare --json, contract §8.4, §8.5):
 * a header (A and B: files, overrides, seeds), the client latency CDFs of A and B pooled over
 * the seeds on one plot, the clients' headline figures (p99, mean, throughput, failures, ...),
 * the table of paired differences B - A (the metrics that differ most
 * first: the significant ones, then by |relative change|; the first 25, the rest in a
 * collapsed <details>) with A's and B's means, the difference, its 95% interval, the relative
 * change, significance, and the paired and unpaired standard deviations (the variance the
 * pairing saved); the `expect` tallies of each side when present; and the topology pictures,
 * side by side when the graphs differ, one when they are the same. Reads the document,
 * appends to the page. */
#ifndef DSIM_RH_COMPARE_SECTION_H
#define DSIM_RH_COMPARE_SECTION_H

#include "page.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* The rows of the main table; the others go in a collapsed <details>. */
enum { RH_COMPARE_ROWS = 25 };

/* Appends the section of the compare document doc (borrowed), named name (its file as the
 * user gave it, for the header), to p. Returns 0; 2 for a document that is not a compare
 * document (err holds the message to print after "NAME: error: ", no final newline; nothing
 * appended); 1 when out of memory (err says so). */
int rh_compare_section(rh_page *p, const cJSON *doc, const char *name, char *err, size_t errlen);

#endif
