// softmax, softmin, log_softmax, logsumexp and softmax2d along any axis of an
// xtensor array, forward and backward, stable (the max is subtracted), with an
// optional mask as jax's where=.
//
//     actdsl::softmax(x, y, -1);                    // y = exp(x - max) / sum exp(x - max)
//     actdsl::softmax_backward(y, dy, dx, -1);      // dx = y (dy - sum(dy y)), from the output
//     actdsl::log_softmax(x, y, 1, mask);           // masked entries excluded
//
// The axis must be given (PyTorch's implicit dim is deprecated) and may be negative.
//
// How it runs. The array is seen as [outer, n, inner], n the axis.
// * Last axis (inner = 1): per row, a max pass, then a pass that stores e = exp(x - max)
//   and sums it, then a pass that scales y by 1 / sum (log_softmax writes x - max - log sum
//   and stores nothing). One exp per element; the row is in L1 or L2 for the later
//   passes, which are pipelined across rows (forward_rows). An online normaliser
//   (running max and sum in one read pass) needs two exps per element, one to rescale
//   the sum and one in the write pass: slower while the row fits in cache, which is
//   every row a network has (docs/design-notes.md).
// * Other axes: the inner rows are independent, so SIMD lanes run across them: each
//   lane keeps its own max and sum. No transposition, no gather. The forward and
//   backward passes and logsumexp read whole rows of the [n, inner] slab in order
//   (forward_columns, backward_columns, logsumexp_columns).
// * Threads: with OpenMP, a pass over at least 2 x kernels::parallel_grain elements
//   gives each thread a range of the outer slabs (run_units); the results are the same
//   bits for any number of threads.
// Arrays that are not row-major contiguous are copied to a contiguous temporary.
//
// Edge cases, as PyTorch 1.13: a row with a NaN gives NaN everywhere in the row; a row
// with +inf gives NaN (inf - inf); a row of all -inf gives NaN; a length-1 axis gives
// 1 (log_softmax 0); an empty axis gives an empty result (logsumexp: -inf). With a
// mask, masked entries are 0 in softmax and softmin and -inf in log_softmax (log 0, as
// jax), and get zero gradient; a row with nothing unmasked (or whose unmasked entries
// are all -inf) is all 0 (log_softmax: all -inf).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <xsimd/xsimd.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xoperation.hpp>

#include "../math/math.hpp"
#include "../kernels/dispatch.hpp"
#include "../kernels/engine.hpp"
#include "contiguous.hpp"
#include "glu.hpp"

// Each pass's body, and the exp it calls, must inline into its loop (flatten below, and
// ACTDSL_LAMBDA_INLINE from config.hpp on the lambdas): an out-of-line call spills the
// accumulators around every batch.

