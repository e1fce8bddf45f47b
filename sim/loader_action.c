/* What a fault (`faults:`, sim/loader_net.c) and a nemesis rule (`nemesis:`,
 * sim/loader_nemesis.c) read alike: the keys beside the action (factor, from, to, node), a
 * link's two ends, slow's factor and latency's {add: D}. Each caller keeps its own checks of
 * which key goes with which action, since their messages differ. */
#include "loader_int.h"

#include <string.h>

#define FOR_PAIRS(p, y)                                                                            \
    for (yaml_node_pair_t *p = (y)->data.mapping.pairs.start; p < (y)->data.mapping.pairs.top; p++)

/* "faults[2]: key", for messages (arena). */
static const char *key_of(sim_loader *ld, const char *w, const char *key) {
    const char *s = sim__ld_arena_format(ld, "%s: %s", w, key);
    return s ? s : w;
}

int sim__ld_action_index(const char *const *actions, const char *ks) {
    for (int a = 0; actions[a]; a++)
        if (strcmp(ks, actions[a]) == 0)
            return a;
    return -1;
}

bool sim__ld_action_arg(sim_ld_action_args *a, const char *ks, yaml_node_t *v) {
    yaml_node_t **slot = strcmp(ks, "factor") == 0 ? &a->factor
                         : strcmp(ks, "from") == 0 ? &a->from
                         : strcmp(ks, "to") == 0   ? &a->to
                         : strcmp(ks, "node") == 0 ? &a->node
                                                   : NULL;
    if (slot)
        *slot = v;
    return slot != NULL;
}

int sim__ld_action_link(sim_loader *ld, yaml_node_t *y, const char *w, const char *action,
                        const sim_ld_action_args *a, sim_ref *from, sim_ref *to) {
    if (!a->from != !a->to) {
        sim__ld_error(ld, y, "%s: a %s on a link needs both 'from' and 'to'", w, action);
        return -1;
    }
    if (!a->from)
        return 0;
    int bad = sim__ld_ref(ld, a->from, key_of(ld, w, "from"), from);
    return bad | sim__ld_ref(ld, a->to, key_of(ld, w, "to"), to);
}

int sim__ld_action_slow(sim_loader *ld, yaml_node_t *y, yaml_node_t *action, const char *w,
                        const sim_ld_action_args *a, sim_ref *node, double *factor) {
    int bad = sim__ld_ref(ld, action, key_of(ld, w, "slow"), node);
    if (!a->factor) {
        sim__ld_error(ld, y, "%s: 'slow' needs 'factor' (service times are multiplied by it)", w);
        return -1;
    }
    return bad | sim__ld_number(ld, a->factor, key_of(ld, w, "factor"), 1e-6, 1e6, factor);
}

int sim__ld_action_latency(sim_loader *ld, yaml_node_t *action, const char *w, sim_time *add) {
    const char *wl = key_of(ld, w, "latency");
    if (action->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, action, "%s: expected {add: D} (a delay added to every message)", wl);
        return -1;
    }
    int bad = 0;
    bool found = false;
    FOR_PAIRS(q, action) {
        yaml_node_t *k = sim__ld_node(ld, q->key), *v = sim__ld_node(ld, q->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        if (strcmp(ks, "add") == 0) {
            found = true;
            bad |= sim__ld_duration(ld, v, key_of(ld, wl, "add"), add);
        } else {
            static const char *const keys[] = {"add", NULL};
            sim__ld_unknown_key(ld, k, ks, keys, key_of(ld, wl, "unknown key"));
            bad = -1;
        }
    }
    if (!found) {
        sim__ld_error(ld, action, "%s: needs 'add' (the delay added, e.g. {add: 20ms})", wl);
        bad = -1;
    }
    return bad;
}
