// The catalog as libtorch modules (torch::nn's C++ frontend):
//
//   actdsl::torch::nn::GELU gelu(::torch::nn::GELUOptions().approximate("tanh"));
//   actdsl::torch::nn::PReLU prelu(::torch::nn::PReLUOptions().num_parameters(64));
//   ::torch::nn::Sequential net(::torch::nn::Linear(256, 64), prelu, ::torch::nn::Linear(64, 8), gelu);
//
// Each module of ::torch::nn that the catalog has (ELU, SELU, Hardshrink, Hardtanh,
// LeakyReLU, LogSigmoid, PReLU, ReLU, ReLU6, RReLU, CELU, GLU, GELU, SiLU, Mish,
// Sigmoid, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold) has a twin
// here of the same name that derives from it: the same constructors and options,
// parameters (PReLU's weight), state dict keys and training mode; only forward
// differs, and runs actdsl's kernels (differentiable twice, as
// actdsl::torch::build_activation's). RReLU in training mode keeps PyTorch's random
// slopes. Options changed after construction are honoured, as libtorch's modules do.
// Softmax, LogSoftmax and Softmin are in actdsl/torch/softmax.hpp.
//
// actdsl::torch::nn::Activation builds any type of catalog/list.hpp from a registry
// config, including those libtorch has no C++ module for (Hardsigmoid, Hardswish,
// Squareplus, SparsePlus):
//
//   actdsl::torch::nn::Activation hardswish({{"type", "Hardswish"}});
//
// The modules build their activations through build_activation(config), which
// instantiates every activation's kernels: include this header in one translation
// unit of a program.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/pimpl.h>

#include "catalog.hpp"

