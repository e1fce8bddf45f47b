/* The nemesis (`nemesis:` in a topology): faults drawn at random, reproducibly, from the
 * run's seed. Each rule of the list draws a process of fault actions over the run (crashes
 * of a group's instances with a time between failures and a repair time, partitions of
 * random halves or isolating one node, loss and latency spikes, slowdowns); every draw is an
 * ordinary sim_fault, so the engine applies and logs it exactly as if the topology had
 * written it in `faults:`, and a run replayed with the logged faults alone is the same run.
 * The draws use a random stream of their own (named apart from every node's), so they
 * change no other draw of the run. */
#ifndef SIM_NEMESIS_H
#define SIM_NEMESIS_H

#include "arena.h"
#include "topology.h"

#include <stddef.h>
#include <stdint.h>

/* One rule of `nemesis:`, as the loader read it (sim/loader_nemesis.c). */
typedef struct sim_nemesis_rule sim_nemesis_rule;

/* Draws the faults of topo's nemesis rules for a run with seed, in the order the rules are
 * written and, within a rule, in order of time; each has drawn set and lies within the
 * run (at <= duration). *faults is allocated in arena (NULL with *n = 0 when none were
 * drawn). Returns 0, or -1 when out of memory. */
int sim_nemesis_draw(const sim_topology *topo, uint64_t seed, sim_arena *arena,
                     sim_fault **faults, size_t *n);

#endif
