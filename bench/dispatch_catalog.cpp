// Compiled once per instruction set by actdsl_add_dispatch (bench/CMakeLists.txt).
#include <actdsl/catalog/dispatch.hpp>

namespace {
const bool recorded = actdsl::dispatch::record_catalog<float>();
}  // namespace
