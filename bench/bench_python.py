#!/usr/bin/env python3
"""The Python package against torch.nn, in one process, Python call included.

For every activation module of actdsl.nn (with its defaults): forward, and forward
plus backward, on a float32 tensor of 262144 elements, timed as the median of
`--repeats` runs of `--number` calls each; the table gives each ratio torch.nn /
actdsl (above 1: actdsl is faster).

    PYTHONPATH=build/python/python /usr/bin/python3 bench/bench_python.py [--threads 1]

PyTorch runs its AVX-512 kernels where the CPU has AVX-512 (ATEN_CPU_CAPABILITY=avx512,
unless the environment already names a capability); the first line says which ran.
"""
import argparse
import os
import statistics
import time


def _select_cpu_capability():
    """ATEN_CPU_CAPABILITY=avx512 where the CPU has the subsets ATen's kernels use:
    ATen reads it once, when torch loads, and does not check it."""
    if "ATEN_CPU_CAPABILITY" in os.environ:
        return
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= set(flags):
        os.environ["ATEN_CPU_CAPABILITY"] = "avx512"


_select_cpu_capability()

import torch  # noqa: E402  (after the capability is chosen)

import actdsl


def median_time(f, number, repeats):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            f()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def modules(args):
    x = torch.randn(args.size) * 4
    xg = x.clone().requires_grad_()
    dy = torch.randn(args.size)
    print(f"{'module':<12} {'forward':>8} {'fwd+bwd':>8}   (torch.nn time / actdsl time, {args.size} floats, "
          f"{args.threads} thread(s), medians of {args.repeats})")
    for name in actdsl.nn.__all__:
        if name == "GLU":
            continue
        kwargs = {"threshold": 0.5, "value": -2.0} if name == "Threshold" else {}
        ours, theirs = getattr(actdsl.nn, name)(**kwargs).eval(), getattr(torch.nn, name)(**kwargs).eval()
        with torch.no_grad():
            forward = median_time(lambda: theirs(x), args.number, args.repeats) / median_time(
                lambda: ours(x), args.number, args.repeats)
        both = median_time(lambda: theirs(xg).backward(dy), args.number, args.repeats) / median_time(
            lambda: ours(xg).backward(dy), args.number, args.repeats)
        print(f"{name:<12} {forward:>8.2f} {both:>8.2f}")


def cpu_capability():
    """The instruction set ATen's kernels run (its ATEN_CPU_CAPABILITY)."""
    for line in torch.__config__.show().splitlines():
        if "CPU capability" in line:
            return line.split(":")[-1].strip()
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--size", type=int, default=262144)
    parser.add_argument("--number", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, ATen CPU capability {cpu_capability()}")
    modules(args)


if __name__ == "__main__":
    main()
