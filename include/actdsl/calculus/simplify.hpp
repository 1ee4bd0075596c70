// The simplifier: smart constructors that apply algebraic rules while they build.
// make(op, a, b) returns the simplest equivalent tree it knows; simplify(e)
// rebuilds a whole tree through them. Each rule's math sits beside it.
#pragma once

#include <cstdint>
#include <numeric>
#include <stdexcept>

#include "../expression/operators.hpp"

namespace actdsl {
namespace rules {

template <class E> inline constexpr bool is_zero = std::is_same_v<E, constant<0>>;
template <class E> inline constexpr bool is_one = std::is_same_v<E, constant<1>>;
template <class E> inline constexpr bool is_minus_one = std::is_same_v<E, constant<-1>>;
template <class E> inline constexpr bool is_rational = is_rational_v<E>;
template <class A, class B> inline constexpr bool same_stateless = std::is_same_v<A, B> && is_stateless_v<A>;

// A compile-time constant or a product of them (2 sqrt(2/pi)): rationals fold, the
// rest is a loop-invariant subexpression the compiler computes once per kernel.
template <class E> inline constexpr bool is_constant_product = is_compile_time_constant_v<E>;
template <class A, class B> inline constexpr bool is_constant_product<node<ops::mul, A, B>> = is_constant_product<A> && is_constant_product<B>;

// p * a with a compile-time constant p (a not constant): p is its coefficient.
template <class E> inline constexpr bool is_scaled = false;
template <class A, class B> inline constexpr bool is_scaled<node<ops::mul, A, B>> = is_constant_product<A> && !is_constant_product<B>;

// q * b with a rational q, b anything (a constant too: 3 pi).
template <class E> inline constexpr bool has_rational_coefficient = false;
template <class A, class B> inline constexpr bool has_rational_coefficient<node<ops::mul, A, B>> = is_rational_v<A>;

// Exact rational arithmetic; overflow is a compile error, never a wrong constant.
struct ratio {
    std::int64_t num, den;
};
consteval ratio reduce(std::int64_t n, std::int64_t d) {
    if (d == 0) throw std::domain_error("actdsl: division by the constant 0");
    if (d < 0) { n = -n; d = -d; }
    const std::int64_t g = std::gcd(n, d);
    return {n / (g == 0 ? 1 : g), d / (g == 0 ? 1 : g)};
}
consteval std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t r{};
    if (__builtin_mul_overflow(a, b, &r)) throw std::overflow_error("actdsl: constant folding overflows 64 bits");
    return r;
}
consteval std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t r{};
    if (__builtin_add_overflow(a, b, &r)) throw std::overflow_error("actdsl: constant folding overflows 64 bits");
    return r;
}
template <ratio R>
constexpr auto to_constant() { return constant<R.num, R.den>{}; }

}  // namespace rules

// The generic case: no rule applies.
template <class Op, class... A>
constexpr auto make(Op, const A&... a) { return node<Op, A...>{{a...}}; }

constexpr auto make(ops::neg, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (rules::is_rational<A>) return rules::to_constant<rules::reduce(-A::num, A::den)>();  // -(p/q)
    else if constexpr (std::is_same_v<A, scalar>) return scalar{-a.value};
    else if constexpr (is_op_v<A, ops::neg>) return arg<0>(a);                                           // --a = a
    else return node<ops::neg, A>{{a}};
}

// 1 ± tanh(u) = 2 sigmoid(±2u): no cancellation where tanh(u) nears ∓1 (gelu's tail),
// and one exp instead of tanh's. Defined below, with the other constructors it uses.
template <bool Minus, class U>
constexpr auto one_plus_tanh(const U& u);

constexpr auto make(ops::add, const expression auto& a, const expression auto& b) {
    using A = std::remove_cvref_t<decltype(a)>;
    using B = std::remove_cvref_t<decltype(b)>;
    if constexpr (rules::is_zero<A>) return b;                                                  // 0 + b = b
    else if constexpr (rules::is_zero<B>) return a;                                             // a + 0 = a
    else if constexpr (rules::is_rational<A> && rules::is_rational<B>)                          // p/q + r/s
        return rules::to_constant<rules::reduce(rules::checked_add(rules::checked_mul(A::num, B::den), rules::checked_mul(B::num, A::den)),
                                                rules::checked_mul(A::den, B::den))>();
    else if constexpr (std::is_same_v<A, scalar> && std::is_same_v<B, scalar>) return scalar{a.value + b.value};
    else if constexpr (rules::is_one<A> && is_op_v<B, ops::tanh>) return one_plus_tanh<false>(arg<0>(b));
    else if constexpr (rules::is_one<B> && is_op_v<A, ops::tanh>) return one_plus_tanh<false>(arg<0>(a));
    else if constexpr (is_op_v<B, ops::neg>) return make(ops::sub{}, a, arg<0>(b));             // a + -b = a - b
    else if constexpr (is_op_v<A, ops::neg>) return make(ops::sub{}, b, arg<0>(a));             // -a + b = b - a
    else if constexpr (rules::same_stateless<A, B>) return make(ops::mul{}, c<2>, a);           // a + a = 2a
    else return node<ops::add, A, B>{{a, b}};
}

