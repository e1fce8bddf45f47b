/* The `nemesis:` list (docs/faults.md, "The nemesis"): each rule's form into a
 * sim_nemesis_rule, then, once references are resolved, what needs the instances (a
 * partition needs two, a rule must not draw more than SIM_NEMESIS_MAX_FAULTS). */
#include "loader_int.h"
#include "nemesis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FOR_PAIRS(p, y)                                                                            \
    for (yaml_node_pair_t *p = (y)->data.mapping.pairs.start; p < (y)->data.mapping.pairs.top; p++)

/* In the order of sim_nemesis_kind. */
static const char *const actions[] = {"crash", "partition", "loss", "latency", "slow", NULL};
static const char *const modes[] = {"halves", "isolate", NULL};
static const char *const rule_keys[] = {"crash",  "partition", "loss",  "latency", "slow",
                                        "every",  "duration",  "start", "end",     "mode",
                                        "factor", "from",      "to",    "node",    NULL};

/* "nemesis[2]: key", for messages (arena). */
static const char *rule_key(sim_loader *ld, const char *w, const char *key) {
    const char *s = sim__ld_arena_format(ld, "%s: %s", w, key);
    return s ? s : "nemesis";
}

/* A distribution of durations with a finite mean > 0 (every): one that can stay at 0 would
 * draw faults without end, and the expected count of faults (the loader's limit) is the
 * window over the mean. */
static int positive_dist(sim_loader *ld, yaml_node_t *v, const char *where, sim_dist *d) {
    if (sim__ld_dist(ld, v, where, d))
        return -1;
    double mean = sim_dist_mean(d);
    if (!(mean > 0) || !isfinite(mean)) {
        sim__ld_error(ld, v,
                      "%s: expected a time with a finite mean > 0 (the quiet time between faults)",
                      where);
        return -1;
    }
    return 0;
}

static int load_mode(sim_loader *ld, yaml_node_t *v, const char *w, sim_nemesis_mode *out) {
    const char *s = sim__ld_scalar(v);
    for (int m = 0; s && modes[m]; m++)
        if (strcmp(s, modes[m]) == 0) {
            *out = (sim_nemesis_mode)m;
            return 0;
        }
    if (!s) {
        sim__ld_error(ld, v, "%s: mode: expected halves or isolate", w);
        return -1;
    }
    sim_ld_known kn;
    sim__ld_known_init(&kn, s);
    for (int m = 0; modes[m]; m++)
        sim__ld_known_add(&kn, modes[m]);
    sim__ld_unknown(ld, v, &kn, "modes", "%s: mode: unknown mode '%s'", w, s);
    return -1;
}

/* latency: {add: D}; a mapping without 'add' is told the form (a fault says "needs 'add'"). */
static int load_latency(sim_loader *ld, yaml_node_t *v, const char *w, sim_time *add) {
    if (v->type == YAML_MAPPING_NODE && !sim__ld_get(ld, v, "add", NULL)) {
        sim__ld_error(ld, v, "%s: expected {add: D} (a delay added to every message)",
                      rule_key(ld, w, "latency"));
        return -1;
    }
    return sim__ld_action_latency(ld, v, w, add);
}

/* Says which key goes with which action. */
static int only_with(sim_loader *ld, yaml_node_t *v, const char *w, const char *key, bool ok,
                     const char *which) {
    if (!v || ok)
        return 0;
    sim__ld_error(ld, v, "%s: '%s' goes with %s", w, key, which);
    return -1;
}

