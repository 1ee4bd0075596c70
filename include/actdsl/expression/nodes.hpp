// The expression tree: leaves, operation tags and the one generic node type.
// An expression is a value whose *type* is its syntax tree; the only runtime
// data a tree carries are the values of literal scalars such as the 0.5 in 0.5 * x.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <type_traits>

#include "../config.hpp"

namespace actdsl {

// A string usable as a template argument: variable<"x">, parameter<"beta">.
template <std::size_t N>
struct fixed_string {
    char data[N]{};
    constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, data); }
    constexpr std::string_view view() const { return {data, N - 1}; }
};

// ---- leaves -----------------------------------------------------------------

template <fixed_string Name, class Array>
struct array_binding {
    using array_type = Array;
    const Array& array;
};

// An input of the activation; kernels bind an array to it, as `gate = array`
// inside inputs(...) for activations of several inputs.
template <fixed_string Name>
struct variable {
    static constexpr std::string_view name = Name.view();
    template <class Array>
        requires(!std::is_arithmetic_v<Array>)
    constexpr array_binding<Name, Array> operator=(const Array& array) const { return {array}; }
};

template <fixed_string Name>
struct parameter_binding {
    double value;
};

// A named runtime scalar (beta, alpha, ...), bound at the call with `beta = 1.5`
// and differentiable like a variable.
template <fixed_string Name>
struct parameter {
    static constexpr std::string_view name = Name.view();
    constexpr parameter_binding<Name> operator=(double v) const { return {v}; }
};

// A compile-time rational N/D in lowest terms with D > 0, so the simplifier can fold it.
template <std::int64_t N, std::int64_t D = 1>
struct constant {
    static_assert(D > 0 && std::gcd(N, D) == 1, "actdsl::constant<N, D> must be in lowest terms with D > 0; write actdsl::c<N, D>");
    static constexpr std::int64_t num = N;
    static constexpr std::int64_t den = D;
    static constexpr long double value = static_cast<long double>(N) / static_cast<long double>(D);
};

// An irrational constant known at compile time (pi, sqrt(2/pi), ...).
// Tag provides `name` and `value` (long double).
template <class Tag>
struct named_constant {
    static constexpr std::string_view name = Tag::name;
    static constexpr long double value = Tag::value;
};

// A literal written as a plain number (0.5 * x, x + 3): its value is known only at run time.
struct scalar {
    double value;
};

// Leaves the evaluation layer substitutes before it builds a kernel:
// input<I> is the I-th array, uniform<I> the I-th runtime scalar or parameter value.
template <std::size_t I>
struct input {};
template <std::size_t I>
struct uniform {};

// ---- operations -------------------------------------------------------------

