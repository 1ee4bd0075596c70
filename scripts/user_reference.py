#!/usr/bin/python3
"""Writes tests/data/user_activations.json: activations written as their papers print
them, evaluated with mpmath at 50 digits, for tests/test_user_activations.cpp.

For each activation: f, f' and f'' at every 2^21-th float by bit pattern (both signs,
zero to the largest finite float, so every binade about four times) and at k/8 for
|k| <= 160. f' and f'' are mpmath's numerical derivatives with a step relative to x;
the test uses f'' only to weigh the derivative's conditioning. +-inf are points too. The formulas here are
mpmath's own functions, independent of actdsl's code; the C++ test writes the same
activations in actdsl's language.

Usage: /usr/bin/python3 scripts/user_reference.py [--check]  (--check: fail if the file differs)
"""
import json
import struct
import sys
from pathlib import Path

import mpmath as mp

mp.mp.dps = 50
OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "user_activations.json"


def tanh(u):
    # 1 to far more than 50 digits past |u| = 200; mpmath's tanh would build a huge integer.
    return mp.sign(u) if abs(u) > 200 else mp.tanh(u)


def sig(u):
    return 1 / (1 + mp.exp(-u))


def softplus(u):
    return mp.log(1 + mp.exp(u))


S2 = mp.sqrt(2)
ACTIVATIONS = {
    "softplus": lambda x: softplus(x),
    "mish": lambda x: x * tanh(softplus(x)),
    "gelu_erf": lambda x: x / 2 * (1 + mp.erf(x / S2)),
    "gelu_tanh": lambda x: x / 2 * (1 + tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3))),
    "silu": lambda x: x / (1 + mp.exp(-x)),
    "sigmoid": lambda x: sig(x),
    "swish_beta": lambda x: x / (1 + mp.exp(-mp.mpf("1.5") * x)),
    "logsigmoid": lambda x: -softplus(-x),
    "elu": lambda x: x if x > 0 else mp.expm1(x),
    "celu_half": lambda x: x if x > 0 else mp.mpf("0.5") * mp.expm1(x / mp.mpf("0.5")),
    "tanhexp": lambda x: x * tanh(mp.exp(x)),
    "serf": lambda x: x * mp.erf(softplus(x)),
    "smish": lambda x: x * tanh(mp.log(1 + sig(x))),
    "logish": lambda x: x * mp.log(1 + sig(x)),
    "isru_half": lambda x: x / mp.sqrt(1 + mp.mpf("0.5") * x**2),
    "softsign": lambda x: x / (1 + abs(x)),
    "scaled_isru": lambda x: 2 * x / mp.sqrt(x**2 + 4),
    # x + sqrt(x^2 + 4) cancels for x < 0 beyond 50 digits past |x| = 1e25: its conjugate there.
    "squareplus4": lambda x: (x + mp.sqrt(x**2 + 4)) / 2 if x >= 0 else 2 / (mp.sqrt(x**2 + 4) - x),
}


def points():
    xs = []
    for bits in range(0, 0x7F7FFFFF + 1, 1 << 21):
        f = struct.unpack("<f", struct.pack("<I", bits))[0]
        xs += [f, -f] if bits else [f]
    xs += [k / 8 for k in range(-160, 161) if k]
    return xs + [float("inf"), float("-inf")]


def at(x):
    # The infinities are evaluated at +-1e300, where every function here equals its
    # limit to far more than double precision.
    return mp.mpf(1e300 if x > 0 else -1e300) if mp.isinf(x) else mp.mpf(x)


def derivative(f, x, n):
    if x == 0:
        return mp.diff(f, x, n, h=mp.mpf(2) ** -60)
    return mp.diff(f, x, n, h=mp.mpf(2) ** -60, relative=True)


def g(v):
    return float(v)  # rounded to the nearest double


def main():
    xs = points()
    data = {"points": [struct.unpack("<I", struct.pack("<f", x))[0] for x in xs], "activations": {}}
    for name, f in ACTIVATIONS.items():
        rows = []
        for x in xs:
            m = at(x)
            rows.append([g(f(m)), g(derivative(f, m, 1)), g(derivative(f, m, 2))])
        data["activations"][name] = rows
    text = json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if OUT.read_text() == text else "tests/data/user_activations.json differs: run scripts/user_reference.py")
    OUT.write_text(text)


if __name__ == "__main__":
    main()
