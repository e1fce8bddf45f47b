#!/bin/sh
# PHOLD scaling benchmark: dsim (topologies/phold.yaml through the real send, network and
# dispatch path) against the bare calendar-queue loop of ../shared/bench/phold_calendar.c,
# rebuilt for each size with NLP and START_EVENTS changed in a copy of phold_common.h.
# Both are timed as whole processes (start-up, run, summary and exit), so the figure is
# events / elapsed seconds; each is the median of RUNS runs (default 5), and the bare loop is
# given the event count dsim processed, so the two do the same number of hops. The user-CPU
# ratio is printed beside the wall-clock one: on a shared machine it is the steadier of the two.
# Usage: tools/bench_phold.sh [RUNS]   (env DSIM: a dsim binary to use instead of a fresh
# release build; DSIM_BEFORE: another dsim binary, e.g. of an older commit, timed the same way
# at each size right after DSIM, on a second line; DSIM_BENCH_REF: the folder of the
# reference programs)
set -eu
cd "$(dirname "$0")/.."
runs="${1:-5}"
ref="${DSIM_BENCH_REF:-../shared/bench}"
[ -n "${DSIM_BENCH_REF:-}" ] || [ -d "$ref" ] || ref=../../shared/bench # from a worktree in wt/
if [ -z "${DSIM:-}" ]; then
    tools/setup.sh build-bench --buildtype=release -Dqueue=calendar
    DSIM=build-bench/dsim
fi
[ -f "$ref/phold_calendar.c" ] || { echo "bench_phold: no $ref/phold_calendar.c (set DSIM_BENCH_REF)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Runs "$@" RUNS times under /usr/bin/time; prints the median elapsed and user seconds and peak
# RSS (KiB), and leaves the last run's stdout in $tmp/out.
timed() {
    : >"$tmp/times"
    for i in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %M' -o "$tmp/t" "$@" >"$tmp/out"
        cat "$tmp/t" >>"$tmp/times"
    done
    printf '%s %s %s\n' "$(cut -d' ' -f1 "$tmp/times" | median)" \
        "$(cut -d' ' -f2 "$tmp/times" | median)" "$(cut -d' ' -f3 "$tmp/times" | median)"
}

uptime
printf '%-12s %6s %11s | %9s %9s %7s | %9s %9s %7s | %6s %6s\n' size duration events \
    "dsim ev/s" "wall s" "RSS MiB" "bare ev/s" "wall s" "RSS MiB" wall user
# replicas population duration: 10-16 million events at each size
for cfg in "1024 16 1s" "65536 1 200ms" "65536 16 10ms" "1024 1024 10ms"; do
    set -- $cfg
    d="$tmp/b_$1_$2"
    mkdir -p "$d"
    sed -e "s/^#define NLP .*/#define NLP $1/" -e "s/^#define START_EVENTS .*/#define START_EVENTS $2/" \
        "$ref/phold_common.h" >"$d/phold_common.h"
    cp "$ref/phold_calendar.c" "$d/"
    cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L "$d/phold_calendar.c" -o "$d/cal" -lm

    bare_t=""
    for bin in "$DSIM" ${DSIM_BEFORE:+"$DSIM_BEFORE"}; do
        dsim_t="$(timed "$bin" run topologies/phold.yaml --set duration="$3" \
            --set nodes.lp.replicas="$1" --set nodes.lp.population="$2")"
        events=$(sed -n '1s/.*  \([0-9,]*\) events$/\1/p' "$tmp/out" | tr -d ,)
        if [ -z "$bare_t" ]; then # the same number of events for every binary
            bare_t="$(timed "$d/cal" "$events")"
            grep -q 'check=ok' "$tmp/out" || { echo "bench_phold: bare loop check failed" >&2; exit 1; }
        fi
        label="$1x$2"
        [ "$bin" = "$DSIM" ] || label="(before)"
        echo "$label $3 $events $dsim_t $bare_t" | awk '{
            dw = $4; du = $5; dm = $6; bw = $7; bu = $8; bm = $9; n = $3
            printf "%-12s %6s %11d | %9.0f %9.2f %7.1f | %9.0f %9.2f %7.1f | %5.2fx %5.2fx\n",
                $1, $2, n, n / dw, dw, dm / 1024, n / bw, bw, bm / 1024, bw / dw, bu / du }'
    done
done
