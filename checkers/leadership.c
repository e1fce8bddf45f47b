/* The leadership checker (leadership.h): a record per term, the instances that believe they
 * lead now with the time integrals that follow from them, the fencing token, and the
 * incidents of watched servers, from which the settle draws the time-average of servers
 * down. */
#include "leadership.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Incidents written one by one in the document: the first ones (the count is complete). */
#define INCIDENT_LOG_MAX 50

typedef struct incident {
    uint32_t server, replacement;
    sim_time down_since; /* SIM_TIME_NONE: it was up when detected (stopped then) */
    sim_time detected, joined;
    bool booting;
    bool undetected; /* down at the end, never detected */
} incident;

typedef struct per_node {
    uint64_t candidacies, became_leader;
    sim_time led_since; /* SIM_TIME_NONE: not leading */
    sim_time led_ns;
} per_node;

struct leadership_checker {
    const sim_topology *topo;
    sim_time from, to; /* the measured window */
    bool used, settled;
    leadership_term *terms; /* by term, 0..nterms-1 */
    uint64_t nterms, highest, fence;
    uint32_t desired; /* the API's count of servers to keep (LEADERSHIP_NONE: never set) */
    uint64_t elections;
    per_node *nodes;
    size_t nnodes;
    /* who believes it leads now, and since when the count last changed */
    uint32_t nleaders, max_leaders;
    sim_time last_change;
    sim_time leaderless_ns, dual_ns;
    uint64_t dual_count;
    sim_time first_leader;
    uint64_t actions, stale, stale_refused, stale_executed;
    incident *inc;
    size_t ninc, cap;
    uint64_t replacements, abandoned;
    /* settled: the time fraction with k servers down, k = 0..ndown_k-1, and the mean */
    double *down_frac;
    size_t ndown_k;
    double down_mean;
};

static const leadership_term empty_term = {.first_candidacy = SIM_TIME_NONE,
                                           .second_candidacy = SIM_TIME_NONE,
                                           .elected = SIM_TIME_NONE,
                                           .leader = LEADERSHIP_NONE};

leadership_checker *leadership_new(const sim_topology *topo) {
    leadership_checker *lc = calloc(1, sizeof *lc);
    if (!lc)
        return NULL;
    lc->topo = topo;
    lc->from = topo ? topo->warmup : 0;
    lc->to = topo ? topo->duration : SIM_TIME_MAX;
    lc->nnodes = topo ? topo->nnodes : 0;
    if (lc->nnodes && !(lc->nodes = calloc(lc->nnodes, sizeof *lc->nodes))) {
        free(lc);
        return NULL;
    }
    for (size_t i = 0; i < lc->nnodes; i++)
        lc->nodes[i].led_since = SIM_TIME_NONE;
    lc->first_leader = SIM_TIME_NONE;
    lc->desired = LEADERSHIP_NONE;
    return lc;
}

void leadership_set_desired(leadership_checker *lc, uint32_t count) { lc->desired = count; }

uint32_t leadership_desired(const leadership_checker *lc) { return lc->desired; }

void leadership_free(leadership_checker *lc) {
    if (!lc)
        return;
    free(lc->terms);
    free(lc->nodes);
    free(lc->inc);
    free(lc->down_frac);
    free(lc);
}

/* The part of [a, b] inside the measured window. */
static sim_time overlap(const leadership_checker *lc, sim_time a, sim_time b) {
    if (a < lc->from)
        a = lc->from;
    if (b > lc->to)
        b = lc->to;
    return b > a ? b - a : 0;
}

/* The count of believers is about to change at `at`: the time since the last change goes to
 * the leaderless or the dual-leader integral by the count it had. */
static void advance(leadership_checker *lc, sim_time at) {
    sim_time d = overlap(lc, lc->last_change, at);
    if (lc->nleaders == 0)
        lc->leaderless_ns += d;
    else if (lc->nleaders >= 2)
        lc->dual_ns += d;
    lc->last_change = at;
}

