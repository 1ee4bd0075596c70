// The simplifier: smart constructors that apply algebraic rules while they build.
// make(op, a, b) returns the simplest equivalent tree it knows; simplify(e)
// rebuilds a whole tree through them. Each rule's math sits beside it.
#pragma once

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

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

// L + u or u + L for a leaf type L (constant<1>, or scalar: a plain number): the
// position of u plus one, else 0.
template <class E, class L> inline constexpr std::size_t plus_term = 0;
template <class L, class U> inline constexpr std::size_t plus_term<node<ops::add, L, U>, L> = 2;
template <class L, class U> inline constexpr std::size_t plus_term<node<ops::add, U, L>, L> = 1;
template <class L> inline constexpr std::size_t plus_term<node<ops::add, L, L>, L> = 0;
// L + op(v) or op(v) + L.
template <class E, class L, class Op> inline constexpr bool plus_op = false;
template <class L, class Op, class... V> inline constexpr bool plus_op<node<ops::add, L, node<Op, V...>>, L, Op> = true;
template <class L, class Op, class... V> inline constexpr bool plus_op<node<ops::add, node<Op, V...>, L>, L, Op> = true;

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

// How many literal_is nodes a tree holds: a rule stops making them past two, so a tree
// is built for at most four combinations of its literals.
template <class E> inline constexpr std::size_t literal_tests = 0;
template <class Op, class... A> inline constexpr std::size_t literal_tests<node<Op, A...>> = (literal_tests<A> + ... + 0);
template <std::int64_t N, std::int64_t D, class... A>
inline constexpr std::size_t literal_tests<node<ops::literal_is<N, D>, A...>> = 1 + (literal_tests<A> + ... + 0);

}  // namespace rules

// A rule that needs the constant N/D where the user wrote the plain number s:
// stable, the rule's result (built with the constant), where s equals N/D at run time;
// written, the node as the user wrote it, otherwise (ops::literal_is).
template <std::int64_t N, std::int64_t D = 1, class Stable, class Written>
constexpr auto if_literal_is(const scalar& s, const Stable& stable, const Written& written) {
    if constexpr (rules::literal_tests<Written> >= 2) return written;
    else return node<ops::literal_is<N, D>, scalar, Stable, Written>{{s, stable, written}};
}

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

// u ± sqrt(u^2 + v) where the sum cancels (u < 0 for +, u > 0 for -): the conjugate
// v / (sqrt(u^2 + v) ∓ u) has no cancellation (squareplus's left tail). U stateless, so
// that the u outside the root is the one inside. Defined below, with make(div).
template <class W, class U> inline constexpr bool is_square_plus = false;  // u^2 + v or v + u^2
template <class L, class R, class U>
inline constexpr bool is_square_plus<node<ops::add, L, R>, U> =
    is_stateless_v<U> && (std::is_same_v<L, node<ops::pow<2>, U>> || std::is_same_v<R, node<ops::pow<2>, U>>);