namespace ops {
// How an operation prints: infix with a precedence, prefix minus, or a function call.
enum class notation { infix, prefix, call };

#define ACTDSL_INFIX(tag, sym, prec, cond)                                      \
    struct tag {                                                                \
        static constexpr std::string_view name = sym;                           \
        static constexpr notation style = notation::infix;                      \
        static constexpr int precedence = prec;                                 \
        static constexpr bool is_condition = cond;                              \
    };
#define ACTDSL_CALL(tag, fname)                                                 \
    struct tag {                                                                \
        static constexpr std::string_view name = fname;                         \
        static constexpr notation style = notation::call;                       \
        static constexpr int precedence = 10;                                   \
        static constexpr bool is_condition = false;                             \
    };

ACTDSL_INFIX(logical_or, "||", 1, true)
ACTDSL_INFIX(logical_and, "&&", 2, true)
ACTDSL_INFIX(equal, "==", 3, true)
ACTDSL_INFIX(less, "<", 3, true)
ACTDSL_INFIX(less_equal, "<=", 3, true)
ACTDSL_INFIX(greater, ">", 3, true)
ACTDSL_INFIX(greater_equal, ">=", 3, true)
ACTDSL_INFIX(add, "+", 4, false)
ACTDSL_INFIX(sub, "-", 4, false)
ACTDSL_INFIX(mul, "*", 5, false)
ACTDSL_INFIX(div, "/", 5, false)

struct neg {
    static constexpr std::string_view name = "-";
    static constexpr notation style = notation::prefix;
    static constexpr int precedence = 6;
    static constexpr bool is_condition = false;
};

// x^N for a compile-time integer N.
template <int N>
struct pow {
    static constexpr int exponent = N;
    static constexpr std::string_view name = "^";
    static constexpr notation style = notation::infix;
    static constexpr int precedence = 7;
    static constexpr bool is_condition = false;
};

ACTDSL_CALL(exp, "exp")
// exp where a result below the smallest normal number may be flushed to 0: only the
// guarded fast sigmoid makes it, whose guard keeps such results out of every output.
ACTDSL_CALL(exp_flushing, "exp")
ACTDSL_CALL(log, "log")
ACTDSL_CALL(log1p, "log1p")
// log1p of an argument in [0, 1]: only softplus's lowering makes it, as log1p(exp(-|u|)).
ACTDSL_CALL(log1p_unit, "log1p")
ACTDSL_CALL(expm1, "expm1")
ACTDSL_CALL(sqrt, "sqrt")
ACTDSL_CALL(sin, "sin")
ACTDSL_CALL(cos, "cos")
ACTDSL_CALL(tanh, "tanh")
ACTDSL_CALL(sigmoid, "sigmoid")
ACTDSL_CALL(erf, "erf")
ACTDSL_CALL(erfc, "erfc")
ACTDSL_CALL(abs, "abs")
ACTDSL_CALL(sign, "sign")
ACTDSL_CALL(min, "min")
ACTDSL_CALL(max, "max")
ACTDSL_CALL(where, "where")
// Specialised nodes: their derivative and their lowering to primitives are
// written out by hand (calculus/derivative.hpp, evaluation/lower.hpp) because
// the primitives' own chain rule would overflow or cancel.
ACTDSL_CALL(softplus, "softplus")            // log(1 + exp(u))
ACTDSL_CALL(tanh_softplus, "tanh_softplus")  // tanh(softplus(u)), mish's gate
ACTDSL_CALL(tanhshrink, "tanhshrink")        // u - tanh(u), summed as a series near 0
// literal_is<N, D>(s, a, b): a where the literal scalar s equals N/D, else b. The
// simplifier makes it where a rule needs a constant and the user wrote a plain number
// (log(1 + exp(x)): a = softplus(x), b = the formula as written); s's value is known
// only at run time, so each kernel is built for both and the call picks one
// (evaluation/program.hpp). It never reaches the evaluator.
template <std::int64_t N, std::int64_t D = 1>
struct literal_is {
    static constexpr std::int64_t num = N;
    static constexpr std::int64_t den = D;
    static constexpr std::string_view name = "literal_is";
    static constexpr notation style = notation::call;
    static constexpr int precedence = 10;
    static constexpr bool is_condition = false;
};
#undef ACTDSL_INFIX
#undef ACTDSL_CALL
}  // namespace ops

// A node's operands (an operation takes one, two or three): a plain aggregate, which
// costs the compiler far less than std::tuple's constrained constructors did for each of
// the thousands of node types a catalog file builds. Structured bindings unpack it.
template <class... Args>
struct arguments;
template <class A0>
struct arguments<A0> {
    [[no_unique_address]] A0 a0;
};
template <class A0, class A1>
struct arguments<A0, A1> {
    [[no_unique_address]] A0 a0;
    [[no_unique_address]] A1 a1;
};
template <class A0, class A1, class A2>
struct arguments<A0, A1, A2> {
    [[no_unique_address]] A0 a0;
    [[no_unique_address]] A1 a1;
    [[no_unique_address]] A2 a2;
};

// The one interior node: an operation applied to its operands.
template <class Op, class... Args>
struct node {
    using op = Op;
    [[no_unique_address]] arguments<Args...> args;
};

// ---- traits -----------------------------------------------------------------

template <class T> struct is_expression_impl : std::false_type {};
template <fixed_string N> struct is_expression_impl<variable<N>> : std::true_type {};
template <fixed_string N> struct is_expression_impl<parameter<N>> : std::true_type {};
template <std::int64_t N, std::int64_t D> struct is_expression_impl<constant<N, D>> : std::true_type {};
template <class T> struct is_expression_impl<named_constant<T>> : std::true_type {};
template <> struct is_expression_impl<scalar> : std::true_type {};
template <std::size_t I> struct is_expression_impl<input<I>> : std::true_type {};
template <std::size_t I> struct is_expression_impl<uniform<I>> : std::true_type {};
template <class Op, class... A> struct is_expression_impl<node<Op, A...>> : std::true_type {};

template <class T>
concept expression = is_expression_impl<std::remove_cvref_t<T>>::value;