namespace actdsl {
namespace softmax_detail {

using catalog_detail::contiguous_input;
using catalog_detail::write_contiguous;

enum class kind { softmax, softmin, log_softmax };

struct geometry {
    std::size_t outer = 1, n = 1, inner = 1;
};

template <class Shape>
geometry split(const Shape& shape, std::size_t axis) {
    geometry g;
    for (std::size_t d = 0; d < shape.size(); ++d) {
        if (d < axis) g.outer *= shape[d];
        else if (d == axis) g.n = shape[d];
        else g.inner *= shape[d];
    }
    return g;
}

// Every loop below is a template of its xsimd architecture A, so that the kernels can
// be recorded for other instruction sets (dispatch::record_softmax) like the elementwise ones.
template <class A, class T>
using batch = xsimd::batch<T, A>;

// Named apart from exp and log: a generic exp(const B&) loses overload resolution to
// xsimd's exp, found by argument-dependent lookup, which is slower and flushes
// (math/exp.hpp).
template <class B>
ACTDSL_INLINE B exp_of(const B& v) { return math::exp(v); }
template <class B>
ACTDSL_INLINE B log_of(const B& v) {
    using std::log;
    return log(v);
}

// A whole batch (count is a compile-time W) or the first `count` lanes, the rest
// of a partial load reading `pad`.
template <std::size_t W>
using full = std::integral_constant<std::size_t, W>;

template <class A, class T, class C>
ACTDSL_INLINE batch<A, T> load(const T* p, C count, T pad) {
    using B = batch<A, T>;
    if constexpr (std::is_same_v<C, full<B::size>>) {
        return B::load_unaligned(p);
    } else {
        alignas(64) T buf[B::size];
        for (std::size_t i = 0; i < B::size; ++i) buf[i] = i < count ? p[i] : pad;
        return B::load_aligned(buf);
    }
}
template <class A, class T, class C>
ACTDSL_INLINE void store(T* p, C count, const batch<A, T>& v) {
    if constexpr (std::is_same_v<C, full<batch<A, T>::size>>) {
        v.store_unaligned(p);
    } else {
        alignas(64) T buf[batch<A, T>::size];
        v.store_aligned(buf);
        for (std::size_t i = 0; i < count; ++i) p[i] = buf[i];
    }
}

// body(offset, count) for each batch of a row of n elements: whole batches first, with
// a compile-time count, then the partial one at the row's tail.
template <class A, class T, class Body>
ACTDSL_INLINE void for_each_batch(std::size_t n, Body body) {
    constexpr std::size_t W = batch<A, T>::size;
    const std::size_t whole = n / W;
    for (std::size_t i = 0; i < whole; ++i) body(i * W, full<W>{});
    if (n % W != 0) body(whole * W, n % W);
}

// A row's lanes combined and broadcast (xsimd 8 has hadd but no horizontal max).
// A NaN lane may be dropped by the max: the sum, which every result uses, keeps it.
template <class B>
ACTDSL_INLINE B all_lanes_max(const B& v) {
    using T = typename B::value_type;
    alignas(64) T lanes[B::size];
    v.store_aligned(lanes);
    T m = lanes[0];
    for (T l : lanes) m = std::max(m, l);
    return B(m);
}

// f(std::true_type{}) or f(std::false_type{}) as b is: the pipelined passes below pick
// their loop once per row (is there a next row, a previous one) instead of per batch.
template <class F>
ACTDSL_INLINE void with_constant(bool b, F f) {
    if (b) f(std::true_type{});
    else f(std::false_type{});
}

constexpr double sign_of(kind k) { return k == kind::softmin ? -1.0 : 1.0; }

// A sum per lane in two levels: plain adds within blocks of 16 batches, and a
// compensated (Neumaier) sum of the blocks. A row of 100003 floats keeps its sum to
// a few ULPs, where one plain sum drifts by hundreds; compensating every add instead
// cost 30% of softmax's speed.
template <class B>
struct compensated_sum {
    using T = typename B::value_type;
    static constexpr int block = 16;
    B sum = B(T(0)), carry = B(T(0)), partial = B(T(0));
    int in_block = 0;
    ACTDSL_INLINE void add(const B& v) {
        partial += v;
        if (++in_block == block) [[unlikely]] fold();
    }
    ACTDSL_INLINE void fold() {
        const B t = sum + partial;
        carry += xsimd::select(xsimd::abs(sum) >= xsimd::abs(partial), (sum - t) + partial, (partial - t) + sum);
        sum = t;
        partial = B(T(0));
        in_block = 0;
    }
    // Each lane's total (a column's), and the lanes' totals combined and broadcast (a
    // row's). An infinite sum makes the carry NaN (inf - inf): the sum alone is the
    // answer then.
    ACTDSL_INLINE B lane_totals() { return total(false); }
    ACTDSL_INLINE B row_total() { return total(true); }

private:
    ACTDSL_INLINE B total(bool combine_lanes) {
        fold();
        const B s = combine_lanes ? B(xsimd::hadd(sum)) : sum;
        const B c = combine_lanes ? B(xsimd::hadd(carry)) : carry;
        return xsimd::select(xsimd::isinf(s), s, s + c);
    }
};

// Forward over `rows` consecutive rows of n elements (the last axis), x and y at the
// first row's first element. Each row takes three passes: its max, its exps (stored and
// summed), and its finish (the scaling by 1 / sum; log_softmax's (x - max) - log(sum)).
// They are software-pipelined across rows: the loop that computes row i's exps also
// takes row i + 1's max and finishes row i - 1. The max and the finish then ride in the
// exp's shadow instead of each row's serial chain of max, reduce, exp, reduce, divide,
// scale (bench_softmax's forward/softmax_last; docs/design-notes.md). Every row gets the
// same operations in the same order as when its passes run one after another, so the
// results are those bits (tests/test_softmax.cpp).
template <class A, kind K, class T>
[[gnu::flatten]] void forward_rows(const T* x, T* y, std::size_t n, std::size_t rows, bool masked) {
    using B = batch<A, T>;
    using B_bool = xsimd::batch_bool<T, A>;
    if (rows == 0) return;
    const T inf = std::numeric_limits<T>::infinity();
    const T pad = K == kind::softmin ? inf : -inf;  // a lane past the row's end: exp gives 0
    const B s(static_cast<T>(sign_of(K)));
    const auto max_step = [&](B& m, const T* xr, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
        m = xsimd::max(m, s * load<A>(xr + at, count, pad));
    };
    // A row whose exps are summed, waiting for its finish: r is log(sum) for
    // log_softmax, else 1 / sum; an empty row (masked, nothing left) is all 0 or -inf.
    struct summed {
        const T* x = nullptr;
        T* y = nullptr;
        B m = B(T(0)), r = B(T(0));
        B_bool empty = B_bool(false);
    };
    const auto finish_step = [&](const summed& row, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
        if constexpr (K == kind::log_softmax)  // (x - max) - log(sum): x - max is exact near the max
            store<A>(row.y + at, count, xsimd::select(row.empty, B(-inf), (s * load<A>(row.x + at, count, T(0)) - row.m) - row.r));
        else
            store<A>(row.y + at, count, xsimd::select(row.empty, B(T(0)), load<A>(row.y + at, count, T(0)) * row.r));
    };
    B next_max(-inf);
    for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { max_step(next_max, x, at, count); });
    summed previous;
    for (std::size_t i = 0; i < rows; ++i) {
        const T* xi = x + i * n;
        T* yi = y + i * n;
        const B m = all_lanes_max(next_max);
        next_max = B(-inf);
        compensated_sum<B> sum;
        with_constant(i + 1 < rows, [&](auto with_next) ACTDSL_LAMBDA_INLINE {
            with_constant(i > 0, [&](auto with_previous) ACTDSL_LAMBDA_INLINE {
                for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                    const B e = exp_of(s * load<A>(xi + at, count, pad) - m);
                    sum.add(e);
                    if constexpr (K != kind::log_softmax) store<A>(yi + at, count, e);
                    if constexpr (decltype(with_next)::value) max_step(next_max, xi + n, at, count);
                    if constexpr (decltype(with_previous)::value) finish_step(previous, at, count);
                });
            });
        });
        const B total = sum.row_total();
        previous = summed{xi, yi, m, K == kind::log_softmax ? log_of(total) : B(T(1)) / total,
                          masked ? (m == B(-inf)) : B_bool(false)};
    }
    for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { finish_step(previous, at, count); });
}

