/* The loader's `network:` mapping (latency, loss, duplicate, reorder, bandwidth, links,
 * interfaces) and `faults:` list: typed values into sim_network and sim_fault, with every
 * problem reported at its position. References are queued for resolution like the nodes'. */
#include "loader_int.h"

#include "units.h"

#include <stdlib.h>
#include <string.h>

#define FOR_PAIRS(p, y)                                                                            \
    for (yaml_node_pair_t *p = (y)->data.mapping.pairs.start; p < (y)->data.mapping.pairs.top; p++)

static size_t seq_len(const yaml_node_t *y) {
    return (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
}

static const char *show(const yaml_node_t *y) {
    const char *s = sim__ld_scalar(y);
    return s ? s : y->type == YAML_MAPPING_NODE ? "a mapping" : "a list";
}

/* "network: links: reorder", for messages (arena). */
static const char *key_of(sim_loader *ld, const char *w, const char *key) {
    const char *s = sim__ld_arena_format(ld, "%s: %s", w, key);
    return s ? s : w;
}

static int ld_bandwidth(sim_loader *ld, yaml_node_t *y, const char *where, double *out) {
    const char *s = sim__ld_scalar(y);
    const char *err = s ? sim_parse_bandwidth(s, out) : "a bandwidth (e.g. 100Mbps)";
    if (err) {
        sim__ld_error(ld, y, "%s: expected %s, got '%s'", where, err, show(y));
        return -1;
    }
    return 0;
}

/* reorder: {p: P, delay: DIST}. */
static int ld_reorder(sim_loader *ld, yaml_node_t *y, const char *where, sim_reorder *out) {
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y,
                      "%s: expected {p: P, delay: DIST} (hold a message back by delay "
                      "with probability p), got '%s'",
                      where, show(y));
        return -1;
    }
    int bad = 0;
    bool p = false, delay = false;
    sim_reorder r = {0};
    FOR_PAIRS(q, y) {
        yaml_node_t *k = sim__ld_node(ld, q->key), *v = sim__ld_node(ld, q->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        if (strcmp(ks, "p") == 0) {
            p = true;
            bad |= sim__ld_prob(ld, v, key_of(ld, where, "p"), &r.p);
        } else if (strcmp(ks, "delay") == 0) {
            delay = true;
            bad |= sim__ld_dist(ld, v, key_of(ld, where, "delay"), &r.delay);
        } else {
            static const char *const keys[] = {"p", "delay", NULL};
            sim__ld_unknown_key(ld, k, ks, keys, key_of(ld, where, "unknown key"));
            bad = -1;
        }
    }
    if (!p || !delay) {
        sim__ld_error(ld, y, "%s: needs both 'p' (probability) and 'delay' (distribution)", where);
        return -1;
    }
    if (!bad)
        *out = r;
    return bad ? -1 : 0;
}

static const char *const link_keys[] = {"from",      "to",      "latency",   "loss",
                                        "duplicate", "reorder", "bandwidth", NULL};

static int load_link(sim_loader *ld, yaml_node_t *l, sim_link *link) {
    const char *w = "network: links";
    link->loss = link->duplicate = link->reorder.p = link->bandwidth = -1;
    if (l->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, l, "%s: expected {from, to, latency, loss, ...}", w);
        return -1;
    }
    int bad = 0;
    if (!sim__ld_get(ld, l, "from", NULL) || !sim__ld_get(ld, l, "to", NULL)) {
        sim__ld_error(ld, l, "%s: a link needs 'from' and 'to'", w);
        bad = -1;
    }
    FOR_PAIRS(q, l) {
        yaml_node_t *lk = sim__ld_node(ld, q->key), *lv = sim__ld_node(ld, q->value);
        const char *ls = sim__ld_scalar(lk);
        if (!ls)
            continue;
        if (strcmp(ls, "from") == 0)
            bad |= sim__ld_ref(ld, lv, "network: links: from", &link->from);
        else if (strcmp(ls, "to") == 0)
            bad |= sim__ld_ref(ld, lv, "network: links: to", &link->to);
        else if (strcmp(ls, "latency") == 0)
            bad |= sim__ld_dist(ld, lv, "network: links: latency", &link->latency);
        else if (strcmp(ls, "loss") == 0)
            bad |= sim__ld_prob(ld, lv, "network: links: loss", &link->loss);
        else if (strcmp(ls, "duplicate") == 0)
            bad |= sim__ld_prob(ld, lv, "network: links: duplicate", &link->duplicate);
        else if (strcmp(ls, "reorder") == 0)
            bad |= ld_reorder(ld, lv, "network: links: reorder", &link->reorder);
        else if (strcmp(ls, "bandwidth") == 0)
            bad |= ld_bandwidth(ld, lv, "network: links: bandwidth", &link->bandwidth);
        else {
            sim__ld_unknown_key(ld, lk, ls, link_keys, "network: links: unknown key");
            bad = -1;
        }
    }
    return bad;
}

