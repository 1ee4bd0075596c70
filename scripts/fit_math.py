#!/usr/bin/python3
"""Writes include/actdsl/math/coefficients.hpp: the polynomial coefficients of the SIMD
math functions in include/actdsl/math/ (lowest degree first). Never edit that file by
hand; change this script and run it.

Float erfc, evaluated in double: erfc(z) = t exp(P(s) - z^2) for z in [0, 12], with
t = 2 / (2 + z) and s = (7t - 4) / 3 in [-1, 1]; P is fitted at Chebyshev nodes of s,
and exp(r) on |r| <= ln(2) / 2 by mpmath's chebyfit.

Float erfc in float arithmetic (erfc_float_fma): erfc(z) = t exp(Q(s) - z^2) for z in
[0, 10.1], t = 2 / (2 + z), s = 2t - 1; Q = Q0 + s P(s) fitted by least squares at
Chebyshev nodes, each coefficient rounded to float before the next is refitted, Q0 kept
as a float pair; and G(s) = d/dt (log t + Q), which needs only a few digits.

Float erfc on AVX-512 (erfc_avx512), piecewise: erfc(z) = exp(L(z) - z^2), L(z) =
log(erfc(z)) + z^2 = C0 + u P(u) on each of 31 intervals z = (k + u) / 3, |u| <= 1/2,
P of degree 4, C0 a float pair, P's coefficients rounded to float one at a time.

Float exp, expm1 and log1p on AVX-512, rounded to float, the error measured after
rounding: exp(r) on |r| <= ln(2) / 2, degree 6; expm1(r) = r + r^2 S(r) on the same
interval, S of degree 5; log1p(f) = f + f^2 R(f) on [-0.25, 0.5], R of degree 8.
The series of u - tanh(u) below |u| = 1 (tanhshrink), from the Bernoulli numbers.

Needs Debian's python3-mpmath and python3-numpy:
  /usr/bin/python3 scripts/fit_math.py           writes the header
  /usr/bin/python3 scripts/fit_math.py --check   exits 1 if the header is not what it writes
                                                  (coefficients up to the BLAS's rounding)
"""
import pathlib
import re
import sys

import mpmath as mp
import numpy as np

HEADER = pathlib.Path(__file__).resolve().parent.parent / "include/actdsl/math/coefficients.hpp"
sections = []  # C++ text, in order


def emit(comment, declaration):
    sections.append("\n".join("// " + line for line in comment.split("\n")) + "\n" + declaration + "\n")


def floats(values, per_line=4, indent=4):
    items = [f"{np.float32(c):.9e}f" for c in values]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n".join(" " * indent + line for line in lines)


def doubles(values, per_line=4, indent=4):
    items = [f"{c:.17e}" for c in values]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n".join(" " * indent + line for line in lines)


mp.mp.dps = 40
T_LO, T_HI = 1 / 7.0, 1.0  # z = 12 and z = 0
DEGREE = 11


def log_part(t):
    t = mp.mpf(t)
    z = 2 / t - 2
    return mp.log(mp.erfc(z) / t) + z * z


nodes = np.cos((2 * np.arange(4 * DEGREE) + 1) * np.pi / (8 * DEGREE))
ts = (T_LO + T_HI) / 2 + (T_HI - T_LO) / 2 * nodes
cheb = np.polynomial.chebyshev.chebfit(nodes, [float(log_part(t)) for t in ts], DEGREE)
p = np.polynomial.chebyshev.cheb2poly(cheb)
grid = np.linspace(T_LO, T_HI, 2001)
err = max(abs(np.polynomial.polynomial.polyval((2 * t - T_LO - T_HI) / (T_HI - T_LO), p) - float(log_part(t))) for t in grid)
emit("erfc(z) = t exp(P(s) - z^2) for z in [0, 12], t = 2 / (2 + z), s = (7t - 4) / 3 in [-1, 1]\n"
     f"(Chebyshev nodes; max |error of P| {err:.2g}): erfc_float_precision, in double.",
     "inline constexpr double erfc_log_polynomial[] = {\n" + doubles(p) + "};")

h = mp.log(2) / 2
poly, exp_err = mp.chebyfit(mp.exp, [-h, h], 8, error=True)
emit(f"exp(r) on |r| <= ln(2) / 2, degree 7 (mpmath's chebyfit; max |error| {float(exp_err):.2g}): exp_normal_range.",
     "inline constexpr double exp_polynomial[] = {\n" + doubles([float(c) for c in reversed(poly)]) + "};")

poly = mp.chebyfit(mp.exp, [-h, h], 7)
expf = [np.float32(float(c)) for c in reversed(poly)]
grid = mp.linspace(-h, h, 2001)
err = max(abs(mp.polyval([mp.mpf(float(c)) for c in reversed(expf)], r) / mp.exp(r) - 1) for r in grid)
emit(f"exp(r) on |r| <= ln(2) / 2, degree 6, rounded to float (max relative error {float(err):.2g}).",
     "inline constexpr float expf_polynomial[] = {\n" + floats(expf) + "};")


