/* The isolation table, proved with the Hermitage suite's interleavings (github.com/ept/hermitage,
 * Kleppmann 2014; the anomalies of Berenson et al. 1995 and Adya 1999): each scenario is a list
 * of statements of two or three transactions, interleaved as Hermitage runs them, written once;
 * each cell of the table (concurrency x isolation, x flavor) has one line saying what every step
 * gives there: which statement blocks (and what it gives once woken), which transaction aborts
 * and why, and every value read. The engine each cell follows:
 *   locking read_uncommitted .. serializable: SQL Server's locking levels (sqlserver.md, the
 *     test_lock database), the closest to textbook two-phase locking;
 *   mvcc read_committed, repeatable_read postgresql, serializable: PostgreSQL (postgres.md);
 *   mvcc repeatable_read innodb: MySQL/InnoDB (mysql.md).
 * Hermitage's "select * from test" is split into one read per key (each its own statement);
 * its predicate reads ("where value % 3 = 0") are our range reads over keys [3, 5), where the
 * new rows go. Where our engine differs from the one it follows, the line's comment says so.
 *
 * A line's tokens, one per step:
 *   .          done (a write or a commit)
 *   N, -       a read returned N (present) / an absent row; an increment installed N
 *   #C:S       a range read matched C rows summing to S
 *   B>T        the statement blocks; when woken it gives T
 *   D S K U    the transaction is aborted: deadlock victim, serialization, constraint, user
 *   x          not run: the transaction has ended (a later step that only some cells need)
 *   ~          not run: the transaction is blocked (its session waits, as in Hermitage)
 *   suffix *   this step woke a blocked transaction (a lock it waited for became free) */
#include "cc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LRU, LRC, LRR, LSER, MRC, MPG, MINNO, MSER, CELLS };
static const char *const cell_names[CELLS] = {
    "locking read_uncommitted",    "locking read_committed", "locking repeatable_read",
    "locking serializable",        "mvcc read_committed",    "mvcc repeatable_read postgresql",
    "mvcc repeatable_read innodb", "mvcc serializable"};

static txn_cc_config cell_config(int cell) {
    static const txn_isolation iso[CELLS] = {
        TXN_READ_UNCOMMITTED, TXN_READ_COMMITTED,  TXN_REPEATABLE_READ, TXN_SERIALIZABLE,
        TXN_READ_COMMITTED,   TXN_REPEATABLE_READ, TXN_REPEATABLE_READ, TXN_SERIALIZABLE};
    return (txn_cc_config){.isolation = iso[cell],
                           .concurrency = cell >= MRC ? TXN_MVCC : TXN_LOCKING,
                           .flavor = cell == MINNO ? TXN_FLAVOR_INNODB : TXN_FLAVOR_POSTGRESQL,
                           .rows = 0};
}

/* One step: op r read, w write (v; F: from the last read), i increment, g range [key, v),
 * c commit, a abort. */
typedef struct step {
    char op;
    int tx; /* 1, 2, 3 */
    uint64_t key;
    int64_t v;
} step;

#define MAX_STEPS 16
typedef struct scenario {
    const char *name;
    step s[MAX_STEPS];
    const char *cell[CELLS];
} scenario;

/* The scenarios read as a table: */
/* clang-format off */
#define R(t, k) {'r', t, k, 0}
#define W(t, k, v) {'w', t, k, v}
#define F(t, k, v) {'F', t, k, v}
#define I(t, k, v) {'i', t, k, v}
#define G(t, lo, hi) {'g', t, lo, hi}
#define C(t) {'c', t, 0, 0}
#define A(t) {'a', t, 0, 0}

/* The runner's state: the cc, the three transactions, what woke. */
typedef struct run {
    txn_cc *cc;
    uint32_t h[4];
    bool ended[4];
    int pending[4]; /* the step each blocked transaction waits to run again, -1 */
    const char *pending_tok[4];
    uint32_t woken[8];
    int nwoken;
    const char *what;
} run;

static void on_wake(void *ctx, uint32_t tx) {
    run *r = ctx;
    cr_assert_lt(r->nwoken, 8);
    r->woken[r->nwoken++] = tx;
}

static int tx_of_handle(const run *r, uint32_t h) {
    for (int t = 1; t <= 3; t++)
        if (r->h[t] == h && !r->ended[t])
            return t;
    return 0;
}

