/* Scalar syntax (sim/units.h): whole numbers, numbers, durations and rates. Every rejection
 * must leave the output untouched, so each case starts from a sentinel and checks it after. */
#include "units.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SENTINEL_I 0x5eed
#define SENTINEL_D -12345.5

static void ok_duration(const char *s, sim_time want) {
    sim_time got = SENTINEL_I;
    const char *err = sim_parse_duration(s, &got);
    cr_assert_null(err, "'%s' rejected: %s", s, err);
    cr_assert_eq(got, want, "'%s' gave %lld ns, want %lld", s, (long long)got, (long long)want);
}

static void bad_duration(const char *s) {
    sim_time got = SENTINEL_I;
    double ns = SENTINEL_D;
    const char *err = sim_parse_duration(s, &got);
    cr_assert_not_null(err, "'%s' accepted as %lld ns", s, (long long)got);
    cr_assert_gt(strlen(err), 0);
    cr_assert_eq(got, SENTINEL_I, "'%s' rejected but the output changed", s);
    cr_assert_not_null(sim_parse_duration_ns(s, &ns), "'%s' accepted by the _ns variant", s);
    cr_assert_eq(ns, SENTINEL_D);
}

static void ok_rate(const char *s, double want) {
    double got = SENTINEL_D;
    const char *err = sim_parse_rate(s, &got);
    cr_assert_null(err, "'%s' rejected: %s", s, err);
    cr_assert_float_eq(got, want, 1e-12 * fabs(want), "'%s' gave %.17g/s, want %.17g", s, got,
                       want);
}

static void bad_rate(const char *s) {
    double got = SENTINEL_D;
    cr_assert_not_null(sim_parse_rate(s, &got), "'%s' accepted as %.17g/s", s, got);
    cr_assert_eq(got, SENTINEL_D, "'%s' rejected but the output changed", s);
}

static void ok_int(const char *s, int64_t want) {
    int64_t got = SENTINEL_I;
    const char *err = sim_parse_int(s, &got);
    cr_assert_null(err, "'%s' rejected: %s", s, err);
    cr_assert_eq(got, want, "'%s' gave %lld", s, (long long)got);
}

static void bad_int(const char *s) {
    int64_t got = SENTINEL_I;
    cr_assert_not_null(sim_parse_int(s, &got), "'%s' accepted as %lld", s, (long long)got);
    cr_assert_eq(got, SENTINEL_I);
}

static void ok_number(const char *s, double want) {
    double got = SENTINEL_D;
    const char *err = sim_parse_number(s, &got);
    cr_assert_null(err, "'%s' rejected: %s", s, err);
    cr_assert_eq(got, want, "'%s' gave %.17g", s, got);
}

static void bad_number(const char *s) {
    double got = SENTINEL_D;
    cr_assert_not_null(sim_parse_number(s, &got), "'%s' accepted as %.17g", s, got);
    cr_assert_eq(got, SENTINEL_D);
}

Test(units, every_duration_unit) {
    ok_duration("7ns", 7);
    ok_duration("7us", 7 * SIM_US);
    ok_duration("7ms", 7 * SIM_MS);
    ok_duration("7s", 7 * SIM_S);
    ok_duration("7m", 7 * 60 * SIM_S);
    ok_duration("7h", 7 * 3600 * SIM_S);
    ok_duration("7d", 7 * 86400 * SIM_S);
    ok_duration("0s", 0);
    ok_duration("0ns", 0);
    ok_duration("+3ms", 3 * SIM_MS);
}

Test(units, fractional_durations_round_to_whole_ns) {
    ok_duration("2.5ms", 2500000);
    ok_duration("0.25s", 250000000);
    ok_duration(".5us", 500);
    ok_duration("1.5h", 5400 * SIM_S);
    ok_duration("0.001ms", 1000);
    ok_duration("1e3us", SIM_MS);
    ok_duration("2.5E-3s", 2500000);
    ok_duration("1.4ns", 1);
    ok_duration("1.6ns", 2);
    ok_duration("0.4ns", 0);
    /* 1.001 * 1e6 is 1000999.9999999999 in binary floating point: rounded, not truncated. */
    ok_duration("1.001ms", 1001000);
    ok_duration("1.001us", 1001);
    /* Every ms value with three decimals (0.001 .. 9.999) lands on its whole microsecond. */
    for (int i = 1; i < 10000; i++) {
        char s[32];
        snprintf(s, sizeof s, "%d.%03dms", i / 1000, i % 1000);
        ok_duration(s, (sim_time)i * SIM_US);
    }
}

