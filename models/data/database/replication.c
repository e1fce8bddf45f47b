/* The replication protocol's message types (replication.h). Sizes on the wire matter only
 * where a link or an interface has a bandwidth; they are those of a MySQL-like binlog stream:
 * a control message is a small segment, an entry a row event with its header. */
#include "replication.h"

#include <stddef.h>

/* No refusal hook: a crashed instance drops replication traffic without a word. */
const sim_protocol repl_protocol = {.name = "replication"};

#define CONTROL_BYTES 64u
#define ENTRY_BYTES 128u

const sim_msg_type repl_heartbeat_msg = {.name = "heartbeat",
                                         .protocol = &repl_protocol,
                                         .body_size = sizeof(repl_view),
                                         .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_heartbeat_ack_msg = {.name = "heartbeat_ack",
                                             .protocol = &repl_protocol,
                                             .body_size = sizeof(repl_view),
                                             .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_announce_msg = {.name = "announce",
                                        .protocol = &repl_protocol,
                                        .body_size = sizeof(repl_view),
                                        .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_poll_msg = {.name = "poll",
                                    .protocol = &repl_protocol,
                                    .body_size = sizeof(repl_view),
                                    .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_subscribe_msg = {.name = "subscribe",
                                         .protocol = &repl_protocol,
                                         .body_size = sizeof(repl_subscribe),
                                         .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_snapshot_msg = {.name = "snapshot",
                                        .protocol = &repl_protocol,
                                        .body_size = sizeof(repl_snapshot),
                                        .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_entry_msg = {.name = "entry",
                                     .protocol = &repl_protocol,
                                     .body_size = sizeof(repl_entry),
                                     .wire_bytes = ENTRY_BYTES};
const sim_msg_type repl_applied_msg = {.name = "applied",
                                       .protocol = &repl_protocol,
                                       .body_size = sizeof(repl_position),
                                       .wire_bytes = CONTROL_BYTES};
const sim_msg_type repl_position_msg = {.name = "position",
                                        .protocol = &repl_protocol,
                                        .body_size = sizeof(repl_position),
                                        .wire_bytes = CONTROL_BYTES};

uint32_t repl_snapshot_wire_bytes(uint64_t count, uint64_t rows) {
    /* A key and its version per entry, after the snapshot's own header; a cc row is a key,
     * its write id and its value. */
    uint64_t bytes = CONTROL_BYTES + count * sizeof(repl_kv) + rows * 3 * sizeof(uint64_t);
    return bytes < UINT32_MAX ? (uint32_t)bytes : UINT32_MAX;
}
