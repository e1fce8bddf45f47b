/* The figures of one or more run documents side by side (dsim report, contract §8.5: "the
 * designs side by side"): a table with one column per document (requests, throughput, latency,
 * per-op latency, latency of failures and rejections, consistency; a row only when some
 * document has it), then the CDFs of their client latency (requests.latency_hist) on one plot
 * with a log time axis. Reads the documents only. */
#ifndef DSIM_RH_RUN_FIGURES_H
#define DSIM_RH_RUN_FIGURES_H

#include "page.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Appends the figures table and the latency CDF plot of the n documents docs, headed by
 * names (one per document), to p. */
void rh_run_figures(rh_page *p, const cJSON *const *docs, const char *const *names, size_t n);

#endif