/* Links match in either direction and the first match wins, so an entry naming the same two
 * ends as an earlier one (in either order) would never be used: an error at its line. */
static int repeated_link(sim_loader *ld, yaml_node_t *seq, const sim_link *links, size_t i) {
    const sim_link *l = &links[i];
    if (!l->from.name || !l->to.name)
        return 0;
    for (size_t j = 0; j < i; j++) {
        const sim_link *o = &links[j];
        if (!o->from.name || !o->to.name)
            continue;
        bool same =
            (strcmp(o->from.name, l->from.name) == 0 && strcmp(o->to.name, l->to.name) == 0) ||
            (strcmp(o->from.name, l->to.name) == 0 && strcmp(o->to.name, l->from.name) == 0);
        if (same) {
            if (sim__ld_error(ld, sim__ld_node(ld, seq->data.sequence.items.start[i]),
                              "network: links[%zu]: links[%zu] already joins %s and %s (a link "
                              "covers both directions, and the first that matches is used)",
                              i, j, l->from.name, l->to.name))
                sim_diag_note(ld->diag, "give the two ends once, with every key on that entry");
            return -1;
        }
    }
    return 0;
}

static int load_interface(sim_loader *ld, yaml_node_t *y, sim_interface *out) {
    const char *w = "network: interfaces";
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y, "%s: expected {node: NODE, bandwidth: B}", w);
        return -1;
    }
    int bad = 0;
    if (!sim__ld_get(ld, y, "node", NULL) || !sim__ld_get(ld, y, "bandwidth", NULL)) {
        sim__ld_error(ld, y, "%s: an interface needs 'node' and 'bandwidth'", w);
        bad = -1;
    }
    FOR_PAIRS(q, y) {
        yaml_node_t *k = sim__ld_node(ld, q->key), *v = sim__ld_node(ld, q->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        if (strcmp(ks, "node") == 0)
            bad |= sim__ld_ref(ld, v, "network: interfaces: node", &out->node);
        else if (strcmp(ks, "bandwidth") == 0)
            bad |= ld_bandwidth(ld, v, "network: interfaces: bandwidth", &out->bandwidth);
        else {
            static const char *const keys[] = {"node", "bandwidth", NULL};
            sim__ld_unknown_key(ld, k, ks, keys, "network: interfaces: unknown key");
            bad = -1;
        }
    }
    return bad;
}

/* A list under key ks of the network: NULL (and an error) when v is not a list. */
static void *network_list(sim_loader *ld, yaml_node_t *v, const char *ks, const char *form,
                          size_t size, size_t *n) {
    if (v->type != YAML_SEQUENCE_NODE) {
        sim__ld_error(ld, v, "network: %s: expected a list of %s", ks, form);
        return NULL;
    }
    *n = seq_len(v);
    return sim__ld_alloc(ld, (*n ? *n : 1) * size);
}

