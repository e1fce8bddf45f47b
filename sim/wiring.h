/* The wiring graph's vocabulary shown to users: which kinds can answer a reference. The check
 * itself runs inside the loader (sim__ld_wiring in loader_int.h). The protocol bits are the
 * protocols' (protocols/protocols.h); here they are only matched, never interpreted. */
#ifndef SIM_WIRING_H
#define SIM_WIRING_H

#include "kind.h"

/* Returns a new string (caller frees) naming the kinds of the NULL-terminated table that
 * serve every bit of needs, as "a service, cache or database" ("no kind" when none does), or
 * NULL when out of memory. */
char *sim_wiring_kinds_serving(const sim_kind *const *kinds, unsigned needs);

#endif
