// Independent references for the tests: hand-written long double formulas and
// central finite differences, never the library's own evaluation path, plus
// error measures in units in the last place (ULPs).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

namespace ref {

using real = long double;

inline real sigmoid(real x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
inline real silu(real x) { return x * sigmoid(x); }
// 1 - s is written sigmoid(-x): in the right tail 1 - s would lose digits even in long double.
inline real dsilu(real x) { const real s = sigmoid(x); return s * (1 + x * sigmoid(-x)); }
inline real d2silu(real x) { const real s = sigmoid(x); return s * sigmoid(-x) * (2 + x * (1 - 2 * s)); }
inline real swish(real x, real b) { return x * sigmoid(b * x); }
inline real dswish_dx(real x, real b) { const real s = sigmoid(b * x); return s + b * x * s * sigmoid(-b * x); }
inline real dswish_db(real x, real b) { const real s = sigmoid(b * x); return x * x * s * sigmoid(-b * x); }
// 0.5 x (1 + tanh(u)) = x sigmoid(2u): 1 + tanh(u) would cancel in the left tail, even in long double.
inline real gelu_tanh(real x) {
    const real k = std::sqrt(2 / 3.141592653589793238462643383279502884L);
    return x * sigmoid(2 * k * (x + 0.044715L * x * x * x));
}
inline real dgelu_tanh(real x) {
    const real k = std::sqrt(2 / 3.141592653589793238462643383279502884L);
    const real u = k * (x + 0.044715L * x * x * x);
    return sigmoid(2 * u) + x * (2 * sigmoid(2 * u) * sigmoid(-2 * u)) * k * (1 + 3 * 0.044715L * x * x);
}

// Central difference with a step near the optimum for long double (error ~ eps^(2/3)).
template <class F>
real central_difference(F f, real x) {
    const real h = std::cbrt(std::numeric_limits<real>::epsilon()) * std::max<real>(1, std::fabs(x));
    return (f(x + h) - f(x - h)) / (2 * h);
}

// The spacing of T at r: one ULP of the correctly rounded result.
template <class T>
real ulp(real r) {
    const real a = std::fabs(r);
    if (a < std::numeric_limits<T>::min()) return std::numeric_limits<T>::denorm_min();
    return std::ldexp(real(1), std::ilogb(a) - std::numeric_limits<T>::digits + 1);
}

// |actual - expected| in ULPs of T at `scale`. scale is |expected| for a well-conditioned
// result; for a sum of terms that cancel it is the sum of the terms' magnitudes.
template <class T>
real ulp_error(T actual, real expected, real scale) {
    if (std::isnan(expected)) return std::isnan(actual) ? 0 : std::numeric_limits<real>::infinity();
    if (std::isinf(expected)) return static_cast<real>(actual) == expected ? 0 : std::numeric_limits<real>::infinity();
    return std::fabs(static_cast<real>(actual) - expected) / ulp<T>(scale);
}
template <class T>
real ulp_error(T actual, real expected) { return ulp_error(actual, expected, expected); }

// Every step-th float, by bit pattern, of both signs from 0 up to the one with bits `last`.
inline std::vector<float> float_bit_sweep(std::uint32_t last, std::uint32_t step) {
    std::vector<float> v;
    for (std::uint64_t bits = 0; bits <= last; bits += step) {
        float f;
        const auto b = static_cast<std::uint32_t>(bits);
        std::memcpy(&f, &b, sizeof f);
        v.push_back(f);
        v.push_back(-f);
    }
    return v;
}

// The largest ulp_error of got[i] against exact(xs[i]), and where it is.
template <class T, class Got, class Exact>
std::pair<real, T> worst_ulp_error(const std::vector<T>& xs, const Got& got, const Exact& exact) {
    real worst = 0;
    T at = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const real e = ulp_error<T>(got(i), exact(static_cast<real>(xs[i])));
        if (e > worst) worst = e, at = xs[i];
    }
    return {worst, at};
}

template <class T>
std::vector<T> uniform_values(std::size_t n, T lo, T hi, unsigned seed = 42) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<T> dist(lo, hi);
    std::vector<T> v(n);
    for (auto& e : v) e = dist(gen);
    return v;
}

template <class T>
bool same_bits(T a, T b) { return std::memcmp(&a, &b, sizeof(T)) == 0; }

}  // namespace ref