Test(units, duration_ns_keeps_fractions) {
    double ns = SENTINEL_D;
    cr_assert_null(sim_parse_duration_ns("1.25ns", &ns));
    cr_assert_eq(ns, 1.25);
    cr_assert_null(sim_parse_duration_ns("0.5us", &ns));
    cr_assert_eq(ns, 500);
    cr_assert_null(sim_parse_duration_ns("2m", &ns));
    cr_assert_eq(ns, 120e9);
}

Test(units, bare_numbers_are_not_durations) {
    bad_duration("5");
    bad_duration("0");
    bad_duration("2.5");
    bad_duration("1e3");
}

Test(units, negative_durations_rejected) {
    bad_duration("-1ms");
    bad_duration("-0.001ns");
    bad_duration("-5h");
}

Test(units, garbage_around_durations_rejected) {
    static const char *const bad[] = {
        "",     "ms",    " 5ms",    "5 ms", "5ms ",   "5msx",  "5mss",       "5MS",   "5Ms",
        "5sec", "5min",  "5hr",     "5dy",  "5y",     "5ps",   "5\xc2\xb5s", "5 s",   "5\tms",
        "ms5",  "5m s",  "5..ms",   "5e",   "0x10ms", "infms", "nanms",      "inf s", "--5ms",
        "5ms5", "5,0ms", "1_000ms", "5/s",  "\n5ms",  "\r5ms",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bad_duration(bad[i]);
}

/* SIM_TIME_MAX is 4611686018427387903 ns: 1281023 h fits, 1281024 h does not. */
Test(units, overflowing_durations_rejected) {
    ok_duration("1281023h", (sim_time)1281023 * 3600 * SIM_S);
    bad_duration("1281024h");
    bad_duration("1e30s");
    bad_duration("1e308h");
    bad_duration("1e400ns");
    bad_duration("99999999999999999999h");
    ok_duration("4611686018s", (sim_time)4611686018 * SIM_S);
    bad_duration("4611686019s");
}

Test(units, rates_per_s_ms_m) {
    ok_rate("100/s", 100);
    ok_rate("2.5/ms", 2500);
    ok_rate("30/m", 0.5);
    ok_rate("0/s", 0);
    ok_rate("1e3/s", 1000);
    ok_rate("0.001/ms", 1);
    static const char *const bad[] = {
        "100",    "100/",   "/s",   "100/h",   "100/us", "100/ns",  "100 /s",  "100/ s",
        "100/s ", " 100/s", "-1/s", "-0.5/m",  "100/S",  "100/sec", "100/min", "inf/s",
        "nan/s",  "0x10/s", "",     "1e400/s", "100//s", "100/s/s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bad_rate(bad[i]);
}

/* A rate that is finite as written but overflows once converted to per-second. */
Test(units, rates_that_overflow_rejected) {
    bad_rate("1e308/ms");
    ok_rate("1e300/ms", 1e303);
}

Test(units, whole_numbers) {
    ok_int("0", 0);
    ok_int("12", 12);
    ok_int("-3", -3);
    ok_int("+7", 7);
    ok_int("9223372036854775807", INT64_MAX);
    ok_int("-9223372036854775808", INT64_MIN);
    static const char *const bad[] = {
        "",
        "1.5",
        "1e3",
        "0x10",
        "12 ",
        " 12",
        "\t12",
        "\n12",
        "12a",
        "a12",
        "-",
        "+",
        "--1",
        "1,000",
        "9223372036854775808",
        "-9223372036854775809",
        "3ms",
        "inf",
        "nan",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bad_int(bad[i]);
}

Test(units, finite_numbers) {
    ok_number("0.25", 0.25);
    ok_number("1e-3", 1e-3);
    ok_number("-2", -2);
    ok_number("+2.5E2", 250);
    ok_number("3.", 3);
    ok_number(".5", 0.5);
    ok_number("1.7976931348623157e308", 1.7976931348623157e308);
    static const char *const bad[] = {
        "",      "inf",    "-inf",  "INF",  "infinity", "nan", "NaN", "nan(1)",
        "1e309", "-1e309", "0x1p3", "0x10", " 1",       "1 ",  "1e",  "e5",
        "1..2",  "1.2.3",  "5ms",   "1/s",  "\n1",      "1,5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bad_number(bad[i]);
}
