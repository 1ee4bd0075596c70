// actdsl expressions as PyTorch autograd functions (libtorch, C++).
//
//   constexpr parameter<"beta"> beta;
//   auto swish = actdsl::torch::function(x * sigmoid(beta * x), beta);
//   at::Tensor y = swish(input, beta_tensor);   // beta_tensor: 0-d, may require grad
//   y.sum().backward();                         // input.grad(), beta_tensor.grad()
//
// The call takes one tensor per variable (the expression's variables in the order
// given to function(), or its one variable when none is given), then one
// single-element tensor per parameter. Variables are CPU tensors of float32 or
// float64, all of one shape and dtype, any strides (read in place, never copied);
// the result is a new contiguous tensor. Anything else is a c10::Error that says
// what is supported, raised before anything is computed.
//
// Backward runs the fused kernels: with one variable, one pass gives the input's
// gradient and every parameter's gradient sum; with several, one pass gives the
// inputs' gradients. Under create_graph the gradients are themselves built from
// this file's nodes over derivative(f, v), so they are differentiable again, up
// to function<Order>(...)'s Order (2 by default: double backward). Differentiating
// past Order raises an error that says which Order to ask for.
//
// Needs libtorch's headers (Debian's libtorch-dev) and g++: clang++ 14 cannot
// compile ATen 1.13's headers in C++20.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/basic_ops.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/csrc/autograd/saved_variable.h>
#include <xtensor/xadapt.hpp>

#include "actdsl.hpp"

namespace actdsl::torch {
namespace detail {

using ::torch::autograd::variable_list;

template <class... L>
struct list {};

// The variable that carries the incoming gradient into the nodes of derivative order D.
template <int D>
constexpr auto incoming_gradient() {
    if constexpr (D == 1) return variable<"actdsl_torch_dy1">{};
    else if constexpr (D == 2) return variable<"actdsl_torch_dy2">{};
    else if constexpr (D == 3) return variable<"actdsl_torch_dy3">{};
    else return variable<"actdsl_torch_dy4">{};
}
inline constexpr int max_order = 4;

// A tensor's elements as an xtensor array, strides included, without a copy. (An
// adaptor's nominal size is its element count; strides may spread or repeat them.)
template <class T>
auto array_of(const at::Tensor& t) {
    std::vector<std::size_t> shape(t.sizes().begin(), t.sizes().end());
    std::vector<std::ptrdiff_t> strides(t.strides().begin(), t.strides().end());
    return xt::adapt(t.data_ptr<T>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(), shape, strides);
}

// `leaf = value` for each parameter F mentions (a binding F does not use is a
// compile error in the kernels), as a tuple.
template <class F, class... P, std::size_t NP>
auto parameter_bindings(const std::array<double, NP>& values) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat([&] {
            if constexpr (mentions<F, P>) return std::tuple{P{} = values[I]};
            else return std::tuple<>{};
        }()...);
    }(std::index_sequence_for<P...>{});
}

// inputs(v = array, ...) for each variable F mentions.
template <class F, class... V, class A>
auto input_bindings(const std::vector<A>& arrays) {
    const auto bindings = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat([&] {
            if constexpr (mentions<F, V>) return std::tuple{V{} = arrays[I]};
            else return std::tuple<>{};
        }()...);
    }(std::index_sequence_for<V...>{});
    return std::apply([](const auto&... b) { return inputs(b...); }, bindings);
}

template <class F>
inline constexpr bool is_zero_v = std::is_same_v<F, constant<0>>;

template <class E> inline constexpr bool has_parameter = is_parameter_v<E>;
template <class Op, class... A> inline constexpr bool has_parameter<node<Op, A...>> = (has_parameter<A> || ...);

template <class F, class... V>
inline constexpr std::size_t mentioned_count = (std::size_t{mentions<F, V>} + ... + 0);

inline std::string dtype_name(const at::Tensor& t) { return std::string(c10::toString(t.scalar_type())); }

