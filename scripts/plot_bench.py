#!/usr/bin/env python3
"""Renders the benchmark JSON of scripts/report.sh as PNG plots (Debian's python3-matplotlib).

Usage: plot_bench.py OUT_DIR FUSION.json CATALOG.json
Plots, at 262144 elements, float, one thread unless the label says otherwise:
  fusion.png   silu, gelu_tanh, mish: fused, unfused, xtensor_lazy, PyTorch, 2 threads, memory roofline
  catalog.png  every elementwise activation, forward and backward, ours against PyTorch and oneDNN,
               memory roofline
Backward panels also draw dx = dy x, a measured pass over the same 3 arrays with no arithmetic.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

N = "262144"


def throughput(path):
    """run_name -> Gelem/s, medians where the run has repetitions."""
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    plain, median = {}, {}
    for b in runs:
        if "items_per_second" not in b:
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                median[b["run_name"]] = b["items_per_second"] / 1e9
        else:
            plain[b["run_name"]] = b["items_per_second"] / 1e9
    plain.update(median)
    return plain


def fusion_plot(t, out):
    acts = ["silu", "gelu_tanh", "mish"]
    variants = [("fused", "fused (actdsl)"), ("unfused", "unfused"), ("xtensor_lazy", "xtensor lazy"),
                ("pytorch", "PyTorch 1.13"), ("fused_2_threads", "fused, 2 threads")]
    roof = t.get("roofline/memcpy/" + N, 0)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, (pas, arrays) in zip(axes, [("forward", 2), ("backward", 3)]):
        width = 0.8 / len(variants)
        for k, (v, label) in enumerate(variants):
            ys = [t.get(f"{pas}/{a}/{v}/{N}", 0) for a in acts]
            ax.bar([i + (k - len(variants) / 2 + 0.5) * width for i in range(len(acts))], ys, width, label=label)
        if roof:
            ax.axhline(roof * 2 / arrays, color="k", linestyle="--", linewidth=1, label="memory roofline (memcpy)")
        if pas == "backward" and t.get("roofline/three_arrays/" + N):
            line = ax.axhline(t["roofline/three_arrays/" + N], color="k", linestyle=":", linewidth=1, label="dx = dy x (measured)")
            ax.legend(handles=[line], fontsize=8, loc="upper right")
        ax.set_xticks(range(len(acts)), acts)
        ax.set_title(f"{pas}, {N} floats")
        ax.set_ylabel("Gelem/s")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def catalog_plot(t, out):
    # Reversed: barh draws the first at the bottom, and the list should read from the top.
    acts = sorted({k.split("/")[1] for k in t if k.startswith("forward/") and k.endswith("/fused/" + N)}, reverse=True)
    roof = t.get("roofline/memcpy/" + N, 0)
    fig, axes = plt.subplots(1, 2, figsize=(12, 7), sharey=True)
    for ax, (pas, arrays) in zip(axes, [("forward", 2), ("backward", 3)]):
        ours = []
        for a in acts:
            best = t.get(f"{pas}/{a}/fused_from_output/{N}", 0) if pas == "backward" else 0
            ours.append(max(best, t.get(f"{pas}/{a}/fused/{N}", 0)))
        torch = [t.get(f"{pas}/{a}/pytorch/{N}", 0) for a in acts]
        onednn = [max(t.get(f"{pas}/{a}/onednn/{N}", 0), t.get(f"{pas}/{a}/onednn_from_output/{N}", 0)) for a in acts]
        ys = range(len(acts))
        ax.barh([y - 0.27 for y in ys], ours, 0.27, label="actdsl (fused)")
        ax.barh(list(ys), torch, 0.27, label="PyTorch 1.13 (absent: no such kernel)")
        if any(onednn):
            ax.barh([y + 0.27 for y in ys], onednn, 0.27, label="oneDNN 2.6 (absent: no such kernel)")
        if roof:
            ax.axvline(roof * 2 / arrays, color="k", linestyle="--", linewidth=1, label="memory roofline (memcpy)")
        if pas == "backward" and t.get("roofline/three_arrays/" + N):
            line = ax.axvline(t["roofline/three_arrays/" + N], color="k", linestyle=":", linewidth=1, label="dx = dy x (measured)")
            ax.legend(handles=[line], fontsize=8, loc="lower right")
        ax.set_yticks(list(ys), acts)
        ax.set_title(f"{pas}, {N} floats, one thread")
        ax.set_xlabel("Gelem/s")
    axes[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out_dir, fusion, catalog = sys.argv[1:]
    fusion_plot(throughput(fusion), f"{out_dir}/fusion.png")
    catalog_plot(throughput(catalog), f"{out_dir}/catalog.png")


if __name__ == "__main__":
    main()
