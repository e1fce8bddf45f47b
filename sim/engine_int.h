/* Engine internals shared by engine.c, node.c and fault.c; nothing outside sim/ includes it. */
#ifndef SIM_ENGINE_INT_H
#define SIM_ENGINE_INT_H

#include "engine.h"
#include "hist.h"
#include "metrics.h"
#include "net.h"
#include "node.h"
#include "oracle.h"
#include "pool.h"
#include "queue.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>

struct sim_node {
    sim_engine *eng;
    const sim_topo_node *topo;
    const sim_kind *kind;
    void *state;
    gsl_rng *rng;
    uint32_t id;
    uint32_t epoch; /* incarnation: bumped at each crash, so older timers are dropped */
    bool crashed;
    double slow;
};

/* Client outcomes summed over every client (the document's "requests"). */
typedef struct sim_reqstats {
    uint64_t issued, completed, rejected, timed_out, failed;
    sim_hist latency;
} sim_reqstats;

/* One line of the fault log in the result document. */
typedef struct sim_sampler sim_sampler;

typedef struct sim_fault_log {
    sim_time at;
    const sim_fault *fault;
    bool undo;
} sim_fault_log;

struct sim_engine {
    const sim_topology *topo;
    uint64_t seed;
    sim_time now, end, warmup;
    uint64_t seq, events, next_req_id;
    sim_queue *queue;
    sim_pool events_pool, reqs_pool;
    sim_node *nodes;
    size_t nnodes;
    sim_net net;
    sim_reqstats req;
    sim_oracle *oracle;
    uint64_t refused; /* messages that reached a crashed node */
    bool *slow_active; /* per topology fault: a slow fault in force */
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
    sim_req spare; /* handed out when the pool is exhausted, after marking the run failed */
    sim_sampler *sampler; /* NULL: sampling off (metrics.c) */
};

/* Schedules an event of the given type for node dst at time t (>= now). */
void sim__schedule(sim_engine *e, sim_time t, uint8_t type, uint32_t dst, uint32_t src,
                   uint16_t tag, sim_req *req, uint64_t arg);
/* Sends as node src would, without checking that src is up (used for refusals). */
void sim__send(sim_engine *e, uint32_t src, uint32_t dst, uint16_t tag, sim_req *req,
               uint64_t arg);
/* Frees a request into the engine's pool. */
void sim__req_free(sim_engine *e, sim_req *r);
/* Applies fault f (undo: its end after `duration`). */
void sim__fault_apply(sim_engine *e, const sim_fault *f, bool undo);
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
