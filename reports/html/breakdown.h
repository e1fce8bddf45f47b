/* Where the tail comes from (dsim report, contract §8.5; the run document's
 * requests.latency_breakdown, docs/results.md): one horizontal stacked bar per latency band
 * (p0_50, p50_90, ...: the requests whose latency ranks in that band), each segment the mean
 * time per request of the band spent on the network or at a node group in one category
 * (queue, service, backoff, replication wait, ...), the bar's length 100% of the band's mean
 * latency so that bands of very different latency compare by shares; the band's mean latency
 * is written beside it and every figure is in the table below. A segment has the same colour
 * in every band. The categories need not be known: a band's segments add up to its latency
 * (the document's invariant). */
#ifndef DSIM_RH_BREAKDOWN_H
#define DSIM_RH_BREAKDOWN_H

#include "page.h"

#include <cjson/cJSON.h>

/* Appends the breakdown of doc's requests.latency_breakdown to p: an <svg class="bars">
 * whose segments carry class="data", and a table; nothing when doc has none (or a malformed
 * one). */
void rh_breakdown(rh_page *p, const cJSON *doc);

#endif
