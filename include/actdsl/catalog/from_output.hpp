// Derivatives written in the output y = f(x), for the activations where y
// determines f'(x): backward still works after an in-place forward has
// overwritten x (PyTorch's inplace=True), and it reads one array less.
//
//     actdsl::forward(actdsl::elu(x), a, a);                               // a = elu(a)
//     actdsl::backward_from_output(actdsl::from_output::elu(), a, dy, dx); // dx = dy * elu'(x)
//
// Each derivative gives PyTorch's kink values. Where y does not determine x
// (ELU or LeakyReLU with a negative slope, Threshold with value > threshold,
// Softplus across its threshold jump, Hardsigmoid whose (x + 3) / 6 rounds to 1
// just below x = 3, SiLU, Mish, Hardswish) there is no entry:
// keep x and call backward.
#pragma once

#include <array>
#include <string_view>

#include "../kernels/fused.hpp"
#include "elementwise.hpp"

namespace actdsl {

// The variable that stands for the activation's output in the derivatives below.
inline constexpr variable<"y"> output{};

namespace from_output {

// s (1 - s)
constexpr auto sigmoid() { return output * (c<1> - output); }
// 1 - t^2
constexpr auto tanh() { return c<1> - output * output; }
// 1 where y > 0, else 0 (0 at the kink, as PyTorch).
constexpr auto relu() { return where(output > c<0>, c<1>, c<0>); }
// 1 strictly inside (min_val, max_val), else 0.
template <operand L = double, operand H = double>
constexpr auto hardtanh(const L& min_val = -1.0, const H& max_val = 1.0) {
    if constexpr (catalog_detail::number<L> && catalog_detail::number<H>)
        catalog_detail::require_ordered(static_cast<double>(min_val), static_cast<double>(max_val));
    return where(output > min_val, where(output < max_val, c<1>, c<0>), c<0>);
}
constexpr auto relu6() { return where(output > c<0>, where(output < c<6>, c<1>, c<0>), c<0>); }
// 1 where y > 0, else negative_slope; needs negative_slope >= 0 (PyTorch's rule for in-place).
template <operand S = double>
constexpr auto leaky_relu(const S& negative_slope = 0.01) {
    catalog_detail::require(negative_slope, [](double s) { return s >= 0; }, "from_output::leaky_relu", "negative_slope",
                            "the derivative from the output needs negative_slope >= 0");
    return where(output > c<0>, c<1>, negative_slope);
}
// 1 where y > 0, else y + alpha (= alpha e^x); needs alpha >= 0.
template <operand A = double>
constexpr auto elu(const A& alpha = 1.0) {
    catalog_detail::require(alpha, [](double a) { return a >= 0; }, "from_output::elu", "alpha",
                            "the derivative from the output needs alpha >= 0");
    return where(output > c<0>, c<1>, output + alpha);
}
// 1 where y > 0, else y / alpha + 1 (= e^(x/alpha)); any alpha != 0.
template <operand A = double>
constexpr auto celu(const A& alpha = 1.0) {
    catalog_detail::require(alpha, [](double a) { return a != 0; }, "from_output::celu", "alpha", "alpha must not be 0");
    return where(output > c<0>, c<1>, output / alpha + c<1>);
}
// scale where y > 0, else y + scale alpha (= scale alpha e^x).
constexpr auto selu() {
    constexpr named_constant<catalog_detail::selu_scale_tag> scale{};
    constexpr named_constant<catalog_detail::selu_alpha_tag> alpha{};
    return where(output > c<0>, scale, output + scale * alpha);
}

}  // namespace from_output

namespace from_output_detail {
// backward_from_output's kernel: a forward pass of dy * g(y) over the inputs y and dy.
template <class G>
constexpr auto gradient(const G& derivative_in_output) { return kernels::incoming_gradient * derivative_in_output; }
// Its recorder for runtime dispatch: the inputs are named as backward_from_output binds them.
template <class G, class T>
using recorder = kernels::inputs_recorder<xsimd::default_arch, std::remove_const_t<decltype(gradient(std::declval<const G&>()))>, T,
                                          kernels::recorded_passes::forward_only, "y", "dy">;
}  // namespace from_output_detail

// dx = dy * g(y), g a derivative written in actdsl::output (from_output:: above, or
// the user's own). One fused pass; dx may be the same array as y or dy.
template <class G, class Y, class DY, class DX, parameter_value... B>
void backward_from_output(const G& derivative_in_output, const Y& y, const DY& dy, DX&& dx, const B&... params) {
    static_assert(expression<G>, "actdsl::backward_from_output: the first argument is a derivative written in actdsl::output, "
                                 "such as actdsl::from_output::sigmoid()");
    // The pass below is a forward pass over (y, dy): check here, so that a wrong shape is
    // reported in backward_from_output's own words.
    kernels::check_same_shape("backward_from_output", std::array<std::string_view, 3>{"y", "dy", "dx"}, y, dy, dx);
    forward(from_output_detail::gradient(derivative_in_output), inputs(output = y, kernels::incoming_gradient = dy),
            std::forward<DX>(dx), params...);
}

namespace dispatch {

// Records backward_from_output's kernel for the derivative g and each element type T
// (see record in kernels/fused.hpp): record_from_output<float>(from_output::tanh()).
template <class... T, class G>
ACTDSL_INLINE bool record_from_output(const G&) {
    static_assert(sizeof...(T) > 0 && ((std::is_same_v<T, float> || std::is_same_v<T, double>) && ...),
                  "actdsl::dispatch::record_from_output<T...>(g): name the element types, e.g. record_from_output<float>(g)");
    static_assert(expression<G>, "actdsl::dispatch::record_from_output: the argument is a derivative written in actdsl::output, "
                                 "such as actdsl::from_output::sigmoid()");
    return (from_output_detail::recorder<G, T>::record() && ...);
}

}  // namespace dispatch

}  // namespace actdsl
