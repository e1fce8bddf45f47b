/* The transactions checker of transactions.h: counters, and the history when kept. */
#include "transactions.h"
#include "array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One attempt in the history. */
typedef struct h_attempt {
    uint64_t process;
    size_t first; /* its mops in the pool */
    uint32_t nmops;
    uint8_t end; /* txns_op_type of its completion; TXNS_OP_INVOKE: none yet */
} h_attempt;

/* One op: the invoke or the completion of an attempt. */
typedef struct h_event {
    sim_time at;
    size_t attempt;
    bool completion;
} h_event;

typedef struct named {
    uint64_t key;
    const char *name;
} named;

typedef struct script_end {
    char name[64];
    uint8_t out, reason;
} script_end;

struct transactions {
    bool used, keep;
    sim_time end; /* of the run: when attempts never answered end `info` */
    uint64_t attempts, committed, indeterminate, retries;
    uint64_t aborted[TXN_ABORT_REASONS], failed[TXN_ABORT_REASONS];
    uint64_t processes;
    h_attempt *att;
    size_t natt, capatt;
    h_event *ev;
    size_t nev, capev;
    txns_mop *mops;
    size_t nmops, capmops;
    named *names;
    size_t nnames, capnames;
    script_end *scripts;
    size_t nscripts, capscripts;
};

#define GROW(arr, n, cap, more) sim_array_grow((void **)&(arr), &(cap), (n) + (more), sizeof *(arr))

void transactions_keep_history(transactions *t) { t->keep = true; }

uint64_t transactions_new_process(transactions *t) { return t->processes++; }

int transactions_name_key(transactions *t, uint64_t key, const char *name) {
    if (transactions_key_name(t, key))
        return 0;
    if (GROW(t->names, t->nnames, t->capnames, 1))
        return -1;
    t->names[t->nnames++] = (named){key, name};
    return 0;
}

const char *transactions_key_name(const transactions *t, uint64_t key) {
    for (size_t i = 0; i < t->nnames; i++)
        if (t->names[i].key == key)
            return t->names[i].name;
    return NULL;
}

size_t transactions_mops(const txn_stmt *stmts, unsigned n, uint64_t attempt,
                         const txn_result *results, txns_mop *out) {
    /* Where each savepoint was set, as a count of mops (the latest of each number). */
    uint64_t sp_number[TXN_MAX_STMTS];
    size_t sp_at[TXN_MAX_STMTS], nsp = 0, m = 0;
    for (unsigned i = 0; i < n; i++) {
        const txn_stmt *s = &stmts[i];
        const txn_result *r = results ? &results[i] : NULL;
        switch (s->kind) {
        case TXN_READ:
            out[m++] = (txns_mop){
                .key = s->key, .f = 'r', .known = r != NULL, .value = r && r->present ? r->wid : 0};
            break;
        case TXN_INCREMENT:
            /* A read and a write (docs/history.md): Elle's rw-register has no increment. */
            out[m++] =
                (txns_mop){.key = s->key, .f = 'r', .known = r != NULL, .value = r ? r->prior : 0};
            /* fall through */
        case TXN_WRITE:
            out[m++] = (txns_mop){
                .key = s->key, .f = 'w', .known = true, .value = txn_write_id(attempt, i)};
            break;
        case TXN_SAVEPOINT:
            if (nsp < TXN_MAX_STMTS) {
                sp_number[nsp] = s->number;
                sp_at[nsp++] = m;
            }
            break;
        case TXN_ROLLBACK_TO:
            /* Its writes never happened; its reads of them would then read nothing any
             * transaction installed: both are dropped (leaving reads out is always sound). */
            for (size_t k = nsp; k-- > 0;)
                if (sp_number[k] == s->number) {
                    m = sp_at[k];
                    nsp = k + 1;
                    break;
                }
            break;
        default: /* range reads: Elle's rw-register has no predicates (left out); abort */
            break;
        }
    }
    return m;
}

static int add_event(transactions *t, sim_time at, size_t attempt, bool completion) {
    if (GROW(t->ev, t->nev, t->capev, 1))
        return -1;
    t->ev[t->nev++] = (h_event){at, attempt, completion};
    return 0;
}

int transactions_begin(transactions *t, bool measured, uint64_t process, sim_time at,
                       uint64_t attempt, const txn_stmt *stmts, unsigned n, uint64_t *handle) {
    t->used = true;
    if (measured)
        t->attempts++;
    *handle = 0;
    if (!t->keep)
        return 0;
    if (GROW(t->att, t->natt, t->capatt, 1) || GROW(t->mops, t->nmops, t->capmops, 2 * n))
        return -1;
    size_t m = transactions_mops(stmts, n, attempt, NULL, t->mops + t->nmops);
    t->att[t->natt] = (h_attempt){.process = process, .first = t->nmops, .nmops = (uint32_t)m};
    t->nmops += m;
    if (add_event(t, at, t->natt, false))
        return -1;
    *handle = ++t->natt;
    return 0;
}

