#!/bin/sh
# Builds dsim and runs the whole test suite twice: in ./build (the default, optimized build
# with assertions) and in ./build-san under AddressSanitizer and UndefinedBehaviorSanitizer.
# Usage: tools/test.sh [--no-sanitizers]
set -eu
cd "$(dirname "$0")/.."

# Optional packages, each of which lets the suite check more (without one, the suites that
# need it say so and skip just that): installed only as root with apt-get, otherwise a
# message. Usage: optional 'CHECK' 'WHAT IS SKIPPED WITHOUT IT' PACKAGE...
optional() {
    check=$1 what=$2
    shift 2
    if sh -c "$check" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "test: $* not installed (installing needs root and apt-get): $what" >&2
        return 0
    fi
    # on a fresh machine the package lists come first (tools/setup.sh may not have run yet)
    [ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ] ||
        apt-get update -q >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
        echo "test: $* could not be installed: $what" >&2
}
# Open MPI gives `mpirun -np N dsim sweep` (meson feature mpi) and the sweep_mpi suite's
# two-rank sweeps; installed before the build is configured, so that meson finds it.
optional 'pkg-config --exists ompi-c && command -v mpirun' \
    'dsim is built without MPI and the sweep_mpi tests are skipped' libopenmpi-dev openmpi-bin
# Graphviz: the graph suite checks that `dsim graph` output parses.
optional 'command -v dot' 'the DOT parsing check is skipped' graphviz
# Chromium: the report_browser suite opens a report in headless Chromium and checks that
# every plot rendered.
optional 'command -v chromium' 'the headless-browser checks of the report are skipped' chromium
tools/setup.sh build
meson test -C build --print-errorlogs --num-processes 2

if [ "${1:-}" != "--no-sanitizers" ]; then
    tools/setup.sh build-san -Db_sanitize=address,undefined -Db_lundef=false
    # Any sanitizer report fails the test that triggered it.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-san --print-errorlogs --num-processes 2 --timeout-multiplier 3
fi
echo "all tests passed"