int sim__ld_network(sim_loader *ld, yaml_node_t *y, sim_network *net) {
    net->loss = 0;
    if (!y)
        return 0;
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y, "network: expected a mapping (latency, loss, links, ...)");
        return -1;
    }
    int bad = 0;
    FOR_PAIRS(p, y) {
        yaml_node_t *k = sim__ld_node(ld, p->key), *v = sim__ld_node(ld, p->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        if (strcmp(ks, "latency") == 0) {
            bad |= sim__ld_dist(ld, v, "network: latency", &net->latency);
        } else if (strcmp(ks, "loss") == 0) {
            bad |= sim__ld_prob(ld, v, "network: loss", &net->loss);
        } else if (strcmp(ks, "duplicate") == 0) {
            bad |= sim__ld_prob(ld, v, "network: duplicate", &net->duplicate);
        } else if (strcmp(ks, "reorder") == 0) {
            bad |= ld_reorder(ld, v, "network: reorder", &net->reorder);
        } else if (strcmp(ks, "bandwidth") == 0) {
            bad |= ld_bandwidth(ld, v, "network: bandwidth", &net->bandwidth);
        } else if (strcmp(ks, "links") == 0) {
            size_t n = 0;
            sim_link *links =
                network_list(ld, v, ks, "{from, to, latency, loss, ...}", sizeof *links, &n);
            if (!links) {
                bad = -1;
                continue;
            }
            net->links = links;
            net->nlinks = n;
            for (size_t i = 0; i < n; i++) {
                bad |= load_link(ld, sim__ld_node(ld, v->data.sequence.items.start[i]), &links[i]);
                bad |= repeated_link(ld, v, links, i);
            }
        } else if (strcmp(ks, "interfaces") == 0) {
            size_t n = 0;
            sim_interface *ifs = network_list(ld, v, ks, "{node, bandwidth}", sizeof *ifs, &n);
            if (!ifs) {
                bad = -1;
                continue;
            }
            net->interfaces = ifs;
            net->ninterfaces = n;
            for (size_t i = 0; i < n; i++)
                bad |=
                    load_interface(ld, sim__ld_node(ld, v->data.sequence.items.start[i]), &ifs[i]);
        } else {
            static const char *const net_keys[] = {"latency",   "loss",  "duplicate",  "reorder",
                                                   "bandwidth", "links", "interfaces", NULL};
            sim__ld_unknown_key(ld, k, ks, net_keys, "network: unknown key");
            bad = -1;
        }
    }
    return bad ? -1 : 0;
}

/* ---- faults ---- */

/* In the order of sim_fault_kind. */
static const char *const fault_actions[] = {"crash", "restart",   "partition", "loss",
                                            "slow",  "add",       "remove",    "latency",
                                            "scale", "lose_data", NULL};

/* "faults[2]: key", for messages (arena). */
static const char *fault_key(sim_loader *ld, const char *w, const char *key) {
    const char *s = sim__ld_arena_format(ld, "%s: %s", w, key);
    return s ? s : "faults";
}

/* Checks that partition fault f's list of sides is one: a list of at least two lists of
 * nodes. Returns 0 or -1. */
static int check_sides(sim_loader *ld, yaml_node_t *action, const char *w) {
    size_t n = action->type == YAML_SEQUENCE_NODE ? seq_len(action) : 0;
    if (n < 1) {
        sim__ld_error(ld, action, "%s: partition: expected a list of sides, e.g. [[a, b], [c]]", w);
        return -1;
    }
    bool flat = true;
    for (size_t g = 0; g < n; g++)
        flat = flat &&
               sim__ld_node(ld, action->data.sequence.items.start[g])->type == YAML_SCALAR_NODE;
    /* In the network (sim/net.c) a node on no side is not affected: one side cuts nothing. */
    if (flat) {
        if (sim__ld_error(ld, action,
                          "%s: partition: expected a list of sides, each a list of "
                          "nodes, not a list of nodes",
                          w))
            sim_diag_note(ld->diag, "[[web], [users]] cuts web from users (in both directions); "
                                    "[[web], [users, db]] cuts web from both; nodes on no side are "
                                    "not affected");
        return -1;
    }
    if (n == 1) {
        if (sim__ld_error(ld, action,
                          "%s: partition: one side cuts nothing (nodes on no side "
                          "are not affected): give two sides or more",
                          w))
            sim_diag_note(ld->diag, "to cut a node from every other, list the others on a second "
                                    "side: [[web], [users, db]]");
        return -1;
    }
    return 0;
}

