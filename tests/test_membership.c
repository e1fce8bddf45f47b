/* Groups that change during a run (sim/membership.h): declared spares, the `add` and `remove`
 * actions, picks of a group that follow its members, and a load balancer that follows them
 * through the membership hook. Round robin makes the balancer's shares exact; random picks
 * are checked against binomial bounds. */
#include "support.h"

#include <criterion/criterion.h>
#include <stdio.h>

/* 1000 requests a second, evenly spaced, through a round-robin balancer to web, 3 instances of
 * which 2 are active; the spare joins at 1 s. */
static const char balanced[] = "duration: 2s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, arrival: 1ms}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: round_robin}\n"
                               "  web: {kind: service, replicas: 3, active: 2, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 1s, add: web}\n";

Test(membership, a_spare_takes_no_traffic_until_it_joins_then_its_exact_share) {
    cJSON *doc = t_run(balanced, 1);
    cr_assert(doc);
    long long before = t_int(doc, "nodes.web.0.arrivals") + t_int(doc, "nodes.web.1.arrivals");
    long long spare = t_int(doc, "nodes.web.2.arrivals");
    /* 1000 requests in [0, 1 s) go to web.0 and web.1; the 1000 after go round all three, a
     * third of them (333 or 334, as the rotation stands at the join) to the spare. */
    cr_expect(spare >= 332 && spare <= 334, "the spare's share of the second second: %lld", spare);
    cr_expect_eq(before + spare, t_int(doc, "nodes.lb.requests"));
    const cJSON *faults = t_get(doc, "faults");
    cr_assert_eq(cJSON_GetArraySize(faults), 1);
    cr_expect_str_eq(t_str(doc, "faults.0.action"), "add");
    cr_expect_str_eq(t_str(doc, "faults.0.instance"), "web.2");
    cr_expect(!cJSON_GetObjectItem(t_at(doc, "nodes.web.2"), "member"), "web.2 is a member now");
    cJSON_Delete(doc);
}

Test(membership, a_spare_that_never_joins_is_down_and_reported_out_of_the_group) {
    static const char yaml[] = "duration: 2s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, arrival: 1ms}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: round_robin}\n"
                               "  web: {kind: service, replicas: 3, active: 2, service: 1ms}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    cr_expect_eq(t_int(doc, "nodes.web.2.arrivals"), 0);
    cr_expect_eq(t_bool(doc, "nodes.web.2.member"), false);
    cr_expect_eq(t_int(doc, "requests.failed"), 0, "nothing was sent to the spare");
    cJSON_Delete(doc);
}

Test(membership, a_removed_instance_gets_nothing_new_and_an_undone_add_leaves) {
    static const char yaml[] = "duration: 3s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: lb, arrival: 1ms}\n"
                               "  lb: {kind: load_balancer, backends: web, policy: round_robin}\n"
                               "  web: {kind: service, replicas: 3, active: 2, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 1s, add: web, duration: 1s}\n"
                               "  - {at: 1s, remove: web.0}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    /* web.0 has the first half of the first second only; web.2 half of the second one only;
     * web.1 half of the first and second and all of the third. */
    long long w0 = t_int(doc, "nodes.web.0.arrivals"), w1 = t_int(doc, "nodes.web.1.arrivals"),
              w2 = t_int(doc, "nodes.web.2.arrivals");
    cr_expect(w0 >= 499 && w0 <= 501, "web.0: %lld", w0);
    cr_expect(w2 >= 499 && w2 <= 501, "web.2: %lld", w2);
    cr_expect(w1 >= 1998 && w1 <= 2002, "web.1: %lld", w1);
    cr_expect_str_eq(t_str(doc, "faults.2.action"), "remove"); /* the add undone */
    cr_expect_str_eq(t_str(doc, "faults.2.instance"), "web.2");
    cr_expect_eq(t_bool(doc, "nodes.web.2.crashed"), true, "an undone add stops the instance");
    cr_expect_eq(t_bool(doc, "nodes.web.0.member"), false);
    cJSON_Delete(doc);
}

/* A client picks its target group's instances at random: only among members. Over 20,000
 * requests after the join, the spare's count is binomial(n, 1/4). */
Test(membership, random_picks_of_a_group_choose_among_its_members) {
    static const char yaml[] = "duration: 20s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 2000/s}\n"
                               "  web: {kind: service, replicas: 4, active: 3, service: 1us}\n"
                               "faults:\n"
                               "  - {at: 10s, add: web}\n";
    cJSON *doc = t_run(yaml, 7);
    cr_assert(doc);
    double after = 0, total = 0;
    for (int i = 0; i < 4; i++) {
        char path[32];
        snprintf(path, sizeof path, "nodes.web.%d.arrivals", i);
        total += (double)t_int(doc, path);
    }
    after = (double)t_int(doc, "nodes.web.3.arrivals");
    cr_expect_gt(after, 0);
    /* About half the requests come after the join (Poisson, sd ~ 140 of 20,000): the spare's
     * share of all is binomial with p = 1/8 to within that. */
    t_expect_binomial("the spare's arrivals", after, total, 1.0 / 8);
    cJSON_Delete(doc);
}

Test(membership, active_beyond_the_replicas_is_refused_at_its_line) {
    static const char yaml[] = "duration: 1s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 10/s}\n"
                               "  web: {kind: service, replicas: 3, active: 4, service: 1ms}\n";
    const char *want[] = {"4:45", "active", "[0, 3]"};
    t_expect_refused(yaml, want, 3);
}

Test(membership, an_add_with_no_spare_left_is_logged_with_no_instance) {
    static const char yaml[] = "duration: 1s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 10/s}\n"
                               "  web: {kind: service, replicas: 2, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 0.5s, add: web}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    cr_expect_str_eq(t_str(doc, "faults.0.instance"), "none");
    cJSON_Delete(doc);
}

/* An undo finds its instance where another action put it: web.2, added at 1 s for 2 s, is
 * removed at 2 s by hand, so the undo at 3 s has nothing to move (and does not stop it). */
Test(membership, an_undo_whose_instance_moved_meanwhile_leaves_it_alone) {
    static const char yaml[] = "duration: 4s\n"
                               "nodes:\n"
                               "  users: {kind: client, target: web, rate: 10/s}\n"
                               "  web: {kind: service, replicas: 3, active: 2, service: 1ms}\n"
                               "faults:\n"
                               "  - {at: 1s, add: web, duration: 2s}\n"
                               "  - {at: 2s, remove: web.2}\n";
    cJSON *doc = t_run(yaml, 1);
    cr_assert(doc);
    cr_expect_str_eq(t_str(doc, "faults.0.instance"), "web.2");
    cr_expect_str_eq(t_str(doc, "faults.1.instance"), "web.2");
    cr_expect_str_eq(t_str(doc, "faults.2.action"), "remove");
    cr_expect_str_eq(t_str(doc, "faults.2.instance"), "none");
    cr_expect(!cJSON_GetObjectItem(t_at(doc, "nodes.web.2"), "crashed"),
              "the undo did not stop web.2");
    cJSON_Delete(doc);
}