// Forward along an axis that is not the last, over one chunk of columns of an
// [n, inner] slab: each lane is a column, with its own max and sum, and the passes read
// the chunk's part of each row in order. Per column these are forward_rows' operations
// in its order (a max, the exps and a compensated sum folded every 16 adds). Going
// down the axis W columns at a time instead, loading n lines `inner` elements apart,
// overflows L1 at n = 1024, inner = 256 and crowds into a sixteenth of L2's sets
// (bench_softmax's *_first entries; docs/design-notes.md). A chunk is chunk_columns
// columns, whose maxima and sums stay in L1.

// Columns per chunk: 2 KiB of a row (32 batches of AVX-512 floats).
template <class T>
inline constexpr std::size_t chunk_columns = 2048 / sizeof(T);
template <class A, class T>
inline constexpr std::size_t chunk_batches = chunk_columns<T> / batch<A, T>::size;

// chunk(row, batches) for the chunk of columns [c0, c0 + cols), cols <= chunk_columns,
// where row(i, body) calls body(b, offset, count) for each batch b of the chunk's part
// of row i (whole batches with a compile-time count, then the partial one).
template <class A, class T, class Chunk>
ACTDSL_INLINE void with_column_chunk(std::size_t inner, std::size_t c0, std::size_t cols, Chunk chunk) {
    constexpr std::size_t W = batch<A, T>::size;
    const std::size_t whole = cols / W, rest = cols % W;
    const auto row = [=](std::size_t i, auto body) ACTDSL_LAMBDA_INLINE {
        const std::size_t base = i * inner + c0;
        for (std::size_t b = 0; b < whole; ++b) body(b, base + b * W, full<W>{});
        if (rest != 0) body(whole, base + whole * W, rest);
    };
    chunk(row, whole + (rest != 0));
}

