/* The simulation engine: owns every node, event, message and random stream of one run.
 * Engines share nothing, so any number can exist and run interleaved in one process. */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include "report.h"
#include "simtime.h"
#include "topology.h"

#include <stdint.h>

typedef struct sim_engine sim_engine;

/* Called every 2^20 events (about a million) with the current and final simulated time. */
typedef void (*sim_progress_fn)(void *ud, sim_time now, sim_time end);

/* Creates the nodes of topo (borrowed: it must outlive the engine) and schedules the faults;
 * seed is the master seed of every random stream. NULL when out of memory. */
sim_engine *sim_engine_new(const sim_topology *topo, uint64_t seed);
/* Frees the engine, its nodes, events and messages. NULL is a no-op. */
void sim_engine_free(sim_engine *e);
/* Processes every event up to and including time until (capped at the run's end).
 * Returns 0; 1 when stopped early by sim_engine_set_max_events or sim_engine_stop (the clock
 * then stays at the last event processed, and a later call goes on from there); or -1 when
 * the run failed (see sim_engine_failure). */
int sim_engine_run_until(sim_engine *e, sim_time until);
/* Runs to the end of the topology's duration. Returns as sim_engine_run_until. */
int sim_engine_run(sim_engine *e);
/* Why the last run failed (out of memory, or simulated time stopped advancing), borrowed
 * until the engine is freed; NULL when it did not fail. */
const char *sim_engine_error(const sim_engine *e);

/* What made a run fail: the machine (memory) or the topology (a loop with no delay). */
typedef enum { SIM_RUN_OK, SIM_RUN_OUT_OF_MEMORY, SIM_RUN_STALLED } sim_run_failure;
sim_run_failure sim_engine_failure(const sim_engine *e);
/* Stops the run once max_events events were processed in all (0, the default: no limit). */
void sim_engine_set_max_events(sim_engine *e, uint64_t max_events);
/* Asks the running sim_engine_run_until to return 1 after the current event; meant for the
 * progress callback (e.g. a wall-clock budget). */
void sim_engine_stop(sim_engine *e);
/* Events at one instant after which a run is declared stalled: at least about 1.7e7, more
 * for topologies that start with more work (see engine.c). */
uint64_t sim_engine_stall_events(const sim_engine *e);
/* Writes the whole result document (contract §7) through w. */
void sim_engine_report(const sim_engine *e, sim_report *w);
/* Number of events processed so far. */
uint64_t sim_engine_events(const sim_engine *e);
/* Current simulated time. */
sim_time sim_engine_now(const sim_engine *e);
/* Sets a progress callback, called every 2^20 events. */
void sim_engine_set_progress(sim_engine *e, sim_progress_fn fn, void *ud);

/* Memory held for events and messages: how many events are pending, how many messages the
 * kinds hold (a request in a queue, awaiting a call), the size of one timer's record, the
 * bytes of the event pools (every block allocated, in use or recycled) and of the
 * pending-event set itself. */
typedef struct sim_engine_memory {
    size_t pending, held, event_size, pool_bytes, queue_bytes;
} sim_engine_memory;
sim_engine_memory sim_engine_memory_use(const sim_engine *e);

#define DSIM_VERSION "0.1.0"
/* The version of the contract (../shared/spec/topology.md) the documents follow: every
 * document carries it as "contract", next to "document" naming its type (§7). */
#define DSIM_CONTRACT_VERSION "1.1"

#endif
