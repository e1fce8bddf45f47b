/* The built-in node kinds (the list is models/kinds.def). */
#ifndef DSIM_MODELS_H
#define DSIM_MODELS_H

#include "kind.h"

#define KIND(tier, name) extern const sim_kind dsim_##name##_kind;
#include "kinds.def"
#undef KIND

/* Every built-in kind, NULL-terminated, in the order of kinds.def. */
extern const sim_kind *const dsim_kinds[];

#endif
