// What the user writes: operators, functions and constants that build expression trees.
// Building never simplifies; calculus/simplify.hpp does that, so to_string(f) shows f as written.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <numeric>

#include "nodes.hpp"

namespace actdsl {

// The input of a one-input activation.
inline constexpr variable<"x"> x{};

// Compile-time rational constant N/D: c<1, 2> * x. Reduced to lowest terms.
template <std::int64_t N, std::int64_t D = 1>
inline constexpr auto c = [] {
    static_assert(D != 0, "actdsl::c<N, D>: the denominator must not be 0");
    constexpr std::int64_t g = std::gcd(N, D) * (D < 0 ? -1 : 1);
    return constant<N / g, D / g>{};
}();

namespace constants {
struct pi_tag {
    static constexpr std::string_view name = "pi";
    static constexpr long double value = 3.141592653589793238462643383279502884L;
};
struct sqrt_2_over_pi_tag {
    static constexpr std::string_view name = "sqrt(2/pi)";
    static constexpr long double value = 0.797884560802865355879892119868763737L;
};
struct two_over_sqrt_pi_tag {
    static constexpr std::string_view name = "2/sqrt(pi)";
    static constexpr long double value = 1.128379167095512573896158903121545172L;
};
struct sqrt1_2_tag {
    static constexpr std::string_view name = "sqrt(1/2)";
    static constexpr long double value = 0.707106781186547524400844362104849039L;
};
}  // namespace constants

inline constexpr named_constant<constants::pi_tag> pi{};
inline constexpr named_constant<constants::sqrt_2_over_pi_tag> sqrt_2_over_pi{};
inline constexpr named_constant<constants::two_over_sqrt_pi_tag> two_over_sqrt_pi{};
inline constexpr named_constant<constants::sqrt1_2_tag> sqrt1_2{};

namespace literals {
namespace detail {
struct parsed_decimal {
    std::int64_t num;
    std::int64_t den;
};
// Parses a decimal literal such as 0.044715 or 25e-3 exactly into num/den.
template <char... Cs>
consteval parsed_decimal parse_decimal() {
    constexpr char s[] = {Cs..., '\0'};
    std::int64_t num = 0, den = 1;
    int exp10 = 0, exp_sign = 1;
    bool fraction = false, exponent = false;
    for (std::size_t i = 0; s[i] != '\0'; ++i) {
        const char ch = s[i];
        if (ch == '\'') continue;
        if (ch == '.') { fraction = true; continue; }
        if (ch == 'e' || ch == 'E') { exponent = true; continue; }
        if (exponent && ch == '-') { exp_sign = -1; continue; }
        if (exponent && ch == '+') continue;
        if (ch < '0' || ch > '9') throw "actdsl _c literals are decimal: write 0.5_c or 3_c";
        if (exponent) { exp10 = exp10 * 10 + (ch - '0'); continue; }
        if (num > (std::numeric_limits<std::int64_t>::max() - 9) / 10) throw "actdsl _c literal has too many digits";
        num = num * 10 + (ch - '0');
        if (fraction) den *= 10;
    }
    for (int i = 0; i < exp10; ++i) {
        if (exp_sign > 0) num *= 10; else den *= 10;
        if (num > std::numeric_limits<std::int64_t>::max() / 10 || den > std::numeric_limits<std::int64_t>::max() / 10)
            throw "actdsl _c literal is out of the range of an exact 64-bit rational";
    }
    const std::int64_t g = std::gcd(num, den);
    return {num / g, den / g};
}
}  // namespace detail

// 0.5_c, 3_c, 0.044715_c: exact compile-time constants (runtime literals would be plain 0.5).
// constexpr, not consteval: the parse is forced to compile time by `constexpr auto p` anyway,
// and clang 14 drops consteval literal operators used inside templates (undefined reference at link).
template <char... Cs>
constexpr auto operator""_c() {
    constexpr auto p = detail::parse_decimal<Cs...>();
    return constant<p.num, p.den>{};
}
}  // namespace literals

// ---- building nodes ---------------------------------------------------------

template <class T>
concept arithmetic_operand = std::is_arithmetic_v<std::remove_cvref_t<T>> && !std::same_as<std::remove_cvref_t<T>, bool>;

template <class T>
concept operand = expression<T> || arithmetic_operand<T>;

// A plain number becomes a literal scalar leaf.
template <operand T>
constexpr auto as_expression(const T& v) {
    if constexpr (expression<T>) return v;
    else return scalar{static_cast<double>(v)};
}

template <class Op, class... A>
constexpr auto make_node(const A&... a) {
    return node<Op, std::remove_cvref_t<decltype(as_expression(a))>...>{{as_expression(a)...}};
}

template <class T>
concept value_operand = operand<T> && !is_condition_v<std::remove_cvref_t<T>>;
template <class T>
concept condition_operand = expression<T> && is_condition_v<std::remove_cvref_t<T>>;

#define ACTDSL_BINARY_OPERATOR(sym, tag)                                               \
    template <value_operand A, value_operand B>                                        \
        requires(expression<A> || expression<B>)                                       \
    constexpr auto operator sym(const A& a, const B& b) { return make_node<ops::tag>(a, b); }
ACTDSL_BINARY_OPERATOR(+, add)
ACTDSL_BINARY_OPERATOR(-, sub)
ACTDSL_BINARY_OPERATOR(*, mul)
ACTDSL_BINARY_OPERATOR(/, div)
ACTDSL_BINARY_OPERATOR(<, less)
ACTDSL_BINARY_OPERATOR(<=, less_equal)
ACTDSL_BINARY_OPERATOR(>, greater)
ACTDSL_BINARY_OPERATOR(>=, greater_equal)
#undef ACTDSL_BINARY_OPERATOR

template <condition_operand A, condition_operand B>
constexpr auto operator&&(const A& a, const B& b) { return make_node<ops::logical_and>(a, b); }
template <condition_operand A, condition_operand B>
constexpr auto operator||(const A& a, const B& b) { return make_node<ops::logical_or>(a, b); }

template <expression A>
    requires(!is_condition_v<A>)
constexpr auto operator-(const A& a) { return make_node<ops::neg>(a); }
template <expression A>
constexpr auto operator+(const A& a) { return a; }

#define ACTDSL_UNARY_FUNCTION(fname)                                                   \
    template <expression A>                                                            \
        requires(!is_condition_v<A>)                                                   \
    constexpr auto fname(const A& a) { return make_node<ops::fname>(a); }
ACTDSL_UNARY_FUNCTION(exp)
ACTDSL_UNARY_FUNCTION(log)
ACTDSL_UNARY_FUNCTION(log1p)
ACTDSL_UNARY_FUNCTION(expm1)
ACTDSL_UNARY_FUNCTION(sqrt)
ACTDSL_UNARY_FUNCTION(sin)
ACTDSL_UNARY_FUNCTION(cos)
ACTDSL_UNARY_FUNCTION(tanh)
ACTDSL_UNARY_FUNCTION(sigmoid)
ACTDSL_UNARY_FUNCTION(erf)
ACTDSL_UNARY_FUNCTION(erfc)
ACTDSL_UNARY_FUNCTION(abs)
ACTDSL_UNARY_FUNCTION(sign)
// softplus(u) = log(1 + exp(u)), exact for every u (PyTorch's threshold is the catalog's Softplus).
ACTDSL_UNARY_FUNCTION(softplus)
#undef ACTDSL_UNARY_FUNCTION

template <value_operand A, value_operand B>
    requires(expression<A> || expression<B>)
constexpr auto min(const A& a, const B& b) { return make_node<ops::min>(a, b); }
template <value_operand A, value_operand B>
    requires(expression<A> || expression<B>)
constexpr auto max(const A& a, const B& b) { return make_node<ops::max>(a, b); }

// pow<3>(x): an integer power, exact in the derivative's exponent arithmetic.
template <int N, expression A>
    requires(!is_condition_v<A>)
constexpr auto pow(const A& a) { return make_node<ops::pow<N>>(a); }

// where(x > 0, x, 0.01 * x): a piecewise function; its derivative keeps the branches.
template <class C, value_operand A, value_operand B>
constexpr auto where(const C& cond, const A& a, const B& b) {
    static_assert(condition_operand<C>,
                  "actdsl::where(cond, a, b): cond must be a comparison such as x > 0 or (x > -3) && (x < 3)");
    return make_node<ops::where>(cond, a, b);
}

}  // namespace actdsl
