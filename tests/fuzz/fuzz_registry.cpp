// libFuzzer target: arbitrary bytes as a registry config. Whatever the bytes, building the
// activation and running it forward and backward (float and double, a small array with
// NaN, infinities, signed zeros and subnormals) either works or throws
// std::invalid_argument; any other exception, crash or sanitizer report is a failure.
//   scripts/test.sh --sanitize runs it for 60 s; longer, from build/sanitize:
//   tests/actdsl_fuzz_registry -max_total_time=1800 -dict=../../tests/fuzz/registry.dict \
//       corpus ../../tests/fuzz/registry_corpus
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include <actdsl/catalog/registry.hpp>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>

namespace {
template <class T>
void run(actdsl::activation& act) {
    constexpr T inf = std::numeric_limits<T>::infinity();
    const xt::xarray<T> x = {{T(-2), T(-0.0), T(0), std::numeric_limits<T>::denorm_min()},
                             {std::numeric_limits<T>::quiet_NaN(), -inf, inf, T(3.5)}};
    const xt::xarray<T> y = act.forward(x);
    const xt::xarray<T> dy = xt::ones_like(y);
    (void)act.backward(x, dy);
    if (act.has_backward_from_output()) (void)act.backward_from_output(y, dy);
    xt::xarray<T> z = x;
    if (act.inplace()) act.forward_inplace(z);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json config = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
    if (config.is_discarded()) return 0;
    // PReLU takes any channel count up to 2^31 - 1, as PyTorch does; a large one only costs
    // memory (8 bytes a weight, twice), past libFuzzer's 2 GB allocation limit.
    if (config.is_object() && config.contains("num_parameters") && config.at("num_parameters").is_number_integer() &&
        config.at("num_parameters").get<long long>() > (1 << 20))
        return 0;
    try {
        const auto act = actdsl::build_activation_layer(config);
        run<float>(*act);
        run<double>(*act);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
