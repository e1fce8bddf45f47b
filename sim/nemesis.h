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
#include "report.h"
#include "topology.h"

#include <stddef.h>
#include <stdint.h>

/* What a rule draws (docs/faults.md, "The nemesis"). */
typedef enum {
    SIM_NEMESIS_CRASH,     /* each instance of node: up for `every`, down for `duration` */
    SIM_NEMESIS_PARTITION, /* the instances of nodes cut in two (mode) */
    SIM_NEMESIS_LOSS,      /* extra loss value, everywhere or on from-to */
    SIM_NEMESIS_LATENCY,   /* add more latency, everywhere, on from-to or on node */
    SIM_NEMESIS_SLOW,      /* each instance of node: service times x value */
} sim_nemesis_kind;

typedef enum {
    SIM_NEMESIS_HALVES,  /* a uniformly random floor(n/2) of the instances against the rest */
    SIM_NEMESIS_ISOLATE, /* one uniformly random instance against the others */
} sim_nemesis_mode;

/* One rule of `nemesis:`, as the loader read it (sim/loader_nemesis.c): an alternating
 * process, quiet for a draw of `every`, then a fault lasting a draw of `duration`, and again,
 * from start until end (no fault begins outside [start, end]). A crash rule without duration
 * (SIM_DIST_NONE) crashes at the instants of a renewal process of `every` and never repairs. */
struct sim_nemesis_rule {
    sim_nemesis_kind kind;
    sim_dist every, duration;
    sim_time start, end; /* end: the run's duration when not written */
    sim_ref node;        /* crash, slow; latency on a node (count 0: not on a node) */
    sim_reflist nodes;   /* partition: the instances cut */
    sim_nemesis_mode mode;
    double value;     /* loss: probability; slow: factor */
    sim_time add;     /* latency: the delay added */
    sim_ref from, to; /* loss, latency on a link (count 0: everywhere) */
    int line, col;    /* of the rule, 1-based */
};
typedef struct sim_nemesis_rule sim_nemesis_rule;

/* Most faults the nemesis draws in one run: the loader refuses rules expected to draw more,
 * and sim_nemesis_draw fails past it. */
#define SIM_NEMESIS_MAX_FAULTS 1000000

/* Draws the faults of topo's nemesis rules for a run with seed, in the order the rules are
 * written and, within a rule, in order of time; each has drawn set and lies within the
 * run (at <= duration). *faults is allocated in arena (NULL with *n = 0 when none were
 * drawn). Returns 0, or -1 when out of memory. */
int sim_nemesis_draw(const sim_topology *topo, uint64_t seed, sim_arena *arena, sim_fault **faults,
                     size_t *n);

/* The name of the random stream of rule r's draws for instance (NULL: the rule's own), in
 * buf: "nemesis#R" or "nemesis#R:web.3"; '#' is in no node's name, so no node shares it. */
void sim_nemesis_stream_name(char *buf, size_t cap, size_t r, const char *instance);

/* The expected count of faults rule r draws over its window (instances x window / mean of
 * one cycle), for the loader's limit. */
double sim_nemesis_expected(const sim_topology *topo, const sim_nemesis_rule *r);

/* Writes the document's "nemesis": {"rules": R, "drawn": [n per rule]} of the faults
 * topo's nemesis drew into the engine's fault list faults (the drawn ones have rule set). */
void sim_nemesis_report(const sim_topology *topo, const sim_fault *faults, size_t nfaults,
                        sim_report *w);

#endif
