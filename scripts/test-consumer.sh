#!/usr/bin/env bash
# Uses actdsl from a separate CMake project (tests/consumer) the three ways a user
# would, and runs its program each time:
#   1. cmake --install to a prefix, the prefix moved elsewhere, find_package(actdsl 0.1)
#   2. add_subdirectory(actdsl)
#   3. FetchContent from the local source folder
# and checks that find_package(actdsl 9.0) fails with CMake's version message and
# that actdsl.pc, moved with the prefix, gives a working compile line.
# Usage: bash scripts/test-consumer.sh [compiler]   (default g++)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

cxx=${1:-g++}
src=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/actdsl-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=$(nproc)

step() { echo "== consumer ($cxx) $*"; }

step "1/5: install actdsl to a prefix, then move the prefix"
cmake -S "$src" -B "$work/actdsl-build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_INSTALL_PREFIX="$work/prefix" \
    -DACTDSL_BUILD_TESTS=OFF -DACTDSL_BUILD_EXAMPLES=OFF -DACTDSL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --install "$work/actdsl-build" >/dev/null
mv "$work/prefix" "$work/moved-prefix"
rm -rf "$work/actdsl-build"
if grep -rqs "$work/prefix\|$src" "$work/moved-prefix"; then
    echo "the installed package names a path of the build machine:" >&2
    grep -rls "$work/prefix\|$src" "$work/moved-prefix" >&2
    exit 1
fi

# consumer NAME ARGS...: configure, build and run tests/consumer.
consumer() {
    local name=$1; shift
    cmake -S tests/consumer -B "$work/$name" -DCMAKE_CXX_COMPILER="$cxx" "$@" >/dev/null
    cmake --build "$work/$name" -j "$jobs" >/dev/null
    "$work/$name/consumer"
}

step "2/5: find_package(actdsl 0.1) from the moved prefix"
consumer package -DACTDSL_CONSUMER_MODE=package -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_PREFIX_PATH="$work/moved-prefix"

step "3/5: add_subdirectory(actdsl)"
consumer subdirectory -DACTDSL_CONSUMER_MODE=subdirectory -DACTDSL_SOURCE_DIR="$src"

step "4/5: FetchContent from $src"
consumer fetchcontent -DACTDSL_CONSUMER_MODE=fetchcontent -DACTDSL_SOURCE_DIR="$src" -DCMAKE_BUILD_TYPE=RelWithDebInfo

step "5/5: find_package(actdsl 9.0) must fail; pkg-config's compile line"
mkdir -p "$work/too-new"
cat > "$work/too-new/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(too_new LANGUAGES CXX)
find_package(actdsl 9.0 REQUIRED)
CMAKE
if cmake -S "$work/too-new" -B "$work/too-new/build" -DCMAKE_PREFIX_PATH="$work/moved-prefix" >"$work/too-new.log" 2>&1; then
    echo "find_package(actdsl 9.0) succeeded against version 0.x" >&2
    exit 1
fi
grep -q "version: 0\." "$work/too-new.log" || { cat "$work/too-new.log" >&2; exit 1; }
echo "find_package(actdsl 9.0) fails: $(grep -m1 'version: 0\.' "$work/too-new.log" | sed 's/^ *//')"

pc_flags=$(PKG_CONFIG_PATH="$work/moved-prefix/lib/pkgconfig" pkg-config --cflags --libs actdsl)
echo "pkg-config --cflags --libs actdsl: $pc_flags"
cat > "$work/pc.cpp" <<'CPP'
#include <actdsl/actdsl.hpp>
#include <xtensor/xarray.hpp>
int main() {
    const xt::xarray<float> in = {-1.0f, 2.0f};
    xt::xarray<float> out = xt::zeros_like(in);
    actdsl::forward(actdsl::x * actdsl::x, in, out);
    return out(0) == 1.0f && out(1) == 4.0f && ACTDSL_VERSION_MAJOR == 0 ? 0 : 1;
}
CPP
# shellcheck disable=SC2086  # pkg-config's flags are words
"$cxx" -O1 "$work/pc.cpp" $pc_flags -o "$work/pc"
"$work/pc"
echo "== consumer ($cxx): all five passed"
