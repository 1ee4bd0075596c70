// Compile-time benchmark: forward, backward and forward_backward of every
// elementwise catalog activation, in float and in double (156 kernels).
// scripts/compile-time.sh times compiling this file.
#include <actdsl/actdsl.hpp>
#include <xtensor/xtensor.hpp>

template <class T>
void all_kernels(const xt::xtensor<T, 1>& x, const xt::xtensor<T, 1>& dy, xt::xtensor<T, 1>& y, xt::xtensor<T, 1>& dx) {
    using namespace actdsl;
    const auto passes = [&](const auto& f) {
        forward(f, x, y);
        backward(f, x, dy, dx);
        forward_backward(f, x, dy, y, dx);
    };
    passes(threshold(actdsl::x, 0.5, -2.0));
    passes(relu(actdsl::x));
    passes(relu6(actdsl::x));
    passes(hardtanh(actdsl::x));
    passes(leaky_relu(actdsl::x));
    passes(prelu(actdsl::x, 0.25));
    passes(rrelu_eval(actdsl::x));
    passes(elu(actdsl::x));
    passes(celu(actdsl::x, 2.0));
    passes(selu(actdsl::x));
    passes(gelu(actdsl::x));
    passes(gelu_tanh(actdsl::x));
    passes(sigmoid(actdsl::x));
    passes(hardsigmoid(actdsl::x));
    passes(tanh(actdsl::x));
    passes(silu(actdsl::x));
    passes(mish(actdsl::x));
    passes(hardswish(actdsl::x));
    passes(softplus(actdsl::x, 1.0, 20.0));
    passes(logsigmoid(actdsl::x));
    passes(softsign(actdsl::x));
    passes(tanhshrink(actdsl::x));
    passes(softshrink(actdsl::x));
    passes(hardshrink(actdsl::x));
    passes(squareplus(actdsl::x));
    passes(sparse_plus(actdsl::x));
}

template void all_kernels<float>(const xt::xtensor<float, 1>&, const xt::xtensor<float, 1>&, xt::xtensor<float, 1>&, xt::xtensor<float, 1>&);
template void all_kernels<double>(const xt::xtensor<double, 1>&, const xt::xtensor<double, 1>&, xt::xtensor<double, 1>&, xt::xtensor<double, 1>&);