static int load_rule(sim_loader *ld, yaml_node_t *y, size_t i, sim_time run, sim_nemesis_rule *r) {
    const char *w = sim__ld_arena_format(ld, "nemesis[%zu]", i);
    if (!w)
        return -1;
    r->line = (int)y->start_mark.line + 1;
    r->col = (int)y->start_mark.column + 1;
    r->end = SIM_TIME_NONE;
    if (y->type != YAML_MAPPING_NODE) {
        sim__ld_error(ld, y,
                      "%s: expected a mapping such as {crash: web, every: {dist: exponential, "
                      "mean: 60s}, duration: 10s}",
                      w);
        return -1;
    }
    int bad = 0, nactions = 0;
    yaml_node_t *action = NULL, *every = NULL, *duration = NULL, *start = NULL, *end = NULL,
                *mode = NULL;
    sim_ld_action_args args = {0};
    FOR_PAIRS(p, y) {
        yaml_node_t *k = sim__ld_node(ld, p->key), *v = sim__ld_node(ld, p->value);
        const char *ks = sim__ld_scalar(k);
        if (!ks)
            continue;
        int a = sim__ld_action_index(actions, ks);
        bool is_action = a >= 0;
        if (is_action)
            r->kind = (sim_nemesis_kind)a;
        yaml_node_t **slot = is_action                     ? &action
                             : strcmp(ks, "every") == 0    ? &every
                             : strcmp(ks, "duration") == 0 ? &duration
                             : strcmp(ks, "start") == 0    ? &start
                             : strcmp(ks, "end") == 0      ? &end
                             : strcmp(ks, "mode") == 0     ? &mode
                                                           : NULL;
        if (slot) {
            *slot = v;
            nactions += is_action;
            continue;
        }
        if (sim__ld_action_arg(&args, ks, v))
            continue;
        sim__ld_unknown_key(ld, k, ks, rule_keys, rule_key(ld, w, "unknown key"));
        bad = -1;
    }
    if (nactions != 1) {
        sim__ld_error(ld, y,
                      "%s: expected exactly one action among crash, partition, loss, latency, "
                      "slow; found %d",
                      w, nactions);
        return -1;
    }
    if (!every) {
        sim__ld_error(ld, y,
                      "%s: missing 'every' (the quiet time before each fault, e.g. "
                      "{dist: exponential, mean: 60s})",
                      w);
        bad = -1;
    } else {
        bad |= positive_dist(ld, every, rule_key(ld, w, "every"), &r->every);
    }
    if (duration) {
        bad |= sim__ld_dist(ld, duration, rule_key(ld, w, "duration"), &r->duration);
    } else if (r->kind != SIM_NEMESIS_CRASH) {
        sim__ld_error(ld, y,
                      "%s: missing 'duration' (how long each %s lasts; only a crash rule may "
                      "leave its faults for something else to repair)",
                      w, actions[r->kind]);
        bad = -1;
    }
    if (start)
        bad |= sim__ld_duration(ld, start, rule_key(ld, w, "start"), &r->start);
    if (end)
        bad |= sim__ld_duration(ld, end, rule_key(ld, w, "end"), &r->end);
    if (!bad && end && run > 0 && r->end > run) {
        sim__ld_error(ld, end, "%s: end: %s is after the end of the run", w, sim__ld_scalar(end));
        bad = -1;
    } else if (!bad && start && run > 0 && r->start > run) {
        sim__ld_error(ld, start, "%s: start: %s is after the end of the run", w,
                      sim__ld_scalar(start));
        bad = -1;
    } else if (!bad && end && r->end < r->start) {
        sim__ld_error(ld, end, "%s: end: before start", w);
        bad = -1;
    }
    yaml_node_t *from = args.from, *to = args.to, *node = args.node;
    bool link = r->kind == SIM_NEMESIS_LOSS || r->kind == SIM_NEMESIS_LATENCY;
    bad |= only_with(ld, mode, w, "mode", r->kind == SIM_NEMESIS_PARTITION, "'partition'");
    bad |= only_with(ld, args.factor, w, "factor", r->kind == SIM_NEMESIS_SLOW, "'slow'");
    bad |= only_with(ld, from ? from : to, w, from ? "from" : "to", link, "'loss' or 'latency'");
    bad |= only_with(ld, node, w, "node", r->kind == SIM_NEMESIS_LATENCY,
                     "'latency' (crash and slow name their node themselves)");
    if (link)
        bad |= sim__ld_action_link(ld, y, w, actions[r->kind], &args, &r->from, &r->to);
    switch (r->kind) {
    case SIM_NEMESIS_CRASH:
        bad |= sim__ld_ref(ld, action, rule_key(ld, w, "crash"), &r->node);
        break;
    case SIM_NEMESIS_SLOW:
        bad |= sim__ld_action_slow(ld, y, action, w, &args, &r->node, &r->value);
        break;
    case SIM_NEMESIS_LOSS:
        bad |= sim__ld_prob(ld, action, rule_key(ld, w, "loss"), &r->value);
        break;
    case SIM_NEMESIS_LATENCY:
        bad |= load_latency(ld, action, w, &r->add);
        if (node && from) {
            sim__ld_error(ld, node,
                          "%s: a latency rule is on a link (from, to) or on a node, "
                          "not both",
                          w);
            bad = -1;
        } else if (node) {
            bad |= sim__ld_ref(ld, node, rule_key(ld, w, "node"), &r->node);
        }
        break;
    case SIM_NEMESIS_PARTITION:
        if (action->type != YAML_SEQUENCE_NODE) {
            sim__ld_error(ld, action,
                          "%s: partition: expected a list of the nodes to cut, e.g. [web, db]", w);
            bad = -1;
            break;
        }
        for (yaml_node_item_t *it = action->data.sequence.items.start;
             it < action->data.sequence.items.top; it++)
            if (sim__ld_node(ld, *it)->type != YAML_SCALAR_NODE) {
                if (sim__ld_error(ld, sim__ld_node(ld, *it),
                                  "%s: partition: expected a flat list of nodes (the nemesis "
                                  "draws the sides)",
                                  w))
                    sim_diag_note(ld->diag, "mode: halves cuts a random half from the rest, "
                                            "isolate one instance from the others");
                return -1;
            }
        bad |= sim__ld_reflist(ld, action, rule_key(ld, w, "partition"), &r->nodes);
        if (mode)
            bad |= load_mode(ld, mode, w, &r->mode);
        break;
    }
    return bad ? -1 : 0;
}

