/* Transactions: the words every part of dsim's transaction support shares. A transaction is a
 * list of statements (read a key, write it, increment it, read a range of keys, savepoints)
 * that a client sends to a database in one request (protocols/txn_wire.h); the database runs the
 * statements one after another under its concurrency control (txn/cc.h) and answers commit
 * or abort, with what each statement read. What really happened (which version of each key
 * every transaction read and installed) goes to a trace (txn/trace.h) that the anomaly
 * checker (checkers/anomalies.h) judges, and that `--history` exports for Elle.
 *
 * Keys are whole numbers (kv_data.key). A script may name keys ("alice"): a name is mapped to
 * a key with the top bit set (txn_key_of_name), so named keys never meet numbered ones and
 * ranges go over numbered keys only.
 *
 * Values. A row holds a number (int64_t: a balance, a counter) and is known by the write that
 * installed it: its write id, unique in the run, which is what a history shows (Elle needs
 * every written value of a key to be unique). Write id 0 is the row's initial state: present
 * with the database's initial value for the keys 0 .. rows-1 it starts with, absent for the
 * others. A write's id is made by txn_write_id from the attempt's request id and the
 * statement's position, so the client knows it without asking. */
#ifndef DSIM_TXN_H
#define DSIM_TXN_H

#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

/* The most statements one transaction has. */
#define TXN_MAX_STMTS 32

/* What one statement does. */
typedef enum {
    TXN_READ,         /* SELECT v WHERE k = key */
    TXN_WRITE,        /* UPDATE (or INSERT) k = key SET v = value; with TXN_FROM_READ, SET v =
                         (this transaction's last read of key) + value: the client-side
                         read-modify-write that loses updates */
    TXN_INCREMENT,    /* UPDATE k = key SET v = v + value: one statement, read and write */
    TXN_RANGE,        /* SELECT count(*), sum(v) WHERE key <= k < key_end: the phantom case */
    TXN_SAVEPOINT,    /* SAVEPOINT number */
    TXN_ROLLBACK_TO,  /* ROLLBACK TO SAVEPOINT number: undoes the writes made since */
    TXN_ABORT,        /* ROLLBACK: the transaction ends aborted by its own choice */
    TXN_STMT_KINDS
} txn_stmt_kind;
/* Their names in scripts and documents ("read", "write", "increment", "range", "savepoint",
 * "rollback_to", "abort"), in the enum's order. */
extern const char *const txn_stmt_names[];

/* txn_stmt.flags */
#define TXN_FROM_READ 1u /* TXN_WRITE: value is added to the transaction's last read of key */

typedef struct txn_stmt {
    uint64_t key;     /* read, write, increment: the key; range: the first key */
    union {
        int64_t value;    /* write: the value (or the amount added, TXN_FROM_READ); increment:
                             the amount added */
        uint64_t key_end; /* range: one past the last key */
        uint64_t number;  /* savepoint, rollback_to: the savepoint's number */
    };
    sim_time think; /* waited before the statement is sent (a think time, or a script's gap) */
    uint8_t kind;   /* txn_stmt_kind */
    uint8_t flags;  /* TXN_FROM_READ */
} txn_stmt;

/* What a statement returned. */
typedef struct txn_result {
    uint64_t wid;  /* read, write, increment: the write id of the version read or installed
                      (0: the initial state); range: rows matched */
    int64_t value; /* read, increment: the value read / installed; range: the sum of values */
    bool present;  /* read: the row exists (a read of an absent row returns 0, not present) */
    uint64_t prior; /* increment: the write id of the version it read and replaced (0: the
                       initial state), which a history shows as the increment's read */
} txn_result;

/* The write id of statement `stmt` of the attempt whose request id is `attempt`. */
static inline uint64_t txn_write_id(uint64_t attempt, unsigned stmt) {
    return attempt * TXN_MAX_STMTS + stmt + 1;
}

/* The key a script's name stands for: FNV-1a of the name with the top bit set. */
uint64_t txn_key_of_name(const char *name);
/* True for a key that stands for a name. */
static inline bool txn_key_is_named(uint64_t key) { return (key >> 63) != 0; }

/* Isolation levels (SQL-92 names) and the concurrency control that provides them; the table
 * of which engine each combination follows is in docs/isolation.md. */
typedef enum {
    TXN_READ_UNCOMMITTED,
    TXN_READ_COMMITTED,
    TXN_REPEATABLE_READ,
    TXN_SERIALIZABLE,
    TXN_ISOLATIONS
} txn_isolation;
extern const char *const txn_isolation_names[]; /* "read_uncommitted", ... NULL-terminated */

typedef enum { TXN_LOCKING, TXN_MVCC, TXN_CONCURRENCIES } txn_concurrency;
extern const char *const txn_concurrency_names[]; /* "locking", "mvcc", NULL-terminated */

/* Repeatable read under MVCC: PostgreSQL's snapshot isolation (a write of a row another
 * transaction changed since the snapshot aborts: first updater wins) or InnoDB's (reads from
 * the snapshot, writes to the newest version: lost updates possible). */
typedef enum { TXN_FLAVOR_POSTGRESQL, TXN_FLAVOR_INNODB, TXN_FLAVORS } txn_flavor;
extern const char *const txn_flavor_names[]; /* "postgresql", "innodb", NULL-terminated */

/* Why a transaction ended aborted. */
typedef enum {
    TXN_ABORT_NONE,          /* it committed (or has not ended) */
    TXN_ABORT_DEADLOCK,      /* chosen as the victim of a cycle in the wait-for graph */
    TXN_ABORT_LOCK_TIMEOUT,  /* waited for a lock longer than lock_timeout */
    TXN_ABORT_SERIALIZATION, /* a write-write conflict (first updater or committer wins) or a
                                dangerous structure of serializable snapshot isolation */
    TXN_ABORT_CONSTRAINT,    /* a write would break the database's constraint (min_value) */
    TXN_ABORT_CRASH,         /* the database crashed or lost its primary role meanwhile */
    TXN_ABORT_USER,          /* the transaction's own ROLLBACK */
    TXN_ABORT_REASONS
} txn_abort_reason;
/* Their names in documents ("deadlock", "lock_timeout", "serialization", "constraint",
 * "crash", "user"); index 0 is "none". */
extern const char *const txn_abort_names[];

#endif
