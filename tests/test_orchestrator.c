/* The orchestrator (models/control/orchestrator) and the leadership checker: Raft-style
 * election against closed forms and an independent Monte Carlo, safety over many seeds with
 * crashes and partitions, replacement within the detection bound, and the servers down under
 * independent crashes against the binomial law. Every statistical check states its oracle and
 * its interval (tests/support.h: binomial and Student-t bounds). */
#include "engine.h"
#include "leadership.h"
#include "strfmt.h"
#include "support.h"

#include <criterion/criterion.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000LL

/* Runs yaml with seed to its end and hands the leadership checker to fn. */
typedef void (*with_checker_fn)(const leadership_checker *lc, void *ud);
static void run_checked(const char *yaml, uint64_t seed, with_checker_fn fn, void *ud) {
    sim_topology *t = t_load(yaml, NULL, 0, NULL);
    cr_assert(t, "the topology loads");
    sim_engine *e = sim_engine_new(t, seed);
    cr_assert(e);
    cr_assert_eq(sim_engine_run(e), 0, "the run ends");
    const leadership_checker *lc = sim_engine_checker(e, &dsim_leadership_checker);
    cr_assert(lc);
    fn(lc, ud);
    sim_engine_free(e);
    sim_topology_free(t);
}

/* An election group of n instances, timeouts uniform in [T, 2T], one-way latency d (constant),
 * watching one idle server; faults appended as given. */
static char *election_yaml(int n, double t_ms, double d_ms, double hb_ms, double dur_s,
                           const char *faults) {
    char *y = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&y, &len);
    fprintf(f,
            "duration: %gs\n"
            "network: {latency: %gms}\n"
            "nodes:\n"
            "  web: {kind: service, service: 1ms}\n"
            "  orch: {kind: orchestrator, replicas: %d, watch: web, heartbeat: %gms,\n"
            "         election_timeout: {dist: uniform, min: %gms, max: %gms}}\n"
            "%s",
            dur_s, d_ms, n, hb_ms, t_ms, 2 * t_ms, faults ? faults : "");
    fclose(f);
    return y;
}

/* ---- the first election: split votes and time to elect ---- */

typedef struct first_election {
    bool split;         /* term 1 saw candidacies and no leader */
    double elected_ms;  /* the first leader */
    double after_first; /* term 1 elected: its leader's time less its first candidacy */
} first_election;

static void read_first(const leadership_checker *lc, void *ud) {
    first_election *fe = ud;
    leadership_term t1 = leadership_term_info(lc, 1);
    fe->split = t1.leaders == 0;
    fe->after_first = t1.leaders ? (double)(t1.elected - t1.first_candidacy) / MS : -1;
    fe->elected_ms = -1;
    for (uint64_t t = 1; t <= leadership_highest_term(lc); t++) {
        leadership_term x = leadership_term_info(lc, t);
        if (x.leaders) {
            fe->elected_ms = (double)x.elected / MS;
            break;
        }
    }
}

/* The election written independently of the model, for n instances started together with
 * timeouts uniform in [T, 2T] and one-way latency d: round after round the earliest deadline
 * f stands; every instance whose deadline falls before f's request reaches it (within d) stands
 * too in the same term (a rival), votes for itself and refuses the others; every other
 * instance grants f its vote at f + d and resets its deadline from then. f wins when 1 + the
 * others reach a majority, at f + 2d; otherwise every candidate's deadline is its own standing
 * time plus a new draw. Returns the time of the first leader, and sets *split_first when the
 * first round split. */
static double mc_election(gsl_rng *r, int n, double T, double d, bool *split_first) {
    double dl[16];
    for (int i = 0; i < n; i++)
        dl[i] = T + T * gsl_rng_uniform(r);
    int majority = n / 2 + 1;
    for (int round = 0;; round++) {
        int f = 0;
        for (int i = 1; i < n; i++)
            if (dl[i] < dl[f])
                f = i;
        double tf = dl[f];
        int rivals = 0;
        for (int i = 0; i < n; i++)
            if (i != f && dl[i] < tf + d)
                rivals++;
        int votes = 1 + (n - 1 - rivals);
        if (round == 0)
            *split_first = votes < majority;
        if (votes >= majority)
            return tf + 2 * d;
        for (int i = 0; i < n; i++) {
            double start = (i == f || dl[i] < tf + d) ? dl[i] : tf + d;
            dl[i] = start + T + T * gsl_rng_uniform(r);
        }
    }
}

