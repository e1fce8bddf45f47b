/* The stream's partitions: where a message goes (placement), the logs that hold them as
 * arrays of compact records, and retention, which deletes from the front. A log never loses a
 * record in a crash (a stream is durable); only retention shortens it. */
#include "stream_int.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64's finalizer (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): a fixed 64-bit mix, so that keys 0, 1, 2, ... spread over the
 * partitions and a key's partition does not depend on the run. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t st_place(st_state *s, const st_config *c, uint64_t key, bool keyed) {
    uint32_t parts = (uint32_t)c->partitions;
    if (keyed && c->placement == ST_HASH)
        return (uint32_t)(mix64(key) % parts);
    uint32_t p = s->rr;
    s->rr = (s->rr + 1) % parts;
    return p;
}

int st_log_append(st_log *l, const st_record *r) {
    if (l->head > 0 && l->head >= l->n / 2 && l->n == l->cap) { /* reuse the dead front */
        memmove(l->records, l->records + l->head, (size_t)(l->n - l->head) * sizeof *l->records);
        l->n -= l->head;
        l->head = 0;
    }
    if (l->n == l->cap) {
        if (l->cap >= UINT32_MAX / 2)
            return -1;
        uint32_t cap = l->cap ? l->cap * 2 : 64;
        st_record *grown = realloc(l->records, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        l->records = grown;
        l->cap = cap;
    }
    l->records[l->n++] = *r;
    return 0;
}

/* The expiry of log l's oldest record, or -1 when it is empty. */
static sim_time oldest_expiry(const st_log *l, sim_time retention) {
    if (l->head == l->n)
        return -1;
    sim_time t = l->records[l->head].appended;
    return t > SIM_TIME_MAX - retention ? SIM_TIME_MAX : t + retention;
}

int st_order_push(st_state *s, uint32_t p) {
    if (s->ohead > 0 && s->ohead >= s->on / 2 && s->on == s->ocap) { /* reuse the dead front */
        memmove(s->order, s->order + s->ohead, (size_t)(s->on - s->ohead) * sizeof *s->order);
        s->on -= s->ohead;
        s->ohead = 0;
    }
    if (s->on == s->ocap) {
        if (s->ocap >= UINT32_MAX / 2)
            return -1;
        uint32_t cap = s->ocap ? s->ocap * 2 : 64;
        uint16_t *grown = realloc(s->order, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        s->order = grown;
        s->ocap = cap;
    }
    s->order[s->on++] = (uint16_t)p;
    return 0;
}

/* The partition of the oldest message held, or ST_NONE when the log is empty: retention
 * deletes by append time, so the oldest is the head of the append order. */
static uint32_t oldest_partition(const st_state *s) {
    return s->ohead < s->on ? s->order[s->ohead] : ST_NONE;
}

void st_retention_arm(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    sim_cancel_timer(n, &s->retention);
    uint32_t p = c->retention >= 0 ? oldest_partition(s) : ST_NONE;
    if (p == ST_NONE)
        return;
    sim_time next = oldest_expiry(&s->logs[p], c->retention);
    s->retention = sim_set_timer(n, next > sim_now(n) ? next - sim_now(n) : 0, T_RETENTION, 0);
}

/* Deletion by retention, oldest first: every group loses what it had not processed of these
 * records (the checker's rule: a processing prevails), a group's lag drops by each record
 * it had not committed, and its position skips to the new log start, as Kafka's consumer
 * resets to the earliest offset still held. */
void st_retention_run(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    delivery_checker *dc = delivery_of(n);
    sim_time now = sim_now(n);
    for (uint32_t p; (p = oldest_partition(s)) != ST_NONE;) {
        st_log *l = &s->logs[p];
        if (oldest_expiry(l, c->retention) > now)
            break;
        st_record *r = &l->records[l->head];
        if (delivery_decided_all(dc, r->msg, DELIVERY_EXPIRED))
            sim_out_of_memory(n);
        if (sim_is_measured(n, r->appended))
            s->expired++;
        if (r->msg > s->last_expired)
            s->last_expired = r->msg;
        uint64_t off = l->start;
        l->head++;
        l->start++;
        s->ohead++;
        for (uint32_t g = 0; g < s->ngroups; g++) {
            st_gpart *gp = &s->groups[g].parts[p];
            if (gp->position < l->start)
                gp->position = l->start;
            if (gp->committed <= off) /* it was still in the group's lag */
                st_lag_add(n, &s->groups[g], -1);
        }
    }
    st_retention_arm(n);
}

void st_logs_free(st_state *s, const st_config *c) {
    for (uint32_t p = 0; s->logs && p < c->partitions; p++)
        free(s->logs[p].records);
    free(s->logs);
    s->logs = NULL;
    free(s->order);
    s->order = NULL;
}
