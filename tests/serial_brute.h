/* A brute-force serializability test for small traces (txn/trace.h), the oracle the anomaly
 * checker is cross-checked against: some serial order of the committed transactions, among
 * those that agree with each key's version order (the commit order of its writers), explains
 * every read of a committed transaction (each read, item or range, returns what the serial
 * execution would have shown at that point, the transaction's own writes included). By
 * Adya's theorem (Adya 1999, §3.1.5 and Theorem 1) this holds exactly when the DSG with that
 * version order has no cycle and no committed transaction read an aborted or intermediate
 * version. Tries every order: for a few transactions only. Reusable: another suite can run it
 * on traces from the real concurrency control. */
#ifndef DSIM_TEST_SERIAL_BRUTE_H
#define DSIM_TEST_SERIAL_BRUTE_H

#include "trace.h"

/* The most committed transactions serial_brute_explains tries all orders of. */
#define SERIAL_BRUTE_MAX 8

/* 1 when a serial order explains t's committed transactions (it is stored in order, trace
 * indices, when order is non-NULL), 0 when none does, -1 when t has more than
 * SERIAL_BRUTE_MAX committed transactions. */
int serial_brute_explains(const txn_trace *t, uint32_t *order);

#endif
