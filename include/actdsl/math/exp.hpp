// exp(x) and exp_flushing(x).
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. exp(-inf) = 0, exp(+inf) = +inf, NaN stays NaN; results below the
//   smallest normal number are subnormal, rounded once; overflow gives +inf exactly
//   where the true value is above the largest finite number.
// Max error: bounds.hpp, "exp" (2 ULP on every path).
// Paths: float on AVX-512: exp_avx512 (Cody-Waite reduction, a degree-6 polynomial,
//   2^n by vscalefps). Elsewhere xsimd's exp, with the lanes it gets wrong recomputed.
// exp_flushing(x) may return 0 below the smallest normal number instead: the fast
//   sigmoid's exp, which only ever meets 1 + exp(x).
#pragma once

#include "coefficients.hpp"
#include "common.hpp"

namespace actdsl::math {
namespace detail {

#if XSIMD_WITH_AVX512F
// 2^n exp(r) with n = round(x / ln 2) and r from a two-part ln 2, and 2^n applied by
// vscalefps, which rounds once into the subnormals and saturates to 0 and inf: no
// range selects, no subnormal fix-up.
ACTDSL_INLINE __m512 exp_avx512(__m512 a) {
    // min/max return their second operand when one is NaN: a NaN passes through.
    const __m512 x = _mm512_max_ps(_mm512_set1_ps(-104.0f), _mm512_min_ps(_mm512_set1_ps(89.0f), a));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);  // 9 bits: n ln2_hi is exact
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    return _mm512_scalef_ps(horner(r, expf_polynomial), n);
}
#else
template <class T> T exp_avx512(const T&);  // never called: is_avx512_float is false without AVX-512
#endif

// exp(y) in double for y in [-1022 ln 2, 1]: 2^n exp(r), n = round(y / ln 2), 2^n built
// in the exponent bits. Relative error < 5e-11 (exp_polynomial's): erfc_float_precision's exp.
template <class A>
ACTDSL_INLINE xsimd::batch<double, A> exp_normal_range(const xsimd::batch<double, A>& y) {
    using D = xsimd::batch<double, A>;
    using I = xsimd::batch<std::int64_t, A>;
    const D shift(0x1.8p52);  // adding it rounds to an integer, kept in the low mantissa bits
    const D k = fmadd(y, D(1.4426950408889634), shift);
    const D n = k - shift;
    const D r = fmadd(n, D(-0.6931471805599453), y);  // n ln 2's rounding: < 1e-14 relative here
    const I two_to_n = (xsimd::bitwise_cast<I>(k) + I(1023)) << 52;
    return estrin(r, exp_polynomial) * xsimd::bitwise_cast<D>(two_to_n);
}

}  // namespace detail

// xsimd 8.1's exp is wrong at both ends of the range: it flushes results below the
// smallest normal number to 0, and returns inf from log(max) - ln(2)/2 on (88.38 in
// float, 709.44 in double) where exp is still finite. Those lanes are recomputed as
// exp(a/2)^2 (a/2 is exact; the square rounds once, to the subnormal or to the large
// result), so x * sigmoid(x) at x = -88 in float is -5.3e-37, not 0, and exp(88.5f) is
// 2.7e38.
template <class T>
ACTDSL_INLINE T exp(const T& a) {
    if constexpr (detail::is_avx512_float<T>) return T(detail::exp_avx512(a));
    else if constexpr (std::is_floating_point_v<T>) return std::exp(a);
    else {
        using E = element_t<T>;
        const T a_safe = detail::int_cast_safe(a);
        const T e = detail::nan_back(a, xsimd::exp(a_safe));
        const T smallest_normal_log(std::log(std::numeric_limits<E>::min()));
        // exp(a/2)^2 is right for every a but doubles exp's error (2.3 ULP in float), so it
        // takes only the lanes xsimd gets wrong. It returns 0 for a <= its minlog, which in
        // double is log(min) itself.
        const auto wrong = (a <= smallest_normal_log) | (a > T(detail::xsimd_exp_largest_safe<E>));
        if (xsimd::any(wrong)) [[unlikely]] {
            const T h = xsimd::exp(a_safe * T(E(0.5)));
            return select(wrong, h * h, e);
        }
        return e;
    }
}

template <class T>
ACTDSL_INLINE T exp_flushing(const T& a) {
    if constexpr (detail::is_avx512_float<T>) return T(detail::exp_avx512(a));
    else if constexpr (std::is_floating_point_v<T>) return std::exp(a);
    else return detail::nan_back(a, xsimd::exp(detail::int_cast_safe(a)));
}

}  // namespace actdsl::math
