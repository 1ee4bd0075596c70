// The fused and unfused kernels over xtensor arrays, against long double
// references: every size around the SIMD width, strided and transposed views,
// ranks 1 to 4, in-place use, and bad input.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <actdsl/actdsl.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "reference.hpp"
#include "threads.hpp"

using namespace actdsl;
using namespace actdsl::literals;

namespace {

constexpr parameter<"beta"> beta{};
const auto silu_expr = x * sigmoid(x);
const auto swish = x * sigmoid(beta * x);

template <class T>
constexpr std::size_t W = xsimd::batch<T>::size;

// Forward within 4 ULPs; the derivative within 8 ULPs of the magnitude of its terms
// s and |x s (1 - s)|, since silu_expr' = 0 near x = -1.28 cancels.
template <class T, class Y, class DX, class XS>
void check_silu(const XS& xs, const Y& y, const DX& dx) {
    ref::real worst_y = 0, worst_dx = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const ref::real t = xs.data()[i];
        const ref::real s = ref::sigmoid(t);
        worst_y = std::max(worst_y, ref::ulp_error<T>(y.data()[i], ref::silu(t)));
        worst_dx = std::max(worst_dx, ref::ulp_error<T>(dx.data()[i], ref::dsilu(t), s + std::fabs(t * s * (1 - s))));
    }
    CHECK(worst_y <= 4);
    CHECK(worst_dx <= 8);
}

template <class T>
xt::xtensor<T, 1> random_input(std::size_t n, T lo = T(-30), T hi = T(30)) {
    auto v = ref::uniform_values<T>(n, lo, hi);
    xt::xtensor<T, 1> a = xt::zeros<T>({n});
    std::copy(v.begin(), v.end(), a.begin());
    return a;
}

}  // namespace

TEMPLATE_TEST_CASE("fused kernels match the long double reference at every size", "", float, double) {
    using T = TestType;
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, W<T> - 1, W<T>, W<T> + 1, std::size_t{1000003}}) {
        INFO("n = " << n);
        const auto xs = random_input<T>(n);
        const xt::xtensor<T, 1> dy = xt::ones<T>({n});
        xt::xtensor<T, 1> y = xt::zeros<T>({n}), dx = y, y2 = y, dx2 = y;
        forward(silu_expr, xs, y);
        backward(silu_expr, xs, dy, dx);
        check_silu<T>(xs, y, dx);
        forward_backward(silu_expr, xs, dy, y2, dx2);
        CHECK((y2 == y));
        CHECK((dx2 == dx));
    }
}

TEMPLATE_TEST_CASE("backward multiplies by the incoming gradient", "", float, double) {
    using T = TestType;
    const auto xs = random_input<T>(1001, T(-8), T(8));
    const auto dy = random_input<T>(1001, T(-2), T(2));
    xt::xtensor<T, 1> dx = xt::zeros<T>({1001});
    backward(swish, xs, dy, dx, beta = 1.25);
    ref::real worst = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        // From beta * x rounded to T, as in the kernel: exp amplifies that first rounding (conditioning).
        const ref::real u = static_cast<T>(T(1.25) * xs(i)), s = ref::sigmoid(u), s_neg = ref::sigmoid(-u);
        const ref::real scale = std::fabs(static_cast<ref::real>(dy(i))) * (s + std::fabs(u * s * s_neg));
        worst = std::max(worst, ref::ulp_error<T>(dx(i), dy(i) * (s + u * s * s_neg), scale));
    }
    CHECK(worst <= 8);
}

TEMPLATE_TEST_CASE("special values: infinities, NaN, signed zeros, denormals", "", float, double) {
    using T = TestType;
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    const T tiny = std::numeric_limits<T>::denorm_min();
    const xt::xtensor<T, 1> xs = {inf, -inf, nan, T(0), -T(0), tiny, -tiny, T(-200), T(200)};
    xt::xtensor<T, 1> s = xt::zeros<T>({xs.size()});
    forward(sigmoid(x), xs, s);
    CHECK(s(0) == 1);
    CHECK(s(1) == 0);
    CHECK(std::isnan(s(2)));
    CHECK(s(3) == T(0.5));
    CHECK(s(4) == T(0.5));
    CHECK(s(7) == Approx(static_cast<T>(ref::sigmoid(-200))).epsilon(1e-5));  // e^-200 in double; in float it underflows to 0
    xt::xtensor<T, 1> y = xt::zeros<T>({xs.size()});
    forward(silu_expr, xs, y);
    CHECK(y(0) == inf);
    CHECK(std::isnan(y(2)));
    CHECK((y(3) == 0 && !std::signbit(y(3))));
    CHECK((y(4) == 0 && std::signbit(y(4))));   // -0 * 0.5 = -0
    CHECK(y(5) == tiny / 2);                    // denormals are not flushed
    CHECK(y(8) == T(200));
}