static leadership_term *term_at(leadership_checker *lc, uint64_t t) {
    if (t >= lc->nterms) {
        uint64_t n = lc->nterms ? lc->nterms : 16;
        while (n <= t)
            n *= 2;
        leadership_term *a = realloc(lc->terms, n * sizeof *a);
        if (!a)
            return NULL;
        for (uint64_t i = lc->nterms; i < n; i++)
            a[i] = empty_term;
        lc->terms = a;
        lc->nterms = n;
    }
    if (t > lc->highest)
        lc->highest = t;
    return &lc->terms[t];
}

int leadership_candidacy(leadership_checker *lc, uint32_t node, uint64_t term, sim_time at) {
    lc->used = true;
    leadership_term *t = term_at(lc, term);
    if (!t)
        return -1;
    if (t->candidates == 0)
        t->first_candidacy = at;
    else if (t->candidates == 1)
        t->second_candidacy = at;
    t->candidates++;
    lc->elections++;
    if (node < lc->nnodes)
        lc->nodes[node].candidacies++;
    return 0;
}

int leadership_leader(leadership_checker *lc, uint32_t node, uint64_t term, sim_time at) {
    lc->used = true;
    leadership_term *t = term_at(lc, term);
    if (!t)
        return -1;
    if (t->leaders++ == 0) {
        t->elected = at;
        t->leader = node;
    }
    if (t->leaders > lc->max_leaders)
        lc->max_leaders = t->leaders;
    if (lc->first_leader == SIM_TIME_NONE)
        lc->first_leader = at;
    advance(lc, at);
    if (++lc->nleaders == 2)
        lc->dual_count++;
    if (node < lc->nnodes) {
        lc->nodes[node].became_leader++;
        lc->nodes[node].led_since = at;
    }
    return 0;
}

void leadership_step_down(leadership_checker *lc, uint32_t node, sim_time at) {
    if (lc->nleaders == 0)
        return;
    advance(lc, at);
    lc->nleaders--;
    if (node < lc->nnodes && lc->nodes[node].led_since != SIM_TIME_NONE) {
        lc->nodes[node].led_ns += overlap(lc, lc->nodes[node].led_since, at);
        lc->nodes[node].led_since = SIM_TIME_NONE;
    }
}

void leadership_claim(leadership_checker *lc, uint64_t term) {
    if (term > lc->fence)
        lc->fence = term;
}

bool leadership_action(leadership_checker *lc, uint32_t node, uint64_t term, bool fencing) {
    (void)node;
    lc->used = true;
    lc->actions++;
    if (term >= lc->fence) {
        lc->fence = term;
        return true;
    }
    lc->stale++;
    if (fencing) {
        lc->stale_refused++;
        return false;
    }
    lc->stale_executed++;
    return true;
}

static incident *incident_new(leadership_checker *lc) {
    if (lc->ninc == lc->cap) {
        size_t n = lc->cap ? 2 * lc->cap : 16;
        incident *a = realloc(lc->inc, n * sizeof *a);
        if (!a)
            return NULL;
        lc->inc = a;
        lc->cap = n;
    }
    incident *i = &lc->inc[lc->ninc++];
    *i = (incident){.replacement = LEADERSHIP_NONE, .joined = SIM_TIME_NONE};
    return i;
}

int leadership_incident(leadership_checker *lc, uint32_t server, sim_time down_since, sim_time at,
                        uint32_t *id) {
    lc->used = true;
    incident *i = incident_new(lc);
    if (!i)
        return -1;
    i->server = server;
    i->down_since = down_since;
    i->detected = at;
    *id = (uint32_t)(lc->ninc - 1);
    return 0;
}

uint32_t leadership_unreplaced(const leadership_checker *lc) {
    for (size_t k = 0; k < lc->ninc; k++) {
        const incident *i = &lc->inc[k];
        if (!i->undetected && !i->booting && i->joined == SIM_TIME_NONE)
            return (uint32_t)k;
    }
    return LEADERSHIP_NONE;
}

void leadership_boot_started(leadership_checker *lc, uint32_t id, uint32_t replacement) {
    if (id >= lc->ninc)
        return;
    lc->inc[id].booting = true;
    lc->inc[id].replacement = replacement;
}

