/* The request-outcome checker of requests.h: counters and one latency histogram. */
#include "requests.h"

#include "hist.h"

#include <stdlib.h>

struct requests_stats {
    sim_time warmup, duration;
    uint64_t issued, completed, rejected, timed_out, failed;
    sim_hist latency;
};

requests_stats *requests_new(sim_time warmup, sim_time duration) {
    requests_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->warmup = warmup;
    s->duration = duration;
    sim_hist_init(&s->latency);
    return s;
}

void requests_free(requests_stats *s) {
    if (!s)
        return;
    sim_hist_free(&s->latency);
    free(s);
}

void requests_issued(requests_stats *s, sim_time issued) {
    if (issued >= s->warmup)
        s->issued++;
}

int requests_outcome_note(requests_stats *s, sim_time issued, requests_outcome out,
                          sim_time latency) {
    if (issued < s->warmup)
        return 0;
    switch (out) {
    case REQUESTS_COMPLETED:
        s->completed++;
        return sim_hist_record(&s->latency, latency) ? -1 : 0;
    case REQUESTS_REJECTED:
        s->rejected++;
        break;
    case REQUESTS_TIMED_OUT:
        s->timed_out++;
        break;
    case REQUESTS_FAILED:
        s->failed++;
        break;
    }
    return 0;
}

void requests_report(const requests_stats *s, sim_report *w) {
    double measured_s = sim_time_s(s->duration - s->warmup);
    sim_report_int(w, "issued", (int64_t)s->issued);
    sim_report_int(w, "completed", (int64_t)s->completed);
    sim_report_int(w, "rejected", (int64_t)s->rejected);
    sim_report_int(w, "timed_out", (int64_t)s->timed_out);
    sim_report_int(w, "failed", (int64_t)s->failed);
    sim_report_number(w, "throughput_rps", measured_s > 0 ? (double)s->completed / measured_s : 0);
    sim_report_hist_ms(w, "latency_ms", &s->latency, SIM_PCT_FULL);
}

static void *create(const sim_topology *topo) { return requests_new(topo->warmup, topo->duration); }

static void report(const void *checker, sim_report *w) { requests_report(checker, w); }

static void destroy(void *checker) { requests_free(checker); }

const sim_checker_kind dsim_requests_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "requests",
    .always = true,
    .create = create,
    .report = report,
    .free = destroy,
};