TEMPLATE_TEST_CASE("max and min propagate NaN from either operand in every lane", "", float, double) {
    // AVX and AVX-512 compare x != x as ordered (false for NaN), SSE as unordered:
    // the SIMD body must not depend on which, and must agree with the scalar tail.
    using T = TestType;
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const std::size_t n = 3 * W<T> + 1;  // NaN at 0, in a whole batch at 2W and in the tail at 3W
    xt::xtensor<T, 1> xs = xt::full_like(xt::xtensor<T, 1>::from_shape({n}), nan);
    xs(1) = T(-2);
    xs(2) = T(3);
    xt::xtensor<T, 1> hi = xt::zeros<T>({n}), lo = hi;
    forward(max(0_c, x), xs, hi);
    forward(min(0_c, x), xs, lo);
    CHECK(hi(1) == 0);
    CHECK(hi(2) == T(3));
    CHECK(lo(1) == T(-2));
    CHECK(lo(2) == 0);
    for (const std::size_t i : {std::size_t{0}, 2 * W<T>, n - 1}) {
        INFO("i = " << i);
        CHECK(std::isnan(hi(i)));
        CHECK(std::isnan(lo(i)));
    }
}

TEST_CASE("float erfc holds its bound (math/bounds.hpp) over every 256th float below 12, per evaluation path") {
    // Every 256th float of either sign up to 12 (erfc(12) rounds to 0 in float), and beyond.
    // With FMA it runs in float arithmetic (erfc_avx512 on AVX-512, erfc_float_fma on AVX2),
    // without it through double.
    using actdsl::math::max_ulp;
    constexpr bool avx512 = actdsl::math::detail::is_avx512_float<xsimd::batch<float>>;
    constexpr bool fused = actdsl::math::detail::has_fused_multiply_add<xsimd::default_arch>;
    constexpr double bound = avx512  ? max_ulp("erfc", "AVX-512")
                             : fused ? max_ulp("erfc", "with FMA, below AVX-512")
                                     : max_ulp("erfc", "without FMA (through double)");
    std::vector<float> v = ref::float_bit_sweep(0x41400000u, 256);
    const float inf = std::numeric_limits<float>::infinity();
    for (const float f : {12.5f, 1e30f, -1e30f, inf, -inf, std::numeric_limits<float>::quiet_NaN()}) v.push_back(f);
    const auto xs = xt::adapt(v, std::vector<std::size_t>{v.size()});
    xt::xtensor<float, 1> y = xt::zeros<float>({v.size()});
    forward(erfc(x), xs, y);
    const auto [worst, worst_at] = ref::worst_ulp_error(v, y, [](ref::real a) { return std::erfc(a); });
    INFO("worst at " << worst_at);
    CHECK(worst <= bound);
    CHECK(y(v.size() - 6) == 0);
    CHECK(y(v.size() - 2) == 2);
    CHECK(std::isnan(y(v.size() - 1)));
}

TEST_CASE("float expm1 and tanh hold their bounds (math/bounds.hpp) over every 256th float below 88.72, per evaluation path") {
    // AVX-512 float has its own expm1 and tanh; elsewhere they are xsimd's, whose float
    // expm1 reaches 2 ULPs at -15.9.
    constexpr bool own = actdsl::math::detail::is_avx512_float<xsimd::batch<float>>;
    std::vector<float> v = ref::float_bit_sweep(0x42B17000u, 256);  // |x| up to 88.72, below log(max)
    const float inf = std::numeric_limits<float>::infinity();
    for (const float f : {88.8f, inf, -inf, std::numeric_limits<float>::quiet_NaN()}) v.push_back(f);
    const auto xs = xt::adapt(v, std::vector<std::size_t>{v.size()});
    xt::xtensor<float, 1> e = xt::zeros<float>({v.size()}), t = e;
    forward(expm1(x), xs, e);
    forward(tanh(x), xs, t);
    const std::size_t swept = v.size() - 4;
    ref::real worst_negative = 0, worst_positive = 0;
    float negative_at = 0, positive_at = 0;
    for (std::size_t i = 0; i < swept; ++i) {
        const ref::real err = ref::ulp_error<float>(e(i), std::expm1(static_cast<ref::real>(v[i])));
        ref::real& worst = v[i] <= 0 ? worst_negative : worst_positive;
        if (err > worst) worst = err, (v[i] <= 0 ? negative_at : positive_at) = v[i];
    }
    INFO("expm1 worst at " << negative_at << " and " << positive_at);
    using actdsl::math::max_ulp;
    CHECK(worst_negative <= (own ? max_ulp("expm1", "AVX-512", "x <= 0") : max_ulp("expm1", "every path")));
    CHECK(worst_positive <= (own ? max_ulp("expm1", "AVX-512", "x > 0") : max_ulp("expm1", "every path")));
    CHECK(std::isinf(e(swept)));
    CHECK(e(swept + 1) == inf);
    CHECK(e(swept + 2) == -1);
    CHECK(std::isnan(e(swept + 3)));
    const auto [worst_tanh, tanh_at] = ref::worst_ulp_error(v, t, [](ref::real a) { return std::tanh(a); });
    INFO("tanh worst at " << tanh_at);
    CHECK(worst_tanh <= actdsl::math::max_ulp("tanh", "every path"));
    CHECK(t(swept + 1) == 1);
    CHECK(t(swept + 2) == -1);
    CHECK(std::isnan(t(swept + 3)));
    // Signed zeros: tanh and expm1 have the sign of x.
    CHECK(std::signbit(t(1)));
    CHECK(std::signbit(e(1)));
    CHECK(!std::signbit(t(0)));
}

