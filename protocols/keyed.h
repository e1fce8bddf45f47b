/* Keyed data: what a data tier (a database, a cache, a kv_store) says of the value it served,
 * so that the client can hand the outcome to the consistency checker. Carried inside a
 * request (protocols/request.h) from the client to the data tier and back: the request names
 * the key, and the reply the version written or returned, the data store it belongs to and
 * the node that supplied it. */
#ifndef DSIM_KEYED_H
#define DSIM_KEYED_H

#include <stdbool.h>
#include <stdint.h>

typedef struct kv_data {
    uint64_t key;       /* the key read or written */
    uint64_t version;   /* writes: the version written; reads, once served: the version read */
    uint32_t store;     /* once served: the data store `version` belongs to (the node naming it) */
    uint32_t served_by; /* once served: the node that supplied `version` */
    bool served;        /* a data tier answered: version, store and served_by are set */
    bool keyed;         /* the client chose the key (its `keys` is given): a stream places
                           the message by it; otherwise round robin */
} kv_data;

/* Node `by` answers with `version` of data store `store` (for a cache: the store its entry
 * came from). */
static inline void kv_serve(kv_data *d, uint32_t by, uint32_t store, uint64_t version) {
    d->version = version;
    d->store = store;
    d->served_by = by;
    d->served = true;
}

/* A node relaying a data tier's answer to its own caller copies what the answer says of the
 * data onto the request it answers. */
static inline void kv_take(kv_data *to, const kv_data *from) {
    if (from->served) {
        to->version = from->version;
        to->store = from->store;
        to->served_by = from->served_by;
        to->served = true;
    }
}

#endif
