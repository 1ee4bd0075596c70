#!/usr/bin/python3
"""Polynomial coefficients in include/actdsl/evaluation/math.hpp (lowest degree first).

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
Needs Debian's python3-mpmath and python3-numpy: /usr/bin/python3 scripts/fit_math.py
"""
import mpmath as mp
import numpy as np

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
print(f"// erfc_log_polynomial, max |error| {err:.2g}")
print(", ".join(f"{c:.17e}" for c in p))

h = mp.log(2) / 2
poly, exp_err = mp.chebyfit(mp.exp, [-h, h], 8, error=True)
print(f"// exp_polynomial, max |error| {float(exp_err):.2g}")
print(", ".join(f"{float(c):.17e}" for c in reversed(poly)))

poly = mp.chebyfit(mp.exp, [-h, h], 7)
expf = [np.float32(float(c)) for c in reversed(poly)]
grid = mp.linspace(-h, h, 2001)
err = max(abs(mp.polyval([mp.mpf(float(c)) for c in reversed(expf)], r) / mp.exp(r) - 1) for r in grid)
print(f"// expf_polynomial, max relative error after rounding to float {float(err):.2g}")
print(", ".join(f"{c:.9e}f" for c in expf))


def fit_tail(name, full, a, b, degree):
    """full(f) = f + f^2 P(f): P fitted at Chebyshev nodes, rounded to float."""
    def tail(f):
        f = mp.mpf(f)
        return (full(f) / f - 1) / f if f != 0 else mp.diff(full, 0, 2) / 2
    poly = mp.chebyfit(tail, [a, b], degree + 1)
    c = [np.float32(float(x)) for x in reversed(poly)]
    def approx(f):
        return f + f * (f * mp.polyval([mp.mpf(float(x)) for x in reversed(c)], f))
    err = max(abs(approx(f) / full(f) - 1) for f in mp.linspace(a, b, 4001) if f != 0)
    print(f"// {name}, max relative error after rounding to float {float(err):.2g}")
    print(", ".join(f"{x:.9e}f" for x in c))


fit_tail("expm1f_polynomial", mp.expm1, -h, h, 5)
fit_tail("log1pf_polynomial", mp.log1p, -0.25, 0.5, 8)


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
print(f"// erfcf_q0_hi, erfcf_q0_lo, erfcf_polynomial: max |error| {err:.2g}")
print(f"{q0_hi:.9e}f, {q0_lo:.9e}f")
print(", ".join(f"{np.float32(c):.9e}f" for c in coefficients[1:]))


def slope(s):
    return mp.diff(lambda t: mp.log(mp.erfc(2 / t - 2)) + (2 / t - 2) ** 2, (mp.mpf(s) + 1) / 2)


nodes = np.cos((2 * np.arange(12) + 1) * np.pi / 24)
ss = (S_LO + 1) / 2 + (1 - S_LO) / 2 * nodes
g = np.linalg.lstsq(np.vander(ss, 4, increasing=True), [float(slope(s)) for s in ss], rcond=None)[0]
err = max(abs(np.polyval(g[::-1], s) / float(slope(s)) - 1) for s in np.linspace(S_LO, 1, 500))
print(f"// erfcf_slope_polynomial, max relative error {err:.2g}")
print(", ".join(f"{np.float32(c):.9e}f" for c in g))


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
print(f"// erfcf_pieces (C0_hi, C0_lo, then P lowest degree first; entry 31 repeats 30): max |error| {worst:.2g}")
for column in tables:
    column = column + column[-1:]
    print("{" + ",\n ".join(", ".join(f"{np.float32(c):.9e}f" for c in column[i:i + 6]) for i in range(0, 32, 6)) + "},")
