// log1p(x) = log(1 + x), without the rounding of 1 + x.
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. log1p(-1) = -inf, NaN below -1 and at NaN, log1p(-0) = -0,
//   log1p(+inf) = +inf.
// Max error: bounds.hpp, "log1p" (2 ULP on every path).
// Paths: float on AVX-512: log1p_avx512, no division. Elsewhere xsimd's (two
//   divisions), with its sign of zero corrected.
#pragma once

#include "coefficients.hpp"
#include "common.hpp"

namespace actdsl::math {
namespace detail {

#if XSIMD_WITH_AVX512F
// x itself is the polynomial's argument on [-0.25, 0.5); elsewhere 1 + x = 2^k m,
// m in [0.75, 1.5), with the rounding error c of 1 + x added back as c / (1 + x).
// vgetmant and vgetexp give log's specials: -inf at x = -1, NaN below, inf at inf.
ACTDSL_INLINE __m512 log1p_avx512(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 u = _mm512_add_ps(x, one);
    const __mmask16 small = _mm512_mask_cmp_ps_mask(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-0.25f), _CMP_GE_OQ), x,
                                                    _mm512_set1_ps(0.5f), _CMP_LT_OQ);
    const __m512 m = _mm512_getmant_ps(u, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_nan);
    __m512 k = _mm512_getexp_ps(u);  // floor(log2 u): one more where m < 1
    k = _mm512_mask_add_ps(k, _mm512_cmp_ps_mask(m, one, _CMP_LT_OQ), k, one);
    k = _mm512_mask_mov_ps(k, small, _mm512_setzero_ps());
    const __m512 f = _mm512_mask_blend_ps(small, _mm512_sub_ps(m, one), x);  // m - 1 is exact
    // 1 + x is exact below x = -0.5, and c / u is far below log u's ULP above 2^24 (and at inf).
    const __mmask16 rounded = _mm512_mask_cmp_ps_mask(
        _mm512_mask_cmp_ps_mask(static_cast<__mmask16>(~small), x, _mm512_set1_ps(-0.5f), _CMP_GT_OQ), x,
        _mm512_set1_ps(16777216.0f), _CMP_LT_OQ);
    const __m512 c = _mm512_maskz_mul_ps(rounded, _mm512_sub_ps(x, _mm512_sub_ps(u, one)), _mm512_rcp14_ps(u));
    const __m512 q = _mm512_mul_ps(f, horner(f, log1pf_polynomial));  // log1p(f) = f + f q
    // ln 2 = ln2_hi + ln2_lo, both positive so that k = +-inf stays infinite; k ln2_hi is exact.
    const __m512 low = _mm512_fmadd_ps(k, _mm512_set1_ps(9.0580006145e-06f), c);
    const __m512 r = _mm512_add_ps(f, _mm512_fmadd_ps(f, q, low));
    return or_sign(_mm512_fmadd_ps(k, _mm512_set1_ps(6.9313812256e-01f), r), x);
}
#else
template <class T> T log1p_avx512(const T&);  // never called: is_avx512_float is false without AVX-512
#endif

}  // namespace detail

template <class T>
ACTDSL_INLINE T log1p(const T& a) {
    if constexpr (detail::is_avx512_float<T>) return T(detail::log1p_avx512(a));
    else if constexpr (std::is_floating_point_v<T>) return std::log1p(a);
    else return xsimd::log1p(a) | (a & T(-element_t<T>(0)));  // xsimd's returns +0 at -0; log1p has the sign of a
}

}  // namespace actdsl::math
