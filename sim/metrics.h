/* The metrics registry. A kind declares its figures once, in a constant table (sim_kind's
 * `metrics`): the key, what the figure is, and where it lives in the instance's state (an
 * offset) or how it is derived from state and config (a function). Nothing is stored per
 * instance, so a million nodes pay nothing for it, and the engine can read any figure of any
 * node at any time: it writes the nodes' entries of the result document from the tables, looks
 * figures up by dotted path (for `expect:`, contract §8.1) and samples them at an interval of
 * simulated time (time series, §8.2). What does not fit a table (objects keyed by peer names,
 * arrays) is written by the kind's report hook, or by a SIM_METRIC_WRITE entry where it must
 * sit between table entries to keep the document's key order. */
#ifndef SIM_METRICS_H
#define SIM_METRICS_H

#include "report.h"
#include "simtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_node sim_node;
typedef struct sim_engine sim_engine;

typedef enum {
    SIM_METRIC_COUNTER,   /* a count that only grows (an unsigned field, or value): integer */
    SIM_METRIC_GAUGE,     /* a level at the moment it is read (unsigned field, or value): integer */
    SIM_METRIC_NUMBER,    /* a real figure (a double field, or value), e.g. a ratio */
    SIM_METRIC_TAVG,      /* a sim_tavg field: its time average from the warm-up end on */
    SIM_METRIC_HISTOGRAM, /* a sim_hist field (ns), written as sim_report_hist_ms in ms */
    SIM_METRIC_LABEL,     /* a string from label(): written, neither looked up nor sampled */
    SIM_METRIC_WRITE,     /* write() writes here whatever does not fit (name: documentation) */
    SIM_METRIC_INCLUDE,   /* a building block's table (include) whose offsets start at offset */
} sim_metric_type;

/* How a figure's value within one interval of a time series (§8.2) is made from the state at
 * the interval's two ends (sim_engine_sample_intervals). */
typedef enum {
    SIM_SERIES_AUTO,     /* by type: a counter's increase, a tavg's time average, a histogram's
                          * figure over the values recorded within, a gauge's value at the
                          * interval's end; a NUMBER is then not sampled unless asked for */
    SIM_SERIES_DELTA,    /* the increase of value() (a cumulative NUMBER, e.g. ms spent open) */
    SIM_SERIES_TIME_AVG, /* the increase of num() (a level x ns integral) / the interval's ns */
    SIM_SERIES_RATIO,    /* the increase of num() / the increase of den(); null when 0 */
    SIM_SERIES_LEVEL,    /* value() at the interval's end */
    SIM_SERIES_OFF,      /* not sampled (a figure of the whole run only) */
} sim_series_rule;

typedef struct sim_metric sim_metric;
struct sim_metric {
    /* The key in the node's entry; dots nest it in objects ("settings.version"): consecutive
     * entries with the same prefix share the object, which is left out when none is shown.
     * NULL ends a table. */
    const char *name;
    sim_metric_type type;
    /* Where the field is in the state (or in the included block), and its size: set both with
     * SIM_FIELD. Integer fields are unsigned of 4 or 8 bytes. Unused when value is set. */
    size_t offset;
    unsigned size;
    sim_pct_set pct; /* HISTOGRAM: the figures written */
    /* Shown only when this returns true for the node's config (NULL: always). */
    bool (*shown)(const void *config);
    /* A figure derived from the state (base: the state, or the included block) at time at:
     * the run's end for the document, the sampling time for series. Must not change
     * anything. */
    double (*value)(const void *base, const sim_node *n, sim_time at);
    const char *(*label)(const void *base, const sim_node *n); /* LABEL */
    void (*write)(const sim_node *n, sim_report *w);           /* WRITE */
    /* WRITE: whether write() can write a number at rel (a path within the node's entry) in
     * some state of the node, when what it writes depends on the state (a primary's
     * replicas); NULL: what it writes follows from the config and wiring alone. For
     * sim_engine_can_have. */
    bool (*can_have)(const sim_node *n, const char *rel);
    const sim_metric *include;                                 /* INCLUDE */
    /* Time series: the rule, and the cumulative figures it needs (base and n as for value;
     * n is NULL for a checker's table). Static like the rest: nothing per instance. */
    sim_series_rule series;
    double (*num)(const void *base, const sim_node *n, sim_time at);
    double (*den)(const void *base, const sim_node *n, sim_time at);
    /* Sampled only (not written in the document, not looked up): e.g. a station's in-flight
     * level, whose whole-run figure the document does not carry. */
    bool series_only;
};

/* The offset and size of field f of state type T, for a table entry:
 * {"completed", SIM_METRIC_COUNTER, SIM_FIELD(client_state, completed)}. */
#define SIM_FIELD(T, f) .offset = offsetof(T, f), .size = sizeof(((T *)0)->f)
#define SIM_METRICS_END                                                                            \
    { .name = NULL }

/* Checks a table for what the compiler cannot: integer fields of 4 or 8 bytes, doubles of 8,
 * a histogram, tavg or label with its source, nested names well formed. Returns NULL, or the
 * name of the first bad entry. */
const char *sim_metrics_check(const sim_metric *table);

/* Writes node n's table entries (state base, time at) into the open object of its entry. */
void sim_metrics_write(const sim_metric *table, const void *base, const sim_node *n, sim_time at,
                       sim_report *w);