template <class A, kind K, class T>
[[gnu::flatten]] void forward_columns(const T* x, T* y, std::size_t n, std::size_t inner, std::size_t c0, std::size_t cols, bool masked) {
    using B = batch<A, T>;
    const T inf = std::numeric_limits<T>::infinity();
    const T pad = K == kind::softmin ? inf : -inf;
    const B s(static_cast<T>(sign_of(K)));
    with_column_chunk<A, T>(inner, c0, cols, [&](const auto& row, std::size_t batches) ACTDSL_LAMBDA_INLINE {
        std::array<B, chunk_batches<A, T>> m;
        m.fill(B(-inf));
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { m[b] = xsimd::max(m[b], s * load<A>(x + at, count, pad)); });
        std::array<compensated_sum<B>, chunk_batches<A, T>> sum{};
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                const B e = exp_of(s * load<A>(x + at, count, pad) - m[b]);
                sum[b].add(e);
                if constexpr (K != kind::log_softmax) store<A>(y + at, count, e);
            });
        std::array<B, chunk_batches<A, T>> r;  // log(sum) for log_softmax, else 1 / sum
        std::array<xsimd::batch_bool<T, A>, chunk_batches<A, T>> empty;
        for (std::size_t b = 0; b < batches; ++b) {
            const B total = sum[b].lane_totals();
            r[b] = K == kind::log_softmax ? log_of(total) : B(T(1)) / total;
            empty[b] = masked ? (m[b] == B(-inf)) : xsimd::batch_bool<T, A>(false);
        }
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                if constexpr (K == kind::log_softmax)
                    store<A>(y + at, count, xsimd::select(empty[b], B(-inf), (s * load<A>(x + at, count, T(0)) - m[b]) - r[b]));
                else
                    store<A>(y + at, count, xsimd::select(empty[b], B(T(0)), load<A>(y + at, count, T(0)) * r[b]));
            });
    });
}

// log(sum exp(x)) PyTorch's way: an infinite max is replaced by 0 before shifting, so
// all -inf gives -inf and any +inf gives +inf.
template <class B>
ACTDSL_INLINE B logsumexp_shift(const B& max) {
    using T = typename B::value_type;
    return xsimd::select(xsimd::abs(max) == B(std::numeric_limits<T>::infinity()), B(T(0)), max);
}

// logsumexp over `rows` consecutive rows of n elements (the last axis) into out[0, rows).
// Pipelined as forward_rows: the loop that sums row i's exps also takes row i + 1's max.
template <class A, class T>
[[gnu::flatten]] void logsumexp_rows(const T* x, T* out, std::size_t n, std::size_t rows) {
    using B = batch<A, T>;
    if (rows == 0) return;
    const T inf = std::numeric_limits<T>::infinity();
    B next_max(-inf);
    for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { next_max = xsimd::max(next_max, load<A>(x + at, count, -inf)); });
    for (std::size_t i = 0; i < rows; ++i) {
        const T* xi = x + i * n;
        const B m = logsumexp_shift(all_lanes_max(next_max));
        next_max = B(-inf);
        compensated_sum<B> sum;
        with_constant(i + 1 < rows, [&](auto with_next) ACTDSL_LAMBDA_INLINE {
            for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                sum.add(exp_of(load<A>(xi + at, count, -inf) - m));
                if constexpr (decltype(with_next)::value) next_max = xsimd::max(next_max, load<A>(xi + n + at, count, -inf));
            });
        });
        store<A>(out + i, std::size_t(1), log_of(sum.row_total()) + m);
    }
}

// logsumexp over one chunk of columns of an [n, inner] slab into out[c0, ...), in
// forward_columns' memory order.
template <class A, class T>
[[gnu::flatten]] void logsumexp_columns(const T* x, T* out, std::size_t n, std::size_t inner, std::size_t c0, std::size_t cols) {
    using B = batch<A, T>;
    const T inf = std::numeric_limits<T>::infinity();
    with_column_chunk<A, T>(inner, c0, cols, [&](const auto& row, std::size_t batches) ACTDSL_LAMBDA_INLINE {
        std::array<B, chunk_batches<A, T>> m;
        m.fill(B(-inf));
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { m[b] = xsimd::max(m[b], load<A>(x + at, count, -inf)); });
        for (std::size_t b = 0; b < batches; ++b) m[b] = logsumexp_shift(m[b]);
        std::array<compensated_sum<B>, chunk_batches<A, T>> sum{};
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { sum[b].add(exp_of(load<A>(x + at, count, -inf) - m[b])); });
        // Row 0's offsets are the chunk's column indices: the output's.
        row(0, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { store<A>(out + at, count, log_of(sum[b].lane_totals()) + m[b]); });
    });
}

