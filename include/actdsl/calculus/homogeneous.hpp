// Positively homogeneous terms: t(s a) = s^k t(a) for s > 0, in an atom a (x, or any
// subexpression such as beta * x). Euler's identity a dt/da = k t then gives the
// derivative of a sum of such terms term by term, so a quotient a / w(a) is
// differentiated over its common denominator with the terms that cancel (those of
// degree 1 in a / (1 + |a|), degree 2 in a / sqrt(1 + c a^2)) left out, not
// subtracted. The same degrees tell how to divide a sum by a power of |a| without
// forming a^2, which overflows (evaluation/lower.hpp).
#pragma once

#include <climits>

#include "simplify.hpp"

namespace actdsl {
namespace homogeneous {

// Any array input: the leaves whose values vary from element to element once bound
// (mentions<E, any_input>).
struct any_input {};
}  // namespace homogeneous
template <std::size_t I> inline constexpr bool mentions<input<I>, homogeneous::any_input> = true;
namespace homogeneous {

inline constexpr int none = INT_MIN;  // not homogeneous in the atom

constexpr int add_degrees(int a, int b) { return a == none || b == none ? none : a + b; }

// Twice the degree of E in the atom A, where Free (a leaf, or any_input) is what the
// rest of E must not hold: E = A has degree 1, E without Free degree 0; |t|, -t, t^n,
// sqrt(t), products and quotients follow; anything else is `none`. Twice, so that
// sqrt(a) (degree 1/2) is an integer. A must hold Free itself.
template <class E, class A, class Free> inline constexpr int node_degree2 = none;
template <class E, class A, class Free>
inline constexpr int degree2 = std::is_same_v<E, A> ? 2 : !mentions<E, Free> ? 0 : node_degree2<E, A, Free>;

template <class T, class A, class Free> inline constexpr int node_degree2<node<ops::abs, T>, A, Free> = degree2<T, A, Free>;
template <class T, class A, class Free> inline constexpr int node_degree2<node<ops::neg, T>, A, Free> = degree2<T, A, Free>;
template <int N, class T, class A, class Free>
inline constexpr int node_degree2<node<ops::pow<N>, T>, A, Free> = degree2<T, A, Free> == none ? none : N * degree2<T, A, Free>;
template <class T, class A, class Free>
inline constexpr int node_degree2<node<ops::sqrt, T>, A, Free> = degree2<T, A, Free> == none || degree2<T, A, Free> % 2 != 0 ? none : degree2<T, A, Free> / 2;
template <class T, class U, class A, class Free>
inline constexpr int node_degree2<node<ops::mul, T, U>, A, Free> = add_degrees(degree2<T, A, Free>, degree2<U, A, Free>);
template <class T, class U, class A, class Free>
inline constexpr int node_degree2<node<ops::div, T, U>, A, Free> =
    degree2<U, A, Free> == none ? none : add_degrees(degree2<T, A, Free>, -degree2<U, A, Free>);

// Whether W is a sum of homogeneous terms (+, - and unary minus between them), and the
// largest twice-degree among them.
template <class W, class A, class Free> inline constexpr int sum_degree2 = degree2<W, A, Free>;
template <class T, class U, class A, class Free>
inline constexpr int sum_degree2<node<ops::add, T, U>, A, Free> =
    sum_degree2<T, A, Free> == none || sum_degree2<U, A, Free> == none ? none : std::max(sum_degree2<T, A, Free>, sum_degree2<U, A, Free>);
template <class T, class U, class A, class Free>
inline constexpr int sum_degree2<node<ops::sub, T, U>, A, Free> = sum_degree2<node<ops::add, T, U>, A, Free>;
template <class T, class A, class Free> inline constexpr int sum_degree2<node<ops::neg, T>, A, Free> = sum_degree2<T, A, Free>;

// A denominator b of a / b as w^p, p = -P / Q: b = sqrt(w) (P/Q = 1/2), w^n (n), or w itself (1),
// with w a sum of terms homogeneous in a. P is 0 where b has no such form.
template <class B, class A, class Free>
struct denominator {
    static constexpr bool plain = mentions<A, Free> && sum_degree2<B, A, Free> != none;
    static constexpr int P = plain ? 1 : 0, Q = 1;
    using base_type = B;
    static constexpr const B& base(const B& b) { return b; }
};
template <class W, class A, class Free>
    requires(mentions<A, Free> && sum_degree2<W, A, Free> != none && !std::is_same_v<W, A>)
struct denominator<node<ops::sqrt, W>, A, Free> {
    static constexpr int P = 1, Q = 2;
    using base_type = W;
    static constexpr const W& base(const node<ops::sqrt, W>& b) { return arg<0>(b); }
};
template <int N, class W, class A, class Free>
    requires(N > 0 && mentions<A, Free> && sum_degree2<W, A, Free> != none && !std::is_same_v<W, A>)
struct denominator<node<ops::pow<N>, W>, A, Free> {
    static constexpr int P = N, Q = 1;
    using base_type = W;
    static constexpr const W& base(const node<ops::pow<N>, W>& b) { return arg<0>(b); }
};

template <class B, class A, class Free> inline constexpr bool has_quotient_form = denominator<B, A, Free>::P != 0;

// k a / b with k free of Free and b = w(a)^p as above: the quotient_slope of a applies.
template <class N, class B, class Free> inline constexpr bool has_scaled_quotient_form = false;
template <class K, class U, class B, class Free>
inline constexpr bool has_scaled_quotient_form<node<ops::mul, K, U>, B, Free> = !mentions<K, Free> && has_quotient_form<B, U, Free>;

// sum (1 - (P/Q) k_t) t over the terms t of w, k_t their degrees: w - (P/Q) a w'(a)
// by Euler's identity, built without the terms whose factor is 0.
template <int P, int Q, class A, class Free, class W>
constexpr auto euler_sum(const W& w) {
    if constexpr (is_op_v<W, ops::add> || is_op_v<W, ops::sub>)
        return make(typename W::op{}, euler_sum<P, Q, A, Free>(arg<0>(w)), euler_sum<P, Q, A, Free>(arg<1>(w)));
    else if constexpr (is_op_v<W, ops::neg>)
        return make(ops::neg{}, euler_sum<P, Q, A, Free>(arg<0>(w)));
    else
        return make(ops::mul{}, rules::to_constant<rules::reduce(2 * Q - P * degree2<W, A, Free>, 2 * Q)>(), w);
}

// d(a / b)/da, S = euler_sum: a / w^(P/Q) has the derivative w^(-P/Q - 1) (w - (P/Q) a w'),
// computed as (S / w) / b, or S r r with r = 1 / w where b = w (one division): never
// w^(P/Q + 1), which overflows where the derivative is a normal number.
template <class A, class Free, class B>
constexpr auto quotient_slope(const B& b) {
    using D = denominator<B, A, Free>;
    const auto& w = D::base(b);
    const auto s = euler_sum<D::P, D::Q, A, Free>(w);
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(w)>, B>) {
        const auto r = make(ops::div{}, c<1>, w);
        using R = std::remove_cvref_t<decltype(r)>;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(s)>, constant<1>>) return node<ops::pow<2>, R>{{r}};
        else return make(ops::mul{}, make(ops::mul{}, s, r), r);  // not s r^2: r^2 may be subnormal
    } else {
        return make(ops::div{}, make(ops::div{}, s, w), b);
    }
}