// The checks every call makes before computing: CPU, float32/float64, one shape
// and dtype for the variables; one element for each parameter.
template <class... V, class... P>
void check_arguments(const variable_list& in, list<V...>, list<P...>) {
    constexpr std::size_t NV = sizeof...(V);
    const std::array<std::string_view, NV + sizeof...(P)> names{V::name..., P::name...};
    for (std::size_t i = 0; i < in.size(); ++i) {
        const at::Tensor& t = in[i];
        const std::string what = std::string(i < NV ? "the input " : "the parameter ") + std::string(names[i]);
        TORCH_CHECK(t.defined(), "actdsl::torch::function: ", what, " is an undefined tensor");
        TORCH_CHECK(t.device().is_cpu(), "actdsl::torch::function: ", what, " is on ", t.device().str(),
                    "; actdsl runs on CPU tensors only (move it with .cpu())");
        TORCH_CHECK(t.layout() == at::kStrided, "actdsl::torch::function: ", what,
                    " is not a dense (strided) tensor; convert it with .to_dense()");
        if (i < NV) {
            TORCH_CHECK(t.scalar_type() == at::kFloat || t.scalar_type() == at::kDouble, "actdsl::torch::function: ", what,
                        " has dtype ", dtype_name(t), "; actdsl computes in float32 or float64 (convert with .to(torch::kFloat))");
            TORCH_CHECK(t.scalar_type() == in[0].scalar_type(), "actdsl::torch::function: the inputs must have one dtype, but ",
                        names[0], " is ", dtype_name(in[0]), " and ", names[i], " is ", dtype_name(t));
            TORCH_CHECK(t.sizes() == in[0].sizes(), "actdsl::torch::function: the inputs must have one shape, but ", names[0],
                        " has shape ", in[0].sizes(), " and ", names[i], " has shape ", t.sizes());
        } else {
            TORCH_CHECK(t.numel() == 1, "actdsl::torch::function: ", what, " must hold one value (a 0-d tensor such as ",
                        "torch::tensor(1.5)), but it has shape ", t.sizes());
            TORCH_CHECK(at::isFloatingType(t.scalar_type()), "actdsl::torch::function: ", what, " has dtype ", dtype_name(t),
                        "; give it a floating-point dtype");
        }
    }
}

inline bool any_requires_grad(const variable_list& in) {
    if (!::torch::autograd::GradMode::is_enabled()) return false;
    for (const auto& t : in)
        if (t.defined() && t.requires_grad()) return true;
    return false;
}

// Where one call's arrays live while its kernels run.
template <class T, class... V>
struct arrays {
    using array = decltype(array_of<T>(std::declval<const at::Tensor&>()));
    std::vector<array> variables;
    explicit arrays(const variable_list& in) {
        variables.reserve(sizeof...(V));
        for (std::size_t i = 0; i < sizeof...(V); ++i) variables.push_back(array_of<T>(in[i]));
    }
};

template <class... P>
std::array<double, sizeof...(P)> parameter_values(const variable_list& in, std::size_t first) {
    std::array<double, sizeof...(P)> values{};
    for (std::size_t j = 0; j < values.size(); ++j) values[j] = in[first + j].template item<double>();
    return values;
}

inline at::Tensor empty_like_contiguous(const at::Tensor& t) {
    return at::empty(t.sizes(), t.options().memory_format(at::MemoryFormat::Contiguous));
}

// y = f over the tensors `in` (variables V..., then parameters P...) into y.
template <class T, class F, class... V, class... P>
void forward_into(const F& f, const variable_list& in, at::Tensor& y, list<V...>, list<P...>) {
    const arrays<T, V...> a(in);
    auto y_array = array_of<T>(y);
    const auto bound = input_bindings<F, V...>(a.variables);
    const auto values = parameter_values<P...>(in, sizeof...(V));
    std::apply([&](const auto&... b) { actdsl::forward(f, bound, y_array, b...); }, parameter_bindings<F, P...>(values));
}

template <int Depth, int Order, class F, class Vars, class Params>
struct node;

