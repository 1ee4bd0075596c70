// The elementwise activations of torch.nn (and squareplus, sparse_plus from jax.nn),
// written in the expression language: each returns an expression of its argument,
// so it composes (x * tanh(softplus(x)), gelu(2 * x)), differentiates, and runs
// through the fused kernels. Parameters, defaults, kink derivatives and parameter
// errors follow PyTorch (docs/catalog.md). A parameter is a number, checked
// here, or an actdsl::parameter to bind and differentiate later.
#pragma once

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include "../calculus/simplify.hpp"

namespace actdsl {
namespace catalog_detail {

template <class P>
concept number = arithmetic_operand<P>;

// Throws std::invalid_argument "actdsl::<function>: <rule>, got <name> = <value>" for a
// numeric parameter that breaks PyTorch's rule; parameters bound later are not checked.
template <class P, class Ok>
void require(const P& p, Ok ok, const char* function, const char* name, const char* rule) {
    if constexpr (number<P>) {
        if (!ok(static_cast<double>(p))) {
            std::ostringstream msg;
            msg << "actdsl::" << function << ": " << rule << ", got " << name << " = " << static_cast<double>(p);
            throw std::invalid_argument(msg.str());
        }
    }
}

// Hardtanh's rule on its bounds: empty when they hold, else what is wrong (the
// registry prefixes its own context).
inline std::string unordered_bounds(double min_val, double max_val) {
    if (max_val > min_val) return {};
    std::ostringstream msg;
    msg << "max_val must be greater than min_val, got min_val = " << min_val << " and max_val = " << max_val;
    return msg.str();
}

inline void require_ordered(double min_val, double max_val) {
    if (const std::string problem = unordered_bounds(min_val, max_val); !problem.empty())
        throw std::invalid_argument("actdsl::hardtanh: " + problem);
}

struct selu_alpha_tag {
    static constexpr std::string_view name = "selu_alpha";
    static constexpr long double value = 1.6732632423543772848170429916717L;
};
struct gelu_tanh_k1_tag {
    static constexpr std::string_view name = "2sqrt(2/pi)";
    static constexpr long double value = 2 * 0.797884560802865355879892119868763737L;
};
struct gelu_tanh_k3_tag {
    static constexpr std::string_view name = "0.08943sqrt(2/pi)";
    static constexpr long double value = 0.08943L * 0.797884560802865355879892119868763737L;
};
struct selu_scale_tag {
    static constexpr std::string_view name = "selu_scale";
    static constexpr long double value = 1.0507009873554804934193349852946L;
};

}  // namespace catalog_detail

// ---- the ReLU family ----------------------------------------------------------

// Threshold: x <= threshold ? value : x (both required, as in torch.nn.Threshold).
template <expression U, operand T, operand V>
constexpr auto threshold(const U& u, const T& threshold_value, const V& value) {
    return where(u <= threshold_value, value, u);
}

// max(x, 0); the slope at 0 is 0, and NaN stays NaN.
template <expression U>
constexpr auto relu(const U& u) { return max(u, c<0>); }

// clamp(x, min_val, max_val); slope 0 at both ends. Error if max_val <= min_val.
template <expression U, operand L = double, operand H = double>
constexpr auto hardtanh(const U& u, const L& min_val = -1.0, const H& max_val = 1.0) {
    if constexpr (catalog_detail::number<L> && catalog_detail::number<H>)
        catalog_detail::require_ordered(static_cast<double>(min_val), static_cast<double>(max_val));
    return min(max(u, min_val), max_val);
}

template <expression U>
constexpr auto relu6(const U& u) { return min(max(u, c<0>), c<6>); }

// x > 0 ? x : negative_slope * x; the slope at 0 is negative_slope.
template <expression U, operand S = double>
constexpr auto leaky_relu(const U& u, const S& negative_slope = 0.01) {
    return where(u > c<0>, u, negative_slope * u);
}

// RReLU in evaluation mode: leaky_relu with slope (lower + upper) / 2.
template <expression U>
constexpr auto rrelu_eval(const U& u, double lower = 1.0 / 8, double upper = 1.0 / 3) {
    catalog_detail::require(upper, [&](double v) { return v >= lower; }, "rrelu", "upper", "upper must not be less than lower");
    return leaky_relu(u, (lower + upper) / 2);
}

// PReLU with one weight: leaky_relu whose slope is the learnable `weight`.
template <expression U, operand W>
constexpr auto prelu(const U& u, const W& weight) { return where(u > c<0>, u, weight * u); }

// ---- exponential linear units --------------------------------------------------

// x > 0 ? x : alpha * expm1(x): expm1 keeps every digit near 0 (exp(x) - 1 loses them all).
template <expression U, operand A = double>
constexpr auto elu(const U& u, const A& alpha = 1.0) {
    return where(u > c<0>, u, alpha * expm1(u));
}

// max(0, x) + min(0, alpha * expm1(x / alpha)). Error if alpha == 0.
template <expression U, operand A = double>
constexpr auto celu(const U& u, const A& alpha = 1.0) {
    catalog_detail::require(alpha, [](double a) { return a != 0; }, "celu", "alpha", "alpha must not be 0");
    return where(u > c<0>, u, alpha * expm1(u / alpha));
}

// scale * elu(x, alpha) with the self-normalising constants.
template <expression U>
constexpr auto selu(const U& u) {
    constexpr named_constant<catalog_detail::selu_scale_tag> scale{};
    constexpr named_constant<catalog_detail::selu_alpha_tag> alpha{};
    return scale * where(u > c<0>, u, alpha * expm1(u));
}

// ---- smooth gates ---------------------------------------------------------------

// x Phi(x), Phi(x) = erfc(-x / sqrt 2) / 2: no 1 + erf(x) cancellation, so the left
// tail keeps its digits where PyTorch's formula returns 0 (below about -6 in float).
template <expression U>
constexpr auto gelu(const U& u) { return c<1, 2> * u * erfc(-(sqrt1_2 * u)); }

// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), written as x sigmoid(x (k1 + k3 x^2))
// with k1 = 2 sqrt(2/pi), k3 = 0.08943 sqrt(2/pi) (1 + tanh(v) = 2 sigmoid(2v)): exact in
// both tails, and three operations for the argument where the formula as written takes six.
// (The simplifier reaches x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)) from PyTorch's formula.)
template <expression U>
constexpr auto gelu_tanh(const U& u) {
    constexpr named_constant<catalog_detail::gelu_tanh_k1_tag> k1{};
    constexpr named_constant<catalog_detail::gelu_tanh_k3_tag> k3{};
    return u * sigmoid(u * (k1 + k3 * pow<2>(u)));
}

template <expression U>
constexpr auto silu(const U& u) { return u * sigmoid(u); }

// x tanh(softplus(x)), evaluated through one exp (the tanh_softplus node).
template <expression U>
constexpr auto mish(const U& u) { return u * tanh(softplus(u)); }

// min(max(x + 3, 0), 6) / 6; slope 1/6 strictly inside (-3, 3).
template <expression U>
constexpr auto hardsigmoid(const U& u) {
    return where(u <= c<-3>, c<0>, where(u >= c<3>, c<1>, (u + c<3>) / c<6>));
}

// x hardsigmoid(x); slope 0 at -3 and 1 at 3, as PyTorch.
template <expression U>
constexpr auto hardswish(const U& u) {
    return where(u <= c<-3>, c<0>, where(u >= c<3>, u, u * (u + c<3>) / c<6>));
}

// torch.nn.Softplus: beta x > threshold ? x : softplus(beta x) / beta. The threshold
// compares beta x, as PyTorch; below it the stable softplus never overflows, whatever
// beta and threshold are. (The one-argument softplus(u) is exact everywhere.)
template <expression U, operand B, operand T = double>
constexpr auto softplus(const U& u, const B& beta, const T& threshold_value = 20.0) {
    return where(beta * u > threshold_value, u, softplus(beta * u) / beta);
}

// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)).
template <expression U>
constexpr auto logsigmoid(const U& u) { return -softplus(-u); }

// x / (1 + |x|), as written: the calculus layer differentiates it over the common
// denominator, (1 / (1 + |x|))^2, with no cancellation (PyTorch's derivative
// loses 3.5e3 ULPs), and the kernels give its limit +-1 at +-inf, not NaN
// (calculus/homogeneous.hpp).
template <expression U>
constexpr auto softsign(const U& u) { return u / (c<1> + abs(u)); }

// x - tanh(x): the simplifier makes it the tanhshrink node, which sums the series
// below |x| = 1, where the difference cancels (math/tanhshrink.hpp).
template <expression U>
constexpr auto tanhshrink(const U& u) { return u - tanh(u); }

// |x| <= lambd ? 0 : x - sign(x) lambd. Error if lambd < 0.
template <expression U, operand L = double>
constexpr auto softshrink(const U& u, const L& lambd = 0.5) {
    catalog_detail::require(lambd, [](double l) { return l >= 0; }, "softshrink", "lambd", "lambd must be at least 0");
    return where(abs(u) <= lambd, c<0>, where(u > c<0>, u - lambd, u + lambd));
}

// |x| <= lambd ? 0 : x.
template <expression U, operand L = double>
constexpr auto hardshrink(const U& u, const L& lambd = 0.5) {
    return where(abs(u) <= lambd, c<0>, u);
}

// jax.nn.squareplus: (x + sqrt(x^2 + b)) / 2; for x < 0 written (b/4) / (sqrt(x^2 + b)/2 - x/2),
// which does not cancel. Past |x| = 2^27 sqrt(b) the root is |x| to double precision and
// x^2 may overflow: there it is |x|, plus (b/2) / |x| when b is a parameter, whose
// gradient needs the root's dependence on b (the next term is below 2^-110 of the root;
// not b / (2 |x|), as 2 |x| overflows). Error if b < 0.
template <expression U, operand B = double>
constexpr auto squareplus(const U& u, const B& b = 4.0) {
    catalog_detail::require(b, [](double v) { return v >= 0; }, "squareplus", "b", "b must be at least 0");
    const auto far = pow<2>(c<1, 134217728> * u) > b;  // |x| > 2^27 sqrt(b), with no sqrt and no overflow
    const auto far_root = [&] {
        if constexpr (arithmetic_operand<B>) return abs(u);
        else return abs(u) + c<1, 2> * b / abs(u);
    }();
    const auto root = where(far, far_root, sqrt(pow<2>(u) + b));
    // Halves summed, not a halved sum: u + root and root - u overflow past |u| = 1.7e38 in float.
    return where(u < c<0>, c<1, 4> * b / (c<1, 2> * root - c<1, 2> * u), c<1, 2> * u + c<1, 2> * root);
}

// jax.nn.sparse_plus: 0 for x <= -1, (x + 1)^2 / 4 between, x for x >= 1.
template <expression U>
constexpr auto sparse_plus(const U& u) {
    return where(u <= c<-1>, c<0>, where(u >= c<1>, u, c<1, 4> * pow<2>(u + c<1>)));
}

}  // namespace actdsl
