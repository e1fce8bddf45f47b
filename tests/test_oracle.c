/* The consistency oracle on a hand-built history in which every kind of violation occurs,
 * each counted exactly (times in ns):
 *   key 1: A writes v1 (acked 10), B writes v2 (acked 20), A writes v3 (acked 30)
 *   key 2: A writes v1 (12) and v2 (14); the surviving copy holds v1, later v0
 *   key 3: a warm-up write v5 (1), lost: not counted
 *   reads of key 1 (client, issued..done -> version):
 *     R6 D  4..6   -> v0  fresh (nothing acked before 4)
 *     R1 C 25..26  -> v1  stale: v2 acked at 20, 5 ns before; 1 version behind
 *     R2 A 35..36  -> v2  stale (v3 at 30: 5 ns); A's own v3 acked before: read-your-writes
 *     R3 C 40..41  -> v3  fresh
 *     R5 C 39..45  -> v2  stale (9 ns); overlaps R3, so no monotonic violation
 *     R4 C 50..51  -> v2  stale (20 ns); R3 returned v3 before 50: monotonic violation
 *     R7 C 55..60  -> v1  in the warm-up: not judged
 *   served by node S1: R1, R5, R4 (all stale), R7 (not judged); by S2: R6, R2 (stale), R3 */
#include "support.h"

#include "consistency.h"

#include <criterion/criterion.h>
#include <string.h>

enum { A = 1, B = 2, C = 3, D = 4, S1 = 7, S2 = 8 }; /* clients; serving nodes */
enum { STORE = 9, OTHER = 11 };                      /* data stores */

/* A write of key by client in store, acknowledged at `at`. */
static int acked_in(consistency_oracle *o, uint32_t store, uint32_t client, uint64_t key,
                    uint64_t version, sim_time at, bool measured) {
    consistency_op op = {.client = client,
                         .store = store,
                         .served_by = CONSISTENCY_NO_NODE,
                         .key = key,
                         .version = version,
                         .issued = at,
                         .done = at,
                         .measured = measured};
    return consistency_write_acked(o, &op);
}

static int acked(consistency_oracle *o, uint32_t client, uint64_t key, uint64_t version,
                 sim_time at, bool measured) {
    return acked_in(o, STORE, client, key, version, at, measured);
}

/* A read of key by client in store, supplied by node by. */
static int read_in(consistency_oracle *o, uint32_t store, uint32_t client, uint64_t key,
                   uint64_t version, uint32_t by, sim_time issued, sim_time done, bool measured) {
    consistency_op op = {.client = client,
                         .store = store,
                         .served_by = by,
                         .key = key,
                         .version = version,
                         .issued = issued,
                         .done = done,
                         .measured = measured};
    return consistency_read(o, &op);
}

static int judged(consistency_oracle *o, uint32_t client, uint64_t key, uint64_t version,
                  uint32_t by, sim_time issued, sim_time done, bool measured) {
    return read_in(o, STORE, client, key, version, by, issued, done, measured);
}

static consistency_oracle *history(void) {
    consistency_oracle *o = consistency_new();
    cr_assert(o);
    cr_assert_not(consistency_is_used(o));
    cr_assert_eq(acked(o, A, 3, 5, 1, false), 0);
    cr_assert_eq(judged(o, D, 1, 0, S2, 4, 6, true), 0);
    cr_assert_eq(acked(o, A, 1, 1, 10, true), 0);
    cr_assert_eq(acked(o, A, 2, 1, 12, true), 0);
    cr_assert_eq(acked(o, A, 2, 2, 14, true), 0);
    cr_assert_eq(acked(o, B, 1, 2, 20, true), 0);
    cr_assert_eq(judged(o, C, 1, 1, S1, 25, 26, true), 0);
    cr_assert_eq(acked(o, A, 1, 3, 30, true), 0);
    cr_assert_eq(judged(o, A, 1, 2, S2, 35, 36, true), 0);
    cr_assert_eq(judged(o, C, 1, 3, S2, 40, 41, true), 0);
    cr_assert_eq(judged(o, C, 1, 2, S1, 39, 45, true), 0);
    cr_assert_eq(judged(o, C, 1, 2, S1, 50, 51, true), 0);
    cr_assert_eq(judged(o, C, 1, 1, S1, 55, 60, false), 0);
    return o;
}

