/* The tail-latency breakdown (the document's requests.latency_breakdown): the ledgers of the
 * completed client requests (sim/ledger.h) summed by latency bucket, and at the end split into
 * the bands p0_50, p50_90, p90_99 and p99_100 of the latency distribution, each with its
 * requests' mean latency and the mean time they spent on the network and at each node group
 * in each category. The requests checker (requests.h) owns one and reports it.
 *
 * Resolution: the buckets are those of sim_hist merged by 4 (32 per doubling of latency, each
 * within 1/32 of its lower edge); a bucket that straddles a band's edge is split between the
 * two bands in proportion to the counts on either side, so a band's edge is exact to one
 * bucket (about 3% of latency). Memory: the buckets used times the (group, category) columns,
 * whatever the number of requests. */
#ifndef DSIM_BREAKDOWN_H
#define DSIM_BREAKDOWN_H

#include "ledger.h"
#include "report.h"
#include "topology.h"

#include <stddef.h>

typedef struct breakdown breakdown;

/* A new empty breakdown for the groups of topo (borrowed: it outlives the breakdown); NULL
 * when out of memory. */
breakdown *breakdown_new(const sim_topology *topo);
void breakdown_free(breakdown *b);

/* Adds a completed request of that latency whose ledger holds parts. Returns 0, or -1 when out
 * of memory. */
int breakdown_add(breakdown *b, sim_time latency, const sim_ledger_part *parts, size_t nparts);

/* True when some request was added (the document then has the key). */
bool breakdown_any(const breakdown *b);

/* Writes the four bands into the open object (the caller opens "latency_breakdown"). */
void breakdown_report(const breakdown *b, sim_report *w);

/* The bands' keys, in order. */
#define BREAKDOWN_BANDS 4
extern const char *const breakdown_band_names[BREAKDOWN_BANDS];

#endif
