/* Retries with exponential backoff, jitter ("Exponential Backoff and Jitter", AWS
 * Architecture Blog, 2015) and a token-bucket retry budget (as in Finagle's RetryBudget). */
#include "retry.h"

#include <math.h>

const char *const retry_jitter_names[] = {"full", "equal", "none", NULL};

void retry_budget_init(retry_budget *b, const retry_policy *p) { b->tokens = p->budget_burst; }

void retry_budget_deposit(retry_budget *b, const retry_policy *p) {
    if (p->budget >= 0) {
        b->tokens += p->budget;
        if (b->tokens > p->budget_burst)
            b->tokens = p->budget_burst;
    }
}

bool retry_allowed(retry_budget *b, const retry_policy *p, int64_t retry) {
    if (retry > p->retries)
        return false;
    if (p->budget < 0)
        return true;
    if (b->tokens < 1)
        return false;
    b->tokens -= 1;
    return true;
}

sim_time retry_delay(const retry_policy *p, int64_t retry, sim_node *n) {
    double d = (double)p->backoff * pow(p->multiplier, (double)(retry - 1));
    if (d > (double)p->backoff_max)
        d = (double)p->backoff_max;
    switch ((retry_jitter)p->jitter) {
    case RETRY_JITTER_FULL:
        d *= gsl_rng_uniform(sim_rng(n));
        break;
    case RETRY_JITTER_EQUAL:
        d = d / 2 + d / 2 * gsl_rng_uniform(sim_rng(n));
        break;
    case RETRY_JITTER_NONE:
        break;
    }
    return (sim_time)llround(d);
}
