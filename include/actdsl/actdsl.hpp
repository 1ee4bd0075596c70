// actdsl: activation functions as symbolic expressions, differentiated at compile
// time and fused into SIMD loops over xtensor arrays. Include this one header.
//
// The layers, each including only the ones before it:
//   math/        SIMD math on scalars and batches (exp, expm1, log1p, tanh, erfc, ...),
//                with its error bounds; knows nothing of expressions
//   expression/  what the user writes: x, parameters, constants, operators
//   calculus/    simplify() and derivative()
//   evaluation/  numbering, lowering, common subexpressions, applying an operation
//   kernels/     loops over arrays: fused forward/backward, unfused reference
//   catalog/     the torch.nn activations, and building them by name from JSON
// config.hpp (the version, ACTDSL_INLINE) sits below them all.
#pragma once

#include "expression/nodes.hpp"
#include "expression/operators.hpp"
#include "expression/to_string.hpp"
#include "calculus/simplify.hpp"
#include "calculus/derivative.hpp"
#include "evaluation/program.hpp"
#include "kernels/fused.hpp"
#include "kernels/unfused.hpp"
#include "catalog/elementwise.hpp"
#include "catalog/from_output.hpp"
