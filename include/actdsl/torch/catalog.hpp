// The catalog (catalog/list.hpp) as PyTorch autograd functions, built by name from
// the same configs as the registry (torch.nn's class names, parameter names,
// defaults and rules):
//
//   auto elu = actdsl::torch::build_activation({{"type", "ELU"}, {"alpha", 0.5}});
//   at::Tensor y = (*elu)(input);                  // differentiable twice
//   auto prelu = actdsl::torch::build_activation({{"type", "PReLU"}});
//   at::Tensor z = (*prelu)(input, {weight});      // weight: the module's parameter
//
// Elementwise types and GLU run actdsl::torch::function<2> over the catalog's
// expression (double backward included); ReLU, ReLU6, Hardtanh and LeakyReLU (slope
// >= 0), whose slope y decides exactly, run function_from_output and keep y, not x. PReLU takes its weight as a parameter
// tensor: one element, or one per channel (input's dimension 1). RReLU in training
// mode draws its slopes from PyTorch's generator and runs PyTorch's kernel (its
// evaluation mode is actdsl's). Maxout, which torch.nn does not have, is an error.
// inplace=True writes the result into the input tensor and returns it.
//
// Building the table instantiates every activation's forward and derivative
// kernels: include this header in one translation unit, or split the table over
// several with add_builders<Begin, End> (as python/ does).
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/size.hpp>
#include <nlohmann/json.hpp>

#include "../catalog/config.hpp"
#include "../catalog/glu.hpp"
#include "../catalog/list.hpp"
#include "../torch.hpp"

namespace actdsl::torch {

// An activation built from a config: call it on a tensor, and on its learnable
// parameters' tensors (parameter_count() of them: PReLU's weight).
class activation {
public:
    activation(std::string type, bool inplace) : type_(std::move(type)), inplace_(inplace) {}
    virtual ~activation() = default;
    const std::string& type() const { return type_; }
    // The config asked for inplace=True.
    bool inplace() const { return inplace_; }
    virtual std::size_t parameter_count() const { return 0; }

