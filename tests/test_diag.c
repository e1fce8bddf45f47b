/* Diagnostics: file order, argument errors first, notes attached to their error, no length
 * limit on a message. */
#include "diag.h"

#include <criterion/criterion.h>
#include <string.h>

Test(diag, errors_come_in_file_order_with_argument_errors_first) {
    sim_diag *d = sim_diag_new("t.yaml");
    sim_diag_error(d, 5, 3, "late");
    sim_diag_error(d, 2, 9, "early");
    sim_diag_arg_error(d, "--set a.b=c", "bad argument");
    sim_diag_error(d, 0, 0, "whole file");
    cr_assert_eq(sim_diag_count(d), 4);
    cr_expect_str_eq(sim_diag_message(d, 0), "--set a.b=c: error: bad argument");
    cr_expect_str_eq(sim_diag_message(d, 1), "t.yaml: error: whole file");
    cr_expect_str_eq(sim_diag_message(d, 2), "t.yaml:2:9: error: early");
    cr_expect_str_eq(sim_diag_message(d, 3), "t.yaml:5:3: error: late");
    cr_expect_null(sim_diag_message(d, 4));
    sim_diag_free(d);
}

Test(diag, a_note_follows_its_own_error_with_the_same_prefix) {
    sim_diag *d = sim_diag_new("t.yaml");
    sim_diag_note(d, "ignored: no error yet");
    sim_diag_error(d, 7, 1, "second");
    sim_diag_error(d, 3, 4, "first");
    sim_diag_note(d, "hint one");
    sim_diag_note(d, "hint %d", 2);
    sim_diag_arg_error(d, "--seed x", "not a number");
    sim_diag_note(d, "a whole number");
    cr_assert_eq(sim_diag_count(d), 3, "notes are not errors");
    cr_expect_str_eq(sim_diag_message(d, 0), "--seed x: error: not a number\n"
                                             "--seed x: note: a whole number");
    cr_expect_str_eq(sim_diag_message(d, 1), "t.yaml:3:4: error: first\n"
                                             "t.yaml:3:4: note: hint one\n"
                                             "t.yaml:3:4: note: hint 2");
    cr_expect_str_eq(sim_diag_message(d, 2), "t.yaml:7:1: error: second");
    sim_diag_free(d);
}

Test(diag, a_long_message_is_kept_whole) {
    enum { n = 5000 };
    char name[n + 1];
    memset(name, 'a', n);
    name[n] = 0;
    sim_diag *d = sim_diag_new("t.yaml");
    sim_diag_error(d, 1, 1, "no node named '%s'", name);
    const char *m = sim_diag_message(d, 0);
    cr_expect(strstr(m, name) != NULL, "the name was cut");
    cr_expect_eq(strlen(m), strlen("t.yaml:1:1: error: no node named ''") + n);
    sim_diag_free(d);
}

Test(diag, a_final_error_comes_after_every_other) {
    sim_diag *d = sim_diag_new("t.yaml");
    sim_diag_final_error(d, "too many");
    sim_diag_error(d, 9, 9, "late");
    sim_diag_error(d, 0, 0, "whole file");
    cr_assert_eq(sim_diag_count(d), 3);
    cr_expect_str_eq(sim_diag_message(d, 0), "t.yaml: error: whole file");
    cr_expect_str_eq(sim_diag_message(d, 1), "t.yaml:9:9: error: late");
    cr_expect_str_eq(sim_diag_message(d, 2), "t.yaml: error: too many");
    sim_diag_free(d);
}
