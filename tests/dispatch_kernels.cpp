// Compiled once per instruction set (actdsl_add_dispatch in tests/CMakeLists.txt):
// records the catalog's kernels and a swish with a learnable beta, in float and double,
// float erfc, whose accuracy test_dispatch.cpp measures per instruction set, and a
// user's derivative for backward_from_output.
#include <actdsl/catalog/dispatch.hpp>

namespace {
constexpr actdsl::parameter<"beta"> beta{};
const bool recorded = actdsl::dispatch::record_catalog<float, double>() &&
                      actdsl::dispatch::record<float, double>(actdsl::x * actdsl::sigmoid(beta * actdsl::x), beta = 1.0) &&
                      actdsl::dispatch::record<float>(actdsl::erfc(actdsl::x)) &&
                      actdsl::dispatch::record_from_output<float>(actdsl::output * (actdsl::c<2> - actdsl::output));
}  // namespace
