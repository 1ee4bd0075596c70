// Runtime dispatch for the catalog: one call records the kernels of every
// elementwise activation (forward, backward, forward_backward), of
// backward_from_output for every from_output:: derivative, of GLU, PReLU (one
// weight or one per channel), RReLU in training and Maxout, and of the softmax
// family (softmax, softmin, log_softmax, their backward passes, logsumexp), for
// the element types T... In a file compiled by CMake's actdsl_add_dispatch(<target> <file>):
//     #include <actdsl/catalog/dispatch.hpp>
//     static const bool recorded = actdsl::dispatch::record_catalog<float, double>();
// A kernel's plan does not depend on the values of numeric parameters, so
// elu(x, 0.5) runs the kernel recorded for elu(x); RReLU's slope generator is recorded
// too. What is not a kernel runs as compiled in the calling file: PReLU's per-channel
// dweight sums in layouts with short channel blocks, Maxout's backward selection.
#pragma once

#include <tuple>
#include <type_traits>

#include "../kernels/fused.hpp"
#include "elementwise.hpp"
#include "from_output.hpp"
#include "glu.hpp"
#include "list.hpp"
#include "maxout.hpp"
#include "prelu.hpp"
#include "rrelu.hpp"
#include "softmax.hpp"

namespace actdsl {
namespace dispatch {

namespace catalog_detail {

// Types only: the activations are not built at run time (their parameter checks
// would emit untagged code into the dispatch object).
template <class T, class... F>
ACTDSL_INLINE bool record_types_of(std::type_identity<F>...) {
    return (kernels::pass_recorder<xsimd::default_arch, F, std::tuple<>, T>::record() && ...);
}
template <class... T, class... F>
ACTDSL_INLINE bool record_types(std::type_identity<F>... activations) {
    return (record_types_of<T>(activations...) && ...);
}

// backward_from_output's kernels: a forward pass over y and dy (from_output.hpp).
template <class T, class... G>
ACTDSL_INLINE bool record_from_output_types_of(std::type_identity<G>...) {
    return (from_output_detail::recorder<G, T>::record() && ...);
}
template <class... T, class... G>
ACTDSL_INLINE bool record_from_output_types(std::type_identity<G>... derivatives) {
    return (record_from_output_types_of<T>(derivatives...) && ...);
}

template <class... T, class G>
ACTDSL_INLINE bool record_from_output_of(std::true_type, std::type_identity<G>) {
    return record_from_output_types<T...>(std::type_identity<std::invoke_result_t<G>>{});
}
template <class... T, class G>
ACTDSL_INLINE bool record_from_output_of(std::false_type, std::type_identity<G>) { return true; }

// A forward pass over several named input arrays (PReLU's short channel blocks,
// RReLU's slopes, Maxout's pieces).
template <class T, fixed_string... Names, class F>
ACTDSL_INLINE bool record_forward_of(const F&) {
    return kernels::inputs_recorder<xsimd::default_arch, F, T, kernels::recorded_passes::forward_only, Names...>::record();
}

// The kernels of catalog/list.hpp's examples, by type only: the list's object is not
// touched, so a dispatch object defines no symbol for it.
template <class... T, class... X>
ACTDSL_INLINE bool record_examples(std::type_identity<boost::hana::tuple<X...>>) {
    return record_types<T...>(std::type_identity<std::invoke_result_t<decltype(X::make)>>{}...);
}
template <class... T, class... E>
ACTDSL_INLINE bool record_entries(std::type_identity<boost::hana::tuple<E...>>) {
    return (record_examples<T...>(std::type_identity<decltype(E::examples)>{}) && ...);
}
template <class... T, class... X>
ACTDSL_INLINE bool record_examples_from_output(std::type_identity<boost::hana::tuple<X...>>) {
    return (record_from_output_of<T...>(std::bool_constant<X::has_from_output>{}, std::type_identity<decltype(X::from_output)>{}) && ... && true);
}
template <class... T, class... E>
ACTDSL_INLINE bool record_entries_from_output(std::type_identity<boost::hana::tuple<E...>>) {
    return (record_examples_from_output<T...>(std::type_identity<decltype(E::examples)>{}) && ...);
}

}  // namespace catalog_detail

template <class... T>
ACTDSL_INLINE bool record_catalog() {
    using catalog_detail::record_entries;
    using catalog_detail::record_entries_from_output;
    using list_type = std::remove_cvref_t<decltype(catalog::entries)>;
    record_entries<T...>(std::type_identity<list_type>{});
    (kernels::pass_recorder<xsimd::default_arch, decltype(prelu(x, prelu_detail::weight)), std::tuple<parameter_binding<"weight">>, T>::record(), ...);
    (kernels::inputs_recorder<xsimd::default_arch, std::remove_const_t<decltype(glu_detail::expression)>, T,
                              kernels::recorded_passes::all, "a", "b">::record(), ...);
    using catalog_detail::record_forward_of;
    (record_forward_of<T, "x", "w">(prelu_detail::broadcast_forward), ...);
    (record_forward_of<T, "x", "g", "w">(prelu_detail::broadcast_backward), ...);
    (record_forward_of<T, "x", "r">(rrelu_detail::expression), ...);
    (record_forward_of<T, "x", "g", "r">(rrelu_detail::gradient), ...);
    (rrelu_detail::record_slopes<T>(), ...);
    (record_forward_of<T, "a", "b">(maxout_detail::larger), ...);
    record_entries_from_output<T...>(std::type_identity<list_type>{});
    record_softmax<T...>();
    return true;
}

}  // namespace dispatch
}  // namespace actdsl
