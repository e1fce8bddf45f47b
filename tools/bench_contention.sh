#!/bin/sh
# Gray et al. 1996 ("The dangers of replication and a solution"): under strict two-phase
# locking with exclusive locks, T concurrent transactions of A writes over D uniform keys
# deadlock with probability ≈ T·A⁴/(4D²) per transaction. This benchmark measures the
# per-transaction deadlock probability on a sweep of D (100, 200, 400 at T = 4) and of T (2 to 16
# at D = 200), A = 4,
# and fits the slopes on a log-log plot: about -2 in D and +1 in T (where the waits are
# still small: the wait probability T·A/(2D) stays under 0.08). Too long for the test suite
# (tests/test_transactions.c checks the wait probability only). docs/transactions.md.
#
# Usage: tools/bench_contention.sh [BUILD_DIR [DURATION]]   (default: build, 60s)
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
duration="${2:-60s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One run: prints "T D p_deadlock p_wait".
run() {
    t=$1 d=$2
    cat >"$tmp/g.yaml" <<YAML
duration: $duration
warmup: 1s
nodes:
  app:
    kind: client
    target: db
    users: $t
    keys: {dist: uniform, n: $d}
    transaction: {statements: 4, read_fraction: 0, writes: write}
  db:
    kind: database
    workers: $t
    service: {dist: exponential, mean: 1ms}
    concurrency: locking
    isolation: serializable
YAML
    "$build/dsim" run "$tmp/g.yaml" --json "$tmp/g.json" >/dev/null
    python3 - "$tmp/g.json" "$t" "$d" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
x = doc["nodes"]["db"]["transactions"]
n = x["committed"] + x["aborted"]
print(sys.argv[2], sys.argv[3], x["deadlocks"] / n, x["lock_waits"] / x["statements"])
PY
}

{
    for d in 100 200 400; do run 4 "$d"; done
    for t in 2 4 8 16; do run "$t" 200; done
} >"$tmp/points"
cat "$tmp/points"
python3 - "$tmp/points" <<'PY'
import math, sys
pts = [tuple(float(v) for v in line.split()) for line in open(sys.argv[1])]
def slope(xy):
    xs = [math.log(x) for x, _ in xy]; ys = [math.log(y) for _, y in xy]
    mx = sum(xs) / len(xs); my = sum(ys) / len(ys)
    return sum((a - mx) * (b - my) for a, b in zip(xs, ys)) / sum((a - mx) ** 2 for a in xs)
by_d = [(d, p) for t, d, p, _ in pts[:3]]
by_t = [(t, p) for t, d, p, _ in pts[3:]]
print("slope in D: %.2f (Gray: -2)" % slope(by_d))
print("slope in T: %.2f (Gray: +1)" % slope(by_t))
# dsim counts the T - 1 others a transaction can meet (docs/transactions.md)
print("slope in T - 1: %.2f" % slope([(t - 1, p) for t, p in by_t]))
for t, d, p, w in pts:
    print("T=%d D=%d deadlock %.5f (Gray %.5f)  wait %.4f (Gray %.4f)"
          % (t, d, p, t * 4 ** 4 / (4 * d * d), w, t * 4 / (2 * d)))
PY
