#!/usr/bin/env python3
"""Writes tests/data/torch_reference.json: PyTorch's values and gradients of every
torch.nn activation on a fixed set of inputs (tails, kinks, +-0, +-inf, NaN,
denormals), in float32 and float64. Floats are stored as Python's exact hex
strings ('0x1.8p+1', 'inf', 'nan'), which C's strtod reads back bit for bit.

Regenerate with Debian's PyTorch:  apt-get install python3-torch
                                   /usr/bin/python3 scripts/torch_reference.py
Each case's "config" is the JSON the actdsl registry builds the activation from.
"""
import json
import math
import pathlib
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def inputs(dtype):
    info = torch.finfo(dtype)
    v = [-math.inf, -1e30, -1e4, -1000.0, -100.0, -90.1, -89.0, -88.0, -50.0, -20.0, -17.3,
         -13.2, -10.0, -9.57, -8.56, -6.19, -6.15, -5.5, -3.0, -2.3e-10, -8.3e-12, -1e-30,
         -info.tiny, -info.tiny / 8, -0.0, 0.0, info.tiny / 8, info.tiny, 1e-30, 1e-7, 17.3,
         20.0, 25.0, 50.0, 88.0, 89.0, 100.0, 1e4, 1e30, math.inf, math.nan]
    v += [i / 8 for i in range(-80, 81)]                # the kinks: 0, +-0.5, +-1, +-2, +-3, 6 ...
    t = torch.tensor(v, dtype=dtype)
    # Each kink's float neighbours.
    kinks = torch.tensor([-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0, 6.0], dtype=dtype)
    up = torch.nextafter(kinks, torch.full_like(kinks, math.inf))
    down = torch.nextafter(kinks, torch.full_like(kinks, -math.inf))
    return torch.cat([t, up, down])


ELEMENTWISE = [
    ({"type": "Threshold", "threshold": 0.5, "value": -2.0}, lambda: nn.Threshold(0.5, -2.0)),
    ({"type": "ReLU"}, nn.ReLU),
    ({"type": "ReLU6"}, nn.ReLU6),
    ({"type": "Hardtanh"}, nn.Hardtanh),
    ({"type": "Hardtanh", "min_val": -2.0, "max_val": 3.0}, lambda: nn.Hardtanh(-2.0, 3.0)),
    ({"type": "LeakyReLU"}, nn.LeakyReLU),
    ({"type": "LeakyReLU", "negative_slope": 0.2}, lambda: nn.LeakyReLU(0.2)),
    ({"type": "PReLU"}, nn.PReLU),
    ({"type": "RReLU"}, lambda: nn.RReLU().eval()),
    ({"type": "ELU"}, nn.ELU),
    ({"type": "ELU", "alpha": 0.5}, lambda: nn.ELU(0.5)),
    ({"type": "CELU"}, nn.CELU),
    ({"type": "CELU", "alpha": 2.0}, lambda: nn.CELU(2.0)),
    ({"type": "SELU"}, nn.SELU),
    ({"type": "GELU"}, nn.GELU),
    ({"type": "GELU", "approximate": "tanh"}, lambda: nn.GELU(approximate="tanh")),
    ({"type": "Sigmoid"}, nn.Sigmoid),
    ({"type": "Hardsigmoid"}, nn.Hardsigmoid),
    ({"type": "Tanh"}, nn.Tanh),
    ({"type": "SiLU"}, nn.SiLU),
    ({"type": "Mish"}, nn.Mish),
    ({"type": "Hardswish"}, nn.Hardswish),
    ({"type": "Softplus"}, nn.Softplus),
    ({"type": "Softplus", "beta": 2.0, "threshold": 10.0}, lambda: nn.Softplus(2.0, 10.0)),
    ({"type": "LogSigmoid"}, nn.LogSigmoid),
    ({"type": "Softsign"}, nn.Softsign),
    ({"type": "Tanhshrink"}, nn.Tanhshrink),
    ({"type": "Softshrink"}, nn.Softshrink),
    ({"type": "Softshrink", "lambd": 1.0}, lambda: nn.Softshrink(1.0)),
    ({"type": "Hardshrink"}, nn.Hardshrink),
    ({"type": "Hardshrink", "lambd": 1.0}, lambda: nn.Hardshrink(1.0)),
]


def hexes(t):
    return [float(v).hex() for v in t.detach().double().flatten().tolist()]


def value_and_gradient(module, x):
    x = x.clone().requires_grad_(True)
    y = module(x)
    y.backward(torch.ones_like(y))
    return y, x.grad


def main():
    out = {"generator": "scripts/torch_reference.py", "torch": torch.__version__, "dtypes": {}}
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        x = inputs(dtype)
        cases = []
        for config, make in ELEMENTWISE:
            module = make().to(dtype)
            y, dx = value_and_gradient(module, x)
            cases.append({"config": config, "y": hexes(y), "dx": hexes(dx)})
        # PReLU with one weight per channel (dim 1): values, dx and dweight.
        xp = torch.linspace(-3, 3, 2 * 3 * 7, dtype=dtype).reshape(2, 3, 7)
        prelu = nn.PReLU(3).to(dtype)
        with torch.no_grad():
            prelu.weight.copy_(torch.tensor([0.25, -0.5, 2.0], dtype=dtype))
        xg = xp.clone().requires_grad_(True)
        yp = prelu(xg)
        gp = torch.arange(yp.numel(), dtype=dtype).reshape(yp.shape) / 10 - 2
        yp.backward(gp)
        prelu_case = {"config": {"type": "PReLU", "num_parameters": 3}, "weight": hexes(prelu.weight),
                      "shape": list(xp.shape), "x": hexes(xp), "dy": hexes(gp), "y": hexes(yp),
                      "dx": hexes(xg.grad), "dweight": hexes(prelu.weight.grad)}
        # GLU along dim 1 of a (2, 6, 5) array: values and the input's gradient.
        xq = torch.linspace(-4, 4, 60, dtype=dtype).reshape(2, 6, 5)
        xqg = xq.clone().requires_grad_(True)
        yq = F.glu(xqg, dim=1)
        gq = torch.linspace(-1, 1, yq.numel(), dtype=dtype).reshape(yq.shape)
        yq.backward(gq)
        glu_case = {"config": {"type": "GLU", "dim": 1}, "shape": list(xq.shape), "x": hexes(xq), "dy": hexes(gq),
                    "y": hexes(yq), "dx": hexes(xqg.grad)}
        out["dtypes"][name] = {"inputs": hexes(x), "elementwise": cases, "prelu": prelu_case, "glu": glu_case}
    path = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_reference.json"
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
