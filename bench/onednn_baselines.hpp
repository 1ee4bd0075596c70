// oneDNN's kernels, timed in the same binary as ours (when CMake finds Debian's
// libdnnl-dev) on the arrays actdsl's benchmarks use: eltwise for the catalog's
// elementwise activations (forward, backward from the input x, and backward from the
// output y where oneDNN has that form, `*_use_dst_for_bwd`), and softmax_v2 for the
// softmax family. The memory objects over the arrays are made once, outside the timed
// loop. oneDNN's CPU engine runs on OpenMP, whose thread count the harness sets to one.
// Each benchmark's label is the implementation oneDNN chose (`jit:avx512_core` is its
// AVX-512 JIT kernel).
#pragma once

#include <map>
#include <optional>
#include <string>

#include <oneapi/dnnl/dnnl.hpp>

#include "harness.hpp"

namespace bench::onednn_baselines {

struct algorithm {
    dnnl::algorithm forward;
    float alpha = 0, beta = 0;
    std::optional<dnnl::algorithm> from_output = {};  // backward from y, where oneDNN has it
};

// Keyed by the catalog's names (bench_catalog), with PyTorch's default parameters.
inline const std::map<std::string, algorithm>& all() {
    using a = dnnl::algorithm;
    static const std::map<std::string, algorithm> table = {
        {"relu", {a::eltwise_relu, 0, 0, a::eltwise_relu_use_dst_for_bwd}},
        {"leaky_relu", {a::eltwise_relu, 0.01f, 0, a::eltwise_relu_use_dst_for_bwd}},
        {"relu6", {a::eltwise_clip_v2, 0, 6, a::eltwise_clip_v2_use_dst_for_bwd}},
        {"hardtanh", {a::eltwise_clip_v2, -1, 1, a::eltwise_clip_v2_use_dst_for_bwd}},
        {"elu", {a::eltwise_elu, 1, 0, a::eltwise_elu_use_dst_for_bwd}},
        {"gelu", {a::eltwise_gelu_erf}},
        {"gelu_tanh", {a::eltwise_gelu_tanh}},
        {"sigmoid", {a::eltwise_logistic, 0, 0, a::eltwise_logistic_use_dst_for_bwd}},
        {"tanh", {a::eltwise_tanh, 0, 0, a::eltwise_tanh_use_dst_for_bwd}},
        {"silu", {a::eltwise_swish, 1}},
        {"mish", {a::eltwise_mish}},
        {"hardswish", {a::eltwise_hardswish}},
        {"softplus", {a::eltwise_soft_relu}},  // log(1 + exp(x)): PyTorch's beta = 1; no threshold
        {"logsigmoid", {a::eltwise_logsigmoid}},
    };
    return table;
}

// One primitive over n floats of the shared buffers.
class pass {
public:
    pass(buffers& b, const algorithm& alg, std::optional<dnnl::algorithm> backward)
        : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_),
          md_({static_cast<dnnl::memory::dim>(b.x.size())}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a),
          x_(wrap(b.x)), dy_(wrap(b.dy)), y_(wrap(b.y)), dx_(wrap(b.dx)) {
        const dnnl::algorithm forward_alg = backward.value_or(alg.forward);  // a *_use_dst_for_bwd pair needs its own forward
        const dnnl::eltwise_forward::primitive_desc forward_pd(
            dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, forward_alg, md_, alg.alpha, alg.beta), engine_);
        forward_ = dnnl::eltwise_forward(forward_pd);
        implementation_ = forward_pd.impl_info_str();
        if (backward) {
            const dnnl::eltwise_backward::primitive_desc backward_pd(
                dnnl::eltwise_backward::desc(*backward, md_, md_, alg.alpha, alg.beta), engine_, forward_pd);
            backward_ = dnnl::eltwise_backward(backward_pd);
            implementation_ = backward_pd.impl_info_str();
        }
    }

    void forward() {
        forward_.execute(stream_, {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DST, y_}});
        stream_.wait();
    }
    // dx from dy and x, or from dy and y for a *_use_dst_for_bwd algorithm.
    void backward(bool from_output) {
        backward_.execute(stream_, {{from_output ? DNNL_ARG_DST : DNNL_ARG_SRC, from_output ? y_ : x_},
                                    {DNNL_ARG_DIFF_DST, dy_},
                                    {DNNL_ARG_DIFF_SRC, dx_}});
        stream_.wait();
    }
    const std::string& implementation() const { return implementation_; }

