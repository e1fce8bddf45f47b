/* Consumer groups, as a Kafka group coordinator keeps them: a group per consumer node (every
 * instance of one node name), its members the instances subscribed and heartbeating. A
 * member silent for session_timeout is dead. Any change (a join, a rejoin after a restart, a
 * death) starts a rebalance: the generation goes up, the members that hold partitions are
 * told to give them up (revoke: they commit what they processed), and nothing is delivered
 * for rebalance_pause (a change during the pause starts it again). Then partition p goes to
 * member p mod m of the m members sorted by instance id (members beyond the partitions stay
 * idle: "#consumers <= #partitions"), every member is welcomed into the new generation with
 * its subscription's credit, and each partition is delivered from its committed offset, so
 * what a member processed and did not commit is delivered again. Membership is volatile: a
 * stream crash forgets it (the log and the committed offsets survive). */
#include "stream_int.h"

#include <stdlib.h>
#include <string.h>

void st_lag_add(sim_node *n, st_group *g, int64_t delta) {
    if (!delta)
        return;
    st_state *s = sim_state(n);
    sim_time now = sim_now(n);
    g->lag = (uint64_t)((int64_t)g->lag + delta);
    sim_tavg_set(&g->lag_avg, now, (double)g->lag);
    if (g->lag > g->lag_max && sim_is_measured(n, now))
        g->lag_max = g->lag;
    s->lag = (uint64_t)((int64_t)s->lag + delta);
    sim_tavg_set(&s->lag_avg, now, (double)s->lag);
}

/* The length of node name's group part: instance names are NAME or NAME.INDEX, and node
 * names hold no dot (the loader's rule). */
static size_t group_len(const char *name) {
    const char *dot = strchr(name, '.');
    return dot ? (size_t)(dot - name) : strlen(name);
}

/* The group named like instance node's group, or NULL when none is open. */
static st_group *find_group(sim_node *n, uint32_t node, uint32_t *index) {
    st_state *s = sim_state(n);
    const char *name = sim_node_name_of(n, node);
    size_t len = group_len(name);
    for (uint32_t g = 0; g < s->ngroups; g++)
        if (strlen(s->groups[g].name) == len && strncmp(s->groups[g].name, name, len) == 0) {
            if (index)
                *index = g;
            return &s->groups[g];
        }
    return NULL;
}

st_group *st_group_of(sim_node *n, uint32_t node) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    st_group *found = find_group(n, node, NULL);
    if (found)
        return found;
    if (s->ngroups == s->capgroups) {
        uint32_t cap = s->capgroups ? s->capgroups * 2 : 4;
        st_group *grown = realloc(s->groups, (size_t)cap * sizeof *grown);
        if (!grown)
            return NULL;
        s->groups = grown;
        s->capgroups = cap;
    }
    const char *iname = sim_node_name_of(n, node);
    st_group g = {.name = strndup(iname, group_len(iname)),
                  .parts = calloc((size_t)c->partitions, sizeof(st_gpart))};
    if (!g.name || !g.parts ||
        delivery_group_open(delivery_of(n), sim_node_id(n), DELIVERY_STREAM, g.name, true, &g.id)) {
        free(g.name);
        free(g.parts);
        return NULL;
    }
    for (uint32_t p = 0; p < c->partitions; p++)
        g.parts[p].owner = ST_NONE;
    /* What retention deleted before the group existed is lost to it as well: every message
     * of this stream up to the last one deleted (ids of other brokers are ignored). */
    for (uint64_t msg = 1; msg <= s->last_expired; msg++)
        if (delivery_decided(delivery_of(n), g.id, msg, DELIVERY_EXPIRED)) {
            free(g.name);
            free(g.parts);
            return NULL;
        }
    sim_tavg_init(&g.lag_avg, sim_warmup_end(n));
    sim_hist_init(&g.commit_delay);
    st_group *ng = &s->groups[s->ngroups++];
    *ng = g;
    /* It reads the whole log: everything held is its lag. */
    int64_t lag = 0;
    for (uint32_t p = 0; p < c->partitions; p++)
        lag += (int64_t)st_part_lag(&s->logs[p], &ng->parts[p]);
    st_lag_add(n, ng, lag);
    return ng;
}

st_member *st_member_find(st_group *g, uint32_t node) {
    for (uint32_t i = 0; i < g->nmembers; i++)
        if (g->members[i].node == node)
            return &g->members[i];
    return NULL;
}

