// What bench_fusion and bench_catalog share: the arrays, one untimed call before
// timing, and the items/bytes counters the summary reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <benchmark/benchmark.h>
#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>

namespace bench {

using array = xt::xtensor<float, 1>;

struct buffers {
    array x, dy, y, dx;
    explicit buffers(std::size_t n)
        : x(xt::random::rand<float>({n}, -8.0f, 8.0f)), dy(xt::random::rand<float>({n}, -1.0f, 1.0f)),
          y(xt::zeros<float>({n})), dx(xt::zeros<float>({n})) {}
};

// One set of arrays per size, made once: drawing 2 x 16M random numbers per
// benchmark and repetition would cost more than the measurements.
inline buffers& shared_buffers(std::size_t n) {
    static std::map<std::size_t, std::unique_ptr<buffers>> cache;
    auto& b = cache[n];
    if (!b) b = std::make_unique<buffers>(n);
    return *b;
}

inline void finish(benchmark::State& state, std::size_t n, std::size_t arrays_touched) {
    const auto items = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n);
    state.SetItemsProcessed(items);
    state.SetBytesProcessed(items * static_cast<std::int64_t>(arrays_touched * sizeof(float)));
}

// One untimed call first: the first touch of fresh pages costs ~10 us a page on
// some machines, which would otherwise be all that a short run measures.
template <class Body>
void loop(benchmark::State& state, Body body) {
    body();
    for (auto _ : state) {
        body();
        benchmark::ClobberMemory();
    }
}

// Threads for actdsl's passes: 1 unless a benchmark says otherwise (set_threads),
// so that every figure but the scaling ones is one thread's.
inline void set_threads([[maybe_unused]] int threads) {
#if defined(_OPENMP)
    omp_set_num_threads(threads);
#endif
}

// body() with `threads` threads for actdsl's passes, then back to one.
template <class Body>
void on_threads(int threads, Body body) {
    set_threads(threads);
    body();
    set_threads(1);
}

// roofline/memcpy/<n>: copying x to y, the memory-bound ceiling of a pass over 2 arrays.
inline void register_memcpy_roofline(std::size_t n) {
    benchmark::RegisterBenchmark(("roofline/memcpy/" + std::to_string(n)).c_str(), [n](benchmark::State& state) {
        buffers& b = shared_buffers(n);
        loop(state, [&] { std::memcpy(b.y.data(), b.x.data(), n * sizeof(float)); });
        finish(state, n, 2);
    });
}

// roofline/three_arrays/<n>: dx = dy x, the memory-bound ceiling of a backward pass
// (two arrays read, one written) measured rather than taken as 2/3 of memcpy's.
inline void register_three_array_roofline(std::size_t n) {
    benchmark::RegisterBenchmark(("roofline/three_arrays/" + std::to_string(n)).c_str(), [n](benchmark::State& state) {
        buffers& b = shared_buffers(n);
        loop(state, [&] {
            const float* x = b.x.data();
            const float* dy = b.dy.data();
            float* dx = b.dx.data();
            for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * x[i];
        });
        finish(state, n, 3);
    });
}

// floor/exp/<n>: y = exp(x) through `forward` (the caller's actdsl::forward(exp(x), ...)),
// the cheapest transcendental pass, one exp per element: a pass that computes an exp
// per element and more runs slower than this.
template <class Forward>
void register_exp_floor(std::size_t n, Forward forward_exp) {
    benchmark::RegisterBenchmark(("floor/exp/" + std::to_string(n)).c_str(), [n, forward_exp](benchmark::State& state) {
        buffers& b = shared_buffers(n);
        loop(state, [&] { forward_exp(b.x, b.y); });
        finish(state, n, 2);
    });
}

// main() of every benchmark binary: register, then Google Benchmark's usual flags.
template <class Register>
int run(int argc, char** argv, Register register_all) {
    set_threads(1);
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace bench
