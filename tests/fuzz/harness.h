/* The bounded path that the fuzz target and the regression replay share: load one input as a
 * topology with the built-in kinds, run what loads for a bounded number of events and a bounded
 * stretch of simulated time, build the result document, render it and print its summary, and
 * free everything. It prints nothing; a crash, a hang or a leak in it is the finding. */
#ifndef DSIM_FUZZ_HARNESS_H
#define DSIM_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Inputs longer than this are ignored (the loader's own size limits are not what we fuzz). */
#define DSIM_FUZZ_MAX_INPUT (64 * 1024)
/* A topology is only loaded, not run, when it has more node instances than this or when
 * sim_footprint_estimate (what `dsim run` checks against --max-memory) puts it over
 * DSIM_FUZZ_MAX_BYTES. Legitimately huge topologies would only make the fuzzer slow or run it
 * out of memory (tools/fuzz.sh gives it 2 GB of resident memory, and AddressSanitizer's
 * shadow and quarantine take a few times what the run allocates); the loader has already seen
 * them. The largest seed (topologies/phold.yaml: 1,024 instances) is estimated at 5.7 MiB, the
 * smallest topology at 4 MiB (the process itself); 32 MiB is about 100,000 closed-loop users,
 * which the first slice of a run sends at once, a fraction of a second of the fuzzer's time. */
#define DSIM_FUZZ_MAX_INSTANCES 1024
#define DSIM_FUZZ_MAX_BYTES (32.0 * 1024 * 1024)
/* A run stops after the slice in which it passed this many events, or at this simulated time,
 * whichever comes first; its document is then that of a run cut short. */
#define DSIM_FUZZ_MAX_EVENTS 50000
#define DSIM_FUZZ_MAX_TIME_S 600
/* Slices of simulated time the run is split into, to check the event budget between them. */
#define DSIM_FUZZ_SLICES 256

/* How far an input got. */
typedef enum {
    DSIM_FUZZ_TOO_LONG,  /* longer than DSIM_FUZZ_MAX_INPUT: ignored */
    DSIM_FUZZ_REFUSED,   /* the loader refused it (with at least one error) */
    DSIM_FUZZ_TOO_BIG,   /* loaded, but over the instance or memory cap: not run */
    DSIM_FUZZ_FAILED,    /* loaded; the engine could not be built or the run failed */
    DSIM_FUZZ_CUT_SHORT, /* run until a budget, then reported */
    DSIM_FUZZ_RAN,       /* run to the end of its duration, then reported */
} dsim_fuzz_outcome;

/* Runs data (size bytes, not NUL-terminated) through the bounded path and says how far it got.
 * Aborts (through assert) when the loader returns no topology without saying why. */
dsim_fuzz_outcome dsim_fuzz_one(const uint8_t *data, size_t size);

/* Returns a word for an outcome ("ran", "refused", ...), for logs. */
const char *dsim_fuzz_outcome_name(dsim_fuzz_outcome o);

#endif
