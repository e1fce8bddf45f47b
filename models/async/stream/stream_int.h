/* The stream kind's internals, shared by its files: stream.c (the kind's table, publishing,
 * timers, crash and finish), log.c (the partitions' logs, placement and retention), group.c
 * (consumer groups: membership, sessions, rebalances and assignment), deliver.c (deliveries,
 * acks and commits) and report.c (the figures). Nothing here is seen outside the folder. */
#ifndef DSIM_STREAM_INT_H
#define DSIM_STREAM_INT_H

#include "deliveries.h" /* checkers/: the delivery checker */
#include "delivery.h"   /* protocols/: what it speaks with its consumers */
#include "dist.h"
#include "hist.h"
#include "metrics.h"
#include "node.h"
#include "delay_line.h"
#include "slot_table.h"
#include "tavg.h"

#include <stdbool.h>
#include <stdint.h>

#define ST_NONE UINT32_MAX

enum { ST_HASH, ST_ROUND_ROBIN }; /* placement */

/* Timers: a publish's publish_time is over (arg: its slot); the next retention deletion is
 * due; the earliest session may have timed out; a group's rebalance pause is over (arg: the
 * group's index). */
enum { T_PUBLISH, T_RETENTION, T_SESSION, T_PAUSE };

typedef struct st_config {
    int64_t partitions;
    int placement;
    sim_time retention; /* -1: unbounded */
    sim_time session_timeout;
    sim_time rebalance_pause;
    sim_dist publish_time;
} st_config;

/* One message of a partition's log: 24 bytes, so that a million cost 24 MB. Its offset is
 * its place in the log; whether it counts follows from `appended` (its figures are those of
 * messages appended in the measured window, as the consumer counts by `published`). */
typedef struct st_record {
    uint64_t msg;      /* the delivery checker's id */
    sim_time appended; /* when the broker accepted it (the delivery's `published`) */
    uint64_t key;      /* the producer's key */
} st_record;

/* A partition's log: records[head .. n) hold offsets start .. end - 1; retention moves head
 * (and start) forward, and the array is compacted when the dead front is half of it. */
typedef struct st_log {
    st_record *records;
    uint32_t head, n, cap;
    uint64_t start;    /* offset of records[head] */
    uint64_t appended; /* measured appends (figures) */
} st_log;

/* A consumer instance of a group, subscribed and heartbeating. */
typedef struct st_member {
    uint32_t node;       /* its instance id */
    sim_time seen;       /* its last subscribe or heartbeat */
    uint32_t sub_credit; /* the credit its subscribe gave: restored at each welcome */
    uint32_t credit;     /* deliveries it may still take in this generation */
    uint32_t generation; /* the generation it was last welcomed into, 0: not yet */
    uint32_t cursor;     /* round robin among its partitions */
} st_member;

/* A group's view of one partition. */
typedef struct st_gpart {
    uint64_t committed; /* the next offset to process, as last committed */
    uint64_t position;  /* the next offset to deliver */
    uint64_t high;      /* one past the highest offset ever delivered (redeliveries) */
    uint32_t owner;     /* the owning member's instance id, ST_NONE: none */
    uint32_t owner_gen; /* the generation it was assigned in */
} st_gpart;

/* A consumer group: every instance of one consumer node, reading the whole log. */
typedef struct st_group {
    char *name;  /* the consumer node's name (owned) */
    uint32_t id; /* the delivery checker's group id */
    uint32_t generation;
    bool paused;        /* a rebalance pause is running: no deliveries */
    sim_timer pause;    /* its end */
    st_member *members; /* sorted by instance id */
    uint32_t nmembers, capmembers;
    st_gpart *parts; /* one per partition */
    uint64_t lag;    /* sum over partitions of log end - max(committed, log start) */
    sim_tavg lag_avg;
    uint64_t lag_max;
    /* Measured figures. */
    uint64_t delivered, redelivered, committed, rebalances;
    sim_hist commit_delay; /* append -> the commit that covered it, ns */
} st_group;

typedef struct st_state {
    st_log *logs; /* one per partition */
    /* With retention: the partition of each message held, in append order (2 bytes a
     * message), so that the oldest one is found at once. */
    uint16_t *order;
    uint32_t ohead, on, ocap;
    uint32_t rr;           /* round robin placement: the next partition */
    delay_line publishing; /* publishes in their publish_time */
    st_group *groups;
    uint32_t ngroups, capgroups;
    sim_timer retention, session;
    /* The highest checker id retention deleted: retention deletes by append time, so every
     * message of this stream up to it is gone (for a group opened later). */
    uint64_t last_expired;
    uint64_t lag; /* total over groups */
    sim_tavg lag_avg;
    /* Measured figures. */
    uint64_t published, expired;
} st_state;

/* log.c */
/* The partition of a message (key, keyed) under the config's placement. */
uint32_t st_place(st_state *s, const st_config *c, uint64_t key, bool keyed);
/* One past the last offset of log l. */
static inline uint64_t st_log_end(const st_log *l) { return l->start + (l->n - l->head); }
/* The record at offset off of l (start <= off < end). */
static inline st_record *st_log_at(const st_log *l, uint64_t off) {
    return &l->records[l->head + (off - l->start)];
}
/* Appends a record to l; returns 0, or -1 when out of memory. */
int st_log_append(st_log *l, const st_record *r);
/* Records that partition p took the newest message (for retention); 0, or -1 when out of
 * memory. */
int st_order_push(st_state *s, uint32_t p);
/* Deletes from every partition the records appended at least `retention` ago, telling the
 * checker they expired, and re-arms the retention timer. */
void st_retention_run(sim_node *n);
/* Sets the retention timer at the oldest record's expiry (none when unbounded or empty). */
void st_retention_arm(sim_node *n);
void st_logs_free(st_state *s, const st_config *c);

/* group.c */
/* The group of consumer instance `node`, opened (with the checker, whole_log) when new;
 * NULL when out of memory. */
st_group *st_group_of(sim_node *n, uint32_t node);
/* The member of g that is instance node, or NULL. */
st_member *st_member_find(st_group *g, uint32_t node);
/* A subscribe from instance node: it joins (or rejoins) its group, which rebalances. */
void st_subscribe(sim_node *n, uint32_t node, uint32_t credit);
/* A heartbeat from instance node: its session goes on, or it is kicked when unknown. */
void st_heartbeat(sim_node *n, uint32_t node);
/* The session timer fired: members silent for session_timeout leave their groups. */
void st_sessions_check(sim_node *n);
/* The rebalance pause of group gi is over: assign, welcome and deliver. */
void st_pause_over(sim_node *n, uint32_t gi);
/* The lag of group part gp of log l: its messages not yet committed and still held. */
static inline uint64_t st_part_lag(const st_log *l, const st_gpart *gp) {
    uint64_t from = gp->committed > l->start ? gp->committed : l->start;
    return st_log_end(l) > from ? st_log_end(l) - from : 0;
}
/* Changes g's lag (and the stream's total) by delta, now. */
void st_lag_add(sim_node *n, st_group *g, int64_t delta);
void st_groups_free(st_state *s);

/* deliver.c */
/* Delivers to member m of g while it has credit and its partitions have messages. */
void st_deliver_member(sim_node *n, st_group *g, st_member *m);
/* Delivers partition p's new message to its owner in every group. */
void st_deliver_partition(sim_node *n, uint32_t p);
void st_ack(sim_node *n, uint32_t from, const dl_ack *a);
void st_commit(sim_node *n, uint32_t from, const dl_commit *cm);

/* report.c */
extern const sim_metric st_metrics[];

#endif
