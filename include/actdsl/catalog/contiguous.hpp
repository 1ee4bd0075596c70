// Kernels that walk raw memory (softmax's rows, RReLU's element numbering) take any
// xtensor array: a contiguous row-major one directly, anything else through a copy.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include <xtensor/xarray.hpp>

#include "../kernels/engine.hpp"

namespace actdsl::catalog_detail {

// A row-major contiguous pointer to a's values: a's own memory, or `copy`'s.
template <class T, class A>
const T* contiguous_input(const A& a, std::optional<xt::xarray<T>>& copy) {
    if (const T* p = kernels::contiguous_data(a)) return p;
    copy.emplace(a);
    return copy->data();
}

// Calls f(pointer) to write out's values in row-major order: into out's own memory,
// or into a temporary of out's shape that is then assigned to out.
template <class T, class Out, class F>
void write_contiguous(Out&& out, F f) {
    if (T* p = kernels::contiguous_data(out)) return f(p);
    xt::xarray<T> tmp = xt::xarray<T>::from_shape(std::vector<std::size_t>(out.shape().begin(), out.shape().end()));
    f(tmp.data());
    out = tmp;
}

}  // namespace actdsl::catalog_detail
