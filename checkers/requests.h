/* The clients' request outcomes: a checker (sim/checker.h), one per engine, that sums what
 * every client reports of the requests it issued into the document's "requests" object
 * (issued, completed, rejected, timed out, failed, throughput and end-to-end latency, the
 * latency per operation, until a failure or a rejection, and its histogram). Every
 * run has it (`always`: the key is in every document, zero without clients). Requests issued
 * before the warm-up end are ignored (sim_warmup_end in sim/node.h). */
#ifndef DSIM_REQUESTS_H
#define DSIM_REQUESTS_H

#include "checker.h"
#include "hist.h"
#include "ledger.h"
#include "simtime.h"

#include <stdint.h>

typedef struct requests_stats requests_stats;

/* How a request issued by a client ended. */
typedef enum {
    REQUESTS_COMPLETED,
    REQUESTS_REJECTED,
    REQUESTS_TIMED_OUT,
    REQUESTS_FAILED,
} requests_outcome;

/* Outcome counts of requests issued after the warm-up: the run's sum (this checker's), and
 * each client's own (its figures in the document). */
typedef struct requests_tally {
    uint64_t issued, completed, rejected, timed_out, failed;
    sim_hist latency; /* of the completed ones */
} requests_tally;

void requests_tally_init(requests_tally *t);
void requests_tally_free(requests_tally *t);
/* Counts one outcome, with its latency when completed. Returns 0, or -1 when out of memory. */
int requests_tally_note(requests_tally *t, requests_outcome out, sim_time latency);

extern const sim_checker_kind dsim_requests_checker;

/* The run's figures, for a hook of a kind that lists dsim_requests_checker. */
static inline requests_stats *requests_of(sim_node *n) {
    return sim_checker(n, &dsim_requests_checker);
}

/* Returns new empty figures for a run with that warm-up end and duration, or NULL when out
 * of memory. */
requests_stats *requests_new(sim_time warmup, sim_time duration);
void requests_free(requests_stats *s);

/* The most operations a client's requests have (protocols/request.h's rr_op). */
#define REQUESTS_MAX_OPS 4
/* Names the operations (NULL-terminated, at most REQUESTS_MAX_OPS, borrowed: static) for the
 * document's latency_ms_by_op, and says which ones a client may issue (bit op of mask); each
 * client calls it when it is made. Returns 0, or -1 when out of memory. */
int requests_name_ops(requests_stats *s, const char *const *names, unsigned mask);

/* A client issued a request at `issued` (its first attempt). */
void requests_issued(requests_stats *s, sim_time issued);
/* The request issued at `issued`, of operation op (an index of the names), ended with out
 * after latency (from issue until the outcome reached the client). Returns 0, or -1 when
 * out of memory (then call sim_out_of_memory). */
int requests_outcome_note(requests_stats *s, sim_time issued, unsigned op, requests_outcome out,
                          sim_time latency);

/* A completed request of that latency, issued after the warm-up, whose ledger holds parts
 * (sim/ledger.h): into the latency breakdown (breakdown.h). Returns 0, or -1 when out of
 * memory. */
int requests_breakdown_note(requests_stats *s, sim_time latency, const sim_ledger_part *parts,
                            size_t nparts);

/* MSER-5's input (experiments/warmup_auto.h), kept only in a run whose topology asks for it
 * (sim_topology.record_batches, the pilot run of `warmup: auto`): the mean response time of
 * each run of EXP_MSER_BATCH (5) consecutive completed requests, in completion order over all
 * clients and from time 0 whatever the warm-up, and the instant its last one completed. The
 * responses past the last full batch are left out. Memory: 16 bytes per 5 responses (a
 * million responses hold 3.2 MB), not one entry per response. */
typedef struct requests_batches {
    size_t n;              /* full batches */
    const double *mean_ms; /* n batch means, in milliseconds */
    const sim_time *end;   /* n completion instants of each batch's last response */
    uint64_t responses;    /* completed requests seen, in batches or not */
} requests_batches;

/* The batches kept so far (all empty when the run keeps none); the arrays are borrowed until
 * the checker is freed. */
requests_batches requests_batches_of(const requests_stats *s);

/* Writes the figures of the document's "requests" object into the open object. */
void requests_report(const requests_stats *s, sim_report *w);

#endif
