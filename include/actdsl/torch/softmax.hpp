// The softmax family (catalog/softmax.hpp) as PyTorch autograd functions and
// torch::nn modules (libtorch, C++):
//
//   at::Tensor p = actdsl::torch::softmax(logits, -1);        // also log_softmax, softmin
//   actdsl::torch::nn::LogSoftmax head(::torch::nn::LogSoftmaxOptions(1));
//
// The input is a CPU tensor of float32 or float64, any shape and strides (read in
// place; a 0-d tensor is one row of one element, as PyTorch's), dim in [-rank, rank)
// as PyTorch's. The result is a new contiguous tensor, and it is what backward
// reads (dx from y and dy, as PyTorch's own softmax backward): one fused pass along
// dim. Under create_graph the gradient is PyTorch's own softmax backward over the
// saved y instead, which autograd differentiates again, to any order.
//
// Needs libtorch's headers (Debian's libtorch-dev) and g++, as actdsl/torch.hpp.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>

#include <ATen/ATen.h>
#include <torch/autograd.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/pimpl.h>

#include "../catalog/softmax.hpp"
#include "../torch.hpp"

namespace actdsl::torch {
namespace softmax_bridge {

enum class kind { softmax, log_softmax, softmin };

constexpr const char* name_of(kind k) {
    return k == kind::softmax ? "softmax" : k == kind::log_softmax ? "log_softmax" : "softmin";
}

using detail::array_of;

// PyTorch's checks and messages (c10::IndexError for dim, as PyTorch's); returns dim in
// [0, rank), a 0-d tensor counting as rank 1.
inline std::int64_t checked_dim(kind k, const at::Tensor& input, std::int64_t dim) {
    TORCH_CHECK(input.defined(), "actdsl::torch::", name_of(k), ": the input is an undefined tensor");
    TORCH_CHECK(input.device().is_cpu(), "actdsl::torch::", name_of(k), ": the input is on ", input.device().str(),
                "; actdsl runs on CPU tensors only (move it with .cpu())");
    TORCH_CHECK(input.layout() == at::kStrided, "actdsl::torch::", name_of(k),
                ": the input is not a dense (strided) tensor; convert it with .to_dense()");
    TORCH_CHECK(input.scalar_type() == at::kFloat || input.scalar_type() == at::kDouble, "actdsl::torch::", name_of(k),
                ": the input has dtype ", input.scalar_type(),
                "; actdsl computes in float32 or float64 (convert with .to(torch::kFloat))");
    const std::int64_t rank = input.dim() == 0 ? 1 : input.dim();
    TORCH_CHECK_INDEX(dim >= -rank && dim < rank, "Dimension out of range (expected to be in range of [", -rank, ", ",
                      rank - 1, "], but got ", dim, ")");
    return dim < 0 ? dim + rank : dim;
}

// A 0-d tensor as one row of one element (a view).
inline at::Tensor as_row(const at::Tensor& t) { return t.dim() == 0 ? t.reshape({1}) : t; }

inline at::Tensor forward(kind k, const at::Tensor& x, std::int64_t dim) {
    at::Tensor y = at::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::Contiguous));
    if (x.numel() == 0) return y;
    const at::Tensor xv = as_row(x), yv = as_row(y);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "actdsl::torch::softmax", [&] {
        auto in = array_of<scalar_t>(xv);
        auto out = array_of<scalar_t>(yv);
        if (k == kind::softmax)
            actdsl::softmax(in, out, dim);
        else if (k == kind::log_softmax)
            actdsl::log_softmax(in, out, dim);
        else
            actdsl::softmin(in, out, dim);
    });
    return y;
}

inline at::Tensor backward(kind k, const at::Tensor& y, const at::Tensor& dy, std::int64_t dim) {
    at::Tensor dx = at::empty(y.sizes(), y.options());
    if (y.numel() == 0) return dx;
    const at::Tensor yv = as_row(y), dyv = as_row(dy), dxv = as_row(dx);
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "actdsl::torch::softmax_backward", [&] {
        auto yin = array_of<scalar_t>(yv);
        auto g = array_of<scalar_t>(dyv);
        auto out = array_of<scalar_t>(dxv);
        if (k == kind::softmax)
            actdsl::softmax_backward(yin, g, out, dim);
        else if (k == kind::log_softmax)
            actdsl::log_softmax_backward(yin, g, out, dim);
        else
            actdsl::softmin_backward(yin, g, out, dim);
    });
    return dx;
}

