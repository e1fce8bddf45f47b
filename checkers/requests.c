/* The request-outcome checker of requests.h: counters and latency histograms, and what a
 * time series of intervals needs besides (only while one is sampled, so that other runs pay
 * nothing for it). */
#include "requests.h"

#include "breakdown.h"

#include <stdlib.h>
#include <string.h>

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
    /* Of the requests issued after the warm-up: latency per operation, and until a failure
     * (or time-out: the client gave up) or a rejection reached the client. */
    const char *const *op_names;
    /* Ops the clients may issue. While that is one op, its latency is all.latency and by_op
     * records nothing: a run of one operation pays nothing for the split. */
    unsigned possible;
    sim_hist by_op[REQUESTS_MAX_OPS], failed_latency, rejected_latency;
    /* Time series only (sampling): the requests the series counts that the document does not
     * (issued and ended within the warm-up), and the latency of every completion it counts. */
    bool sampling;
    requests_tally early;
    sim_hist series_latency;
    breakdown *breakdown; /* NULL in figures made without a topology (requests_new) */
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
    requests_tally_init(&s->early);
    for (int i = 0; i < REQUESTS_MAX_OPS; i++)
        sim_hist_init(&s->by_op[i]);
    sim_hist_init(&s->failed_latency);
    sim_hist_init(&s->rejected_latency);
    sim_hist_init(&s->series_latency);
    return s;
}

void requests_free(requests_stats *s) {
    if (!s)
        return;
    free(s->batches.mean_ms);
    free(s->batches.end);
    requests_tally_free(&s->all);
    requests_tally_free(&s->early);
    for (int i = 0; i < REQUESTS_MAX_OPS; i++)
        sim_hist_free(&s->by_op[i]);
    sim_hist_free(&s->failed_latency);
    sim_hist_free(&s->rejected_latency);
    sim_hist_free(&s->series_latency);
    breakdown_free(s->breakdown);
    free(s);
}

static bool several(unsigned mask) { return mask & (mask - 1); }

int requests_name_ops(requests_stats *s, const char *const *names, unsigned mask) {
    s->op_names = names;
    unsigned was = s->possible;
    s->possible |= mask;
    /* From one op to several: what all.latency holds so far is that op's. */
    if (was && !several(was) && several(s->possible))
        return sim_hist_merge(&s->by_op[__builtin_ctz(was)], &s->all.latency);
    return 0;
}

void requests_issued(requests_stats *s, sim_time issued) {
    if (issued >= s->warmup)
        s->all.issued++;
    else if (s->sampling)
        s->early.issued++;
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

/* A request issued during the warm-up: only a series counts it, where it ended, if that is
 * within the warm-up too. */
static int note_early(requests_stats *s, sim_time issued, requests_outcome out, sim_time latency) {
    if (!s->sampling || issued + latency >= s->warmup)
        return 0;
    if (out == REQUESTS_COMPLETED && sim_hist_record(&s->series_latency, latency))
        return -1;
    return requests_tally_note(&s->early, out, 0);
}

/* What a measured request adds beyond its tally: its op's latency (with several ops), the
 * series' latency (when sampling), the latency until a failure or rejection. */
static int note_more(requests_stats *s, unsigned op, requests_outcome out, sim_time latency) {
    int rc = 0;
    switch (out) {
    case REQUESTS_COMPLETED:
        if (op < REQUESTS_MAX_OPS && several(s->possible))
            rc |= sim_hist_record(&s->by_op[op], latency);
        if (s->sampling)
            rc |= sim_hist_record(&s->series_latency, latency);
        break;
    case REQUESTS_REJECTED:
        rc |= sim_hist_record(&s->rejected_latency, latency);
        break;
    case REQUESTS_TIMED_OUT:
    case REQUESTS_FAILED:
        rc |= sim_hist_record(&s->failed_latency, latency);
        break;
    }
    return rc;
}

/* Called at every request's end: the common case (a completion of a run of one op, not
 * sampled) is the tally alone. */
int requests_outcome_note(requests_stats *s, sim_time issued, unsigned op, requests_outcome out,
                          sim_time latency) {
    if (s->batches.keep && out == REQUESTS_COMPLETED &&
        batch_note(&s->batches, issued + latency, latency))
        return -1;
    if (issued < s->warmup)
        return note_early(s, issued, out, latency);
    if ((out != REQUESTS_COMPLETED || s->sampling || several(s->possible)) &&
        note_more(s, op, out, latency))
        return -1;
    return requests_tally_note(&s->all, out, latency);
}

int requests_breakdown_note(requests_stats *s, sim_time latency, const sim_ledger_part *parts,
                            size_t nparts) {
    return s->breakdown ? breakdown_add(s->breakdown, latency, parts, nparts) : 0;
}

/* Buckets of the histogram merged into one of latency_hist: 8 of its 128 per power of two
 * (groups never straddle a power of two), so the document holds about 16 per doubling of
 * latency, each within 1/16 of its lower edge: enough for a CDF, small enough to carry. */
#define HIST_GROUP 8

/* The latency histogram's non-empty range (contract §8.5): the groups' edges in ms (n + 1
 * bounds, every one an edge of the histogram's buckets) and each group's count. */
static void report_latency_hist(const sim_hist *h, sim_report *w) {
    size_t lo = 0, hi = 0;
    bool any = false;
    for (size_t i = 0; i < h->nbuckets; i++)
        if (h->counts[i]) {
            if (!any)
                lo = i;
            hi = i;
            any = true;
        }
    lo -= lo % HIST_GROUP;
    hi -= hi % HIST_GROUP;
    sim_report_open(w, "latency_hist");
    sim_report_open_array(w, "bounds_ms");
    for (size_t g = lo; any && g <= hi; g += HIST_GROUP) {
        double a, b;
        sim_hist_bucket_bounds(g, &a, &b);
        sim_report_number(w, NULL, a / 1e6);
        if (g == hi) {
            sim_hist_bucket_bounds(g + HIST_GROUP - 1, &a, &b);
            sim_report_number(w, NULL, b / 1e6);
        }
    }
    sim_report_close(w);
    sim_report_open_array(w, "counts");
    for (size_t g = lo; any && g <= hi; g += HIST_GROUP) {
        uint64_t c = 0;
        for (size_t i = g; i < g + HIST_GROUP && i < h->nbuckets; i++)
            c += h->counts[i];
        sim_report_int(w, NULL, (int64_t)c);
    }
    sim_report_close(w);
    sim_report_close(w);
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
    if (!t->issued)
        return;
    sim_report_open(w, "latency_ms_by_op");
    for (unsigned i = 0; s->op_names && i < REQUESTS_MAX_OPS && s->op_names[i]; i++) {
        const sim_hist *h = several(s->possible)     ? &s->by_op[i]
                            : s->possible == 1u << i ? &t->latency
                                                     : NULL;
        if (h && h->count)
            sim_report_hist_ms(w, s->op_names[i], h, SIM_PCT_FULL);
    }
    sim_report_close(w);
    sim_report_hist_ms(w, "failed_latency_ms", &s->failed_latency, SIM_PCT_FULL);
    sim_report_hist_ms(w, "rejected_latency_ms", &s->rejected_latency, SIM_PCT_FULL);
    report_latency_hist(&t->latency, w);
    if (s->breakdown && breakdown_any(s->breakdown)) {
        sim_report_open(w, "latency_breakdown");
        breakdown_report(s->breakdown, w);
        sim_report_close(w);
    }
}

/* ---- time series (sim/metrics.h): what the series counts is early + all ---- */

static void sampling(void *checker) { ((requests_stats *)checker)->sampling = true; }

#define SERIES_COUNT(field)                                                                        \
    static double series_##field(const void *base, const sim_node *n, sim_time at) {               \
        const requests_stats *s = base;                                                            \
        (void)n, (void)at;                                                                         \
        return (double)(s->early.field + s->all.field);                                            \
    }