int transactions_end(transactions *t, bool measured, uint64_t handle, sim_time at, txns_outcome out,
                     unsigned reason, const txn_result *results, const txn_stmt *stmts, unsigned n,
                     uint64_t attempt) {
    if (measured) {
        if (out == TXNS_COMMITTED)
            t->committed++;
        else if (out == TXNS_ABORTED)
            t->aborted[reason < TXN_ABORT_REASONS ? reason : 0]++;
        else
            t->indeterminate++;
    }
    if (!handle || !t->keep)
        return 0;
    h_attempt *a = &t->att[handle - 1];
    a->end = out == TXNS_COMMITTED ? TXNS_OP_OK : out == TXNS_ABORTED ? TXNS_OP_FAIL : TXNS_OP_INFO;
    if (out == TXNS_COMMITTED && results) {
        /* The same walk as at the invoke, now with what the reads returned. */
        size_t m = transactions_mops(stmts, n, attempt, results, t->mops + a->first);
        a->nmops = (uint32_t)m;
    }
    return add_event(t, at, handle - 1, true);
}

void transactions_retried(transactions *t) { t->retries++; }

void transactions_failed(transactions *t, unsigned reason) {
    t->failed[reason < TXN_ABORT_REASONS ? reason : 0]++;
}

int transactions_script_end(transactions *t, const char *name, txns_outcome out, unsigned reason) {
    if (GROW(t->scripts, t->nscripts, t->capscripts, 1))
        return -1;
    script_end *e = &t->scripts[t->nscripts++];
    *e = (script_end){.out = (uint8_t)out, .reason = (uint8_t)reason};
    snprintf(e->name, sizeof e->name, "%s", name);
    return 0;
}

size_t transactions_history_size(const transactions *t) { return t->nev; }

txns_op transactions_history_op(const transactions *t, size_t i) {
    const h_event *e = &t->ev[i];
    const h_attempt *a = &t->att[e->attempt];
    return (txns_op){e->completion ? (txns_op_type)a->end : TXNS_OP_INVOKE, a->process, e->at,
                     a->nmops, t->mops + a->first};
}

/* The run ended: the attempts still awaited end `info` at its end, in the order sent (the
 * client cannot know whether they committed). */
static int settle(void *checker) {
    transactions *t = checker;
    for (size_t j = 0; t->keep && j < t->natt; j++)
        if (t->att[j].end == TXNS_OP_INVOKE) {
            t->att[j].end = TXNS_OP_INFO;
            if (add_event(t, t->end, j, true))
                return -1;
        }
    return 0;
}

static void *create(const sim_topology *topo) {
    transactions *t = calloc(1, sizeof(transactions));
    if (t)
        t->end = topo->duration;
    return t;
}

static bool is_reported(const void *checker) { return ((const transactions *)checker)->used; }

static void report_by_reason(sim_report *w, const char *key, const uint64_t *by) {
    uint64_t total = 0;
    sim_report_open(w, key);
    for (int r = 1; r < TXN_ABORT_REASONS; r++) {
        sim_report_int(w, txn_abort_names[r], (int64_t)by[r]);
        total += by[r];
    }
    sim_report_int(w, "total", (int64_t)total);
    sim_report_close(w);
}

static void report(const void *checker, sim_report *w) {
    const transactions *t = checker;
    sim_report_int(w, "attempts", (int64_t)t->attempts);
    sim_report_int(w, "committed", (int64_t)t->committed);
    report_by_reason(w, "aborted", t->aborted);
    sim_report_int(w, "indeterminate", (int64_t)t->indeterminate);
    sim_report_int(w, "retries", (int64_t)t->retries);
    report_by_reason(w, "failed", t->failed);
    if (t->nscripts) {
        sim_report_open(w, "script");
        for (size_t i = 0; i < t->nscripts; i++) {
            const script_end *s = &t->scripts[i];
            char text[48];
            if (s->out == TXNS_COMMITTED)
                strcpy(text, "committed");
            else if (s->out == TXNS_ABORTED)
                snprintf(text, sizeof text, "aborted: %s", txn_abort_names[s->reason]);
            else
                strcpy(text, "indeterminate");
            sim_report_string(w, s->name, text);
        }
        sim_report_close(w);
    }
}

static void destroy(void *checker) {
    transactions *t = checker;
    if (!t)
        return;
    free(t->att);
    free(t->ev);
    free(t->mops);
    free(t->names);
    free(t->scripts);
    free(t);
}

#define BY_REASON(key)                                                                             \
    key ".deadlock", key ".lock_timeout", key ".serialization", key ".constraint", key ".crash",   \
        key ".user", key ".total"
static const char *const figures[] = {
    "attempts",          "committed", BY_REASON("aborted"), "indeterminate", "retries",
    BY_REASON("failed"), NULL};

const sim_checker_kind dsim_transactions_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "transactions",
    .create = create,
    .settle = settle,
    .is_reported = is_reported,
    .report = report,
    .free = destroy,
    .figures = figures,
};