// The same gradient from PyTorch's own backward operations over y, which autograd
// differentiates again (through y, back into this function).
inline at::Tensor differentiable_backward(kind k, const at::Tensor& y, const at::Tensor& dy, std::int64_t dim) {
    if (k == kind::log_softmax) return at::_log_softmax_backward_data(dy, y, dim, y.scalar_type());
    const at::Tensor dx = at::_softmax_backward_data(dy, y, dim, y.scalar_type());
    return k == kind::softmin ? -dx : dx;
}

struct function : ::torch::autograd::Function<function> {
    static at::Tensor forward(::torch::autograd::AutogradContext* ctx, const at::Tensor& x, std::int64_t dim,
                              std::int64_t k) {
        at::Tensor y = softmax_bridge::forward(static_cast<kind>(k), x, dim);
        ctx->save_for_backward({y});
        ctx->saved_data["dim"] = dim;
        ctx->saved_data["kind"] = k;
        return y;
    }
    static ::torch::autograd::variable_list backward(::torch::autograd::AutogradContext* ctx,
                                                     ::torch::autograd::variable_list grads) {
        const at::Tensor y = ctx->get_saved_variables()[0];
        const std::int64_t dim = ctx->saved_data["dim"].toInt();
        const auto k = static_cast<kind>(ctx->saved_data["kind"].toInt());
        const at::Tensor& dy = grads[0];
        at::Tensor dx;
        if (!dy.defined())
            dx = at::Tensor();
        else if (::torch::autograd::GradMode::is_enabled())
            dx = differentiable_backward(k, y, dy, dim);
        else
            dx = softmax_bridge::backward(k, y, dy, dim);
        return {dx, at::Tensor(), at::Tensor()};
    }
};

inline at::Tensor apply(kind k, const at::Tensor& input, std::int64_t dim) {
    const std::int64_t d = checked_dim(k, input, dim);
    return function::apply(input, d, static_cast<std::int64_t>(k));
}

}  // namespace softmax_bridge

// exp(x - max) / sum(exp(x - max)) along dim.
inline at::Tensor softmax(const at::Tensor& input, std::int64_t dim) {
    return softmax_bridge::apply(softmax_bridge::kind::softmax, input, dim);
}
// (x - max) - log(sum(exp(x - max))) along dim.
inline at::Tensor log_softmax(const at::Tensor& input, std::int64_t dim) {
    return softmax_bridge::apply(softmax_bridge::kind::log_softmax, input, dim);
}
// softmax(-x) along dim.
inline at::Tensor softmin(const at::Tensor& input, std::int64_t dim) {
    return softmax_bridge::apply(softmax_bridge::kind::softmin, input, dim);
}

namespace nn {
namespace detail {

// Base: libtorch's module (its options, clone and printing); forward runs actdsl's kernel.
template <class Base, class Derived, softmax_bridge::kind K>
class softmax_twin : public Base {
public:
    using Base::Base;

    at::Tensor forward(const at::Tensor& input) { return softmax_bridge::apply(K, input, this->options.dim()); }

    std::shared_ptr<::torch::nn::Module> clone(const c10::optional<c10::Device>& = c10::nullopt) const override {
        return std::make_shared<Derived>(static_cast<const Derived&>(*this));
    }

    void pretty_print(std::ostream& stream) const override {
        stream << "actdsl::";
        Base::pretty_print(stream);
    }
};

}  // namespace detail

#define ACTDSL_TORCH_SOFTMAX_TWIN(Name, Kind)                                                            \
    class Name##Impl final                                                                               \
        : public detail::softmax_twin<::torch::nn::Name##Impl, Name##Impl, softmax_bridge::kind::Kind> { \
    public:                                                                                              \
        using softmax_twin::softmax_twin;                                                                \
    };                                                                                                   \
    class Name : public ::torch::nn::ModuleHolder<Name##Impl> {                                          \
    public:                                                                                              \
        using ::torch::nn::ModuleHolder<Name##Impl>::ModuleHolder;                                       \
        using Impl = Name##Impl;                                                                         \
    }

ACTDSL_TORCH_SOFTMAX_TWIN(Softmax, softmax);
ACTDSL_TORCH_SOFTMAX_TWIN(LogSoftmax, log_softmax);
ACTDSL_TORCH_SOFTMAX_TWIN(Softmin, softmin);

#undef ACTDSL_TORCH_SOFTMAX_TWIN

}  // namespace nn
}  // namespace actdsl::torch
