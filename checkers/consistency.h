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
 * Calls must come in simulated-time order (as the engine delivers events). */
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
