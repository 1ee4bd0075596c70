#!/usr/bin/env bash
# The main job: builds and runs the example (a custom activation, its derivatives
# and its fused kernels), then builds and runs the fused-vs-unfused benchmarks
# (activations, then the softmax family) and prints the ratios.
# Usage: bash scripts/demo.sh [extra Google Benchmark flags]
# ACTDSL_BENCH_FILTER narrows the benchmark (a regex); results go to build/demo/bench.json and bench_softmax.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=build/demo
jobs=$(nproc)
echo "== 1/5: configure (Release, -march=native) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DACTDSL_BUILD_TESTS=OFF >/dev/null

echo "== 2/5: build and run examples/custom_activation (about 10 s)"
cmake --build "$build" -j "$jobs" --target custom_activation >/dev/null
"$build/examples/custom_activation"

echo
echo "== 3/5: build the benchmarks bench_fusion and bench_softmax (a few minutes on 2 cores)"
cmake --build "$build" -j "$jobs" --target bench_fusion bench_softmax bench_summary

# bench STEP NAME JSON: one benchmark binary, medians of 3 repetitions, then its ratios.
bench() {
    local step=$1; shift
    echo
    echo "== ${step}/5: bench/$1 (one thread, float; medians of 3 repetitions)"
    rm -f "$build/$2"
    "$build/bench/$1" --benchmark_filter="${ACTDSL_BENCH_FILTER:-.}" \
        --benchmark_min_time=0.1 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
        --benchmark_out="$build/$2" --benchmark_out_format=json "${extra[@]}"
    if [ -s "$build/$2" ]; then "$build/bench/bench_summary" "$build/$2"; fi  # nothing matched the filter: no file
}
extra=("$@")
bench 4 bench_fusion bench.json
bench 5 bench_softmax bench_softmax.json
