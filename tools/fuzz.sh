#!/bin/sh
# Builds the libFuzzer target (tests/fuzz, meson -Dfuzz=true, in ./build-fuzz with clang) and
# fuzzes the loader, a bounded run and the report for SECONDS (default 90), starting from the
# examples, tests/fuzz/corpus and the small inputs of tests/fuzz/regress copied to a temporary
# directory (the tree stays clean). Installs clang and its libFuzzer runtime (Debian 12 packages) when missing.
# Fails on a crash, a leak, a timeout (10 s per input) or running out of memory (2 GB),
# printing the reproducer's path. Extra arguments go to libFuzzer (e.g. -jobs=2, -seed=1).
# Usage: tools/fuzz.sh [SECONDS [LIBFUZZER_ARGS...]]
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-90}"
[ $# -gt 0 ] && shift

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() {
    echo "fuzz: installing $*" >&2
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >&2
}
command -v clang >/dev/null 2>&1 || apt_install clang
# libFuzzer's runtime is a package of its own (only recommended by clang's).
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (void)d, (int)n * 0; }' \
    >"$probe/probe.c"
major="$(clang -dumpversion | cut -d. -f1)"
clang -fsanitize=fuzzer "$probe/probe.c" -o "$probe/probe" 2>/dev/null ||
    apt_install "libclang-rt-$major-dev"
# Without llvm-symbolizer the sanitizers' stacks are bare addresses.
symbolizer="/usr/lib/llvm-$major/bin/llvm-symbolizer"
[ -x "$symbolizer" ] || command -v llvm-symbolizer >/dev/null 2>&1 || apt_install "llvm-$major"
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH="$symbolizer"

build=build-fuzz
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzz=true >&2
fi
ninja -C "$build" tests/fuzz/fuzz_topology tests/fuzz/dsim.dict >&2

work="$(mktemp -d)"
trap 'rm -rf "$probe" "$work"' EXIT
mkdir "$work/corpus"
cp topologies/*.yaml "$work/corpus/"
find tests/fuzz/corpus -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/" \;
# The small regression inputs seed their relatives; the big ones (the loader's worst cases)
# would only slow every mutation down, and the suite replays them anyway. They sit in one
# folder per expected outcome (regress/refused/, ...), whose name prefixes the copy's.
find tests/fuzz/regress -mindepth 2 -type f ! -name '.*' -size -4k | while read -r f; do
    cp "$f" "$work/corpus/regress-$(basename "$(dirname "$f")")-$(basename "$f")"
done
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
log="$build/fuzz.log"
echo "fuzz: fuzz_topology for $seconds s on $(ls "$work/corpus" | wc -l) seeds (log: $log)"
status=0
"$build/tests/fuzz/fuzz_topology" -dict="$build/tests/fuzz/dsim.dict" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$work/corpus" >"$log" 2>&1 ||
    status=$?
if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz: FAILED (libFuzzer exit $status); the input that did it:"
    grep -E "^artifact_prefix=|Test unit written to" "$log" | sed 's/^/fuzz:   /' || true
    echo "fuzz: reproduce with $build/tests/fuzz/fuzz_topology FILE, shrink it with"
    echo "fuzz: -minimize_crash=1 -runs=10000 FILE, and keep it, fixed, in the folder of"
    echo "fuzz: tests/fuzz/regress/ of the outcome it must have then (tests/fuzz/README.md)"
    exit 1
fi
grep -E "^#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log" |
    sed 's/^/fuzz: /'
echo "fuzz: no crash, leak or timeout in $seconds s"
