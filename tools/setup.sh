#!/bin/sh
# Installs what dsim needs (Debian 12 packages) when something is missing, then configures
# and builds ./build. Usage: tools/setup.sh [BUILD_DIR [MESON_OPTIONS...]]
set -eu
cd "$(dirname "$0")/.."

packages="gcc libc6-dev meson ninja-build pkg-config libgsl-dev libyaml-dev libcjson-dev libcriterion-dev"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing >&2
fi

build="${1:-build}"
[ $# -gt 0 ] && shift
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$@" >&2
else
    # The test suites are the files tests/test_*.c found when meson configures: a new one
    # needs the configuration done again.
    meson setup --reconfigure "$build" "$@" >&2
fi
ninja -C "$build" >&2
