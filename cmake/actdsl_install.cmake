# Install rules: the headers, a relocatable CMake package (actdslConfig.cmake,
# actdslConfigVersion.cmake, the exported target, the dispatch helper and the SLEEF
# find module) and a pkg-config file. Nothing installed names an absolute path of
# this machine: the package finds its dependencies again where it is used.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(actdsl_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/actdsl)

install(DIRECTORY include/actdsl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS actdsl EXPORT actdslTargets)
install(EXPORT actdslTargets NAMESPACE actdsl:: DESTINATION ${actdsl_cmake_dir})

# What the package config must find again: each optional dependency only when this
# build enabled it (the exported target names it only then).
set(ACTDSL_CONFIG_NLOHMANN_JSON OFF)
if(nlohmann_json_FOUND)
    set(ACTDSL_CONFIG_NLOHMANN_JSON ON)
endif()
set(ACTDSL_CONFIG_OPENMP OFF)
if(ACTDSL_OPENMP)
    set(ACTDSL_CONFIG_OPENMP ON)
endif()
configure_package_config_file(cmake/actdslConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/actdslConfig.cmake
    INSTALL_DESTINATION ${actdsl_cmake_dir})
# 0.x releases are compatible only within a minor version; from 1.0, within a major one.
if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(actdsl_compatibility SameMinorVersion)
else()
    set(actdsl_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/actdslConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY ${actdsl_compatibility}
    ARCH_INDEPENDENT)
install(FILES
        ${CMAKE_CURRENT_BINARY_DIR}/actdslConfig.cmake
        ${CMAKE_CURRENT_BINARY_DIR}/actdslConfigVersion.cmake
        cmake/actdsl_dispatch.cmake
        cmake/FindSLEEF.cmake
    DESTINATION ${actdsl_cmake_dir})

# pkg-config: paths relative to the .pc file's own folder, so it moves with the prefix.
file(RELATIVE_PATH actdsl_pc_prefix
    "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" actdsl_pc_prefix "${actdsl_pc_prefix}")
set(ACTDSL_PC_REQUIRES "xtensor >= 0.24, xsimd >= 8, sleef")
if(nlohmann_json_FOUND)
    string(APPEND ACTDSL_PC_REQUIRES ", nlohmann_json >= 3")
endif()
set(ACTDSL_PC_CFLAGS "-std=c++20 -ffp-contract=off")
set(ACTDSL_PC_LIBS "")
if(ACTDSL_OPENMP)
    string(APPEND ACTDSL_PC_CFLAGS " -fopenmp")
    set(ACTDSL_PC_LIBS "-fopenmp")
endif()
configure_file(cmake/actdsl.pc.in ${CMAKE_CURRENT_BINARY_DIR}/actdsl.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/actdsl.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