/* Oracle (derived here: Ongaro's dissertation, §9.3, measures the time to elect and argues
 * from the spread of the timeouts, with no closed form we could cite for this case). The
 * vote-gathering window of a round is w = d, the one-way latency: an instance whose timeout
 * falls within d of the first one's has not yet received its request and stands as a rival.
 * With n = 3 started together, the first candidate f wins unless both others are rivals (it
 * then has only its own vote of the 2 it needs), so the first round splits with probability
 * P(range of 3 iid uniforms on [T, 2T] < d) = 3 r^2 - 2 r^3, r = d / T (the range R of n
 * uniforms has P(R < x) = n x^(n-1) - (n-1) x^n). With T = 150 ms and d = 30 ms, r = 0.2:
 * 0.104. Without a split the leader is elected exactly 2d after f stands (request, vote). The
 * mean time to the first leader, over split rounds too, comes from the Monte Carlo above,
 * itself checked against the closed form. Bounds: binomial at 99.9% for the rates, the 99%
 * Student-t interval of the model's mean (and the Monte Carlo's own error, 200000 draws, far
 * below it). */
Test(orchestrator, first_election_split_rate_and_time_to_elect_agree_with_the_analysis) {
    const int n = 3, runs = 12000;
    const double T = 150, d = 30;
    char *yaml = election_yaml(n, T, d, 20, 3, NULL);
    double *elected = calloc(runs, sizeof *elected);
    int splits = 0;
    for (int s = 0; s < runs; s++) {
        first_election fe;
        run_checked(yaml, (uint64_t)s + 1, read_first, &fe);
        cr_assert(fe.elected_ms > 0, "seed %d elects a leader", s + 1);
        elected[s] = fe.elected_ms;
        splits += fe.split;
        if (!fe.split)
            cr_expect(fabs(fe.after_first - 2 * d) < 1e-6,
                      "seed %d: the leader is elected 2d after it stands: %g ms", s + 1,
                      fe.after_first);
    }
    double r = d / T, p_split = 3 * r * r - 2 * r * r * r;
    t_expect_binomial("split votes in the first round", splits, runs, p_split);

    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 12345);
    const int draws = 200000;
    double sum = 0;
    int mc_splits = 0;
    for (int i = 0; i < draws; i++) {
        bool split;
        sum += mc_election(g, n, T, d, &split);
        mc_splits += split;
    }
    gsl_rng_free(g);
    t_expect_binomial("Monte Carlo: split votes in the first round", mc_splits, draws, p_split);
    t_expect_in_ci("mean time to the first leader (ms) against the Monte Carlo",
                   t_ci_of(elected, runs, 0.99), sum / draws);
    free(elected);
    free(yaml);
}

/* ---- after the leader crashes: the spacing of the timeouts ---- */

static void read_leader(const leadership_checker *lc, void *ud) {
    uint64_t h = leadership_highest_term(lc);
    leadership_term t = leadership_term_info(lc, h);
    uint64_t *out = ud;
    out[0] = t.leader;
    out[1] = h;
}

typedef struct after_crash {
    uint64_t term;
    double gap_ms; /* second candidacy less the first, in the term after the crash; inf: none */
} after_crash;

static void read_gap(const leadership_checker *lc, void *ud) {
    after_crash *ac = ud;
    leadership_term t = leadership_term_info(lc, ac->term + 1);
    ac->gap_ms = t.second_candidacy != SIM_TIME_NONE
                     ? (double)(t.second_candidacy - t.first_candidacy) / MS
                     : INFINITY;
}

/* Oracle: after the leader crashes the s = 4 survivors' timers all run from the last heartbeat
 * (received at one instant: the latency is constant), each uniform in [T, 2T]; the spacing of
 * the first two of s uniforms on an interval of length T exceeds w with probability
 * (1 - w/T)^s (uniform spacings), so a second candidate stands within w of the first with
 * probability 1 - (1 - w/T)^s. A timeout within w <= d of the first is seen as a candidacy
 * (its request has not arrived yet), so w = d and w = d/2 are measured from the ground-truth
 * times of the candidacies. The leader of each seed is found by a first run to 1 s (the same
 * seed gives the same run up to the crash). Binomial bounds at 99.9%. */
