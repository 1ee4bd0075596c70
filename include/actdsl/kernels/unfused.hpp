// Unfused evaluation, as an eager framework runs an expression: one pass over
// memory per operation, each result materialised into an array. It is generated
// from the same plan as the fused kernels (one slot, one array), so users can
// measure what fusion buys on their own activations.
//   unfused::workspace<float> ws;               // temporaries, reused across calls
//   unfused::forward(ws, f, x, y, params...);   // or without ws: allocated per call
#pragma once

#include <vector>
#include <tuple>

#include <xsimd/memory/xsimd_aligned_allocator.hpp>

#include "fused.hpp"

namespace actdsl::unfused {

template <class T>
class workspace {
public:
    // One array of n elements per slot; grows, never shrinks.
    std::vector<T*> arrays(std::size_t count, std::size_t n) {
        if (storage_.size() < count) storage_.resize(count);
        std::vector<T*> out(count);
        for (std::size_t k = 0; k < count; ++k) {
            if (storage_[k].size() < n) storage_[k].resize(n);
            out[k] = storage_[k].data();
        }
        return out;
    }

private:
    std::vector<std::vector<T, xsimd::aligned_allocator<T, 64>>> storage_;
};

namespace detail {

// One operation of the plan as its own tiny expression: a value operand that
// has a slot becomes input<slot>, so the operation reads that slot's array.
template <class Slots, class E>
constexpr auto as_operation_operand() {
    if constexpr (is_uniform_v<E> || is_compile_time_constant_v<E>) return E{};
    else if constexpr (is_condition_v<E>)
        return []<class Op, class... A>(std::type_identity<node<Op, A...>>) {
            return node<Op, decltype(as_operation_operand<Slots, A>())...>{};
        }(std::type_identity<E>{});
    else return input<evaluation::index_in<E>(Slots{})>{};
}

template <class Slots, class Op, class... A>
constexpr auto as_operation(std::type_identity<node<Op, A...>>) {
    return node<Op, decltype(as_operation_operand<Slots, A>())...>{};
}

template <class Program, class T, std::size_t NIn, std::size_t NOut>
void run(workspace<T>& ws, const Program& p, const std::array<const T*, NIn>& in, const std::array<T*, NOut>& out, std::size_t n) {
    if constexpr (evaluation::is_program_choice_v<Program>) {
        p.visit([&](const auto& q) { run(ws, q, in, out, n); });
        return;
    } else {
        using plan_type = typename Program::plan_type;
        using slots = typename plan_type::slots;
        const std::vector<T*> temp = ws.arrays(slots::size, n);
        // A root operation writes straight into its output, unless an output aliases an
        // input that a later operation still reads: then every result goes to a temporary.
        const bool aliased = std::any_of(out.begin(), out.end(), [&](T* o) { return std::find(in.begin(), in.end(), o) != in.end(); });
        std::array<T*, slots::size> dst{};
        for (std::size_t k = 0; k < slots::size; ++k) dst[k] = temp[k];
        for (std::size_t k = 0; k < NOut && !aliased; ++k) dst[plan_type::root_slot[k]] = out[k];
        std::array<const T*, slots::size> src{};
        [&]<class... S, std::size_t... K>(evaluation::type_list<S...>, std::index_sequence<K...>) {
            const auto step = [&]<class E, std::size_t I>() {
                if constexpr (is_input_v<E>) {
                    src[I] = in[leaf_index_v<E>];
                } else if constexpr (requires { typename E::op; }) {
                    using op_plan = evaluation::plan<decltype(as_operation<slots>(std::type_identity<E>{}))>;
                    kernels::run_own_contiguous<op_plan>(src, std::array<T*, 1>{dst[I]}, n, p.uniforms);
                    src[I] = dst[I];
                }
            };
            (step.template operator()<S, K>(), ...);
            // Roots not yet in their outputs: an input or a temporary is copied, a constant is filled in.
            for (std::size_t k = 0; k < NOut; ++k) {
                const std::size_t r = plan_type::root_slot[k];
                if (src[r] == out[k]) continue;
                if (src[r] != nullptr) {
                    std::copy_n(src[r], n, out[k]);
                    continue;
                }
                ((K == r ? kernels::run_own_contiguous<evaluation::plan<S>>(src, std::array<T*, 1>{out[k]}, n, p.uniforms) : void()), ...);
            }
        }(slots{}, std::make_index_sequence<slots::size>{});
    }
}

// Contiguous pointers for every array; arrays that are not contiguous are copied.
template <class T, class Program, class Ins, class Outs>
void run_arrays(workspace<T>& ws, const Program& p, std::string_view function,
                const std::array<std::string_view, std::tuple_size_v<Ins> + std::tuple_size_v<Outs>>& names, const Ins& ins, Outs outs) {
    std::apply([&](const auto&... a) { std::apply([&](const auto&... b) { kernels::check_same_shape(function, names, a..., b...); }, outs); }, ins);
    const std::size_t n = std::get<0>(ins).size();
    std::vector<std::vector<T>> copies;
    copies.reserve(std::tuple_size_v<Ins> + std::tuple_size_v<Outs>);
    const auto in_ptrs = std::apply(
        [&](const auto&... a) {
            return std::array<const T*, sizeof...(a)>{[&](const auto& e) -> const T* {
                if (const T* q = kernels::contiguous_data(e)) return q;
                return copies.emplace_back(e.cbegin(), e.cend()).data();
            }(a)...};
        },
        ins);
    const auto out_ptrs = std::apply(
        [&](auto&... a) {
            return std::array<T*, sizeof...(a)>{[&](auto& e) -> T* {
                if (T* q = kernels::contiguous_data(e)) return q;
                return copies.emplace_back(n).data();
            }(a)...};
        },
        outs);
    run(ws, p, in_ptrs, out_ptrs, n);
    std::size_t k = 0;
    std::apply([&](auto&... a) { ((kernels::contiguous_data(a) ? void() : void(std::copy_n(out_ptrs[k], n, a.begin())), ++k), ...); }, outs);
}

}  // namespace detail

template <class T, class F, class X, class Y, parameter_value... B>
void forward(workspace<T>& ws, const F& f, const X& x_in, Y&& y_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, Y>();
    detail::run_arrays(ws, kernels::forward_program(f, params...), "unfused::forward", {"x", "y"}, std::forward_as_tuple(x_in), std::forward_as_tuple(y_out));
}

template <class T, class F, class X, class DY, class DX, parameter_value... B>
void backward(workspace<T>& ws, const F& f, const X& x_in, const DY& dy_in, DX&& dx_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, DY, DX>();
    detail::run_arrays(ws, kernels::backward_program(f, params...), "unfused::backward", {"x", "dy", "dx"}, std::forward_as_tuple(x_in, dy_in), std::forward_as_tuple(dx_out));
}

template <class T, class F, class X, class DY, class Y, class DX, parameter_value... B>
void forward_backward(workspace<T>& ws, const F& f, const X& x_in, const DY& dy_in, Y&& y_out, DX&& dx_out, const B&... params) {
    kernels::check_kernel_arguments<F, X, DY, Y, DX>();
    detail::run_arrays(ws, kernels::forward_backward_program(f, params...), "unfused::forward_backward", {"x", "dy", "y", "dx"}, std::forward_as_tuple(x_in, dy_in), std::forward_as_tuple(y_out, dx_out));
}

// Without a workspace: temporaries are allocated for the call, as eager frameworks do.
template <expression F, array_expression X, class... A>
void forward(const F& f, const X& x_in, A&&... rest) {
    workspace<kernels::value_type_of<X>> ws;
    forward(ws, f, x_in, std::forward<A>(rest)...);
}
template <expression F, array_expression X, class... A>
void backward(const F& f, const X& x_in, A&&... rest) {
    workspace<kernels::value_type_of<X>> ws;
    backward(ws, f, x_in, std::forward<A>(rest)...);
}
template <expression F, array_expression X, class... A>
void forward_backward(const F& f, const X& x_in, A&&... rest) {
    workspace<kernels::value_type_of<X>> ws;
    forward_backward(ws, f, x_in, std::forward<A>(rest)...);
}

}  // namespace actdsl::unfused
