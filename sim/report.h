/* The result-document writer seen by the engine and the models: a small interface of
 * callbacks (implemented in reports/ with cJSON) so keys come out in the order they are
 * written, and sim/ and models/ never touch JSON. Keys are ignored inside arrays. */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include "hist.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_report_ops {
    int version;
    void (*open_object)(void *ud, const char *key);
    void (*open_array)(void *ud, const char *key);
    void (*close)(void *ud);
    void (*number)(void *ud, const char *key, double v);
    void (*integer)(void *ud, const char *key, int64_t v);
    void (*string)(void *ud, const char *key, const char *v);
    void (*boolean)(void *ud, const char *key, bool v);
    /* Optional (NULL: ignored): the object key opened next holds the figures of a histogram
     * with no samples, written as 0 all the same; a reader that must tell "no value" apart
     * (judging an `expect:`, contract §8.1) treats them as absent. */
    void (*no_samples)(void *ud, const char *key);
    /* An integer that is a level at the moment written (in flight, a position), not a count:
     * time series show its value rather than its increase. NULL: written as integer. */
    void (*level)(void *ud, const char *key, int64_t v);
} sim_report_ops;

typedef struct sim_report {
    const sim_report_ops *ops;
    void *ud;
} sim_report;

static inline void sim_report_open(sim_report *w, const char *key) {
    w->ops->open_object(w->ud, key);
}
static inline void sim_report_open_array(sim_report *w, const char *key) {
    w->ops->open_array(w->ud, key);
}
static inline void sim_report_close(sim_report *w) { w->ops->close(w->ud); }
static inline void sim_report_number(sim_report *w, const char *key, double v) {
    w->ops->number(w->ud, key, v);
}
static inline void sim_report_int(sim_report *w, const char *key, int64_t v) {
    w->ops->integer(w->ud, key, v);
}
/* An integer level (see sim_report_ops.level): in the document, an integer like any other. */
static inline void sim_report_level(sim_report *w, const char *key, int64_t v) {
    if (w->ops->level)
        w->ops->level(w->ud, key, v);
    else
        w->ops->integer(w->ud, key, v);
}
static inline void sim_report_string(sim_report *w, const char *key, const char *v) {
    w->ops->string(w->ud, key, v);
}
static inline void sim_report_bool(sim_report *w, const char *key, bool v) {
    w->ops->boolean(w->ud, key, v);
}

/* Which figures sim_report_hist_ms writes. */
typedef enum {
    SIM_PCT_SHORT, /* mean, p50, p99 */
    SIM_PCT_FULL,  /* mean, p50, p90, p99, p999, max */
    SIM_PCT_TAIL,  /* mean, p99, max */
} sim_pct_set;

/* The figures of a histogram, in the order they are written. */
typedef enum {
    SIM_HIST_MEAN,
    SIM_HIST_P50,
    SIM_HIST_P90,
    SIM_HIST_P99,
    SIM_HIST_P999,
    SIM_HIST_MAX,
    SIM_HIST_NFIGURES,
} sim_hist_figure;

/* The key of figure f ("p99"), and whether set writes it. */
const char *sim_hist_figure_name(sim_hist_figure f);
bool sim_pct_has(sim_pct_set set, sim_hist_figure f);
/* Figure f of a (nanosecond) histogram in milliseconds, as the document holds it. */
double sim_hist_figure_ms(const sim_hist *h, sim_hist_figure f);

/* Writes object key with the histogram's (nanosecond) figures converted to milliseconds. */
void sim_report_hist_ms(sim_report *w, const char *key, const sim_hist *h, sim_pct_set set);

struct sim_topology;
/* Writes "overrides": what each --set the topology was loaded with changed, keyed by its path
 * (the last of several on one path holds): {"value": as given, "file": the file's text it
 * replaced (absent for a key it added), "resolved": the value as dsim read it (a number in the
 * document's units, "unit" saying which when it has one; a choice; a flag), absent where no
 * typed key read it}. Nothing when there are none (docs/results.md). */
void sim_report_overrides(const struct sim_topology *t, sim_report *w);

#endif
