// What the functions of this folder share: lane types, selects, fused multiply-add,
// polynomial evaluation (Horner, Estrin), scaling by 2^n, and the per-instruction-set
// hooks (is_avx512_float, has_fused_multiply_add) that pick a function's path.
//
// The math layer knows nothing of expressions. Its functions take a scalar (float,
// double, long double) or an xsimd batch of float or double, and each header opens
// with its contract: lane types, domain, specials, and its error bound per path, which
// bounds.hpp states once for the tests and docs/accuracy.md.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "../config.hpp"

namespace actdsl::math {

template <class T> struct element_of { using type = T; };
template <class T, class A> struct element_of<xsimd::batch<T, A>> { using type = T; };
template <class T> using element_t = typename element_of<T>::type;

// Conditions are bool for scalars and batch_bool for batches.
template <class M, class T>
ACTDSL_INLINE T select(const M& m, const T& a, const T& b) {
    if constexpr (std::is_same_v<M, bool>) return m ? a : b;
    else return xsimd::select(m, a, b);
}

// Not b != b: xsimd compares batches as ordered on AVX and AVX-512 (false for NaN)
// but unordered on SSE.
template <class T>
ACTDSL_INLINE auto is_nan(const T& a) {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(a);
    else return xsimd::isnan(a);
}

namespace detail {

// ---- per-instruction-set hooks ----------------------------------------------

// xsimd 8.1's double exp, expm1 and tanh convert round(a / ln 2) to int64 one lane at a
// time with a scalar cast, on every instruction set (AVX-512 included): undefined
// behaviour for NaN and past 2^63 (UBSan reports it; tests/fuzz/fuzz_elementwise.cpp's
// seeds reach it). Their argument goes through int_cast_safe (NaN as 0; the rest clamped
// to +-800, where every result is already saturated) and NaN comes back through nan_back.
template <class T> inline constexpr bool casts_to_int64_one_by_one = false;
template <class A>
inline constexpr bool casts_to_int64_one_by_one<xsimd::batch<double, A>> = true;

template <class T>
ACTDSL_INLINE T int_cast_safe(const T& a) {
    if constexpr (casts_to_int64_one_by_one<T>) return select(is_nan(a), T(0.0), xsimd::max(T(-800.0), xsimd::min(a, T(800.0))));
    else return a;
}
template <class T>
ACTDSL_INLINE T nan_back(const T& a, const T& result) {
    if constexpr (casts_to_int64_one_by_one<T>) return select(is_nan(a), a, result);
    else return result;
}

// Float batches of an AVX-512 architecture: exp, expm1, log1p, tanh and erfc take
// their own AVX-512 forms (intrinsics) there.
template <class T> inline constexpr bool is_avx512_float = false;
#if XSIMD_WITH_AVX512F
template <class A>
inline constexpr bool is_avx512_float<xsimd::batch<float, A>> = std::is_base_of_v<xsimd::avx512f, A>;
#endif

// Whether fmadd rounds once: AVX-512, and AVX2 or AVX with FMA3. Elsewhere xsimd's fma is
// a * b + c, and error-free products (z^2 = hi + lo) built on it would be wrong.
template <class A>
inline constexpr bool has_fused_multiply_add =
    std::is_base_of_v<xsimd::avx512f, A> || std::is_base_of_v<xsimd::fma3<xsimd::avx2>, A> ||
    std::is_base_of_v<xsimd::fma3<xsimd::avx>, A>;

// a * b + c, fused where the instruction set has it: xsimd 8.1's fma falls back to
// a * b + c on AVX-512.
template <class E, class A>
ACTDSL_INLINE xsimd::batch<E, A> fmadd(const xsimd::batch<E, A>& a, const xsimd::batch<E, A>& b,
                                       const xsimd::batch<E, A>& c) {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        if constexpr (std::is_same_v<E, float>) return _mm512_fmadd_ps(a, b, c);
        else return _mm512_fmadd_pd(a, b, c);
    } else
#endif
        return xsimd::fma(a, b, c);
}

// ---- polynomials --------------------------------------------------------------

// Coefficients c (an array, lowest degree first) at x.
template <class E, class A, class C>
ACTDSL_INLINE xsimd::batch<E, A> horner(const xsimd::batch<E, A>& x, const C& c) {
    const std::size_t n = std::size(c);
    xsimd::batch<E, A> p(c[n - 1]);
    for (std::size_t k = n - 1; k-- > 0;) p = fmadd(p, x, xsimd::batch<E, A>(c[k]));
    return p;
}

// Estrin's scheme, coefficients lowest first: a tree of depth log2(N) instead of
// Horner's chain of N, so the out-of-order core overlaps more batches.
template <std::size_t I, class B, std::size_t N>
ACTDSL_INLINE B estrin_pair(const B& x, const B (&c)[N]) {
    if constexpr (2 * I + 1 < N) return fmadd(c[2 * I + 1], x, c[2 * I]);
    else return c[2 * I];
}
template <class B, std::size_t N, std::size_t... I>
ACTDSL_INLINE B estrin(const B& x, const B (&c)[N], std::index_sequence<I...>) {
    if constexpr (N == 1) return c[0];
    else {
        const B pairs[] = {estrin_pair<I>(x, c)...};
        return estrin(x * x, pairs, std::make_index_sequence<(sizeof...(I) + 1) / 2>{});
    }
}
template <class B, std::size_t N>
ACTDSL_INLINE B estrin(const B& x, const double (&a)[N]) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        const B c[N] = {B(a[I])...};
        return estrin(x, c, std::make_index_sequence<(N + 1) / 2>{});
    }(std::make_index_sequence<N>{});
}

