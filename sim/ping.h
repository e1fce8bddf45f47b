/* Health checks: a PING sent to any node that is up is answered by the node's host, whatever
 * its kind (like a TCP health check): the engine turns it into a PONG with the same token back
 * to the sender, and kinds never see the PING. A crashed node drops it, so the checker learns
 * of the crash by a timeout. */
#ifndef SIM_PING_H
#define SIM_PING_H

#include "message.h"

#include <stdint.h>

typedef struct sim_ping {
    uint64_t token; /* the checker's own matching value, returned in the PONG */
} sim_ping;

extern const sim_protocol sim_ping_protocol;
extern const sim_msg_type sim_ping_msg, sim_pong_msg;

#endif
