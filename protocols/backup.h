/* Backups: what a data store (a database) and its backup store (backup_store) tell each
 * other. The store ships each backup as one message whose size on the wire is the data it
 * carries (its keys times the store's value size, after a header), so that the network's
 * bandwidth gives the transfer time and the transfer competes with the sender's other
 * traffic; the backup store answers with a small receipt. A restore is one small ask,
 * answered with the backups to apply, one message each, in the order they were taken: the
 * newest full backup and the incrementals since. Keys travel with the versions they held at
 * the backup point (values are not modelled: docs/backup.md).
 *
 * Messages of this protocol reaching a crashed node are dropped (no refusal hook): a backup
 * sent to a crashed store is lost, like a transfer cut off. */
#ifndef DSIM_BACKUP_H
#define DSIM_BACKUP_H

#include "message.h"
#include "node.h"
#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

/* One key of a backup and the version it held at the backup point. */
typedef struct bk_kv {
    uint64_t key;
    uint64_t version;
} bk_kv;

/* put (data store -> backup store): backup number seq of the data store `source` (the node
 * naming it: a database cluster's first instance), full or incremental, capturing the state
 * at `point`. Sized for its keys (sim_msg_new_sized). */
typedef struct bk_put {
    uint32_t source;
    uint32_t seq;
    bool full;
    sim_time point;
    uint64_t bytes; /* the data it carries (the size on the wire, before the cap of a uint32) */
    uint64_t count; /* entries in kv */
    bk_kv kv[];
} bk_put;

/* done (backup store -> sender): backup seq is complete in the catalog since `completed`. */
typedef struct bk_done {
    uint32_t seq;
    sim_time point;
    sim_time completed;
} bk_done;

/* ask (data store -> backup store): send the backups a restore of `source` needs. */
typedef struct bk_ask {
    uint32_t source;
    uint32_t seq; /* numbers the asks of one instance, so that an answer to an old one is known */
} bk_ask;

/* part (backup store -> asker): backup `index` of `parts` (0 parts: the catalog holds none;
 * then this one message, with no keys), answering ask seq. */
typedef struct bk_part {
    uint32_t seq;
    uint32_t index, parts;
    bool full;
    sim_time point;
    uint64_t bytes;
    uint64_t count;
    bk_kv kv[];
} bk_part;

extern const sim_protocol bk_protocol;
extern const sim_msg_type bk_put_msg, bk_done_msg, bk_ask_msg, bk_part_msg;

/* The wire size of a backup (or a part) carrying `bytes` of data: a header and the data,
 * capped at what a message's size holds. */
uint32_t bk_wire_bytes(uint64_t bytes);

/* A new put or part message with room for count keys, or NULL when beyond the largest message
 * the engine makes. */
sim_msg *bk_put_new(sim_node *n, uint64_t count);
sim_msg *bk_part_new(sim_node *n, uint64_t count);

#endif
