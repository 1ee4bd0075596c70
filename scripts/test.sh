#!/usr/bin/env bash
# Builds everything (library tests, example, benchmarks) with warnings as errors
# and runs the test suite with g++, then the tests for this machine's instruction
# set and the dispatched kernels with clang++ (the benchmarks and the example
# through its front end only). The first compiler's suite also builds and runs a
# user's project against actdsl three ways (ctest's package.consumer:
# scripts/test-consumer.sh), and g++'s tests the
# PyTorch bridge (tests/torch) and the Python package (python/, tests/python) for
# Debian's /usr/bin/python3: clang++ 14 cannot compile libtorch's headers. Then the regression
# tests and the fuzzers (tests/fuzz/, 60 s each) run under
# AddressSanitizer and UndefinedBehaviorSanitizer (clang++ -O0, every error fatal).
# Usage: bash scripts/test.sh [g++|clang++|--sanitize ...]
#   with no argument: g++ clang++ --sanitize
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(g++ clang++ --sanitize)
jobs=$(nproc)
count=${#steps[@]}
step=0
first=yes
for what in "${steps[@]}"; do
    step=$((step + 1))
    if [ "$what" = --sanitize ]; then
        # -O0: the build users debug with, and the quickest to compile.
        build=build/sanitize
        echo "== ${step}/${count}: clang++ -O0 -fsanitize=address,undefined: build the regressions and the fuzzers in ${build} (about 7 minutes)"
        cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O0 -DACTDSL_SANITIZE=ON \
            -DACTDSL_TEST_CONSUMER=OFF -DACTDSL_BUILD_EXAMPLES=OFF -DACTDSL_BUILD_BENCHMARKS=OFF >/dev/null
        cmake --build "$build" -j "$jobs" --target actdsl_tests_regressions actdsl_fuzz_registry actdsl_fuzz_elementwise
        echo "== ${step}/${count}: run them (the fuzzers for 60 s each)"
        (cd "$build" && ctest --output-on-failure -j "$jobs" -R '^(tests\.regressions|fuzz\..*)$')
        continue
    fi
    build="build/test-${what}"
    python=()
    [ "$what" = g++ ] && python=(-DACTDSL_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3)
    # The benchmarks are built here, not run: without PyTorch's side (scripts/demo.sh has it).
    cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$what" -DCMAKE_BUILD_TYPE=Release -DACTDSL_TEST_CONSUMER="$([ "$first" = yes ] && echo ON || echo OFF)" \
        -DACTDSL_BENCH_TORCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${python[@]}" >/dev/null
    if [ "$first" = yes ]; then
        echo "== ${step}/${count}: ${what}: build everything in ${build} (about 25 minutes on 2 cores)"
        cmake --build "$build" -j "$jobs"
    else
        # The first compiler has built and run everything. This one compiles and runs the
        # tests for this machine's instruction set and the dispatched kernels (whose
        # baseline objects cover the baseline instruction set), and passes the benchmarks
        # and the example through its front end, which is where its warnings come from.
        echo "== ${step}/${count}: ${what}: build the tests in ${build} (about 20 minutes on 2 cores)"
        cmake --build "$build" -j "$jobs" --target actdsl_tests_native_and_dispatch
        echo "== ${step}/${count}: ${what}: the benchmarks and the example, front end only (warnings are errors)"
        /usr/bin/python3 scripts/check_syntax.py "$build" bench examples --jobs "$jobs"
    fi
    echo "== ${step}/${count}: ${what}: run the tests"
    if [ "$first" = yes ]; then
        (cd "$build" && ctest --output-on-failure -j "$jobs")
    else
        (cd "$build" && ctest --output-on-failure -j "$jobs" -L '^native_and_dispatch$')
    fi
    first=no
done
