// apply(op, args...): one operation on one value type. The value type T is float,
// double, long double or an xsimd batch of float or double, so the same code
// serves the scalar reference, the SIMD body and its tail.
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>
#include <cstdint>

#include <xsimd/xsimd.hpp>
#include <sleef.h>

#include "../expression/nodes.hpp"

// The evaluator's layers are thin wrappers; they must vanish into the loop body,
// or each batch of a large expression goes through memory.
#define ACTDSL_INLINE [[gnu::always_inline]] inline

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

template <class T> ACTDSL_INLINE T apply(ops::add, const T& a, const T& b) { return a + b; }
template <class T> ACTDSL_INLINE T apply(ops::sub, const T& a, const T& b) { return a - b; }
template <class T> ACTDSL_INLINE T apply(ops::mul, const T& a, const T& b) { return a * b; }
template <class T> ACTDSL_INLINE T apply(ops::div, const T& a, const T& b) { return a / b; }
template <class T> ACTDSL_INLINE T apply(ops::neg, const T& a) { return -a; }

template <int N, class T>
ACTDSL_INLINE T apply(ops::pow<N>, const T& a) {
    if constexpr (N < 0) return T(1) / apply(ops::pow<-N>{}, a);
    else if constexpr (N == 0) return T(1);
    else if constexpr (N == 1) return a;
    else {  // square and multiply: pow<3> is a*a*a, pow<4> is (a*a)*(a*a)
        const T h = apply(ops::pow<N / 2>{}, a);
        if constexpr (N % 2 == 0) return h * h;
        else return h * h * a;
    }
}

// Scalars take <cmath>; batches find xsimd's overloads by argument-dependent lookup.
#define ACTDSL_MATH_FUNCTION(fname)                                                   \
    template <class T>                                                                \
    ACTDSL_INLINE T apply(ops::fname, const T& a) {                                   \
        using std::fname;                                                             \
        return fname(a);                                                              \
    }
ACTDSL_MATH_FUNCTION(log)
ACTDSL_MATH_FUNCTION(log1p)
ACTDSL_MATH_FUNCTION(expm1)
ACTDSL_MATH_FUNCTION(sqrt)
ACTDSL_MATH_FUNCTION(sin)
ACTDSL_MATH_FUNCTION(cos)
ACTDSL_MATH_FUNCTION(tanh)
ACTDSL_MATH_FUNCTION(abs)
#undef ACTDSL_MATH_FUNCTION

// exp. xsimd 8.1's is wrong at both ends of the range: it flushes results below the
// smallest normal number to 0, and returns inf from log(max) - ln(2)/2 on (88.38 in
// float, 709.44 in double) where exp is still finite. Those lanes are recomputed as
// exp(a/2)^2 (a/2 is exact; the square rounds once, to the subnormal or to the large
// result), so x * sigmoid(x) at x = -88 in float is -5.3e-37, not 0, and exp(88.5f) is
// 2.7e38.
template <class T>
ACTDSL_INLINE T apply(ops::exp, const T& a) {
    using std::exp;
    if constexpr (std::is_floating_point_v<T>) return exp(a);
    else {
        using E = element_t<T>;
        const T e = exp(a);
        const T smallest_normal_log(std::log(std::numeric_limits<E>::min()));
        // xsimd builds 2^n in the exponent bits, n = round(a / ln 2); n = max_exponent
        // overflows them. exp(a/2)^2 is right for every a but doubles exp's error (2.3 ULP
        // in float), so it takes only the lanes xsimd gets wrong, with a little margin.
        const T largest_safe(E((std::numeric_limits<E>::max_exponent - 0.51) * 0.6931471805599453));
        // xsimd returns 0 for a <= its minlog, which in double is log(min) itself.
        const auto wrong = (a <= smallest_normal_log) | (a > largest_safe);
        if (xsimd::any(wrong)) [[unlikely]] {
            const T h = exp(a * T(E(0.5)));
            return select(wrong, h * h, e);
        }
        return e;
    }
}

template <class T>
ACTDSL_INLINE T apply(ops::exp_flushing, const T& a) {
    using std::exp;
    return exp(a);
}