def fit_tail(name, full, a, b, degree, what):
    """full(f) = f + f^2 P(f): P fitted at Chebyshev nodes, rounded to float."""
    def tail(f):
        f = mp.mpf(f)
        return (full(f) / f - 1) / f if f != 0 else mp.diff(full, 0, 2) / 2
    poly = mp.chebyfit(tail, [a, b], degree + 1)
    c = [np.float32(float(x)) for x in reversed(poly)]
    def approx(f):
        return f + f * (f * mp.polyval([mp.mpf(float(x)) for x in reversed(c)], f))
    err = max(abs(approx(f) / full(f) - 1) for f in mp.linspace(a, b, 4001) if f != 0)
    emit(f"{what}, rounded to float (max relative error {float(err):.2g}).",
         f"inline constexpr float {name}[] = {{\n" + floats(c) + "};")


fit_tail("expm1f_polynomial", mp.expm1, -h, h, 5, "expm1(r) = r + r^2 S(r) on |r| <= ln(2) / 2, S of degree 5")
fit_tail("log1pf_polynomial", mp.log1p, -0.25, 0.5, 8, "log1p(f) = f + f^2 R(f) on [-0.25, 0.5], R of degree 8")


# Float erfc in float arithmetic.
ZMAX = 10.1
TL = 2 / (2 + ZMAX)
S_LO = 2 * TL - 1  # s at z = ZMAX; s = 1 at z = 0


def q_part(s):
    t = (mp.mpf(s) + 1) / 2
    z = 2 / t - 2
    return mp.log(mp.erfc(z)) + z * z - mp.log(t)


nodes = np.cos((2 * np.arange(400) + 1) * np.pi / 800)
ss = (S_LO + 1) / 2 + (1 - S_LO) / 2 * nodes
resid = np.array([float(q_part(s)) for s in ss])
ERFCF_DEGREE = 10
coefficients = []
for k in range(ERFCF_DEGREE + 1):
    basis = np.vander(ss, ERFCF_DEGREE + 1 - k, increasing=True) * (ss ** k)[:, None]
    c = np.linalg.lstsq(basis, resid, rcond=None)[0][0]
    c = c if k == 0 else float(np.float32(c))
    coefficients.append(c)
    resid = resid - c * ss ** k
grid = np.linspace(S_LO, 1, 4001)
err = max(abs(np.polyval(coefficients[::-1], s) - float(q_part(s))) for s in grid)
q0_hi = np.float32(coefficients[0])
q0_lo = np.float32(coefficients[0] - float(q0_hi))
emit("erfc(z) = t exp(Q(s) - z^2) for z in [0, 10.1], t = 2 / (2 + z), s = 2t - 1, in float:\n"
     f"Q = Q0 + s P(s), Q0 = Q0_hi + Q0_lo (max |error| {err:.2g}): erfc_float_fma.",
     f"inline constexpr float erfcf_q0_hi = {q0_hi:.9e}f, erfcf_q0_lo = {q0_lo:.9e}f;\n"
     "inline constexpr float erfcf_polynomial[] = {\n" + floats(coefficients[1:]) + "};")


def slope(s):
    return mp.diff(lambda t: mp.log(mp.erfc(2 / t - 2)) + (2 / t - 2) ** 2, (mp.mpf(s) + 1) / 2)


nodes = np.cos((2 * np.arange(12) + 1) * np.pi / 24)
ss = (S_LO + 1) / 2 + (1 - S_LO) / 2 * nodes
g = np.linalg.lstsq(np.vander(ss, 4, increasing=True), [float(slope(s)) for s in ss], rcond=None)[0]
err = max(abs(np.polyval(g[::-1], s) / float(slope(s)) - 1) for s in np.linspace(S_LO, 1, 500))
emit(f"G(s) = d/dt (log t + Q) (max relative error {err:.2g}): carries t's rounding error into erfc_float_fma's exponent.",
     "inline constexpr float erfcf_slope_polynomial[] = {\n" + floats(g) + "};")


# Float erfc on AVX-512, piecewise: erfc(z) = exp(L(z) - z^2) with L(z) = log(erfc(z)) + z^2,
# one polynomial per interval of z = (k + u) / 3, u in [-1/2, 1/2] (k = 0 starts at z = 0),
# k = 0..30 (z up to 10.1), read from 32-entry tables by vpermt2ps. L = C0 + u P(u), P of
# degree 4; C0 kept as a float pair, P's coefficients rounded to float one at a time
# (lowest first), the others refitted after each.
def l_part(z):
    z = mp.mpf(z)
    return mp.log(mp.erfc(z)) + z * z


