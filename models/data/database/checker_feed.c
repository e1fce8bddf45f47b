/* What the database tells the run's consistency oracle, and the only place it does: every
 * commit lists its key under the cluster's name, and an instance that is up and primary says
 * which version of each listed key survives (at each promotion, at a lone instance's restart
 * and at the end of the run): a key it lacks survives at version 0, so the acknowledged
 * writes it lacks count as lost. */
#include "database_int.h"

#include "consistency.h"

void db__oracle_commit(sim_node *n, uint64_t key) {
    if (consistency_store_key(consistency_of(n), db__store_of(n), key))
        sim_out_of_memory(n);
}

static uint64_t held_version(uint64_t key, void *state) { return db__version_of(state, key); }

void db__settle(sim_node *n) {
    if (consistency_settle_store(consistency_of(n), db__store_of(n), held_version, sim_state(n)))
        sim_out_of_memory(n);
}

/* The version below which this instance will never again hold key. A lone durable instance
 * rolls back at most to the version before the key's first unflushed commit; a volatile one,
 * or one whose disk a fault loses (restored from a backup, or not at all), may lose everything, and
 * an instance of a cluster may empty its store to follow a new primary and even be promoted before
 * it is refilled (then reusing version numbers), so they promise nothing. */
static uint64_t durable_floor(uint64_t key, void *state) {
    db_state *s = state;
    uint64_t v;
    return sim_idmap_get(&s->unflushed, key + 1, &v) ? v : db__version_of(s, key);
}

static uint64_t no_floor(uint64_t key, void *state) {
    (void)key, (void)state;
    return 0;
}

void db__oracle_copy(sim_node *n) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    if (consistency_copy(consistency_of(n), db__store_of(n), sim_node_id(n),
                         s->count == 1 && c->durable && !sim_node_may_lose_data(n) ? durable_floor
                                                                                   : no_floor,
                         s))
        sim_out_of_memory(n);
}
