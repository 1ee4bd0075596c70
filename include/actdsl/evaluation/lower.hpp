// Lowering: just before a kernel is planned, nodes that have a cheaper or stabler
// form in primitives are rewritten into it, so that common subexpression
// elimination can share their parts. The symbolic layer keeps the readable node.
//
// A kernel gets two lowerings of its expressions. The stable one is exact for
// every input. The fast one is exact too, but only while a guard holds; each
// batch runs the fast one and falls back to the stable one when the guard fails.
#pragma once

#include <limits>

#include "../calculus/homogeneous.hpp"
#include "../calculus/simplify.hpp"

namespace actdsl::evaluation {

// ---- stable ------------------------------------------------------------------

// 1 / (1 + e), built as written: make() would turn it back into a sigmoid.
template <class E>
constexpr auto reciprocal_of_one_plus(const E& e) {
    const auto d = make(ops::add{}, c<1>, e);
    return node<ops::div, constant<1>, std::remove_cvref_t<decltype(d)>>{{c<1>, d}};
}

// sigmoid(u) = u >= 0 ? r : e r with e = exp(-|u|), r = 1 / (1 + e).
// sigmoid(u) and sigmoid(-u) (every sigmoid derivative) then share e and r: one exp, one division.
template <class U>
constexpr auto lower_sigmoid(const U& u) {
    const auto e = make(ops::exp{}, make(ops::neg{}, make(ops::abs{}, u)));
    const auto r = reciprocal_of_one_plus(e);
    return make(ops::where{}, make(ops::greater_equal{}, u, c<0>), r, make(ops::mul{}, e, r));
}

// softplus(u) = max(u, 0) + log1p(exp(-|u|)): never overflows, and its exp is the one
// its derivative sigmoid(u) lowers to. The log1p's argument lies in [0, 1] (or is NaN),
// which log1p_unit needs.
template <class U>
constexpr auto lower_softplus(const U& u) {
    const auto e = make(ops::exp{}, make(ops::neg{}, make(ops::abs{}, u)));
    return make(ops::add{}, make(ops::max{}, u, c<0>), node<ops::log1p_unit, std::remove_cvref_t<decltype(e)>>{{e}});
}

// tanh(softplus(u)) = ((1+e)^2 - 1) / ((1+e)^2 + 1) = n / (n + 2), e = exp(u), n = e (e + 2):
// one exp instead of exp, log1p and tanh. Past u = 20 it is 1 to double precision (and n overflows later).
template <class U>
constexpr auto lower_tanh_softplus(const U& u) {
    const auto e = make(ops::exp{}, u);
    const auto n = make(ops::mul{}, e, make(ops::add{}, e, c<2>));
    return make(ops::where{}, make(ops::greater{}, u, c<20>), c<1>, make(ops::div{}, n, make(ops::add{}, n, c<2>)));
}

// Gates: factors that decay to exactly 0 in a tail, where their cofactor may be infinite
// (x * sigmoid(x) at x = -inf). The gate decays exponentially, faster than any cofactor
// grows, so the product's limit is 0, not the NaN of inf * 0.
template <class E> inline constexpr bool is_gate = false;
template <class U> inline constexpr bool is_gate<node<ops::sigmoid, U>> = true;
template <class U> inline constexpr bool is_gate<node<ops::tanh_softplus, U>> = true;
template <class U> inline constexpr bool is_gate<node<ops::exp, U>> = true;
template <class U> inline constexpr bool is_gate<node<ops::erfc, U>> = true;
template <class U> inline constexpr bool is_gate<node<ops::softplus, U>> = true;
// A function f of a gate g, with f(0) = 0 and |f(g)| below a power of g near 0, is a gate:
// it decays as fast (x tanh(exp(x)), x erf(softplus(x)), x tanh(log1p(sigmoid(x)))).
template <class G> inline constexpr bool is_gate<node<ops::tanh, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::log1p, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::log1p_unit, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::expm1, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::erf, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::sin, G>> = is_gate<G>;
template <class G> inline constexpr bool is_gate<node<ops::sqrt, G>> = is_gate<G>;
template <int N, class G> inline constexpr bool is_gate<node<ops::pow<N>, G>> = N > 0 && is_gate<G>;
template <class A, class B> inline constexpr bool is_gate<node<ops::mul, A, B>> = is_gate<A> || is_gate<B>;
template <class A, class B> inline constexpr bool is_gate<node<ops::div, A, B>> = is_gate<A>;
template <class A> inline constexpr bool is_gate<node<ops::neg, A>> = is_gate<A>;
template <class C, class A, class B>
inline constexpr bool is_gate<node<ops::where, C, A, B>> = (is_gate<A> || std::is_same_v<A, constant<0>>) && (is_gate<B> || std::is_same_v<B, constant<0>>) && !(std::is_same_v<A, constant<0>> && std::is_same_v<B, constant<0>>);

// Whether C is finite wherever the gate G is 0: C is built from G and constants by
// +, - and *. Such a cofactor needs no guard (mish's e (e + 2)), so the product stays
// the same node as in the forward form and the two share it.
template <class C, class G>
inline constexpr bool finite_where_gate_is_zero = std::is_same_v<C, G> || is_compile_time_constant_v<C>;
template <class A, class B, class G>
inline constexpr bool finite_where_gate_is_zero<node<ops::add, A, B>, G> = finite_where_gate_is_zero<A, G> && finite_where_gate_is_zero<B, G>;
template <class A, class B, class G>
inline constexpr bool finite_where_gate_is_zero<node<ops::sub, A, B>, G> = finite_where_gate_is_zero<A, G> && finite_where_gate_is_zero<B, G>;
template <class A, class B, class G>
inline constexpr bool finite_where_gate_is_zero<node<ops::mul, A, B>, G> = finite_where_gate_is_zero<A, G> && finite_where_gate_is_zero<B, G>;
template <class A, class G>
inline constexpr bool finite_where_gate_is_zero<node<ops::neg, A>, G> = finite_where_gate_is_zero<A, G>;

template <class E>
constexpr auto lower(const E& e);

// a * b lowered to la * lb, with b a gate: where(lb == 0, lb, la * lb), unless la is
// finite wherever lb is 0 (and the same for a).
template <class A, class B, class LowerA, class LowerB>
constexpr auto gated_product(const LowerA& la, const LowerB& lb) {
    using LA = LowerA;
    using LB = LowerB;
    const auto product = make(ops::mul{}, la, lb);
    if constexpr (is_gate<A> && is_gate<B> && !finite_where_gate_is_zero<LA, LB> && !finite_where_gate_is_zero<LB, LA>)
        // Two gates: either may be 0 where the other overflows (tanh(exp(x))' = 4 s(2e) s(-2e) e, e = exp(x)).
        return make(ops::where{}, make(ops::equal{}, la, c<0>), la, make(ops::where{}, make(ops::equal{}, lb, c<0>), lb, product));
    else if constexpr (is_gate<B> && !finite_where_gate_is_zero<LA, LB>) return make(ops::where{}, make(ops::equal{}, lb, c<0>), lb, product);
    else if constexpr (is_gate<A> && !finite_where_gate_is_zero<LB, LA>) return make(ops::where{}, make(ops::equal{}, la, c<0>), la, product);
    else return product;
}

template <class A, class B>
constexpr auto lower_product(const A& a, const B& b) { return gated_product<A, B>(lower(a), lower(b)); }

// a / b or k a / b with b = w(a) or sqrt(w(a)) of degree 1 in a (a / (1 + |a|),
// a / sqrt(1 + c a^2)), k free of inputs: past |a| = 1, sign(a) / (b / |a|), where
// b / |a| is built without a^2 (which overflows in float past |a| = 1.8e19) and is
// finite at a = inf (homogeneous::quotient_at_large).
template <class N, class B> inline constexpr int bounded_quotient = homogeneous::has_bounded_quotient_form<N, B, homogeneous::any_input> ? 1 : 0;
template <class K, class A, class B>
inline constexpr int bounded_quotient<node<ops::mul, K, A>, B> =
    homogeneous::has_bounded_quotient_form<node<ops::mul, K, A>, B, homogeneous::any_input>                                 ? 1
    : !mentions<K, homogeneous::any_input> && homogeneous::has_bounded_quotient_form<A, B, homogeneous::any_input> ? 2
                                                                                                                               : 0;
template <class E> inline constexpr bool is_bounded_quotient_node = false;
template <class N, class B> inline constexpr bool is_bounded_quotient_node<node<ops::div, N, B>> = bounded_quotient<N, B> != 0;

// The large-|a| form, lowered without looking at its own quotient again: sign(a) / (c sign(a))
// is of the same form in the atom sign(a).
template <class A, class B>
constexpr auto lower_at_large(const A& a, const B& b) {
    const auto large = homogeneous::quotient_at_large<homogeneous::any_input>(a, b);
    using L = std::remove_cvref_t<decltype(large)>;
    if constexpr (is_op_v<L, ops::div>) return make(ops::div{}, lower(arg<0>(large)), lower(arg<1>(large)));
    else return lower(large);
}

template <class N, class B>
constexpr auto lower_quotient(const N& n, const B& b) {
    const auto plain = make(ops::div{}, lower(n), lower(b));
    if constexpr (bounded_quotient<N, B> == 1)
        return make(ops::where{}, make(ops::greater{}, make(ops::abs{}, lower(n)), c<1>), lower_at_large(n, b), plain);
    else if constexpr (bounded_quotient<N, B> == 2)
        return make(ops::where{}, make(ops::greater{}, make(ops::abs{}, lower(arg<1>(n))), c<1>),
                    make(ops::mul{}, lower(arg<0>(n)), lower_at_large(arg<1>(n), b)), plain);
    else return plain;
}

// The first input leaf of E, or void.
template <class... E> struct first_input_of { using type = void; };
template <std::size_t I, class... E> struct first_input_of<input<I>, E...> { using type = input<I>; };
template <class Op, class... A, class... E>
struct first_input_of<node<Op, A...>, E...> : first_input_of<A..., E...> {};
template <class E0, class... E> struct first_input_of<E0, E...> : first_input_of<E...> {};

// sqrt(w) with w of degree 2 in its input a (sqrt(x^2 + b), sqrt(1 + c x^2)): past |a| = 1,
// |a| sqrt(w / a^2), with w / a^2 built term by term (homogeneous::over_power): no a^2
// to overflow in float past |a| = 1.8e19.
template <class W, class A = typename first_input_of<W>::type>
inline constexpr bool is_quadratic_root = !std::is_void_v<A> && homogeneous::sum_degree2<W, A, homogeneous::any_input> == 4;
template <class E> inline constexpr bool is_quadratic_root_node = false;
template <class W> inline constexpr bool is_quadratic_root_node<node<ops::sqrt, W>> = is_quadratic_root<W>;

template <class W>
constexpr auto lower_root(const W& w) {
    const auto plain = make(ops::sqrt{}, lower(w));
    if constexpr (is_quadratic_root<W>) {
        using A = typename first_input_of<W>::type;
        const auto magnitude = make(ops::abs{}, A{});
        const auto scaled = homogeneous::over_power<4, A, homogeneous::any_input>(w, magnitude, make(ops::sign{}, A{}));
        return make(ops::where{}, make(ops::greater{}, magnitude, c<1>), make(ops::mul{}, magnitude, make(ops::sqrt{}, lower(scaled))), plain);
    } else {
        return plain;
    }
}

template <class E>
constexpr auto lower(const E& e) {
    if constexpr (requires { typename E::op; }) {
        return apply_args(
            [](const auto&... a) {
                using Op = typename E::op;
                if constexpr (std::is_same_v<Op, ops::sigmoid>) return lower_sigmoid(lower(a)...);
                else if constexpr (std::is_same_v<Op, ops::softplus>) return lower_softplus(lower(a)...);
                else if constexpr (std::is_same_v<Op, ops::tanh_softplus>) return lower_tanh_softplus(lower(a)...);
                else if constexpr (std::is_same_v<Op, ops::mul>) return lower_product(a...);
                else if constexpr (std::is_same_v<Op, ops::div>) return lower_quotient(a...);
                else if constexpr (std::is_same_v<Op, ops::sqrt>) return lower_root(a...);
                else return make(Op{}, lower(a)...);
            },
            e);
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
    // The guard keeps u >= limit (and |u| <= -limit for sigmoid(-u)): an E below the
    // smallest normal number only ever meets 1 + E, so xsimd's flush to 0 is harmless.
    const auto big_e = make(ops::exp_flushing{}, make(ops::neg{}, lower_fast(exp_argument(u))));
    const auto r = reciprocal_of_one_plus(big_e);
    if constexpr (is_op_v<U, ops::neg>) return make(ops::mul{}, big_e, r);
    else return r;
}

// Gates that may still be 0 under the fast plan's guard where their cofactor is
// infinite. The guard keeps exp(u), sigmoid(u) and tanh(softplus(u)) normal numbers at
// every finite or infinite input it admits (u >= limit), and the products and
// functions of them that the catalog's derivatives build vanish only by underflow at
// finite inputs, where the cofactors are finite: the fast plan drops their gate
// guards. erfc(u) at u = inf, softplus(u) at u = -inf and a where() with a 0 branch
// are 0 at an input the guard admits (x erfc(x) + sigmoid(x) at x = inf), so a product
// with one of those keeps the exact form's gate guard.
template <class E> inline constexpr bool may_vanish_under_guard = false;
template <class U> inline constexpr bool may_vanish_under_guard<node<ops::erfc, U>> = true;
template <class U> inline constexpr bool may_vanish_under_guard<node<ops::softplus, U>> = true;
template <class C, class A, class B> inline constexpr bool may_vanish_under_guard<node<ops::where, C, A, B>> = true;
template <class Op, class G> inline constexpr bool may_vanish_under_guard<node<Op, G>> = may_vanish_under_guard<G>;  // tanh(g), -g, ...
template <class U> inline constexpr bool may_vanish_under_guard<node<ops::exp, U>> = false;
template <class U> inline constexpr bool may_vanish_under_guard<node<ops::sigmoid, U>> = false;
template <class U> inline constexpr bool may_vanish_under_guard<node<ops::tanh_softplus, U>> = false;
template <class A, class B>
inline constexpr bool may_vanish_under_guard<node<ops::mul, A, B>> = (is_gate<A> && may_vanish_under_guard<A>) || (is_gate<B> && may_vanish_under_guard<B>);
template <class A, class B> inline constexpr bool may_vanish_under_guard<node<ops::div, A, B>> = may_vanish_under_guard<A>;
template <class E> inline constexpr bool keeps_gate_guard_when_fast = false;
template <class A, class B>
inline constexpr bool keeps_gate_guard_when_fast<node<ops::mul, A, B>> = may_vanish_under_guard<node<ops::mul, A, B>>;

template <class E>
constexpr auto lower_fast(const E& e) {
    if constexpr (is_op_v<E, ops::sigmoid>) {
        return lower_sigmoid_fast(arg<0>(e));
    } else if constexpr (keeps_gate_guard_when_fast<E>) {
        using A = std::remove_cvref_t<decltype(arg<0>(e))>;
        using B = std::remove_cvref_t<decltype(arg<1>(e))>;
        return gated_product<A, B>(lower_fast(arg<0>(e)), lower_fast(arg<1>(e)));
    } else if constexpr (is_op_v<E, ops::softplus>) {
        return lower_softplus(lower_fast(arg<0>(e)));
    } else if constexpr (is_op_v<E, ops::tanh_softplus>) {
        return lower_tanh_softplus(lower_fast(arg<0>(e)));
    } else if constexpr (requires { typename E::op; }) {
        return apply_args([](const auto&... a) { return make(typename E::op{}, lower_fast(a)...); }, e);
    } else {
        return e;
    }
}

// The guard of the fast lowering, or no_guard when the expression has no sigmoid, exp or
// tanh_softplus: the minimum over its sigmoids of u for sigmoid(u) (E = exp(-u) must not
// overflow) and of -|u| for sigmoid(-u): past -limit, E/(1+E) is 0 where a cofactor may
// be infinite (silu' at +inf), so those lanes go to the exact plan too. silu's forward,
// with no sigmoid(-u), keeps the cheaper guard u. exp(u) and tanh_softplus(u) add u.
struct no_guard {};

template <class A, class B>
constexpr auto guard_min(const A& a, const B& b) {
    if constexpr (std::is_same_v<A, no_guard>) return b;
    else if constexpr (std::is_same_v<B, no_guard> || std::is_same_v<A, B>) return a;
    else if constexpr (std::is_same_v<B, node<ops::neg, node<ops::abs, A>>>) return b;  // min(v, -|v|) = -|v|
    else if constexpr (std::is_same_v<A, node<ops::neg, node<ops::abs, B>>>) return a;
    else return make(ops::min{}, a, b);
}

template <class G>
constexpr auto fold_guards(const G& g) { return g; }
template <class G, class H, class... R>
constexpr auto fold_guards(const G& g, const H& h, const R&... rest) { return fold_guards(guard_min(g, h), rest...); }

// A guard that holds while b is finite: -|b| 2^-124 >= limit for every finite float b
// (and double b up to 1.5e40). Built as nodes: make() would fold the two scales into
// a constant that does not fit.
template <class B>
constexpr auto finite_guard(const B& b) {
    using Scale = constant<1, std::int64_t{1} << 62>;
    const node<ops::neg, node<ops::abs, B>> minus_b{{{{b}}}};
    const node<ops::mul, std::remove_cvref_t<decltype(minus_b)>, Scale> once{{minus_b, Scale{}}};
    return node<ops::mul, std::remove_cvref_t<decltype(once)>, Scale>{{once, Scale{}}};
}

template <class E>
constexpr auto fast_guard(const E& e) {
    if constexpr (requires { typename E::op; }) {
        const auto below = apply_args([](const auto&... a) { return fold_guards(no_guard{}, fast_guard(a)...); }, e);
        if constexpr (is_op_v<E, ops::sigmoid>) {
            const auto v = lower_fast(exp_argument(arg<0>(e)));
            // sigmoid(v) = 1/(1+E) needs v >= limit; sigmoid(-v) = E/(1+E) needs |v| <= -limit.
            if constexpr (is_op_v<std::remove_cvref_t<decltype(arg<0>(e))>, ops::neg>)
                return guard_min(below, make(ops::neg{}, make(ops::abs{}, v)));
            else return guard_min(below, v);
        } else if constexpr (is_bounded_quotient_node<E>) {
            return guard_min(below, finite_guard(lower_fast(arg<1>(e))));  // a / b as written, while b is finite
        } else if constexpr (is_quadratic_root_node<E>) {
            return guard_min(below, finite_guard(lower_fast(arg<0>(e))));  // sqrt(w) as written, while w is finite
        } else if constexpr (is_op_v<E, ops::exp> || is_op_v<E, ops::tanh_softplus>) {
            // While u >= limit, exp(u) and the gate tanh(softplus(u)) are normal numbers, never 0:
            // the fast form's products drop the exact form's gate guards (lower_product's
            // where(g == 0, g, a g)) and give the same values. Compares on the end of the
            // gate's dependency chain cost mish's forward pass a quarter of its speed.
            return guard_min(below, lower_fast(arg<0>(e)));
        } else {
            return below;
        }
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

// a / d, except that E / (1 + E) with E = exp(w) used nowhere else is 1 / (1 + exp(-w)):
// sigmoid(-v) alone (logsigmoid's derivative) as one division and no product. Exact
// under sigmoid(-v)'s guard |v| <= -limit, where neither exp overflows.
template <class... Roots, class A, class D>
constexpr auto quotient(const A& a, const D& d) {
    if constexpr (is_op_v<A, ops::exp_flushing> && std::is_same_v<D, node<ops::add, constant<1>, A>> && (occurrences<A, Roots> + ...) == 2) {
        using W = std::remove_cvref_t<decltype(arg<0>(a))>;
        const auto minus_w = [&] {
            if constexpr (is_op_v<W, ops::neg>) return arg<0>(arg<0>(a));
            else return node<ops::neg, W>{{arg<0>(a)}};
        }();
        using E = node<ops::exp_flushing, std::remove_cvref_t<decltype(minus_w)>>;
        using S = node<ops::add, constant<1>, E>;
        return node<ops::div, constant<1>, S>{{constant<1>{}, S{{constant<1>{}, E{{minus_w}}}}}};
    } else {
        return node<ops::div, A, D>{{a, d}};
    }
}

// A multiplication by a reciprocal that nothing else uses is one division, not two
// operations: silu's forward x * (1/(1+E)) becomes x / (1+E). A reciprocal that is
// shared (sigmoid(u) and sigmoid(-u) in a derivative) stays, as one division for all.
template <class... Roots, class E>
constexpr auto fuse_reciprocals(const E& e) {
    if constexpr (requires { typename E::op; }) {
        // Rebuilt as plain nodes: simplifying again would undo the lowering (log1p(exp(u)) is softplus).
        const auto rebuilt = apply_args(
            [](const auto&... a) {
                return node<typename E::op, std::remove_cvref_t<decltype(fuse_reciprocals<Roots...>(a))>...>{{fuse_reciprocals<Roots...>(a)...}};
            },
            e);
        using R = std::remove_cvref_t<decltype(rebuilt)>;
        if constexpr (is_op_v<R, ops::mul>) {
            using A = std::remove_cvref_t<decltype(arg<0>(rebuilt))>;
            using B = std::remove_cvref_t<decltype(arg<1>(rebuilt))>;
            // (0 occurrences: quotient made it below, for its one use here.)
            if constexpr (is_reciprocal_v<B> && (occurrences<B, Roots> + ...) <= 1)
                return quotient<Roots...>(arg<0>(rebuilt), arg<1>(arg<1>(rebuilt)));
            else if constexpr (is_reciprocal_v<A> && (occurrences<A, Roots> + ...) <= 1)
                return quotient<Roots...>(arg<1>(rebuilt), arg<1>(arg<0>(rebuilt)));
            else return rebuilt;
        } else {
            return rebuilt;
        }
    } else {
        return e;
    }
}

}  // namespace actdsl::evaluation
