/* Leader election among the orchestrator's instances, as Raft elects (Ongaro and Ousterhout
 * 2014, §5.2 and Figure 2; Ongaro's dissertation, 2014, §3.4), without a log: a vote is granted
 * by term alone, to the first candidate of the term that asks.
 *
 * Every instance starts a follower with an election timer drawn from `election_timeout`
 * (redrawn at every reset). A follower resets it when it hears a heartbeat of the current
 * leader or grants a vote; when it fires, the instance stands in a new term: it votes for
 * itself and asks every other instance. A majority of the whole group (floor(N/2) + 1) makes
 * it leader, so the minority side of a partition never elects; a candidate that hears a
 * heartbeat of its own term follows that leader, and one whose timer fires again stands
 * again in the next term (split votes are broken by the random timeouts). Any message with a
 * higher term makes the receiver a follower of that term at once: a deposed leader steps down
 * when it hears it.
 *
 * CheckQuorum (dissertation §6.2; etcd's raft): a leader that has not heard from a majority
 * (itself included) within an election timeout steps down, which bounds how long a leader cut
 * off by a partition believes it leads. Not modelled: PreVote (§9.6), so an instance cut off
 * alone keeps raising its term and disrupts the leader when the partition heals, as plain
 * Raft does. */
#include "election.h"
#include "orchestrator_int.h"

#include <string.h>

static sim_time draw_timeout(sim_node *n) {
    const orch_config *c = sim_config(n);
    return (sim_time)sim_dist_sample(&c->election_timeout, sim_rng(n));
}

static void reset_timer(sim_node *n) {
    orch_state *s = sim_state(n);
    sim_cancel_timer(n, &s->election);
    s->election = sim_set_timer(n, draw_timeout(n), T_ELECTION, 0);
}

/* Sends t with body to every other instance of the group. */
static void broadcast(sim_node *n, const sim_msg_type *t, const void *body) {
    orch_state *s = sim_state(n);
    for (uint32_t i = 0; i < s->group.count; i++)
        if (s->group.first + i != sim_node_id(n))
            el_send(n, s->group.first + i, t, body);
}

static void send_heartbeats(sim_node *n) {
    orch_state *s = sim_state(n);
    el_heartbeat hb = {.term = s->term};
    broadcast(n, &el_heartbeat_msg, &hb);
}

/* The leader no longer believes it leads: its timers stop and its watching ends. */
static void stop_leading(sim_node *n) {
    orch_state *s = sim_state(n);
    sim_cancel_timer(n, &s->heartbeat);
    sim_cancel_timer(n, &s->quorum);
    leadership_step_down(leadership_of(n), sim_node_id(n), sim_now(n));
    s->is_leader = 0;
    s->stepped_down++;
    orch_watch_end(n);
}

/* Becomes a follower of term (a higher one, or its own when a leader of it exists or its
 * quorum is lost); the election timer keeps running, or starts if it was leading. */
static void become_follower(sim_node *n, uint64_t term) {
    orch_state *s = sim_state(n);
    bool was_leader = s->role == ROLE_LEADER;
    if (was_leader)
        stop_leading(n);
    if (term > s->term) {
        s->term = term;
        s->voted_for = ORCH_NONE;
        s->leader = ORCH_NONE;
    }
    s->role = ROLE_FOLLOWER;
    if (was_leader || !sim_timer_pending(n, &s->election))
        reset_timer(n);
}

static void quorum_timer(sim_node *n) {
    orch_state *s = sim_state(n);
    s->quorum = sim_set_timer(n, draw_timeout(n), T_QUORUM, 0);
    memset(s->active, 0, s->group.count * sizeof *s->active);
}

static void become_leader(sim_node *n) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    s->role = ROLE_LEADER;
    s->leader = sim_node_id(n);
    s->is_leader = 1;
    s->became_leader++;
    sim_cancel_timer(n, &s->election);
    leadership_checker *lc = leadership_of(n);
    if (leadership_leader(lc, sim_node_id(n), s->term, sim_now(n)))
        sim_out_of_memory(n);
    leadership_claim(lc, s->term); /* the fencing token: the API now knows this term */
    send_heartbeats(n);
    s->heartbeat = sim_set_timer(n, c->heartbeat, T_HEARTBEAT, 0);
    if (c->check_quorum && s->majority > 1)
        quorum_timer(n);
    orch_watch_begin(n);
}