template <class T> inline constexpr bool is_variable_v = false;
template <fixed_string N> inline constexpr bool is_variable_v<variable<N>> = true;
template <class T> inline constexpr bool is_parameter_v = false;
template <fixed_string N> inline constexpr bool is_parameter_v<parameter<N>> = true;
template <class T> inline constexpr bool is_rational_v = false;
template <std::int64_t N, std::int64_t D> inline constexpr bool is_rational_v<constant<N, D>> = true;
template <class T> inline constexpr bool is_named_constant_v = false;
template <class T> inline constexpr bool is_named_constant_v<named_constant<T>> = true;
template <class T> inline constexpr bool is_compile_time_constant_v = is_rational_v<T> || is_named_constant_v<T>;

// A condition (comparison or logical operation) yields a mask, not a number.
template <class T> inline constexpr bool is_condition_v = false;
template <class Op, class... A> inline constexpr bool is_condition_v<node<Op, A...>> = Op::is_condition;

template <class T> inline constexpr bool is_literal_is_v = false;
template <std::int64_t N, std::int64_t D, class... A> inline constexpr bool is_literal_is_v<node<ops::literal_is<N, D>, A...>> = true;

template <class T, class Op> inline constexpr bool is_op_v = false;
template <class Op, class... A> inline constexpr bool is_op_v<node<Op, A...>, Op> = true;

// A tree is stateless when its type determines its value: it holds no literal
// scalar. Identity rules such as a - a -> 0 only apply to stateless trees.
template <class T> inline constexpr bool is_stateless_v = std::is_empty_v<T>;
template <> inline constexpr bool is_stateless_v<scalar> = false;
template <class Op, class... A> inline constexpr bool is_stateless_v<node<Op, A...>> = (is_stateless_v<A> && ...);

// Whether the tree E holds the leaf L (a variable, a parameter) anywhere.
template <class E, class L> inline constexpr bool mentions = std::is_same_v<E, L>;
template <class Op, class... A, class L> inline constexpr bool mentions<node<Op, A...>, L> = (mentions<A, L> || ...);

template <class T> inline constexpr bool is_input_v = false;
template <std::size_t I> inline constexpr bool is_input_v<input<I>> = true;
template <class T> inline constexpr bool is_uniform_v = false;
template <std::size_t I> inline constexpr bool is_uniform_v<uniform<I>> = true;
template <class T> inline constexpr std::size_t leaf_index_v = 0;
template <std::size_t I> inline constexpr std::size_t leaf_index_v<input<I>> = I;
template <std::size_t I> inline constexpr std::size_t leaf_index_v<uniform<I>> = I;

// A left fold over types: Step<Step<Acc, T0>::type, T1>::type ...
template <template <class, class> class Step, class Acc, class... Ts>
struct fold_types {
    using type = Acc;
};
template <template <class, class> class Step, class Acc, class T0, class... Ts>
struct fold_types<Step, Acc, T0, Ts...> {
    using type = typename fold_types<Step, typename Step<Acc, T0>::type, Ts...>::type;
};

// The position of T among Ts, or sizeof...(Ts) if it is not there.
template <class T, class... Ts>
constexpr std::size_t index_of_type() {
    constexpr bool match[] = {std::is_same_v<T, Ts>..., false};
    std::size_t i = 0;
    while (i < sizeof...(Ts) && !match[i]) ++i;
    return i;
}

template <class E> inline constexpr std::size_t node_arity = 0;
template <class Op, class... A> inline constexpr std::size_t node_arity<node<Op, A...>> = sizeof...(A);

// The I-th operand of n.
template <std::size_t I, class Op, class... A>
constexpr const auto& arg(const node<Op, A...>& n) {
    static_assert(I < sizeof...(A), "actdsl: internal error: operand index out of range");
    if constexpr (I == 0) return n.args.a0;
    else if constexpr (I == 1) return n.args.a1;
    else return n.args.a2;
}

// f(a...) for a node's operands a...: what std::apply did, without its noexcept clause
// and the traits behind it (is_nothrow_invocable, invoke_result), which the compiler
// instantiated for every node of every rewrite.
template <class F, class Op, class A0>
constexpr decltype(auto) apply_args(F&& f, const node<Op, A0>& n) { return f(n.args.a0); }
template <class F, class Op, class A0, class A1>
constexpr decltype(auto) apply_args(F&& f, const node<Op, A0, A1>& n) { return f(n.args.a0, n.args.a1); }
template <class F, class Op, class A0, class A1, class A2>
constexpr decltype(auto) apply_args(F&& f, const node<Op, A0, A1, A2>& n) { return f(n.args.a0, n.args.a1, n.args.a2); }

}  // namespace actdsl
