#!/usr/bin/env bash
# Times compiling bench/compile_time_kernels.cpp (nine kernels), bench/compile_time_catalog.cpp
# (every elementwise catalog kernel, three passes, float and double: 156 kernels) and, for
# scale, a file that only includes the headers, with g++ and clang++ at -O2 -march=native.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
flags=(-std=c++20 -O2 -march=native -DXTENSOR_USE_XSIMD -Iinclude -c -o /dev/null)
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
rm -f "$headers"