// y = f(variables; parameters) for the tensors `in` (variables, then parameters),
// checked, computed without a graph.
template <class F, class... V, class... P>
at::Tensor checked_forward(const F& f, const variable_list& in, list<V...> vars, list<P...> params) {
    check_arguments(in, vars, params);
    at::NoGradGuard no_grad;
    const at::Tensor& x0 = in[0];
    if constexpr (is_zero_v<F>) {
        return at::zeros(x0.sizes(), x0.options());
    } else {
        static_assert(mentioned_count<F, V...> > 0, "actdsl::torch::function: the activation uses none of its inputs; write one that does");
        at::Tensor y = empty_like_contiguous(x0);
        if (x0.scalar_type() == at::kFloat) forward_into<float>(f, in, y, vars, params);
        else forward_into<double>(f, in, y, vars, params);
        return y;
    }
}

// The same, with a node in the autograd graph when grad mode is on and any of the
// tensors requires grad.
template <int Depth, int Order, class F, class... V, class... P>
at::Tensor apply(const F& f, const variable_list& in, list<V...> vars, list<P...> params) {
    at::Tensor y = checked_forward(f, in, vars, params);
    if (any_requires_grad(in)) {
        using N = node<Depth, Order, F, list<V...>, list<P...>>;
        auto grad_fn = std::shared_ptr<N>(new N(f, in), ::torch::autograd::deleteNode);
        grad_fn->set_next_edges(::torch::autograd::collect_next_edges(in));
        ::torch::autograd::set_history(y, grad_fn);
    }
    return y;
}

// The incoming gradient g, then the tensors `in`: the arguments of a gradient's expression.
inline variable_list with_incoming(const at::Tensor& g, const variable_list& in) {
    variable_list all{g};
    all.insert(all.end(), in.begin(), in.end());
    return all;
}

// The sum of a parameter's gradient over the elements, as the parameter's tensor.
inline at::Tensor as_parameter(double sum, const at::Tensor& p) {
    return at::scalar_tensor(sum, p.options().dtype(at::kDouble)).to(p.scalar_type()).reshape(p.sizes());
}

// The gradients by the fused kernels, without a graph: with one variable, one pass
// for the variable and every parameter; with several, one pass for the variables
// and one per parameter that is wanted.
template <class T, class F, class... V, class... P>
variable_list fused_gradients(const F& f, const at::Tensor& g, const variable_list& in, list<V...>, list<P...>,
                              const std::vector<bool>& wanted) {
    constexpr std::size_t NV = sizeof...(V), NP = sizeof...(P);
    variable_list out(NV + NP);
    const arrays<T, V...> a(in);
    const auto g_array = array_of<T>(g);
    const auto values = parameter_values<P...>(in, NV);
    const auto pb = parameter_bindings<F, P...>(values);
    if constexpr (NV == 1) {
        out[0] = empty_like_contiguous(in[0]);
        auto dx = array_of<T>(out[0]);
        std::array<double, NP> sums{};
        const auto refs = [&]<std::size_t... I>(std::index_sequence<I...>) {
            return std::tuple_cat([&]() {
                if constexpr (mentions<F, P>) return std::tuple<double&>{sums[I]};
                else return std::tuple<>{};
            }()...);
        }(std::index_sequence_for<P...>{});
        std::apply([&](const auto&... b) {
            if constexpr (std::tuple_size_v<decltype(refs)> == 0) actdsl::backward(f, a.variables[0], g_array, dx, b...);
            else actdsl::backward(f, a.variables[0], g_array, dx, std::apply([](auto&... s) { return parameter_gradients(s...); }, refs), b...);
        }, pb);
        for (std::size_t j = 0; j < NP; ++j) out[NV + j] = as_parameter(sums[j], in[NV + j]);
    } else {
        // The variables f uses get their gradient from one pass; the others get zeros.
        std::vector<typename arrays<T, V...>::array> grads;
        grads.reserve(NV);
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((out[I] = mentions<F, V> ? empty_like_contiguous(in[I]) : at::zeros(in[I].sizes(), in[I].options())), ...);
            ((mentions<F, V> ? (grads.push_back(array_of<T>(out[I])), 0) : 0), ...);
        }(std::index_sequence_for<V...>{});
        if constexpr (mentioned_count<F, V...> > 0) {
            const auto bound = input_bindings<F, V...>(a.variables);
            const auto outs = [&]<std::size_t... I>(std::index_sequence<I...>) {
                return actdsl::gradients(grads[I]...);
            }(std::make_index_sequence<mentioned_count<F, V...>>{});
            std::apply([&](const auto&... b) { actdsl::backward(f, bound, g_array, outs, b...); }, pb);
        }
        // A parameter's gradient: the sum of g * df/dp, computed as an activation of g and the variables.
        using G = variable<"actdsl_torch_g">;
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ([&] {
                if (!wanted[NV + J]) return;
                const auto dp = G{} * derivative(f, P{});
                if constexpr (is_zero_v<std::remove_const_t<decltype(dp)>>) {
                    out[NV + J] = at::zeros(in[NV + J].sizes(), in[NV + J].options());
                } else {
                    at::Tensor terms = empty_like_contiguous(in[0]);
                    forward_into<T>(dp, with_incoming(g, in), terms, list<G, V...>{}, list<P...>{});
                    out[NV + J] = as_parameter(terms.sum(at::kDouble).template item<double>(), in[NV + J]);
                }
            }(), ...);
        }(std::index_sequence_for<P...>{});
    }
    return out;
}

