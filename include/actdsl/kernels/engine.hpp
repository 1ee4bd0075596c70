// The loops. A program is run over arrays of equal shape by range_kernel, the one
// loop that touches SIMD: contiguous arrays directly, anything else (strided,
// transposed, lazy) a block at a time through contiguous buffers filled by
// xtensor's row-major iterators. The last partial batch is zero-padded, so an
// element's result never depends on where it sits, nor on the layout.
//
// Which range_kernel runs: the caller's own (the instruction set it is compiled
// for), or a better one recorded by a dispatch object (dispatch.hpp).
//
// Threads: with OpenMP enabled (-fopenmp; CMake's actdsl::actdsl adds it when
// found), a contiguous pass over at least 2 x parallel_grain elements is split
// across omp_get_max_threads() threads in whole blocks of block_elements. Sums
// (parameter gradients) are kept per block and added in block order, so every
// result is the same, bit for bit, for any number of threads. Inside an OpenMP
// parallel region, or on strided arrays, passes run on the calling thread.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <xtensor/xarray.hpp>
#include <xtensor/xexpression.hpp>

#include "../evaluation/program.hpp"
#include "dispatch.hpp"

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

// Where a stored array's elements lie in memory: bytes [lo, hi), the address of its
// first element and its strides. Empty (lo == hi) for an empty array or an expression
// with no storage of its own.
struct memory_extent {
    static constexpr std::size_t max_rank = 32;
    std::uintptr_t lo = 0, hi = 0, first = 0;
    std::size_t rank = 0;
    std::array<std::ptrdiff_t, max_rank> strides{};  // 0 where the dim has one element
    bool dense = false;                                // its elements fill [lo, hi)
};

template <class A>
memory_extent extent_of(const A& a) {
    memory_extent e;
    if constexpr (requires { a.data(); a.strides(); a.data_offset(); }) {
        if (a.size() == 0) return e;
        const auto element = static_cast<std::ptrdiff_t>(sizeof(value_type_of<A>));
        const auto& shape = a.shape();
        const auto& strides = a.strides();
        std::ptrdiff_t low = 0, high = 0;
        e.rank = shape.size();
        for (std::size_t d = 0; d < shape.size(); ++d) {
            const auto stride = shape[d] == 1 ? std::ptrdiff_t{0} : static_cast<std::ptrdiff_t>(strides[d]);
            const std::ptrdiff_t reach = stride * static_cast<std::ptrdiff_t>(shape[d] - 1);
            (reach < 0 ? low : high) += reach;
            if (d < memory_extent::max_rank) e.strides[d] = stride;
        }
        e.first = reinterpret_cast<std::uintptr_t>(a.data() + a.data_offset());
        e.lo = e.first + static_cast<std::uintptr_t>(low * element);
        e.hi = e.first + static_cast<std::uintptr_t>((high + 1) * element);
        e.dense = e.hi - e.lo == a.size() * sizeof(value_type_of<A>);
    }
    return e;
}

// How two arrays of one shape share memory: not at all, element for element (the same
// first element and strides: in place), or partly.
enum class sharing { apart, same_elements, partial };

inline sharing sharing_of(const memory_extent& a, const memory_extent& b) {
    if (a.lo == a.hi || b.lo == b.hi || a.hi <= b.lo || b.hi <= a.lo) return sharing::apart;
    const bool same = a.first == b.first && a.rank == b.rank && a.rank <= memory_extent::max_rank && a.strides == b.strides;
    return same ? sharing::same_elements : sharing::partial;
}

// Whether an output shares memory with an input other than element for element: the
// pass must then write through a temporary.
template <std::size_t NIn, std::size_t NOut>
bool needs_temporary(const std::array<memory_extent, NIn>& ins, const std::array<memory_extent, NOut>& outs) {
    for (const auto& o : outs)
        for (const auto& in : ins)
            if (sharing_of(o, in) == sharing::partial) return true;
    return false;
}

// Two outputs that hold a common element (the same array twice, or dense arrays whose
// memory overlaps): the results would depend on the order of the writes. The pair's
// positions among the outputs, if there is one. Outputs whose memory interleaves
// without a common element (GLU's two gradient halves of one dx) are apart.
template <std::size_t NOut>
std::optional<std::pair<std::size_t, std::size_t>> outputs_sharing_elements(const std::array<memory_extent, NOut>& outs) {
    for (std::size_t i = 0; i < NOut; ++i)
        for (std::size_t j = i + 1; j < NOut; ++j) {
            const sharing s = sharing_of(outs[i], outs[j]);
            if (s == sharing::same_elements || (s == sharing::partial && outs[i].dense && outs[j].dense)) return std::pair{i, j};
        }
    return std::nullopt;
}