PIECES, PIECE_DEGREE = 31, 5
tables = [[] for _ in range(PIECE_DEGREE + 2)]  # C0_hi, C0_lo, then P's coefficients
worst = 0
for k in range(PIECES):
    u_lo, u_hi = (0.0 if k == 0 else -0.5001), 0.5001  # a little over: u comes from 3z rounded
    nodes = np.cos((2 * np.arange(60) + 1) * np.pi / 120)
    us = (u_lo + u_hi) / 2 + (u_hi - u_lo) / 2 * nodes
    values = np.array([float(l_part((k + u) / 3)) for u in us])
    fixed = {}
    for j in range(1, PIECE_DEGREE + 1):
        free = [i for i in range(PIECE_DEGREE + 1) if i not in fixed]
        rhs = values - sum(c * us**i for i, c in fixed.items())
        solution = np.linalg.lstsq(np.vander(us, PIECE_DEGREE + 1, increasing=True)[:, free], rhs, rcond=None)[0]
        fixed[j] = float(np.float32(solution[free.index(j)]))
    c0 = float(np.mean(values - sum(c * us**i for i, c in fixed.items())))
    c0_hi = float(np.float32(c0))
    c0_lo = float(np.float32(c0 - c0_hi))
    grid = np.linspace(u_lo, u_hi, 801)
    worst = max(worst, max(abs(float(l_part((k + u) / 3)) - c0_hi - c0_lo - sum(c * u**i for i, c in fixed.items())) for u in grid))
    for column, c in zip(tables, [c0_hi, c0_lo] + [fixed[j] for j in range(1, PIECE_DEGREE + 1)]):
        column.append(c)
columns = ",\n".join("        {\n" + floats(column + column[-1:], per_line=6, indent=8) + "}" for column in tables)
emit("Float erfc on AVX-512, piecewise: L(z) = log(erfc(z)) + z^2 = C0 + u P(u) on z = (k + u) / 3,\n"
     "|u| <= 1/2, k = 0..30 (entry 31 repeats 30); C0 = c0_hi + c0_lo, P lowest degree first\n"
     f"(max |error| {worst:.2g}). A function, not a variable: erfc_avx512 copies it into a local\n"
     "constant, so that no object file defines a symbol for it (a dispatch object must define only\n"
     "symbols tagged with its instruction set: scripts/check_dispatch_objects.sh).",
     "struct erfcf_pieces {\n    alignas(64) float c0_hi[32], c0_lo[32], p0[32], p1[32], p2[32], p3[32], p4[32];\n};\n"
     "consteval erfcf_pieces erfcf_piece_tables() {\n    return {\n" + columns + "};\n}")


# u - tanh(u) = sum over n >= 2 of a_n u^(2n - 1), a_n = -2^(2n) (2^(2n) - 1) B_2n / (2n)!.
series = [-(2 ** (2 * n)) * (2 ** (2 * n) - 1) * mp.bernoulli(2 * n) / mp.factorial(2 * n) for n in range(2, 44)]
emit("u - tanh(u) = u^3 (a_0 + a_1 u^2 + ...), from the Bernoulli numbers (exact to the digits shown):\n"
     "42 terms reach double precision at |u| = 1, 20 float's.",
     "inline constexpr long double tanhshrink_series[] = {\n"
     + ",\n".join("    " + mp.nstr(c, 22, min_fixed=1, max_fixed=0) + "L" for c in series) + "};")

text = ("// Generated by scripts/fit_math.py: do not edit. Regenerate with\n"
        "//   /usr/bin/python3 scripts/fit_math.py\n"
        "// Polynomial coefficients of the functions in this folder, lowest degree first.\n"
        "#pragma once\n\n"
        "namespace actdsl::math::detail {\n\n"
        + "\n".join(sections)
        + "\n}  // namespace actdsl::math::detail\n")
# A number in the header (C++ literal, optional f suffix).
NUMBER = re.compile(r"-?\d+\.\d+e[-+]\d+f?")


def same_up_to_rounding(written, expected, tolerance=1e-12):
    """The header's text is the script's, and each coefficient within `tolerance` of
    the script's: numpy's least squares round differently under the reference BLAS
    and OpenBLAS (Debian's libblas.so.3 is either), which moves fitted coefficients by
    up to 3e-13 (erfc_log_polynomial, in double; the float tables by 2e-14), while a
    float coefficient above 2e-5 moves by more than 1e-12 when its last bit does."""
    if NUMBER.split(written) != NUMBER.split(expected):
        return False
    pairs = ((float(a.rstrip("f")), float(b.rstrip("f"))) for a, b in zip(NUMBER.findall(written), NUMBER.findall(expected)))
    return all(abs(a - b) <= tolerance for a, b in pairs)


if "--check" in sys.argv[1:]:
    if not HEADER.exists() or not same_up_to_rounding(HEADER.read_text(), text):
        sys.exit(f"{HEADER} is not what scripts/fit_math.py writes: run it")
    print(f"{HEADER.name}: up to date")
else:
    HEADER.parent.mkdir(parents=True, exist_ok=True)
    HEADER.write_text(text)
    print(f"wrote {HEADER}")
