// tanhshrink(x) = x - tanh(x), without the cancellation below |x| = 1.
//
// Lanes: float, double, long double (scalars: <cmath>); xsimd batches of float, double.
// Domain: every x. tanhshrink(+-0) = +-0, tanhshrink(+-inf) = +-inf, NaN stays NaN.
// Below |x| = 1 it sums the series x^3 (a_0 + a_1 x^2 + ...), where x - tanh(x) loses
// every digit near 0; above, the difference loses at most 2 bits. Its accuracy is the
// catalog's Tanhshrink row in docs/accuracy.md.
#pragma once

#include "coefficients.hpp"
#include "common.hpp"
#include "tanh.hpp"

namespace actdsl::math {
namespace detail {

// Terms for E: 20 reach float precision at |x| = 1 (0.405^20 = 1.4e-8 of the sum), 42 double's.
template <class E>
inline constexpr std::size_t tanhshrink_terms =
    std::numeric_limits<E>::digits <= 24 ? 20 : std::size(tanhshrink_series);

}  // namespace detail

template <class T>
ACTDSL_INLINE T tanhshrink(const T& a) {
    using E = element_t<T>;
    using std::abs;
    const T z = a * a;
    const T z2 = z * z;
    // Horner in z^2 over the even and the odd terms: two chains of half the length, interleaved.
    constexpr std::size_t n = detail::tanhshrink_terms<E>;
    constexpr std::size_t top = (n - 1) & ~std::size_t{1};  // the highest even index
    // Rounded to E at compile time: converting long double at run time costs x87 loads per batch.
    static constexpr auto a_k = [] {
        std::array<E, n + 1> r{};
        for (std::size_t k = 0; k < n; ++k) r[k] = static_cast<E>(detail::tanhshrink_series[k]);
        return r;
    }();
    T even(a_k[top]);
    T odd(a_k[n % 2 == 0 ? n - 1 : n]);  // a_k[n] is 0
    for (std::size_t k = top; k >= 2; k -= 2) {
        even = even * z2 + T(a_k[k - 2]);
        odd = odd * z2 + T(a_k[k - 1]);
    }
    const T series = a * z * (even + z * odd);
    return select(abs(a) < T(1), series, a - math::tanh(a));
}

}  // namespace actdsl::math
