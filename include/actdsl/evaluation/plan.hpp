// Common subexpression elimination at compile time. A plan lists the distinct
// value subtrees of some root expressions in post-order (children first); a
// subtree that appears several times, in one root or across roots (forward and
// derivative), has one slot and is computed once per element. Conditions get no
// slot: they are evaluated inline by the where() that uses them.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>

#include "apply.hpp"

namespace actdsl::evaluation {

template <class... Ts>
struct type_list {
    static constexpr std::size_t size = sizeof...(Ts);
};

template <class E, class... Ts>
constexpr std::size_t index_in(type_list<Ts...>) { return index_of_type<E, Ts...>(); }

// Plain type lists, not Boost.Hana: with Hana's contains/append this collection
// took 15 of the 22 s that nine kernels cost to compile; fold expressions over
// std::is_same take a fraction of that.
template <class List, class E>
struct append_unique;
template <class... Ts, class E>
struct append_unique<type_list<Ts...>, E> {
    using type = std::conditional_t<(std::is_same_v<Ts, E> || ...), type_list<Ts...>, type_list<Ts..., E>>;
};

// collect<Acc, E>: Acc followed by the slots of E's subtree not yet in it, children first.
template <class Acc, class E>
struct collect {
    using type = typename append_unique<Acc, E>::type;
};
template <class Acc, class Op, class... A>
struct collect<Acc, node<Op, A...>> {
    using with_children = typename fold_types<collect, Acc, A...>::type;
    using type = std::conditional_t<Op::is_condition, with_children, typename append_unique<with_children, node<Op, A...>>::type>;
};

// The plan of Roots: slots in evaluation order, and where each root's value lands.
template <class... Roots>
struct plan {
    static_assert((!is_condition_v<Roots> && ...),
                  "actdsl: an activation must be a number, not a condition; wrap the comparison in where(cond, a, b)");
    using slots = typename fold_types<collect, type_list<>, Roots...>::type;
    static constexpr std::array<std::size_t, sizeof...(Roots)> root_slot{index_in<Roots>(slots{})...};
};

// What leaves read: input<I> and uniform<I> values of the current element(s).
template <class T, std::size_t NIn, std::size_t NU>
struct environment {
    std::array<T, NIn> inputs;
    std::array<T, NU> uniforms;
    template <std::size_t I>
    T input() const { return inputs[I]; }
};

// For loops over memory: an input is loaded only if the plan reads it.
template <class Batch, std::size_t NIn, std::size_t NU>
struct stream_environment {
    using value_type = Batch;
    std::array<const math::element_t<Batch>*, NIn> inputs;
    std::size_t offset;
    std::array<Batch, NU> uniforms;
    template <std::size_t I>
    Batch input() const { return Batch::load_unaligned(inputs[I] + offset); }
};

template <class E, class T, class Slots, std::size_t N, class Env>
ACTDSL_INLINE auto operand(const std::array<T, N>& s, const Env& env);

template <class T, class Slots, std::size_t N, class Env, class Op, class... A>
ACTDSL_INLINE auto compute_node(std::type_identity<node<Op, A...>>, const std::array<T, N>& s, const Env& env) {
    return evaluation::apply(Op{}, operand<A, T, Slots>(s, env)...);
}

template <class E, class T, class Slots, std::size_t N, class Env>
ACTDSL_INLINE auto compute(const std::array<T, N>& s, const Env& env) {
    if constexpr (is_input_v<E>) return env.template input<leaf_index_v<E>>();
    else if constexpr (is_uniform_v<E>) return env.uniforms[leaf_index_v<E>];
    else if constexpr (is_compile_time_constant_v<E>) return T(static_cast<math::element_t<T>>(E::value));
    else {
        static_assert(requires { typename E::op; },
                      "actdsl: internal error: a variable or parameter reached the evaluator unbound");
        return compute_node<T, Slots>(std::type_identity<E>{}, s, env);
    }
}

// A value operand reads its slot; a condition is computed in place.
template <class E, class T, class Slots, std::size_t N, class Env>
ACTDSL_INLINE auto operand(const std::array<T, N>& s, const Env& env) {
    if constexpr (is_condition_v<E>) return compute<E, T, Slots>(s, env);
    else return s[index_in<E>(Slots{})];
}

template <class Slots, class T, std::size_t N, class Env, class... Ts, std::size_t... I>
ACTDSL_INLINE void fill_slots(std::array<T, N>& s, const Env& env, type_list<Ts...>, std::index_sequence<I...>) {
    ((s[I] = compute<Ts, T, Slots>(s, env)), ...);
}

// Evaluates every slot of the plan, in order, for one element (T scalar) or one batch.
template <class Plan, class T, class Env>
ACTDSL_INLINE auto run_plan(const Env& env) {
    using slots = typename Plan::slots;
    std::array<T, slots::size> s;
    fill_slots<slots>(s, env, slots{}, std::make_index_sequence<slots::size>{});
    return s;
}

}  // namespace actdsl::evaluation
