/* What the anomaly checker (checkers/anomalies.h) is told: the trace the cluster's ccs write,
 * and the invariants the topology states (`invariants`, parsed here).
 *
 * Every instance's cc records into the cluster's one trace, anomalies_trace(a,
 * db__store_of(n), rows, initial_value): the primary's transactions, a new primary's after a
 * failover, and the read-only transactions a replica runs on its copy. Nothing is recorded
 * twice: a replica installs its primary's transactions with txn_cc_apply and a restore with
 * txn_cc_reset, which record nothing (txn/cc.h), so each transaction is in the trace once, by
 * the instance that ran it. Write ids are unique in the run (txn_write_id of the attempt's
 * request id), so a replica's reads name the versions its primary's commits installed. */
#include "database_int.h"

#include "anomalies.h"
#include "units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

txn_trace *db__txn_trace(sim_node *n) {
    const db_config *c = sim_config(n);
    txn_trace *t =
        anomalies_trace(anomalies_of(n), db__store_of(n), (uint64_t)c->rows, c->initial_value);
    if (!t)
        sim_out_of_memory(n);
    return t;
}

/* A bound of a key range: a whole number in [0, 2^63). */
static int parse_bound(char *text, void *item, char *err, size_t errsize) {
    int64_t v;
    if (sim_parse_int(text, &v) || v < 0) {
        snprintf(err, errsize, "expected a key (a whole number >= 0), got '%s'", text);
        return -1;
    }
    *(uint64_t *)item = (uint64_t)v;
    return 0;
}

static int parse_value(char *text, void *item, char *err, size_t errsize) {
    if (sim_parse_int(text, item)) {
        snprintf(err, errsize, "expected a whole number, got '%s'", text);
        return -1;
    }
    return 0;
}

/* A key as scripts write it: a number, or a name (txn_key_of_name: the same key a client's
 * script means by that name). */
static int parse_key(char *text, void *item, char *err, size_t errsize) {
    db_key *k = item;
    int64_t v;
    if (!sim_parse_int(text, &v) && v >= 0) {
        *k = (db_key){.key = (uint64_t)v};
        return 0;
    }
    bool name = isalpha((unsigned char)text[0]) || text[0] == '_';
    for (const char *c = text; name && *c; c++)
        name = isalnum((unsigned char)*c) || *c == '_';
    if (!name) {
        snprintf(err, errsize,
                 "expected a key (a whole number >= 0 or a name such as "
                 "posts_count), got '%s'",
                 text);
        return -1;
    }
    *k = (db_key){.key = txn_key_of_name(text), .name = text};
    return 0;
}

const sim_param db_invariant_params[] = {
    {.name = "name",
     .type = SIM_P_TEXT,
     .offset = offsetof(db_invariant, name),
     .flags = SIM_PARAM_REQUIRED,
     .help = "its key in the document's anomalies.clusters.DB.invariants"},
    {.name = "sum",
     .type = SIM_P_TEXT,
     .offset = offsetof(db_invariant, sum),
     .parse = parse_bound,
     .item_size = sizeof(uint64_t),
     .help = "[LO, HI]: the values of keys LO .. HI-1 add up to `equals`"},
    {.name = "count",
     .type = SIM_P_TEXT,
     .offset = offsetof(db_invariant, count),
     .parse = parse_bound,
     .item_size = sizeof(uint64_t),
     .help = "[LO, HI]: the rows present among keys LO .. HI-1 number the value of "
             "`equals_key`"},
    {.name = "equals",
     .type = SIM_P_TEXT,
     .offset = offsetof(db_invariant, equals),
     .parse = parse_value,
     .item_size = sizeof(int64_t),
     .help = "with sum: the total (a whole number)"},
    {.name = "equals_key",
     .type = SIM_P_TEXT,
     .offset = offsetof(db_invariant, equals_key),
     .parse = parse_key,
     .item_size = sizeof(db_key),
     .help = "with count: the key whose value is the count (a number or a name)"},
    {0},
};

int db__invariant_check(const void *item, char *err, size_t errsize) {
    const db_invariant *v = item;
    const sim_list *range = v->sum.n ? &v->sum : &v->count;
    const char *what = v->sum.n ? "sum" : "count";
    if (v->name.n != 1)
        snprintf(err, errsize, "'name' is one name");
    else if ((v->sum.n > 0) == (v->count.n > 0))
        snprintf(err, errsize,
                 "give one of 'sum' (a constant total) or 'count' (a count "
                 "that matches a key)");
    else if (range->n != 2)
        snprintf(err, errsize, "'%s' is [LO, HI], the keys LO .. HI-1", what);
    else if (((const uint64_t *)range->items)[0] >= ((const uint64_t *)range->items)[1])
        snprintf(err, errsize, "'%s': LO must be below HI (the keys LO .. HI-1)", what);
    else if (v->sum.n && (v->equals.n != 1 || v->equals_key.n))
        snprintf(err, errsize, "'sum' goes with 'equals: X' (the total), not 'equals_key'");
    else if (v->count.n && (v->equals_key.n != 1 || v->equals.n))
        snprintf(err, errsize,
                 "'count' goes with 'equals_key: K' (the key holding the "
                 "count), not 'equals'");
    else
        return 0;
    return -1;
}

void db__declare_invariants(sim_node *n) {
    const db_config *c = sim_config(n);
    anomalies *a = anomalies_of(n);
    const db_invariant *v = c->invariants.items;
    for (size_t i = 0; i < c->invariants.n; i++, v++) {
        bool sum = v->sum.n > 0;
        const uint64_t *r = sum ? v->sum.items : v->count.items;
        anomaly_invariant inv = {.name = ((const char *const *)v->name.items)[0],
                                 .kind = sum ? ANOMALY_SUM : ANOMALY_COUNT,
                                 .lo = r[0],
                                 .hi = r[1]};
        if (sum) {
            inv.equals = ((const int64_t *)v->equals.items)[0];
        } else {
            const db_key *k = v->equals_key.items;
            inv.of = k->key;
            if (k->name && anomalies_name_key(a, k->key, k->name)) {
                sim_out_of_memory(n);
                return;
            }
        }
        if (anomalies_invariant(a, db__store_of(n), &inv)) {
            sim_out_of_memory(n);
            return;
        }
    }
}
