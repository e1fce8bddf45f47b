/* The topology picture (topology.h). */
#include "topology.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Geometry in SVG user units. */
enum { BOX_W = 160, BOX_H = 46, COL_GAP = 230, ROW_GAP = 84, MARGIN = 30, TOP = 56 };

typedef struct gnode {
    const char *name, *kind;
    int instances;
    int column, row;
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

static int find_node(const gnode *nodes, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(nodes[i].name, name) == 0)
            return i;
    return -1;
}

/* Reads the graph; returns false when it is malformed (the arrays are then freed). */
static bool read_graph(const cJSON *graph, gnode **nodes_out, int *nn, gedge **edges_out, int *ne) {
    const cJSON *jn = cJSON_GetObjectItemCaseSensitive(graph, "nodes");
    const cJSON *je = cJSON_GetObjectItemCaseSensitive(graph, "edges");
    if (!cJSON_IsArray(jn) || (je && !cJSON_IsArray(je)))
        return false;
    int n = cJSON_GetArraySize(jn), m = je ? cJSON_GetArraySize(je) : 0;
    if (n < 1)
        return false;
    gnode *nodes = calloc((size_t)n, sizeof *nodes);
    gedge *edges = calloc((size_t)(m ? m : 1), sizeof *edges);
    if (!nodes || !edges)
        goto bad;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, jn) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const cJSON *inst = cJSON_GetObjectItemCaseSensitive(it, "instances");
        if (!cJSON_IsString(name) || find_node(nodes, i, name->valuestring) >= 0)
            goto bad;
        nodes[i].name = name->valuestring;
        nodes[i].kind = cJSON_IsString(kind) ? kind->valuestring : "";
        nodes[i].instances =
            cJSON_IsNumber(inst) && inst->valuedouble >= 1 && inst->valuedouble < 1e9
                ? (int)inst->valuedouble
                : 1;
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(it, je) {
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(it, "from");
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(it, "to");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
        if (!cJSON_IsString(from) || !cJSON_IsString(to))
            goto bad;
        edges[i].from = find_node(nodes, n, from->valuestring);
        edges[i].to = find_node(nodes, n, to->valuestring);
        edges[i].type = cJSON_IsString(type) ? type->valuestring : "";
        if (edges[i].from < 0 || edges[i].to < 0)
            goto bad;
        i++;
    }
    *nodes_out = nodes;
    *edges_out = edges;
    *nn = n;
    *ne = m;
    return true;
bad:
    free(nodes);
    free(edges);
    return false;
}

/* Columns by the longest path from the sources (topology.h); rows in declaration order. */
static int lay_out(gnode *nodes, int n, const gedge *edges, int m, int *rows_max) {
    for (int i = 0; i < n; i++)
        nodes[i].column = 0;
    for (int round = 0; round < n; round++) {
        bool changed = false;
        for (int e = 0; e < m; e++) {
            const gedge *g = &edges[e];
            if (g->from == g->to || strcmp(nodes[g->to].kind, "client") == 0)
                continue;
            if (nodes[g->to].column < nodes[g->from].column + 1 && nodes[g->from].column + 1 < n) {
                nodes[g->to].column = nodes[g->from].column + 1;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    int columns = 0;
    *rows_max = 0;
    for (int i = 0; i < n; i++)
        if (nodes[i].column + 1 > columns)
            columns = nodes[i].column + 1;
    for (int c = 0; c < columns; c++) {
        int r = 0;
        for (int i = 0; i < n; i++)
            if (nodes[i].column == c)
                nodes[i].row = r++;
        if (r > *rows_max)
            *rows_max = r;
    }
    return columns;
}

static double node_x(const gnode *g) { return MARGIN + (double)g->column * COL_GAP; }
static double node_y(const gnode *g) { return TOP + (double)g->row * ROW_GAP; }

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

static void draw_edge(rh_page *p, const gnode *nodes, const gedge *g, int parallel, double bottom) {
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
    if (g->from == g->to) {
        /* a loop over the top of the box */
        double x0 = node_x(a) + BOX_W * 0.35, x1 = node_x(a) + BOX_W * 0.65, y = node_y(a);
        rh_raw(p,
               "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
               "d=\"M%.2f,%.2f C%.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
               colour, x0, y, x0 - 12, y - 40 - off, x1 + 12, y - 40 - off, x1, y);
        arrow(p, x1, y, (x1) - (x1 + 12), y - (y - 40 - off), colour);
        label(p, (x0 + x1) / 2, y - 34 - off, colour, g->type);
    } else if (b->column > a->column) {
        double x0 = node_x(a) + BOX_W, y0 = node_y(a) + BOX_H / 2.0 + off;
        double x1 = node_x(b), y1 = node_y(b) + BOX_H / 2.0 + off;
        double cx = (x0 + x1) / 2;
        rh_raw(p,
               "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
               "d=\"M%.2f,%.2f C%.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
               colour, x0, y0, cx, y0, cx, y1, x1, y1);
        arrow(p, x1, y1, x1 - cx, 0, colour);
        /* the label at the curve's middle (t = 1/2 of the Bézier) */
        label(p, cx, (y0 + y1) / 2 - 4, colour, g->type);
    } else {
        /* back to the same or an earlier column: under the boxes */
        double x0 = node_x(a) + BOX_W / 2.0 + off, y0 = node_y(a) + BOX_H;
        double x1 = node_x(b) + BOX_W / 2.0 + off, y1 = node_y(b) + BOX_H;
        double yb = bottom + 10 + off;
        rh_raw(p,
               "<path class=\"data\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
               "stroke-dasharray=\"5,3\" d=\"M%.2f,%.2f C%.2f,%.2f %.2f,%.2f %.2f,%.2f\"/>\n",
               colour, x0, y0, x0, yb, x1, yb, x1, y1);
        arrow(p, x1, y1, 0, y1 - yb, colour);
        label(p, (x0 + x1) / 2, (y0 + y1) / 8 + yb * 0.75 - 2, colour, g->type);
    }
    rh_raw(p, "</g>\n");
}

void rh_topology_render(rh_page *p, const cJSON *graph) {
    gnode *nodes;
    gedge *edges;
    int n, m;
    if (!graph || !read_graph(graph, &nodes, &n, &edges, &m))
        return;
    int rows;
    int columns = lay_out(nodes, n, edges, m, &rows);
    bool back = false;
    for (int e = 0; e < m; e++)
        if (edges[e].from != edges[e].to &&
            nodes[edges[e].to].column <= nodes[edges[e].from].column)
            back = true;
    double bottom = TOP + (rows - 1) * ROW_GAP + BOX_H;
    int w = MARGIN * 2 + (columns - 1) * COL_GAP + BOX_W + 10;
    int h = (int)bottom + (back ? 60 : 20) + 24;
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
        double x = node_x(g), y = node_y(g);
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
        draw_edge(p, nodes, &edges[e], parallel, bottom);
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
}
