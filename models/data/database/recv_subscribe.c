/* A replica subscribes: the primary of the subscription's epoch answers with one snapshot of
 * its whole store (every key and its version) and the log position it includes; the entries
 * after that position reach the replica as they are shipped. */
#include "database_int.h"

void db__on_subscribe(sim_node *n, uint32_t src, const repl_subscribe *sub) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_PRIMARY || sub->epoch != s->epoch)
        return;
    uint64_t count = s->data.n, rows = db__snapshot_rows(n, NULL);
    sim_msg *m = sim_msg_new_sized(n, &repl_snapshot_msg,
                                   sizeof(repl_snapshot) + count * sizeof(repl_kv) +
                                       rows * sizeof(txn_write));
    if (!m) {
        sim_out_of_memory(n); /* beyond the largest message the engine makes */
        return;
    }
    repl_snapshot *snap = sim_msg_body(m);
    snap->epoch = sub->epoch;
    snap->seq = sub->seq;
    snap->position = s->nlog;
    for (size_t i = 0; i < s->data.cap; i++)
        if (s->data.keys[i])
            snap->kv[snap->count++] =
                (repl_kv){.key = s->data.keys[i] - 1, .version = s->data.vals[i]};
    if (rows)
        snap->rows = db__snapshot_rows(n, (txn_write *)&snap->kv[snap->count]);
    m->size = repl_snapshot_wire_bytes(snap->count, snap->rows);
    sim_send(n, db__node_of(n, src), m);
    s->peers[src].last_heard = sim_now(n);
}
