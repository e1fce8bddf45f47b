/* Stream seeding. SplitMix64 (Steele, Lea, Flood 2014) spreads nearby inputs over the whole
 * 64-bit range; FNV-1a turns the name into the input. taus2 (L'Ecuyer 1996, maximally
 * equidistributed combined Tausworthe) seeds from 32 bits, so the 64-bit mix is folded. */
#include "rng.h"

#include <stdlib.h>

static uint64_t splitmix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t sim_rng_stream_seed(uint64_t master, const char *name) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return splitmix64(h ^ splitmix64(master));
}

/* The 32-bit seed taus2 takes for the named stream (never 0). */
static unsigned long folded_seed(uint64_t master, const char *name) {
    uint64_t s = sim_rng_stream_seed(master, name);
    unsigned long folded = (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL);
    return folded ? folded : 1;
}

gsl_rng *sim_rng_new(uint64_t master, const char *name) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r)
        return NULL;
    gsl_rng_set(r, folded_seed(master, name));
    return r;
}

/* A gsl_rng is a type and a state pointer (gsl_rng_alloc makes two blocks of them): setting
 * both by hand puts the state where the caller wants it, e.g. beside the data that uses it. */
int sim_rng_init(gsl_rng *r, void *state, size_t cap, uint64_t master, const char *name) {
    r->type = gsl_rng_taus2;
    r->state = r->type->size <= cap ? state : malloc(r->type->size);
    if (!r->state)
        return -1;
    gsl_rng_set(r, folded_seed(master, name));
    return 0;
}

void sim_rng_release(gsl_rng *r, const void *state) {
    if (r->state != state)
        free(r->state);
    r->state = NULL;
}
