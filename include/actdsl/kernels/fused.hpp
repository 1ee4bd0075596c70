// The fused kernels: one pass over the arrays per call, every common
// subexpression computed once per element.
//   forward(f, x, y)                   y  = f(x)
//   backward(f, x, dy, dx)             dx = dy * f'(x)
//   forward_backward(f, x, dy, y, dx)  both, in one pass
// Parameter values follow the arrays: forward(swish, x, y, beta = 1.5).
// backward(swish, x, dy, dx, parameter_gradients(dbeta), beta = 1.5) also adds
// sum(dy * df/dbeta) to dbeta, in the same pass and without a temporary array;
// forward_backward takes parameter_gradients(...) the same way.
// Any output may alias an input of the same shape (PyTorch's inplace=True).
#pragma once

#include <concepts>
#include <string>
#include <tuple>
#include <vector>

#include "engine.hpp"

namespace actdsl {
namespace kernels {

// The variable that carries the incoming gradient in the backward expression.
using incoming_gradient_t = variable<"dy">;
inline constexpr incoming_gradient_t incoming_gradient{};

template <class F, class... A>
constexpr void check_kernel_arguments() {
    static_assert(expression<F>, "actdsl kernels: the first argument must be an actdsl expression such as x * sigmoid(x)");
    static_assert((array_expression<A> && ...),
                  "actdsl kernels: inputs and outputs must be xtensor expressions (xt::xtensor, xt::xarray or a view of one)");
    if constexpr ((array_expression<A> && ...)) {
        using T = value_type_of<std::tuple_element_t<0, std::tuple<A...>>>;
        static_assert(std::floating_point<T> && !std::is_same_v<T, long double>,
                      "actdsl kernels work on float or double arrays; convert other arrays with xt::cast<float>(a)");
        static_assert(all_of_value_type<T, A...>,
                      "actdsl kernels: every array of one call must have the same element type (all float or all double)");
    }
}

// The programs of the three passes over one input. The gradient dx = dy * f'(x)
// is derived after the literals are numbered, so that the forward expression and
// its derivative share subexpressions that contain literals too.
template <class F>
constexpr auto number_one_input(const F& f) {
    const auto n = evaluation::number(f);
    static_assert(std::tuple_size_v<evaluation::variables_of<std::remove_const_t<decltype(n.expr)>>> <= 1,
                  "actdsl::forward/backward take one input array; this expression has several variables");
    return n;
}

// The program of a pass over the inputs Vars: f itself (Forward), and/or
// dy * df/dv for each input v (Gradients). Joined, each pass's roots are a group,
// planned as the pass alone plans them, so that they give the same bits.
template <bool Forward, bool Gradients, class... Vars, class G, std::size_t S, class... B>
constexpr auto pass_program(const evaluation::numbered<G, S>& n, const B&... params) {
    const auto t = std::tuple<B...>{params...};
    const auto grad = [&](auto v) { return make(ops::mul{}, incoming_gradient, derivative(n.expr, v)); };
    if constexpr (!Gradients) return evaluation::make_program<Vars...>(n.values, t, n.expr);
    else if constexpr (!Forward) return evaluation::make_program<Vars..., incoming_gradient_t>(n.values, t, grad(Vars{})...);
    else return evaluation::make_program<Vars..., incoming_gradient_t>(n.values, t, evaluation::group<decltype(n.expr)>{},
                                                                      evaluation::group<decltype(grad(Vars{}))...>{});
}

template <bool Forward, bool Gradients, class F, class... B>
constexpr auto one_input_program(const F& f, const B&... params) {
    evaluation::check_bindings_used<F, B...>();
    const auto n = number_one_input(f);
    return pass_program<Forward, Gradients, evaluation::sole_variable<std::remove_const_t<decltype(n.expr)>>>(n, params...);
}

template <class F, class... B>
constexpr auto forward_program(const F& f, const B&... params) { return one_input_program<true, false>(f, params...); }
template <class F, class... B>
constexpr auto backward_program(const F& f, const B&... params) { return one_input_program<false, true>(f, params...); }
template <class F, class... B>
constexpr auto forward_backward_program(const F& f, const B&... params) { return one_input_program<true, true>(f, params...); }

}  // namespace kernels

// ---- several inputs: forward(glu, inputs(a = A, b = B), y) -------------------

template <class... Bindings>
struct input_arrays {
    std::tuple<Bindings...> bindings;
};
template <class... Outputs>
struct gradient_arrays {
    std::tuple<Outputs&...> arrays;
};

// The arrays bound to an activation's variables, each written `variable = array`.
template <fixed_string... Names, class... Arrays>
constexpr input_arrays<array_binding<Names, Arrays>...> inputs(const array_binding<Names, Arrays>&... b) {
    return {{b...}};
}
// The gradient outputs of backward, one per input, in the order of inputs(...).
// (A temporary view lives until the end of the call it is written in.)
template <class... Outputs>
constexpr gradient_arrays<std::remove_reference_t<Outputs>...> gradients(Outputs&&... arrays) {
    return {{arrays...}};
}

namespace kernels {

template <class... Bindings>
auto input_tuple(const input_arrays<Bindings...>& in) {
    return std::apply([](const auto&... b) { return std::tuple<decltype(b.array)...>{b.array...}; }, in.bindings);
}

template <bool Forward, bool Gradients, class F, fixed_string... Names, class... Arrays, class... B>
constexpr auto several_inputs_program(const F& f, std::type_identity<input_arrays<array_binding<Names, Arrays>...>>, const B&... params) {
    evaluation::check_bindings_used<F, B...>();
    return pass_program<Forward, Gradients, variable<Names>...>(evaluation::number(f), params...);
}

// Error-message names: the inputs' variable names, dy, y, then "gradient of <name>".
template <bool WithDy, bool WithY, bool WithGradients, fixed_string... Names, class... Arrays>
auto several_input_names(std::type_identity<input_arrays<array_binding<Names, Arrays>...>>) {
    std::vector<std::string> names{std::string(variable<Names>::name)...};
    if (WithDy) names.emplace_back("dy");
    if (WithY) names.emplace_back("y");
    if (WithGradients) (names.push_back("gradient of " + std::string(variable<Names>::name)), ...);
    return names;
}

}  // namespace kernels

template <class F, class... In, class Y, parameter_value... B>
void forward(const F& f, const input_arrays<In...>& in, Y&& y_out, const B&... params) {
    kernels::check_kernel_arguments<F, typename In::array_type..., Y>();
    const auto ins = kernels::input_tuple(in);
    const auto p = kernels::several_inputs_program<true, false>(f, std::type_identity<input_arrays<In...>>{}, params...);
    kernels::run("forward", kernels::several_input_names<false, true, false>(std::type_identity<input_arrays<In...>>{}), p, ins,
                 std::forward_as_tuple(y_out));
}

template <class F, class... In, class DY, class... G, parameter_value... B>
void backward(const F& f, const input_arrays<In...>& in, const DY& dy_in, gradient_arrays<G...> grads, const B&... params) {
    static_assert(sizeof...(G) == sizeof...(In), "actdsl::backward: give one gradient array per input, in the order of inputs(...)");
    kernels::check_kernel_arguments<F, typename In::array_type..., DY, G...>();
    const auto ins = std::tuple_cat(kernels::input_tuple(in), std::forward_as_tuple(dy_in));
    const auto p = kernels::several_inputs_program<false, true>(f, std::type_identity<input_arrays<In...>>{}, params...);
    kernels::run("backward", kernels::several_input_names<true, false, true>(std::type_identity<input_arrays<In...>>{}), p, ins, grads.arrays);
}

template <class F, class... In, class DY, class Y, class... G, parameter_value... B>
void forward_backward(const F& f, const input_arrays<In...>& in, const DY& dy_in, Y&& y_out, gradient_arrays<G...> grads,
                      const B&... params) {
    static_assert(sizeof...(G) == sizeof...(In), "actdsl::forward_backward: give one gradient array per input, in the order of inputs(...)");
    kernels::check_kernel_arguments<F, typename In::array_type..., DY, Y, G...>();
    const auto ins = std::tuple_cat(kernels::input_tuple(in), std::forward_as_tuple(dy_in));
    const auto p = kernels::several_inputs_program<true, true>(f, std::type_identity<input_arrays<In...>>{}, params...);
    kernels::run("forward_backward", kernels::several_input_names<true, true, true>(std::type_identity<input_arrays<In...>>{}), p, ins, std::tuple_cat(std::forward_as_tuple(y_out), grads.arrays));
}

template <class F, class X, class Y, parameter_value... B>
void forward(const F& f, const X& x_in, Y&& y_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, Y>();
    kernels::run("forward", {"x", "y"}, kernels::forward_program(f, params...), std::forward_as_tuple(x_in), std::forward_as_tuple(y_out));
}

// Where backward and forward_backward add each bound parameter's gradient (to what the
// double holds: a training loop zeroes it, or accumulates over batches), in the order of
// the bindings.
template <std::size_t N>
struct parameter_gradient_outputs {
    std::array<double*, N> targets;
};
template <class... D>
    requires(std::same_as<D, double> && ...)
constexpr parameter_gradient_outputs<sizeof...(D)> parameter_gradients(D&... sums) {
    return {{&sums...}};
}

namespace kernels {
template <fixed_string N>
constexpr parameter<N> parameter_of(const parameter_binding<N>&) { return {}; }

// backward's program (forward_backward's with Forward) with the gradient of each bound
// parameter as a summed root.
template <bool Forward, class F, class... B>
constexpr auto parameter_gradients_program(const F& f, const B&... params) {
    evaluation::check_bindings_used<F, B...>();
    const auto n = number_one_input(f);
    using V = evaluation::sole_variable<std::remove_const_t<decltype(n.expr)>>;
    const auto grad = [&](auto v) { return make(ops::mul{}, incoming_gradient, derivative(n.expr, v)); };
    const auto t = std::tuple<B...>{params...};
    if constexpr (Forward)
        return evaluation::make_program<V, incoming_gradient_t>(n.values, t, evaluation::group<decltype(n.expr)>{},
                                                                evaluation::group<decltype(grad(V{})), decltype(grad(parameter_of(params)))...>{});
    else return evaluation::make_program<V, incoming_gradient_t>(n.values, t, grad(V{}), grad(parameter_of(params))...);
}
template <class F, class... B>
constexpr auto parameter_backward_program(const F& f, const B&... params) { return parameter_gradients_program<false>(f, params...); }
}  // namespace kernels

template <class F, class X, class DY, class DX, std::size_t NP, parameter_value... B>
void backward(const F& f, const X& x_in, const DY& dy_in, DX&& dx_out, parameter_gradient_outputs<NP> dparams, const B&... params) {
    static_assert(NP == sizeof...(B),
                  "actdsl::backward: parameter_gradients(...) takes one double per bound parameter, in the order of the bindings");
    kernels::check_kernel_arguments<F, X, DY, DX>();
    std::array<double, NP> sums{};
    kernels::run("backward", std::array<std::string_view, 3>{"x", "dy", "dx"}, kernels::parameter_backward_program(f, params...),
                 std::forward_as_tuple(x_in, dy_in), std::forward_as_tuple(dx_out), &sums);
    for (std::size_t k = 0; k < NP; ++k) *dparams.targets[k] += sums[k];
}

template <class F, class X, class DY, class DX, parameter_value... B>
void backward(const F& f, const X& x_in, const DY& dy_in, DX&& dx_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, DY, DX>();
    kernels::run("backward", {"x", "dy", "dx"}, kernels::backward_program(f, params...), std::forward_as_tuple(x_in, dy_in), std::forward_as_tuple(dx_out));
}

// forward_backward(f, x, dy, y, dx, parameter_gradients(dbeta), beta = 1.5): a training
// step's y, dx and the parameters' gradients (added into their targets) in one pass.
template <class F, class X, class DY, class Y, class DX, std::size_t NP, parameter_value... B>
void forward_backward(const F& f, const X& x_in, const DY& dy_in, Y&& y_out, DX&& dx_out, parameter_gradient_outputs<NP> dparams,
                      const B&... params) {
    static_assert(NP == sizeof...(B),
                  "actdsl::forward_backward: parameter_gradients(...) takes one double per bound parameter, in the order of the bindings");
    kernels::check_kernel_arguments<F, X, DY, Y, DX>();
    std::array<double, NP> sums{};
    kernels::run("forward_backward", std::array<std::string_view, 4>{"x", "dy", "y", "dx"},
                 kernels::parameter_gradients_program<true>(f, params...), std::forward_as_tuple(x_in, dy_in),
                 std::forward_as_tuple(y_out, dx_out), &sums);
    for (std::size_t k = 0; k < NP; ++k) *dparams.targets[k] += sums[k];
}

template <class F, class X, class DY, class Y, class DX, parameter_value... B>
void forward_backward(const F& f, const X& x_in, const DY& dy_in, Y&& y_out, DX&& dx_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, DY, Y, DX>();
    kernels::run("forward_backward", {"x", "dy", "y", "dx"}, kernels::forward_backward_program(f, params...), std::forward_as_tuple(x_in, dy_in), std::forward_as_tuple(y_out, dx_out));
}

// ---- runtime dispatch: recording kernels for other instruction sets ---------

namespace kernels {

// Records the kernels of f's passes for Arch, from types alone: nothing is
// evaluated, so the dispatch object emits no code that is not tagged with Arch.
template <class Arch, class F, class Bindings, class T>
struct pass_recorder;
template <class Arch, class F, class... B, class T>
struct pass_recorder<Arch, F, std::tuple<B...>, T> {
    static_assert(std::is_same_v<Arch, xsimd::default_arch>, "actdsl: internal error: recording for another architecture");
    using fwd = decltype(forward_program(std::declval<const F&>(), std::declval<const B&>()...));
    using bwd = decltype(backward_program(std::declval<const F&>(), std::declval<const B&>()...));
    using both = decltype(forward_backward_program(std::declval<const F&>(), std::declval<const B&>()...));
    static bool record() {
        kernel_of<fwd, T, 1, 1, 0>::record();
        kernel_of<bwd, T, 2, 1, 0>::record();
        kernel_of<both, T, 2, 2, 0>::record();
        if constexpr (sizeof...(B) > 0) {
            kernel_of<decltype(parameter_backward_program(std::declval<const F&>(), std::declval<const B&>()...)), T, 2, 1, sizeof...(B)>::record();
            kernel_of<decltype(parameter_gradients_program<true>(std::declval<const F&>(), std::declval<const B&>()...)), T, 2, 2,
                      sizeof...(B)>::record();
        }
        return true;
    }
};

// The passes of an activation of several inputs to record; forward_only serves
// backward_from_output, which is a forward pass over y and dy.
enum class recorded_passes { all, forward_only };
template <class Arch, class F, class T, recorded_passes Passes, fixed_string... Names>
struct inputs_recorder {
    static_assert(std::is_same_v<Arch, xsimd::default_arch>, "actdsl: internal error: recording for another architecture");
    using id = std::type_identity<input_arrays<array_binding<Names, T>...>>;  // the programs depend on the names only
    static constexpr std::size_t N = sizeof...(Names);
    static bool record() {
        kernel_of<decltype(several_inputs_program<true, false>(std::declval<const F&>(), id{})), T, N, 1, 0>::record();
        if constexpr (Passes == recorded_passes::all) {
            kernel_of<decltype(several_inputs_program<false, true>(std::declval<const F&>(), id{})), T, N + 1, N, 0>::record();
            kernel_of<decltype(several_inputs_program<true, true>(std::declval<const F&>(), id{})), T, N + 1, N + 1, 0>::record();
        }
        return true;
    }
};

}  // namespace kernels

namespace dispatch {

// Records, for each element type T, the kernels of forward, backward and
// forward_backward of the one-input activation f, with the parameters bound as
// the calls will bind them (their values do not matter), plus backward with
// parameter_gradients(...) when parameters are bound. For a file compiled once
// per instruction set by CMake's actdsl_add_dispatch(<target> <file>):
//     static const bool recorded = actdsl::dispatch::record<float, double>(actdsl::silu(actdsl::x));
// Calls of the same kernels anywhere in the program then run the best recorded
// instruction set the CPU has. Returns true, for use as an initializer.
// Everything such a file defines must be static or in an unnamed namespace: it
// is compiled for instruction sets the rest of the program may not have.
template <class... T, class F, parameter_value... B>
ACTDSL_INLINE bool record(const F&, const B&...) {
    static_assert(sizeof...(T) > 0 && ((std::is_same_v<T, float> || std::is_same_v<T, double>) && ...),
                  "actdsl::dispatch::record<T...>(f): name the element types, e.g. record<float, double>(f)");
    static_assert(expression<F>, "actdsl::dispatch::record: the argument must be an actdsl expression such as x * sigmoid(x)");
    return (kernels::pass_recorder<xsimd::default_arch, F, std::tuple<B...>, T>::record() && ...);
}

// The same for an activation of several inputs, named in the order inputs(...)
// will bind them: record_inputs<float, "a", "b">(glu_expression).
template <class T, fixed_string... Names, class F>
ACTDSL_INLINE bool record_inputs(const F&) {
    static_assert(sizeof...(Names) > 0, "actdsl::dispatch::record_inputs<T, \"a\", \"b\">(f): name the inputs in the order of inputs(...)");
    static_assert(expression<F>, "actdsl::dispatch::record_inputs: the argument must be an actdsl expression such as a * sigmoid(b)");
    return kernels::inputs_recorder<xsimd::default_arch, F, T, kernels::recorded_passes::all, Names...>::record();
}

}  // namespace dispatch
}  // namespace actdsl
