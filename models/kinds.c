/* The registry of built-in kinds: one line per kind. */
#include "models.h"

#include <stddef.h>

const sim_kind *const dsim_kinds[] = {
    &dsim_client_kind,
    &dsim_service_kind,
    &dsim_load_balancer_kind,
    &dsim_phold_kind,
    &dsim_circuit_breaker_kind,
    &dsim_settings_store_kind,
    &dsim_rate_limiter_kind,
    &dsim_counter_store_kind,
    &dsim_shard_router_kind,
    &dsim_cache_kind,
    &dsim_kv_store_kind,
    &dsim_database_kind,
    NULL,
};
