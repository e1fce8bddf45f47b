/* Hashing for the load balancer's key-affine policies: a 64-bit mixer (SplitMix64's
 * finaliser), the hash of a request key, and a consistent-hash ring with virtual nodes
 * (Karger et al., "Consistent hashing and random trees", STOC 1997; virtual nodes as in
 * Dynamo and ketama). The ring is a sorted array of points; a lookup is a binary search for
 * the first point at or after the key's hash, wrapping around. Pure functions and plain
 * memory: no node, no random stream. */
#ifndef DSIM_RING_H
#define DSIM_RING_H

#include <stddef.h>
#include <stdint.h>

/* SplitMix64's output function (Steele, Lea and Flood, OOPSLA 2014): a bijection on 64-bit
 * words that passes BigCrush when fed a counter. */
uint64_t ring_mix(uint64_t x);
/* The hash of a key (or of a client's node index) on the ring: two rounds of ring_mix over a
 * domain other than the points', so that small keys never coincide with points. */
uint64_t ring_key_hash(uint64_t key);
/* The position of virtual node `vnode` of backend `backend`: ring_mix((backend << 32) | vnode).
 * It depends on the backend's index only, so appending a backend moves no existing point. */
uint64_t ring_point(uint32_t backend, uint32_t vnode);

typedef struct ring_entry {
    uint64_t pos;
    uint32_t owner; /* backend index */
} ring_entry;

/* A ring of `backends` x `vnodes` points sorted by position (ties by owner). */
typedef struct ring {
    size_t n;
    ring_entry *e;
} ring;

/* Builds the ring (backends >= 1, vnodes >= 1). Returns 0, or -1 when out of memory (r is
 * then empty). The caller frees it with ring_free. */
int ring_build(ring *r, uint32_t backends, uint32_t vnodes);
/* Frees the points; r is empty afterwards. */
void ring_free(ring *r);
/* Index of the first point at or after position h, wrapping to 0 past the last point. The
 * ring must not be empty. */
size_t ring_find(const ring *r, uint64_t h);
/* The backend owning position h: the owner of ring_find(r, h). */
uint32_t ring_owner(const ring *r, uint64_t h);
/* The fraction of the 2^64 positions that backend b owns (the arcs ending at its points). */
double ring_share(const ring *r, uint32_t b);

#endif