// Evaluates one batch and hands each output to store(k, value). With a Fallback,
// Plan is a guarded fast plan (program.hpp): where a lane fails the guard of root k
// (NaN included), the batch is evaluated again with Fallback, the exact plan, and
// that lane of root k takes the exact plan's value while the others keep the fast
// plan's. So an element's result depends on its own inputs only, never on its
// neighbours in the batch, and strided, transposed and contiguous calls give the
// same bits; each root is guarded as its pass alone guards it, so forward_backward's
// y and gradients are forward's and backward's.
//
// exact_first carries, from one batch to the next, whether the last batch had no lane
// that passed a guard. While that holds (a run of far-tail inputs), the guards are
// computed on their own first, and a batch where no lane passes any guard runs the
// exact plan alone instead of both: every root takes the exact value, which for a
// root without a guard is the expression the fast plan computes. Which plans run
// depends on the neighbours; which value each lane takes does not.
template <class Plan, class Fallback, class Env, class Store>
ACTDSL_INLINE void evaluate_batch(const Env& env, const Store& store, [[maybe_unused]] bool& exact_first) {
    using batch = typename Env::value_type;
    using T = math::element_t<batch>;
    if constexpr (std::is_void_v<Fallback>) {
        const auto s = evaluation::run_plan<Plan, batch>(env);
        for (std::size_t k = 0; k < Plan::root_slot.size(); ++k) store(k, s[Plan::root_slot[k]]);
    } else {
        constexpr std::size_t G = Plan::guards, N = Plan::root_slot.size() - G;
        using mask = typename batch::batch_bool_type;
        const batch limit(evaluation::fast_sigmoid_limit<T>);
        std::array<mask, G> fast;
        std::array<batch, N> roots;  // the fast plan's values
        bool fast_ran = true;
        if (exact_first) [[unlikely]] {
            using guard_plan = typename Plan::guard_plan;
            const auto guards = evaluation::run_plan<guard_plan, batch>(env);
            bool none = true;
            for (std::size_t g = 0; g < G; ++g) none = none && !xsimd::any(guards[guard_plan::root_slot[g]] >= limit);
            if (none) {
                fast_ran = false;
                fast.fill(mask(false));
                roots.fill(batch(T(0)));
            }
            exact_first = none;
        }
        if (fast_ran) {
            const auto s = evaluation::run_plan<Plan, batch>(env);
            for (std::size_t k = 0; k < N; ++k) roots[k] = s[Plan::root_slot[k]];
            for (std::size_t g = 0; g < G; ++g) fast[g] = s[Plan::root_slot[N + g]] >= limit;
            auto all = fast[0], any = fast[0];
            for (std::size_t g = 1; g < G; ++g) all = all && fast[g], any = any || fast[g];
            if (xsimd::all(all)) [[likely]] {
                for (std::size_t k = 0; k < N; ++k) store(k, roots[k]);
                return;
            }
            exact_first = !xsimd::any(any);
        }
        const auto t = evaluation::run_plan<Fallback, batch>(env);
        for (std::size_t k = 0; k < N; ++k) {
            const auto g = Plan::guard_of[k];
            const batch exact = t[Fallback::root_slot[k]];
            store(k, g < G ? xsimd::select(fast[g], roots[k], exact) : (fast_ran ? roots[k] : exact));
        }
    }
}

// The roots of Plan (before its guards) that are not stored: they are summed over
// the array instead (a parameter's gradient, sum of dy * df/dbeta).
template <class Plan, class Fallback, std::size_t NOut>
inline constexpr std::size_t reduced_roots = [] {
    if constexpr (std::is_void_v<Fallback>) return Plan::root_slot.size() - NOut;
    else return Plan::root_slot.size() - Plan::guards - NOut;
}();

// Elements per block: a pass is split across threads in whole blocks, and a
// parameter gradient is summed per block, then over blocks in order. The same for
// every instruction set (a multiple of every batch width), so sums and thread
// splits never depend on which kernel runs.
inline constexpr std::size_t block_elements = 4096;

// An environment over the inputs `in` at offset 0, the uniforms broadcast to batches.
template <class batch, std::size_t NIn, std::size_t NU>
ACTDSL_INLINE evaluation::stream_environment<batch, NIn, NU> environment(const std::array<const math::element_t<batch>*, NIn>& in,
                                                                         const std::array<double, NU>& uniforms) {
    evaluation::stream_environment<batch, NIn, NU> env{in, 0, {}};
    for (std::size_t k = 0; k < NU; ++k) env.uniforms[k] = batch(static_cast<math::element_t<batch>>(uniforms[k]));
    return env;
}

