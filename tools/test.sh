#!/bin/sh
# Builds dsim and runs the whole test suite twice: in ./build (the default, optimized build
# with assertions) and in ./build-san under AddressSanitizer and UndefinedBehaviorSanitizer.
# Usage: tools/test.sh [--no-sanitizers]
set -eu
cd "$(dirname "$0")/.."

tools/setup.sh build
# Optional: with Graphviz the graph suite also checks that `dsim graph` output parses (it
# says so and skips that check without it).
if ! command -v dot >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends graphviz >&2 ||
        echo "test: graphviz could not be installed; the DOT parsing check will be skipped" >&2
fi
# Optional: with Chromium the report_browser suite opens a report in headless Chromium and
# checks that every plot rendered (it says so and skips without it).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >&2 ||
        echo "test: chromium could not be installed; the report_browser suite will be skipped" >&2
fi
meson test -C build --print-errorlogs --num-processes 2

if [ "${1:-}" != "--no-sanitizers" ]; then
    tools/setup.sh build-san -Db_sanitize=address,undefined -Db_lundef=false
    # Any sanitizer report fails the test that triggered it.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        meson test -C build-san --print-errorlogs --num-processes 2 --timeout-multiplier 3
fi
echo "all tests passed"