    at::Tensor operator()(const at::Tensor& input, const std::vector<at::Tensor>& parameters = {}) const {
        TORCH_CHECK(parameters.size() == parameter_count(), "actdsl::torch: ", type_, " takes ", parameter_count(),
                    " parameter tensor(s) after the input, got ", parameters.size());
        if (!inplace_) return forward(input, parameters);
        TORCH_CHECK(input.defined(), "actdsl::torch: ", type_, ": the input is an undefined tensor");
        // Where autograd keeps the input's value for backward, compute from a copy of it;
        // then overwrite the input (an in-place op autograd records, as PyTorch's own).
        const bool recorded = ::torch::autograd::GradMode::is_enabled() && input.requires_grad();
        at::Tensor y = forward(recorded && keeps_input() ? input.clone() : input, parameters);
        return input.copy_(y);
    }

private:
    virtual at::Tensor forward(const at::Tensor& input, const std::vector<at::Tensor>& parameters) const = 0;
    // Whether backward reads the input (rather than the output).
    virtual bool keeps_input() const { return true; }
    std::string type_;
    bool inplace_;
};

namespace detail {

template <class Fn> inline constexpr bool is_output_function = false;
template <int Order, class F, class G> inline constexpr bool is_output_function<output_function_t<Order, F, G>> = true;

// Fn: an actdsl::torch::function of one variable, or a function_from_output.
template <class Fn>
class elementwise_activation final : public activation {
public:
    elementwise_activation(std::string type, Fn fn, bool inplace, std::string float_problem)
        : activation(std::move(type), inplace), fn_(std::move(fn)), float_problem_(std::move(float_problem)) {}

private:
    at::Tensor forward(const at::Tensor& input, const std::vector<at::Tensor>&) const override {
        TORCH_CHECK(float_problem_.empty() || !input.defined() || input.scalar_type() != at::kFloat, "actdsl::torch: ",
                    float_problem_);
        return fn_(input);
    }
    bool keeps_input() const override { return !is_output_function<Fn>; }
    Fn fn_;
    std::string float_problem_;
};

inline constexpr parameter<"weight"> prelu_weight{};
inline const auto prelu_function = function(prelu(x, prelu_weight), prelu_weight);

class prelu_activation final : public activation {
public:
    prelu_activation() : activation("PReLU", false) {}
    std::size_t parameter_count() const override { return 1; }

private:
    at::Tensor forward(const at::Tensor& input, const std::vector<at::Tensor>& p) const override {
        const at::Tensor& w = p[0];
        TORCH_CHECK(w.defined() && w.dim() <= 1 && w.numel() >= 1,
                    "actdsl::torch: PReLU's weight must be a 1-D tensor of num_parameters elements, got shape ", w.sizes());
        if (w.numel() == 1) return prelu_function(input, w.reshape({}));
        TORCH_CHECK(input.defined() && input.dim() >= 2 && input.size(1) == w.numel(),
                    "Mismatch of parameter numbers and input channel size. Found parameter numbers = ", w.numel(),
                    " and channel size = ", input.defined() && input.dim() >= 2 ? input.size(1) : 1, ".");
        // One pass per channel, over a strided view of the input (no copy).
        std::vector<at::Tensor> channels;
        channels.reserve(static_cast<std::size_t>(w.numel()));
        for (std::int64_t c = 0; c < w.numel(); ++c) channels.push_back(prelu_function(input.select(1, c), w.select(0, c)));
        return at::stack(channels, 1);
    }
};

inline const auto glu_function = function(glu_detail::expression, glu_detail::a, glu_detail::b);

class glu_activation final : public activation {
public:
    explicit glu_activation(std::int64_t dim) : activation("GLU", false), dim_(dim) {}

private:
    at::Tensor forward(const at::Tensor& input, const std::vector<at::Tensor>&) const override {
        TORCH_CHECK(input.defined() && input.dim() > 0, "glu does not support scalars because halving size must be even");
        const std::int64_t rank = input.dim();
        TORCH_CHECK(dim_ >= -rank && dim_ < rank, "Dimension out of range (expected to be in range of [", -rank, ", ",
                    rank - 1, "], but got ", dim_, ")");
        const std::int64_t d = dim_ < 0 ? dim_ + rank : dim_;
        const std::int64_t n = input.size(d);
        TORCH_CHECK(n % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", n);
        return glu_function(input.narrow(d, 0, n / 2), input.narrow(d, n / 2, n / 2));
    }
    std::int64_t dim_;
};

class rrelu_training_activation final : public activation {
public:
    rrelu_training_activation(double lower, double upper, bool inplace)
        : activation("RReLU", inplace), lower_(lower), upper_(upper) {}

private:
    at::Tensor forward(const at::Tensor& input, const std::vector<at::Tensor>&) const override {
        return at::rrelu(input, lower_, upper_, /*training=*/true);
    }
    double lower_, upper_;
};

// Whether g, a derivative written in the output, uses y only in its conditions: a
// piecewise-constant slope (ReLU's, Hardtanh's, LeakyReLU's), exact wherever y
// decides the piece. Those activations keep y for backward, as PyTorch's do. Where
// the slope is computed from y (Sigmoid's y (1 - y), ELU's y + alpha) it rounds in
// the tails (y (1 - y) is 0 from x = 17 in float, where sigmoid' is 4e-8), so those
// keep x and differentiate f itself.
template <class E> inline constexpr bool reads_output_value = std::is_same_v<E, std::remove_const_t<decltype(actdsl::output)>>;
template <class Op, class... A>
inline constexpr bool reads_output_value<actdsl::node<Op, A...>> = !Op::is_condition && (reads_output_value<A> || ...);
template <class C, class A, class B>
inline constexpr bool reads_output_value<actdsl::node<ops::where, C, A, B>> = reads_output_value<A> || reads_output_value<B>;
template <class G>
inline constexpr bool keeps_output = [] {
    if constexpr (expression<G>) return !reads_output_value<G>;
    else return false;
}();

// What catalog/list.hpp's entries read their parameters through.
class config_reader : public parameter_reader {
public:
    using parameter_reader::parameter_reader;

