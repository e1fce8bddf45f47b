/* sim/suggest: the optimal string alignment distance (each insertion, deletion, substitution
 * or swap of two adjacent letters counts 1, no letter edited twice) and the choice of a
 * "did you mean" word: within (len + 2) / 3 edits of the word, nearest first, ties to the
 * candidate offered first, nothing when nothing is close. */
#include "suggest.h"

#include <criterion/criterion.h>
#include <string.h>

static size_t dist(const char *a, const char *b) { return sim_suggest_distance(a, b, 1000); }

Test(suggest, distance_counts_single_edits) {
    cr_expect_eq(dist("", ""), 0);
    cr_expect_eq(dist("web", "web"), 0);
    cr_expect_eq(dist("", "abc"), 3);
    cr_expect_eq(dist("abc", ""), 3);
    cr_expect_eq(dist("wrkers", "workers"), 1, "insertion");
    cr_expect_eq(dist("workerss", "workers"), 1, "deletion");
    cr_expect_eq(dist("workars", "workers"), 1, "substitution");
    cr_expect_eq(dist("kitten", "sitting"), 3, "the textbook pair");
    cr_expect_eq(dist("flaw", "lawn"), 2);
}

Test(suggest, an_adjacent_swap_is_one_edit) {
    cr_expect_eq(dist("wbe", "web"), 1);
    cr_expect_eq(dist("ab", "ba"), 1, "Levenshtein would say 2");
    cr_expect_eq(dist("databsae", "database"), 1);
}

Test(suggest, no_letter_is_edited_twice) {
    /* The unrestricted Damerau-Levenshtein distance is 2 (ca -> ac -> abc); the optimal string
     * alignment distance may not insert between swapped letters, so it is 3. */
    cr_expect_eq(dist("ca", "abc"), 3);
}

Test(suggest, distance_stops_at_the_bound) {
    cr_expect_eq(sim_suggest_distance("kitten", "sitting", 2), 3, "over the bound: bound + 1");
    cr_expect_eq(sim_suggest_distance("kitten", "sitting", 3), 3);
    cr_expect_eq(sim_suggest_distance("a", "abcdef", 2), 3, "lengths alone exceed it");
}

Test(suggest, long_words_are_compared_whole) {
    char a[601], b[601];
    memset(a, 'a', 600);
    a[600] = '\0';
    memcpy(b, a, sizeof a);
    b[599] = 'b';
    cr_expect_eq(dist(a, b), 1);
    b[0] = 'b';
    cr_expect_eq(dist(a, b), 2, "a difference at each end of 600 letters");
    cr_expect_eq(dist(a, a), 0);
}

Test(suggest, the_nearest_close_word_is_chosen) {
    static const char *const keys[] = {"workers", "queue", "service", "forward", NULL};
    cr_expect_str_eq(sim_suggest_among("wrkers", keys), "workers");
    cr_expect_str_eq(sim_suggest_among("servce", keys), "service");
    cr_expect_str_eq(sim_suggest_among("queue", keys), "queue", "an exact word is nearest");
    static const char *const near[] = {"rate", "ratio", NULL};
    cr_expect_str_eq(sim_suggest_among("ratoi", near), "ratio", "distance 1 beats distance 2");
}

Test(suggest, ties_go_to_the_first_offered) {
    static const char *const one[] = {"ac", "ad", NULL}, *const two[] = {"ad", "ac", NULL};
    cr_expect_str_eq(sim_suggest_among("ab", one), "ac");
    cr_expect_str_eq(sim_suggest_among("ab", two), "ad");
    sim_suggest s;
    sim_suggest_init(&s, "wbe");
    sim_suggest_add(&s, NULL);
    sim_suggest_add(&s, "");
    sim_suggest_add(&s, "web");
    sim_suggest_add(&s, "wbx");
    cr_expect_str_eq(sim_suggest_best(&s), "web", "NULL and empty are ignored");
}

Test(suggest, nothing_is_suggested_when_nothing_is_close) {
    static const char *const keys[] = {"workers", "queue", "service", NULL};
    cr_expect_null(sim_suggest_among("zzzzqq", keys));
    cr_expect_null(sim_suggest_among("", keys));
    cr_expect_null(sim_suggest_among("x", NULL));
    /* A third of the length, rounded up: 3 letters allow 1 edit, 6 allow 2, 7 allow 3. */
    static const char *const web[] = {"web", NULL};
    cr_expect_str_eq(sim_suggest_among("wex", web), "web");
    cr_expect_null(sim_suggest_among("wxy", web), "2 edits in 3 letters is another word");
    static const char *const w[] = {"workers", NULL};
    cr_expect_str_eq(sim_suggest_among("wrkerz", w), "workers", "2 edits in 6 letters");
    cr_expect_null(sim_suggest_among("wrkrz", w), "3 edits in 5 letters");
}