void leadership_boot_abandoned(leadership_checker *lc, uint32_t id) {
    lc->abandoned++;
    if (id < lc->ninc)
        lc->inc[id].booting = false;
}

void leadership_boot_joined(leadership_checker *lc, uint32_t id, sim_time at) {
    if (id == LEADERSHIP_SCALING)
        return;
    lc->replacements++;
    /* A boot for no incident (the group was short when it began, its incident's own boot
     * being another leader's then) closes the oldest incident still open. */
    for (size_t k = 0; id == LEADERSHIP_NONE && k < lc->ninc; k++)
        if (!lc->inc[k].undetected && lc->inc[k].joined == SIM_TIME_NONE)
            id = (uint32_t)k;
    if (id < lc->ninc) {
        lc->inc[id].booting = false;
        lc->inc[id].joined = at;
    }
}

int leadership_undetected(leadership_checker *lc, uint32_t server, sim_time down_since) {
    for (size_t k = 0; k < lc->ninc; k++) {
        const incident *i = &lc->inc[k];
        if (i->server == server && i->joined == SIM_TIME_NONE &&
            (i->undetected ? i->down_since == down_since : true))
            return 0; /* known: detected (or told by another instance already) */
    }
    incident *i = incident_new(lc);
    if (!i)
        return -1;
    lc->used = true;
    *i = (incident){.server = server,
                    .replacement = LEADERSHIP_NONE,
                    .down_since = down_since,
                    .detected = SIM_TIME_NONE,
                    .joined = SIM_TIME_NONE,
                    .undetected = true};
    return 0;
}

leadership_term leadership_term_info(const leadership_checker *lc, uint64_t t) {
    return t < lc->nterms ? lc->terms[t] : empty_term;
}

uint64_t leadership_highest_term(const leadership_checker *lc) { return lc->highest; }

/* ---- the settle: servers down over time ---- */

/* When incident i's server stopped serving: when it went down, or, if it was up, when the
 * leader stopped it at the detection. */
static sim_time went_down(const incident *i) {
    return i->down_since != SIM_TIME_NONE ? i->down_since : i->detected;
}

typedef struct edge {
    sim_time at;
    int step; /* +1: one more down; -1: one fewer */
} edge;

static int edge_cmp(const void *a, const void *b) {
    const edge *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->step - y->step; /* ends before starts at one instant */
}

/* Sweeps the incidents' intervals [went down, served again (or the end)] over the measured
 * window: the fraction of time with k servers down, for each k. */
static int settle(void *checker) {
    leadership_checker *lc = checker;
    advance(lc, lc->to);
    for (size_t k = 0; k < lc->nnodes; k++)
        if (lc->nodes[k].led_since != SIM_TIME_NONE)
            lc->nodes[k].led_ns += overlap(lc, lc->nodes[k].led_since, lc->to);
    lc->settled = true;
    edge *e = malloc((2 * lc->ninc + 1) * sizeof *e);
    lc->down_frac = calloc(lc->ninc + 1, sizeof *lc->down_frac);
    if (!e || !lc->down_frac) {
        free(e);
        return -1;
    }
    size_t ne = 0;
    for (size_t k = 0; k < lc->ninc; k++) {
        const incident *i = &lc->inc[k];
        e[ne++] = (edge){went_down(i), +1};
        e[ne++] = (edge){i->joined != SIM_TIME_NONE ? i->joined : lc->to, -1};
    }
    qsort(e, ne, sizeof *e, edge_cmp);
    sim_time span = lc->to > lc->from ? lc->to - lc->from : 0, last = lc->from;
    size_t down = 0, maxk = 0;
    double sum = 0;
    for (size_t k = 0; k <= ne; k++) {
        sim_time at = k < ne ? e[k].at : lc->to;
        sim_time d = overlap(lc, last, at);
        if (span > 0) {
            lc->down_frac[down] += (double)d / (double)span;
            sum += (double)down * (double)d / (double)span;
        }
        if (at > last)
            last = at;
        if (k < ne)
            down += (size_t)(int64_t)e[k].step; /* never below 0: each end follows its start */
        if (down > maxk)
            maxk = down;
    }
    free(e);
    lc->ndown_k = maxk + 1;
    lc->down_mean = sum;
    return 0;
}

