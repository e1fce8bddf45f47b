#!/bin/sh
# Engine benchmark: PHOLD (topologies/phold.yaml: 1024 replicas, 16 messages each, exponential
# 1 ms hops) on the calendar queue and on the 4-ary heap, the realistic multi-tier topology
# (topologies/three_tier.yaml: 2 million requests), and the bare C reference programs of
# ../shared/bench for comparison. Each figure is the median of RUNS runs (default 3).
# Usage: tools/bench.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs="${1:-3}"
ref="${DSIM_BENCH_REF:-../shared/bench}"

tools/setup.sh build-bench --buildtype=release -Dqueue=calendar
tools/setup.sh build-bench-heap --buildtype=release -Dqueue=heap
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# events/s of `dsim run --verbose`, from its line "wall clock T  R events/s" (R has commas)
dsim_rate() {
    for i in $(seq "$runs"); do
        "$1" run "$2" --verbose |
            awk '/^wall clock/ { for (i = 2; i <= NF; i++) if ($i == "events/s") print $(i - 1) }' |
            tr -d ,
    done | median
}

printf '%-44s %14s\n' "program" "events/s"
printf '%-44s %14s\n' "dsim phold (calendar queue)" "$(dsim_rate build-bench/dsim topologies/phold.yaml)"
printf '%-44s %14s\n' "dsim phold (4-ary heap)" "$(dsim_rate build-bench-heap/dsim topologies/phold.yaml)"
printf '%-44s %14s\n' "dsim three_tier, 2M requests (calendar)" "$(dsim_rate build-bench/dsim topologies/three_tier.yaml)"
build-bench/dsim run topologies/phold.yaml --verbose | grep '^pending events' | sed 's/^/dsim phold memory: /'

if [ -d "$ref" ]; then
    for prog in calendar heap2 heap4; do
        case $prog in
            heap2) src=phold_heap.c; flags=-DARITY=2 ;;
            heap4) src=phold_heap.c; flags=-DARITY=4 ;;
            *) src=phold_$prog.c; flags= ;;
        esac
        cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L $flags "$ref/$src" -o "$tmp/$prog" -lm
        rate=$(for i in $(seq "$runs"); do "$tmp/$prog" 10000000 |
            sed 's/.*events_per_sec=\([0-9.]*\).*/\1/'; done | median)
        printf '%-44s %14s\n' "reference phold_$prog (bare C, 10M events)" "$rate"
    done
else
    echo "(reference programs not found in $ref: set DSIM_BENCH_REF)"
fi