TEMPLATE_TEST_CASE("exp holds its bound (math/bounds.hpp) at 100000 points from the subnormal results to overflow, both edges dense", "",
                   float, double) {
    // xsimd 8.1's exp flushes subnormal results to 0 and overflows half a binade early
    // (inf from 88.38 in float, 709.44 in double): both ends are sampled densely.
    using T = TestType;
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    const T lo = std::log(std::numeric_limits<T>::denorm_min()) - 1, hi = std::log(std::numeric_limits<T>::max()) + 1;
    std::vector<T> v = ref::uniform_values<T>(100000, lo, hi);
    for (const T edge : {std::log(std::numeric_limits<T>::min()), std::log(std::numeric_limits<T>::max()) - T(0.4)}) {
        T f = edge;
        for (int i = 0; i < 20000; ++i, f = std::nextafter(f, hi)) v.push_back(f);
    }
    const T inf = std::numeric_limits<T>::infinity();
    for (const T f : {T(0), -T(0), inf, -inf, std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::denorm_min()}) v.push_back(f);
    for (Bits b = 0; b < Bits{1} << (sizeof(T) == 4 ? 23 : 52); b += Bits{1} << (sizeof(T) == 4 ? 13 : 42)) {
        T f;  // subnormal inputs: exp = 1
        std::memcpy(&f, &b, sizeof f);
        v.push_back(-f);
    }
    const auto xs = xt::adapt(v, std::vector<std::size_t>{v.size()});
    xt::xtensor<T, 1> y = xt::zeros<T>({v.size()});
    forward(exp(x), xs, y);
    ref::real worst = 0;
    T worst_at = 0;
    std::size_t overflow_mismatch = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const ref::real expected = std::exp(static_cast<ref::real>(v[i]));
        if (std::isinf(static_cast<T>(expected))) {
            overflow_mismatch += !std::isinf(y(i));
            continue;
        }
        const ref::real e = ref::ulp_error<T>(y(i), expected);
        if (e > worst) worst = e, worst_at = v[i];
    }
    INFO("worst at " << worst_at);
    CHECK(worst <= actdsl::math::max_ulp("exp", "every path"));  // a flushed subnormal or an early inf is far beyond
    CHECK(overflow_mismatch == 0);
}

TEMPLATE_TEST_CASE("expm1 and log1p hold their bounds (math/bounds.hpp) at 100003 bit patterns per sign and where the form switches, signed zeros and specials included", "",
                   float, double) {
    using T = TestType;
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    // Every exponent of both signs, then dense where the evaluation switches form: expm1
    // at multiples of ln(2) / 2, log1p where 1 + x starts to round (-0.5, -0.25, 0.5).
    std::vector<T> v;
    const Bits step = (Bits{1} << (sizeof(T) * 8 - 1)) / 100003;
    for (Bits b = 0; b < (Bits{1} << (sizeof(T) * 8 - 1)); b += step) {
        T f;
        std::memcpy(&f, &b, sizeof f);
        if (std::isnan(f)) continue;
        v.push_back(f), v.push_back(-f);
    }
    for (const auto& [lo, hi] : {std::pair{T(-1), T(1)}, std::pair{T(-0.6), T(-0.2)}, std::pair{T(-20), T(90)}}) {
        const auto u = ref::uniform_values<T>(100000, lo, hi);
        v.insert(v.end(), u.begin(), u.end());
    }
    const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
    for (const T f : {T(0), -T(0), inf, -inf, nan, T(-1), std::nextafter(T(-1), T(0)), std::nextafter(T(-1), -inf),
                      std::numeric_limits<T>::denorm_min(), -std::numeric_limits<T>::denorm_min()})
        v.push_back(f);
    const auto xs = xt::adapt(v, std::vector<std::size_t>{v.size()});
    xt::xtensor<T, 1> y_expm1 = xt::zeros<T>({v.size()}), y_log1p = y_expm1;
    forward(expm1(x), xs, y_expm1);
    forward(log1p(x), xs, y_log1p);
    ref::real worst_expm1 = 0, worst_log1p = 0;
    T worst_expm1_at = 0, worst_log1p_at = 0;
    std::size_t zero_sign_mismatch = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const ref::real t = v[i];
        const ref::real e = std::expm1(t), l = t < -1 ? std::numeric_limits<ref::real>::quiet_NaN() : std::log1p(t);
        // Past log(max), expm1 is inf in T but finite in long double.
        const ref::real err_e = std::isinf(static_cast<T>(e)) ? (std::isinf(y_expm1(i)) ? 0 : 1e30) : ref::ulp_error<T>(y_expm1(i), e);
        const ref::real err_l = ref::ulp_error<T>(y_log1p(i), l);
        if (err_e > worst_expm1) worst_expm1 = err_e, worst_expm1_at = v[i];
        if (err_l > worst_log1p) worst_log1p = err_l, worst_log1p_at = v[i];
        if (v[i] == 0) zero_sign_mismatch += (std::signbit(y_expm1(i)) != std::signbit(v[i])) + (std::signbit(y_log1p(i)) != std::signbit(v[i]));
    }
    INFO("expm1 worst at " << worst_expm1_at << ", log1p worst at " << worst_log1p_at);
    CHECK(worst_expm1 <= actdsl::math::max_ulp("expm1", "every path"));
    CHECK(worst_log1p <= actdsl::math::max_ulp("log1p", "every path"));
    CHECK(zero_sign_mismatch == 0);
}