// erf and erfc on batches: xsimd's lose up to 68 ULPs (erf, double) and every digit
// in erfc's right tail (5e7 ULPs at 26, double), which is gelu's left tail.
// Double batches and erf go to SLEEF (1.0 and 1.5 ULP), one entry per instruction
// set; float erfc is evaluated in double below (0.56 ULP, 2.2x SLEEF's speed).
#define ACTDSL_SLEEF_DISPATCH(fn, ulp)                                                                  \
    template <class T>                                                                                  \
    ACTDSL_INLINE T sleef_##fn(const T& a) {                                                            \
        using A = typename T::arch_type;                                                                \
        constexpr bool is_float = std::is_same_v<element_t<T>, float>;                                  \
        if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {                                           \
            if constexpr (is_float) return T(Sleef_##fn##f16_##ulp##avx512f(a));                        \
            else return T(Sleef_##fn##d8_##ulp##avx512f(a));                                            \
        } else if constexpr (std::is_base_of_v<xsimd::avx2, A>) {                                       \
            if constexpr (is_float) return T(Sleef_##fn##f8_##ulp##avx2(a));                            \
            else return T(Sleef_##fn##d4_##ulp##avx2(a));                                               \
        } else if constexpr (std::is_base_of_v<xsimd::avx, A>) {                                        \
            if constexpr (is_float) return T(Sleef_##fn##f8_##ulp##avx(a));                             \
            else return T(Sleef_##fn##d4_##ulp##avx(a));                                               \
        } else if constexpr (std::is_base_of_v<xsimd::sse4_1, A>) {                                     \
            if constexpr (is_float) return T(Sleef_##fn##f4_##ulp##sse4(a));                            \
            else return T(Sleef_##fn##d2_##ulp##sse4(a));                                               \
        } else if constexpr (std::is_base_of_v<xsimd::sse2, A>) {                                       \
            if constexpr (is_float) return T(Sleef_##fn##f4_##ulp##sse2(a));                            \
            else return T(Sleef_##fn##d2_##ulp##sse2(a));                                               \
        } else {                                                                                        \
            alignas(64) std::array<element_t<T>, T::size> lanes;                                        \
            a.store_aligned(lanes.data());                                                              \
            for (auto& v : lanes) v = std::fn(v);                                                       \
            return T::load_aligned(lanes.data());                                                       \
        }                                                                                               \
    }
ACTDSL_SLEEF_DISPATCH(erf, u10)
ACTDSL_SLEEF_DISPATCH(erfc, u15)
#undef ACTDSL_SLEEF_DISPATCH

namespace detail {

// a * b + c, fused where the instruction set has it: xsimd 8.1's fma falls back to
// a * b + c on AVX-512.
template <class A>
ACTDSL_INLINE xsimd::batch<double, A> fmadd(const xsimd::batch<double, A>& a, const xsimd::batch<double, A>& b,
                                            const xsimd::batch<double, A>& c) {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) return _mm512_fmadd_pd(a, b, c);
    else
#endif
        return xsimd::fma(a, b, c);
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

// Generated by scripts/fit_math.py (mpmath, Chebyshev nodes), lowest degree first.
// erfc(z) = t exp(P(s) - z^2) for z in [0, 12], t = 2 / (2 + z), s = (7t - 4) / 3 in
// [-1, 1]; |error of P| < 3.6e-9, so erfc's relative error < 4e-9 (0.06 float ULP).
inline constexpr double erfc_log_polynomial[] = {
    -5.74876305196545978e-01, 5.85602105065244571e-01,  1.93239056267125141e-02, -3.19074323358411530e-02,
    -1.76794266246153159e-03, 4.31992303773184785e-03,  -1.91500655425459287e-04, -7.04773165810174845e-04,
    1.36675677955143171e-04,  1.00904261869574143e-04,  -2.68505115192941853e-05, -8.71241452569318368e-06};
// exp(r) on |r| <= ln(2) / 2, relative error < 4.3e-11 (same script).
inline constexpr double exp_polynomial[] = {
    9.99999999959561792e-01, 9.99999999995509037e-01, 5.00000010772916559e-01, 1.66666667863085871e-01,
    4.16662183192919450e-02, 8.33328353870852780e-03, 1.39485783264597951e-03, 1.99075693108482880e-04};

// exp(y) for y in [-1022 ln 2, 1]: 2^n exp(r), n = round(y / ln 2), 2^n built in the exponent bits.
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

// erfc(w) in double for any w, relative error < 1e-8: enough for float, not for double.
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

// Float erfc through double: every rounding before the last is 2^-29 below float's,
// so the result is within 0.56 ULP (every 16th float up to 12; tests/test_kernels.cpp checks
// every 256th). 0.9 Gelem/s on AVX-512 against SLEEF's 0.41 (1.42 ULP on the same floats).
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

}  // namespace detail

template <class T>
ACTDSL_INLINE T apply(ops::erf, const T& a) {
    using std::erf;
    if constexpr (std::is_floating_point_v<T>) return erf(a);
    else return sleef_erf(a);
}

template <class T>
ACTDSL_INLINE T apply(ops::erfc, const T& a) {
    using std::erfc;
    if constexpr (std::is_floating_point_v<T>) return erfc(a);
    else if constexpr (std::is_same_v<element_t<T>, float>) return detail::erfc_through_double(a);
    else return sleef_erfc(a);
}

// u - tanh(u) = u^3 (a_0 + a_1 u^2 + ...), a_k from the Bernoulli numbers. Below |u| = 1,
// where the difference cancels (every digit near 0), 42 terms reach double precision;
// above, the difference loses at most 2 bits.
inline constexpr long double tanhshrink_series[] = {
    3.333333333333333333333e-1L,
    -1.333333333333333333333e-1L,
    5.396825396825396825397e-2L,
    -2.186948853615520282187e-2L,
    8.863235529902196568863e-3L,
    -3.592128036572481016925e-3L,
    1.455834387051318268249e-3L,
    -5.900274409455859813781e-4L,
    2.391291142435524814857e-4L,
    -9.691537956929450325596e-5L,
    3.927832388331683405337e-5L,
    -1.591890506932896474074e-5L,
    6.451689215655430763191e-6L,
    -2.614771151290754554264e-6L,
    1.059726832010465435091e-6L,
    -4.294911078273805854820e-7L,
    1.740661896357164777986e-7L,
    -7.054636946400968325215e-8L,
    2.859136662305253908331e-8L,
    -1.158764443279885220020e-8L,
    4.696295398230901628819e-9L,
    -1.903336833931275921320e-9L,
    7.713933635359062290479e-10L,
    -3.126339545892087045778e-10L,
    1.267057693030540106010e-10L,
    -5.135191408039367740076e-11L,
    2.081214686770047419897e-11L,
    -8.434845419094338293849e-12L,
    3.418514086811155814039e-12L,
    -1.385471574294846899390e-12L,
    5.615104792414680083259e-13L,
    -2.275716255372874845543e-13L,
    9.223130585139531735049e-14L,
    -3.737994031096738885022e-14L,
    1.514951918714860507511e-14L,
    -6.139868862616813824517e-15L,
    2.488395122276278938247e-15L,
    -1.008508556635409648704e-15L,
    4.087331226869013761902e-16L,
    -1.656532951378628367277e-16L,
    6.713675175048711656071e-17L,
    -2.720950061304458791031e-17L
};
// Terms for T: 20 reach float precision at |u| = 1 (0.405^20 = 1.4e-8 of the sum), 42 double's.
template <class E>
inline constexpr std::size_t tanhshrink_terms = std::numeric_limits<E>::digits <= 24 ? 20 : std::size(tanhshrink_series);

template <class T>
ACTDSL_INLINE T apply(ops::tanhshrink, const T& a) {
    using E = element_t<T>;
    using std::abs;
    using std::tanh;
    const T z = a * a;
    const T z2 = z * z;
    // Horner in z^2 over the even and the odd terms: two chains of half the length, interleaved.
    constexpr std::size_t n = tanhshrink_terms<E>;
    constexpr std::size_t top = (n - 1) & ~std::size_t{1};  // the highest even index
    // Rounded to E at compile time: converting long double at run time costs x87 loads per batch.
    static constexpr auto a_k = [] {
        std::array<E, n + 1> r{};
        for (std::size_t k = 0; k < n; ++k) r[k] = static_cast<E>(tanhshrink_series[k]);
        return r;
    }();
    T even(a_k[top]);
    T odd(a_k[n % 2 == 0 ? n - 1 : n]);  // a_k[n] is 0
    for (std::size_t k = top; k >= 2; k -= 2) {
        even = even * z2 + T(a_k[k - 2]);
        odd = odd * z2 + T(a_k[k - 1]);
    }
    const T series = a * z * (even + z * odd);
    return select(abs(a) < T(1), series, a - tanh(a));
}

// sign(a): -1, 0 or 1; NaN stays NaN.
template <class T>
ACTDSL_INLINE T apply(ops::sign, const T& a) {
    const T one(1), zero(0);
    return select(a > zero, one, select(a < zero, -one, a));
}

template <class M, class T>
ACTDSL_INLINE T apply(ops::where, const M& cond, const T& a, const T& b) { return select(cond, a, b); }

template <class T> ACTDSL_INLINE auto apply(ops::equal, const T& a, const T& b) { return a == b; }
template <class T> ACTDSL_INLINE auto apply(ops::less, const T& a, const T& b) { return a < b; }
template <class T> ACTDSL_INLINE auto apply(ops::less_equal, const T& a, const T& b) { return a <= b; }
template <class T> ACTDSL_INLINE auto apply(ops::greater, const T& a, const T& b) { return a > b; }
template <class T> ACTDSL_INLINE auto apply(ops::greater_equal, const T& a, const T& b) { return a >= b; }
template <class M> ACTDSL_INLINE M apply(ops::logical_and, const M& a, const M& b) {
    if constexpr (std::is_same_v<M, bool>) return a && b;
    else return a & b;
}
template <class M> ACTDSL_INLINE M apply(ops::logical_or, const M& a, const M& b) {
    if constexpr (std::is_same_v<M, bool>) return a || b;
    else return a | b;
}

// Not b != b: xsimd compares batches as ordered on AVX and AVX-512 (false for NaN)
// but unordered on SSE.
template <class T>
ACTDSL_INLINE auto is_nan(const T& a) {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(a);
    else return xsimd::isnan(a);
}

// max and min propagate a NaN from either operand, as torch.maximum does.
template <class T>
ACTDSL_INLINE T apply(ops::max, const T& a, const T& b) {
    return select(apply(ops::logical_or{}, a < b, is_nan(b)), b, a);
}
template <class T>
ACTDSL_INLINE T apply(ops::min, const T& a, const T& b) {
    return select(apply(ops::logical_or{}, b < a, is_nan(b)), b, a);
}

}  // namespace actdsl::math
