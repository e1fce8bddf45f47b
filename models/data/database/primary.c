/* The primary: commits writes, keeps the log of its epoch, ships each entry to every replica
 * after its replication delay, and acknowledges writes as the replication mode says once the
 * replicas' positions reach them. A promotion makes an instance the primary of a new epoch. */
#include "database_int.h"

#include <stdlib.h>

bool db__is_live(const sim_node *n, const db_state *s, uint32_t i) {
    const db_config *c = sim_config(n);
    return sim_now(n) - s->peers[i].last_heard < c->failover_after;
}

void db__release_pending(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (!s->npend)
        return;
    uint64_t thr = 0, lo = UINT64_MAX, hi = 0;
    bool any_live = false;
    for (uint32_t i = 0; i < s->count; i++) {
        if (i == s->me)
            continue;
        if (s->peers[i].acked > hi)
            hi = s->peers[i].acked;
        if (db__is_live(n, s, i)) {
            any_live = true;
            if (s->peers[i].acked < lo)
                lo = s->peers[i].acked;
        }
    }
    /* With no live replica, sync and semi_sync acknowledge at commit (they degrade to
     * async, like MySQL's semi-sync timeout). */
    if (!any_live)
        thr = UINT64_MAX;
    else
        thr = c->replication == REPL_SYNC ? lo : hi;
    while (s->npend) {
        uint32_t w = s->pend[s->pend_head];
        if (s->lsn[w] > thr)
            break;
        s->pend_head = (s->pend_head + 1) % s->st.cap;
        s->npend--;
        db__finish_worker(n, w);
    }
}

void db__fail_pending(sim_node *n) {
    db_state *s = sim_state(n);
    while (s->npend) {
        uint32_t w = s->pend[s->pend_head];
        s->pend_head = (s->pend_head + 1) % s->st.cap;
        s->npend--;
        s->st.held[w]->status = RR_FAILED;
        s->st.held[w]->kv.served = false;
        db__finish_worker(n, w);
    }
}

uint64_t db__append(sim_node *n, const log_entry *e) {
    db_state *s = sim_state(n);
    if (s->nlog == s->caplog) {
        uint64_t cap = s->caplog ? 2 * s->caplog : 64;
        log_entry *log = realloc(s->log, cap * sizeof *log);
        if (!log) {
            sim_out_of_memory(n);
            return 0;
        }
        s->log = log;
        s->caplog = cap;
    }
    s->log[s->nlog++] = *e;
    return s->nlog;
}

void db__schedule_shipment(sim_node *n, uint64_t pos, uint32_t i, uint32_t count) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_time delay = db__draw(n, &c->replication_delay);
    uint32_t slot = slot_table_take(&s->ships);
    if (slot == SLOT_NONE) {
        sim_out_of_memory(n);
        return;
    }
    shipment *sh = slot_table_at(&s->ships, slot);
    sh->position = pos;
    sh->to = i;
    sh->n = count;
    sh->timer = sim_set_timer(n, delay, T_SHIP, slot);
}

void db__commit(sim_node *n, uint32_t w) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    rr_req *r = s->st.held[w];
    uint64_t v = db__commit_version(n, r->kv.key);
    db__oracle_commit(n, r->kv.key);
    uint64_t pos = db__append(n, &(log_entry){.key = r->kv.key, .version = v, .at = sim_now(n)});
    if (!pos)
        return;
    for (uint32_t i = 0; i < s->count; i++)
        if (i != s->me)
            db__schedule_shipment(n, pos, i, 1);
    if (db__counts(n, r))
        s->writes++;
    kv_serve(&r->kv, sim_node_id(n), db__store_of(n), v);
    r->status = RR_OK;
    if (c->replication == REPL_ASYNC || s->count == 1) {
        db__finish_worker(n, w);
        return;
    }
    db__await_replicas(n, w, pos);
}

void db__await_replicas(sim_node *n, uint32_t w, uint64_t pos) {
    db_state *s = sim_state(n);
    s->lsn[w] = pos;
    rr_wait(n, s->st.held[w],
            SIM_LEDGER_REPLICATION_WAIT); /* until the replicas' acks release it */
    s->pend[(s->pend_head + s->npend) % s->st.cap] = w;
    s->npend++;
    db__release_pending(n);
}

void db__ship(sim_node *n, uint32_t slot) {
    db_state *s = sim_state(n);
    shipment sh = *(const shipment *)slot_table_at(&s->ships, slot);
    slot_table_put(&s->ships, slot);
    /* Shipments end with the log they belong to (db__drop_shipments), so this one is of the
     * current log. */
    if (s->role != ROLE_PRIMARY || sh.position == 0 || sh.position > s->nlog)
        return;
    /* A transaction's entries go out together (the replica applies them together). */
    for (uint64_t p = sh.position; p < sh.position + sh.n && p <= s->nlog; p++) {
        const log_entry *e = &s->log[p - 1];
        sim_msg *m = sim_msg_new(n, &repl_entry_msg);
        *(repl_entry *)sim_msg_body(m) = (repl_entry){.epoch = s->epoch,
                                                      .position = p,
                                                      .key = e->key,
                                                      .version = e->version,
                                                      .committed = e->at,
                                                      .txn_first = e->txn_first,
                                                      .txn_n = e->txn_n,
                                                      .txn_id = e->txn_id,
                                                      .wid = e->wid,
                                                      .value = e->value};
        sim_send(n, db__node_of(n, sh.to), m);
    }
}

void db__drop_shipments(sim_node *n, bool cancel) {
    db_state *s = sim_state(n);
    if (cancel)
        for (uint32_t i = 0; i < s->ships.n; i++)
            sim_cancel_timer(n, &((shipment *)slot_table_at(&s->ships, i))->timer);
    slot_table_clear(&s->ships);
}

void db__promote(sim_node *n) {
    db_state *s = sim_state(n);
    sim_time now = sim_now(n);
    uint32_t old = s->primary;
    db__drop_shipments(n, true); /* none should be left: a replica ships nothing */
    sim_cancel_timer(n, &s->election);
    s->epoch++;
    s->role = ROLE_PRIMARY;
    s->primary = s->me;
    s->nlog = 0;
    s->applied = 0;
    sim_idmap_clear(&s->ahead);
    s->synced = true;
    /* Every other instance is taken as live until heard of otherwise, except the primary
     * just replaced (sync writes must not wait for it). */
    for (uint32_t i = 0; i < s->count; i++)
        s->peers[i] = (peer){.last_heard = i == old && old != s->me ? INT64_MIN / 2 : now};
    s->promotions++;
    db__backup_rebase(n); /* its first backup is a full one */
    db__settle(n);
    db__send_view_all(n, &repl_announce_msg, db__view(s));
    db__incident_close(n, false); /* after a lost disk: it serves its restored data */
}