// The fused kernel for one instruction set: elements [begin, end) of contiguous
// arrays, begin a multiple of the batch width. A last partial batch is read
// zero-padded, so its lanes compute exactly as the body's do. With R > 0 the
// program's last R roots are summed over the range (in T per lane, then in
// double) into *totals, which the caller limits to one block.
// Only code templated on Arch is reached from here: dispatch objects compiled for
// other instruction sets instantiate it, and nothing they emit may be shared
// with the rest of the program (see dispatch.hpp).
template <class Arch, class Plan, class Fallback, class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R>
void range_kernel(const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out, std::size_t begin, std::size_t end,
                  const std::array<double, NU>& uniforms, std::array<double, R>* totals) {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    static_assert(reduced_roots<Plan, Fallback, NOut> == R, "actdsl: internal error: one sum per reduced root");
    static_assert(block_elements % W == 0, "actdsl: internal error: a block holds whole batches");
    auto env = environment<batch>(in, uniforms);
    std::array<batch, R> partial;
    for (std::size_t k = 0; k < R; ++k) partial[k] = batch(T(0));
    // Lane sums move into double every 256 batches, so a float sum keeps its digits.
    const auto drain = [&] {
        for (std::size_t k = 0; k < R; ++k) {
            (*totals)[k] += static_cast<double>(xsimd::hadd(partial[k]));
            partial[k] = batch(T(0));
        }
    };
    const std::size_t body = begin + (end - begin) / W * W;
    bool exact_first = false;
    for (std::size_t i = begin; i < body; i += W) {
        env.offset = i;
        evaluate_batch<Plan, Fallback>(env, [&](std::size_t k, const batch& v) {
            if (k < NOut) v.store_unaligned(out[k] + i);
            else if constexpr (R > 0) partial[k - NOut] += v;
        }, exact_first);
        if constexpr (R > 0)
            if ((i - begin) / W % 256 == 255) drain();
    }
    if constexpr (R > 0)
        if ((body - begin) / W % 256 != 0) drain();
    if (body == end) return;
    const std::size_t m = end - body;
    alignas(64) std::array<std::array<T, W>, NIn> in_buf{};
    for (std::size_t k = 0; k < NIn; ++k) {
        if (in[k] != nullptr)  // the unfused passes leave inputs their plan does not read null
            for (std::size_t j = 0; j < m; ++j) in_buf[k][j] = in[k][body + j];
        env.inputs[k] = in_buf[k].data();
    }
    env.offset = 0;
    alignas(64) std::array<T, W> out_buf{};
    evaluate_batch<Plan, Fallback>(env, [&](std::size_t k, const batch& v) {
        v.store_aligned(out_buf.data());
        if (k < NOut)
            for (std::size_t j = 0; j < m; ++j) out[k][body + j] = out_buf[j];
        else if constexpr (R > 0)  // only the real lanes: the padding's values are not part of the sum
            for (std::size_t j = 0; j < m; ++j) (*totals)[k - NOut] += static_cast<double>(out_buf[j]);
    }, exact_first);
}

// The kernels of one program: its table of recorded kernels and range_kernel for
// any architecture. NIn and NOut count arrays; R sums follow the outputs.
template <class Program, class T, std::size_t NIn, std::size_t NOut, std::size_t R>
struct kernel_of {
    using safe = typename Program::plan_type;
    using fast = typename Program::fast_plan_type;
    using plan = std::conditional_t<std::is_void_v<fast>, safe, fast>;
    using fallback = std::conditional_t<std::is_void_v<fast>, void, safe>;
    static constexpr std::size_t NU = std::tuple_size_v<decltype(Program::uniforms)>;
    using table = kernel_table<plan, fallback, T, NIn, NOut, NU, R>;
    using fn = range_kernel_fn<T, NIn, NOut, NU, R>;
    template <class Arch>
    static constexpr fn for_arch = &range_kernel<Arch, plan, fallback, T, NIn, NOut, NU, R>;

    // The kernel to run in this translation unit: a recorded one, or its own.
    static fn select() { return select_kernel<table>(for_arch<xsimd::default_arch>, instruction_set_of<xsimd::default_arch>()); }

    // Records this translation unit's kernel (a dispatch object's).
    template <class A = xsimd::default_arch>
    static bool record() {
        table::entries[recording_slot<A>()] = for_arch<A>;
        return true;
    }
};

