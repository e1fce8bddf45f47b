/* The stream's figures (docs/results.md): what was published and deleted, the lag over all
 * groups (a table entry, so that time series can show it), and per partition and per group
 * (written by WRITE entries: the groups are known only once their consumers subscribe). */
#include "stream_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* max / mean of the measured appends per partition: 1 when balanced, `partitions` when one
 * partition takes everything; 0 before any append. */
static double skew_figure(const void *state, const sim_node *n, sim_time at) {
    const st_state *s = state;
    const st_config *c = sim_config(n);
    (void)at;
    uint64_t max = 0, sum = 0;
    for (uint32_t p = 0; p < c->partitions; p++) {
        sum += s->logs[p].appended;
        if (s->logs[p].appended > max)
            max = s->logs[p].appended;
    }
    return sum ? (double)max * (double)c->partitions / (double)sum : 0;
}

static void write_partitions(const sim_node *n, sim_report *w) {
    const st_state *s = sim_state_const(n);
    const st_config *c = sim_config(n);
    char key[16];
    sim_report_open(w, "partitions");
    for (uint32_t p = 0; p < c->partitions; p++) {
        snprintf(key, sizeof key, "%u", p);
        sim_report_open(w, key);
        sim_report_int(w, "appended", (int64_t)s->logs[p].appended);
        sim_report_level(w, "held", (int64_t)(s->logs[p].n - s->logs[p].head));
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void write_groups(const sim_node *n, sim_report *w) {
    const st_state *s = sim_state_const(n);
    const st_config *c = sim_config(n);
    if (!s->ngroups)
        return;
    char key[16];
    sim_report_open(w, "groups");
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        const st_group *g = &s->groups[gi];
        sim_report_open(w, g->name);
        sim_report_level(w, "members", g->nmembers);
        sim_report_level(w, "lag", (int64_t)g->lag);
        sim_report_number(w, "lag_mean", sim_tavg_mean(&g->lag_avg, sim_now(n)));
        sim_report_level(w, "lag_max", (int64_t)g->lag_max);
        sim_report_int(w, "delivered", (int64_t)g->delivered);
        sim_report_int(w, "redelivered", (int64_t)g->redelivered);
        sim_report_int(w, "committed", (int64_t)g->committed);
        sim_report_int(w, "rebalances", (int64_t)g->rebalances);
        sim_report_hist_ms(w, "commit_delay_ms", &g->commit_delay, SIM_PCT_SHORT);
        sim_report_open(w, "partitions");
        for (uint32_t p = 0; p < c->partitions; p++) {
            snprintf(key, sizeof key, "%u", p);
            sim_report_open(w, key);
            sim_report_level(w, "lag", (int64_t)st_part_lag(&s->logs[p], &g->parts[p]));
            sim_report_level(w, "committed", (int64_t)g->parts[p].committed);
            sim_report_close(w);
        }
        sim_report_close(w);
        sim_report_close(w);
    }
    sim_report_close(w);
}

/* Whether s, up to its next dot or its end, is a partition number below parts; sets *after
 * to what follows. */
static bool partition_segment(const char *s, int64_t parts, const char **after) {
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long p = strtoull(s, &end, 10);
    if ((*end != '.' && *end) || p >= (unsigned long long)parts)
        return false;
    *after = end;
    return true;
}

static bool one_of(const char *s, const char *const *words) {
    for (size_t i = 0; words[i]; i++)
        if (strcmp(s, words[i]) == 0)
            return true;
    return false;
}

/* partitions.P.appended and .held for each partition P. */
static bool partitions_can_have(const sim_node *n, const char *rel) {
    static const char *const leaves[] = {"appended", "held", NULL};
    const st_config *c = sim_config(n);
    const char *after;
    return strncmp(rel, "partitions.", 11) == 0 &&
           partition_segment(rel + 11, c->partitions, &after) && *after == '.' &&
           one_of(after + 1, leaves);
}

/* groups.G.FIGURE for any group G: a group is a consumer node that names this stream, known
 * only once it subscribes, so any name is taken here (a misspelt one is found missing when
 * the run ends). */
static bool groups_can_have(const sim_node *n, const char *rel) {
    static const char *const leaves[] = {"members",
                                         "lag",
                                         "lag_mean",
                                         "lag_max",
                                         "delivered",
                                         "redelivered",
                                         "committed",
                                         "rebalances",
                                         "commit_delay_ms.mean",
                                         "commit_delay_ms.p50",
                                         "commit_delay_ms.p99",
                                         NULL};
    static const char *const part_leaves[] = {"lag", "committed", NULL};
    const st_config *c = sim_config(n);
    if (strncmp(rel, "groups.", 7) != 0)
        return false;
    const char *name = rel + 7, *dot = strchr(name, '.');
    if (!dot || dot == name)
        return false;
    const char *fig = dot + 1, *after;
    if (one_of(fig, leaves))
        return true;
    return strncmp(fig, "partitions.", 11) == 0 &&
           partition_segment(fig + 11, c->partitions, &after) && *after == '.' &&
           one_of(after + 1, part_leaves);
}

const sim_metric st_metrics[] = {
    {"published", SIM_METRIC_COUNTER, SIM_FIELD(st_state, published)},
    {"expired", SIM_METRIC_COUNTER, SIM_FIELD(st_state, expired)},
    {"skew", SIM_METRIC_NUMBER, .value = skew_figure},
    {"lag", SIM_METRIC_GAUGE, SIM_FIELD(st_state, lag)},
    {"lag_mean", SIM_METRIC_TAVG, SIM_FIELD(st_state, lag_avg)},
    {"partitions", SIM_METRIC_WRITE, .write = write_partitions, .can_have = partitions_can_have},
    {"groups", SIM_METRIC_WRITE, .write = write_groups, .can_have = groups_can_have},
    SIM_METRICS_END,
};
