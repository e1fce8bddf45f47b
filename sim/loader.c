/* The topology loader: parses the YAML document with libyaml, applies --set overrides on the
 * document tree, checks every mapping for duplicate keys, then reads the top level, the
 * nodes (through each kind's parameter table), the network and the faults (loader_net.c),
 * and finally resolves node references. Every problem is reported; any problem means no
 * topology. */
#include "loader_int.h"

#include "checker.h"

#include "strfmt.h"
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLICAS 1000000

const char *sim__ld_scalar(const yaml_node_t *y) {
    return y && y->type == YAML_SCALAR_NODE ? (const char *)y->data.scalar.value : NULL;
}

yaml_node_t *sim__ld_node(sim_loader *ld, int id) { return yaml_document_get_node(ld->doc, id); }

yaml_node_t *sim__ld_get(sim_loader *ld, yaml_node_t *map, const char *key,
                         yaml_node_t **key_node) {
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = sim__ld_node(ld, p->key);
        const char *ks = sim__ld_scalar(k);
        if (ks && strcmp(ks, key) == 0) {
            if (key_node)
                *key_node = k;
            return sim__ld_node(ld, p->value);
        }
    }
    return NULL;
}

char *sim__ld_strdup(sim_loader *ld, const char *s) {
    char *c = sim_arena_strdup(ld->arena, s);
    if (!c && s)
        ld->oom = true;
    return c;
}

void *sim__ld_alloc(sim_loader *ld, size_t size) {
    void *p = sim_arena_alloc(ld->arena, size);
    if (!p)
        ld->oom = true;
    return p;
}

bool sim_check_given(const sim_check *ck, const char *key) {
    return sim__ld_get(ck->ld, ck->map, key, NULL) != NULL;
}


/* ---- document-level checks ---- */

typedef struct key_at {
    const char *key;
    size_t pair; /* index in its mapping */
} key_at;

static int by_key_then_pair(const void *a, const void *b) {
    const key_at *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->pair > y->pair) - (x->pair < y->pair);
}

typedef struct dup_walk {
    unsigned char *seen; /* per node id: checked already (aliases share nodes) */
    key_at *keys;        /* scratch for one mapping's keys */
    size_t capkeys;
} dup_walk;

/* Reports the duplicate keys of every mapping under y, each mapping once however many aliases
 * lead to it: sorting a mapping's keys (ties in file order) puts every repeat right after
 * the key's first appearance, O(n log n) where comparing all pairs was O(n^2). Depth is
 * bounded by sim__ld_compose. */
static void check_duplicates(sim_loader *ld, dup_walk *w, yaml_node_t *y) {
    if (!y)
        return;
    size_t id = (size_t)(y - ld->doc->nodes.start);
    if (w->seen[id])
        return;
    w->seen[id] = 1;
    if (y->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = y->data.sequence.items.start; it < y->data.sequence.items.top;
             it++)
            check_duplicates(ld, w, sim__ld_node(ld, *it));
        return;
    }
    if (y->type != YAML_MAPPING_NODE)
        return;
    yaml_node_pair_t *pairs = y->data.mapping.pairs.start;
    size_t n = (size_t)(y->data.mapping.pairs.top - pairs), nk = 0;
    if (n > w->capkeys) {
        key_at *k = realloc(w->keys, n * sizeof *k);
        if (!k) {
            ld->oom = true;
            return;
        }
        w->keys = k;
        w->capkeys = n;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *k = sim__ld_node(ld, pairs[i].key);
        const char *ks = sim__ld_scalar(k);
        if (ks)
            w->keys[nk++] = (key_at){ks, i};
        else
            sim__ld_error(ld, k, "keys must be plain words, not a mapping or a list");
    }
    qsort(w->keys, nk, sizeof *w->keys, by_key_then_pair);
    for (size_t i = 1, first = 0; i < nk; i++) {
        if (strcmp(w->keys[i].key, w->keys[first].key) != 0) {
            first = i;
            continue;
        }
        yaml_node_t *k = sim__ld_node(ld, pairs[w->keys[i].pair].key);
        yaml_node_t *f = sim__ld_node(ld, pairs[w->keys[first].pair].key);
        sim__ld_error(ld, k, "duplicate key '%s' (first given at line %d)", w->keys[i].key,
                      (int)f->start_mark.line + 1);
    }
    /* The scratch array is reused below: walk the values after this mapping's own check. */
    for (size_t i = 0; i < n; i++)
        check_duplicates(ld, w, sim__ld_node(ld, pairs[i].value));
}

