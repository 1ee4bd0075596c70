// From expressions to a program: the plan (a type) plus the runtime values of
// its uniforms (literal scalars, then parameter values). Kernels and evaluate()
// share this pipeline:
//   simplify -> number literal scalars -> [derivatives] -> bind parameters and
//   variables -> lower -> plan (common subexpressions).
#pragma once

#include <array>
#include <concepts>
#include <tuple>

#include "../calculus/derivative.hpp"
#include "bind.hpp"
#include "lower.hpp"
#include "plan.hpp"

namespace actdsl {

template <class T>
concept parameter_value = evaluation::is_binding_v<std::remove_cvref_t<T>>;

namespace evaluation {

// f simplified, with its literal scalars numbered uniform<0..S-1>, and their values.
template <class G, std::size_t S>
struct numbered {
    G expr;
    std::array<double, S> values;
};

template <class F>
constexpr auto number(const F& f) {
    const auto s = simplify(f);
    std::array<double, scalar_count<std::remove_cvref_t<decltype(s)>>> values{};
    auto g = number_scalars<0>(s, values);
    return numbered<decltype(g), values.size()>{g, values};
}

// The one variable of a one-input activation (actdsl::x for a constant).
template <class F>
using sole_variable = std::tuple_element_t<0, decltype(std::tuple_cat(variables_of<F>{}, std::tuple<std::remove_const_t<decltype(actdsl::x)>>{}))>;

// plan_type is exact for every input; fast_plan_type (void when there is none) is
// cheaper, has the guard as its last root, and is exact while guard >= fast_sigmoid_limit.
template <class Plan, class FastPlan, std::size_t NU>
struct program {
    using plan_type = Plan;
    using fast_plan_type = FastPlan;
    std::array<double, NU> uniforms;
};

template <class Guard, class... Lowered>
struct fused_fast_plan {
    using type = plan<decltype(fuse_reciprocals<Lowered...>(Lowered{}))..., Guard>;
};
template <class Guard, class... Bound>
struct fast_plan_of {
    using type = typename fused_fast_plan<Guard, decltype(lower_fast(Bound{}))...>::type;
};
template <class... Bound>
struct fast_plan_of<no_guard, Bound...> {
    using type = void;
};

// How many slots of a plan call exp, log, erfc and the like: each costs more than the
// compares and blends a fast plan saves.
template <class Op>
inline constexpr bool is_transcendental_op =
    std::is_same_v<Op, ops::exp> || std::is_same_v<Op, ops::exp_flushing> || std::is_same_v<Op, ops::expm1> ||
    std::is_same_v<Op, ops::log> || std::is_same_v<Op, ops::log1p> || std::is_same_v<Op, ops::erf> ||
    std::is_same_v<Op, ops::erfc> || std::is_same_v<Op, ops::tanh> || std::is_same_v<Op, ops::tanhshrink> ||
    std::is_same_v<Op, ops::sin> || std::is_same_v<Op, ops::cos>;
template <class Slot> inline constexpr std::size_t transcendental_slot = 0;
template <class Op, class... A> inline constexpr std::size_t transcendental_slot<node<Op, A...>> = is_transcendental_op<Op> ? 1 : 0;
template <class Slots> inline constexpr std::size_t transcendentals = 0;
template <class... S> inline constexpr std::size_t transcendentals<type_list<S...>> = (transcendental_slot<S> + ... + 0);

// The fast plan, unless it calls more of them than the exact plan: softplus's forward and
// backward share exp(-|u|) in the exact plan, where the fast one takes exp(-|u|) for
// log1p and exp(-u) for the sigmoid.
template <class Safe, class Fast>
struct cheaper_fast_plan {
    using type = std::conditional_t<(transcendentals<typename Fast::slots> > transcendentals<typename Safe::slots>), void, Fast>;
};
template <class Safe>
struct cheaper_fast_plan<Safe, void> {
    using type = void;
};

// Bound roots hold no runtime data (their leaves are inputs, uniforms and
// constants), so their types alone make the plans.
template <class... Bound>
struct plans_of {
    using safe = plan<decltype(lower(Bound{}))...>;
    using fast = typename cheaper_fast_plan<safe, typename fast_plan_of<decltype(fold_guards(no_guard{}, fast_guard(Bound{})...)), Bound...>::type>::type;
};

// Roots use variables Vars... (input<0>, input<1>, ...) and the numbered scalars.
template <class... Vars, std::size_t S, class... Bindings, class... Roots>
constexpr auto make_program(const std::array<double, S>& scalars, const std::tuple<Bindings...>& bindings, const Roots&... roots) {
    static_assert((is_binding_v<Bindings> && ...),
                  "actdsl: the arguments after the arrays must be parameter values written `name = value`, e.g. beta = 1.0");
    using plans = plans_of<decltype(bind_variables<Vars...>(bind_parameters<S, Bindings...>(roots)))...>;
    program<typename plans::safe, typename plans::fast, S + sizeof...(Bindings)> p{};
    std::copy(scalars.begin(), scalars.end(), p.uniforms.begin());
    std::apply([&](const auto&... b) { std::size_t k = S; ((p.uniforms[k++] = b.value), ...); }, bindings);
    return p;
}

template <class Program, class T, std::size_t NIn>
inline auto run_program(const Program& p, const std::array<T, NIn>& inputs) {
    using plan_type = typename Program::plan_type;
    environment<T, NIn, std::tuple_size_v<decltype(p.uniforms)>> env{inputs, {}};
    for (std::size_t k = 0; k < p.uniforms.size(); ++k) env.uniforms[k] = T(static_cast<math::element_t<T>>(p.uniforms[k]));
    const auto s = run_plan<plan_type, T>(env);
    std::array<T, plan_type::root_slot.size()> out;
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = s[plan_type::root_slot[k]];
    return out;
}

}  // namespace evaluation

// f at one point, in the precision of `value` (float, double or long double):
// evaluate(x * sigmoid(beta * x), 0.5, beta = 2.0).
template <expression F, std::floating_point T, parameter_value... B>
T evaluate(const F& f, T value, const B&... params) {
    const auto n = evaluation::number(f);
    using G = std::remove_cvref_t<decltype(n.expr)>;
    static_assert(std::tuple_size_v<evaluation::variables_of<G>> <= 1,
                  "actdsl::evaluate(f, value): f has several variables; bind each to a value");
    const auto p = evaluation::make_program<evaluation::sole_variable<G>>(n.values, std::tuple<B...>{params...}, n.expr);
    return evaluation::run_program(p, std::array<T, 1>{value})[0];
}

}  // namespace actdsl
