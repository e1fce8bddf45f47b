/* The registry of built-in kinds: one line per kind. */
#include "models.h"

#include <stddef.h>

const sim_kind *const dsim_kinds[] = {
    &dsim_client_kind,
    &dsim_service_kind,
    &dsim_phold_kind,
    NULL,
};
