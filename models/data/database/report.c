/* The figures of one database instance, under its entry in "nodes": its role and epoch, the
 * requests it saw, its replication (position, entries applied, lag, writes behind), its
 * failovers, and, on a primary, each replica's acknowledged position. */
#include "database_int.h"

static const char *const role_words[] = {"primary", "replica", "joining"};

static void report_lag(sim_report *w, const sim_hist *h) {
    sim_report_open(w, "lag_ms");
    sim_report_number(w, "mean", sim_hist_mean(h) / 1e6);
    sim_report_number(w, "p99", sim_hist_quantile(h, 0.99) / 1e6);
    sim_report_number(w, "max", h->count ? (double)h->max / 1e6 : 0);
    sim_report_close(w);
}

void db__report(const sim_node *n, sim_report *w) {
    const db_state *s = sim_state_const(n);
    double window = (double)(sim_run_end(n) - sim_warmup_end(n));
    sim_report_string(w, "role", role_words[s->role]);
    sim_report_int(w, "epoch", (int64_t)s->epoch);
    sim_report_int(w, "arrivals", (int64_t)s->arrivals);
    sim_report_int(w, "forwarded", (int64_t)s->forwarded);
    sim_report_int(w, "reads", (int64_t)s->reads);
    sim_report_int(w, "writes", (int64_t)s->writes);
    sim_report_int(w, "completed", (int64_t)s->st.completed);
    sim_report_int(w, "rejected", (int64_t)s->st.rejected);
    sim_report_int(w, "failed", (int64_t)(s->st.failed + s->unroutable));
    sim_report_int(w, "keys", (int64_t)s->data.n);
    sim_report_int(w, "position", (int64_t)(s->role == ROLE_PRIMARY ? s->nlog : s->applied));
    sim_report_int(w, "applied", (int64_t)s->entries_applied);
    report_lag(w, &s->lag);
    sim_report_number(w, "behind_mean", window > 0 ? s->behind_area / window : 0);
    sim_report_int(w, "promotions", (int64_t)s->promotions);
    sim_report_int(w, "resyncs", (int64_t)s->resyncs);
    sim_report_int(w, "writes_undone", (int64_t)s->writes_undone);
    if (s->role == ROLE_PRIMARY && s->count > 1) {
        sim_report_open(w, "replicas");
        for (uint32_t i = 0; i < s->count; i++)
            if (i != s->me) {
                sim_report_open(w, sim_node_name_of(n, db__node_of(n, i)));
                sim_report_int(w, "acked", (int64_t)s->peers[i].acked);
                sim_report_int(w, "behind", (int64_t)(s->nlog - s->peers[i].acked));
                sim_report_close(w);
            }
        sim_report_close(w);
    }
    station_report(&s->st, n, w);
}
