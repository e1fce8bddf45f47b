/* The time-series plots of a run document (dsim report, contract §8.5, from the §8.2 `series`
 * object): every plot shares the run's time axis (seconds, 0 to the end of the run), shades
 * each fault from its `at_ms` to its `until_ms` with its label (a fault with no end is a
 * marked line; the undo of a shaded fault, a restart or a heal, is its shade's end and draws
 * nothing more), and marks the end of the warm-up.
 *
 * The plots: the client requests per second by outcome (completed, and failed, rejected,
 * timed out when any occurred), the client latency (mean, p50, p99 of the requests completed
 * in each interval), then one plot per family of node figures, picked by the suffix of the
 * series paths (queue length, in flight, utilization, primary role, replication lag, hit
 * ratio, breaker state, failures, rejections, denials, active shards). A family with more than
 * RH_SERIES_MAX_LINES nodes folds each instance group into its mean; the primary role is drawn
 * one lane per instance (raised while primary) so that two primaries at once stay visible. A
 * family that is 0 throughout is named in a note instead of drawn. */
#ifndef DSIM_RH_SERIES_PLOTS_H
#define DSIM_RH_SERIES_PLOTS_H

#include "page.h"

#include <cjson/cJSON.h>

enum { RH_SERIES_MAX_LINES = 8 };
/* At most this many faults are drawn on each plot (the first in the document's order), a note
 * says how many there were: more would cover the plots. */
enum { RH_SERIES_MAX_SHADES = 200 };

/* Appends the time-series plots of doc to p; nothing when doc has no (or a malformed)
 * `series`. */
void rh_series_plots(rh_page *p, const cJSON *doc);

#endif