/* The session timer at the earliest moment a member may have timed out. */
static void arm_sessions(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    sim_cancel_timer(n, &s->session);
    sim_time first = SIM_TIME_MAX;
    for (uint32_t g = 0; g < s->ngroups; g++)
        for (uint32_t i = 0; i < s->groups[g].nmembers; i++)
            if (s->groups[g].members[i].seen < first)
                first = s->groups[g].members[i].seen;
    if (first == SIM_TIME_MAX)
        return;
    sim_time due = first + c->session_timeout;
    s->session = sim_set_timer(n, due > sim_now(n) ? due - sim_now(n) : 0, T_SESSION, 0);
}

/* A change of g's membership: a new generation, the holders told to give up their
 * partitions, and the pause (re)started. */
static void rebalance(sim_node *n, st_group *g) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    g->generation++;
    if (sim_is_measured(n, sim_now(n)))
        g->rebalances++;
    for (uint32_t i = 0; i < g->nmembers; i++) {
        st_member *m = &g->members[i];
        if (m->generation) {
            dl_revoke rv = {.generation = g->generation};
            dl_send(n, m->node, &dl_revoke_msg, &rv);
        }
        m->credit = 0;
    }
    g->paused = true;
    sim_cancel_timer(n, &g->pause);
    g->pause = sim_set_timer(n, c->rebalance_pause, T_PAUSE, (uint64_t)(g - s->groups));
}

void st_subscribe(sim_node *n, uint32_t node, uint32_t credit) {
    st_state *s = sim_state(n);
    st_group *g = st_group_of(n, node);
    if (!g) {
        sim_out_of_memory(n);
        return;
    }
    st_member *m = st_member_find(g, node);
    if (!m) {
        if (g->nmembers == g->capmembers) {
            uint32_t cap = g->capmembers ? g->capmembers * 2 : 4;
            st_member *grown = realloc(g->members, (size_t)cap * sizeof *grown);
            if (!grown) {
                sim_out_of_memory(n);
                return;
            }
            g->members = grown;
            g->capmembers = cap;
        }
        uint32_t at = g->nmembers;
        while (at > 0 && g->members[at - 1].node > node)
            at--;
        memmove(g->members + at + 1, g->members + at,
                (size_t)(g->nmembers - at) * sizeof *g->members);
        g->nmembers++;
        m = &g->members[at];
    }
    /* A rejoin (the instance restarted) forgets what it was: it is welcomed afresh. */
    *m = (st_member){.node = node, .seen = sim_now(n), .sub_credit = credit};
    rebalance(n, g);
    if (!sim_timer_pending(n, &s->session))
        arm_sessions(n);
}

void st_heartbeat(sim_node *n, uint32_t node) {
    st_group *g = find_group(n, node, NULL);
    st_member *m = g ? st_member_find(g, node) : NULL;
    if (m) {
        m->seen = sim_now(n);
        return;
    }
    dl_kick k = {.reason = DL_KICK_UNKNOWN};
    dl_send(n, node, &dl_kick_msg, &k);
}

void st_sessions_check(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    sim_time now = sim_now(n);
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        st_group *g = &s->groups[gi];
        uint32_t kept = 0;
        for (uint32_t i = 0; i < g->nmembers; i++)
            if (g->members[i].seen + c->session_timeout > now)
                g->members[kept++] = g->members[i];
        if (kept == g->nmembers)
            continue;
        g->nmembers = kept;
        rebalance(n, g);
    }
    arm_sessions(n);
}

void st_pause_over(sim_node *n, uint32_t gi) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    st_group *g = &s->groups[gi];
    g->paused = false;
    for (uint32_t p = 0; p < c->partitions; p++) {
        st_gpart *gp = &g->parts[p];
        const st_log *l = &s->logs[p];
        gp->owner = g->nmembers ? g->members[p % g->nmembers].node : ST_NONE;
        gp->owner_gen = g->generation;
        gp->position = gp->committed > l->start ? gp->committed : l->start;
    }
    for (uint32_t i = 0; i < g->nmembers; i++) {
        st_member *m = &g->members[i];
        m->generation = g->generation;
        m->credit = m->sub_credit;
        m->cursor = 0;
        dl_welcome w = {.flags = DL_WANTS_COMMITS, .generation = g->generation};
        dl_send(n, m->node, &dl_welcome_msg, &w);
    }
    for (uint32_t i = 0; i < g->nmembers; i++)
        st_deliver_member(n, g, &g->members[i]);
}

void st_groups_free(st_state *s) {
    for (uint32_t g = 0; g < s->ngroups; g++) {
        free(s->groups[g].name);
        free(s->groups[g].parts);
        free(s->groups[g].members);
        sim_hist_free(&s->groups[g].commit_delay);
    }
    free(s->groups);
    s->groups = NULL;
    s->ngroups = s->capgroups = 0;
}
