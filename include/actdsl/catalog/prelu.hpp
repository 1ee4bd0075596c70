// PReLU: x > 0 ? x : w[c] x with a learnable weight per channel (channel = dim 1,
// one channel below 2 dims), as torch.nn.PReLU. backward gives dx and dweight; the
// per-channel sum dweight[c] = sum(x > 0 ? 0 : x dy) is taken inside the same pass
// over each channel's block, with no full-size temporary.
#pragma once

#include <cstddef>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xoperation.hpp>

#include "../kernels/fused.hpp"
#include "elementwise.hpp"

namespace actdsl {
namespace prelu_detail {

inline constexpr parameter<"weight"> weight{};
inline constexpr variable<"w"> w{};
inline constexpr variable<"g"> g{};

// The passes of layouts with short channel blocks, where the weight is an array w
// of x's shape: forward, and dx = dy * (x > 0 ? 1 : w). Named here because the
// dispatch objects record these kernels (catalog/dispatch.hpp).
inline constexpr auto broadcast_forward = prelu(x, w);
inline constexpr auto broadcast_backward = g * derivative(prelu(x, w), x);

// The layout PReLU works in: outer x channels x inner, row-major.
struct channel_blocks {
    std::size_t outer = 1, channels = 1, inner = 1;
};

template <class Shape>
channel_blocks blocks_of(const Shape& shape) {
    channel_blocks b;
    if (shape.size() >= 2) {
        b.outer = shape[0];
        b.channels = shape[1];
        b.inner = std::accumulate(shape.begin() + 2, shape.end(), std::size_t{1}, std::multiplies<>{});
    } else {
        b.inner = shape.empty() ? 1 : shape[0];
    }
    return b;
}

template <class X, class W>
channel_blocks check(std::string_view function, const X& x, const W& weights) {
    if (weights.dimension() != 1) throw std::invalid_argument(std::string("actdsl::") + std::string(function) + ": the weight must be a 1-D array");
    const channel_blocks b = blocks_of(x.shape());
    if (weights.size() != 1 && weights.size() != b.channels) {
        std::ostringstream msg;
        msg << "actdsl::" << function << ": mismatch of parameter numbers and input channel size: found " << weights.size()
            << " weights and " << b.channels << " channels (dim 1 of shape " << kernels::shape_string(x.shape())
            << "); use 1 weight or one per channel";
        throw std::invalid_argument(msg.str());
    }
    return b;
}

// The weight as an array of x's shape, for layouts whose channel blocks are too
// short to run one SIMD loop each (2-D input: one element per block).
template <class T, class X, class W>
auto broadcast_weight(const X& input, const W& weights) {
    std::vector<std::size_t> shape(input.dimension(), 1);
    if (input.dimension() >= 2) shape[1] = weights.size();
    return xt::cast<T>(xt::broadcast(xt::reshape_view(weights, shape), input.shape()));
}

// Below this many elements per channel block, the kernels run once over the whole
// array with the weight broadcast, instead of once per block.
inline constexpr std::size_t min_block = 64;

}  // namespace prelu_detail

// y = prelu(x) with weight[c] for channel c. weight has 1 or shape[1] values.
template <class X, class W, class Y>
void prelu_forward(const X& x_in, const W& weights, Y&& y_out) {
    using namespace prelu_detail;
    const channel_blocks b = check("prelu_forward", x_in, weights);
    kernels::check_same_shape("prelu_forward", std::array<std::string_view, 2>{"x", "y"}, x_in, y_out);
    if (x_in.size() == 0) return;
    if (weights.size() == 1) return forward(prelu(x, weight), x_in, y_out, weight = static_cast<double>(weights(0)));
    auto* xp = kernels::contiguous_data(x_in);
    auto* yp = kernels::contiguous_data(y_out);
    if (b.inner < min_block || xp == nullptr || yp == nullptr) {
        const auto wb = broadcast_weight<typename std::remove_cvref_t<X>::value_type>(x_in, weights);
        return forward(broadcast_forward, inputs(x = x_in, w = wb), y_out);
    }
    for (std::size_t o = 0; o < b.outer; ++o)
        for (std::size_t c = 0; c < b.channels; ++c) {
            const std::size_t at = (o * b.channels + c) * b.inner;
            const std::array<std::size_t, 1> shape{b.inner};
            forward(prelu(x, weight), xt::adapt(xp + at, b.inner, xt::no_ownership(), shape),
                    xt::adapt(yp + at, b.inner, xt::no_ownership(), shape), weight = static_cast<double>(weights(c)));
        }
}

// dx = dy * (x > 0 ? 1 : w[c]); dweight[c] = sum over channel c of (x > 0 ? 0 : x dy).
// dweight is overwritten (it has the weight's size).
template <class X, class W, class DY, class DX, class DW>
void prelu_backward(const X& x_in, const W& weights, const DY& dy_in, DX&& dx_out, DW&& dweight) {
    using namespace prelu_detail;
    const channel_blocks b = check("prelu_backward", x_in, weights);
    kernels::check_same_shape("prelu_backward", std::array<std::string_view, 3>{"x", "dy", "dx"}, x_in, dy_in, dx_out);
    if (dweight.size() != weights.size())
        throw std::invalid_argument("actdsl::prelu_backward: dweight must have the weight's size " + std::to_string(weights.size()) +
                                    ", but has " + std::to_string(dweight.size()));
    if (x_in.size() == 0) {  // no element to walk (an empty array's iterators may hold a null pointer)
        for (std::size_t c = 0; c < dweight.size(); ++c) dweight(c) = 0;
        return;
    }
    auto* xp = kernels::contiguous_data(x_in);
    auto* dyp = kernels::contiguous_data(dy_in);
    auto* dxp = kernels::contiguous_data(dx_out);
    if (weights.size() == 1) {
        double sum = 0;
        backward(prelu(x, weight), x_in, dy_in, dx_out, parameter_gradients(sum), weight = static_cast<double>(weights(0)));
        dweight(0) = static_cast<typename std::remove_cvref_t<DW>::value_type>(sum);
        return;
    }
    if (b.inner < min_block || xp == nullptr || dyp == nullptr || dxp == nullptr) {
        const auto wb = broadcast_weight<typename std::remove_cvref_t<X>::value_type>(x_in, weights);
        forward(broadcast_backward, inputs(x = x_in, g = dy_in, w = wb), dx_out);
        std::vector<std::size_t> axes;
        for (std::size_t d = 0; d < x_in.dimension(); ++d)
            if (d != 1) axes.push_back(d);
        const xt::xarray<double> sums = xt::sum(xt::where(x_in > 0, 0.0, xt::cast<double>(x_in) * xt::cast<double>(dy_in)), axes);
        for (std::size_t c = 0; c < b.channels; ++c) dweight(c) = static_cast<typename std::remove_cvref_t<DW>::value_type>(sums(c));
        return;
    }
    std::vector<double> sums(b.channels, 0.0);
    for (std::size_t o = 0; o < b.outer; ++o)
        for (std::size_t c = 0; c < b.channels; ++c) {
            const std::size_t at = (o * b.channels + c) * b.inner;
            const std::array<std::size_t, 1> shape{b.inner};
            backward(prelu(x, weight), xt::adapt(xp + at, b.inner, xt::no_ownership(), shape),
                     xt::adapt(dyp + at, b.inner, xt::no_ownership(), shape), xt::adapt(dxp + at, b.inner, xt::no_ownership(), shape),
                     parameter_gradients(sums[c]), weight = static_cast<double>(weights(c)));
        }
    for (std::size_t c = 0; c < b.channels; ++c) dweight(c) = static_cast<typename std::remove_cvref_t<DW>::value_type>(sums[c]);
}

}  // namespace actdsl
