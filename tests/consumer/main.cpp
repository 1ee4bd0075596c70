// A user's program: a custom activation's fused kernels, the registry, runtime
// dispatch, and plain xtensor code from another translation unit. Exits 1 on a wrong result.
// ACTDSL_CONSUMER_REGISTRY=0 leaves the registry out (it compiles the whole catalog):
// the subproject modes use the headers of the same source tree, so they check the
// CMake integration only.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <actdsl/actdsl.hpp>
#if ACTDSL_CONSUMER_REGISTRY
#include <actdsl/catalog/registry.hpp>
#endif
#include <xtensor/xarray.hpp>

float sum_of(const xt::xarray<float>& a);  // plain_xtensor.cpp

int main() {
    using namespace actdsl;
    constexpr parameter<"beta"> beta;
    constexpr auto swish = x * sigmoid(beta * x);
    const xt::xarray<float> in = {-3.0f, -0.5f, 0.0f, 0.5f, 3.0f};
    xt::xarray<float> y = xt::zeros_like(in), dx = xt::zeros_like(in);
    const xt::xarray<float> dy = xt::ones_like(in);
    forward(swish, in, y, beta = 1.5);
    const instruction_set ran = dispatch::last_instruction_set();  // recorded in kernels.cpp
    backward(swish, in, dy, dx, beta = 1.5);
#if ACTDSL_CONSUMER_REGISTRY
    const xt::xarray<float> elu = build_activation_layer({{"type", "ELU"}, {"alpha", 2.0}})->forward(in);
    constexpr int checks = 3;
#else
    const xt::xarray<float> elu = xt::zeros_like(in);
    constexpr int checks = 2;
#endif

    int failures = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double v = in(i), s = 1.0 / (1.0 + std::exp(-1.5 * v));
        const double expected[] = {v * s, s + 1.5 * v * s * (1.0 - s), v > 0 ? v : 2.0 * std::expm1(v)};
        const float got[] = {y(i), dx(i), elu(i)};
        for (int k = 0; k < checks; ++k)
            if (std::abs(got[k] - expected[k]) > 1e-6 * (1.0 + std::abs(expected[k]))) {
                std::printf("wrong result %d at x = %g: %.9g, expected %.9g\n", k, v, double(got[k]), expected[k]);
                ++failures;
            }
    }
    if (sum_of(in) != 0.0f) ++failures;
    const instruction_set best = std::min(dispatch::best_supported(), dispatch::instruction_set_limit());
    if (ran != best) ++failures;
    std::printf("actdsl %d.%d.%d: swish%s %s; swish ran on %s (best here: %s)\n", ACTDSL_VERSION_MAJOR,
                ACTDSL_VERSION_MINOR, ACTDSL_VERSION_PATCH, checks == 3 ? " and ELU" : "", failures ? "WRONG" : "right",
                std::string(dispatch::name(ran)).c_str(), std::string(dispatch::name(best)).c_str());
    return failures ? 1 : 0;
}
