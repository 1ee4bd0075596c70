// Maxout: the maximum over groups of `pieces` consecutive entries along `dim`
// (x.reshape(..., size / pieces, pieces, ...).max(dim + 1) in PyTorch terms).
// The gradient goes to the arg-max; on a tie, to the first piece, as torch.max;
// a NaN is the maximum and takes the gradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xstrided_view.hpp>

#include "../kernels/fused.hpp"
#include "contiguous.hpp"
#include "glu.hpp"

namespace actdsl {
namespace maxout_detail {

template <class X>
std::size_t check(std::string_view function, const X& input, std::size_t pieces, std::ptrdiff_t dim) {
    if (pieces == 0) throw std::invalid_argument("actdsl::" + std::string(function) + ": pieces must be at least 1");
    const std::size_t axis = glu_detail::normalize_axis(function, dim, input.dimension());
    if (input.shape()[axis] % pieces != 0)
        throw std::invalid_argument("actdsl::" + std::string(function) + ": the size of dim " + std::to_string(dim) + " must be a multiple of pieces = " +
                                    std::to_string(pieces) + ", but the input has shape " + kernels::shape_string(input.shape()));
    return axis;
}

// Piece p: entries p, p + pieces, p + 2 pieces, ... along axis.
template <class E>
auto piece(E&& e, std::size_t axis, std::size_t pieces, std::size_t p) {
    xt::xstrided_slice_vector sv(e.dimension(), xt::all());
    sv[axis] = xt::range(p, e.shape()[axis], pieces);
    return xt::strided_view(std::forward<E>(e), sv);
}

inline constexpr variable<"a"> a{};
inline constexpr variable<"b"> b{};
inline constexpr auto larger = max(a, b);  // folds one piece at a time into y

}  // namespace maxout_detail

template <class X>
std::vector<std::size_t> maxout_output_shape(const X& input, std::size_t pieces, std::ptrdiff_t dim = 1) {
    const std::size_t axis = maxout_detail::check("maxout", input, pieces, dim);
    std::vector<std::size_t> shape(input.shape().begin(), input.shape().end());
    shape[axis] /= pieces;
    return shape;
}

// y = max over each group of `pieces`; y has maxout_output_shape(x, pieces, dim). NaN propagates.
template <class X, class Y>
void maxout_forward(const X& x_in, Y&& y_out, std::size_t pieces, std::ptrdiff_t dim = 1) {
    using namespace maxout_detail;
    const std::size_t axis = check("maxout_forward", x_in, pieces, dim);
    const auto first = piece(x_in, axis, pieces, 0);
    kernels::check_same_shape("maxout_forward", std::array<std::string_view, 2>{"x's first piece", "y"}, first, y_out);
    if (y_out.size() == 0) return;  // no element to walk (an empty array's iterators may hold a null pointer)
    xt::noalias(y_out) = first;
    for (std::size_t p = 1; p < pieces; ++p) forward(larger, inputs(a = y_out, b = piece(x_in, axis, pieces, p)), y_out);
}

// dx (x's shape): dy at each group's arg-max, 0 elsewhere. A loop over row-major
// memory (through a copy for other layouts): xtensor 0.24 broadcasts a fixed-rank
// dy against a strided view's shape into a temporary of the wrong rank.
template <class X, class DY, class DX>
void maxout_backward(const X& x_in, const DY& dy_in, DX&& dx_out, std::size_t pieces, std::ptrdiff_t dim = 1) {
    using T = typename std::remove_cvref_t<X>::value_type;
    const std::size_t axis = maxout_detail::check("maxout_backward", x_in, pieces, dim);
    kernels::check_same_shape("maxout_backward", std::array<std::string_view, 2>{"x", "dx"}, x_in, dx_out);
    const auto& shape = x_in.shape();
    std::vector<std::size_t> y_shape(shape.begin(), shape.end());
    y_shape[axis] /= pieces;
    if (!std::equal(y_shape.begin(), y_shape.end(), dy_in.shape().begin(), dy_in.shape().end()))
        throw std::invalid_argument("actdsl::maxout_backward: dy must have the output's shape " + kernels::shape_string(y_shape) + ", but has " +
                                    kernels::shape_string(dy_in.shape()));
    if (x_in.size() == 0) return;
    const std::size_t outer = std::accumulate(shape.begin(), shape.begin() + static_cast<std::ptrdiff_t>(axis), std::size_t{1}, std::multiplies<>{});
    const std::size_t inner = std::accumulate(shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1, shape.end(), std::size_t{1}, std::multiplies<>{});
    const std::size_t groups = outer * (shape[axis] / pieces);
    std::optional<xt::xarray<T>> x_copy, dy_copy;
    const T* xp = catalog_detail::contiguous_input<T>(x_in, x_copy);
    const T* dyp = catalog_detail::contiguous_input<T>(dy_in, dy_copy);
    catalog_detail::write_contiguous<T>(std::forward<DX>(dx_out), [&](T* dxp) {
        for (std::size_t g = 0; g < groups; ++g) {
            const T* xg = xp + g * pieces * inner;  // piece p of element i at xg[p * inner + i]
            T* dxg = dxp + g * pieces * inner;
            for (std::size_t i = 0; i < inner; ++i) {
                std::size_t best = 0;  // the first NaN, else the first maximum
                for (std::size_t p = 1; p < pieces && !std::isnan(xg[best * inner + i]); ++p)
                    if (std::isnan(xg[p * inner + i]) || xg[p * inner + i] > xg[best * inner + i]) best = p;
                for (std::size_t p = 0; p < pieces; ++p) dxg[p * inner + i] = p == best ? dyp[g * inner + i] : T(0);
            }
        }
    });
}

}  // namespace actdsl
