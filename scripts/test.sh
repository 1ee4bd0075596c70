#!/usr/bin/env bash
# Builds everything (library tests, example, benchmarks) with warnings as errors
# and runs the test suite, once with g++ and once with clang++.
# Usage: bash scripts/test.sh [g++|clang++ ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

compilers=("$@")
[ ${#compilers[@]} -eq 0 ] && compilers=(g++ clang++)
jobs=$(nproc)
for cxx in "${compilers[@]}"; do
    build="build/test-${cxx}"
    echo "== ${cxx}: configure, build, test (${build})"
    cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j "$jobs"
    (cd "$build" && ctest --output-on-failure -j "$jobs")
done
