// Compiled once per instruction set by actdsl_add_dispatch: records swish's kernels.
#include <actdsl/actdsl.hpp>

namespace {
constexpr actdsl::parameter<"beta"> beta{};
const bool recorded = actdsl::dispatch::record<float>(actdsl::x * actdsl::sigmoid(beta * actdsl::x), beta = 1.0);
}  // namespace