/* ---- the document ---- */

static double ms(sim_time t) { return (double)t / 1e6; }

/* Terms over (a later one began) in which no one won and at least `candidates` stood: with
 * 2, split votes (the votes went to rivals); with 1, every election lost, a lone candidate's
 * that could not reach a majority (across a partition) included. */
static uint64_t unwon(const leadership_checker *lc, uint32_t candidates) {
    uint64_t n = 0;
    for (uint64_t t = 1; t < lc->highest && t < lc->nterms; t++)
        n += lc->terms[t].candidates >= candidates && lc->terms[t].leaders == 0;
    return n;
}

static const char *node_name(const leadership_checker *lc, uint32_t id, char *buf, size_t len) {
    if (lc->topo && id < lc->topo->nnodes)
        return lc->topo->nodes[id].name;
    snprintf(buf, len, "%u", (unsigned)id);
    return buf;
}

static void report_incidents(const leadership_checker *lc, sim_report *w) {
    double det_sum = 0, det_max = 0, down_sum = 0, down_max = 0;
    uint64_t ndet = 0, nreal = 0, nserved = 0;
    for (size_t k = 0; k < lc->ninc; k++) {
        const incident *i = &lc->inc[k];
        if (i->undetected)
            continue;
        ndet++;
        if (i->down_since != SIM_TIME_NONE) { /* a false suspicion has no detection delay */
            double det = ms(i->detected - i->down_since);
            det_sum += det, nreal++;
            det_max = det > det_max ? det : det_max;
        }
        if (i->joined != SIM_TIME_NONE) {
            double down = ms(i->joined - went_down(i));
            down_sum += down, nserved++;
            down_max = down > down_max ? down : down_max;
        }
    }
    sim_report_int(w, "incidents", (int64_t)ndet);
    sim_report_int(w, "replacements", (int64_t)lc->replacements);
    sim_report_int(w, "abandoned_boots", (int64_t)lc->abandoned);
    sim_report_open(w, "detection_ms");
    sim_report_number(w, "mean", nreal ? det_sum / (double)nreal : 0);
    sim_report_number(w, "max", det_max);
    sim_report_close(w);
    sim_report_open(w, "down_time_ms");
    sim_report_number(w, "mean", nserved ? down_sum / (double)nserved : 0);
    sim_report_number(w, "max", down_max);
    sim_report_close(w);
    sim_report_number(w, "servers_down_mean", lc->down_mean);
    sim_report_open(w, "servers_down_fraction");
    for (size_t k = 0; k < lc->ndown_k && lc->down_frac; k++) {
        char key[24];
        snprintf(key, sizeof key, "%zu", k);
        sim_report_number(w, key, lc->down_frac[k]);
    }
    sim_report_close(w);
    sim_report_open_array(w, "incident_log");
    size_t shown = 0;
    for (size_t k = 0; k < lc->ninc && shown < INCIDENT_LOG_MAX; k++) {
        const incident *i = &lc->inc[k];
        char b[16];
        shown++;
        sim_report_open(w, NULL);
        sim_report_string(w, "server", node_name(lc, i->server, b, sizeof b));
        sim_report_number(w, "went_down_ms", ms(went_down(i)));
        sim_report_bool(w, "was_up", i->down_since == SIM_TIME_NONE && !i->undetected);
        if (i->detected != SIM_TIME_NONE)
            sim_report_number(w, "detected_ms", ms(i->detected));
        if (i->replacement != LEADERSHIP_NONE)
            sim_report_string(w, "replacement", node_name(lc, i->replacement, b, sizeof b));
        if (i->joined != SIM_TIME_NONE) {
            sim_report_number(w, "serving_again_ms", ms(i->joined));
            sim_report_number(w, "down_ms", ms(i->joined - went_down(i)));
        }
        sim_report_close(w);
    }
    sim_report_close(w);
}

