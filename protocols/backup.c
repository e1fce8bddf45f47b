/* The backup protocol's message types (backup.h). Control messages are a small segment; a
 * backup or a restored part carries its data. */
#include "backup.h"

#include "node.h"
#include "protocols.h"

/* No refusal hook: a message to a crashed node is dropped without a word. */
const sim_protocol bk_protocol = {.name = "backup", .bit = DSIM_PROTO_BACKUP};

#define CONTROL_BYTES 64u

const sim_msg_type bk_put_msg = {.name = "backup",
                                 .protocol = &bk_protocol,
                                 .body_size = sizeof(bk_put),
                                 .wire_bytes = CONTROL_BYTES};
const sim_msg_type bk_done_msg = {.name = "backup_done",
                                  .protocol = &bk_protocol,
                                  .body_size = sizeof(bk_done),
                                  .wire_bytes = CONTROL_BYTES};
const sim_msg_type bk_ask_msg = {.name = "restore_ask",
                                 .protocol = &bk_protocol,
                                 .body_size = sizeof(bk_ask),
                                 .wire_bytes = CONTROL_BYTES};
const sim_msg_type bk_part_msg = {.name = "restore_part",
                                  .protocol = &bk_protocol,
                                  .body_size = sizeof(bk_part),
                                  .wire_bytes = CONTROL_BYTES};

uint32_t bk_wire_bytes(uint64_t bytes) {
    return bytes < UINT32_MAX - CONTROL_BYTES ? (uint32_t)(CONTROL_BYTES + bytes) : UINT32_MAX;
}

sim_msg *bk_put_new(sim_node *n, uint64_t count) {
    return sim_msg_new_sized(n, &bk_put_msg, sizeof(bk_put) + count * sizeof(bk_kv));
}

sim_msg *bk_part_new(sim_node *n, uint64_t count) {
    return sim_msg_new_sized(n, &bk_part_msg, sizeof(bk_part) + count * sizeof(bk_kv));
}
