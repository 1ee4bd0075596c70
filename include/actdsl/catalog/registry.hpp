// Activations by name, from configuration:
//   auto act = actdsl::build_activation_layer({{"type", "LeakyReLU"}, {"negative_slope", 0.1}});
//   xt::xarray<float> y = act->forward(x);
//   xt::xarray<float> dx = act->backward(x, dy);
// Types and parameters are torch.nn's (class names, argument names, defaults and
// validation). An unknown type lists the known ones; an unknown or invalid
// parameter names itself and the rule it broke. register_activation adds your own.
//
// Building the catalog instantiates every activation's kernels (float and double):
// include this header in one translation unit of a program, not in every one.
#pragma once

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

#include "../kernels/fused.hpp"
#include "config.hpp"
#include "elementwise.hpp"
#include "from_output.hpp"
#include "glu.hpp"
#include "list.hpp"
#include "maxout.hpp"
#include "prelu.hpp"
#include "rrelu.hpp"

namespace actdsl {

// An activation built at run time. forward and backward work on float and double.
class activation {
public:
    virtual ~activation() = default;
    // The config's "type".
    virtual const std::string& type() const = 0;
    // True when the config asked for inplace=True (PyTorch's flag): forward_inplace is then the intended call.
    virtual bool inplace() const { return false; }

    virtual xt::xarray<float> forward(const xt::xarray<float>& input) const = 0;
    virtual xt::xarray<double> forward(const xt::xarray<double>& input) const = 0;
    // dL/dx from x and dL/dy. For learnable activations (PReLU) this also sets parameter_gradients().
    virtual xt::xarray<float> backward(const xt::xarray<float>& input, const xt::xarray<float>& dy) = 0;
    virtual xt::xarray<double> backward(const xt::xarray<double>& input, const xt::xarray<double>& dy) = 0;

    // y overwrites x (elementwise activations only; the others throw).
    virtual void forward_inplace(xt::xarray<float>& input) const { input = forward(input); }
    virtual void forward_inplace(xt::xarray<double>& input) const { input = forward(input); }

    // dL/dx from y = forward(x) and dL/dy, for the activations whose output determines
    // the derivative (ReLU, ReLU6, Hardtanh, LeakyReLU and ELU with a slope or alpha
    // >= 0, CELU, SELU, Sigmoid, Tanh): backward after forward_inplace.
    virtual bool has_backward_from_output() const { return false; }
    virtual xt::xarray<float> backward_from_output(const xt::xarray<float>&, const xt::xarray<float>&) const { missing_output_derivative(); }
    virtual xt::xarray<double> backward_from_output(const xt::xarray<double>&, const xt::xarray<double>&) const { missing_output_derivative(); }

