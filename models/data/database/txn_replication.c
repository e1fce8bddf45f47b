/* Whole transactions on replicas. The primary logs a transaction's writes as consecutive
 * entries that name the transaction (its first position and its count) and ships them
 * together after one replication delay; they may still arrive in any order (the network
 * delays each message), so a replica holds them until all have arrived and then applies them
 * in one event: to the store entry by entry (positions, lag, as any entry) and to its cc at
 * once (txn_cc_apply), so neither a plain read nor a read-only transaction on the replica
 * ever sees half a transaction. A replica still resynchronising holds them until its
 * snapshot is in: the snapshot carries the cc's rows that transactions wrote, and the held
 * transactions it already includes are dropped. Memory: the entries of the transactions in
 * flight to this replica. */
#include "database_int.h"

#include <stdlib.h>

/* The held entries of the transaction whose first position is `first`: how many. */
static uint32_t held_count(const db_state *s, uint64_t first) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < s->nheld; i++)
        k += s->held[i].e.txn_first == first;
    return k;
}

/* Applies the complete transaction whose first position is `first` (n entries held) and
 * drops its entries. */
static void apply_whole(sim_node *n, uint64_t first, uint32_t count) {
    db_state *s = sim_state(n);
    const db_config *c = sim_config(n);
    txn_write w[TXN_MAX_STMTS];
    uint64_t id = 0;
    uint32_t k = 0, keep = 0;
    /* In log order: position first + j is the j-th write. */
    for (uint32_t i = 0; i < s->nheld; i++) {
        const repl_entry *e = &s->held[i].e;
        if (e->txn_first != first) {
            s->held[keep++] = s->held[i];
            continue;
        }
        uint64_t j = e->position - first;
        if (j < TXN_MAX_STMTS && j < count) {
            w[j] = (txn_write){.key = e->key, .wid = e->wid, .value = e->value};
            k++;
        }
        id = e->txn_id;
        db__apply_entry(n, e);
    }
    s->nheld = keep;
    txn_cc *cc = db__cc(n);
    if (!cc || k != count)
        return;
    if (txn_cc_apply(cc, id, w, count, sim_now(n)))
        sim_out_of_memory(n);
    if (c->durable)
        txn_cc_durable(cc); /* a replica's store survives a crash as it applied it */
    s->txn_applied++;
}

void db__on_txn_entry(sim_node *n, const repl_entry *e) {
    db_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->nheld; i++)
        if (s->held[i].e.position == e->position)
            return; /* already held */
    if (s->nheld == s->capheld) {
        uint32_t cap = s->capheld ? 2 * s->capheld : 16;
        held_entry *h = realloc(s->held, cap * sizeof *h);
        if (!h) {
            sim_out_of_memory(n);
            return;
        }
        s->held = h;
        s->capheld = cap;
    }
    s->held[s->nheld++] = (held_entry){.e = *e};
    if (s->synced && held_count(s, e->txn_first) == e->txn_n)
        apply_whole(n, e->txn_first, e->txn_n);
}

void db__complete_held(sim_node *n) {
    db_state *s = sim_state(n);
    uint32_t keep = 0;
    for (uint32_t i = 0; i < s->nheld; i++) /* the snapshot holds them already */
        if (s->held[i].e.position > s->applied)
            s->held[keep++] = s->held[i];
    s->nheld = keep;
    for (uint32_t i = 0; i < s->nheld;) {
        const repl_entry *e = &s->held[i].e;
        if (held_count(s, e->txn_first) == e->txn_n)
            apply_whole(n, e->txn_first, e->txn_n); /* removes its entries: look again at i */
        else
            i++;
    }
}

void db__drop_held(sim_node *n) { ((db_state *)sim_state(n))->nheld = 0; }

uint64_t db__snapshot_rows(sim_node *n, txn_write *out) {
    db_state *s = sim_state(n);
    if (!s->cc)
        return 0;
    uint64_t k = 0;
    for (size_t i = 0; i < s->data.cap; i++) {
        txn_write row;
        if (s->data.keys[i] && txn_cc_get(s->cc, s->data.keys[i] - 1, &row) && row.wid) {
            if (out)
                out[k] = row;
            k++;
        }
    }
    return k;
}

void db__install_rows(sim_node *n, const txn_write *w, uint64_t count) {
    txn_cc *cc = db__cc(n);
    if (!cc)
        return;
    if (txn_cc_apply(cc, 0, w, count, sim_now(n)))
        sim_out_of_memory(n);
    if (((const db_config *)sim_config(n))->durable)
        txn_cc_durable(cc);
}
