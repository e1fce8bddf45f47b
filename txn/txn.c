/* The names of txn.h's words, and a script's key names. */
#include "txn.h"

#include <stddef.h>

const char *const txn_stmt_names[] = {"read",      "write",       "increment", "range",
                                      "savepoint", "rollback_to", "abort",     NULL};
const char *const txn_isolation_names[] = {"read_uncommitted", "read_committed",
                                           "repeatable_read", "serializable", NULL};
const char *const txn_concurrency_names[] = {"locking", "mvcc", NULL};
const char *const txn_flavor_names[] = {"postgresql", "innodb", NULL};
const char *const txn_abort_names[] = {"none",       "deadlock", "lock_timeout", "serialization",
                                       "constraint", "crash",    "user",         NULL};

uint64_t txn_key_of_name(const char *name) {
    /* FNV-1a, 64 bits (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/). */
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211u;
    }
    return h | (1ull << 63);
}
