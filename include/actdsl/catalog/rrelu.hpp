// RReLU in training mode: x > 0 ? x : r x, with one slope r ~ U(lower, upper) per
// element, as torch.nn.RReLU. The slopes come from a counter-based generator: slope
// i is a hash of (seed, step, i), so it does not depend on the SIMD width, on how the
// array is split, or on evaluation order, and backward regenerates the forward's
// slopes from the seed instead of keeping a noise tensor.
//
// The generator is SplitMix64's finaliser (Stafford's Mix13) over a Weyl sequence,
// the counter-based form used by java.util.SplittableRandom; it passes BigCrush.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>

#include "../kernels/fused.hpp"
#include "contiguous.hpp"

namespace actdsl {

// The generator: one U(lower, upper) slope per (seed, step, element index).
struct rrelu_noise {
    std::uint64_t seed = 0;
    std::uint64_t step = 0;  // advance it for each forward pass, as a fresh draw of PyTorch's generator
    double lower = 1.0 / 8, upper = 1.0 / 3;

    ACTDSL_INLINE static constexpr std::uint64_t mix(std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    constexpr std::uint64_t key() const { return mix(mix(seed + 0x9e3779b97f4a7c15ULL) + step * 0x9e3779b97f4a7c15ULL); }
    // u_i, uniform on [0, 1) with T's precision, for key k = key(): the top digits of
    // mix(k + (i + 1) golden) over 2^digits, exact. Slope i is lower + (upper - lower) u_i
    // in T, the product rounded before the sum (fill_slopes; never an fma, so that every
    // instruction set draws the same slopes).
    template <class T>
    ACTDSL_INLINE static constexpr T uniform(std::uint64_t k, std::uint64_t i) {
        const std::uint64_t bits = mix(k + (i + 1) * 0x9e3779b97f4a7c15ULL);
        constexpr int digits = std::numeric_limits<T>::digits;
        return static_cast<T>(bits >> (64 - digits)) * (T(1) / static_cast<T>(std::uint64_t{1} << digits));
    }
};

namespace rrelu_detail {

inline constexpr variable<"r"> r{};
inline constexpr variable<"g"> g{};
inline constexpr auto expression = where(x > c<0>, x, r * x);
inline constexpr auto gradient = g * derivative(expression, x);  // dy * (x > 0 ? 1 : r)
inline constexpr std::size_t chunk = 2048;

inline void check(const rrelu_noise& noise) {
    if (!(noise.lower <= noise.upper)) {
        std::ostringstream msg;
        msg << "actdsl::rrelu: upper must not be less than lower, got lower = " << noise.lower << " and upper = " << noise.upper;
        throw std::invalid_argument(msg.str());
    }
}

// slopes[j] = the slope of element first + j, for j < m. A plain loop, which g++
// vectorises for AVX-512 (vpmullq for the 64-bit multiplies, vcvtuqq2ps for the
// conversion) (bench_dispatch's rrelu_train). record_slopes records only that one: with
// SSE4.2's emulated 64-bit multiplies the vector loop is slower than the scalar one,
// and AVX2's is no faster (docs/design-notes.md).
// The product and the sum are two loops: in one expression, or one loop, g++ fuses
// them into an fma where the instruction set has one, and the slopes would differ
// from the baseline's in the last bit.
template <class A, class T>
void fill_slopes(const rrelu_noise& noise, std::uint64_t key, std::size_t first, std::size_t m, T* slopes) {
    const T lower = static_cast<T>(noise.lower), range = static_cast<T>(noise.upper - noise.lower);
    for (std::size_t j = 0; j < m; ++j) slopes[j] = range * rrelu_noise::uniform<T>(key, first + j);
    for (std::size_t j = 0; j < m; ++j) slopes[j] += lower;
}
template <class T>
using fill_slopes_fn = void (*)(const rrelu_noise&, std::uint64_t, std::size_t, std::size_t, T*);

// The generators recorded for other instruction sets (kernels/dispatch.hpp).
template <class T>
struct slopes_kernel_table {
    static inline std::array<fill_slopes_fn<T>, 4> entries{};
};
template <class T, class A = xsimd::default_arch>
bool record_slopes() {
    if constexpr (kernels::instruction_set_of<A>() == instruction_set::avx512)
        slopes_kernel_table<T>::entries[kernels::recording_slot<A>()] = &fill_slopes<A, T>;
    return true;
}

// Runs body(first, count, slopes) over the array in chunks, the chunk's slopes in a stack buffer.
template <class T, class Body>
void by_chunks(std::size_t n, const rrelu_noise& noise, Body body) {
    alignas(64) std::array<T, chunk> slopes;
    const std::uint64_t k = noise.key();
    const fill_slopes_fn<T> fill =
        kernels::select_kernel<slopes_kernel_table<T>>(&fill_slopes<xsimd::default_arch, T>, kernels::instruction_set_of<xsimd::default_arch>());
    for (std::size_t first = 0; first < n; first += chunk) {
        const std::size_t m = std::min(chunk, n - first);
        fill(noise, k, first, m, slopes.data());
        body(first, m, slopes.data());
    }
}

template <class T>
auto span(T* p, std::size_t m) {
    return xt::adapt(p, m, xt::no_ownership(), std::array<std::size_t, 1>{m});
}

}  // namespace rrelu_detail

// y = x > 0 ? x : r_i x. Elements are numbered in row-major order (other layouts
// go through a row-major copy).
template <class X, class Y>
void rrelu_train_forward(const X& x_in, Y&& y_out, const rrelu_noise& noise) {
    using namespace rrelu_detail;
    using T = typename std::remove_cvref_t<X>::value_type;
    check(noise);
    kernels::check_same_shape("rrelu_train_forward", std::array<std::string_view, 2>{"x", "y"}, x_in, y_out);
    std::optional<xt::xarray<T>> x_copy;
    const T* xp = catalog_detail::contiguous_input<T>(x_in, x_copy);
    catalog_detail::write_contiguous<T>(std::forward<Y>(y_out), [&](T* yp) {
        by_chunks<T>(x_in.size(), noise, [&](std::size_t first, std::size_t m, const T* slopes) {
            forward(rrelu_detail::expression, inputs(x = span(xp + first, m), r = span(slopes, m)), span(yp + first, m));
        });
    });
}

// dx = dy * (x > 0 ? 1 : r_i), with the slopes of the forward pass that used `noise`.
template <class X, class DY, class DX>
void rrelu_train_backward(const X& x_in, const DY& dy_in, DX&& dx_out, const rrelu_noise& noise) {
    using namespace rrelu_detail;
    using T = typename std::remove_cvref_t<X>::value_type;
    check(noise);
    kernels::check_same_shape("rrelu_train_backward", std::array<std::string_view, 3>{"x", "dy", "dx"}, x_in, dy_in, dx_out);
    std::optional<xt::xarray<T>> x_copy, dy_copy;
    const T* xp = catalog_detail::contiguous_input<T>(x_in, x_copy);
    const T* dyp = catalog_detail::contiguous_input<T>(dy_in, dy_copy);
    catalog_detail::write_contiguous<T>(std::forward<DX>(dx_out), [&](T* dxp) {
        by_chunks<T>(x_in.size(), noise, [&](std::size_t first, std::size_t m, const T* slopes) {
            forward(gradient, inputs(x = span(xp + first, m), g = span(dyp + first, m), r = span(slopes, m)),
                    span(dxp + first, m));
        });
    });
}

}  // namespace actdsl
