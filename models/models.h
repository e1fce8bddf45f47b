/* The built-in node kinds. Each kind lives in one file and is listed once in kinds.c. */
#ifndef DSIM_MODELS_H
#define DSIM_MODELS_H

#include "kind.h"

extern const sim_kind dsim_client_kind;
extern const sim_kind dsim_service_kind;
extern const sim_kind dsim_load_balancer_kind;
extern const sim_kind dsim_phold_kind;
extern const sim_kind dsim_circuit_breaker_kind;
extern const sim_kind dsim_settings_store_kind;
extern const sim_kind dsim_rate_limiter_kind;
extern const sim_kind dsim_counter_store_kind;
extern const sim_kind dsim_shard_router_kind;
extern const sim_kind dsim_cache_kind;
extern const sim_kind dsim_kv_store_kind;
extern const sim_kind dsim_database_kind;

/* Every built-in kind, NULL-terminated, in the order the docs list them. */
extern const sim_kind *const dsim_kinds[];

#endif
