// Lowering: just before a kernel is planned, nodes that have a cheaper or stabler
// form in primitives are rewritten into it, so that common subexpression
// elimination can share their parts. The symbolic layer keeps the readable node.
//
// A kernel gets two lowerings of its expressions. The stable one is exact for
// every input. The fast one is exact too, but only while a guard holds; each
// batch runs the fast one and falls back to the stable one when the guard fails.
#pragma once

#include <limits>

#include "../calculus/simplify.hpp"

namespace actdsl::evaluation {

// ---- stable ------------------------------------------------------------------

// sigmoid(u) = u >= 0 ? r : e r with e = exp(-|u|), r = 1 / (1 + e).
// sigmoid(u) and sigmoid(-u) (every sigmoid derivative) then share e and r: one exp, one division.
template <class U>
constexpr auto lower_sigmoid(const U& u) {
    const auto e = make(ops::exp{}, make(ops::neg{}, make(ops::abs{}, u)));
    const auto r = make(ops::div{}, c<1>, make(ops::add{}, c<1>, e));
    return make(ops::where{}, make(ops::greater_equal{}, u, c<0>), r, make(ops::mul{}, e, r));
}

template <class E>
constexpr auto lower(const E& e) {
    if constexpr (requires { typename E::op; }) {
        return std::apply(
            [](const auto&... a) {
                if constexpr (std::is_same_v<typename E::op, ops::sigmoid>) return lower_sigmoid(lower(a)...);
                else return make(typename E::op{}, lower(a)...);
            },
            e.args);
    } else {
        return e;
    }
}

// ---- fast, guarded -----------------------------------------------------------

// sigmoid(u) = r and sigmoid(-u) = E r with E = exp(-u), r = 1 / (1 + E): the
// naive formula's cost, and exact as long as E does not overflow, that is u >= limit.
template <class T>
inline constexpr T fast_sigmoid_limit = std::numeric_limits<T>::max_exponent10 <= 38 ? T(-80) : T(-700);

// For sigmoid(u) the fast form takes E = exp(-u); for sigmoid(-u) it takes the same E.
template <class E>
constexpr auto lower_fast(const E& e);

template <class U>
constexpr const auto& exp_argument(const U& u) {
    if constexpr (is_op_v<U, ops::neg>) return arg<0>(u);
    else return u;
}

template <class U>
constexpr auto lower_sigmoid_fast(const U& u) {
    const auto big_e = make(ops::exp{}, make(ops::neg{}, lower_fast(exp_argument(u))));
    const auto r = make(ops::div{}, c<1>, make(ops::add{}, c<1>, big_e));
    if constexpr (is_op_v<U, ops::neg>) return make(ops::mul{}, big_e, r);
    else return r;
}

template <class E>
constexpr auto lower_fast(const E& e) {
    if constexpr (is_op_v<E, ops::sigmoid>) {
        return lower_sigmoid_fast(arg<0>(e));
    } else if constexpr (requires { typename E::op; }) {
        return std::apply([](const auto&... a) { return make(typename E::op{}, lower_fast(a)...); }, e.args);
    } else {
        return e;
    }
}

// The guard of the fast lowering: the minimum of every u it takes exp(-u) of,
// or no_guard when the expression has no sigmoid.
struct no_guard {};

template <class A, class B>
constexpr auto guard_min(const A& a, const B& b) {
    if constexpr (std::is_same_v<A, no_guard>) return b;
    else if constexpr (std::is_same_v<B, no_guard> || std::is_same_v<A, B>) return a;
    else return make(ops::min{}, a, b);
}

template <class G>
constexpr auto fold_guards(const G& g) { return g; }
template <class G, class H, class... R>
constexpr auto fold_guards(const G& g, const H& h, const R&... rest) { return fold_guards(guard_min(g, h), rest...); }

template <class E>
constexpr auto fast_guard(const E& e) {
    if constexpr (requires { typename E::op; }) {
        const auto below = std::apply([](const auto&... a) { return fold_guards(no_guard{}, fast_guard(a)...); }, e.args);
        if constexpr (is_op_v<E, ops::sigmoid>) return guard_min(below, lower_fast(exp_argument(arg<0>(e))));
        else return below;
    } else {
        return no_guard{};
    }
}

// ---- a * (1/d) -> a / d -----------------------------------------------------

// How often R stands in the trees E (a tree count: a shared subtree counts per use).
template <class R, class E>
inline constexpr std::size_t occurrences = std::is_same_v<R, E> ? 1 : 0;
template <class R, class Op, class... A>
inline constexpr std::size_t occurrences<R, node<Op, A...>> = std::is_same_v<R, node<Op, A...>> ? 1 : (occurrences<R, A> + ... + 0);

template <class E> inline constexpr bool is_reciprocal_v = false;  // 1 / d
template <class D> inline constexpr bool is_reciprocal_v<node<ops::div, constant<1>, D>> = true;

// A multiplication by a reciprocal that nothing else uses is one division, not two
// operations: silu's forward x * (1/(1+E)) becomes x / (1+E). A reciprocal that is
// shared (sigmoid(u) and sigmoid(-u) in a derivative) stays, as one division for all.
template <class... Roots, class E>
constexpr auto fuse_reciprocals(const E& e) {
    if constexpr (requires { typename E::op; }) {
        const auto rebuilt = std::apply([](const auto&... a) { return make(typename E::op{}, fuse_reciprocals<Roots...>(a)...); }, e.args);
        using R = std::remove_cvref_t<decltype(rebuilt)>;
        if constexpr (is_op_v<R, ops::mul>) {
            using A = std::remove_cvref_t<decltype(arg<0>(rebuilt))>;
            using B = std::remove_cvref_t<decltype(arg<1>(rebuilt))>;
            if constexpr (is_reciprocal_v<B> && (occurrences<B, Roots> + ...) == 1)
                return make(ops::div{}, arg<0>(rebuilt), arg<1>(arg<1>(rebuilt)));
            else if constexpr (is_reciprocal_v<A> && (occurrences<A, Roots> + ...) == 1)
                return make(ops::div{}, arg<1>(rebuilt), arg<1>(arg<0>(rebuilt)));
            else return rebuilt;
        } else {
            return rebuilt;
        }
    } else {
        return e;
    }
}

}  // namespace actdsl::evaluation
