// to_string(expr): readable infix, e.g. "sigmoid(x) + x * sigmoid(x) * sigmoid(-x)".
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "nodes.hpp"

namespace actdsl {
namespace detail {

// Precedence of how an expression prints; leaves and calls bind tightest.
template <class E> inline constexpr int print_precedence = 10;
template <std::int64_t N, std::int64_t D> inline constexpr int print_precedence<constant<N, D>> = (D != 1) ? 5 : (N < 0 ? 6 : 10);
template <class Op, class... A> inline constexpr int print_precedence<node<Op, A...>> = Op::precedence;
template <std::int64_t N, std::int64_t D, class S, class A, class B>
inline constexpr int print_precedence<node<ops::literal_is<N, D>, S, A, B>> = std::min(print_precedence<A>, print_precedence<B>);

template <class E>
void print(const E& e, std::string& out);

// Parenthesise a child that binds looser than its parent (or equally, on the right of -, / and ^).
template <class Parent, class Child>
void print_operand(const Child& child, bool right, std::string& out) {
    const int pc = print_precedence<Child>;
    const bool non_assoc = right && (Parent::name == "-" || Parent::name == "/" || Parent::name == "^");
    const bool parens = pc < Parent::precedence || (pc == Parent::precedence && non_assoc);
    if (parens) out += '(';
    print(child, out);
    if (parens) out += ')';
}

template <class E>
void print(const E& e, std::string& out) {
    if constexpr (is_variable_v<E> || is_parameter_v<E> || is_named_constant_v<E>) {
        out += E::name;
    } else if constexpr (is_rational_v<E>) {
        out += std::to_string(E::num);
        if (E::den != 1) out.append("/").append(std::to_string(E::den));
    } else if constexpr (std::is_same_v<E, scalar>) {
        std::array<char, 32> buf{};
        const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), e.value);
        out.append(buf.data(), r.ptr);
    } else if constexpr (is_input_v<E>) {
        out.append("in").append(std::to_string(leaf_index_v<E>));
    } else if constexpr (is_uniform_v<E>) {
        out.append("u").append(std::to_string(leaf_index_v<E>));
    } else if constexpr (is_literal_is_v<E>) {
        // The branch the literal's value selects: what the kernels compute.
        const auto& [s, a, b] = e.args;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(s)>, scalar>) {
            using Op = typename E::op;
            if (s.value == static_cast<double>(Op::num) / static_cast<double>(Op::den)) print(a, out);
            else print(b, out);
        } else {
            print(b, out);
        }
    } else {
        using Op = typename E::op;
        apply_args(
            [&](const auto&... a) {
                if constexpr (Op::style == ops::notation::call) {
                    out.append(Op::name).append("(");
                    bool first = true;
                    ((out.append(first ? "" : ", "), print(a, out), first = false), ...);
                    out += ')';
                } else if constexpr (Op::style == ops::notation::prefix) {
                    out += '-';
                    (print_operand<Op>(a, false, out), ...);
                } else if constexpr (requires { Op::exponent; }) {
                    (print_operand<Op>(a, false, out), ...);
                    out.append("^").append(std::to_string(Op::exponent));
                } else {
                    const auto& [l, r] = e.args;
                    print_operand<Op>(l, false, out);
                    out.append(" ").append(Op::name).append(" ");
                    print_operand<Op>(r, true, out);
                }
            },
            e);
    }
}

}  // namespace detail

template <expression E>
std::string to_string(const E& e) {
    std::string out;
    detail::print(e, out);
    return out;
}

}  // namespace actdsl
