/* Shrinking a nemesis's faults (dsim shrink): delta debugging (Zeller & Hildebrandt,
 * "Simplifying and Isolating Failure-Inducing Input", IEEE TSE 28(2), 2002: ddmin) over the
 * faults the nemesis drew for one seed, the written ones always kept. A test is a run of the
 * topology without its nemesis, with the written faults followed by a subset of the drawn
 * ones in their order (as the engine lays them out: sim/engine.c), so that the whole set
 * replays the original run exactly; it "fails" as the original did: an expect failed. */
#ifndef EXP_SHRINK_H
#define EXP_SHRINK_H

#include "run_seed.h"
#include "topology.h"

#include <stddef.h>
#include <stdint.h>

/* The verdict of a test of subset (n increasing indices into the items): 1 it fails, 0 it
 * passes, -1 stop (an error the test recorded for its caller). */
typedef int (*exp_shrink_test_fn)(void *ud, const size_t *subset, size_t n);

/* ddmin over items 0..n-1, whose whole set fails and whose empty set passes (the caller has
 * seen both): *kept (n entries, the caller's) gets a 1-minimal failing subset, *nkept its
 * size, *tests the calls of test made (a subset tested twice is asked once). Returns 0, -1
 * when test said stop, -2 when out of memory. */
int exp_ddmin(size_t n, exp_shrink_test_fn test, void *ud, size_t *kept, size_t *nkept,
              size_t *tests);

/* topo without its nemesis and with faults = its written faults then drawn[subset[i]]
 * (a shallow copy into *copy, its fault list malloc'd: free copy->faults after). Returns 0,
 * or -1 when out of memory. */
int exp_shrink_topology(const sim_topology *topo, const sim_fault *drawn, const size_t *subset,
                        size_t n, sim_topology *copy);

/* Runs topo with written + drawn[subset] for seed (exp_run_seed with o; the document is
 * not kept). Returns the status. */
exp_run_status exp_shrink_run(const sim_topology *topo, uint64_t seed, const exp_run_options *o,
                              const sim_fault *drawn, const size_t *subset, size_t n, char *why,
                              size_t whycap);

#endif