    // Learnable parameters (PReLU's weight) and the gradients the last backward computed.
    virtual xt::xarray<double>* parameters() { return nullptr; }
    virtual const xt::xarray<double>* parameter_gradients() const { return nullptr; }

private:
    [[noreturn]] void missing_output_derivative() const {
        throw std::logic_error("actdsl: " + type() + "'s derivative is not a function of its output; keep the input and call backward");
    }
};

namespace catalog_detail {

template <class T>
xt::xarray<T> empty_like(const xt::xarray<T>& x) { return xt::xarray<T>::from_shape(x.shape()); }

struct no_derivative_from_output {};

// forward and backward for float and double, both from Derived's templates
// run_forward<T> and run_backward<T> (befriend this class to keep them private).
template <class Derived>
class typed_activation : public activation {
public:
    xt::xarray<float> forward(const xt::xarray<float>& input) const override { return self().run_forward(input); }
    xt::xarray<double> forward(const xt::xarray<double>& input) const override { return self().run_forward(input); }
    xt::xarray<float> backward(const xt::xarray<float>& input, const xt::xarray<float>& dy) override {
        return static_cast<Derived&>(*this).run_backward(input, dy);
    }
    xt::xarray<double> backward(const xt::xarray<double>& input, const xt::xarray<double>& dy) override {
        return static_cast<Derived&>(*this).run_backward(input, dy);
    }

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }
};

// An elementwise activation: one expression, run by the fused kernels, and G its
// derivative written in actdsl::output when there is one.
template <class F, class G = no_derivative_from_output>
class expression_activation final : public typed_activation<expression_activation<F, G>> {
    friend typed_activation<expression_activation<F, G>>;

public:
    // float_problem: why the parameters do not hold in float (activation_config::float_problem),
    // or empty.
    expression_activation(std::string type, const F& f, bool inplace, const G& g = {}, std::string float_problem = {})
        : type_(std::move(type)), f_(f), g_(g), inplace_(inplace), float_problem_(std::move(float_problem)) {}
    const std::string& type() const override { return type_; }
    bool inplace() const override { return inplace_; }
    void forward_inplace(xt::xarray<float>& input) const override {
        check_element_type<float>();
        actdsl::forward(f_, input, input);
    }
    void forward_inplace(xt::xarray<double>& input) const override { actdsl::forward(f_, input, input); }
    bool has_backward_from_output() const override { return !std::is_same_v<G, no_derivative_from_output>; }
    xt::xarray<float> backward_from_output(const xt::xarray<float>& y, const xt::xarray<float>& dy) const override {
        return run_backward_from_output(y, dy);
    }
    xt::xarray<double> backward_from_output(const xt::xarray<double>& y, const xt::xarray<double>& dy) const override {
        return run_backward_from_output(y, dy);
    }

private:
    template <class T>
    void check_element_type() const {
        if (std::is_same_v<T, float> && !float_problem_.empty()) throw std::invalid_argument("actdsl: " + float_problem_);
    }
    template <class T>
    xt::xarray<T> run_backward_from_output(const xt::xarray<T>& y, const xt::xarray<T>& dy) const {
        if constexpr (std::is_same_v<G, no_derivative_from_output>) {
            return activation::backward_from_output(y, dy);
        } else {
            check_element_type<T>();
            auto dx = empty_like(y);
            actdsl::backward_from_output(g_, y, dy, dx);
            return dx;
        }
    }
    template <class T>
    xt::xarray<T> run_forward(const xt::xarray<T>& x) const {
        check_element_type<T>();
        auto y = empty_like(x);
        actdsl::forward(f_, x, y);
        return y;
    }
    template <class T>
    xt::xarray<T> run_backward(const xt::xarray<T>& x, const xt::xarray<T>& dy) const {
        check_element_type<T>();
        auto dx = empty_like(x);
        actdsl::backward(f_, x, dy, dx);
        return dx;
    }
    std::string type_;
    F f_;
    G g_;
    bool inplace_;
    std::string float_problem_;
};

template <class F, class G = no_derivative_from_output>
std::unique_ptr<activation> elementwise(activation_config& c, const F& f, bool has_inplace, const G& g = {}) {
    const bool in = has_inplace && c.flag("inplace", false);
    c.finish();
    return std::make_unique<expression_activation<F, G>>(c.type(), f, in, g, c.float_problem());
}

class prelu_activation final : public typed_activation<prelu_activation> {
    friend typed_activation<prelu_activation>;

public:
    prelu_activation(std::size_t n, double init) : weight_(xt::xarray<double>::from_shape({n})), dweight_(xt::zeros<double>({n})) {
        weight_.fill(init);
    }
    const std::string& type() const override { return type_; }
    xt::xarray<double>* parameters() override { return &weight_; }
    const xt::xarray<double>* parameter_gradients() const override { return &dweight_; }

private:
    template <class T>
    xt::xarray<T> run_forward(const xt::xarray<T>& x) const {
        auto y = empty_like(x);
        prelu_forward(x, weight_, y);
        return y;
    }
    template <class T>
    xt::xarray<T> run_backward(const xt::xarray<T>& x, const xt::xarray<T>& dy) {
        auto dx = empty_like(x);
        if (dweight_.size() != weight_.size()) dweight_ = xt::zeros<double>(weight_.shape());
        prelu_backward(x, weight_, dy, dx, dweight_);
        return dx;
    }
    std::string type_ = "PReLU";
    xt::xarray<double> weight_, dweight_;
};

// RReLU in training mode: each forward draws new slopes (the next step of the
// seeded generator); backward uses the slopes of the last forward. Not thread-safe.
class rrelu_training_activation final : public typed_activation<rrelu_training_activation> {
    friend typed_activation<rrelu_training_activation>;

public:
    rrelu_training_activation(rrelu_noise noise, bool inplace) : noise_(noise), inplace_(inplace) {}
    const std::string& type() const override { return type_; }
    bool inplace() const override { return inplace_; }
    void forward_inplace(xt::xarray<float>& input) const override { rrelu_train_forward(input, input, next()); }
    void forward_inplace(xt::xarray<double>& input) const override { rrelu_train_forward(input, input, next()); }
    // The generator state of the last forward pass (its step), for a backward elsewhere.
    const rrelu_noise& last_noise() const { return noise_; }

private:
    const rrelu_noise& next() const {
        ++noise_.step;
        return noise_;
    }
    template <class T>
    xt::xarray<T> run_forward(const xt::xarray<T>& input) const {
        auto y = empty_like(input);
        rrelu_train_forward(input, y, next());
        return y;
    }
    template <class T>
    xt::xarray<T> run_backward(const xt::xarray<T>& input, const xt::xarray<T>& dy) const {
        auto dx = empty_like(input);
        rrelu_train_backward(input, dy, dx, noise_);
        return dx;
    }
    std::string type_ = "RReLU";
    mutable rrelu_noise noise_;
    bool inplace_;
};

// GLU and Maxout change the shape, so they share one wrapper: Op gives the name,
// why there is no in-place form, the output shape and the two passes.
template <class Op>
class reshaping_activation final : public typed_activation<reshaping_activation<Op>> {
    friend typed_activation<reshaping_activation<Op>>;

public:
    explicit reshaping_activation(Op op) : op_(std::move(op)) {}
    const std::string& type() const override { return type_; }
    void forward_inplace(xt::xarray<float>&) const override { no_inplace(); }
    void forward_inplace(xt::xarray<double>&) const override { no_inplace(); }

private:
    [[noreturn]] static void no_inplace() { throw std::logic_error(std::string("actdsl: ") + Op::why_not_inplace); }
    template <class T>
    xt::xarray<T> run_forward(const xt::xarray<T>& x) const {
        xt::xarray<T> y = xt::xarray<T>::from_shape(op_.output_shape(x));
        op_.forward(x, y);
        return y;
    }
    template <class T>
    xt::xarray<T> run_backward(const xt::xarray<T>& x, const xt::xarray<T>& dy) const {
        auto dx = empty_like(x);
        op_.backward(x, dy, dx);
        return dx;
    }
    std::string type_{Op::name};
    Op op_;
};

struct glu_op {
    static constexpr const char* name = "GLU";
    static constexpr const char* why_not_inplace = "GLU halves its input; it cannot run in place";
    std::ptrdiff_t dim;
    template <class T> auto output_shape(const xt::xarray<T>& x) const { return glu_output_shape(x, dim); }
    template <class T> void forward(const xt::xarray<T>& x, xt::xarray<T>& y) const { glu_forward(x, y, dim); }
    template <class T>
    void backward(const xt::xarray<T>& x, const xt::xarray<T>& dy, xt::xarray<T>& dx) const { glu_backward(x, dy, dx, dim); }
};

struct maxout_op {
    static constexpr const char* name = "Maxout";
    static constexpr const char* why_not_inplace = "Maxout shrinks its input; it cannot run in place";
    std::size_t pieces;
    std::ptrdiff_t dim;
    template <class T> auto output_shape(const xt::xarray<T>& x) const { return maxout_output_shape(x, pieces, dim); }
    template <class T> void forward(const xt::xarray<T>& x, xt::xarray<T>& y) const { maxout_forward(x, y, pieces, dim); }
    template <class T>
    void backward(const xt::xarray<T>& x, const xt::xarray<T>& dy, xt::xarray<T>& dx) const {
        maxout_backward(x, dy, dx, pieces, dim);
    }
};

using builder = std::function<std::unique_ptr<activation>(activation_config&)>;

// What the catalog's builders (catalog/list.hpp) read their parameters with, and the
// activations they return: a config's reader plus one factory per kind of activation.
class config_reader : public parameter_reader {
public:
    using parameter_reader::parameter_reader;

