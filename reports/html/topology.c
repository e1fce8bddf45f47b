/* The topology picture (topology.h). */
#include "topology.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Geometry in SVG user units. */
enum { BOX_W = 160, BOX_H = 46, COL_GAP = 230, ROW_GAP = 84, MARGIN = 30, TOP = 56 };
/* Top to bottom (a long chain of layers): layers LAYER_GAP apart, nodes of a layer side by
 * side SIDE_GAP apart. */
enum { LAYER_GAP = 96, SIDE_GAP = 200 };
/* Wider than this left to right, and a top-to-bottom picture is narrower: drawn top to
 * bottom, so that a page does not shrink it to unreadable text. */
enum { MAX_WIDE = 1100 };

typedef struct gnode {
    const char *name, *kind;
    int instances;
    int column, row;
    double x, y; /* the box's top left corner */
    bool sink;   /* refers to no other node: a loop goes on its right */
} gnode;

typedef struct gedge {
    int from, to;
    const char *type;
} gedge;

/* The colour of an edge type (docs/results.md's table); a type named nowhere is grey. */
static const char *type_colour(const char *type) {
    static const struct {
        const char *type, *colour;
    } COLOURS[] = {
        {"target", "#0072B2"},  {"forward", "#009E73"},     {"call", "#D55E00"},
        {"backend", "#CC79A7"}, {"replication", "#E69F00"}, {"shard", "#56B4E9"},
        {"store", "#8C564B"},   {"settings", "#555555"},    {"message", "#999999"},
    };
    for (size_t i = 0; i < sizeof COLOURS / sizeof COLOURS[0]; i++)
        if (strcmp(type, COLOURS[i].type) == 0)
            return COLOURS[i].colour;
    return "#777777";
}

/* A node's name and its place in the graph's list: the index sorted by name. */
typedef struct named {
    const char *name;
    int index;
} named;

static int by_name(const void *a, const void *b) {
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* The node called name, by binary search of the sorted index; -1 for none. */
static int find_node(const named *index, int n, const char *name) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(index[mid].name, name);
        if (c == 0)
            return index[mid].index;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Reads the graph; returns false with the reason in why when it is malformed or too large
 * (the arrays are then freed). */
static bool read_graph(const cJSON *graph, gnode **nodes_out, int *nn, gedge **edges_out, int *ne,
                       char *why, size_t whylen) {
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(graph, "nodes");
    const cJSON *je = cJSON_GetObjectItemCaseSensitive(graph, "edges");
    if (!cJSON_IsArray(jn)) {
        snprintf(why, whylen, "the graph has no list of nodes");
        return false;
    }
    if (je && !cJSON_IsArray(je)) {
        snprintf(why, whylen, "the edges of the graph are not a list");
        return false;
    }
    int n = cJSON_GetArraySize(jn), m = je ? cJSON_GetArraySize(je) : 0;
    if (n < 1) {
        snprintf(why, whylen, "the graph has no nodes");
        return false;
    }
    if (n > RH_TOPOLOGY_MAX_NODES || m > RH_TOPOLOGY_MAX_EDGES) {
        snprintf(why, whylen,
                 "the graph has %d groups and %d edges, more than the %d groups or %d edges a "
                 "picture shows legibly",
                 n, m, RH_TOPOLOGY_MAX_NODES, RH_TOPOLOGY_MAX_EDGES);
        return false;
    }
    gnode *nodes = calloc((size_t)n, sizeof *nodes);
    gedge *edges = calloc((size_t)(m ? m : 1), sizeof *edges);
    named *index = calloc((size_t)n, sizeof *index);
    snprintf(why, whylen, "out of memory");
    if (!nodes || !edges || !index)
        goto bad;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, jn) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const cJSON *inst = cJSON_GetObjectItemCaseSensitive(it, "instances");
        if (!cJSON_IsString(name)) {
            snprintf(why, whylen, "node %d of the graph has no name", i + 1);
            goto bad;
        }
        nodes[i].name = name->valuestring;
        nodes[i].kind = cJSON_IsString(kind) ? kind->valuestring : "";
        nodes[i].instances =
            cJSON_IsNumber(inst) && inst->valuedouble >= 1 && inst->valuedouble < 1e9
                ? (int)inst->valuedouble
                : 1;
        index[i] = (named){nodes[i].name, i};
        i++;
    }
    qsort(index, (size_t)n, sizeof *index, by_name);
    for (i = 1; i < n; i++)
        if (strcmp(index[i - 1].name, index[i].name) == 0) {
            snprintf(why, whylen, "two nodes of the graph are named \"%.100s\"", index[i].name);
            goto bad;
        }
    i = 0;
    cJSON_ArrayForEach(it, je) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(it, "from");
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(it, "to");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
        if (!cJSON_IsString(from) || !cJSON_IsString(to)) {
            snprintf(why, whylen, "edge %d of the graph does not name both its ends", i + 1);
            goto bad;
        }
        edges[i].from = find_node(index, n, from->valuestring);
        edges[i].to = find_node(index, n, to->valuestring);
        edges[i].type = cJSON_IsString(type) ? type->valuestring : "";
        if (edges[i].from < 0 || edges[i].to < 0) {
            snprintf(why, whylen, "an edge of the graph names \"%.100s\", no node of the graph",
                     edges[i].from < 0 ? from->valuestring : to->valuestring);
            goto bad;
        }
        i++;
    }
    free(index);
    *nodes_out = nodes;
    *edges_out = edges;
    *nn = n;
    *ne = m;
    return true;
