/* The request-outcome checker of requests.h: counters and one latency histogram. */
#include "requests.h"

#include <stdlib.h>

/* The size of a batch: MSER-5's 5 (experiments/mser.h, which checkers/ may not include). */
#define BATCH 5

/* Batch means of the response times, for MSER-5 (requests_batches in requests.h). */
typedef struct batches {
    bool keep;
    size_t n, cap;
    double *mean_ms;
    sim_time *end;
    double sum_ms; /* of the responses of the batch being filled */
    unsigned fill;
    uint64_t responses;
} batches;

struct requests_stats {
    sim_time warmup, duration;
    requests_tally all;
    batches batches;
};

void requests_tally_init(requests_tally *t) {
    *t = (requests_tally){0};
    sim_hist_init(&t->latency);
}

void requests_tally_free(requests_tally *t) { sim_hist_free(&t->latency); }

int requests_tally_note(requests_tally *t, requests_outcome out, sim_time latency) {
    switch (out) {
    case REQUESTS_COMPLETED:
        t->completed++;
        return sim_hist_record(&t->latency, latency) ? -1 : 0;
    case REQUESTS_REJECTED:
        t->rejected++;
        break;
    case REQUESTS_TIMED_OUT:
        t->timed_out++;
        break;
    case REQUESTS_FAILED:
        t->failed++;
        break;
    }
    return 0;
}

requests_stats *requests_new(sim_time warmup, sim_time duration) {
    requests_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->warmup = warmup;
    s->duration = duration;
    requests_tally_init(&s->all);
    return s;
}

void requests_free(requests_stats *s) {
    if (!s)
        return;
    free(s->batches.mean_ms);
    free(s->batches.end);
    requests_tally_free(&s->all);
    free(s);
}

void requests_issued(requests_stats *s, sim_time issued) {
    if (issued >= s->warmup)
        s->all.issued++;
}

/* One more response time, completed at `at`: closes a batch every BATCH responses. Returns
 * 0, or -1 when out of memory. */
static int batch_note(batches *b, sim_time at, sim_time latency) {
    b->responses++;
    b->sum_ms += sim_time_ms(latency);
    if (++b->fill < BATCH)
        return 0;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        double *m = realloc(b->mean_ms, cap * sizeof *m);
        if (m)
            b->mean_ms = m;
        sim_time *e = m ? realloc(b->end, cap * sizeof *e) : NULL;
        if (!e)
            return -1;
        b->end = e;
        b->cap = cap;
    }
    b->mean_ms[b->n] = b->sum_ms / BATCH;
    b->end[b->n++] = at;
    b->sum_ms = 0;
    b->fill = 0;
    return 0;
}

int requests_outcome_note(requests_stats *s, sim_time issued, requests_outcome out,
                          sim_time latency) {
    if (s->batches.keep && out == REQUESTS_COMPLETED &&
        batch_note(&s->batches, issued + latency, latency))
        return -1;
    return issued < s->warmup ? 0 : requests_tally_note(&s->all, out, latency);
}

requests_batches requests_batches_of(const requests_stats *s) {
    const batches *b = &s->batches;
    return (requests_batches){b->n, b->mean_ms, b->end, b->responses};
}

void requests_report(const requests_stats *s, sim_report *w) {
    double measured_s = sim_time_s(s->duration - s->warmup);
    const requests_tally *t = &s->all;
    sim_report_int(w, "issued", (int64_t)t->issued);
    sim_report_int(w, "completed", (int64_t)t->completed);
    sim_report_int(w, "rejected", (int64_t)t->rejected);
    sim_report_int(w, "timed_out", (int64_t)t->timed_out);
    sim_report_int(w, "failed", (int64_t)t->failed);
    sim_report_number(w, "throughput_rps", measured_s > 0 ? (double)t->completed / measured_s : 0);
    sim_report_hist_ms(w, "latency_ms", &t->latency, SIM_PCT_FULL);
}

static void *create(const sim_topology *topo) {
    requests_stats *s = requests_new(topo->warmup, topo->duration);
    if (s)
        s->batches.keep = topo->record_batches;
    return s;
}

static void report(const void *checker, sim_report *w) { requests_report(checker, w); }

static void destroy(void *checker) { requests_free(checker); }

/* What requests_report writes (checker.h). */
static const char *const figures[] = {"issued",
                                      "completed",
                                      "rejected",
                                      "timed_out",
                                      "failed",
                                      "throughput_rps",
                                      "latency_ms.mean",
                                      "latency_ms.p50",
                                      "latency_ms.p90",
                                      "latency_ms.p99",
                                      "latency_ms.p999",
                                      "latency_ms.max",
                                      NULL};

const sim_checker_kind dsim_requests_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "requests",
    .always = true,
    .create = create,
    .report = report,
    .free = destroy,
    .figures = figures,
};