    // An expression of x; G is its derivative in terms of the output, where there is one.
    template <class F, class G = no_derivative_from_output>
    std::unique_ptr<activation> elementwise(const F& f, catalog::inplace in, const G& g = {}) {
        return catalog_detail::elementwise(c_, f, in == catalog::inplace::yes, g);
    }
    std::unique_ptr<activation> prelu(std::size_t num_parameters, double init) {
        c_.finish();
        return std::make_unique<prelu_activation>(num_parameters, init);
    }
    std::unique_ptr<activation> rrelu_training(std::uint64_t seed, double lower, double upper) {
        const bool in = c_.flag("inplace", false);
        c_.finish();
        return std::make_unique<rrelu_training_activation>(rrelu_noise{seed, 0, lower, upper}, in);
    }
    std::unique_ptr<activation> glu(std::ptrdiff_t dim) {
        c_.finish();
        return std::make_unique<reshaping_activation<glu_op>>(glu_op{dim});
    }
    std::unique_ptr<activation> maxout(std::size_t pieces, std::ptrdiff_t dim) {
        c_.finish();
        return std::make_unique<reshaping_activation<maxout_op>>(maxout_op{pieces, dim});
    }
};

// The registry's builtin types: catalog/list.hpp's entries.
inline std::map<std::string, builder> builtin_activations() {
    std::map<std::string, builder> m;
    catalog::for_each_entry([&](const auto& e) {
        m[std::string(e.type)] = [build = e.build](activation_config& c) {
            config_reader reader(c);
            return build(reader);
        };
    });
    return m;
}

struct registry {
    std::mutex mutex;
    std::map<std::string, builder> builders = builtin_activations();
};
inline registry& the_registry() {
    static registry r;
    return r;
}

}  // namespace catalog_detail

