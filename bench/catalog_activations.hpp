// Every elementwise catalog activation, with the parameters the benchmarks use:
// visit(name, expression) for each. bench_catalog times them; compile_time_catalog
// instantiates their kernels.
#pragma once

#include <actdsl/actdsl.hpp>

namespace bench {

template <class Visit>
void for_each_elementwise(Visit&& visit) {
    using namespace actdsl;
    visit("threshold", threshold(x, 0.5, -2.0));
    visit("relu", relu(x));
    visit("relu6", relu6(x));
    visit("hardtanh", hardtanh(x));
    visit("leaky_relu", leaky_relu(x));
    visit("prelu", prelu(x, 0.25));
    visit("rrelu_eval", rrelu_eval(x));
    visit("elu", elu(x));
    visit("celu", celu(x, 2.0));
    visit("selu", selu(x));
    visit("gelu", gelu(x));
    visit("gelu_tanh", gelu_tanh(x));
    visit("sigmoid", sigmoid(x));
    visit("hardsigmoid", hardsigmoid(x));
    visit("tanh", tanh(x));
    visit("silu", silu(x));
    visit("mish", mish(x));
    visit("hardswish", hardswish(x));
    visit("softplus", softplus(x, 1.0, 20.0));
    visit("logsigmoid", logsigmoid(x));
    visit("softsign", softsign(x));
    visit("tanhshrink", tanhshrink(x));
    visit("softshrink", softshrink(x));
    visit("hardshrink", hardshrink(x));
    visit("squareplus", squareplus(x));
    visit("sparse_plus", sparse_plus(x));
}

}  // namespace bench