static void report(const void *checker, sim_report *w) {
    const leadership_checker *lc = checker;
    sim_report_int(w, "elections", (int64_t)lc->elections);
    sim_report_int(w, "terms", (int64_t)lc->highest);
    sim_report_int(w, "split_votes", (int64_t)unwon(lc, 2));
    sim_report_int(w, "lost_elections", (int64_t)unwon(lc, 1));
    sim_report_number(w, "first_leader_ms",
                      lc->first_leader != SIM_TIME_NONE ? ms(lc->first_leader) : -1);
    sim_report_number(w, "leaderless_ms", ms(lc->leaderless_ns));
    sim_report_int(w, "max_leaders_per_term", (int64_t)lc->max_leaders);
    sim_report_number(w, "dual_leader_ms", ms(lc->dual_ns));
    sim_report_int(w, "dual_leader_count", (int64_t)lc->dual_count);
    sim_report_int(w, "actions", (int64_t)lc->actions);
    sim_report_int(w, "stale_actions", (int64_t)lc->stale);
    sim_report_int(w, "stale_refused", (int64_t)lc->stale_refused);
    sim_report_int(w, "stale_executed", (int64_t)lc->stale_executed);
    report_incidents(lc, w);
}

/* True when kind k feeds this checker: only its instances get the per-node figures. */
static bool feeds(const sim_kind *k) {
    for (const sim_checker_kind *const *c = k->checkers; c && *c; c++)
        if (*c == &dsim_leadership_checker)
            return true;
    return false;
}

static void report_node(const void *checker, uint32_t node, sim_report *w) {
    const leadership_checker *lc = checker;
    if (node >= lc->nnodes || !lc->topo || !feeds(lc->topo->nodes[node].kind))
        return;
    const per_node *p = &lc->nodes[node];
    sim_report_open(w, "leadership");
    sim_report_int(w, "candidacies", (int64_t)p->candidacies);
    sim_report_int(w, "became_leader", (int64_t)p->became_leader);
    sim_report_number(w, "led_ms", ms(p->led_ns));
    sim_report_close(w);
}

/* ---- the checker kind ---- */

static void *create(const sim_topology *topo) { return leadership_new(topo); }
static bool is_reported(const void *checker) { return ((const leadership_checker *)checker)->used; }
static void destroy(void *checker) { leadership_free(checker); }

static const char *const figures[] = {"elections",
                                      "terms",
                                      "split_votes",
                                      "lost_elections",
                                      "first_leader_ms",
                                      "leaderless_ms",
                                      "max_leaders_per_term",
                                      "dual_leader_ms",
                                      "dual_leader_count",
                                      "actions",
                                      "stale_actions",
                                      "stale_refused",
                                      "stale_executed",
                                      "incidents",
                                      "replacements",
                                      "abandoned_boots",
                                      "detection_ms.mean",
                                      "detection_ms.max",
                                      "down_time_ms.mean",
                                      "down_time_ms.max",
                                      "servers_down_mean",
                                      "servers_down_fraction.*",
                                      NULL};
static const char *const node_figures[] = {"leadership.candidacies", "leadership.became_leader",
                                           "leadership.led_ms", NULL};

/* Time series: the instances that believe they lead (a plot shows the dual-leader spans) and
 * the highest term reached. */
static const sim_metric metrics[] = {
    {"leaders", SIM_METRIC_GAUGE, SIM_FIELD(leadership_checker, nleaders)},
    {"terms", SIM_METRIC_GAUGE, SIM_FIELD(leadership_checker, highest)},
    SIM_METRICS_END,
};

const sim_checker_kind dsim_leadership_checker = {
    .version = SIM_CHECKER_VERSION,
    .name = "leadership",
    .create = create,
    .settle = settle,
    .is_reported = is_reported,
    .report = report,
    .report_node = report_node,
    .free = destroy,
    .figures = figures,
    .node_figures = node_figures,
    .metrics = metrics,
};