// Registers an expression of actdsl::x under a name; the config may not carry parameters.
//   actdsl::register_activation("Swish2", x * sigmoid(2.0 * x));
template <expression F>
void register_activation(const std::string& type, const F& f) {
    auto& r = catalog_detail::the_registry();
    std::lock_guard lock(r.mutex);
    r.builders[type] = [f](activation_config& c) { return catalog_detail::elementwise(c, f, false); };
}

// Registers a builder that reads its own parameters: [](activation_config& c) { ... c.finish(); return ...; }.
inline void register_activation(const std::string& type, std::function<std::unique_ptr<activation>(activation_config&)> build) {
    auto& r = catalog_detail::the_registry();
    std::lock_guard lock(r.mutex);
    r.builders[type] = std::move(build);
}

// The registered type names, sorted.
inline std::vector<std::string> activation_types() {
    auto& r = catalog_detail::the_registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> names;
    for (const auto& [name, b] : r.builders) names.push_back(name);
    return names;
}

// {"type": "LeakyReLU", "negative_slope": 0.1} -> the activation.
inline std::unique_ptr<activation> build_activation_layer(const nlohmann::json& config) {
    if (!config.is_object() || !config.contains("type") || !config.at("type").is_string())
        throw std::invalid_argument("actdsl::build_activation_layer: the config must be a JSON object with a string \"type\", such as {\"type\": \"ReLU\"}");
    const std::string type = config.at("type").get<std::string>();
    catalog_detail::builder build;
    {
        auto& r = catalog_detail::the_registry();
        std::lock_guard lock(r.mutex);
        const auto it = r.builders.find(type);
        if (it != r.builders.end()) build = it->second;
    }
    if (!build) {
        std::string known;
        for (const auto& name : activation_types()) known += (known.empty() ? "" : ", ") + name;
        throw std::invalid_argument("actdsl::build_activation_layer: unknown type \"" + type + "\"; known types: " + known);
    }
    activation_config c(config, type);
    return build(c);
}

}  // namespace actdsl
