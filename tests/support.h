/* Helpers shared by the tests: run a topology given as YAML text, read figures from its
 * result document by dotted path, check them against statistical bounds and the accounting
 * identity, and read files (the examples in topologies/). */
#ifndef DSIM_TEST_SUPPORT_H
#define DSIM_TEST_SUPPORT_H

#include "diag.h"
#include "topology.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads yaml (with optional NAME=VALUE overrides, nsets of them) against the built-in kinds.
 * Returns the topology, or NULL; when diag is non-NULL the caller owns it and finds the
 * errors there. */
sim_topology *t_load(const char *yaml, const char *const *sets, size_t nsets, sim_diag **diag);

/* Loads yaml, runs it with seed and returns the result document (caller frees with
 * cJSON_Delete). Fails the current test when the file does not load or the run fails. */
cJSON *t_run(const char *yaml, uint64_t seed);
/* Same with overrides "PATH=VALUE". */
cJSON *t_run_with(const char *yaml, uint64_t seed, const char *const *sets, size_t nsets);

/* Same as t_run, returning the rendered JSON text (caller frees). */
char *t_run_text(const char *yaml, uint64_t seed);

/* The value at a dotted path ("nodes.web.0.wait_ms.mean": instance names may hold a dot);
 * fails the test when absent. */
const cJSON *t_at(const cJSON *doc, const char *path);
/* The number, integer (rounded), string or boolean at a dotted path; fails the test when
 * absent or of another type. */
double t_num(const cJSON *doc, const char *path);
long long t_int(const cJSON *doc, const char *path);
const char *t_str(const cJSON *doc, const char *path);
bool t_bool(const cJSON *doc, const char *path);
/* The member key of obj; fails the test when absent. */
const cJSON *t_get(const cJSON *obj, const char *key);

/* Summary of independent replications: mean and the half-width of a two-sided 99%
 * Student-t confidence interval for the mean. */
typedef struct t_ci {
    double mean, half;
    size_t n;
} t_ci;
t_ci t_ci_of(const double *x, size_t n, double level);

/* Asserts that theory lies in the confidence interval, naming what is checked. */
void t_expect_in_ci(const char *what, t_ci ci, double theory);

/* Runs yaml with seeds 1..reps and stores the number at paths[j] of replication i in
 * out[j * reps + i]. */
void t_replicate(const char *yaml, size_t reps, const char *const *paths, size_t npaths,
                 double *out);

/* Two-sided 99.9% bound on one figure under a normal (approximation to its) law: expects
 * |x - mean| <= 3.2905 sd, logging the figures and naming what is checked. */
void t_expect_near(const char *what, double x, double mean, double sd);
/* A count k of successes among n trials of probability p: t_expect_near with mean n p and
 * sd sqrt(n p (1 - p)). */
void t_expect_binomial(const char *what, double k, double n, double p);
/* A Poisson count x: t_expect_near with sd sqrt(mean). */
void t_expect_poisson(const char *what, double x, double mean);

/* An integer figure of a group of the delivery checker: delivery.groups.GROUP.KEY. */
long long t_delivery_int(const cJSON *doc, const char *group, const char *key);
/* The delivery checker's identity for group, exactly (checkers/deliveries.h): acknowledged =
 * processed_once + processed_more + lost + dead_lettered + missed + pending, lost = dropped +
 * expired + crash_lost + vanished, and vanished 0 (no broker let a message go unsaid). */
void t_expect_delivery_identity(const cJSON *doc, const char *group);

/* Closed forms of queueing theory the suites test against. Erlang B: the blocking
 * probability of c servers offered a erlangs, by the stable recursion B(k) = a B(k-1) /
 * (k + a B(k-1)). Erlang C: the probability that an arrival at M/M/c waits, B / (1 − ρ(1 −
 * B)) with ρ = a / c. M/M/1/K at load rho: the stationary p_k = (1 − ρ) ρ^k / (1 − ρ^(K+1)),
 * k = 0..K, 1 / (K + 1) at ρ = 1 (Kleinrock, Queueing Systems I, §3.6); by PASTA p_K is the
 * blocking probability. */
double t_erlang_b(int c, double a);
double t_erlang_c(int c, double a);
double t_mm1k_p(double rho, int k, int cap);

/* The accounting identity issued = completed + rejected + timed_out + failed + in_flight for
 * every node of kind client (there must be one), and for the document's "requests" block with
 * the clients' in_flight summed. Exact: requests issued during the warm-up and still in flight
 * at the end break it (in_flight counts them, issued does not). */
void t_expect_accounting(const cJSON *doc);

/* Expects yaml to be refused with an error whose message holds every one of the nwant
 * strings in want (e.g. the "LINE:COL" and the words), logging every message. */
void t_expect_refused(const char *yaml, const char *const *want, size_t nwant);

/* The names of the examples (the *.yaml files of $DSIM_SOURCE/topologies), in alphabetical
 * order, NULL-terminated (caller frees with t_names_free of sandbox.h); fails the test when
 * there are fewer than 5. */
char **t_examples(void);

/* The overrides that shorten example name (a file of topologies/) for the suite: long enough
 * to pass the warm-ups and the first faults, short enough for CI. A fault after the end is
 * an error, so outage.yaml's later faults move into the shortened run (every fault action
 * then runs); autocommit_crash.yaml, whose ten crashes span its 380 s, runs whole (0.2 s), and
 * so do backup_restore.yaml (ten days of few events, 0.4 s), orchestrator_web.yaml (its
 * crashes span 300 s; 0.05 s) and autoscale.yaml (its load ramp spans 1000 s; 0.3 s), and the scripted
 * txn_anomalies.yaml and txn_replica_snapshot.yaml (their transactions run in the first second).
 * Fills sets (room for T_SHORTEN_MAX) and returns how many. */
#define T_SHORTEN_MAX 5
size_t t_shortened(const char *name, const char **sets);

/* The whole content of the file at path, NUL-terminated (caller frees). Fails the current
 * test when the file cannot be read. */
char *t_slurp(const char *path);
/* t_slurp of $DSIM_SOURCE/topologies/name (the examples; meson test sets DSIM_SOURCE). */
char *t_example(const char *name);

#endif

