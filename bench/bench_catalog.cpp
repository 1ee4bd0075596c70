// Every elementwise catalog activation, fused forward and backward, float, one
// thread: names <pass>/<activation>/fused/<n> as in bench_fusion. Run next to
// REFERENCE.md's PyTorch figures (same machine kind, 262144 elements).
#include <cstring>
#include <string>

#include <actdsl/actdsl.hpp>

#include "harness.hpp"
#if defined(ACTDSL_BENCH_TORCH)
#include "torch_baselines.hpp"
#endif

namespace {

template <class F>
void add(const std::string& name, const F& f, std::size_t n) {
    const std::string suffix = "/" + name + "/fused/" + std::to_string(n);
    const auto pass = [&](const std::string& which, std::size_t arrays, auto body) {
        benchmark::RegisterBenchmark((which + suffix).c_str(), [=](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            bench::loop(state, [&] { body(b); });
            bench::finish(state, n, arrays);
        });
    };
    pass("forward", 2, [f](bench::buffers& b) { actdsl::forward(f, b.x, b.y); });
    pass("backward", 3, [f](bench::buffers& b) { actdsl::backward(f, b.x, b.dy, b.dx); });
#if defined(ACTDSL_BENCH_TORCH)
    bench::torch_baselines::register_pytorch(name, n);
#endif
}

// backward from the saved output, as PyTorch's sigmoid and tanh backward kernels read it.
template <class G>
void add_from_output(const std::string& name, const G& g, std::size_t n) {
    benchmark::RegisterBenchmark(("backward/" + name + "/fused_from_output/" + std::to_string(n)).c_str(), [=](benchmark::State& state) {
        bench::buffers& b = bench::shared_buffers(n);
        bench::loop(state, [&] { actdsl::backward_from_output(g, b.y, b.dy, b.dx); });
        bench::finish(state, n, 3);
    });
}

void register_all() {
    using namespace actdsl;
    for (const std::size_t n : {std::size_t{4096}, std::size_t{262144}}) {
        add("threshold", threshold(x, 0.5, -2.0), n);
        add("relu", relu(x), n);
        add("relu6", relu6(x), n);
        add("hardtanh", hardtanh(x), n);
        add("leaky_relu", leaky_relu(x), n);
        add("prelu", prelu(x, 0.25), n);
        add("rrelu_eval", rrelu_eval(x), n);
        add("elu", elu(x), n);
        add("celu", celu(x, 2.0), n);
        add("selu", selu(x), n);
        add("gelu", gelu(x), n);
        add("gelu_tanh", gelu_tanh(x), n);
        add("sigmoid", sigmoid(x), n);
        add("hardsigmoid", hardsigmoid(x), n);
        add("tanh", tanh(x), n);
        add("silu", silu(x), n);
        add("mish", mish(x), n);
        add("hardswish", hardswish(x), n);
        add("softplus", softplus(x, 1.0, 20.0), n);
        add("logsigmoid", logsigmoid(x), n);
        add("softsign", softsign(x), n);
        add("tanhshrink", tanhshrink(x), n);
        add("softshrink", softshrink(x), n);
        add("hardshrink", hardshrink(x), n);
        add("squareplus", squareplus(x), n);
        add("sparse_plus", sparse_plus(x), n);
        add_from_output("sigmoid", from_output::sigmoid(), n);
        add_from_output("tanh", from_output::tanh(), n);
        add_from_output("relu", from_output::relu(), n);
        benchmark::RegisterBenchmark(("roofline/memcpy/" + std::to_string(n)).c_str(), [n](benchmark::State& state) {
            bench::buffers& b = bench::shared_buffers(n);
            bench::loop(state, [&] { std::memcpy(b.y.data(), b.x.data(), n * sizeof(float)); });
            bench::finish(state, n, 2);
        });
    }
}

}  // namespace

int main(int argc, char** argv) {
#if defined(ACTDSL_BENCH_TORCH)
    bench::torch_baselines::one_thread();
#endif
    return bench::run(argc, argv, register_all);
}