static void stand(sim_node *n) {
    orch_state *s = sim_state(n);
    s->term++;
    s->role = ROLE_CANDIDATE;
    s->voted_for = sim_node_id(n);
    s->leader = ORCH_NONE;
    s->votes = 1;
    s->elections++;
    if (leadership_candidacy(leadership_of(n), sim_node_id(n), s->term, sim_now(n)))
        sim_out_of_memory(n);
    reset_timer(n);
    if (s->votes >= s->majority) { /* a group of one */
        become_leader(n);
        return;
    }
    el_request_vote rv = {.term = s->term};
    broadcast(n, &el_request_vote_msg, &rv);
}

void orch_election_start(sim_node *n) {
    orch_state *s = sim_state(n);
    s->role = ROLE_FOLLOWER;
    s->leader = ORCH_NONE;
    s->is_leader = 0;
    reset_timer(n);
}

void orch_election_crash(sim_node *n) {
    orch_state *s = sim_state(n);
    if (s->role == ROLE_LEADER)
        stop_leading(n);
    s->role = ROLE_FOLLOWER; /* term and voted_for survive: they are on disk */
}

static void on_request_vote(sim_node *n, uint32_t from, uint64_t term) {
    orch_state *s = sim_state(n);
    el_vote v = {.term = s->term, .granted = false};
    if (term == s->term && s->role == ROLE_FOLLOWER &&
        (s->voted_for == ORCH_NONE || s->voted_for == from)) {
        s->voted_for = from;
        s->votes_granted++;
        v.granted = true;
        reset_timer(n);
    }
    el_send(n, from, &el_vote_msg, &v);
}

static void on_vote(sim_node *n, uint64_t term, bool granted) {
    orch_state *s = sim_state(n);
    if (s->role != ROLE_CANDIDATE || term != s->term || !granted)
        return;
    if (++s->votes >= s->majority)
        become_leader(n);
}

static void on_heartbeat(sim_node *n, uint32_t from, uint64_t term) {
    orch_state *s = sim_state(n);
    if (term == s->term && s->role != ROLE_LEADER) {
        if (s->role == ROLE_CANDIDATE)
            become_follower(n, term);
        s->leader = from;
        reset_timer(n);
    }
    /* The answer carries the receiver's term: a stale leader learns of the higher one. */
    el_heartbeat ack = {.term = s->term};
    el_send(n, from, &el_heartbeat_ack_msg, &ack);
}

void orch_election_receive(sim_node *n, sim_msg *m) {
    orch_state *s = sim_state(n);
    uint32_t from = m->src;
    uint64_t term = el_term_of(m);
    if (term > s->term)
        become_follower(n, term);
    if (m->type == &el_request_vote_msg)
        on_request_vote(n, from, term);
    else if (m->type == &el_vote_msg)
        on_vote(n, term, ((const el_vote *)sim_msg_body(m))->granted);
    else if (m->type == &el_heartbeat_msg)
        on_heartbeat(n, from, term);
    else if (m->type == &el_heartbeat_ack_msg && s->role == ROLE_LEADER && term == s->term)
        s->active[from - s->group.first] = true;
    sim_msg_free(n, m);
}

void orch_election_timer(sim_node *n, uint16_t tag) {
    orch_state *s = sim_state(n);
    const orch_config *c = sim_config(n);
    if (tag == T_ELECTION) {
        s->election = (sim_timer){0};
        stand(n);
    } else if (tag == T_HEARTBEAT) {
        send_heartbeats(n);
        s->heartbeat = sim_set_timer(n, c->heartbeat, T_HEARTBEAT, 0);
    } else if (tag == T_QUORUM) {
        uint32_t heard = 1; /* itself */
        for (uint32_t i = 0; i < s->group.count; i++)
            heard += s->active[i] && s->group.first + i != sim_node_id(n);
        s->quorum = (sim_timer){0};
        if (heard < s->majority)
            become_follower(n, s->term); /* steps down in its own term */
        else
            quorum_timer(n);
    }
}
