// What fusion buys: each activation's forward, backward and fused
// forward_backward passes, against node-by-node (unfused) evaluation of the same
// expression, xtensor's lazy expressions and the memcpy roofline.
// Names: <pass>/<activation>/<variant>/<n>; items are elements.
#include <string>

#include <xtensor/xnoalias.hpp>

#include "activations.hpp"
#include "harness.hpp"
#if defined(ACTDSL_BENCH_TORCH)
#include "torch_baselines.hpp"
#endif

namespace {

using bench::buffers;
using bench::finish;
using bench::loop;
using bench::shared_buffers;

template <class F, class Lazy>
void register_activation(const std::string& name, const F& f, Lazy, std::size_t n) {
    const std::string size = "/" + std::to_string(n);
    const auto add = [&](const std::string& pass, const std::string& variant, std::size_t arrays, auto body) {
        benchmark::RegisterBenchmark((pass + "/" + name + "/" + variant + size).c_str(), [=](benchmark::State& state) {
            buffers& b = shared_buffers(n);
            actdsl::unfused::workspace<float> ws;
            loop(state, [&] { body(b, ws); });
            finish(state, n, arrays);
        });
    };
    using B = buffers&;
    using WS = actdsl::unfused::workspace<float>&;
    add("forward", "fused", 2, [f](B b, WS) { actdsl::forward(f, b.x, b.y); });
    add("forward", "unfused", 2, [f](B b, WS ws) { actdsl::unfused::forward(ws, f, b.x, b.y); });
    add("forward", "unfused_alloc", 2, [f](B b, WS) { actdsl::unfused::forward(f, b.x, b.y); });
    add("forward", "xtensor_lazy", 2, [](B b, WS) { xt::noalias(b.y) = Lazy::forward(b.x); });
    add("backward", "fused", 3, [f](B b, WS) { actdsl::backward(f, b.x, b.dy, b.dx); });
    add("backward", "unfused", 3, [f](B b, WS ws) { actdsl::unfused::backward(ws, f, b.x, b.dy, b.dx); });
    add("backward", "unfused_alloc", 3, [f](B b, WS) { actdsl::unfused::backward(f, b.x, b.dy, b.dx); });
    add("backward", "xtensor_lazy", 3, [](B b, WS) { xt::noalias(b.dx) = Lazy::backward(b.x, b.dy); });
    add("forward_backward", "fused", 4, [f](B b, WS) { actdsl::forward_backward(f, b.x, b.dy, b.y, b.dx); });
    add("forward_backward", "unfused", 4, [f](B b, WS ws) { actdsl::unfused::forward_backward(ws, f, b.x, b.dy, b.y, b.dx); });
    add("two_kernels", "fused", 5, [f](B b, WS) {
        actdsl::forward(f, b.x, b.y);
        actdsl::backward(f, b.x, b.dy, b.dx);
    });
    // Scaling: the same fused passes on two OpenMP threads (the machine's two cores).
    add("forward", "fused_2_threads", 2, [f](B b, WS) { bench::on_threads(2, [&] { actdsl::forward(f, b.x, b.y); }); });
    add("backward", "fused_2_threads", 3, [f](B b, WS) { bench::on_threads(2, [&] { actdsl::backward(f, b.x, b.dy, b.dx); }); });
}

void register_all() {
    for (const std::size_t n : {std::size_t{4096}, std::size_t{262144}, std::size_t{16777216}}) {
        register_activation("silu", bench::silu, bench::xtensor_silu{}, n);
        register_activation("gelu_tanh", bench::gelu_tanh, bench::xtensor_gelu_tanh{}, n);
        register_activation("mish", bench::mish, bench::xtensor_mish{}, n);
#if defined(ACTDSL_BENCH_TORCH)
        for (const char* name : {"silu", "gelu_tanh", "mish"}) bench::torch_baselines::register_pytorch(name, n);
#endif
        bench::register_memcpy_roofline(n);
        bench::register_three_array_roofline(n);
        bench::register_exp_floor(n, [](const auto& x, auto& y) { actdsl::forward(actdsl::exp(actdsl::x), x, y); });
    }
}

}  // namespace

int main(int argc, char** argv) { return bench::run(argc, argv, register_all); }
