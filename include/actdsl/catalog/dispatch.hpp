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

#include "../kernels/fused.hpp"
#include "elementwise.hpp"
#include "from_output.hpp"
#include "glu.hpp"
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

// A forward pass over several named input arrays (PReLU's short channel blocks,
// RReLU's slopes, Maxout's pieces).
template <class T, fixed_string... Names, class F>
ACTDSL_INLINE bool record_forward_of(const F&) {
    return kernels::inputs_recorder<xsimd::default_arch, F, T, kernels::recorded_passes::forward_only, Names...>::record();
}

}  // namespace catalog_detail

template <class... T>
ACTDSL_INLINE bool record_catalog() {
    using catalog_detail::record_from_output_types;
    using catalog_detail::record_types;
    using std::type_identity;
    record_types<T...>(type_identity<decltype(threshold(x, 0.0, 0.0))>{}, type_identity<decltype(relu(x))>{},
                       type_identity<decltype(relu6(x))>{}, type_identity<decltype(hardtanh(x))>{},
                       type_identity<decltype(leaky_relu(x))>{}, type_identity<decltype(rrelu_eval(x))>{},
                       type_identity<decltype(elu(x))>{}, type_identity<decltype(celu(x))>{}, type_identity<decltype(selu(x))>{},
                       type_identity<decltype(gelu(x))>{}, type_identity<decltype(gelu_tanh(x))>{},
                       type_identity<decltype(sigmoid(x))>{}, type_identity<decltype(hardsigmoid(x))>{},
                       type_identity<decltype(tanh(x))>{}, type_identity<decltype(silu(x))>{}, type_identity<decltype(mish(x))>{},
                       type_identity<decltype(hardswish(x))>{}, type_identity<decltype(softplus(x, 1.0, 20.0))>{},
                       type_identity<decltype(logsigmoid(x))>{}, type_identity<decltype(softsign(x))>{},
                       type_identity<decltype(tanhshrink(x))>{}, type_identity<decltype(softshrink(x))>{},
                       type_identity<decltype(hardshrink(x))>{}, type_identity<decltype(squareplus(x))>{},
                       type_identity<decltype(sparse_plus(x))>{});
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
    record_from_output_types<T...>(type_identity<decltype(from_output::sigmoid())>{}, type_identity<decltype(from_output::tanh())>{},
                                   type_identity<decltype(from_output::relu())>{}, type_identity<decltype(from_output::hardtanh())>{},
                                   type_identity<decltype(from_output::relu6())>{}, type_identity<decltype(from_output::leaky_relu())>{},
                                   type_identity<decltype(from_output::elu())>{}, type_identity<decltype(from_output::celu())>{},
                                   type_identity<decltype(from_output::selu())>{});
    record_softmax<T...>();
    return true;
}

}  // namespace dispatch
}  // namespace actdsl
