/* A log entry shipped by the primary. Replicas apply entries as they arrive (per key the
 * newest version wins) and keep the contiguous prefix of the log they applied (their
 * position), which they report back to the primary. A transaction's entries wait for each
 * other (txn_replication.c). */
#include "database_int.h"

void db__on_entry(sim_node *n, uint32_t src, const repl_entry *e) {
    (void)src;
    db_state *s = sim_state(n);
    if (s->role != ROLE_REPLICA || e->epoch != s->epoch || e->position <= s->applied ||
        sim_idmap_get(&s->ahead, e->position, NULL))
        return;
    if (e->txn_n) {
        db__on_txn_entry(n, e); /* a transaction's: applied with the others (txn_replication.c) */
        return;
    }
    db__apply_entry(n, e);
}

void db__apply_entry(sim_node *n, const repl_entry *e) {
    db_state *s = sim_state(n);
    sim_time now = sim_now(n);
    db__put_version(n, e->key, e->version);
    if (sim_is_measured(n, e->committed)) {
        s->entries_applied++;
        if (sim_hist_record(&s->lag, now - e->committed))
            sim_out_of_memory(n);
    }
    /* Little's law: the time-average number behind is the summed time each entry spent
     * committed but not applied, over the measured window. */
    sim_time a = e->committed > sim_warmup_end(n) ? e->committed : sim_warmup_end(n);
    if (now > a)
        s->behind_area += (double)(now - a);
    if (e->position == s->applied + 1) {
        s->applied++;
        db__advance(n);
        db__report_position(n);
    } else if (sim_idmap_put(&s->ahead, e->position, 1)) {
        sim_out_of_memory(n);
    }
}