TEST_CASE("float log1p_unit holds its bound (math/bounds.hpp) over every 64th float in [0, 1], per evaluation path") {
    // softplus's log1p(exp(-|u|)): the argument lies in [0, 1]. With fused multiply-add
    // it has its own form; elsewhere it is log1p, whose bound is log1p's.
    using B = xsimd::batch<float>;
    constexpr bool own = actdsl::math::detail::has_fused_multiply_add<B::arch_type>;
    std::vector<float> v;
    for (std::uint32_t bits = 0; bits <= 0x3F800000u; bits += 64) {
        float f;
        std::memcpy(&f, &bits, sizeof f);
        v.push_back(f);
    }
    for (const float f : {0.5f, std::nextafter(0.5f, 0.0f), 1.0f, std::numeric_limits<float>::denorm_min()}) v.push_back(f);
    while (v.size() % B::size != 0) v.push_back(0.25f);
    xt::xtensor<float, 1> y = xt::zeros<float>({v.size()});
    for (std::size_t i = 0; i < v.size(); i += B::size)
        actdsl::math::log1p_unit(B::load_unaligned(&v[i])).store_unaligned(y.data() + i);
    const auto [worst, at] = ref::worst_ulp_error(v, y, [](ref::real t) { return std::log1p(t); });
    INFO("worst at " << at);
    using actdsl::math::max_ulp;
    CHECK(worst <= (own ? max_ulp("log1p_unit", "with FMA", "0 <= x <= 1") : max_ulp("log1p", "every path")));
    CHECK(y(0) == 0);
    CHECK(!std::signbit(y(0)));
    CHECK(std::isnan(actdsl::math::log1p_unit(B(std::numeric_limits<float>::quiet_NaN())).get(0)));
}

TEMPLATE_TEST_CASE("the fast sigmoid's guard sends far-left lanes to the exact form", "", float, double) {
    using T = TestType;
    // Lanes past the fast form's limit (exp(-u) would overflow) mixed with ordinary ones,
    // in every position of a batch.
    std::vector<T> values;
    for (const T v : {T(-95), T(-0.5), T(-100), T(3), T(-745), T(-87), T(1e-3), T(-700), T(-81)}) values.push_back(v);
    const std::size_t n = values.size() * 5;
    xt::xtensor<T, 1> xs = xt::zeros<T>({n});
    for (std::size_t i = 0; i < n; ++i) xs(i) = values[(i * 3) % values.size()];
    const xt::xtensor<T, 1> dy = xt::ones<T>({n});
    xt::xtensor<T, 1> s = xt::zeros<T>({n}), ds = s;
    forward_backward(sigmoid(x), xs, dy, s, ds);
    ref::real worst = 0, worst_d = 0;
    const ref::real smallest_normal = std::numeric_limits<T>::min();
    for (std::size_t i = 0; i < n; ++i) {
        const ref::real t = xs(i), expected = ref::sigmoid(t), expected_d = ref::sigmoid(t) * ref::sigmoid(-t);
        if (expected < smallest_normal) {
            // xsimd's exp flushes subnormal results to 0: below the normal range we get 0, never NaN or garbage.
            CHECK((s(i) >= 0 && s(i) < smallest_normal && ds(i) >= 0 && ds(i) < smallest_normal));
            continue;
        }
        worst = std::max(worst, ref::ulp_error<T>(s(i), expected));
        worst_d = std::max(worst_d, ref::ulp_error<T>(ds(i), expected_d));
    }
    CHECK(worst <= 4);
    CHECK(worst_d <= 8);
}

TEMPLATE_TEST_CASE("mish's fast plan and its exact fallback agree", "", float, double) {
    using T = TestType;
    // Inside the guard (u >= -80) the fast plan is the exact one without its gate guards.
    // The forward values are the same bits. The derivative's may differ by a rounding:
    // g++'s default -ffp-contract=fast fuses multiply-adds across operations that the
    // exact plan's blends keep apart, so an element's slope may move by that much with
    // its batch's neighbours, as silu's does between its fast and exact forms. xs stays inside the guard (every batch fast);
    // mixed puts -inf in every other element, so every batch of at least two lanes falls
    // back to the exact plan.
    const auto xs = random_input<T>(1037, T(-79), T(30));
    xt::xtensor<T, 1> mixed = xs;
    for (std::size_t i = 1; i < mixed.size(); i += 2) mixed(i) = -std::numeric_limits<T>::infinity();
    const auto dy = random_input<T>(xs.size(), T(-1), T(1));
    xt::xtensor<T, 1> y = xt::zeros<T>({xs.size()}), dx = y, y_mixed = y, dx_mixed = y;
    forward_backward(mish(x), xs, dy, y, dx);
    forward_backward(mish(x), mixed, dy, y_mixed, dx_mixed);
    ref::real worst = 0, worst_d = 0;
    for (std::size_t i = 0; i < xs.size(); i += 2) {
        worst = std::max(worst, ref::ulp_error<T>(y_mixed(i), y(i)));
        // dx = dy mish'(x), and mish' is at most 1.1 in size: measured in ULPs of dy.
        worst_d = std::max(worst_d, ref::ulp_error<T>(dx_mixed(i), dx(i), dy(i)));
    }
    INFO("forward " << worst << " ULPs, derivative " << worst_d << " ULPs of dy");
    CHECK(worst == 0);
    CHECK(worst_d <= 2);
    for (std::size_t i = 1; i < xs.size(); i += 2) {  // mish(-inf) = 0 (the limit), and so is its slope
        CHECK(y_mixed(i) == 0);
        CHECK(dx_mixed(i) == 0);
    }
}

