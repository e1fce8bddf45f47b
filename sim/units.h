/* Scalar syntax of the topology format: whole numbers, numbers, durations ("2.5ms") and rates
 * ("100/s"). Pure string functions: each returns NULL on success and stores the value, or
 * returns a static phrase saying what was expected (and leaves *out untouched). */
#ifndef SIM_UNITS_H
#define SIM_UNITS_H

#include "simtime.h"

#include <stdint.h>

/* A whole number, optionally signed ("12", "-3"); no fraction, no exponent. */
const char *sim_parse_int(const char *s, int64_t *out);
/* A finite decimal number ("0.25", "1e-3"). */
const char *sim_parse_number(const char *s, double *out);
/* A non-negative duration: a number and a unit ns|us|ms|s|m|h; rounded to whole ns. */
const char *sim_parse_duration(const char *s, sim_time *out);
/* A duration as a double of nanoseconds (no rounding), for distribution parameters. */
const char *sim_parse_duration_ns(const char *s, double *out);
/* A non-negative rate N/s, N/ms or N/m, stored per second. */
const char *sim_parse_rate(const char *s, double *out);
/* A bandwidth > 0 in bits per second: a number and a unit bps, kbps, Mbps, Gbps, Tbps (bits)
 * or B/s, kB/s, MB/s, GB/s, TB/s (bytes; K for k too), KiB/s, MiB/s, GiB/s (powers of 1024);
 * or the word "unlimited", stored as 0. Stored in bits per second. */
const char *sim_parse_bandwidth(const char *s, double *out);
/* A size in bytes: a whole number of bytes ("256"), or a number and a unit B, kB, MB, GB
 * (powers of 1000; K for k too) or KiB, MiB, GiB (powers of 1024), rounded to whole bytes. */
const char *sim_parse_bytes(const char *s, double *out);

#endif