// A program for each outcome of its literal tests: each one's kernels.
template <class... Programs, class T, std::size_t NIn, std::size_t NOut, std::size_t R>
struct kernel_of<evaluation::program_choice<Programs...>, T, NIn, NOut, R> {
    template <class A = xsimd::default_arch>
    static bool record() {
        return (kernel_of<Programs, T, NIn, NOut, R>::template record<A>() && ...);
    }
};

// Elements a thread must have at least before a pass is split across threads
// (ACTDSL_PARALLEL_GRAIN, config.hpp).
inline constexpr std::size_t parallel_grain = ACTDSL_PARALLEL_GRAIN;

// The number of threads for a pass over n elements: 1 without OpenMP, inside a
// parallel region, or below 2 x parallel_grain; never more than the processors
// OpenMP reports, whatever omp_get_max_threads() says (libomp returns garbage for
// OMP_NUM_THREADS=abc or -3).
inline int threads_for(std::size_t n) {
#if defined(_OPENMP)
    if (omp_in_parallel()) return 1;
    const std::size_t most = n / parallel_grain;
    const int requested = omp_get_max_threads();
    if (most < 2 || requested < 2) return 1;
    // omp_get_num_procs() is a system call (sched_getaffinity): asked only here.
    const int processors = std::max(1, omp_get_num_procs());
    return static_cast<int>(std::min<std::size_t>(most, static_cast<std::size_t>(std::min(requested, processors))));
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

// A pass over contiguous arrays of n elements, split across threads in blocks.
template <class T, std::size_t NIn, std::size_t NOut, std::size_t NU, std::size_t R>
void run_contiguous(range_kernel_fn<T, NIn, NOut, NU, R> kernel, const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out,
                    std::size_t n, const std::array<double, NU>& uniforms, std::array<double, R>* sums) {
    const std::size_t blocks = (n + block_elements - 1) / block_elements;
    const int threads = threads_for(n);
    const auto range_end = [&](std::size_t b) { return std::min(n, b * block_elements); };
    if constexpr (R == 0) {
        for_block_ranges(blocks, threads, [&](std::size_t first, std::size_t last) {
            kernel(in, out, first * block_elements, range_end(last), uniforms, nullptr);
        });
    } else {
        // One total per block, added in block order: the same sums for any thread count.
        std::vector<std::array<double, R>> totals(blocks);
        for_block_ranges(blocks, threads, [&](std::size_t first, std::size_t last) {
            for (std::size_t b = first; b < last; ++b) kernel(in, out, b * block_elements, range_end(b + 1), uniforms, &totals[b]);
        });
        for (const auto& t : totals)
            for (std::size_t k = 0; k < R; ++k) (*sums)[k] += t[k];
    }
}

// Plan over contiguous arrays with this translation unit's own kernel (the unfused
// passes, which are not dispatched: they are the baseline fusion is measured against).
template <class Plan, class T, std::size_t NIn, std::size_t NOut, std::size_t NU>
void run_own_contiguous(const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out, std::size_t n,
                        const std::array<double, NU>& uniforms) {
    run_contiguous<T, NIn, NOut, NU, 0>(&range_kernel<xsimd::default_arch, Plan, void, T, NIn, NOut, NU, 0>, in, out, n, uniforms, nullptr);
}

template <class It, class T>
void read_n(It& it, std::size_t m, T* dst) {
    for (std::size_t j = 0; j < m; ++j, ++it) dst[j] = *it;
}
template <class T, class It>
void write_n(const T* src, std::size_t m, It& it) {
    for (std::size_t j = 0; j < m; ++j, ++it) *it = src[j];
}

// A pass over arrays that are not all contiguous: a block at a time is copied
// through xtensor's row-major iterators into contiguous buffers and run by the
// same kernel, so the results (sums included) are those of contiguous arrays.
template <class T, class Ins, class Outs, std::size_t NU, std::size_t R>
void run_iterators(range_kernel_fn<T, std::tuple_size_v<Ins>, std::tuple_size_v<Outs>, NU, R> kernel, const Ins& ins, Outs& outs,
                   std::size_t n, const std::array<double, NU>& uniforms, std::array<double, R>* sums) {
    constexpr std::size_t NIn = std::tuple_size_v<Ins>;
    constexpr std::size_t NOut = std::tuple_size_v<Outs>;
    const std::size_t chunk = std::min(n, block_elements);
    std::vector<T> buffer((NIn + NOut) * chunk);
    std::array<T*, NIn> in;
    std::array<T*, NOut> out;
    for (std::size_t k = 0; k < NIn; ++k) in[k] = buffer.data() + k * chunk;
    for (std::size_t k = 0; k < NOut; ++k) out[k] = buffer.data() + (NIn + k) * chunk;
    const std::array<const T*, NIn> in_read = std::apply([](auto... q) { return std::array<const T*, NIn>{q...}; }, in);
    auto in_its = std::apply([](const auto&... a) { return std::tuple{a.cbegin()...}; }, ins);
    auto out_its = std::apply([](auto&... a) { return std::tuple{a.begin()...}; }, outs);
    for (std::size_t i = 0; i < n; i += block_elements) {
        const std::size_t m = std::min(block_elements, n - i);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (read_n(std::get<K>(in_its), m, in[K]), ...);
        }(std::make_index_sequence<NIn>{});
        std::array<double, R> total{};
        kernel(in_read, out, 0, m, uniforms, &total);
        for (std::size_t k = 0; k < R; ++k) (*sums)[k] += total[k];
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (write_n(out[K], m, std::get<K>(out_its)), ...);
        }(std::make_index_sequence<NOut>{});
    }
}