    // g: f's derivative in its output (catalog/from_output.hpp), where it has one.
    template <class F, class G = int>
    std::shared_ptr<activation> elementwise(const F& f, catalog::inplace in, const G& g = {}) {
        const bool inplace = in == catalog::inplace::yes && c_.flag("inplace", false);
        c_.finish();
        const auto fn = [&] {
            if constexpr (keeps_output<G>) return function_from_output(f, g);
            else return function(f);
        }();
        return std::make_shared<elementwise_activation<std::remove_const_t<decltype(fn)>>>(c_.type(), fn, inplace, c_.float_problem());
    }
    std::shared_ptr<activation> prelu(std::size_t, double) {
        c_.finish();
        return std::make_shared<prelu_activation>();
    }
    std::shared_ptr<activation> rrelu_training(std::uint64_t, double lower, double upper) {
        const bool inplace = c_.flag("inplace", false);
        c_.finish();
        return std::make_shared<rrelu_training_activation>(lower, upper, inplace);
    }
    std::shared_ptr<activation> glu(std::ptrdiff_t dim) {
        c_.finish();
        return std::make_shared<glu_activation>(dim);
    }
    std::shared_ptr<activation> maxout(std::size_t, std::ptrdiff_t) {
        c_.fail("torch.nn has no Maxout and the PyTorch bridge does not build one; use actdsl::maxout_forward on arrays");
    }
};

inline constexpr std::size_t catalog_size = decltype(boost::hana::size(catalog::entries))::value;

}  // namespace detail

// A type's builder: reads a config (an object with that "type") and returns its activation.
using builder = std::function<std::shared_ptr<activation>(const nlohmann::json&)>;
using builder_table = std::map<std::string, builder>;

// Adds the builders of catalog/list.hpp's entries [Begin, End) to `table`.
template <std::size_t Begin = 0, std::size_t End = detail::catalog_size>
void add_builders(builder_table& table) {
    static_assert(Begin <= End && End <= detail::catalog_size, "add_builders<Begin, End>: a range of catalog/list.hpp's entries");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                const auto& e = boost::hana::at_c<Begin + I>(catalog::entries);
                table[std::string(e.type)] = [build = e.build](const nlohmann::json& config) -> std::shared_ptr<activation> {
                    activation_config c(config, config.at("type").get<std::string>(), "actdsl::torch::build_activation");
                    detail::config_reader reader(c);
                    return build(reader);
                };
            }(),
            ...);
    }(std::make_index_sequence<End - Begin>{});
}

// The activation `config` describes, from `table`. A config that is not an object
// with a known string "type", or whose parameters break PyTorch's rules, is a
// std::invalid_argument naming the problem.
inline std::shared_ptr<activation> build_activation(const nlohmann::json& config, const builder_table& table) {
    if (!config.is_object() || !config.contains("type") || !config.at("type").is_string())
        throw std::invalid_argument(
            "actdsl::torch::build_activation: the config must be a JSON object with a string \"type\", such as {\"type\": \"ReLU\"}");
    const auto type = config.at("type").get<std::string>();
    const auto found = table.find(type);
    if (found == table.end()) {
        std::string known;
        for (const auto& [name, b] : table) known += (known.empty() ? "" : ", ") + name;
        throw std::invalid_argument("actdsl::torch::build_activation: unknown type \"" + type + "\" (known: " + known + ")");
    }
    return found->second(config);
}

// The same, from the whole catalog. (A template, so that only a program that calls
// it instantiates the whole catalog.)
template <class Config = nlohmann::json>
std::shared_ptr<activation> build_activation(const Config& config) {
    static_assert(std::is_same_v<Config, nlohmann::json>, "actdsl::torch::build_activation takes an nlohmann::json config");
    static const builder_table table = [] {
        builder_table t;
        add_builders(t);
        return t;
    }();
    return build_activation(config, table);
}

}  // namespace actdsl::torch
