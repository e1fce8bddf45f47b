/* The client's transactions in flight (client_int.h): the history's processes and ops, the
 * replies of the database, the names of a script's keys. */
#include "client_int.h"

#include "anomalies.h"

#include "txn_wire.h"

#include <stdio.h>
#include <stdlib.h>

/* The Elle process of slot i: one per slot, a new one after an indeterminate outcome. */
uint64_t client_slot_process(sim_node *n, size_t i) {
    client_state *s = sim_state(n);
    if (!s->procs[i])
        s->procs[i] = transactions_new_process(transactions_of(n)) + 1;
    return s->procs[i] - 1;
}

/* Attempt r of the transaction in slot i is about to go: its plain writes get their write
 * ids as values (workload transactions: unique values, as Elle needs), and the checker its
 * invoke. Returns 0, or -1 when out of memory. */
int client_txn_begin(sim_node *n, size_t i, rr_req *r) {
    client_state *s = sim_state(n);
    pending *p = &s->slots[i];
    txn_body *b = txn_of(r);
    if (!p->script)
        ctxn_set_write_ids(txn_stmts(b), b->n, r->id);
    return transactions_begin(transactions_of(n), sim_is_measured(n, p->issued),
                              client_slot_process(n, i), sim_now(n), r->id, txn_stmts(b), b->n,
                              &p->hist);
}

/* The statements of each scripted transaction, and the names of its keys for the history
 * (and the anomaly checker's examples). Returns 0, or -1 when out of memory. */
int client_script_prepare(sim_node *n) {
    client_state *s = sim_state(n);
    const client_config *c = sim_config(n);
    const ctxn_script *ts = c->script.items;
    s->script_stmts = malloc(c->script.n * TXN_MAX_STMTS * sizeof *s->script_stmts);
    s->script_n = malloc(c->script.n);
    if (!s->script_stmts || !s->script_n)
        return -1;
    for (size_t k = 0; k < c->script.n; k++) {
        s->script_n[k] = (uint8_t)ctxn_script_stmts(&ts[k], s->script_stmts + k * TXN_MAX_STMTS);
        const ctxn_line *l = ts[k].statements.items;
        for (size_t i = 0; i < ts[k].statements.n; i++) {
            if (!l[i].name)
                continue;
            if (transactions_name_key(transactions_of(n), l[i].stmt.key, l[i].name))
                return -1;
            if (anomalies_name_key(anomalies_of(n), l[i].stmt.key, l[i].name))
                return -1;
        }
    }
    return 0;
}

/* The transaction p ended with out: the checker's failures by reason and its script's end. */
void client_txn_settled(sim_node *n, pending *p, requests_outcome out) {
    const client_config *c = sim_config(n);
    transactions *t = transactions_of(n);
    if (out == REQUESTS_FAILED && sim_is_measured(n, p->issued))
        transactions_failed(t, p->reason);
    if (p->script) {
        const ctxn_script *ts = c->script.items;
        const ctxn_script *sc = &ts[p->script - 1];
        char dflt[24];
        snprintf(dflt, sizeof dflt, "T%u", (unsigned)p->script);
        const char *name = sc->name.n ? ((const char *const *)sc->name.items)[0] : dflt;
        if (transactions_script_end(t, name, (txns_outcome)p->outcome, p->reason))
            sim_out_of_memory(n);
    } else {
        free(p->stmts);
    }
    p->stmts = NULL;
}

/* The end of attempt `attempt` of the transaction in slot i, as the client saw it: to the
 * checker's history (with what it read when it committed); an indeterminate end gives the
 * slot a new Elle process. */
void client_txn_attempt_end(sim_node *n, size_t i, txns_outcome out, unsigned reason,
                            rr_req *r) {
    client_state *s = sim_state(n);
    pending *p = &s->slots[i];
    txn_body *b = r ? txn_of(r) : NULL;
    bool ok = out == TXNS_COMMITTED && b && b->done == b->n;
    if (transactions_end(transactions_of(n), sim_is_measured(n, p->issued), p->hist, sim_now(n),
                         out, reason, ok ? txn_results(b) : NULL, b ? txn_stmts(b) : NULL,
                         b ? b->n : 0, r ? r->id : 0))
        sim_out_of_memory(n);
    p->hist = 0;
    p->outcome = (uint8_t)out;
    p->reason = (uint8_t)reason;
    if (out == TXNS_INDETERMINATE)
        s->procs[i] = 0;
}

/* The database answered the transaction of slot i: committed (RR_OK), aborted (RR_FAILED:
 * retried, nothing of it happened; a crash's abort is indeterminate: the commit may have
 * reached the log), or refused (RR_REJECTED: indeterminate to the history, rejected in
 * `requests`). */
void client_txn_reply(sim_node *n, size_t i, rr_req *r) {
    txn_body *b = txn_of(r);
    unsigned reason = b ? b->reason : TXN_ABORT_CRASH;
    if (r->status == RR_OK) {
        client_txn_attempt_end(n, i, TXNS_COMMITTED, 0, r);
        client_settle(n, i, REQUESTS_COMPLETED);
    } else if (r->status == RR_REJECTED) {
        client_txn_attempt_end(n, i, TXNS_INDETERMINATE, TXN_ABORT_NONE, r);
        client_settle(n, i, REQUESTS_REJECTED);
    } else {
        client_txn_attempt_end(n, i, reason == TXN_ABORT_CRASH ? TXNS_INDETERMINATE : TXNS_ABORTED,
                        reason, r);
        client_attempt_failed(n, i, REQUESTS_FAILED);
    }
}
