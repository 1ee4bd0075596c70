// derivative(f, v): the symbolic derivative of f with respect to a variable or a
// parameter, computed at compile time through the simplifying constructors, so
// it is itself an expression and can be differentiated again.
#pragma once

#include "homogeneous.hpp"
#include "simplify.hpp"

namespace actdsl {

template <class V>
concept differentiation_variable = is_variable_v<std::remove_cvref_t<V>> || is_parameter_v<std::remove_cvref_t<V>>;

namespace detail {

template <class E, class V>
constexpr auto d(const E& e, V v);

// f'(u) for the one-argument functions f.
template <int N>
constexpr auto outer_derivative(ops::pow<N>, const auto&, const auto& u) {                 // (u^N)' = N u^(N-1)
    return make(ops::mul{}, c<N>, make(ops::pow<N - 1>{}, u));
}
constexpr auto outer_derivative(ops::exp, const auto& n, const auto&) { return n; }           // exp' = exp
constexpr auto outer_derivative(ops::expm1, const auto&, const auto& u) { return make(ops::exp{}, u); }
constexpr auto outer_derivative(ops::log, const auto&, const auto& u) { return make(ops::div{}, c<1>, u); }
constexpr auto outer_derivative(ops::log1p, const auto&, const auto& u) {                   // 1 / (1 + u)
    return make(ops::div{}, c<1>, make(ops::add{}, c<1>, u));
}
constexpr auto outer_derivative(ops::sin, const auto&, const auto& u) { return make(ops::cos{}, u); }
constexpr auto outer_derivative(ops::cos, const auto&, const auto& u) { return make(ops::neg{}, make(ops::sin{}, u)); }
// sigmoid' = s(u) s(-u), not s(1 - s): 1 - s rounds to 0 once s rounds to 1 (u > 17 in float).
constexpr auto outer_derivative(ops::sigmoid, const auto& n, const auto& u) {
    return make(ops::mul{}, n, make(ops::sigmoid{}, make(ops::neg{}, u)));
}
// tanh' = 1 - tanh^2 = 4 s(2u) s(-2u): the product keeps every digit in the tails.
constexpr auto outer_derivative(ops::tanh, const auto&, const auto& u) {
    const auto two_u = make(ops::mul{}, c<2>, u);
    return make(ops::mul{}, c<4>, make(ops::mul{}, make(ops::sigmoid{}, two_u), make(ops::sigmoid{}, make(ops::neg{}, two_u))));
}
constexpr auto outer_derivative(ops::erf, const auto&, const auto& u) {                     // 2/sqrt(pi) exp(-u^2)
    return make(ops::mul{}, two_over_sqrt_pi, make(ops::exp{}, make(ops::neg{}, make(ops::pow<2>{}, u))));
}
constexpr auto outer_derivative(ops::erfc, const auto& n, const auto& u) {
    return make(ops::neg{}, outer_derivative(ops::erf{}, n, u));
}
constexpr auto outer_derivative(ops::softplus, const auto&, const auto& u) { return make(ops::sigmoid{}, u); }
// tanh(softplus(u)) = n / (n + 2) with e = exp(u), n = e (e + 2), so its derivative is
// 4 e (e + 1) / (n + 2)^2: no cancellation, and the exp is the forward's. Past u = 20 the
// gate is 1 and its slope below 4e-17 (and e^2 would overflow in float): 0 there.
constexpr auto outer_derivative(ops::tanh_softplus, const auto&, const auto& u) {
    const auto e = make(ops::exp{}, u);
    const auto n = make(ops::mul{}, e, make(ops::add{}, e, c<2>));
    const auto slope = make(ops::div{}, make(ops::mul{}, c<4>, make(ops::mul{}, e, make(ops::add{}, e, c<1>))),
                            make(ops::pow<2>{}, make(ops::add{}, n, c<2>)));
    return make(ops::where{}, make(ops::greater{}, u, c<20>), c<0>, slope);
}
constexpr auto outer_derivative(ops::tanhshrink, const auto&, const auto& u) {   // 1 - (1 - tanh^2) = tanh^2
    return make(ops::pow<2>{}, make(ops::tanh{}, u));
}
constexpr auto outer_derivative(ops::abs, const auto&, const auto& u) { return make(ops::sign{}, u); }  // 0 at 0, as PyTorch
constexpr auto outer_derivative(ops::sign, const auto&, const auto&) { return c<0>; }

// mish(u) = u tanh(softplus(u)) has the derivative g + u g' (g the gate), which cancels
// on the left of its minimum (x near -1.9 loses 3 bits). Over the common denominator,
// with e = exp(u) and n = e (e + 2), it is e P / (n + 2)^2, P = ((e + 4) e + 4u + 6) e + 4 (u + 1):
// P is dominated by the exact 4 (u + 1) where g + u g' cancels. 1 past u = 20, as the gate.
template <class U>
constexpr auto mish_slope(const U& u) {
    const auto e = make(ops::exp{}, u);
    const auto n = make(ops::mul{}, e, make(ops::add{}, e, c<2>));
    const auto inner = make(ops::add{}, make(ops::mul{}, make(ops::add{}, e, c<4>), e), make(ops::add{}, make(ops::mul{}, c<4>, u), c<6>));
    const auto p = make(ops::add{}, make(ops::mul{}, inner, e), make(ops::mul{}, c<4>, make(ops::add{}, u, c<1>)));
    const auto slope = make(ops::mul{}, e, make(ops::div{}, p, make(ops::pow<2>{}, make(ops::add{}, n, c<2>))));
    return make(ops::where{}, make(ops::greater{}, u, c<20>), c<1>, slope);
}

// u * tanh_softplus(u), in either order: 0 none, 1 or 2 the position of u.
template <class N> inline constexpr int mish_factor = 0;
template <class U> inline constexpr int mish_factor<node<ops::mul, U, node<ops::tanh_softplus, U>>> = 1;
template <class U> inline constexpr int mish_factor<node<ops::mul, node<ops::tanh_softplus, U>, U>> = 2;

template <class N, class V>
constexpr auto d_node(const N& n, V v) {
    using Op = typename N::op;
    if constexpr (is_literal_is_v<N>) {                                                     // each branch its own derivative
        const auto& [s, stable, written] = n.args;
        return node<Op, std::remove_cvref_t<decltype(s)>, decltype(d(stable, v)), decltype(d(written, v))>{{s, d(stable, v), d(written, v)}};
    } else if constexpr (mish_factor<N> != 0) {
        const auto& u = arg<mish_factor<N> - 1>(n);
        return make(ops::mul{}, mish_slope(u), d(u, v));
    } else if constexpr (std::is_same_v<Op, ops::add> || std::is_same_v<Op, ops::sub>) {            // (a ± b)' = a' ± b'
        return make(Op{}, d(arg<0>(n), v), d(arg<1>(n), v));
    } else if constexpr (std::is_same_v<Op, ops::neg>) {
        return make(ops::neg{}, d(arg<0>(n), v));
    } else if constexpr (std::is_same_v<Op, ops::mul>) {                                      // (ab)' = a'b + ab'
        const auto& [a, b] = n.args;
        return make(ops::add{}, make(ops::mul{}, d(a, v), b), make(ops::mul{}, a, d(b, v)));
    } else if constexpr (std::is_same_v<Op, ops::div>) {
        const auto& [a, b] = n.args;
        using A = std::remove_cvref_t<decltype(a)>;
        using B = std::remove_cvref_t<decltype(b)>;
        if constexpr (!mentions<B, V>) {                                           // (a/b)' = a'/b: b's factor of a' cancels
            return make(ops::div{}, d(a, v), b);
        } else if constexpr (homogeneous::has_quotient_form<B, A, V>) {                        // b = w(a)^p, w a sum of terms
            return make(ops::mul{}, homogeneous::quotient_slope<A, V>(b), d(a, v));             // homogeneous in a: no cancellation
        } else if constexpr (homogeneous::has_scaled_quotient_form<A, B, V>) {                  // (k a) / w(a)
            return make(ops::mul{}, arg<0>(a), make(ops::mul{}, homogeneous::quotient_slope<std::remove_cvref_t<decltype(arg<1>(a))>, V>(b), d(arg<1>(a), v)));
        } else {
            // (a/b)' = a' r - (a r)(b' r) with r = 1/b: one division, and no b^2, which
            // overflows for |b| > 1.8e19 in float where the derivative itself is tiny.
            const auto r = make(ops::div{}, c<1>, b);
            return make(ops::sub{}, make(ops::mul{}, d(a, v), r), make(ops::mul{}, make(ops::mul{}, a, r), make(ops::mul{}, d(b, v), r)));
        }
    } else if constexpr (std::is_same_v<Op, ops::where>) {                                    // branches keep their kinks
        const auto& [cond, a, b] = n.args;
        return make(ops::where{}, cond, d(a, v), d(b, v));
    } else if constexpr (std::is_same_v<Op, ops::min> || std::is_same_v<Op, ops::max>) {
        // PyTorch's kink convention: at a tie the derivative follows the second operand,
        // so d/dx max(x, 0) is 0 at x = 0 (as relu), and min(x, 6) has 0 at x = 6.
        const auto& [a, b] = n.args;
        using Cmp = std::conditional_t<std::is_same_v<Op, ops::max>, ops::greater, ops::less>;
        return make(ops::where{}, make(Cmp{}, a, b), d(a, v), d(b, v));
    } else if constexpr (std::is_same_v<Op, ops::sqrt>) {
        // sqrt(u)' = u' / (2 sqrt(u)), with u' divided by the root rather than multiplied by
        // its reciprocal: d sqrt(x^2 + b) = x / sqrt(x^2 + b), a quotient the lowering
        // keeps bounded at large |x|, not 1 / (2 sqrt(...)) * 2x, which is 0 * inf there.
        const auto du = d(arg<0>(n), v);
        using DU = std::remove_cvref_t<decltype(du)>;
        if constexpr (rules::has_rational_coefficient<DU>)
            return make(ops::mul{}, make(ops::mul{}, c<1, 2>, arg<0>(du)), make(ops::div{}, arg<1>(du), n));
        else return make(ops::mul{}, c<1, 2>, make(ops::div{}, du, n));
    } else if constexpr (Op::is_condition) {
        static_assert(!Op::is_condition, "actdsl::derivative: a condition (x > 0) has no derivative; differentiate the where() that uses it");
    } else {
        // One-argument functions: f(u)' = f'(u) u'.
        const auto& u = arg<0>(n);
        return make(ops::mul{}, outer_derivative(Op{}, n, u), d(u, v));
    }
}

template <class E, class V>
constexpr auto d(const E& e, V) {
    if constexpr (std::is_same_v<E, V>) return c<1>;
    else if constexpr (requires { typename E::op; }) return d_node(e, V{});
    else return c<0>;  // constants, literals, other variables and parameters
}

}  // namespace detail

// derivative(f, x), derivative(f, beta), derivative(derivative(f, x), x), ...
template <class F, class V>
constexpr auto derivative(const F& f, const V&) {
    static_assert(expression<F>, "actdsl::derivative(f, v): f must be an actdsl expression such as x * sigmoid(x)");
    static_assert(differentiation_variable<V>,
                  "actdsl::derivative(f, v): v must be a variable such as actdsl::x or a parameter such as "
                  "actdsl::parameter<\"beta\">{}");
    if constexpr (expression<F> && differentiation_variable<V>) return detail::d(simplify(f), V{});
}

}  // namespace actdsl
