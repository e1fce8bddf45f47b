/* Number formats for the summary. Plain decimal notation only: a reader should not have to
 * decode "1.221e+05"; three significant digits are what a report of simulated figures can
 * stand behind (the document keeps every digit). */
#include "human.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this an integer no longer fits DSIM_HUMAN_MAX with its separators. */
#define HUGE_LIMIT 1e40

/* Writes the integer v (already rounded) with a comma every three digits. */
static void grouped(char *buf, double v) {
    char digits[DSIM_HUMAN_MAX];
    if (fabs(v) >= HUGE_LIMIT) {
        snprintf(buf, DSIM_HUMAN_MAX, "%s>10^40", v < 0 ? "-" : "");
        return;
    }
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits), o = 0;
    if (v < 0)
        buf[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* Drops the trailing zeros of a decimal fraction, and the point if nothing follows it. */
static void trim_zeros(char *buf) {
    if (!strchr(buf, '.'))
        return;
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[n - 1] = '\0';
}

const char *dsim_human_number(char *buf, double v) {
    double a = fabs(v);
    if (isnan(v))
        snprintf(buf, DSIM_HUMAN_MAX, "-");
    else if (isinf(v))
        snprintf(buf, DSIM_HUMAN_MAX, "%sinfinite", v < 0 ? "-" : "");
    else if (v == 0)
        snprintf(buf, DSIM_HUMAN_MAX, "0");
    else if (v == floor(v) || a >= 999.5)
        grouped(buf, round(v));
    else if (a < 0.001)
        snprintf(buf, DSIM_HUMAN_MAX, "%s0.001", v < 0 ? ">-" : "<");
    else {
        /* 3 significant digits: as many decimals as the magnitude leaves. */
        int decimals = 2 - (int)floor(log10(a));
        snprintf(buf, DSIM_HUMAN_MAX, "%.*f", decimals < 0 ? 0 : decimals, v);
        trim_zeros(buf);
    }
    return buf;
}

/* number followed by a unit suffix. */
static const char *with_suffix(char *buf, double v, const char *suffix) {
    dsim_human_number(buf, v);
    if (!isnan(v)) {
        size_t n = strlen(buf);
        snprintf(buf + n, DSIM_HUMAN_MAX - n, "%s", suffix);
    }
    return buf;
}

const char *dsim_human_ms(char *buf, double ms) {
    /* 999.95 ms would round to "1000 ms": from there on it reads as seconds. */
    if (fabs(ms) >= 999.5)
        return with_suffix(buf, ms / 1000, " s");
    return with_suffix(buf, ms, " ms");
}

const char *dsim_human_percent(char *buf, double ratio) {
    return with_suffix(buf, ratio * 100, "%");
}

const char *dsim_human_rate(char *buf, double per_s) { return with_suffix(buf, per_s, "/s"); }

const char *dsim_human_bytes(char *buf, double bytes) {
    /* Not EiB: its E would read as an exponent, which these formats never write. */
    static const char *const units[] = {" B", " KiB", " MiB", " GiB", " TiB", " PiB"};
    size_t u = 0;
    while (fabs(bytes) >= 1023.5 && u + 1 < sizeof units / sizeof *units) {
        bytes /= 1024;
        u++;
    }
    return with_suffix(buf, bytes, units[u]);
}

const char *dsim_human_value(char *buf, double v, dsim_human_unit unit) {
    switch (unit) {
    case DSIM_HUMAN_MS:
        return dsim_human_ms(buf, v);
    case DSIM_HUMAN_S:
        return dsim_human_ms(buf, v * 1000);
    case DSIM_HUMAN_RATIO:
        return dsim_human_percent(buf, v);
    case DSIM_HUMAN_RATE:
        return dsim_human_rate(buf, v);
    case DSIM_HUMAN_PLAIN:
        break;
    }
    return dsim_human_number(buf, v);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

dsim_human_unit dsim_human_unit_of(const char *key) {
    if (ends_with(key, "_ms"))
        return DSIM_HUMAN_MS;
    if (ends_with(key, "_s"))
        return DSIM_HUMAN_S;
    if (ends_with(key, "_rps"))
        return DSIM_HUMAN_RATE;
    /* Fractions of a whole, by the names the kinds give them (docs/results.md). */
    if (strcmp(key, "utilization") == 0 || strcmp(key, "share") == 0 ||
        strcmp(key, "probability") == 0 || ends_with(key, "_ratio") || ends_with(key, "_rate") ||
        ends_with(key, "_fraction"))
        return DSIM_HUMAN_RATIO;
    return DSIM_HUMAN_PLAIN;
}

char *dsim_human_label(const char *key) {
    if (strcmp(key, "p999") == 0)
        key = "p99.9";
    size_t n = strlen(key);
    static const char *const suffixes[] = {"_ms", "_s", "_rps"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        if (ends_with(key, suffixes[i]) && n > strlen(suffixes[i])) {
            n -= strlen(suffixes[i]);
            break;
        }
    char *label = malloc(n + 1);
    if (!label)
        return NULL;
    for (size_t i = 0; i < n; i++)
        label[i] = key[i] == '_' ? ' ' : key[i];
    label[n] = '\0';
    return label;
}
