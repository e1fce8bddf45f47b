/* An x-y plot drawn as inline SVG by dsim itself (dsim report, contract §8.5): named series
 * as polylines, step functions or points, confidence bars, shaded intervals and marker lines
 * on the x axis, "nice" axis ticks (linear, or logarithmic on x), a legend. Data are copied
 * in; nothing is drawn until rh_plot_render, which appends one <svg class="plot"> to a page
 * whose data marks (lines, steps, points, bars) carry class="data".
 *
 * Values that are not finite (NaN for a document's null) are gaps: a line breaks there, no
 * point is drawn. On a log axis values <= 0 are gaps too.
 *
 * Thinning: a line or step series of more than RH_PLOT_MAX_POINTS points is drawn from at most
 * that many: the x range is cut into RH_PLOT_MAX_POINTS / 4 equal columns, and each column
 * keeps, in x order, its first, lowest, highest and last point (a gap in a column becomes a
 * break after its points). Spikes stay visible and the page stays small; points series and
 * error bars are drawn whole. Output is deterministic: coordinates printed with 2 decimals. */
#ifndef DSIM_RH_PLOT_H
#define DSIM_RH_PLOT_H

#include "page.h"

#include <stddef.h>

enum { RH_PLOT_MAX_POINTS = 1000 };

typedef struct rh_plot rh_plot;

/* A new empty plot; the strings are copied (NULL: none). NULL when out of memory (every other
 * function accepts a NULL plot and does nothing). The caller frees it with rh_plot_free. */
rh_plot *rh_plot_new(const char *title, const char *x_label, const char *y_label);
/* Makes the x axis logarithmic (latency CDFs): ticks at 1, 2, 5 × powers of ten. */
void rh_plot_log_x(rh_plot *pl);
/* A named series: a polyline (RH_LINE), a step function (RH_STEP: y[i] holds from x[i] to
 * x[i+1], for CDFs), or points (RH_POINTS). Copies the data. Series get distinct colours in
 * the order they are added (8 colours, then again dashed), and a legend entry. */
typedef enum { RH_LINE, RH_STEP, RH_POINTS } rh_style;
void rh_plot_series(rh_plot *pl, const char *name, rh_style style, const double *x, const double *y,
                    size_t n);
/* Confidence bars on the last series added: lo[i]..hi[i] at x[i] of that series (n at most
 * that series' length; a non-finite bound draws no bar). */
void rh_plot_error_bars(rh_plot *pl, const double *lo, const double *hi, size_t n);
/* A shaded interval of the x axis with a label (a fault: "crash db.0"). */
void rh_plot_shade_x(rh_plot *pl, double x0, double x1, const char *label);
/* A vertical marker line at x with a label (an instantaneous fault, a restart). */
void rh_plot_mark_x(rh_plot *pl, double x, const char *label);
/* Appends the plot as an <svg class="plot"> element to the page. A plot with no drawable
 * data is drawn as an empty frame saying "no data". */
void rh_plot_render(const rh_plot *pl, rh_page *p);
void rh_plot_free(rh_plot *pl);

/* A grey dotted reference line at x with a label, drawn like a mark but not read as an event
 * (the end of the warm-up). */
void rh_plot_guide_x(rh_plot *pl, double x, const char *label);
/* Fixes the y axis to lo..hi (a CDF's 0..1) instead of the data's range. */
void rh_plot_y_range(rh_plot *pl, double lo, double hi);
/* Fixes the x axis to lo..hi instead of the range of the data, shades and marks. */
void rh_plot_x_range(rh_plot *pl, double lo, double hi);

/* "Nice" ticks covering lo..hi (Heckbert, "Nice numbers for graph labels", Graphics Gems,
 * 1990): a step of 1, 2 or 5 × 10^k giving about target ticks; first and last are multiples of
 * the step with first <= lo and last >= hi. Returns the number of ticks (at least 2), writing
 * first, the step and last. Exposed for the tests. */
int rh_nice_ticks(double lo, double hi, int target, double *first, double *step, double *last);

/* rh_plot_render with a categorical x axis (a sweep over policy names): the series' x are
 * positions 0 .. n-1, each labelled with labels[i] (escaped; cut to fit) under the axis,
 * instead of numeric ticks; a log x axis and a fixed x range are ignored. (Appended for the
 * sweep section, sweep_section.h.) */
void rh_plot_render_categories(const rh_plot *pl, rh_page *p, const char *const *labels, size_t n);

#endif