// Gradients of order Depth + 1 = Order, computed from `from` without a graph: when
// the graph is being built, they get a node that raises an error naming the Order to
// ask for if differentiated.
template <int Depth, int Order>
variable_list past_order(const variable_list& from, variable_list&& out) {
    if (!::torch::autograd::GradMode::is_enabled() || !any_requires_grad(from)) return std::move(out);
    const std::string msg = "actdsl::torch::function: this function was built for derivatives up to order " + std::to_string(Order) +
                            "; to differentiate further, build it with actdsl::torch::function<" + std::to_string(Depth + 2) + ">(...)";
    return ::torch::autograd::wrap_outputs(from, std::move(out), [&](::torch::autograd::edge_list&& next) {
        return std::make_shared<::torch::autograd::Error>(msg, std::move(next));
    });
}

// The gradients of y = f(V...; P...) for an incoming gradient g: by nodes of
// order Depth + 1 when the graph is being built (create_graph) and Order allows,
// else by the fused kernels.
template <int Depth, int Order, class F, class... V, class... P>
variable_list gradients_of(const F& f, const at::Tensor& g, const variable_list& in, list<V...>, list<P...>,
                           const std::vector<bool>& wanted) {
    constexpr std::size_t NV = sizeof...(V), NP = sizeof...(P);
    const bool graph = ::torch::autograd::GradMode::is_enabled();
    const variable_list with_g = with_incoming(g, in);
    if constexpr (Depth + 1 < Order) {
        if (graph) {
            using G = decltype(incoming_gradient<Depth + 1>());
            variable_list out(NV + NP);
            const auto one = [&]<class L>(L leaf, std::size_t i) {
                if (!wanted[i]) return;
                const auto df = G{} * derivative(f, leaf);
                at::Tensor r = detail::apply<Depth + 1, Order>(df, with_g, list<G, V...>{}, list<P...>{});
                out[i] = i < NV ? r : at::sum(r, at::kDouble).to(in[i].scalar_type()).reshape(in[i].sizes());
            };
            std::size_t i = 0;
            (one(V{}, i++), ...);
            (one(P{}, i++), ...);
            return out;
        }
    }
    variable_list out;
    {
        at::NoGradGuard no_grad;
        out = in[0].scalar_type() == at::kFloat ? fused_gradients<float>(f, g, in, list<V...>{}, list<P...>{}, wanted)
                                                : fused_gradients<double>(f, g, in, list<V...>{}, list<P...>{}, wanted);
    }
    for (std::size_t i = 0; i < out.size(); ++i)
        if (!wanted[i]) out[i] = at::Tensor();
    return past_order<Depth, Order>(with_g, std::move(out));
}

// The backward of y = f(V...; P...): gradients for the variables, then the parameters.
template <int Depth, int Order, class F, class... V, class... P>
struct node<Depth, Order, F, list<V...>, list<P...>> final : ::torch::autograd::Node {
    F f;
    std::vector<::torch::autograd::SavedVariable> saved;

    node(const F& f_, const variable_list& in) : f(f_) {
        saved.reserve(in.size());
        for (const auto& t : in) saved.emplace_back(t, /*is_output=*/false);
    }

    std::string name() const override { return "actdsl::torch::function (derivative order " + std::to_string(Depth) + ")"; }
    void release_variables() override { saved.clear(); }

