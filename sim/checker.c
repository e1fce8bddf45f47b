/* Which checkers a topology uses (sim__checkers_pick), and an engine's instance of one
 * (sim_engine_checker); the engine creates, settles, reports and frees them (engine.c). */
#include "checker.h"

#include "engine_int.h"

#include <stdbool.h>

static bool kind_used(const sim_topology *t, const sim_kind *k) {
    for (size_t i = 0; i < t->ngroups; i++)
        if (t->groups[i].count && t->nodes[t->groups[i].first].kind == k)
            return true;
    return false;
}

int sim__checkers_pick(const sim_kind *const *kinds, sim_topology *topo, sim_arena *arena) {
    size_t cap = 1;
    for (size_t i = 0; kinds[i]; i++)
        for (size_t j = 0; kinds[i]->checkers && kinds[i]->checkers[j]; j++)
            cap++;
    const sim_checker_kind **list = sim_arena_alloc(arena, cap * sizeof *list);
    if (!list)
        return -1;
    size_t n = 0;
    for (size_t i = 0; kinds[i]; i++) {
        const sim_checker_kind *const *c = kinds[i]->checkers;
        bool used = kind_used(topo, kinds[i]);
        for (size_t j = 0; c && c[j]; j++) {
            bool have = false;
            for (size_t k = 0; k < n && !have; k++)
                have = list[k] == c[j];
            if (!have && (used || c[j]->always))
                list[n++] = c[j];
        }
    }
    list[n] = NULL;
    topo->checkers = list;
    return 0;
}

void *sim_engine_checker(const sim_engine *e, const sim_checker_kind *k) {
    for (size_t i = 0; i < e->nchecker; i++)
        if (e->topo->checkers[i] == k)
            return e->checkers[i];
    return NULL;
}
