// The cliff benchmark's input cases (bench_catalog.cpp draws them, summarize.cpp
// tabulates them), in draw order: case k < case_mix draws every element from
// source k; case_mix draws each element from the four and from [-8, 8] alike.
#pragma once

namespace bench {

enum cliff_case : int { case_below_80, case_above_80, case_nan, case_inf, case_mix };
inline constexpr const char* cliff_cases[] = {"below_80", "above_80", "nan", "inf", "mix"};

}  // namespace bench