Test(oracle, counts_every_violation_exactly) {
    consistency_oracle *o = history();
    cr_assert_eq(consistency_surviving(o, STORE, 2, 1), 0);
    cr_assert_eq(consistency_surviving(o, STORE, 3, 0), 0);
    consistency_figures f = consistency_get(o);
    cr_expect_eq(f.reads_checked, 6);
    cr_expect_eq(f.stale_reads, 4);
    cr_expect_eq(f.writes_acked, 5);
    cr_expect_eq(f.lost_writes, 1); /* key 2 v2; key 3's write was in the warm-up */
    cr_expect_eq(f.read_your_writes_violations, 1);
    cr_expect_eq(f.monotonic_read_violations, 1);
    cr_expect_eq(f.staleness_versions_max, 1);
    cr_expect_float_eq(f.staleness_versions_sum, 4.0, 1e-12);
    const sim_hist *h = consistency_staleness(o);
    cr_expect_eq(h->count, 4);
    cr_expect_float_eq(sim_hist_mean(h), (5 + 5 + 9 + 20) / 4.0, 1e-12);
    cr_expect_eq(h->max, 20);
    uint64_t reads, stale;
    cr_assert(consistency_node_reads(o, S1, &reads, &stale));
    cr_expect_eq(reads, 3);
    cr_expect_eq(stale, 3);
    cr_assert(consistency_node_reads(o, S2, &reads, &stale));
    cr_expect_eq(reads, 3);
    cr_expect_eq(stale, 1);
    cr_expect_not(consistency_node_reads(o, A, &reads, &stale)); /* served nothing */
    cr_expect_not(consistency_node_reads(o, 1000, &reads, &stale));
    /* A second look after a further loss counts only what is newly lost. */
    cr_assert_eq(consistency_surviving(o, STORE, 2, 0), 0);
    cr_expect_eq(consistency_get(o).lost_writes, 2);
    cr_assert_eq(consistency_surviving(o, STORE, 2, 0), 0);
    cr_expect_eq(consistency_get(o).lost_writes, 2);
    consistency_free(o);
}

/* Settling a store judges every key it listed, including keys the surviving copy lacks
 * (version 0), and leaves other stores' keys alone. */
static uint64_t holds_v1_of_key_5(uint64_t key, void *ud) {
    (void)ud;
    return key == 5 ? 1 : 0;
}

Test(oracle, settle_judges_every_key_the_store_listed) {
    consistency_oracle *o = consistency_new();
    cr_assert(o);
    cr_assert_eq(acked(o, A, 5, 1, 10, true), 0);
    cr_assert_eq(acked(o, A, 5, 2, 20, true), 0);           /* lost: copy holds v1 */
    cr_assert_eq(acked(o, A, 6, 1, 30, true), 0);           /* lost: copy lacks key 6 */
    cr_assert_eq(acked_in(o, OTHER, A, 7, 1, 40, true), 0); /* another store's key */
    cr_assert_eq(acked_in(o, OTHER, A, 5, 9, 40, true), 0); /* key 5 of another store */
    for (uint64_t k = 5; k <= 6; k++) {
        cr_assert_eq(consistency_store_key(o, STORE, k), 0);
        cr_assert_eq(consistency_store_key(o, STORE, k), 0); /* listed once */
    }
    cr_assert_eq(consistency_store_key(o, OTHER, 7), 0);
    cr_assert_eq(consistency_settle_store(o, STORE, holds_v1_of_key_5, NULL), 0);
    cr_expect_eq(consistency_get(o).lost_writes, 2);
    uint64_t n_acked, lost;
    cr_assert(consistency_store_writes(o, STORE, &n_acked, &lost));
    cr_expect_eq(n_acked, 3);
    cr_expect_eq(lost, 2);
    cr_assert(consistency_store_writes(o, OTHER, &n_acked, &lost));
    cr_expect_eq(n_acked, 2);
    cr_expect_eq(lost, 0);
    /* A store that listed nothing settles nothing. */
    cr_assert_eq(consistency_settle_store(o, 12345, holds_v1_of_key_5, NULL), 0);
    cr_expect_eq(consistency_get(o).lost_writes, 2);
    cr_expect_not(consistency_store_writes(o, 12345, &n_acked, &lost));
    consistency_free(o);
}