int sim__ld_nemesis(sim_loader *ld, yaml_node_t *y, sim_topology *t) {
    if (!y)
        return 0;
    if (y->type != YAML_SEQUENCE_NODE) {
        sim__ld_error(ld, y,
                      "nemesis: expected a list of rules such as {crash: web, every: "
                      "{dist: exponential, mean: 60s}, duration: 10s}");
        return -1;
    }
    size_t n = (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
    t->nemesis = sim__ld_alloc(ld, (n ? n : 1) * sizeof *t->nemesis);
    if (!t->nemesis)
        return -1;
    t->nnemesis = n;
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= load_rule(ld, sim__ld_node(ld, y->data.sequence.items.start[i]), i, t->duration,
                         &t->nemesis[i]);
    return bad ? -1 : 0;
}

int sim__ld_nemesis_targets(sim_loader *ld, const sim_topology *t) {
    int bad = 0;
    double total = 0;
    for (size_t i = 0; i < t->nnemesis; i++) {
        const sim_nemesis_rule *r = &t->nemesis[i];
        if (r->kind == SIM_NEMESIS_PARTITION) {
            /* the instances, each once (a group and one of its instances overlap) */
            size_t n = 0;
            for (size_t a = 0; a < r->nodes.n; a++)
                for (uint32_t j = 0; j < r->nodes.refs[a].count; j++) {
                    uint32_t id = r->nodes.refs[a].first + j;
                    bool dup = false;
                    for (size_t b = 0; b < a && !dup; b++)
                        dup = id - r->nodes.refs[b].first < r->nodes.refs[b].count;
                    n += !dup;
                }
            if (n < 2) {
                sim__ld_error_at(ld, r->line, r->col, -1,
                                 "nemesis[%zu]: partition: the nodes listed have %zu instance%s: "
                                 "a cut needs two or more",
                                 i, n, n == 1 ? "" : "s");
                bad = -1;
            }
        }
        double e = sim_nemesis_expected(t, r);
        total += e;
        if (e > SIM_NEMESIS_MAX_FAULTS || total > SIM_NEMESIS_MAX_FAULTS) {
            sim__ld_error_at(ld, r->line, r->col, -1,
                             "nemesis[%zu]: would draw about %.3g faults in the run; the "
                             "nemesis draws at most %d in all: make 'every' longer",
                             i, e, SIM_NEMESIS_MAX_FAULTS);
            bad = -1;
        }
    }
    return bad;
}
