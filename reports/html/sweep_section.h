/* The report's section for a sweep folder (dsim report, contract §8.5): for each --vary axis
 * and each chosen metric, the metric against the axis's values with the 95% interval of every
 * config's mean as a bar (one series per combination of the other axes' values, at most 8);
 * a table of the configs with each metric's mean ± half-width; the topology of the sweep's
 * first run; and, for at most 8 configs, the latency CDF of each one's first seed. Numeric
 * axes use the values as dsim resolved them (sweep_data.h): 20ms, 40ms, 80ms at 20, 40, 80 on
 * a ms axis; other axes are categorical. Reads the folder, appends to the page. */
#ifndef DSIM_RH_SWEEP_SECTION_H
#define DSIM_RH_SWEEP_SECTION_H

#include "page.h"

#include <stddef.h>

/* The sweep section's choices (dsim report's options). */
typedef struct rh_sweep_options {
    /* The metrics to plot (--metric PATH, borrowed), or none for the defaults: the client
     * latency's p99 and mean, throughput, failed requests, the stale-read rate, and every
     * path the topology's expect: checks, those of them some config has. */
    const char *const *metrics;
    size_t nmetrics;
    /* What to name a bad metric in its error ("--metric PATH"); NULL: the path itself. */
    const char *const *metric_args;
} rh_sweep_options;

/* Appends the section of the sweep folder (the path as the user gave it) to p with the
 * default metrics. Returns 0; 2 for bad input: a folder that is not a finished sweep, with
 * err holding the message to print after "FOLDER: error: " (no final newline), perhaps
 * followed by "\nFOLDER: note: ..." lines (an unfinished sweep's says how to resume it); 1
 * when out of memory (err says so). On failure nothing is appended. */
int rh_sweep_section(rh_page *p, const char *folder, char *err, size_t errlen);

/* rh_sweep_section with the options o (NULL: the defaults). On failure *where (when where is
 * not NULL) is the argument at fault as err's lines name it: folder, or the metric_args entry
 * (else the path) of a --metric no config has, whose note names the nearest paths. */
int rh_sweep_section_with(rh_page *p, const char *folder, const rh_sweep_options *o,
                          const char **where, char *err, size_t errlen);

#endif