/* Each store's keys have histories of their own: a read of key 1 in one store is not judged
 * against the writes of key 1 in another, nor are a client's own writes there. */
Test(oracle, stores_keep_their_histories_apart) {
    consistency_oracle *o = consistency_new();
    cr_assert(o);
    cr_assert_eq(acked_in(o, STORE, A, 1, 5, 10, true), 0);
    cr_assert_eq(read_in(o, OTHER, A, 1, 0, S1, 20, 21, true), 0); /* fresh in OTHER */
    cr_assert_eq(read_in(o, STORE, B, 1, 4, S2, 30, 31, true), 0); /* stale in STORE */
    cr_assert_eq(read_in(o, OTHER, A, 1, 0, S1, 40, 41, true), 0); /* still fresh */
    consistency_figures f = consistency_get(o);
    cr_expect_eq(f.reads_checked, 3);
    cr_expect_eq(f.stale_reads, 1);
    cr_expect_eq(f.read_your_writes_violations, 0);
    cr_expect_eq(f.monotonic_read_violations, 0);
    /* Settling OTHER does not touch STORE's writes. */
    cr_assert_eq(consistency_surviving(o, OTHER, 1, 0), 0);
    cr_expect_eq(consistency_get(o).lost_writes, 0);
    consistency_free(o);
}

/* Versions behind count version numbers: a read of v1 when v4 is the newest acknowledged is
 * three behind, and superseded when v2 was acknowledged. */
Test(oracle, staleness_in_time_and_versions) {
    consistency_oracle *o = consistency_new();
    cr_assert(o);
    for (uint64_t v = 1; v <= 4; v++)
        cr_assert_eq(acked(o, A, 7, v, (sim_time)v * 1000, true), 0);
    cr_assert_eq(judged(o, B, 7, 1, CONSISTENCY_NO_NODE, 10000, 10001, true), 0);
    consistency_figures f = consistency_get(o);
    cr_expect_eq(f.stale_reads, 1);
    cr_expect_eq(f.staleness_versions_max, 3);
    cr_expect_eq(consistency_staleness(o)->max, 10000 - 2000);
    /* A write acknowledged at the very instant the read is issued does not count. */
    cr_assert_eq(acked(o, A, 8, 1, 20000, true), 0);
    cr_assert_eq(judged(o, B, 8, 0, CONSISTENCY_NO_NODE, 20000, 20002, true), 0);
    cr_expect_eq(consistency_get(o).stale_reads, 1);
    consistency_free(o);
}

/* The report has exactly the keys of the contract, in its order. */
static void key_names(void *ud, const char *key) {
    char *buf = ud;
    if (key) {
        strcat(buf, key);
        strcat(buf, ",");
    }
}
static void on_open(void *ud, const char *key) { key_names(ud, key); }
static void on_close(void *ud) { (void)ud; }
static void on_number(void *ud, const char *key, double v) {
    (void)v;
    key_names(ud, key);
}
static void on_int(void *ud, const char *key, int64_t v) {
    (void)v;
    key_names(ud, key);
}
static void on_string(void *ud, const char *key, const char *v) {
    (void)v;
    key_names(ud, key);
}
static void on_bool(void *ud, const char *key, bool v) {
    (void)v;
    key_names(ud, key);
}

Test(oracle, report_has_the_contract_keys) {
    static const sim_report_ops ops = {1,      on_open,   on_open, on_close, on_number,
                                       on_int, on_string, on_bool, NULL, NULL};
    char keys[1024] = "";
    sim_report w = {&ops, keys};
    consistency_oracle *o = history();
    cr_expect(dsim_consistency_checker.is_reported(o));
    sim_report_open(&w, dsim_consistency_checker.name); /* as the engine does */
    dsim_consistency_checker.report(o, &w);
    sim_report_close(&w);
    cr_expect_str_eq(keys, "consistency,reads_checked,stale_reads,stale_read_rate,"
                           "staleness_ms,mean,p99,max,staleness_versions,mean,max,"
                           "writes_acked,lost_writes,read_your_writes_violations,"
                           "monotonic_read_violations,");
    consistency_free(o);
}