    ::torch::autograd::variable_list apply(::torch::autograd::variable_list&& grads) override {
        constexpr std::size_t N = sizeof...(V) + sizeof...(P);
        TORCH_CHECK(saved.size() == N, "actdsl::torch::function: backward through the graph a second time; ",
                    "pass retain_graph=true to the first backward to call it again");
        variable_list in;
        in.reserve(N);
        for (auto& s : saved) in.push_back(s.unpack());
        std::vector<bool> wanted(N);
        bool any = false;
        for (std::size_t i = 0; i < N; ++i) any |= (wanted[i] = task_should_compute_output(i));
        if (!any || !grads[0].defined()) return variable_list(N);
        return gradients_of<Depth, Order>(f, grads[0], in, list<V...>{}, list<P...>{}, wanted);
    }
};

// The backward of y = f(x) from its output: dx = dy * g(y). It keeps y, not x. Under
// create_graph, dx is built by apply's nodes over dy and y, and the gradient that
// reaches y flows on through this node again: d(dx)/dx = dy g'(y) g(y).
template <int Order, class G>
struct output_node final : ::torch::autograd::Node {
    G g;
    ::torch::autograd::SavedVariable y;

    explicit output_node(const G& g_) : g(g_) {}

    std::string name() const override { return "actdsl::torch::function_from_output"; }
    void release_variables() override { y.reset_data(); }

    ::torch::autograd::variable_list apply(::torch::autograd::variable_list&& grads) override {
        const at::Tensor saved_y = y.unpack(shared_from_this());  // throws after release, as PyTorch's nodes do
        if (!grads[0].defined() || !task_should_compute_output(0)) return variable_list(1);
        using D = decltype(incoming_gradient<1>());
        using Y = std::remove_const_t<decltype(actdsl::output)>;
        const variable_list in{grads[0], saved_y};
        if constexpr (1 < Order) return {detail::apply<1, Order>(D{} * g, in, list<D, Y>{}, list<>{})};
        else return past_order<0, Order>(in, {checked_forward(D{} * g, in, list<D, Y>{}, list<>{})});
    }
};

}  // namespace detail

// The callable function() returns: y = f(variables...; parameters...) on tensors.
template <int Order, class F, class Vars, class Params>
class function_t;

template <int Order, class F, class... V, class... P>
class function_t<Order, F, detail::list<V...>, detail::list<P...>> {
public:
    explicit constexpr function_t(const F& f) : f_(f) {}

    // One tensor per variable, then one single-element tensor per parameter.
    template <class... Tensors>
    at::Tensor operator()(const Tensors&... tensors) const {
        static_assert(sizeof...(Tensors) == sizeof...(V) + sizeof...(P),
                      "actdsl::torch::function: the call takes one tensor per variable, then one per parameter, in the order "
                      "given to function(f, leaves...) (f's one variable first when no variable is listed)");
        static_assert((std::is_convertible_v<const Tensors&, const at::Tensor&> && ...),
                      "actdsl::torch::function: every argument is an at::Tensor; pass a parameter's value as a tensor, "
                      "torch::tensor(1.5), or write it into the expression");
        return detail::apply<0, Order>(f_, ::torch::autograd::variable_list{tensors...}, detail::list<V...>{}, detail::list<P...>{});
    }

    const F& expression() const { return f_; }

private:
    F f_;
};

namespace detail {
template <class Tuple>
struct as_list;
template <class... L>
struct as_list<std::tuple<L...>> {
    using type = list<L...>;
};
template <template <class> class Keep, class... L>
using filtered = typename as_list<decltype(std::tuple_cat(std::conditional_t<Keep<L>::value, std::tuple<L>, std::tuple<>>{}...))>::type;
template <class L>
struct is_variable_leaf : std::bool_constant<is_variable_v<L>> {};
template <class L>
struct is_parameter_leaf : std::bool_constant<is_parameter_v<L>> {};
template <class F, class Vars>
struct variables_or_sole;
template <class F, class... V>
struct variables_or_sole<F, list<V...>> {
    using type = list<V...>;
};
template <class F>
struct variables_or_sole<F, list<>> {
    using type = list<evaluation::sole_variable<F>>;
};
}  // namespace detail

