// log1p(x) = log(1 + x), without the rounding of 1 + x.
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. log1p(-1) = -inf, NaN below -1 and at NaN, log1p(-0) = -0,
//   log1p(+inf) = +inf.
// Max error: bounds.hpp, "log1p" (2 ULP on every path).
// Paths: float on AVX-512: log1p_avx512, no division. Elsewhere xsimd's (two
//   divisions), with its sign of zero corrected.
//
// log1p_unit(t) = log1p(t) for t in [0, 1], as softplus's log1p(exp(-|u|)) meets it.
// Lanes: as log1p. Domain: 0 <= t <= 1 and NaN (NaN stays NaN, +0 gives +0); other t
//   give unspecified values.
// Max error: bounds.hpp, "log1p_unit" on float with fused multiply-add; elsewhere log1p's.
// Paths: float batches with fused multiply-add: 1 + t = 2^k (1 + f) with k = 0, f = t
//   below t = 1/2 and k = 1, f = (t - 1) / 2 from there, both exact, then log1p's
//   polynomial on f in [-1/4, 1/2): no exponent extraction, reciprocal or rounding
//   correction. Elsewhere log1p.
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

template <class T>
ACTDSL_INLINE T log1p_unit(const T& t) {
    if constexpr (!std::is_floating_point_v<T> && std::is_same_v<element_t<T>, float>) {
        if constexpr (detail::has_fused_multiply_add<typename T::arch_type>) {
            const auto upper = t >= T(0.5f);
            const T f = select(upper, (t - T(1.0f)) * T(0.5f), t);  // t - 1 is exact on [1/2, 1]
            const T k = select(upper, T(1.0f), T(0.0f));
            const T q = f * detail::horner(f, detail::log1pf_polynomial);  // log1p(f) = f + f q
            // k ln 2 = k ln2_hi + k ln2_lo; k ln2_hi is exact, and k = 0 leaves f + f q alone.
            return detail::fmadd(k, T(6.9313812256e-01f), f + detail::fmadd(f, q, k * T(9.0580006145e-06f)));
        } else {
            return log1p(t);
        }
    } else {
        return log1p(t);
    }
}

}  // namespace actdsl::math
