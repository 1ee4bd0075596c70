// The error bounds of this folder's functions, in ULPs against the exact value: one
// table, which the tests check (tests/test_kernels.cpp, tests/test_dispatch.cpp) and
// docs/accuracy.md prints (scripts/check_docs.py keeps that copy in step). A bound holds
// for every input the row's test samples; the row says which.
#pragma once

#include <string_view>

namespace actdsl::math {

struct ulp_bound {
    std::string_view function;
    std::string_view lanes;   // the element types it holds for
    std::string_view path;    // the evaluation path: instruction sets, or "every path"
    std::string_view domain;  // the inputs it holds for
    double max_ulp;
    std::string_view tested;  // what the test samples
};

inline constexpr ulp_bound ulp_bounds[] = {
    {"exp", "float, double", "every path", "all x", 2.0,
     "100000 uniform points from the subnormal results to overflow; 20000 consecutive values at each edge"},
    {"expm1", "float, double", "every path", "all x", 2.0,
     "100003 bit patterns of each sign; 300000 uniform points where the form switches"},
    {"expm1", "float", "AVX-512", "x <= 0", 0.9, "every 256th float below 88.72"},
    {"expm1", "float", "AVX-512", "x > 0", 1.45, "every 256th float below 88.72"},
    {"log1p", "float, double", "every path", "all x", 2.0,
     "100003 bit patterns of each sign; 300000 uniform points where the form switches"},
    {"log1p_unit", "float", "with FMA", "0 <= x <= 1", 1.01, "every 64th float in [0, 1]"},
    {"tanh", "float", "every path", "all x", 1.4, "every 256th float below 88.72"},
    {"erfc", "float", "AVX-512", "all x", 1.75,
     "every 256th float below 12 (native build); every 4096th (dispatched)"},
    {"erfc", "float", "with FMA, below AVX-512", "all x", 1.95, "every 4096th float below 12 (dispatched AVX2)"},
    {"erfc", "float", "without FMA (through double)", "all x", 0.6,
     "every 256th float below 12 (baseline build); every 4096th (dispatched)"},
};

// The bound of one row; a name that is not in the table does not compile.
consteval double max_ulp(std::string_view function, std::string_view path, std::string_view domain = "all x") {
    for (const ulp_bound& b : ulp_bounds)
        if (b.function == function && b.path == path && b.domain == domain) return b.max_ulp;
    throw "actdsl::math::max_ulp: no such row in math/bounds.hpp";
}

}  // namespace actdsl::math