// ---- a / b at large |a| ----------------------------------------------------------

// E with every A replaced by S.
template <class A, class E, class S>
constexpr auto substitute(const E& e, const S& s) {
    if constexpr (std::is_same_v<E, A>) return s;
    else if constexpr (requires { typename E::op; })
        return apply_args([&](const auto&... x) { return make(typename E::op{}, substitute<A>(x, s)...); }, e);
    else return e;
}

// e |a|^(E2/2) for E2 <= 0, by divisions: no power of |a| is formed.
template <int E2, class E, class M>
constexpr auto times_power(const E& e, const M& magnitude) {
    if constexpr (E2 == 0) return e;
    else if constexpr (E2 == -1) return make(ops::div{}, e, make(ops::sqrt{}, magnitude));
    else return times_power<E2 + 2>(make(ops::div{}, e, magnitude), magnitude);
}

// w / |a|^(Target2/2), term by term: a term t of degree k is t(sign(a)) |a|^k, so it
// becomes t(sign(a)) |a|^(k - Target2/2), which neither overflows nor is 0 / 0 at a = inf.
template <int Target2, class A, class Free, class W, class M, class S>
constexpr auto over_power(const W& w, const M& magnitude, const S& sign) {
    if constexpr (is_op_v<W, ops::add> || is_op_v<W, ops::sub>)
        return make(typename W::op{}, over_power<Target2, A, Free>(arg<0>(w), magnitude, sign), over_power<Target2, A, Free>(arg<1>(w), magnitude, sign));
    else if constexpr (is_op_v<W, ops::neg>)
        return make(ops::neg{}, over_power<Target2, A, Free>(arg<0>(w), magnitude, sign));
    else
        return times_power<degree2<W, A, Free> - Target2>(substitute<A>(w, sign), magnitude);
}

// a / b with b = w or sqrt(w) of degree 1 in a: the quotient tends to sign(a) / (b / |a|)
// as |a| grows, and b / |a| is over_power(w) or its square root.
template <class A, class B, class Free, class D = denominator<B, A, Free>>
inline constexpr bool has_bounded_quotient_form = D::P == 1 && sum_degree2<typename D::base_type, A, Free> == 2 * D::Q;

template <class Free, class A, class B>
constexpr auto quotient_at_large(const A& a, const B& b) {
    using D = denominator<B, A, Free>;
    const auto magnitude = make(ops::abs{}, a);
    const auto sign = make(ops::sign{}, a);
    const auto scaled = over_power<2 * D::Q, A, Free>(D::base(b), magnitude, sign);
    if constexpr (D::Q == 2) return make(ops::div{}, sign, make(ops::sqrt{}, scaled));
    else return make(ops::div{}, sign, scaled);
}

}  // namespace homogeneous
}  // namespace actdsl
