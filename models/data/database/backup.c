/* The backup schedule. With `backup_to` a backup is due at every multiple of the interval
 * (`backup_incremental`, or `backup_full` when there are no incrementals), counted from the
 * start of the run. The instance that is then the primary (up, not restoring) takes it: a full
 * backup (every key) when it has none to build on since it became primary, or when
 * `backup_full` has passed since the point of its last full one; otherwise an incremental one
 * (the keys written since its previous backup). Each key goes with its version now.
 *
 * The backup point is the instant the backup starts: it captures the state at that instant
 * exactly (a consistent snapshot, as a copy-on-write volume snapshot or a dump inside one
 * transaction gives), however long its transfer then takes. It leaves at once as one message
 * whose size is the data it carries: its keys times `value_bytes` (after a 64-byte header), so
 * the links' and interfaces' bandwidth gives its transfer time and it delays the node's other
 * traffic on them. It completes when it has reached the store whole (the store's receipt
 * tells the instance). A backup that has left the node reaches the store even if the node then
 * crashes or loses its disk (the model keeps no partial transfers). docs/backup.md tells the
 * whole design. */
#include "database_int.h"

#include <stdlib.h>

sim_time db__backup_interval(const db_config *c) {
    return c->backup_incremental > 0 ? c->backup_incremental : c->backup_full;
}

void db__arm_backup(sim_node *n) {
    const db_config *c = sim_config(n);
    if (!db__backs_up(c))
        return;
    sim_time every = db__backup_interval(c);
    sim_set_timer(n, every - sim_now(n) % every, T_BACKUP, 0);
}

void db__mark_dirty(sim_node *n, uint64_t key) {
    db_state *s = sim_state(n);
    if (db__backs_up(sim_config(n)) && sim_idmap_put(&s->dirty, key + 1, 1))
        sim_out_of_memory(n);
}

void db__backup_rebase(sim_node *n) {
    db_state *s = sim_state(n);
    s->has_base = false;
    sim_idmap_clear(&s->dirty);
}

/* Takes one backup now: full or incremental, as the schedule says. */
static void take_backup(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    sim_time now = sim_now(n);
    bool full = !s->has_base || c->backup_incremental <= 0 || now - s->full_point >= c->backup_full;
    const sim_idmap *from = full ? &s->data : &s->dirty;
    uint64_t count = 0;
    for (size_t i = 0; i < from->cap; i++)
        count += from->keys[i] && (full || db__version_of(s, from->keys[i] - 1) > 0);
    sim_msg *m = bk_put_new(n, count);
    if (!m) {
        sim_out_of_memory(n); /* beyond the largest message the engine makes */
        return;
    }
    bk_put *p = sim_msg_body(m);
    *p = (bk_put){.source = db__store_of(n), .seq = ++s->backup_seq, .full = full, .point = now};
    for (size_t i = 0; i < from->cap; i++) {
        uint64_t id = from->keys[i], v;
        if (id && (v = db__version_of(s, id - 1)) > 0)
            p->kv[p->count++] = (bk_kv){.key = id - 1, .version = v};
    }
    p->bytes = p->count * (uint64_t)c->value_bytes.by[0];
    m->size = bk_wire_bytes(p->bytes);
    sim_send(n, c->backup_to.first, m);
    if (full) {
        s->backups_full++;
        s->full_point = now;
    } else {
        s->backups_incremental++;
    }
    s->backup_bytes += p->bytes;
    s->has_base = true;
    sim_idmap_clear(&s->dirty);
}

void db__backup_due(sim_node *n) {
    const db_state *s = sim_state(n);
    if (s->role == ROLE_PRIMARY && !s->restoring)
        take_backup(n);
    db__arm_backup(n);
}

void db__on_backup_done(sim_node *n, const bk_done *d) {
    db_state *s = sim_state(n);
    s->backups_done++;
    if (d->point > s->done_point)
        s->done_point = d->point;
}
