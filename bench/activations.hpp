// The benchmark's activations, written once as actdsl expressions and once as
// the same formulas in xtensor's lazy expressions (the baseline).
#pragma once

#include <actdsl/actdsl.hpp>
#include <xtensor/xmath.hpp>

namespace bench {

using namespace actdsl;
using namespace actdsl::literals;

inline constexpr auto silu = x * sigmoid(x);
inline constexpr auto gelu_tanh = c<1, 2> * x * (1_c + tanh(sqrt_2_over_pi * (x + 0.044715_c * pow<3>(x))));
inline constexpr auto mish = x * tanh(log1p(exp(x)));

// xtensor's lazy expressions of the same formulas: forward, and dy * f'(x) written by
// hand. A named sub-expression would be captured by reference and dangle once
// returned, so each use builds its own: lazy evaluation recomputes it anyway.
struct xtensor_silu {
    static auto sigmoid(const auto& x) { return 1.0f / (1.0f + xt::exp(-x)); }
    static auto forward(const auto& x) { return x / (1.0f + xt::exp(-x)); }
    static auto backward(const auto& x, const auto& dy) { return dy * sigmoid(x) * (1.0f + x * (1.0f - sigmoid(x))); }
};
struct xtensor_gelu_tanh {
    static constexpr float k = 0.7978845608028654f;
    static auto t(const auto& x) { return xt::tanh(k * (x + 0.044715f * x * x * x)); }
    static auto forward(const auto& x) { return 0.5f * x * (1.0f + t(x)); }
    static auto backward(const auto& x, const auto& dy) {
        return dy * (0.5f * (1.0f + t(x)) + 0.5f * x * (1.0f - t(x) * t(x)) * k * (1.0f + 3.0f * 0.044715f * x * x));
    }
};
struct xtensor_mish {
    static auto t(const auto& x) { return xt::tanh(xt::log1p(xt::exp(x))); }
    static auto forward(const auto& x) { return x * t(x); }
    static auto backward(const auto& x, const auto& dy) {
        return dy * (t(x) + x * (1.0f / (1.0f + xt::exp(-x))) * (1.0f - t(x) * t(x)));
    }
};

}  // namespace bench
