#!/usr/bin/env bash
# Builds the Python package actdsl (python/) for Debian's /usr/bin/python3 and its
# python3-torch, and installs it where that Python finds local packages
# (/usr/local/lib/python3.X/dist-packages): `import actdsl` then works from any
# folder. Installs the Debian packages it needs first. A second run rebuilds only
# what changed (the first build takes a few minutes on 2 cores).
# Usage: bash scripts/install-python.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=build/python
python=/usr/bin/python3
CXX="${CXX:-g++}" cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE="$python" \
    -DACTDSL_BUILD_PYTHON=ON -DACTDSL_BUILD_TESTS=OFF -DACTDSL_BUILD_EXAMPLES=OFF -DACTDSL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target actdsl_python

as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
"${as_root[@]}" cmake --install "$build" --component python
cd /
"$python" -c 'import actdsl; print("install-python: import actdsl works:", ", ".join(actdsl.nn.__all__))'
