// The loops. A program is run over arrays of equal shape: contiguous arrays in
// one SIMD loop over raw memory, anything else (strided, transposed, lazy) through
// xtensor's row-major iterators, W elements at a time. Both paths, and the tail,
// evaluate whole batches, so an element's result never depends on where it sits.
//
// Threads: with OpenMP enabled (-fopenmp; CMake's actdsl::actdsl adds it when
// found), a contiguous pass over at least 2 x parallel_grain elements is split
// across omp_get_max_threads() threads, each taking whole blocks of 256 batches.
// Sums (parameter gradients) are kept per block and added in block order, so
// every result is the same, bit for bit, for any number of threads. Inside an
// OpenMP parallel region, or on strided arrays, passes run on the calling thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <xtensor/xexpression.hpp>

#include "../evaluation/program.hpp"

namespace actdsl {

template <class A>
concept array_expression = xt::is_xexpression<std::remove_cvref_t<A>>::value;

namespace kernels {

template <class A>
using value_type_of = typename std::remove_cvref_t<A>::value_type;

template <class T, class... A>
inline constexpr bool all_of_value_type = (std::is_same_v<value_type_of<A>, T> && ...);

template <class Shape>
std::string shape_string(const Shape& shape) {
    std::ostringstream s;
    s << '(';
    for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    s << (shape.size() == 1 ? ",)" : ")");
    return s.str();
}

// Throws std::invalid_argument naming every array's shape unless all are equal.
// names: one name per array (std::array of string_view, or a vector of strings).
template <class Names, class... A>
void check_same_shape(std::string_view function, const Names& names, const A&... arrays) {
    const auto& first = std::get<0>(std::forward_as_tuple(arrays...)).shape();
    const bool same = ((std::equal(first.begin(), first.end(), arrays.shape().begin(), arrays.shape().end())) && ...);
    if (same) return;
    std::string msg = std::string("actdsl::") + std::string(function) + ": the arrays must have the same shape, but";
    std::size_t k = 0;
    ((msg += std::string(k ? "," : "") + " " + std::string(names[k]) + " has shape " + shape_string(arrays.shape()), ++k), ...);
    throw std::invalid_argument(msg);
}

// The first element in memory if the array is row-major contiguous, else nullptr.
template <class A>
auto contiguous_data(A& a) {
    if constexpr (requires { a.data(); a.strides(); a.data_offset(); }) {
        const auto& shape = a.shape();
        const auto& strides = a.strides();
        std::ptrdiff_t expected = 1;
        for (std::size_t d = shape.size(); d-- > 0;) {
            if (shape[d] != 1 && static_cast<std::ptrdiff_t>(strides[d]) != expected) return decltype(a.data() + 0){nullptr};
            expected *= static_cast<std::ptrdiff_t>(shape[d]);
        }
        return a.data() + a.data_offset();
    } else {
        return static_cast<value_type_of<A>*>(nullptr);
    }
}

// Evaluates one batch and hands each output to store(k, value). With a Fallback,
// Plan is the fast plan whose last root is its guard: a batch where any lane fails
// the guard (NaN included) is evaluated again with Fallback, the exact plan.
template <class Plan, class Fallback, class Env, class Store>
ACTDSL_INLINE void evaluate_batch(const Env& env, const Store& store) {
    using batch = typename Env::value_type;
    using T = math::element_t<batch>;
    const auto s = evaluation::run_plan<Plan, batch>(env);
    if constexpr (!std::is_void_v<Fallback>) {
        const batch guard = s[Plan::root_slot.back()];
        if (xsimd::any(!(guard >= batch(evaluation::fast_sigmoid_limit<T>)))) [[unlikely]] {
            const auto t = evaluation::run_plan<Fallback, batch>(env);
            for (std::size_t k = 0; k < Fallback::root_slot.size(); ++k) store(k, t[Fallback::root_slot[k]]);
            return;
        }
    }
    constexpr std::size_t outputs = std::is_void_v<Fallback> ? Plan::root_slot.size() : Plan::root_slot.size() - 1;
    for (std::size_t k = 0; k < outputs; ++k) store(k, s[Plan::root_slot[k]]);
}

// The roots of Plan (before its guard) that are not stored: they are summed over
// the array instead (a parameter's gradient, sum of dy * df/dbeta).
template <class Plan, class Fallback, std::size_t NOut>
inline constexpr std::size_t reduced_roots = Plan::root_slot.size() - (std::is_void_v<Fallback> ? 0 : 1) - NOut;

// Sums of batches: W lanes in T, moved into double every `flush` batches (one
// block) so that a float sum over millions of elements keeps its digits.
template <class batch, std::size_t R>
struct batch_sums {
    static constexpr std::size_t flush = 256;
    std::array<batch, R> partial{};
    std::array<double, R>* total;
    std::size_t count = 0;
    void add(std::size_t k, const batch& v) { partial[k] += v; }
    void step() {
        if (++count % flush == 0) drain();
    }
    void finish() {
        if (count % flush != 0) drain();
    }
    void drain() {
        for (std::size_t k = 0; k < R; ++k) {
            (*total)[k] += static_cast<double>(xsimd::hadd(partial[k]));
            partial[k] = batch(0);
        }
    }
};

// An environment over the inputs `in` at offset 0, the uniforms broadcast to batches.
template <class batch, std::size_t NIn, std::size_t NU>
evaluation::stream_environment<batch, NIn, NU> environment(const std::array<const math::element_t<batch>*, NIn>& in,
                                                           const std::array<double, NU>& uniforms) {
    evaluation::stream_environment<batch, NIn, NU> env{in, 0, {}};
    for (std::size_t k = 0; k < NU; ++k) env.uniforms[k] = batch(static_cast<math::element_t<batch>>(uniforms[k]));
    return env;
}

// Elements a thread must have at least before a pass is split across threads.
#ifndef ACTDSL_PARALLEL_GRAIN
#define ACTDSL_PARALLEL_GRAIN 65536
#endif
inline constexpr std::size_t parallel_grain = ACTDSL_PARALLEL_GRAIN;

// The number of threads for a pass over n elements: 1 without OpenMP, inside a
// parallel region, or below 2 x parallel_grain.
inline int threads_for(std::size_t n) {
#if defined(_OPENMP)
    if (omp_in_parallel()) return 1;
    const std::size_t most = std::max<std::size_t>(1, n / parallel_grain);
    return static_cast<int>(std::min<std::size_t>(most, static_cast<std::size_t>(omp_get_max_threads())));
#else
    (void)n;
    return 1;
#endif
}

// body(first, last) over consecutive ranges of [0, blocks), one per thread.
template <class Body>
void for_block_ranges(std::size_t blocks, int threads, const Body& body) {
#if defined(_OPENMP)
    if (threads > 1) {
#pragma omp parallel num_threads(threads)
        {
            const auto t = static_cast<std::size_t>(omp_get_thread_num());
            const auto nt = static_cast<std::size_t>(omp_get_num_threads());
            const std::size_t first = blocks * t / nt, last = blocks * (t + 1) / nt;
            if (first < last) body(first, last);
        }
        return;
    }
#else
    (void)threads;
#endif
    if (blocks > 0) body(std::size_t{0}, blocks);
}

// The whole batches of [begin, end) (multiples of W), their sums added to *totals.
template <class Plan, class Fallback, class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R>
void run_batches(const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out, std::size_t begin, std::size_t end,
                 const std::array<double, NU>& uniforms, std::array<double, R>* totals) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t W = batch::size;
    auto env = environment<batch>(in, uniforms);
    batch_sums<batch, R> acc{{}, totals};
    for (std::size_t k = 0; k < R; ++k) acc.partial[k] = batch(0);
    for (std::size_t i = begin; i < end; i += W) {
        env.offset = i;
        evaluate_batch<Plan, Fallback>(env, [&](std::size_t k, const batch& v) {
            if (k < NOut) v.store_unaligned(out[k] + i);
            else if constexpr (R > 0) acc.add(k - NOut, v);
        });
        if constexpr (R > 0) acc.step();
    }
    if constexpr (R > 0) acc.finish();
}

template <class Plan, class Fallback = void, class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R = 0>
void run_contiguous(const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out, std::size_t n,
                    const std::array<double, NU>& uniforms, std::array<double, R>* sums = nullptr) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t W = batch::size;
    static_assert(reduced_roots<Plan, Fallback, NOut> == R, "actdsl: internal error: one sum per reduced root");
    const std::size_t body = n / W * W;
    constexpr std::size_t block = batch_sums<batch, R>::flush * W;
    const std::size_t blocks = (body + block - 1) / block;
    const int threads = threads_for(n);
    const auto range = [&](std::size_t b) { return std::pair{b * block, std::min(body, (b + 1) * block)}; };
    if (R == 0 || threads == 1) {
        for_block_ranges(blocks, threads, [&](std::size_t first, std::size_t last) {
            run_batches<Plan, Fallback>(in, out, range(first).first, range(last - 1).second, uniforms, sums);
        });
    } else {
        // One total per block, added in block order: the same sums as one thread's.
        std::vector<std::array<double, R>> totals(blocks);
        for_block_ranges(blocks, threads, [&](std::size_t first, std::size_t last) {
            for (std::size_t b = first; b < last; ++b) run_batches<Plan, Fallback>(in, out, range(b).first, range(b).second, uniforms, &totals[b]);
        });
        for (const auto& t : totals)
            for (std::size_t k = 0; k < R; ++k) (*sums)[k] += t[k];
    }
    if (body == n) return;
    // The tail: zero-padded batches, so its lanes compute exactly as the body's do.
    const std::size_t i = body, m = n - body;
    auto env = environment<batch>(in, uniforms);
    alignas(64) std::array<std::array<T, W>, NIn> in_buf{};
    for (std::size_t k = 0; k < NIn; ++k) {
        if (in[k] != nullptr) std::copy_n(in[k] + i, m, in_buf[k].begin());
        env.inputs[k] = in_buf[k].data();
    }
    alignas(64) std::array<T, W> out_buf{};
    evaluate_batch<Plan, Fallback>(env, [&](std::size_t k, const batch& v) {
        v.store_aligned(out_buf.data());
        if (k < NOut) std::copy_n(out_buf.begin(), m, out[k] + i);
        else if constexpr (R > 0)  // only the real lanes: the padding's values are not part of the sum
            for (std::size_t j = 0; j < m; ++j) (*sums)[k - NOut] += static_cast<double>(out_buf[j]);
    });
}