Test(orchestrator,
     after_a_leader_crash_a_second_candidate_stands_within_w_as_uniform_spacings_say) {
    const int n = 5, runs = 2000;
    const double T = 150, d = 10;
    char *pilot = election_yaml(n, T, d, 50, 1, NULL);
    int within_d = 0, within_half = 0;
    for (int s = 0; s < runs; s++) {
        uint64_t leader[2];
        run_checked(pilot, (uint64_t)s + 1, read_leader, leader);
        cr_assert(leader[0] != LEADERSHIP_NONE);
        char faults[128];
        /* orch.I is node 1 + I: web is node 0 */
        snprintf(faults, sizeof faults, "faults:\n  - {at: 1s, crash: orch.%u}\n",
                 (unsigned)(leader[0] - 1));
        char *yaml = election_yaml(n, T, d, 50, 2, faults);
        after_crash ac = {.term = leader[1]};
        run_checked(yaml, (uint64_t)s + 1, read_gap, &ac);
        within_d += ac.gap_ms < d;
        within_half += ac.gap_ms < d / 2;
        free(yaml);
    }
    int surv = n - 1;
    t_expect_binomial("second candidacy within d", within_d, runs, 1 - pow(1 - d / T, surv));
    t_expect_binomial("second candidacy within d/2", within_half, runs,
                      1 - pow(1 - d / 2 / T, surv));
    free(pilot);
}

/* ---- safety ---- */

/* A partition from the start cuts orch.0 and orch.1 (2 of 5) from the rest: they stand again
 * and again but can never gather 3 votes. Exact, over 40 seeds. */
Test(orchestrator, a_partitioned_minority_never_elects) {
    char *yaml = election_yaml(5, 150, 1, 50, 5,
                               "faults:\n"
                               "  - {at: 0s, partition: [[orch.0, orch.1], [orch.2, orch.3, "
                               "orch.4, web]]}\n");
    for (uint64_t seed = 1; seed <= 40; seed++) {
        cJSON *doc = t_run(yaml, seed);
        cr_expect_eq(t_int(doc, "nodes.orch.0.leadership.became_leader"), 0);
        cr_expect_eq(t_int(doc, "nodes.orch.1.leadership.became_leader"), 0);
        cr_expect(t_int(doc, "nodes.orch.0.leadership.candidacies") > 5,
                  "the minority keeps standing");
        cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1, "the majority elects");
        cJSON_Delete(doc);
    }
    free(yaml);
}

/* Random crashes (with restarts) of the instances and random partitions into two sides, drawn
 * here from a seeded stream, over 60 seeds: never two leaders in one term (Raft's Election
 * Safety), whatever the faults. Faults are written as a `faults:` list built in C until the
 * nemesis exists. */
Test(orchestrator, at_most_one_leader_per_term_under_crashes_and_partitions) {
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    for (uint64_t seed = 1; seed <= 60; seed++) {
        char *faults = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&faults, &len);
        fprintf(f, "faults:\n");
        for (int k = 0; k < 12; k++) {
            double at = 0.1 + 9 * gsl_rng_uniform(g), dur = 0.05 + 1.5 * gsl_rng_uniform(g);
            if (gsl_rng_uniform(g) < 0.5) {
                fprintf(f, "  - {at: %.4fs, crash: orch.%lu, duration: %.4fs}\n", at,
                        gsl_rng_uniform_int(g, 5), dur);
            } else {
                int side[5], na = 0;
                for (int i = 0; i < 5; i++)
                    na += side[i] = gsl_rng_uniform(g) < 0.5;
                if (na == 0 || na == 5)
                    side[0] = !side[0];
                fprintf(f, "  - {at: %.4fs, duration: %.4fs, partition: [[", at, dur);
                for (int pass = 1, first = 1; pass >= 0; pass--, first = 1) {
                    for (int i = 0; i < 5; i++)
                        if (side[i] == pass) {
                            fprintf(f, "%sorch.%d", first ? "" : ", ", i);
                            first = 0;
                        }
                    fprintf(f, pass ? "], [" : "]]}\n");
                }
            }
        }
        fclose(f);
        char *yaml = election_yaml(5, 150, 2, 50, 11, faults);
        cJSON *doc = t_run(yaml, seed);
        cr_expect(t_int(doc, "leadership.max_leaders_per_term") <= 1, "seed %lu",
                  (unsigned long)seed);
        cr_expect(t_int(doc, "leadership.terms") >= 1);
        cJSON_Delete(doc);
        free(yaml);
        free(faults);
    }
    gsl_rng_free(g);
}