template <class U, class R> inline constexpr bool cancels_with_root = false;  // R = sqrt(u^2 + v)
template <class U, class W> inline constexpr bool cancels_with_root<U, node<ops::sqrt, W>> = is_square_plus<W, U>;
enum class conjugate { u_plus_root, root_minus_u, u_minus_root };
template <conjugate Form, class U, class R>
constexpr auto conjugate_form(const U& u, const R& root);

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
    else if constexpr (rules::is_one<A> && is_op_v<B, ops::erf>)                                // 1 + erf(u) = erfc(-u): no
        return make(ops::erfc{}, make(ops::neg{}, arg<0>(b)));                                  // cancellation where erf(u) nears -1
    else if constexpr (rules::is_one<B> && is_op_v<A, ops::erf>) return make(ops::erfc{}, make(ops::neg{}, arg<0>(a)));
    else if constexpr (std::is_same_v<A, scalar> && (is_op_v<B, ops::tanh> || is_op_v<B, ops::erf>))  // the same, for a
        return if_literal_is<1>(a, make(ops::add{}, c<1>, b), node<ops::add, A, B>{{a, b}});           // plain 1
    else if constexpr (std::is_same_v<B, scalar> && (is_op_v<A, ops::tanh> || is_op_v<A, ops::erf>))
        return if_literal_is<1>(b, make(ops::add{}, a, c<1>), node<ops::add, A, B>{{a, b}});
    else if constexpr (rules::is_minus_one<A> && is_op_v<B, ops::exp>) return make(ops::expm1{}, arg<0>(b));  // -1 + exp(u) = expm1(u)
    else if constexpr (rules::is_minus_one<B> && is_op_v<A, ops::exp>) return make(ops::expm1{}, arg<0>(a));
    else if constexpr (cancels_with_root<A, B>) return conjugate_form<conjugate::u_plus_root>(a, b);
    else if constexpr (cancels_with_root<B, A>) return conjugate_form<conjugate::u_plus_root>(b, a);
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
    else if constexpr (rules::is_one<A> && is_op_v<B, ops::erf>) return make(ops::erfc{}, arg<0>(b));  // 1 - erf(u) = erfc(u)
    else if constexpr (rules::is_one<A> && is_op_v<B, ops::sigmoid>)                            // 1 - sigmoid(u) = sigmoid(-u): no
        return make(ops::sigmoid{}, make(ops::neg{}, arg<0>(b)));                               // cancellation where sigmoid(u) nears 1
    else if constexpr (rules::is_one<B> && is_op_v<A, ops::exp>)                                // exp(u) - 1 = expm1(u): exact
        return make(ops::expm1{}, arg<0>(a));                                                   // near u = 0, where exp(u) - 1 cancels
    else if constexpr (std::is_same_v<A, scalar> && (is_op_v<B, ops::tanh> || is_op_v<B, ops::erf> || is_op_v<B, ops::sigmoid>))
        return if_literal_is<1>(a, make(ops::sub{}, c<1>, b), node<ops::sub, A, B>{{a, b}});  // the same, for a plain 1
    else if constexpr (std::is_same_v<B, scalar> && is_op_v<A, ops::exp>)
        return if_literal_is<1>(b, make(ops::sub{}, a, c<1>), node<ops::sub, A, B>{{a, b}});
    else if constexpr (is_stateless_v<A> && std::is_same_v<B, node<ops::tanh, A>>)
        return node<ops::tanhshrink, A>{{a}};                                                  // a - tanh(a): no cancellation
    else if constexpr (cancels_with_root<B, A>) return conjugate_form<conjugate::root_minus_u>(b, a);
    else if constexpr (cancels_with_root<A, B>) return conjugate_form<conjugate::u_minus_root>(a, b);
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
    else if constexpr (rules::same_stateless<A, B>) return make(ops::pow<2>{}, a);              // a a = a^2
    else if constexpr (is_op_v<A, ops::neg>) return make(ops::neg{}, make(ops::mul{}, arg<0>(a), b));  // (-a)b = -(ab)
    else if constexpr (is_op_v<B, ops::neg>) return make(ops::neg{}, make(ops::mul{}, a, arg<0>(b)));   // a(-b) = -(ab)
    else return node<ops::mul, A, B>{{a, b}};
}

// The u and the L of L + u or u + L (rules::plus_term).
template <class L, class E>
constexpr const auto& term_of(const E& e) { return arg<rules::plus_term<E, L> - 1>(e); }
template <class L, class E>
constexpr const L& leaf_of(const E& e) { return arg<2 - rules::plus_term<E, L>>(e); }

// Whether the product (or quotient, or negation) E has the stateless factor F, and E
// with that factor removed: (u b) / b = u, where the quotient's limit at b = 0 is u.
template <class E, class F> inline constexpr bool has_factor = std::is_same_v<E, F> && is_stateless_v<F>;
template <class X, class Y, class F> inline constexpr bool has_factor<node<ops::mul, X, Y>, F> = has_factor<X, F> || has_factor<Y, F>;
template <class X, class Y, class F> inline constexpr bool has_factor<node<ops::div, X, Y>, F> = has_factor<X, F>;
template <class X, class F> inline constexpr bool has_factor<node<ops::neg, X>, F> = has_factor<X, F>;

template <class F, class E>
constexpr auto drop_factor(const E& e) {
    if constexpr (std::is_same_v<E, F>) return c<1>;
    else if constexpr (is_op_v<E, ops::neg>) return make(ops::neg{}, drop_factor<F>(arg<0>(e)));
    else if constexpr (is_op_v<E, ops::div>) return make(ops::div{}, drop_factor<F>(arg<0>(e)), arg<1>(e));
    else if constexpr (has_factor<std::remove_cvref_t<decltype(arg<0>(e))>, F>) return make(ops::mul{}, drop_factor<F>(arg<0>(e)), arg<1>(e));
    else return make(ops::mul{}, arg<0>(e), drop_factor<F>(arg<1>(e)));
}

// exp(v) / (1 + exp(v)), v stateless (the two exps one value).
template <class A, class B> inline constexpr bool is_logistic_quotient = false;
template <class V>
inline constexpr bool is_logistic_quotient<node<ops::exp, V>, node<ops::add, constant<1>, node<ops::exp, V>>> = is_stateless_v<V>;
template <class V>
inline constexpr bool is_logistic_quotient<node<ops::exp, V>, node<ops::add, node<ops::exp, V>, constant<1>>> = is_stateless_v<V>;

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
    else if constexpr (has_factor<A, B>) return drop_factor<B>(a);                              // (u b) / b = u
    else if constexpr (is_logistic_quotient<A, B>) return make(ops::sigmoid{}, arg<0>(a));      // exp(v) / (1 + exp(v)) = sigmoid(v): no inf / inf
    else if constexpr (rules::plus_op<B, constant<1>, ops::exp>)                                // a / (1 + exp(v)) = a sigmoid(-v):
        return make(ops::mul{}, a, make(ops::sigmoid{}, make(ops::neg{}, arg<0>(term_of<constant<1>>(b)))));  // no overflow of exp(v)
    else if constexpr (rules::plus_op<B, scalar, ops::exp>)                                     // the same, for a plain 1
        return if_literal_is<1>(leaf_of<scalar>(b), make(ops::div{}, a, make(ops::add{}, c<1>, term_of<scalar>(b))), node<ops::div, A, B>{{a, b}});
    else if constexpr (is_op_v<A, ops::neg>) return make(ops::neg{}, make(ops::div{}, arg<0>(a), b));   // (-a)/b = -(a/b)
    else return node<ops::div, A, B>{{a, b}};
}

