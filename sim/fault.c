/* Fault actions of the topology's `faults:` list, applied at their time and undone after
 * their duration: crash and restart call the kind's hooks and bump the node's incarnation;
 * partition, loss and latency change the network; slow scales service times. Each application is
 * logged for the result document. */
#include "engine_int.h"

#include <stdlib.h>

void sim__crash(sim_engine *e, sim_node *n) {
    if (n->crashed)
        return;
    if (!e->down_at && !(e->down_at = calloc(e->nnodes, sizeof *e->down_at)))
        e->failed = true;
    else
        e->down_at[n->id] = e->now;
    n->crashed = true;
    n->epoch++;
    if (n->kind->crash)
        n->kind->crash(n);
}

void sim__restart(sim_engine *e, sim_node *n) {
    (void)e;
    if (!n->crashed)
        return;
    n->crashed = false;
    if (n->kind->restart)
        n->kind->restart(n);
}

/* Marks slow fault f as in force or not. */
static void set_slow_active(sim_engine *e, const sim_fault *f, bool on) {
    e->slow_active[f - e->topo->faults] = on;
}

/* The product of the factors of the slow faults in force on node i: overlapping slow faults
 * compound, and each one's end removes only its own factor. */
static double slow_factor(const sim_engine *e, uint32_t i) {
    double factor = 1;
    for (size_t k = 0; k < e->topo->nfaults; k++) {
        const sim_fault *f = &e->topo->faults[k];
        if (e->slow_active[k] && i - f->node.first < f->node.count)
            factor *= f->value;
    }
    return factor;
}

/* The instance of ref that the next `add` makes join (its first non-member) or `remove` makes
 * leave (its last member), or SIM_NO_NODE when there is none. */
static uint32_t next_to_move(const sim_engine *e, const sim_ref *ref, bool join) {
    for (uint32_t k = 0; k < ref->count; k++) {
        uint32_t i = join ? ref->first + k : ref->first + ref->count - 1 - k;
        if (e->nodes[i].member != join)
            return i;
    }
    return SIM_NO_NODE;
}

/* An add or a remove, or its undo (the same instance moves back: a removed one rejoins, an
 * added one leaves and is stopped, as a scale-out that is rolled back). */
static uint32_t change_membership(sim_engine *e, const sim_fault *f, bool undo) {
    size_t k = (size_t)(f - e->topo->faults);
    bool join = (f->kind == SIM_FAULT_ADD) != undo;
    uint32_t i = undo ? e->acted_on[k] : next_to_move(e, &f->node, join);
    if (!undo)
        e->acted_on[k] = i;
    /* An undo whose instance moved meanwhile (another action removed or re-added it) leaves
     * it where it is. */
    if (i == SIM_NO_NODE || e->nodes[i].member == join)
        return SIM_NO_NODE;
    if (join) {
        sim__join(e, i);
    } else {
        sim__leave(e, i);
        if (f->kind == SIM_FAULT_ADD)
            sim__crash(e, &e->nodes[i]);
    }
    return i;
}

static void log_action(sim_engine *e, const sim_fault *f, sim_fault_phase phase) {
    if (e->nlog == e->caplog) {
        size_t cap = e->caplog ? 2 * e->caplog : 8;
        sim_fault_log *l = realloc(e->log, cap * sizeof *l);
        if (!l) {
            e->failed = true;
            return;
        }
        e->log = l;
        e->caplog = cap;
    }
    e->log[e->nlog++] = (sim_fault_log){e->now, f, phase == SIM_PHASE_END,
                                        phase == SIM_PHASE_READY, SIM_NO_NODE};
}

void sim__faults_schedule(sim_engine *e) {
    for (size_t i = 0; i < e->topo->nfaults; i++) {
        const sim_fault *f = &e->topo->faults[i];
        sim__schedule(e, f->at, SIM_EV_FAULT, 0, SIM_PHASE_START, i);
        if (f->duration != SIM_TIME_NONE)
            sim__schedule(e, f->at + f->duration, SIM_EV_FAULT, 0, SIM_PHASE_END, i);
    }
}