// Backward from the output over `rows` consecutive rows of n elements (the last axis):
// softmax  dx = y (g - sum(g y));  softmin  dx = -y (g - sum(g y));  log_softmax  dx = g - exp(y) sum(g).
// Per row, its dot (sum(g y), log_softmax's sum(g)), then dx. Pipelined as forward_rows: the loop that
// writes row i's dx also takes row i + 1's dot, each row's operations in the same order.
template <class A, kind K, class T>
[[gnu::flatten]] void backward_rows(const T* y, const T* dy, T* dx, std::size_t n, std::size_t rows) {
    using B = batch<A, T>;
    if (rows == 0) return;
    const auto dot_step = [&](compensated_sum<B>& dot, std::size_t row, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
        const B gi = load<A>(dy + row * n + at, count, T(0));
        if constexpr (K == kind::log_softmax) dot.add(gi);
        else dot.add(gi * load<A>(y + row * n + at, count, T(0)));
    };
    compensated_sum<B> next_dot;
    for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE { dot_step(next_dot, 0, at, count); });
    for (std::size_t i = 0; i < rows; ++i) {
        const B d = next_dot.row_total();
        next_dot = compensated_sum<B>{};
        with_constant(i + 1 < rows, [&](auto with_next) ACTDSL_LAMBDA_INLINE {
            for_each_batch<A, T>(n, [&](std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                const std::size_t o = i * n + at;
                const B gi = load<A>(dy + o, count, T(0));
                const B yi = load<A>(y + o, count, K == kind::log_softmax ? -std::numeric_limits<T>::infinity() : T(0));
                B r;
                if constexpr (K == kind::log_softmax) r = gi - exp_of(yi) * d;
                else if constexpr (K == kind::softmax) r = yi * (gi - d);
                else r = yi * (d - gi);
                store<A>(dx + o, count, r);
                if constexpr (decltype(with_next)::value) dot_step(next_dot, i + 1, at, count);
            });
        });
    }
}

// Backward along an axis that is not the last, over one chunk of columns of an
// [n, inner] slab, in forward_columns' memory order: per column, backward_rows'
// operations in its order.
template <class A, kind K, class T>
[[gnu::flatten]] void backward_columns(const T* y, const T* dy, T* dx, std::size_t n, std::size_t inner, std::size_t c0, std::size_t cols) {
    using B = batch<A, T>;
    with_column_chunk<A, T>(inner, c0, cols, [&](const auto& row, std::size_t batches) ACTDSL_LAMBDA_INLINE {
        std::array<compensated_sum<B>, chunk_batches<A, T>> dot{};
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                const B gi = load<A>(dy + at, count, T(0));
                if constexpr (K == kind::log_softmax) dot[b].add(gi);
                else dot[b].add(gi * load<A>(y + at, count, T(0)));
            });
        std::array<B, chunk_batches<A, T>> d;
        for (std::size_t b = 0; b < batches; ++b) d[b] = dot[b].lane_totals();
        for (std::size_t i = 0; i < n; ++i)
            row(i, [&](std::size_t b, std::size_t at, auto count) ACTDSL_LAMBDA_INLINE {
                const B gi = load<A>(dy + at, count, T(0));
                const B yi = load<A>(y + at, count, K == kind::log_softmax ? -std::numeric_limits<T>::infinity() : T(0));
                B r;
                if constexpr (K == kind::log_softmax) r = gi - exp_of(yi) * d[b];
                else if constexpr (K == kind::softmax) r = yi * (gi - d[b]);
                else r = yi * (d[b] - gi);
                store<A>(dx + at, count, r);
            });
    });
}

// ---- the kernels, one per pass, kind, element type and architecture ----------

// A pass's units of work are the outer slabs: the rows of the [outer, n] array (the
// last axis), which the *_rows passes take as one pipelined run, or each [n, inner]
// slab, chunk after chunk of its columns. Threads take ranges of slabs (run_units), each
// a contiguous block of memory; a slab's results are computed the same way whichever
// thread runs it, so any number of threads gives the same bits. Chunks of one slab are
// not shared out: two threads each taking half of every row ran slower and far less
// steadily than one (docs/design-notes.md).
// body(o, c0, cols) for slab o in [first, last) of an [n, inner] array, inner > 1, and
// each of its chunks of columns [c0, c0 + cols).
template <class T, class Body>
ACTDSL_INLINE void for_each_column_chunk(const geometry& geo, std::size_t first, std::size_t last, Body body) {
    for (std::size_t o = first; o < last; ++o)
        for (std::size_t c0 = 0; c0 < geo.inner; c0 += chunk_columns<T>) body(o, c0, std::min(chunk_columns<T>, geo.inner - c0));
}

enum class pass { forward, backward, logsumexp };

template <pass P, class T>
struct kernel_signature;
template <class T>
struct kernel_signature<pass::forward, T> {
    using type = void (*)(const T* x, T* y, const geometry& geo, std::size_t first, std::size_t last, bool masked);
};
template <class T>
struct kernel_signature<pass::backward, T> {
    using type = void (*)(const T* y, const T* dy, T* dx, const geometry& geo, std::size_t first, std::size_t last);
};
template <class T>
struct kernel_signature<pass::logsumexp, T> {
    using type = void (*)(const T* x, T* out, const geometry& geo, std::size_t first, std::size_t last);
};