// u + r = v / (r - u) for u < 0, r - u = v / (r + u) and u - r = -v / (r + u) for u > 0,
// with r = sqrt(u^2 + v): r^2 - u^2 = v. The other side keeps the form as written.
template <conjugate Form, class U, class R>
constexpr auto conjugate_form(const U& u, const R& root) {
    const auto& w = arg<0>(root);
    const auto& v = arg<std::is_same_v<std::remove_cvref_t<decltype(arg<0>(w))>, node<ops::pow<2>, U>> ? 1 : 0>(w);
    if constexpr (Form == conjugate::u_plus_root)
        return make(ops::where{}, make(ops::less{}, u, c<0>), make(ops::div{}, v, node<ops::sub, R, U>{{root, u}}), node<ops::add, U, R>{{u, root}});
    else if constexpr (Form == conjugate::root_minus_u)
        return make(ops::where{}, make(ops::greater{}, u, c<0>), make(ops::div{}, v, node<ops::add, R, U>{{root, u}}), node<ops::sub, R, U>{{root, u}});
    else
        return make(ops::where{}, make(ops::greater{}, u, c<0>), make(ops::neg{}, make(ops::div{}, v, node<ops::add, R, U>{{root, u}})),
                    node<ops::sub, U, R>{{u, root}});
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

constexpr auto make(ops::log, const expression auto& a) {
    using A = std::remove_cvref_t<decltype(a)>;
    if constexpr (rules::is_one<A>) return c<0>;
    else if constexpr (rules::plus_term<A, constant<1>> != 0)                                   // log(1 + u) = log1p(u), so
        return make(ops::log1p{}, term_of<constant<1>>(a));                                     // log(1 + exp(u)) = softplus(u)
    else if constexpr (rules::plus_term<A, scalar> != 0)                                        // the same, for a plain 1
        return if_literal_is<1>(leaf_of<scalar>(a), make(ops::log1p{}, term_of<scalar>(a)), node<ops::log, A>{{a}});
    else if constexpr (is_op_v<A, ops::sigmoid>)                                              // log(sigmoid(u)) = -softplus(-u)
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

template <bool First, class A, class B>
constexpr const auto& pick(const A& a, const B& b) {
    if constexpr (First) return a;
    else return b;
}

// make(op, a...), with a literal_is among a... moved above op: op(literal_is(s, p, q), b)
// = literal_is(s, op(p, b), op(q, b)), so that rules see through it (x * tanh(log(1 + exp(x)))
// reaches mish's form where the 1 is a plain number).
template <bool... B>
constexpr std::size_t first_true() {
    constexpr bool b[] = {B..., true};
    std::size_t i = 0;
    while (!b[i]) ++i;
    return i;
}

template <class Op, class... A>
constexpr auto make_through_literals(Op op, const A&... a) {
    constexpr std::size_t p = first_true<is_literal_is_v<A>...>();
    if constexpr (p == sizeof...(A)) {
        return make(op, a...);
    } else {
        const auto all = std::forward_as_tuple(a...);
        const auto& test = std::get<p>(all);
        const auto with = [&](const auto& branch) {
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return make_through_literals(op, pick<I == p>(branch, std::get<I>(all))...);
            }(std::index_sequence_for<A...>{});
        };
        const auto stable = with(arg<1>(test));
        const auto written = with(arg<2>(test));
        using Test = std::remove_cvref_t<decltype(test)>;
        return node<typename Test::op, std::remove_cvref_t<decltype(arg<0>(test))>, std::remove_cvref_t<decltype(stable)>,
                    std::remove_cvref_t<decltype(written)>>{{arg<0>(test), stable, written}};
    }
}

// simplify(e): e rebuilt bottom-up through the rules above. A literal test's branches
// were built through them already; rebuilding the written one would test its literal again.
template <expression E>
constexpr auto simplify(const E& e) {
    if constexpr (is_literal_is_v<E>) return e;
    else if constexpr (requires { typename E::op; })
        return apply_args([](const auto&... a) { return make_through_literals(typename E::op{}, simplify(a)...); }, e);
    else return e;
}

}  // namespace actdsl
