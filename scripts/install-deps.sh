#!/usr/bin/env bash
# Installs the Debian packages actdsl's build needs, only those that are missing.
# libclang-rt-dev holds clang++'s sanitizer runtimes (scripts/test.sh --sanitize);
# libtorch-dev the PyTorch bridge's tests and PyTorch's side of the benchmarks;
# python3-torch, python3-dev and pybind11-dev the Python package (python/), and
# ninja-build and python3-setuptools its actdsl.compile (torch.utils.cpp_extension).
# Runs apt-get as root (directly, or through sudo when it is there).
set -euo pipefail

packages=(cmake make pkg-config python3 python3-mpmath python3-numpy g++ clang time libxtensor-dev libxsimd-dev catch2 libbenchmark-dev nlohmann-json3-dev libboost-dev libsleef-dev libomp-dev libclang-rt-dev libtorch-dev python3-torch python3-dev pybind11-dev ninja-build python3-setuptools)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
