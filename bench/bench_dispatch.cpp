// Runtime dispatch: this binary is baseline x86-64 with the catalog's kernels
// recorded for SSE4.2, AVX2+FMA and AVX-512 (dispatch_catalog.cpp). Each
// activation's forward and backward, and RReLU's in training, run under every
// instruction set this CPU has: <pass>/<activation>/<isa>/<n>. Run next to
// bench_catalog (-march=native) to see that the dispatched AVX-512 kernel is the
// native one.
#include <string>

#include <actdsl/actdsl.hpp>
#include <actdsl/catalog/rrelu.hpp>

#include "catalog_activations.hpp"
#include "harness.hpp"

namespace {

// pass(which, arrays, body) registers <which>/<name>/<isa>/<n>: body(buffers) under s.
auto passes_of(const std::string& name, std::size_t n, actdsl::instruction_set s) {
    const std::string suffix = "/" + name + "/" + std::string(actdsl::dispatch::name(s)) + "/" + std::to_string(n);
    return [=](const std::string& which, std::size_t arrays, auto body) {
        benchmark::RegisterBenchmark((which + suffix).c_str(), [=](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            actdsl::dispatch::set_instruction_set_limit(s);
            bench::loop(state, [&] { body(b); });
            if (actdsl::dispatch::last_instruction_set() != s) state.SkipWithError("the kernel of another instruction set ran");
            actdsl::dispatch::set_instruction_set_limit(actdsl::instruction_set::avx512);
            bench::finish(state, n, arrays);
        });
    };
}

template <class F>
void add(const std::string& name, const F& f, std::size_t n, actdsl::instruction_set s) {
    const auto pass = passes_of(name, n, s);
    pass("forward", 2, [f](bench::buffers& b) { actdsl::forward(f, b.x, b.y); });
    pass("backward", 3, [f](bench::buffers& b) { actdsl::backward(f, b.x, b.dy, b.dx); });
}

// RReLU in training: the slope generator is dispatched with the kernel.
void add_rrelu_train(std::size_t n, actdsl::instruction_set s) {
    const auto pass = passes_of("rrelu_train", n, s);
    pass("forward", 2, [](bench::buffers& b) { actdsl::rrelu_train_forward(b.x, b.y, actdsl::rrelu_noise{1, 2}); });
    pass("backward", 3, [](bench::buffers& b) { actdsl::rrelu_train_backward(b.x, b.dy, b.dx, actdsl::rrelu_noise{1, 2}); });
}

void register_all() {
    for (const std::size_t n : {std::size_t{4096}, std::size_t{262144}})
        for (auto s : {actdsl::instruction_set::baseline, actdsl::instruction_set::sse4_2, actdsl::instruction_set::avx2,
                       actdsl::instruction_set::avx512})
            if (actdsl::dispatch::supported(s)) {
                bench::for_each_elementwise([&](const char* name, const auto& f) { add(name, f, n, s); });
                add_rrelu_train(n, s);
            }
}

}  // namespace

int main(int argc, char** argv) { return bench::run(argc, argv, register_all); }