// Units [first, last) of each pass.
template <class A, kind K, class T>
void forward_kernel(const T* x, T* y, const geometry& geo, std::size_t first, std::size_t last, bool masked) {
    const std::size_t slab = geo.n * geo.inner;
    if (geo.inner == 1) return forward_rows<A, K>(x + first * slab, y + first * slab, geo.n, last - first, masked);
    for_each_column_chunk<T>(geo, first, last, [&](std::size_t o, std::size_t c0, std::size_t cols) {
        forward_columns<A, K>(x + o * slab, y + o * slab, geo.n, geo.inner, c0, cols, masked);
    });
}
template <class A, kind K, class T>
void backward_kernel(const T* y, const T* dy, T* dx, const geometry& geo, std::size_t first, std::size_t last) {
    const std::size_t slab = geo.n * geo.inner;
    if (geo.inner == 1) return backward_rows<A, K>(y + first * slab, dy + first * slab, dx + first * slab, geo.n, last - first);
    for_each_column_chunk<T>(geo, first, last, [&](std::size_t o, std::size_t c0, std::size_t cols) {
        backward_columns<A, K>(y + o * slab, dy + o * slab, dx + o * slab, geo.n, geo.inner, c0, cols);
    });
}
// One result per row or column; the caller handles an empty axis (n = 0).
template <class A, kind K, class T>  // K is unused: logsumexp has one kind
void logsumexp_kernel(const T* x, T* out, const geometry& geo, std::size_t first, std::size_t last) {
    const std::size_t slab = geo.n * geo.inner;
    if (geo.inner == 1) return logsumexp_rows<A>(x + first * slab, out + first, geo.n, last - first);
    for_each_column_chunk<T>(geo, first, last, [&](std::size_t o, std::size_t c0, std::size_t cols) {
        logsumexp_columns<A>(x + o * slab, out + o * geo.inner, geo.n, geo.inner, c0, cols);
    });
}

// run(first, last) over ranges of the outer slabs, split across threads as the
// elementwise passes are (kernels::threads_for: OpenMP, above 2 x parallel_grain elements).
template <class Run>
void run_units(const geometry& geo, const Run& run) {
    const auto threads = std::min(static_cast<std::size_t>(kernels::threads_for(geo.outer * geo.n * geo.inner)), geo.outer);
    kernels::for_block_ranges(geo.outer, static_cast<int>(std::max<std::size_t>(threads, 1)), run);
}

template <class A, pass P, kind K, class T>
constexpr typename kernel_signature<P, T>::type kernel_for() {
    if constexpr (P == pass::forward) return &forward_kernel<A, K, T>;
    else if constexpr (P == pass::backward) return &backward_kernel<A, K, T>;
    else return &logsumexp_kernel<A, K, T>;
}

// The kernels recorded for other instruction sets (kernels/dispatch.hpp), per pass, kind and type.
template <pass P, kind K, class T>
struct softmax_kernel_table {
    static inline std::array<typename kernel_signature<P, T>::type, 4> entries{};
};

// The kernel to run: the best recorded one the CPU has, or this file's own.
template <pass P, kind K, class T>
typename kernel_signature<P, T>::type select_kernel() {
    return kernels::select_kernel<softmax_kernel_table<P, K, T>>(kernel_for<xsimd::default_arch, P, K, T>(),
                                                                 kernels::instruction_set_of<xsimd::default_arch>());
}

// Records this file's kernels of every pass and kind for T (a dispatch object's).
template <class T, class A = xsimd::default_arch>
bool record() {
    constexpr std::size_t at = kernels::recording_slot<A>();
    const auto kinds = [&]<pass P>() {
        softmax_kernel_table<P, kind::softmax, T>::entries[at] = kernel_for<A, P, kind::softmax, T>();
        softmax_kernel_table<P, kind::softmin, T>::entries[at] = kernel_for<A, P, kind::softmin, T>();
        softmax_kernel_table<P, kind::log_softmax, T>::entries[at] = kernel_for<A, P, kind::log_softmax, T>();
    };
    kinds.template operator()<pass::forward>();
    kinds.template operator()<pass::backward>();
    softmax_kernel_table<pass::logsumexp, kind::softmax, T>::entries[at] = kernel_for<A, pass::logsumexp, kind::softmax, T>();
    return true;
}


