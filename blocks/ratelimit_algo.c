/* Rate-limiting algorithms on counters, the counter table and the check wire format (see
 * ratelimit_algo.h for the algorithms and their sources). */
#include "ratelimit_algo.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const rl_algo_names[] = {"fixed_window",  "sliding_log",  "sliding_window",
                                     "token_bucket", "leaky_bucket", NULL};

sim_time rl_interval_of(double rate_per_s) {
    double i = floor(1e9 / rate_per_s + 0.5);
    return i < 1 ? 1 : i > (double)SIM_TIME_MAX ? SIM_TIME_MAX : (sim_time)i;
}

int64_t rl_ideal(const rl_limit *l, sim_time w) {
    if (!rl_is_bucket(l->algo))
        return l->limit;
    if (l->interval <= 0)
        return 0;
    return w / l->interval + (l->algo == RL_TOKEN_BUCKET ? l->burst : 1);
}

/* ---- logs ---- */

void rl_log_expire(rl_log *g, sim_time cutoff) {
    while (g->n && g->t[g->head] <= cutoff) {
        g->head = (g->head + 1) & (g->cap - 1);
        g->n--;
    }
}

int rl_log_push(rl_log *g, sim_time t) {
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 8;
        sim_time *a = malloc(cap * sizeof *a);
        if (!a)
            return -1;
        for (size_t i = 0; i < g->n; i++) /* unroll the ring, oldest first */
            a[i] = g->t[(g->head + i) & (g->cap - 1)];
        free(g->t);
        g->t = a;
        g->cap = cap;
        g->head = 0;
    }
    assert(g->n == 0 || t >= g->t[(g->head + g->n - 1) & (g->cap - 1)]);
    g->t[(g->head + g->n) & (g->cap - 1)] = t;
    g->n++;
    return 0;
}

void rl_log_free(rl_log *g) {
    free(g->t);
    *g = (rl_log){0};
}

/* ---- algorithms ---- */

/* Moves a window counter to the aligned window holding now. */
static void roll(rl_counter *c, sim_time window, sim_time now) {
    sim_time start = now - now % window;
    if (c->used && start == c->start)
        return;
    c->prev = c->used && start == c->start + window ? c->count : 0;
    c->count = 0;
    c->start = start;
}

int rl_check(rl_counter *c, const rl_limit *l, sim_time now, sim_time *release) {
    switch ((rl_algo)l->algo) {
    case RL_FIXED_WINDOW:
    case RL_SLIDING_WINDOW: {
        roll(c, l->window, now);
        c->used = true;
        double used = (double)c->count;
        if (l->algo == RL_SLIDING_WINDOW) /* the previous window, weighted by its overlap */
            used += (double)c->prev * (double)(l->window - (now - c->start)) / (double)l->window;
        if (!(used < (double)l->limit))
            return 0;
        c->count++;
        break;
    }
    case RL_SLIDING_LOG:
        c->used = true;
        rl_log_expire(&c->log, now - l->window);
        if ((int64_t)c->log.n >= l->limit)
            return 0;
        if (rl_log_push(&c->log, now))
            return -1;
        break;
    case RL_TOKEN_BUCKET:
        /* GCRA: admit unless the theoretical arrival time is more than (burst - 1)
         * intervals ahead; a new counter (tat = now) holds a full bucket. */
        if (l->interval <= 0)
            return 0;
        if (!c->used)
            c->tat = now;
        c->used = true;
        if (c->tat - now > (l->burst - 1) * l->interval)
            return 0;
        c->tat = (c->tat > now ? c->tat : now) + l->interval;
        break;
    case RL_LEAKY_BUCKET: {
        /* tat is the next free release slot; the requests waiting at now are the releases
         * scheduled after now: ceil((tat - now) / interval) - 1 of them. */
        if (l->interval <= 0)
            return 0;
        if (!c->used)
            c->tat = now;
        c->used = true;
        sim_time ahead = c->tat > now ? c->tat - now : 0;
        int64_t waiting = ahead ? (ahead + l->interval - 1) / l->interval - 1 : 0;
        if (waiting >= l->burst)
            return 0;
        sim_time at = c->tat > now ? c->tat : now;
        c->tat = at + l->interval;
        *release = at;
        return 1;
    }
    }
    *release = now;
    return 1;
}

void rl_counter_reset(rl_counter *c) {
    rl_log_free(&c->log);
    *c = (rl_counter){0};
}

/* ---- table ---- */

typedef struct rl_slot {
    bool full;
    uint32_t ns;
    uint64_t key;
    rl_counter c;
} rl_slot;

/* splitmix64's finaliser (Steele, Lea, Flood 2014) over the key and the namespace. */
static uint64_t mix(uint32_t ns, uint64_t key) {
    uint64_t z = key + 0x9e3779b97f4a7c15u * ((uint64_t)ns + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void rl_table_init(rl_table *t) { *t = (rl_table){0}; }

static int grow(rl_table *t) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    rl_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].full)
            continue;
        size_t j = (size_t)mix(t->slots[i].ns, t->slots[i].key) & (cap - 1);
        while (s[j].full)
            j = (j + 1) & (cap - 1);
        s[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
    return 0;
}

rl_counter *rl_table_get(rl_table *t, uint32_t ns, uint64_t key) {
    if ((t->n + 1) * 4 > t->cap * 3 && grow(t))
        return NULL;
    size_t j = (size_t)mix(ns, key) & (t->cap - 1);
    while (t->slots[j].full) {
        if (t->slots[j].ns == ns && t->slots[j].key == key)
            return &t->slots[j].c;
        j = (j + 1) & (t->cap - 1);
    }
    t->slots[j] = (rl_slot){.full = true, .ns = ns, .key = key};
    t->n++;
    return &t->slots[j].c;
}

void rl_table_clear(rl_table *t) {
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].full) {
            rl_counter_reset(&t->slots[i].c);
            t->slots[i].full = false;
        }
    t->n = 0;
}

void rl_table_free(rl_table *t) {
    rl_table_clear(t);
    free(t->slots);
    *t = (rl_table){0};
}
