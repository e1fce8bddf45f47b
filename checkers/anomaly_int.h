/* What the files of the anomaly analysis share (anomaly_analyze.c builds it; anomaly_cycles.c,
 * anomaly_phenomena.c and invariants.c read it): the trace's events grouped by transaction,
 * each key's version order, what every read resolved to, and the DSG. Private to checkers/. */
#ifndef DSIM_ANOMALY_INT_H
#define DSIM_ANOMALY_INT_H

#include "anomaly_analysis.h"
#include "dsg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One version of a key's version order: a committed transaction's last write of the key. */
typedef struct an_version {
    uint64_t key, wid, seq; /* seq: its writer's commit_seq */
    uint32_t txn, ev;       /* the writer (trace index) and its write event */
    bool present;
} an_version;

/* What a read event resolved to (an_ctx.res), when it is not a version index. */
#define AN_INITIAL (UINT32_MAX - 1) /* the key's initial state (write id 0) */
#define AN_OWN (UINT32_MAX - 2)     /* the reader's own write */
#define AN_DIRTY (UINT32_MAX - 3)   /* a version in no committed state (G1a, G1b) */
#define AN_NOTHING UINT32_MAX       /* not a read of a committed transaction */

/* Event flags (an_ctx.flag). */
#define AN_UNDONE 1u    /* a write rolled back to a savepoint */
#define AN_INSTALLED 2u /* a committed transaction's last write of its key */

typedef struct an_ctx {
    const txn_trace *t;
    uint32_t ntx;
    size_t *ebeg; /* the events of transaction i: evs[ebeg[i] .. ebeg[i+1]) */
    uint32_t *evs;
    uint8_t *flag;   /* per event */
    uint32_t *res;   /* per event: a read's version index or AN_*; an installed write's index */
    an_version *ver; /* sorted by key, then commit order */
    size_t nver;
    uint32_t *node_of; /* transaction -> DSG node (committed only), DSG_NONE */
    uint32_t *txn_of;  /* node -> transaction */
    uint32_t nnodes;
    dsg g;
    anomaly_report *out;
} an_ctx;

/* The first index of ctx->ver whose key is >= key. */
size_t an__key_first(const an_ctx *c, uint64_t key);
/* The version index after what read event ev resolved to (AN_INITIAL or an index) of the
 * same key, or AN_NOTHING when there is none. */
uint32_t an__next_version(const an_ctx *c, uint64_t key, uint32_t res);
/* A resolved read's place in its key's order: 0 for the initial state, index + 1 else. */
static inline uint64_t an__ord(uint32_t res) { return res == AN_INITIAL ? 0 : (uint64_t)res + 1; }
/* The write id of a resolved read (0 for the initial state). */
static inline uint64_t an__wid(const an_ctx *c, uint32_t res) {
    return res == AN_INITIAL ? 0 : c->ver[res].wid;
}
/* True when res is a version of the order (or the initial state). */
static inline bool an__is_version(uint32_t res) { return res < AN_DIRTY || res == AN_INITIAL; }

/* Classifies the DSG's cycles into out (G0, G1c, G-single, G2-item, G2). 0, or -1 (memory). */
int an__cycles(an_ctx *c);
/* Counts the phenomena of Berenson et al. 1995. 0, or -1 (memory). */
int an__phenomena(an_ctx *c);
/* Checks the invariants. 0, or -1 (memory). */
int an__invariants(an_ctx *c, const anomaly_invariant *inv, size_t ninv);

#endif