// f as an autograd function of tensors. `leaves` are f's variables, in the order
// the call takes their tensors (none: f's one variable), then its parameters, in
// the order the call takes theirs. Order: how many times the result can be
// differentiated (2: double backward).
template <int Order = 2, class F, class... Leaves>
auto function(const F& f, Leaves...) {
    static_assert(expression<F>, "actdsl::torch::function: the first argument must be an actdsl expression such as x * sigmoid(x)");
    static_assert(Order >= 1 && Order <= detail::max_order, "actdsl::torch::function<Order>: Order must be 1, 2, 3 or 4");
    static_assert(((is_variable_v<Leaves> || is_parameter_v<Leaves>) && ...),
                  "actdsl::torch::function(f, leaves...): each leaf must be a variable<\"name\"> or a parameter<\"name\"> of f");
    static_assert((mentions<F, Leaves> && ...), "actdsl::torch::function(f, leaves...): a leaf is not used by f; list only f's own");
    constexpr std::array<bool, sizeof...(Leaves) + 1> is_variable{is_variable_v<Leaves>..., false};
    constexpr bool variables_first = [&] {
        for (std::size_t i = 0; i + 1 < is_variable.size(); ++i)
            if (!is_variable[i] && is_variable[i + 1]) return false;
        return true;
    }();
    static_assert(variables_first, "actdsl::torch::function(f, leaves...): list the variables first, then the parameters");
    using vars = typename detail::variables_or_sole<F, detail::filtered<detail::is_variable_leaf, Leaves...>>::type;
    using params = detail::filtered<detail::is_parameter_leaf, Leaves...>;
    return function_t<Order, F, vars, params>(f);
}

// y = f(x) as an autograd function that keeps its output for backward instead of its
// input, as PyTorch's ReLU does: backward computes dx = dy * g(y), with g f's
// derivative written in the output (actdsl::output, catalog/from_output.hpp), and
// the graph does not hold x. g must be f' where y determines it; where it rounds
// (sigmoid's y (1 - y) is 0 once y rounds to 1, at x = 17 in float) the gradient is
// only as good as g. Differentiable Order times, as function<Order>(f).
template <int Order, class F, class G>
class output_function_t {
public:
    constexpr output_function_t(const F& f, const G& g) : f_(f), g_(g) {}

    at::Tensor operator()(const at::Tensor& input) const {
        const ::torch::autograd::variable_list in{input};
        at::Tensor y = detail::checked_forward(f_, in, detail::list<evaluation::sole_variable<F>>{}, detail::list<>{});
        if (detail::any_requires_grad(in)) {
            auto grad_fn = std::shared_ptr<detail::output_node<Order, G>>(new detail::output_node<Order, G>(g_), ::torch::autograd::deleteNode);
            grad_fn->set_next_edges(::torch::autograd::collect_next_edges(in));
            ::torch::autograd::set_history(y, grad_fn);
            grad_fn->y = ::torch::autograd::SavedVariable(y, /*is_output=*/true);
        }
        return y;
    }

    const F& expression() const { return f_; }

private:
    F f_;
    G g_;
};

template <int Order = 2, class F, class G>
auto function_from_output(const F& f, const G& g) {
    static_assert(expression<F> && expression<G>,
                  "actdsl::torch::function_from_output(f, g): f and g must be actdsl expressions, such as "
                  "relu(x) and actdsl::from_output::relu()");
    static_assert(Order >= 1 && Order <= detail::max_order, "actdsl::torch::function_from_output<Order>: Order must be 1, 2, 3 or 4");
    static_assert(std::tuple_size_v<evaluation::variables_of<F>> == 1 && !detail::has_parameter<F>,
                  "actdsl::torch::function_from_output(f, g): f must have one variable and no parameters");
    using Y = std::remove_const_t<decltype(actdsl::output)>;
    static_assert(std::is_same_v<evaluation::variables_of<G>, std::tuple<Y>> && !detail::has_parameter<G>,
                  "actdsl::torch::function_from_output(f, g): g must be written in actdsl::output alone (numbers for f's parameters)");
    return output_function_t<Order, F, G>(f, g);
}

}  // namespace actdsl::torch
