/* A time series (sim/metrics.h, contract §8.2) as the result document's "series" object and
 * as CSV. A figure with no samples in an interval (NaN) is null in JSON and an empty cell in
 * CSV. Numbers are written as cJSON writes them (15 significant digits, 17 where 15 do not
 * read back the same), so the two outputs agree and a run's bytes repeat. */
#ifndef DSIM_SERIES_OUT_H
#define DSIM_SERIES_OUT_H

#include "metrics.h"

#include <cjson/cJSON.h>

/* Adds "series": {"interval_ms", "t_ms": [...], PATH: [...], ...} at the end of doc (an
 * object). Returns 0, or -1 when out of memory (doc is then unchanged). */
int dsim_series_add_json(cJSON *doc, const sim_series *s);

/* The series as CSV: a header t_ms,PATH,... and one row per interval (RFC 4180 quoting where
 * a path holds a comma or a quote). The caller frees it; NULL when out of memory. */
char *dsim_series_csv(const sim_series *s);

#endif
