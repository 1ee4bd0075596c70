// Lowering: just before a kernel is planned, nodes that have a cheaper or stabler
// form in primitives are rewritten into it, so that common subexpression
// elimination can share their parts. The symbolic layer keeps the readable node.
#pragma once

#include "../calculus/simplify.hpp"

namespace actdsl::evaluation {

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

}  // namespace actdsl::evaluation
