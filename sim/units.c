/* Strict parsing: the whole string must be consumed, so "5 ms", "5msx" and "5" (for a
 * duration) are errors rather than guesses. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *sim_parse_int(const char *s, int64_t *out) {
    if (!*s || isspace((unsigned char)*s)) /* strtoll would skip leading space */
        return "a whole number";
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno == ERANGE)
        return "a whole number";
    *out = v;
    return NULL;
}

/* Reads a leading finite number; *rest points after it. */
static const char *leading_number(const char *s, double *v, const char **rest) {
    if (!*s || strchr(" \t\n", *s))
        return "a number";
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(x))
        return "a number";
    /* strtod also reads hex floats, "inf" and "nan": accept only plain decimal syntax. */
    for (const char *p = s; p < end; p++)
        if (!strchr("0123456789+-.eE", *p))
            return "a number";
    *v = x;
    *rest = end;
    return NULL;
}

const char *sim_parse_number(const char *s, double *out) {
    double v;
    const char *rest;
    if (leading_number(s, &v, &rest) || *rest)
        return "a number";
    *out = v;
    return NULL;
}

static const struct {
    const char *unit;
    double ns;
} time_units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
                  {"d", 86400e9}}; /* d: a day, for backup schedules (an extension) */

const char *sim_parse_duration_ns(const char *s, double *out) {
    static const char *expected = "a duration: a number and a unit ns, us, ms, s, m, h or d "
                                  "(e.g. 5ms)";
    double v;
    const char *rest;
    if (leading_number(s, &v, &rest))
        return expected;
    if (!*rest)
        return "a duration with a unit (ns, us, ms, s, m, h or d): a bare number is ambiguous";
    for (size_t i = 0; i < sizeof time_units / sizeof *time_units; i++)
        if (strcmp(rest, time_units[i].unit) == 0) {
            double ns = v * time_units[i].ns;
            if (ns < 0)
                return "a non-negative duration";
            if (ns > (double)SIM_TIME_MAX)
                return "a duration under 100 years";
            *out = ns;
            return NULL;
        }
    return expected;
}

const char *sim_parse_duration(const char *s, sim_time *out) {
    double ns;
    const char *err = sim_parse_duration_ns(s, &ns);
    if (err)
        return err;
    *out = (sim_time)llround(ns);
    return NULL;
}

const char *sim_parse_rate(const char *s, double *out) {
    static const char *expected = "a rate: a number per unit, N/s, N/ms or N/m (e.g. 100/s)";
    double v;
    const char *rest;
    if (leading_number(s, &v, &rest))
        return expected;
    double per_s;
    if (strcmp(rest, "/s") == 0)
        per_s = v;
    else if (strcmp(rest, "/ms") == 0)
        per_s = v * 1e3;
    else if (strcmp(rest, "/m") == 0)
        per_s = v / 60;
    else
        return expected;
    if (per_s < 0)
        return "a non-negative rate";
    if (!isfinite(per_s)) /* N/ms overflows when N is near the largest double */
        return expected;
    *out = per_s;
    return NULL;
}

static const struct {
    const char *unit;
    double bps;
} bandwidth_units[] = {
    {"bps", 1},
    {"kbps", 1e3},
    {"Kbps", 1e3},
    {"Mbps", 1e6},
    {"Gbps", 1e9},
    {"Tbps", 1e12},
    {"B/s", 8},
    {"kB/s", 8e3},
    {"KB/s", 8e3},
    {"MB/s", 8e6},
    {"GB/s", 8e9},
    {"TB/s", 8e12},
    {"KiB/s", 8192},
    {"MiB/s", 8 * 1048576.0},
    {"GiB/s", 8 * 1073741824.0},
};

static const struct {
    const char *unit;
    double bytes;
} size_units[] = {
    {"B", 1},      {"kB", 1e3},           {"KB", 1e3},           {"MB", 1e6},
    {"GB", 1e9},   {"KiB", 1024.0},       {"MiB", 1048576.0},    {"GiB", 1073741824.0},
};

const char *sim_parse_bytes(const char *s, double *out) {
    static const char *expected = "a size: a whole number of bytes, or a number and a unit "
                                  "B, kB, MB, GB, KiB, MiB, GiB (e.g. 256, 4KiB, 1.5MB)";
    double v;
    const char *rest;
    if (leading_number(s, &v, &rest) || !(v >= 0) || !isfinite(v))
        return expected;
    double scale = 0;
    if (!*rest)
        scale = 1;
    for (size_t i = 0; !scale && i < sizeof size_units / sizeof *size_units; i++)
        if (strcmp(rest, size_units[i].unit) == 0)
            scale = size_units[i].bytes;
    if (!scale || (!*rest && v != floor(v)))
        return expected;
    *out = floor(v * scale + 0.5);
    return NULL;
}

const char *sim_parse_bandwidth(const char *s, double *out) {
    static const char *expected = "a bandwidth: a number and a unit bps, kbps, Mbps, Gbps, "
                                  "B/s, kB/s, MB/s, GB/s, MiB/s, ... (e.g. 100Mbps), or "
                                  "'unlimited'";
    if (strcmp(s, "unlimited") == 0) {
        *out = 0;
        return NULL;
    }
    double v;
    const char *rest;
    if (leading_number(s, &v, &rest))
        return expected;
    if (!*rest)
        return "a bandwidth with a unit (e.g. 100Mbps or 10MB/s): a bare number is ambiguous";
    for (size_t i = 0; i < sizeof bandwidth_units / sizeof *bandwidth_units; i++)
        if (strcmp(rest, bandwidth_units[i].unit) == 0) {
            double bps = v * bandwidth_units[i].bps;
            if (!(bps > 0))
                return "a bandwidth > 0 (or 'unlimited')";
            if (!isfinite(bps))
                return expected;
            *out = bps;
            return NULL;
        }
    return expected;
}
