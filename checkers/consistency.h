/* The consistency oracle: a checker (sim/checker.h), one per engine, fed by the data-tier
 * models; it judges every read against the history of acknowledged writes (contract §7
 * "consistency").
 *
 * Every version belongs to a data store (a database cluster, a kv_store: the node that names
 * it), and each store's keys have histories of their own, so two designs side by side in one
 * topology, each with its own store, never judge each other's reads. Versions are numbers that
 * grow with each write of a key in its store (the order in which the key's writes take
 * effect); version 0 is "never written". A read is stale when it returns a version older than
 * the newest version of its key acknowledged before the read was issued; its staleness is how
 * long before the read's issue that returned version had been superseded by an acknowledged
 * write, and how many versions it is behind. Per client and key, a read that returns an older
 * version than the client's own acknowledged write issued before it is a read-your-writes
 * violation, and one older than a read of the same client completed before it was issued is a
 * monotonic-read violation. A write acknowledged but absent from the copy that serves the
 * key's reads at the end (or after a failover) is lost. To find every such write, even of keys
 * the serving copy never heard of, stores list with the oracle the keys they commit writes of,
 * and settle against that list.
 *
 * Calls must come in simulated-time order (as the engine delivers events).
 *
 * Memory that does not grow with history. Judging needs, per store and key, "the newest
 * version acknowledged before time t" and "when was version v first superseded" (S(v), the
 * earliest acknowledgement of a version above v); per client and key, the newest own write
 * acknowledged, and the newest own read completed, before t; and, for the lost writes, the
 * measured acknowledged writes not yet lost. Keeping all of it (as a naive oracle does, see
 * tests/test_oracle_bounded.c) costs about 100 bytes per write for the whole run. Two bounds
 * let the oracle forget almost all of it, exactly:
 *
 * - The horizon H: the earliest issue time of any read that can still be judged. Every
 *   client registers (consistency_watch) a function giving the earliest issue time of the
 *   requests it still awaits, and so does every cache for the requests it holds (a fill from
 *   an old backend call carries an old version: see below). A read is judged only while its
 *   client awaits it, so every future read has issued >= H, and every "before t" question
 *   has t >= H: of each time-ordered history only the last entry before H and the entries
 *   after it can still answer one. H is exact only if every client that feeds reads
 *   registered; a read from one that did not turns this bound off for the rest of the run.
 * - The floor F of each key: no version below F will again be returned by a judged read nor
 *   reported surviving at a settle. It needs to know every place a version can come from: the
 *   store's copies (consistency_copy: each copy gives, per key, a version below which it will
 *   never fall, e.g. its current version for a durable copy whose versions only grow; 0 when
 *   it may lose data or reuse version numbers) and the caches (consistency_cached: a cache
 *   keeps a copy of a version, until it drops it or the entry expires). A version a read
 *   returns was held, when it was served (at or after the read's issue, so at or after H), by
 *   a copy or a cache: a copy's version then was at least its floor at any earlier time, and
 *   a cache's pin was live then (a pin is kept until H passes its end). A cache's version came
 *   from a backend reply to a call the cache held (so its issue time was >= H while it was in
 *   flight), served by a copy at or after that issue. So F may rise to min(the copies' floors
 *   as computed at the previous compaction, if that was before H; the versions of the pins
 *   that end at or after H), and never goes down. With F, S(v) is needed only for v >= F:
 *   the acknowledgements that raised the newest version above F and later ones; and a write
 *   at or below F can no longer be lost, since every settle reports a copy's version >= F.
 *   The bound is off for a store with no copy registered, and for the rest of the run once a
 *   read returns a version supplied by a node that is neither a registered copy nor a
 *   registered cache, or below F (which would mean a kind broke its promise: asserted).
 *
 * What is kept: per store and key, the acknowledgements that raised its newest version since
 * max(H, when the newest passed F) (usually one or two), the measured acknowledged writes above
 * F not yet lost, and the live pins; per client and key, the raises since H. The oracle compacts
 * when what it holds has doubled since the last compaction, so its memory stays within about
 * twice what those bounds keep, plus its per-key and per-node tables. */
#ifndef DSIM_CONSISTENCY_H
#define DSIM_CONSISTENCY_H

#include "checker.h"
#include "hist.h"
#include "report.h"
#include "simtime.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct consistency_oracle consistency_oracle;

/* The checker kind: the document's "consistency" (when any write was acknowledged or any read
 * judged) and each node's "consistency" entry (consistency_node_reads and
 * consistency_store_writes). */
extern const sim_checker_kind dsim_consistency_checker;

/* The run's oracle, for a hook of a kind that lists dsim_consistency_checker. A call below
 * that returns -1 (out of memory) should be followed by sim_out_of_memory. */
static inline consistency_oracle *consistency_of(sim_node *n) {
    return sim_checker(n, &dsim_consistency_checker);
}

/* Returns a new empty oracle, or NULL when out of memory. */
consistency_oracle *consistency_new(void);
void consistency_free(consistency_oracle *o);

