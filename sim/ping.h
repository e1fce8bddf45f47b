/* Health checks: a PING sent to any node that is up is answered by the node's host, whatever
 * its kind (like a TCP health check): the engine turns it into a PONG with the same token back
 * to the sender, and kinds never see the PING. A crashed node drops it, so the checker learns
 * of the crash by a timeout. The PONG also carries the node's load at the instant it answers,
 * as a monitoring agent on the host would report it, when its kind has a `load` hook
 * (sim/kind.h): the orchestrator's autoscaler reads it (docs/control.md, "Autoscaling"). */
#ifndef SIM_PING_H
#define SIM_PING_H

#include "message.h"

#include <stdbool.h>
#include <stdint.h>

/* A node's load at one instant: its workers, how many are busy, and the requests waiting. */
typedef struct sim_load {
    uint32_t busy, workers;
    uint64_t waiting;
} sim_load;

typedef struct sim_ping {
    uint64_t token; /* the checker's own matching value, returned in the PONG */
    bool has_load;  /* PONG: the answering node's kind reported load */
    sim_load load;
} sim_ping;

extern const sim_protocol sim_ping_protocol;
extern const sim_msg_type sim_ping_msg, sim_pong_msg;

#endif