TEMPLATE_TEST_CASE("logsigmoid's fast backward and its exact fallback agree, the tails included", "", float, double) {
    using T = TestType;
    // The fast plan's dy / (1 + exp(x)) holds while |x| <= 80 (700 in double); the exact
    // plan's dy e / (1 + e), e = exp(-|x|), for x >= 0, takes every batch with a lane
    // outside. mixed puts 200 (past the guard, where sigmoid(-x) = e^-x is 0 in float and
    // 1.4e-87 in double) in every other element, so every batch falls back.
    const T limit = -evaluation::fast_sigmoid_limit<T>;
    const auto xs = random_input<T>(1037, -limit, limit);
    xt::xtensor<T, 1> mixed = xs;
    for (std::size_t i = 1; i < mixed.size(); i += 2) mixed(i) = T(200);
    const auto dy = random_input<T>(xs.size(), T(-1), T(1));
    xt::xtensor<T, 1> dx = xt::zeros<T>({xs.size()}), dx_mixed = dx;
    backward(logsigmoid(x), xs, dy, dx);
    backward(logsigmoid(x), mixed, dy, dx_mixed);
    // Both against long double dy sigmoid(-x), relative: a product, conditioned like its factors.
    ref::real worst_fast = 0, worst_exact = 0;
    for (std::size_t i = 0; i < xs.size(); i += 2) {
        const ref::real want = ref::real(dy(i)) * ref::sigmoid(-ref::real(xs(i)));
        worst_fast = std::max(worst_fast, ref::ulp_error<T>(dx(i), want));
        worst_exact = std::max(worst_exact, ref::ulp_error<T>(dx_mixed(i), want));
    }
    INFO("fast " << worst_fast << " ULPs, exact " << worst_exact << " ULPs");
    CHECK(worst_fast <= 3);
    CHECK(worst_exact <= 3);
    for (std::size_t i = 1; i < xs.size(); i += 2)
        CHECK(ref::ulp_error<T>(dx_mixed(i), ref::real(dy(i)) * ref::sigmoid(ref::real(-200))) <= 2);
}

TEMPLATE_TEST_CASE("non-contiguous views give the same bits as contiguous arrays", "", float, double) {
    using T = TestType;
    const auto base = random_input<T>(3 * 1000 + 7);
    // Every third element: a strided view in and out.
    auto strided_in = xt::view(base, xt::range(1, base.size(), 3));
    xt::xtensor<T, 1> packed = strided_in;
    xt::xtensor<T, 1> expected = xt::zeros<T>({packed.size()});
    forward(silu_expr, packed, expected);
    xt::xtensor<T, 1> out_storage = xt::zeros<T>({base.size()});
    auto strided_out = xt::view(out_storage, xt::range(1, base.size(), 3));
    forward(silu_expr, strided_in, strided_out);
    for (std::size_t i = 0; i < packed.size(); ++i) CHECK(ref::same_bits<T>(strided_out(i), expected(i)));
    CHECK(out_storage(0) == 0);  // untouched between the strides
    // A transposed matrix.
    xt::xarray<T> m = xt::reshape_view(random_input<T>(37 * 19), {37, 19});
    xt::xarray<T> mt = xt::transpose(m);
    xt::xarray<T> out1 = xt::zeros<T>({19, 37}), out2 = out1;
    forward(silu_expr, xt::transpose(m), out1);
    forward(silu_expr, mt, out2);
    CHECK((out1 == out2));
    // A lazy xtensor expression as input.
    xt::xtensor<T, 1> shifted = xt::zeros<T>({packed.size()}), shifted_expected = shifted;
    forward(silu_expr, packed + T(1), shifted);
    xt::xtensor<T, 1> packed1 = packed + T(1);
    forward(silu_expr, packed1, shifted_expected);
    CHECK((shifted == shifted_expected));
}

TEMPLATE_TEST_CASE("ranks 1 to 4, xtensor and xarray", "", float, double) {
    using T = TestType;
    const auto flat = random_input<T>(2 * 3 * 5 * 7);
    xt::xtensor<T, 1> expected = xt::zeros<T>({flat.size()});
    forward(silu_expr, flat, expected);
    const auto check = [&](const auto& xs, auto y) {
        forward(silu_expr, xs, y);
        CHECK(std::equal(y.begin(), y.end(), expected.begin()));
    };
    check(xt::xtensor<T, 2>(xt::reshape_view(flat, {6, 35})), xt::xtensor<T, 2>(xt::zeros<T>({6, 35})));
    check(xt::xtensor<T, 3>(xt::reshape_view(flat, {6, 5, 7})), xt::xtensor<T, 3>(xt::zeros<T>({6, 5, 7})));
    check(xt::xtensor<T, 4>(xt::reshape_view(flat, {2, 3, 5, 7})), xt::xtensor<T, 4>(xt::zeros<T>({2, 3, 5, 7})));
    check(xt::xarray<T>(xt::reshape_view(flat, {2, 3, 5, 7})), xt::xarray<T>(xt::zeros<T>({2, 3, 5, 7})));
    // Column-major storage is traversed in the same logical (row-major) order.
    xt::xarray<T, xt::layout_type::column_major> cm = xt::reshape_view(flat, {6, 35});
    xt::xarray<T> out = xt::zeros<T>({6, 35});
    forward(silu_expr, cm, out);
    CHECK(std::equal(out.begin(), out.end(), expected.begin()));
}

