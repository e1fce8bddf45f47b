/* --set PATH=VALUE overrides on the YAML document, before any check: PATH is a dotted path of
 * mapping keys and list indices (nodes.web.workers, faults.0.at) of any length; VALUE
 * replaces the scalar there, or becomes a new key when the last key is missing from an
 * existing mapping. Every node an override makes is recorded, so later errors about it name
 * the argument and not the file (loader_diag.c). Problems with the path itself are errors
 * of the argument, with the nearest existing key as a "did you mean" note. */
#include "loader_int.h"

#include "units.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Records that override set made node id (ids grow, so the table stays in id order). */
static void record(sim_loader *ld, int id, size_t set, const yaml_node_t *replaced) {
    int prev = sim__ld_set_node(ld, replaced);
    sim_set_node e = {id, set, 0, 0, NULL};
    if (prev >= 0) { /* overriding an override: the file's value is the first one replaced */
        e.line = ld->set_nodes[prev].line;
        e.col = ld->set_nodes[prev].col;
        e.old = ld->set_nodes[prev].old;
    } else if (replaced) {
        e.line = (int)replaced->start_mark.line + 1;
        e.col = (int)replaced->start_mark.column + 1;
        e.old = sim__ld_scalar(replaced);
    }
    if (ld->nset_nodes < ld->capset_nodes)
        ld->set_nodes[ld->nset_nodes++] = e;
}

/* Adds a plain scalar with the start mark of node at (the mapping it goes in, or the value it
 * replaces), for the messages that report by file position. Returns its id, 0 when out of
 * memory. */
static int add_scalar(sim_loader *ld, const char *text, yaml_mark_t mark) {
    int id =
        yaml_document_add_scalar(ld->doc, NULL, (yaml_char_t *)text, -1, YAML_PLAIN_SCALAR_STYLE);
    if (!id)
        ld->oom = true;
    else
        yaml_document_get_node(ld->doc, id)->start_mark = mark;
    return id;
}

/* "the top level" or "'nodes.web'": the part of path before offset end (a dot), quoted. */
static char *where(const char *path, size_t end) {
    if (end == 0)
        return strdup("the top level");
    char *s = malloc(end + 3);
    if (s) {
        s[0] = '\'';
        memcpy(s + 1, path, end);
        memcpy(s + 1 + end, "'", 2);
    }
    return s;
}

/* Reports that the mapping map has no key seg, with the nearest of its keys as a note. */
static void no_key(sim_loader *ld, size_t set, yaml_node_t *map, const char *seg, const char *in) {
    sim__ld_set_error(ld, set, "no key '%s' in %s", seg, in);
    sim_suggest near;
    sim_suggest_init(&near, seg);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        sim__ld_suggest_add(ld, &near, sim__ld_scalar(sim__ld_node(ld, p->key)));
    if (sim_suggest_best(&near))
        sim_diag_note(ld->diag, "did you mean '%s'?", sim_suggest_best(&near));
}