bad:
    free(nodes);
    free(edges);
    free(index);
    return false;
}

/* Whether edge g places its target a layer after its source: not a self-reference, not a
 * call into a client (clients stay in the first layer). */
static bool layers(const gnode *nodes, const gedge *g) {
    return g->from != g->to && strcmp(nodes[g->to].kind, "client") != 0;
}

/* Columns by the longest path from the sources (topology.h), in one topological pass (Kahn's)
 * over the edges that layer: a node's column is settled once all its callers' are. A cycle
 * leaves nodes with callers unsettled: the first of them in declaration order is then taken
 * as settled, its edges from the cycle becoming edges back. Rows in declaration order.
 * Returns the number of columns, or -1 when out of memory. */
static int lay_out(gnode *nodes, int n, const gedge *edges, int m, int *rows_max) {
    int *indeg = calloc((size_t)n, sizeof *indeg), *start = calloc((size_t)n + 1, sizeof *start);
    int *out = malloc((size_t)(m ? m : 1) * sizeof *out),
        *queue = malloc((size_t)n * sizeof *queue);
    bool *done = calloc((size_t)n, sizeof *done);
    int columns = -1;
    if (!indeg || !start || !out || !queue || !done)
        goto out;
    /* the edges that layer, grouped by their source (counting sort) */
    for (int e = 0; e < m; e++)
        if (layers(nodes, &edges[e])) {
            start[edges[e].from + 1]++;
            indeg[edges[e].to]++;
        }
    for (int i = 0; i < n; i++)
        start[i + 1] += start[i];
    {
        int *fill = queue; /* borrowed as the write position of each source */
        for (int i = 0; i < n; i++)
            fill[i] = start[i];
        for (int e = 0; e < m; e++)
            if (layers(nodes, &edges[e]))
                out[fill[edges[e].from]++] = e;
    }
    int head = 0, tail = 0, next_unsettled = 0;
    for (int i = 0; i < n; i++) {
        nodes[i].column = 0;
        if (indeg[i] == 0)
            queue[tail++] = i;
    }
    for (int settled = 0; settled < n; settled++) {
        if (head == tail) {
            /* a cycle: the first node not yet settled goes next */
            while (done[next_unsettled] || indeg[next_unsettled] == 0)
                next_unsettled++;
            indeg[next_unsettled] = 0;
            queue[tail++] = next_unsettled;
        }
        int u = queue[head++];
        done[u] = true;
        for (int k = start[u]; k < start[u + 1]; k++) {
            int v = edges[out[k]].to;
            if (done[v])
                continue;
            if (nodes[v].column < nodes[u].column + 1)
                nodes[v].column = nodes[u].column + 1;
            if (--indeg[v] == 0)
                queue[tail++] = v;
        }
    }
    columns = 0;
    for (int i = 0; i < n; i++)
        if (nodes[i].column + 1 > columns)
            columns = nodes[i].column + 1;
    /* rows: each column's nodes in declaration order (indeg reused as the counter) */
    for (int c = 0; c < columns && c < n; c++)
        indeg[c] = 0;
    *rows_max = 0;
    for (int i = 0; i < n; i++) {
        nodes[i].row = indeg[nodes[i].column]++;
        if (nodes[i].row + 1 > *rows_max)
            *rows_max = nodes[i].row + 1;
    }
out:
    free(indeg);
    free(start);
    free(out);
    free(queue);
    free(done);
    return columns;
}

