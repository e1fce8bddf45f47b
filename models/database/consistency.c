/* What the database tells the run's consistency oracle, and the only place it does: every
 * commit lists its key under the cluster's name, and an instance that is up and primary says
 * which version of each listed key survives (at each promotion, at a lone instance's restart
 * and at the end of the run): a key it lacks survives at version 0, so the acknowledged
 * writes it lacks count as lost. */
#include "database_int.h"

#include "oracle.h"

void db__oracle_commit(sim_node *n, uint64_t key) {
    if (sim_oracle_store_key(sim_oracle_of(n), db__store_of(n), key))
        sim_out_of_memory(n);
}

static uint64_t held_version(uint64_t key, void *state) { return db__version_of(state, key); }

void db__settle(sim_node *n) {
    if (sim_oracle_settle(sim_oracle_of(n), db__store_of(n), held_version, sim_state(n)))
        sim_out_of_memory(n);
}