/* Applies override set; segs is a copy of its path, cut at the dots as it is walked. */
static void apply(sim_loader *ld, size_t set, char *segs) {
    const sim_override *o = &ld->sets[set];
    if (!*o->path) {
        sim__ld_set_error(ld, set, "empty path: expected PATH=VALUE, e.g. nodes.web.workers=4");
        return;
    }
    size_t len = strlen(o->path);
    if (o->path[0] == '.' || o->path[len - 1] == '.' || strstr(o->path, "..")) {
        sim__ld_set_error(ld, set,
                          "the path has an empty key (two dots in a row, or a dot at "
                          "an end)");
        return;
    }
    yaml_node_t *cur = yaml_document_get_root_node(ld->doc);
    size_t at = 0; /* offset of the current segment in the path */
    for (;;) {
        char *seg = segs + at, *dot = strchr(seg, '.');
        bool last = !dot;
        if (dot)
            *dot = '\0';
        char *in = where(o->path, at ? at - 1 : 0);
        if (!in) {
            ld->oom = true;
            return;
        }
        int child = 0;
        yaml_node_pair_t *pair = NULL;
        yaml_node_item_t *item = NULL; /* pairs and items live outside the node array, which
                                          adding a node may move; nodes do not */
        if (cur && cur->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *p = cur->data.mapping.pairs.start;
                 p < cur->data.mapping.pairs.top; p++) {
                const char *ks = sim__ld_scalar(sim__ld_node(ld, p->key));
                if (ks && strcmp(ks, seg) == 0) {
                    pair = p;
                    child = p->value;
                }
            }
            if (!child && last) { /* a new key in an existing mapping */
                int map_id = (int)(cur - ld->doc->nodes.start) + 1;
                yaml_mark_t mark = cur->start_mark;
                int k = add_scalar(ld, seg, mark), v = k ? add_scalar(ld, o->value, mark) : 0;
                if (v && !yaml_document_append_mapping_pair(ld->doc, map_id, k, v))
                    ld->oom = true;
                if (v) {
                    record(ld, k, set, NULL);
                    record(ld, v, set, NULL);
                }
                free(in);
                return;
            }
            if (!child)
                no_key(ld, set, cur, seg, in);
        } else if (cur && cur->type == YAML_SEQUENCE_NODE) {
            int64_t idx;
            long n = (long)(cur->data.sequence.items.top - cur->data.sequence.items.start);
            if (!sim_parse_int(seg, &idx) && idx >= 0 && idx < n) {
                item = &cur->data.sequence.items.start[idx];
                child = *item;
            } else if (n == 0) {
                sim__ld_set_error(ld, set, "no item '%s' in %s (the list is empty)", seg, in);
            } else {
                sim__ld_set_error(ld, set, "no item '%s' in %s (its items are 0 to %ld)", seg, in,
                                  n - 1);
            }
        } else {
            sim__ld_set_error(ld, set, "no key '%s' in %s (a single value, not a mapping)", seg,
                              in);
        }
        if (!child) {
            free(in);
            return;
        }
        yaml_node_t *c = sim__ld_node(ld, child);
        if (last) {
            char *here = where(o->path, strlen(o->path));
            if (c->type != YAML_SCALAR_NODE)
                sim__ld_set_error(ld, set,
                                  "%s is %s, not a scalar value: --set replaces single "
                                  "values only",
                                  here ? here : o->path,
                                  c->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
            free(here);
            free(in);
            if (c->type != YAML_SCALAR_NODE)
                return;
            int key_set = pair ? sim__ld_set_node(ld, sim__ld_node(ld, pair->key)) : -1;
            int v = add_scalar(ld, o->value, c->start_mark);
            if (!v)
                return;
            c = sim__ld_node(ld, child); /* the node array may have moved */
            record(ld, v, set, c);
            if (key_set >= 0) /* a key an earlier --set added: this one now answers for it */
                ld->set_nodes[key_set].set = set;
            if (pair)
                pair->value = v;
            else
                *item = v;
            return;
        }
        free(in);
        cur = c;
        at = (size_t)(dot - segs) + 1;
    }
}

void sim__ld_apply_overrides(sim_loader *ld, const sim_override *sets, size_t nsets) {
    ld->sets = sets;
    ld->set_doc = ld->doc;
    if (nsets == 0)
        return;
    /* Each override makes at most two nodes: a key and its value. */
    if (nsets > SIZE_MAX / (2 * sizeof *ld->set_nodes)) {
        ld->oom = true;
        return;
    }
    ld->set_nodes = sim__ld_alloc(ld, 2 * nsets * sizeof *ld->set_nodes);
    if (!ld->set_nodes)
        return;
    ld->capset_nodes = 2 * nsets;
    for (size_t i = 0; i < nsets; i++) {
        char *segs = strdup(sets[i].path);
        if (!segs) {
            ld->oom = true;
            return;
        }
        apply(ld, i, segs);
        free(segs);
    }
}