// Runs program p with inputs `ins` (a tuple of arrays) writing `outs` (a tuple of
// arrays), after checking that every shape agrees. `names` names them for errors.
// With sums, the program's last R roots are summed over the array into (*sums)[0..R).
template <class Program, class Ins, class Outs, class Names = std::array<std::string_view, std::tuple_size_v<Ins> + std::tuple_size_v<Outs>>, std::size_t R = 0>
void run(std::string_view function, const Names& names, const Program& p, const Ins& ins, Outs outs, std::array<double, R>* sums = nullptr) {
    if constexpr (evaluation::is_program_choice_v<Program>) {
        p.visit([&](const auto& q) { run(function, names, q, ins, outs, sums); });
    } else {
        using T = value_type_of<std::tuple_element_t<0, Ins>>;
        constexpr std::size_t NIn = std::tuple_size_v<Ins>, NOut = std::tuple_size_v<Outs>;
        std::apply([&](const auto&... a) { std::apply([&](const auto&... b) { check_same_shape(function, names, a..., b...); }, outs); }, ins);
        const auto in_extents = std::apply([](const auto&... a) { return std::array<memory_extent, NIn>{extent_of(a)...}; }, ins);
        const auto out_extents = std::apply([](const auto&... a) { return std::array<memory_extent, NOut>{extent_of(a)...}; }, outs);
        if (const auto pair = outputs_sharing_elements(out_extents))
            throw std::invalid_argument(std::string("actdsl::") + std::string(function) + ": the outputs " + std::string(names[NIn + pair->first]) +
                                        " and " + std::string(names[NIn + pair->second]) + " share memory; give each its own array");
        if (needs_temporary(in_extents, out_extents)) {
            // An output that partly overlaps an input (shifted, or interleaved through strides):
            // compute into fresh arrays, then copy, so that every element reads its input first.
            std::array<xt::xarray<T>, NOut> fresh;
            for (auto& f : fresh) f = xt::xarray<T>::from_shape(std::get<0>(ins).shape());
            run(function, names, p, ins, [&]<std::size_t... K>(std::index_sequence<K...>) {
                return std::forward_as_tuple(fresh[K]...);
            }(std::make_index_sequence<NOut>{}), sums);
            [&]<std::size_t... K>(std::index_sequence<K...>) {
                ((std::get<K>(outs) = fresh[K]), ...);
            }(std::make_index_sequence<NOut>{});
            return;
        }
        const std::size_t n = std::get<0>(ins).size();
        const auto in_ptrs = std::apply([](const auto&... a) { return std::array<const T*, NIn>{contiguous_data(a)...}; }, ins);
        const auto out_ptrs = std::apply([](auto&... a) { return std::array<T*, NOut>{contiguous_data(a)...}; }, outs);
        const bool contiguous = std::none_of(in_ptrs.begin(), in_ptrs.end(), [](auto q) { return q == nullptr; }) &&
                                std::none_of(out_ptrs.begin(), out_ptrs.end(), [](auto q) { return q == nullptr; });
        const auto kernel = kernel_of<Program, T, NIn, NOut, R>::select();
        if (contiguous) run_contiguous(kernel, in_ptrs, out_ptrs, n, p.uniforms, sums);
        else run_iterators<T>(kernel, ins, outs, n, p.uniforms, sums);
    }
}

}  // namespace kernels
}  // namespace actdsl