/* No node known to have supplied a read's version. */
#define CONSISTENCY_NO_NODE UINT32_MAX

/* A completed request, as a client hands it to the oracle. */
typedef struct consistency_op {
    uint32_t client;    /* the client node */
    uint32_t store;     /* the data store the version belongs to */
    uint32_t served_by; /* reads: the node that supplied the version, or CONSISTENCY_NO_NODE */
    uint64_t key, version;
    sim_time issued; /* reads: when the read was issued (its first attempt) */
    sim_time done;   /* reads: completed; writes: acknowledged */
    bool measured;   /* issued after the warm-up: counted and judged */
} consistency_op;

/* A write creating op->version of op->key was acknowledged to op->client at op->done.
 * Returns 0, or -1 when out of memory. */
int consistency_write_acked(consistency_oracle *o, const consistency_op *op);

/* A read of op->key returned op->version. Returns 0, or -1 when out of memory. */
int consistency_read(consistency_oracle *o, const consistency_op *op);

/* At the end of the run (or of a failover), the copy that serves reads of key in store holds
 * version. Every acknowledged write of that key with a newer version is counted lost (once).
 * Returns 0, or -1 when out of memory. */
int consistency_surviving(consistency_oracle *o, uint32_t store, uint64_t key, uint64_t version);

/* Data store `store` (the node naming it, e.g. a database cluster's first instance)
 * committed a write of key: key joins the store's list for consistency_settle_store. Returns 0, or
 * -1 when out of memory. */
int consistency_store_key(consistency_oracle *o, uint32_t store, uint64_t key);

/* The copy that now serves store's reads holds version_of(key, ud) of each key (0 when it
 * lacks the key): consistency_surviving for every key on the store's list, in the order the
 * keys joined it. Returns 0, or -1 when out of memory. */
typedef uint64_t consistency_version_fn(uint64_t key, void *ud);
int consistency_settle_store(consistency_oracle *o, uint32_t store,
                             consistency_version_fn *version_of, void *ud);

/* Registers node (a client, a cache) whose oldest_issued(ud) is the earliest issue time
 * (rr_req.issued, protocols/request.h) of the requests it holds or awaits now, SIM_TIME_MAX when none; ud must
 * live as long as the oracle (a node's state does). Returns 0, or -1 when out of memory. */
typedef sim_time consistency_oldest_fn(const void *ud);
int consistency_watch(consistency_oracle *o, uint32_t node, consistency_oldest_fn *oldest_issued,
                      const void *ud);

/* Registers node as a copy of store: floor_of(key, ud) is a version below which the copy will
 * never again hold key (what it serves and what it would report at a settle), 0 when it
 * cannot promise one; ud must live as long as the oracle. Returns 0, or -1 when out of
 * memory. */
int consistency_copy(consistency_oracle *o, uint32_t store, uint32_t node,
                     consistency_version_fn *floor_of, void *ud);

/* Cache node keeps, from now on, version of key of store (replacing what it kept of that key
 * of that store) until `until` (SIM_TIME_MAX: until it drops it); until <= now: it dropped
 * the key. Returns 0, or -1 when out of memory. */
int consistency_cached(consistency_oracle *o, uint32_t node, uint32_t store, uint64_t key,
                       uint64_t version, sim_time now, sim_time until);

/* Forgets what the horizon and the floors allow to forget, as of now (normally done on its
 * own as the history grows; for tests). Returns 0. */
int consistency_compact(consistency_oracle *o, sim_time now);

/* Bytes the oracle holds (its tables and histories), for tests and measurements. */
size_t consistency_bytes(const consistency_oracle *o);
/* Entries its histories hold now (acknowledgements, raises, unlost writes, pins), for tests. */
size_t consistency_entries(const consistency_oracle *o);

/* True once any write was acknowledged or any read judged. */
bool consistency_is_used(const consistency_oracle *o);

/* Writes the figures of the document's "consistency" object into the open object. */
void consistency_report(const consistency_oracle *o, sim_report *w);

/* The measured reads whose version node supplied, and how many of them were stale; false
 * when it supplied none. */
bool consistency_node_reads(const consistency_oracle *o, uint32_t node, uint64_t *reads,
                            uint64_t *stale);

/* The measured writes acknowledged in store and how many of them were lost; false when the
 * store had none acknowledged. */
bool consistency_store_writes(const consistency_oracle *o, uint32_t store, uint64_t *acked,
                              uint64_t *lost);

/* Figures, for tests and kinds. */
typedef struct consistency_figures {
    uint64_t reads_checked, stale_reads, writes_acked, lost_writes;
    uint64_t read_your_writes_violations, monotonic_read_violations;
    uint64_t staleness_versions_max;
    double staleness_versions_sum;
} consistency_figures;
consistency_figures consistency_get(const consistency_oracle *o);
/* Staleness of the stale reads, in nanoseconds (borrowed). */
const sim_hist *consistency_staleness(const consistency_oracle *o);

#endif
