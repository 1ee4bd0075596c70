// PyTorch's own kernels for the catalog's elementwise activations, timed in the
// same binary as ours (when CMake finds libtorch): forward into a preallocated
// output where ATen has an _out variant, and the backward kernel autograd calls
// (dx from dy and x, or from dy and y where PyTorch saves the output). One thread.
// PyTorch runs its AVX-512 kernels where the CPU has them (ATEN_CPU_CAPABILITY=avx512
// unless the environment already names a capability); the run's context records
// which ran ("pytorch_cpu_capability").
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>

#include "harness.hpp"

namespace bench::torch_baselines {

struct tensors {
    at::Tensor x, dy, y, dx;
};

inline tensors wrap(buffers& b) {
    const auto n = static_cast<std::int64_t>(b.x.size());
    const auto blob = [n](float* p) { return at::from_blob(p, {n}, at::TensorOptions().dtype(at::kFloat)); };
    return {blob(b.x.data()), blob(b.dy.data()), blob(b.y.data()), blob(b.dx.data())};
}

struct kernels {
    std::function<void(tensors&)> forward, backward;
};

// Keyed by the catalog's names (bench_catalog, bench_fusion).
inline const std::map<std::string, kernels>& all() {
    static const std::map<std::string, kernels> table = [] {
        std::map<std::string, kernels> t;
        t["relu"] = {[](tensors& a) { at::clamp_min_out(a.y, a.x, 0); },
                     [](tensors& a) { at::threshold_backward_out(a.dx, a.dy, a.x, 0); }};
        t["relu6"] = {[](tensors& a) { at::hardtanh_out(a.y, a.x, 0, 6); },
                      [](tensors& a) { at::hardtanh_backward_out(a.dx, a.dy, a.x, 0, 6); }};
        t["hardtanh"] = {[](tensors& a) { at::hardtanh_out(a.y, a.x, -1, 1); },
                         [](tensors& a) { at::hardtanh_backward_out(a.dx, a.dy, a.x, -1, 1); }};
        t["leaky_relu"] = {[](tensors& a) { at::leaky_relu_out(a.y, a.x, 0.01); },
                           [](tensors& a) { at::leaky_relu_backward_out(a.dx, a.dy, a.x, 0.01, false); }};
        t["elu"] = {[](tensors& a) { at::elu_out(a.y, a.x, 1.0, 1.0, 1.0); },
                    [](tensors& a) { at::elu_backward_out(a.dx, a.dy, 1.0, 1.0, 1.0, false, a.x); }};
        t["selu"] = {[](tensors& a) { a.y.copy_(at::selu(a.x)); },
                     [](tensors& a) { at::elu_backward_out(a.dx, a.dy, 1.6732632423543772, 1.0507009873554805, 1.0, false, a.x); }};
        t["gelu"] = {[](tensors& a) { at::gelu_out(a.y, a.x, "none"); },
                     [](tensors& a) { at::gelu_backward_out(a.dx, a.dy, a.x, "none"); }};
        t["gelu_tanh"] = {[](tensors& a) { at::gelu_out(a.y, a.x, "tanh"); },
                          [](tensors& a) { at::gelu_backward_out(a.dx, a.dy, a.x, "tanh"); }};
        t["sigmoid"] = {[](tensors& a) { at::sigmoid_out(a.y, a.x); },
                        [](tensors& a) { at::sigmoid_backward_out(a.dx, a.dy, a.y); }};
        t["hardsigmoid"] = {[](tensors& a) { at::hardsigmoid_out(a.y, a.x); },
                            [](tensors& a) { at::hardsigmoid_backward_out(a.dx, a.dy, a.x); }};
        t["tanh"] = {[](tensors& a) { at::tanh_out(a.y, a.x); },
                     [](tensors& a) { at::tanh_backward_out(a.dx, a.dy, a.y); }};
        t["silu"] = {[](tensors& a) { at::silu_out(a.y, a.x); },
                     [](tensors& a) { at::silu_backward_out(a.dx, a.dy, a.x); }};
        t["mish"] = {[](tensors& a) { at::mish_out(a.y, a.x); },
                     [](tensors& a) { a.dx.copy_(at::mish_backward(a.dy, a.x)); }};
        t["hardswish"] = {[](tensors& a) { at::hardswish_out(a.y, a.x); },
                          [](tensors& a) { a.dx.copy_(at::hardswish_backward(a.dy, a.x)); }};
        t["softplus"] = {[](tensors& a) { at::softplus_out(a.y, a.x, 1.0, 20.0); },
                         [](tensors& a) { at::softplus_backward_out(a.dx, a.dy, a.x, 1.0, 20.0); }};
        t["logsigmoid"] = {[](tensors& a) { at::log_sigmoid_out(a.y, a.x); },
                           [](tensors& a) {
                               static at::Tensor buffer;  // log_sigmoid_forward's, as autograd keeps it
                               if (!buffer.defined() || buffer.numel() != a.x.numel()) buffer = std::get<1>(at::log_sigmoid_forward(a.x));
                               at::log_sigmoid_backward_out(a.dx, a.dy, a.x, buffer);
                           }};
        t["softshrink"] = {[](tensors& a) { at::softshrink_out(a.y, a.x, 0.5); },
                           [](tensors& a) { at::softshrink_backward_out(a.dx, a.dy, a.x, 0.5); }};
        t["hardshrink"] = {[](tensors& a) { at::hardshrink_out(a.y, a.x, 0.5); },
                           [](tensors& a) { at::hardshrink_backward_out(a.dx, a.dy, a.x, 0.5); }};
        return t;
    }();
    return table;
}

// ATen's kernels for the best instruction set this CPU has. ATen reads
// ATEN_CPU_CAPABILITY once, at its first kernel call, and trusts it: "avx512" is set
// only where the CPU has the AVX-512 subsets ATen's kernels use.
inline void select_cpu_capability() {
    static const bool done = [] {
        if (!std::getenv("ATEN_CPU_CAPABILITY") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
            setenv("ATEN_CPU_CAPABILITY", "avx512", 0);
        std::istringstream config(at::show_config());
        std::string capability = "unknown";
        for (std::string line; std::getline(config, line);)
            if (const auto at = line.find("CPU capability usage: "); at != std::string::npos) capability = line.substr(at + 22);
        benchmark::AddCustomContext("pytorch_cpu_capability", capability);
        return true;
    }();
    (void)done;
}

// forward/<name>/pytorch/<n> and backward/<name>/pytorch/<n>, if PyTorch has the activation.
inline void register_pytorch(const std::string& name, std::size_t n) {
    const auto it = all().find(name);
    if (it == all().end()) return;
    select_cpu_capability();
    at::set_num_threads(1);  // as every figure but the scaling ones: one thread
    const auto add = [&](const std::string& pass, std::size_t arrays, std::function<void(tensors&)> body) {
        benchmark::RegisterBenchmark((pass + "/" + name + "/pytorch/" + std::to_string(n)).c_str(), [=](benchmark::State& state) {
            tensors t = wrap(shared_buffers(n));
            if (pass == "backward") it->second.forward(t);  // y, for the kernels that read it
            loop(state, [&] { body(t); });
            finish(state, n, arrays);
        });
    };
    add("forward", 2, it->second.forward);
    add("backward", 3, it->second.backward);
}

}  // namespace bench::torch_baselines
