// tanh(x).
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. tanh(+-0) = +-0, tanh(+-inf) = +-1, NaN stays NaN.
// Max error: bounds.hpp, "tanh" (float: 1.4 ULP on every path).
// Paths: float on AVX-512: tanh_avx512, xsimd's form on exp_avx512. Elsewhere xsimd's.
#pragma once

#include "common.hpp"
#include "exp.hpp"

namespace actdsl::math {
namespace detail {

#if XSIMD_WITH_AVX512F
// Cephes' tanhf (as xsimd's): |x| + |x|^3 P(x^2) below |x| = 0.625, 1 - 2 / (1 + exp(2|x|))
// from there on, both computed and one selected; the sign of x or-ed in.
inline constexpr float tanhf_polynomial[] = {-3.33332819422e-1f, 1.33314422036e-1f, -5.37397155531e-2f,
                                             2.06390887954e-2f, -5.70498872745e-3f};
ACTDSL_INLINE __m512 tanh_avx512(__m512 a) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 x = _mm512_abs_ps(a);
    const __m512 s = _mm512_mul_ps(x, x);
    const __m512 near_zero = _mm512_fmadd_ps(_mm512_mul_ps(horner(s, tanhf_polynomial), s), x, x);
    const __m512 e = exp_avx512(_mm512_add_ps(x, x));  // inf past x = 44: then 1
    const __m512 far = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), _mm512_div_ps(one, _mm512_add_ps(one, e)), one);
    const __mmask16 small = _mm512_cmp_ps_mask(x, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
    return or_sign(_mm512_mask_blend_ps(small, far, near_zero), a);
}
#else
template <class T> T tanh_avx512(const T&);  // never called: is_avx512_float is false without AVX-512
#endif

}  // namespace detail

template <class T>
ACTDSL_INLINE T tanh(const T& a) {
    if constexpr (detail::is_avx512_float<T>) return T(detail::tanh_avx512(a));
    else if constexpr (std::is_floating_point_v<T>) return std::tanh(a);
    else return detail::nan_back(a, xsimd::tanh(detail::int_cast_safe(a)));
}

}  // namespace actdsl::math
