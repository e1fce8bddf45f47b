/* The replication protocol: what the instances of one database cluster tell each other. It is
 * private to the database kind (no other kind speaks it, so it has no bit for references).
 *
 * Who leads is a view: an epoch and the instance index of its primary. Heartbeats (answered by
 * a heartbeat ack), a new primary's announcement and an election poll carry the sender's view.
 * A replica subscribes to the primary of its epoch and gets one snapshot: every key with its
 * version, and the log position it is as recent as. From then on the primary ships each log
 * entry, and the replica reports the contiguous position it applied; a poll is answered with
 * the responder's position. Positions count entries of one epoch from 1.
 *
 * Messages of this protocol reaching a crashed instance are dropped silently (no refusal
 * hook): the sender learns of the crash by a timeout, as over a real replication link. */
#ifndef DSIM_DB_REPLICATION_H
#define DSIM_DB_REPLICATION_H

#include "message.h"
#include "simtime.h"

#include <stdint.h>

/* An epoch and its primary: heartbeat, heartbeat_ack, announce and poll carry the sender's. */
typedef struct repl_view {
    uint32_t epoch;
    uint32_t primary; /* instance index within the cluster */
} repl_view;

/* subscribe: a replica asks the primary of `epoch` for a snapshot; seq numbers its
 * subscriptions, so that the answer to an abandoned one is recognised. */
typedef struct repl_subscribe {
    uint32_t epoch;
    uint32_t seq;
} repl_subscribe;

/* One key of a snapshot. */
typedef struct repl_kv {
    uint64_t key;
    uint64_t version;
} repl_kv;

/* snapshot: the primary's whole store, in one message sized for its keys
 * (sim_msg_new_sized), answering subscription (epoch, seq). */
typedef struct repl_snapshot {
    uint32_t epoch;
    uint32_t seq;
    uint64_t position; /* the primary's log position the snapshot includes */
    uint64_t count;    /* entries in kv */
    uint64_t rows;     /* the cc's rows transactions wrote (txn_write), after kv[count] */
    repl_kv kv[];
} repl_snapshot;

/* entry: the primary's log entry at `position` of `epoch`: key is now at version. */
typedef struct repl_entry {
    uint32_t epoch;
    uint64_t position;
    uint64_t key;
    uint64_t version;
    sim_time committed; /* when the primary committed it (replication lag starts there) */
    /* A transaction's write (txn_n > 0): the transaction is the txn_n entries from position
     * txn_first on, applied together once all arrived; the cc's row it installs. */
    uint64_t txn_first;
    uint32_t txn_n;
    uint64_t txn_id, wid;
    int64_t value;
} repl_entry;

/* applied (a replica's contiguous position, to the primary) and position (the answer to a
 * poll: the responder's position in epoch). */
typedef struct repl_position {
    uint32_t epoch;
    uint64_t position;
} repl_position;

extern const sim_protocol repl_protocol;
extern const sim_msg_type repl_heartbeat_msg, repl_heartbeat_ack_msg, repl_announce_msg,
    repl_poll_msg, repl_subscribe_msg, repl_snapshot_msg, repl_entry_msg, repl_applied_msg,
    repl_position_msg;

/* The snapshot's bytes on the wire for count keys and `rows` cc rows. */
uint32_t repl_snapshot_wire_bytes(uint64_t count, uint64_t rows);

#endif
