/* The client's transactions (client_txn.h): the keys, a script's statements, a workload's
 * draw. */
#include "client_txn.h"

#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const ctxn_writes_names[] = {"write", "increment", "read_modify_write", "transfer",
                                         NULL};

const sim_param ctxn_workload_params[] = {
    {.name = "statements", .type = SIM_P_INT, .offset = offsetof(ctxn_workload, statements),
     .def = "4", .min = 1, .max = TXN_MAX_STMTS,
     .help = "statements per transaction (the fewest, with statements_max)"},
    {.name = "statements_max", .type = SIM_P_INT,
     .offset = offsetof(ctxn_workload, statements_max), .min = 1, .max = TXN_MAX_STMTS,
     .help = "the most statements: each transaction draws its count uniformly in "
             "[statements, statements_max] (default: exactly `statements`)"},
    {.name = "read_fraction", .type = SIM_P_PROB,
     .offset = offsetof(ctxn_workload, read_fraction), .def = "0.5",
     .help = "probability that a statement reads (else it writes, as `writes` says)"},
    {.name = "writes", .type = SIM_P_ENUM, .offset = offsetof(ctxn_workload, writes),
     .def = "write", .choices = ctxn_writes_names,
     .help = "write: k = a value unique in the run; increment: k = k + 1 in one statement; "
             "read_modify_write: read k, then write k = read + 1 (two statements: loses "
             "updates where the isolation level allows it); transfer: the bank transfer, the "
             "whole transaction: read a, read b, write a = a - amount, write b = b + amount "
             "(two distinct keys; statements, read_fraction and range_fraction do not apply)"},
    {.name = "range_fraction", .type = SIM_P_PROB,
     .offset = offsetof(ctxn_workload, range_fraction), .def = "0",
     .help = "probability that a read reads a range of keys (the phantom case)"},
    {.name = "range_size", .type = SIM_P_INT, .offset = offsetof(ctxn_workload, range_size),
     .def = "10", .min = 1, .max = 1e9, .help = "keys of a range read: [k, k + range_size)"},
    {.name = "think", .type = SIM_P_DIST, .offset = offsetof(ctxn_workload, think),
     .help = "think time before each statement but the first (default: none)"},
    {.name = "amount", .type = SIM_P_INT, .offset = offsetof(ctxn_workload, amount),
     .def = "1", .min = 1, .max = 1e15,
     .help = "writes: transfer: the amount moved from the first key to the second"},
    {0},
};

const sim_param ctxn_script_params[] = {
    {.name = "at", .type = SIM_P_DURATION, .offset = offsetof(ctxn_script, at),
     .flags = SIM_PARAM_REQUIRED, .min = 0, .max = (double)SIM_TIME_MAX,
     .help = "when the transaction's first statement is sent"},
    {.name = "name", .type = SIM_P_TEXT, .offset = offsetof(ctxn_script, name),
     .help = "its name in the document's transactions.script (default: T1, T2, ... in order)"},
    {.name = "statements", .type = SIM_P_TEXT, .offset = offsetof(ctxn_script, statements),
     .flags = SIM_PARAM_REQUIRED, .parse = ctxn_parse_line, .item_size = sizeof(ctxn_line),
     .help = "the statements in order: \"read K\", \"write K V\", \"write K +V from read\", "
             "\"increment K [BY]\", \"range LO HI\", \"savepoint S\", \"rollback_to S\", "
             "\"abort\", and \"wait DURATION\" before the next one"},
    {0},
};

/* The next word of *p (cut off with a '\0'), or NULL at the end. */
static char *word(char **p) {
    char *s = *p;
    while (*s && isspace((unsigned char)*s))
        s++;
    if (!*s)
        return NULL;
    char *w = s;
    while (*s && !isspace((unsigned char)*s))
        s++;
    if (*s)
        *s++ = '\0';
    *p = s;
    return w;
}

