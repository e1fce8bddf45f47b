/* Transactions on the wire: making a transaction request and finding one in a request. */
#include "txn_wire.h"

#include <string.h>

txn_body *txn_of(rr_req *r) {
    return r->txn ? rr_payload(r, sizeof(txn_body)) : NULL;
}

rr_req *txn_request_new(sim_node *n, const txn_stmt *stmts, unsigned count) {
    if (count == 0 || count > TXN_MAX_STMTS)
        return NULL;
    sim_msg *m = sim_msg_new_sized(n, &rr_request_msg, sizeof(rr_req) + txn_body_bytes(count));
    if (!m)
        return NULL;
    rr_req *r = rr_of(m);
    r->id = sim_unique_id(n);
    r->issued = sim_now(n);
    r->client = sim_node_id(n);
    r->reply_to = sim_node_id(n);
    r->txn = true;
    r->op = RR_READ;
    txn_body *b = txn_of(r);
    b->n = (uint8_t)count;
    memcpy(txn_stmts(b), stmts, count * sizeof *stmts);
    for (unsigned i = 0; i < count; i++)
        if (stmts[i].kind == TXN_WRITE || stmts[i].kind == TXN_INCREMENT)
            r->op = RR_WRITE;
    return r;
}
