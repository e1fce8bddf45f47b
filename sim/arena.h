/* Arena: topology-lifetime memory (names, tables, parsed configs) freed all at once.
 * Not for per-event data: events and messages come from the engine's free lists. */
#ifndef SIM_ARENA_H
#define SIM_ARENA_H

#include <stddef.h>

typedef struct sim_arena sim_arena;

/* Returns a new empty arena, or NULL when out of memory. */
sim_arena *sim_arena_new(void);
/* Frees every block the arena handed out, then the arena. NULL is a no-op. */
void sim_arena_free(sim_arena *a);
/* Returns size zeroed bytes aligned for any type, owned by the arena; NULL when out of memory. */
void *sim_arena_alloc(sim_arena *a, size_t size);
/* Returns an arena-owned copy of s (NULL-safe); NULL only when out of memory. */
char *sim_arena_strdup(sim_arena *a, const char *s);

#endif
