/* The connection pool of one instance: `workers` connections in front of a FIFO waiting room
 * (blocks/station.h, as `service`). A read is served when its service time ends; a write
 * then commits on the primary (primary.c) and, under sync or semi_sync replication, keeps its
 * connection until the replicas' acks release it. */
#include "database_int.h"

#include <stdlib.h>

static uint64_t job_token(uint32_t job, uint32_t w) { return (uint64_t)job << 32 | w; }

/* Worker w begins serving r: the service time, and for a write the fsync, are drawn in that
 * order from the instance's stream. */
static void start(sim_node *n, uint32_t w, rr_req *r) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (r->txn) {
        db__txn_start(n, w, r); /* its connection for its whole life: txn_session.c */
        return;
    }
    uint32_t job = station_begin(&s->st, n, w, r);
    s->lsn[w] = 0;
    double t = sim_dist_sample(&c->service.by[r->op], sim_rng(n));
    if (r->op == RR_WRITE)
        t += sim_dist_sample(&c->fsync, sim_rng(n));
    sim_set_timer(n, sim_slowed(n, t), T_DONE, job_token(job, w));
}

void db__finish_worker(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    s->lsn[w] = 0;
    rr_req *r = station_end(&s->st, n, w);
    rr_reply_sized(n, r, ((const db_config *)sim_config(n))->reply_bytes.by[r->op]);
    rr_req *next = station_next(&s->st, n, w);
    if (next)
        start(n, w, next);
}

/* The worker's read cannot be answered here any more (the instance is resynchronising): the
 * worker lets go of it, unanswered and not counted as completed or failed, and the read goes
 * on to the primary as one last forward. */
static void hand_off(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    s->lsn[w] = 0;
    rr_req *r = station_hand_off(&s->st, n, w);
    db__forward_last(n, r, s->primary);
    rr_req *next = station_next(&s->st, n, w);
    if (next)
        start(n, w, next);
}

void db__enqueue(sim_node *n, rr_req *r) {
    db_state *s = sim_state(n);
    uint32_t w = station_arrive(&s->st, n, r);
    if (w != STATION_QUEUED && w != STATION_REJECTED)
        start(n, w, r);
}

void db__service_done(sim_node *n, uint32_t w, uint32_t job) {
    db_state *s = sim_state(n);
    if (!station_is_current(&s->st, w, job) || s->lsn[w])
        return;
    rr_req *r = s->st.held[w];
    if (r->op == RR_WRITE) {
        if (s->role == ROLE_PRIMARY) {
            db__commit(n, w);
            return;
        }
        r->status = RR_FAILED; /* stepped down during service */
    } else if (s->role == ROLE_REPLICA && !s->synced) {
        /* The instance began following a new primary while the read waited or ran: its
         * store was emptied and is being refilled from a snapshot, so it cannot answer.
         * The rule "a resynchronising replica forwards reads to the primary" holds when
         * the read is served, not only when it arrives. */
        hand_off(n, w);
        return;
    } else {
        kv_serve(&r->kv, sim_node_id(n), db__store_of(n), db__version_of(s, r->kv.key));
        r->status = RR_OK;
        if (db__counts(n, r))
            s->reads++;
    }
    db__finish_worker(n, w);
}

void db__drop_all(sim_node *n) {
    db_state *s = sim_state(n);
    station_clear(&s->st, n);
    db__txn_clear(n);
    for (uint32_t w = 0; w < s->st.cap; w++)
        s->lsn[w] = 0;
    s->npend = s->pend_head = 0;
}

/* Vertical scaling (kind.h): the pool's count of connections changes. When the station grows
 * its slots, the per-worker positions grow with it and the ring of workers waiting for acks
 * is laid out again from its head (its size is the slot count). New connections start on
 * waiting requests at once. */
void db__resize(sim_node *n, uint32_t workers) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    uint32_t old_cap = s->st.cap;
    if (!s->lsn || !s->pend ||
        station_resize(&s->st, n, workers ? workers : (uint32_t)c->workers)) {
        sim_out_of_memory(n);
        return;
    }
    if (s->st.cap > old_cap) {
        uint64_t *lsn = realloc(s->lsn, s->st.cap * sizeof *lsn);
        if (lsn) {
            s->lsn = lsn;
            for (uint32_t w = old_cap; w < s->st.cap; w++)
                lsn[w] = 0;
        }
        uint32_t *pend = malloc(s->st.cap * sizeof *pend);
        if (!lsn || !pend) {
            free(pend);
            sim_out_of_memory(n);
            return;
        }
        for (uint32_t i = 0; i < s->npend; i++)
            pend[i] = s->pend[(s->pend_head + i) % old_cap];
        free(s->pend);
        s->pend = pend;
        s->pend_head = 0;
        if (db__txn_resize(n, s->st.cap)) {
            sim_out_of_memory(n);
            return;
        }
    }
    uint32_t w;
    for (rr_req *r; (r = station_dispatch(&s->st, n, &w));)
        start(n, w, r);
}