SERIES_COUNT(issued)
SERIES_COUNT(completed)
SERIES_COUNT(rejected)
SERIES_COUNT(timed_out)
SERIES_COUNT(failed)

/* Completions x (ns per second): its increase over an interval's ns is the throughput. */
static double completed_ns(const void *base, const sim_node *n, sim_time at) {
    return series_completed(base, n, at) * 1e9;
}

static const sim_metric requests_series[] = {
    {"issued", SIM_METRIC_COUNTER, .value = series_issued},
    {"completed", SIM_METRIC_COUNTER, .value = series_completed},
    {"rejected", SIM_METRIC_COUNTER, .value = series_rejected},
    {"timed_out", SIM_METRIC_COUNTER, .value = series_timed_out},
    {"failed", SIM_METRIC_COUNTER, .value = series_failed},
    {"throughput_rps", SIM_METRIC_NUMBER, .series = SIM_SERIES_TIME_AVG, .num = completed_ns},
    {"latency_ms", SIM_METRIC_HISTOGRAM, SIM_FIELD(requests_stats, series_latency),
     .pct = SIM_PCT_FULL},
    SIM_METRICS_END,
};

static void *create(const sim_topology *topo) {
    requests_stats *s = requests_new(topo->warmup, topo->duration);
    if (!s)
        return NULL;
    s->batches.keep = topo->record_batches;
    if (!(s->breakdown = breakdown_new(topo))) {
        requests_free(s);
        return NULL;
    }
    return s;
}

static void report(const void *checker, sim_report *w) { requests_report(checker, w); }

static void destroy(void *checker) { requests_free(checker); }

/* What requests_report writes (checker.h). */
#define LATENCY_FIGURES(key)                                                                       \
    key ".mean", key ".p50", key ".p90", key ".p99", key ".p999", key ".max"
/* A band of the breakdown (breakdown.h): a group's name and its categories are the run's. */
#define BAND_FIGURES(band)                                                                         \
    "latency_breakdown." band ".requests", "latency_breakdown." band ".latency_ms",               \
        "latency_breakdown." band ".network_ms", "latency_breakdown." band ".nodes.*.*"
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
                                      LATENCY_FIGURES("latency_ms_by_op.*"),
                                      LATENCY_FIGURES("failed_latency_ms"),
                                      LATENCY_FIGURES("rejected_latency_ms"),
                                      BAND_FIGURES("p0_50"),
                                      BAND_FIGURES("p50_90"),
                                      BAND_FIGURES("p90_99"),
                                      BAND_FIGURES("p99_100"),
                                      NULL};

const sim_checker_kind dsim_requests_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "requests",
    .always = true,
    .create = create,
    .report = report,
    .free = destroy,
    .figures = figures,
    .metrics = requests_series,
    .sampling = sampling,
};
