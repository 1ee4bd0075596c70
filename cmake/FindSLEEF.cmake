# FindSLEEF: the SLEEF vector math library (Debian: libsleef-dev), which ships no
# CMake package of its own. Installed with actdsl so that actdsl's package config
# can find it on the consumer's machine instead of naming this one's paths.
#
# Defines the imported target SLEEF::sleef and SLEEF_FOUND, SLEEF_INCLUDE_DIR,
# SLEEF_LIBRARY, SLEEF_VERSION (from sleef.h). Hints: SLEEF_ROOT, CMAKE_PREFIX_PATH.
find_path(SLEEF_INCLUDE_DIR sleef.h)
find_library(SLEEF_LIBRARY sleef)

if(SLEEF_INCLUDE_DIR AND EXISTS "${SLEEF_INCLUDE_DIR}/sleef.h")
    file(STRINGS "${SLEEF_INCLUDE_DIR}/sleef.h" _sleef_version_lines
         REGEX "^#define SLEEF_VERSION_(MAJOR|MINOR|PATCHLEVEL) ")
    foreach(_part MAJOR MINOR PATCHLEVEL)
        string(REGEX REPLACE ".*SLEEF_VERSION_${_part} ([0-9]+).*" "\\1" _sleef_${_part} "${_sleef_version_lines}")
    endforeach()
    if(_sleef_MAJOR MATCHES "^[0-9]+$")
        set(SLEEF_VERSION "${_sleef_MAJOR}.${_sleef_MINOR}.${_sleef_PATCHLEVEL}")
    endif()
    unset(_sleef_version_lines)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SLEEF
    REQUIRED_VARS SLEEF_LIBRARY SLEEF_INCLUDE_DIR
    VERSION_VAR SLEEF_VERSION)
mark_as_advanced(SLEEF_INCLUDE_DIR SLEEF_LIBRARY)

if(SLEEF_FOUND AND NOT TARGET SLEEF::sleef)
    add_library(SLEEF::sleef UNKNOWN IMPORTED)
    set_target_properties(SLEEF::sleef PROPERTIES
        IMPORTED_LOCATION "${SLEEF_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${SLEEF_INCLUDE_DIR}")
endif()