/* ---- replacement ---- */

/* Four servers behind a load balancer, three orchestrators; web.1 crashes at a random instant.
 * The bound (watch.c): detected within probe_timeout - probe_interval .. probe_timeout +
 * probe_interval + a round trip (2 ms) of the crash, and serving again one boot draw (uniform
 * in [20 s, 40 s]) after the detection. Exact per seed, over 30 seeds. */
Test(orchestrator, a_crashed_server_is_replaced_within_the_detection_bound_plus_the_boot) {
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 3);
    double boot_sum = 0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        double at = 5 + 10 * gsl_rng_uniform(g);
        char yaml[1024];
        snprintf(yaml, sizeof yaml,
                 "duration: 80s\n"
                 "network: {latency: 1ms}\n"
                 "nodes:\n"
                 "  users: {kind: client, target: lb, rate: 20/s}\n"
                 "  lb: {kind: load_balancer, backends: web}\n"
                 "  web: {kind: service, replicas: 4, service: 5ms}\n"
                 "  orch: {kind: orchestrator, replicas: 3, watch: lb,\n"
                 "         boot: {dist: uniform, min: 20s, max: 40s}}\n"
                 "faults:\n"
                 "  - {at: %.6fs, crash: web.1}\n",
                 at);
        cJSON *doc = t_run(yaml, seed);
        cr_assert_eq(t_int(doc, "leadership.incidents"), 1);
        cr_expect_eq(t_int(doc, "leadership.replacements"), 1);
        cr_expect_str_eq(t_str(doc, "leadership.incident_log.0.server"), "web.1");
        cr_expect_str_eq(t_str(doc, "leadership.incident_log.0.replacement"), "web.1");
        double down = t_num(doc, "leadership.incident_log.0.went_down_ms");
        double det = t_num(doc, "leadership.incident_log.0.detected_ms") - down;
        double boot = t_num(doc, "leadership.incident_log.0.serving_again_ms") - down - det;
        cr_expect(fabs(down - at * 1000) < 1e-3);
        cr_expect(det >= 2000 && det <= 4000 + 2 + 1e-6, "detection %g ms", det);
        cr_expect(boot >= 20000 && boot <= 40000, "boot %g ms", boot);
        cr_expect_eq(t_int(doc, "nodes.orch.0.members_up") + 0, 4, "all four serve at the end");
        boot_sum += boot;
        cJSON_Delete(doc);
    }
    gsl_rng_free(g);
    cr_expect(boot_sum / 30 > 25000 && boot_sum / 30 < 35000, "boots are drawn, mean 30 s");
}

/* A leader crash during a replacement's boot abandons it (its timers never fire); the next
 * leader finds the group short and boots its own: the server serves again one boot after
 * that leader's election. */
Test(orchestrator, a_new_leader_reconciles_the_boots_its_predecessor_took_with_it) {
    static const char base[] = "duration: 120s\n"
                               "network: {latency: 1ms}\n"
                               "nodes:\n"
                               "  web: {kind: service, replicas: 3, service: 1ms}\n"
                               "  orch: {kind: orchestrator, replicas: 3, watch: web}\n";
    for (uint64_t seed = 1; seed <= 10; seed++) {
        uint64_t leader[2];
        char pilot[512];
        snprintf(pilot, sizeof pilot, "%sfaults:\n  - {at: 10s, crash: web.0}\n", base);
        sim_topology *t = t_load(pilot, NULL, 0, NULL);
        cr_assert(t);
        sim_engine *e = sim_engine_new(t, seed);
        cr_assert_eq(sim_engine_run_until(e, 20 * 1000 * MS), 0);
        read_leader(sim_engine_checker(e, &dsim_leadership_checker), leader);
        sim_engine_free(e);
        sim_topology_free(t);
        char yaml[768];
        /* web is nodes 0-2, orch.I node 3 + I */
        snprintf(yaml, sizeof yaml,
                 "%sfaults:\n  - {at: 10s, crash: web.0}\n  - {at: 20s, crash: orch.%u}\n", base,
                 (unsigned)(leader[0] - 3));
        cJSON *doc = t_run(yaml, seed);
        cr_expect_eq(t_int(doc, "leadership.abandoned_boots"), 1);
        cr_expect_eq(t_int(doc, "leadership.replacements"), 1);
        double again = t_num(doc, "leadership.incident_log.0.serving_again_ms");
        /* elected within a few timeouts of 20 s, then reconciled at once; boot 30 s */
        cr_expect(again > 50000 && again < 52000, "serving again at %g ms", again);
        cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1);
        cJSON_Delete(doc);
    }
}

