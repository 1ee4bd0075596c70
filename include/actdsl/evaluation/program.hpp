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

// plan_type is exact for every input. fast_plan_type (void when there is none) is a
// guarded_plan: cheaper, with its guards as its last roots, and exact for root k while
// guard guard_of[k] >= fast_sigmoid_limit (a root with no guard is exact everywhere).
template <class Plan, class FastPlan, std::size_t NU>
struct program {
    using plan_type = Plan;
    using fast_plan_type = FastPlan;
    std::array<double, NU> uniforms;
};

// The roots of one pass (forward's y, or backward's gradients), planned as that pass
// alone plans them. A program of several groups (forward_backward) shares their common
// subexpressions but gives each group its own fast plan and guard, so forward_backward's
// y is forward's y and its gradients are backward's, bit for bit.
template <class... Roots>
struct group {};
template <class T> inline constexpr bool is_group_v = false;
template <class... R> inline constexpr bool is_group_v<group<R...>> = true;

template <class... Lists> struct concat;
template <> struct concat<> { using type = type_list<>; };
template <class... A> struct concat<type_list<A...>> { using type = type_list<A...>; };
template <class... A, class... B, class... Rest>
struct concat<type_list<A...>, type_list<B...>, Rest...> {
    using type = typename concat<type_list<A..., B...>, Rest...>::type;
};

// How many slots of a plan call exp, log, erfc and the like: each costs more than the
// compares and blends a fast plan saves.
template <class Op>
inline constexpr bool is_transcendental_op =
    std::is_same_v<Op, ops::exp> || std::is_same_v<Op, ops::exp_flushing> || std::is_same_v<Op, ops::expm1> ||
    std::is_same_v<Op, ops::log> || std::is_same_v<Op, ops::log1p> || std::is_same_v<Op, ops::log1p_unit> || std::is_same_v<Op, ops::erf> ||
    std::is_same_v<Op, ops::erfc> || std::is_same_v<Op, ops::tanh> || std::is_same_v<Op, ops::tanhshrink> ||
    std::is_same_v<Op, ops::sin> || std::is_same_v<Op, ops::cos>;
template <class Slot> inline constexpr std::size_t transcendental_slot = 0;
template <class Op, class... A> inline constexpr std::size_t transcendental_slot<node<Op, A...>> = is_transcendental_op<Op> ? 1 : 0;
template <class Slots> inline constexpr std::size_t transcendentals = 0;
template <class... S> inline constexpr std::size_t transcendentals<type_list<S...>> = (transcendental_slot<S> + ... + 0);

// One group's plans. Its fast roots drop the exact form's tail guards under the group's
// guard, unless they call more transcendentals than its exact roots. A group chooses as
// its pass alone would, whatever the other groups compute: softplus's forward_backward
// takes log1p(exp(-|u|)) for y and backward's fast sigmoid 1 / (1 + exp(-u)) for dx,
// two exps where one could serve both, and y and dx are forward's and backward's bits.
// Bound roots hold no runtime data (their leaves are inputs, uniforms and constants),
// so their types alone make the plans.
template <class Guard, class... Bound>
struct group_plans {
    using exact = type_list<decltype(lower(Bound{}))...>;
    template <class... Lowered>
    static constexpr auto fused(type_list<Lowered...>) { return type_list<decltype(fuse_reciprocals<Lowered...>(Lowered{}))...>{}; }
    using fast_candidate = decltype(fused(type_list<decltype(lower_fast(Bound{}))...>{}));
    template <class... R>
    static constexpr std::size_t cost(type_list<R...>) { return transcendentals<typename plan<R...>::slots>; }
    static constexpr bool has_fast = cost(typename concat<fast_candidate, type_list<Guard>>::type{}) <= cost(exact{});
    using fast = std::conditional_t<has_fast, fast_candidate, exact>;
    using guards = std::conditional_t<has_fast, type_list<Guard>, type_list<>>;
};
template <class... Bound>
struct group_plans<no_guard, Bound...> {
    using exact = type_list<decltype(lower(Bound{}))...>;
    static constexpr bool has_fast = false;
    using fast = exact;
    using guards = type_list<>;
};
template <class... Bound>
using group_plans_of = group_plans<decltype(fold_guards(no_guard{}, fast_guard(Bound{})...)), Bound...>;

template <class List> struct plan_of_list;
template <class... R> struct plan_of_list<type_list<R...>> { using type = plan<R...>; };

// The fast plan of a program: its roots, then its guards; guard_of[k] is root k's guard
// (guards when it has none). guard_plan computes the guards alone, in the same order.
template <class Plan, class GuardPlan, std::size_t Guards, std::size_t... GuardOf>
struct guarded_plan : Plan {
    using guard_plan = GuardPlan;
    static constexpr std::size_t guards = Guards;
    static constexpr std::array<std::size_t, sizeof...(GuardOf)> guard_of{GuardOf...};
};

