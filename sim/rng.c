/* Stream seeding. SplitMix64 (Steele, Lea, Flood 2014) spreads nearby inputs over the whole
 * 64-bit range; FNV-1a turns the name into the input. taus2 (L'Ecuyer 1996, maximally
 * equidistributed combined Tausworthe) seeds from 32 bits, so the 64-bit mix is folded.
 * The small streams are SplitMix64 as in Java's SplittableRandom (same paper): the state
 * advances by an odd gamma chosen per stream (mixGamma, with its fix for gammas of too few
 * bit transitions), and each output is the state through the mix64 finaliser. */
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

/* ---- small streams ---- */

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix_gamma(uint64_t z) {
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdULL;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ULL;
    z = (z ^ (z >> 33)) | 1;
    int transitions = 0;
    for (uint64_t t = z ^ (z >> 1); t; t &= t - 1)
        transitions++;
    return transitions < 24 ? z ^ 0xaaaaaaaaaaaaaaaaULL : z;
}

void sim_rng_cell_seed(sim_rng_cell *cell, uint64_t seed) {
    cell->seed = mix64(seed);
    cell->gamma = mix_gamma(seed + 0x9e3779b97f4a7c15ULL);
}

static uint64_t cell_next(void *state) {
    sim_rng_cell *c = state;
    return mix64(c->seed += c->gamma);
}

static void cell_set(void *state, unsigned long seed) { sim_rng_cell_seed(state, seed); }

static unsigned long cell_get(void *state) { return (unsigned long)(cell_next(state) >> 32); }

static double cell_get_double(void *state) { return (double)(cell_next(state) >> 11) * 0x1.0p-53; }

static const gsl_rng_type cell_type = {
    "dsim-splitmix64", 0xffffffffUL, 0, sizeof(sim_rng_cell), cell_set, cell_get, cell_get_double,
};

const gsl_rng_type *const sim_rng_cell_type = &cell_type;
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