/* ---- servers down under independent crashes ---- */

/* Oracle: each of N = 4 servers crashes as a Poisson process of rate 1/MTTF (a crash of a
 * server already down does nothing), so by memorylessness it alternates up Exp(MTTF) and down
 * for detection + boot. Rounds every second from the leader's start, a pong 2d after its ping
 * (d = 1 ms), declared dead at the first round more than 3 s after its last pong: a crash at
 * a uniform phase of the round is detected 4 s - U - d later, mean 3.5 s - d; with the boot of
 * 30 s, MTTR = 33.5 s - 1 ms. An alternating renewal process is down with probability
 * p = MTTR / (MTTF + MTTR), and the servers are independent, so the number down at a random
 * instant is Binomial(N, p): mean N p, and the time fraction with k down C(N,k) p^k (1-p)^(N-k).
 * Each figure over 8 seeds of 10000 s, against its 99% Student-t interval. The crashes are
 * the nemesis's (a crash rule without a repair: per instance, crash instants Exp(MTTF) apart),
 * so this also checks that the two work together. */
Test(orchestrator, servers_down_follow_the_binomial_law_of_independent_crashes) {
    const int N = 4, seeds = 8;
    const double mttf = 200, dur = 10000, mttr = 33.5 - 0.001;
    double mean[8], frac[5][8];
    char *y = sim_strfmt("duration: %gs\n"
                         "network: {latency: 1ms}\n"
                         "nodes:\n"
                         "  web: {kind: service, replicas: %d, service: 1ms}\n"
                         "  orch: {kind: orchestrator, replicas: 3, watch: web, heartbeat: 500ms,\n"
                         "         election_timeout: {dist: uniform, min: 1500ms, max: 3000ms}}\n"
                         "nemesis:\n"
                         "  - {crash: web, every: {dist: exponential, mean: %gs}}\n",
                         dur, N, mttf);
    cr_assert_not_null(y);
    for (int s = 0; s < seeds; s++) {
        cJSON *doc = t_run(y, (uint64_t)s + 1);
        mean[s] = t_num(doc, "leadership.servers_down_mean");
        const cJSON *fr = t_at(doc, "leadership.servers_down_fraction");
        for (int k = 0; k <= N; k++) {
            char key[8];
            snprintf(key, sizeof key, "%d", k);
            const cJSON *v = cJSON_GetObjectItem(fr, key);
            frac[k][s] = v ? v->valuedouble : 0;
        }
        cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1);
        cJSON_Delete(doc);
    }
    free(y);
    double p = mttr / (mttf + mttr);
    t_expect_in_ci("mean servers down", t_ci_of(mean, seeds, 0.99), N * p);
    for (int k = 0; k <= N; k++) {
        char what[64];
        snprintf(what, sizeof what, "time fraction with %d down", k);
        double pmf = gsl_sf_choose((unsigned)N, (unsigned)k) * pow(p, k) * pow(1 - p, N - k);
        t_expect_in_ci(what, t_ci_of(frac[k], seeds, 0.99), pmf);
    }
}

/* ---- bad input ---- */