static int load_fault(sim_loader *ld, yaml_node_t *y, size_t i, sim_time run,
                      const yaml_node_t *run_node, sim_fault *f) {
    const char *w = sim__ld_arena_format(ld, "faults[%zu]", i);
    if (!w)
        return -1;
    f->duration = SIM_TIME_NONE;
    f->line = (int)y->start_mark.line + 1;
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y, "%s: expected a mapping such as {at: 10s, crash: web}", w);
        return -1;
    }
    int bad = 0, actions = 0;
    yaml_node_t *at = NULL, *action = NULL, *workers = NULL, *downtime = NULL, *duration = NULL;
    sim_ld_action_args args = {0};
    FOR_PAIRS(p, y) {
        yaml_node_t *k = sim__ld_node(ld, p->key), *v = sim__ld_node(ld, p->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        int a = sim__ld_action_index(fault_actions, ks);
        if (a >= 0) {
            f->kind = (sim_fault_kind)a;
            action = v;
            actions++;
        } else if (strcmp(ks, "at") == 0) {
            at = v;
        } else if (strcmp(ks, "duration") == 0) {
            duration = v;
            bad |= sim__ld_duration(ld, v, fault_key(ld, w, "duration"), &f->duration);
        } else if (strcmp(ks, "workers") == 0) {
            workers = v;
        } else if (strcmp(ks, "downtime") == 0) {
            downtime = v;
        } else if (!sim__ld_action_arg(&args, ks, v)) {
            static const char *const fault_keys[] = {
                "at",  "duration", "crash",   "restart",  "partition", "loss",   "slow",
                "add", "remove",   "latency", "scale",    "lose_data", "factor", "from",
                "to",  "node",     "workers", "downtime", NULL};
            sim__ld_unknown_key(ld, k, ks, fault_keys, fault_key(ld, w, "unknown key"));
            bad = -1;
        }
    }
    if (!at) {
        sim__ld_error(ld, y, "%s: missing 'at' (when the fault happens)", w);
        bad = -1;
    } else {
        const char *wa = fault_key(ld, w, "at");
        if (sim__ld_duration(ld, at, wa, &f->at)) {
            bad = -1;
        } else if (run > 0 && f->at > run) {
            /* At the end itself it still happens (the engine applies it, and it is in the
             * fault log), which runs cut short at a fault's instant rely on. */
            const char *run_text = sim__ld_scalar(run_node);
            int set = sim__ld_set_node(ld, run_node);
            if (sim__ld_error(ld, at,
                              "%s: %s is after the end of the run (duration: %s): the "
                              "fault would never happen",
                              wa, sim__ld_scalar(at), run_text) &&
                set >= 0) {
                char *arg = sim__ld_set_arg(&ld->sets[ld->set_nodes[set].set]);
                sim_diag_note(ld->diag, "the duration comes from %s", arg ? arg : "--set");
                free(arg);
            }
            bad = -1;
        }
    }
    if (actions != 1) {
        sim__ld_error(ld, y,
                      "%s: expected exactly one action among crash, restart, partition, "
                      "loss, slow, add, remove, latency, scale, lose_data; found %d",
                      w, actions);
        return -1;
    }
    f->action_line = (int)action->start_mark.line + 1;
    f->action_col = (int)action->start_mark.column + 1;
    if ((workers || downtime) && f->kind != SIM_FAULT_SCALE) {
        sim__ld_error(ld, workers ? workers : downtime, "%s: '%s' goes with 'scale'", w,
                      workers ? "workers" : "downtime");
        bad = -1;
    }
    if (duration && f->kind == SIM_FAULT_RESTART) {
        sim__ld_error(ld, duration,
                      "%s: a restart is not undone: 'duration' goes with the other actions "
                      "(a crash with a duration is restarted after it)",
                      w);
        bad = -1;
    }
    yaml_node_t *from = args.from, *to = args.to, *node = args.node;
    if (args.factor && f->kind != SIM_FAULT_SLOW) {
        sim__ld_error(ld, args.factor, "%s: 'factor' goes with 'slow'", w);
        bad = -1;
    }
    bool on_link = f->kind == SIM_FAULT_LOSS || f->kind == SIM_FAULT_LATENCY;
    if ((from || to) && !on_link) {
        sim__ld_error(ld, from ? from : to, "%s: 'from' and 'to' go with 'loss' or 'latency'", w);
        bad = -1;
    }
    if (node && f->kind != SIM_FAULT_LATENCY) {
        sim__ld_error(ld, node,
                      "%s: 'node' goes with 'latency' (the other actions name their "
                      "node themselves: crash: NODE)",
                      w);
        bad = -1;
    } else if (node && (from || to)) {
        sim__ld_error(ld, node,
                      "%s: a latency fault is on a link (from, to) or on a node, not "
                      "both",
                      w);
        bad = -1;
    }
    if (on_link)
        bad |= sim__ld_action_link(ld, y, w, fault_actions[f->kind], &args, &f->from, &f->to);
    switch (f->kind) {
    case SIM_FAULT_CRASH:
    case SIM_FAULT_RESTART:
    case SIM_FAULT_ADD:
    case SIM_FAULT_REMOVE:
        bad |= sim__ld_ref(ld, action, fault_key(ld, w, fault_actions[f->kind]), &f->node);
        break;
    case SIM_FAULT_SLOW:
        bad |= sim__ld_action_slow(ld, y, action, w, &args, &f->node, &f->value);
        break;
    case SIM_FAULT_LOSS:
        bad |= sim__ld_prob(ld, action, fault_key(ld, w, "loss"), &f->value);
        break;
    case SIM_FAULT_LOSE_DATA:
        bad |= sim__ld_ref(ld, action, fault_key(ld, w, "lose_data"), &f->node);
        break;
    case SIM_FAULT_SCALE: {
        bad |= sim__ld_ref(ld, action, fault_key(ld, w, "scale"), &f->node);
        double n = 0;
        if (!workers) {
            sim__ld_error(ld, y,
                          "%s: 'scale' needs 'workers' (the node's new count of workers, "
                          "e.g. {at: 60s, scale: db, workers: 8})",
                          w);
            bad = -1;
        } else if (sim__ld_number(ld, workers, fault_key(ld, w, "workers"), 1, 1e6, &n)) {
            bad = -1;
        } else if (n != (double)(uint32_t)n) {
            sim__ld_error(ld, workers, "%s: workers: expected a whole number >= 1, got %s", w,
                          sim__ld_scalar(workers));
            bad = -1;
        }
        f->workers = (uint32_t)n;
        if (downtime)
            bad |= sim__ld_duration(ld, downtime, fault_key(ld, w, "downtime"), &f->downtime);
        /* The undo reboots too: begun before the first reboot ends, it would cut it short. */
        if (duration && f->duration != SIM_TIME_NONE && f->downtime > 0 &&
            f->duration <= f->downtime) {
            sim__ld_error(ld, duration,
                          "%s: 'duration' (%s) must be longer than 'downtime' (%s): the scale "
                          "is undone after its reboot is over",
                          w, sim__ld_scalar(duration), sim__ld_scalar(downtime));
            bad = -1;
        }
        break;
    }
    case SIM_FAULT_LATENCY:
        bad |= sim__ld_action_latency(ld, action, w, &f->add);
        if (node && !from && !to)
            bad |= sim__ld_ref(ld, node, fault_key(ld, w, "node"), &f->node);
        break;
    case SIM_FAULT_PARTITION: {
        if (check_sides(ld, action, w))
            return -1;
        f->ngroups = seq_len(action);
        f->groups = sim__ld_alloc(ld, f->ngroups * sizeof *f->groups);
        if (!f->groups)
            return -1;
        for (size_t g = 0; g < f->ngroups; g++)
            bad |= sim__ld_reflist(ld, sim__ld_node(ld, action->data.sequence.items.start[g]),
                                   fault_key(ld, w, "partition"), &f->groups[g]);
        break;
    }
    }
    return bad ? -1 : 0;
}