static void label(rh_page *p, double x, double y, const char *colour, const char *s) {
    rh_raw(p,
           "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" fill=\"%s\" "
           "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">",
           x, y, colour);
    rh_escape(p, s);
    rh_raw(p, "</text>\n");
}

/* An arrowhead at (x, y) pointing along (dx, dy). */
static void arrow(rh_page *p, double x, double y, double dx, double dy, const char *colour) {
    double len = sqrt(dx * dx + dy * dy);
    if (len == 0)
        return;
    dx /= len;
    dy /= len;
    double bx = x - 9 * dx, by = y - 9 * dy;
    rh_raw(p, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\" fill=\"%s\"/>\n", x, y,
           bx - 4 * dy, by + 4 * dx, bx + 4 * dy, by - 4 * dx, colour);
}

/* Where edges that go back (to the same or an earlier layer) run: below the boxes left to
 * right, right of them top to bottom. */
typedef struct frame {
    bool top_down;
    double bottom, right;
} frame;

static void bezier(rh_page *p, const char *colour, bool dashed, double x0, double y0, double c1x,
                   double c1y, double c2x, double c2y, double x1, double y1) {
    rh_raw(p,
           "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s "
           "d=\"M%.2f,%.2f C%.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
           colour, dashed ? " stroke-dasharray=\"5,3\"" : "", x0, y0, c1x, c1y, c2x, c2y, x1, y1);
    arrow(p, x1, y1, x1 - c2x, y1 - c2y, colour);
}

