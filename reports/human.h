/* Numbers for people: counts with thousands separators, everything else with three
 * significant digits in plain decimal notation (never an exponent), durations in ms or s,
 * ratios as percentages, rates per second, sizes in B/KiB/MiB/GiB/... Used by the terminal
 * summary and the command's own lines; the result document keeps the exact numbers. */
#ifndef DSIM_HUMAN_H
#define DSIM_HUMAN_H

#include <stddef.h>

/* Size of a buffer that holds any text these functions write. */
enum { DSIM_HUMAN_MAX = 64 };

/* How a figure reads best, decided from the name of its document key. */
typedef enum dsim_human_unit {
    DSIM_HUMAN_PLAIN, /* a count or a plain number */
    DSIM_HUMAN_MS,    /* milliseconds: "*_ms" */
    DSIM_HUMAN_S,     /* seconds: "*_s" */
    DSIM_HUMAN_RATIO, /* a fraction shown as a percentage: utilization, share, *_ratio... */
    DSIM_HUMAN_RATE,  /* per second: "*_rps" */
} dsim_human_unit;

/* The unit of the figure called key ("wait_ms", "hit_ratio", "throughput_rps", ...). */
dsim_human_unit dsim_human_unit_of(const char *key);

/* Each writes v into buf (DSIM_HUMAN_MAX bytes) and returns buf. NaN is "-".
 * number: an integer exactly, with separators ("12,345"); others with 3 significant digits
 * ("44.7", "0.112"), from 1000 on rounded to an integer, below 0.001 as "<0.001". */
const char *dsim_human_number(char *buf, double v);
/* milliseconds: "0 ms", "0.112 ms", "44.7 ms", from 1 s on in seconds ("1.91 s", "1,234 s"). */
const char *dsim_human_ms(char *buf, double ms);
/* a ratio as a percentage: 0.787 -> "78.7%", 1 -> "100%". */
const char *dsim_human_percent(char *buf, double ratio);
/* per second: "79.9/s", "2,000/s". */
const char *dsim_human_rate(char *buf, double per_s);
/* bytes in powers of 1024: "48 B", "1.5 KiB", "83.2 MiB", "262 GiB", "3 PiB"
 * (and "5,120 PiB": no EiB, whose E would read as an exponent). */
const char *dsim_human_bytes(char *buf, double bytes);
/* v in the given unit (seconds as a duration, like ms). */
const char *dsim_human_value(char *buf, double v, dsim_human_unit unit);

/* The label of a document key: underscores become spaces and a unit suffix the value itself
 * shows is dropped ("timed_out" -> "timed out", "wait_ms" -> "wait", "throughput_rps" ->
 * "throughput", "p999" -> "p99.9"). Returns a new string (the caller frees), NULL when out of
 * memory. */
char *dsim_human_label(const char *key);

#endif
