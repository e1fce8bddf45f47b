/* The request path: where a read or a write that reaches an instance is served. Writes run
 * on the primary; reads where `read_from` allows; a request that cannot be served here goes
 * on to the instance that can (no worker is used for forwarding; the reply goes straight to
 * the caller). Views can disagree during a failover, so a request is forwarded at most
 * MAX_FORWARDS times, then it fails.
 *
 * How often a request was forwarded rides with it, in a payload of its own after the
 * request (protocols/request.h): the first forward moves the request into a message with
 * room for it. The count is read only from a message one of the cluster's instances sent, so
 * a request from outside (a client's retry of one that came back) starts again from 0. A
 * transaction keeps the count in its own body (txn_body.forwards). */
#include "database_int.h"

#include "txn_wire.h"

#include <gsl/gsl_rng.h>

typedef struct db_forwarded {
    uint32_t forwards; /* times the cluster's instances forwarded the request so far */
} db_forwarded;

/* The count r carries, when it has room for one. */
static db_forwarded *forwarded_of(rr_req *r) {
    return sim_msg_of(r)->body_bytes == sizeof(rr_req) + sizeof(db_forwarded)
               ? rr_payload(r, sizeof(db_forwarded))
               : NULL;
}

/* How often r was forwarded before it reached n. */
static uint32_t forwards_of(const sim_node *n, rr_req *r) {
    const db_state *s = sim_state_const(n);
    uint32_t from = sim_msg_of(r)->src - db__node_of(n, 0);
    if (r->txn) /* a transaction keeps its count in its own body (protocols/txn_wire.h) */
        return from < s->count ? txn_of(r)->forwards : 0;
    const db_forwarded *f = forwarded_of(r);
    return from < s->count && f ? f->forwards : 0;
}

/* r with `forwards` in its payload: r itself when it has room, else a copy that has (r's
 * message is freed). */
static rr_req *with_forwards(sim_node *n, rr_req *r, uint32_t forwards) {
    if (r->txn) {
        txn_of(r)->forwards = (uint8_t)forwards;
        return r;
    }
    db_forwarded *f = forwarded_of(r);
    if (!f) {
        const sim_msg *old = sim_msg_of(r);
        sim_msg *m = sim_msg_new_sized(n, old->type, sizeof(rr_req) + sizeof *f);
        rr_req *copy = rr_of(m);
        *copy = *r;
        copy->next = NULL;
        m->size = old->size;
        rr_free(n, r);
        r = copy;
        f = forwarded_of(r);
    }
    f->forwards = forwards;
    return r;
}

/* Sends r, forwarded `forwards` times so far, on to instance `to`, or fails it when it has
 * been forwarded MAX_FORWARDS times. */
static void forward(sim_node *n, rr_req *r, uint32_t to, uint32_t forwards) {
    db_state *s = sim_state(n);
    if (forwards >= MAX_FORWARDS) {
        if (db__counts(n, r))
            s->unroutable++;
        r->status = RR_FAILED;
        rr_reply(n, r);
    } else {
        if (db__counts(n, r))
            s->forwarded++;
        rr_send(n, db__node_of(n, to), with_forwards(n, r, forwards + 1));
    }
}

void db__forward_last(sim_node *n, rr_req *r, uint32_t to) { forward(n, r, to, MAX_FORWARDS - 1); }

/* The primary under read_from: replicas sends a read on to a live replica picked at random
 * (returned), or serves it itself when none is live (SIM_NO_NODE). */
static uint32_t pick_live_replica(sim_node *n) {
    const db_state *s = sim_state(n);
    uint32_t live = 0;
    for (uint32_t i = 0; i < s->count; i++)
        live += i != s->me && db__is_live(n, s, i);
    if (!live)
        return SIM_NO_NODE;
    uint32_t k = (uint32_t)gsl_rng_uniform_int(sim_rng(n), live);
    for (uint32_t i = 0; i < s->count; i++)
        if (i != s->me && db__is_live(n, s, i) && k-- == 0)
            return i;
    return SIM_NO_NODE;
}

void db__serve_request(sim_node *n, rr_req *r) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    uint32_t forwards = forwards_of(n, r);
    r->arrived = sim_now(n);
    if (db__counts(n, r))
        s->arrivals++;
    bool local;
    uint32_t to = s->primary;
    if (s->role == ROLE_JOINING) {
        local = false;
        forwards = MAX_FORWARDS; /* it does not know who leads: the request fails */
    } else if (r->op == RR_WRITE) {
        local = s->role == ROLE_PRIMARY;
    } else if (s->role == ROLE_PRIMARY) {
        local = true;
        if (c->read_from == READ_REPLICAS && forwards == 0) {
            uint32_t i = pick_live_replica(n);
            if (i != SIM_NO_NODE) {
                to = i;
                local = false;
            }
        }
    } else {
        /* A replica still resynchronising sends reads on to the primary, which serves any
         * forwarded read itself. */
        local = s->synced && (forwards > 0 || c->read_from != READ_PRIMARY);
    }
    if (local)
        db__enqueue(n, r);
    else
        forward(n, r, to, forwards);
}
