#!/usr/bin/env bash
# Times compiling bench/compile_time_kernels.cpp (nine kernels), bench/compile_time_catalog.cpp
# (every elementwise catalog kernel, three passes, float and double: 156 kernels) and, for
# scale, a file that only includes the headers, with g++ and clang++ at -O2 -march=native;
# then tests/dispatch_kernels.cpp, a runtime-dispatch recording file, for AVX-512.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
flags=(-std=c++20 -O2 -march=native -Iinclude -c -o /dev/null)
headers=$(mktemp --suffix=.cpp)
printf '#include <actdsl/actdsl.hpp>\n#include <xtensor/xtensor.hpp>\n' > "$headers"
for cxx in g++ clang++; do
    for src in "$headers" bench/compile_time_kernels.cpp bench/compile_time_catalog.cpp; do
        case "$src" in
            "$headers") name="headers only" ;;
            *kernels.cpp) name="nine kernels" ;;
            *) name="the elementwise catalog, 156 kernels" ;;
        esac
        /usr/bin/time -f "$cxx, $name: %e s, %M KB" "$cxx" "${flags[@]}" "$src"
    done
done
# A runtime-dispatch recording file (the catalog in float and double), compiled for
# AVX-512 as actdsl_add_dispatch does; it is compiled once per instruction set.
for cxx in g++ clang++; do
    /usr/bin/time -f "$cxx, dispatch recording file (record_catalog<float, double>), AVX-512: %e s, %M KB" \
        "$cxx" -std=c++20 -O2 -mavx512f -mavx512cd -mavx512dq -mavx512bw -mavx512vl -mfma -Iinclude \
        -c -o /dev/null tests/dispatch_kernels.cpp
done
rm -f "$headers"
