/* The registry of built-in kinds, from the list in kinds.def. */
#include "models.h"

#include <stddef.h>

const sim_kind *const dsim_kinds[] = {
#define KIND(tier, name) &dsim_##name##_kind,
#include "kinds.def"
#undef KIND
    NULL,
};