/* Checks outcome (st, res) of step sp against token tok (which may be B>...). */
static void check(run *r, const scenario *sc, int i, const char *tok, txn_cc_status st,
                  const txn_result *res) {
    const step *sp = &sc->s[i];
    char got[48];
    if (st == TXN_CC_BLOCKED) {
        cr_assert(strncmp(tok, "B>", 2) == 0, "%s, %s, step %d: blocked, expected %s", sc->name,
                  r->what, i + 1, tok);
        r->pending[sp->tx] = i;
        r->pending_tok[sp->tx] = tok + 2;
        return;
    }
    if (st == TXN_CC_ABORTED) {
        static const char letter[] = {'?', 'D', 'T', 'S', 'K', 'C', 'U'};
        txn_abort_reason why = txn_cc_reason(r->cc, r->h[sp->tx]);
        snprintf(got, sizeof got, "%c", letter[why]);
        r->ended[sp->tx] = true;
    } else if (sp->op == 'r' || sp->op == 'i') {
        if (res->present)
            snprintf(got, sizeof got, "%lld", (long long)res->value);
        else
            snprintf(got, sizeof got, "-");
    } else if (sp->op == 'g') {
        snprintf(got, sizeof got, "#%llu:%lld", (unsigned long long)res->wid,
                 (long long)res->value);
    } else {
        snprintf(got, sizeof got, ".");
        if (sp->op == 'c' || sp->op == 'a')
            r->ended[sp->tx] = true;
    }
    size_t n = strcspn(tok, " *");
    cr_assert(strlen(got) == n && strncmp(got, tok, n) == 0,
              "%s, %s, step %d (T%d %c): got %s, expected %.*s", sc->name, r->what, i + 1,
              sp->tx, sp->op, got, (int)n, tok);
}

static txn_cc_status exec_step(run *r, const scenario *sc, int i, txn_result *res) {
    const step *sp = &sc->s[i];
    uint32_t h = r->h[sp->tx];
    txn_stmt st = {.key = sp->key};
    switch (sp->op) {
    case 'c':
        return txn_cc_commit(r->cc, h, 0);
    case 'a':
        st.kind = TXN_ABORT;
        break;
    case 'r':
        st.kind = TXN_READ;
        break;
    case 'w':
    case 'F':
        st.kind = TXN_WRITE;
        st.value = sp->v;
        st.flags = sp->op == 'F' ? TXN_FROM_READ : 0;
        break;
    case 'i':
        st.kind = TXN_INCREMENT;
        st.value = sp->v;
        break;
    case 'g':
        st.kind = TXN_RANGE;
        st.key_end = (uint64_t)sp->v;
        break;
    }
    return txn_cc_exec(r->cc, h, (unsigned)i, &st, res, 0);
}

/* Runs the transactions woken so far again, in the order woken (and those they wake). */
static bool resume_woken(run *r, const scenario *sc) {
    bool any = false;
    for (int k = 0; k < r->nwoken; k++) {
        int t = tx_of_handle(r, r->woken[k]);
        cr_assert(t && r->pending[t] >= 0, "%s, %s: woke a transaction not waiting", sc->name,
                  r->what);
        any = true;
        int i = r->pending[t];
        const char *tok = r->pending_tok[t];
        r->pending[t] = -1;
        txn_result res = {0};
        txn_cc_status st = exec_step(r, sc, i, &res);
        check(r, sc, i, tok, st, &res);
    }
    r->nwoken = 0;
    return any;
}

