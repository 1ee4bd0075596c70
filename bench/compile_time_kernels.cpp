// Compile-time benchmark: every pass of the benchmark's three activations (nine
// kernels, float). scripts/compile-time.sh times compiling this file.
#include <xtensor/xtensor.hpp>

#include "activations.hpp"

using array = xt::xtensor<float, 1>;

void all_kernels(const array& x, const array& dy, array& y, array& dx) {
    const auto passes = [&](const auto& f) {
        actdsl::forward(f, x, y);
        actdsl::backward(f, x, dy, dx);
        actdsl::forward_backward(f, x, dy, y, dx);
    };
    passes(bench::silu);
    passes(bench::gelu_tanh);
    passes(bench::mish);
}