static void draw_edge(rh_page *p, const gnode *nodes, const gedge *g, int parallel,
                      const frame *fr) {
    const gnode *a = &nodes[g->from], *b = &nodes[g->to];
    const char *colour = type_colour(g->type);
    rh_raw(p, "<g class=\"edge\"><title>");
    rh_escape(p, a->name);
    rh_raw(p, " \xE2\x86\x92 ");
    rh_escape(p, b->name);
    rh_raw(p, " (");
    rh_escape(p, g->type);
    rh_raw(p, ")</title>");
    double off = parallel * 8.0;
    if (g->from == g->to && !fr->top_down && !a->sink) {
        /* a loop over the top of the box */
        double x0 = a->x + BOX_W * 0.35, x1 = a->x + BOX_W * 0.65, y = a->y;
        bezier(p, colour, false, x0, y, x0 - 12, y - 40 - off, x1 + 12, y - 40 - off, x1, y);
        label(p, (x0 + x1) / 2, y - 34 - off, colour, g->type);
    } else if (g->from == g->to) {
        /* a loop on the right of the box (top to bottom, or a node that refers to no other) */
        double x = a->x + BOX_W, y0 = a->y + BOX_H * 0.3, y1 = a->y + BOX_H * 0.7;
        bezier(p, colour, false, x, y0, x + 40 + off, y0 - 12, x + 40 + off, y1 + 12, x, y1);
        rh_raw(p,
               "<text x=\"%.2f\" y=\"%.2f\" fill=\"%s\" paint-order=\"stroke\" "
               "stroke=\"#fff\" stroke-width=\"3\">",
               x + 36 + off, a->y + BOX_H / 2.0 + 4, colour);
        rh_escape(p, g->type);
        rh_raw(p, "</text>\n");
    } else if (b->column > a->column && !fr->top_down) {
        double x0 = a->x + BOX_W, y0 = a->y + BOX_H / 2.0 + off;
        double x1 = b->x, y1 = b->y + BOX_H / 2.0 + off;
        double cx = (x0 + x1) / 2;
        bezier(p, colour, false, x0, y0, cx, y0, cx, y1, x1, y1);
        /* the label at the curve's middle (t = 1/2 of the Bezier) */
        label(p, cx, (y0 + y1) / 2 - 4, colour, g->type);
    } else if (b->column > a->column) {
        double x0 = a->x + BOX_W / 2.0 + off, y0 = a->y + BOX_H;
        double x1 = b->x + BOX_W / 2.0 + off, y1 = b->y;
        double cy = (y0 + y1) / 2;
        bezier(p, colour, false, x0, y0, x0, cy, x1, cy, x1, y1);
        label(p, (x0 + x1) / 2 + 4 + 3.0 * (double)strlen(g->type), cy + 4, colour, g->type);
    } else if (!fr->top_down) {
        /* back to the same or an earlier layer: under the boxes */
        double x0 = a->x + BOX_W / 2.0 + off, y0 = a->y + BOX_H;
        double x1 = b->x + BOX_W / 2.0 + off, y1 = b->y + BOX_H;
        double yb = fr->bottom + 10 + off;
        bezier(p, colour, true, x0, y0, x0, yb, x1, yb, x1, y1);
        /* the Bezier's middle: (y0 + 3 yb + 3 yb + y1) / 8 */
        label(p, (x0 + x1) / 2, (y0 + y1) / 8 + yb * 0.75 - 2, colour, g->type);
    } else {
        /* back to the same or an earlier layer: right of the boxes */
        double x0 = a->x + BOX_W, y0 = a->y + BOX_H / 2.0 + off;
        double x1 = b->x + BOX_W, y1 = b->y + BOX_H / 2.0 + off;
        double xr = fr->right + 10 + off;
        bezier(p, colour, true, x0, y0, xr, y0, xr, y1, x1, y1);
        label(p, (x0 + x1) / 8 + xr * 0.75, (y0 + y1) / 2, colour, g->type);
    }
    rh_raw(p, "</g>\n");
}

/* The note in place of a picture. */
static bool not_drawn(rh_page *p, const char *why) {
    rh_raw(p, "<p class=\"note\">No topology picture: ");
    rh_text(p, why);
    rh_raw(p, ".</p>\n");
    return false;
}

