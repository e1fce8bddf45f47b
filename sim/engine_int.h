/* Engine internals shared by engine.c, node.c and fault.c; nothing outside sim/ includes it. */
#ifndef SIM_ENGINE_INT_H
#define SIM_ENGINE_INT_H

#include "checker.h"
#include "engine.h"
#include "hist.h"
#include "ledger.h"
#include "metrics.h"
#include "net.h"
#include "node.h"
#include "pool.h"
#include "queue.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>

/* Size classes of event blocks: 64 bytes (a timer, a fault, a header-only message) doubling
 * up to 64 MiB (a message's body of about as much). */
#define SIM_BLOCK_MIN 64u
#define SIM_BLOCK_CLASSES 21
/* The spare message's body: what sim_msg_new hands out when memory runs out. */
#define SIM_SPARE_BODY 1024u

/* Bytes of kind state kept inside the node record (a PHOLD replica's); larger states live in
 * one slab per group. */
#define SIM_NODE_INLINE_STATE 24
/* Bytes of random-stream state kept inside the node record (taus2 needs 24). */
#define SIM_NODE_RNG_STATE 24

/* Every hop of a message touches the record of a node picked at random, so a record is two
 * adjacent cache lines (128 bytes, 64-aligned) holding what a hop reads: the kind, the state
 * (inline when small), the random stream's header and state, the config. */
struct sim_node {
    _Alignas(64) sim_engine *eng;
    const sim_kind *kind;
    void *state; /* state_inline, the node's share of its group's slab, or NULL */
    gsl_rng rng; /* its state is rng_state, or a block of its own when larger */
    uint32_t id;
    uint32_t epoch; /* incarnation: bumped at each crash, so older timers are dropped */
    bool crashed;
    bool member; /* in its group now (membership.h) */
    bool owns_slab; /* the group's first instance: state is the slab's start */
    double slow;
    const void *config; /* topo->config, read by many kinds at every message */
    const sim_topo_node *topo;
    _Alignas(8) unsigned char rng_state[SIM_NODE_RNG_STATE];
    _Alignas(8) unsigned char state_inline[SIM_NODE_INLINE_STATE];
};
_Static_assert(sizeof(struct sim_node) <= 128, "a node record is two cache lines");

/* One line of the fault log in the result document. */
typedef struct sim_sampler sim_sampler;

/* The phases of a fault action: its start, its end after `duration`, and for a scale with a
 * downtime the end of the reboot (of the start's or of the end's). */
typedef enum { SIM_PHASE_START, SIM_PHASE_END, SIM_PHASE_READY } sim_fault_phase;

typedef struct sim_fault_log {
    sim_time at;
    const sim_fault *fault;
    bool undo;
    bool ready; /* a scale's reboot ended */
    uint32_t instance; /* add, remove: the instance that moved (SIM_NO_NODE: none could) */
} sim_fault_log;

struct sim_engine {
    /* The topology run: the caller's, or, when it has a nemesis, own_topo, a shallow copy
     * whose fault list has the drawn faults after the written ones (in arena). */
    const sim_topology *topo;
    sim_topology own_topo;
    sim_arena *arena;
    uint64_t seed;
    sim_time now, end, warmup;
    uint64_t seq, events, next_id;
    sim_queue *queue;
    sim_pool blocks[SIM_BLOCK_CLASSES]; /* event blocks by size class; [0] holds timers */
    uint64_t cancelled;                 /* cancelled timers still in the queue */
    sim_node *nodes;
    size_t nnodes;
    sim_net net;
    void **checkers; /* one per entry of topo->checkers, in its order */
    size_t nchecker;
    uint64_t refused; /* messages that reached a crashed node */
    sim_time *down_at; /* per node: when it went down (kept from the first crash on; NULL until) */
    bool *slow_active; /* per topology fault: a slow fault in force */
    uint32_t *acted_on; /* per topology fault: the instance an add or remove moved */
    uint64_t nonmembers; /* nodes out of their group: 0 keeps picks on their fast path */
    uint32_t *group_out; /* by a group's first instance: its nodes out of it (NULL: none yet) */
    uint32_t *watchers;  /* nodes whose kind has the membership hook, in node order */
    size_t nwatchers;
    sim_fault_log *log;
    size_t nlog, caplog;
    bool failed;
    bool finished; /* the kinds' finish hooks ran */
    char error[256]; /* why the run failed, when it did */
    sim_run_failure failure;  /* what kind of failure, when failed */
    uint64_t max_events;      /* stop after this many events in all; 0: no limit */
    uint64_t stop_at;         /* this run_until stops before event stop_at + 1 (budget, stop) */
    sim_time checkpoint_time; /* simulated time at the last progress checkpoint */
    uint64_t checkpoint_events; /* events processed at the first checkpoint at that time */
    uint64_t stall_events;      /* events at one instant that make a stall (see engine.c) */
    sim_progress_fn progress;
    void *progress_ud;
    /* Handed out when memory runs out, after marking the run failed; never sent. */
    struct {
        sim_event ev;
        unsigned char body[SIM_SPARE_BODY];
    } spare;
    sim_sampler *sampler; /* NULL: sampling off (metrics.c) */
    sim_ledger_book *ledgers; /* NULL until a client opens a ledger (ledger.h) */
};

/* Event blocks: a block of the size class that holds an event record and body_bytes of
 * body (NULL when out of memory, or beyond the largest class), and its return. */
sim_event *sim__block_new(sim_engine *e, size_t body_bytes);
void sim__block_free(sim_engine *e, sim_event *ev);
/* Sets a timer (or, with type SIM_EV_FAULT, a fault action) for node dst at time t (>= now).
 * Returns the event, or NULL when out of memory (the run is then marked failed). */
sim_event *sim__schedule(sim_engine *e, sim_time t, uint8_t type, uint32_t dst, uint16_t tag,
                         uint64_t arg);
/* Sends m as node src would, without checking that src is up (used for refusals). */
void sim__send(sim_engine *e, uint32_t src, uint32_t dst, sim_msg *m);
/* Cancels the pending timer ev: marks it, and sweeps the queue when cancelled timers
 * outnumber live events. */
void sim__cancel(sim_engine *e, sim_event *ev);
/* Frees a message into the engine's free lists (the spare and NULL are no-ops). */
void sim__msg_free(sim_engine *e, sim_msg *m);
/* Crash and restart of a node, with its kind's hooks (no-ops when already so). */
void sim__crash(sim_engine *e, sim_node *n);
void sim__restart(sim_engine *e, sim_node *n);
/* Membership changes (membership.h); the count of each group's spares and the list of nodes
 * told of changes, set up once the nodes are made. */
void sim__join(sim_engine *e, uint32_t node);
void sim__leave(sim_engine *e, uint32_t node);
int sim__watchers_init(sim_engine *e);
/* Applies a phase of fault f. */
void sim__fault_apply(sim_engine *e, const sim_fault *f, sim_fault_phase phase);
/* Schedules the phases of every fault of e->topo. */
void sim__faults_schedule(sim_engine *e);
/* Writes the fault log as the document's "faults" array. */
void sim__fault_report(const sim_engine *e, sim_report *w);
/* Writes the result document (without the "nodes" object when nodes is false). */
void sim__report_doc(const sim_engine *e, sim_report *w, bool nodes);
/* Writes the contents of node i's entry under "nodes" into the open object. */
void sim__report_node(const sim_engine *e, size_t i, sim_report *w);
/* The sampler's event: records a row and schedules the next (metrics.c). */
void sim__sample(sim_engine *e);
void sim__sampler_free(sim_sampler *sp);

#endif
