// GLU: the input's two halves a, b along `dim` give a * sigmoid(b), as torch.nn.GLU.
// It is a two-input expression run by the fused kernels on views of the halves;
// backward writes the gradients of both halves into the two halves of dx.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xstrided_view.hpp>

#include "../kernels/fused.hpp"

namespace actdsl {
namespace glu_detail {

inline constexpr variable<"a"> a{};
inline constexpr variable<"b"> b{};
inline constexpr auto expression = a * sigmoid(b);

// dim in [-rank, rank) as a non-negative axis, or an error naming the valid range.
inline std::size_t normalize_axis(std::string_view function, std::ptrdiff_t dim, std::size_t rank) {
    const auto r = static_cast<std::ptrdiff_t>(rank);
    if (rank == 0 || dim < -r || dim >= r)
        throw std::invalid_argument("actdsl::" + std::string(function) + ": dim " + std::to_string(dim) + " is out of range for a " +
                                    std::to_string(rank) + "-D array (valid: " + std::to_string(-r) + " to " + std::to_string(r - 1) + ")");
    return static_cast<std::size_t>(dim < 0 ? dim + r : dim);
}

// The first or second half of e along axis.
template <class E>
auto half(E&& e, std::size_t axis, bool second) {
    const std::size_t h = e.shape()[axis] / 2;
    xt::xstrided_slice_vector sv(e.dimension(), xt::all());
    sv[axis] = second ? xt::range(h, 2 * h) : xt::range(std::size_t{0}, h);
    return xt::strided_view(std::forward<E>(e), sv);
}

template <class X>
std::size_t check_split(std::string_view function, const X& input, std::ptrdiff_t dim) {
    const std::size_t axis = normalize_axis(function, dim, input.dimension());
    if (input.shape()[axis] % 2 != 0)
        throw std::invalid_argument("actdsl::" + std::string(function) + ": halving dim " + std::to_string(dim) +
                                    " needs an even size, but the input has shape " + kernels::shape_string(input.shape()));
    return axis;
}

}  // namespace glu_detail

// The shape of glu's output: x's shape with dim halved.
template <class X>
std::vector<std::size_t> glu_output_shape(const X& input, std::ptrdiff_t dim = -1) {
    const std::size_t axis = glu_detail::check_split("glu", input, dim);
    std::vector<std::size_t> shape(input.shape().begin(), input.shape().end());
    shape[axis] /= 2;
    return shape;
}

// y = a * sigmoid(b), a and b the halves of x along dim; y has glu_output_shape(x, dim).
template <class X, class Y>
void glu_forward(const X& x_in, Y&& y_out, std::ptrdiff_t dim = -1) {
    using namespace glu_detail;
    const std::size_t axis = check_split("glu_forward", x_in, dim);
    forward(glu_detail::expression, inputs(a = half(x_in, axis, false), b = half(x_in, axis, true)), y_out);
}

// dx (x's shape): the first half gets dy * sigmoid(b), the second dy * a * sigmoid(b) sigmoid(-b).
template <class X, class DY, class DX>
void glu_backward(const X& x_in, const DY& dy_in, DX&& dx_out, std::ptrdiff_t dim = -1) {
    using namespace glu_detail;
    const std::size_t axis = check_split("glu_backward", x_in, dim);
    kernels::check_same_shape("glu_backward", std::array<std::string_view, 2>{"x", "dx"}, x_in, dx_out);
    auto da = half(dx_out, axis, false);
    auto db = half(dx_out, axis, true);
    backward(glu_detail::expression, inputs(a = half(x_in, axis, false), b = half(x_in, axis, true)), dy_in, gradients(da, db));
}

}  // namespace actdsl