template <class It, class T>
void read_n(It& it, std::size_t m, T* dst) {
    for (std::size_t j = 0; j < m; ++j, ++it) dst[j] = *it;
}
template <class T, class It>
void write_n(const T* src, std::size_t m, It& it) {
    for (std::size_t j = 0; j < m; ++j, ++it) *it = src[j];
}

template <class Plan, class Fallback, class T, class Ins, class Outs, std::size_t NU, std::size_t R = 0>
void run_iterators(const Ins& ins, Outs& outs, std::size_t n, const std::array<double, NU>& uniforms, std::array<double, R>* sums = nullptr) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t W = batch::size;
    constexpr std::size_t NIn = std::tuple_size_v<Ins>;
    constexpr std::size_t NOut = std::tuple_size_v<Outs>;
    alignas(64) std::array<std::array<T, W>, NIn> in_buf{};
    alignas(64) std::array<std::array<T, W>, NOut> out_buf{};
    auto env = environment<batch>(std::array<const T*, NIn>{}, uniforms);
    for (std::size_t k = 0; k < NIn; ++k) env.inputs[k] = in_buf[k].data();
    auto in_its = std::apply([](const auto&... a) { return std::tuple{a.cbegin()...}; }, ins);
    auto out_its = std::apply([](auto&... a) { return std::tuple{a.begin()...}; }, outs);
    for (std::size_t i = 0; i < n; i += W) {
        const std::size_t m = std::min(W, n - i);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            ((in_buf[K].fill(T(0)), read_n(std::get<K>(in_its), m, in_buf[K].data())), ...);
        }(std::make_index_sequence<NIn>{});
        evaluate_batch<Plan, Fallback>(env, [&](std::size_t k, const batch& v) {
            if (k < NOut) v.store_aligned(out_buf[k].data());
            else if constexpr (R > 0) {
                alignas(64) std::array<T, W> lanes{};
                v.store_aligned(lanes.data());
                for (std::size_t j = 0; j < m; ++j) (*sums)[k - NOut] += static_cast<double>(lanes[j]);
            }
        });
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (write_n(out_buf[K].data(), m, std::get<K>(out_its)), ...);
        }(std::make_index_sequence<NOut>{});
    }
}

