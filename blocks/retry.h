/* Retry policy shared by the kinds that retry (client requests, service calls): how many
 * retries, exponential backoff with jitter, and a retry budget that caps the extra load
 * retries add (a token bucket: every first attempt deposits `budget` tokens, every retry
 * takes one, at most `budget_burst` are kept). */
#ifndef DSIM_RETRY_H
#define DSIM_RETRY_H

#include "node.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum { RETRY_JITTER_FULL, RETRY_JITTER_EQUAL, RETRY_JITTER_NONE } retry_jitter;

typedef struct retry_policy {
    int64_t retries;   /* extra attempts after the first; 0: none */
    sim_time backoff;  /* delay before the first retry, before jitter */
    sim_time backoff_max;
    double multiplier; /* the delay grows by this per retry */
    int jitter;        /* retry_jitter */
    double budget;     /* tokens per first attempt; < 0: no budget */
    double budget_burst;
} retry_policy;

/* Parameter-table entries for a retry_policy at offset `off` of a config struct, with keys
 * named PREFIX "retries", PREFIX "backoff", ... (PREFIX: "" or "call_"). */
#define RETRY_PARAMS(PREFIX, off)                                                            \
    {.name = PREFIX "retries", .type = SIM_P_INT,                                            \
     .offset = (off) + offsetof(retry_policy, retries), .def = "0", .min = 0, .max = 100,      \
     .help = "retries after a failed or timed-out attempt (a rejection is not retried)"},     \
    {.name = PREFIX "backoff", .type = SIM_P_DURATION,                                        \
     .offset = (off) + offsetof(retry_policy, backoff), .def = "10ms", .min = 0,               \
     .max = (double)SIM_TIME_MAX, .help = "delay before the first retry, before jitter"},    \
    {.name = PREFIX "backoff_max", .type = SIM_P_DURATION,                                    \
     .offset = (off) + offsetof(retry_policy, backoff_max), .def = "1s", .min = 0,             \
     .max = (double)SIM_TIME_MAX, .help = "cap on the backoff delay"},                        \
    {.name = PREFIX "backoff_multiplier", .type = SIM_P_NUMBER,                               \
     .offset = (off) + offsetof(retry_policy, multiplier), .def = "2", .min = 1, .max = 1000,  \
     .help = "growth of the delay per retry (exponential backoff)"},                          \
    {.name = PREFIX "jitter", .type = SIM_P_ENUM,                                             \
     .offset = (off) + offsetof(retry_policy, jitter), .def = "full",                          \
     .choices = retry_jitter_names,                                                            \
     .help = "full: uniform in [0, d]; equal: d/2 + uniform in [0, d/2]; none: d"},           \
    {.name = PREFIX "retry_budget", .type = SIM_P_NUMBER,                                     \
     .offset = (off) + offsetof(retry_policy, budget), .min = 0, .max = 1000,                  \
     .help = "retries allowed per first attempt, e.g. 0.1 (default: no budget)"},            \
    {.name = PREFIX "retry_budget_burst", .type = SIM_P_NUMBER,                               \
     .offset = (off) + offsetof(retry_policy, budget_burst), .def = "10", .min = 1,            \
     .max = 1e9, .help = "retry tokens kept at most (and at the start)"}

extern const char *const retry_jitter_names[];

/* The budget's state. */
typedef struct retry_budget {
    double tokens;
} retry_budget;

/* Starts a budget full. */
void retry_budget_init(retry_budget *b, const retry_policy *p);
/* A first attempt was made: deposit. */
void retry_budget_deposit(retry_budget *b, const retry_policy *p);
/* May retry number `retry` (1-based) happen? Takes a token when the budget allows it. */
bool retry_allowed(retry_budget *b, const retry_policy *p, int64_t retry);
/* The backoff before retry number `retry` (1-based), jittered from n's stream. */
sim_time retry_delay(const retry_policy *p, int64_t retry, sim_node *n);

#endif