static void run_cell(const scenario *sc, int cell) {
    run r = {.what = cell_names[cell]};
    txn_cc_config c = cell_config(cell);
    r.cc = txn_cc_new(&c, NULL, (txn_cc_hooks){.wake = on_wake}, &r);
    cr_assert_not_null(r.cc);
    /* Hermitage's table: 1 => 10, 2 => 20. */
    txn_write init[] = {{.key = 1, .wid = 1, .value = 10}, {.key = 2, .wid = 2, .value = 20}};
    cr_assert_eq(txn_cc_apply(r.cc, 0, init, 2, 0), 0);
    txn_cc_durable(r.cc);
    for (int t = 1; t <= 3; t++) {
        r.h[t] = txn_cc_begin(r.cc, (uint64_t)t, (uint32_t)t, 0);
        r.pending[t] = -1;
    }
    const char *line = sc->cell[cell];
    for (int i = 0; i < MAX_STEPS && sc->s[i].op; i++) {
        while (*line == ' ')
            line++;
        cr_assert(*line, "%s, %s: the line is shorter than the scenario", sc->name, r.what);
        const char *tok = line;
        line += strcspn(line, " ");
        bool wakes = line > tok && line[-1] == '*';
        const step *sp = &sc->s[i];
        if (r.ended[sp->tx]) {
            cr_assert(tok[0] == 'x', "%s, %s, step %d: T%d has ended, expected %.*s", sc->name,
                      r.what, i + 1, sp->tx, (int)(line - tok), tok);
            continue;
        }
        if (r.pending[sp->tx] >= 0) {
            cr_assert(tok[0] == '~', "%s, %s, step %d: T%d is blocked, expected %.*s",
                      sc->name, r.what, i + 1, sp->tx, (int)(line - tok), tok);
            continue;
        }
        cr_assert(tok[0] != 'x' && tok[0] != '~', "%s, %s, step %d: T%d can run, expected %c",
                  sc->name, r.what, i + 1, sp->tx, tok[0]);
        txn_result res = {0};
        txn_cc_status st = exec_step(&r, sc, i, &res);
        check(&r, sc, i, tok, st, &res);
        bool woke = false;
        while (resume_woken(&r, sc))
            woke = true;
        cr_assert_eq(woke, wakes, "%s, %s, step %d: %s", sc->name, r.what, i + 1,
                     woke ? "woke a waiter, not expected" : "expected to wake a waiter");
    }
    while (*line == ' ')
        line++;
    cr_assert(*line == 0, "%s, %s: the line is longer than the scenario", sc->name, r.what);
    for (int t = 1; t <= 3; t++)
        cr_assert(r.pending[t] < 0, "%s, %s: T%d still blocked at the end", sc->name, r.what, t);
    txn_cc_free(r.cc);
}

