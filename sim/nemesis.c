/* The nemesis's draws (nemesis.h). INTERFACE ONLY in this commit: the rules and their
 * processes are written on the nemesis branch; until then no topology has rules. */
#include "nemesis.h"

int sim_nemesis_draw(const sim_topology *topo, uint64_t seed, sim_arena *arena,
                     sim_fault **faults, size_t *n) {
    (void)topo, (void)seed, (void)arena;
    *faults = NULL;
    *n = 0;
    return 0;
}