/* A scale (or its end, back to the configured workers): at once, or after a reboot of
 * f->downtime (the node is down meanwhile; SIM_PHASE_READY brings it back). */
static void scale(sim_engine *e, const sim_fault *f, bool undo) {
    uint32_t workers = undo ? 0 : f->workers;
    for (uint32_t i = 0; i < f->node.count; i++) {
        sim_node *n = &e->nodes[f->node.first + i];
        if (f->downtime > 0)
            sim__crash(e, n);
        n->kind->resize(n, workers);
    }
    if (f->downtime > 0)
        sim__schedule(e, e->now + f->downtime, SIM_EV_FAULT, 0, SIM_PHASE_READY,
                      (uint64_t)(f - e->topo->faults));
}

/* The disk of every instance of f->node is lost: each goes down (as in a crash), forgets
 * what it kept on disk, and comes back at once, or at the fault's end when it has a duration
 * (a machine replaced). */
static void lose_data(sim_engine *e, const sim_fault *f) {
    for (uint32_t i = 0; i < f->node.count; i++) {
        sim_node *n = &e->nodes[f->node.first + i];
        bool was_down = n->crashed; /* crashed before, or a spare: it stays down */
        sim__crash(e, n);
        n->kind->lose_data(n);
        if (!was_down && f->duration == SIM_TIME_NONE)
            sim__restart(e, n);
    }
}

/* Restarts the instances of f->node that went down at `since` and are down still: those an
 * action of f took down (a reboot, a lost disk with a duration); one down before it (a crash,
 * a spare) stays down. Told by the time it went down, so an instance that another action took
 * down at that same instant comes back too. */
static void restart_taken_down(sim_engine *e, const sim_fault *f, sim_time since) {
    for (uint32_t i = 0; i < f->node.count; i++) {
        sim_node *n = &e->nodes[f->node.first + i];
        if (n->crashed && e->down_at && e->down_at[n->id] == since)
            sim__restart(e, n);
    }
}

void sim__fault_apply(sim_engine *e, const sim_fault *f, sim_fault_phase phase) {
    log_action(e, f, phase);
    bool undo = phase == SIM_PHASE_END;
    if (phase == SIM_PHASE_READY) { /* a scale's reboot is over */
        restart_taken_down(e, f, e->now - f->downtime);
        return;
    }
    switch (f->kind) {
    case SIM_FAULT_CRASH:
    case SIM_FAULT_RESTART: {
        bool down = (f->kind == SIM_FAULT_CRASH) != undo;
        for (uint32_t i = 0; i < f->node.count; i++) {
            sim_node *n = &e->nodes[f->node.first + i];
            if (down)
                sim__crash(e, n);
            else
                sim__restart(e, n);
        }
        break;
    }
    case SIM_FAULT_PARTITION:
    case SIM_FAULT_LOSS:
    case SIM_FAULT_LATENCY:
        if (undo)
            sim_net_fault_end(&e->net, f);
        else if (sim_net_fault_start(&e->net, f))
            e->failed = true;
        break;
    case SIM_FAULT_SLOW:
        set_slow_active(e, f, !undo);
        for (uint32_t i = 0; i < f->node.count; i++)
            e->nodes[f->node.first + i].slow = slow_factor(e, f->node.first + i);
        break;
    case SIM_FAULT_ADD:
    case SIM_FAULT_REMOVE: {
        uint32_t moved = change_membership(e, f, undo);
        if (e->nlog) /* its line, logged just before */
            e->log[e->nlog - 1].instance = moved;
        break;
    }
    case SIM_FAULT_SCALE:
        scale(e, f, undo);
        break;
    case SIM_FAULT_LOSE_DATA:
        if (undo)
            restart_taken_down(e, f, f->at);
        else
            lose_data(e, f);
        break;
    }
}

