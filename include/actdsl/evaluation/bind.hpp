// Before a kernel is built, the leaves that carry runtime values are replaced by
// numbered slots: literal scalars and parameters by uniform<I> (the I-th entry
// of one array of values), variables by input<I> (the I-th input array).
// Afterwards a tree's type alone says what it computes, which is what common
// subexpression elimination keys on.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../expression/nodes.hpp"

namespace actdsl::evaluation {

// Rebuilds the tree with each leaf replaced by leaf_fn(leaf); nodes stay as they are.
template <class E, class LeafFn>
constexpr auto map_leaves(const E& e, const LeafFn& leaf_fn) {
    if constexpr (requires { typename E::op; }) {
        return apply_args(
            [&](const auto&... a) {
                return node<typename E::op, decltype(map_leaves(a, leaf_fn))...>{{map_leaves(a, leaf_fn)...}};
            },
            e);
    } else {
        return leaf_fn(e);
    }
}

// ---- literal scalars --------------------------------------------------------

template <class E> inline constexpr std::size_t scalar_count = 0;
template <> inline constexpr std::size_t scalar_count<scalar> = 1;
template <class Op, class... A> inline constexpr std::size_t scalar_count<node<Op, A...>> = (scalar_count<A> + ... + 0);

// The k-th literal (in left-to-right order) becomes uniform<Offset + k>; its value goes to values[Offset + k].
template <std::size_t Offset, class E, std::size_t N>
constexpr auto number_scalars(const E& e, std::array<double, N>& values) {
    if constexpr (std::is_same_v<E, scalar>) {
        values[Offset] = e.value;
        return uniform<Offset>{};
    } else if constexpr (requires { typename E::op; }) {
        return [&]<class Op, class... A, std::size_t... I>(const node<Op, A...>& n, std::index_sequence<I...>) {
            constexpr std::array<std::size_t, sizeof...(A)> counts{scalar_count<A>...};
            constexpr auto offset_of = [counts](std::size_t i) {
                std::size_t o = Offset;
                for (std::size_t j = 0; j < i; ++j) o += counts[j];
                return o;
            };
            return node<Op, decltype(number_scalars<offset_of(I)>(arg<I>(n), values))...>{
                {number_scalars<offset_of(I)>(arg<I>(n), values)...}};
        }(e, std::make_index_sequence<node_arity<E>>{});
    } else {
        return e;
    }
}

// ---- parameters -------------------------------------------------------------

template <class T> inline constexpr bool is_binding_v = false;
template <fixed_string N> inline constexpr bool is_binding_v<parameter_binding<N>> = true;

// Compile errors about a parameter name it as a pack of characters, which g++ and
// clang++ both print readably in the error's first lines ('b', 'e', 't', 'a'), where a
// string template argument shows on clang as character codes.
template <char... Name>
struct parameter_not_bound_at_the_call {
    static_assert(sizeof...(Name) == 0,
                  "actdsl: the parameter spelt out in parameter_not_bound_at_the_call<...> is not bound at the call; pass "
                  "its value as a last argument written `name = value`, e.g. forward(f, x, y, beta = 1.0)");
};
template <char... Name>
struct bound_name_is_not_a_parameter {
    static_assert(sizeof...(Name) == 0,
                  "actdsl: a value is bound to a name the activation has no parameter of (spelt out in "
                  "bound_name_is_not_a_parameter<...>); check the name in `name = value` against the expression's "
                  "parameters");
};
template <template <char...> class Report, fixed_string Name, std::size_t... I>
constexpr void report_name(std::index_sequence<I...>) {
    (void)sizeof(Report<Name.data[I]...>);
}
template <template <char...> class Report, fixed_string Name>
constexpr void report(std::type_identity<parameter_binding<Name>>) {
    report_name<Report, Name>(std::make_index_sequence<Name.view().size()>{});
}

// parameter<"beta"> becomes uniform<Offset + k> where beta = value is the k-th binding.
template <std::size_t Offset, class... Bindings, class E>
constexpr auto bind_parameters(const E& e) {
    return map_leaves(e, []<class L>(const L& leaf) {
        if constexpr (is_parameter_v<L>) {
            using binding = decltype(L{} = 0.0);
            constexpr std::size_t k = index_of_type<binding, Bindings...>();
            if constexpr (k == sizeof...(Bindings)) report<parameter_not_bound_at_the_call>(std::type_identity<binding>{});
            return uniform<Offset + k>{};
        } else {
            return leaf;
        }
    });
}

template <class E, class Binding>
struct binding_is_used;
template <class E, fixed_string Name>
struct binding_is_used<E, parameter_binding<Name>> : std::bool_constant<mentions<E, parameter<Name>>> {};

// Every value bound at the call names a parameter of f: `betta = 1.5` for a parameter
// beta is a mistake, not a value to ignore. (The parameter then also goes unbound,
// which names it in the next error.)
template <class F, class Binding>
constexpr void check_binding_used() {
    if constexpr (!binding_is_used<F, Binding>::value) report<bound_name_is_not_a_parameter>(std::type_identity<Binding>{});
}
template <class F, class... Bindings>
constexpr void check_bindings_used() {
    (check_binding_used<std::remove_cvref_t<F>, Bindings>(), ...);
}

// ---- variables --------------------------------------------------------------

// The k-th of Vars becomes input<k>.
template <class... Vars, class E>
constexpr auto bind_variables(const E& e) {
    return map_leaves(e, []<class L>(const L& leaf) {
        if constexpr (is_variable_v<L>) {
            constexpr std::size_t k = index_of_type<L, Vars...>();
            static_assert(k < sizeof...(Vars), "actdsl: the activation uses a variable that no input array is bound to");
            return input<k>{};
        } else {
            return leaf;
        }
    });
}

// The distinct variables of a tree, in order of first appearance, as a std::tuple of types.
template <class Acc, class E>
struct add_variables {
    using type = Acc;
};
template <class... Seen, fixed_string N>
struct add_variables<std::tuple<Seen...>, variable<N>> {
    using type = std::conditional_t<(std::is_same_v<Seen, variable<N>> || ...), std::tuple<Seen...>,
                                    std::tuple<Seen..., variable<N>>>;
};
template <class Acc, class Op, class... A>
struct add_variables<Acc, node<Op, A...>> {
    using type = typename fold_types<add_variables, Acc, A...>::type;
};
template <class... E>
using variables_of = typename fold_types<add_variables, std::tuple<>, E...>::type;

}  // namespace actdsl::evaluation