private:
    dnnl::memory wrap(array& a) { return dnnl::memory(md_, engine_, a.data()); }

    dnnl::engine engine_;
    dnnl::stream stream_;
    dnnl::memory::desc md_;
    dnnl::memory x_, dy_, y_, dx_;
    dnnl::eltwise_forward forward_;
    dnnl::eltwise_backward backward_;
    std::string implementation_;
};

// forward/<name>/onednn/<n>, backward/<name>/onednn/<n> and, where oneDNN has it,
// backward/<name>/onednn_from_output/<n>.
inline void register_onednn(const std::string& name, std::size_t n) {
    const auto it = all().find(name);
    if (it == all().end()) return;
    const algorithm alg = it->second;
    const auto add = [&](const std::string& pass_name, const std::string& variant, std::size_t arrays,
                         std::optional<dnnl::algorithm> backward) {
        benchmark::RegisterBenchmark((pass_name + "/" + name + "/" + variant + "/" + std::to_string(n)).c_str(),
                                     [=](benchmark::State& state) {
                                         buffers& b = shared_buffers(n);
                                         pass p(b, alg, backward);
                                         p.forward();  // y, for the passes that read it
                                         state.SetLabel(p.implementation());
                                         const bool from_output = variant == "onednn_from_output";
                                         if (backward) loop(state, [&] { p.backward(from_output); });
                                         else loop(state, [&] { p.forward(); });
                                         finish(state, n, arrays);
                                     });
    };
    add("forward", "onednn", 2, std::nullopt);
    // Backward from x: the algorithm itself (its *_use_dst_for_bwd twin reads y instead).
    add("backward", "onednn", 3, alg.forward);
    if (alg.from_output) add("backward", "onednn_from_output", 3, alg.from_output);
}

// softmax_v2 (softmax_accurate or softmax_log) over a row-major rows x cols matrix
// along `axis`, forward and backward (from y, as PyTorch's and ours).
class softmax_pass {
public:
    softmax_pass(std::size_t rows, std::size_t cols, int axis, bool log, float* x, float* y, float* dy, float* dx)
        : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_),
          md_({static_cast<dnnl::memory::dim>(rows), static_cast<dnnl::memory::dim>(cols)}, dnnl::memory::data_type::f32,
              dnnl::memory::format_tag::ab),
          x_(wrap(x)), y_(wrap(y)), dy_(wrap(dy)), dx_(wrap(dx)) {
        const auto alg = log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
        const dnnl::softmax_v2_forward::primitive_desc forward_pd(
            dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_training, alg, md_, md_, axis), engine_);
        const dnnl::softmax_v2_backward::primitive_desc backward_pd(dnnl::softmax_v2_backward::desc(alg, md_, md_, md_, axis),
                                                                    engine_, forward_pd);
        forward_ = dnnl::softmax_v2_forward(forward_pd);
        backward_ = dnnl::softmax_v2_backward(backward_pd);
        implementation_ = std::string(forward_pd.impl_info_str()) + " / " + backward_pd.impl_info_str();
    }
    void forward() {
        forward_.execute(stream_, {{DNNL_ARG_SRC, x_}, {DNNL_ARG_DST, y_}});
        stream_.wait();
    }
    void backward() {
        backward_.execute(stream_, {{DNNL_ARG_DST, y_}, {DNNL_ARG_DIFF_DST, dy_}, {DNNL_ARG_DIFF_SRC, dx_}});
        stream_.wait();
    }
    const std::string& implementation() const { return implementation_; }

private:
    dnnl::memory wrap(float* p) { return dnnl::memory(md_, engine_, p); }

    dnnl::engine engine_;
    dnnl::stream stream_;
    dnnl::memory::desc md_;
    dnnl::memory x_, y_, dy_, dx_;
    dnnl::softmax_v2_forward forward_;
    dnnl::softmax_v2_backward backward_;
    std::string implementation_;
};

}  // namespace bench::onednn_baselines
