// actdsl's SIMD math: the transcendental functions the kernels call, on scalars and
// xsimd batches, each with its contract at the top of its header and its error bound
// in bounds.hpp. This layer knows nothing of expressions.
#pragma once

#include "bounds.hpp"
#include "common.hpp"
#include "erfc.hpp"
#include "exp.hpp"
#include "expm1.hpp"
#include "log1p.hpp"
#include "tanh.hpp"
#include "tanhshrink.hpp"
