/* The leadership checker: what really happened in a group of instances that elect a leader
 * (the orchestrator, models/control/orchestrator), judged from the ground truth its instances
 * tell it, not from what any of them believes. They tell it of every candidacy, every
 * become-leader and every step-down (a crash included), with node, term and time; of every
 * action a leader takes on the servers it watches; and of every incident of a watched server
 * (it went down, the leader detected it, a replacement booted and joined).
 *
 * From that it reports, under the document's "leadership" key (docs/results.md): elections
 * and terms, split votes (a term in which two or more stood and no one won, and a later term
 * began) and lost elections (no one won, however many stood), the leaderless time (no instance
 * believes it leads), the most leaders any one term had (Raft's Election Safety: at most 1,
 * always), the time during which two or more instances believed they led at once (possible across
 * terms: a deposed leader that has not yet heard of the higher term), the stale actions (taken in a
 * term below the highest a leader claimed), the replacements and, per incident, when the server
 * went down, when it was detected and when it served again.
 *
 * It is also the "cloud API" the leaders act through, for fencing (Kleppmann, Designing
 * Data-Intensive Applications, 2017, ch. 8, "fencing tokens"): every new leader presents its
 * term (leadership_claim) and every action carries it; with fencing the API refuses a term
 * lower than the highest it has seen. That highest term is this run's, kept here, so that
 * engines side by side share nothing. */
#ifndef DSIM_LEADERSHIP_H
#define DSIM_LEADERSHIP_H

#include "checker.h"
#include "node.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct leadership_checker leadership_checker;

/* The checker kind: the document's "leadership" key, present when an instance told it
 * anything. */
extern const sim_checker_kind dsim_leadership_checker;

/* The run's checker, for a hook of a kind that lists dsim_leadership_checker. */
static inline leadership_checker *leadership_of(sim_node *n) {
    return sim_checker(n, &dsim_leadership_checker);
}

#define LEADERSHIP_NONE UINT32_MAX
/* The incident of a boot that adds a server (a scale-out): it replaces nothing. */
#define LEADERSHIP_SCALING (UINT32_MAX - 1)

/* Returns a new empty checker for a run of topo (borrowed; NULL for a test without one),
 * NULL when out of memory; the engine makes the run's own. */
leadership_checker *leadership_new(const sim_topology *topo);
void leadership_free(leadership_checker *lc);

/* Instance node stood for election in term at time at. Returns 0, or -1 when out of memory
 * (every call that returns int). */
int leadership_candidacy(leadership_checker *lc, uint32_t node, uint64_t term, sim_time at);
/* node became leader of term at `at` / stopped believing it leads (stepped down, or crashed). */
int leadership_leader(leadership_checker *lc, uint32_t node, uint64_t term, sim_time at);
void leadership_step_down(leadership_checker *lc, uint32_t node, sim_time at);

/* A new leader presents its term to the API: the highest term seen rises to it. */
void leadership_claim(leadership_checker *lc, uint64_t term);
/* node, leading in term, acts on a server at `at`. The action is stale when term is below
 * the highest term seen; with fencing a stale action is refused. Returns whether the action
 * goes ahead (counted as executed). */
bool leadership_action(leadership_checker *lc, uint32_t node, uint64_t term, bool fencing);

/* The count of watched servers to keep, as the API records it (a Deployment's `replicas`):
 * set by a leader's scaling action (the orchestrator's autoscaler), read by a new leader;
 * LEADERSHIP_NONE until one is set. */
void leadership_set_desired(leadership_checker *lc, uint32_t count);
uint32_t leadership_desired(const leadership_checker *lc);

/* The leader detected that server stopped answering, at `at`; down_since is when it went down
 * (sim_node_down_since: SIM_TIME_NONE when it is up, a false suspicion, as across a
 * partition). Sets *incident to its id. */
int leadership_incident(leadership_checker *lc, uint32_t server, sim_time down_since, sim_time at,
                        uint32_t *incident);
/* The oldest incident with no replacement booting and none joined yet (LEADERSHIP_NONE: none),
 * for a leader that boots a replacement the group lacks (after a failover) to label it. */
uint32_t leadership_unreplaced(const leadership_checker *lc);
/* A replacement (instance `replacement`) began booting for incident (LEADERSHIP_NONE: a boot
 * for no incident, the group being short at the start); it was abandoned (its leader crashed
 * or stepped down); it joined the group at `at` and serves (a boot for no incident closes the
 * oldest incident still open; a boot for LEADERSHIP_SCALING is no replacement and counts in
 * none of these but the abandoned boots). */
void leadership_boot_started(leadership_checker *lc, uint32_t incident, uint32_t replacement);
void leadership_boot_abandoned(leadership_checker *lc, uint32_t incident);
void leadership_boot_joined(leadership_checker *lc, uint32_t incident, sim_time at);
/* At the end: server is down since down_since and no incident of it is open (never detected),
 * so that the time-average of servers down counts it. */
int leadership_undetected(leadership_checker *lc, uint32_t server, sim_time down_since);

/* What one term saw, for tests: its candidacies (the first two times: SIM_TIME_NONE when
 * fewer), its leaders and when the first was elected (SIM_TIME_NONE: none). */
typedef struct leadership_term {
    uint32_t candidates, leaders;
    sim_time first_candidacy, second_candidacy, elected;
    uint32_t leader; /* the first leader (LEADERSHIP_NONE: none) */
} leadership_term;
/* Term t's record (zeroed, times SIM_TIME_NONE, when no one reached it); highest: the highest
 * term any instance reached. */
leadership_term leadership_term_info(const leadership_checker *lc, uint64_t t);
uint64_t leadership_highest_term(const leadership_checker *lc);

#endif