static void check_all_duplicates(sim_loader *ld, yaml_node_t *root) {
    size_t n = (size_t)(ld->doc->nodes.top - ld->doc->nodes.start);
    dup_walk w = {calloc(n ? n : 1, 1), NULL, 0};
    if (!w.seen) {
        ld->oom = true;
        return;
    }
    check_duplicates(ld, &w, root);
    free(w.seen);
    free(w.keys);
}

/* ---- nodes ---- */

typedef struct group {
    const char *name;
    uint32_t first, count;
    bool replicated;
    uint32_t active; /* instances in the group at the start; the rest are spares */
    int line, col; /* of the node's name */
} group;

static bool valid_name(const char *s) {
    if (!islower((unsigned char)s[0]))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

const sim_kind *sim_find_kind(const sim_kind *const *kinds, const char *name) {
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL;
}

/* Reports that node name has no kind (word NULL) or the unknown kind word, with the kinds
 * and the nearest of them as "did you mean". */
static void kind_error(sim_loader *ld, const yaml_node_t *y, const sim_kind *const *kinds,
                       const char *name, const char *word) {
    sim_ld_known kn;
    sim__ld_known_init(&kn, word);
    for (size_t i = 0; kinds[i]; i++)
        sim__ld_known_add(&kn, kinds[i]->name);
    if (word)
        sim__ld_unknown(ld, y, &kn, "the kinds", "%s: unknown kind '%s'", name, word);
    else
        sim__ld_unknown(ld, y, &kn, "the kinds", "%s: missing 'kind'", name);
}

/* Reads the nodes mapping: kinds, replicas and parameters; fills t->nodes and groups. */
static int load_nodes(sim_loader *ld, yaml_node_t *nodes, const sim_kind *const *kinds,
                      sim_topology *t, group **groups_out, size_t *ngroups) {
    if (!nodes || nodes->type != YAML_MAPPING_NODE ||
        nodes->data.mapping.pairs.top == nodes->data.mapping.pairs.start) {
        sim__ld_error(ld, nodes, "nodes: expected a mapping of node names to nodes");
        return -1;
    }
    size_t ng = (size_t)(nodes->data.mapping.pairs.top - nodes->data.mapping.pairs.start);
    group *groups = sim__ld_alloc(ld, ng * sizeof *groups);
    const sim_kind **gkind = sim__ld_alloc(ld, ng * sizeof *gkind);
    if (!groups || !gkind)
        return -1;
    int bad = 0;
    uint64_t total = 0;
    size_t g = 0;
    static const char *const skip[] = {"kind", "replicas", "active", NULL};
    /* A bad name, kind or replica count does not stop the checks: every node with a known
     * kind still has its keys checked and every reference is still resolved. */
    for (yaml_node_pair_t *p = nodes->data.mapping.pairs.start; p < nodes->data.mapping.pairs.top;
         p++, g++) {
        yaml_node_t *kn = sim__ld_node(ld, p->key), *body = sim__ld_node(ld, p->value);
        const char *name = sim__ld_scalar(kn);
        groups[g].name = name ? sim__ld_strdup(ld, name) : "?";
        if (!groups[g].name)
            return -1;
        groups[g].count = 1;
        groups[g].first = (uint32_t)total;
        groups[g].line = (int)kn->start_mark.line + 1;
        groups[g].col = (int)kn->start_mark.column + 1;
        if (!name || !valid_name(name)) {
            sim__ld_error(ld, kn, "nodes: node name '%s' must match [a-z][a-z0-9_-]*",
                          name ? name : "?");
            bad = -1;
        }
        name = groups[g].name;
        if (!body || body->type != YAML_MAPPING_NODE) {
            sim__ld_error(ld, body, "%s: expected a mapping with at least 'kind'", name);
            bad = -1;
            total += 1;
            continue;
        }
        yaml_node_t *kindn = sim__ld_get(ld, body, "kind", NULL);
        const char *kname = sim__ld_scalar(kindn);
        if (!kname) {
            kind_error(ld, kindn ? kindn : body, kinds, name, NULL);
            bad = -1;
        } else if (!(gkind[g] = sim_find_kind(kinds, kname))) {
            kind_error(ld, kindn, kinds, name, kname);
            bad = -1;
        }
        yaml_node_t *rn = sim__ld_get(ld, body, "replicas", NULL);
        if (rn) {
            int64_t r;
            const char *rs = sim__ld_scalar(rn);
            if (!rs || sim_parse_int(rs, &r) || r < 1 || r > MAX_REPLICAS) {
                sim__ld_error(ld, rn, "%s: replicas: expected a whole number in [1, %d], got '%s'",
                              name, MAX_REPLICAS, rs ? rs : "a collection");
                bad = -1;
            } else {
                groups[g].count = (uint32_t)r;
                groups[g].replicated = true;
            }
        }
        groups[g].active = groups[g].count;
        yaml_node_t *an = sim__ld_get(ld, body, "active", NULL);
        if (an) {
            int64_t a;
            const char *as = sim__ld_scalar(an);
            if (!as || sim_parse_int(as, &a) || a < 0 || a > groups[g].count) {
                sim__ld_error(ld, an, "%s: active: expected a whole number in [0, %u] (the "
                              "replicas), got '%s'", name, groups[g].count,
                              as ? as : "a collection");
                bad = -1;
            } else {
                groups[g].active = (uint32_t)a;
            }
        }
        total += groups[g].count;
    }
    if (total > SIM_MAX_NODES) {
        sim__ld_error(ld, nodes, "nodes: %llu instances in all, more than %d",
                      (unsigned long long)total, SIM_MAX_NODES);
        return -1;
    }
    *groups_out = groups;
    *ngroups = ng;
    t->groups = sim__ld_alloc(ld, ng * sizeof *t->groups);
    if (!t->groups)
        return -1;
    t->ngroups = ng;
    for (g = 0; g < ng; g++)
        t->groups[g] = (sim_topo_group){groups[g].name, groups[g].first, groups[g].count,
                                        groups[g].line, groups[g].col};
    t->nnodes = (size_t)total;
    t->nodes = sim__ld_alloc(ld, (total ? total : 1) * sizeof *t->nodes);
    if (!t->nodes)
        return -1;
    g = 0;
    for (yaml_node_pair_t *p = nodes->data.mapping.pairs.start; p < nodes->data.mapping.pairs.top;
         p++, g++) {
        yaml_node_t *body = sim__ld_node(ld, p->value);
        const sim_kind *k = gkind[g];
        if (!k) /* already reported; its keys cannot be checked without its kind */
            continue;
        void *config = sim__ld_alloc(ld, k->config_size ? k->config_size : 1);
        if (!config)
            return -1;
        ld->owner = groups[g].first;
        if (sim__ld_params(ld, k->params, body, skip, groups[g].name, config)) {
            bad = -1;
        } else if (k->check) {
            size_t before = sim_diag_count(ld->diag);
            sim_check ck = {ld, body, groups[g].name};
            k->check(config, &ck);
            if (sim_diag_count(ld->diag) != before)
                bad = -1;
        }
        for (uint32_t i = 0; i < groups[g].count; i++) {
            sim_topo_node *tn = &t->nodes[groups[g].first + i];
            tn->group = groups[g].name;
            tn->kind = k;
            tn->config = config;
            tn->group_first = groups[g].first;
            tn->group_count = groups[g].count;
            tn->replica = i;
            tn->spare = i >= groups[g].active;
            /* Exactly as long as it needs: instances of long-named groups must stay apart
             * (their names key the result document and seed their random streams). */
            tn->name = groups[g].replicated ? sim__ld_arena_format(ld, "%s.%u", groups[g].name, i)
                                            : groups[g].name;
            if (!tn->name)
                return -1;
        }
    }
    return bad;
}

/* Adds "did you mean" to a reference to no node: the nearest group name, or for "grp.N" with
 * no group grp the nearest group's instance N when it has one (a group has up to a million
 * instances, so they are not offered one by one). */
static void suggest_node(sim_loader *ld, const group *groups, size_t ng, const char *name) {
    sim_suggest near;
    sim_suggest_init(&near, name);
    for (size_t g = 0; g < ng; g++)
        sim__ld_suggest_add(ld, &near, groups[g].name);
    if (sim_suggest_best(&near)) {
        sim_diag_note(ld->diag, "did you mean '%s'?", sim_suggest_best(&near));
        return;
    }
    const char *dot = strrchr(name, '.');
    int64_t idx;
    char *head = dot ? strndup(name, (size_t)(dot - name)) : NULL;
    if (!head || sim_parse_int(dot + 1, &idx) || idx < 0) {
        free(head);
        return;
    }
    sim_suggest_init(&near, head);
    const group *best = NULL;
    for (size_t g = 0; g < ng; g++) {
        sim__ld_suggest_add(ld, &near, groups[g].name);
        if (sim_suggest_best(&near) == groups[g].name)
            best = &groups[g];
    }
    if (best && best->replicated && idx < best->count)
        sim_diag_note(ld->diag, "did you mean '%s.%s'?", best->name, dot + 1);
    free(head);
}

static int by_name_then_order(const void *a, const void *b) {
    const group *x = *(const group *const *)a, *y = *(const group *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x > y) - (x < y);
}

/* The first group (in file order) named exactly the n bytes at s, in the table sorted by
 * name; NULL when none is. */
static const group *find_group(const group *const *sorted, size_t ng, const char *s, size_t n) {
    size_t lo = 0, hi = ng; /* lower bound: the first name not below s */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        /* a name starting with s is not below it: only a negative strncmp is */
        if (strncmp(sorted[mid]->name, s, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ng && strncmp(sorted[lo]->name, s, n) == 0 && sorted[lo]->name[n] == 0)
        return sorted[lo];
    return NULL;
}

/* Resolves every queued reference against the groups ("web") and instances ("web.2"), by
 * binary search in a table of the groups sorted by name (a hash of names would need its
 * collisions handled; sim_idmap maps ids, not strings). */
static int resolve_refs(sim_loader *ld, const group *groups, size_t ng) {
    int bad = 0;
    const group **sorted = malloc((ng ? ng : 1) * sizeof *sorted);
    if (!sorted) {
        ld->oom = true;
        return -1;
    }
    for (size_t g = 0; g < ng; g++)
        sorted[g] = &groups[g];
    qsort(sorted, ng, sizeof *sorted, by_name_then_order);
    for (size_t i = 0; i < ld->nrefs; i++) {
        sim_ref *r = ld->refs[i].ref;
        const char *dot = strrchr(r->name, '.');
        const group *near = NULL; /* the group an instance reference names */
        bool found = false;
        const group *g = find_group(sorted, ng, r->name, strlen(r->name));
        if (g) {
            r->first = g->first;
            r->count = g->count;
            found = true;
        } else if (dot && (near = find_group(sorted, ng, r->name, (size_t)(dot - r->name)))) {
            int64_t idx;
            if (near->replicated && !sim_parse_int(dot + 1, &idx) && idx >= 0 &&
                idx < near->count) {
                r->first = near->first + (uint32_t)idx;
                r->count = 1;
                found = true;
            }
        }
        if (found)
            continue;
        bad = -1;
        if (!sim__ld_may_report(ld))
            continue;
        const sim_pending_ref *pr = &ld->refs[i];
        if (near && near->replicated)
            sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                             "%s: no node named '%s' (%s has %u replicas: %s.0 to %s.%u)",
                             pr->where, r->name, near->name, near->count, near->name, near->name,
                             near->count - 1);
        else if (near)
            sim__ld_error_at(ld, pr->line, pr->col, pr->set_node,
                             "%s: no node named '%s' (%s has no replicas: write '%s')", pr->where,
                             r->name, near->name, near->name);
        else if (sim__ld_error_at(ld, pr->line, pr->col, pr->set_node, "%s: no node named '%s'",
                                  pr->where, r->name))
            suggest_node(ld, groups, ng, r->name);
    }
    free(sorted);
    return bad;
}

/* ---- top level ---- */

static char *file_stem(sim_loader *ld, const char *path) {
    const char *base = strrchr(path, '/');
    char *stem = sim__ld_strdup(ld, base ? base + 1 : path);
    char *dot = stem ? strrchr(stem, '.') : NULL;
    if (dot && dot != stem)
        *dot = 0;
    return stem;
}

/* Where `warmup: auto` was written, for the message that refuses a run too short for it:
 * the argument "--set PATH=VALUE" when a --set wrote it, else "FILE:LINE:COL" (arena). */
static const char *warmup_where(sim_loader *ld, const yaml_node_t *v, const char *file) {
    int set = sim__ld_set_node(ld, v);
    char *s = set >= 0 ? sim_strfmt("--set %s=%s", ld->sets[ld->set_nodes[set].set].path,
                                    ld->sets[ld->set_nodes[set].set].value)
                       : sim_strfmt("%s:%d:%d", file, (int)v->start_mark.line + 1,
                                    (int)v->start_mark.column + 1);
    const char *kept = s ? sim__ld_strdup(ld, s) : NULL;
    if (!kept)
        ld->oom = true;
    free(s);
    return kept;
}

/* Whether path names a node of t (nodes.NAME...), or is not about nodes at all. By the
 * groups, which every node of the file has even when its kind is unknown (its instances then
 * have no entry filled); an instance's path ("web.3...") starts with its group's name. */
static bool names_a_node(const sim_topology *t, const char *path) {
    if (strncmp(path, "nodes.", 6) != 0)
        return true;
    const char *rest = path + 6;
    for (size_t g = 0; g < t->ngroups; g++) {
        size_t len = strlen(t->groups[g].name);
        if (strncmp(rest, t->groups[g].name, len) == 0 && (rest[len] == '.' || !rest[len]))
            return true;
    }
    return false;
}

/* `series: DURATION` and `series_metrics: [PATH, ...]` (contract §8.2). Whether a path names
 * a figure of its node is known only once the nodes are made: dsim run checks that. */
static int load_series(sim_loader *ld, yaml_node_t *root, sim_topology *t, const group *groups,
                       size_t ng) {
    int bad = 0;
    yaml_node_t *v;
    if ((v = sim__ld_get(ld, root, "series", NULL))) {
        if (sim__ld_duration(ld, v, "series", &t->series))
            bad = -1;
        else if (t->series <= 0) {
            sim__ld_error(ld, v, "series: expected a sampling interval > 0, e.g. 1s");
            bad = -1;
        }
    }
    if (!(v = sim__ld_get(ld, root, "series_metrics", NULL)))
        return bad;
    if (v->type != YAML_SEQUENCE_NODE) {
        sim__ld_error(ld, v, "series_metrics: expected a list of metric paths, e.g. "
                             "[requests.throughput_rps, nodes.web.queue_mean]");
        return -1;
    }
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    t->series_metrics = sim__ld_alloc(ld, (n ? n : 1) * sizeof *t->series_metrics);
    t->series_lines = sim__ld_alloc(ld, (n ? n : 1) * sizeof *t->series_lines);
    t->series_cols = sim__ld_alloc(ld, (n ? n : 1) * sizeof *t->series_cols);
    if (!t->series_metrics || !t->series_lines || !t->series_cols)
        return -1;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *p = sim__ld_node(ld, *it);
        const char *path = sim__ld_scalar(p);
        if (!path || !*path) {
            sim__ld_error(ld, p, "series_metrics: expected a metric path such as "
                                 "requests.throughput_rps");
            bad = -1;
            continue;
        }
        if (!names_a_node(t, path)) {
            /* The nearest group for the path's first segment after "nodes.". */
            const char *name = path + 6, *dot = strchr(name, '.');
            char *seg = strndup(name, dot ? (size_t)(dot - name) : strlen(name));
            sim_suggest near;
            sim_suggest_init(&near, seg ? seg : "");
            for (size_t g = 0; seg && g < ng; g++)
                sim__ld_suggest_add(ld, &near, groups[g].name);
            const char *best = sim_suggest_best(&near);
            /* A replicated group's own name is no node: its instances are NAME.0, NAME.1... */
            bool is_group = false;
            for (size_t g = 0; best && g < ng; g++)
                is_group |= groups[g].name == best && groups[g].replicated;
            if (sim__ld_error(ld, p, "series_metrics: %s: no such node", path) && best)
                sim_diag_note(ld->diag, "did you mean 'nodes.%s%s%s'?%s", best, is_group ? ".0" : "",
                              dot ? dot : "",
                              is_group ? " (a group's instances are NAME.0, NAME.1, ...)" : "");
            free(seg);
            bad = -1;
            continue;
        }
        size_t k = t->nseries_metrics++;
        t->series_metrics[k] = sim__ld_strdup(ld, path);
        t->series_lines[k] = (int)p->start_mark.line + 1;
        t->series_cols[k] = (int)p->start_mark.column + 1;
    }
    return bad;
}