static const char *action_name(const sim_fault *f, bool undo, bool ready) {
    if (ready)
        return "scale_ready";
    switch (f->kind) {
    case SIM_FAULT_CRASH:
        return undo ? "restart" : "crash";
    case SIM_FAULT_RESTART:
        return undo ? "crash" : "restart";
    case SIM_FAULT_PARTITION:
        return undo ? "heal" : "partition";
    case SIM_FAULT_LOSS:
        return undo ? "loss_end" : "loss";
    case SIM_FAULT_SLOW:
        return undo ? "slow_end" : "slow";
    case SIM_FAULT_ADD:
        return undo ? "remove" : "add";
    case SIM_FAULT_REMOVE:
        return undo ? "add" : "remove";
    case SIM_FAULT_LATENCY:
        return undo ? "latency_end" : "latency";
    case SIM_FAULT_SCALE:
        return undo ? "scale_end" : "scale";
    case SIM_FAULT_LOSE_DATA:
        return undo ? "restart" : "lose_data";
    }
    return "?";
}

/* Where fault f acts on the network: a partition's sides (each a list of the names as
 * written), a loss's scope ("everywhere", or "link" with its two ends). */
static void report_where(const sim_fault *f, sim_report *w) {
    if (f->kind == SIM_FAULT_PARTITION) {
        sim_report_open_array(w, "sides");
        for (size_t g = 0; g < f->ngroups; g++) {
            sim_report_open_array(w, NULL);
            for (size_t r = 0; r < f->groups[g].n; r++)
                sim_report_string(w, NULL, f->groups[g].refs[r].name);
            sim_report_close(w);
        }
        sim_report_close(w);
    } else if (f->kind == SIM_FAULT_LOSS || f->kind == SIM_FAULT_LATENCY) {
        bool link = f->from.count > 0, node = f->kind == SIM_FAULT_LATENCY && f->node.count > 0;
        sim_report_string(w, "scope", link ? "link" : node ? "node" : "everywhere");
        if (link) {
            sim_report_string(w, "from", f->from.name);
            sim_report_string(w, "to", f->to.name);
        } else if (node) {
            sim_report_string(w, "node", f->node.name);
        }
    }
}

void sim__fault_report(const sim_engine *e, sim_report *w) {
    sim_report_open_array(w, "faults");
    for (size_t i = 0; i < e->nlog; i++) {
        const sim_fault_log *l = &e->log[i];
        const sim_fault *f = l->fault;
        sim_report_open(w, NULL);
        sim_report_number(w, "at_ms", sim_time_ms(l->at));
        sim_report_string(w, "action", action_name(f, l->undo, l->ready));
        if (f->node.count && f->kind != SIM_FAULT_LATENCY)
            sim_report_string(w, "node", f->node.name);
        if (f->kind == SIM_FAULT_ADD || f->kind == SIM_FAULT_REMOVE)
            sim_report_string(w, "instance", l->instance == SIM_NO_NODE
                                                 ? "none"
                                                 : e->nodes[l->instance].topo->name);
        if (f->kind == SIM_FAULT_LOSS && !l->undo)
            sim_report_number(w, "probability", f->value);
        if (f->kind == SIM_FAULT_SLOW && !l->undo)
            sim_report_number(w, "factor", f->value);
        if (f->kind == SIM_FAULT_LATENCY && !l->undo)
            sim_report_number(w, "add_ms", sim_time_ms(f->add));
        if (f->kind == SIM_FAULT_SCALE && !l->undo && !l->ready)
            sim_report_number(w, "workers", f->workers);
        if (f->kind == SIM_FAULT_SCALE && !l->ready && f->downtime > 0)
            sim_report_number(w, "downtime_ms", sim_time_ms(f->downtime));
        if (f->drawn)
            sim_report_bool(w, "nemesis", true);
        report_where(f, w);
        /* When the action is to be undone: it may lie beyond the run's end (then never). */
        if (!l->undo && !l->ready && f->duration != SIM_TIME_NONE)
            sim_report_number(w, "until_ms", sim_time_ms(f->at + f->duration));
        sim_report_close(w);
    }
    sim_report_close(w);
}
