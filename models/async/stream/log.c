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

void st_retention_arm(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    sim_cancel_timer(n, &s->retention);
    if (c->retention < 0)
        return;
    sim_time next = -1;
    for (uint32_t p = 0; p < c->partitions; p++) {
        sim_time t = oldest_expiry(&s->logs[p], c->retention);
        if (t >= 0 && (next < 0 || t < next))
            next = t;
    }
    if (next >= 0)
        s->retention = sim_set_timer(n, next > sim_now(n) ? next - sim_now(n) : 0, T_RETENTION, 0);
}

/* Deletion by retention: every group loses what it had not processed of these records
 * (the checker's rule: a processing prevails), the lags drop by what was still uncommitted,
 * and a group's position skips to the new log start, as Kafka's consumer resets to the
 * earliest offset still held. */
void st_retention_run(sim_node *n) {
    st_state *s = sim_state(n);
    const st_config *c = sim_config(n);
    delivery_checker *dc = delivery_of(n);
    sim_time now = sim_now(n);
    for (uint32_t p = 0; p < c->partitions; p++) {
        st_log *l = &s->logs[p];
        uint64_t old_start = l->start;
        while (l->head < l->n && oldest_expiry(l, c->retention) <= now) {
            st_record *r = &l->records[l->head];
            if (delivery_decided_all(dc, r->msg, DELIVERY_EXPIRED))
                sim_out_of_memory(n);
            if (sim_is_measured(n, r->appended))
                s->expired++;
            if (r->msg > s->last_expired)
                s->last_expired = r->msg;
            l->head++;
            l->start++;
        }
        if (l->start == old_start)
            continue;
        for (uint32_t g = 0; g < s->ngroups; g++) {
            st_gpart *gp = &s->groups[g].parts[p];
            uint64_t after = st_part_lag(l, gp);
            uint64_t from = gp->committed > old_start ? gp->committed : old_start;
            uint64_t before = st_log_end(l) > from ? st_log_end(l) - from : 0;
            if (gp->position < l->start)
                gp->position = l->start;
            st_lag_add(n, &s->groups[g], (int64_t)after - (int64_t)before);
        }
    }
    st_retention_arm(n);
}

void st_logs_free(st_state *s, const st_config *c) {
    for (uint32_t p = 0; s->logs && p < c->partitions; p++)
        free(s->logs[p].records);
    free(s->logs);
    s->logs = NULL;
}