TEMPLATE_TEST_CASE("in-place use: outputs may alias inputs", "", float, double) {
    using T = TestType;
    const auto xs = random_input<T>(1003);
    const auto dy = random_input<T>(1003, T(-1), T(1));
    xt::xtensor<T, 1> y = xt::zeros<T>({xs.size()}), dx = y, y_fb = y, dx_fb = y;
    forward(silu_expr, xs, y);
    backward(silu_expr, xs, dy, dx);
    forward_backward(silu_expr, xs, dy, y_fb, dx_fb);

    xt::xtensor<T, 1> a = xs;
    forward(silu_expr, a, a);
    CHECK((a == y));
    xt::xtensor<T, 1> g = dy;
    backward(silu_expr, xs, g, g);
    CHECK((g == dx));
    xt::xtensor<T, 1> b = xs, h = dy;
    forward_backward(silu_expr, b, h, b, h);
    CHECK((b == y_fb));
    CHECK((h == dx_fb));
    xt::xtensor<T, 1> c = xs;
    unfused::forward(silu_expr, c, c);
    xt::xtensor<T, 1> yu = xt::zeros<T>({xs.size()});
    unfused::forward(silu_expr, xs, yu);
    CHECK((c == yu));
}

TEST_CASE("mismatched shapes throw, name both shapes and write nothing") {
    const xt::xtensor<float, 2> xs = xt::ones<float>({2, 3});
    xt::xtensor<float, 2> y = xt::xtensor<float, 2>::from_shape({3, 2});
    y.fill(7.0f);
    REQUIRE_THROWS_AS(forward(silu_expr, xs, y), std::invalid_argument);
    try {
        forward(silu_expr, xs, y);
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "actdsl::forward: the arrays must have the same shape, but x has shape (2, 3), y has shape (3, 2)");
    }
    CHECK(xt::all(xt::equal(y, 7.0f)));
    xt::xtensor<float, 2> dy = xt::ones<float>({2, 3}), dx = xt::xtensor<float, 2>::from_shape({2, 2});
    dx.fill(7.0f);
    CHECK_THROWS_WITH(backward(silu_expr, xs, dy, dx), Catch::Contains("dx has shape (2, 2)"));
    CHECK_THROWS_AS(unfused::forward(silu_expr, xs, y), std::invalid_argument);
    CHECK(xt::all(xt::equal(dx, 7.0f)));
    CHECK(xt::all(xt::equal(y, 7.0f)));
}

TEST_CASE("empty arrays are fine") {
    xt::xtensor<float, 2> xs = xt::xtensor<float, 2>::from_shape({0, 4}), y = xs, dy = xs, dx = xs;
    forward(silu_expr, xs, y);
    forward_backward(silu_expr, xs, dy, y, dx);
    unfused::forward_backward(silu_expr, xs, dy, y, dx);
    CHECK(y.size() == 0);
}

TEMPLATE_TEST_CASE("unfused evaluation agrees with the reference and with fused", "", float, double) {
    using T = TestType;
    const auto xs = random_input<T>(4099);
    const xt::xtensor<T, 1> dy = xt::ones<T>({xs.size()});
    xt::xtensor<T, 1> y = xt::zeros<T>({xs.size()}), dx = y;
    unfused::workspace<T> ws;
    unfused::forward_backward(ws, silu_expr, xs, dy, y, dx);
    check_silu<T>(xs, y, dx);
    xt::xtensor<T, 1> y2 = xt::zeros<T>({xs.size()}), dx2 = y2;
    unfused::forward(ws, silu_expr, xs, y2);     // the workspace is reused
    unfused::backward(ws, silu_expr, xs, dy, dx2);
    CHECK((y2 == y));
    CHECK((dx2 == dx));
    // Leaves as outputs: an identity and a constant.
    xt::xtensor<T, 1> id = xt::zeros<T>({xs.size()});
    unfused::forward(x + 0 * sigmoid(x), xs, id);
    CHECK((id == xs));
    unfused::backward(2 * x, xs, dy, id);
    CHECK(xt::all(xt::equal(id, T(2))));
}

TEST_CASE("parameters are bound at the call") {
    const auto xs = random_input<double>(257, -10.0, 10.0);
    xt::xtensor<double, 1> y = xt::zeros<double>({xs.size()});
    for (const double b : {0.5, 1.0, 3.0}) {
        forward(swish, xs, y, beta = b);
        ref::real worst = 0;
        // The reference takes beta * x rounded to double, as any double kernel must: exp
        // amplifies that first rounding by |beta x| (27 here), which is conditioning, not error.
        for (std::size_t i = 0; i < xs.size(); ++i)
            worst = std::max(worst, ref::ulp_error<double>(y(i), xs(i) * ref::sigmoid(b * xs(i))));
        CHECK(worst <= 4);
    }
}

