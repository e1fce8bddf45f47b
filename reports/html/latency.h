/* The latency distribution of a run document drawn on a plot (dsim report, contract §8.5):
 * the CDF of a "latency_hist" object ({bounds_ms, counts}, docs/results.md: counts[i] requests
 * took bounds_ms[i] <= latency < bounds_ms[i+1]). Reads the document; writes only the plot. */
#ifndef DSIM_RH_LATENCY_H
#define DSIM_RH_LATENCY_H

#include "plot.h"

#include <cjson/cJSON.h>

/* Adds to pl the CDF of a "latency_hist" object ({bounds_ms, counts}) as an RH_STEP series
 * named name (x: ms, y: fraction 0..1). The step rises at each bucket's upper edge (the
 * fraction of requests known to be faster than it), so the curve never claims a request
 * faster than it was. Returns 0, or -1 when the object is malformed or empty (nothing
 * added). */
int rh_plot_latency_cdf(rh_plot *pl, const char *name, const cJSON *latency_hist);

/* The fraction-of-requests axis of a CDF plot: y fixed to 0..1 and a log x axis. */
void rh_plot_cdf_axes(rh_plot *pl);

#endif