template <class... G>
struct plans_of {
    using safe = typename plan_of_list<typename concat<typename G::exact...>::type>::type;
    static constexpr std::size_t guard_count = (G::guards::size + ... + 0);
    template <std::size_t... I>
    static constexpr auto guard_indices(std::index_sequence<I...>) {
        constexpr std::array<bool, sizeof...(G)> fast{G::has_fast...};
        constexpr std::array<std::size_t, sizeof...(G)> roots{G::exact::size...};
        std::array<std::size_t, (G::exact::size + ... + 0)> out{};
        std::size_t k = 0, guard = 0;
        for (std::size_t g = 0; g < sizeof...(G); ++g) {
            for (std::size_t r = 0; r < roots[g]; ++r) out[k++] = fast[g] ? guard : guard_count;
            if (fast[g]) ++guard;
        }
        return out;
    }
    static constexpr auto guard_of = guard_indices(std::index_sequence_for<G...>{});
    template <std::size_t... K>
    static constexpr auto guarded(std::index_sequence<K...>) {
        using roots = typename concat<typename G::fast..., typename G::guards...>::type;
        using guard_roots = typename concat<typename G::guards...>::type;
        return guarded_plan<typename plan_of_list<roots>::type, typename plan_of_list<guard_roots>::type, guard_count, guard_of[K]...>{};
    }
    using fast = std::conditional_t<(G::has_fast || ...), decltype(guarded(std::make_index_sequence<guard_of.size()>{})), void>;
};

// A group's plans once its variables are inputs and its parameters uniforms.
template <class Group, std::size_t S, class BindingTuple, class... Vars>
struct bound_group;
template <class... Roots, std::size_t S, class... Bindings, class... Vars>
struct bound_group<group<Roots...>, S, std::tuple<Bindings...>, Vars...> {
    using type = group_plans_of<decltype(bind_variables<Vars...>(bind_parameters<S, Bindings...>(Roots{})))...>;
};

// Groups of roots use variables Vars... (input<0>, input<1>, ...) and the numbered scalars.
template <class... Vars, std::size_t S, class... Bindings, class... Groups>
constexpr auto make_one_program(const std::array<double, S>& scalars, const std::tuple<Bindings...>& bindings, type_list<Groups...>) {
    using plans = plans_of<typename bound_group<Groups, S, std::tuple<Bindings...>, Vars...>::type...>;
    program<typename plans::safe, typename plans::fast, S + sizeof...(Bindings)> p{};
    std::copy(scalars.begin(), scalars.end(), p.uniforms.begin());
    std::apply([&](const auto&... b) { std::size_t k = S; ((p.uniforms[k++] = b.value), ...); }, bindings);
    return p;
}

// ---- literals tested at run time (ops::literal_is) ----------------------------

// A test: is the literal uniform<I> equal to N/D?
template <std::size_t I, std::int64_t N, std::int64_t D>
struct literal_test {
    static bool holds(const double* uniforms) { return uniforms[I] == static_cast<double>(N) / static_cast<double>(D); }
};
template <class Acc, class E>
struct add_literal_tests {
    using type = Acc;
};
template <class Acc, class Op, class... A>
struct add_literal_tests<Acc, node<Op, A...>> {
    using type = typename fold_types<add_literal_tests, Acc, A...>::type;
};
template <class Acc, std::int64_t N, std::int64_t D, std::size_t I, class A, class B>
struct add_literal_tests<Acc, node<ops::literal_is<N, D>, uniform<I>, A, B>> {
    using type = typename fold_types<add_literal_tests, typename append_unique<Acc, literal_test<I, N, D>>::type, A, B>::type;
};

// E with each test's node replaced by its stable branch where bit k of Mask is set
// (k the test's place in Tests), by the written one elsewhere.
template <std::size_t Mask, class Tests, class E>
constexpr auto resolve(const E& e) {
    if constexpr (requires { typename E::op; }) {
        if constexpr (is_literal_is_v<E>) {
            using test = literal_test<leaf_index_v<std::remove_cvref_t<decltype(arg<0>(e))>>, E::op::num, E::op::den>;
            constexpr std::size_t k = index_in<test>(Tests{});  // Tests::size for a test past the limit: as written
            if constexpr (k < Tests::size && ((Mask >> k) & 1u)) return resolve<Mask, Tests>(arg<1>(e));
            else return resolve<Mask, Tests>(arg<2>(e));
        } else {
            return apply_args([](const auto&... a) { return node<typename E::op, decltype(resolve<Mask, Tests>(a))...>{{resolve<Mask, Tests>(a)...}}; }, e);
        }
    } else {
        return e;
    }
}

// One program per combination of the tests' outcomes; index picks the one the
// literals' values call for.
template <class... Programs>
struct program_choice {
    std::size_t index;
    std::tuple<Programs...> programs;
    template <class F>
    decltype(auto) visit(F&& f) const {
        return [&]<std::size_t... K>(std::index_sequence<K...>) {
            using R = decltype(f(std::get<0>(programs)));
            if constexpr (std::is_void_v<R>) (void)((index == K ? (f(std::get<K>(programs)), true) : false) || ...);
            else {
                R r{};
                (void)((index == K ? (r = f(std::get<K>(programs)), true) : false) || ...);
                return r;
            }
        }(std::index_sequence_for<Programs...>{});
    }
};
template <class T> inline constexpr bool is_program_choice_v = false;
template <class... P> inline constexpr bool is_program_choice_v<program_choice<P...>> = true;