int sim__ld_fault_targets(sim_loader *ld, const sim_topology *t) {
    int bad = 0;
    for (size_t i = 0; i < t->nfaults; i++) {
        const sim_fault *f = &t->faults[i];
        if ((f->kind != SIM_FAULT_SCALE && f->kind != SIM_FAULT_LOSE_DATA) || !f->node.count)
            continue;
        const sim_kind *k = t->nodes[f->node.first].kind;
        bool can = f->kind == SIM_FAULT_SCALE ? k->resize != NULL : k->lose_data != NULL;
        if (can)
            continue;
        sim__ld_error_at(ld, f->action_line, f->action_col, -1,
                         f->kind == SIM_FAULT_SCALE
                             ? "faults[%zu]: scale: %s is a %s, which has no workers to scale"
                             : "faults[%zu]: lose_data: %s is a %s, which keeps no data on "
                               "disk to lose",
                         i, f->node.name, k->name);
        bad = -1;
    }
    return bad;
}

int sim__ld_faults(sim_loader *ld, yaml_node_t *y, sim_topology *t, const yaml_node_t *run_node) {
    if (!y)
        return 0;
    if (y->type != YAML_SEQUENCE_NODE) {
        sim__ld_error(ld, y, "faults: expected a list of fault actions");
        return -1;
    }
    size_t n = seq_len(y);
    t->faults = sim__ld_alloc(ld, (n ? n : 1) * sizeof *t->faults);
    if (!t->faults)
        return -1;
    t->nfaults = n;
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= load_fault(ld, sim__ld_node(ld, y->data.sequence.items.start[i]), i, t->duration,
                          run_node, &t->faults[i]);
    return bad ? -1 : 0;
}