/* What a lookup found. */
typedef enum {
    SIM_LOOKUP_OK,        /* *out holds the figure */
    SIM_LOOKUP_NO_NODE,   /* the path names a node (nodes.X) that does not exist */
    SIM_LOOKUP_NO_FIGURE, /* no numeric leaf at that path in this run's document */
} sim_lookup_status;

/* The figure at a dotted path of the result document (contract §8.1): "requests.completed",
 * "nodes.web.wait_ms.p99", "nodes.db.1.lag_ms.p99" (the longest node name that matches
 * wins). Its value is the one the document written now would hold (integers as doubles);
 * booleans and strings are not figures. Registered figures are read directly; the others
 * (those a report hook writes, engine-level ones) by writing that part of the document. */
sim_lookup_status sim_engine_lookup(const sim_engine *e, const char *path, double *out);

/* The same for judging the figure (`expect:`, contract §8.1): a figure of a histogram with no
 * samples, which the document writes as 0, is SIM_LOOKUP_NO_FIGURE (no value). */
sim_lookup_status sim_engine_lookup_value(const sim_engine *e, const char *path, double *out);

/* Whether a run of e's topology can have a numeric figure at path (contract §8.1), told
 * apart from whether this run has it: SIM_LOOKUP_OK when some run can (it may still be absent
 * from a given one: a histogram with no samples, a checker with nothing to judge);
 * SIM_LOOKUP_NO_NODE when the path names no node (nodes.X); SIM_LOOKUP_NO_FIGURE when no run
 * writes a number there. The answer comes from the kinds' tables (with each node's config),
 * the figures the checkers declare (sim_checker_kind.figures, .node_figures), and the keys the
 * engine and the kinds' report hooks write for these nodes, which follow from the config and
 * the wiring, not from what happened: e may be fresh from sim_engine_new, nothing is run.
 * When near is not NULL and the path cannot exist, *near receives the closest path that can
 * (sim/suggest.h's nearness; malloc, the caller frees) or NULL. */
sim_lookup_status sim_engine_can_have(const sim_engine *e, const char *path, char **near);

/* What a path that is no figure names in the document written now (for messages). */
typedef enum {
    SIM_PATH_NONE,   /* nothing, or something else */
    SIM_PATH_OBJECT, /* an object with figures under it */
    SIM_PATH_STRING, /* a string */
} sim_path_shape;

/* Whether path names an object or a string in the document e would write now; for an object,
 * *first receives the full path of its first figure (malloc, the caller frees; NULL when
 * there is none or out of memory). */
sim_path_shape sim_engine_path_shape(const sim_engine *e, const char *path, char **first);

/* Series of sampled figures: row i holds every column's value at t[i]; NaN where a figure
 * was absent at that time (a hook-written object not there yet) or had no sample. From
 * sim_engine_sample, cumulative as in the document: counters count from the warm-up end,
 * time averages and histograms cover [warm-up end, t]. From sim_engine_sample_intervals,
 * the figures within each interval (t[i-1], t[i]] (contract §8.2). */
typedef struct sim_series {
    sim_time interval;
    size_t ncols, nrows;
    char **paths;   /* ncols metric paths */
    sim_time *t;    /* nrows sampling times: interval, 2 interval, ..., and the run's end */
    double *values; /* nrows * ncols, row after row */
    size_t caprows;
} sim_series;

/* Samples the figures at paths (npaths of them; NULL: every registered figure of every node,
 * every network.* figure, and those of the checkers every document has, e.g. requests.*)
 * every interval of simulated time, from now on:
 * at now + interval, now + 2 interval, ... and at the run's end. Call it before running, at
 * most once. Sampling draws nothing and leaves the document as it is, and off (never called)
 * it schedules nothing. Returns 0; -1 with a message in err when a path names no node or no
 * figure it could have, or the interval is not positive, or out of memory. */
int sim_engine_sample(sim_engine *e, sim_time interval, const char *const *paths, size_t npaths,
                      char *err, size_t errlen);
/* Samples per interval, as the result document's "series" (contract §8.2): like
 * sim_engine_sample, but row i holds each figure WITHIN interval i, (t[i-1], t[i]] (t[-1] =
 * now), by its entry's sim_series_rule: a counter's increase, a time average over the
 * interval, histogram figures over the values recorded in it (NaN when none), a gauge's value
 * at t[i]. The defaults (paths NULL): every node's sampled entries, the checkers' tables
 * (requests.*: each interval counts the requests that ended in it, warm-up included, but not
 * those issued before the warm-up end that ended after it, which the document ignores too)
 * and the network's counters. On a bad path, *bad (when not NULL) is its index. */
int sim_engine_sample_intervals(sim_engine *e, sim_time interval, const char *const *paths,
                                size_t npaths, size_t *bad, char *err, size_t errlen);
/* Checks, without sampling, that sim_engine_sample_intervals would take every path: returns
 * 0, or -1 with the first bad path's index in *bad and why in err (also when out of memory,
 * *bad then SIZE_MAX). For `dsim validate` and for a check before a pilot run. */
int sim_engine_check_series_paths(sim_engine *e, const char *const *paths, size_t npaths,
                                  size_t *bad, char *err, size_t errlen);
/* The path nearest to a misspelt one among those sim_engine_sample_intervals would sample by
 * default (borrowed from a static buffer of buf), or NULL when none is near. */
const char *sim_engine_series_suggest(sim_engine *e, const char *path, char *buf, size_t len);

/* The series so far; NULL when sampling is off. */
const sim_series *sim_engine_series(const sim_engine *e);

#endif
