/* The database's life: set-up at time 0 (instance 0 the primary, the others its replicas),
 * crash (requests held are dropped; the data stays when durable, less the unflushed
 * commits), restart (after a lost disk the restore first, restore.c; a lone instance resumes
 * at once; one of a cluster first asks the others who leads), the end of the run (the primary
 * settles with the oracle), and clean-up. */
#include "database_int.h"

#include <stdlib.h>

void db__create(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_ref g = sim_node_group(n);
    s->me = sim_node_replica(n);
    s->count = g.count;
    s->role = s->me == 0 ? ROLE_PRIMARY : ROLE_REPLICA;
    s->synced = true;
    db__oracle_copy(n);
    sim_idmap_init(&s->data);
    sim_idmap_init(&s->unflushed);
    sim_idmap_init(&s->ahead);
    sim_idmap_init(&s->dirty);
    sim_idmap_init(&s->tx_worker);
    s->done_point = -1;
    slot_table_init(&s->ships, sizeof(shipment));
    sim_hist_init(&s->lag);
    s->lsn = calloc((size_t)c->workers, sizeof *s->lsn);
    s->pend = malloc((size_t)c->workers * sizeof *s->pend);
    s->peers = calloc(s->count, sizeof *s->peers);
    if (station_init(&s->st, n, (uint32_t)c->workers, c->queue) || !s->lsn || !s->pend ||
        !s->peers) {
        sim_out_of_memory(n);
        return;
    }
    if (s->count > 1)
        sim_set_timer(n, c->heartbeat, T_TICK, 0);
    if (c->flush_interval > 0)
        sim_set_timer(n, c->flush_interval, T_FLUSH, 0);
    db__arm_backup(n);
    if (s->me == 0)
        db__declare_invariants(n);
}

/* Crash: every request held is dropped (callers see a timeout), unshipped entries with the
 * timers (which the engine drops); the data stays when durable (less the unflushed commits),
 * else it is gone. */
void db__crash(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    s->down = true;
    if (!s->lsn || !s->pend)
        return;
    db__txn_crash(n); /* before the requests go: open transactions end in the cc first */
    db__drop_all(n);
    db__drop_shipments(n, false);
    s->election = (sim_timer){0};
    if (c->durable) {
        db__roll_back_unflushed(n);
    } else {
        db__clear_data(n);
        s->nlog = 0;
        s->applied = 0;
        sim_idmap_clear(&s->ahead);
    }
}

/* Restart: after a lost disk, the restore first (restore.c); then, or at once, resume. */
void db__restart(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    s->down = false;
    if (c->flush_interval > 0)
        sim_set_timer(n, c->flush_interval, T_FLUSH, 0);
    db__arm_backup(n);
    if (!db__begin_restore(n))
        db__resume(n);
}

/* A lone instance resumes at once; one of a cluster first asks the others who is primary (one
 * heartbeat interval) and then follows the newest view. */
void db__resume(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (s->count == 1) {
        db__settle(n); /* what the crash rolled back or wiped out is lost */
        s->role = ROLE_PRIMARY;
        db__incident_close(n, false);
        return;
    }
    s->join_epoch = s->epoch;
    s->join_primary = s->primary;
    s->role = ROLE_JOINING;
    db__send_view_all(n, &repl_heartbeat_msg, db__view(s));
    sim_set_timer(n, c->heartbeat, T_JOIN, 0);
    sim_set_timer(n, c->heartbeat, T_TICK, 0);
}

void db__finish(sim_node *n) {
    db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY && !s->down)
        db__settle(n);
    db__incidents_finish(n);
}

void db__destroy(sim_node *n) {
    db_state *s = sim_state(n);
    station_free(&s->st);
    free(s->lsn);
    free(s->pend);
    free(s->peers);
    free(s->log);
    slot_table_free(&s->ships);
    sim_idmap_free(&s->data);
    sim_idmap_free(&s->unflushed);
    sim_idmap_free(&s->ahead);
    sim_idmap_free(&s->dirty);
    free(s->incidents);
    sim_hist_free(&s->lag);
    db__txn_free(n);
}
