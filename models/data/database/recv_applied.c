/* A replica reports the contiguous log position it applied: the primary notes it (and that
 * the replica is alive) and releases the writes waiting for it. */
#include "database_int.h"

void db__on_applied(sim_node *n, uint32_t src, const repl_position *p) {
    db_state *s = sim_state(n);
    if (s->role != ROLE_PRIMARY || p->epoch != s->epoch)
        return;
    if (p->position > s->peers[src].acked)
        s->peers[src].acked = p->position;
    s->peers[src].last_heard = sim_now(n);
    db__release_pending(n);
}