static int load_top(sim_loader *ld, yaml_node_t *root, const char *file,
                    const sim_kind *const *kinds, sim_topology *t) {
    if (!root || root->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, root,
                      "expected a mapping with keys name, seed, duration, warmup, "
                      "nodes, network, faults");
        return -1;
    }
    static const char *const known[] = {"name",   "seed",           "duration", "warmup",
                                        "nodes",  "network",        "faults",   "expect",
                                        "series", "series_metrics", "nemesis",  NULL};
    int bad = 0;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = sim__ld_node(ld, p->key);
        const char *ks = sim__ld_scalar(k);
        bool ok = false;
        for (int i = 0; ks && known[i]; i++)
            ok = ok || strcmp(ks, known[i]) == 0;
        if (ks && !ok) {
            sim__ld_unknown_key(ld, k, ks, known, "unknown top-level key");
            bad = -1;
        }
    }
    yaml_node_t *v;
    t->name = file_stem(ld, file);
    if ((v = sim__ld_get(ld, root, "name", NULL))) {
        if (!sim__ld_scalar(v) || !*sim__ld_scalar(v)) {
            sim__ld_error(ld, v, "name: expected a non-empty string");
            bad = -1;
        } else {
            t->name = sim__ld_strdup(ld, sim__ld_scalar(v));
        }
    }
    t->seed = 1;
    if ((v = sim__ld_get(ld, root, "seed", NULL))) {
        int64_t s;
        if (!sim__ld_scalar(v) || sim_parse_int(sim__ld_scalar(v), &s) || s < 0) {
            sim__ld_error(ld, v, "seed: expected a whole number >= 0, got '%s'",
                          sim__ld_scalar(v) ? sim__ld_scalar(v) : "a collection");
            bad = -1;
        } else {
            t->seed = (uint64_t)s;
            sim__ld_resolved_number(ld, v, (double)s, NULL);
        }
    }
    if (!(v = sim__ld_get(ld, root, "duration", NULL))) {
        sim__ld_error(ld, root,
                      "missing required key 'duration' (simulated time to run, e.g. "
                      "60s)");
        bad = -1;
    } else if (!sim__ld_duration(ld, v, "duration", &t->duration) && t->duration <= 0) {
        sim__ld_error(ld, v, "duration: expected a duration > 0");
        bad = -1;
    } else if (t->duration <= 0) {
        bad = -1;
    }
    if ((v = sim__ld_get(ld, root, "warmup", NULL))) {
        if (sim__ld_scalar(v) && strcmp(sim__ld_scalar(v), "auto") == 0) {
            /* chosen per run by MSER-5 (experiments/warmup_auto.h); 0 until then */
            t->warmup_auto = true;
            if (!(t->warmup_where = warmup_where(ld, v, file)))
                bad = -1;
        } else if (sim__ld_duration(ld, v, "warmup", &t->warmup)) {
            sim_diag_note(ld->diag, "or warmup: auto, to have it chosen from the run (MSER-5)");
            bad = -1;
        } else if (t->duration > 0 && t->warmup >= t->duration) {
            sim__ld_error(ld, v, "warmup: must be shorter than duration");
            bad = -1;
        }
    }
    group *groups = NULL;
    size_t ng = 0;
    if (!(v = sim__ld_get(ld, root, "nodes", NULL))) {
        sim__ld_error(ld, root, "missing required key 'nodes'");
        bad = -1;
    } else if (load_nodes(ld, v, kinds, t, &groups, &ng)) {
        bad = -1;
    }
    bad |= sim__ld_network(ld, sim__ld_get(ld, root, "network", NULL), &t->net);
    bad |= sim__ld_faults(ld, sim__ld_get(ld, root, "faults", NULL), t,
                          sim__ld_get(ld, root, "duration", NULL));
    bad |= sim__ld_nemesis(ld, sim__ld_get(ld, root, "nemesis", NULL), t);
    bad |= sim__ld_expect(ld, sim__ld_get(ld, root, "expect", NULL), t);
    bad |= load_series(ld, root, t, groups, ng);
    if (groups)
        bad |= resolve_refs(ld, groups, ng);
    if (groups)
        bad |= sim__ld_wiring(ld, t, kinds);
    if (groups && !bad)
        bad |= sim__ld_fault_targets(ld, t);
    if (groups && !bad)
        bad |= sim__ld_nemesis_targets(ld, t);
    if (!bad && sim__checkers_pick(kinds, t, ld->arena)) {
        ld->oom = true;
        bad = -1;
    }
    if (!bad && sim_graph_build(t, ld->arena)) {
        ld->oom = true;
        bad = -1;
    }
    return bad ? -1 : 0;
}

