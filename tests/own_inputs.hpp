// An element's result depends on its own inputs only (never on its neighbours in a
// batch), and forward_backward gives forward's and backward's bits, for the whole
// catalog and a few user formulas. test_own_inputs_float.cpp and
// test_own_inputs_double.cpp run it, one translation unit per type, so that their
// kernels compile in parallel.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <catch2/catch.hpp>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/list.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

#include "reference.hpp"

namespace own_inputs {

using namespace actdsl;

inline constexpr parameter<"beta"> beta{};

template <class T>
constexpr std::size_t W = xsimd::batch<T>::size;

template <class T>
xt::xtensor<T, 1> random_input(std::size_t n, T lo, T hi) {
    auto v = ref::uniform_values<T>(n, lo, hi);
    xt::xtensor<T, 1> a = xt::zeros<T>({n});
    std::copy(v.begin(), v.end(), a.begin());
    return a;
}

// Inputs that send a batch down every path: ordinary values, the far left where the
// fast plans' guards fail, huge magnitudes, infinities, NaN, signed zeros, subnormals.
template <class T>
std::vector<T> probe_values() {
    const T inf = std::numeric_limits<T>::infinity();
    std::vector<T> v{T(-100), T(-1e4), -inf, inf, std::numeric_limits<T>::quiet_NaN(), T(0), -T(0),
                     std::numeric_limits<T>::denorm_min(), -std::numeric_limits<T>::min(), std::numeric_limits<T>::max(),
                     std::numeric_limits<T>::lowest()};
    for (T t = T(-120); t <= T(120); t += T(0.37)) v.push_back(t);
    return v;
}

// The same bits, or NaN both (a NaN's sign and payload depend on the path it took).
template <class T>
bool same_result(T a, T b) { return ref::same_bits<T>(a, b) || (std::isnan(a) && std::isnan(b)); }

// Checks, for f with its parameters bound, that forward_backward's y and dx are the
// bits of forward's y and backward's dx, and that each element gives the same bits in
// each pass (forward, backward, forward_backward) computed alone, among the probe
// values, and with each neighbour in {-100, -1e4, NaN, inf} filling the rest of its
// two batches: the neighbours send the batch down the exact plan, the element alone
// may take the fast one. An element in the second batch follows a batch of neighbours
// only, after which its batch's guards are computed first (engine.hpp's exact_first).
template <class T, class F, class... B>
void check_own_inputs_only(const F& f, const B&... params) {
    const auto values = probe_values<T>();
    const std::size_t n = values.size();
    xt::xtensor<T, 1> xs = xt::adapt(values, {n});
    xt::xtensor<T, 1> dy = random_input<T>(n, T(-2), T(2));
    xt::xtensor<T, 1> y = xt::zeros<T>({n}), dx = y, y2 = y, dx2 = y;
    forward(f, xs, y, params...);
    backward(f, xs, dy, dx, params...);
    forward_backward(f, xs, dy, y2, dx2, params...);
    std::size_t y_differ = 0, dx_differ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        y_differ += same_result<T>(y2(i), y(i)) ? 0 : 1;
        dx_differ += same_result<T>(dx2(i), dx(i)) ? 0 : 1;
    }
    INFO("forward_backward differs from forward in " << y_differ << " and from backward in " << dx_differ << " of " << n << " elements");
    CHECK(y_differ == 0);
    CHECK(dx_differ == 0);
    const std::size_t w = 2 * W<T>;
    const auto alone_and_crowded = [&](T neighbour, bool alone) {
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t m = alone ? 1 : w, at = alone ? 0 : i % w;
            xt::xtensor<T, 1> in = xt::zeros<T>({m}), g = in, out_y = in, out_dx = in, both_y = in, both_dx = in;
            in.fill(neighbour);
            g.fill(T(1));
            in(at) = xs(i);
            g(at) = dy(i);
            forward(f, in, out_y, params...);
            backward(f, in, g, out_dx, params...);
            forward_backward(f, in, g, both_y, both_dx, params...);
            INFO("x = " << xs(i) << (alone ? ", alone" : ", among neighbours ") << neighbour);
            CHECK(same_result<T>(out_y(at), y(i)));
            CHECK(same_result<T>(out_dx(at), dx(i)));
            CHECK(same_result<T>(both_y(at), y2(i)));
            CHECK(same_result<T>(both_dx(at), dx2(i)));
        }
    };
    alone_and_crowded(T(0), true);
    for (const T neighbour : {T(-100), T(-1e4), std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity()})
        alone_and_crowded(neighbour, false);
}

// The catalog's examples and four user formulas, in T.
template <class T>
void check_every_example() {
    catalog::for_each_example([&](const auto&, const auto& ex) {
        INFO(ex.function);
        check_own_inputs_only<T>(ex.make());
    });
    check_own_inputs_only<T>(x * sigmoid(beta * x), beta = 1.5);
    check_own_inputs_only<T>(x * tanh(log1p(sigmoid(x))));
    check_own_inputs_only<T>(0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
    check_own_inputs_only<T>(x / sqrt(1 + 0.5 * x * x));
}

}  // namespace own_inputs
