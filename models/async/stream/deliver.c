/* Deliveries, acks and commits. A member holds credit (its prefetch, restored at each
 * welcome); the stream delivers the next offset of its partitions, round robin among them,
 * while it has credit, and each ack of the current generation returns one. So a partition's
 * messages leave in offset order, and with one worker they are processed in it. Acks and
 * commits of an earlier generation return nothing: the welcome reset the credit. A commit
 * counts only from the partition's owner in the generation it was assigned in (during a
 * rebalance pause the previous owner may still commit what it processed, as Kafka's
 * coordinator takes the revoked member's last commit), and never moves the offset back. */
#include "stream_int.h"

/* Sends the message at offset off of partition p to member m of g. */
static void deliver_one(sim_node *n, st_group *g, st_member *m, uint32_t p, uint64_t off) {
    st_state *s = sim_state(n);
    st_gpart *gp = &g->parts[p];
    const st_record *r = st_log_at(&s->logs[p], off);
    bool again = off < gp->high;
    dl_deliver d = {.msg = r->msg,
                    .group = g->id,
                    .partition = p,
                    .offset = off,
                    .key = r->key,
                    .published = r->appended,
                    .tag = again ? 2 : 1,
                    .generation = g->generation};
    if (sim_is_measured(n, r->appended)) {
        g->delivered++;
        g->redelivered += again;
    }
    if (!again)
        gp->high = off + 1;
    gp->position = off + 1;
    m->credit--;
    dl_send(n, m->node, &dl_deliver_msg, &d);
}

/* Member m is the i-th of the m members the partitions were assigned over (the members do
 * not change within a generation without a pause), so its partitions are i, i + m, ...;
 * m->cursor is the place among them to look at first. */
void st_deliver_member(sim_node *n, st_group *g, st_member *m) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    uint32_t parts = (uint32_t)c->partitions, count = g->nmembers;
    uint32_t idx = (uint32_t)(m - g->members);
    uint32_t own = idx < parts ? (parts - idx + count - 1) / count : 0;
    while (!g->paused && m->credit > 0 && m->generation == g->generation) {
        bool sent = false;
        for (uint32_t k = 0; k < own; k++) {
            uint32_t j = (m->cursor + k) % own, p = idx + j * count;
            st_gpart *gp = &g->parts[p];
            if (gp->owner != m->node || gp->owner_gen != g->generation ||
                gp->position >= st_log_end(&s->logs[p]))
                continue;
            deliver_one(n, g, m, p, gp->position);
            m->cursor = (j + 1) % own;
            sent = true;
            break;
        }
        if (!sent)
            return;
    }
}

void st_deliver_partition(sim_node *n, uint32_t p) {
    st_state *s = sim_state(n);
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        st_group *g = &s->groups[gi];
        if (g->paused || g->parts[p].owner == ST_NONE)
            continue;
        st_member *m = st_member_find(g, g->parts[p].owner);
        if (m)
            st_deliver_member(n, g, m);
    }
}

/* The group and member of instance from, or NULL. */
static st_member *member_of(sim_node *n, uint32_t from, st_group **gout) {
    st_state *s = sim_state(n);
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        st_member *m = st_member_find(&s->groups[gi], from);
        if (m) {
            *gout = &s->groups[gi];
            return m;
        }
    }
    return NULL;
}

void st_ack(sim_node *n, uint32_t from, const dl_ack *a) {
    st_group *g;
    st_member *m = member_of(n, from, &g);
    if (!m || a->generation != g->generation || m->generation != g->generation)
        return;
    if (m->credit < m->sub_credit)
        m->credit++;
    st_deliver_member(n, g, m);
}

void st_commit(sim_node *n, uint32_t from, const dl_commit *cm) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    st_group *g;
    st_member *m = member_of(n, from, &g);
    if (!m || cm->partition >= (uint32_t)c->partitions)
        return;
    st_gpart *gp = &g->parts[cm->partition];
    const st_log *l = &s->logs[cm->partition];
    if (gp->owner != from || gp->owner_gen != cm->generation)
        return; /* a zombie's, or one of a generation since rebalanced */
    uint64_t to = cm->offset < st_log_end(l) ? cm->offset : st_log_end(l);
    if (to <= gp->committed)
        return;
    uint64_t before = st_part_lag(l, gp);
    sim_time now = sim_now(n);
    for (uint64_t off = gp->committed > l->start ? gp->committed : l->start; off < to; off++) {
        const st_record *r = st_log_at(l, off);
        if (!sim_is_measured(n, r->appended))
            continue;
        g->committed++;
        if (sim_hist_record(&g->commit_delay, now - r->appended))
            sim_out_of_memory(n);
    }
    gp->committed = to;
    st_lag_add(n, g, (int64_t)st_part_lag(l, gp) - (int64_t)before);
}