TEST_CASE("common subexpressions are computed once per element") {
    using namespace actdsl::evaluation;
    const auto count_ops = []<class Op, class... S>(Op, type_list<S...>) { return (std::size_t{is_op_v<S, Op>} + ... + 0); };
    // silu_expr's forward and derivative need sigmoid(x) and sigmoid(-x): one exp and one division in all.
    using silu_fb = decltype(kernels::forward_backward_program(silu_expr))::plan_type::slots;
    CHECK(count_ops(ops::exp{}, silu_fb{}) == 1);
    CHECK(count_ops(ops::div{}, silu_fb{}) == 1);
    // tanh' = 4 sigmoid(2u) sigmoid(-2u): again one exp for both sigmoids, beside tanh itself.
    using tanh_b = decltype(kernels::backward_program(tanh(x)))::plan_type::slots;
    CHECK(count_ops(ops::exp{}, tanh_b{}) == 1);
    // mish: one exp for both passes, and n = e (e + 2) is one node in both. The backward's
    // e (e + 2) needs no gate guard (it is finite where e is 0), so it is the forward's n:
    // five guards in all (two u > 20 cut-offs, three gate products whose cofactor holds u).
    using mish_fb = decltype(kernels::forward_backward_program(mish(x)))::plan_type::slots;
    CHECK(count_ops(ops::exp{}, mish_fb{}) == 1);
    CHECK(count_ops(ops::where{}, mish_fb{}) == 5);
    CHECK(count_ops(ops::div{}, mish_fb{}) == 2);
    // Its fast plan (guard u >= limit: e and the gate are never 0) drops the three gate
    // guards and keeps the two cut-offs.
    using mish_fb_fast = decltype(kernels::forward_backward_program(mish(x)))::fast_plan_type::slots;
    CHECK(count_ops(ops::exp{}, mish_fb_fast{}) == 1);
    CHECK(count_ops(ops::where{}, mish_fb_fast{}) == 2);
    // The fast forward plan divides x by 1 + E instead of multiplying by a reciprocal.
    // forward_backward computes y as forward does, and the derivative's reciprocal beside it.
    using silu_f_fast = decltype(kernels::forward_program(silu_expr))::fast_plan_type::slots;
    CHECK(count_ops(ops::div{}, silu_f_fast{}) == 1);
    CHECK(count_ops(ops::mul{}, silu_f_fast{}) == 0);
    using silu_fb_fast = decltype(kernels::forward_backward_program(silu_expr))::fast_plan_type::slots;
    CHECK(count_ops(ops::div{}, silu_fb_fast{}) == 2);
    // The fast plan's exp may flush subnormal results (its guard keeps them harmless): one, and no checked exp.
    CHECK(count_ops(ops::exp_flushing{}, silu_fb_fast{}) == 1);
    CHECK(count_ops(ops::exp{}, silu_fb_fast{}) == 0);
    // PyTorch's gelu tanh formula as a user writes it: 0.5 x (2 sigmoid(2 sqrt(2/pi) v)) is
    // x sigmoid(...), so the fast forward plan is silu's x / (1 + E) with no multiplication
    // left outside the argument; the argument multiplies by 2 sqrt(2/pi) once. The catalog's
    // factored form x sigmoid(x (k1 + k3 x^2)) takes three operations for it.
    using gelu_formula = decltype(kernels::forward_program(0.5_c * x * (1_c + tanh(sqrt_2_over_pi * (x + 0.044715_c * pow<3>(x))))));
    CHECK(count_ops(ops::div{}, gelu_formula::fast_plan_type::slots{}) == 1);
    CHECK(count_ops(ops::mul{}, gelu_formula::fast_plan_type::slots{}) == 3);  // 0.044715 x^3, (2 sqrt(2/pi)) v, and 2 sqrt(2/pi) itself (hoisted)
    using gelu_catalog = decltype(kernels::forward_program(gelu_tanh(x)))::fast_plan_type::slots;
    CHECK(count_ops(ops::div{}, gelu_catalog{}) == 1);
    CHECK(count_ops(ops::mul{}, gelu_catalog{}) == 2);
    CHECK(count_ops(ops::add{}, gelu_catalog{}) == 2);
    // The literal 0.5 is shared between forward and derivative: numbered before differentiation.
    using swish_fb = decltype(kernels::forward_backward_program(x * sigmoid(0.5 * x)))::plan_type::slots;
    CHECK(count_ops(ops::exp{}, swish_fb{}) == 1);
    // logsigmoid' = sigmoid(-x) alone: the fast plan is dy / (1 + exp(x)), one division and
    // no product, where E / (1 + E) with E = exp(-x) would multiply too.
    using logsigmoid_b_fast = decltype(kernels::backward_program(logsigmoid(x)))::fast_plan_type::slots;
    CHECK(count_ops(ops::exp_flushing{}, logsigmoid_b_fast{}) == 1);
    CHECK(count_ops(ops::div{}, logsigmoid_b_fast{}) == 1);
    CHECK(count_ops(ops::mul{}, logsigmoid_b_fast{}) == 0);
    // softplus's forward takes no fast plan: log1p(exp(u)) would call a second exp.
    // forward_backward plans y as forward does (no guard) and dx as backward does (the
    // fast sigmoid under its guard); its exact plan shares exp(-|x|) between the two.
    using softplus_fb = decltype(kernels::forward_backward_program(softplus(x)));
    CHECK(std::is_void_v<decltype(kernels::forward_program(softplus(x)))::fast_plan_type>);
    CHECK(softplus_fb::fast_plan_type::guards == 1);
    CHECK(softplus_fb::fast_plan_type::guard_of[0] == 1);  // y: none
    CHECK(softplus_fb::fast_plan_type::guard_of[1] == 0);
    CHECK(count_ops(ops::exp{}, softplus_fb::plan_type::slots{}) == 1);
}

