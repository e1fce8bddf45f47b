/* The SVG plot (plot.h). */
#include "plot.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The picture's geometry in SVG user units: the plotting area, then the legend on its right. */
enum { W = 900, H = 320, ML = 72, MT = 34, PX1 = 690, PY1 = 268, LEGEND_X = 705 };
#define PW ((double)(PX1 - ML))
#define PH ((double)(PY1 - MT))

/* Okabe and Ito's colour-blind-safe palette (2008), yellow swapped for brown for contrast on
 * white; series beyond the eighth reuse it dashed. */
static const char *const COLOURS[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#555555", "#8C564B"};
enum { N_COLOURS = sizeof COLOURS / sizeof COLOURS[0] };

typedef struct series {
    char *name;
    rh_style style;
    double *x, *y;
    size_t n;
    double *lo, *hi; /* error bars, or NULL */
    size_t n_bars;
} series;

typedef struct marker {
    double x0, x1; /* x1 is NaN for a marker line */
    char *label;
    bool guide; /* a reference line, not an event */
} marker;

struct rh_plot {
    char *title, *x_label, *y_label;
    bool log_x;
    bool fixed_x, fixed_y;
    double fx0, fx1, fy0, fy1;
    series *s;
    size_t n_s;
    marker *m;
    size_t n_m;
    bool failed;
};

static char *dup_or_null(const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static double *dup_doubles(const double *v, size_t n) {
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, v, n * sizeof *d);
    return d;
}

rh_plot *rh_plot_new(const char *title, const char *x_label, const char *y_label) {
    rh_plot *pl = calloc(1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->title = dup_or_null(title);
    pl->x_label = dup_or_null(x_label);
    pl->y_label = dup_or_null(y_label);
    if ((title && !pl->title) || (x_label && !pl->x_label) || (y_label && !pl->y_label)) {
        rh_plot_free(pl);
        return NULL;
    }
    return pl;
}

void rh_plot_log_x(rh_plot *pl) {
    if (pl)
        pl->log_x = true;
}

void rh_plot_y_range(rh_plot *pl, double lo, double hi) {
    if (pl && isfinite(lo) && isfinite(hi) && lo < hi) {
        pl->fixed_y = true;
        pl->fy0 = lo;
        pl->fy1 = hi;
    }
}

void rh_plot_x_range(rh_plot *pl, double lo, double hi) {
    if (pl && isfinite(lo) && isfinite(hi) && lo < hi) {
        pl->fixed_x = true;
        pl->fx0 = lo;
        pl->fx1 = hi;
    }
}

void rh_plot_series(rh_plot *pl, const char *name, rh_style style, const double *x, const double *y,
                    size_t n) {
    if (!pl || pl->failed)
        return;
    series *grown = realloc(pl->s, (pl->n_s + 1) * sizeof *grown);
    if (!grown) {
        pl->failed = true;
        return;
    }
    pl->s = grown;
    series *s = &pl->s[pl->n_s];
    *s = (series){.name = dup_or_null(name ? name : ""), .style = style, .n = n};
    s->x = dup_doubles(x, n);
    s->y = dup_doubles(y, n);
    if (!s->name || !s->x || !s->y) {
        free(s->name);
        free(s->x);
        free(s->y);
        pl->failed = true;
        return;
    }
    pl->n_s++;
}

void rh_plot_error_bars(rh_plot *pl, const double *lo, const double *hi, size_t n) {
    if (!pl || pl->failed || pl->n_s == 0)
        return;
    series *s = &pl->s[pl->n_s - 1];
    if (n > s->n)
        n = s->n;
    free(s->lo);
    free(s->hi);
    s->lo = dup_doubles(lo, n);
    s->hi = dup_doubles(hi, n);
    s->n_bars = n;
    if (!s->lo || !s->hi) {
        free(s->lo);
        free(s->hi);
        s->lo = s->hi = NULL;
        s->n_bars = 0;
        pl->failed = true;
    }
}

static void add_marker(rh_plot *pl, double x0, double x1, const char *label, bool guide) {
    if (!pl || pl->failed || !isfinite(x0))
        return;
    marker *grown = realloc(pl->m, (pl->n_m + 1) * sizeof *grown);
    if (!grown) {
        pl->failed = true;
        return;
    }
    pl->m = grown;
    char *l = dup_or_null(label ? label : "");
    if (!l) {
        pl->failed = true;
        return;
    }
    pl->m[pl->n_m++] = (marker){.x0 = x0, .x1 = x1, .label = l, .guide = guide};
}

void rh_plot_shade_x(rh_plot *pl, double x0, double x1, const char *label) {
    if (isfinite(x0) && isfinite(x1) && x1 < x0) {
        double t = x0;
        x0 = x1;
        x1 = t;
    }
    add_marker(pl, x0, isfinite(x1) ? x1 : x0, label, false);
}

void rh_plot_mark_x(rh_plot *pl, double x, const char *label) {
    add_marker(pl, x, NAN, label, false);
}

void rh_plot_guide_x(rh_plot *pl, double x, const char *label) {
    add_marker(pl, x, NAN, label, true);
}

void rh_plot_free(rh_plot *pl) {
    if (!pl)
        return;
    for (size_t i = 0; i < pl->n_s; i++) {
        free(pl->s[i].name);
        free(pl->s[i].x);
        free(pl->s[i].y);
        free(pl->s[i].lo);
        free(pl->s[i].hi);
    }
    for (size_t i = 0; i < pl->n_m; i++)
        free(pl->m[i].label);
    free(pl->s);
    free(pl->m);
    free(pl->title);
    free(pl->x_label);
    free(pl->y_label);
    free(pl);
}

/* ---- axes ---- */

/* Heckbert's nice number: the 1, 2, 5 or 10 × 10^k nearest x (round) or not below it. */
static double nice_number(double x, bool round_it) {
    double e = floor(log10(x));
    double f = x / pow(10, e);
    double nf;
    if (round_it)
        nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    else
        nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nf * pow(10, e);
}

int rh_nice_ticks(double lo, double hi, int target, double *first, double *step, double *last) {
    if (!(hi > lo)) {
        double pad = lo == 0 ? 1 : fabs(lo) * 0.5;
        lo -= pad;
        hi += pad;
    }
    if (target < 2)
        target = 2;
    double range = nice_number(hi - lo, false);
    double d = nice_number(range / (target - 1), true);
    double f = floor(lo / d) * d, l = ceil(hi / d) * d;
    /* floor/ceil of a quotient can land one step inside through rounding */
    while (f > lo)
        f -= d;
    while (l < hi)
        l += d;
    *first = f;
    *step = d;
    *last = l;
    return (int)llround((l - f) / d) + 1;
}

/* The axis of one plot, in data units (a log axis in log10 units). */
typedef struct axis {
    double lo, hi;
    bool log;
} axis;

static double to_axis(const axis *a, double v) {
    if (a->log)
        return v > 0 ? log10(v) : NAN;
    return v;
}

/* The x pixel of data value v, clamped to just outside the area so that nothing escapes
 * it; NaN when v cannot be drawn. */
static double px(const axis *a, double v) {
    double t = to_axis(a, v);
    if (!isfinite(t))
        return NAN;
    double r = ML + (t - a->lo) / (a->hi - a->lo) * PW;
    return r < ML - 2 ? ML - 2 : r > PX1 + 2 ? PX1 + 2 : r;
}

static double py(const axis *a, double v) {
    if (!isfinite(v))
        return NAN;
    double r = PY1 - (v - a->lo) / (a->hi - a->lo) * PH;
    return r < MT - 2 ? MT - 2 : r > PY1 + 2 ? PY1 + 2 : r;
}

/* A tick label: as many decimals as the step needs, none for whole steps; -0 printed as 0. */
static void tick_label(char *buf, size_t len, double v, double step) {
    if (fabs(v) < step * 1e-9)
        v = 0;
    if (fabs(v) >= 1e7) {
        snprintf(buf, len, "%.3g", v);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 9)
        dec = 9;
    snprintf(buf, len, "%.*f", dec, v);
}

/* The range of the data along x (in axis units) or y. Returns false when there is none. */
static bool data_range(const rh_plot *pl, bool along_x, double *lo, double *hi) {
    axis id = {.log = along_x && pl->log_x};
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < pl->n_s; i++) {
        const series *s = &pl->s[i];
        for (size_t j = 0; j < s->n; j++) {
            double xv = to_axis(&id, s->x[j]);
            if (!isfinite(xv))
                continue;
            if (along_x) {
                if (isfinite(s->y[j])) {
                    a = fmin(a, xv);
                    b = fmax(b, xv);
                }
                continue;
            }
            if (isfinite(s->y[j])) {
                a = fmin(a, s->y[j]);
                b = fmax(b, s->y[j]);
            }
            if (j < s->n_bars) {
                if (isfinite(s->lo[j]))
                    a = fmin(a, s->lo[j]);
                if (isfinite(s->hi[j]))
                    b = fmax(b, s->hi[j]);
            }
        }
    }
    if (along_x && a <= b) {
        /* shades and marks widen the x range only where there is data to relate them to */
        for (size_t i = 0; i < pl->n_m; i++) {
            double u = to_axis(&id, pl->m[i].x0);
            double v = isfinite(pl->m[i].x1) ? to_axis(&id, pl->m[i].x1) : u;
            if (isfinite(u) && isfinite(v)) {
                a = fmin(a, u);
                b = fmax(b, v);
            }
        }
    }
    *lo = a;
    *hi = b;
    return a <= b;
}

/* ---- drawing ---- */

static void text_at(rh_page *p, double x, double y, const char *anchor, const char *cls,
                    const char *s) {
    rh_raw(p, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
           cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    rh_escape(p, s);
    rh_raw(p, "</text>\n");
}

/* The points of s to draw, in order, as indices into s (-1: a break). Thinned as plot.h says
 * when s is a line or step series longer than RH_PLOT_MAX_POINTS whose x increase. Returns
 * the number written to out (capacity: 2 × s->n + 1), or -1 when out of memory. */
static long points_to_draw(const series *s, const axis *ax, long *out) {
    long k = 0;
    bool thin = s->style != RH_POINTS && s->n > RH_PLOT_MAX_POINTS;
    for (size_t j = 1; thin && j < s->n; j++)
        if (isfinite(s->x[j]) && isfinite(s->x[j - 1]) && s->x[j] < s->x[j - 1])
            thin = false;
    if (!thin) {
        for (size_t j = 0; j < s->n; j++) {
            bool ok = isfinite(px(ax, s->x[j])) && isfinite(s->y[j]);
            if (ok)
                out[k++] = (long)j;
            else if (k == 0 || out[k - 1] != -1)
                out[k++] = -1;
        }
        return k;
    }
    const long columns = RH_PLOT_MAX_POINTS / 4;
    long col = -1, first = -1, lo = -1, hi = -1, last = -1;
    bool gap = false;
    for (size_t j = 0; j <= s->n; j++) {
        long c = col;
        bool ok = false;
        if (j < s->n) {
            double xp = px(ax, s->x[j]);
            ok = isfinite(xp) && isfinite(s->y[j]);
            if (ok) {
                c = (long)floor((xp - ML) / PW * (double)columns);
                c = c < 0 ? 0 : c >= columns ? columns - 1 : c;
            }
        }
        if (j == s->n || (ok && c != col)) {
            if (first >= 0) {
                long idx[4] = {first, lo, hi, last};
                /* sort the four indices (x order) and drop repeats */
                for (int a = 1; a < 4; a++)
                    for (int b = a; b > 0 && idx[b] < idx[b - 1]; b--) {
                        long t = idx[b];
                        idx[b] = idx[b - 1];
                        idx[b - 1] = t;
                    }
                for (int a = 0; a < 4; a++)
                    if (a == 0 || idx[a] != idx[a - 1])
                        out[k++] = idx[a];
            }
            if (gap && (k == 0 || out[k - 1] != -1))
                out[k++] = -1;
            gap = false;
            first = lo = hi = last = -1;
            col = c;
        }
        if (j == s->n)
            break;
        if (!ok) {
            gap = true;
            continue;
        }
        if (first < 0)
            first = lo = hi = (long)j;
        if (s->y[j] < s->y[lo])
            lo = (long)j;
        if (s->y[j] > s->y[hi])
            hi = (long)j;
        last = (long)j;
    }
    return k;
}

static void draw_series(const series *s, size_t index, const axis *ax, const axis *ay, rh_page *p) {
    const char *colour = COLOURS[index % N_COLOURS];
    const char *dash = index >= N_COLOURS ? " stroke-dasharray=\"6,3\"" : "";
    long *idx = malloc((2 * s->n + 1) * sizeof *idx);
    if (!idx) {
        rh_page_fail(p);
        return;
    }
    long k = points_to_draw(s, ax, idx);
    if (s->style == RH_POINTS) {
        for (long i = 0; i < k; i++)
            if (idx[i] >= 0)
                rh_raw(p, "<circle class=\"data\" cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%s\"/>\n",
                       px(ax, s->x[idx[i]]), py(ay, s->y[idx[i]]), colour);
    } else {
        long i = 0;
        while (i < k) {
            while (i < k && idx[i] < 0)
                i++;
            long start = i;
            while (i < k && idx[i] >= 0)
                i++;
            if (i == start)
                break;
            if (i - start == 1) {
                /* an isolated point of a line: a dot, so it is not lost */
                rh_raw(p, "<circle class=\"data\" cx=\"%.2f\" cy=\"%.2f\" r=\"2\" fill=\"%s\"/>\n",
                       px(ax, s->x[idx[start]]), py(ay, s->y[idx[start]]), colour);
                continue;
            }
            if (s->style == RH_LINE) {
                rh_raw(p,
                       "<polyline class=\"data\" fill=\"none\" stroke=\"%s\" "
                       "stroke-width=\"1.6\"%s points=\"",
                       colour, dash);
                for (long j = start; j < i; j++)
                    rh_raw(p, "%s%.2f,%.2f", j > start ? " " : "", px(ax, s->x[idx[j]]),
                           py(ay, s->y[idx[j]]));
                rh_raw(p, "\"/>\n");
            } else {
                rh_raw(p,
                       "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s "
                       "d=\"M%.2f,%.2f",
                       colour, dash, px(ax, s->x[idx[start]]), py(ay, s->y[idx[start]]));
                for (long j = start + 1; j < i; j++)
                    rh_raw(p, "H%.2fV%.2f", px(ax, s->x[idx[j]]), py(ay, s->y[idx[j]]));
                rh_raw(p, "\"/>\n");
            }
        }
    }
    free(idx);
    for (size_t j = 0; j < s->n_bars; j++) {
        double x = px(ax, s->x[j]), y0 = py(ay, s->lo[j]), y1 = py(ay, s->hi[j]);
        if (!isfinite(x) || !isfinite(y0) || !isfinite(y1))
            continue;
        rh_raw(p,
               "<path class=\"data err\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" "
               "d=\"M%.2f,%.2fV%.2fM%.2f,%.2fH%.2fM%.2f,%.2fH%.2f\"/>\n",
               colour, x, y0, y1, x - 4, y0, x + 4, x - 4, y1, x + 4);
    }
}

/* A label (a legend's name, a category's) cut to at most max bytes at a character boundary, with
 * "…". */
static void cut_label(char *buf, size_t len, const char *name, size_t max) {
    size_t n = strlen(name);
    if (n <= max) {
        snprintf(buf, len, "%s", name);
        return;
    }
    size_t cut = max - 1;
    while (cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
        cut--;
    snprintf(buf, len, "%.*s\xE2\x80\xA6", (int)cut, name);
}

/* A legend name shortened to fit its column. */
static void legend_name(char *buf, size_t len, const char *name) { cut_label(buf, len, name, 30); }

static void draw_markers(const rh_plot *pl, const axis *ax, rh_page *p) {
    for (size_t i = 0; i < pl->n_m; i++) {
        const marker *m = &pl->m[i];
        double ly = MT + 12 + (double)(i % 3) * 12;
        double x0 = px(ax, m->x0);
        /* a marker wholly outside the axis (a fault after the end of the run) is not drawn */
        double t0 = to_axis(ax, m->x0), t1 = isfinite(m->x1) ? to_axis(ax, m->x1) : t0;
        if (!isfinite(x0) || !(t0 <= ax->hi) || !(isfinite(t1) ? t1 >= ax->lo : t0 >= ax->lo))
            continue;
        rh_raw(p, "<g class=\"marker\"><title>");
        rh_escape(p, m->label);
        rh_raw(p, "</title>");
        if (isfinite(m->x1)) {
            double x1 = px(ax, m->x1);
            if (!isfinite(x1))
                x1 = x0;
            rh_raw(p,
                   "<rect class=\"shade\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
                   "fill=\"#f0a0a0\" fill-opacity=\"0.28\"/>\n",
                   x0, MT, fmax(x1 - x0, 1.0), PY1 - MT);
        } else if (m->guide) {
            rh_raw(p,
                   "<line class=\"guide\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
                   "stroke=\"#999\" stroke-width=\"1\" stroke-dasharray=\"2,3\"/>\n",
                   x0, MT, x0, PY1);
        } else {
            rh_raw(p,
                   "<line class=\"mark\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" "
                   "stroke=\"#a33\" stroke-width=\"1.2\" stroke-dasharray=\"4,3\"/>\n",
                   x0, MT, x0, PY1);
        }
        /* the label right of its line, or left of it near the right edge of the area (about
         * 6 units per character), so that it stays inside */
        if (x0 + 3 + 6.0 * (double)strlen(m->label) > PX1)
            text_at(p, x0 - 3, ly, "end", "marker-label", m->label);
        else
            text_at(p, x0 + 3, ly, "start", "marker-label", m->label);
        rh_raw(p, "</g>\n");
    }
}

/* What every plot draws after its axes' ticks: the markers, the series, the frame, the axis
 * labels, the legend, and the end of the svg. */
static void draw_body(const rh_plot *pl, const axis *ax, const axis *ay, rh_page *p) {
    draw_markers(pl, ax, p);
    for (size_t i = 0; i < pl->n_s; i++)
        draw_series(&pl->s[i], i, ax, ay, p);
    rh_raw(p,
           "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
           "stroke=\"#888\"/>\n",
           ML, MT, PW, PH);
    if (pl->x_label)
        text_at(p, ML + PW / 2, H - 14, "middle", NULL, pl->x_label);
    if (pl->y_label) {
        rh_raw(p,
               "<text x=\"14\" y=\"%.2f\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 14 %.2f)\">",
               MT + PH / 2, MT + PH / 2);
        rh_escape(p, pl->y_label);
        rh_raw(p, "</text>\n");
    }
    /* the legend */
    for (size_t i = 0; i < pl->n_s; i++) {
        double y = MT + 6 + (double)i * 16;
        if (y > H - 10)
            break;
        const char *colour = COLOURS[i % N_COLOURS];
        rh_raw(p, "<g class=\"legend\"><title>");
        rh_escape(p, pl->s[i].name);
        rh_raw(p, "</title>");
        if (pl->s[i].style == RH_POINTS)
            rh_raw(p, "<circle cx=\"%d\" cy=\"%.2f\" r=\"3\" fill=\"%s\"/>", LEGEND_X + 9, y,
                   colour);
        else
            rh_raw(p,
                   "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"%s\" "
                   "stroke-width=\"2\"%s/>",
                   LEGEND_X, y, LEGEND_X + 18, y, colour,
                   i >= N_COLOURS ? " stroke-dasharray=\"6,3\"" : "");
        char b[64];
        legend_name(b, sizeof b, pl->s[i].name);
        text_at(p, LEGEND_X + 24, y + 4, "start", NULL, b);
        rh_raw(p, "</g>\n");
    }
    rh_raw(p, "</svg>\n");
}

/* Opens pl's <svg> element on its white ground, with its title. */
static void open_svg(const rh_plot *pl, rh_page *p) {
    if (pl->failed)
        rh_page_fail(p); /* a series or marker was lost: the page would mislead */
    rh_raw(p,
           "<svg class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
           "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
           W, H, W, H);
    rh_escape(p, pl->title);
    rh_raw(p, "\" font-size=\"11\" font-family=\"system-ui,Helvetica,Arial,sans-serif\">\n");
    rh_raw(p, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
    if (pl->title)
        text_at(p, ML, 18, "start", "title\" font-size=\"13\" font-weight=\"600", pl->title);
}

void rh_plot_render(const rh_plot *pl, rh_page *p) {
    if (!pl)
        return;
    open_svg(pl, p);
    axis ax = {.log = pl->log_x}, ay = {.log = false};
    double xl, xh, yl, yh;
    bool have = data_range(pl, true, &xl, &xh) && data_range(pl, false, &yl, &yh);
    if (!have) {
        rh_raw(p,
               "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
               "stroke=\"#bbb\"/>\n",
               ML, MT, PW, PH);
        text_at(p, ML + PW / 2, MT + PH / 2, "middle", NULL, "no data");
        rh_raw(p, "</svg>\n");
        return;
    }
    if (pl->fixed_x) {
        xl = to_axis(&ax, pl->fx0);
        xh = to_axis(&ax, pl->fx1);
        if (!isfinite(xl) || !isfinite(xh))
            data_range(pl, true, &xl, &xh);
    }
    if (pl->fixed_y) {
        yl = pl->fy0;
        yh = pl->fy1;
    } else if (yl >= 0 && yh > 0) {
        yl = 0; /* counts, rates, fractions: from zero, so heights compare */
    }
    /* y: nice ticks, the axis spanning them */
    double yf, ys, yt;
    int ny = rh_nice_ticks(yl, yh, 6, &yf, &ys, &yt);
    if (pl->fixed_y) {
        ay.lo = yl;
        ay.hi = yh;
    } else {
        ay.lo = yf;
        ay.hi = yt;
    }
    /* x: a log axis spans whole decades; a linear one its data (ticks inside it) */
    double xf = 0, xs = 0, xt = 0;
    int nx = 0;
    if (ax.log) {
        ax.lo = floor(xl);
        ax.hi = ceil(xh);
        if (ax.hi <= ax.lo)
            ax.hi = ax.lo + 1;
    } else {
        nx = rh_nice_ticks(xl, xh, 8, &xf, &xs, &xt);
        ax.lo = xl < xh ? xl : xf;
        ax.hi = xl < xh ? xh : xt;
    }
    /* grid and tick labels */
    rh_raw(p, "<g class=\"axes\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
    for (int i = 0; i < ny; i++) {
        double v = yf + i * ys;
        if (v < ay.lo - ys * 1e-9 || v > ay.hi + ys * 1e-9)
            continue;
        double y = py(&ay, v);
        rh_raw(p, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", ML, y, PX1, y);
    }
    rh_raw(p, "</g>\n<g class=\"ticks\" fill=\"#444\">\n");
    for (int i = 0; i < ny; i++) {
        double v = yf + i * ys;
        if (v < ay.lo - ys * 1e-9 || v > ay.hi + ys * 1e-9)
            continue;
        char b[48];
        tick_label(b, sizeof b, v, ys);
        text_at(p, ML - 6, py(&ay, v) + 4, "end", NULL, b);
    }
    if (ax.log) {
        int decades = (int)(ax.hi - ax.lo);
        for (int d = (int)ax.lo; d <= (int)ax.hi; d++) {
            static const double MULT[] = {1, 2, 5};
            for (int m = 0; m < (decades <= 3 ? 3 : 1); m++) {
                double v = MULT[m] * pow(10, d);
                if (log10(v) > ax.hi + 1e-9)
                    break;
                double x = px(&ax, v);
                char b[48];
                tick_label(b, sizeof b, v, d < 0 ? pow(10, d) : 1);
                rh_raw(p,
                       "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#e4e4e4\"/>\n",
                       x, MT, x, PY1);
                text_at(p, x, PY1 + 15, "middle", NULL, b);
            }
        }
    } else {
        for (int i = 0; i < nx; i++) {
            double v = xf + i * xs;
            if (v < ax.lo - xs * 1e-9 || v > ax.hi + xs * 1e-9)
                continue;
            double x = px(&ax, v);
            char b[48];
            tick_label(b, sizeof b, v, xs);
            rh_raw(p, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#e4e4e4\"/>\n", x,
                   MT, x, PY1);
            text_at(p, x, PY1 + 15, "middle", NULL, b);
        }
    }
    rh_raw(p, "</g>\n");
    draw_body(pl, &ax, &ay, p);
}

/* ---- a categorical x axis (plot.h: rh_plot_render_categories) ---- */

void rh_plot_render_categories(const rh_plot *pl, rh_page *p, const char *const *labels, size_t n) {
    if (!pl)
        return;
    open_svg(pl, p);
    double xl, xh, yl, yh;
    if (n == 0 || !data_range(pl, true, &xl, &xh) || !data_range(pl, false, &yl, &yh)) {
        rh_raw(p,
               "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
               "stroke=\"#bbb\"/>\n",
               ML, MT, PW, PH);
        text_at(p, ML + PW / 2, MT + PH / 2, "middle", NULL, "no data");
        rh_raw(p, "</svg>\n");
        return;
    }
    /* x: half a slot of room either side of the first and last category */
    axis ax = {.lo = -0.5, .hi = (double)n - 0.5}, ay = {.log = false};
    if (pl->fixed_y) {
        yl = pl->fy0;
        yh = pl->fy1;
    } else if (yl >= 0 && yh > 0) {
        yl = 0;
    }
    double yf, ys, yt;
    int ny = rh_nice_ticks(yl, yh, 6, &yf, &ys, &yt);
    ay.lo = pl->fixed_y ? yl : yf;
    ay.hi = pl->fixed_y ? yh : yt;
    rh_raw(p, "<g class=\"axes\" stroke=\"#e4e4e4\" stroke-width=\"1\">\n");
    for (int i = 0; i < ny; i++) {
        double v = yf + i * ys;
        if (v < ay.lo - ys * 1e-9 || v > ay.hi + ys * 1e-9)
            continue;
        rh_raw(p, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", ML, py(&ay, v), PX1,
               py(&ay, v));
    }
    rh_raw(p, "</g>\n<g class=\"ticks\" fill=\"#444\">\n");
    for (int i = 0; i < ny; i++) {
        double v = yf + i * ys;
        if (v < ay.lo - ys * 1e-9 || v > ay.hi + ys * 1e-9)
            continue;
        char b[48];
        tick_label(b, sizeof b, v, ys);
        text_at(p, ML - 6, py(&ay, v) + 4, "end", NULL, b);
    }
    /* each category's label under its slot, cut to the slot's width (about 6 units a byte) */
    size_t room = (size_t)(PW / (double)n / 6.5);
    if (room < 4)
        room = 4;
    for (size_t i = 0; i < n; i++) {
        double x = px(&ax, (double)i);
        char b[256];
        cut_label(b, sizeof b, labels[i] ? labels[i] : "", room < 200 ? room : 200);
        rh_raw(p, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#e4e4e4\"/>\n", x, MT,
               x, PY1);
        rh_raw(p, "<g class=\"category\"><title>");
        rh_escape(p, labels[i] ? labels[i] : "");
        rh_raw(p, "</title>");
        text_at(p, x, PY1 + 15, "middle", NULL, b);
        rh_raw(p, "</g>\n");
    }
    rh_raw(p, "</g>\n");
    draw_body(pl, &ax, &ay, p);
}
