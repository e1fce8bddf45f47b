/* The database's store: each instance's key -> version map, and what its WAL has not flushed
 * yet (with `flush_interval`, a crash rolls back the commits since the last flush). Values are
 * not modelled: a key's version is what a read returns and what the consistency oracle
 * judges. */
#include "database_int.h"

uint64_t db__version_of(const db_state *s, uint64_t key) {
    uint64_t v = 0;
    sim_idmap_get(&s->data, key + 1, &v);
    return v;
}

void db__put_version(sim_node *n, uint64_t key, uint64_t version) {
    db_state *s = sim_state(n);
    uint64_t old = 0;
    if (sim_idmap_get(&s->data, key + 1, &old) && old >= version)
        return;
    if (sim_idmap_put(&s->data, key + 1, version))
        sim_out_of_memory(n);
}

uint64_t db__commit_version(sim_node *n, uint64_t key) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    uint64_t v = db__version_of(s, key) + 1;
    if (c->flush_interval > 0 && !sim_idmap_get(&s->unflushed, key + 1, NULL) &&
        sim_idmap_put(&s->unflushed, key + 1, v - 1))
        sim_out_of_memory(n);
    db__put_version(n, key, v);
    db__mark_dirty(n, key);
    return v;
}

void db__roll_back_unflushed(sim_node *n) {
    db_state *s = sim_state(n);
    for (size_t i = 0; i < s->unflushed.cap; i++) {
        uint64_t id = s->unflushed.keys[i], prev = s->unflushed.vals[i];
        if (!id)
            continue;
        uint64_t now = 0;
        sim_idmap_get(&s->data, id, &now);
        s->writes_undone += now - prev;
        if (prev)
            sim_idmap_put(&s->data, id, prev); /* replaces: no allocation */
        else
            sim_idmap_take(&s->data, id, NULL);
    }
    sim_idmap_clear(&s->unflushed);
}

void db__clear_data(sim_node *n) {
    db_state *s = sim_state(n);
    sim_idmap_clear(&s->unflushed);
    sim_idmap_clear(&s->data);
}

void db__flush(sim_node *n) {
    db_state *s = sim_state(n);
    sim_idmap_clear(&s->unflushed);
    db__txn_flushed(n);
    sim_set_timer(n, ((const db_config *)sim_config(n))->flush_interval, T_FLUSH, 0);
}