constexpr auto make(ops::sub, const expression auto& a, const expression auto& b) {
    using A = std::remove_cvref_t<decltype(a)>;
    using B = std::remove_cvref_t<decltype(b)>;
    if constexpr (rules::is_zero<B>) return a;                                                  // a - 0 = a
    else if constexpr (rules::is_zero<A>) return make(ops::neg{}, b);                            // 0 - b = -b
    else if constexpr (rules::is_rational<A> && rules::is_rational<B>)
        return make(ops::add{}, a, make(ops::neg{}, b));
    else if constexpr (std::is_same_v<A, scalar> && std::is_same_v<B, scalar>) return scalar{a.value - b.value};
    else if constexpr (rules::same_stateless<A, B>) return c<0>;                                // a - a = 0
    else if constexpr (rules::is_one<A> && is_op_v<B, ops::tanh>) return one_plus_tanh<true>(arg<0>(b));
    else if constexpr (is_stateless_v<A> && std::is_same_v<B, node<ops::tanh, A>>)
        return node<ops::tanhshrink, A>{{a}};                                                  // a - tanh(a): no cancellation
    else if constexpr (is_op_v<B, ops::neg>) return make(ops::add{}, a, arg<0>(b));             // a - -b = a + b
    else return node<ops::sub, A, B>{{a, b}};
}

constexpr auto make(ops::mul, const expression auto& a, const expression auto& b) {
    using A = std::remove_cvref_t<decltype(a)>;
    using B = std::remove_cvref_t<decltype(b)>;
    if constexpr (rules::is_zero<A> || rules::is_zero<B>) return c<0>;                          // 0 * b = 0
    else if constexpr (rules::is_one<A>) return b;                                              // 1 * b = b
    else if constexpr (rules::is_one<B>) return a;                                              // a * 1 = a
    else if constexpr (rules::is_rational<A> && rules::is_rational<B>)
        return rules::to_constant<rules::reduce(rules::checked_mul(A::num, B::num), rules::checked_mul(A::den, B::den))>();
    else if constexpr (std::is_same_v<A, scalar> && std::is_same_v<B, scalar>) return scalar{a.value * b.value};
    else if constexpr (rules::is_minus_one<A>) return make(ops::neg{}, b);                      // -1 * b = -b
    else if constexpr (rules::is_constant_product<B> && !rules::is_constant_product<A>) return make(ops::mul{}, b, a);  // constants first
    else if constexpr ((rules::is_constant_product<A> && rules::is_scaled<B>) ||                // p * (q * b) = (pq) * b,
                       (rules::is_rational<A> && rules::has_rational_coefficient<B>))
        return make(ops::mul{}, make(ops::mul{}, a, arg<0>(b)), arg<1>(b));                     // and 2 (3 pi) = 6 pi
    else if constexpr (rules::is_scaled<A> && rules::is_scaled<B>)                              // (p a)(q b) = (pq)(ab):
        return make(ops::mul{}, make(ops::mul{}, arg<0>(a), arg<0>(b)), make(ops::mul{}, arg<1>(a), arg<1>(b)));  // 0.5x 2s(t) = x s(t)
    else if constexpr (is_op_v<A, ops::neg>) return make(ops::neg{}, make(ops::mul{}, arg<0>(a), b));  // (-a)b = -(ab)
    else if constexpr (is_op_v<B, ops::neg>) return make(ops::neg{}, make(ops::mul{}, a, arg<0>(b)));   // a(-b) = -(ab)
    else return node<ops::mul, A, B>{{a, b}};
}

constexpr auto make(ops::div, const expression auto& a, const expression auto& b) {
    using A = std::remove_cvref_t<decltype(a)>;
    using B = std::remove_cvref_t<decltype(b)>;
    if constexpr (rules::is_one<B>) return a;                                                   // a / 1 = a
    else if constexpr (rules::is_zero<A>) return c<0>;                                          // 0 / b = 0
    else if constexpr (rules::is_rational<A> && rules::is_rational<B>)
        return rules::to_constant<rules::reduce(rules::checked_mul(A::num, B::den), rules::checked_mul(A::den, B::num))>();
    else if constexpr (rules::is_rational<B>)                                                   // a / (p/q) = (q/p) a
        return make(ops::mul{}, rules::to_constant<rules::reduce(B::den, B::num)>(), a);
    else if constexpr (rules::same_stateless<A, B>) return c<1>;                                // a / a = 1
    else if constexpr (is_op_v<A, ops::neg>) return make(ops::neg{}, make(ops::div{}, arg<0>(a), b));   // (-a)/b = -(a/b)
    else return node<ops::div, A, B>{{a, b}};
}

