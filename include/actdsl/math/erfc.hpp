// erfc(x) = 1 - erf(x), without the cancellation in its right tail (GELU's left
// tail), and erf(x).
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. erfc(-inf) = 2, erfc(+inf) = 0 (from x = 10.1 in float), NaN stays
//   NaN; erf(+-inf) = +-1.
// Max error: bounds.hpp, "erfc": float on AVX-512 1.75 ULP, with FMA below AVX-512 1.95,
//   without FMA 0.6; double: SLEEF's 1.5. erf: SLEEF's 1.0.
// Paths, float erfc: on AVX-512, erfc_avx512 (piecewise, a degree-5 polynomial per
//   third of a unit read by vpermt2ps); with FMA (AVX2), erfc_float_fma; without,
//   erfc_through_double. Double erfc and erf: SLEEF (sleef.hpp). xsimd's lose up to 68
//   ULPs (erf, double) and every digit in erfc's right tail.
#pragma once

#include "coefficients.hpp"
#include "common.hpp"
#include "exp.hpp"
#include "sleef.hpp"

namespace actdsl::math {
namespace detail {

// erfc(w) in double for any w, relative error < 1e-8: enough for float, not for double.
// erfc(z) = t exp(P(s) - z^2), t = 2 / (2 + z), s = (7t - 4) / 3.
template <class A>
ACTDSL_INLINE xsimd::batch<double, A> erfc_float_precision(const xsimd::batch<double, A>& w) {
    using D = xsimd::batch<double, A>;
    const D abs_w = xsimd::abs(w);
    const D z = xsimd::select(abs_w < D(12), abs_w, D(12));  // erfc(12) = 1.4e-64: 0 in float
    const D s = (D(6) - D(4) * z) / (D(6) + D(3) * z);
    const D t = fmadd(s, D(3.0 / 7), D(4.0 / 7));
    const D e = t * exp_normal_range(fmadd(-z, z, estrin(s, erfc_log_polynomial)));  // z^2 is exact
    return xsimd::select(w < D(0), D(2) - e, e);
}

// Float erfc through double, where fmadd does not round once: every rounding before the
// last is 2^-29 below float's.
template <class A>
ACTDSL_INLINE xsimd::batch<float, A> erfc_through_double(const xsimd::batch<float, A>& a) {
    using F = xsimd::batch<float, A>;
    using D = xsimd::batch<double, A>;
    alignas(A::alignment()) float f[F::size];
    alignas(A::alignment()) double d[F::size];
    a.store_aligned(f);
    for (std::size_t i = 0; i < F::size; ++i) d[i] = f[i];
    for (std::size_t h = 0; h < F::size; h += D::size) erfc_float_precision(D::load_aligned(d + h)).store_aligned(d + h);
    for (std::size_t i = 0; i < F::size; ++i) f[i] = static_cast<float>(d[i]);
    return xsimd::select(xsimd::isnan(a), a, F::load_aligned(f));
}

// (exp(r) - 1) / r on |r| <= ln(2) / 2: expf_polynomial without its constant term.
inline constexpr auto expf_tail_polynomial = [] {
    std::array<float, std::size(expf_polynomial) - 1> tail{};
    for (std::size_t k = 0; k < tail.size(); ++k) tail[k] = expf_polynomial[k + 1];
    return tail;
}();

// Float erfc in float arithmetic, where fmadd rounds once: erfc(z) = t exp(Q(s) - z^2),
// t = 2 / (2 + z), s = 2t - 1. Where float loses:
// - t = 2 / (2 + z) rounds twice, and a float t cannot carry all of z: its error t_lo
//   (from 2 + z's exact rounding error and the division's exact remainder) enters the
//   exponent as t_lo G(s);
// - z^2 is hi + lo exactly; n ln 2 comes off hi first (exact: both are coarse near 100);
// - Q0 is split, and the polynomial's last fma lands on r, which is below ln(2) / 2;
// - exp(r) t is t + (t r) (exp(r) - 1) / r: one rounding, not two.
template <class A>
ACTDSL_INLINE xsimd::batch<float, A> erfc_float_fma(const xsimd::batch<float, A>& a) {
    using F = xsimd::batch<float, A>;
    const F two(2.0f);
    const F z = xsimd::min(xsimd::abs(a), F(10.1f));  // erfc(10.1) = 5e-46: rounds to 0
    const F d = two + z;
    const F d_err = (xsimd::max(z, two) - d) + xsimd::min(z, two);  // 2 + z = d + d_err
    const F t = two / d;
    const F t_lo = fmadd(-t, d_err, fmadd(-t, d, two)) * (t * F(0.5f));  // 2 / (2 + z) - t
    const F s = fmadd(t, two, F(-1.0f));
    const F p = horner(s, erfcf_polynomial);
    const F hi = z * z;
    const F lo = fmadd(z, z, -hi);
    const F n = xsimd::nearbyint((fmadd(p, s, F(erfcf_q0_hi)) - hi) * F(1.44269504f));
    F r = fmadd(n, F(-0.693359375f), -hi) + F(erfcf_q0_hi);  // ln 2 = 0.693359375 - 2.12194440e-4
    r = fmadd(p, s, r);
    r = r + (fmadd(t_lo, horner(s, erfcf_slope_polynomial), F(erfcf_q0_lo)) - lo);
    r = fmadd(n, F(2.12194440e-4f), r);
    const F e = scale_by_power_of_2(fmadd(t * r, horner(r, expf_tail_polynomial), t), n);
    return xsimd::select(xsimd::isnan(a), a, xsimd::select(a < F(0), two - e, e));
}

#if XSIMD_WITH_AVX512F
// Piecewise: exp(C0 + u P(u) - z^2) on z = (k + u) / 3, a polynomial of degree 5 where
// erfc_float_fma needs a division, a degree-9 and a degree-3 one and t's rounding error.
// The sum in the exponent keeps erfc_float_fma's care: z^2 is hi + lo exactly, n ln 2
// comes off hi first, C0's low half and lo join last, and the polynomial's fma lands on
// r, below ln(2) / 2 + 0.2.
ACTDSL_INLINE __m512 erfc_avx512(__m512 a) {
    constexpr erfcf_pieces pieces = erfcf_piece_tables();
    // erfc(10.1) = 5e-46 rounds to 0. min returns its second operand when one is NaN.
    const __m512 z = _mm512_min_ps(_mm512_set1_ps(10.1f), _mm512_abs_ps(a));
    // 3z + 2^23 rounds 3z to the nearest integer k, in the low bits: vpermt2ps reads 5 of them.
    const __m512 shifted = _mm512_fmadd_ps(z, _mm512_set1_ps(3.0f), _mm512_set1_ps(8388608.0f));
    const __m512i k = _mm512_castps_si512(shifted);
    const __m512 u = _mm512_fmsub_ps(z, _mm512_set1_ps(3.0f), _mm512_sub_ps(shifted, _mm512_set1_ps(8388608.0f)));
    __m512 p = lookup(pieces.p4, k);
    p = _mm512_fmadd_ps(p, u, lookup(pieces.p3, k));
    p = _mm512_fmadd_ps(p, u, lookup(pieces.p2, k));
    p = _mm512_fmadd_ps(p, u, lookup(pieces.p1, k));
    p = _mm512_fmadd_ps(p, u, lookup(pieces.p0, k));
    const __m512 hi = _mm512_mul_ps(z, z);
    const __m512 lo = _mm512_fmsub_ps(z, z, hi);
    const __m512 c0 = lookup(pieces.c0_hi, k);
    const __m512 log2_erfc = _mm512_mul_ps(_mm512_sub_ps(_mm512_fmadd_ps(u, p, c0), hi), _mm512_set1_ps(1.44269504f));
    const __m512 n = _mm512_roundscale_ps(log2_erfc, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // ln 2 = 0.693359375 - 2.12194440e-4; n times the first part is exact.
    __m512 r = _mm512_add_ps(_mm512_fnmsub_ps(n, _mm512_set1_ps(0.693359375f), hi), c0);
    r = _mm512_fmadd_ps(u, p, r);
    r = _mm512_add_ps(r, _mm512_sub_ps(lookup(pieces.c0_lo, k), lo));
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    const __m512 e = _mm512_scalef_ps(horner(r, expf_polynomial), n);  // rounds once into the subnormals
    return _mm512_mask_sub_ps(e, _mm512_cmp_ps_mask(a, _mm512_setzero_ps(), _CMP_LT_OQ), _mm512_set1_ps(2.0f), e);
}
#else
template <class T> T erfc_avx512(const T&);  // never called: is_avx512_float is false without AVX-512
#endif

}  // namespace detail

template <class T>
ACTDSL_INLINE T erf(const T& a) {
    if constexpr (std::is_floating_point_v<T>) return std::erf(a);
    else return detail::sleef_erf(a);
}

template <class T>
ACTDSL_INLINE T erfc(const T& a) {
    if constexpr (std::is_floating_point_v<T>) return std::erfc(a);
    else if constexpr (std::is_same_v<element_t<T>, float>) {
        if constexpr (detail::is_avx512_float<T>) return T(detail::erfc_avx512(a));
        else if constexpr (detail::has_fused_multiply_add<typename T::arch_type>) return detail::erfc_float_fma(a);
        else return detail::erfc_through_double(a);
    } else return detail::sleef_erfc(a);
}

}  // namespace actdsl::math