TEMPLATE_TEST_CASE("activations of several inputs: one array per variable, one gradient per input", "", float, double) {
    using T = TestType;
    constexpr variable<"a"> a{};
    constexpr variable<"b"> b{};
    const auto glu = a * sigmoid(b);  // GLU on its two halves
    const auto av = random_input<T>(1037, T(-6), T(6));
    auto bv = random_input<T>(1037, T(-6), T(6));
    std::reverse(bv.begin(), bv.end());
    const auto dy = random_input<T>(1037, T(-1), T(1));
    xt::xtensor<T, 1> y = xt::zeros<T>({av.size()}), da = y, db = y, y2 = y, da2 = y, db2 = y;
    forward(glu, inputs(a = av, b = bv), y);
    backward(glu, inputs(a = av, b = bv), dy, gradients(da, db));
    ref::real worst = 0, worst_da = 0, worst_db = 0;
    for (std::size_t i = 0; i < av.size(); ++i) {
        const ref::real s = ref::sigmoid(bv(i)), s_neg = ref::sigmoid(-static_cast<ref::real>(bv(i)));
        worst = std::max(worst, ref::ulp_error<T>(y(i), av(i) * s));
        worst_da = std::max(worst_da, ref::ulp_error<T>(da(i), dy(i) * s));                      // ga = sigmoid(b) g
        worst_db = std::max(worst_db, ref::ulp_error<T>(db(i), dy(i) * av(i) * s * s_neg));      // gb = s(b)(1 - s(b)) a g
    }
    CHECK(worst <= 4);
    CHECK(worst_da <= 4);
    CHECK(worst_db <= 8);
    forward_backward(glu, inputs(a = av, b = bv), dy, y2, gradients(da2, db2));
    CHECK((y2 == y));
    CHECK((da2 == da));
    CHECK((db2 == db));
    // Strided halves of one array, as GLU splits its input.
    xt::xtensor<T, 2> both = xt::zeros<T>({av.size(), std::size_t{2}});
    xt::view(both, xt::all(), 0) = av;
    xt::view(both, xt::all(), 1) = bv;
    xt::xtensor<T, 1> y3 = xt::zeros<T>({av.size()});
    forward(glu, inputs(a = xt::view(both, xt::all(), 0), b = xt::view(both, xt::all(), 1)), y3);
    CHECK((y3 == y));
    xt::xtensor<T, 1> short_b = xt::zeros<T>({std::size_t{5}});
    CHECK_THROWS_WITH(forward(glu, inputs(a = av, b = short_b), y), Catch::Contains("b has shape (5,)"));
    CHECK_THROWS_WITH(backward(glu, inputs(a = av, b = bv), dy, gradients(da, short_b)), Catch::Contains("gradient of b has shape (5,)"));
}

TEMPLATE_TEST_CASE("any number of threads gives the same bits as one, parameter gradients of backward and forward_backward included", "", float, double) {
    // Over 2 x the grain, so that passes split; an odd length, so that the tail runs too.
    const std::size_t n = 5 * kernels::parallel_grain + 3 * W<TestType> + 5;
    xt::xtensor<TestType, 1> xs = xt::linspace<TestType>(-30, 30, n);
    xt::xtensor<TestType, 1> dys = xt::cos(xs);
    const auto pass = [&](int threads) {
        const ref::thread_count scope(threads);
        xt::xtensor<TestType, 1> y(xs.shape()), dx(xs.shape());
        double dbeta = 0, dbeta_fused = 0.5;
        forward(swish, xs, y, beta = 1.25);
        backward(swish, xs, dys, dx, parameter_gradients(dbeta), beta = 1.25);
        xt::xtensor<TestType, 1> y_fused(xs.shape()), dx_fused(xs.shape());
        forward_backward(swish, xs, dys, y_fused, dx_fused, parameter_gradients(dbeta_fused), beta = 1.25);
        return std::tuple{y, dx, dbeta, y_fused, dx_fused, dbeta_fused - 0.5};
    };
    const auto [y1, dx1, dbeta1, y1_fused, dx1_fused, dbeta1_fused] = pass(1);
    // forward_backward's parameter gradient is backward's, added to what the target held.
    CHECK(std::fabs(dbeta1_fused - dbeta1) <= 1e-12 * std::fabs(dbeta1));
    for (const int threads : {2, 3, 4}) {
        const auto [y, dx, dbeta, y_fused, dx_fused, dbeta_fused] = pass(threads);
        CHECK(std::memcmp(y.data(), y1.data(), n * sizeof(TestType)) == 0);
        CHECK(std::memcmp(dx.data(), dx1.data(), n * sizeof(TestType)) == 0);
        CHECK(std::memcmp(&dbeta, &dbeta1, sizeof(double)) == 0);
        CHECK(std::memcmp(y_fused.data(), y1_fused.data(), n * sizeof(TestType)) == 0);
        CHECK(std::memcmp(dx_fused.data(), dx1_fused.data(), n * sizeof(TestType)) == 0);
        CHECK(std::memcmp(&dbeta_fused, &dbeta1_fused, sizeof(double)) == 0);
    }
    // The sum itself against long double: sum of dy * x^2 s (1 - s), s = sigmoid(1.25 x).
    long double expected = 0, magnitude = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const long double t = xs[i], s = 1 / (1 + std::exp(-1.25L * t));
        const long double term = static_cast<long double>(dys[i]) * t * t * s * (1 - s);
        expected += term;
        magnitude += std::fabs(term);
    }
    CHECK(std::fabs(dbeta1 - static_cast<double>(expected)) <= 1e-5 * static_cast<double>(magnitude));
}