bool rh_topology_render(rh_page *p, const cJSON *graph) {
    gnode *nodes;
    gedge *edges;
    int n, m;
    char why[256];
    if (!graph)
        return not_drawn(p, "the document has no graph");
    if (!read_graph(graph, &nodes, &n, &edges, &m, why, sizeof why))
        return not_drawn(p, why);
    int rows;
    int columns = lay_out(nodes, n, edges, m, &rows);
    if (columns < 0) {
        free(nodes);
        free(edges);
        rh_page_fail(p);
        return false;
    }
    bool back = false;
    for (int e = 0; e < m; e++)
        if (edges[e].from != edges[e].to &&
            nodes[edges[e].to].column <= nodes[edges[e].from].column)
            back = true;
    bool loops = false, side_loops = false;
    for (int i = 0; i < n; i++)
        nodes[i].sink = true;
    for (int e = 0; e < m; e++) {
        loops = loops || edges[e].from == edges[e].to;
        if (edges[e].from != edges[e].to)
            nodes[edges[e].from].sink = false;
    }
    for (int e = 0; e < m; e++)
        side_loops = side_loops || (edges[e].from == edges[e].to && nodes[edges[e].from].sink);
    /* left to right, unless that is too wide and top to bottom is narrower */
    double wide = MARGIN * 2 + (columns - 1) * COL_GAP + BOX_W;
    double tall_w = MARGIN * 2 + (rows - 1) * SIDE_GAP + BOX_W + (back || loops ? 110 : 0);
    frame fr = {.top_down = wide > MAX_WIDE && tall_w < wide};
    for (int i = 0; i < n; i++) {
        gnode *g = &nodes[i];
        g->x = MARGIN + (double)(fr.top_down ? g->row * SIDE_GAP : g->column * COL_GAP);
        g->y = TOP + (double)(fr.top_down ? g->column * LAYER_GAP : g->row * ROW_GAP);
    }
    int w, h;
    if (fr.top_down) {
        fr.right = MARGIN + (rows - 1) * SIDE_GAP + BOX_W;
        fr.bottom = TOP + (columns - 1) * LAYER_GAP + BOX_H;
        w = (int)fr.right + (back || loops ? 120 : 20);
        h = (int)fr.bottom + 20 + 24;
    } else {
        fr.bottom = TOP + (rows - 1) * ROW_GAP + BOX_H;
        fr.right = MARGIN + (columns - 1) * COL_GAP + BOX_W;
        w = (int)fr.right + (side_loops ? 120 : MARGIN + 10);
        h = (int)fr.bottom + (back ? 60 : 20) + 24;
    }
    if (w < 420)
        w = 420;
    rh_raw(p,
           "<svg class=\"topology\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
           "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"topology\" font-size=\"11\" "
           "font-family=\"system-ui,Helvetica,Arial,sans-serif\">\n"
           "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
           w, h, w, h, w, h);
    /* boxes first, edges over them so that loops and labels stay visible */
    for (int i = 0; i < n; i++) {
        const gnode *g = &nodes[i];
        double x = g->x, y = g->y;
        rh_raw(p, "<g class=\"node\"><title>");
        rh_escape(p, g->name);
        rh_raw(p, " (");
        rh_escape(p, g->kind);
        rh_raw(p, ")</title>");
        if (g->instances > 1)
            rh_raw(p,
                   "<rect x=\"%.2f\" y=\"%.2f\" width=\"%d\" height=\"%d\" rx=\"6\" "
                   "fill=\"#eef3fa\" stroke=\"#6b7f99\"/>",
                   x + 5, y + 5, BOX_W, BOX_H);
        rh_raw(p,
               "<rect class=\"data\" x=\"%.2f\" y=\"%.2f\" width=\"%d\" height=\"%d\" rx=\"6\" "
               "fill=\"%s\" stroke=\"#34495e\" stroke-width=\"1.4\"/>\n",
               x, y, BOX_W, BOX_H, strcmp(g->kind, "client") == 0 ? "#fdf3e1" : "#f5f8fc");
        rh_raw(p,
               "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" font-weight=\"600\" "
               "font-size=\"12\">",
               x + BOX_W / 2.0, y + 19);
        rh_escape(p, g->name);
        rh_raw(p, "</text><text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" fill=\"#555\">",
               x + BOX_W / 2.0, y + 35);
        rh_escape(p, g->kind);
        if (g->instances > 1)
            rh_raw(p, " \xC3\x97%d", g->instances);
        rh_raw(p, "</text></g>\n");
    }
    for (int e = 0; e < m; e++) {
        int parallel = 0; /* earlier edges between the same two nodes: drawn apart */
        for (int f = 0; f < e; f++)
            if ((edges[f].from == edges[e].from && edges[f].to == edges[e].to) ||
                (edges[f].from == edges[e].to && edges[f].to == edges[e].from))
                parallel++;
        draw_edge(p, nodes, &edges[e], parallel, &fr);
    }
    /* the key of the edge types present, in order of first use */
    double kx = MARGIN;
    for (int e = 0; e < m; e++) {
        bool seen = false;
        for (int f = 0; f < e; f++)
            seen = seen || strcmp(edges[f].type, edges[e].type) == 0;
        if (seen)
            continue;
        rh_raw(p,
               "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"%s\" "
               "stroke-width=\"2\"/><text x=\"%.2f\" y=\"%d\">",
               kx, h - 12, kx + 18, h - 12, type_colour(edges[e].type), kx + 22, h - 8);
        rh_escape(p, edges[e].type);
        rh_raw(p, "</text>\n");
        kx += 34 + 7.0 * (double)strlen(edges[e].type);
    }
    rh_raw(p, "</svg>\n");
    free(nodes);
    free(edges);
    return true;
}