Test(orchestrator, bad_input_reports_line_and_column) {
    static const char not_managed[] = "duration: 1s\n"
                                      "nodes:\n"
                                      "  users: {kind: client, target: web, rate: 1/s}\n"
                                      "  web: {kind: service, service: 1ms}\n"
                                      "  orch: {kind: orchestrator, replicas: 3, watch: users}\n";
    const char *w1[] = {"5:", "watch", "users"};
    t_expect_refused(not_managed, w1, 3);
    static const char zero[] = "duration: 1s\n"
                               "nodes:\n"
                               "  web: {kind: service, service: 1ms}\n"
                               "  orch: {kind: orchestrator, replicas: 0, watch: web}\n";
    const char *w2[] = {"4:", "replicas"};
    t_expect_refused(zero, w2, 2);
    static const char probes[] = "duration: 1s\n"
                                 "nodes:\n"
                                 "  web: {kind: service, service: 1ms}\n"
                                 "  orch: {kind: orchestrator, watch: web, probe_interval: 5s,\n"
                                 "         probe_timeout: 2s}\n";
    const char *w3[] = {"5:", "probe_timeout"};
    t_expect_refused(probes, w3, 2);
    static const char timeout[] = "duration: 1s\n"
                                  "nodes:\n"
                                  "  web: {kind: service, service: 1ms}\n"
                                  "  orch: {kind: orchestrator, watch: web, heartbeat: 1s}\n";
    const char *w4[] = {"4:", "election_timeout"};
    t_expect_refused(timeout, w4, 2);
    static const char missing[] = "duration: 1s\n"
                                  "nodes:\n"
                                  "  web: {kind: service, service: 1ms}\n"
                                  "  orch: {kind: orchestrator, replicas: 3}\n";
    const char *w5[] = {"4:", "watch"};
    t_expect_refused(missing, w5, 2);
}

/* ---- the examples tell their stories ---- */

/* orchestrator_web.yaml: whatever the seed, every incident is a real crash, replaced one
 * detection (within the bound) plus a 30 s boot later, or two boots when its boot died with
 * the leader; one leader per term; the tier back at 4 members at the end. */
Test(orchestrator, the_web_example_keeps_its_tier_at_four_servers) {
    char *yaml = t_example("orchestrator_web.yaml");
    for (uint64_t seed = 1; seed <= 5; seed++) {
        cJSON *doc = t_run(yaml, seed);
        cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1);
        cr_expect_eq(t_int(doc, "leadership.stale_actions"), 0);
        long long n = t_int(doc, "leadership.incidents");
        cr_expect_eq(n, 2, "web.1 and web.2");
        for (long long i = 0; i < n; i++) {
            char path[64];
            snprintf(path, sizeof path, "leadership.incident_log.%lld.down_ms", i);
            double down = t_num(doc, path);
            cr_expect((down >= 33000 && down <= 34002) || (down > 34002 && down < 130000),
                      "seed %lu incident %lld down %g ms", (unsigned long)seed, i, down);
        }
        cr_expect_eq(t_int(doc, "leadership.replacements"), 2);
        cr_expect_eq(t_int(doc, "nodes.orch.0.members_up"), 4);
        cJSON_Delete(doc);
    }
    free(yaml);
}

/* leader_partition.yaml with seed 1, where orch.2 (the one the partition isolates) wins term
 * 1: with fencing every stale action is refused and no request fails; without, they are
 * executed; with check_quorum the old leader steps down within an election timeout of the
 * partition (at most 300 ms, plus a heartbeat's lateness) and takes no action. */
Test(orchestrator, the_partition_example_shows_fencing_and_check_quorum) {
    char *yaml = t_example("leader_partition.yaml");
    cJSON *doc = t_run(yaml, 1);
    cr_assert_eq(t_int(doc, "nodes.orch.2.leadership.became_leader"), 1, "orch.2 led term 1");
    cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1);
    cr_expect(t_num(doc, "leadership.dual_leader_ms") > 19000);
    cr_expect(t_int(doc, "leadership.stale_refused") > 0);
    cr_expect_eq(t_int(doc, "leadership.stale_executed"), 0);
    cr_expect_eq(t_int(doc, "requests.failed"), 0);
    cr_expect_eq(t_int(doc, "nodes.orch.2.stepped_down"), 1);
    cJSON_Delete(doc);
    const char *off[] = {"nodes.orch.fencing=false"};
    doc = t_run_with(yaml, 1, off, 1);
    cr_expect_eq(t_int(doc, "leadership.stale_executed"), 4, "the four servers stopped");
    cr_expect(t_int(doc, "requests.failed") > 0);
    cJSON_Delete(doc);
    const char *cq[] = {"nodes.orch.check_quorum=true"};
    doc = t_run_with(yaml, 1, cq, 1);
    cr_expect(t_num(doc, "leadership.dual_leader_ms") < 300 + 50 + 2);
    cr_expect_eq(t_int(doc, "leadership.stale_actions"), 0);
    cr_expect_eq(t_int(doc, "leadership.max_leaders_per_term"), 1);
    cJSON_Delete(doc);
    free(yaml);
}