template <class Shape1, class Shape2>
bool same_shape(const Shape1& a, const Shape2& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

template <kind K>
constexpr const char* forward_name() {
    return K == kind::softmax ? "softmax" : K == kind::softmin ? "softmin" : "log_softmax";
}

// The default of the mask argument: every entry takes part.
struct no_mask {};

template <class... A>
void check_shapes(std::string_view function, std::array<std::string_view, sizeof...(A)> names, const A&... arrays) {
    kernels::check_same_shape(function, names, arrays...);
}

// Whether an output shares memory with an input other than element for element: the
// input is then read from a copy.
template <class In, class Out>
bool partly_shared(const In& in, const Out& out) {
    return kernels::sharing_of(kernels::extent_of(in), kernels::extent_of(out)) == kernels::sharing::partial;
}

template <kind K, class X, class Y, class M>
void forward(const X& x_in, Y&& y_out, std::ptrdiff_t dim, const M& mask) {
    using T = std::remove_cvref_t<typename std::remove_cvref_t<X>::value_type>;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "actdsl::softmax: arrays of float or double");
    constexpr bool masked = !std::is_same_v<M, no_mask>;
    constexpr const char* name = forward_name<K>();
    const std::size_t axis = glu_detail::normalize_axis(name, dim, x_in.dimension());
    std::optional<xt::xarray<T>> copy;
    const T* x;
    if constexpr (masked) {  // masked entries become -inf (+inf for softmin): exp gives them 0
        check_shapes(name, {"x", "y", "mask"}, x_in, y_out, mask);
        const T excluded = K == kind::softmin ? std::numeric_limits<T>::infinity() : -std::numeric_limits<T>::infinity();
        copy.emplace(xt::where(mask, x_in, excluded));
        x = copy->data();
    } else {
        check_shapes(name, {"x", "y"}, x_in, y_out);
        x = contiguous_input<T>(x_in, copy);
        if (!copy && partly_shared(x_in, y_out)) x = copy.emplace(x_in).data();  // y would overwrite x unread
    }
    const geometry geo = split(x_in.shape(), axis);
    const auto kernel = select_kernel<pass::forward, K, T>();
    write_contiguous<T>(std::forward<Y>(y_out), [&](T* y) {
        run_units(geo, [&](std::size_t first, std::size_t last) { kernel(x, y, geo, first, last, masked); });
    });
}

template <kind K, class Y, class DY, class DX, class M>
void backward(const Y& y_in, const DY& dy_in, DX&& dx_out, std::ptrdiff_t dim, const M& mask) {
    using T = std::remove_cvref_t<typename std::remove_cvref_t<Y>::value_type>;
    const std::string name = std::string(forward_name<K>()) + "_backward";
    const std::size_t axis = glu_detail::normalize_axis(name, dim, y_in.dimension());
    std::optional<xt::xarray<T>> y_copy, dy_copy;
    const T* y = contiguous_input<T>(y_in, y_copy);
    const T* dy;
    if constexpr (!std::is_same_v<M, no_mask>) {  // masked entries pass no gradient and take none
        check_shapes(name, {"y", "dy", "dx", "mask"}, y_in, dy_in, dx_out, mask);
        dy_copy.emplace(xt::where(mask, dy_in, T(0)));
        dy = dy_copy->data();
    } else {
        check_shapes(name, {"y", "dy", "dx"}, y_in, dy_in, dx_out);
        dy = contiguous_input<T>(dy_in, dy_copy);
        if (!dy_copy && partly_shared(dy_in, dx_out)) dy = dy_copy.emplace(dy_in).data();
    }
    if (!y_copy && partly_shared(y_in, dx_out)) y = y_copy.emplace(y_in).data();  // dx would overwrite y unread
    const geometry geo = split(y_in.shape(), axis);
    const auto kernel = select_kernel<pass::backward, K, T>();
    write_contiguous<T>(std::forward<DX>(dx_out), [&](T* dx) {
        run_units(geo, [&](std::size_t first, std::size_t last) { kernel(y, dy, dx, geo, first, last); });
    });
}

template <class X>
void require_softmax2d_rank(const X& input) {
    if (input.dimension() != 3 && input.dimension() != 4)
        throw std::invalid_argument("actdsl::softmax2d: expects a 3-D (C, H, W) or 4-D (N, C, H, W) array, got shape " +
                                    kernels::shape_string(input.shape()));
}

}  // namespace softmax_detail

// The forward passes along dim. y may be x. With a mask (an array of bool of x's
// shape), only the entries where it is true take part; the rest are 0 (log_softmax: -inf).

