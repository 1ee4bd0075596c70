// actdsl's version.
#pragma once

// The version is written here: CMakeLists.txt reads the project version from these
// three lines, and the installed package, its version file and actdsl.pc carry it.
#define ACTDSL_VERSION_MAJOR 0
#define ACTDSL_VERSION_MINOR 1
#define ACTDSL_VERSION_PATCH 0

// One number for comparisons in the preprocessor: 0.1.0 is 100, 1.2.3 is 10203.
#define ACTDSL_VERSION (ACTDSL_VERSION_MAJOR * 10000 + ACTDSL_VERSION_MINOR * 100 + ACTDSL_VERSION_PATCH)