namespace actdsl::torch::nn {
namespace detail {

// The registry config (torch.nn's Python names) of a libtorch module's options.
inline nlohmann::json config_of(const ::torch::nn::ELUImpl& m) {
    return {{"type", "ELU"}, {"alpha", m.options.alpha()}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::SELUImpl& m) {
    return {{"type", "SELU"}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::HardshrinkImpl& m) {
    return {{"type", "Hardshrink"}, {"lambd", m.options.lambda()}};
}
inline nlohmann::json config_of(const ::torch::nn::HardtanhImpl& m) {
    return {{"type", "Hardtanh"},
            {"min_val", m.options.min_val()},
            {"max_val", m.options.max_val()},
            {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::LeakyReLUImpl& m) {
    return {{"type", "LeakyReLU"}, {"negative_slope", m.options.negative_slope()}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::LogSigmoidImpl&) { return {{"type", "LogSigmoid"}}; }
// num_parameters and init are the weight's shape and first value (PReLUImpl::reset).
inline nlohmann::json config_of(const ::torch::nn::PReLUImpl&) { return {{"type", "PReLU"}}; }
inline nlohmann::json config_of(const ::torch::nn::ReLUImpl& m) {
    return {{"type", "ReLU"}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::ReLU6Impl& m) {
    return {{"type", "ReLU6"}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::RReLUImpl& m) {
    return {{"type", "RReLU"},
            {"lower", m.options.lower()},
            {"upper", m.options.upper()},
            {"inplace", m.options.inplace()},
            {"training", m.is_training()}};
}
inline nlohmann::json config_of(const ::torch::nn::CELUImpl& m) {
    return {{"type", "CELU"}, {"alpha", m.options.alpha()}, {"inplace", m.options.inplace()}};
}
inline nlohmann::json config_of(const ::torch::nn::GLUImpl& m) { return {{"type", "GLU"}, {"dim", m.options.dim()}}; }
inline nlohmann::json config_of(const ::torch::nn::GELUImpl& m) {
    return {{"type", "GELU"}, {"approximate", m.options.approximate()}};
}
inline nlohmann::json config_of(const ::torch::nn::SiLUImpl&) { return {{"type", "SiLU"}}; }
inline nlohmann::json config_of(const ::torch::nn::MishImpl&) { return {{"type", "Mish"}}; }
inline nlohmann::json config_of(const ::torch::nn::SigmoidImpl&) { return {{"type", "Sigmoid"}}; }
inline nlohmann::json config_of(const ::torch::nn::SoftplusImpl& m) {
    return {{"type", "Softplus"}, {"beta", m.options.beta()}, {"threshold", m.options.threshold()}};
}
inline nlohmann::json config_of(const ::torch::nn::SoftshrinkImpl& m) {
    return {{"type", "Softshrink"}, {"lambd", m.options.lambda()}};
}
inline nlohmann::json config_of(const ::torch::nn::SoftsignImpl&) { return {{"type", "Softsign"}}; }
inline nlohmann::json config_of(const ::torch::nn::TanhImpl&) { return {{"type", "Tanh"}}; }
inline nlohmann::json config_of(const ::torch::nn::TanhshrinkImpl&) { return {{"type", "Tanhshrink"}}; }
inline nlohmann::json config_of(const ::torch::nn::ThresholdImpl& m) {
    return {{"type", "Threshold"},
            {"threshold", m.options.threshold()},
            {"value", m.options.value()},
            {"inplace", m.options.inplace()}};
}

// The activation of a config, built once per mode (RReLU's config depends on
// is_training()) and again only if the config changed since (options set after
// construction). Immutable after construction: modules are called from several threads.
class built_activations {
public:
    built_activations() = default;
    template <class MakeConfig>
    explicit built_activations(MakeConfig&& config_in_mode) {
        for (bool training : {false, true}) {
            auto& built = slots_[training];
            built.config = config_in_mode(training);
            built.fn = training && built.config == slots_[0].config ? slots_[0].fn : build_activation(built.config);
        }
    }
    std::shared_ptr<const activation> get(const nlohmann::json& config, bool training) const {
        const auto& built = slots_[training];
        if (built.fn && built.config == config) return built.fn;
        return build_activation(config);
    }
    // The activation built for this mode (a config that cannot change since).
    const std::shared_ptr<const activation>& get(bool training) const { return slots_[training].fn; }

private:
    struct config_and_activation {
        nlohmann::json config;
        std::shared_ptr<const activation> fn;
    };
    std::array<config_and_activation, 2> slots_;
};

// Base: a libtorch module; Derived: its twin (the most derived class). Forward runs
// actdsl's activation of Base's options on the input (and PReLU's weight).
template <class Base, class Derived>
class twin : public Base {
public:
    template <class... Args>
        requires std::constructible_from<Base, Args...>
    explicit twin(Args&&... args)
        : Base(std::forward<Args>(args)...), built_([this](bool training) { return config_in_mode(training); }) {}

    at::Tensor forward(const at::Tensor& input) {
        const auto fn = built_.get(config_of(static_cast<const Base&>(*this)), this->is_training());
        if constexpr (std::is_same_v<Base, ::torch::nn::PReLUImpl>) return (*fn)(input, {this->weight});
        else return (*fn)(input);
    }

    // Base's clone (a deep copy of the parameters) as the twin.
    std::shared_ptr<::torch::nn::Module> clone(const c10::optional<c10::Device>& device = c10::nullopt) const override {
        auto fresh = std::dynamic_pointer_cast<Base>(Base::clone(device));
        auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
        static_cast<Base&>(*copy) = std::move(*fresh);
        return copy;
    }

    void pretty_print(std::ostream& stream) const override {
        stream << "actdsl::";
        Base::pretty_print(stream);
    }

private:
    // The config in training mode or not (the same but for RReLU), checked while the
    // module is made: bad options throw std::invalid_argument from its constructor.
    nlohmann::json config_in_mode(bool training) const {
        nlohmann::json config = config_of(static_cast<const Base&>(*this));
        if (config.contains("training")) config["training"] = training;
        return config;
    }
    built_activations built_;
};

}  // namespace detail

#define ACTDSL_TORCH_NN_TWIN(Name)                                                                                  \
    class Name##Impl final : public detail::twin<::torch::nn::Name##Impl, Name##Impl> {                             \
    public:                                                                                                         \
        using twin::twin;                                                                                           \
    };                                                                                                              \
    class Name : public ::torch::nn::ModuleHolder<Name##Impl> {                                                     \
    public:                                                                                                         \
        using ::torch::nn::ModuleHolder<Name##Impl>::ModuleHolder;                                                  \
        using Impl = Name##Impl;                                                                                    \
    }

ACTDSL_TORCH_NN_TWIN(ELU);
ACTDSL_TORCH_NN_TWIN(SELU);
ACTDSL_TORCH_NN_TWIN(Hardshrink);
ACTDSL_TORCH_NN_TWIN(Hardtanh);
ACTDSL_TORCH_NN_TWIN(LeakyReLU);
ACTDSL_TORCH_NN_TWIN(LogSigmoid);
ACTDSL_TORCH_NN_TWIN(PReLU);
ACTDSL_TORCH_NN_TWIN(ReLU);
ACTDSL_TORCH_NN_TWIN(ReLU6);
ACTDSL_TORCH_NN_TWIN(RReLU);
ACTDSL_TORCH_NN_TWIN(CELU);
ACTDSL_TORCH_NN_TWIN(GLU);
ACTDSL_TORCH_NN_TWIN(GELU);
ACTDSL_TORCH_NN_TWIN(SiLU);
ACTDSL_TORCH_NN_TWIN(Mish);
ACTDSL_TORCH_NN_TWIN(Sigmoid);
ACTDSL_TORCH_NN_TWIN(Softplus);
ACTDSL_TORCH_NN_TWIN(Softshrink);
ACTDSL_TORCH_NN_TWIN(Softsign);
ACTDSL_TORCH_NN_TWIN(Tanh);
ACTDSL_TORCH_NN_TWIN(Tanhshrink);
ACTDSL_TORCH_NN_TWIN(Threshold);

#undef ACTDSL_TORCH_NN_TWIN

// Any catalog type from its registry config (torch.nn's names and defaults). PReLU's
// weight is a parameter "weight" of num_parameters elements set to init; RReLU's
// training mode is the module's (train(), eval()), not a config key.
class ActivationImpl : public ::torch::nn::Cloneable<ActivationImpl> {
public:
    explicit ActivationImpl(nlohmann::json config) : config_(std::move(config)) {
        if (config_.is_object() && config_.contains("training") && config_.value("type", nlohmann::json()) == "RReLU")
            throw std::invalid_argument(
                "actdsl::torch::nn::Activation: RReLU's training mode is the module's (train() or eval()), "
                "not a config key: remove \"training\"");
        built_ = detail::built_activations([this](bool training) { return config_in_mode(training); });
        reset();
    }

    void reset() override {
        if (config_.at("type") != "PReLU") return;
        const auto n = config_.value("num_parameters", std::int64_t{1});
        const auto init = config_.value("init", 0.25);
        weight = register_parameter("weight", ::torch::full({n}, init));
    }

    at::Tensor forward(const at::Tensor& input) {
        const auto& fn = built_.get(is_training());  // config_ is fixed at construction
        if (weight.defined()) return (*fn)(input, {weight});
        return (*fn)(input);
    }

    void pretty_print(std::ostream& stream) const override {
        stream << "actdsl::torch::nn::Activation(" << config_.dump() << ")";
    }

    const nlohmann::json& config() const { return config_; }

    // PReLU's weight (undefined for other types).
    at::Tensor weight;

private:
    nlohmann::json config_in_mode(bool training) const {
        nlohmann::json config = config_;
        if (config.is_object() && config.value("type", "") == "RReLU") config["training"] = training;
        return config;
    }
    nlohmann::json config_;
    detail::built_activations built_;
};

class Activation : public ::torch::nn::ModuleHolder<ActivationImpl> {
public:
    using Impl = ActivationImpl;
    // Activation({{"type", "Hardswish"}}): ModuleHolder's forwarding constructor
    // cannot take a braced config, so the holder names its constructors.
    explicit Activation(nlohmann::json config)
        : ::torch::nn::ModuleHolder<ActivationImpl>(std::make_shared<ActivationImpl>(std::move(config))) {}
    explicit Activation(nlohmann::json::initializer_list_t config) : Activation(nlohmann::json(config)) {}
    Activation(std::shared_ptr<ActivationImpl> impl) : ::torch::nn::ModuleHolder<ActivationImpl>(std::move(impl)) {}
    Activation(std::nullptr_t) : ::torch::nn::ModuleHolder<ActivationImpl>(nullptr) {}
};

}  // namespace actdsl::torch::nn
