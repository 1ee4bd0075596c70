#!/usr/bin/env python3
"""The Python package against torch.nn, in one process, Python call included.

modules: for every activation module of actdsl.nn (with its defaults), forward, and
forward plus backward, on a float32 tensor of 262144 elements, timed as the median of
`--repeats` runs of `--number` calls each; the table gives each ratio torch.nn /
actdsl (above 1: actdsl is faster).

mlp: one training step (SGD, cross-entropy) of an MLP of 4 hidden layers of width
1024 on a batch of 512, with GELU, Mish and SiLU in turn: the step with torch.nn's
activations, after actdsl.replace_activations, and with the activations replaced by
Identity, timed round-robin (medians of `--repeats` runs of `--steps` steps each).
The activations' share of the step is its time less Identity's; "saved" is the
part of torch.nn's share that actdsl's removes. Each model then trains 10 steps
from the same weights on the same data, and the table gives the relative
difference of the two final losses and the largest of the trained weights'
(relative to each tensor's largest).

    PYTHONPATH=build/python/python /usr/bin/python3 bench/bench_python.py [--threads 1] [--part mlp]

PyTorch runs its AVX-512 kernels where the CPU has AVX-512 (ATEN_CPU_CAPABILITY=avx512,
unless the environment already names a capability); the first line says which ran.
"""
import argparse
import os
import statistics
import sys
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


def _set_blas_threads():
    """OpenBLAS (Debian's libopenblas0-pthread, which PyTorch's generic BLAS loads when
    installed) reads its thread count once, when it loads: --threads, unless set."""
    threads = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--threads=")), None)
    if threads is None and "--threads" in sys.argv[:-1]:
        threads = sys.argv[sys.argv.index("--threads") + 1]
    os.environ.setdefault("OPENBLAS_NUM_THREADS", threads or "1")


# glibc's malloc settings for the whole run, which it reads when the process starts:
# freed memory stays in the process (as with PyTorch's caching allocators elsewhere).
# With the defaults, each training step's 2 MiB tensors come back from the kernel
# through page faults, whose cost varies from run to run more than the activations'.
_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(1 << 32), "MALLOC_TRIM_THRESHOLD_": str(1 << 34),
           "MALLOC_TOP_PAD_": str(1 << 28)}


def _keep_freed_memory():
    if any(k not in os.environ for k in _MALLOC):
        os.execve(sys.executable, [sys.executable] + sys.argv, {**_MALLOC, **os.environ})


_keep_freed_memory()
_select_cpu_capability()
_set_blas_threads()

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


def mlp_model(activation, width=1024, layers=4, classes=10):
    torch.manual_seed(0)
    parts = []
    for _ in range(layers):
        parts += [torch.nn.Linear(width, width), activation()]
    return torch.nn.Sequential(*parts, torch.nn.Linear(width, classes))


def mlp_step(model, optimizer, x, target):
    optimizer.zero_grad(set_to_none=True)
    loss = torch.nn.functional.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()
    return loss


def mlp(args):
    torch.manual_seed(1)
    x = torch.randn(512, 1024)
    target = torch.randint(0, 10, (512,))
    print(f"\nMLP training step: batch 512, 4 x Linear(1024, 1024) + activation, Linear(1024, 10), SGD; "
          f"{args.threads} thread(s), medians of {args.repeats} runs of {args.steps} steps")
    print(f"{'activation':<10} {'torch.nn':>9} {'actdsl':>9} {'Identity':>9} {'act. share':>10} {'saved':>6} "
          f"{'loss diff':>9} {'weights':>9}")
    for name in ("GELU", "Mish", "SiLU"):
        models = {"torch.nn": mlp_model(getattr(torch.nn, name)), "actdsl": mlp_model(getattr(torch.nn, name)),
                  "Identity": mlp_model(torch.nn.Identity)}
        actdsl.replace_activations(models["actdsl"])
        optimizers = {k: torch.optim.SGD(m.parameters(), lr=0.01) for k, m in models.items()}
        times = {k: [] for k in models}
        for k in models:
            mlp_step(models[k], optimizers[k], x, target)  # warm up
        for _ in range(args.repeats):  # round-robin: drift hits all three alike
            for k, m in models.items():
                start = time.perf_counter()
                for _ in range(args.steps):
                    mlp_step(m, optimizers[k], x, target)
                times[k].append((time.perf_counter() - start) / args.steps)
        t = {k: statistics.median(v) for k, v in times.items()}
        theirs, ours = t["torch.nn"] - t["Identity"], t["actdsl"] - t["Identity"]
        # The same 10 steps from the same weights: losses and weights agree to rounding.
        losses, trained = [], []
        for replace in (False, True):
            m = mlp_model(getattr(torch.nn, name))
            if replace:
                actdsl.replace_activations(m)
            opt = torch.optim.SGD(m.parameters(), lr=0.01)
            for _ in range(10):
                loss = mlp_step(m, opt, x, target)
            losses.append(loss.item())
            trained.append([p.detach() for p in m.parameters()])
        weights = max(((a - b).abs().max() / a.abs().max()).item() for a, b in zip(*trained))
        print(f"{name:<10} {t['torch.nn'] * 1e3:>7.1f}ms {t['actdsl'] * 1e3:>7.1f}ms {t['Identity'] * 1e3:>7.1f}ms "
              f"{theirs / t['torch.nn']:>10.1%} {1 - ours / theirs:>6.0%} {abs(losses[1] / losses[0] - 1):>9.1e} "
              f"{weights:>9.1e}")


def blas_library():
    """The BLAS library this process loaded (PyTorch's generic BLAS is whichever
    libblas.so.3 the system provides: the reference BLAS's matrix products are 15x slower than OpenBLAS's here)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    with open("/proc/self/maps") as f:
        names = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    return ", ".join(sorted(os.path.basename(n) for n in names)) or "unknown"


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
    parser.add_argument("--steps", type=int, default=5, help="MLP training steps per timed run")
    parser.add_argument("--part", choices=["modules", "mlp", "all"], default="all")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, ATen CPU capability {cpu_capability()}, BLAS {blas_library()}")
    if args.part in ("modules", "all"):
        modules(args)
    if args.part in ("mlp", "all"):
        mlp(args)


if __name__ == "__main__":
    main()