// y = exp(x - max) / sum(exp(x - max)).
template <class X, class Y, class M = softmax_detail::no_mask>
void softmax(const X& input, Y&& y, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::forward<softmax_detail::kind::softmax>(input, std::forward<Y>(y), dim, mask);
}
// softmax(-x).
template <class X, class Y, class M = softmax_detail::no_mask>
void softmin(const X& input, Y&& y, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::forward<softmax_detail::kind::softmin>(input, std::forward<Y>(y), dim, mask);
}
// y = (x - max) - log(sum(exp(x - max))).
template <class X, class Y, class M = softmax_detail::no_mask>
void log_softmax(const X& input, Y&& y, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::forward<softmax_detail::kind::log_softmax>(input, std::forward<Y>(y), dim, mask);
}

// The backward passes, from the forward's output y and dL/dy (with the forward's mask,
// if it had one). dx may be dy.
template <class Y, class DY, class DX, class M = softmax_detail::no_mask>
void softmax_backward(const Y& y, const DY& dy, DX&& dx, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::backward<softmax_detail::kind::softmax>(y, dy, std::forward<DX>(dx), dim, mask);
}
template <class Y, class DY, class DX, class M = softmax_detail::no_mask>
void softmin_backward(const Y& y, const DY& dy, DX&& dx, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::backward<softmax_detail::kind::softmin>(y, dy, std::forward<DX>(dx), dim, mask);
}
template <class Y, class DY, class DX, class M = softmax_detail::no_mask>
void log_softmax_backward(const Y& y, const DY& dy, DX&& dx, std::ptrdiff_t dim, const M& mask = {}) {
    softmax_detail::backward<softmax_detail::kind::log_softmax>(y, dy, std::forward<DX>(dx), dim, mask);
}

// torch.nn.Softmax2d: softmax over the channels, dim -3, of a (C, H, W) or (N, C, H, W) array.
template <class X, class Y>
void softmax2d(const X& input, Y&& y) {
    softmax_detail::require_softmax2d_rank(input);
    softmax(input, std::forward<Y>(y), -3);
}
template <class Y, class DY, class DX>
void softmax2d_backward(const Y& y, const DY& dy, DX&& dx) {
    softmax_detail::require_softmax2d_rank(y);
    softmax_backward(y, dy, std::forward<DX>(dx), -3);
}

// The shape of a reduction along dim: x's shape without dim.
template <class X>
std::vector<std::size_t> reduced_shape(const X& input, std::ptrdiff_t dim) {
    const std::size_t axis = glu_detail::normalize_axis("logsumexp", dim, input.dimension());
    std::vector<std::size_t> s(input.shape().begin(), input.shape().end());
    s.erase(s.begin() + static_cast<std::ptrdiff_t>(axis));
    return s;
}

// out = log(sum(exp(x))) along dim, stably; out has reduced_shape(x, dim). An empty
// axis gives -inf, as PyTorch.
template <class X, class Out>
void logsumexp(const X& x_in, Out&& out, std::ptrdiff_t dim) {
    using T = std::remove_cvref_t<typename std::remove_cvref_t<X>::value_type>;
    const auto shape = reduced_shape(x_in, dim);
    if (!softmax_detail::same_shape(shape, out.shape()))
        throw std::invalid_argument("actdsl::logsumexp: out must have shape " + kernels::shape_string(shape) + " (x's without dim " +
                                    std::to_string(dim) + "), but has shape " + kernels::shape_string(out.shape()));
    const std::size_t axis = glu_detail::normalize_axis("logsumexp", dim, x_in.dimension());
    const softmax_detail::geometry geo = softmax_detail::split(x_in.shape(), axis);
    std::optional<xt::xarray<T>> copy;
    const T* data = softmax_detail::contiguous_input<T>(x_in, copy);
    const auto kernel = softmax_detail::select_kernel<softmax_detail::pass::logsumexp, softmax_detail::kind::softmax, T>();
    softmax_detail::write_contiguous<T>(std::forward<Out>(out), [&](T* o) {
        if (geo.n == 0) return std::fill(o, o + geo.outer * geo.inner, -std::numeric_limits<T>::infinity());
        softmax_detail::run_units(geo, [&](std::size_t first, std::size_t last) { kernel(data, o, geo, first, last); });
    });
}

namespace dispatch {

// Records the softmax family's kernels (softmax, softmin, log_softmax forward and
// backward, logsumexp) for each element type T, in a file compiled once per
// instruction set by CMake's actdsl_add_dispatch; record_catalog does this too.
template <class... T>
ACTDSL_INLINE bool record_softmax() {
    static_assert(sizeof...(T) > 0 && ((std::is_same_v<T, float> || std::is_same_v<T, double>) && ...),
                  "actdsl::dispatch::record_softmax<T...>(): name the element types, e.g. record_softmax<float>()");
    return (softmax_detail::record<T>() && ...);
}

}  // namespace dispatch
}  // namespace actdsl