/* The scenarios (Hermitage's, in its order). */
static const scenario scenarios[] = {
    {"G0 write cycles",
     /* Dirty writes are prevented everywhere: writes take long X locks. PostgreSQL's
      * repeatable read/serializable then abort the blocked writer (first updater wins):
      * Hermitage shows read committed only; the abort is PostgreSQL's "could not serialize
      * access due to concurrent update". */
     {W(1, 1, 11), W(2, 1, 12), W(1, 2, 21), C(1), W(2, 2, 22), C(2), R(3, 1), R(3, 2), C(3)},
     {[LRU] = ". B>. . .* . . 12 22 .", [LRC] = ". B>. . .* . . 12 22 .",
      [LRR] = ". B>. . .* . . 12 22 .", [LSER] = ". B>. . .* . . 12 22 .",
      [MRC] = ". B>. . .* . . 12 22 .", [MPG] = ". B>S . .* x x 11 21 .",
      [MINNO] = ". B>. . .* . . 12 22 .", [MSER] = ". B>S . .* x x 11 21 ."}},
    {"G1a aborted reads",
     /* SQL Server locking read committed blocks the read until the writer ends. */
     {W(1, 1, 101), R(2, 1), A(1), R(2, 1), C(2)},
     {[LRU] = ". 101 U 10 .", [LRC] = ". B>10 U* 10 .", [LRR] = ". B>10 U* 10 .",
      [LSER] = ". B>10 U* 10 .", [MRC] = ". 10 U 10 .", [MPG] = ". 10 U 10 .",
      [MINNO] = ". 10 U 10 .", [MSER] = ". 10 U 10 ."}},
    {"G1b intermediate reads",
     {W(1, 1, 101), R(2, 1), W(1, 1, 11), C(1), R(2, 1), C(2)},
     {[LRU] = ". 101 . . 11 .", [LRC] = ". B>11 . .* 11 .", [LRR] = ". B>11 . .* 11 .",
      [LSER] = ". B>11 . .* 11 .", [MRC] = ". 10 . . 11 .", [MPG] = ". 10 . . 10 .",
      [MINNO] = ". 10 . . 10 .", [MSER] = ". 10 . . 10 ."}},
    {"G1c circular information flow",
     /* Locking: T1's read waits for T2's write lock, T2's read for T1's: T2 closes the cycle
      * and is the victim (SQL Server's message: "chosen as the deadlock victim"). Under SSI
      * each read past the other's uncommitted write is an rw edge: a two-transaction cycle;
      * T1's commit dooms T2 (PostgreSQL's serializable would fail T2 the same way; Hermitage
      * runs this one at read committed only). */
     {W(1, 1, 11), W(2, 2, 22), R(1, 2), R(2, 1), C(1), C(2)},
     {[LRU] = ". . 22 11 . .", [LRC] = ". . B>20 D* . x", [LRR] = ". . B>20 D* . x",
      [LSER] = ". . B>20 D* . x", [MRC] = ". . 20 10 . .", [MPG] = ". . 20 10 . .",
      [MINNO] = ". . 20 10 . .", [MSER] = ". . 20 10 . S"}},
    {"OTV observed transaction vanishes",
     {W(1, 1, 11), W(1, 2, 19), W(2, 1, 12), C(1), R(3, 1), W(2, 2, 18), R(3, 2), C(2), R(3, 2),
      R(3, 1), C(3)},
     {[LRU] = ". . B>. .* 12 . 18 . 18 12 .",
      [LRC] = ". . B>. .* B>12 . ~ .* 18 12 .", [LRR] = ". . B>. .* B>12 . ~ .* 18 12 .",
      [LSER] = ". . B>. .* B>12 . ~ .* 18 12 .",
      [MRC] = ". . B>. .* 11 . 19 . 18 12 .", [MPG] = ". . B>S .* 11 x 19 x 19 11 .",
      [MINNO] = ". . B>. .* 11 . 19 . 19 11 .", [MSER] = ". . B>S .* 11 x 19 x 19 11 ."}},
    {"PMP predicate-many-preceders",
     /* Serializable locking: the range lock makes the insert wait (SQL Server's key-range
      * locks, InnoDB's next-key locks). */
     {G(1, 3, 5), W(2, 3, 30), C(2), G(1, 3, 5), C(1), C(2)},
     {[LRU] = "#0:0 . . #1:30 . x", [LRC] = "#0:0 . . #1:30 . x",
      [LRR] = "#0:0 . . #1:30 . x", [LSER] = "#0:0 B>. ~ #0:0 .* .",
      [MRC] = "#0:0 . . #1:30 . x", [MPG] = "#0:0 . . #0:0 . x",
      [MINNO] = "#0:0 . . #0:0 . x", [MSER] = "#0:0 . . #0:0 . x"}},
    {"P4 lost update (read, then write what was read plus one)",
     /* Locking repeatable read: both hold S, both upgrade: the second upgrader closes the
      * cycle (SQL Server: deadlock). PostgreSQL read committed and InnoDB repeatable read
      * lose T1's update; PostgreSQL repeatable read aborts T2. */
     {R(1, 1), R(2, 1), F(1, 1, 1), F(2, 1, 1), C(1), C(2), R(3, 1), C(3)},
     {[LRU] = "10 10 . B>. .* . 11 .", [LRC] = "10 10 . B>. .* . 11 .",
      [LRR] = "10 10 B>. D* . x 11 .", [LSER] = "10 10 B>. D* . x 11 .",
      [MRC] = "10 10 . B>. .* . 11 .", [MPG] = "10 10 . B>S .* x 11 .",
      [MINNO] = "10 10 . B>. .* . 11 .", [MSER] = "10 10 . B>S .* x 11 ."}},
    {"P4 with increment (UPDATE v = v + 1 in one statement)",
     /* One statement reads and writes after the lock: no update is lost at read committed
      * (PostgreSQL re-reads the newest version after waiting; InnoDB's UPDATE reads the
      * newest committed version). PostgreSQL's repeatable read still aborts. */
     {R(1, 1), R(2, 1), I(1, 1, 1), I(2, 1, 1), C(1), C(2), R(3, 1), C(3)},
     {[LRU] = "10 10 11 B>12 .* . 12 .", [LRC] = "10 10 11 B>12 .* . 12 .",
      [LRR] = "10 10 B>11 D* . x 11 .", [LSER] = "10 10 B>11 D* . x 11 .",
      [MRC] = "10 10 11 B>12 .* . 12 .", [MPG] = "10 10 11 B>S .* x 11 .",
      [MINNO] = "10 10 11 B>12 .* . 12 .", [MSER] = "10 10 11 B>S .* x 11 ."}},
    {"G-single read skew",
     /* Locking repeatable read: T1's long S lock on key 1 makes T2's write wait until T1
      * commits (SQL Server). */
     {R(1, 1), R(2, 1), R(2, 2), W(2, 1, 12), W(2, 2, 18), C(2), R(1, 2), C(1), W(2, 2, 18),
      C(2)},
     {[LRU] = "10 10 20 . . . 18 . x x", [LRC] = "10 10 20 . . . 18 . x x",
      [LRR] = "10 10 20 B>. ~ ~ 20 .* . .", [LSER] = "10 10 20 B>. ~ ~ 20 .* . .",
      [MRC] = "10 10 20 . . . 18 . x x", [MPG] = "10 10 20 . . . 20 . x x",
      [MINNO] = "10 10 20 . . . 20 . x x", [MSER] = "10 10 20 . . . 20 . x x"}},
    {"G2-item write skew",
     /* Locking repeatable read and serializable: each write waits for the other's S lock:
      * deadlock, the second writer is the victim (MySQL serializable, SQL Server). SSI: T1
      * commits first and dooms T2, which fails at commit (PostgreSQL's "could not serialize
      * access due to read/write dependencies among transactions"). */
     {R(1, 1), R(1, 2), R(2, 1), R(2, 2), W(1, 1, 11), W(2, 2, 21), C(1), C(2)},
     {[LRU] = "10 20 10 20 . . . .", [LRC] = "10 20 10 20 . . . .",
      [LRR] = "10 20 10 20 B>. D* . x", [LSER] = "10 20 10 20 B>. D* . x",
      [MRC] = "10 20 10 20 . . . .", [MPG] = "10 20 10 20 . . . .",
      [MINNO] = "10 20 10 20 . . . .", [MSER] = "10 20 10 20 . . . S"}},
    {"G2 anti-dependency cycle with predicates",
     /* Both read the empty range, both insert into it. Locking serializable: each insert
      * waits for the other's range lock: deadlock (MySQL serializable). Locking repeatable
      * read locks rows only: the phantom goes through (SQL Server). SSI: predicate SIREAD
      * locks give the rw edges. */
     {G(1, 3, 5), G(2, 3, 5), W(1, 3, 30), W(2, 4, 42), C(1), C(2)},
     {[LRU] = "#0:0 #0:0 . . . .", [LRC] = "#0:0 #0:0 . . . .",
      [LRR] = "#0:0 #0:0 . . . .", [LSER] = "#0:0 #0:0 B>. D* . x",
      [MRC] = "#0:0 #0:0 . . . .", [MPG] = "#0:0 #0:0 . . . .",
      [MINNO] = "#0:0 #0:0 . . . .", [MSER] = "#0:0 #0:0 . . . S"}},
    {"G2 Fekete et al.'s read-only anomaly (two anti-dependency edges)",
     /* SSI: T1 -rw-> T2 (T1 read key 2 before T2's increment) and T3 -rw-> T1 (T3 read key 1,
      * which T1 then writes); T2 committed first: T1 is the pivot and fails at its write, as
      * in PostgreSQL. Locking repeatable read/serializable: T2 waits for T1's S lock, T3's read
      * of key 2 queues behind T2 (FIFO), T1's upgrade closes the cycle T1 -> T3 -> T2 -> T1:
      * T1, the requester, is the victim (MySQL picks T2 by its own weighing: our rule differs
      * on purpose, it is the textbook one). */
     {R(1, 1), R(1, 2), I(2, 2, 5), C(2), R(3, 1), R(3, 2), C(3), W(1, 1, 0), C(1), C(2), C(3)},
     {[LRU] = "10 20 25 . 10 25 . . . x x", [LRC] = "10 20 25 . 10 25 . . . x x",
      [LRR] = "10 20 B>25 ~ 10 B>25 ~ D* x .* .", [LSER] = "10 20 B>25 ~ 10 B>25 ~ D* x .* .",
      [MRC] = "10 20 25 . 10 25 . . . x x", [MPG] = "10 20 25 . 10 25 . . . x x",
      [MINNO] = "10 20 25 . 10 25 . . . x x", [MSER] = "10 20 25 . 10 25 . S x x x"}},
};

/* clang-format on */

#define NSCEN (sizeof scenarios / sizeof scenarios[0])

Test(isolation, hermitage_locking_read_uncommitted) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], LRU);
}
Test(isolation, hermitage_locking_read_committed) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], LRC);
}
Test(isolation, hermitage_locking_repeatable_read) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], LRR);
}
Test(isolation, hermitage_locking_serializable) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], LSER);
}
Test(isolation, hermitage_mvcc_read_committed) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], MRC);
}
Test(isolation, hermitage_mvcc_repeatable_read_postgresql) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], MPG);
}
Test(isolation, hermitage_mvcc_repeatable_read_innodb) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], MINNO);
}
Test(isolation, hermitage_mvcc_serializable) {
    for (size_t i = 0; i < NSCEN; i++)
        run_cell(&scenarios[i], MSER);
}
