// expm1(x) = exp(x) - 1, without the cancellation near 0.
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. expm1(-0) = -0, expm1(-inf) = -1, expm1(+inf) = +inf, NaN stays NaN.
// Max error: bounds.hpp, "expm1": 2 ULP on every path; float on AVX-512 0.9 ULP for
//   x <= 0 (ELU, CELU and SELU's half) and 1.45 above.
// Paths: float on AVX-512: expm1_avx512, one fma. Elsewhere xsimd's, with its sign of
//   zero and its early overflow corrected.
#pragma once

#include "coefficients.hpp"
#include "common.hpp"
#include "exp.hpp"

namespace actdsl::math {
namespace detail {

#if XSIMD_WITH_AVX512F
// 2^n expm1(r) + (2^n - 1), one fma. 2^n - 1 is exact for n <= 24 and rounds to 2^n
// above, where the 1 is below the result's ULP. The error is the one rounding, plus
// expm1(r)'s scaled by 2^n |expm1(r)| / |expm1(x)|, below 1 but for n = 1 (2 e^r - 1
// cancels for r near -ln(2)/2) and n = 25: the worst cases sit at x in [0.35, 1.04] and
// [17, 18.4]. docs/design-notes.md has the exact two-sum form it is preferred to.
ACTDSL_INLINE __m512 expm1_avx512(__m512 a) {
    const __m512 one = _mm512_set1_ps(1.0f);
    // -1 below -17.4. From 88.38 on, n = 128 would overflow 2^n: those lanes take exp below.
    const __m512 x = _mm512_max_ps(_mm512_set1_ps(-25.0f), _mm512_min_ps(_mm512_set1_ps(88.0f), a));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    const __m512 p = _mm512_fmadd_ps(r, _mm512_mul_ps(r, horner(r, expm1f_polynomial)), r);  // expm1(r)
    const __m512 s = _mm512_scalef_ps(one, n);
    const __m512 e = or_sign(_mm512_fmadd_ps(s, p, _mm512_sub_ps(s, one)), a);
    // Above 88, where the 1 is far below the ULP, expm1 is exp (whose 2^n saturates).
    const __mmask16 big = _mm512_cmp_ps_mask(a, _mm512_set1_ps(88.0f), _CMP_GT_OQ);
    if (big) [[unlikely]] return _mm512_mask_mov_ps(e, big, exp_avx512(a));
    return e;
}
#else
template <class T> T expm1_avx512(const T&);  // never called: is_avx512_float is false without AVX-512
#endif

}  // namespace detail

// xsimd 8.1's expm1 returns +0 at -0 and overflows early like its exp; the early lanes
// take exp (the 1 is far below their ULP).
template <class T>
ACTDSL_INLINE T expm1(const T& a) {
    if constexpr (detail::is_avx512_float<T>) return T(detail::expm1_avx512(a));
    else if constexpr (std::is_floating_point_v<T>) return std::expm1(a);
    else {
        const T e = detail::nan_back(a, xsimd::expm1(detail::int_cast_safe(a)) | (a & T(-element_t<T>(0))));  // with the sign of a
        const auto big = a > T(detail::xsimd_exp_largest_safe<element_t<T>>);
        if (xsimd::any(big)) [[unlikely]] return select(big, math::exp(a), e);
        return e;
    }
}

}  // namespace actdsl::math
