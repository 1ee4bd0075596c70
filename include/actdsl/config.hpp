// actdsl's configuration: its version, the macros users may set, and the macros every
// layer uses.
#pragma once

// The version is written here: CMakeLists.txt reads the project version from these
// three lines, and the installed package, its version file and actdsl.pc carry it.
#define ACTDSL_VERSION_MAJOR 0
#define ACTDSL_VERSION_MINOR 1
#define ACTDSL_VERSION_PATCH 0

// One number for comparisons in the preprocessor: 0.1.0 is 100, 1.2.3 is 10203.
#define ACTDSL_VERSION (ACTDSL_VERSION_MAJOR * 10000 + ACTDSL_VERSION_MINOR * 100 + ACTDSL_VERSION_PATCH)

// Elements a thread must have at least before a pass is split across OpenMP threads.
// Define it before including actdsl to change it; results are the same bits for any value.
#ifndef ACTDSL_PARALLEL_GRAIN
#define ACTDSL_PARALLEL_GRAIN 65536
#endif

// The evaluator's layers are thin wrappers; they must vanish into the loop body, or
// each batch of a large expression goes through memory. ACTDSL_LAMBDA_INLINE is the
// same for a lambda's call operator.
#define ACTDSL_INLINE [[gnu::always_inline]] inline
#define ACTDSL_LAMBDA_INLINE __attribute__((always_inline))
