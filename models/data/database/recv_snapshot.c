/* The answer to a replica's current subscription: it installs the snapshot (per key the
 * newest version wins, as entries shipped meanwhile may already have been applied), is
 * synchronised from then on, and reports its position. An answer to an abandoned
 * subscription, or of another epoch, is ignored. */
#include "database_int.h"

#include <assert.h>

void db__on_snapshot(sim_node *n, uint32_t src, const repl_snapshot *snap) {
    (void)src;
    db_state *s = sim_state(n);
    if (s->role != ROLE_REPLICA || s->synced || snap->epoch != s->epoch || snap->seq != s->sub_seq)
        return;
    assert(sim_msg_of_const(snap)->body_bytes >=
           sizeof(repl_snapshot) + snap->count * sizeof(repl_kv) + snap->rows * sizeof(txn_write));
    for (uint64_t i = 0; i < snap->count; i++)
        db__put_version(n, snap->kv[i].key, snap->kv[i].version);
    s->synced = true;
    if (snap->rows)
        db__install_rows(n, (const txn_write *)&snap->kv[snap->count], snap->rows);
    if (snap->position > s->applied)
        s->applied = snap->position;
    db__advance(n);
    db__report_position(n);
    if (s->nheld)
        db__complete_held(n);    /* the transactions shipped meanwhile, now on top of it */
    db__incident_close(n, true); /* after a lost disk: it serves again, caught up */
}