// ---- scaling by 2^n ---------------------------------------------------------------

// x 2^n for integral n in [-160, 10], rounded once (into the subnormals too).
template <class A>
ACTDSL_INLINE xsimd::batch<float, A> scale_by_power_of_2(const xsimd::batch<float, A>& x,
                                                         const xsimd::batch<float, A>& n) {
    using F = xsimd::batch<float, A>;
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) return _mm512_scalef_ps(x, n);
    else
#endif
    {
        using I = xsimd::batch<std::int32_t, A>;
        const I k = xsimd::batch_cast<std::int32_t>(n);
        const I k1 = k >> 1, k2 = k - k1;  // two normal factors; only the second multiplication rounds
        return x * xsimd::bitwise_cast<F>((k1 + I(127)) << 23) * xsimd::bitwise_cast<F>((k2 + I(127)) << 23);
    }
}

// xsimd's exp and expm1 build 2^n in the exponent bits, n = round(a / ln 2); n =
// max_exponent overflows them. Below this, with a little margin, they are right.
template <class E>
inline constexpr E xsimd_exp_largest_safe = E((std::numeric_limits<E>::max_exponent - 0.51) * 0.6931471805599453);

// ---- AVX-512 float helpers (intrinsics) -------------------------------------------
#if XSIMD_WITH_AVX512F
template <std::size_t N>
ACTDSL_INLINE __m512 horner(__m512 x, const float (&c)[N]) {
    __m512 p = _mm512_set1_ps(c[N - 1]);
    for (std::size_t k = N - 1; k-- > 0;) p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(c[k]));
    return p;
}

// y with the sign bit of x or-ed in: expm1, log1p and tanh have the sign of x, -0 included.
ACTDSL_INLINE __m512 or_sign(__m512 y, __m512 x) {
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(y), _mm512_castps_si512(x),
                                                         _mm512_set1_epi32(INT32_MIN), 0xF8));  // y | (x & sign)
}

// Entry k of a 32-entry table in each lane: one vpermt2ps.
ACTDSL_INLINE __m512 lookup(const float (&table)[32], __m512i k) {
    return _mm512_permutex2var_ps(_mm512_load_ps(table), k, _mm512_load_ps(table + 16));
}
#endif

}  // namespace detail
}  // namespace actdsl::math
