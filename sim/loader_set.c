/* --set PATH=VALUE overrides on the YAML document, before any check: PATH is a dotted path of
 * mapping keys and list indices (nodes.web.workers, faults.0.at) of any length; VALUE
 * replaces the scalar there, or becomes a new key when the last key is missing from an
 * existing mapping. Every node an override makes is recorded, so later errors about it name
 * the argument and not the file (loader_diag.c). Problems with the path itself are errors
 * of the argument, with the nearest existing key as a "did you mean" note. A collection the
 * path goes through that a YAML alias repeats elsewhere (`api: *web`) is copied first, so
 * the override changes the one place it names and not every copy of the anchor. */
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

/* How many places refer to each node of the document (mapping keys and values, list items):
 * more than one for a node an alias repeats. Nodes made after counting have no entry and
 * are referred to once. */
typedef struct refs {
    size_t *count; /* by node id - 1 */
    size_t n;
} refs;

static void count_refs(sim_loader *ld, refs *r) {
    r->n = (size_t)(ld->doc->nodes.top - ld->doc->nodes.start);
    r->count = calloc(r->n ? r->n : 1, sizeof *r->count);
    if (!r->count) {
        ld->oom = true;
        r->n = 0;
        return;
    }
    for (yaml_node_t *y = ld->doc->nodes.start; y < ld->doc->nodes.top; y++) {
        if (y->type == YAML_MAPPING_NODE)
            for (yaml_node_pair_t *p = y->data.mapping.pairs.start; p < y->data.mapping.pairs.top;
                 p++) {
                r->count[p->key - 1]++;
                r->count[p->value - 1]++;
            }
        else if (y->type == YAML_SEQUENCE_NODE)
            for (yaml_node_item_t *it = y->data.sequence.items.start;
                 it < y->data.sequence.items.top; it++)
                r->count[*it - 1]++;
    }
}

static bool is_shared(const refs *r, int id) { return (size_t)id <= r->n && r->count[id - 1] > 1; }

/* A copy of collection id whose entries are the same nodes (a shallow copy: the path's next
 * step copies again where it is shared), with the original's marks for messages. Returns its
 * id, 0 when out of memory. */
static int copy_collection(sim_loader *ld, refs *r, int id) {
    yaml_node_t *y = sim__ld_node(ld, id);
    bool map = y->type == YAML_MAPPING_NODE;
    yaml_mark_t start = y->start_mark, end = y->end_mark;
    int copy = map ? yaml_document_add_mapping(ld->doc, NULL, y->data.mapping.style)
                   : yaml_document_add_sequence(ld->doc, NULL, y->data.sequence.style);
    if (!copy) {
        ld->oom = true;
        return 0;
    }
    y = sim__ld_node(ld, id); /* adding a node may move the node array */
    bool ok = true;
    if (map)
        for (yaml_node_pair_t *p = y->data.mapping.pairs.start; ok && p < y->data.mapping.pairs.top;
             p++) {
            ok = yaml_document_append_mapping_pair(ld->doc, copy, p->key, p->value);
            if ((size_t)p->key <= r->n)
                r->count[p->key - 1]++;
            if ((size_t)p->value <= r->n)
                r->count[p->value - 1]++;
        }
    else
        for (yaml_node_item_t *it = y->data.sequence.items.start;
             ok && it < y->data.sequence.items.top; it++) {
            ok = yaml_document_append_sequence_item(ld->doc, copy, *it);
            if ((size_t)*it <= r->n)
                r->count[*it - 1]++;
        }
    if (!ok) {
        ld->oom = true;
        return 0;
    }
    r->count[id - 1]--;
    yaml_node_t *c = sim__ld_node(ld, copy);
    c->start_mark = start;
    c->end_mark = end;
    return copy;
}

/* Reports that the mapping map has no key seg, with the nearest of its keys as a note. */
static void no_key(sim_loader *ld, size_t set, yaml_node_t *map, const char *seg, const char *in) {
    if (!sim__ld_set_error(ld, set, "no key '%s' in %s", seg, in))
        return;
    sim_suggest near;
    sim_suggest_init(&near, seg);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        sim__ld_suggest_add(ld, &near, sim__ld_scalar(sim__ld_node(ld, p->key)));
    if (sim_suggest_best(&near))
        sim_diag_note(ld->diag, "did you mean '%s'?", sim_suggest_best(&near));
}

/* Applies override set; segs is a copy of its path, cut at the dots as it is walked. */
static void apply(sim_loader *ld, refs *r, size_t set, char *segs) {
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
        if (is_shared(r, child)) {
            int copy = copy_collection(ld, r, child);
            if (!copy)
                return;
            if (pair)
                pair->value = copy;
            else
                *item = copy;
            child = copy;
        }
        cur = sim__ld_node(ld, child);
        at = (size_t)(dot - segs) + 1;
    }
}

/* The record of the override that made node y, or NULL when the file wrote it. */
static sim_topo_override *made_by(sim_loader *ld, const yaml_node_t *y) {
    if (!ld->overrides)
        return NULL;
    int k = sim__ld_set_node(ld, y);
    return k < 0 ? NULL : &ld->overrides[ld->set_nodes[k].set];
}

void sim__ld_resolved_number(sim_loader *ld, const yaml_node_t *y, double v, const char *unit) {
    sim_topo_override *o = made_by(ld, y);
    if (o) {
        o->resolved = SIM_RESOLVED_NUMBER;
        o->number = v;
        o->unit = unit;
    }
}

void sim__ld_resolved_text(sim_loader *ld, const yaml_node_t *y, const char *text) {
    sim_topo_override *o = made_by(ld, y);
    if (o) {
        o->resolved = SIM_RESOLVED_TEXT;
        o->text = text;
    }
}

void sim__ld_resolved_flag(sim_loader *ld, const yaml_node_t *y, bool flag) {
    sim_topo_override *o = made_by(ld, y);
    if (o) {
        o->resolved = SIM_RESOLVED_BOOL;
        o->flag = flag;
    }
}

/* Makes the record of each override (ld->overrides): its path and value, and the file's text
 * of the value it replaced, from the nodes it made; the typed keys fill in the rest as they
 * read the values. */
static void start_records(sim_loader *ld, const sim_override *sets, size_t nsets) {
    ld->overrides = sim__ld_alloc(ld, nsets * sizeof *ld->overrides);
    if (!ld->overrides)
        return;
    for (size_t i = 0; i < nsets; i++) {
        ld->overrides[i].path = sim__ld_strdup(ld, sets[i].path);
        ld->overrides[i].value = sim__ld_strdup(ld, sets[i].value);
    }
    for (size_t k = 0; k < ld->nset_nodes; k++) {
        const sim_set_node *e = &ld->set_nodes[k];
        if (e->old && !ld->overrides[e->set].file_value)
            ld->overrides[e->set].file_value = sim__ld_strdup(ld, e->old);
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
    refs r;
    count_refs(ld, &r);
    for (size_t i = 0; i < nsets && !ld->oom; i++) {
        char *segs = strdup(sets[i].path);
        if (!segs) {
            ld->oom = true;
            break;
        }
        apply(ld, &r, i, segs);
        free(segs);
    }
    free(r.count);
    if (!ld->oom)
        start_records(ld, sets, nsets);
}