// Runs program p with inputs `ins` (a tuple of arrays) writing `outs` (a tuple of
// arrays), after checking that every shape agrees. `names` names them for errors.
// With sums, the program's last R roots are summed over the array into (*sums)[0..R).
template <class Program, class Ins, class Outs, class Names = std::array<std::string_view, std::tuple_size_v<Ins> + std::tuple_size_v<Outs>>, std::size_t R = 0>
void run(std::string_view function, const Names& names, const Program& p, const Ins& ins, Outs outs, std::array<double, R>* sums = nullptr) {
    using plan_type = typename Program::plan_type;
    using fast_plan_type = typename Program::fast_plan_type;
    using T = value_type_of<std::tuple_element_t<0, Ins>>;
    std::apply([&](const auto&... a) { std::apply([&](const auto&... b) { check_same_shape(function, names, a..., b...); }, outs); }, ins);
    const std::size_t n = std::get<0>(ins).size();
    const auto in_ptrs = std::apply([](const auto&... a) { return std::array<const T*, sizeof...(a)>{contiguous_data(a)...}; }, ins);
    const auto out_ptrs = std::apply([](auto&... a) { return std::array<T*, sizeof...(a)>{contiguous_data(a)...}; }, outs);
    const bool contiguous = std::none_of(in_ptrs.begin(), in_ptrs.end(), [](auto q) { return q == nullptr; }) &&
                            std::none_of(out_ptrs.begin(), out_ptrs.end(), [](auto q) { return q == nullptr; });
    if constexpr (std::is_void_v<fast_plan_type>) {
        if (contiguous) run_contiguous<plan_type>(in_ptrs, out_ptrs, n, p.uniforms, sums);
        else run_iterators<plan_type, void, T>(ins, outs, n, p.uniforms, sums);
    } else {
        if (contiguous) run_contiguous<fast_plan_type, plan_type>(in_ptrs, out_ptrs, n, p.uniforms, sums);
        else run_iterators<fast_plan_type, plan_type, T>(ins, outs, n, p.uniforms, sums);
    }
}

}  // namespace kernels
}  // namespace actdsl
