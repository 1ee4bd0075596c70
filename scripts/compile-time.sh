#!/usr/bin/env bash
# Times compiling bench/compile_time_kernels.cpp (nine kernels) and, for scale, a
# file that only includes the headers, with g++ and clang++ at -O2 -march=native.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
flags=(-std=c++20 -O2 -march=native -DXTENSOR_USE_XSIMD -Iinclude -c -o /dev/null)
headers=$(mktemp --suffix=.cpp)
printf '#include <actdsl/actdsl.hpp>\n#include <xtensor/xtensor.hpp>\n' > "$headers"
for cxx in g++ clang++; do
    for src in "$headers" bench/compile_time_kernels.cpp; do
        name=$([ "$src" = "$headers" ] && echo "headers only" || echo "nine kernels")
        /usr/bin/time -f "$cxx, $name: %e s, %M KB" "$cxx" "${flags[@]}" "$src"
    done
done
rm -f "$headers"