void sim_topology_free(sim_topology *t) {
    if (t)
        sim_arena_free(t->arena);
}

sim_topology *sim_load_string(const char *name, const char *text, size_t len,
                              const sim_override *sets, size_t nsets, const sim_kind *const *kinds,
                              sim_diag *diag) {
    size_t errors_before = sim_diag_count(diag);
    sim_loader ld = {.diag = diag, .errors_before = errors_before};
    yaml_document_t doc;
    if (sim__ld_compose(diag, text, len, &doc))
        return NULL;
    ld.doc = &doc;
    sim_arena *arena = sim_arena_new();
    sim_topology *t = arena ? sim_arena_alloc(arena, sizeof *t) : NULL;
    if (!t) {
        sim_diag_error(diag, 0, 0, "out of memory");
        sim_arena_free(arena);
        yaml_document_delete(&doc);
        return NULL;
    }
    t->arena = arena;
    ld.arena = arena;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        sim_diag_error(diag, 1, 1, "the file is empty: expected a topology mapping");
    } else {
        sim__ld_apply_overrides(&ld, sets, nsets);
        t->overrides = ld.overrides;
        t->noverrides = ld.overrides ? nsets : 0;
        root = yaml_document_get_root_node(&doc);
        check_all_duplicates(&ld, root);
        load_top(&ld, root, name, kinds, t);
    }
    if (ld.oom)
        sim_diag_error(diag, 0, 0, "out of memory while loading");
    free(ld.refs);
    sim__ld_free_defaults(&ld);
    yaml_document_delete(&doc);
    if (sim_diag_count(diag) != errors_before) {
        sim_arena_free(arena);
        return NULL;
    }
    return t;
}

sim_topology *sim_load_file(const char *path, const sim_override *sets, size_t nsets,
                            const sim_kind *const *kinds, sim_diag *diag) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        sim_diag_error(diag, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    /* Reads one byte past the size limit at most, so that neither a huge file nor an endless
     * device (/dev/zero) is read whole; sim_load_string refuses what is over. */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    while (len <= SIM_LOADER_MAX_BYTES) {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            if (cap > SIM_LOADER_MAX_BYTES + 1)
                cap = SIM_LOADER_MAX_BYTES + 1;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                sim_diag_error(diag, 0, 0, "out of memory reading the file");
                return NULL;
            }
            buf = b;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        sim_diag_error(diag, 0, 0, "cannot read the file");
        return NULL;
    }
    sim_topology *t = sim_load_string(path, buf, len, sets, nsets, kinds, diag);
    free(buf);
    return t;
}
