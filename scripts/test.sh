#!/usr/bin/env bash
# Builds everything (library tests, example, benchmarks) with warnings as errors
# and runs the test suite, once with g++ and once with clang++. The first
# compiler's suite also builds and runs a user's project against actdsl three
# ways (ctest's package.consumer: scripts/test-consumer.sh).
# Usage: bash scripts/test.sh [g++|clang++ ...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

compilers=("$@")
[ ${#compilers[@]} -eq 0 ] && compilers=(g++ clang++)
jobs=$(nproc)
steps=${#compilers[@]}
step=0
for cxx in "${compilers[@]}"; do
    step=$((step + 1))
    build="build/test-${cxx}"
    consumer=OFF; [ "$step" -eq 1 ] && consumer=ON
    echo "== ${step}/${steps}: ${cxx}: configure and build everything in ${build} (about 10 minutes on 2 cores)"
    cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release -DACTDSL_TEST_CONSUMER="$consumer" >/dev/null
    cmake --build "$build" -j "$jobs"
    echo "== ${step}/${steps}: ${cxx}: run the tests"
    (cd "$build" && ctest --output-on-failure -j "$jobs")
done
