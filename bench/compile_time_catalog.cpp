// Compile-time benchmark: forward, backward and forward_backward of every
// elementwise catalog activation, in float and in double (156 kernels).
// scripts/compile-time.sh times compiling this file.
#include <xtensor/xtensor.hpp>

#include "catalog_activations.hpp"

template <class T>
void all_kernels(const xt::xtensor<T, 1>& in, const xt::xtensor<T, 1>& dy, xt::xtensor<T, 1>& y, xt::xtensor<T, 1>& dx) {
    bench::for_each_elementwise([&](const char*, const auto& f) {
        actdsl::forward(f, in, y);
        actdsl::backward(f, in, dy, dx);
        actdsl::forward_backward(f, in, dy, y, dx);
    });
}

template void all_kernels<float>(const xt::xtensor<float, 1>&, const xt::xtensor<float, 1>&, xt::xtensor<float, 1>&, xt::xtensor<float, 1>&);
template void all_kernels<double>(const xt::xtensor<double, 1>&, const xt::xtensor<double, 1>&, xt::xtensor<double, 1>&, xt::xtensor<double, 1>&);
