/* Election: leader election among the instances of one group, the way Raft elects (Ongaro and
 * Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014, §5.2; Ongaro's
 * dissertation, 2014, §3.4), without a log: a vote is granted by term alone.
 *
 *   candidate                     every other instance
 *      │ request_vote {term} ──────▶ │   after its election timeout, in a term of its own
 *      │ ◀──────── vote {term, granted}   one vote per term, to the first who asks
 *   leader
 *      │ heartbeat {term} ─────────▶ │   every `heartbeat`: followers reset their timeout
 *      │ ◀────── heartbeat_ack {term}    what the leader's CheckQuorum counts
 *
 * Every message carries its sender's term, and a receiver that sees a higher term than its own
 * becomes a follower of that term at once (a deposed leader steps down when it hears it). The
 * messages are small control messages; one that reaches a crashed instance is dropped
 * silently (the protocol has no refusal: the sender learns nothing, as with a lost packet). */
#ifndef DSIM_ELECTION_H
#define DSIM_ELECTION_H

#include "node.h"

#include <stdbool.h>
#include <stdint.h>

/* candidate -> all: vote for me in `term`. */
typedef struct el_request_vote {
    uint64_t term;
} el_request_vote;

/* voter -> candidate: the voter's term (after it took the candidate's, if higher) and whether
 * it granted its vote of that term. */
typedef struct el_vote {
    uint64_t term;
    bool granted;
} el_vote;

/* leader -> all: I lead in `term`; and the follower's answer, with its own term. */
typedef struct el_heartbeat {
    uint64_t term;
} el_heartbeat;

extern const sim_protocol el_protocol;
extern const sim_msg_type el_request_vote_msg, el_vote_msg, el_heartbeat_msg, el_heartbeat_ack_msg;

/* The term every message of the protocol carries first. */
static inline uint64_t el_term_of(const sim_msg *m) {
    return *(const uint64_t *)sim_msg_body_const(m);
}

/* Sends a new message of type t from n to dst with body (t's struct). */
void el_send(sim_node *n, uint32_t dst, const sim_msg_type *t, const void *body);

#endif