static bool is_name(const char *w) {
    if (!isalpha((unsigned char)w[0]) && w[0] != '_')
        return false;
    for (const char *c = w; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return false;
    return true;
}

/* A key: a whole number in [0, 2^63) or a name (txn_key_of_name). */
static int parse_key(const char *w, ctxn_line *l, bool named_ok, char *err, size_t errsize) {
    int64_t v;
    if (w && !sim_parse_int(w, &v) && v >= 0) {
        l->stmt.key = (uint64_t)v;
        return 0;
    }
    if (w && named_ok && is_name(w)) {
        l->stmt.key = txn_key_of_name(w);
        l->name = w;
        return 0;
    }
    snprintf(err, errsize, "expected a key (a whole number >= 0%s), got '%s'",
             named_ok ? " or a name such as balance_a" : "", w ? w : "nothing");
    return -1;
}

static int parse_int(const char *w, const char *what, int64_t *out, char *err, size_t n) {
    if (w && !sim_parse_int(w, out))
        return 0;
    snprintf(err, n, "expected %s (a whole number), got '%s'", what, w ? w : "nothing");
    return -1;
}

int ctxn_parse_line(char *text, void *item, char *err, size_t errsize) {
    ctxn_line *l = item;
    *l = (ctxn_line){0};
    char *p = text, *verb = word(&p);
    if (!verb) {
        snprintf(err, errsize, "an empty statement");
        return -1;
    }
    int kind = -1;
    for (int k = 0; k < TXN_STMT_KINDS; k++)
        if (strcmp(verb, txn_stmt_names[k]) == 0)
            kind = k;
    l->stmt.kind = (uint8_t)(kind < 0 ? 0 : kind);
    int64_t v = 1;
    char *a, *b;
    if (strcmp(verb, "wait") == 0) {
        a = word(&p);
        if (!a || sim_parse_duration(a, &l->stmt.think)) {
            snprintf(err, errsize, "expected a duration after 'wait' (e.g. wait 10ms), got '%s'",
                     a ? a : "nothing");
            return -1;
        }
        l->wait = true;
    } else if (kind < 0) {
        snprintf(err, errsize, "unknown statement '%s': expected read, write, increment, range, "
                               "savepoint, rollback_to, abort or wait", verb);
        return -1;
    } else {
        switch (kind) {
        case TXN_READ:
            if (parse_key(word(&p), l, true, err, errsize))
                return -1;
            break;
        case TXN_WRITE:
            if (parse_key(word(&p), l, true, err, errsize))
                return -1;
            a = word(&p);
            b = word(&p);
            if (b && strcmp(b, "from") == 0) {
                /* write K +V from read: the client-side read-modify-write (txn.h). */
                if (!a || (a[0] != '+' && a[0] != '-') ||
                    parse_int(a, "a signed amount such as +1", &v, err, errsize))
                    return -1;
                if (!(b = word(&p)) || strcmp(b, "read") != 0) {
                    snprintf(err, errsize, "expected 'from read' after the amount");
                    return -1;
                }
                l->stmt.flags = TXN_FROM_READ;
            } else if (parse_int(a, "a value (write K V, or write K +V from read)", &v, err,
                                 errsize)) {
                return -1;
            } else if (b) {
                snprintf(err, errsize, "unexpected '%s' at the end of the statement", b);
                return -1;
            }
            l->stmt.value = v;
            break;
        case TXN_INCREMENT:
            if (parse_key(word(&p), l, true, err, errsize))
                return -1;
            if ((a = word(&p)) && parse_int(a, "the amount", &v, err, errsize))
                return -1;
            l->stmt.value = v;
            break;
        case TXN_RANGE: {
            int64_t hi;
            if (parse_key(word(&p), l, false, err, errsize))
                return -1;
            if (parse_int(word(&p), "the range's end (range LO HI reads LO <= k < HI)", &hi, err,
                          errsize))
                return -1;
            if (hi <= (int64_t)l->stmt.key) {
                snprintf(err, errsize, "the range's end %lld must be above its start %llu",
                         (long long)hi, (unsigned long long)l->stmt.key);
                return -1;
            }
            l->stmt.key_end = (uint64_t)hi;
            break;
        }
        case TXN_SAVEPOINT:
        case TXN_ROLLBACK_TO:
            a = word(&p);
            if (!a || !is_name(a)) {
                snprintf(err, errsize, "expected a savepoint's name after '%s', got '%s'", verb,
                         a ? a : "nothing");
                return -1;
            }
            l->stmt.number = txn_key_of_name(a);
            break;
        default: /* abort */
            break;
        }
    }
    if ((a = word(&p))) {
        snprintf(err, errsize, "unexpected '%s' at the end of the statement", a);
        return -1;
    }
    return 0;
}

void ctxn_script_check(const sim_list *script, sim_check *ck) {
    const ctxn_script *ts = script->items;
    for (size_t t = 0; t < script->n; t++) {
        const ctxn_line *l = ts[t].statements.items;
        size_t n = ts[t].statements.n, stmts = 0;
        uint64_t saved[TXN_MAX_STMTS];
        size_t nsaved = 0;
        if (ts[t].name.n > 1)
            sim_check_error(ck, "script", "script[%zu]: give one name", t);
        for (size_t i = 0; i < n; i++) {
            if (l[i].wait)
                continue;
            stmts++;
            if (l[i].stmt.kind == TXN_SAVEPOINT && nsaved < TXN_MAX_STMTS)
                saved[nsaved++] = l[i].stmt.number;
            if (l[i].stmt.kind == TXN_ROLLBACK_TO) {
                bool known = false;
                for (size_t k = 0; k < nsaved; k++)
                    known |= saved[k] == l[i].stmt.number;
                if (!known)
                    sim_check_error(ck, "script", "script[%zu]: statement %zu rolls back to a "
                                                  "savepoint not set before it", t, i + 1);
            }
            if (l[i].stmt.kind == TXN_ABORT && i + 1 < n)
                sim_check_error(ck, "script", "script[%zu]: 'abort' ends the transaction: no "
                                              "statement may follow it", t);
        }
        if (stmts == 0 || stmts > TXN_MAX_STMTS)
            sim_check_error(ck, "script", "script[%zu]: expected 1 to %d statements (besides "
                                          "waits), got %zu", t, TXN_MAX_STMTS, stmts);
        if (n && l[n - 1].wait)
            sim_check_error(ck, "script", "script[%zu]: a 'wait' comes before a statement, not "
                                          "at the end", t);
    }
}

unsigned ctxn_script_stmts(const ctxn_script *s, txn_stmt *out) {
    const ctxn_line *l = s->statements.items;
    unsigned n = 0;
    sim_time wait = 0;
    for (size_t i = 0; i < s->statements.n && n < TXN_MAX_STMTS; i++) {
        if (l[i].wait) {
            wait += l[i].stmt.think;
            continue;
        }
        out[n] = l[i].stmt;
        out[n++].think = wait;
        wait = 0;
    }
    return n;
}

/* The bank transfer of every textbook (Gray & Reuter 1993; DDIA ch. 7): two read-modify-
 * writes, so each level's lost updates and read skew show in the accounts' total. The second
 * key is drawn again until it differs from the first (the client's check asks `keys` for two
 * keys at least). */
static unsigned draw_transfer(const ctxn_workload *w, sim_index_sampler *keys, gsl_rng *rng,
                              txn_stmt *out) {
    uint64_t a = sim_index_sample(keys, rng), b = a;
    while (b == a)
        b = sim_index_sample(keys, rng);
    const uint64_t key[4] = {a, b, a, b};
    for (unsigned i = 0; i < 4; i++) {
        sim_time think = i > 0 && w->think.kind ? sim_dist_sample_time(&w->think, rng) : 0;
        out[i] = (txn_stmt){.key = key[i], .think = think, .kind = TXN_READ};
        if (i >= 2) {
            out[i].kind = TXN_WRITE;
            out[i].flags = TXN_FROM_READ;
            out[i].value = i == 2 ? -w->amount : w->amount;
        }
    }
    return 4;
}

unsigned ctxn_draw(const ctxn_workload *w, sim_index_sampler *keys, gsl_rng *rng,
                   txn_stmt *out) {
    if (w->writes == CTXN_TRANSFER)
        return draw_transfer(w, keys, rng, out);
    unsigned count = (unsigned)w->statements, n = 0;
    if (w->statements_max > w->statements)
        count += (unsigned)gsl_rng_uniform_int(rng,
                                               (unsigned long)(w->statements_max - w->statements + 1));
    while (n < count) {
        sim_time think = n > 0 && w->think.kind ? sim_dist_sample_time(&w->think, rng) : 0;
        uint64_t key = sim_index_sample(keys, rng);
        txn_stmt s = {.key = key, .think = think};
        if (gsl_rng_uniform(rng) < w->read_fraction) {
            if (w->range_fraction > 0 && gsl_rng_uniform(rng) < w->range_fraction) {
                s.kind = TXN_RANGE;
                s.key_end = key + (uint64_t)w->range_size;
            } else {
                s.kind = TXN_READ;
            }
        } else if (w->writes == CTXN_INCREMENT) {
            s.kind = TXN_INCREMENT;
            s.value = 1;
        } else if (w->writes == CTXN_READ_MODIFY_WRITE && n + 2 <= TXN_MAX_STMTS) {
            /* Two statements for one drawn: the read, then the write of read + 1. */
            out[n++] = (txn_stmt){.key = key, .think = think, .kind = TXN_READ};
            s = (txn_stmt){.key = key, .kind = TXN_WRITE, .flags = TXN_FROM_READ, .value = 1};
            count++;
        } else {
            s.kind = TXN_WRITE;
        }
        out[n++] = s;
        if (count > TXN_MAX_STMTS)
            count = TXN_MAX_STMTS;
    }
    return n;
}

void ctxn_set_write_ids(txn_stmt *stmts, unsigned n, uint64_t attempt) {
    for (unsigned i = 0; i < n; i++)
        if (stmts[i].kind == TXN_WRITE && !(stmts[i].flags & TXN_FROM_READ))
            stmts[i].value = (int64_t)txn_write_id(attempt, i);
}
