/* Writes the DOT language (https://graphviz.org/doc/info/lang.html): every identifier is a
 * double-quoted string, in which only '"' and '\' need a backslash (a backslash before other
 * characters would be an escape of the label language, \n, \l, ...); names are written
 * through that quoting, so any node name the loader accepts is safe. */
#include "graph_dot.h"

#include <string.h>

/* How each edge type is drawn; presentation only, the types are the kinds' (sim/graph.h). */
typedef struct edge_style {
    const char *type, *attrs;
} edge_style;

static const edge_style styles[] = {
    {"target", "style=bold, color=\"#1f4e9c\""},
    {"forward", "style=solid, color=\"#2e7d32\""},
    {"call", "style=solid, color=\"#000000\", arrowhead=normal"},
    {"backend", "style=dashed, color=\"#444444\""},
    {"shard", "style=dashed, color=\"#6a1b9a\""},
    {"replication", "style=dotted, color=\"#c62828\", dir=both"},
    {"store", "style=dotted, color=\"#795548\""},
    {"settings", "style=dotted, color=\"#9e9e9e\""},
    {"message", "style=dotted, color=\"#00838f\""},
};

static const char *style_of(const char *type) {
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++)
        if (strcmp(styles[i].type, type) == 0)
            return styles[i].attrs;
    return "style=solid";
}

/* Writes s quoted as a DOT string ("a\"b"). */
static void quoted(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Writes s inside a quoted label (no quotes around it). */
static void label_text(FILE *out, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
}

int dsim_graph_dot(FILE *out, const sim_topology *t) {
    fputs("digraph ", out);
    quoted(out, t->name ? t->name : "topology");
    fputs(" {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
          "  edge [fontname=\"Helvetica\", fontsize=10];\n",
          out);
    for (size_t g = 0; g < t->ngroups; g++) {
        const sim_topo_group *gr = &t->groups[g];
        const sim_kind *k = gr->count ? t->nodes[gr->first].kind : NULL;
        fputs("  ", out);
        quoted(out, gr->name);
        fputs(" [label=\"", out);
        label_text(out, gr->name);
        fputs("\\n", out);
        label_text(out, k ? k->name : "?");
        if (gr->count > 1)
            fprintf(out, " \xc3\x97%u", gr->count); /* U+00D7 MULTIPLICATION SIGN */
        fputs("\"];\n", out);
    }
    for (size_t i = 0; i < t->graph.nedges; i++) {
        const sim_graph_edge *e = &t->graph.edges[i];
        fputs("  ", out);
        quoted(out, t->groups[e->from].name);
        fputs(" -> ", out);
        quoted(out, t->groups[e->to].name);
        fputs(" [label=", out);
        quoted(out, e->type);
        fprintf(out, ", %s];\n", style_of(e->type));
    }
    fputs("}\n", out);
    return ferror(out) ? -1 : 0;
}