template <int N>
constexpr auto make(ops::pow<N>, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (N == 0) return c<1>;                                                          // a^0 = 1
    else if constexpr (N == 1) return a;                                                        // a^1 = a
    else if constexpr (rules::is_one<A>) return c<1>;
    else if constexpr (is_op_v<A, ops::neg> && N % 2 == 0) return make(ops::pow<N>{}, arg<0>(a));     // (-a)^2k = a^2k
    else return node<ops::pow<N>, A>{{a}};
}

constexpr auto make(ops::abs, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (is_op_v<A, ops::neg> || is_op_v<A, ops::abs>) return make(ops::abs{}, arg<0>(a));  // |-a| = ||a|| = |a|
    else if constexpr (rules::is_rational<A>) return rules::to_constant<rules::reduce(A::num < 0 ? -A::num : A::num, A::den)>();
    else return node<ops::abs, A>{{a}};
}

constexpr auto make(ops::where, const expression auto& cond, const expression auto& a, const expression auto& b) {
    using C = std::remove_cvref_t<decltype(cond)>;
    using A = std::remove_cvref_t<decltype(a)>;
    using B = std::remove_cvref_t<decltype(b)>;
    if constexpr (rules::same_stateless<A, B>) return a;                                        // where(c, a, a) = a
    else return node<ops::where, C, A, B>{{cond, a, b}};
}

// exp(0) = 1, log(1) = 0 and friends: the values at a compile-time 0 or 1.
#define ACTDSL_FOLD_AT(tag, at, result)                                                        \
    constexpr auto make(ops::tag, const expression auto& a) {                                  \
        using A = std::remove_cvref_t<decltype(a)>;                                            \
        if constexpr (std::is_same_v<A, constant<at>>) return c<result>;                       \
        else return node<ops::tag, A>{{a}};                                                    \
    }
ACTDSL_FOLD_AT(exp, 0, 1)
ACTDSL_FOLD_AT(expm1, 0, 0)
ACTDSL_FOLD_AT(sin, 0, 0)
ACTDSL_FOLD_AT(cos, 0, 1)
ACTDSL_FOLD_AT(erf, 0, 0)
ACTDSL_FOLD_AT(sign, 0, 0)
#undef ACTDSL_FOLD_AT

// The stable forms reached from ordinary expressions: whoever writes log(1 + exp(u))
// gets softplus(u), which never overflows; log(sigmoid(u)) is logsigmoid = -softplus(-u).
constexpr auto make(ops::log1p, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (rules::is_zero<A>) return c<0>;
    else if constexpr (is_op_v<A, ops::exp>) return node<ops::softplus, std::remove_cvref_t<decltype(arg<0>(a))>>{{arg<0>(a)}};  // log1p(exp(u))
    else return node<ops::log1p, A>{{a}};
}

template <class A> inline constexpr bool is_one_plus_exp = false;  // 1 + exp(u) or exp(u) + 1
template <class U> inline constexpr bool is_one_plus_exp<node<ops::add, constant<1>, node<ops::exp, U>>> = true;
template <class U> inline constexpr bool is_one_plus_exp<node<ops::add, node<ops::exp, U>, constant<1>>> = true;

constexpr auto make(ops::log, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (rules::is_one<A>) return c<0>;
    else if constexpr (is_one_plus_exp<A>) {                                                    // log(1 + exp(u)) = softplus(u)
        if constexpr (is_op_v<std::remove_cvref_t<decltype(arg<0>(a))>, ops::exp>) return make(ops::log1p{}, arg<0>(a));
        else return make(ops::log1p{}, arg<1>(a));
    } else if constexpr (is_op_v<A, ops::sigmoid>)                                              // log(sigmoid(u)) = -softplus(-u)
        return make(ops::neg{}, make(ops::softplus{}, make(ops::neg{}, arg<0>(a))));
    else return node<ops::log, A>{{a}};
}

// tanh(softplus(u)), mish's gate, is one node: evaluated through one exp (evaluation/lower.hpp).
constexpr auto make(ops::tanh, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (rules::is_zero<A>) return c<0>;
    else if constexpr (is_op_v<A, ops::softplus>) return node<ops::tanh_softplus, std::remove_cvref_t<decltype(arg<0>(a))>>{{arg<0>(a)}};
    else return node<ops::tanh, A>{{a}};
}

template <bool Minus, class U>
constexpr auto one_plus_tanh(const U& u) {
    const auto two_u = make(ops::mul{}, c<2>, u);
    if constexpr (Minus) return make(ops::mul{}, c<2>, make(ops::sigmoid{}, make(ops::neg{}, two_u)));
    else return make(ops::mul{}, c<2>, make(ops::sigmoid{}, two_u));
}

// simplify(e): e rebuilt bottom-up through the rules above.
template <expression E>
constexpr auto simplify(const E& e) {
    if constexpr (requires { typename E::op; })
        return apply_args([](const auto&... a) { return make(typename E::op{}, simplify(a)...); }, e);
    else return e;
}

}  // namespace actdsl
