/* The tail-latency breakdown (breakdown.h). */
#include "breakdown.h"

#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W = 900, LABEL_W = 130, BAR_X = 140, BAR_W = 620, ROW_H = 26, ROW_GAP = 12, TOP = 10 };
enum { MAX_SEGMENTS = 64, MAX_BANDS = 32 };

/* Distinct colours for the segments (Okabe and Ito's eight, then lighter and darker ones);
 * beyond them they repeat. */
static const char *const COLOURS[] = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C564B", "#555555",
    "#9ACD32", "#B22222", "#4B0082", "#20B2AA", "#DAA520", "#708090", "#FF69B4", "#2F4F4F"};
enum { N_COLOURS = sizeof COLOURS / sizeof COLOURS[0] };

/* A segment: its name as shown ("network", "web service") and where a band holds it. */
typedef struct segment {
    char name[160];
    const char *group; /* NULL: network_ms */
    const char *key;   /* the category's key, "service_ms" */
} segment;

static double segment_ms(const cJSON *band, const segment *s) {
    const cJSON *v = s->group ? rh_get(rh_get(rh_get(band, "nodes"), s->group), s->key)
                              : rh_get(band, "network_ms");
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The segments of every band, in order of first appearance. */
static size_t collect(const cJSON *bands, segment *segs) {
    size_t n = 0;
    segs[n++] = (segment){.name = "network"};
    const cJSON *band;
    cJSON_ArrayForEach(band, bands) {
        const cJSON *group;
        const cJSON *groups = rh_object(rh_get(band, "nodes"));
        cJSON_ArrayForEach(group, groups) {
            const cJSON *cat;
            const cJSON *cats = rh_object(group);
            cJSON_ArrayForEach(cat, cats) {
                bool seen = false;
                for (size_t i = 1; i < n && !seen; i++)
                    seen = strcmp(segs[i].group, group->string) == 0 &&
                           strcmp(segs[i].key, cat->string) == 0;
                if (seen || n == MAX_SEGMENTS)
                    continue;
                segment *s = &segs[n++];
                s->group = group->string;
                s->key = cat->string;
                size_t kl = strlen(cat->string);
                int cut =
                    kl > 3 && strcmp(cat->string + kl - 3, "_ms") == 0 ? (int)kl - 3 : (int)kl;
                snprintf(s->name, sizeof s->name, "%s %.*s", group->string, cut, cat->string);
                for (char *c = s->name; *c; c++)
                    if (*c == '_')
                        *c = ' ';
            }
        }
    }
    return n;
}

/* "p99_100" as "p99–p100". */
static void band_name(char *buf, size_t len, const char *key) {
    const char *us = strchr(key, '_');
    if (key[0] == 'p' && us)
        snprintf(buf, len, "%.*s\xE2\x80\x93p%s", (int)(us - key), key, us + 1);
    else
        snprintf(buf, len, "%s", key);
}

void rh_breakdown(rh_page *p, const cJSON *doc) {
    const cJSON *bands = rh_get(rh_get(doc, "requests"), "latency_breakdown");
    if (!cJSON_IsObject(bands) || !bands->child)
        return;
    size_t nb = 0;
    const cJSON *band;
    cJSON_ArrayForEach(band, bands) {
        if (!cJSON_IsObject(band) || !cJSON_IsNumber(rh_get(band, "latency_ms")))
            return;
        nb++;
    }
    if (nb > MAX_BANDS)
        nb = MAX_BANDS;
    segment *segs = calloc(MAX_SEGMENTS, sizeof *segs);
    if (!segs) {
        rh_page_fail(p);
        return;
    }
    size_t ns = collect(bands, segs);
    /* a segment that is 0 in every band says nothing (the document leaves such figures out;
     * this keeps the picture the same for one that does not) */
    size_t kept = 0;
    for (size_t s = 0; s < ns; s++) {
        bool any = false;
        cJSON_ArrayForEach(band, bands) any = any || segment_ms(band, &segs[s]) > 0;
        if (any)
            segs[kept++] = segs[s];
    }
    ns = kept;
    rh_raw(p, "<h3>Where the latency goes, by band</h3>\n<p class=\"note\">Each bar is one "
              "band of the completed requests ranked by latency; its segments are the mean time "
              "per request spent on the network and at each node, as shares of the band's mean "
              "latency (written at the right).</p>\n");
    int legend_rows = (int)((ns + 3) / 4);
    int h = TOP + (int)nb * (ROW_H + ROW_GAP) + 10 + legend_rows * 18 + 10;
    rh_raw(p,
           "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
           "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"latency breakdown\" "
           "font-size=\"11\" font-family=\"system-ui,Helvetica,Arial,sans-serif\">\n"
           "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
           W, h, W, h, W, h);
    size_t b = 0;
    cJSON_ArrayForEach(band, bands) {
        if (b == nb)
            break;
        double y = TOP + (double)b * (ROW_H + ROW_GAP);
        double total = 0;
        for (size_t s = 0; s < ns; s++)
            total += fmax(segment_ms(band, &segs[s]), 0);
        char name[64], lat[64];
        band_name(name, sizeof name, band->string);
        rh_fmt_num(lat, sizeof lat, rh_num_at(band, "latency_ms"));
        rh_raw(p, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\" font-weight=\"600\">", LABEL_W,
               y + ROW_H / 2.0 + 4);
        rh_escape(p, name);
        rh_raw(p, "</text>\n");
        double x = BAR_X;
        for (size_t s = 0; s < ns && total > 0; s++) {
            double ms = fmax(segment_ms(band, &segs[s]), 0);
            if (ms <= 0)
                continue;
            double w = ms / total * BAR_W;
            char v[64];
            rh_fmt_num(v, sizeof v, ms);
            rh_raw(p, "<g><title>");
            rh_escape(p, segs[s].name);
            rh_raw(p,
                   ": %s ms (%.1f%%)</title><rect class=\"data\" x=\"%.2f\" y=\"%.2f\" "
                   "width=\"%.2f\" height=\"%d\" fill=\"%s\" stroke=\"#fff\" "
                   "stroke-width=\"0.5\"/>",
                   v, ms / total * 100, x, y, w, ROW_H, COLOURS[s % N_COLOURS]);
            /* a label inside the segment where it fits (about 6 units per character) */
            char text[200];
            snprintf(text, sizeof text, "%s %s ms", segs[s].name, v);
            if (w >= 6.0 * (double)strlen(text) + 6) {
                rh_raw(p, "<text x=\"%.2f\" y=\"%.2f\" fill=\"#fff\">", x + 4, y + ROW_H / 2.0 + 4);
                rh_escape(p, text);
                rh_raw(p, "</text>");
            } else if (w >= 6.0 * (double)strlen(v) + 6) {
                rh_raw(p, "<text x=\"%.2f\" y=\"%.2f\" fill=\"#fff\">%s</text>", x + 3,
                       y + ROW_H / 2.0 + 4, v);
            }
            rh_raw(p, "</g>\n");
            x += w;
        }
        rh_raw(p, "<text x=\"%d\" y=\"%.2f\">%s ms</text>\n", BAR_X + BAR_W + 8,
               y + ROW_H / 2.0 + 4, lat);
        b++;
    }
    double ly = TOP + (double)nb * (ROW_H + ROW_GAP) + 10;
    for (size_t s = 0; s < ns; s++) {
        double lx = BAR_X + (double)(s % 4) * 160, yy = ly + (double)(s / 4) * 18;
        rh_raw(p,
               "<rect x=\"%.2f\" y=\"%.2f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
               "<text x=\"%.2f\" y=\"%.2f\">",
               lx, yy, COLOURS[s % N_COLOURS], lx + 16, yy + 10);
        rh_escape(p, segs[s].name);
        rh_raw(p, "</text>\n");
    }
    rh_raw(p, "</svg>\n");

    /* the table: a column per band */
    rh_raw(p, "<table>\n<tr><th>mean per request (ms)</th>");
    cJSON_ArrayForEach(band, bands) {
        char name[64];
        band_name(name, sizeof name, band->string);
        rh_raw(p, "<th>");
        rh_escape(p, name);
        rh_raw(p, "</th>");
    }
    rh_raw(p, "</tr>\n");
    for (int r = -2; r < (int)ns; r++) {
        rh_raw(p, "<tr><th>");
        rh_escape(p, r == -2 ? "requests" : r == -1 ? "latency" : segs[r].name);
        rh_raw(p, "</th>");
        cJSON_ArrayForEach(band, bands) {
            char v[64];
            double x = r == -2   ? rh_num_at(band, "requests")
                       : r == -1 ? rh_num_at(band, "latency_ms")
                                 : segment_ms(band, &segs[r]);
            rh_fmt_num(v, sizeof v, x);
            rh_raw(p, "<td class=\"num\">%s</td>", v);
        }
        rh_raw(p, "</tr>\n");
    }
    rh_raw(p, "</table>\n");
    free(segs);
}