// At most this many tests get a program each way (2^3 programs); further ones keep
// the formula as written.
inline constexpr std::size_t max_literal_tests = 3;
template <class List, class Kept = type_list<>>
struct first_tests {
    using type = Kept;
};
template <class T0, class... Ts, class... Kept>
    requires(sizeof...(Kept) < max_literal_tests)
struct first_tests<type_list<T0, Ts...>, type_list<Kept...>> {
    using type = typename first_tests<type_list<Ts...>, type_list<Kept..., T0>>::type;
};

template <class... Tests>
std::size_t literal_outcomes(type_list<Tests...>, const double* uniforms) {
    std::size_t index = 0, bit = 1;
    ((index |= Tests::holds(uniforms) ? bit : 0, bit <<= 1), ...);
    return index;
}

template <std::size_t Mask, class Tests, class... Roots>
constexpr auto resolve_group(group<Roots...>) { return group<decltype(resolve<Mask, Tests>(Roots{}))...>{}; }

template <std::size_t Mask, class Tests, class... Vars, std::size_t S, class... Bindings, class... Groups>
constexpr auto make_resolved_program(const std::array<double, S>& scalars, const std::tuple<Bindings...>& bindings, type_list<Groups...>) {
    return make_one_program<Vars...>(scalars, bindings, type_list<decltype(resolve_group<Mask, Tests>(Groups{}))...>{});
}

template <class Root>
constexpr type_list<Root> roots_of(Root) { return {}; }
template <class... Roots>
constexpr type_list<Roots...> roots_of(group<Roots...>) { return {}; }
template <class... Roots>
constexpr auto literal_tests_of(type_list<Roots...>) { return typename fold_types<add_literal_tests, type_list<>, Roots...>::type{}; }

// The program of Roots: expressions (one pass), or groups of them (passes joined).
template <class... Vars, std::size_t S, class... Bindings, class... Roots>
constexpr auto make_program(const std::array<double, S>& scalars, const std::tuple<Bindings...>& bindings, const Roots&...) {
    static_assert((is_binding_v<Bindings> && ...),
                  "actdsl: the arguments after the arrays must be parameter values written `name = value`, e.g. beta = 1.0");
    static_assert((is_group_v<Roots> && ...) || (!is_group_v<Roots> && ...), "actdsl: internal error: groups and roots mixed");
    using groups = std::conditional_t<(is_group_v<Roots> && ...), type_list<Roots...>, type_list<group<Roots...>>>;
    using all_roots = typename concat<decltype(roots_of(Roots{}))...>::type;
    using tests = typename first_tests<decltype(literal_tests_of(all_roots{}))>::type;
    if constexpr (tests::size == 0) {
        return make_one_program<Vars...>(scalars, bindings, groups{});
    } else {
        return [&]<std::size_t... M>(std::index_sequence<M...>) {
            return program_choice<decltype(make_resolved_program<M, tests, Vars...>(scalars, bindings, groups{}))...>{
                literal_outcomes(tests{}, scalars.data()), {make_resolved_program<M, tests, Vars...>(scalars, bindings, groups{})...}};
        }(std::make_index_sequence<std::size_t{1} << tests::size>{});
    }
}

template <class Program, class T, std::size_t NIn>
inline auto run_program(const Program& p, const std::array<T, NIn>& inputs) {
    if constexpr (is_program_choice_v<Program>) {
        return p.visit([&](const auto& q) { return run_program(q, inputs); });
    } else {
    using plan_type = typename Program::plan_type;
    environment<T, NIn, std::tuple_size_v<decltype(p.uniforms)>> env{inputs, {}};
    for (std::size_t k = 0; k < p.uniforms.size(); ++k) env.uniforms[k] = T(static_cast<math::element_t<T>>(p.uniforms[k]));
    const auto s = run_plan<plan_type, T>(env);
    std::array<T, plan_type::root_slot.size()> out;
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = s[plan_type::root_slot[k]];
    return out;
    }
}

}  // namespace evaluation

// f at one point, in the precision of `value` (float, double or long double):
// evaluate(x * sigmoid(beta * x), 0.5, beta = 2.0).
template <expression F, std::floating_point T, parameter_value... B>
T evaluate(const F& f, T value, const B&... params) {
    evaluation::check_bindings_used<F, B...>();
    const auto n = evaluation::number(f);
    using G = std::remove_cvref_t<decltype(n.expr)>;
    static_assert(std::tuple_size_v<evaluation::variables_of<G>> <= 1,
                  "actdsl::evaluate(f, value): f has several variables; bind each to a value");
    const auto p = evaluation::make_program<evaluation::sole_variable<G>>(n.values, std::tuple<B...>{params...}, n.expr);
    return evaluation::run_program(p, std::array<T, 1>{value})[0];
}

}  // namespace actdsl
