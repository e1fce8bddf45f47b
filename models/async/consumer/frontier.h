/* The consumer's commit frontier: per stream partition, the offset it may commit, that is
 * the offset after the last message it processed such that every message of that partition
 * delivered to it before is done too. With one worker messages end in delivery order and the
 * frontier follows each one; with several, a message that ends before an earlier one of its
 * partition waits for it (committing past an unprocessed message would lose it at a crash).
 * It tracks only what a consumer holds (its prefetch), and per partition two offsets. */
#ifndef DSIM_CONSUMER_FRONTIER_H
#define DSIM_CONSUMER_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A delivered message not yet covered by its partition's frontier. */
typedef struct cf_entry {
    uint64_t offset;
    uint32_t partition;
    bool done;
} cf_entry;

typedef struct cf_partition {
    uint64_t frontier;   /* committable: every delivered offset below it is done */
    uint64_t committed;  /* the last frontier committed (0: none) */
    uint32_t generation; /* of the delivery whose processing moved the frontier last */
} cf_partition;

typedef struct consumer_frontier {
    cf_entry *e;
    size_t n, cap;
    cf_partition *p; /* by partition number */
    size_t np;
} consumer_frontier;

/* An empty frontier (no allocation until used). */
void cf_init(consumer_frontier *f);
/* Frees what f holds; f is then empty. */
void cf_free(consumer_frontier *f);

/* The consumer holds a delivery of offset in partition. Returns 0, or -1 when out of memory. */
int cf_delivered(consumer_frontier *f, uint32_t partition, uint64_t offset);
/* It processed that delivery (delivered in generation): the partition's frontier moves past
 * it if nothing delivered before it is left. Returns 0, or -1 when out of memory. */
int cf_done(consumer_frontier *f, uint32_t partition, uint64_t offset, uint32_t generation);
/* It dropped that delivery unprocessed (its broker will deliver it again): no longer
 * tracked. */
void cf_forget(consumer_frontier *f, uint32_t partition, uint64_t offset);

/* True when partition's frontier moved since its last commit; then *offset and *generation
 * say what to commit. */
bool cf_due(const consumer_frontier *f, uint32_t partition, uint64_t *offset, uint32_t *generation);
/* The frontier of partition was committed. */
void cf_committed(consumer_frontier *f, uint32_t partition);
/* The partitions known (for a loop over cf_due). */
static inline size_t cf_partitions(const consumer_frontier *f) { return f->np; }

#endif
